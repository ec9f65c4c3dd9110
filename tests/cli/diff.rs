//! `iisdiag diff`: two summaries saved before and after a deploy (testdata/diff), or the same
//! logs split at the deploy, compared as shares of each side's requests.

use std::path::PathBuf;

use serde_json::Value;

use super::{iisdiag, json_of, repo, stdout_of};

const DEPLOY: &str = "2026-11-18T11:00";

fn logs() -> String {
    repo("testdata/diff").display().to_string()
}

/// Saves the summaries of the hour before the deploy and the hour after it, in `dir`.
fn saved(dir: &tempfile::TempDir) -> (String, String) {
    let mut paths = Vec::new();
    for (name, bound) in [("before.json", "--until"), ("after.json", "--since")] {
        let path: PathBuf = dir.path().join(name);
        iisdiag()
            .args(["scan", &logs(), "-q", bound, DEPLOY, "--save-summary"])
            .arg(&path)
            .assert()
            .success();
        paths.push(path.display().to_string());
    }
    (paths[0].clone(), paths[1].clone())
}

fn group<'a>(d: &'a Value, code: &str) -> &'a Value {
    d["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["code"] == code)
        .unwrap_or_else(|| panic!("no group {code}: {d}"))
}

#[test]
fn diff_of_saved_summaries_classifies_new_grown_gone_and_same() {
    let dir = tempfile::tempdir().unwrap();
    let (before, after) = saved(&dir);
    let d = json_of(&["diff", &before, &after, "--format", "json"]);
    assert_eq!(d["before"]["requests"], 1000);
    assert_eq!(d["after"]["requests"], 2000);
    assert_eq!(d["before"]["filters"][0], "until 2026-11-18T11:00");
    for (code, change, before_count, after_count) in [
        ("502.3.12002", "new", 0, 60),
        ("500.0.0", "grown", 10, 80),
        ("500.19.13", "gone", 16, 0),
        ("404.0.2", "same", 20, 40),
    ] {
        let g = group(&d, code);
        assert_eq!(g["change"], change, "{code}");
        assert_eq!(g["before"]["count"], before_count, "{code}");
        assert_eq!(g["after"]["count"], after_count, "{code}");
    }
    let p95 = group(&d, "502.3.12002")["after"]["p95_ms"]
        .as_u64()
        .unwrap();
    assert!((29_700..=30_400).contains(&p95), "{p95}");
    // New first: the order the README promises.
    assert_eq!(d["groups"][0]["code"], "502.3.12002");
}

#[test]
fn twice_the_traffic_and_twice_the_404s_is_not_grown() {
    let d = json_of(&["diff", "--split", DEPLOY, &logs(), "--format", "json"]);
    let g = group(&d, "404.0.2");
    assert_eq!(g["before"]["count"], 20);
    assert_eq!(g["after"]["count"], 40);
    assert_eq!(g["before"]["share"], g["after"]["share"]);
    assert_eq!(g["ratio"], 1.0);
    assert_eq!(g["change"], "same");
}

#[test]
fn split_logs_give_the_diff_of_the_saved_summaries() {
    let dir = tempfile::tempdir().unwrap();
    let (before, after) = saved(&dir);
    let from_saved = json_of(&["diff", &before, &after, "--format", "json"]);
    let split = json_of(&["diff", "--split", DEPLOY, &logs(), "--format", "json"]);
    for key in ["groups", "over_represented", "burst", "verdict"] {
        assert_eq!(from_saved[key], split[key], "{key}");
    }
}

