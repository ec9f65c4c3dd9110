//! The human report: a summary table, then an explanation block for the top groups.
//!
//! Box drawing only on a terminal; plain ASCII when piped, so the output survives e-mail,
//! tickets and `less`.

use std::io::{self, Write};

use comfy_table::presets::{ASCII_BORDERS_ONLY_CONDENSED, UTF8_BORDERS_ONLY};
use comfy_table::{Cell, CellAlignment, ColumnConstraint, ContentArrangement, Table, Width};

use super::paint::{Paint, Tone};
use super::{GroupReport, Report, human_ms};
use crate::time::Zone;

/// How the table is drawn; settled once from the command line and the terminal.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    /// Columns available.
    pub width: u16,
    /// Box-drawing characters (a terminal) or plain ASCII (a pipe or file).
    pub unicode: bool,
    /// How many groups get an explanation block.
    pub top: usize,
    /// Colour (red faults, yellow client errors, dim benign traffic, bold headings).
    pub paint: Paint,
    /// The zone times are shown in.
    pub zone: Zone,
}

impl Style {
    /// An RFC 3339 time from the report as `2026-11-18 10:42:03` in the style's zone.
    fn time(&self, t: Option<&str>) -> String {
        t.map_or_else(|| "-".to_string(), |t| self.zone.short_of(t))
    }

    /// `UTC` or `local time (UTC+01:00)`, for the time `t` (RFC 3339).
    fn zone_label(&self, t: Option<&str>) -> String {
        let millis = t
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
            .map(|d| d.timestamp_millis());
        self.zone.label(millis)
    }
}

/// Writes the whole human report.
pub fn write(out: &mut dyn Write, report: &Report, style: &Style) -> io::Result<()> {
    write_totals(out, report, style)?;
    if report.totals.requests > 0 {
        write_w3c(out, report, style)?;
    } else if !report.filters.is_empty() && report.groups.is_empty() {
        writeln!(out, "No W3C request matched the filters.")?;
    }
    if report.totals.requests == 0 && !report.groups.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "No W3C log lines: the groups below come from Failed Request Tracing traces alone."
        )?;
        write_groups(out, report, style)?;
    }
    if !report.traces.is_empty() {
        write_traces(out, report, style)?;
    }
    if !report.httperr.is_empty() {
        write_httperr(out, report, style)?;
    }
    if !report.correlations.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "{}",
            style.paint.paint(Tone::Heading, "Lined up in time:")
        )?;
        for c in &report.correlations {
            writeln!(out, "{}", fill(&c.text, style.width, "    ", "  - "))?;
        }
    }
    Ok(())
}

fn fill(text: &str, width: u16, indent: &str, first: &str) -> String {
    let opts = textwrap::Options::new(usize::from(width).max(40))
        .break_words(false)
        .word_splitter(textwrap::WordSplitter::NoHyphenation)
        .initial_indent(first)
        .subsequent_indent(indent);
    textwrap::fill(text, opts)
}

/// Codes, counts and times keep their width; the URL column is capped; the meaning takes
/// the rest and wraps.
fn fit_columns(table: &mut Table, url_column: usize) {
    let n = table.column_count();
    for i in 0..n.saturating_sub(1) {
        let constraint = if i == url_column {
            ColumnConstraint::UpperBoundary(Width::Fixed(26))
        } else {
            ColumnConstraint::ContentWidth
        };
        if let Some(col) = table.column_mut(i) {
            col.set_constraint(constraint);
        }
    }
}

fn new_table(style: &Style, header: Vec<&str>) -> Table {
    let mut table = Table::new();
    table
        .load_style(if style.unicode {
            UTF8_BORDERS_ONLY
        } else {
            ASCII_BORDERS_ONLY_CONDENSED
        })
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(style.width)
        .set_header(header);
    if style.paint.on {
        // Colour even when standard output is not a terminal (`--color always`).
        table.enforce_styling();
    }
    table
}

