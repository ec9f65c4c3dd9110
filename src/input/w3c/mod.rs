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

/// A line that could not be read, for the report.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Malformed {
    pub line: u64,
    pub reason: String,
}

/// What reading one file found besides its records.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    pub records: u64,
    pub malformed: u64,
    /// The first few malformed lines.
    pub malformed_samples: Vec<Malformed>,
    pub header_blocks: u64,
    pub notes: Vec<String>,
    /// The layouts in this file have no `sc-status`: requests are counted, failures cannot be told.
    pub no_status: bool,
    pub local_time: bool,
}

/// How many malformed lines are named one by one.
pub const MALFORMED_SAMPLES: usize = 5;
/// Lines longer than this are skipped as malformed; the buffer never grows past it.
pub const MAX_LINE: usize = 1 << 22;
const READ_SIZE: usize = 1 << 20;

/// Reads a W3C log from `reader`, calling `visit` for every data line that parses.
pub fn read<R: Read, F: FnMut(&Record<'_>)>(reader: R, visit: F) -> io::Result<Stats> {
    let part = read_part(reader, Context::default(), true, visit)?;
    Ok(part.facts.into_stats(&[Placed::default()]))
}

#[cfg(test)]
mod tests;
