//! The JSON report: one document on stdout, for scripts.

use std::io::{self, Write};

use super::Report;

/// Writes the report as one pretty-printed JSON document.
pub fn write(out: &mut dyn Write, report: &Report) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, report)?;
    writeln!(out)
}