fn write_httperr(out: &mut dyn Write, report: &Report, style: &Style) -> io::Result<()> {
    let total: u64 = report.httperr.iter().map(|g| g.count).sum();
    writeln!(out)?;
    writeln!(
        out,
        "{}",
        style.paint.paint(
            Tone::Heading,
            &format!(
                "HTTP.sys error log: {total} request(s) or connection(s) refused or dropped before IIS saw them."
            )
        )
    )?;
    let mut table = new_table(
        style,
        vec![
            "status.reason",
            "queue",
            "count",
            if style.zone == Zone::Utc {
                "when (UTC)"
            } else {
                "when (local)"
            },
            "top URL",
            "meaning",
        ],
    );
    for g in &report.httperr {
        let meaning = if g.benign {
            format!("{} [benign]", g.title)
        } else {
            g.title.clone()
        };
        table.add_row(vec![
            style
                .paint
                .cell(Tone::of(g.status, g.benign), Cell::new(&g.code)),
            Cell::new(&g.queue),
            Cell::new(g.count).set_alignment(CellAlignment::Right),
            Cell::new(span(
                &style.time(g.first_seen.as_deref()),
                &style.time(g.last_seen.as_deref()),
            )),
            Cell::new(g.top_urls.first().map_or("-", |u| u.url.as_str())),
            Cell::new(meaning),
        ]);
    }
    fit_columns(&mut table, 4);
    writeln!(out, "{table}")?;
    for g in report.httperr.iter().filter(|g| !g.benign).take(style.top) {
        writeln!(out)?;
        let pool = if g.queue == "-" {
            String::new()
        } else {
            format!(" on {}", g.queue)
        };
        writeln!(
            out,
            "{}{pool}  {} (HTTP.sys)",
            style.paint.paint(Tone::of(g.status, g.benign), &g.code),
            g.count
        )?;
        writeln!(out, "{}", fill(&g.title, style.width, "  ", "  "))?;
        writeln!(
            out,
            "{}",
            fill(
                &format!(
                    "Seen {} .. {} {}",
                    style.time(g.first_seen.as_deref()),
                    style.time(g.last_seen.as_deref()),
                    style.zone_label(g.first_seen.as_deref())
                ),
                style.width,
                "    ",
                "  "
            )
        )?;
        writeln!(
            out,
            "{}",
            fill(
                &format!("Likely cause: {}", g.cause),
                style.width,
                "    ",
                "  "
            )
        )?;
        writeln!(out, "  {}", style.paint.paint(Tone::Heading, "Check:"))?;
        for (i, h) in g.hints.iter().enumerate() {
            let first = format!("    {}. ", i + 1);
            writeln!(
                out,
                "{}",
                fill(h, style.width, &" ".repeat(first.len()), &first)
            )?;
        }
    }
    let benign: Vec<String> = report
        .httperr
        .iter()
        .filter(|g| g.benign)
        .map(|g| format!("{} ({})", g.code, g.count))
        .collect();
    if !benign.is_empty() {
        writeln!(out)?;
        let text = fill(
            &format!(
                "Benign HTTP.sys housekeeping, not faults: {}.",
                benign.join(", ")
            ),
            style.width,
            "  ",
            "",
        );
        writeln!(out, "{}", style.paint.paint(Tone::Benign, &text))?;
    }
    Ok(())
}

fn write_traces(out: &mut dyn Write, report: &Report, style: &Style) -> io::Result<()> {
    let total: u64 = report.traces.iter().map(|g| g.count).sum();
    writeln!(out)?;
    writeln!(
        out,
        "{}",
        style.paint.paint(
            Tone::Heading,
            &format!("Failed Request Tracing: {total} trace(s).")
        )
    )?;
    let mut table = new_table(
        style,
        vec![
            "status.sub.win32",
            "traces",
            "module",
            "notification",
            "error code",
            "backend",
        ],
    );
    for g in &report.traces {
        let code = crate::triple::Triple::new(g.status, g.substatus, g.win32).to_string();
        table.add_row(vec![
            Cell::new(code),
            Cell::new(g.count).set_alignment(CellAlignment::Right),
            Cell::new(g.module.as_deref().unwrap_or("-")),
            Cell::new(g.notification.as_deref().unwrap_or("-")),
            Cell::new(
                g.error_code
                    .map_or_else(|| "-".to_string(), crate::hresult::hex),
            ),
            Cell::new(if g.backends.is_empty() {
                "-".to_string()
            } else {
                g.backends.join(", ")
            }),
        ]);
    }
    writeln!(out, "{table}")
}

fn write_w3c(out: &mut dyn Write, report: &Report, style: &Style) -> io::Result<()> {
    if report.groups.is_empty() {
        writeln!(out, "No failed requests in the W3C logs.")?;
        return Ok(());
    }
    write_groups(out, report, style)
}

fn write_groups(out: &mut dyn Write, report: &Report, style: &Style) -> io::Result<()> {
    writeln!(out)?;
    writeln!(out, "{}", summary_table(report, style))?;
    if let Some(timeline) = &report.timeline {
        super::timeline::draw(out, timeline, style.width, style.unicode, style.zone)?;
    }
    let mut ranked: Vec<&GroupReport> = report.groups.iter().collect();
    // Faults before benign traffic; each by count (the groups are already sorted by count).
    ranked.sort_by_key(|g| g.benign);
    for g in ranked.into_iter().take(style.top) {
        writeln!(out)?;
        write_group(out, g, style)?;
    }
    let hidden = report.groups.len().saturating_sub(style.top);
    if hidden > 0 {
        writeln!(out)?;
        writeln!(
            out,
            "{hidden} more group(s) not explained here: use --top {} or `iisdiag explain CODE`.",
            report.groups.len()
        )?;
    }
    Ok(())
}

