//! Filters, breakdowns, the timeline, exports and merged summaries, on the farm sample
//! (whose incident is known: see testdata/README.md) and on small logs written here.

use std::fs;
use std::path::Path;

use predicates::prelude::*;
use serde_json::Value;

use super::{codes, group, iisdiag, repo, scan_json};

fn farm() -> String {
    repo("testdata/farm").display().to_string()
}

#[test]
fn status_filter_forms_choose_the_groups() {
    let farm = farm();
    let cases: &[(&[&str], &[&str])] = &[
        (&["--status", "502"], &["502.3.12002", "502.3.12029"]),
        (&["--status", "502.3.12029"], &["502.3.12029"]),
        (
            &["--status", "5xx"],
            &["502.3.12002", "502.3.12029", "500.19.13"],
        ),
        (&["--status", "500-501"], &["500.19.13"]),
        (
            &["--status", "4xx", "--exclude-status", "404"],
            &["401.1.2148074254", "401.2.5"],
        ),
        (&["--status", "4xx,!401"], &["404.0.2"]),
        (
            &["--status", "!404,!401"],
            &["502.3.12002", "502.3.12029", "500.19.13", "200.0.64"],
        ),
        (&["--status", "200"], &["200.0.64", "200.0.0"]),
    ];
    for (args, want) in cases {
        let mut all = vec![farm.as_str()];
        all.extend_from_slice(args);
        let r = scan_json(&all);
        let mut got: Vec<String> = codes(&r).into_iter().map(|(c, _)| c).collect();
        let mut want: Vec<String> = want.iter().map(|s| s.to_string()).collect();
        got.sort();
        want.sort();
        assert_eq!(got, want, "{args:?}");
        assert_eq!(
            r["totals"]["requests"], 6562,
            "the status filter keeps every request as the base"
        );
    }
}

#[test]
fn status_filter_applies_to_httperr_and_traces() {
    let r = scan_json(&[&farm(), "--status", "503"]);
    let httperr: Vec<&str> = r["httperr"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["code"].as_str().unwrap())
        .collect();
    assert_eq!(httperr, ["503.AppOffline"]);
    assert_eq!(r["traces"].as_array().unwrap().len(), 0);
    let r = scan_json(&[&farm(), "--status", "502.3.12029"]);
    let traces = r["traces"].as_array().unwrap();
    assert_eq!(traces.len(), 1);
    assert_eq!(traces[0]["win32"], 12029);
    assert!(r["httperr"].as_array().unwrap().is_empty());
}

#[test]
fn time_range_in_utc_and_spans_from_the_newest_record() {
    let r = scan_json(&[
        &farm(),
        "--since",
        "2026-11-18 10:40",
        "--until",
        "2026-11-18T10:50:00Z",
    ]);
    assert_eq!(codes(&r)[0], ("502.3.12002".to_string(), 131));
    assert!(r["totals"]["first_seen"].as_str().unwrap() >= "2026-11-18T10:40:00Z");
    assert!(r["totals"]["last_seen"].as_str().unwrap() < "2026-11-18T10:50:00Z");
    assert!(
        r["groups"]
            .as_array()
            .unwrap()
            .iter()
            .all(|g| g["code"] != "500.19.13")
    );

    // The newest record of the farm is 12:02:49 (an HTTP.sys line); 30 minutes back is 11:32:49.
    let r = scan_json(&[&farm(), "--since", "30m"]);
    assert!(r["totals"]["first_seen"].as_str().unwrap() >= "2026-11-18T11:32:49Z");
    let filters = r["filters"].as_array().unwrap();
    assert!(
        filters
            .iter()
            .any(|f| f.as_str().unwrap().contains("2026-11-18 11:32:49")),
        "{filters:?}"
    );
    // A date alone as --until takes in that whole day.
    let whole_day = scan_json(&[&farm(), "--since", "2026-11-18", "--until", "2026-11-18"]);
    assert_eq!(whole_day["totals"]["requests"], 6562);
}

