//! The `status.substatus.win32` value that every IIS failure is grouped by.
//!
//! A log may lack `sc-substatus` or `sc-win32-status`; the missing part is unknown, not 0,
//! so both are options. `sc-win32-status` holds more than Win32 codes (SSPI HRESULTs and
//! NTSTATUS values in decimal), hence `u64`, but a value past `u32::MAX` is no Win32, HRESULT
//! or NTSTATUS code: [`Triple::checked`] refuses it, as it refuses a status outside
//! 100..=999 (`sc-status 1000` is not HTTP).

use std::fmt;
use std::str::FromStr;

/// One `status.substatus.win32` key. Orders by status, then substatus, then win32,
/// with unknown parts before known ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Triple {
    pub status: u16,
    pub substatus: Option<u32>,
    pub win32: Option<u64>,
}

impl Triple {
    pub fn new(status: u16, substatus: Option<u32>, win32: Option<u64>) -> Triple {
        Triple {
            status,
            substatus,
            win32,
        }
    }

    /// A triple from the numbers a log line holds, or why they are not one: the status must
    /// be an HTTP status (100..=999), the substatus and win32 must fit in 32 bits.
    pub fn checked(
        status: u64,
        substatus: Option<u64>,
        win32: Option<u64>,
    ) -> Result<Triple, OutOfRange> {
        let status = u16::try_from(status)
            .ok()
            .filter(|s| STATUS_RANGE.contains(s))
            .ok_or(OutOfRange::Status(status))?;
        let substatus = substatus
            .map(|v| u32::try_from(v).map_err(|_| OutOfRange::Substatus(v)))
            .transpose()?;
        let win32 = win32
            .map(|v| {
                u32::try_from(v)
                    .map(u64::from)
                    .map_err(|_| OutOfRange::Win32(v))
            })
            .transpose()?;
        Ok(Triple::new(status, substatus, win32))
    }

    /// Whether the parts are in the ranges [`Triple::checked`] allows.
    pub fn in_range(&self) -> bool {
        STATUS_RANGE.contains(&self.status) && self.win32.is_none_or(|w| w <= u64::from(u32::MAX))
    }

    /// Whether evidence of `other` (a trace, a detailed error page) can stand for requests of
    /// this triple: the statuses are equal, and the substatus and the win32 are equal where
    /// both sides know them (a part one side lacks is unknown, not a mismatch).
    pub fn agrees_with(&self, other: &Triple) -> bool {
        fn agree<T: PartialEq>(a: Option<T>, b: Option<T>) -> bool {
            match (a, b) {
                (Some(a), Some(b)) => a == b,
                _ => true,
            }
        }
        self.status == other.status
            && agree(self.substatus, other.substatus)
            && agree(self.win32, other.win32)
    }

    /// A request is a failure when its status is 400 or more, or when the connection
    /// ended with a non-zero win32 status (200.0.64: the client went away).
    pub fn is_failure(&self) -> bool {
        self.status >= 400 || self.win32.is_some_and(|w| w != 0)
    }
}

impl fmt::Display for Triple {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.", self.status)?;
        match self.substatus {
            Some(s) => write!(f, "{s}.")?,
            None => f.write_str("-.")?,
        }
        match self.win32 {
            Some(w) => write!(f, "{w}"),
            None => f.write_str("-"),
        }
    }
}

/// The HTTP statuses: three digits.
pub const STATUS_RANGE: std::ops::RangeInclusive<u16> = 100..=999;

/// A part of a log line's triple outside its range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum OutOfRange {
    #[error("sc-status {0} is not an HTTP status (100 to 999)")]
    Status(u64),
    #[error("sc-substatus {0} is out of range (at most 4294967295)")]
    Substatus(u64),
    #[error("sc-win32-status {0} is past 4294967295: not a Win32, HRESULT or NTSTATUS value")]
    Win32(u64),
}

/// Why a code could not be read as `status[.substatus[.win32]]`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}` is not a status code: expected STATUS, STATUS.SUBSTATUS or STATUS.SUBSTATUS.WIN32 (for example 502, 502.3 or 502.3.12002)"
)]
pub struct ParseCodeError(pub String);

