//! What iisdiag says follows what the logs and traces show (issue 15, items 13 to 16):
//! successes are called successes, a trace is read for the module, its version and the
//! statuses set on the way, and evidence lines up with the group it backs.

use super::*;

/// Issue 15, item 14: with `--all` the headline said "6562 failed (100%)" and 200.0.0 was
/// explained as "200 OK, but the connection did not end cleanly".
#[test]
fn all_counts_only_failures_as_failed_and_calls_a_success_a_success() {
    let farm = repo("testdata/farm");
    let farm = farm.to_str().unwrap();
    let table = stdout_of(&["scan", farm, "--all", "--color", "never"]);
    let headline = table.lines().next().unwrap();
    assert_eq!(
        headline,
        "6562 requests read from 8 file(s); 273 failed (4.16%); 6562 grouped."
    );
    assert!(!table.contains("did not end cleanly"), "{table}");

    let r = scan_json(&[farm, "--all"]);
    // `failures` keeps its meaning (requests grouped); `failed` is added.
    assert_eq!(r["totals"]["failures"], 6562);
    assert_eq!(r["totals"]["failed"], 273);
    let ok = group(&r, "200.0.0");
    assert!(
        ok["title"].as_str().unwrap().contains("not a failure"),
        "{}",
        ok["title"]
    );
    assert_eq!(ok["benign"], true);
    // A success whose connection did not end cleanly is still explained by its win32.
    let dropped = group(&r, "200.0.64");
    assert!(
        dropped["title"]
            .as_str()
            .unwrap()
            .contains("connection was lost"),
        "{}",
        dropped["title"]
    );

    // Without --all the headline is as it was.
    let plain = stdout_of(&["scan", farm, "--color", "never"]);
    assert!(
        plain.starts_with("6562 requests read from 8 file(s); 273 failed (4.16%).\n"),
        "{plain}"
    );
}

/// Issue 15, item 14 and the snapshot review: `explain 200.0.0`, `304.0.0` and `206.0.0`
/// explained plain successes as connections that ended early, and listed the closest entry's
/// references without a heading, the 403.14 page (a reference of win32 0) among them.
#[test]
fn explain_calls_a_success_with_win32_0_a_success() {
    for code in ["200.0.0", "304.0.0", "206.0.0"] {
        let text = stdout_of(&["explain", code]);
        assert!(text.contains("not a failure"), "{code}: {text}");
        for wrong in ["did not end cleanly", "ended early"] {
            assert!(!text.contains(wrong), "{code}: {text}");
        }
        // The entry's block ends with its own references, under a heading.
        let entry = text.split("\nwin32 0 = ").next().unwrap();
        assert!(
            entry.contains("  References:\n    https://"),
            "{code}: {text}"
        );
        assert!(!entry.contains("403-14"), "{code}: {entry}");
    }
    let dropped = stdout_of(&["explain", "200.0.64"]);
    assert!(dropped.contains("connection was lost"), "{dropped}");
}

/// Issue 15, item 13, on real traces (read in place from the shared corpus) and on
/// testdata/freb/fr000108.xml: requests that ended 200 with no win32 (a rule matching 200s,
/// a 61 s upload through AspNetCoreModuleV2, a slow PHP page) were explained as "200 OK, but
/// the connection did not end cleanly ... sc-win32-status is not zero".
#[test]
fn freb_explains_traced_successes_by_what_the_trace_shows() {
    let sample = repo("testdata/freb/fr000108.xml");
    let text = stdout_of(&["freb", sample.to_str().unwrap(), "--color", "never"]);
    assert!(!text.contains("did not end cleanly"), "{text}");
    assert!(
        text.contains("200.0.-: HTTP 200, traced by a Failed Request Tracing rule"),
        "{text}"
    );
    assert!(
        text.contains("Most of its time went in FastCgiModule"),
        "{text}"
    );
    assert!(
        text.contains("Trace: The request took 8621 ms in all."),
        "{text}"
    );

    let Some(corpus) = corpus() else { return };
    let freb = corpus.join("freb");
    let jilly = stdout_of(&[
        "freb",
        freb.join("Jilly__fr000001.xml").to_str().unwrap(),
        "--color",
        "never",
    ]);
    assert!(!jilly.contains("did not end cleanly"), "{jilly}");
    assert!(
        jilly.contains("status codes include 200 (failureReason STATUS_CODE)"),
        "{jilly}"
    );

    let nanette = stdout_of(&[
        "freb",
        freb.join("Nanette2022__fr000001.xml").to_str().unwrap(),
        "--color",
        "never",
    ]);
    assert!(!nanette.contains("did not end cleanly"), "{nanette}");
    for said in [
        "Trace: The request took 61230 ms in all.",
        "AspNetCoreModuleV2 is the ASP.NET Core Module V2; this trace shows out-of-process hosting",
        "Most of its time went in AspNetCoreModuleV2",
    ] {
        assert!(nanette.contains(said), "{said}: {nanette}");
    }

    // The real 500s keep the explanation of the module that set them.
    let managed = stdout_of(&[
        "freb",
        freb.join("mayur_patil__fr000010.xml").to_str().unwrap(),
        "--color",
        "never",
    ]);
    assert!(
        managed.contains("500.0.0: ASP.NET application error"),
        "{managed}"
    );
    assert!(
        managed.contains(
            "Trace: ManagedPipelineHandler set 500.0 in MAP_REQUEST_HANDLER at 156 ms, with ErrorCode 0 (no failure of its own)."
        ),
        "{managed}"
    );
}

#[test]
fn explain_answers_crash_and_exit_codes_in_every_form_they_are_printed() {
    // Before, `explain 0xC0000005` and `explain 3221225477` were refused (exit 2), and a
    // negative decimal was taken for a flag.
    for (asked, name) in [
        ("0xC0000005", "STATUS_ACCESS_VIOLATION"),
        ("3221225477", "STATUS_ACCESS_VIOLATION"),
        ("-1073741819", "STATUS_ACCESS_VIOLATION"),
        ("0xC0000409", "STATUS_STACK_BUFFER_OVERRUN"),
        ("0xC0000374", "STATUS_HEAP_CORRUPTION"),
        ("0xC00000FD", "STATUS_STACK_OVERFLOW"),
        ("-532462766", "CLR exception (0xE0434352)"),
        ("0x80131506", "COR_E_EXECUTIONENGINE"),
        ("0x80008083", "CoreHostLibMissingFailure"),
        ("-2147450730", "FrameworkMissingFailure"),
        ("0x8000808c", "ResolverResolveFailure"),
    ] {
        let out = iisdiag().args(["explain", asked]).output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{asked}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(text.contains(name), "{asked}: {text}");
    }
    let out = iisdiag().args(["explain", "0xC0000005"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("procdump -e -ma"),
        "a crash says which dump to take: {text}"
    );
    let out = iisdiag()
        .args(["explain", "-99999999999"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}
