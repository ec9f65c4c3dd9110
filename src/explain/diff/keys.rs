//! What the new and grown groups are made of: the URLs, servers and `--by` keys that hold a
//! much larger part of a group after than before, and the after side's burst. A summary
//! counts URLs and `--by` keys per group, and servers per group only through its per-minute
//! counts; what it does not count is said to be unknown, never guessed.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{Change, GroupChange};
use crate::summary::minutes::Minute;
use crate::summary::w3c::{By, Group, W3cSummary};
use crate::time::{self, Millis};

/// The smallest part (percent) of a group's after side a key must hold to be named.
const MIN_SHARE: f64 = 20.0;
/// How many times its before share a key's after share must be (unless it had none).
const MIN_LIFT: f64 = 2.0;
/// How many keys of one kind are named per group.
const PER_GROUP: usize = 3;

/// A key (URL, server, ...) over-represented in a changed group.
#[derive(Debug, Clone, Serialize)]
pub struct OverRepresented {
    pub code: String,
    /// `url`, `server`, or the `--by` key (`client`, `site`, `user-agent`, `hour`).
    pub kind: &'static str,
    pub key: String,
    pub after_count: u64,
    /// Percent of the group's after-side requests.
    pub after_share: f64,
    /// Percent of the baseline: the group's before-side requests, or all before-side
    /// failures when the group is new.
    pub before_share: f64,
    /// `group` or `failures`: what `before_share` is a share of.
    pub baseline: &'static str,
    /// `after_share / before_share`; `null` when the key had no part before.
    pub lift: Option<f64>,
    pub text: String,
}

/// The after side's minute with the most failures.
#[derive(Debug, Clone, Serialize)]
pub struct Burst {
    #[serde(serialize_with = "time::rfc3339::one")]
    pub minute: Millis,
    pub requests: u64,
    pub failures: u64,
    /// The before side's failures per minute (over its minutes with requests): the baseline.
    pub before_per_minute: f64,
    /// The groups of the burst minute, largest first (empty when the after side has no
    /// per-group minutes).
    pub groups: Vec<BurstGroup>,
    pub text: String,
}

/// A group's part of the burst.
#[derive(Debug, Clone, Serialize)]
pub struct BurstGroup {
    pub code: String,
    pub count: u64,
    /// Percent of the burst's failures.
    pub share: f64,
    /// Percent of the before side's failures.
    pub before_share: f64,
}

/// The kinds of key a group is counted by.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Url,
    Server,
    Breakdown(By),
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Url => "url",
            Kind::Server => "server",
            Kind::Breakdown(by) => by.name(),
        }
    }

    /// How a sentence says a request has this key.
    fn says(self, key: &str) -> String {
        match self {
            Kind::Url => key.to_string(),
            Kind::Server => format!("on {key}"),
            Kind::Breakdown(by) => format!("{} {key}", by.name()),
        }
    }

    /// The group's requests per key, or `None` when the summary did not count them.
    fn counts(self, g: &Group) -> Option<BTreeMap<String, u64>> {
        let mut out = BTreeMap::new();
        let mut add = |k: &str, n: u64| {
            let c: &mut u64 = out.entry(k.to_string()).or_default();
            *c = c.saturating_add(n);
        };
        match self {
            Kind::Url => g
                .top_urls(usize::MAX)
                .into_iter()
                .for_each(|(u, n)| add(u, n)),
            Kind::Server => {
                for (server, minutes) in g.server_minutes() {
                    let name = if server.is_empty() { "-" } else { server };
                    add(name, minutes.values().fold(0, |a, n| a.saturating_add(*n)));
                }
            }
            Kind::Breakdown(_) => g
                .top_entries(usize::MAX)
                .into_iter()
                .for_each(|(k, e)| add(k, e.count)),
        }
        (g.count == 0 || !out.is_empty()).then_some(out)
    }
}