#[test]
fn json_keys_are_the_documented_ones() {
    let d = json_of(&["diff", "--split", DEPLOY, &logs(), "--format", "json"]);
    let keys = |v: &Value| -> Vec<String> {
        let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    assert_eq!(
        keys(&d),
        [
            "after",
            "before",
            "burst",
            "groups",
            "httperr",
            "not_known",
            "over_represented",
            "verdict"
        ]
    );
    assert_eq!(
        keys(&d["before"]),
        ["failures", "filters", "first", "last", "paths", "requests"]
    );
    assert_eq!(
        keys(&d["groups"][0]),
        ["after", "before", "change", "code", "ratio", "title", "z"]
    );
    assert_eq!(keys(&d["groups"][0]["after"]), ["count", "p95_ms", "share"]);
    assert_eq!(
        keys(&d["over_represented"][0]),
        [
            "after_count",
            "after_share",
            "baseline",
            "before_share",
            "code",
            "key",
            "kind",
            "lift",
            "text"
        ]
    );
    assert_eq!(
        keys(&d["burst"]),
        [
            "before_per_minute",
            "failures",
            "groups",
            "keys",
            "minute",
            "requests",
            "text"
        ]
    );
    assert_eq!(
        keys(&d["burst"]["keys"][0]),
        [
            "before_at_most",
            "before_share",
            "count",
            "key",
            "kind",
            "share",
            "text"
        ]
    );
}

#[test]
fn over_represented_urls_and_servers_are_said() {
    let d = json_of(&["diff", "--split", DEPLOY, &logs(), "--format", "json"]);
    let texts: Vec<&str> = d["over_represented"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["text"].as_str().unwrap())
        .collect();
    assert!(
        texts.contains(
            &"90% of the after side's 500.0.0 are /api/checkout, which none of them were before"
        ),
        "{texts:?}"
    );
    assert!(
        texts.contains(&"100% of the after side's 502.3.12002 are on WEB02, which is 50% of all failures before"),
        "{texts:?}"
    );
    let b = &d["burst"];
    assert_eq!(b["minute"], "2026-11-18T11:05:00Z");
    assert_eq!(b["failures"], 45);
    assert_eq!(b["groups"][0]["code"], "502.3.12002");
    // The table says the same, and what it cannot know.
    let table = stdout_of(&["diff", "--split", DEPLOY, &logs()]);
    assert!(
        table.contains("/api/checkout, which none of them were before"),
        "{table}"
    );
    assert!(
        table.contains("502.3.12002 are from 198.51.100.250, which none of the failures before"),
        "{table}"
    );
    let md = stdout_of(&["diff", "--split", DEPLOY, &logs(), "--format", "markdown"]);
    assert!(md.contains("| `502.3.12002` | new | 0 |"), "{md}");
}

#[test]
fn by_client_is_compared_when_both_sides_count_it() {
    let d = json_of(&[
        "diff",
        "--split",
        DEPLOY,
        &logs(),
        "--by",
        "client",
        "--format",
        "json",
    ]);
    let not_known = d["not_known"].to_string();
    assert!(!not_known.contains("clients"), "{not_known}");
}

#[test]
fn fail_on_exits_1_on_the_change_it_names_and_0_otherwise() {
    for (condition, code) in [
        ("new-5xx", 1),
        ("new", 1),
        ("grown-500", 1),
        ("worse-502.3", 1),
        ("new-4xx", 0),
        ("grown-404", 0),
        ("grown-502", 0), // 502.3.12002 is new, not grown
    ] {
        let out = iisdiag()
            .args([
                "diff",
                "--split",
                DEPLOY,
                &logs(),
                "-q",
                "--fail-on",
                condition,
            ])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(code), "{condition}");
        assert!(!out.stdout.is_empty(), "the report is written either way");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            stderr.contains("matched"),
            code == 1,
            "{condition}: {stderr}"
        );
    }
}

#[test]
fn a_bad_summary_is_named_and_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let (before, _) = saved(&dir);
    let bad = dir.path().join("not-a-summary.json");
    std::fs::write(&bad, "{\"format\": \"something else\"}").unwrap();
    let out = iisdiag()
        .args(["diff", &before])
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("not-a-summary.json"), "{stderr}");
    assert!(stderr.contains("not a summary"), "{stderr}");
    // One file, or a span for --split, is a usage error too.
    for args in [
        &["diff", before.as_str()][..],
        &["diff", "--split", "2h", before.as_str()],
        &[
            "diff",
            before.as_str(),
            before.as_str(),
            "--fail-on",
            "gone",
        ],
    ] {
        let code = iisdiag().args(args).output().unwrap().status.code();
        assert_eq!(code, Some(2), "{args:?}");
    }
}

