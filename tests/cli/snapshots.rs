//! Snapshots (insta) of what every writer produces today from the bundled testdata: the scan
//! table, JSON, Markdown, HTML and CSV reports, the request exports, `explain` (single codes
//! and the whole knowledge base), `freb`, the saved summary and `merge`. They pin behaviour
//! while the modules move: any change in the output shows as a snapshot diff.
//!
//! The binary runs from the repository root on relative paths, so no path of this machine
//! lands in a snapshot; files are written to a temporary folder, named `[TMP]` in arguments
//! and output. Each snapshot starts with the command line, then the exit status and each
//! stream (or the file written) between markers: insta trims trailing whitespace and reads
//! CRLF as LF, so the markers keep the final newline pinned and a CR is shown as `<CR>`.
//!
//! Unix only: on Windows the paths in the output have the other separator.
#![cfg(unix)]

use std::path::Path;
use std::process::Output;

use super::*;

/// What stands for the temporary folder in arguments and in snapshots.
const TMP: &str = "[TMP]";

/// Runs `iisdiag ARGS` from the repository root, with `[TMP]` in an argument standing for
/// `tmp`, and `TZ=UTC` (times are UTC unless `--local`, but a stray local time would show).
fn output(args: &[&str], tmp: Option<&Path>) -> Output {
    let args: Vec<String> = args
        .iter()
        .map(|a| match tmp {
            Some(dir) => a.replace(TMP, dir.to_str().unwrap()),
            None => (*a).to_string(),
        })
        .collect();
    iisdiag()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("TZ", "UTC")
        .env_remove("NO_COLOR")
        .args(&args)
        .output()
        .unwrap()
}

/// The command line as a snapshot's first line.
fn command_line(args: &[&str]) -> String {
    let mut line = String::from("$ iisdiag");
    for a in args {
        line.push(' ');
        if a.is_empty() || a.contains(char::is_whitespace) {
            line.push_str(&format!("'{a}'"));
        } else {
            line.push_str(a);
        }
    }
    line.push('\n');
    line
}

/// One stream or file as pinned: between a header and an end marker, the temporary folder
/// replaced by `[TMP]` and CRs made visible.
fn section(name: &str, bytes: &[u8], tmp: Option<&Path>) -> String {
    let mut text = String::from_utf8(bytes.to_vec())
        .unwrap_or_else(|e| panic!("{name} is not UTF-8: {e}"))
        .replace('\r', "<CR>");
    if let Some(dir) = tmp {
        text = text.replace(dir.to_str().unwrap(), TMP);
    }
    format!("----- {name} -----\n{text}<EOF>\n")
}

/// The command line, exit status, stdout and stderr of `iisdiag ARGS`.
fn run_in(args: &[&str], tmp: Option<&Path>) -> String {
    let out = output(args, tmp);
    let status = out
        .status
        .code()
        .map_or_else(|| "killed by a signal".to_string(), |c| c.to_string());
    format!(
        "{}exit status: {status}\n{}{}",
        command_line(args),
        section("stdout", &out.stdout, tmp),
        section("stderr", &out.stderr, tmp)
    )
}

fn run(args: &[&str]) -> String {
    run_in(args, None)
}

/// Runs `iisdiag ARGS` (which must succeed without a word on stderr) and returns the command
/// line and the file it wrote, `[TMP]/NAME`.
fn written(args: &[&str], tmp: &Path, name: &str) -> String {
    let out = output(args, Some(tmp));
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "{:?}: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let bytes = std::fs::read(tmp.join(name)).unwrap();
    format!(
        "{}{}",
        command_line(args),
        section(&format!("{TMP}/{name}"), &bytes, Some(tmp))
    )
}

// scan, table output

#[test]
fn snapshot_scan_farm_table() {
    insta::assert_snapshot!(run(&["scan", "testdata/farm", "--color", "never"]));
}

#[test]
fn snapshot_scan_farm_table_timeline() {
    insta::assert_snapshot!(run(&[
        "scan",
        "testdata/farm",
        "--color",
        "never",
        "--timeline"
    ]));
}

#[test]
fn snapshot_scan_farm_table_by_url() {
    insta::assert_snapshot!(run(&[
        "scan",
        "testdata/farm",
        "--color",
        "never",
        "--by",
        "url"
    ]));
}

/// Everything bundled, broken files too: stderr has the skip messages and malformed lines.
#[test]
fn snapshot_scan_all_testdata_table() {
    insta::assert_snapshot!(run(&["scan", "testdata", "--color", "never"]));
}

#[test]
fn snapshot_scan_archives_farm_table() {
    insta::assert_snapshot!(run(&["scan", "testdata/archives/farm", "--color", "never"]));
}

