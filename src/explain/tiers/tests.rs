use super::*;

#[test]
fn time_taken_reads_in_the_unit_of_its_largest_value() {
    for (range, said) in [
        (None, ""),
        (Some((31_000, 58_000)), " with time-taken 31-58 s"),
        (Some((1_200, 1_400)), " with time-taken 1.2-1.4 s"),
        (Some((30_010, 30_400)), " with time-taken 30 s"),
        (Some((40, 900)), " with time-taken 40-900 ms"),
    ] {
        assert_eq!(taking(range), said, "{range:?}");
    }
}

#[test]
fn each_outcome_seen_has_its_sentence_largest_first() {
    let mut g = TierGroup::new("502.3.12002".into());
    g.failures = 9;
    g.answered_late = Outcome {
        count: 2,
        backends: vec!["app01".into()],
        codes: vec!["200.0.0".into()],
        time_taken_ms: Some((31_000, 58_000)),
    };
    g.never_reached.count = 4;
    g.failed_behind = Outcome {
        count: 1,
        backends: vec!["app02".into()],
        codes: vec!["500.0.0".into()],
        time_taken_ms: Some((200, 200)),
    };
    g.unpaired = 2;
    let names = ["app01".to_string(), "app02".to_string()];
    assert_eq!(g.sentences(&names, false).len(), 3);
    let text = g.sentences(&names, true);
    assert_eq!(text.len(), 4, "{text:?}");
    assert!(
        text[0].starts_with("4 of 9 front-end 502.3.12002 were logged by none of app01, app02")
    );
    assert!(text[0].contains("never reached"));
    assert!(text[1].starts_with(
        "2 of 9 front-end 502.3.12002 were logged by app01 as 200.0.0 with time-taken 31-58 s"
    ));
    assert!(text[1].contains("slow, not down"));
    assert!(text[2].contains("could not be paired"), "{text:?}");
    assert!(text[3].starts_with(
        "1 of 9 front-end 502.3.12002 were logged by app02 as 500.0.0 with time-taken 200 ms"
    ));
    assert!(text[3].contains("passed the failure on"));
}

#[test]
fn no_outcome_no_sentence() {
    let g = TierGroup::new("504.0.0".into());
    assert!(g.sentences(&[], true).is_empty());
    assert!(report(None).is_none());
}
