//! HTTP.sys groups compared by the same rule as the W3C groups. A request HTTP.sys refused
//! never reached IIS's own log, so a side's HTTP.sys shares are of its W3C requests plus its
//! HTTP.sys records: what reached the server either way.

use std::collections::BTreeMap;

use super::{Count, GroupChange, classify, round2, sort, z_score};
use crate::kb::Kb;
use crate::summary::httperr::HttpErrSummary;
use crate::triple::Triple;

/// Each side's records per `status.reason` (the queues summed), and the requests the shares
/// are of.
fn counts(s: &HttpErrSummary) -> BTreeMap<(Option<u16>, String), u64> {
    let mut out = BTreeMap::new();
    for g in s.groups() {
        let c: &mut u64 = out.entry((g.key.status, g.key.reason.clone())).or_default();
        *c = c.saturating_add(g.count);
    }
    out
}

/// Every HTTP.sys `status.reason` of either side, classified and ordered as the W3C groups.
pub fn compare(
    kb: &Kb,
    before: (&HttpErrSummary, u64),
    after: (&HttpErrSummary, u64),
) -> Vec<GroupChange> {
    let (b, a) = (counts(before.0), counts(after.0));
    let total = |w3c: u64, s: &HttpErrSummary| w3c.saturating_add(s.total());
    let (nb, na) = (total(before.1, before.0), total(after.1, after.0));
    let keys: std::collections::BTreeSet<&(Option<u16>, String)> =
        b.keys().chain(a.keys()).collect();
    let mut out: Vec<GroupChange> = keys
        .into_iter()
        .map(|key| {
            let side = |m: &BTreeMap<(Option<u16>, String), u64>, n: u64| {
                let count = m.get(key).copied().unwrap_or(0);
                Count {
                    count,
                    share: crate::explain::percent(count, n),
                    p95_ms: None,
                }
            };
            let (bc, ac) = (side(&b, nb), side(&a, na));
            let z = z_score((bc.count, nb), (ac.count, na));
            let (status, reason) = key;
            GroupChange {
                code: match status {
                    Some(s) => format!("{s}.{reason}"),
                    None => format!("-.{reason}"),
                },
                title: kb
                    .reason(reason)
                    .map_or_else(|| format!("HTTP.sys {reason}"), |r| r.title.clone()),
                // The gate reads the status; a connection-level record has none (0).
                triple: Triple::new(status.unwrap_or(0), None, None),
                change: classify(bc.count, ac.count, z),
                ratio: (bc.share > 0.0).then(|| round2(ac.share / bc.share)),
                before: bc,
                after: ac,
                z: round2(z),
            }
        })
        .collect();
    sort(&mut out);
    out
}
