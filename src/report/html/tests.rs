//! The page's tests: escaping, links, the chart and the farm's page.

#![allow(clippy::unwrap_used)]

use super::chart::{SERIES_COLOURS, nice_step};
use super::*;

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
