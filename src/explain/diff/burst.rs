//! The after side's burst: its minute with the most failures, the groups that fill it, and
//! the URLs, servers and clients that hold much more of it than of all the traffic before
//! ("94% of the 11:05 burst is /api/inventory, which is 3% of traffic before").

use serde::Serialize;

use super::keys::{MIN_LIFT, MIN_SHARE, PER_GROUP, pct};
use crate::summary::minutes::Minute;
use crate::summary::w3c::W3cSummary;
use crate::summary::w3c::traffic::Tally;
use crate::time::{self, Millis};

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
    /// The URLs, servers and clients that hold at least [`MIN_SHARE`] of the burst and
    /// [`MIN_LIFT`] times their share of the traffic before; empty when either side did not
    /// count its keys (an older summary).
    pub keys: Vec<BurstKey>,
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

/// A URL, server or client over-represented in the burst against the traffic before.
#[derive(Debug, Clone, Serialize)]
pub struct BurstKey {
    /// `url`, `server` or `client`.
    pub kind: &'static str,
    pub key: String,
    /// The burst's failures with the key.
    pub count: u64,
    /// Percent of the burst's failures.
    pub share: f64,
    /// Percent of all the before side's requests (failures or not); when the key was past
    /// the before side's cap, the most it can be (see `before_at_most`).
    pub before_share: f64,
    /// The key was not among the before side's kept keys: `before_share` is a bound.
    pub before_at_most: bool,
    pub text: String,
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
    let keys = burst_keys(before, after, minute, counts.failures);
    Some(Burst {
        keys,
        minute: minute * 60_000,
        requests: counts.requests,
        failures: counts.failures,
        before_per_minute,
        groups,
        text,
    })
}

/// The kinds a burst is broken down by, with each side's tally of them.
fn tallies(s: &W3cSummary, minute: Option<i64>) -> Option<[(&'static str, &Tally); 3]> {
    let t = s.traffic();
    match minute {
        None => (!t.is_empty()).then(|| t.all.by_kind()),
        Some(m) => t.minute(m).map(|k| k.by_kind()),
    }
}

/// The burst minute's keys over-represented against all the requests before.
fn burst_keys(
    before: &W3cSummary,
    after: &W3cSummary,
    minute: i64,
    failures: u64,
) -> Vec<BurstKey> {
    let (Some(base), Some(now)) = (tallies(before, None), tallies(after, Some(minute))) else {
        return Vec::new();
    };
    let at = time::format_rfc3339(minute * 60_000);
    let hhmm = at.get(11..16).unwrap_or(&at).to_string();
    let mut out = Vec::new();
    for ((kind, then), (_, burst)) in base.into_iter().zip(now) {
        let found = burst.top().into_iter().filter_map(|(key, n)| {
            let share = crate::explain::percent(n, failures);
            let (had, at_most) = match then.get(key) {
                Some(c) => (c, false),
                // Past the cap: it had at most as many as the smallest kept key.
                None => (then.top().last().map_or(0, |(_, c)| *c), true),
            };
            let before_share = crate::explain::percent(had, before.requests);
            let over =
                share >= MIN_SHARE && (before_share == 0.0 || share >= MIN_LIFT * before_share);
            over.then(|| BurstKey {
                text: key_sentence(&hhmm, kind, key, share, before_share, at_most),
                kind,
                key: key.to_string(),
                count: n,
                share,
                before_share,
                before_at_most: at_most,
            })
        });
        out.extend(found.take(PER_GROUP));
    }
    out
}

fn key_sentence(
    hhmm: &str,
    kind: &str,
    key: &str,
    share: f64,
    before: f64,
    at_most: bool,
) -> String {
    let is = match kind {
        "url" => key.to_string(),
        "server" => format!("on {key}"),
        _ => format!("from {key}"),
    };
    let then = match (at_most, before == 0.0) {
        (true, _) => format!("which is at most {} of traffic before", pct(before)),
        (false, true) => "which had no traffic before".to_string(),
        (false, false) => format!("which is {} of traffic before", pct(before)),
    };
    format!("{} of the {hhmm} burst is {is}, {then}", pct(share))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_key_is_said_against_the_traffic_before() {
        // (kind, key, share, before share, at most, sentence)
        let cases = [
            (
                "url",
                "/api/inventory",
                94.0,
                3.0,
                false,
                "94% of the 11:05 burst is /api/inventory, which is 3% of traffic before",
            ),
            (
                "server",
                "WEB02",
                100.0,
                50.0,
                false,
                "100% of the 11:05 burst is on WEB02, which is 50% of traffic before",
            ),
            (
                "client",
                "192.0.2.9",
                60.0,
                0.0,
                false,
                "60% of the 11:05 burst is from 192.0.2.9, which had no traffic before",
            ),
            (
                "url",
                "/rare",
                40.0,
                0.2,
                true,
                "40% of the 11:05 burst is /rare, which is at most 0.2% of traffic before",
            ),
        ];
        for (kind, key, share, before, at_most, want) in cases {
            assert_eq!(
                key_sentence("11:05", kind, key, share, before, at_most),
                want
            );
        }
    }
}
