//! The writers: each lays out an explained report (`explain`) as one medium, and decides
//! nothing about what to say. They share one signature, `write(out, &Report, &Layout)`, and
//! one dispatch on the format; wording that more than one writer uses lives in `phrase`.

pub mod ancm;
pub mod bundle;
pub mod csv_summary;
pub mod diff;
pub mod errorpage;
pub mod events;
pub mod explain;
pub mod fit;
pub mod freb;
pub mod html;
pub mod json;
pub mod kb_export;
pub mod lint;
pub mod markdown;
pub mod paint;
pub mod phrase;
pub mod table;
#[cfg(test)]
mod testing;
pub mod tiers;
pub mod timeline;
pub mod watch;

use std::io::{self, Write};

use crate::explain::Report;
use crate::time::Zone;

use paint::Paint;

/// The media a report is written as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// The human report for a terminal or a pipe.
    Table,
    Json,
    Markdown,
    /// A self-contained page with the timeline chart.
    Html,
    /// The CSV summary: a row per group.
    Csv,
}

/// How a report is laid out: settled once from the command line and the terminal.
#[derive(Debug, Clone, Copy)]
pub struct Layout {
    /// Columns available (the table).
    pub width: u16,
    /// Box-drawing and block characters (a terminal) or plain ASCII (a pipe or file).
    pub unicode: bool,
    /// How many groups get an explanation block.
    pub top: usize,
    /// Colour (red faults, yellow client errors, dim benign traffic, bold headings).
    pub paint: Paint,
    /// The zone times are shown in (machine-readable outputs stay UTC).
    pub zone: Zone,
}

impl Default for Layout {
    fn default() -> Layout {
        Layout {
            width: 120,
            unicode: false,
            top: 3,
            paint: Paint::new(false),
            zone: Zone::Utc,
        }
    }
}

/// Writes `report` as `format`.
pub fn write(
    out: &mut dyn Write,
    report: &Report,
    format: Format,
    layout: &Layout,
) -> io::Result<()> {
    match format {
        Format::Table => table::write(out, report, layout),
        Format::Json => json::write(out, report, layout),
        Format::Markdown => markdown::write(out, report, layout),
        Format::Html => html::write(out, report, layout),
        Format::Csv => csv_summary::write(out, report, layout),
    }
}