/// The kinds both sides counted: URLs and servers always (servers only where per-minute
/// counts were kept), and the `--by` key when both were saved with the same one.
fn kinds(before: &W3cSummary, after: &W3cSummary) -> Vec<Kind> {
    let mut kinds = vec![Kind::Url, Kind::Server];
    match (before.by(), after.by()) {
        (Some(b), Some(a)) if a == b && !matches!(a, By::Url | By::Server) => {
            kinds.push(Kind::Breakdown(a));
        }
        _ => {}
    }
    kinds
}

/// The keys over-represented in each new or grown group, largest lift first (keys new to
/// the baseline before them), then by after count.
pub fn over_represented(
    before: &W3cSummary,
    after: &W3cSummary,
    groups: &[GroupChange],
) -> Vec<OverRepresented> {
    let mut out = Vec::new();
    for change in groups
        .iter()
        .filter(|g| matches!(g.change, Change::New | Change::Grown))
    {
        let Some(group) = after.group(&change.triple) else {
            continue;
        };
        for kind in kinds(before, after) {
            out.extend(for_kind(before, change, group, kind));
        }
    }
    out.sort_by(|a, b| {
        let lift = |o: &OverRepresented| o.lift.unwrap_or(f64::INFINITY);
        lift(b)
            .total_cmp(&lift(a))
            .then_with(|| b.after_count.cmp(&a.after_count))
            .then_with(|| a.code.cmp(&b.code))
            .then_with(|| a.key.cmp(&b.key))
    });
    out
}

fn for_kind(
    before: &W3cSummary,
    change: &GroupChange,
    group: &Group,
    kind: Kind,
) -> Vec<OverRepresented> {
    let Some(counts) = kind.counts(group) else {
        return Vec::new();
    };
    let Some((base, base_total, baseline)) = baseline(before, change, kind) else {
        return Vec::new();
    };
    let mut found: Vec<OverRepresented> = counts
        .into_iter()
        .map(|(key, n)| {
            let had = base.get(&key).copied().unwrap_or(0);
            let after_share = crate::explain::percent(n, group.count);
            (
                key,
                n,
                after_share,
                crate::explain::percent(had, base_total),
            )
        })
        .filter(|(_, _, after, before)| {
            *after >= MIN_SHARE && (*before == 0.0 || *after >= MIN_LIFT * before)
        })
        .map(|(key, n, after_share, before_share)| {
            let lift = (before_share > 0.0).then(|| super::round2(after_share / before_share));
            OverRepresented {
                text: sentence(change, kind, &key, after_share, before_share, baseline),
                code: change.code.clone(),
                kind: kind.name(),
                key,
                after_count: n,
                after_share,
                before_share,
                baseline,
                lift,
            }
        })
        .collect();
    found.sort_by(|a, b| b.after_count.cmp(&a.after_count).then(a.key.cmp(&b.key)));
    found.truncate(PER_GROUP);
    found
}

/// What a key's before share is measured against: the group's own before side, or, for a
/// new group, every failure of the before side. `None` when the before side did not count
/// the kind.
fn baseline(
    before: &W3cSummary,
    change: &GroupChange,
    kind: Kind,
) -> Option<(BTreeMap<String, u64>, u64, &'static str)> {
    if let Some(g) = before.group(&change.triple).filter(|g| g.count > 0) {
        return Some((kind.counts(g)?, g.count, "group"));
    }
    let mut all = BTreeMap::new();
    for (_, g) in before.groups() {
        for (k, n) in kind.counts(g)? {
            let c: &mut u64 = all.entry(k).or_default();
            *c = c.saturating_add(n);
        }
    }
    Some((all, before.failures, "failures"))
}

