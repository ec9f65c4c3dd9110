//! The W3C summary's tests: counting, caps, quantiles, merges and the saved form.

use super::*;
use crate::input::w3c;

fn summarise(text: &[u8], all: bool) -> W3cSummary {
    let mut s = W3cSummary::default();
    let origin = Origin {
        site_folder: Some("W3SVC1".into()),
        server_folder: None,
    };
    w3c::read(text, |r| {
        let grouped = all || r.triple.is_some_and(|t| t.is_failure());
        s.add(r, &origin, grouped)
    })
    .unwrap();
    s
}

const LOG: &[u8] = b"#Fields: date time s-computername cs-uri-stem sc-status sc-substatus sc-win32-status time-taken\n\
2026-11-18 10:42:03 WEB01 /api/orders 502 3 12002 30010\n\
2026-11-18 10:43:03 WEB02 /api/orders 502 3 12002 30050\n\
2026-11-18 10:44:03 WEB01 /api/other 502 3 12002 29990\n\
2026-11-18 10:45:03 WEB01 / 200 0 0 12\n\
2026-11-18 10:46:03 WEB01 /big.iso 200 0 64 9000\n";

#[test]
fn groups_failures_by_triple() {
    let s = summarise(LOG, false);
    assert_eq!(s.requests, 5);
    assert_eq!(s.failures, 4);
    let groups = s.groups();
    assert_eq!(groups.len(), 2);
    let (t, g) = groups[0];
    assert_eq!(t.to_string(), "502.3.12002");
    assert_eq!(g.count, 3);
    assert_eq!(g.top_urls(5), vec![("/api/orders", 2), ("/api/other", 1)]);
    assert_eq!(g.servers.len(), 2);
    assert_eq!(g.sites.iter().collect::<Vec<_>>(), vec!["W3SVC1"]);
    assert_eq!(g.time_taken_max, Some(30050));
    let p50 = g.time_taken_quantile(0.5).unwrap();
    assert!((29_700..=30_300).contains(&p50), "{p50}");
    assert_eq!(
        crate::time::format_short(g.first.unwrap()),
        "2026-11-18 10:42:03"
    );
    assert_eq!(
        crate::time::format_short(g.last.unwrap()),
        "2026-11-18 10:44:03"
    );
}

/// Issue 15, item 15: a `--by url` entry's p95 (30,144 ms, the middle of its histogram
/// bucket) was above the group's max (30,090 ms); the group's p50 could sit below its min.
#[test]
fn quantiles_stay_within_the_times_the_requests_had() {
    let mut text = String::from(
        "#Fields: date time cs-uri-stem sc-status sc-substatus sc-win32-status time-taken\n",
    );
    for ms in [30_080, 30_085, 30_090] {
        text.push_str(&format!(
            "2026-11-18 10:42:03 /api/orders 502 3 12002 {ms}\n"
        ));
    }
    let mut s = W3cSummary::new(Some(By::Url));
    w3c::read(text.as_bytes(), |r| s.add(r, &Origin::default(), true)).unwrap();
    let check = |s: &W3cSummary| {
        let (_, g) = s.groups()[0];
        assert_eq!(
            (g.time_taken_min, g.time_taken_max),
            (Some(30_080), Some(30_090))
        );
        for q in [0.0, 0.5, 0.95, 1.0] {
            let v = g.time_taken_quantile(q).unwrap();
            assert!((30_080..=30_090).contains(&v), "group q{q}: {v}");
            let (_, e) = g.top_entries(1)[0];
            let v = e.time_taken_quantile(q).unwrap();
            assert!((30_080..=30_090).contains(&v), "entry q{q}: {v}");
        }
        for b in g.time_taken_buckets() {
            assert!(
                30_080 <= b.low && b.low <= b.high && b.high <= 30_090,
                "{b:?}"
            );
        }
    };
    check(&s);
    // The same after a save and a restore (what `merge` reads).
    let restored = W3cSummary::restore(
        serde_json::from_str(&serde_json::to_string(&s.save()).unwrap()).unwrap(),
    );
    check(&restored);
}

#[test]
fn all_groups_every_request() {
    let s = summarise(LOG, true);
    assert_eq!(s.failures, 5);
    assert_eq!(s.groups().len(), 3);
}

#[test]
fn merge_equals_one_pass() {
    let whole = summarise(LOG, false);
    let (head, tail) = LOG.split_at(LOG.iter().rposition(|&b| b == b'\n').unwrap());
    let _ = tail;
    let cut = head.iter().rposition(|&b| b == b'\n').unwrap() + 1;
    let header = b"#Fields: date time s-computername cs-uri-stem sc-status sc-substatus sc-win32-status time-taken\n";
    let mut a = summarise(&LOG[..cut], false);
    let mut second = header.to_vec();
    second.extend_from_slice(&LOG[cut..]);
    let b = summarise(&second, false);
    let mut b2 = b.clone();
    b2.merge(a.clone());
    a.merge(b);
    for merged in [a, b2] {
        assert_eq!(merged.requests, whole.requests);
        assert_eq!(merged.failures, whole.failures);
        for (t, g) in whole.groups() {
            let m = merged.group(t).unwrap();
            assert_eq!(m.count, g.count);
            assert_eq!(m.top_urls(10), g.top_urls(10));
            assert_eq!(m.time_taken_quantile(0.95), g.time_taken_quantile(0.95));
        }
    }
}

#[test]
fn merge_saturates_counts_near_u64_max() {
    let saved = |requests: u64| SavedW3c {
        requests,
        failures: requests,
        ..SavedW3c::default()
    };
    let mut a = W3cSummary::restore(saved(u64::MAX - 1));
    a.merge(W3cSummary::restore(saved(3279)));
    // Before: 2^64-1 + 3279 wrapped to 3278 (and panicked in a debug build).
    assert_eq!((a.requests, a.failures), (u64::MAX, u64::MAX));
}

/// The longest stem and query of a group are the evidence next to maxUrl and maxQueryString:
/// kept per group, `-` counted as no query, and carried through a merge and a saved summary.
#[test]
fn the_longest_stem_and_query_of_a_group_are_kept() {
    let log = |queries: &[&str]| {
        let mut text = String::from(
            "#Fields: date time cs-uri-stem cs-uri-query sc-status sc-substatus sc-win32-status\n",
        );
        for q in queries {
            text.push_str(&format!("2026-11-18 10:42:03 /search {q} 404 15 0\n"));
        }
        summarise(text.as_bytes(), false)
    };
    let long = "x".repeat(1500);
    let cases: [(&[&str], Option<u64>); 3] = [
        (&["-", "-"], None),
        (&["a=1", "-", "q=12345"], Some(7)),
        (&["q=1", &long], Some(1500)),
    ];
    for (queries, want) in cases {
        let s = log(queries);
        let (_, g) = s.groups()[0];
        assert_eq!(g.uri_query_max, want, "{queries:?}");
        assert_eq!(g.uri_stem_max, Some(7));
    }
    let mut merged = log(&["a=1"]);
    merged.merge(log(&["q=12345"]));
    assert_eq!(merged.groups()[0].1.uri_query_max, Some(7));
    let back = W3cSummary::restore(merged.save());
    assert_eq!(back.groups()[0].1.uri_query_max, Some(7));
    assert_eq!(back.groups()[0].1.uri_stem_max, Some(7));
}
