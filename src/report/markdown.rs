//! `--format markdown`: the report as GitHub-flavoured Markdown, to paste into a ticket or a
//! chat: the summary as a table, each top group's explanation and checks, the trace
//! evidence, the HTTP.sys findings, the Windows events and what lines up in time.
//!
//! URLs, server names and other values from the logs are attacker-controlled (anyone can
//! request `/<img src=x onerror=...>`), so they go into code spans, where Markdown renders
//! nothing; free text is escaped so that it can open no link, image, HTML tag or emphasis.
//! Event texts are free text built from event data, which is as hostile as a URL.

use std::io::{self, Write};

use super::Layout;
use super::phrase::{self, EVENT_ROWS, EVENTS_LISTED, human_ms};
use crate::explain::events::{Chain, EventsReport};
use crate::explain::{GroupReport, Report, lint};
pub use crate::guard::markdown::{cell_code, code, text};
use crate::triple::Triple;

/// Writes the whole report as Markdown.
pub fn write(out: &mut dyn Write, report: &Report, opts: &Layout) -> io::Result<()> {
    writeln!(out, "# iisdiag report")?;
    writeln!(out)?;
    write_totals(out, report, opts)?;
    if !report.groups.is_empty() {
        write_groups(out, report, opts)?;
    } else if report.totals.requests > 0 {
        writeln!(out)?;
        writeln!(out, "No failed requests in the W3C logs.")?;
    }
    if !report.traces.is_empty() {
        write_traces(out, report)?;
    }
    if !report.httperr.is_empty() {
        write_httperr(out, report, opts)?;
    }
    if let Some(ev) = &report.events {
        write_events(out, ev, opts)?;
    }
    if let Some(config) = &report.config {
        writeln!(out)?;
        writeln!(out, "## Configuration")?;
        writeln!(out)?;
        for line in &config.text {
            writeln!(out, "- {}", text(line))?;
        }
    }
    if let Some(php) = &report.php {
        writeln!(out)?;
        writeln!(out, "## PHP error log")?;
        writeln!(out)?;
        writeln!(out, "{}", text(&php.text))?;
        if !php.top_fatal.is_empty() {
            writeln!(out)?;
        }
        for e in &php.top_fatal {
            writeln!(out, "- {}", text(&e.text))?;
        }
    }
    if let Some(so) = &report.stdout {
        writeln!(out, "\n## ASP.NET Core stdout logs\n\n{}", text(&so.text))?;
        for line in &so.startup {
            writeln!(out, "- {}", text(line))?;
        }
    }
    if let Some(b) = &report.bundle {
        write_bundle(out, &super::bundle::view(b))?;
    }
    if let Some(ancm) = &report.ancm_debug {
        writeln!(out)?;
        writeln!(out, "## ASP.NET Core Module debug logs")?;
        writeln!(out)?;
        writeln!(out, "{}", text(&ancm.text))?;
        writeln!(out)?;
        for s in &ancm.sessions {
            writeln!(out, "- {}", text(&s.text))?;
            for f in &s.findings {
                writeln!(out, "  - {}", text(f))?;
            }
        }
    }
    if !report.correlations.is_empty() {
        writeln!(out)?;
        writeln!(out, "## Lined up in time")?;
        writeln!(out)?;
        for c in &report.correlations {
            writeln!(out, "- {}", text(&c.text))?;
        }
    }
    if let Some(t) = &report.tiers {
        super::tiers::write_markdown(out, t)?;
    }
    Ok(())
}

fn write_totals(out: &mut dyn Write, report: &Report, opts: &Layout) -> io::Result<()> {
    let t = &report.totals;
    let mut line = format!("{} requests read from {} file(s)", t.requests, t.files_read);
    if t.files_skipped > 0 {
        line.push_str(&format!(", {} skipped", t.files_skipped));
    }
    if t.malformed_lines > 0 {
        line.push_str(&format!(", {} malformed line(s)", t.malformed_lines));
    }
    let h = super::phrase::headline(t, &report.filters);
    line.push_str(&format!("; **{} {}** ({}%)", h.count, h.word, h.share));
    match h.grouped {
        Some(n) => line.push_str(&format!("; {n} grouped.")),
        None => line.push('.'),
    }
    if let (Some(first), Some(last)) = (t.first_seen, t.last_seen) {
        line.push_str(&format!(
            " From {} to {} {}.",
            opts.zone.short(first),
            opts.zone.short(last),
            opts.zone.label(Some(first))
        ));
    }
    writeln!(out, "{line}")?;
    if !report.filters.is_empty() {
        writeln!(out)?;
        writeln!(out, "Filtered: {}.", text(&report.filters.join("; ")))?;
    }
    if let Some(counts) = &report.redacted {
        writeln!(out)?;
        writeln!(out, "{}", counts.sentence())?;
    }
    Ok(())
}