#[test]
fn snapshot_scan_archives_broken_table() {
    insta::assert_snapshot!(run(&[
        "scan",
        "testdata/archives/broken",
        "--color",
        "never"
    ]));
}

// scan, JSON and Markdown

#[test]
fn snapshot_scan_farm_json() {
    insta::assert_snapshot!(run(&["scan", "testdata/farm", "--format", "json"]));
}

#[test]
fn snapshot_scan_farm_json_timeline_by_url() {
    insta::assert_snapshot!(run(&[
        "scan",
        "testdata/farm",
        "--format",
        "json",
        "--timeline",
        "--by",
        "url"
    ]));
}

#[test]
fn snapshot_scan_farm_markdown() {
    insta::assert_snapshot!(run(&["scan", "testdata/farm", "--format", "markdown"]));
}

#[test]
fn snapshot_scan_farm_markdown_timeline() {
    insta::assert_snapshot!(run(&[
        "scan",
        "testdata/farm",
        "--format",
        "markdown",
        "--timeline"
    ]));
}

// scan, files written

#[test]
fn snapshot_scan_farm_html() {
    let tmp = tempfile::tempdir().unwrap();
    insta::assert_snapshot!(written(
        &["scan", "testdata/farm", "--html", "[TMP]/report.html"],
        tmp.path(),
        "report.html"
    ));
}

#[test]
fn snapshot_scan_farm_csv_summary() {
    let tmp = tempfile::tempdir().unwrap();
    insta::assert_snapshot!(written(
        &["scan", "testdata/farm", "--csv", "[TMP]/summary.csv"],
        tmp.path(),
        "summary.csv"
    ));
}

#[test]
fn snapshot_scan_farm_export_requests_csv() {
    let tmp = tempfile::tempdir().unwrap();
    insta::assert_snapshot!(written(
        &[
            "scan",
            "testdata/farm",
            "--export-requests",
            "[TMP]/requests.csv"
        ],
        tmp.path(),
        "requests.csv"
    ));
}

#[test]
fn snapshot_scan_farm_export_requests_ndjson() {
    let tmp = tempfile::tempdir().unwrap();
    insta::assert_snapshot!(written(
        &[
            "scan",
            "testdata/farm",
            "--export-requests",
            "[TMP]/requests.ndjson",
            "--export-format",
            "ndjson"
        ],
        tmp.path(),
        "requests.ndjson"
    ));
}

// scan --save-summary, and merge

/// `scan --save-summary` of web01 and of web02 into `tmp`: web01.json and web02.json.
fn save_summaries(tmp: &Path) -> [String; 2] {
    ["web01", "web02"].map(|server| {
        written(
            &[
                "scan",
                &format!("testdata/farm/{server}"),
                "--save-summary",
                &format!("[TMP]/{server}.json"),
            ],
            tmp,
            &format!("{server}.json"),
        )
    })
}

#[test]
fn snapshot_save_summary_web01() {
    let tmp = tempfile::tempdir().unwrap();
    let [web01, _] = save_summaries(tmp.path());
    insta::assert_snapshot!(web01);
}

#[test]
fn snapshot_save_summary_web02() {
    let tmp = tempfile::tempdir().unwrap();
    let [_, web02] = save_summaries(tmp.path());
    insta::assert_snapshot!(web02);
}

#[test]
fn snapshot_merge_web01_web02_table() {
    let tmp = tempfile::tempdir().unwrap();
    save_summaries(tmp.path());
    insta::assert_snapshot!(run_in(
        &[
            "merge",
            "[TMP]/web01.json",
            "[TMP]/web02.json",
            "--color",
            "never"
        ],
        Some(tmp.path())
    ));
}

#[test]
fn snapshot_merge_web01_web02_json() {
    let tmp = tempfile::tempdir().unwrap();
    save_summaries(tmp.path());
    insta::assert_snapshot!(run_in(
        &[
            "merge",
            "[TMP]/web01.json",
            "[TMP]/web02.json",
            "--format",
            "json"
        ],
        Some(tmp.path())
    ));
}

// explain

fn explain(code: &str) -> String {
    run(&["explain", code, "--color", "never"])
}

#[test]
fn snapshot_explain_502_3_12002() {
    insta::assert_snapshot!(explain("502.3.12002"));
}

#[test]
fn snapshot_explain_502_3() {
    insta::assert_snapshot!(explain("502.3"));
}

#[test]
fn snapshot_explain_500_19_13() {
    insta::assert_snapshot!(explain("500.19.13"));
}

#[test]
fn snapshot_explain_503() {
    insta::assert_snapshot!(explain("503"));
}

