//! `--format markdown`: the report as GitHub-flavoured Markdown, to paste into a ticket or a
//! chat: the summary as a table, each top group's explanation and checks, the trace
//! evidence, the HTTP.sys findings and what lines up in time.
//!
//! URLs, server names and other values from the logs are attacker-controlled (anyone can
//! request `/<img src=x onerror=...>`), so they go into code spans, where Markdown renders
//! nothing; free text is escaped so that it can open no link, image, HTML tag or emphasis.

use std::io::{self, Write};

use super::{GroupReport, HttpErrReport, Report, human_ms};
use crate::time::Zone;
use crate::triple::Triple;

/// What shapes the Markdown beyond the report.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// How many groups get an explanation section.
    pub top: usize,
    /// The zone times are shown in.
    pub zone: Zone,
}

/// Writes the whole report as Markdown.
pub fn write(out: &mut dyn Write, report: &Report, opts: &Options) -> io::Result<()> {
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
    if !report.correlations.is_empty() {
        writeln!(out)?;
        writeln!(out, "## Lined up in time")?;
        writeln!(out)?;
        for c in &report.correlations {
            writeln!(out, "- {}", text(&c.text))?;
        }
    }
    Ok(())
}

fn write_totals(out: &mut dyn Write, report: &Report, opts: &Options) -> io::Result<()> {
    let t = &report.totals;
    let mut line = format!("{} requests read from {} file(s)", t.requests, t.files_read);
    if t.files_skipped > 0 {
        line.push_str(&format!(", {} skipped", t.files_skipped));
    }
    if t.malformed_lines > 0 {
        line.push_str(&format!(", {} malformed line(s)", t.malformed_lines));
    }
    line.push_str(&format!(
        "; **{} failed** ({}%).",
        t.failures,
        super::percent(t.failures, t.requests)
    ));
    if let (Some(first), Some(last)) = (&t.first_seen, &t.last_seen) {
        line.push_str(&format!(
            " From {} to {} {}.",
            opts.zone.short_of(first),
            opts.zone.short_of(last),
            zone_label(opts.zone, first)
        ));
    }
    writeln!(out, "{line}")?;
    if !report.filters.is_empty() {
        writeln!(out)?;
        writeln!(out, "Filtered: {}.", text(&report.filters.join("; ")))?;
    }
    Ok(())
}

fn zone_label(zone: Zone, rfc3339: &str) -> String {
    let millis = chrono::DateTime::parse_from_rfc3339(rfc3339)
        .ok()
        .map(|d| d.timestamp_millis());
    zone.label(millis)
}