#[test]
fn local_times_are_read_and_shown_in_the_machines_zone() {
    // POSIX zone text works without a zone database: one hour east of UTC.
    let out = iisdiag()
        .env("TZ", "XXX-1")
        .args(["scan", &farm(), "--local", "--status", "502.3.12002"])
        .args(["--since", "2026-11-18 11:42", "--until", "2026-11-18 11:44"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("local time (UTC+01:00)"), "{text}");
    // 11:42-11:44 local is 10:42-10:44 UTC: inside the 502.3 burst.
    assert!(text.contains("502.3.12002"), "{text}");
    assert!(text.contains("Seen 2026-11-18 11:42:"), "{text}");
}

#[test]
fn site_server_url_method_client_and_time_taken_filters_combine() {
    let farm = farm();
    let web01 = scan_json(&[&farm, "--server", "web01"]);
    let web02 = scan_json(&[&farm, "--server", "WEB02"]);
    assert_eq!(
        web01["totals"]["requests"].as_u64().unwrap()
            + web02["totals"]["requests"].as_u64().unwrap(),
        6562
    );
    assert!(
        web01["groups"]
            .as_array()
            .unwrap()
            .iter()
            .all(|g| g["servers"] == serde_json::json!(["WEB01"]))
    );
    let pools = |r: &Value| -> u64 {
        r["httperr"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["count"].as_u64().unwrap())
            .sum()
    };
    assert!(
        pools(&web01) > 0 && pools(&web02) > 0,
        "HTTP.sys files take the server from their folder"
    );

    let r = scan_json(&[&farm, "--site", "1"]);
    assert_eq!(r["totals"]["requests"], 6562);
    let r = scan_json(&[&farm, "--site", "W3SVC2"]);
    assert_eq!(r["totals"]["requests"], 0);

    let r = scan_json(&[
        &farm,
        "--url",
        "^/api/orders",
        "--min-time-taken",
        "29s",
        "--client-ip",
        "203.0.113.0/24",
        "--server",
        "web01",
    ]);
    let got = codes(&r);
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].0, "502.3.12002");
    assert!(got[0].1 > 0 && got[0].1 < 131);
    for g in r["groups"].as_array().unwrap() {
        assert!(g["time_taken_ms"]["p50"].as_u64().unwrap() >= 29_000);
    }
    let none = scan_json(&[&farm, "--client-ip", "10.0.0.0/8"]);
    assert_eq!(none["totals"]["requests"], 0);
    let gets = scan_json(&[&farm, "--method", "get"]);
    let posts = scan_json(&[&farm, "--method", "POST,PUT"]);
    assert!(gets["totals"]["requests"].as_u64().unwrap() > 0);
    assert!(
        gets["totals"]["requests"].as_u64().unwrap()
            + posts["totals"]["requests"].as_u64().unwrap()
            <= 6562
    );
}