fn write_totals(out: &mut dyn Write, report: &Report, style: &Style) -> io::Result<()> {
    let t = &report.totals;
    let share = super::percent(t.failures, t.requests);
    write!(
        out,
        "{} requests read from {} file(s)",
        t.requests, t.files_read
    )?;
    if t.files_skipped > 0 {
        write!(out, ", {} skipped", t.files_skipped)?;
    }
    if t.malformed_lines > 0 {
        write!(out, ", {} malformed line(s)", t.malformed_lines)?;
    }
    let failed = if report.filters.iter().any(|f| f.starts_with("status ")) {
        "matched the status filter"
    } else {
        "failed"
    };
    writeln!(out, "; {} {failed} ({share}%).", t.failures)?;
    if t.first_seen.is_some() {
        writeln!(
            out,
            "From {} to {} ({}).",
            style.time(t.first_seen.as_deref()),
            style.time(t.last_seen.as_deref()),
            style.zone_label(t.first_seen.as_deref())
        )?;
    }
    if !report.filters.is_empty() {
        writeln!(
            out,
            "{}",
            fill(
                &format!("Filtered: {}.", report.filters.join("; ")),
                style.width,
                "  ",
                ""
            )
        )?;
    }
    if t.files_out_of_range > 0 {
        writeln!(
            out,
            "{} file(s) not read: the date in their name is outside the time range.",
            t.files_out_of_range
        )?;
    }
    Ok(())
}

fn summary_table(report: &Report, style: &Style) -> Table {
    let mut table = new_table(
        style,
        vec![
            "status.sub.win32",
            "count",
            "share",
            "p50 / p95",
            "top URL",
            "meaning",
        ],
    );
    for g in &report.groups {
        let times = g.times_text();
        let top_url = g.top_url_text(|u| shorten(u, 40));
        let meaning = if g.benign {
            format!("[benign] {}", g.title)
        } else {
            g.title.clone()
        };
        table.add_row(vec![
            style
                .paint
                .cell(Tone::of(Some(g.status), g.benign), Cell::new(&g.code)),
            Cell::new(g.count).set_alignment(CellAlignment::Right),
            Cell::new(format!("{:.1}%", g.share)).set_alignment(CellAlignment::Right),
            Cell::new(times).set_alignment(CellAlignment::Right),
            Cell::new(top_url),
            style.paint.cell(
                if g.benign { Tone::Benign } else { Tone::Plain },
                Cell::new(meaning),
            ),
        ]);
    }
    fit_columns(&mut table, 4);
    table
}

/// `2026-11-18 11:40-11:44` within a day, `2026-11-18 .. 2026-11-19` across days.
fn span(first: &str, last: &str) -> String {
    match (
        first.get(..10),
        last.get(..10),
        first.get(11..16),
        last.get(11..16),
    ) {
        (Some(d1), Some(d2), Some(t1), Some(t2)) if d1 == d2 => format!("{d1} {t1}-{t2}"),
        (Some(d1), Some(d2), _, _) => format!("{d1} .. {d2}"),
        _ => "-".to_string(),
    }
}

/// A long URL cut in the middle, keeping its start and end.
fn shorten(text: &str, max: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= max {
        return text.to_string();
    }
    let head: String = chars[..max / 2].iter().collect();
    let tail: String = chars[chars.len() - (max - max / 2 - 3)..].iter().collect();
    format!("{head}...{tail}")
}

