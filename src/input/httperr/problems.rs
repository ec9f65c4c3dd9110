//! What can be wrong with an HTTPERR line, and what is worth telling about a file, in the
//! words the report uses: each is rendered into the file's stats when it happens (a line
//! past the length cap is one of the shared reader's, [`crate::input::lines::too_long`]).

use std::fmt;

use super::{CLASSIC_FIELDS, QUOTE_MAX};

/// What a malformed line got wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The line has a different number of fields than the `#Fields:` line in force names.
    FieldCount { expected: usize, found: usize },
    /// `sc-status` is neither `-` nor a number from 0 to 999.
    BadStatus { value: String },
    /// `date` or `time` does not read as `YYYY-MM-DD` / `HH:MM:SS`.
    BadTime { value: String },
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::FieldCount { expected, found } => write!(
                f,
                "wrong field count: {found} fields where the #Fields line names {expected}"
            ),
            Problem::BadStatus { value } => {
                write!(
                    f,
                    "bad status `{value}` (expected an HTTP status, 100 to 999, or `-`)"
                )
            }
            Problem::BadTime { value } => write!(f, "bad date or time `{value}`"),
        }
    }
}

/// Things worth telling the user about a file that are not errors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Note {
    /// Data came before any `#Fields:` line; the classic 13-field layout was used.
    ClassicLayoutAssumed { line: u64 },
    /// The last line has no final newline and does not parse: HTTP.sys (or a copy) was
    /// interrupted mid-write. It is not counted as a record or as malformed.
    LastLineCut { line: u64, problem: Problem },
    /// A `#Fields:` line without `s-reason`: its lines are read, but this may not be an
    /// HTTPERR log at all.
    NoReasonField { line: u64 },
    /// A `#Fields:` line that names no fields; the layout before it stays in force.
    EmptyFields { line: u64 },
    /// Lines that began with NUL bytes: space a crash or a preallocating copier left behind.
    NulPadding { lines: u64 },
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Note::ClassicLayoutAssumed { line } => write!(
                f,
                "no #Fields line before line {line}: the classic layout was assumed ({CLASSIC_FIELDS})"
            ),
            Note::LastLineCut { line, problem } => write!(
                f,
                "last line ({line}) cut off mid-write, ignored: {problem}"
            ),
            Note::NoReasonField { line } => write!(
                f,
                "the #Fields line at line {line} has no s-reason field; this may not be an HTTPERR log"
            ),
            Note::EmptyFields { line } => write!(
                f,
                "the #Fields line at line {line} names no fields and was ignored"
            ),
            Note::NulPadding { lines } => write!(
                f,
                "{lines} line(s) began with NUL bytes (left by a crash or a preallocated copy); the NULs were skipped"
            ),
        }
    }
}

/// A parse failure still borrowing the line, made into a [`Problem`] only when kept.
pub(super) enum Fault<'a> {
    FieldCount { expected: usize, found: usize },
    BadStatus(&'a [u8]),
    BadTime(&'a [u8], &'a [u8]),
}

impl Fault<'_> {
    pub(super) fn to_problem(&self) -> Problem {
        let quote = |v: &[u8]| String::from_utf8_lossy(&v[..v.len().min(QUOTE_MAX)]).into_owned();
        match *self {
            Fault::FieldCount { expected, found } => Problem::FieldCount { expected, found },
            Fault::BadStatus(v) => Problem::BadStatus { value: quote(v) },
            Fault::BadTime(d, t) => Problem::BadTime {
                value: format!("{} {}", quote(d), quote(t)),
            },
        }
    }
}
