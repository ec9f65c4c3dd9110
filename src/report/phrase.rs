//! Wording more than one writer uses, so that every output says the same fact the same way.

use std::io::{self, Write};

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
