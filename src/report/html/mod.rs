//! `--html FILE`: the report as one self-contained HTML page to attach to a ticket: the
//! summary table, the failures over time drawn as a chart (inline SVG), each group's
//! explanation and checks, the trace evidence, the HTTP.sys findings and the Windows
//! events (the ones that explain each group, and what the event logs said overall).
//!
//! The page loads nothing: no script, no font, no image from anywhere, and its Content
//! Security Policy forbids them, so it opens the same offline, from a mail attachment or a
//! ticket. Everything that comes from the logs (URLs, server and pool names, trace data,
//! event data and the event texts built from it) is attacker-controlled and is escaped;
//! links are made only from the knowledge base's references, and only for http(s)
//! addresses.

use std::fmt::Write as _;
use std::io::{self, Write};

mod chart;

use super::Layout;
use super::phrase::{self, EVENT_ROWS, EVENTS_LISTED, human_ms};
use crate::explain::events::{Chain, EventsReport};
use crate::explain::{GroupReport, HttpErrReport, Report, lint};
use crate::triple::Triple;

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
code { font: 13px/1.4 ui-monospace, "Cascadia Mono", Consolas, Menlo, monospace; background: #f3f5f7; padding: 1px 4px; border-radius: 3px; overflow-wrap: break-word; }
code.long { overflow-wrap: anywhere; }
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

/// The style of what only a page with event logs has (added to [`STYLE`] then, so that a
/// page without them is the same as before events were read).
const EVENTS_STYLE: &str = r#".swatch.marker { clip-path: polygon(50% 0, 100% 100%, 0 100%); }
ul.chain { margin: 0; padding-left: 18px; }
ul.chain li.explains { font-weight: 600; }
.lead { color: var(--benign); font-weight: 400; }
h3.part { display: block; margin: 22px 0 6px; }
ul.life { margin-top: 4px; }
.role { font-size: 12px; border: 1px solid var(--benign); border-radius: 8px; padding: 0 6px; margin: 0 4px; }
"#;

/// Writes the whole page.
pub fn write(out: &mut dyn Write, report: &Report, opts: &Layout) -> io::Result<()> {
    let mut page = String::with_capacity(64 * 1024);
    render(&mut page, report, opts);
    out.write_all(page.as_bytes())
}

fn render(p: &mut String, report: &Report, opts: &Layout) {
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
        .map(|f| format!(", {}", opts.zone.short(f).get(..10).unwrap_or("")))
        .unwrap_or_default();
    let _ = writeln!(
        p,
        "<title>iisdiag report: {} failed of {} requests{}</title>",
        t.failed,
        t.requests,
        esc(&when)
    );
    let events_style = if report.events.is_some() {
        EVENTS_STYLE
    } else {
        ""
    };
    let _ = writeln!(
        p,
        "<style>{STYLE}{events_style}</style>\n</head>\n<body>\n<main>"
    );
    p.push_str("<h1>iisdiag report</h1>\n");
    totals(p, report, opts);
    nav(p, report);
    chart::timeline(p, report.timeline.as_ref(), report.events.as_ref(), opts);
    summary(p, report, opts);
    traces(p, report);
    httperr(p, report, opts);
    if let Some(ev) = &report.events {
        events(p, report, ev, opts);
    }
    correlations(p, report);
    if let Some(t) = &report.tiers {
        super::tiers::push_html(p, t);
    }
    if let Some(config) = &report.config {
        let _ = writeln!(p, "<section id=\"config\"><h2>Configuration</h2>\n<ul>");
        for line in &config.text {
            let _ = writeln!(p, "<li>{}</li>", esc(line));
        }
        let _ = writeln!(p, "</ul></section>");
    }
    if let Some(ancm) = &report.ancm_debug {
        let _ = writeln!(
            p,
            "<section id=\"ancm-debug\"><h2>ASP.NET Core Module debug logs</h2>"
        );
        let _ = writeln!(p, "<p>{}</p>", esc(&ancm.text));
        let _ = writeln!(p, "<ul>");
        for s in &ancm.sessions {
            let _ = write!(p, "<li>{}", esc(&s.text));
            findings(p, &s.findings);
            let _ = writeln!(p, "</li>");
        }
        let _ = writeln!(p, "</ul></section>");
    }
    if let Some(php) = &report.php {
        let _ = writeln!(p, "<section id=\"php\"><h2>PHP error log</h2>");
        let _ = writeln!(p, "<p>{}</p>", esc(&php.text));
        if !php.top_fatal.is_empty() {
            let _ = writeln!(p, "<ul>");
            for e in &php.top_fatal {
                let _ = writeln!(p, "<li>{}</li>", esc(&e.text));
            }
            let _ = writeln!(p, "</ul>");
        }
        let _ = writeln!(p, "</section>");
    }
    if let Some(so) = &report.stdout {
        let _ = writeln!(
            p,
            "<section id=\"stdout\"><h2>ASP.NET Core stdout logs</h2>"
        );
        let _ = writeln!(p, "<p>{}</p>", esc(&so.text));
        let items: String = so
            .startup
            .iter()
            .map(|l| format!("<li>{}</li>", esc(l)))
            .collect();
        if !items.is_empty() {
            let _ = writeln!(p, "<ul>{items}</ul>");
        }
        let _ = writeln!(p, "</section>");
    }
    if let Some(b) = &report.bundle {
        bundle(p, &super::bundle::view(b));
    }
    let _ = writeln!(
        p,
        "<footer>Made by iisdiag {} from {} file(s). Times are {}; the logs write UTC.</footer>",
        env!("CARGO_PKG_VERSION"),
        t.files_read,
        esc(&opts.zone.label(t.first_seen))
    );
    p.push_str("</main>\n</body>\n</html>\n");
}

fn totals(p: &mut String, report: &Report, opts: &Layout) {
    let t = &report.totals;
    let mut line = format!("{} requests read from {} file(s)", t.requests, t.files_read);
    if t.files_skipped > 0 {
        let _ = write!(line, ", {} skipped", t.files_skipped);
    }
    if t.malformed_lines > 0 {
        let _ = write!(line, ", {} malformed line(s)", t.malformed_lines);
    }
    let h = crate::report::phrase::headline(t, &report.filters);
    let grouped = h
        .grouped
        .map(|n| format!("; {n} grouped"))
        .unwrap_or_default();
    let _ = writeln!(
        p,
        "<p class=\"totals\">{}; <strong>{} {}</strong> ({}%){grouped}.</p>",
        esc(&line),
        h.count,
        h.word,
        h.share
    );
    if let (Some(first), Some(last)) = (t.first_seen, t.last_seen) {
        let _ = writeln!(
            p,
            "<p class=\"muted\">From {} to {} {}.</p>",
            esc(&opts.zone.short(first)),
            esc(&opts.zone.short(last)),
            esc(&opts.zone.label(Some(first)))
        );
    }
    if !report.filters.is_empty() {
        let _ = writeln!(
            p,
            "<p class=\"muted\">Filtered: {}.</p>",
            esc(&report.filters.join("; "))
        );
    }
    if let Some(counts) = &report.redacted {
        let _ = writeln!(p, "<p class=\"muted\">{}</p>", esc(&counts.sentence()));
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
    if report.events.is_some() {
        p.push_str("<a href=\"#events\">Event logs</a>");
    }
    if !report.correlations.is_empty() {
        p.push_str("<a href=\"#correlations\">Lined up in time</a>");
    }
    if report.bundle.is_some() {
        p.push_str("<a href=\"#bundle\">Bundle</a>");
    }
    p.push_str("</nav>\n");
}

/// `fault`, `client` or `benign`: the CSS class of a status.
fn class_of(status: Option<u16>, benign: bool) -> &'static str {
    match status {
        _ if benign => "benign",
        Some(400..=499) => "client",
        _ => "fault",
    }
}

fn summary(p: &mut String, report: &Report, opts: &Layout) {
    if report.groups.is_empty() {
        if report.totals.requests > 0 {
            p.push_str("<h2 id=\"groups\">Failed requests</h2>\n<p>No failed requests in the W3C logs.</p>\n");
        }
        return;
    }
    p.push_str("<h2 id=\"groups\">Failed requests</h2>\n");
    if report.totals.requests == 0 {
        let _ = writeln!(
            p,
            "<p>No W3C log lines: these groups come from {} alone.</p>",
            phrase::sources_alone(report)
        );
    }
    p.push_str("<table class=\"summary\">\n<thead><tr><th>status.sub.win32</th><th class=\"num\">count</th><th class=\"num\">share</th><th class=\"num\">p50 / p95</th><th>top URL</th><th>meaning</th></tr></thead>\n<tbody>\n");
    for g in &report.groups {
        let times = phrase::times_text(g);
        let url = phrase::top_url_text(g, code);
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

fn group(p: &mut String, g: &GroupReport, open: bool, opts: &Layout) {
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
    if let (Some(first), Some(last)) = (g.first_seen, g.last_seen) {
        let mut seen = format!(
            "{} .. {} {}",
            esc(&opts.zone.short(first)),
            esc(&opts.zone.short(last)),
            esc(&opts.zone.label(Some(first)))
        );
        if !g.servers.is_empty() {
            let _ = write!(
                seen,
                " on {}",
                phrase::names(&g.servers, "server", "servers", code)
            );
        }
        if !g.sites.is_empty() {
            let labels = g.site_labels();
            let _ = write!(seen, ", {}", phrase::names(&labels, "site", "sites", code));
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
    for page in &g.pages {
        let _ = writeln!(p, "<dt>Pages</dt><dd>{}</dd>", esc(&page.text));
    }
    for e in &g.php {
        let _ = writeln!(p, "<dt>PHP</dt><dd>{}</dd>", esc(&e.text));
    }
    for line in g.stdout.iter().map(|e| &e.text).chain(&g.stdout_missing) {
        let _ = writeln!(p, "<dt>stdout</dt><dd>{}</dd>", esc(line));
    }
    for e in &g.ancm_debug {
        let _ = write!(p, "<dt>ANCM</dt><dd>{}", esc(&e.text));
        findings(p, &e.findings);
        let _ = writeln!(p, "</dd>");
    }
    for pool in &g.pools {
        let _ = writeln!(p, "<dt>Pool</dt><dd>{}</dd>", esc(&pool.describe()));
    }
    for setting in &g.settings {
        let _ = writeln!(p, "<dt>Setting</dt><dd>{}</dd>", esc(&setting.describe()));
    }
    for f in &g.config_findings {
        let _ = writeln!(p, "<dt>Config</dt><dd>{}</dd>", esc(&lint::describe(f)));
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
    if let Some(events) = chain(g.events.as_ref()) {
        let _ = writeln!(p, "{events}");
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

fn httperr(p: &mut String, report: &Report, opts: &Layout) {
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
            httperr_id(g),
            code(&g.code),
            code(&g.queue),
            g.count,
            esc(&phrase::seen(g.first_seen, g.last_seen, opts.zone)),
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
            httperr_id(g),
            if open { " open" } else { "" }
        );
        let _ = writeln!(
            p,
            "<summary><h3>{}{pool} {}</h3> <span class=\"muted\">{} (HTTP.sys), {}</span></summary>",
            code(&g.code),
            esc(&g.title),
            g.count,
            esc(&phrase::seen(g.first_seen, g.last_seen, opts.zone))
        );
        let settings: String = g
            .pool
            .iter()
            .map(|pool| format!("<dt>Pool</dt><dd>{}</dd>", esc(&pool.describe())))
            .chain(
                g.settings
                    .iter()
                    .map(|s| format!("<dt>Setting</dt><dd>{}</dd>", esc(&s.describe()))),
            )
            .collect();
        let _ = writeln!(
            p,
            "<dl><dt>Likely cause</dt><dd>{}</dd>{settings}{}</dl>",
            esc(&g.cause),
            chain(g.events.as_ref()).unwrap_or_default()
        );
        checks(p, &g.hints);
        references(p, &g.references);
        p.push_str("</details>\n");
    }
}

/// The events that explain a group, as a `<dt>`/`<dd>` pair: the explaining one first.
fn chain(chain: Option<&Chain>) -> Option<String> {
    let chain = chain.filter(|c| !c.lines.is_empty())?;
    let mut out = String::from("<dt>Events</dt><dd><ul class=\"chain\">");
    for (i, line) in chain.lines.iter().enumerate() {
        let _ = write!(
            out,
            "<li{}><span class=\"lead\">{}:</span> {}</li>",
            if i == 0 { " class=\"explains\"" } else { "" },
            phrase::chain_lead(i),
            esc(line)
        );
    }
    out.push_str("</ul></dd>");
    if let Some(next) = &chain.next {
        let _ = write!(out, "<dt>Next</dt><dd>{}.</dd>", esc(next));
    }
    Some(out)
}

fn events(p: &mut String, report: &Report, ev: &EventsReport, opts: &Layout) {
    p.push_str("<h2 id=\"events\">Event logs</h2>\n");
    let _ = writeln!(p, "<p>{}</p>", esc(&phrase::events_headline(ev, opts.zone)));
    if !ev.counts.is_empty() {
        p.push_str("<table>\n<thead><tr><th>provider</th><th class=\"num\">id</th><th class=\"num\">count</th><th>meaning</th></tr></thead>\n<tbody>\n");
        for c in ev.counts.iter().take(EVENT_ROWS) {
            let meaning = c.title.as_deref().map_or_else(
                || "<span class=\"muted\">counted only</span>".to_string(),
                esc,
            );
            let _ = writeln!(
                p,
                "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{meaning}</td></tr>",
                code(&c.provider),
                c.id,
                c.count
            );
        }
        p.push_str("</tbody>\n</table>\n");
        if let Some(more) = phrase::more_counts(ev) {
            let _ = writeln!(p, "<p class=\"muted\">{}</p>", esc(&more));
        }
    }
    if ev.app_log > 0 {
        let _ = writeln!(p, "<p>{}</p>", phrase::app_log(ev.app_log, code));
    }
    if !ev.pools.is_empty() {
        p.push_str("<h3 class=\"part\">Pool life</h3>\n");
        for life in ev.pools.iter().take(EVENTS_LISTED) {
            let on = life
                .computer
                .as_deref()
                .map_or_else(String::new, |c| format!(" on {}", code(c)));
            let rhythm = life.rhythm.as_deref().map_or_else(String::new, |r| {
                format!(" <span class=\"muted\">{}.</span>", esc(r))
            });
            let _ = writeln!(
                p,
                "<p><strong>{}</strong>{on}:{rhythm}</p>\n<ul class=\"life\">",
                code(&life.subject)
            );
            for step in life.steps.iter().take(EVENTS_LISTED) {
                let colour = chart::marker_colour(&step.role).map_or_else(String::new, |c| {
                    format!(" style=\"border-color:{c};color:{c}\"")
                });
                let _ = writeln!(
                    p,
                    "<li>{} <span class=\"role\"{colour}>{}</span> {}</li>",
                    esc(&phrase::time(opts.zone, step.time)),
                    esc(&step.role),
                    esc(&step.text)
                );
            }
            if let Some(more) = phrase::more_listed(life.steps.len(), "step(s)") {
                let _ = writeln!(p, "<li class=\"muted\">{}</li>", esc(&more));
            }
            p.push_str("</ul>\n");
        }
        if let Some(more) = phrase::more_listed(ev.pools.len(), "pool(s)") {
            let _ = writeln!(p, "<p class=\"muted\">{}</p>", esc(&more));
        }
    }
    let unlinked: Vec<&str> = ev
        .unlinked
        .iter()
        .filter_map(|&i| ev.runs.get(i))
        .map(|r| r.text.as_str())
        .collect();
    if !unlinked.is_empty() {
        p.push_str("<h3 class=\"part\">Events with no failure at the same time</h3>\n<ul>\n");
        for t in unlinked.iter().take(EVENTS_LISTED) {
            let _ = writeln!(p, "<li>{}</li>", esc(t));
        }
        if let Some(more) = phrase::more_listed(unlinked.len(), "event run(s)") {
            let _ = writeln!(p, "<li class=\"muted\">{}</li>", esc(&more));
        }
        p.push_str("</ul>\n");
    }
    if !ev.unexplained.is_empty() {
        p.push_str("<h3 class=\"part\">Failure groups no event explains</h3>\n<p>The event logs cover their time, but no event lines up with them by time, server and pool.</p>\n<ul>\n");
        for c in ev.unexplained.iter().take(EVENTS_LISTED) {
            let _ = writeln!(p, "<li>{}</li>", group_link(report, c));
        }
        if let Some(more) = phrase::more_listed(ev.unexplained.len(), "group(s)") {
            let _ = writeln!(p, "<li class=\"muted\">{}</li>", esc(&more));
        }
        p.push_str("</ul>\n");
    }
}

/// A failure group named as the joins name it (`500.19.13`, `503.AppOffline on OrdersPool`),
/// as code linked to its explanation when the report has it.
fn group_link(report: &Report, name: &str) -> String {
    let id = if report.groups.iter().any(|g| g.code == name) {
        Some(anchor("g", name))
    } else {
        report
            .httperr
            .iter()
            .find(|g| format!("{} on {}", g.code, g.queue) == name)
            .map(httperr_id)
    };
    match id {
        Some(id) => format!("<a href=\"#{id}\">{}</a>", code(name)),
        None => code(name),
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

/// Log text for HTML: the one guard, [`crate::guard::html`].
pub use crate::guard::html as esc;

/// A list of findings, each escaped.
fn findings(p: &mut String, items: &[String]) {
    if items.is_empty() {
        return;
    }
    let _ = write!(p, "<ul>");
    for f in items {
        let _ = write!(p, "<li>{}</li>", esc(f));
    }
    let _ = write!(p, "</ul>");
}

/// A log value as code. A break opportunity (`<wbr>`) before each `/`, `?` and `&` lets a
/// URL wrap between its parts when its table cell is narrow; the style breaks a code span
/// inside a word only where it would overflow (`overflow-wrap: break-word`, which unlike
/// `anywhere` does not let a table squeeze the column until every token breaks); a run of
/// more than 40 characters with no place to wrap (a hostile token) may break anywhere
/// (class `long`), so that it cannot push the page wide.
fn code(text: &str) -> String {
    const LONG_RUN: usize = 40;
    let mut body = String::with_capacity(text.len() + 16);
    let (mut run, mut longest) = (0, 0);
    let mut buf = [0; 4];
    for (i, c) in text.chars().enumerate() {
        if i > 0 && matches!(c, '/' | '?' | '&') {
            body.push_str("<wbr>");
        }
        body.push_str(&esc(c.encode_utf8(&mut buf)));
        run = if matches!(c, '/' | '?' | '&' | ' ') {
            0
        } else {
            run + 1
        };
        longest = longest.max(run);
    }
    if longest > LONG_RUN {
        format!("<code class=\"long\">{body}</code>")
    } else {
        format!("<code>{body}</code>")
    }
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

/// The id of an HTTP.sys group's explanation.
fn httperr_id(g: &HttpErrReport) -> String {
    anchor("h", &format!("{}-{}", g.code, g.queue))
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

/// The bundle section: layout, evidence read and missing, the files not used by reason.
fn bundle(p: &mut String, v: &super::bundle::View<'_>) {
    let _ = writeln!(p, "<section id=\"bundle\"><h2>Bundle</h2>\n<ul>");
    for l in &v.layouts {
        let _ = writeln!(p, "<li>{}</li>", esc(l));
    }
    let _ = writeln!(p, "<li>{}</li>", esc(&v.held));
    for m in &v.missing {
        let _ = writeln!(p, "<li class=\"missing\">{}</li>", esc(m));
    }
    let _ = writeln!(p, "</ul>");
    if let Some(head) = &v.not_used {
        let _ = writeln!(p, "<p>{}</p>\n<ul>", esc(head));
        for r in &v.reasons {
            let _ = write!(p, "<li>{}:<ul>", esc(r.reason));
            for name in &r.names {
                let _ = write!(p, "<li><code>{}</code></li>", esc(name));
            }
            if r.more > 0 {
                let _ = write!(p, "<li>{}</li>", esc(&super::bundle::more(r.more)));
            }
            let _ = writeln!(p, "</ul></li>");
        }
        let _ = writeln!(p, "</ul>");
    }
    if let Some(u) = &v.unread {
        let _ = writeln!(p, "<p>{}</p>", esc(u));
    }
    let _ = writeln!(p, "</section>");
}

#[cfg(test)]
mod tests;
