//! `iisdiag explain` on Windows events: by provider and id, by the provider's name in event
//! XML, and an unknown event refused with exit 2.

use super::iisdiag;

#[test]
fn explain_answers_an_event_by_provider_and_id() {
    for (input, needles) in [
        (
            "WAS/5002",
            &[
                "Event WAS/5002",
                "rapid-fail protection",
                "application pool name",
            ][..],
        ),
        (
            "WAS 5011",
            &[
                "Event WAS/5011",
                "fatal communication error",
                "2. process id",
            ][..],
        ),
        (
            "Microsoft-Windows-WAS/5002",
            &["Event WAS/5002", "rapid-fail protection"][..],
        ),
        (
            "Application Error/1000",
            &[
                "Event Application Error/1000",
                "faulting application",
                "exception code",
            ][..],
        ),
    ] {
        let out = iisdiag().args(["explain", input]).output().unwrap();
        assert!(
            out.status.success(),
            "{input}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8(out.stdout).unwrap();
        for n in needles {
            assert!(text.contains(n), "explain {input} lacks {n}:\n{text}");
        }
    }
}

#[test]
fn an_unknown_event_is_exit_2_and_says_which_are_known() {
    let out = iisdiag().args(["explain", "WAS/9999"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("knows no event WAS/9999"), "{stderr}");
    assert!(stderr.contains("WAS, W3SVC-WP"), "{stderr}");
}
