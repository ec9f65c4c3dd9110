//! Exit codes: 0 when the command ran, 1 when `--fail-on` or `--strict` found something,
//! 2 for a usage error or nothing readable.

use predicates::prelude::*;

use super::{iisdiag, repo, skip_unless_ci};

fn farm() -> String {
    repo("testdata/farm").display().to_string()
}

#[test]
fn fail_on_gates_on_counts_and_shares() {
    let farm = farm();
    for (conditions, code) in [
        (&["5xx"][..], 1),
        (&["502.3>130"], 1),
        (&["502.3>147"], 0),
        (&["502.3.12002>131"], 0),
        (&["4xx,!401>50"], 0), // 48 x 404.0.2 and 2 x HTTP.sys 400.FieldLength
        (&["4xx,!401>49"], 1),
        (&["503>1%"], 1),
        (&["503>2%"], 0),
        (&["418"], 0),
        (&["418", "500.19"], 1),
    ] {
        let mut cmd = iisdiag();
        cmd.args(["scan", &farm, "-q"]);
        for c in conditions {
            cmd.args(["--fail-on", c]);
        }
        let out = cmd.output().unwrap();
        assert_eq!(out.status.code(), Some(code), "{conditions:?}");
        assert!(!out.stdout.is_empty(), "the report is written either way");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            stderr.contains("matched"),
            code == 1,
            "{conditions:?}: {stderr}"
        );
    }
    iisdiag()
        .args(["scan", &farm, "--fail-on", "502.3>100"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "--fail-on 502.3>100 matched: 147 request(s) (502.3.12002 x131, 502.3.12029 x16)",
        ));
    iisdiag()
        .args(["scan", &farm, "--fail-on", "5xx>lots"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--fail-on").and(predicate::str::contains("502.3>10")));
}

#[test]
fn strict_fails_on_skipped_files_and_malformed_lines() {
    iisdiag()
        .args(["scan", &farm(), "--strict", "-q"])
        .assert()
        .code(0);
    iisdiag()
        .args([
            "scan",
            repo("testdata/broken").to_str().unwrap(),
            "--strict",
            "-q",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "--strict: 2 file(s) skipped and 2 malformed line(s)",
        ));
    iisdiag()
        .args(["scan", repo("testdata/broken").to_str().unwrap()])
        .assert()
        .code(0);
}

#[test]
fn merge_gates_too() {
    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("farm.json");
    iisdiag()
        .args([
            "scan",
            &farm(),
            "-q",
            "--save-summary",
            saved.to_str().unwrap(),
        ])
        .assert()
        .success();
    iisdiag()
        .args([
            "merge",
            saved.to_str().unwrap(),
            "--fail-on",
            "502.3.12002>100",
        ])
        .assert()
        .code(1);
}

#[test]
fn a_failed_write_of_the_report_is_an_error() {
    let full = std::path::Path::new("/dev/full");
    if !full.exists() {
        skip_unless_ci("/dev/full is absent on this system");
        return;
    }
    let sink = std::fs::OpenOptions::new().write(true).open(full).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_iisdiag"))
        .args(["scan", &farm()])
        .stdout(sink)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("writing the report"), "{stderr}");
}