fn write_groups(out: &mut dyn Write, report: &Report, opts: &Layout) -> io::Result<()> {
    writeln!(out)?;
    if report.totals.requests == 0 {
        writeln!(
            out,
            "## Failed requests (from {} alone)",
            phrase::sources_alone(report)
        )?;
    } else {
        writeln!(out, "## Failed requests")?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "| status.sub.win32 | count | share | p50 / p95 | top URL | meaning |"
    )?;
    writeln!(out, "|---|--:|--:|--:|---|---|")?;
    for g in &report.groups {
        let times = phrase::times_text(g);
        let top_url = phrase::top_url_text(g, cell_code);
        let meaning = if g.benign {
            format!("*benign:* {}", text(&g.title))
        } else {
            text(&g.title)
        };
        writeln!(
            out,
            "| {} | {} | {:.1}% | {times} | {top_url} | {meaning} |",
            cell_code(&g.code),
            g.count,
            g.share
        )?;
    }
    if let Some(timeline) = &report.timeline {
        let peaks: Vec<&str> = timeline
            .series
            .iter()
            .filter_map(|s| s.peak.as_ref().map(|p| p.text.as_str()))
            .collect();
        if !peaks.is_empty() {
            writeln!(out)?;
            writeln!(out, "**Over time:**")?;
            writeln!(out)?;
            for p in peaks {
                writeln!(out, "- {}", text(p))?;
            }
        }
    }
    let mut ranked: Vec<&GroupReport> = report.groups.iter().collect();
    // Faults before benign traffic; each by count (the groups are already sorted by count).
    ranked.sort_by_key(|g| g.benign);
    for g in ranked.into_iter().take(opts.top) {
        write_group(out, g, opts)?;
    }
    let hidden = report.groups.len().saturating_sub(opts.top);
    if hidden > 0 {
        writeln!(out)?;
        writeln!(
            out,
            "{hidden} more group(s) not explained here: `iisdiag explain CODE` explains any of them."
        )?;
    }
    Ok(())
}

