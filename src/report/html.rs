//! `--html FILE`: the report as one self-contained HTML page to attach to a ticket: the
//! summary table, the failures over time drawn as a chart (inline SVG), each group's
//! explanation and checks, the trace evidence and the HTTP.sys findings.
//!
//! The page loads nothing: no script, no font, no image from anywhere, and its Content
//! Security Policy forbids them, so it opens the same offline, from a mail attachment or a
//! ticket. Everything that comes from the logs (URLs, server and pool names, trace data) is
//! attacker-controlled and is escaped; links are made only from the knowledge base's
//! references, and only for http(s) addresses.

use std::fmt::Write as _;
use std::io::{self, Write};

use super::timeline::Timeline;
use super::{GroupReport, HttpErrReport, Report, human_ms};
use crate::time::Zone;
use crate::triple::Triple;

/// What shapes the page beyond the report.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// How many groups are shown open; the others are folded.
    pub top: usize,
    /// The zone times are shown in.
    pub zone: Zone,
}

/// The colours of the chart's series, in order: a categorical palette that keeps
/// neighbours apart, one colour for each series a timeline can have (eight groups and two
/// HTTP.sys series).
pub const SERIES_COLOURS: [&str; 10] = [
    "#e15759", "#4e79a7", "#f28e2b", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#9c755f",
    "#ff9da7", "#bab0ac",
];

/// Nothing may load: styles are inline, there is no script, images only as data.
const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