fn write_group(out: &mut dyn Write, g: &GroupReport, style: &Style) -> io::Result<()> {
    let width = usize::from(style.width).max(40);
    let wrap = |text: &str, indent: &str, first: &str| {
        let opts = textwrap::Options::new(width)
            .break_words(false)
            .word_splitter(textwrap::WordSplitter::NoHyphenation)
            .initial_indent(first)
            .subsequent_indent(indent);
        textwrap::fill(text, opts)
    };
    let code = style
        .paint
        .paint(Tone::of(Some(g.status), g.benign), &g.code);
    let mut head = format!("{code}  {} request(s) ({:.1}%)", g.count, g.share);
    if let Some(t) = g.time_taken_ms {
        head.push_str(&format!(
            ", time-taken p50 {}, p95 {}, max {}",
            human_ms(t.p50),
            human_ms(t.p95),
            human_ms(t.max)
        ));
    }
    writeln!(out, "{head}")?;
    let title = if g.benign {
        format!("{} (benign: normal traffic, not a fault)", g.title)
    } else {
        g.title.clone()
    };
    let title = wrap(&title, "  ", "  ");
    let tone = if g.benign { Tone::Benign } else { Tone::Plain };
    writeln!(out, "{}", style.paint.paint(tone, &title))?;
    if g.first_seen.is_some() {
        let mut seen = format!(
            "Seen {} .. {} {}",
            style.time(g.first_seen.as_deref()),
            style.time(g.last_seen.as_deref()),
            style.zone_label(g.first_seen.as_deref())
        );
        if !g.servers.is_empty() {
            seen.push_str(&format!(" on {}", list(&g.servers, "server", "servers")));
        }
        if !g.sites.is_empty() {
            seen.push_str(&format!(", {}", list(&g.sites, "site", "sites")));
        }
        writeln!(out, "{}", wrap(&seen, "    ", "  "))?;
    }
    if !g.top_urls.is_empty() {
        let urls: Vec<String> = g
            .top_urls
            .iter()
            .map(|u| format!("{} ({})", u.url, u.count))
            .collect();
        writeln!(
            out,
            "{}",
            wrap(&format!("URLs: {}", urls.join(", ")), "    ", "  ")
        )?;
    }
    if let Some(b) = &g.breakdown {
        write_breakdown(out, b, style)?;
    }
    for e in &g.evidence {
        writeln!(
            out,
            "{}",
            wrap(&format!("Evidence: {}", e.text), "    ", "  ")
        )?;
    }
    if let Some(sig) = &g.timing {
        writeln!(
            out,
            "{}",
            wrap(&format!("Timing: {}.", sig.text), "    ", "  ")
        )?;
        if let Some(setting) = &sig.setting {
            writeln!(
                out,
                "{}",
                wrap(&format!("Setting: {setting}"), "    ", "    ")
            )?;
        }
    }
    writeln!(
        out,
        "{}",
        wrap(&format!("Likely cause: {}", g.cause), "    ", "  ")
    )?;
    if let Some(w) = &g.win32_detail {
        let text = format!("win32 {} = {} ({}): {}", w.code, w.name, w.kind, w.meaning);
        writeln!(out, "{}", wrap(&text, "    ", "  "))?;
    }
    if !g.hints.is_empty() {
        writeln!(out, "  {}", style.paint.paint(Tone::Heading, "Check:"))?;
        for (i, h) in g.hints.iter().enumerate() {
            let first = format!("    {}. ", i + 1);
            let indent = " ".repeat(first.len());
            writeln!(out, "{}", wrap(h, &indent, &first))?;
        }
    }
    for r in &g.rules {
        writeln!(
            out,
            "{}",
            wrap(
                &format!("Site note: {}: {}", r.title, r.cause),
                "    ",
                "  "
            )
        )?;
        for h in &r.hints {
            writeln!(out, "{}", wrap(h, "      ", "    - "))?;
        }
    }
    if !g.references.is_empty() {
        writeln!(out, "  References:")?;
        for r in &g.references {
            writeln!(out, "    {r}")?;
        }
    }
    Ok(())
}

fn write_breakdown(out: &mut dyn Write, b: &super::Breakdown, style: &Style) -> io::Result<()> {
    writeln!(out, "  By {}:", b.by)?;
    let keys: Vec<String> = b
        .entries
        .iter()
        .map(|e| {
            let key = if b.by == "hour" {
                let t = style.time(Some(&e.key));
                t.get(..16).map_or(t.clone(), |h| h.to_string())
            } else {
                e.key.clone()
            };
            shorten(&key, usize::from(style.width).saturating_sub(36).max(20))
        })
        .collect();
    let key_width = keys.iter().map(|k| k.chars().count()).max().unwrap_or(0);
    let count_width = b
        .entries
        .iter()
        .map(|e| e.count.to_string().len())
        .max()
        .unwrap_or(1);
    for (e, key) in b.entries.iter().zip(&keys) {
        let p95 = e
            .p95_ms
            .map_or_else(String::new, |ms| format!("  p95 {}", human_ms(ms)));
        writeln!(out, "    {key:<key_width$}  {:>count_width$}{p95}", e.count)?;
    }
    let rest = b.distinct.saturating_sub(b.entries.len());
    if rest > 0 {
        writeln!(out, "    ... and {rest} more")?;
    }
    if b.other > 0 {
        writeln!(
            out,
            "    ... and {} request(s) past the first {} distinct values, counted together",
            b.other,
            crate::summary::w3c::BREAKDOWN_CAP
        )?;
    }
    Ok(())
}

fn list(names: &[String], one: &str, many: &str) -> String {
    const SHOWN: usize = 4;
    let noun = if names.len() == 1 { one } else { many };
    if names.len() <= SHOWN {
        format!("{} {noun} ({})", names.len(), names.join(", "))
    } else {
        format!(
            "{} {noun} ({}, ...)",
            names.len(),
            names[..SHOWN].join(", ")
        )
    }
}
