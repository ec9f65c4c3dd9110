//! `--format markdown`: the report as GitHub-flavoured Markdown, to paste into a ticket or a
//! chat: the summary as a table, each top group's explanation and checks, the trace
//! evidence, the HTTP.sys findings and what lines up in time.
//!
//! URLs, server names and other values from the logs are attacker-controlled (anyone can
//! request `/<img src=x onerror=...>`), so they go into code spans, where Markdown renders
//! nothing; free text is escaped so that it can open no link, image, HTML tag or emphasis.

use std::io::{self, Write};

use super::Layout;
use super::phrase::{self, human_ms};
use crate::explain::{GroupReport, Report};
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
    Ok(())
}

fn write_groups(out: &mut dyn Write, report: &Report, opts: &Layout) -> io::Result<()> {
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
            phrase::names(&g.sites, "site", "sites", code)
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
        writeln!(out, "- **Likely cause:** {}", text(&g.cause))?;
        write_checks(out, &g.hints)?;
        write_references(out, &g.references)?;
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
