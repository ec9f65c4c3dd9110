//! The W3C extended log reader (`u_ex*.log`).
//!
//! Columns come from each `#Fields:` line, and a later `#Fields:` line replaces the layout
//! from there on (IIS writes a header block at every restart). Lines are parsed as bytes in a
//! reused buffer: no allocation per line, non-UTF-8 bytes never abort a file. A line whose
//! field count does not match its layout is tried again with runs of spaces folded and with
//! double-quoted values (IIS Advanced Logging), and only then counted as malformed.

mod context;
mod fields;
mod layout;
mod reader;
mod record;

use std::io::{self, Read};

pub use fields::parse_u64;
pub use layout::{Field, Layout};
pub use record::Record;

pub(crate) use context::{Context, Facts, Part, Placed};
pub(crate) use reader::read_part;

// The one malformed-line and stats type of every text reader, kept at the path callers used
// before the readers shared a line loop.
pub use crate::input::lines::{Malformed, Stats};

/// Reads a W3C log from `reader`, calling `visit` for every data line that parses.
pub fn read<R: Read, F: FnMut(&Record<'_>)>(reader: R, visit: F) -> io::Result<Stats> {
    let part = read_part(reader, Context::default(), true, visit)?;
    Ok(part.facts.into_stats(&[Placed::default()]))
}

#[cfg(test)]
mod tests;