const STYLE: &str = r#"
:root { color-scheme: light; --fault: #c0392b; --client: #b7791f; --benign: #6b7280; --line: #d8dde3; }
* { box-sizing: border-box; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2933; background: #fff; margin: 0; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 28px 48px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 36px 0 10px; padding-bottom: 4px; border-bottom: 2px solid var(--line); }
h3 { font-size: 16px; margin: 0; display: inline; }
code { font: 13px/1.4 ui-monospace, "Cascadia Mono", Consolas, Menlo, monospace; background: #f3f5f7; padding: 1px 4px; border-radius: 3px; overflow-wrap: anywhere; }
.totals { font-size: 16px; margin: 4px 0; }
.muted { color: var(--benign); }
nav a { margin-right: 14px; }
table { border-collapse: collapse; width: 100%; margin: 8px 0; font-size: 14px; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: #f3f5f7; font-weight: 600; }
td.num, th.num { text-align: right; white-space: nowrap; }
td.code { white-space: nowrap; }
tr.fault td.code code, .group.fault > summary code { color: var(--fault); font-weight: 700; }
tr.client td.code code, .group.client > summary code { color: var(--client); font-weight: 700; }
tr.benign td, .group.benign > summary { color: var(--benign); }
.tag { font-size: 12px; border: 1px solid var(--benign); color: var(--benign); border-radius: 8px; padding: 0 6px; margin-left: 6px; }
details.group { border: 1px solid var(--line); border-left: 5px solid var(--line); border-radius: 4px; margin: 10px 0; padding: 8px 14px; }
details.group.fault { border-left-color: var(--fault); }
details.group.client { border-left-color: var(--client); }
details.group > summary { cursor: pointer; }
dl { margin: 8px 0; display: grid; grid-template-columns: max-content 1fr; gap: 4px 14px; }
dt { font-weight: 600; }
dd { margin: 0; }
ol.checks li { margin: 3px 0; }
.chart { border: 1px solid var(--line); border-radius: 4px; padding: 8px; }
.chart svg { width: 100%; height: auto; display: block; }
.legend { list-style: none; padding: 0; margin: 6px 0 0; display: flex; flex-wrap: wrap; gap: 4px 18px; font-size: 13px; }
.swatch { display: inline-block; width: 12px; height: 12px; border-radius: 2px; margin-right: 6px; vertical-align: -1px; }
.swatch.line { height: 3px; vertical-align: 3px; }
footer { margin-top: 40px; font-size: 13px; color: var(--benign); }
"#;

/// Writes the whole page.
pub fn write(out: &mut dyn Write, report: &Report, opts: &Options) -> io::Result<()> {
    let mut page = String::with_capacity(64 * 1024);
    render(&mut page, report, opts);
    out.write_all(page.as_bytes())
}

fn render(p: &mut String, report: &Report, opts: &Options) {
    let t = &report.totals;
    p.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    p.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(
        p,
        "<meta http-equiv=\"Content-Security-Policy\" content=\"{}\">",
        esc(CSP)
    );
    let _ = writeln!(
        p,
        "<meta name=\"generator\" content=\"iisdiag {}\">",
        env!("CARGO_PKG_VERSION")
    );
    let when = t
        .first_seen
        .as_deref()
        .map(|f| format!(", {}", opts.zone.short_of(f).get(..10).unwrap_or("")))
        .unwrap_or_default();
    let _ = writeln!(
        p,
        "<title>iisdiag report: {} failed of {} requests{}</title>",
        t.failures,
        t.requests,
        esc(&when)
    );
    let _ = writeln!(p, "<style>{STYLE}</style>\n</head>\n<body>\n<main>");
    p.push_str("<h1>iisdiag report</h1>\n");
    totals(p, report, opts);
    nav(p, report);
    timeline(p, report.timeline.as_ref(), opts);
    summary(p, report, opts);
    traces(p, report);
    httperr(p, report, opts);
    correlations(p, report);
    let _ = writeln!(
        p,
        "<footer>Made by iisdiag {} from {} file(s). Times are {}; the logs write UTC.</footer>",
        env!("CARGO_PKG_VERSION"),
        t.files_read,
        esc(&zone_label(opts.zone, t.first_seen.as_deref()))
    );
    p.push_str("</main>\n</body>\n</html>\n");
}

fn totals(p: &mut String, report: &Report, opts: &Options) {
    let t = &report.totals;
    let mut line = format!("{} requests read from {} file(s)", t.requests, t.files_read);
    if t.files_skipped > 0 {
        let _ = write!(line, ", {} skipped", t.files_skipped);
    }
    if t.malformed_lines > 0 {
        let _ = write!(line, ", {} malformed line(s)", t.malformed_lines);
    }
    let _ = writeln!(
        p,
        "<p class=\"totals\">{}; <strong>{} failed</strong> ({}%).</p>",
        esc(&line),
        t.failures,
        super::percent(t.failures, t.requests)
    );
    if let (Some(first), Some(last)) = (&t.first_seen, &t.last_seen) {
        let _ = writeln!(
            p,
            "<p class=\"muted\">From {} to {} {}.</p>",
            esc(&opts.zone.short_of(first)),
            esc(&opts.zone.short_of(last)),
            esc(&zone_label(opts.zone, Some(first)))
        );
    }
    if !report.filters.is_empty() {
        let _ = writeln!(
            p,
            "<p class=\"muted\">Filtered: {}.</p>",
            esc(&report.filters.join("; "))
        );
    }
}

fn nav(p: &mut String, report: &Report) {
    p.push_str("<nav>");
    if report.timeline.is_some() {
        p.push_str("<a href=\"#timeline\">Over time</a>");
    }
    if !report.groups.is_empty() {
        p.push_str(
            "<a href=\"#groups\">Failed requests</a><a href=\"#explanations\">Explanations</a>",
        );
    }
    if !report.traces.is_empty() {
        p.push_str("<a href=\"#traces\">Traces</a>");
    }
    if !report.httperr.is_empty() {
        p.push_str("<a href=\"#httperr\">HTTP.sys</a>");
    }
    if !report.correlations.is_empty() {
        p.push_str("<a href=\"#correlations\">Lined up in time</a>");
    }
    p.push_str("</nav>\n");
}

fn zone_label(zone: Zone, rfc3339: Option<&str>) -> String {
    let millis = rfc3339
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .map(|d| d.timestamp_millis());
    zone.label(millis)
}

/// `fault`, `client` or `benign`: the CSS class of a status.
fn class_of(status: Option<u16>, benign: bool) -> &'static str {
    match status {
        _ if benign => "benign",
        Some(400..=499) => "client",
        _ => "fault",
    }
}

fn summary(p: &mut String, report: &Report, opts: &Options) {
    if report.groups.is_empty() {
        if report.totals.requests > 0 {
            p.push_str("<h2 id=\"groups\">Failed requests</h2>\n<p>No failed requests in the W3C logs.</p>\n");
        }
        return;
    }
    p.push_str("<h2 id=\"groups\">Failed requests</h2>\n");
    if report.totals.requests == 0 {
        p.push_str("<p>No W3C log lines: these groups come from Failed Request Tracing traces alone.</p>\n");
    }
    p.push_str("<table class=\"summary\">\n<thead><tr><th>status.sub.win32</th><th class=\"num\">count</th><th class=\"num\">share</th><th class=\"num\">p50 / p95</th><th>top URL</th><th>meaning</th></tr></thead>\n<tbody>\n");
    for g in &report.groups {
        let times = g.times_text();
        let url = g.top_url_text(code);
        let benign = if g.benign {
            "<span class=\"tag\">benign</span>"
        } else {
            ""
        };
        let _ = writeln!(
            p,
            "<tr class=\"{}\"><td class=\"code\"><a href=\"#{}\">{}</a></td><td class=\"num\">{}</td><td class=\"num\">{:.1}%</td><td class=\"num\">{}</td><td>{url}</td><td>{}{benign}</td></tr>",
            class_of(Some(g.status), g.benign),
            anchor("g", &g.code),
            code(&g.code),
            g.count,
            g.share,
            esc(&times),
            esc(&g.title)
        );
    }
    p.push_str("</tbody>\n</table>\n");
    p.push_str("<h2 id=\"explanations\">Explanations</h2>\n");
    let mut ranked: Vec<&GroupReport> = report.groups.iter().collect();
    // Faults before benign traffic; each by count (the groups are already sorted by count).
    ranked.sort_by_key(|g| g.benign);
    for (i, g) in ranked.into_iter().enumerate() {
        group(p, g, i < opts.top && !g.benign, opts);
    }
}

fn group(p: &mut String, g: &GroupReport, open: bool, opts: &Options) {
    let _ = writeln!(
        p,
        "<details class=\"group {}\" id=\"{}\"{}>",
        class_of(Some(g.status), g.benign),
        anchor("g", &g.code),
        if open { " open" } else { "" }
    );
    let mut head = format!("{} request(s) ({:.1}%)", g.count, g.share);
    if let Some(t) = g.time_taken_ms {
        let _ = write!(
            head,
            ", time-taken p50 {}, p95 {}, max {}",
            human_ms(t.p50),
            human_ms(t.p95),
            human_ms(t.max)
        );
    }
    let benign = if g.benign {
        " <span class=\"tag\">benign: normal traffic, not a fault</span>"
    } else {
        ""
    };
    let _ = writeln!(
        p,
        "<summary><h3>{} {}</h3>{benign} <span class=\"muted\">{}</span></summary>",
        code(&g.code),
        esc(&g.title),
        esc(&head)
    );
    p.push_str("<dl>\n");
    if let (Some(first), Some(last)) = (&g.first_seen, &g.last_seen) {
        let mut seen = format!(
            "{} .. {} {}",
            esc(&opts.zone.short_of(first)),
            esc(&opts.zone.short_of(last)),
            esc(&zone_label(opts.zone, Some(first)))
        );
        if !g.servers.is_empty() {
            let _ = write!(seen, " on {}", names(&g.servers, "server", "servers"));
        }
        if !g.sites.is_empty() {
            let _ = write!(seen, ", {}", names(&g.sites, "site", "sites"));
        }
        let _ = writeln!(p, "<dt>Seen</dt><dd>{seen}</dd>");
    }
    if !g.top_urls.is_empty() {
        let urls: Vec<String> = g
            .top_urls
            .iter()
            .map(|u| format!("{} ({})", code(&u.url), u.count))
            .collect();
        let _ = writeln!(p, "<dt>URLs</dt><dd>{}</dd>", urls.join(", "));
    }
    if let Some(b) = &g.breakdown {
        let entries: Vec<String> = b
            .entries
            .iter()
            .map(|e| format!("{} ({})", code(&e.key), e.count))
            .collect();
        let _ = writeln!(
            p,
            "<dt>By {}</dt><dd>{}</dd>",
            esc(b.by),
            entries.join(", ")
        );
    }
    for e in &g.evidence {
        let _ = writeln!(p, "<dt>Evidence</dt><dd>{}</dd>", esc(&e.text));
    }
    if let Some(sig) = &g.timing {
        let _ = writeln!(p, "<dt>Timing</dt><dd>{}.</dd>", esc(&sig.text));
        if let Some(setting) = &sig.setting {
            let _ = writeln!(p, "<dt>Setting</dt><dd>{}</dd>", esc(setting));
        }
    }
    let _ = writeln!(p, "<dt>Likely cause</dt><dd>{}</dd>", esc(&g.cause));
    if let Some(w) = &g.win32_detail {
        let _ = writeln!(
            p,
            "<dt>win32 {}</dt><dd>{} ({}): {}</dd>",
            w.code,
            code(&w.name),
            esc(&w.kind),
            esc(&w.meaning)
        );
    }
    p.push_str("</dl>\n");
    checks(p, &g.hints);
    for r in &g.rules {
        let _ = writeln!(
            p,
            "<p><strong>Site note: {}.</strong> {}</p>",
            esc(&r.title),
            esc(&r.cause)
        );
        if !r.hints.is_empty() {
            p.push_str("<ul>");
            for h in &r.hints {
                let _ = write!(p, "<li>{}</li>", esc(h));
            }
            p.push_str("</ul>\n");
        }
    }
    references(p, &g.references);
    p.push_str("</details>\n");
}

fn checks(p: &mut String, hints: &[String]) {
    if hints.is_empty() {
        return;
    }
    p.push_str("<p><strong>Check:</strong></p>\n<ol class=\"checks\">\n");
    for h in hints {
        let _ = writeln!(p, "<li>{}</li>", esc(h));
    }
    p.push_str("</ol>\n");
}

fn references(p: &mut String, refs: &[String]) {
    if refs.is_empty() {
        return;
    }
    p.push_str("<p class=\"muted\">References: ");
    let links: Vec<String> = refs.iter().map(|r| link(r)).collect();
    p.push_str(&links.join(" &middot; "));
    p.push_str("</p>\n");
}

fn traces(p: &mut String, report: &Report) {
    if report.traces.is_empty() {
        return;
    }
    let total: u64 = report.traces.iter().map(|g| g.count).sum();
    let _ = writeln!(
        p,
        "<h2 id=\"traces\">Failed Request Tracing: {total} trace(s)</h2>"
    );
    p.push_str("<table>\n<thead><tr><th>status.sub.win32</th><th class=\"num\">traces</th><th>module</th><th>notification</th><th>error code</th><th>backend</th><th>files</th></tr></thead>\n<tbody>\n");
    for g in &report.traces {
        let triple = Triple::new(g.status, g.substatus, g.win32).to_string();
        let or_dash = |v: Option<&str>| v.map_or_else(|| "-".to_string(), code);
        let list = |v: &[String]| {
            if v.is_empty() {
                "-".to_string()
            } else {
                v.iter().map(|s| code(s)).collect::<Vec<_>>().join(", ")
            }
        };
        let files: Vec<String> = g.files.iter().take(5).cloned().collect();
        let more = if g.file_count > files.len() as u64 {
            format!(" and {} more", g.file_count - files.len() as u64)
        } else {
            String::new()
        };
        let _ = writeln!(
            p,
            "<tr class=\"{}\"><td class=\"code\">{}</td><td class=\"num\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}{}</td></tr>",
            class_of(Some(g.status), false),
            code(&triple),
            g.count,
            or_dash(g.module.as_deref()),
            or_dash(g.notification.as_deref()),
            g.error_code
                .map_or_else(|| "-".to_string(), |c| code(&crate::hresult::hex(c))),
            list(&g.backends),
            list(&files),
            esc(&more)
        );
    }
    p.push_str("</tbody>\n</table>\n");
}

fn httperr(p: &mut String, report: &Report, opts: &Options) {
    if report.httperr.is_empty() {
        return;
    }
    let total: u64 = report.httperr.iter().map(|g| g.count).sum();
    let _ = writeln!(
        p,
        "<h2 id=\"httperr\">HTTP.sys error log: {total} request(s) or connection(s) refused or dropped before IIS saw them</h2>"
    );
    p.push_str("<table>\n<thead><tr><th>status.reason</th><th>queue</th><th class=\"num\">count</th><th>first .. last</th><th>top URL</th><th>meaning</th></tr></thead>\n<tbody>\n");
    for g in &report.httperr {
        let benign = if g.benign {
            "<span class=\"tag\">benign</span>"
        } else {
            ""
        };
        let _ = writeln!(
            p,
            "<tr class=\"{}\"><td class=\"code\"><a href=\"#{}\">{}</a></td><td>{}</td><td class=\"num\">{}</td><td>{}</td><td>{}</td><td>{}{benign}</td></tr>",
            class_of(g.status, g.benign),
            anchor("h", &format!("{}-{}", g.code, g.queue)),
            code(&g.code),
            code(&g.queue),
            g.count,
            esc(&seen(g, opts.zone)),
            g.top_urls
                .first()
                .map_or_else(|| "-".to_string(), |u| code(&u.url)),
            esc(&g.title)
        );
    }
    p.push_str("</tbody>\n</table>\n");
    let mut shown = 0;
    for g in &report.httperr {
        let open = !g.benign && shown < opts.top;
        if !g.benign {
            shown += 1;
        }
        let pool = if g.queue == "-" {
            String::new()
        } else {
            format!(" on {}", code(&g.queue))
        };
        let _ = writeln!(
            p,
            "<details class=\"group {}\" id=\"{}\"{}>",
            class_of(g.status, g.benign),
            anchor("h", &format!("{}-{}", g.code, g.queue)),
            if open { " open" } else { "" }
        );
        let _ = writeln!(
            p,
            "<summary><h3>{}{pool} {}</h3> <span class=\"muted\">{} (HTTP.sys), {}</span></summary>",
            code(&g.code),
            esc(&g.title),
            g.count,
            esc(&seen(g, opts.zone))
        );
        let _ = writeln!(
            p,
            "<dl><dt>Likely cause</dt><dd>{}</dd></dl>",
            esc(&g.cause)
        );
        checks(p, &g.hints);
        references(p, &g.references);
        p.push_str("</details>\n");
    }
}

fn correlations(p: &mut String, report: &Report) {
    if report.correlations.is_empty() {
        return;
    }
    p.push_str("<h2 id=\"correlations\">Lined up in time</h2>\n<ul>\n");
    for c in &report.correlations {
        let _ = writeln!(p, "<li>{}</li>", esc(&c.text));
    }
    p.push_str("</ul>\n");
}

fn seen(g: &HttpErrReport, zone: Zone) -> String {
    match (&g.first_seen, &g.last_seen) {
        (Some(first), Some(last)) => format!(
            "{} .. {} {}",
            zone.short_of(first),
            zone.short_of(last),
            zone_label(zone, Some(first))
        ),
        _ => "-".to_string(),
    }
}

/// `2 servers (WEB01, web02)`, each name escaped.
fn names(names: &[String], one: &str, many: &str) -> String {
    const SHOWN: usize = 4;
    let noun = if names.len() == 1 { one } else { many };
    let shown: Vec<String> = names.iter().take(SHOWN).map(|n| code(n)).collect();
    let more = if names.len() > SHOWN { ", ..." } else { "" };
    format!("{} {noun} ({}{more})", names.len(), shown.join(", "))
}

// ---- the chart ----

const CHART_W: f64 = 1000.0;
const CHART_H: f64 = 300.0;
const LEFT: f64 = 48.0;
const RIGHT: f64 = 52.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 36.0;

fn timeline(p: &mut String, t: Option<&Timeline>, opts: &Options) {
    let Some(t) = t else {
        return;
    };
    if t.starts.is_empty() || t.series.is_empty() {
        return;
    }
    let _ = writeln!(
        p,
        "<h2 id=\"timeline\">Failures over time</h2>\n<p class=\"muted\">{} buckets, {}. Bars: failed requests of the top groups (left scale); line: every W3C request (right scale).</p>",
        super::timeline::bucket_words(t.bucket_minutes),
        esc(&opts.zone.label(t.starts.first().copied()))
    );
    p.push_str("<div class=\"chart\">\n");
    chart_svg(p, t, opts.zone);
    p.push_str("<ul class=\"legend\">");
    for (i, s) in t.series.iter().enumerate() {
        let _ = write!(
            p,
            "<li><span class=\"swatch\" style=\"background:{}\"></span>{} <span class=\"muted\">{}</span></li>",
            SERIES_COLOURS[i % SERIES_COLOURS.len()],
            code(&s.code),
            s.total
        );
    }
    if t.requests.iter().any(|&r| r > 0) {
        p.push_str("<li><span class=\"swatch line\" style=\"background:#9aa5b1\"></span>all W3C requests</li>");
    }
    p.push_str("</ul>\n</div>\n");
    let peaks: Vec<&str> = t
        .series
        .iter()
        .filter_map(|s| s.peak.as_ref().map(|pk| pk.text.as_str()))
        .collect();
    if !peaks.is_empty() {
        p.push_str("<ul>\n");
        for text in peaks {
            let _ = writeln!(p, "<li>{}</li>", esc(text));
        }
        p.push_str("</ul>\n");
    }
}

/// A round step that cuts `max` into at most five intervals.
fn nice_step(max: u64) -> u64 {
    let mut step = 1;
    loop {
        for m in [1, 2, 5] {
            if max <= step * m * 5 {
                return step * m;
            }
        }
        step *= 10;
    }
}

fn chart_svg(p: &mut String, t: &Timeline, zone: Zone) {
    let n = t.starts.len();
    let stacked: Vec<u64> = (0..n)
        .map(|i| {
            t.series
                .iter()
                .map(|s| s.counts.get(i).copied().unwrap_or(0))
                .sum()
        })
        .collect();
    let max = stacked.iter().copied().max().unwrap_or(0).max(1);
    let step = nice_step(max);
    let top_value = max.div_ceil(step) * step;
    let plot_w = CHART_W - LEFT - RIGHT;
    let plot_h = CHART_H - TOP - BOTTOM;
    let slot = plot_w / n as f64;
    let bar = (slot * 0.8).max(1.0);
    let y_of = |v: f64, top: f64| TOP + plot_h - v / top * plot_h;
    let _ = writeln!(
        p,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {CHART_W} {CHART_H}\" role=\"img\" aria-label=\"Failures over time\" font-family=\"system-ui, sans-serif\" font-size=\"11\">"
    );
    // Grid and the left scale.
    let mut v = 0;
    while v <= top_value {
        let y = y_of(v as f64, top_value as f64);
        let _ = writeln!(
            p,
            "<line x1=\"{LEFT}\" x2=\"{:.1}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#e5e8eb\"/><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"#52606d\">{v}</text>",
            CHART_W - RIGHT,
            LEFT - 6.0,
            y + 4.0
        );
        v += step;
    }
    // Stacked bars, one colour per series, each with a tooltip.
    for i in 0..n {
        let x = LEFT + i as f64 * slot + (slot - bar) / 2.0;
        let mut base = 0u64;
        let from = zone.short(t.starts[i]);
        let to = zone.clock(t.starts[i] + t.bucket_minutes * 60_000);
        for (k, s) in t.series.iter().enumerate() {
            let c = s.counts.get(i).copied().unwrap_or(0);
            if c == 0 {
                continue;
            }
            let y1 = y_of((base + c) as f64, top_value as f64);
            let y0 = y_of(base as f64, top_value as f64);
            let _ = writeln!(
                p,
                "<rect class=\"bar\" x=\"{x:.2}\" y=\"{y1:.2}\" width=\"{bar:.2}\" height=\"{:.2}\" fill=\"{}\"><title>{}: {c} at {}-{}</title></rect>",
                (y0 - y1).max(0.5),
                SERIES_COLOURS[k % SERIES_COLOURS.len()],
                esc(&s.code),
                esc(&from),
                esc(&to)
            );
            base += c;
        }
    }
    // Every W3C request, as a line on its own (right) scale.
    let req_max = t.requests.iter().copied().max().unwrap_or(0);
    if req_max > 0 {
        let req_step = nice_step(req_max);
        let req_top = req_max.div_ceil(req_step) * req_step;
        let points: Vec<String> = t
            .requests
            .iter()
            .enumerate()
            .map(|(i, &r)| {
                format!(
                    "{:.1},{:.1}",
                    LEFT + (i as f64 + 0.5) * slot,
                    y_of(r as f64, req_top as f64)
                )
            })
            .collect();
        let _ = writeln!(
            p,
            "<polyline points=\"{}\" fill=\"none\" stroke=\"#9aa5b1\" stroke-width=\"1.5\"/>",
            points.join(" ")
        );
        let mut v = 0;
        while v <= req_top {
            let _ = writeln!(
                p,
                "<text x=\"{:.1}\" y=\"{:.1}\" fill=\"#9aa5b1\">{v}</text>",
                CHART_W - RIGHT + 6.0,
                y_of(v as f64, req_top as f64) + 4.0
            );
            v += req_step;
        }
    }
    // The time axis: at most eight labels, the date under the first and where it changes.
    let _ = writeln!(
        p,
        "<line x1=\"{LEFT}\" x2=\"{:.1}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"#52606d\"/>",
        CHART_W - RIGHT,
        TOP + plot_h,
        TOP + plot_h
    );
    let every = n.div_ceil(8).max(1);
    let mut last_day = String::new();
    for i in (0..n).step_by(every) {
        let x = LEFT + i as f64 * slot;
        let short = zone.short(t.starts[i]);
        let day = short.get(..10).unwrap_or("").to_string();
        let clock = if t.bucket_minutes >= 1440 {
            day.clone()
        } else {
            zone.clock(t.starts[i])
        };
        let _ = writeln!(
            p,
            "<line x1=\"{x:.1}\" x2=\"{x:.1}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"#52606d\"/><text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#52606d\">{}</text>",
            TOP + plot_h,
            TOP + plot_h + 4.0,
            TOP + plot_h + 16.0,
            esc(&clock)
        );
        if day != last_day && t.bucket_minutes < 1440 {
            let _ = writeln!(
                p,
                "<text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#9aa5b1\">{}</text>",
                TOP + plot_h + 30.0,
                esc(&day)
            );
            last_day = day;
        }
    }
    p.push_str("</svg>\n");
}

// ---- escaping ----

/// Text for HTML content and attribute values: the five characters that can end a text
/// run or an attribute are written as references; control characters become spaces.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn code(text: &str) -> String {
    format!("<code>{}</code>", esc(text))
}

/// An id for a group: its code with anything but letters, digits, `.` and `-` made `_`.
fn anchor(prefix: &str, code: &str) -> String {
    let tail: String = code
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{prefix}-{tail}")
}

/// A reference as a link when it is an http(s) address, else as text.
fn link(url: &str) -> String {
    let web = url.starts_with("https://") || url.starts_with("http://");
    if web && !url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        format!(
            "<a href=\"{}\" rel=\"noreferrer noopener\">{}</a>",
            esc(url),
            esc(url)
        )
    } else {
        esc(url)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn render_page(report: &Report) -> String {
        let mut out = Vec::new();
        write(
            &mut out,
            report,
            &Options {
                top: 10,
                zone: Zone::Utc,
            },
        )
        .unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn escaping_leaves_no_markup() {
        let cases = [
            (
                "<script>alert('x')</script>",
                "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;",
            ),
            (
                "\"><img src=x onerror=1>",
                "&quot;&gt;&lt;img src=x onerror=1&gt;",
            ),
            ("a&amp;b", "a&amp;amp;b"),
            ("line\nbreak", "line break"),
            ("plain /api/orders", "plain /api/orders"),
        ];
        for (text, want) in cases {
            assert_eq!(esc(text), want);
        }
        assert_eq!(anchor("g", "502.3.12002"), "g-502.3.12002");
        assert_eq!(anchor("h", "-.Timer x\"y"), "h--.Timer_x_y");
        assert_eq!(link("javascript:alert(1)"), "javascript:alert(1)");
        assert!(
            link("https://learn.microsoft.com/a?b=1&c=2")
                .contains("href=\"https://learn.microsoft.com/a?b=1&amp;c=2\"")
        );
    }

    #[test]
    fn every_series_has_its_own_colour() {
        assert!(SERIES_COLOURS.len() >= super::super::timeline::MAX_SERIES + 2);
        let mut seen = SERIES_COLOURS.to_vec();
        seen.sort_unstable();
        seen.dedup();
        assert_eq!(seen.len(), SERIES_COLOURS.len());
    }

    #[test]
    fn nice_steps() {
        for (max, step) in [
            (1, 1),
            (5, 1),
            (6, 2),
            (10, 2),
            (11, 5),
            (25, 5),
            (26, 10),
            (131, 50),
            (4000, 1000),
        ] {
            assert_eq!(nice_step(max), step, "{max}");
        }
    }

    #[test]
    fn the_page_is_self_contained() {
        let page = render_page(&super::super::testing::farm_report());
        assert!(page.starts_with("<!DOCTYPE html>"));
        // Nothing to fetch: no script, no external stylesheet, image or font; the only
        // addresses are the references' links and the SVG namespace.
        for bad in [
            "<script", "<link", "<img", "<iframe", "url(", "@import", "src=",
        ] {
            assert!(!page.contains(bad), "{bad}");
        }
        for line in page.lines().filter(|l| l.contains("://")) {
            let ok = line.contains("rel=\"noreferrer noopener\"")
                || line.contains("xmlns=\"http://www.w3.org/2000/svg\"");
            assert!(ok, "{line}");
        }
        assert!(page.contains("Content-Security-Policy"));
        // Every part is there.
        for needle in [
            "<h2 id=\"timeline\">Failures over time</h2>",
            "<rect class=\"bar\"",
            "<polyline",
            "<h2 id=\"groups\">Failed requests</h2>",
            "<a href=\"#g-502.3.12002\"><code>502.3.12002</code></a>",
            "<details class=\"group fault\" id=\"g-502.3.12002\" open>",
            "<details class=\"group benign\" id=\"g-401.2.5\">",
            "<dt>Evidence</dt><dd>1 trace: error set by ApplicationRequestRouting",
            "<ol class=\"checks\">",
            "Failed Request Tracing: 2 trace(s)",
            "HTTP.sys error log: 211 request(s)",
            "<code>503.AppOffline</code> on <code>OrdersPool</code>",
            "<h2 id=\"correlations\">Lined up in time</h2>",
        ] {
            assert!(page.contains(needle), "{needle}");
        }
        // The first series (502.3.12002) is drawn in the first colour.
        assert!(page.contains(&format!(
            "fill=\"{}\"><title>502.3.12002: ",
            SERIES_COLOURS[0]
        )));
    }

    #[test]
    fn log_values_are_escaped() {
        let (_dir, report) = super::super::testing::hostile_report();
        let page = render_page(&report);
        for url in super::super::testing::HOSTILE_URLS {
            assert!(page.contains(&esc(url)), "{url}");
        }
        for bad in ["<script", "<img", "<svg/onload", "onerror=alert(1)>"] {
            assert!(!page.contains(bad), "{bad}");
        }
    }
}
