//! Reader for the HTTP.sys error log (`HTTPERR\httperr<N>.log`).
//!
//! HTTP.sys writes a line here for every request it rejected or gave up on before a worker
//! process saw it: 400 parse errors, 503s for a stopped or full application pool, abandoned
//! connections when w3wp died. None of these reach the site's W3C log, which is why the file
//! matters. The reader parses bytes in place (one reused buffer, memchr for line ends and
//! separators, no allocation per line) and honours every `#Fields:` line, because the field
//! set grew over Windows releases (`streamid`, then `streamid_ex` and `transport`) and a
//! single file can hold blocks written by more than one of them.

mod problems;
mod reader;
mod record;
mod sniff;

use problems::display;

pub use problems::{Note, Problem};
pub use reader::read_httperr;
pub use record::{HttpErrRecord, strip_zone};
pub use sniff::looks_like_httperr;

/// The field set HTTP.sys used up to Windows Server 2012 R2, and the one assumed when a file
/// has no `#Fields:` line at all.
pub const CLASSIC_FIELDS: &str = "date time c-ip c-port s-ip s-port cs-version cs-method cs-uri sc-status s-siteid s-reason s-queuename";

/// Size of each read; the buffer grows only when a single line is longer than this.
const READ_SIZE: usize = 1 << 20;
/// A line longer than this is not an HTTPERR line (HTTP.sys truncates the URL at 4096 bytes
/// and the verb at 255); it is counted as malformed and skipped instead of growing the
/// buffer without bound.
const MAX_LINE: usize = 16 << 20;
/// How many malformed lines are kept with their line number and problem.
const MALFORMED_KEPT: usize = 5;
/// How many bytes of a bad value are quoted back in a problem description.
const QUOTE_MAX: usize = 40;
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// A malformed line: where it is and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MalformedLine {
    pub line: u64,
    #[serde(serialize_with = "display")]
    pub problem: Problem,
}

/// What reading one file found, besides the records themselves.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct HttpErrStats {
    /// Lines in the file, headers and blank lines included.
    pub lines: u64,
    /// Lines handed to the visitor.
    pub records: u64,
    /// Lines that are neither records, headers nor blank.
    pub malformed: u64,
    /// The first few malformed lines, in file order.
    pub first_malformed: Vec<MalformedLine>,
    /// `#Fields:` lines seen; HTTP.sys writes one each time the HTTP service starts.
    pub header_blocks: u64,
    /// The distinct `#Fields:` values, in the order first seen.
    pub field_sets: Vec<String>,
    pub notes: Vec<Note>,
}

#[cfg(test)]
mod tests;