#[test]
fn snapshot_explain_401_2_5() {
    insta::assert_snapshot!(explain("401.2.5"));
}

/// A status with no entry of its own: the closest entry (the status).
#[test]
fn snapshot_explain_200_0_0() {
    insta::assert_snapshot!(explain("200.0.0"));
}

/// A status iisdiag has no entry for: the status class.
#[test]
fn snapshot_explain_599_unknown() {
    insta::assert_snapshot!(explain("599"));
}

#[test]
fn snapshot_explain_win32_12002() {
    insta::assert_snapshot!(explain("12002"));
}

#[test]
fn snapshot_explain_hresult_0x80070005() {
    insta::assert_snapshot!(explain("0x80070005"));
}

#[test]
fn snapshot_explain_event_was_5002() {
    insta::assert_snapshot!(explain("WAS/5002"));
}

#[test]
fn snapshot_explain_event_application_error_1000() {
    insta::assert_snapshot!(explain("Application Error/1000"));
}

#[test]
fn snapshot_explain_ntstatus_0xc0000005() {
    insta::assert_snapshot!(explain("0xC0000005"));
}

#[test]
fn snapshot_explain_negative_decimal_exit_code() {
    insta::assert_snapshot!(explain("-532462766"));
}

#[test]
fn snapshot_explain_hresult_decimal_2147954402() {
    insta::assert_snapshot!(explain("2147954402"));
}

#[test]
fn snapshot_explain_name_error_winhttp_timeout() {
    insta::assert_snapshot!(explain("ERROR_WINHTTP_TIMEOUT"));
}

/// The WinINet name of 12002 is not one iisdiag knows: a usage error (exit 2).
#[test]
fn snapshot_explain_name_error_internet_timeout_refused() {
    insta::assert_snapshot!(explain("ERROR_INTERNET_TIMEOUT"));
}

#[test]
fn snapshot_explain_httpsys_appoffline() {
    insta::assert_snapshot!(explain("AppOffline"));
}

#[test]
fn snapshot_explain_httpsys_timer_connectionidle() {
    insta::assert_snapshot!(explain("Timer_ConnectionIdle"));
}

/// The table is laid out for 120 columns when stdout is not a terminal, as here.
#[test]
fn snapshot_explain_list_table() {
    insta::assert_snapshot!(run(&["explain", "--list", "--color", "never"]));
}

#[test]
fn snapshot_explain_list_csv() {
    insta::assert_snapshot!(run(&["explain", "--list", "--format", "csv"]));
}

#[test]
fn snapshot_explain_list_json() {
    insta::assert_snapshot!(run(&["explain", "--list", "--format", "json"]));
}

// freb

fn freb(path: &str) -> String {
    run(&["freb", path, "--color", "never"])
}

#[test]
fn snapshot_freb_fr000101() {
    insta::assert_snapshot!(freb("testdata/freb/fr000101.xml"));
}

#[test]
fn snapshot_freb_fr000102() {
    insta::assert_snapshot!(freb("testdata/freb/fr000102.xml"));
}

#[test]
fn snapshot_freb_fr000103() {
    insta::assert_snapshot!(freb("testdata/freb/fr000103.xml"));
}

#[test]
fn snapshot_freb_fr000104() {
    insta::assert_snapshot!(freb("testdata/freb/fr000104.xml"));
}

#[test]
fn snapshot_freb_fr000105() {
    insta::assert_snapshot!(freb("testdata/freb/fr000105.xml"));
}

#[test]
fn snapshot_freb_fr000106() {
    insta::assert_snapshot!(freb("testdata/freb/fr000106.xml"));
}

/// Cut off mid-event.
#[test]
fn snapshot_freb_fr000107_truncated() {
    insta::assert_snapshot!(freb("testdata/freb/fr000107.xml"));
}

#[test]
fn snapshot_freb_fr000108() {
    insta::assert_snapshot!(freb("testdata/freb/fr000108.xml"));
}

#[test]
fn snapshot_freb_entity_bomb_refused() {
    insta::assert_snapshot!(freb("testdata/freb/entity-bomb.xml"));
}

#[test]
fn snapshot_freb_not_a_trace_refused() {
    insta::assert_snapshot!(freb("testdata/freb/not-a-trace.xml"));
}

/// The folder: every trace, newest first, and the skip message for the entity bomb.
#[test]
fn snapshot_freb_folder() {
    insta::assert_snapshot!(freb("testdata/freb"));
}

#[test]
fn snapshot_freb_farm_web01() {
    insta::assert_snapshot!(freb("testdata/farm/web01/FailedReqLogFiles"));
}