/// A code as people write it: `502`, `502.3` or `502.3.12002`. Parts that are left out
/// are `None`; `-` stands for an unknown part as in iisdiag's own output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Code {
    pub status: u16,
    pub substatus: Option<u32>,
    pub win32: Option<u64>,
}

impl FromStr for Code {
    type Err = ParseCodeError;

    fn from_str(s: &str) -> Result<Code, ParseCodeError> {
        let err = || ParseCodeError(s.to_string());
        let mut parts = s.trim().split('.');
        let status: u16 = parts
            .next()
            .and_then(|p| p.parse().ok())
            .filter(|st| STATUS_RANGE.contains(st))
            .ok_or_else(err)?;
        let substatus = match parts.next() {
            None => None,
            Some(p) => Some(p.parse::<u32>().map_err(|_| err())?),
        };
        let win32 = match parts.next() {
            None => None,
            Some(p) => Some(u64::from(p.parse::<u32>().map_err(|_| err())?)),
        };
        if parts.next().is_some() {
            return Err(err());
        }
        Ok(Code {
            status,
            substatus,
            win32,
        })
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.status)?;
        if let Some(s) = self.substatus {
            write!(f, ".{s}")?;
            if let Some(w) = self.win32 {
                write!(f, ".{w}")?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_marks_unknown_parts() {
        assert_eq!(
            Triple::new(502, Some(3), Some(12002)).to_string(),
            "502.3.12002"
        );
        assert_eq!(Triple::new(404, None, None).to_string(), "404.-.-");
        assert_eq!(Triple::new(500, Some(0), None).to_string(), "500.0.-");
    }

    #[test]
    fn evidence_agrees_where_both_sides_know_a_part() {
        let logged = Triple::new(502, Some(3), Some(12002));
        assert!(logged.agrees_with(&Triple::new(502, Some(3), Some(12002))));
        assert!(logged.agrees_with(&Triple::new(502, Some(3), None)));
        assert!(logged.agrees_with(&Triple::new(502, None, None)));
        assert!(!logged.agrees_with(&Triple::new(502, Some(3), Some(12029))));
        assert!(!logged.agrees_with(&Triple::new(502, Some(4), Some(12002))));
        assert!(!logged.agrees_with(&Triple::new(503, Some(3), Some(12002))));
    }

    #[test]
    fn failure_rule() {
        assert!(Triple::new(404, Some(0), Some(2)).is_failure());
        assert!(Triple::new(200, Some(0), Some(64)).is_failure());
        assert!(!Triple::new(200, Some(0), Some(0)).is_failure());
        assert!(!Triple::new(304, None, None).is_failure());
    }

    #[test]
    fn status_1000_and_win32_past_u32_are_not_a_triple() {
        assert_eq!(
            Triple::checked(1000, Some(0), Some(0)),
            Err(OutOfRange::Status(1000))
        );
        assert_eq!(Triple::checked(99, None, None), Err(OutOfRange::Status(99)));
        assert_eq!(
            Triple::checked(500, Some(0), Some(1 << 40)),
            Err(OutOfRange::Win32(1 << 40))
        );
        assert_eq!(
            Triple::checked(401, Some(1), Some(2_148_074_254)),
            Ok(Triple::new(401, Some(1), Some(2_148_074_254))),
            "an SSPI HRESULT in decimal is a value"
        );
        assert!(!Triple::new(1000, None, None).in_range());
        assert!(!Triple::new(500, None, Some(1 << 40)).in_range());
        assert!(Triple::new(999, None, Some(u64::from(u32::MAX))).in_range());
    }

    #[test]
    fn code_parses_each_form() {
        for (text, want) in [
            ("502", (502, None, None)),
            ("502.3", (502, Some(3), None)),
            ("502.3.12002", (502, Some(3), Some(12002))),
            ("401.1.2148074254", (401, Some(1), Some(2148074254))),
        ] {
            let c: Code = text.parse().unwrap();
            assert_eq!((c.status, c.substatus, c.win32), want, "{text}");
            assert_eq!(c.to_string(), text);
        }
        for bad in [
            "",
            "abc",
            "50",
            "502.x",
            "502.3.1.1",
            "1502",
            "1000",
            "500.0.4294967296",
        ] {
            assert!(bad.parse::<Code>().is_err(), "{bad}");
        }
    }
}
