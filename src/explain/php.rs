//! PHP's error log lined up with the W3C 500 groups: a fatal or parse error is what a
//! FastCGI 500 hides (the page says only "500 - Internal server error"), so each 500 group
//! gets the fatal errors logged while it happened, within a minute either side. Only entries
//! with a UTC time can be lined up; a log written in a named zone is counted, not joined.

use serde::Serialize;

use crate::summary::php::{PhpGroup, PhpSummary};
use crate::time::{self, Millis, Zone};

/// Slack either side of a group's first..last when lining up times.
const SLACK_MS: Millis = 60_000;
/// How many fatal errors the report lists.
pub const TOP_FATAL: usize = 5;

/// PHP errors logged while a failure group happened.
#[derive(Debug, Clone, Serialize)]
pub struct PhpEvidence {
    pub level: String,
    pub file: Option<String>,
    pub line: Option<u32>,
    pub message: String,
    pub count: u64,
    #[serde(serialize_with = "time::rfc3339::opt")]
    pub first: Option<Millis>,
    #[serde(serialize_with = "time::rfc3339::opt")]
    pub last: Option<Millis>,
    /// `PHP Fatal error x12 11:05-11:09 in D:\site\index.php on line 37: Uncaught ...`
    pub text: String,
}

/// What the PHP error logs held, for the report.
#[derive(Debug, Clone, Serialize)]
pub struct PhpReport {
    pub total: u64,
    /// Entries per level.
    pub levels: Vec<LevelCount>,
    /// The largest groups of fatal and parse errors, largest first.
    pub top_fatal: Vec<PhpEvidence>,
    /// Whether some times were local (a named zone, not UTC): those are not lined up.
    pub local_times: bool,
    /// `21 entries: 5 Fatal error, 5 Notice, 11 Warning` and what the times are.
    pub text: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct LevelCount {
    pub level: String,
    pub count: u64,
}

/// One group as evidence, its times in `zone` (or as written, for a log in local time).
pub fn evidence(g: &PhpGroup, zone: Zone) -> PhpEvidence {
    let span = match (g.first, g.last, g.first_wall, g.last_wall) {
        (Some(f), Some(l), _, _) => Some(if zone.clock(f) == zone.clock(l) {
            zone.clock(f)
        } else {
            format!("{}-{}", zone.clock(f), zone.clock(l))
        }),
        (None, None, Some(f), Some(l)) => {
            let (f, l) = (time::format_short(f), time::format_short(l));
            let f = f.get(11..16).unwrap_or(&f).to_string();
            let l = l.get(11..16).unwrap_or(&l).to_string();
            let zone = g.zone.as_deref().unwrap_or("local time");
            Some(if f == l {
                format!("{f} {zone}")
            } else {
                format!("{f}-{l} {zone}")
            })
        }
        _ => None,
    };
    let message = g
        .samples
        .first()
        .cloned()
        .unwrap_or_else(|| g.pattern.clone());
    let mut text = format!("PHP {} x{}", g.level, g.count);
    if let Some(span) = span {
        text.push(' ');
        text.push_str(&span);
    }
    if let Some(file) = &g.file {
        text.push_str(" in ");
        text.push_str(file);
        if let Some(line) = g.line {
            text.push_str(&format!(" on line {line}"));
        }
    }
    text.push_str(": ");
    text.push_str(&message);
    PhpEvidence {
        level: g.level.clone(),
        file: g.file.clone(),
        line: g.line,
        message,
        count: g.count,
        first: g.first,
        last: g.last,
        text,
    }
}

/// The report-level view, or `None` when no PHP entry was read.
pub fn report(php: &PhpSummary, zone: Zone) -> Option<PhpReport> {
    if php.is_empty() {
        return None;
    }
    let counts: Vec<String> = php.levels.iter().map(|(l, n)| format!("{n} {l}")).collect();
    let mut text = format!("{} entries: {}", php.total(), counts.join(", "));
    if php.local > 0 {
        let zones: std::collections::BTreeSet<&str> = php
            .groups
            .iter()
            .filter_map(|g| g.zone.as_deref())
            .collect();
        let zones: Vec<&str> = zones.into_iter().collect();
        text.push_str(&format!(
            "; times are in {}; iisdiag has no time-zone database, so they are not lined up with UTC logs",
            zones.join(", ")
        ));
    }
    Some(PhpReport {
        text,
        total: php.total(),
        levels: php
            .levels
            .iter()
            .map(|(level, &count)| LevelCount {
                level: level.clone(),
                count,
            })
            .collect(),
        top_fatal: fatal(php)
            .take(TOP_FATAL)
            .map(|g| evidence(g, zone))
            .collect(),
        local_times: php.local > 0,
    })
}

/// Fatal and parse error groups, largest first.
fn fatal(php: &PhpSummary) -> impl Iterator<Item = &PhpGroup> {
    let mut groups: Vec<&PhpGroup> = php.groups.iter().filter(|g| g.is_fatal()).collect();
    groups.sort_by_key(|g| std::cmp::Reverse(g.count));
    groups.into_iter()
}

/// The fatal errors whose UTC times overlap `first..last` (with a minute either side).
pub fn join(
    php: &PhpSummary,
    first: Option<Millis>,
    last: Option<Millis>,
    zone: Zone,
) -> Vec<PhpEvidence> {
    let (Some(first), Some(last)) = (first, last) else {
        return Vec::new();
    };
    fatal(php)
        .filter(|g| match (g.first, g.last) {
            (Some(f), Some(l)) => f <= last + SLACK_MS && l + SLACK_MS >= first,
            _ => false,
        })
        .map(|g| evidence(g, zone))
        .collect()
}
