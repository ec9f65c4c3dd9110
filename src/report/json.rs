//! The JSON report: one document on stdout, for scripts. Its keys are a contract: add to
//! them, never rename or drop. Times are RFC 3339, UTC, whatever the layout's zone.

use std::io::{self, Write};

use super::Layout;
use crate::explain::Report;

/// Writes the report as one pretty-printed JSON document.
pub fn write(out: &mut dyn Write, report: &Report, _layout: &Layout) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, report)?;
    writeln!(out)
}