fn write_groups(out: &mut dyn Write, report: &Report, opts: &Options) -> io::Result<()> {
    writeln!(out)?;
    if report.totals.requests == 0 {
        writeln!(
            out,
            "## Failed requests (from Failed Request Tracing traces alone)"
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
        let times = g.times_text();
        let top_url = g.top_url_text(cell_code);
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

fn write_group(out: &mut dyn Write, g: &GroupReport, opts: &Options) -> io::Result<()> {
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
    if let (Some(first), Some(last)) = (&g.first_seen, &g.last_seen) {
        head.push_str(&format!(
            "; seen {} .. {} {}",
            opts.zone.short_of(first),
            opts.zone.short_of(last),
            zone_label(opts.zone, first)
        ));
    }
    if !g.servers.is_empty() {
        head.push_str(&format!(" on {}", names(&g.servers, "server", "servers")));
    }
    if !g.sites.is_empty() {
        head.push_str(&format!(", {}", names(&g.sites, "site", "sites")));
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

fn write_httperr(out: &mut dyn Write, report: &Report, opts: &Options) -> io::Result<()> {
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
            seen(g, opts.zone),
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
        writeln!(out, "{} (HTTP.sys), {}.", g.count, seen(g, opts.zone))?;
        writeln!(out)?;
        writeln!(out, "- **Likely cause:** {}", text(&g.cause))?;
        write_checks(out, &g.hints)?;
        write_references(out, &g.references)?;
    }
    Ok(())
}

fn seen(g: &HttpErrReport, zone: Zone) -> String {
    match (&g.first_seen, &g.last_seen) {
        (Some(first), Some(last)) => format!(
            "{} .. {} {}",
            zone.short_of(first),
            zone.short_of(last),
            zone_label(zone, first)
        ),
        _ => "-".to_string(),
    }
}

/// `2 servers (WEB01, web02)`, each name a code span.
fn names(names: &[String], one: &str, many: &str) -> String {
    const SHOWN: usize = 4;
    let noun = if names.len() == 1 { one } else { many };
    let shown: Vec<String> = names.iter().take(SHOWN).map(|n| code(n)).collect();
    let more = if names.len() > SHOWN { ", ..." } else { "" };
    format!("{} {noun} ({}{more})", names.len(), shown.join(", "))
}

/// Log text with line breaks and other control characters made into spaces.
fn one_line(value: &str) -> String {
    value
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// `value` as a code span in a table cell: GitHub splits cells on `|` even inside code, and
/// drops the backslash of `\|` there.
pub fn cell_code(value: &str) -> String {
    code(&value.replace('|', "\\|"))
}

/// `value` as a code span: shown as it is, rendered as nothing else. The fence is longer
/// than any run of backticks inside.
pub fn code(value: &str) -> String {
    let value = one_line(value);
    let mut longest = 0;
    let mut run = 0;
    for c in value.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    // A span that starts or ends with a backtick (or a space) needs a space of padding,
    // which Markdown strips again.
    if longest > 0 || value.starts_with(' ') || value.ends_with(' ') {
        format!("{fence} {value} {fence}")
    } else {
        format!("{fence}{value}{fence}")
    }
}

/// Free text, escaped so that it renders as the same words: no HTML tag, autolink, link,
/// image, emphasis, strikethrough, math or table break can come out of it. Underscores
/// inside a word (`ERROR_WINHTTP_TIMEOUT`) cannot start emphasis and are left as they are.
pub fn text(value: &str) -> String {
    let chars: Vec<char> = one_line(value).chars().collect();
    let mut out = String::with_capacity(chars.len() + 8);
    for (i, &c) in chars.iter().enumerate() {
        let prev = i.checked_sub(1).map(|j| chars[j]);
        let next = chars.get(i + 1).copied();
        // At the start, what would open a heading, quote, list or rule.
        let starts_a_block = i == 0 && matches!(c, '#' | '>' | '-' | '+' | '=')
            || (matches!(c, '.' | ')')
                && i > 0
                && chars[..i].iter().all(char::is_ascii_digit)
                && next.is_none_or(|n| n == ' '));
        let escape = starts_a_block
            || match c {
                '*' | '`' | '[' | ']' | '<' | '|' | '~' | '$' => true,
                '\\' => next.is_some_and(|n| n.is_ascii_punctuation()),
                '_' => {
                    !(prev.is_some_and(char::is_alphanumeric)
                        && next.is_some_and(char::is_alphanumeric))
                }
                '&' => next.is_some_and(|n| n.is_ascii_alphanumeric() || n == '#'),
                _ => false,
            };
        if escape {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A reference: an autolink when it is a plain web address, else a code span.
fn link(url: &str) -> String {
    let plain = (url.starts_with("https://") || url.starts_with("http://"))
        && !url
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '`' | '|'));
    if plain { format!("<{url}>") } else { code(url) }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn code_spans_hold_anything() {
        let cases = [
            ("/api/orders", "`/api/orders`"),
            ("/a|b", "`/a|b`"),
            ("/a`b", "`` /a`b ``"),
            ("`x``", "``` `x`` ```"),
            ("/a\nb\tc", "`/a b c`"),
            (" lead", "`  lead `"),
        ];
        for (value, want) in cases {
            assert_eq!(code(value), want, "{value:?}");
        }
    }

    #[test]
    fn table_cells_escape_the_pipe_even_in_code() {
        assert_eq!(cell_code("/a|b"), "`/a\\|b`");
        assert_eq!(cell_code("x"), "`x`");
    }

    #[test]
    fn text_is_escaped_to_render_as_itself() {
        let cases = [
            ("ERROR_WINHTTP_TIMEOUT", "ERROR_WINHTTP_TIMEOUT"),
            ("_start and end_", "\\_start and end\\_"),
            ("procdump -ma <pid>", "procdump -ma \\<pid>"),
            ("Proxy > Time-out", "Proxy > Time-out"),
            ("# not a heading", "\\# not a heading"),
            ("> not a quote", "\\> not a quote"),
            ("12. not a list", "12\\. not a list"),
            ("500.0.0: peak", "500.0.0: peak"),
            ("- x - y", "\\- x - y"),
            ("[benign] *really*", "\\[benign\\] \\*really\\*"),
            ("![x](javascript:alert(1))", "!\\[x\\](javascript:alert(1))"),
            ("C:\\inetpub\\logs", "C:\\inetpub\\logs"),
            ("a\\*b", "a\\\\\\*b"),
            ("&lt; & more", "\\&lt; & more"),
            ("a | b", "a \\| b"),
            ("~~gone~~ $x$", "\\~\\~gone\\~\\~ \\$x\\$"),
            ("two\nlines", "two lines"),
        ];
        for (value, want) in cases {
            assert_eq!(text(value), want, "{value:?}");
        }
    }

    fn render(report: &Report, top: usize) -> String {
        let mut out = Vec::new();
        write(
            &mut out,
            report,
            &Options {
                top,
                zone: Zone::Utc,
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
