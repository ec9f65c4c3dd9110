//! The page's tests: escaping, links, the chart, the farm's page, and the farm's page with
//! event logs (some of their data hostile).

#![allow(clippy::unwrap_used)]

use super::chart::{SERIES_COLOURS, nice_step};
use super::*;
use crate::report::testing::{HOSTILE_EVENT, farm_with_events};

fn render_page(report: &Report) -> String {
    let mut out = Vec::new();
    write(
        &mut out,
        report,
        &Layout {
            top: 10,
            ..Layout::default()
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
        ("line\nbreak\u{1b}[2J", "line\\nbreak\\x1b[2J"),
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
    assert!(SERIES_COLOURS.len() >= crate::explain::timeline::MAX_SERIES + 2);
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
    let shown = page.replace("<wbr>", "");
    for url in super::super::testing::HOSTILE_URLS {
        assert!(shown.contains(&esc(url)), "{url}");
    }
    for bad in ["<script", "<img", "<svg/onload", "onerror=alert(1)>"] {
        assert!(!page.contains(bad), "{bad}");
    }
}

/// Issue 15, item 17: code spans had `overflow-wrap: anywhere`, so a narrow table column
/// broke URLs and names inside words (`/api/order` over `s/search`).
#[test]
fn code_spans_wrap_between_url_parts_not_inside_words() {
    let rule = STYLE.lines().find(|l| l.starts_with("code {")).unwrap();
    assert!(rule.contains("overflow-wrap: break-word"), "{rule}");
    assert!(!rule.contains("anywhere"), "{rule}");
    assert_eq!(
        code("/api/orders/search?id=1&x=<y>"),
        "<code>/api<wbr>/orders<wbr>/search<wbr>?id=1<wbr>&amp;x=&lt;y&gt;</code>"
    );
    assert_eq!(
        code("ApplicationRequestRouting"),
        "<code>ApplicationRequestRouting</code>"
    );
    let token = "A".repeat(41);
    assert_eq!(code(&token), format!("<code class=\"long\">{token}</code>"));
}

/// The part of `page` from `from` to the end of the element it opens a `<details>` of (or,
/// for a heading, to the next `<h2`).
fn part<'a>(page: &'a str, from: &str) -> &'a str {
    let start = page.find(from).unwrap_or_else(|| panic!("{from}"));
    let rest = &page[start + from.len()..];
    let end = if from.starts_with("<details") {
        rest.find("</details>")
    } else {
        rest.find("<h2")
    };
    &page[start..start + from.len() + end.unwrap_or(rest.len())]
}

#[test]
fn event_chains_are_in_each_groups_list_the_explaining_one_first() {
    let page = render_page(&farm_with_events());
    let w3c = part(&page, "<details class=\"group fault\" id=\"g-500.19.13\"");
    assert!(
        w3c.contains("<dt>Events</dt><dd><ul class=\"chain\"><li class=\"explains\"><span class=\"lead\">explained by:</span> W3SVC-WP 2280 2026-11-18 11:29:02: A module DLL"),
        "{w3c}"
    );
    let httperr = part(
        &page,
        "<details class=\"group fault\" id=\"h-503.AppOffline-OrdersPool\"",
    );
    assert!(
        httperr.contains("<dt>Events</dt><dd><ul class=\"chain\"><li class=\"explains\"><span class=\"lead\">explained by:</span> WAS 5002 2026-11-18 11:40:02: OrdersPool: Application pool disabled"),
        "{httperr}"
    );
    assert_eq!(
        httperr
            .matches("<span class=\"lead\">along with:</span>")
            .count(),
        3
    );
    // In the group's list, after the cause.
    let (cause, events, end) = (
        httperr.find("<dt>Likely cause</dt>").unwrap(),
        httperr.find("<dt>Events</dt>").unwrap(),
        httperr.find("</dl>").unwrap(),
    );
    assert!(cause < events && events < end);
    assert!(
        !part(&page, "<details class=\"group fault\" id=\"g-502.3.12002\"")
            .contains("<dt>Events</dt>")
    );
}

#[test]
fn the_event_logs_section() {
    let page = render_page(&farm_with_events());
    assert!(page.contains("<a href=\"#events\">Event logs</a>"));
    let section = part(&page, "<h2 id=\"events\">Event logs</h2>");
    for needle in [
        "<p>19 event(s) read, 15 of them from the providers that take part in IIS failures, kept as evidence; from 2026-11-18 08:10:02 to 2026-11-18 11:40:02 UTC.</p>",
        "<tr><td><code>Microsoft-Windows-WAS</code></td><td class=\"num\">5002</td><td class=\"num\">1</td><td>Application pool disabled by rapid-fail protection",
        "<tr><td><code>Service Control Manager</code></td><td class=\"num\">7036</td><td class=\"num\">4</td><td><span class=\"muted\">counted only</span></td></tr>",
        "<p>2 <code>.NET Runtime</code> 1000 event(s) are the app's own log messages",
        "<h3 class=\"part\">Pool life</h3>",
        "<p><strong><code>OrdersPool</code></strong> on <code>WEB02</code>: <span class=\"muted\">recycled 3 times, every 1 h 0 min.</span></p>",
        "<li>2026-11-18 11:40:02 <span class=\"role\" style=\"border-color:#7f1d1d;color:#7f1d1d\">rapid-fail</span> WAS 5002 2026-11-18 11:40:02: Application pool disabled",
        "<h3 class=\"part\">Events with no failure at the same time</h3>",
        "<li>WAS 5074 2026-11-18 08:10:02: OrdersPool:",
        "<h3 class=\"part\">Failure groups no event explains</h3>",
        "<li><a href=\"#g-502.3.12002\"><code>502.3.12002</code></a></li>",
    ] {
        assert!(section.contains(needle), "{needle} in\n{section}");
    }
    // The page's own style covers the parts; nothing else is loaded (the hostile event's
    // escaped `src=x` is text).
    assert!(page.contains(EVENTS_STYLE));
    let page = page
        .replace(&code(HOSTILE_EVENT), "")
        .replace(&esc(HOSTILE_EVENT), "");
    for bad in [
        "<script", "<link", "<img", "<iframe", "url(", "@import", "src=",
    ] {
        assert!(!page.contains(bad), "{bad}");
    }
}

