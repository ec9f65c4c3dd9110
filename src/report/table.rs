//! The human report: a summary table, then an explanation block for the top groups.
//!
//! Box drawing only on a terminal; plain ASCII when piped, so the output survives e-mail,
//! tickets and `less`. The tables are fitted to the width by `fit`; every value from a log
//! goes through the terminal guard (`guard::terminal`) before any colour is added, so no
//! escape sequence, bidi override or line break from a log reaches the terminal.

use std::io::{self, Write};

use super::Layout;
use super::fit::{Cell, Column, Drop, Give, Grid, fill, fill_at_spaces};
use super::paint::Tone;
use super::phrase::{self, human_ms};
use crate::explain::{Breakdown, GroupReport, Report, lint};
use crate::guard;
use crate::time::{Millis, Zone};

/// Times in the table's zone.
impl Layout {
    /// A time as `2026-11-18 10:42:03` in the layout's zone, or `-`.
    fn time(&self, t: Option<Millis>) -> String {
        phrase::time(self.zone, t)
    }

    /// `UTC` or `local time (UTC+01:00)`, for the time `t`.
    fn zone_label(&self, t: Option<Millis>) -> String {
        self.zone.label(t)
    }
}

/// Writes the whole human report.
pub fn write(out: &mut dyn Write, report: &Report, style: &Layout) -> io::Result<()> {
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
            "No W3C log lines: the groups below come from {} alone.",
            phrase::sources_alone(report)
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
    if let Some(t) = &report.tiers {
        let heading = style.paint.paint(Tone::Heading, "Which tier failed:");
        super::tiers::write_table(out, t, &heading, |text, indent, first| {
            fill(text, style.width, indent, first)
        })?;
    }
    if let Some(ev) = &report.events {
        super::events::write_section(out, ev, super::events::Extent::Brief, style)?;
    }
    if let Some(config) = &report.config {
        writeln!(out)?;
        writeln!(
            out,
            "{}",
            style.paint.paint(Tone::Heading, "Configuration:")
        )?;
        for line in &config.text {
            writeln!(out, "{}", fill(line, style.width, "    ", "  "))?;
        }
    }
    if let Some(php) = &report.php {
        writeln!(out)?;
        writeln!(
            out,
            "{}",
            style.paint.paint(Tone::Heading, "PHP error log:")
        )?;
        writeln!(out, "{}", fill(&php.text, style.width, "    ", "  "))?;
        for e in &php.top_fatal {
            writeln!(out, "{}", fill(&e.text, style.width, "    ", "  - "))?;
        }
    }
    if let Some(so) = &report.stdout {
        writeln!(out)?;
        let heading = "ASP.NET Core stdout logs:";
        writeln!(out, "{}", style.paint.paint(Tone::Heading, heading))?;
        writeln!(out, "{}", fill(&so.text, style.width, "    ", "  "))?;
        for line in &so.startup {
            writeln!(out, "{}", fill(line, style.width, "    ", "  - "))?;
        }
    }
    if let Some(ancm) = &report.ancm_debug {
        writeln!(out)?;
        writeln!(
            out,
            "{}",
            style
                .paint
                .paint(Tone::Heading, "ASP.NET Core Module debug logs:")
        )?;
        writeln!(out, "{}", fill(&ancm.text, style.width, "    ", "  "))?;
        for s in &ancm.sessions {
            let text = fill_at_spaces(&s.text, style.width, "      ", "  - ");
            writeln!(out, "{text}")?;
            for f in &s.findings {
                let text = fill_at_spaces(f, style.width, "        ", "      * ");
                writeln!(out, "{text}")?;
            }
        }
    }
    if let Some(b) = &report.bundle {
        write_bundle(out, &super::bundle::view(b), style)?;
    }
    Ok(())
}