#[test]
fn each_bad_filter_value_names_its_flag_value_and_forms() {
    let farm = farm();
    for (flag, value, form) in [
        ("--status", "5x", "5xx"),
        ("--exclude-status", "four", "500-504"),
        ("--since", "yesterday", "2026-11-18 09:00"),
        ("--until", "18/11/2026", "2h"),
        ("--min-time-taken", "slow", "500ms"),
        ("--client-ip", "10.0.0.0/40", "10.0.0.0/8"),
        ("--url", "([", "regular expression"),
        ("--bucket", "30s", "whole minutes"),
    ] {
        let mut cmd = iisdiag();
        cmd.args(["scan", &farm, flag, value]);
        if flag == "--bucket" {
            cmd.arg("--timeline");
        }
        cmd.assert()
            .code(2)
            .stderr(predicate::str::contains(flag))
            .stderr(predicate::str::contains(value))
            .stderr(predicate::str::contains(form));
    }
    iisdiag()
        .args([
            "scan",
            &farm,
            "--since",
            "2026-11-18 12:00",
            "--until",
            "2026-11-18 09:00",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is not before --until"));
}

#[test]
fn files_outside_the_range_are_not_read_by_the_date_in_their_name() {
    let dir = tempfile::tempdir().unwrap();
    let line = |date: &str| {
        format!(
            "#Fields: date time cs-uri-stem sc-status sc-substatus sc-win32-status time-taken\n{date} 10:00:00 /x 500 0 0 5\n"
        )
    };
    fs::write(dir.path().join("u_ex261101.log"), line("2026-11-01")).unwrap();
    fs::write(dir.path().join("u_ex261118.log"), line("2026-11-18")).unwrap();
    // A file whose name lies about its date is still filtered line by line.
    fs::write(dir.path().join("u_ex261117.log"), line("2026-11-01")).unwrap();
    let r = scan_json(&[dir.path().to_str().unwrap(), "--since", "2026-11-18"]);
    assert_eq!(r["totals"]["files_out_of_range"], 1);
    assert_eq!(r["totals"]["files_read"], 2);
    assert_eq!(r["totals"]["requests"], 1);
}

#[test]
fn breakdown_by_each_key() {
    let farm = farm();
    for (by, first_key) in [
        ("url", "/api/orders/search"),
        ("server", "WEB01"),
        ("site", "W3SVC1"),
        ("hour", "2026-11-18T10:00:00Z"),
    ] {
        let r = scan_json(&[&farm, "--by", by]);
        let b = &group(&r, "502.3.12002")["breakdown"];
        assert_eq!(b["by"], by);
        let entries = b["entries"].as_array().unwrap();
        assert_eq!(entries[0]["key"], first_key, "--by {by}");
        let sum: u64 = entries.iter().map(|e| e["count"].as_u64().unwrap()).sum();
        if b["distinct"].as_u64().unwrap() <= 10 {
            assert_eq!(sum, 131, "--by {by}: entries add up to the group");
        }
        assert!(entries[0]["p95_ms"].as_u64().unwrap() >= 29_000);
    }
    for by in ["client", "user-agent"] {
        let r = scan_json(&[&farm, "--by", by]);
        let entries = group(&r, "404.0.2")["breakdown"]["entries"]
            .as_array()
            .unwrap()
            .clone();
        assert!(!entries.is_empty(), "--by {by}");
    }
    let text = iisdiag()
        .args(["scan", &farm, "--by", "server", "--top", "1"])
        .output()
        .unwrap()
        .stdout;
    let text = String::from_utf8(text).unwrap();
    assert!(text.contains("By server:"), "{text}");
    assert!(text.contains("p95 30.1 s"), "{text}");
    let none = scan_json(&[&farm]);
    assert!(group(&none, "502.3.12002")["breakdown"].is_null());
}

#[test]
fn timeline_finds_the_known_burst() {
    // The farm's backend hangs from 10:42 to 10:47: every 502.3.12002 falls in it.
    let r = scan_json(&[&farm(), "--timeline", "--bucket", "1m"]);
    let t = &r["timeline"];
    assert_eq!(t["bucket_minutes"], 1);
    let buckets = t["buckets"].as_array().unwrap();
    assert_eq!(buckets[0], "2026-11-18T09:00:00Z");
    let series = t["series"].as_array().unwrap();
    let s = series.iter().find(|s| s["code"] == "502.3.12002").unwrap();
    let counts: Vec<u64> = s["counts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_u64().unwrap())
        .collect();
    assert_eq!(counts.len(), buckets.len());
    assert_eq!(counts.iter().sum::<u64>(), 131);
    let nonzero: Vec<usize> = (0..counts.len()).filter(|&i| counts[i] > 0).collect();
    assert_eq!(buckets[nonzero[0]], "2026-11-18T10:42:00Z");
    assert_eq!(buckets[*nonzero.last().unwrap()], "2026-11-18T10:46:00Z");
    let peak = &s["peak"];
    assert_eq!(peak["burst_from"], "2026-11-18T10:42:00Z");
    assert_eq!(peak["burst_to"], "2026-11-18T10:47:00Z");
    assert_eq!(peak["burst_count"], 131);
    let top = counts.iter().copied().max().unwrap();
    assert_eq!(peak["count"], top);
    assert_eq!(
        buckets[counts.iter().position(|&c| c == top).unwrap()],
        peak["from"]
    );
    // The application pool crash shows as HTTP.sys 503s at 11:40-11:44.
    let pool = series
        .iter()
        .find(|s| s["code"] == "HTTP.sys 503.AppOffline (OrdersPool)")
        .unwrap();
    assert_eq!(pool["peak"]["burst_from"], "2026-11-18T11:40:00Z");
    assert_eq!(pool["total"], 108);
    // Benign groups are not drawn.
    assert!(series.iter().all(|s| s["code"] != "401.2.5"));

    // The automatic bucket for three hours is 5 minutes; the table names the peak in words.
    let out = iisdiag()
        .args(["scan", &farm(), "--timeline"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("Failures over time (5-minute buckets, UTC):"),
        "{text}"
    );
    assert!(
        text.contains("burst 2026-11-18 10:40-10:50: 131 of 131 (100%)"),
        "{text}"
    );
    let no = scan_json(&[&farm()]);
    assert!(no["timeline"].is_null());
}

/// Without `--timeline`, groups do not count per minute and server; nothing else changes.
#[test]
fn the_report_is_the_same_with_and_without_the_timeline() {
    for by in [None, Some("server")] {
        let mut args = vec![farm()];
        args.extend(
            by.map(|b| ["--by".to_string(), b.to_string()])
                .into_iter()
                .flatten(),
        );
        let plain: Vec<&str> = args.iter().map(String::as_str).collect();
        let mut with = scan_json(&[plain.as_slice(), &["--timeline"]].concat());
        let without = scan_json(&plain);
        assert!(
            with["timeline"]["series"]
                .as_array()
                .is_some_and(|s| !s.is_empty())
        );
        with["timeline"] = Value::Null;
        assert_eq!(with, without, "{by:?}");
    }
}

/// A small log with hostile cells: a formula in the user agent and the URL.
fn hostile_log(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("u_ex261118.log");
    fs::write(
        &path,
        "#Fields: date time s-computername cs-method cs-uri-stem cs-uri-query sc-status sc-substatus sc-win32-status time-taken c-ip cs(User-Agent)\r\n\
2026-11-18 10:00:00 WEB01 GET /ok - 200 0 0 5 10.0.0.1 curl/8\r\n\
2026-11-18 10:00:01 WEB01 GET =HYPERLINK(\"http://x\") a=1 404 0 2 7 10.0.0.2 @SUM(1+1)\r\n\
2026-11-18 10:00:02 WEB01 POST /api/orders - 500 0 0 30 10.0.0.3 -cmd\r\n",
    )
    .unwrap();
    path
}

/// Runs `scan LOG FLAG FILE` and reads the CSV it wrote: header and rows.
fn scan_to_csv(log: &Path, flag: &str, out: &Path) -> (Vec<String>, Vec<csv::StringRecord>) {
    iisdiag()
        .args(["scan", log.to_str().unwrap(), flag, out.to_str().unwrap()])
        .assert()
        .success();
    let mut reader = csv::Reader::from_path(out).unwrap();
    let header = reader.headers().unwrap().iter().map(String::from).collect();
    (header, reader.records().map(Result::unwrap).collect())
}

#[test]
fn csv_summary_has_fixed_columns_and_neutralises_formulas() {
    let dir = tempfile::tempdir().unwrap();
    let log = hostile_log(dir.path());
    let (header, rows) = scan_to_csv(&log, "--csv", &dir.path().join("summary.csv"));
    assert_eq!(
        &header[..8],
        [
            "status",
            "substatus",
            "win32",
            "count",
            "share_percent",
            "code",
            "title",
            "cause"
        ]
    );
    assert!(header.contains(&"top_url".to_string()));
    assert_eq!(rows.len(), 2);
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let not_found = rows.iter().find(|r| &r[0] == "404").unwrap();
    assert_eq!(&not_found[col("top_url")], "'=HYPERLINK(\"http://x\")");
    assert_eq!(&not_found[col("count")], "1");
    assert!(!not_found[col("title")].is_empty());

    // `-` writes the CSV to standard output instead of the report.
    let stdout = iisdiag()
        .args(["scan", log.to_str().unwrap(), "--csv", "-"])
        .output()
        .unwrap()
        .stdout;
    assert!(
        String::from_utf8(stdout)
            .unwrap()
            .starts_with("status,substatus,win32,count,")
    );
}

#[test]
fn exported_requests_in_csv_and_ndjson() {
    let dir = tempfile::tempdir().unwrap();
    let log = hostile_log(dir.path());
    let (header, rows) = scan_to_csv(&log, "--export-requests", &dir.path().join("requests.csv"));
    assert_eq!(
        header,
        [
            "time",
            "server",
            "site",
            "method",
            "url",
            "query",
            "status",
            "substatus",
            "win32",
            "time_taken_ms",
            "client_ip",
            "user_agent",
            "file",
            "line",
            "kind",
            "reason"
        ]
    );
    assert_eq!(rows.len(), 2, "only the failed requests");
    assert_eq!(&rows[0][0], "2026-11-18T10:00:01Z");
    assert_eq!(&rows[0][4], "'=HYPERLINK(\"http://x\")");
    assert_eq!(&rows[0][11], "'@SUM(1+1)");
    assert_eq!(&rows[0][13], "3");
    assert_eq!(&rows[1][11], "'-cmd");
    assert_eq!(&rows[1][3], "POST");

    let out = iisdiag()
        .args([
            "scan",
            log.to_str().unwrap(),
            "--export-requests",
            "-",
            "--export-format",
            "ndjson",
        ])
        .output()
        .unwrap();
    let lines: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(
        lines[0]["url"], "=HYPERLINK(\"http://x\")",
        "JSON keeps values as logged"
    );
    assert_eq!(lines[0]["status"], 404);
    assert_eq!(lines[0]["win32"], 2);
    assert_eq!(lines[0]["query"], "a=1");
    assert_eq!(lines[1]["time_taken_ms"], 30);
    assert_eq!(lines[1]["kind"], "w3c");
    for key in [
        "server",
        "site",
        "client_ip",
        "user_agent",
        "file",
        "line",
        "reason",
        "substatus",
    ] {
        assert!(lines[0].get(key).is_some(), "{key}");
    }

    // The farm: W3C failures and HTTP.sys refusals, in path order, filters applied.
    let out = iisdiag()
        .args([
            "scan",
            &farm(),
            "--status",
            "503",
            "--export-requests",
            "-",
            "--export-format",
            "ndjson",
        ])
        .output()
        .unwrap();
    let rows: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 108);
    assert!(
        rows.iter()
            .all(|r| r["kind"] == "httperr" && r["reason"] == "AppOffline")
    );
}

#[test]
fn outputs_are_written_whole_and_never_over_inputs_or_existing_files() {
    let dir = tempfile::tempdir().unwrap();
    let log = hostile_log(dir.path());
    let log_arg = log.to_str().unwrap();
    let before = fs::read(&log).unwrap();
    let out = dir.path().join("summary.csv");
    fs::write(&out, "old").unwrap();
    iisdiag()
        .args(["scan", log_arg, "--csv", out.to_str().unwrap()])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--force"));
    assert_eq!(fs::read_to_string(&out).unwrap(), "old");
    iisdiag()
        .args(["scan", log_arg, "--csv", out.to_str().unwrap(), "--force"])
        .assert()
        .success();
    assert!(fs::read_to_string(&out).unwrap().starts_with("status,"));

    for flag in ["--csv", "--export-requests", "--save-summary"] {
        iisdiag()
            .args([
                "scan",
                dir.path().to_str().unwrap(),
                flag,
                log_arg,
                "--force",
            ])
            .assert()
            .code(2)
            .stderr(predicate::str::contains("one of the inputs"));
    }
    assert_eq!(fs::read(&log).unwrap(), before, "the log is untouched");

    // A folder that cannot take a file: the error names it and nothing is left behind.
    let missing = dir.path().join("no/such/folder/out.csv");
    iisdiag()
        .args(["scan", log_arg, "--csv", missing.to_str().unwrap()])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("out.csv"));
    let names: Vec<String> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.ends_with(".part")), "{names:?}");
}

