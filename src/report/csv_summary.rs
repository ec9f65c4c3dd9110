//! `--csv`: the summary, one row per group, for a spreadsheet or a script.
//!
//! The columns are a contract (see [`COLUMNS`] and the README): add to them, never rename or
//! drop. Every cell goes through the CSV guard ([`csv_cell`]): a module name from a FREB trace
//! or a URL is attacker text, and a cell a spreadsheet would run as a formula is neutralised.

use std::io::{self, Write};

use crate::guard::csv_cell;
use crate::time;

use super::Layout;
use crate::explain::Report;

/// The columns, in order.
pub const COLUMNS: [&str; 22] = [
    "status",
    "substatus",
    "win32",
    "count",
    "share_percent",
    "code",
    "title",
    "cause",
    "benign",
    "first_seen",
    "last_seen",
    "time_taken_p50_ms",
    "time_taken_p95_ms",
    "time_taken_max_ms",
    "top_url",
    "top_url_count",
    "servers",
    "sites",
    "win32_name",
    "module",
    "source",
    "checks",
];

/// Writes one row per group, in the report's order (times in UTC, whatever the layout).
pub fn write(out: &mut dyn Write, report: &Report, _layout: &Layout) -> io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(COLUMNS)?;
    let opt = |v: Option<String>| v.unwrap_or_default();
    for g in &report.groups {
        let top = g.top_urls.first();
        let tt = g.time_taken_ms;
        let row = [
            g.status.to_string(),
            opt(g.substatus.map(|s| s.to_string())),
            opt(g.win32.map(|s| s.to_string())),
            g.count.to_string(),
            format!("{:.2}", g.share),
            g.code.clone(),
            g.title.clone(),
            g.cause.clone(),
            g.benign.to_string(),
            opt(g.first_seen.map(time::format_rfc3339)),
            opt(g.last_seen.map(time::format_rfc3339)),
            opt(tt.map(|t| t.p50.to_string())),
            opt(tt.map(|t| t.p95.to_string())),
            opt(tt.map(|t| t.max.to_string())),
            top.map(|u| u.url.clone()).unwrap_or_default(),
            top.map(|u| u.count.to_string()).unwrap_or_default(),
            g.servers.join(";"),
            g.sites.join(";"),
            opt(g.win32_detail.as_ref().map(|d| d.name.clone())),
            opt(g.module.clone()),
            g.source.to_string(),
            g.hints.join(" | "),
        ];
        w.write_record(row.iter().map(|cell| csv_cell(cell).into_owned()))?;
    }
    w.flush()
}
