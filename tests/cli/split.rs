//! One large W3C log read in parts on several threads: the report must not depend on the
//! thread count, line numbers stay the file's, and a `#Fields:` change just before a cut is
//! honoured.

use std::io::Write;

use super::iisdiag;

/// Bytes per part in `input::split` (32 MiB); the file holds a little over two of them.
const PART: usize = 32 << 20;

struct Log {
    text: Vec<u8>,
    requests: u64,
    failures: u64,
    /// The line number of the one malformed line, in the second part.
    malformed_line: u64,
}

/// A log of `2 * PART + 1 MiB` whose layout changes a few hundred bytes before the first
/// cut, to a field order with the status first and no date (so the `#Date` in force counts).
fn log() -> Log {
    let mut log = Log {
        text: Vec::with_capacity(2 * PART + (2 << 20)),
        requests: 0,
        failures: 0,
        malformed_line: 0,
    };
    let mut lines = 0u64;
    let mut push = |log: &mut Log, line: &[u8]| {
        log.text.extend_from_slice(line);
        log.text.extend_from_slice(b"\r\n");
        lines += 1;
        lines
    };
    push(
        &mut log,
        b"#Software: Microsoft Internet Information Services 10.0",
    );
    push(&mut log, b"#Date: 2026-11-18 00:00:00");
    push(
        &mut log,
        b"#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port c-ip cs(User-Agent) sc-status sc-substatus sc-win32-status time-taken",
    );
    let mut i = 0u64;
    while log.text.len() < PART - 300 {
        let (status, sub, win32) = match i % 50 {
            0 => (502, 3, 12002),
            1 => (404, 0, 2),
            2 => (200, 0, 64),
            _ => (200, 0, 0),
        };
        let line = format!(
            "2026-11-18 {:02}:{:02}:{:02} 10.0.0.11 GET /api/orders/{} page=2 443 203.0.113.{} Mozilla/5.0+(Windows+NT+10.0) {status} {sub} {win32} {}",
            i / 3600 % 24,
            i / 60 % 60,
            i % 60,
            i % 977,
            i % 250,
            i % 3000
        );
        push(&mut log, line.as_bytes());
        log.requests += 1;
        log.failures += u64::from(i % 50 < 3);
        i += 1;
    }
    push(&mut log, b"#Date: 2026-11-19 00:00:00");
    push(
        &mut log,
        b"#Fields: sc-status sc-substatus sc-win32-status time cs-uri-stem time-taken",
    );
    while log.text.len() < 2 * PART + (1 << 20) {
        if i % 100_000 == 7 && log.malformed_line == 0 && log.text.len() > PART + (4 << 20) {
            log.malformed_line = push(&mut log, b"500 19 13 01:00:00 /cut-short");
        }
        let status = if i % 10 == 0 { 500 } else { 200 };
        let line = format!(
            "{status} 0 0 {:02}:{:02}:{:02} /web/{} {}",
            i / 3600 % 24,
            i / 60 % 60,
            i % 60,
            i % 5000,
            i % 700
        );
        push(&mut log, line.as_bytes());
        log.requests += 1;
        log.failures += u64::from(status == 500);
        i += 1;
    }
    log
}

#[test]
fn a_large_log_reads_the_same_on_any_thread_count() {
    let log = log();
    let mut file = tempfile::Builder::new().suffix(".log").tempfile().unwrap();
    file.write_all(&log.text).unwrap();
    let path = file.path().display().to_string();
    let run = |threads: &str| {
        let out = iisdiag()
            .args([
                "scan",
                &path,
                "--format",
                "json",
                "-q",
                "--threads",
                threads,
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    };
    let one = run("1");
    assert!(
        one == run("2"),
        "--threads 2 reports differently from --threads 1"
    );
    let json: serde_json::Value = serde_json::from_slice(&one).unwrap();
    assert_eq!(json["totals"]["requests"], log.requests);
    assert_eq!(json["totals"]["failures"], log.failures);
    assert_eq!(json["totals"]["malformed_lines"], 1);
    let malformed = &json["files"][0]["malformed_lines"][0];
    assert_eq!(malformed["line"], log.malformed_line, "{malformed}");
    // The second layout has no date: its requests take the day of the #Date line before it.
    assert_eq!(
        json["totals"]["last_seen"].as_str().map(|t| &t[..10]),
        Some("2026-11-19")
    );
    let codes: Vec<&str> = json["groups"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|g| g["code"].as_str())
        .collect();
    // Equal counts are ordered by code.
    assert_eq!(codes, ["500.0.0", "200.0.64", "404.0.2", "502.3.12002"]);
}