fn write_group(out: &mut dyn Write, g: &GroupReport, opts: &Layout) -> io::Result<()> {
    writeln!(out)?;
    writeln!(out, "### {}: {}", code(&g.code), text(&g.title))?;
    writeln!(out)?;
    let mut head = format!("{} request(s) ({:.1}%)", g.count, g.share);
    if let Some(t) = g.time_taken_ms {
        head.push_str(&format!(
            ", time-taken p50 {}, p95 {}, max {}",
            human_ms(t.p50),
            human_ms(t.p95),
            human_ms(t.max)
        ));
    }
    if let (Some(first), Some(last)) = (g.first_seen, g.last_seen) {
        head.push_str(&format!(
            "; seen {} .. {} {}",
            opts.zone.short(first),
            opts.zone.short(last),
            opts.zone.label(Some(first))
        ));
    }
    if !g.servers.is_empty() {
        head.push_str(&format!(
            " on {}",
            phrase::names(&g.servers, "server", "servers", code)
        ));
    }
    if !g.sites.is_empty() {
        head.push_str(&format!(
            ", {}",
            phrase::names(&g.site_labels(), "site", "sites", code)
        ));
    }
    writeln!(out, "{head}.")?;
    if g.benign {
        writeln!(out)?;
        writeln!(out, "*Benign: normal traffic, not a fault.*")?;
    }
    writeln!(out)?;
    if !g.top_urls.is_empty() {
        let urls: Vec<String> = g
            .top_urls
            .iter()
            .map(|u| format!("{} ({})", code(&u.url), u.count))
            .collect();
        writeln!(out, "- **URLs:** {}", urls.join(", "))?;
    }
    for e in &g.evidence {
        writeln!(out, "- **Evidence:** {}", text(&e.text))?;
    }
    for p in &g.pages {
        writeln!(out, "- **Pages:** {}", text(&p.text))?;
    }
    for e in &g.php {
        writeln!(out, "- **PHP:** {}", text(&e.text))?;
    }
    for line in g.stdout.iter().map(|e| &e.text).chain(&g.stdout_missing) {
        writeln!(out, "- **stdout:** {}", text(line))?;
    }
    for e in &g.ancm_debug {
        writeln!(out, "- **ANCM:** {}", text(&e.text))?;
        for f in &e.findings {
            writeln!(out, "  - {}", text(f))?;
        }
    }
    for pool in &g.pools {
        writeln!(out, "- **Pool:** {}", text(&pool.describe()))?;
    }
    for setting in &g.settings {
        writeln!(out, "- **Setting:** {}", text(&setting.describe()))?;
    }
    for f in &g.config_findings {
        writeln!(out, "- **Config:** {}", text(&lint::describe(f)))?;
    }
    if let Some(sig) = &g.timing {
        writeln!(out, "- **Timing:** {}.", text(&sig.text))?;
        if let Some(setting) = &sig.setting {
            writeln!(out, "- **Setting:** {}", text(setting))?;
        }
    }
    writeln!(out, "- **Likely cause:** {}", text(&g.cause))?;
    if let Some(w) = &g.win32_detail {
        writeln!(
            out,
            "- **win32 {}** = {} ({}): {}",
            w.code,
            code(&w.name),
            text(&w.kind),
            text(&w.meaning)
        )?;
    }
    write_chain(out, g.events.as_ref())?;
    write_checks(out, &g.hints)?;
    for r in &g.rules {
        writeln!(out)?;
        writeln!(out, "**Site note: {}.** {}", text(&r.title), text(&r.cause))?;
        for h in &r.hints {
            writeln!(out, "- {}", text(h))?;
        }
    }
    write_references(out, &g.references)
}

fn write_checks(out: &mut dyn Write, hints: &[String]) -> io::Result<()> {
    if hints.is_empty() {
        return Ok(());
    }
    writeln!(out)?;
    writeln!(out, "**Check:**")?;
    writeln!(out)?;
    for (i, h) in hints.iter().enumerate() {
        writeln!(out, "{}. {}", i + 1, text(h))?;
    }
    Ok(())
}

fn write_references(out: &mut dyn Write, references: &[String]) -> io::Result<()> {
    if references.is_empty() {
        return Ok(());
    }
    writeln!(out)?;
    writeln!(out, "References:")?;
    writeln!(out)?;
    for r in references {
        writeln!(out, "- {}", link(r))?;
    }
    Ok(())
}

fn write_traces(out: &mut dyn Write, report: &Report) -> io::Result<()> {
    let total: u64 = report.traces.iter().map(|g| g.count).sum();
    writeln!(out)?;
    writeln!(out, "## Failed Request Tracing: {total} trace(s)")?;
    writeln!(out)?;
    writeln!(
        out,
        "| status.sub.win32 | traces | module | notification | error code | backend |"
    )?;
    writeln!(out, "|---|--:|---|---|---|---|")?;
    for g in &report.traces {
        let triple = Triple::new(g.status, g.substatus, g.win32).to_string();
        let or_dash = |v: Option<&str>| v.map_or_else(|| "-".to_string(), cell_code);
        let backends = if g.backends.is_empty() {
            "-".to_string()
        } else {
            g.backends
                .iter()
                .map(|b| cell_code(b))
                .collect::<Vec<_>>()
                .join(", ")
        };
        writeln!(
            out,
            "| {} | {} | {} | {} | {} | {backends} |",
            cell_code(&triple),
            g.count,
            or_dash(g.module.as_deref()),
            or_dash(g.notification.as_deref()),
            g.error_code
                .map_or_else(|| "-".to_string(), |c| cell_code(&crate::hresult::hex(c))),
        )?;
    }
    Ok(())
}

