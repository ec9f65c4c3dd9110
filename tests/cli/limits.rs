//! Limits and refusals of issue 15: times, buckets, counts, summary files, codes and paths
//! that come from a log or a summary are bounded, and what cannot be honoured is named.

use std::fs;
use std::path::Path;

use serde_json::Value;

use super::{iisdiag, repo};

const FIELDS: &str = "#Fields: date time s-computername cs-uri-stem sc-status sc-substatus sc-win32-status time-taken";

/// A W3C log of `lines` (after the `#Fields` line) written to `dir/name`.
fn w3c(dir: &Path, name: &str, lines: &[&str]) -> String {
    let path = dir.join(name);
    fs::write(&path, format!("{FIELDS}\n{}\n", lines.join("\n"))).unwrap();
    path.to_str().unwrap().to_string()
}

/// Runs iisdiag with `args`; returns (exit code, stdout, stderr).
fn run(args: &[&str]) -> (i32, String, String) {
    let out = iisdiag().args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn json(stdout: &str) -> Value {
    serde_json::from_str(stdout).unwrap()
}

fn farm() -> String {
    repo("testdata/farm").to_str().unwrap().to_string()
}

// Item 19.

#[test]
fn bucket_with_html_and_without_timeline_is_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("r.html");
    let (code, _, stderr) = run(&[
        "scan",
        &farm(),
        "--html",
        page.to_str().unwrap(),
        "--bucket",
        "15m",
        "-q",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let html = fs::read_to_string(page).unwrap();
    assert!(
        html.contains("15-minute"),
        "the page's timeline uses the bucket"
    );
}

#[test]
fn bucket_without_timeline_or_html_does_not_show_quiet_as_required() {
    let (code, stdout, stderr) = run(&["scan", &farm(), "--bucket", "5m", "-q"]);
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert!(
        stderr.contains("--timeline") && stderr.contains("--html"),
        "{stderr}"
    );
    assert!(!stderr.contains("--quiet"), "{stderr}");
    let (code, _, _) = run(&["scan", &farm(), "--bucket", "5m", "--timeline", "-q"]);
    assert_eq!(code, 0);
}

// Item 21.

#[test]
fn a_missing_path_among_others_is_exit_2_after_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-folder");
    let (code, stdout, stderr) = run(&["scan", &farm(), missing.to_str().unwrap()]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stdout.starts_with("6562 requests read"), "{stdout}");
    assert!(
        stderr.contains(&format!(
            "error: no such file or folder: {}",
            missing.display()
        )),
        "{stderr}"
    );
    // Quiet or not, and whatever --fail-on found.
    let (code, _, stderr) = run(&[
        "scan",
        &farm(),
        missing.to_str().unwrap(),
        "-q",
        "--fail-on",
        "5xx",
    ]);
    assert_eq!(code, 2, "{stderr}");
}

// Item 10.

#[test]
fn impossible_dates_are_malformed_lines_not_the_next_month() {
    let dir = tempfile::tempdir().unwrap();
    let log = w3c(
        dir.path(),
        "u_ex260228.log",
        &[
            "2026-02-28 10:00:00 WEB01 /a 500 0 0 10",
            "2026-02-30 10:00:00 WEB01 /b 500 0 0 10",
            "2026-02-29 10:00:00 WEB01 /c 500 0 0 10",
        ],
    );
    let httperr = dir.path().join("HTTPERR");
    fs::create_dir(&httperr).unwrap();
    fs::write(
        httperr.join("httperr1.log"),
        "#Software: Microsoft HTTP API 2.0\n#Version: 1.0\n#Date: 2026-02-28 09:00:00\n\
#Fields: date time c-ip c-port s-ip s-port cs-version cs-method cs-uri streamid sc-status s-siteid s-reason s-queuename\n\
2026-02-28 09:02:46 203.0.113.20 59515 10.0.1.11 443 HTTP/1.1 GET /a - 503 1 AppOffline Pool\n\
2026-02-30 09:02:46 203.0.113.20 59515 10.0.1.11 443 HTTP/1.1 GET /a - 503 1 AppOffline Pool\n\
2026-02-29 09:02:46 203.0.113.20 59515 10.0.1.11 443 HTTP/1.1 GET /a - 503 1 AppOffline Pool\n",
    )
    .unwrap();
    let (code, stdout, stderr) =
        run(&["scan", &log, httperr.to_str().unwrap(), "--format", "json"]);
    assert_eq!(code, 0, "{stderr}");
    let r = json(&stdout);
    for f in r["files"].as_array().unwrap() {
        assert_eq!(f["records"], 1, "{f}");
        assert_eq!(f["malformed"], 2, "{f}");
        let reasons = f["malformed_lines"].to_string();
        assert!(
            reasons.contains("2026-02-30") && reasons.contains("2026-02-29"),
            "{reasons}"
        );
    }
    assert_eq!(r["totals"]["last_seen"], "2026-02-28T10:00:00Z");
    assert_eq!(r["httperr"][0]["last_seen"], "2026-02-28T09:02:46Z");
}

// Item 5.

#[test]
fn a_line_dated_9999_is_malformed_not_a_timeline_of_eight_millennia() {
    let dir = tempfile::tempdir().unwrap();
    let log = w3c(
        dir.path(),
        "far.log",
        &[
            "2026-11-18 10:00:00 WEB01 /a 500 0 0 10",
            "9999-12-31 23:59:00 WEB01 /b 500 0 0 10",
        ],
    );
    let (code, stdout, stderr) = run(&[
        "scan",
        &log,
        "--timeline",
        "--bucket",
        "1m",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("line 3: date is `9999-12-31`"), "{stderr}");
    let r = json(&stdout);
    assert_eq!(r["totals"]["malformed_lines"], 1);
    assert_eq!(r["timeline"]["buckets"].as_array().unwrap().len(), 1);
}

#[test]
fn bucket_1m_over_a_century_is_widened_not_allocated() {
    let dir = tempfile::tempdir().unwrap();
    let log = w3c(
        dir.path(),
        "century.log",
        &[
            "1990-01-01 00:00:00 WEB01 /a 500 0 0 10",
            "2026-11-18 10:00:00 WEB01 /a 500 0 0 10",
            "2100-12-31 23:59:00 WEB01 /b 500 0 0 10",
        ],
    );
    let (code, stdout, stderr) = run(&[
        "scan",
        &log,
        "--timeline",
        "--bucket",
        "1m",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("note: the timeline uses 5-day buckets, not the 1-minute asked for"),
        "{stderr}"
    );
    let r = json(&stdout);
    let t = &r["timeline"];
    assert_eq!(t["bucket_minutes"], 5 * 1440);
    assert_eq!(t["bucket_widened_from"], 1);
    let n = t["buckets"].as_array().unwrap().len();
    assert!(n <= 10_000, "{n}");
    // The table says it too.
    let (_, table, _) = run(&["scan", &log, "--timeline", "--bucket", "1m", "-q"]);
    assert!(
        table.contains("Note: the timeline uses 5-day buckets"),
        "{table}"
    );
}

// Item 6 (and item 5 for summaries).

/// The farm's summary as `scan --save-summary` writes it, parsed.
fn farm_summary(dir: &Path) -> Value {
    let path = dir.join("farm.json");
    let (code, _, stderr) = run(&[
        "scan",
        &farm(),
        "--save-summary",
        path.to_str().unwrap(),
        "--force",
        "-q",
    ]);
    assert_eq!(code, 0, "{stderr}");
    serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap()
}

/// Writes `summary` to `dir/name` and runs `merge` on it with `args`.
fn merge(dir: &Path, name: &str, summary: &Value, args: &[&str]) -> (i32, String, String) {
    let path = dir.join(name);
    fs::write(&path, summary.to_string()).unwrap();
    let mut all = vec!["merge", path.to_str().unwrap()];
    all.extend_from_slice(args);
    run(&all)
}

#[test]
fn merge_of_counts_near_u64_max_is_refused_not_wrapped() {
    let dir = tempfile::tempdir().unwrap();
    let farm = farm_summary(dir.path());
    let mut forged = farm.clone();
    forged["w3c"]["requests"] = Value::from(u64::MAX);
    let farm_path = dir.path().join("farm.json");
    let (code, stdout, stderr) = merge(
        dir.path(),
        "forged.json",
        &forged,
        &[farm_path.to_str().unwrap(), "--format", "json"],
    );
    // Before: 2^64-1 + 6562 requests printed as 6561.
    assert_eq!(code, 2, "{stdout}");
    assert!(
        stderr.contains("forged.json: a damaged summary: requests 18446744073709551615 is more than any logs hold"),
        "{stderr}"
    );
}

#[test]
fn merge_of_a_summary_dated_2_to_the_62_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut forged = farm_summary(dir.path());
    forged["w3c"]["groups"][0]["last"] = Value::from(1i64 << 62);
    let (code, _, stderr) = merge(dir.path(), "far.json", &forged, &["--timeline"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains(
            "last seen 4611686018427387904 (ms since 1970) is outside the years 1990..2100"
        ),
        "{stderr}"
    );
    // A minute at 2^40 asked the timeline for 8.8 TB.
    let mut forged = farm_summary(dir.path());
    forged["w3c"]["minutes"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!([1u64 << 40, 1, 0]));
    let (code, _, stderr) = merge(
        dir.path(),
        "far-minute.json",
        &forged,
        &["--timeline", "--bucket", "1m"],
    );
    assert_eq!(code, 2);
    assert!(stderr.contains("a minute at"), "{stderr}");
}

#[test]
fn merge_applies_the_url_cap_while_reading() {
    let dir = tempfile::tempdir().unwrap();
    let mut forged = farm_summary(dir.path());
    let urls: Vec<Value> = (0..20_000)
        .map(|i| serde_json::json!([format!("/u/{i:05}"), 1]))
        .collect();
    let group = &mut forged["w3c"]["groups"][0];
    group["urls"] = Value::from(urls);
    group["count"] = Value::from(20_000);
    let code = format!(
        "{}.{}.{}",
        group["status"], group["substatus"], group["win32"]
    );
    let (status, stdout, stderr) =
        merge(dir.path(), "many-urls.json", &forged, &["--format", "json"]);
    assert_eq!(status, 0, "{stderr}");
    let r = json(&stdout);
    let g = r["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["code"] == code.as_str())
        .unwrap();
    // 10,000 kept one by one, the other 10,000 counted together.
    assert_eq!(g["other_urls"], 10_000, "{g}");
}

#[test]
fn a_summary_past_the_size_cap_is_refused_naming_the_file_and_the_cap() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.json");
    let file = fs::File::create(&path).unwrap();
    // Sparse: no disk is used.
    file.set_len((128 << 20) + 1).unwrap();
    let (code, _, stderr) = run(&["merge", path.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains(&format!(
            "{}: 134217729 bytes is more than a summary file may be (128 MiB)",
            path.display()
        )),
        "{stderr}"
    );
}

// Item 12 (the parts outside input/).

#[test]
fn distinct_codes_past_the_group_cap_are_other_codes_in_the_totals() {
    let dir = tempfile::tempdir().unwrap();
    let lines: Vec<String> = (0..10_050)
        .map(|i| format!("2026-11-18 10:00:00 WEB01 /u 500 {} {} 1", i % 100, i / 100))
        .collect();
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    let log = w3c(dir.path(), "codes.log", &refs);
    let (code, stdout, stderr) = run(&["scan", &log, "--format", "json", "--threads", "1"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("note: 50 failed request(s) had codes past the first 10000 distinct ones"),
        "{stderr}"
    );
    let r = json(&stdout);
    assert_eq!(r["totals"]["failures"], 10_050);
    assert_eq!(r["totals"]["other_codes"], 50);
    assert_eq!(r["groups"].as_array().unwrap().len(), 10_000);
}

#[test]
fn a_merged_group_with_status_1000_or_win32_past_u32_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    for (field, value) in [("status", 1000u64), ("win32", 1 << 40)] {
        let mut forged = farm_summary(dir.path());
        forged["w3c"]["groups"][0][field] = Value::from(value);
        let (code, _, stderr) = merge(dir.path(), "codes.json", &forged, &[]);
        assert_eq!(code, 2, "{field}");
        assert!(
            stderr.contains("is not a status.substatus.win32 a log holds"),
            "{stderr}"
        );
    }
    let (code, _, stderr) = run(&["explain", "500.0.1099511627776"]);
    assert_eq!(code, 2, "{stderr}");
}
