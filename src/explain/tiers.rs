//! Which tier failed: what the servers behind the front ends logged of the front ends'
//! failures, counted per front-end code in four outcomes (the backend answered late, its
//! answer was lost between the tiers, the request never reached a backend, the backend
//! failed and the proxy passed it on), and per
//! backend its requests, failures, latency and share of the front ends' failures.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::GroupReport;
use crate::summary::tiers::{Front, Pair, Tiers};

/// What pairing the tiers showed.
#[derive(Debug, Clone, Serialize)]
pub struct TiersReport {
    pub front_ends: Vec<String>,
    pub backends: Vec<BackendReport>,
    /// One per front-end code, most failures first.
    pub groups: Vec<TierGroup>,
    /// Front-end failures past the cap, not paired.
    pub dropped: u64,
}

/// One front-end code and what became of its requests behind the proxy.
#[derive(Debug, Clone, Serialize)]
pub struct TierGroup {
    pub code: String,
    /// The failures of the front ends paired, at times some backend log covers.
    pub failures: u64,
    pub answered_late: Outcome,
    /// The backend answered within the front end's time-taken, yet the front end logged
    /// a proxy failure: the answer was lost between the tiers.
    pub answer_lost: Outcome,
    pub never_reached: Outcome,
    pub failed_behind: Outcome,
    /// Failures at times no backend log covers: nothing can be said of them.
    pub unpaired: u64,
    /// Paired by `X-ARR-LOG-ID` rather than by URL, method, client and time.
    pub paired_by_log_id: u64,
    /// What the counts show, one sentence per outcome seen.
    pub text: Vec<String>,
}

/// How many requests of a group ended one way, on which backends, logged as which codes,
/// taking how long there (ms).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Outcome {
    pub count: u64,
    pub backends: Vec<String>,
    pub codes: Vec<String>,
    pub time_taken_ms: Option<(u64, u64)>,
}

impl Outcome {
    fn add(&mut self, pair: Option<&Pair>) {
        self.count += 1;
        let Some(p) = pair else { return };
        self.name(&p.backend);
        let code = p.code.to_string();
        if !self.codes.contains(&code) {
            self.codes.push(code);
        }
        self.time_taken_ms = Some(match self.time_taken_ms {
            Some((lo, hi)) => (lo.min(p.taken), hi.max(p.taken)),
            None => (p.taken, p.taken),
        });
    }

    fn name(&mut self, backend: &str) {
        if !self.backends.iter().any(|b| b == backend) {
            self.backends.push(backend.to_string());
        }
    }
}

/// One server behind the front ends.
#[derive(Debug, Clone, Serialize)]
pub struct BackendReport {
    pub server: String,
    /// The address a webFarm definition gives it, where one does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub farm_address: Option<String>,
    /// Requests it logged that came through a front end.
    pub requests: u64,
    /// Those of them that it failed (5xx).
    pub failures: u64,
    pub p50_ms: Option<u64>,
    pub p95_ms: Option<u64>,
    /// The share of the front ends' failures paired with a request it logged.
    pub share_of_front_failures: f64,
}

/// Counts what the pairing showed; `None` when the tiers were not paired.
pub fn report(tiers: Option<&Tiers>) -> Option<TiersReport> {
    let tiers = tiers?;
    let mut groups: BTreeMap<String, TierGroup> = BTreeMap::new();
    let mut paired_per_backend: BTreeMap<&str, u64> = BTreeMap::new();
    for (front, pair) in tiers.fronts.iter().zip(&tiers.pairs) {
        let code = front.code.to_string();
        let g = groups
            .entry(code.clone())
            .or_insert_with(|| TierGroup::new(code));
        match pair {
            Some(p) => {
                *paired_per_backend.entry(&p.backend).or_default() += 1;
                g.paired_by_log_id += u64::from(p.by_id);
                g.outcome_of(front, p).add(Some(p));
            }
            None if covered(tiers, front) => {
                g.never_reached.add(None);
                if let Some(b) = &front.routed_to {
                    g.never_reached.name(b);
                }
            }
            None => {
                g.unpaired += 1;
                continue;
            }
        }
        g.failures += 1;
    }
    let total = groups.values().map(|g| g.failures).sum::<u64>().max(1) as f64;
    let backends = tiers
        .backends
        .iter()
        .map(|(server, b)| {
            let q = |q| (!b.time_taken.is_empty()).then(|| b.time_taken.value_at_quantile(q));
            BackendReport {
                server: server.clone(),
                farm_address: tiers.farm_addresses.get(server).cloned(),
                requests: b.requests,
                failures: b.failures,
                p50_ms: q(0.5),
                p95_ms: q(0.95),
                share_of_front_failures: paired_per_backend
                    .get(server.as_str())
                    .copied()
                    .unwrap_or(0) as f64
                    / total,
            }
        })
        .collect::<Vec<_>>();
    let names: Vec<String> = backends.iter().map(|b| b.server.clone()).collect();
    let mut groups: Vec<TierGroup> = groups.into_values().collect();
    for g in &mut groups {
        g.text = g.sentences(&names);
    }
    groups.sort_by(|a, b| {
        b.failures
            .cmp(&a.failures)
            .then_with(|| a.code.cmp(&b.code))
    });
    Some(TiersReport {
        front_ends: tiers.front_servers.iter().cloned().collect(),
        backends,
        groups,
        dropped: tiers.dropped,
    })
}

/// Whether some backend's log covers the time of a front-end failure, so that none of them
/// logging it says something.
fn covered(tiers: &Tiers, front: &Front) -> bool {
    tiers
        .backends
        .values()
        .any(|b| b.covers(front.start) || b.covers(front.end))
}

