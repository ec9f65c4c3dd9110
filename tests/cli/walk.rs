//! Inputs that used to cost without bound or be skipped whole (issue 15, items 8 and 12): a
//! chain of folders linked twice over, a log behind a run of NUL bytes, a `TZ` naming a device.

use std::fs;
use std::time::Duration;

use super::*;

/// A W3C log of three requests, one of them a failure.
const LOG: &str = "#Software: Microsoft Internet Information Services 10.0\n\
#Fields: date time cs-uri-stem sc-status sc-substatus sc-win32-status time-taken\n\
2026-11-18 10:00:00 /a 200 0 0 5\n\
2026-11-18 10:00:01 /b 500 0 0 7\n\
2026-11-18 10:00:02 /c 200 0 0 3\n";

#[cfg(unix)]
#[test]
fn a_chain_of_folders_linked_twice_over_is_walked_once() {
    let dir = tempfile::tempdir().unwrap();
    let depth = 24;
    for i in 0..=depth {
        fs::create_dir(dir.path().join(format!("d{i}"))).unwrap();
    }
    for i in 0..depth {
        for link in ["a", "b"] {
            std::os::unix::fs::symlink(
                format!("../d{}", i + 1),
                dir.path().join(format!("d{i}/{link}")),
            )
            .unwrap();
        }
    }
    fs::write(dir.path().join(format!("d{depth}/u_ex261118.log")), LOG).unwrap();
    // 2^24 paths lead to the log: before, this ran for hours.
    let out = iisdiag()
        .args(["scan", "--format", "json"])
        .arg(dir.path().join("d0"))
        .timeout(Duration::from_secs(20))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["totals"]["files_read"], 1);
    assert_eq!(r["totals"]["requests"], 3);
}

#[test]
fn a_log_after_4_kib_of_nul_bytes_is_read_not_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = vec![0u8; 4096];
    bytes.extend_from_slice(LOG.as_bytes());
    fs::write(dir.path().join("u_ex261118.log"), &bytes).unwrap();
    fs::write(dir.path().join("u_ex261119.log"), vec![0u8; 4096]).unwrap();
    let out = iisdiag()
        .args(["scan", "--format", "json"])
        .arg(dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    let files = r["files"].as_array().unwrap();
    let log = files
        .iter()
        .find(|f| f["path"].as_str().unwrap().ends_with("u_ex261118.log"))
        .unwrap();
    // The NULs and the `#Software` line after them are one malformed line; the rest is read.
    assert_eq!(log["kind"], "w3c");
    assert_eq!(log["records"], 3);
    assert_eq!(log["malformed"], 1);
    assert_eq!(r["totals"]["failures"], 1);
    // A file of nothing but NULs says so, not "binary data".
    assert!(
        stderr.contains("u_ex261119.log: only NUL bytes (4096: allocated but never written"),
        "{stderr}"
    );
}

#[cfg(unix)]
#[test]
fn tz_naming_dev_zero_with_local_is_not_read() {
    // Before, chrono read /dev/zero to the end: 15 GB of memory in 10 s, and no output.
    let out = iisdiag()
        .args(["scan", "--local"])
        .arg(repo("testdata/farm"))
        .env("TZ", "/dev/zero")
        .timeout(Duration::from_secs(20))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains(
            "From 2026-11-18 09:00:00 to 2026-11-18 12:00:01 (UTC; --local not used: \
             TZ=\"/dev/zero\" is a device, a pipe or a socket, not a time zone file)."
        ),
        "{text}"
    );
    // A real zone still shows local time.
    if Path::new("/usr/share/zoneinfo/Asia/Tokyo").is_file() {
        let out = iisdiag()
            .args(["scan", "--local"])
            .arg(repo("testdata/farm"))
            .env("TZ", "Asia/Tokyo")
            .output()
            .unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(
            text.contains(
                "From 2026-11-18 18:00:00 to 2026-11-18 21:00:01 (local time (UTC+09:00))."
            ),
            "{text}"
        );
    }
}

#[test]
fn tz_naming_dev_zero_with_local_and_a_zone_less_since_is_not_read() {
    // A --since value without a zone is read in local time: with TZ=/dev/zero that asked
    // chrono directly and read without end (2.1 GB before a ulimit stopped it). Now the value
    // is read as UTC, like every other time of the run.
    let out = iisdiag()
        .args([
            "scan",
            "--local",
            "--format",
            "json",
            "--since",
            "2026-11-18 11:00",
        ])
        .arg(repo("testdata/farm"))
        .env("TZ", "/dev/zero")
        .timeout(Duration::from_secs(20))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["totals"]["first_seen"], "2026-11-18T11:00:02Z");
}
