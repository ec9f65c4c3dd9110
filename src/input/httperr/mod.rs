//! Reader for the HTTP.sys error log (`HTTPERR\httperr<N>.log`).
//!
//! HTTP.sys writes a line here for every request it rejected or gave up on before a worker
//! process saw it: 400 parse errors, 503s for a stopped or full application pool, abandoned
//! connections when w3wp died. None of these reach the site's W3C log, which is why the file
//! matters. The reader parses bytes in place (one reused buffer, memchr for line ends and
//! separators, no allocation per line) and honours every `#Fields:` line, because the field
//! set grew over Windows releases (`streamid`, then `streamid_ex` and `transport`) and a
//! single file can hold blocks written by more than one of them. Lines come from the line
//! loop every text reader shares, and what a file held besides records is its
//! [`Stats`](crate::input::lines::Stats).

mod problems;
mod reader;
mod record;
mod sniff;

pub use problems::{Note, Problem};
pub use reader::{Resume, read_httperr, read_more};
pub use record::{HttpErrRecord, strip_zone};
pub use sniff::looks_like_httperr;

/// The field set HTTP.sys used up to Windows Server 2012 R2, and the one assumed when a file
/// has no `#Fields:` line at all.
pub const CLASSIC_FIELDS: &str = "date time c-ip c-port s-ip s-port cs-version cs-method cs-uri sc-status s-siteid s-reason s-queuename";

/// How many bytes of a bad value are quoted back in a problem description.
const QUOTE_MAX: usize = 40;
const BOM: &[u8] = b"\xEF\xBB\xBF";

#[cfg(test)]
mod tests;
