//! `--fail-on`: the condition under which a scan's exit code says the logs hold too many
//! failures, in the `--status` forms with an optional threshold.

use super::StatusFilter;
use crate::error::{Error, Result};

/// One `--fail-on` condition: statuses (the `--status` forms) and how many of them are too
/// many: `5xx` (any), `502.3>10` (more than ten), `5xx>1%` (more than 1 % of the requests).
#[derive(Debug, Clone, PartialEq)]
pub struct FailOn {
    text: String,
    status: StatusFilter,
    more_than: Threshold,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Threshold {
    Count(u64),
    Percent(f64),
}

const FAIL_ON_FORMS: &str = "expected statuses in the --status forms, optionally followed by `>N` (more than N requests) or `>N%` (more than N % of the requests): 5xx, 502.3>10, 4xx,!401>50, 5xx>1%";

impl FailOn {
    pub fn parse(value: &str) -> Result<FailOn> {
        let bad = || Error::BadOption {
            flag: "--fail-on",
            value: value.to_string(),
            reason: FAIL_ON_FORMS.to_string(),
        };
        let (codes, more_than) = match value.split_once('>') {
            None => (value, Threshold::Count(0)),
            Some((codes, n)) => {
                let n = n.trim();
                let threshold = match n.strip_suffix('%') {
                    Some(p) => Threshold::Percent(
                        p.trim()
                            .parse::<f64>()
                            .ok()
                            .filter(|p| p.is_finite() && *p >= 0.0)
                            .ok_or_else(bad)?,
                    ),
                    None => Threshold::Count(n.parse().map_err(|_| bad())?),
                };
                (codes, threshold)
            }
        };
        let mut status = StatusFilter::default();
        status.add("--fail-on", codes, false).map_err(|_| bad())?;
        Ok(FailOn {
            text: value.trim().to_string(),
            status,
            more_than,
        })
    }

    /// The condition as the user wrote it.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Whether a group's status counts toward this condition.
    pub fn counts(&self, status: u16, substatus: Option<u32>, win32: Option<u64>) -> bool {
        (!self.status.names_statuses() || self.status.included(status, substatus, win32))
            && !self.status.excluded(status, substatus, win32)
    }

    /// Whether `count` requests out of `requests` are too many.
    pub fn exceeded(&self, count: u64, requests: u64) -> bool {
        match self.more_than {
            Threshold::Count(n) => count > n,
            Threshold::Percent(p) => {
                count > 0 && requests > 0 && count as f64 * 100.0 / requests as f64 > p
            }
        }
    }
}