#[test]
fn a_side_with_no_requests_is_refused() {
    let out = iisdiag()
        .args(["diff", "--split", "2026-11-18T09:00", &logs()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("the before side"), "{stderr}");
}

#[test]
fn a_hostile_url_reaches_no_output_as_an_escape_sequence() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("u_ex261118.log");
    let mut text = String::from(
        "#Software: Microsoft Internet Information Services 10.0\n#Fields: date time cs-uri-stem sc-status sc-substatus sc-win32-status time-taken\n",
    );
    for i in 0..20 {
        text.push_str(&format!("2026-11-18 10:{i:02}:00 /ok 200 0 0 5\n"));
        text.push_str(&format!("2026-11-18 11:{i:02}:00 /ok 200 0 0 5\n"));
        text.push_str(&format!(
            "2026-11-18 11:{i:02}:30 /x\u{1b}]0;owned\u{7}\u{1b}[2J 500 0 0 5\n"
        ));
    }
    std::fs::write(&log, text).unwrap();
    let log = log.display().to_string();
    for format in ["table", "markdown", "json"] {
        let out = stdout_of(&["diff", "--split", DEPLOY, &log, "--format", format]);
        assert!(!out.contains('\u{1b}'), "{format}: {out}");
        assert!(!out.contains('\u{7}'), "{format}: {out}");
        assert!(out.contains("500.0.0"), "{format}: {out}");
    }
    let table = stdout_of(&["diff", "--split", DEPLOY, &log]);
    assert!(table.contains("/x\\x1b]0;owned\\x07\\x1b[2J"), "{table}");
}

#[test]
fn summaries_saved_one_with_all_and_one_without_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (before, _) = saved(&dir);
    let all = dir.path().join("after-all.json");
    iisdiag()
        .args([
            "scan",
            &logs(),
            "-q",
            "--all",
            "--since",
            DEPLOY,
            "--save-summary",
        ])
        .arg(&all)
        .assert()
        .success();
    let out = iisdiag()
        .args(["diff", &before])
        .arg(&all)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("after-all.json"), "{stderr}");
    assert!(stderr.contains("--all"), "{stderr}");
}

/// The sentence: the burst's URL against its share of all the traffic before (3 %
/// of the requests, all of them answered), with its server and client; from the logs and
/// from saved summaries alike.
#[test]
fn the_bursts_url_server_and_client_are_measured_against_the_traffic_before() {
    let dir = tempfile::tempdir().unwrap();
    let (before, after) = saved(&dir);
    for d in [
        json_of(&["diff", "--split", DEPLOY, &logs(), "--format", "json"]),
        json_of(&["diff", &before, &after, "--format", "json"]),
    ] {
        let keys = d["burst"]["keys"].as_array().unwrap();
        let said: Vec<(&str, &str, f64)> = keys
            .iter()
            .map(|k| {
                let s = k["before_share"].as_f64().unwrap();
                (k["kind"].as_str().unwrap(), k["key"].as_str().unwrap(), s)
            })
            .collect();
        assert_eq!(
            said,
            [
                ("url", "/api/inventory", 3.0),
                ("server", "WEB02", 50.0),
                ("client", "198.51.100.250", 0.0)
            ]
        );
        assert_eq!(
            keys[0]["text"],
            "100% of the 11:05 burst is /api/inventory, which is 3% of traffic before"
        );
        assert!(!d["not_known"].to_string().contains("burst"), "{d}");
    }
    let table = stdout_of(&["diff", &before, &after]);
    assert!(
        table.contains(
            "  - 100% of the 11:05 burst is /api/inventory, which is 3% of traffic before"
        ),
        "{table}"
    );
    // Wrapped like the other sentences: no line of the table runs past 100 columns but its
    // rows.
    let longest = table
        .lines()
        .filter(|l| l.starts_with("  "))
        .map(|l| l.chars().count())
        .max()
        .unwrap();
    assert!(longest <= 100, "{table}");
}