#[test]
fn event_runs_are_marked_on_the_time_axis() {
    let page = render_page(&farm_with_events());
    let svg = part(&page, "<svg");
    let svg = &svg[..svg.find("</svg>").unwrap()];
    // Two recycles (the third is before the chart starts), three crash runs, the disable;
    // not the module that failed to load, and not the .NET Runtime log messages.
    assert_eq!(svg.matches("<g class=\"marker\">").count(), 6, "{svg}");
    assert!(svg.contains("<g class=\"marker\"><title>WAS 5002 2026-11-18 11:40:02: OrdersPool: Application pool disabled"));
    assert!(!svg.contains("W3SVC-WP 2280"));
    // Each on the plot, coloured by its role.
    for g in svg.split("<g class=\"marker\">").skip(1) {
        let x: f64 = g
            .split("x1=\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .unwrap()
            .parse()
            .unwrap();
        assert!((48.0..=948.0).contains(&x), "{g}");
    }
    assert_eq!(svg.matches("fill=\"#1f2933\"").count(), 3);
    let legend = part(&page, "<ul class=\"legend\">");
    for entry in [
        "<li><span class=\"swatch marker\" style=\"background:#7f1d1d\"></span>pool disabled (rapid-fail) <span class=\"muted\">1</span></li>",
        "<li><span class=\"swatch marker\" style=\"background:#1f2933\"></span>crash <span class=\"muted\">3</span></li>",
        "<li><span class=\"swatch marker\" style=\"background:#0e7490\"></span>recycle <span class=\"muted\">2</span></li>",
    ] {
        assert!(legend.contains(entry), "{entry}");
    }
    assert!(!legend.contains("hang") && !legend.contains("start failure"));
    assert!(page.contains(
        "triangles: worker process and pool events from the event logs (point at one for its text)"
    ));
}

#[test]
fn markers_are_capped() {
    let mut report = farm_with_events();
    let ev = report.events.as_mut().unwrap();
    let disabled = ev
        .runs
        .iter()
        .find(|r| r.role == "rapid-fail")
        .unwrap()
        .clone();
    for _ in 0..300 {
        ev.runs.push(disabled.clone());
    }
    let page = render_page(&report);
    assert_eq!(page.matches("<g class=\"marker\">").count(), 200);
    assert!(page.contains("(the first 200 of 306; point at one for its text)"));
}

/// Event data is written by whoever can write to the event log (or edit an export), and
/// every event text is built from it: nothing of it may come out as markup, in a list, a
/// table, a chart tooltip or a name.
#[test]
fn hostile_event_text_is_escaped() {
    let mut report = farm_with_events();
    let chain = report
        .groups
        .iter_mut()
        .find_map(|g| g.events.as_mut())
        .unwrap();
    chain.lines[0] = format!("W3SVC-WP 2280 2026-11-18 11:29:02: {HOSTILE_EVENT}");
    let page = render_page(&report);
    // In a chain, a pool's life, the unlinked runs, a tooltip, and as a pool and server name.
    assert!(page.contains(&format!(
        "<span class=\"lead\">explained by:</span> W3SVC-WP 2280 2026-11-18 11:29:02: {}</li>",
        esc(HOSTILE_EVENT)
    )));
    assert!(page.contains(&format!(
        "<title>Application Error 1000 2026-11-18 11:39:02: w3wp.exe crashed in {}",
        esc(HOSTILE_EVENT)
    )));
    assert!(page.contains(&format!(
        "<p><strong>{}</strong> on {}:</p>",
        code(HOSTILE_EVENT),
        code(HOSTILE_EVENT)
    )));
    // With those taken out, nothing of it is left: it went through a guard each time.
    let rest = page
        .replace(&code(HOSTILE_EVENT), "")
        .replace(&esc(HOSTILE_EVENT), "");
    for bad in ["Evil", "<script", "<img", "onerror", "\u{202e}"] {
        assert!(!rest.contains(bad), "{bad}");
    }
}

#[test]
fn a_page_without_event_logs_has_none_of_their_parts() {
    let page = render_page(&super::super::testing::farm_without_events());
    for part in [
        EVENTS_STYLE,
        "id=\"events\"",
        "#events",
        "<dt>Events</dt>",
        "class=\"marker\"",
        "triangles",
    ] {
        assert!(!page.contains(part), "{part}");
    }
}