fn sentence(
    change: &GroupChange,
    kind: Kind,
    key: &str,
    after: f64,
    before: f64,
    baseline: &str,
) -> String {
    let then = match (baseline, before == 0.0) {
        ("group", true) => "which none of them were before".to_string(),
        ("group", false) => format!("which is {} of them before", pct(before)),
        (_, true) => "which none of the failures before were".to_string(),
        (_, false) => format!("which is {} of all failures before", pct(before)),
    };
    format!(
        "{} of the after side's {} are {}, {then}",
        pct(after),
        change.code,
        kind.says(key)
    )
}

/// A percentage as a sentence says it: whole above 10 %, one decimal below.
pub fn pct(x: f64) -> String {
    if x >= 10.0 || x == x.round() {
        format!("{x:.0}%")
    } else {
        format!("{x:.1}%")
    }
}

/// The after side's minute with the most failures (the earliest of equals), and the groups
/// that fill it; `None` when the after side has no failures counted per minute.
pub fn burst(before: &W3cSummary, after: &W3cSummary) -> Option<Burst> {
    let minutes = after.minutes();
    let (minute, counts) = minutes.iter().filter(|(_, c)| c.failures > 0).fold(
        None,
        |best: Option<(i64, Minute)>, (m, c)| match best {
            Some((_, b)) if b.failures >= c.failures => best,
            _ => Some((m, c)),
        },
    )?;
    let mut groups: Vec<BurstGroup> = after
        .groups()
        .into_iter()
        .filter_map(|(t, g)| {
            let n = g.minutes().get(&minute).copied().filter(|n| *n > 0)?;
            let before_count = before.group(t).map_or(0, |g| g.count);
            Some(BurstGroup {
                code: t.to_string(),
                count: n,
                share: crate::explain::percent(n, counts.failures),
                before_share: crate::explain::percent(before_count, before.failures),
            })
        })
        .collect();
    groups.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.code.cmp(&b.code)));
    let before_minutes = before
        .minutes()
        .iter()
        .filter(|(_, c)| c.requests > 0)
        .count();
    let before_per_minute = if before_minutes == 0 {
        0.0
    } else {
        super::round2(before.failures as f64 / before_minutes as f64)
    };
    let at = time::format_rfc3339(minute * 60_000);
    let mut text = format!(
        "the burst at {at}: {} failures of {} requests in one minute, against {before_per_minute} a minute before",
        counts.failures, counts.requests
    );
    if let Some(top) = groups.first() {
        text.push_str(&format!(
            "; {} of them are {}, which is {} of the failures before",
            pct(top.share),
            top.code,
            pct(top.before_share)
        ));
    }
    Some(Burst {
        minute: minute * 60_000,
        requests: counts.requests,
        failures: counts.failures,
        before_per_minute,
        groups,
        text,
    })
}

/// What the comparison cannot say from what the summaries hold.
pub fn not_known(
    before: &W3cSummary,
    after: &W3cSummary,
    groups: &[GroupChange],
    burst: bool,
) -> Vec<String> {
    let mut out = Vec::new();
    // A summary written without per-minute counts (or by an older iisdiag) has no server
    // counts; a new group's servers are then not compared, and not guessed.
    let uncounted: Vec<&str> = groups
        .iter()
        .filter(|g| matches!(g.change, Change::New | Change::Grown))
        .filter(|g| {
            [before, after].iter().any(|s| {
                s.group(&g.triple)
                    .is_some_and(|grp| Kind::Server.counts(grp).is_none())
            })
        })
        .map(|g| g.code.as_str())
        .collect();
    if !uncounted.is_empty() {
        out.push(format!(
            "the servers of {}: a summary counts them only with its per-minute counts",
            uncounted.join(", ")
        ));
    }
    if before.by() != Some(By::Client) || after.by() != Some(By::Client) {
        out.push(
            "clients: a summary counts them only when both sides are saved with --by client"
                .to_string(),
        );
    }
    if burst {
        out.push("the burst's URLs: a summary counts URLs per group, not per minute".to_string());
    } else {
        out.push("the burst: the after side has no failures counted per minute".to_string());
    }
    out
}
