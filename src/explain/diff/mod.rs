//! `iisdiag diff`: what changed between two summaries (two saved scans, or the logs before
//! and after a moment). Each side's groups are compared as shares of that side's requests,
//! so a side with twice the traffic is not "grown" for having twice the failures; a change
//! counts only past a two-proportion test (see [`Z_LIMIT`], [`MIN_COUNT`]). The writers in
//! `report::diff` lay the result out; this module decides what to say.

mod burst;
mod gate;
mod httperr;
mod keys;
#[cfg(test)]
mod tests;

use std::collections::BTreeSet;

use serde::Serialize;

use crate::kb::Kb;
use crate::summary::httperr::HttpErrSummary;
use crate::summary::w3c::{Group, W3cSummary};
use crate::time::{self, Millis};
use crate::triple::Triple;

pub use burst::{Burst, BurstGroup, BurstKey};
pub use gate::DiffFailOn;
pub use keys::OverRepresented;

/// How far apart (in standard errors of the pooled share) two shares must be to count as a
/// change: |z| >= 3 is p < 0.003 two-sided, so among a hundred steady groups a false
/// "grown" is rare.
pub const Z_LIMIT: f64 = 3.0;
/// The fewest requests a side must hold of a group for it to be called grown (the after
/// side) or shrunk (the before side): below that, a test on shares means little.
pub const MIN_COUNT: u64 = 5;

/// One side of the comparison.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Side {
    /// The logs the side was read from (as the scan was given them).
    pub paths: Vec<String>,
    /// The filters the side was read with (`until 2026-11-18T11:00`), as words.
    pub filters: Vec<String>,
    pub requests: u64,
    pub failures: u64,
    #[serde(serialize_with = "time::rfc3339::opt")]
    pub first: Option<Millis>,
    #[serde(serialize_with = "time::rfc3339::opt")]
    pub last: Option<Millis>,
}

/// How a group changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    /// Absent before.
    New,
    /// A larger share of the requests, beyond noise.
    Grown,
    /// A smaller share of the requests, beyond noise.
    Shrunk,
    /// Absent after.
    Gone,
    /// Within noise.
    Same,
}

impl Change {
    pub fn name(self) -> &'static str {
        match self {
            Change::New => "new",
            Change::Grown => "grown",
            Change::Shrunk => "shrunk",
            Change::Gone => "gone",
            Change::Same => "same",
        }
    }
}

/// A group on one side.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Count {
    pub count: u64,
    /// Percent of the side's requests.
    pub share: f64,
    /// `null` when the side has no timed request of the group.
    pub p95_ms: Option<u64>,
}

/// One group compared.
#[derive(Debug, Clone, Serialize)]
pub struct GroupChange {
    pub code: String,
    /// What the knowledge base calls the code.
    pub title: String,
    #[serde(skip)]
    pub triple: Triple,
    pub change: Change,
    pub before: Count,
    pub after: Count,
    /// The after share over the before share; `null` for a new group.
    pub ratio: Option<f64>,
    /// The two-proportion test statistic (positive: a larger share after).
    pub z: f64,
}

/// The whole comparison.
#[derive(Debug, Clone, Serialize)]
pub struct Diff {
    pub before: Side,
    pub after: Side,
    /// New first, then grown, shrunk, gone and same; by after count within each.
    pub groups: Vec<GroupChange>,
    /// The HTTP.sys groups (`503.AppOffline`), compared the same way as shares of each
    /// side's W3C requests plus its HTTP.sys records; `p95_ms` is always `null`.
    pub httperr: Vec<GroupChange>,
    pub over_represented: Vec<OverRepresented>,
    /// The after side's busiest minute of failures, or `null` without per-minute counts.
    pub burst: Option<Burst>,
    /// What the summaries do not hold and so is not said, one sentence each.
    pub not_known: Vec<String>,
    /// The `--fail-on` conditions that matched, one sentence each; empty when none did.
    pub verdict: Vec<String>,
}

/// Where a side's summary came from: the paths it was read from and its filters, as words.
#[derive(Debug, Clone, Default)]
pub struct Origin {
    pub paths: Vec<String>,
    pub filters: Vec<String>,
}

