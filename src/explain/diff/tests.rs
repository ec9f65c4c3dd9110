#![allow(clippy::unwrap_used)]

use super::keys::pct;
use super::*;
use crate::summary::httperr::HttpErrSummary;

#[test]
fn the_noise_rule_normalises_by_traffic() {
    // (before (count, requests), after (count, requests), change)
    let cases = [
        // Twice the traffic, twice the 404s: the same share.
        ((20, 1_000), (40, 2_000), Change::Same),
        // A tenth of a percent to three percent.
        ((5, 1_000), (60, 2_000), Change::Grown),
        ((30, 1_000), (4, 2_000), Change::Shrunk),
        ((0, 1_000), (1, 2_000), Change::New),
        ((8, 1_000), (0, 2_000), Change::Gone),
        // A larger share, but too few requests to say.
        ((1, 10_000), (4, 10_000), Change::Same),
        // A larger share within noise.
        ((50, 1_000), (60, 1_000), Change::Same),
    ];
    for (before, after, want) in cases {
        let z = z_score(before, after);
        assert_eq!(
            classify(before.0, after.0, z),
            want,
            "{before:?} {after:?} z={z}"
        );
    }
}

#[test]
fn z_is_zero_without_requests_or_variance() {
    assert_eq!(z_score((0, 0), (5, 10)), 0.0);
    assert_eq!(z_score((10, 10), (20, 20)), 0.0);
    assert_eq!(z_score((0, 10), (0, 20)), 0.0);
    assert!(z_score((5, 1_000), (60, 2_000)) > Z_LIMIT);
}

fn change(code: &str, change: Change, after: u64) -> GroupChange {
    let n: Vec<u64> = code.split('.').map(|p| p.parse().unwrap()).collect();
    let triple = crate::triple::Triple::new(n[0] as u16, Some(n[1] as u32), Some(n[2]));
    GroupChange {
        code: code.to_string(),
        title: String::new(),
        triple,
        change,
        before: Count::default(),
        after: Count {
            count: after,
            ..Count::default()
        },
        ratio: None,
        z: 0.0,
    }
}

#[test]
fn fail_on_names_a_change_and_statuses() {
    let groups = [
        change("502.3.12002", Change::New, 120),
        change("500.0.0", Change::Grown, 80),
        change("404.0.2", Change::Same, 40),
        change("401.2.5", Change::New, 3),
    ];
    // (condition, matches)
    let cases = [
        ("new", true),
        ("new-5xx", true),
        ("new-4xx", true),
        ("new-500", false),
        ("grown-5xx", true),
        ("grown-4xx", false),
        ("worse-500", true),
        ("worse-404", false),
        ("GROWN-500.0", true),
    ];
    for (condition, want) in cases {
        let c = DiffFailOn::parse(condition).unwrap();
        let v = gate::verdict(&[c], &groups);
        assert_eq!(!v.is_empty(), want, "{condition}: {v:?}");
    }
    let v = gate::verdict(&[DiffFailOn::parse("new-5xx").unwrap()], &groups);
    assert_eq!(v, ["--fail-on new-5xx matched: 502.3.12002 new x120"]);
    for bad in ["", "more", "new-", "new-5xx>10", "gone-5xx", "new-abc"] {
        let e = DiffFailOn::parse(bad).unwrap_err().to_string();
        assert!(e.contains("--fail-on"), "{bad}: {e}");
    }
}

#[test]
fn percentages_read_as_a_sentence_says_them() {
    for (x, want) in [
        (94.17, "94%"),
        (3.0, "3%"),
        (2.5, "2.5%"),
        (0.0, "0%"),
        (100.0, "100%"),
    ] {
        assert_eq!(pct(x), want);
    }
}

/// A summary of `requests` requests with one group per `(code, urls, servers)`: each server
/// `(name, minute, count)`; with no servers, the group keeps no per-minute counts.
/// A group of [`summary`]: its code, its URLs with counts, its servers' minutes.
type TestGroup<'a> = (&'a str, &'a [(&'a str, u64)], &'a [(&'a str, i64, u64)]);

fn summary(requests: u64, groups: &[TestGroup<'_>]) -> W3cSummary {
    let saved: Vec<serde_json::Value> = groups
        .iter()
        .map(|(code, urls, servers)| {
            let n: Vec<u64> = code.split('.').map(|p| p.parse().unwrap()).collect();
            let count: u64 = urls.iter().map(|(_, c)| c).sum();
            let minutes: Vec<serde_json::Value> = servers
                .iter()
                .map(|(s, m, c)| serde_json::json!([s, [[m, c]]]))
                .collect();
            serde_json::json!({
                "status": n[0], "substatus": n[1], "win32": n[2], "count": count,
                "first": null, "last": null, "urls": urls, "other_urls": 0,
                "time_taken": [], "time_taken_max": null, "servers": [], "sites": [],
                "minutes": minutes, "breakdown": [], "breakdown_other": 0,
            })
        })
        .collect();
    let failures: u64 = groups.iter().flat_map(|g| g.1).map(|(_, c)| c).sum();
    let doc = serde_json::json!({
        "requests": requests, "failures": failures, "first": null, "last": null, "by": null,
        "minutes": [[29_000_000, requests, failures]], "groups": saved,
    });
    W3cSummary::restore(serde_json::from_value(doc).unwrap())
}

#[test]
fn over_represented_keys_are_measured_against_the_right_baseline() {
    let before = summary(
        1_000,
        &[(
            "500.0.0",
            &[("/a", 8), ("/b", 2)],
            &[("WEB01", 29_000_000, 10)],
        )],
    );
    let after = summary(
        1_000,
        &[
            (
                "500.0.0",
                &[("/a", 10), ("/b", 30)],
                &[("WEB01", 29_000_000, 40)],
            ),
            ("502.3.12002", &[("/inv", 20)], &[]),
        ],
    );
    let d = diff(
        crate::kb::Kb::builtin(),
        (&before, Origin::default()),
        (&after, Origin::default()),
        (&HttpErrSummary::new(), &HttpErrSummary::new()),
        &[],
    );
    let texts: Vec<&str> = d.over_represented.iter().map(|o| o.text.as_str()).collect();
    assert_eq!(
        texts,
        [
            "100% of the after side's 502.3.12002 are /inv, which none of the failures before were",
            "75% of the after side's 500.0.0 are /b, which is 20% of them before",
        ]
    );
    // The new group kept no per-minute counts: its servers are not known, not guessed.
    assert!(
        d.not_known
            .iter()
            .any(|n| n.contains("servers of 502.3.12002")),
        "{:?}",
        d.not_known
    );
    let burst = d.burst.unwrap();
    assert_eq!(burst.failures, 60);
    assert_eq!(burst.before_per_minute, 10.0);
    // Only 500.0.0 counted its minutes.
    assert_eq!(burst.groups.len(), 1);
    assert_eq!(burst.groups[0].code, "500.0.0");
}