/// A summary saved before the traffic was kept holds none of it: the burst's keys are said
/// to be unknown, not guessed.
#[test]
fn a_summary_without_traffic_leaves_the_bursts_keys_unknown() {
    let dir = tempfile::tempdir().unwrap();
    let (before, after) = saved(&dir);
    let mut old: Value = serde_json::from_str(&std::fs::read_to_string(&before).unwrap()).unwrap();
    let w3c = old
        .as_object_mut()
        .unwrap()
        .values_mut()
        .find_map(|v| v.as_object_mut().filter(|o| o.contains_key("traffic")))
        .expect("a saved summary keeps its traffic");
    w3c.remove("traffic");
    let older = dir.path().join("older.json");
    std::fs::write(&older, old.to_string()).unwrap();
    let d = json_of(&[
        "diff",
        &older.display().to_string(),
        &after,
        "--format",
        "json",
    ]);
    assert_eq!(d["burst"]["keys"], serde_json::json!([]));
    assert!(
        d["not_known"]
            .to_string()
            .contains("the burst's URLs, servers and clients"),
        "{}",
        d["not_known"]
    );
}

/// Every URL, server and client in the report is a log's text: escapes and Markdown in a
/// URL reach neither the terminal nor the Markdown as they were.
#[test]
fn a_hostile_url_is_guarded_in_the_table_and_the_markdown() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("u_ex26111810.log");
    let hostile = "/x\x1b[2J|**boom**";
    let mut text = String::from(
        "#Fields: date time s-computername cs-uri-stem c-ip sc-status sc-substatus sc-win32-status time-taken\n",
    );
    for m in 0..30 {
        text.push_str(&format!(
            "2026-11-18 10:{m:02}:00 WEB01 /ok 192.0.2.1 200 0 0 5\n"
        ));
    }
    for s in 0..20 {
        text.push_str(&format!(
            "2026-11-18 11:05:{s:02} WEB01 {hostile} 192.0.2.9 500 0 0 5\n"
        ));
        text.push_str(&format!(
            "2026-11-18 11:06:{s:02} WEB01 /ok 192.0.2.1 200 0 0 5\n"
        ));
    }
    std::fs::write(&log, text).unwrap();
    let path = log.display().to_string();
    let table = stdout_of(&["diff", "--split", DEPLOY, &path]);
    assert!(!table.contains('\x1b'), "{table:?}");
    assert!(table.contains("burst is /x"), "{table}");
    let md = stdout_of(&["diff", "--split", DEPLOY, &path, "--format", "markdown"]);
    assert!(!md.contains('\x1b'), "{md:?}");
    assert!(!md.contains("|**boom**"), "{md}");
    assert!(md.contains("burst is"), "{md}");
}

/// HTTP.sys groups are compared by the same rule, from the logs and from saved summaries,
/// and `--fail-on` reads their status.
#[test]
fn http_sys_groups_are_compared_and_gated_by_their_status() {
    let dir = tempfile::tempdir().unwrap();
    let (before, after) = saved(&dir);
    for d in [
        json_of(&["diff", "--split", DEPLOY, &logs(), "--format", "json"]),
        json_of(&["diff", &before, &after, "--format", "json"]),
    ] {
        let rows: Vec<(&str, &str, u64, u64)> = d["httperr"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| {
                let n = |side: &str| g[side]["count"].as_u64().unwrap();
                let (code, change) = (g["code"].as_str().unwrap(), g["change"].as_str().unwrap());
                (code, change, n("before"), n("after"))
            })
            .collect();
        assert_eq!(
            rows,
            [
                ("503.QueueFull", "new", 0, 12),
                ("-.Timer_ConnectionIdle", "same", 4, 8)
            ]
        );
    }
    for (condition, code) in [("new-503", 1), ("new-4xx", 0), ("grown-503", 0)] {
        let out = iisdiag()
            .args(["diff", &before, &after, "--fail-on", condition])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(code), "{condition}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            stderr.contains("503.QueueFull new x12"),
            code == 1,
            "{stderr}"
        );
    }
    let md = stdout_of(&["diff", &before, &after, "--format", "markdown"]);
    assert!(md.contains("## HTTP.sys"), "{md}");
    assert!(md.contains("| `503.QueueFull` | new | 0 |"), "{md}");
}
