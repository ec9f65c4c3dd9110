//! What the new and grown groups are made of: the URLs, servers and `--by` keys that hold a
//! much larger part of a group after than before, and the after side's burst. A summary
//! counts URLs and `--by` keys per group, and servers per group only through its per-minute
//! counts; what it does not count is said to be unknown, never guessed.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{Change, GroupChange};
use crate::summary::w3c::{By, Group, W3cSummary};

/// The smallest part (percent) of a group's after side a key must hold to be named.
pub(super) const MIN_SHARE: f64 = 20.0;
/// How many times its before share a key's after share must be (unless it had none).
pub(super) const MIN_LIFT: f64 = 2.0;
/// How many keys of one kind are named per group.
pub(super) const PER_GROUP: usize = 3;

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

/// The kinds of key a group is counted by.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Url,
    Server,
    /// From each group's clients (counted with the per-minute counts).
    Client,
    Breakdown(By),
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Url => "url",
            Kind::Server => "server",
            Kind::Client => "client",
            Kind::Breakdown(by) => by.name(),
        }
    }

    /// How a sentence says a request has this key.
    fn says(self, key: &str) -> String {
        match self {
            Kind::Url => key.to_string(),
            Kind::Server => format!("on {key}"),
            Kind::Client => format!("from {key}"),
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
            Kind::Client => g.clients().top().into_iter().for_each(|(c, n)| add(c, n)),
            Kind::Breakdown(_) => g
                .top_entries(usize::MAX)
                .into_iter()
                .for_each(|(k, e)| add(k, e.count)),
        }
        (g.count == 0 || !out.is_empty()).then_some(out)
    }
}

/// The kinds both sides counted: URLs always, servers and clients where per-minute counts
/// were kept, and the `--by` key when both were saved with the same one (for clients, in
/// place of the per-minute ones: it is never capped lower).
fn kinds(before: &W3cSummary, after: &W3cSummary) -> Vec<Kind> {
    let mut kinds = vec![Kind::Url, Kind::Server];
    match (before.by(), after.by()) {
        (Some(b), Some(a)) if a == b && !matches!(a, By::Url | By::Server) => {
            kinds.push(Kind::Breakdown(a));
        }
        _ => kinds.push(Kind::Client),
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

/// What the comparison cannot say from what the summaries hold.
pub fn not_known(
    before: &W3cSummary,
    after: &W3cSummary,
    groups: &[GroupChange],
    burst: Option<bool>,
) -> Vec<String> {
    let mut out = Vec::new();
    // A summary written without per-minute counts (or by an older iisdiag) has no server or
    // client counts; a changed group's are then not compared, and not guessed.
    for kind in kinds(before, after) {
        let name = match kind {
            Kind::Server => "servers",
            Kind::Client => "clients",
            _ => continue,
        };
        let uncounted: Vec<&str> = groups
            .iter()
            .filter(|g| matches!(g.change, Change::New | Change::Grown))
            .filter(|g| {
                [before, after].iter().any(|s| {
                    s.group(&g.triple)
                        .is_some_and(|grp| kind.counts(grp).is_none())
                })
            })
            .map(|g| g.code.as_str())
            .collect();
        if !uncounted.is_empty() {
            out.push(format!(
                "the {name} of {}: a summary counts them only with its per-minute counts",
                uncounted.join(", ")
            ));
        }
    }
    match burst {
        None => out.push("the burst: the after side has no failures counted per minute".into()),
        Some(false) => out.push(
            "the burst's URLs, servers and clients: a summary saved by an older iisdiag, or without per-minute counts, does not count them"
                .into(),
        ),
        Some(true) => {}
    }
    out
}