#[test]
fn merged_summaries_equal_one_scan() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("web01.json");
    let b = dir.path().join("web02.json");
    for (server, file) in [("web01", &a), ("web02", &b)] {
        iisdiag()
            .args([
                "scan",
                repo(&format!("testdata/farm/{server}")).to_str().unwrap(),
            ])
            .args([
                "--by",
                "url",
                "--save-summary",
                file.to_str().unwrap(),
                "-q",
            ])
            .assert()
            .success();
    }
    let merged = iisdiag()
        .args([
            "merge",
            a.to_str().unwrap(),
            b.to_str().unwrap(),
            "--format",
            "json",
            "--timeline",
        ])
        .output()
        .unwrap();
    assert!(
        merged.status.success(),
        "{}",
        String::from_utf8_lossy(&merged.stderr)
    );
    let merged: Value = serde_json::from_slice(&merged.stdout).unwrap();
    let one = scan_json(&[&farm(), "--by", "url", "--timeline"]);
    for key in [
        "totals",
        "groups",
        "httperr",
        "correlations",
        "traces",
        "files",
        "timeline",
    ] {
        assert_eq!(merged[key], one[key], "{key}");
    }

    // Summaries broken down differently do not add up.
    let c = dir.path().join("other.json");
    iisdiag()
        .args(["scan", repo("testdata/farm/web02").to_str().unwrap()])
        .args([
            "--by",
            "server",
            "--save-summary",
            c.to_str().unwrap(),
            "-q",
        ])
        .assert()
        .success();
    iisdiag()
        .args(["merge", a.to_str().unwrap(), c.to_str().unwrap()])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--by"));
    // Anything else is refused with the file's name.
    let junk = dir.path().join("junk.json");
    fs::write(&junk, "{\"format\": \"something-else\"}").unwrap();
    iisdiag()
        .args(["merge", junk.to_str().unwrap()])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("junk.json"));
}

/// Issue 15, item 16: a summary saved with `--by url` and one saved without were merged
/// silently, and the breakdown then held only the requests of whichever file came first.
#[test]
fn merge_refuses_a_summary_without_by_beside_one_with_it_in_either_order() {
    let dir = tempfile::tempdir().unwrap();
    let with_by = dir.path().join("by-url.json");
    let without = dir.path().join("plain.json");
    for (file, by) in [(&with_by, true), (&without, false)] {
        let mut cmd = iisdiag();
        cmd.args(["scan", repo("testdata/farm/web01").to_str().unwrap()]);
        if by {
            cmd.args(["--by", "url"]);
        }
        cmd.args(["--save-summary", file.to_str().unwrap(), "-q"])
            .assert()
            .success();
    }
    for (first, second) in [(&with_by, &without), (&without, &with_by)] {
        iisdiag()
            .args(["merge", first.to_str().unwrap(), second.to_str().unwrap()])
            .assert()
            .code(2)
            .stdout("")
            .stderr(predicate::str::contains("by-url.json"))
            .stderr(predicate::str::contains("plain.json"))
            .stderr(predicate::str::contains("saved with --by url"))
            .stderr(predicate::str::contains("saved without --by"));
    }
}
