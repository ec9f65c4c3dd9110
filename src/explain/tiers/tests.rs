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
    g.failures = 10;
    g.answered_late = Outcome {
        count: 3,
        backends: vec!["app01".into()],
        codes: vec!["200.0.64".into()],
        time_taken_ms: Some((31_000, 58_000)),
    };
    g.never_reached.count = 4;
    g.answer_lost = Outcome {
        count: 2,
        backends: vec!["app02".into()],
        codes: vec!["200.0.0".into()],
        time_taken_ms: Some((80, 120)),
    };
    g.failed_behind = Outcome {
        count: 1,
        backends: vec!["app02".into()],
        codes: vec!["500.0.0".into()],
        time_taken_ms: Some((200, 200)),
    };
    g.unpaired = 2;
    let names = ["app01".to_string(), "app02".to_string()];
    let text = g.sentences(&names);
    assert_eq!(text.len(), 4, "{text:?}");
    assert!(
        text[0].starts_with("4 of 10 front-end 502.3.12002 were logged by none of app01, app02")
    );
    assert!(text[0].contains("never reached"));
    assert!(text[1].starts_with(
        "3 of 10 front-end 502.3.12002 were logged by app01 as 200.0.64 with time-taken 31-58 s \
         (win32 64 or 1236: the proxy had already closed the connection)"
    ));
    assert!(text[1].contains("slow, not down"));
    assert!(text[2].starts_with(
        "2 of 10 front-end 502.3.12002 were logged by app02 as 200.0.0 with time-taken 80-120 ms, \
         within the front end's time-taken"
    ));
    assert!(text[2].contains("lost between the tiers"), "{text:?}");
    assert!(text[3].starts_with(
        "1 of 10 front-end 502.3.12002 were logged by app02 as 500.0.0 with time-taken 200 ms"
    ));
    assert!(text[3].contains("passed the failure on"));
    // A backend ARR's traces named is the one the sentence names.
    g.never_reached.backends = vec!["app02".into()];
    assert!(g.sentences(&names)[0].contains("were routed by ARR to app02, which logged none"));
}

#[test]
fn no_outcome_no_sentence() {
    let g = TierGroup::new("504.0.0".into());
    assert!(g.sentences(&[]).is_empty());
    assert!(report(None).is_none());
}
