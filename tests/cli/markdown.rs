//! `scan --format markdown`: a report to paste into a ticket.

use super::*;

#[test]
fn markdown_report_of_the_farm() {
    let out = iisdiag()
        .arg("scan")
        .arg(repo("testdata/farm"))
        .args(["--format", "markdown", "--top", "2", "--color", "always"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let md = String::from_utf8(out.stdout).unwrap();
    assert!(md.starts_with("# iisdiag report\n"), "{md}");
    for needle in [
        "| status.sub.win32 | count | share | p50 / p95 | top URL | meaning |",
        "| `502.3.12002` | 131 | 2.0% | 30.0 s / 30.1 s | `/api/orders/search` (129) |",
        "### `502.3.12002`: ARR proxy timeout",
        "**Check:**",
        "1. Compare time-taken with the proxy timeout",
        "- **Evidence:** 1 trace: error set by ApplicationRequestRouting",
        "## Failed Request Tracing: 2 trace(s)",
        "## HTTP.sys error log: 211 request(s)",
        "### `503.AppOffline` on `OrdersPool`",
        "## Lined up in time",
    ] {
        assert!(md.contains(needle), "{needle} missing in\n{md}");
    }
    // Colour is for terminals: Markdown never carries escapes.
    assert!(!md.contains('\u{1b}'));
}
