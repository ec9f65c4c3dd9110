//! The tiers section: what the servers behind the front ends logged of the front ends'
//! failures, per code, and each backend's share. Server names and codes come from the logs:
//! each line goes through the guard of its medium (terminal, Markdown, HTML).

use std::io::{self, Write};

use super::phrase::human_ms;
use crate::explain::tiers::{BackendReport, TiersReport};
use crate::guard;

/// The section's lines as plain text, before the medium's guard: a heading-less list.
fn lines(t: &TiersReport) -> (String, Vec<String>, Vec<String>) {
    let mut intro = format!(
        "Front ends {} paired with the servers behind them.",
        t.front_ends.join(", ")
    );
    if t.dropped > 0 {
        intro.push_str(&format!(
            " {} front-end failures past the first 100,000 were not paired.",
            t.dropped
        ));
    }
    // Failures that could not be paired are counted once here, not per code.
    let unpaired: u64 = t.groups.iter().map(|g| g.unpaired).sum();
    if unpaired > 0 {
        intro.push_str(&format!(
            " {unpaired} of their failures fall at times no backend log covers and are not \
             counted below."
        ));
    }
    let outcomes = t
        .groups
        .iter()
        .flat_map(|g| g.text.iter().cloned())
        .collect();
    let backends = t.backends.iter().map(backend_line).collect();
    (intro, outcomes, backends)
}

/// `app01: 25 requests from the front ends, 0 failed, p50 43 ms, p95 66 ms, 38% of the
/// front ends' failures`.
fn backend_line(b: &BackendReport) -> String {
    let ms = |v: Option<u64>| v.map_or_else(|| "-".to_string(), human_ms);
    let farm = b
        .farm_address
        .as_ref()
        .map_or_else(String::new, |a| format!(" (farm address {a})"));
    format!(
        "{}{farm}: {} requests from the front ends, {} failed, p50 {}, p95 {}, {:.0}% of the front ends' failures",
        b.server,
        b.requests,
        b.failures,
        ms(b.p50_ms),
        ms(b.p95_ms),
        b.share_of_front_failures * 100.0
    )
}

/// The section for the terminal; `fill` wraps and guards each line.
pub fn write_table(
    out: &mut dyn Write,
    t: &TiersReport,
    heading: &str,
    fill: impl Fn(&str, &str, &str) -> String,
) -> io::Result<()> {
    let (intro, outcomes, backends) = lines(t);
    writeln!(out)?;
    writeln!(out, "{heading}")?;
    writeln!(out, "{}", fill(&intro, "  ", "  "))?;
    for line in outcomes.iter().chain(&backends) {
        writeln!(out, "{}", fill(line, "    ", "  - "))?;
    }
    Ok(())
}

/// The section in Markdown.
pub fn write_markdown(out: &mut dyn Write, t: &TiersReport) -> io::Result<()> {
    let (intro, outcomes, backends) = lines(t);
    writeln!(out)?;
    writeln!(out, "## Which tier failed")?;
    writeln!(out)?;
    writeln!(out, "{}", guard::markdown::text(&intro))?;
    writeln!(out)?;
    for line in outcomes.iter().chain(&backends) {
        writeln!(out, "- {}", guard::markdown::text(line))?;
    }
    Ok(())
}

/// The section in HTML.
pub fn push_html(p: &mut String, t: &TiersReport) {
    let (intro, outcomes, backends) = lines(t);
    p.push_str("<h2 id=\"tiers\">Which tier failed</h2>\n<p>");
    p.push_str(&guard::html(&intro));
    p.push_str("</p>\n<ul>\n");
    for line in outcomes.iter().chain(&backends) {
        p.push_str("<li>");
        p.push_str(&guard::html(line));
        p.push_str("</li>\n");
    }
    p.push_str("</ul>\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explain::tiers::TierGroup;

    fn hostile() -> TiersReport {
        TiersReport {
            front_ends: vec!["web\u{1b}[31m01<b>".into()],
            backends: vec![BackendReport {
                server: "app|01\u{202e}".into(),
                farm_address: Some("app01.internal".into()),
                requests: 4,
                failures: 1,
                p50_ms: Some(40),
                p95_ms: None,
                share_of_front_failures: 0.5,
            }],
            groups: Vec::<TierGroup>::new(),
            dropped: 3,
        }
    }

    #[test]
    fn backend_line_counts_share_and_latency() {
        let line = backend_line(&hostile().backends[0]);
        assert!(line.starts_with("app|01\u{202e} (farm address app01.internal): 4 requests"));
        assert!(line.contains("4 requests from the front ends, 1 failed, p50 40 ms, p95 -, 50%"));
    }

    #[test]
    fn log_names_reach_no_medium_raw() {
        let t = hostile();
        let mut md = Vec::new();
        write_markdown(&mut md, &t).unwrap_or_default();
        let md = String::from_utf8_lossy(&md);
        assert!(!md.contains('\u{1b}') && !md.contains('\u{202e}'), "{md}");
        assert!(md.contains("past the first 100,000"), "{md}");
        let mut html = String::new();
        push_html(&mut html, &t);
        assert!(!html.contains("<b>") && !html.contains('\u{1b}'), "{html}");
        let mut term = Vec::new();
        write_table(&mut term, &t, "Tiers:", |s, _, _| {
            guard::terminal(s).into_owned()
        })
        .unwrap_or_default();
        let term = String::from_utf8_lossy(&term);
        assert!(
            !term.contains('\u{1b}') && !term.contains('\u{202e}'),
            "{term}"
        );
    }
}
