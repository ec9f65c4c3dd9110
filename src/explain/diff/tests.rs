#![allow(clippy::unwrap_used)]

use super::keys::pct;
use super::*;

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