impl TierGroup {
    fn new(code: String) -> TierGroup {
        TierGroup {
            code,
            failures: 0,
            answered_late: Outcome::default(),
            answer_lost: Outcome::default(),
            never_reached: Outcome::default(),
            failed_behind: Outcome::default(),
            unpaired: 0,
            paired_by_log_id: 0,
            text: Vec::new(),
        }
    }

    /// Where a paired failure goes: the backend failed; it answered after the front end
    /// gave up; or it answered in time and the answer never got back.
    fn outcome_of(&mut self, front: &Front, p: &Pair) -> &mut Outcome {
        let front_taken = u64::try_from(front.end - front.start).unwrap_or(0);
        if p.code.status >= 500 {
            &mut self.failed_behind
        } else if p.taken > front_taken {
            &mut self.answered_late
        } else {
            &mut self.answer_lost
        }
    }

    /// The sentences of the outcomes seen, the largest first (the failures that could not
    /// be paired are counted in the section's introduction: they say nothing of a cause).
    fn sentences(&self, backends: &[String]) -> Vec<String> {
        let of = |n: u64| format!("{n} of {} front-end {}", self.failures, self.code);
        let mut out: Vec<(u64, String)> = Vec::new();
        let late = &self.answered_late;
        if late.count > 0 {
            out.push((
                late.count,
                format!(
                    "{} were logged by {} as {}{}{}: the backend answered after the proxy had \
                     given up (ARR's timeout): the application is slow, not down; it is not \
                     IIS. Take a memory dump while it is slow, make the code async all the \
                     way, share one HttpClient, check the connection limits.",
                    of(late.count),
                    late.backends.join(", "),
                    late.codes.join(", "),
                    taking(late.time_taken_ms),
                    closed_by_proxy(&late.codes)
                ),
            ));
        }
        let lost = &self.answer_lost;
        if lost.count > 0 {
            out.push((
                lost.count,
                format!(
                    "{} were logged by {} as {}{}, within the front end's time-taken: the \
                     backend answered but the answer was lost between the tiers (a network \
                     device, a reset connection, an idle timeout on a firewall or load \
                     balancer); look at the network between them, not at IIS or the \
                     application.",
                    of(lost.count),
                    lost.backends.join(", "),
                    lost.codes.join(", "),
                    taking(lost.time_taken_ms)
                ),
            ));
        }
        let never = &self.never_reached;
        if never.count > 0 {
            let who = if never.backends.is_empty() {
                format!("were logged by none of {}", backends.join(", "))
            } else {
                format!(
                    "were routed by ARR to {}, which logged none of them",
                    never.backends.join(", ")
                )
            };
            out.push((
                never.count,
                format!(
                    "{} {who} (the backends' logs cover those times): the requests never \
                     reached the backend (a connection or name problem between the tiers).",
                    of(never.count),
                ),
            ));
        }
        let failed = &self.failed_behind;
        if failed.count > 0 {
            out.push((
                failed.count,
                format!(
                    "{} were logged by {} as {}{}: the application failed and the proxy \
                     passed the failure on.",
                    of(failed.count),
                    failed.backends.join(", "),
                    failed.codes.join(", "),
                    taking(failed.time_taken_ms)
                ),
            ));
        }
        out.sort_by_key(|o| std::cmp::Reverse(o.0));
        out.into_iter().map(|(_, s)| s).collect()
    }
}

/// Why a late answer's code has a win32 error though its status is 200: IIS logs 64
/// (ERROR_NETNAME_DELETED) or 1236 (ERROR_CONNECTION_ABORTED) when the proxy had closed the
/// connection before the answer was sent.
fn closed_by_proxy(codes: &[String]) -> &'static str {
    if codes
        .iter()
        .any(|c| c.ends_with(".64") || c.ends_with(".1236"))
    {
        " (win32 64 or 1236: the proxy had already closed the connection)"
    } else {
        ""
    }
}

/// ` with time-taken 31-58 s`: whole seconds from 10 s up, tenths from 1 s, else ms.
fn taking(range: Option<(u64, u64)>) -> String {
    let Some((lo, hi)) = range else {
        return String::new();
    };
    let one = |ms: u64| match hi {
        10_000.. => format!("{}", ms / 1_000),
        1_000.. => format!("{:.1}", ms as f64 / 1_000.0),
        _ => ms.to_string(),
    };
    let unit = if hi >= 1_000 { "s" } else { "ms" };
    if one(lo) == one(hi) {
        format!(" with time-taken {} {unit}", one(hi))
    } else {
        format!(" with time-taken {}-{} {unit}", one(lo), one(hi))
    }
}

/// Puts each code's sentences first in its group's checks: they say which tier to look at.
pub fn join(groups: &mut [GroupReport], tiers: Option<&TiersReport>) {
    let Some(tiers) = tiers else { return };
    let front: BTreeSet<&str> = tiers.front_ends.iter().map(String::as_str).collect();
    let backends: Vec<String> = tiers.backends.iter().map(|b| b.server.clone()).collect();
    for g in groups.iter_mut() {
        let Some(t) = tiers.groups.iter().find(|t| t.code == g.code) else {
            continue;
        };
        // A code also logged on servers that are not front ends keeps its checks as they are
        // unless a front end logged it too.
        if g.servers
            .iter()
            .any(|s| front.contains(s.to_ascii_lowercase().as_str()))
        {
            g.hints.splice(0..0, t.sentences(&backends));
        }
    }
}

#[cfg(test)]
mod tests;