/// The bundle section: layout, evidence read and missing, the files not used by reason.
fn write_bundle(
    out: &mut dyn Write,
    v: &super::bundle::View<'_>,
    style: &Layout,
) -> io::Result<()> {
    writeln!(out)?;
    writeln!(out, "{}", style.paint.paint(Tone::Heading, "Bundle:"))?;
    for l in &v.layouts {
        writeln!(out, "{}", fill(l, style.width, "    ", "  "))?;
    }
    writeln!(out, "{}", fill(&v.held, style.width, "    ", "  "))?;
    for m in &v.missing {
        writeln!(out, "{}", fill(m, style.width, "    ", "  - "))?;
    }
    if let Some(head) = &v.not_used {
        writeln!(out, "{}", fill(head, style.width, "    ", "  "))?;
        for r in &v.reasons {
            writeln!(
                out,
                "{}",
                fill(&format!("{}:", r.reason), style.width, "      ", "  - ")
            )?;
            for name in &r.names {
                writeln!(out, "      {}", guard::terminal(name))?;
            }
            if r.more > 0 {
                writeln!(out, "      {}", super::bundle::more(r.more))?;
            }
        }
    }
    if let Some(u) = &v.unread {
        writeln!(out, "{}", fill(u, style.width, "    ", "  "))?;
    }
    Ok(())
}

