//! Telling an HTTPERR log from a W3C log by its first lines: the two share the directive
//! syntax, and HTTP.sys also writes W3C site logs.

use super::BOM;
use super::record::{parse_status, parse_u16};
use crate::time::{parse_date, parse_time};

/// True when the first bytes of a file look like an HTTPERR log.
///
/// Decided by the first line that settles it: `#Software: Microsoft HTTP API` says yes; a
/// `#Fields:` line says yes when it names `s-reason`; a first data line before any header
/// says yes when it fits the classic layout (date, time, numeric or `-` ports and status).
/// `#Software: Microsoft HTTP Server API 2.0` is HTTP.sys's own W3C site logging, not an
/// error log, so it settles nothing and the `#Fields:` line decides.
pub fn looks_like_httperr(head: &[u8]) -> bool {
    let head = head.strip_prefix(BOM).unwrap_or(head);
    for line in head.split(|&b| b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line).trim_ascii();
        if line.is_empty() {
            continue;
        }
        if let Some(value) = directive(line, b"#Software:") {
            if value.trim_ascii_start().starts_with(b"Microsoft HTTP API") {
                return true;
            }
            continue;
        }
        if let Some(value) = directive(line, b"#Fields:") {
            return tokens(value).any(|t| t.eq_ignore_ascii_case(b"s-reason"));
        }
        if line.starts_with(b"#") {
            continue;
        }
        return fits_classic(line);
    }
    false
}

/// A headerless line that reads as the classic 13 fields.
fn fits_classic(line: &[u8]) -> bool {
    let mut cols: [&[u8]; 13] = [b""; 13];
    let mut n = 0;
    for t in tokens(line) {
        if n == cols.len() {
            return false;
        }
        cols[n] = t;
        n += 1;
    }
    let port_ok = |v: &[u8]| v == b"-" || parse_u16(v).is_some();
    n == cols.len()
        && parse_date(cols[0]).is_some()
        && parse_time(cols[1]).is_some()
        && port_ok(cols[3])
        && port_ok(cols[5])
        && (cols[9] == b"-" || parse_status(cols[9]).is_some())
}

/// The value of a `#Name:` directive, the name matched without regard to case.
pub(super) fn directive<'a>(line: &'a [u8], name: &[u8]) -> Option<&'a [u8]> {
    let head = line.get(..name.len())?;
    if head.eq_ignore_ascii_case(name) {
        line.get(name.len()..)
    } else {
        None
    }
}

/// Space-separated tokens; runs of spaces count as one separator.
pub(super) fn tokens(line: &[u8]) -> impl Iterator<Item = &[u8]> {
    line.split(|&b| b == b' ' || b == b'\t')
        .filter(|t| !t.is_empty())
}
