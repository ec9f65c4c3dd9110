//! `diff --fail-on`: a deploy gate. A condition is a change (`new`, `grown`, or `worse` for
//! either) optionally followed by `-` and statuses in the `--status` forms (`new-5xx`,
//! `grown-502.3`, `worse-5xx,!503`); it matches when a group of those statuses changed so.

use super::{Change, GroupChange};
use crate::error::{Error, Result};
use crate::filter::FailOn;

const FORMS: &str = "expected new, grown or worse (new or grown), optionally followed by `-` and statuses in the --status forms: new-5xx, grown-502.3, worse-5xx,!503";

/// One `diff --fail-on` condition.
#[derive(Debug, Clone, PartialEq)]
pub struct DiffFailOn {
    text: String,
    changes: &'static [Change],
    /// The statuses it looks at; `None` for every group.
    statuses: Option<FailOn>,
}

impl DiffFailOn {
    pub fn parse(value: &str) -> Result<DiffFailOn> {
        let bad = || Error::BadOption {
            flag: "--fail-on",
            value: value.to_string(),
            reason: FORMS.to_string(),
        };
        let v = value.trim();
        let (change, codes) = match v.split_once('-') {
            Some((c, codes)) => (c, Some(codes)),
            None => (v, None),
        };
        let changes: &'static [Change] = match change.to_ascii_lowercase().as_str() {
            "new" => &[Change::New],
            "grown" => &[Change::Grown],
            "worse" => &[Change::New, Change::Grown],
            _ => return Err(bad()),
        };
        let statuses = match codes {
            // A threshold (`>10`) belongs to scan's counts, not to a change.
            Some(c) if c.contains('>') || c.trim().is_empty() => return Err(bad()),
            Some(c) => Some(FailOn::parse(c).map_err(|_| bad())?),
            None => None,
        };
        Ok(DiffFailOn {
            text: v.to_string(),
            changes,
            statuses,
        })
    }

    fn matches(&self, g: &GroupChange) -> bool {
        let t = g.triple;
        self.changes.contains(&g.change)
            && self
                .statuses
                .as_ref()
                .is_none_or(|s| s.counts(t.status, t.substatus, t.win32))
    }
}

/// One sentence per condition that matched, naming the groups.
pub fn verdict(conditions: &[DiffFailOn], groups: &[GroupChange]) -> Vec<String> {
    conditions
        .iter()
        .filter_map(|c| {
            let hits: Vec<String> = groups
                .iter()
                .filter(|g| c.matches(g))
                .map(|g| format!("{} {} x{}", g.code, g.change.name(), g.after.count))
                .collect();
            (!hits.is_empty()).then(|| format!("--fail-on {} matched: {}", c.text, hits.join(", ")))
        })
        .collect()
}