fn write_httperr(out: &mut dyn Write, report: &Report, opts: &Layout) -> io::Result<()> {
    let total: u64 = report.httperr.iter().map(|g| g.count).sum();
    writeln!(out)?;
    writeln!(
        out,
        "## HTTP.sys error log: {total} request(s) or connection(s) refused or dropped before IIS saw them"
    )?;
    writeln!(out)?;
    writeln!(
        out,
        "| status.reason | queue | count | first .. last | top URL | meaning |"
    )?;
    writeln!(out, "|---|---|--:|---|---|---|")?;
    for g in &report.httperr {
        let meaning = if g.benign {
            format!("*benign:* {}", text(&g.title))
        } else {
            text(&g.title)
        };
        writeln!(
            out,
            "| {} | {} | {} | {} | {} | {meaning} |",
            cell_code(&g.code),
            cell_code(&g.queue),
            g.count,
            phrase::seen(g.first_seen, g.last_seen, opts.zone),
            g.top_urls
                .first()
                .map_or_else(|| "-".to_string(), |u| cell_code(&u.url)),
        )?;
    }
    for g in report.httperr.iter().filter(|g| !g.benign).take(opts.top) {
        writeln!(out)?;
        let pool = if g.queue == "-" {
            String::new()
        } else {
            format!(" on {}", code(&g.queue))
        };
        writeln!(out, "### {}{pool}: {}", code(&g.code), text(&g.title))?;
        writeln!(out)?;
        writeln!(
            out,
            "{} (HTTP.sys), {}.",
            g.count,
            phrase::seen(g.first_seen, g.last_seen, opts.zone)
        )?;
        writeln!(out)?;
        if let Some(pool) = &g.pool {
            writeln!(out, "- **Pool:** {}", text(&pool.describe()))?;
        }
        writeln!(out, "- **Likely cause:** {}", text(&g.cause))?;
        for setting in &g.settings {
            writeln!(out, "- **Setting:** {}", text(&setting.describe()))?;
        }
        write_chain(out, g.events.as_ref())?;
        write_checks(out, &g.hints)?;
        write_references(out, &g.references)?;
    }
    Ok(())
}

/// The events that explain a group, as a nested list: the explaining one first.
fn write_chain(out: &mut dyn Write, chain: Option<&Chain>) -> io::Result<()> {
    let Some(chain) = chain.filter(|c| !c.lines.is_empty()) else {
        return Ok(());
    };
    writeln!(out, "- **Events:**")?;
    for (i, line) in chain.lines.iter().enumerate() {
        writeln!(
            out,
            "  - \u{2190} {}: {}",
            phrase::chain_lead(i),
            text(line)
        )?;
    }
    if let Some(next) = &chain.next {
        writeln!(out, "- **Next:** {}.", text(next))?;
    }
    Ok(())
}

fn write_events(out: &mut dyn Write, ev: &EventsReport, opts: &Layout) -> io::Result<()> {
    writeln!(out)?;
    writeln!(out, "## Event logs")?;
    writeln!(out)?;
    writeln!(out, "{}", text(&phrase::events_headline(ev, opts.zone)))?;
    if !ev.counts.is_empty() {
        writeln!(out)?;
        writeln!(out, "| provider | id | count | meaning |")?;
        writeln!(out, "|---|--:|--:|---|")?;
        for c in ev.counts.iter().take(EVENT_ROWS) {
            let meaning = c
                .title
                .as_deref()
                .map_or_else(|| "*counted only*".to_string(), text);
            writeln!(
                out,
                "| {} | {} | {} | {meaning} |",
                cell_code(&c.provider),
                c.id,
                c.count
            )?;
        }
        if let Some(more) = phrase::more_counts(ev) {
            writeln!(out)?;
            writeln!(out, "{}", text(&more))?;
        }
    }
    if ev.app_log > 0 {
        writeln!(out)?;
        writeln!(out, "{}", phrase::app_log(ev.app_log, code))?;
    }
    if !ev.pools.is_empty() {
        writeln!(out)?;
        writeln!(out, "### Pool life")?;
        for life in ev.pools.iter().take(EVENTS_LISTED) {
            let on = life
                .computer
                .as_deref()
                .map_or_else(String::new, |c| format!(" on {}", code(c)));
            let rhythm = life
                .rhythm
                .as_deref()
                .map_or_else(String::new, |r| format!(" {}.", text(r)));
            writeln!(out)?;
            writeln!(out, "**{}**{on}:{rhythm}", code(&life.subject))?;
            writeln!(out)?;
            for step in life.steps.iter().take(EVENTS_LISTED) {
                writeln!(
                    out,
                    "- {}, **{}**: {}",
                    phrase::time(opts.zone, step.time),
                    text(&step.role),
                    text(&step.text)
                )?;
            }
            if let Some(more) = phrase::more_listed(life.steps.len(), "step(s)") {
                writeln!(out, "- {}", text(&more))?;
            }
        }
        if let Some(more) = phrase::more_listed(ev.pools.len(), "pool(s)") {
            writeln!(out)?;
            writeln!(out, "{}", text(&more))?;
        }
    }
    let unlinked: Vec<&str> = ev
        .unlinked
        .iter()
        .filter_map(|&i| ev.runs.get(i))
        .map(|r| r.text.as_str())
        .collect();
    if !unlinked.is_empty() {
        writeln!(out)?;
        writeln!(out, "### Events with no failure at the same time")?;
        writeln!(out)?;
        for t in unlinked.iter().take(EVENTS_LISTED) {
            writeln!(out, "- {}", text(t))?;
        }
        if let Some(more) = phrase::more_listed(unlinked.len(), "event run(s)") {
            writeln!(out, "- {}", text(&more))?;
        }
    }
    if !ev.unexplained.is_empty() {
        writeln!(out)?;
        writeln!(out, "### Failure groups no event explains")?;
        writeln!(out)?;
        writeln!(
            out,
            "The event logs cover their time, but no event lines up with them by time, server and pool."
        )?;
        writeln!(out)?;
        for c in ev.unexplained.iter().take(EVENTS_LISTED) {
            writeln!(out, "- {}", code(c))?;
        }
        if let Some(more) = phrase::more_listed(ev.unexplained.len(), "group(s)") {
            writeln!(out, "- {}", text(&more))?;
        }
    }
    Ok(())
}

