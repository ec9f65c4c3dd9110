//! Wording more than one writer uses, so that every output says the same fact the same way.

use std::io::{self, Write};

use crate::explain::events::EventsReport;
use crate::explain::{GroupReport, Totals};
use crate::time::{Millis, Zone};

/// A duration in milliseconds as people read it: `15 ms`, `1.2 s`, `30.0 s`, `2.0 min`.
pub fn human_ms(ms: u64) -> String {
    if ms < 1_000 {
        format!("{ms} ms")
    } else if ms < 120_000 {
        format!("{:.1} s", ms as f64 / 1000.0)
    } else {
        format!("{:.1} min", ms as f64 / 60_000.0)
    }
}

/// A time as `2026-11-18 10:42:03` in `zone`, or `-`.
pub fn time(zone: Zone, t: Option<Millis>) -> String {
    t.map_or_else(|| "-".to_string(), |t| zone.short(t))
}

/// `30.0 s / 30.1 s` (time-taken p50 / p95), or `-` when the log has no time-taken.
pub fn times_text(g: &GroupReport) -> String {
    g.time_taken_ms.map_or_else(
        || "-".to_string(),
        |t| format!("{} / {}", human_ms(t.p50), human_ms(t.p95)),
    )
}

/// The top URL as `show` writes it, with its count when other URLs share the group; `-`
/// when the group has none.
pub fn top_url_text(g: &GroupReport, show: impl Fn(&str) -> String) -> String {
    g.top_urls.first().map_or_else(
        || "-".to_string(),
        |u| {
            if u.count == g.count {
                show(&u.url)
            } else {
                format!("{} ({})", show(&u.url), u.count)
            }
        },
    )
}

/// The likely cause and the numbered checks, as the plain-text outputs (`explain`, `freb`)
/// write them under an entry's title.
pub fn cause_and_checks(out: &mut dyn Write, cause: &str, checks: &[String]) -> io::Result<()> {
    writeln!(out, "  Likely cause: {cause}")?;
    writeln!(out, "  Check:")?;
    for (i, c) in checks.iter().enumerate() {
        writeln!(out, "    {}. {c}", i + 1)?;
    }
    Ok(())
}

/// What the headline counts: the requests that failed, or those a status filter matched, with
/// their share of all requests read; and the grouped count when it differs (with `--all` the
/// successes are grouped too, and are not called failures).
pub struct Headline {
    pub count: u64,
    /// `failed` or `matched the status filter`.
    pub word: &'static str,
    pub share: f64,
    pub grouped: Option<u64>,
}

pub fn headline(t: &Totals, filters: &[String]) -> Headline {
    let (count, word) = if filters.iter().any(|f| f.starts_with("status ")) {
        (t.failures, "matched the status filter")
    } else {
        (t.failed, "failed")
    };
    Headline {
        count,
        word,
        share: crate::explain::percent(count, t.requests),
        grouped: (count != t.failures).then_some(t.failures),
    }
}

/// `2026-11-18 11:40:22 .. 2026-11-18 11:44:02 UTC` in `zone`, or `-` without both times.
pub fn seen(first: Option<Millis>, last: Option<Millis>, zone: Zone) -> String {
    match (first, last) {
        (Some(first), Some(last)) => format!(
            "{} .. {} {}",
            zone.short(first),
            zone.short(last),
            zone.label(Some(first))
        ),
        _ => "-".to_string(),
    }
}

/// `2 servers (WEB01, web02)`: the count, and the first four names as `show` writes them.
pub fn names(names: &[String], one: &str, many: &str, show: impl Fn(&str) -> String) -> String {
    const SHOWN: usize = 4;
    let noun = if names.len() == 1 { one } else { many };
    let shown: Vec<String> = names.iter().take(SHOWN).map(|n| show(n)).collect();
    let more = if names.len() > SHOWN { ", ..." } else { "" };
    format!("{} {noun} ({}{more})", names.len(), shown.join(", "))
}

/// How many provider and id rows the event counts list.
pub const EVENT_ROWS: usize = 20;
/// How many runs of events a list shows (a pool's life, the events no failure lines up with),
/// and how many pools: each is one line, and a hostile or huge log could make thousands.
pub const EVENTS_LISTED: usize = 20;

/// `18 event(s) read, 14 of them from the providers ..., kept as evidence; from .. to .. UTC.`
pub fn events_headline(ev: &EventsReport, zone: Zone) -> String {
    let mut line = format!(
        "{} event(s) read, {} of them from the providers that take part in IIS failures, kept as evidence",
        ev.total, ev.kept
    );
    if ev.dropped > 0 {
        line.push_str(&format!(
            " ({} more of those past the cap, counted only)",
            ev.dropped
        ));
    }
    if let (Some(first), Some(last)) = (ev.first, ev.last) {
        line.push_str(&format!(
            "; from {} to {} {}",
            zone.short(first),
            zone.short(last),
            zone.label(Some(first))
        ));
    }
    line.push('.');
    line
}

/// What a line of a group's chain of events is to the group: the first explains it, the
/// rest came with it.
pub fn chain_lead(index: usize) -> &'static str {
    if index == 0 {
        "explained by"
    } else {
        "along with"
    }
}

/// `3 more provider/id pair(s) (120 events) not listed.`, when the counts were cut.
pub fn more_counts(ev: &EventsReport) -> Option<String> {
    let rest = ev.counts.get(EVENT_ROWS..)?;
    if rest.is_empty() {
        return None;
    }
    let events: u64 = rest.iter().fold(0, |sum, c| sum.saturating_add(c.count));
    Some(format!(
        "{} more provider/id pair(s) ({events} event(s)) not listed.",
        rest.len()
    ))
}

/// `5 more not listed.`, when a list of `len` was cut to [`EVENTS_LISTED`].
pub fn more_listed(len: usize, what: &str) -> Option<String> {
    (len > EVENTS_LISTED).then(|| format!("{} more {what} not listed.", len - EVENTS_LISTED))
}

/// The App Service trap: `.NET Runtime` 1000 reads like a crash and is not one.
pub fn app_log(count: u64, show: impl Fn(&str) -> String) -> String {
    format!(
        "{count} {} 1000 event(s) are the app's own log messages (the ASP.NET Core EventLog logging provider writes under that source when none of its own is set; App Service's eventlog.xml is full of them), not crashes: read their text as the app's log.",
        show(".NET Runtime")
    )
}

/// What the groups of a report without W3C lines come from: `Failed Request Tracing traces`,
/// `detailed error pages`, or both.
pub fn sources_alone(report: &crate::explain::Report) -> &'static str {
    let traces = report.groups.iter().any(|g| g.source == "freb");
    let pages = report.groups.iter().any(|g| g.source == "errorpage");
    match (traces, pages) {
        (true, true) => "Failed Request Tracing traces and detailed error pages",
        (false, true) => "detailed error pages",
        _ => "Failed Request Tracing traces",
    }
}