fn write_httperr(out: &mut dyn Write, report: &Report, style: &Layout) -> io::Result<()> {
    let total: u64 = report.httperr.iter().map(|g| g.count).sum();
    writeln!(out)?;
    let heading = format!(
        "HTTP.sys error log: {total} request(s) or connection(s) refused or dropped before IIS saw them."
    );
    let heading = fill(&heading, style.width, "  ", "");
    writeln!(out, "{}", style.paint.paint(Tone::Heading, &heading))?;
    let when = if style.zone == Zone::Utc {
        "when (UTC)"
    } else {
        "when (local)"
    };
    // The reason is what the row is about: it gives way last. HTTP.sys refuses most of
    // these before any URL matters, so the URL goes first, then the time (the blocks below
    // say when, to the second), then the queue.
    let mut grid = Grid::new(vec![
        Column::keep("status.reason").give(Give::Cut { soft: 36, hard: 16 }),
        Column::keep("queue")
            .give(Give::Cut { soft: 16, hard: 10 })
            .dropped(Drop::Late(1)),
        Column::number("count"),
        // `2026-11-18` over `11:40-11:44`, or `2024-03-11 ..` over `2026-11-18`.
        Column::keep(when)
            .give(Give::Wrap { soft: 13, hard: 13 })
            .dropped(Drop::Early(2)),
        Column::keep("top URL")
            .give(Give::Url { soft: 26, hard: 12 })
            .dropped(Drop::Early(1)),
        Column::keep("meaning").give(Give::Wrap { soft: 30, hard: 24 }),
    ]);
    for g in &report.httperr {
        let meaning = if g.benign {
            format!("{} [benign]", g.title)
        } else {
            g.title.clone()
        };
        grid.row(vec![
            Cell::new(&g.code).tone(Tone::of(g.status, g.benign)),
            Cell::new(&g.queue),
            Cell::new(&g.count.to_string()),
            Cell::new(&span(&style.time(g.first_seen), &style.time(g.last_seen))),
            Cell::new(g.top_urls.first().map_or("-", |u| u.url.as_str())),
            Cell::new(&meaning),
        ]);
    }
    writeln!(out, "{}", grid.table(style))?;
    for g in report.httperr.iter().filter(|g| !g.benign).take(style.top) {
        writeln!(out)?;
        let pool = if g.queue == "-" {
            String::new()
        } else {
            format!(" on {}", g.queue)
        };
        writeln!(
            out,
            "{}{}  {} (HTTP.sys)",
            style.paint.paint(
                Tone::of(g.status, g.benign),
                &guard::terminal_cut(&g.code, super::fit::MAX_CELL, "...")
            ),
            guard::terminal_cut(&pool, super::fit::MAX_CELL, "..."),
            g.count
        )?;
        writeln!(out, "{}", fill(&g.title, style.width, "  ", "  "))?;
        if let Some(pool) = &g.pool {
            let text = format!("Pool: {}", pool.describe());
            writeln!(out, "{}", fill(&text, style.width, "    ", "  "))?;
        }
        writeln!(
            out,
            "{}",
            fill(
                &format!(
                    "Seen {} .. {} {}",
                    style.time(g.first_seen),
                    style.time(g.last_seen),
                    style.zone_label(g.first_seen)
                ),
                style.width,
                "    ",
                "  "
            )
        )?;
        if let Some(chain) = &g.events {
            super::events::write_chain(out, chain, style)?;
        }
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
        for setting in &g.settings {
            let text = format!("Setting: {}", setting.describe());
            writeln!(out, "{}", fill(&text, style.width, "    ", "  "))?;
        }
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

fn write_traces(out: &mut dyn Write, report: &Report, style: &Layout) -> io::Result<()> {
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
    let mut grid = Grid::new(vec![
        Column::keep("status.sub.win32"),
        Column::number("traces"),
        // Each group's evidence below names the notification and the error code again.
        Column::keep("module").give(Give::Cut { soft: 28, hard: 16 }),
        Column::keep("notification")
            .give(Give::Cut { soft: 27, hard: 12 })
            .dropped(Drop::Early(1)),
        Column::keep("error code").dropped(Drop::Early(2)),
        Column::keep("backend").give(Give::Wrap { soft: 24, hard: 12 }),
    ]);
    for g in &report.traces {
        let code = crate::triple::Triple::new(g.status, g.substatus, g.win32).to_string();
        grid.row(vec![
            Cell::new(&code),
            Cell::new(&g.count.to_string()),
            Cell::new(g.module.as_deref().unwrap_or("-")),
            Cell::new(g.notification.as_deref().unwrap_or("-")),
            Cell::new(
                &g.error_code
                    .map_or_else(|| "-".to_string(), crate::hresult::hex),
            ),
            Cell::new(&if g.backends.is_empty() {
                "-".to_string()
            } else {
                g.backends.join(", ")
            }),
        ]);
    }
    writeln!(out, "{}", grid.table(style))
}

fn write_w3c(out: &mut dyn Write, report: &Report, style: &Layout) -> io::Result<()> {
    if report.groups.is_empty() {
        writeln!(out, "No failed requests in the W3C logs.")?;
        return Ok(());
    }
    write_groups(out, report, style)
}

fn write_groups(out: &mut dyn Write, report: &Report, style: &Layout) -> io::Result<()> {
    writeln!(out)?;
    writeln!(out, "{}", summary_table(report, style))?;
    if let Some(timeline) = &report.timeline {
        super::timeline::draw(out, timeline, style)?;
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

fn write_totals(out: &mut dyn Write, report: &Report, style: &Layout) -> io::Result<()> {
    let t = &report.totals;
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
    let h = super::phrase::headline(t, &report.filters);
    write!(out, "; {} {} ({}%)", h.count, h.word, h.share)?;
    match h.grouped {
        Some(n) => writeln!(out, "; {n} grouped.")?,
        None => writeln!(out, ".")?,
    }
    if t.other_codes > 0 {
        writeln!(
            out,
            "{} of them in other codes: past the first {} distinct codes, counted here but in no group.",
            t.other_codes,
            crate::summary::w3c::GROUP_CAP
        )?;
    }
    if t.first_seen.is_some() {
        writeln!(
            out,
            "From {} to {} ({}).",
            style.time(t.first_seen),
            style.time(t.last_seen),
            style.zone_label(t.first_seen)
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
    if let Some(counts) = &report.redacted {
        writeln!(out, "{}", fill(&counts.sentence(), style.width, "  ", ""))?;
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

fn summary_table(report: &Report, style: &Layout) -> comfy_table::Table {
    let mut grid = Grid::new(vec![
        Column::keep("status.sub.win32"),
        Column::number("count"),
        // Share and times are in each group's block below; at 80 columns the URL and the
        // meaning need the room more.
        Column::number("share").dropped(Drop::Early(1)),
        Column::number("p50 / p95").dropped(Drop::Early(2)),
        Column::keep("top URL")
            .give(Give::Url { soft: 26, hard: 12 })
            .dropped(Drop::Late(1)),
        Column::keep("meaning").give(Give::Wrap { soft: 30, hard: 24 }),
    ]);
    for g in &report.groups {
        let url = g.top_urls.first();
        // The count goes on its own line when the URL fills the column.
        let top_url = match url {
            None => Cell::new("-"),
            Some(u) if u.count == g.count => Cell::new(&u.url),
            Some(u) => Cell::new(&u.url).tail(format!("({})", u.count)),
        };
        let meaning = if g.benign {
            format!("[benign] {}", g.title)
        } else {
            g.title.clone()
        };
        grid.row(vec![
            Cell::new(&g.code).tone(Tone::of(Some(g.status), g.benign)),
            Cell::new(&g.count.to_string()),
            Cell::new(&format!("{:.1}%", g.share)),
            Cell::new(&phrase::times_text(g)),
            top_url,
            Cell::new(&meaning).tone(if g.benign { Tone::Benign } else { Tone::Plain }),
        ]);
    }
    grid.table(style)
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

fn write_group(out: &mut dyn Write, g: &GroupReport, style: &Layout) -> io::Result<()> {
    let width = usize::from(style.width).max(40);
    let wrap = |text: &str, indent: &str, first: &str| {
        let opts = textwrap::Options::new(width)
            .break_words(false)
            .word_splitter(textwrap::WordSplitter::NoHyphenation)
            .initial_indent(first)
            .subsequent_indent(indent);
        textwrap::fill(&guard::terminal(text), opts)
    };
    let code = guard::terminal(&g.code);
    let mut head = format!("{code}  {} request(s) ({:.1}%)", g.count, g.share);
    if let Some(t) = g.time_taken_ms {
        head.push_str(&format!(
            ", time-taken p50 {}, p95 {}, max {}",
            human_ms(t.p50),
            human_ms(t.p95),
            human_ms(t.max)
        ));
    }
    // The code is coloured after the line is wrapped, so that the escapes count for nothing.
    let head = wrap(&head, "    ", "");
    let rest = head.get(code.len()..).unwrap_or_default();
    let tone = Tone::of(Some(g.status), g.benign);
    writeln!(out, "{}{rest}", style.paint.paint(tone, &code))?;
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
            "Seen {}",
            phrase::seen(g.first_seen, g.last_seen, style.zone)
        );
        if !g.servers.is_empty() {
            seen.push_str(&format!(
                " on {}",
                phrase::names(&g.servers, "server", "servers", str::to_string)
            ));
        }
        if !g.sites.is_empty() {
            seen.push_str(&format!(
                ", {}",
                phrase::names(&g.site_labels(), "site", "sites", str::to_string)
            ));
        }
        writeln!(out, "{}", wrap(&seen, "    ", "  "))?;
    }
    if let Some(chain) = &g.events {
        super::events::write_chain(out, chain, style)?;
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
    for p in &g.pages {
        writeln!(out, "{}", wrap(&format!("Pages: {}", p.text), "    ", "  "))?;
    }
    for e in &g.php {
        writeln!(out, "{}", wrap(&format!("PHP: {}", e.text), "    ", "  "))?;
    }
    for e in &g.stdout {
        writeln!(
            out,
            "{}",
            wrap(&format!("stdout: {}", e.text), "    ", "  ")
        )?;
    }
    if let Some(missing) = &g.stdout_missing {
        writeln!(out, "{}", wrap(&format!("stdout: {missing}"), "    ", "  "))?;
    }
    for e in &g.ancm_debug {
        writeln!(
            out,
            "{}",
            fill_at_spaces(&e.text, style.width, "    ", "  ")
        )?;
        for f in &e.findings {
            writeln!(
                out,
                "{}",
                fill_at_spaces(f, style.width, "      ", "    * ")
            )?;
        }
    }
    for pool in &g.pools {
        let text = format!("Pool: {}", pool.describe());
        writeln!(out, "{}", wrap(&text, "    ", "  "))?;
    }
    for setting in &g.settings {
        writeln!(
            out,
            "{}",
            wrap(&format!("Setting: {}", setting.describe()), "    ", "  ")
        )?;
    }
    for f in &g.config_findings {
        let text = format!("Config: {}", lint::describe(f));
        writeln!(out, "{}", wrap(&text, "    ", "  "))?;
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
            writeln!(out, "    {}", guard::terminal(r))?;
        }
    }
    Ok(())
}

fn write_breakdown(out: &mut dyn Write, b: &Breakdown, style: &Layout) -> io::Result<()> {
    writeln!(out, "  By {}:", b.by)?;
    let keys: Vec<String> = b
        .entries
        .iter()
        .map(|e| {
            let key = if b.by == "hour" {
                let t = style.zone.short_of(&e.key);
                t.get(..16).map_or(t.clone(), |h| h.to_string())
            } else {
                guard::terminal(&e.key).into_owned()
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
