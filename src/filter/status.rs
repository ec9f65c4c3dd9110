//! `--status` and `--exclude-status`: which statuses are grouped, in the forms people write
//! (`502`, `502.3.12002`, `5xx`, `500-504`, `!404`).

use crate::error::{Error, Result};
use crate::triple::Code;

/// The accepted forms of `--status`, for error messages.
pub const STATUS_FORMS: &str = "expected comma-separated codes: 502, 502.3, 502.3.12002, a class (5xx), a range (500-504), or any of these after `!` to leave it out";

/// One status pattern: a class, a range, or a code with as many parts as were given.
#[derive(Debug, Clone, PartialEq, Eq)]
enum StatusPattern {
    Class(u16),
    Range(u16, u16),
    Code(Code),
}

impl StatusPattern {
    fn parse(text: &str) -> Option<StatusPattern> {
        let t = text.trim();
        let lower = t.to_ascii_lowercase();
        if let Some(first) = lower.strip_suffix("xx") {
            let class: u16 = first.parse().ok().filter(|c| (1..=9).contains(c))?;
            return (first.len() == 1).then_some(StatusPattern::Class(class));
        }
        if let Some((lo, hi)) = t.split_once('-') {
            let lo: u16 = lo.trim().parse().ok().filter(|s| (100..1000).contains(s))?;
            let hi: u16 = hi.trim().parse().ok().filter(|s| (100..1000).contains(s))?;
            return (lo <= hi).then_some(StatusPattern::Range(lo, hi));
        }
        t.parse::<Code>().ok().map(StatusPattern::Code)
    }

    fn matches(&self, status: u16, substatus: Option<u32>, win32: Option<u64>) -> bool {
        match self {
            StatusPattern::Class(c) => status / 100 == *c,
            StatusPattern::Range(lo, hi) => (*lo..=*hi).contains(&status),
            StatusPattern::Code(code) => {
                code.status == status
                    && code.substatus.is_none_or(|s| substatus == Some(s))
                    && code.win32.is_none_or(|w| win32 == Some(w))
            }
        }
    }
}

/// `--status` and `--exclude-status` together.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatusFilter {
    include: Vec<StatusPattern>,
    exclude: Vec<StatusPattern>,
}

impl StatusFilter {
    /// Adds the patterns of one `--status` value (`!` marks an exclusion).
    pub fn add_included(&mut self, value: &str) -> Result<()> {
        self.add("--status", value, false)
    }

    /// Adds the patterns of one `--exclude-status` value.
    pub fn add_excluded(&mut self, value: &str) -> Result<()> {
        self.add("--exclude-status", value, true)
    }

    pub(super) fn add(&mut self, flag: &'static str, value: &str, exclude: bool) -> Result<()> {
        let bad = |reason: String| Error::BadOption {
            flag,
            value: value.to_string(),
            reason,
        };
        if value.trim().is_empty() {
            return Err(bad(STATUS_FORMS.to_string()));
        }
        for item in value.split(',') {
            let (negated, text) = match item.trim().strip_prefix('!') {
                Some(rest) => (true, rest),
                None => (false, item),
            };
            let pattern = StatusPattern::parse(text)
                .ok_or_else(|| bad(format!("`{}` is not a status: {STATUS_FORMS}", item.trim())))?;
            if exclude || negated {
                self.exclude.push(pattern);
            } else {
                self.include.push(pattern);
            }
        }
        Ok(())
    }

    /// Whether the filter asks for particular statuses (not only leaves some out).
    pub fn names_statuses(&self) -> bool {
        !self.include.is_empty()
    }

    pub(super) fn excluded(&self, status: u16, substatus: Option<u32>, win32: Option<u64>) -> bool {
        self.exclude
            .iter()
            .any(|p| p.matches(status, substatus, win32))
    }

    pub(super) fn included(&self, status: u16, substatus: Option<u32>, win32: Option<u64>) -> bool {
        self.include
            .iter()
            .any(|p| p.matches(status, substatus, win32))
    }
}
