//! `scan --save-summary` and `iisdiag merge`: a summary file holds everything a report needs,
//! so summaries written on many servers combine into the report of one scan of all their
//! logs. Counts are exact; time-taken quantiles come from histograms that merge without
//! loss, within 1 % of the true value.

use std::fs::File;
use std::io::{self, BufReader, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::httperr::{HttpErrSummary, SavedHttpErr};
use super::traces::{SavedTraces, TraceSummary};
use super::w3c::{SavedW3c, W3cSummary};
use super::{Collected, FileOutcome};
use crate::error::{Error, Result};

/// What a summary file says it is.
pub const FORMAT: &str = "iisdiag-summary";
/// Raised when the file's shape changes in a way older readers cannot follow.
pub const VERSION: u32 = 1;

/// How the summarised scan was run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meta {
    /// The paths the scan was given.
    pub paths: Vec<String>,
    /// The filters, as the report header shows them.
    pub filters: Vec<String>,
    /// Whether every request was grouped (`--all`).
    pub all: bool,
}

#[derive(Debug, Serialize, Deserialize)]
struct Document {
    format: String,
    version: u32,
    written_by: String,
    meta: Meta,
    files: Vec<FileOutcome>,
    files_out_of_range: u64,
    w3c: SavedW3c,
    httperr: SavedHttpErr,
    traces: SavedTraces,
}

/// Writes a run's summary as JSON.
pub fn write(out: &mut dyn Write, collected: &Collected, meta: &Meta) -> io::Result<()> {
    let doc = Document {
        format: FORMAT.to_string(),
        version: VERSION,
        written_by: format!("iisdiag {}", env!("CARGO_PKG_VERSION")),
        meta: meta.clone(),
        files: collected.files.clone(),
        files_out_of_range: collected.files_out_of_range,
        w3c: collected.w3c.save(),
        httperr: collected.httperr.save(),
        traces: collected.traces.save(),
    };
    serde_json::to_writer(&mut *out, &doc)?;
    writeln!(out)
}

/// Reads a summary file back into what the scan collected.
pub fn read(path: &Path) -> Result<(Collected, Meta)> {
    let file = File::open(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let bad = |message: String| Error::Usage(format!("{}: {message}", path.display()));
    let value: serde_json::Value = serde_json::from_reader(BufReader::new(file)).map_err(|e| {
        bad(format!(
            "not a summary written by `iisdiag scan --save-summary` (line {}: {e})",
            e.line()
        ))
    })?;
    match value.get("format").and_then(|f| f.as_str()) {
        Some(FORMAT) => {}
        _ => {
            return Err(bad(
                "not a summary written by `iisdiag scan --save-summary` (no \"format\": \"iisdiag-summary\")".into(),
            ));
        }
    }
    match value.get("version").and_then(serde_json::Value::as_u64) {
        Some(v) if v == u64::from(VERSION) => {}
        v => {
            return Err(bad(format!(
                "summary format version {} is not the one this iisdiag reads ({VERSION}); write it again with this version",
                v.map_or_else(|| "(none)".to_string(), |v| v.to_string())
            )));
        }
    }
    let doc: Document =
        serde_json::from_value(value).map_err(|e| bad(format!("a damaged summary: {e}")))?;
    let collected = Collected {
        files: doc.files,
        w3c: W3cSummary::restore(doc.w3c),
        httperr: HttpErrSummary::restore(doc.httperr),
        traces: TraceSummary::restore(doc.traces),
        files_out_of_range: doc.files_out_of_range,
    };
    Ok((collected, doc.meta))
}