/// A reference: an autolink when it is a plain web address, else a code span.
fn link(url: &str) -> String {
    let plain = (url.starts_with("https://") || url.starts_with("http://"))
        && !url
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '`' | '|'));
    if plain { format!("<{url}>") } else { code(url) }
}

/// The bundle section: layout, evidence read and missing, the files not used by reason.
fn write_bundle(out: &mut dyn Write, v: &super::bundle::View<'_>) -> io::Result<()> {
    writeln!(out)?;
    writeln!(out, "## Bundle")?;
    writeln!(out)?;
    for l in &v.layouts {
        writeln!(out, "- {}", text(l))?;
    }
    writeln!(out, "- {}", text(&v.held))?;
    for m in &v.missing {
        writeln!(out, "- {}", text(m))?;
    }
    if let Some(head) = &v.not_used {
        writeln!(out)?;
        writeln!(out, "{}", text(head))?;
        writeln!(out)?;
        for r in &v.reasons {
            writeln!(out, "- {}:", text(r.reason))?;
            for name in &r.names {
                writeln!(out, "  - {}", code(name))?;
            }
            if r.more > 0 {
                writeln!(out, "  - {}", super::bundle::more(r.more))?;
            }
        }
    }
    if let Some(u) = &v.unread {
        writeln!(out)?;
        writeln!(out, "{}", text(u))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn render(report: &Report, top: usize) -> String {
        let mut out = Vec::new();
        write(
            &mut out,
            report,
            &Layout {
                top,
                ..Layout::default()
            },
        )
        .unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn farm_report_as_markdown() {
        insta::assert_snapshot!(render(&super::super::testing::farm_report(), 3));
    }

    #[test]
    fn log_urls_cannot_break_out() {
        let (_dir, report) = super::super::testing::hostile_report();
        let md = render(&report, 10);
        // Every URL is a code span, in the table (pipes escaped) and in the URL list.
        for url in super::super::testing::HOSTILE_URLS {
            let cell = cell_code(url);
            let listed = code(url);
            assert!(md.contains(&cell) || md.contains(&listed), "{url} in\n{md}");
        }
        // Outside code spans, no tag or link opens.
        let outside = outside_code_spans(&md);
        for bad in ["<script", "<img", "<svg", "](javascript"] {
            assert!(!outside.contains(bad), "{bad} outside code in\n{md}");
        }
        // Every table row keeps its six columns: no pipe from a URL splits a cell.
        for line in md.lines().filter(|l| l.starts_with("| `")) {
            let cells = line.replace("\\|", "").matches('|').count();
            assert_eq!(cells, 7, "{line}");
        }
    }

    /// The text with every code span (a run of n backticks up to the next run of exactly n)
    /// left out.
    fn outside_code_spans(md: &str) -> String {
        let chars: Vec<char> = md.chars().collect();
        let run_at = |i: usize| chars[i..].iter().take_while(|&&c| c == '`').count();
        let mut out = String::new();
        let mut i = 0;
        while i < chars.len() {
            if chars[i] != '`' {
                out.push(chars[i]);
                i += 1;
                continue;
            }
            let n = run_at(i);
            let mut j = i + n;
            while j < chars.len() && !(chars[j] == '`' && run_at(j) == n) {
                j += if chars[j] == '`' { run_at(j) } else { 1 };
            }
            i = j + n;
        }
        out
    }

    /// Issue 15, item 11: FREB evidence, timeline server names and HTTP.sys titles were
    /// written as escaped text in which GitHub still made `www.`, `http://`, `mailto:` and
    /// bare addresses into live links.
    #[test]
    fn log_values_outside_code_spans_form_no_autolink() {
        let mut report = super::super::testing::farm_report();
        let hostile = "www.evil.example http://evil.example/x mailto:a@evil.example b@evil.example";
        report.groups[0].evidence[0].text = format!("1 trace: backend {hostile}");
        report.groups[0].pages.push(crate::explain::PageEvidence {
            pages: 1,
            module: None,
            notification: None,
            handler: None,
            error_code: None,
            config_file: None,
            config_line: None,
            urls: Vec::new(),
            files: Vec::new(),
            text: format!("1 detailed error page: config file {hostile}"),
        });
        if let Some(t) = report.timeline.as_mut() {
            for s in &mut t.series {
                if let Some(p) = s.peak.as_mut() {
                    p.text = format!("peak on {hostile}");
                }
            }
        }
        report.httperr[0].title = format!("reason {hostile}");
        report.correlations.clear();
        let md = render(&report, 10);
        assert!(md.contains("evil"), "{md}");
        let outside = outside_code_spans(&md);
        // What is left once the references (iisdiag's own links, in <...>) are taken out.
        let outside: String = outside
            .lines()
            .filter(|l| !l.starts_with("- <http"))
            .collect::<Vec<_>>()
            .join("\n");
        // Escaped characters end a text run: an autolink cannot span them.
        let mut plain = String::new();
        let mut chars = outside.chars();
        while let Some(c) = chars.next() {
            if c == '\\' {
                chars.next();
                plain.push('\u{1}');
            } else {
                plain.push(c.to_ascii_lowercase());
            }
        }
        let autolink =
            regex::Regex::new(r"www\.|(https?|ftp)://|[a-z0-9._+-]@[a-z0-9_-]+\.[a-z0-9_-]")
                .unwrap();
        let found: Vec<&str> = autolink.find_iter(&plain).map(|m| m.as_str()).collect();
        assert!(found.is_empty(), "{found:?} in\n{md}");
    }

    /// The part of `md` from the line `from` up to the next heading of the same level or
    /// higher.
    fn section<'a>(md: &'a str, from: &str) -> &'a str {
        let start = md.find(from).unwrap_or_else(|| panic!("{from} in\n{md}"));
        let level = from.chars().take_while(|&c| c == '#').count();
        let rest = &md[start + from.len()..];
        let end = rest
            .match_indices("\n#")
            .find(|(i, _)| {
                let hashes = rest[i + 1..].chars().take_while(|&c| c == '#').count();
                hashes <= level && rest[i + 1 + hashes..].starts_with(' ')
            })
            .map_or(rest.len(), |(i, _)| i);
        &md[start..start + from.len() + end]
    }

    #[test]
    fn event_chains_are_listed_under_their_groups_the_explaining_one_first() {
        let md = render(&super::super::testing::farm_with_events(), 10);
        let w3c = section(&md, "### `500.19.13`");
        assert!(
            w3c.contains(
                "- **Events:**\n  - \u{2190} explained by: W3SVC-WP 2280 2026-11-18 11:29:02: A module DLL"
            ),
            "{w3c}"
        );
        let httperr = section(&md, "### `503.AppOffline` on `OrdersPool`");
        let chain: Vec<&str> = httperr
            .lines()
            .filter(|l| l.starts_with("  - \u{2190}"))
            .collect();
        assert_eq!(chain.len(), 4, "{httperr}");
        assert!(
            chain[0]
                .starts_with("  - \u{2190} explained by: WAS 5002 2026-11-18 11:40:02: OrdersPool"),
            "{}",
            chain[0]
        );
        assert!(
            chain[1..]
                .iter()
                .all(|l| l.starts_with("  - \u{2190} along with: ")),
            "{chain:?}"
        );
        // The chain comes after the cause and before the checks.
        let (cause, events, check) = (
            httperr.find("- **Likely cause:**").unwrap(),
            httperr.find("- **Events:**").unwrap(),
            httperr.find("**Check:**").unwrap(),
        );
        assert!(cause < events && events < check, "{httperr}");
        // Groups no event explains have no Events item.
        assert!(!section(&md, "### `502.3.12002`").contains("**Events:**"));
    }

    #[test]
    fn farm_events_as_markdown() {
        let md = render(&super::super::testing::farm_with_events(), 10);
        insta::assert_snapshot!(section(&md, "## Event logs"));
    }

    #[test]
    fn event_counts_past_the_limit_are_summed_up() {
        let mut report = super::super::testing::farm_with_events();
        let ev = report.events.as_mut().unwrap();
        let listed = ev.counts.len();
        for id in 0..(EVENT_ROWS + 5 - listed) as u32 {
            ev.counts.push(crate::explain::events::CountRow {
                provider: "Microsoft-Windows-Kernel-General".into(),
                name: "Microsoft-Windows-Kernel-General".into(),
                id,
                count: 2,
                title: None,
            });
        }
        let md = render(&report, 10);
        let rows = section(&md, "## Event logs")
            .lines()
            .filter(|l| l.starts_with("| `"))
            .count();
        assert_eq!(rows, EVENT_ROWS);
        assert!(
            md.contains("5 more provider/id pair(s) (10 event(s)) not listed."),
            "{md}"
        );
    }

    /// Event data is written by whoever can write to the event log (or edit an export): a
    /// pool, module or server name can hold markup, links, pipes, backticks, new lines and
    /// bidi controls, and every event text is built from them.
    #[test]
    fn hostile_event_text_cannot_break_out() {
        use super::super::testing::HOSTILE_EVENT;
        let mut report = super::super::testing::farm_with_events();
        // A W3C group's chain too (the farm's has no hostile line of its own).
        let chain = report
            .groups
            .iter_mut()
            .find_map(|g| g.events.as_mut())
            .unwrap();
        chain.lines[0] = format!("W3SVC-WP 2280 2026-11-18 11:29:02: {HOSTILE_EVENT}");
        let md = render(&report, 10);
        assert!(md.contains("Evil"), "{md}");
        // Shown as code where it is a name, escaped where it is part of a sentence.
        assert!(md.contains(&code(HOSTILE_EVENT)), "{md}");
        assert!(md.contains(&text(HOSTILE_EVENT)), "{md}");
        // With those taken out, nothing of it is left: it went through a guard each time.
        let rest = md
            .replace(&code(HOSTILE_EVENT), "")
            .replace(&text(HOSTILE_EVENT), "");
        for bad in ["Evil", "<script", "<img", "javascript", "`x`", "\u{202e}"] {
            assert!(!rest.contains(bad), "{bad} unguarded in\n{md}");
        }
        // No line of the event data starts a line of the report.
        assert!(!md.lines().any(|l| l.starts_with("# H")), "{md}");
        // Every row of the counts table keeps its four columns.
        for line in section(&md, "## Event logs")
            .lines()
            .filter(|l| l.starts_with("| `"))
        {
            let cells = line.replace("\\|", "").matches('|').count();
            assert_eq!(cells, 5, "{line}");
        }
    }

    #[test]
    fn no_event_logs_no_event_section() {
        let md = render(&super::super::testing::farm_without_events(), 10);
        assert!(!md.contains("Event logs"));
        assert!(!md.contains("**Events:**"));
    }

    #[test]
    fn references_are_autolinks_when_plain() {
        assert_eq!(
            link("https://learn.microsoft.com/x_y"),
            "<https://learn.microsoft.com/x_y>"
        );
        assert_eq!(link("runbook 12"), "`runbook 12`");
        assert_eq!(link("https://x/<script>"), "`https://x/<script>`");
    }
}