/// Compares `after` with `before` (their W3C summaries, where they came from, and their
/// HTTP.sys summaries); `kb` names each code.
pub fn diff(
    kb: &Kb,
    before: (&W3cSummary, Origin),
    after: (&W3cSummary, Origin),
    http_sys: (&HttpErrSummary, &HttpErrSummary),
    fail_on: &[DiffFailOn],
) -> Diff {
    let (b, a) = (before.0, after.0);
    let httperr = httperr::compare(kb, (http_sys.0, b.requests), (http_sys.1, a.requests));
    let mut groups = compare_groups(b, a);
    for g in &mut groups {
        g.title = crate::explain::advise(kb, &g.triple, None, &[]).title;
    }
    let over_represented = keys::over_represented(b, a, &groups);
    let burst = burst::burst(b, a);
    let all: Vec<GroupChange> = groups.iter().chain(&httperr).cloned().collect();
    let verdict = gate::verdict(fail_on, &all);
    Diff {
        before: side(b, before.1),
        after: side(a, after.1),
        not_known: keys::not_known(b, a, &groups, burst.as_ref().map(|_| keys_counted(b, a))),
        groups,
        httperr,
        over_represented,
        burst,
        verdict,
    }
}

/// Both sides counted their traffic per key, so a burst's keys can be compared.
fn keys_counted(b: &W3cSummary, a: &W3cSummary) -> bool {
    !b.traffic().is_empty() && !a.traffic().is_empty()
}

fn side(s: &W3cSummary, origin: Origin) -> Side {
    Side {
        paths: origin.paths,
        filters: origin.filters,
        requests: s.requests,
        failures: s.failures,
        first: s.first,
        last: s.last,
    }
}

/// Every triple of either side, classified, in the order [`Diff::groups`] promises.
fn compare_groups(before: &W3cSummary, after: &W3cSummary) -> Vec<GroupChange> {
    let triples: BTreeSet<Triple> = before
        .groups()
        .into_iter()
        .chain(after.groups())
        .map(|(t, _)| *t)
        .collect();
    let mut out: Vec<GroupChange> = triples
        .into_iter()
        .map(|t| {
            let b = count(before.group(&t), before.requests);
            let a = count(after.group(&t), after.requests);
            let z = z_score((b.count, before.requests), (a.count, after.requests));
            GroupChange {
                code: t.to_string(),
                title: String::new(),
                triple: t,
                change: classify(b.count, a.count, z),
                ratio: (b.share > 0.0).then(|| round2(a.share / b.share)),
                before: b,
                after: a,
                z: round2(z),
            }
        })
        .collect();
    sort(&mut out);
    out
}

/// The order [`Diff::groups`] promises: by change, then after and before counts.
fn sort(groups: &mut [GroupChange]) {
    groups.sort_by(|x, y| {
        x.change
            .cmp(&y.change)
            .then_with(|| y.after.count.cmp(&x.after.count))
            .then_with(|| y.before.count.cmp(&x.before.count))
            .then_with(|| x.triple.cmp(&y.triple))
            .then_with(|| x.code.cmp(&y.code))
    });
}

fn count(group: Option<&Group>, requests: u64) -> Count {
    group.map_or_else(Count::default, |g| Count {
        count: g.count,
        share: crate::explain::percent(g.count, requests),
        p95_ms: g.time_taken_quantile(0.95),
    })
}

/// The noise rule: new and gone by presence; grown and shrunk when the shares differ by at
/// least [`Z_LIMIT`] and the larger side holds at least [`MIN_COUNT`] requests.
fn classify(before: u64, after: u64, z: f64) -> Change {
    match (before, after) {
        (0, _) => Change::New,
        (_, 0) => Change::Gone,
        _ if z >= Z_LIMIT && after >= MIN_COUNT => Change::Grown,
        _ if z <= -Z_LIMIT && before >= MIN_COUNT => Change::Shrunk,
        _ => Change::Same,
    }
}

/// The two-proportion z statistic of `after` against `before`, each (count, requests), with
/// the pooled share; 0 when either side has no requests or the pooled share is 0 or 1.
pub(crate) fn z_score(before: (u64, u64), after: (u64, u64)) -> f64 {
    let (x1, n1) = (before.0 as f64, before.1 as f64);
    let (x2, n2) = (after.0 as f64, after.1 as f64);
    if n1 == 0.0 || n2 == 0.0 {
        return 0.0;
    }
    let pooled = (x1 + x2) / (n1 + n2);
    let se = (pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2)).sqrt();
    if !se.is_finite() || se == 0.0 {
        return 0.0;
    }
    (x2 / n2 - x1 / n1) / se
}

fn round2(x: f64) -> f64 {
    if x.is_finite() {
        (x * 100.0).round() / 100.0
    } else {
        0.0
    }
}
