//! The whole knowledge base as a table, CSV or JSON, so people can join it in their own tools.

use crate::guard::csv_cell;
use std::io::{self, Write};

use comfy_table::presets::ASCII_BORDERS_ONLY_CONDENSED;
use comfy_table::{ContentArrangement, Table};
use serde::Serialize;

use crate::kb::{CodeEntry, EventEntry, Kb, ReasonEntry, TimeoutEntry, Win32Entry};

/// One flat row per entry: the CSV and table form.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// `code`, `win32`, `reason`, `timeout` or `event`.
    pub kind: &'static str,
    /// `502.3.12002`, `12002`, `AppOffline`, `30`, `WAS/5002`.
    pub key: String,
    pub module: String,
    pub title: String,
    pub cause: String,
    /// The checks, separated by ` | `.
    pub checks: String,
    pub benign: bool,
    /// URLs, separated by spaces.
    pub references: String,
}

/// Every entry as a row: codes, then win32 values, HTTP.sys reasons, timeouts and events (an
/// event's `module` cell holds its role).
pub fn rows(kb: &Kb) -> Vec<Row> {
    let refs = |r: &[String]| {
        r.iter()
            .map(|x| kb.source_url(x).to_string())
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut out = Vec::new();
    for e in kb.code_entries() {
        out.push(Row {
            kind: "code",
            key: e.code.clone(),
            module: e.module.clone().unwrap_or_default(),
            title: e.title.clone(),
            cause: e.cause.clone(),
            checks: e.checks.join(" | "),
            benign: e.benign,
            references: refs(&e.refs),
        });
    }
    for e in kb.win32_entries() {
        out.push(Row {
            kind: "win32",
            key: e.code.to_string(),
            module: String::new(),
            title: format!("{} ({})", e.name, e.kind),
            cause: e.meaning.clone(),
            checks: e.iis.clone(),
            benign: false,
            references: refs(&e.refs),
        });
    }
    for e in kb.reason_entries() {
        out.push(Row {
            kind: "reason",
            key: e.reason.clone(),
            module: String::new(),
            title: e.title.clone(),
            cause: e.cause.clone(),
            checks: e.checks.join(" | "),
            benign: e.benign,
            references: refs(&e.refs),
        });
    }
    for e in kb.timeouts() {
        out.push(Row {
            kind: "timeout",
            key: e.seconds.to_string(),
            module: e.module.clone().unwrap_or_default(),
            title: e.name.clone(),
            cause: e.setting.clone(),
            checks: e.codes.join(" | "),
            benign: false,
            references: refs(&e.refs),
        });
    }
    for e in kb.event_entries() {
        out.push(Row {
            kind: "event",
            key: format!("{}/{}", e.provider, e.id),
            module: e.role.clone(),
            title: e.title.clone(),
            cause: e.cause.clone(),
            checks: e.checks.join(" | "),
            benign: false,
            references: refs(&e.refs),
        });
    }
    out
}

/// CSV with a header row; cells that a spreadsheet would run as a formula are neutralised.
pub fn write_csv(out: &mut dyn Write, kb: &Kb) -> io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "kind",
        "key",
        "module",
        "title",
        "cause",
        "checks",
        "benign",
        "references",
    ])?;
    for r in rows(kb) {
        let benign = if r.benign { "true" } else { "false" };
        w.write_record([
            r.kind,
            &r.key,
            &csv_cell(&r.module),
            &csv_cell(&r.title),
            &csv_cell(&r.cause),
            &csv_cell(&r.checks),
            benign,
            &csv_cell(&r.references),
        ])?;
    }
    w.flush()
}

#[derive(Serialize)]
struct Document<'a> {
    codes: &'a [CodeEntry],
    win32: Vec<&'a Win32Entry>,
    reasons: Vec<&'a ReasonEntry>,
    timeouts: &'a [TimeoutEntry],
    events: &'a [EventEntry],
    sources: std::collections::BTreeMap<&'a str, &'a str>,
}

/// The knowledge base as one JSON document, in the same shape as its data files.
pub fn write_json(out: &mut dyn Write, kb: &Kb) -> io::Result<()> {
    let doc = Document {
        codes: kb.code_entries(),
        win32: kb.win32_entries(),
        reasons: kb.reason_entries(),
        timeouts: kb.timeouts(),
        events: kb.event_entries(),
        sources: kb
            .sources()
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect(),
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}

/// A compact table: kind, key, module, title.
pub fn write_table(out: &mut dyn Write, kb: &Kb, width: u16) -> io::Result<()> {
    let mut table = Table::new();
    table
        .load_style(ASCII_BORDERS_ONLY_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(width)
        .set_header(vec!["kind", "key", "module", "title"]);
    for r in rows(kb) {
        let title = if r.benign {
            format!("{} [benign]", r.title)
        } else {
            r.title
        };
        table.add_row(vec![r.kind.to_string(), r.key, r.module, title]);
    }
    writeln!(out, "{table}")
}
