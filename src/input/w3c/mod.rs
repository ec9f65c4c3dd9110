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

/// What the lines of a growing file read so far declared (the layout and `#Date` in force,
/// and the line of that `#Fields:`), for the lines appended after them (`iisdiag watch`).
#[derive(Debug, Clone, Default)]
pub struct Resume {
    context: Context,
    layout_line: Option<u64>,
}

/// Reads whole lines appended to a W3C log: `resume` holds what the lines before them
/// declared, and takes what these declare. `at_start`: the bytes start at the file's first
/// byte; `first_line`: lines before them, so a malformed line is named by its line in the file.
pub fn read_more<F: FnMut(&Record<'_>)>(
    bytes: &[u8],
    resume: &mut Resume,
    at_start: bool,
    first_line: u64,
    visit: F,
) -> Stats {
    let reading = Context {
        guessed: false,
        ..resume.context.clone()
    };
    // Reading a slice cannot fail.
    let Ok(part) = read_part(bytes, reading, at_start, visit) else {
        return Stats::default();
    };
    let placed = Placed {
        first_line,
        layout_line: resume.layout_line,
    };
    if let Some((layout, line)) = &part.last_fields {
        resume.context.layout = Some(layout.clone());
        resume.layout_line = Some(line + first_line);
    }
    if let Some(day) = part.last_day {
        resume.context.day = day;
    }
    part.facts.into_stats(&[placed])
}

#[cfg(test)]
mod tests;
