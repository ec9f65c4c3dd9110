#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fs::{self, OpenOptions};
use std::io::Write;

use super::*;

const HEADER: &str = "#Software: Microsoft Internet Information Services 10.0\r\n#Version: 1.0\r\n#Date: 2026-11-18 10:00:00\r\n#Fields: date time cs-method cs-uri-stem sc-status sc-substatus sc-win32-status time-taken\r\n";

fn line(second: u32, status: u16, sub: u32, win32: u32) -> String {
    format!("2026-11-18 10:00:{second:02} GET /api {status} {sub} {win32} 15\r\n")
}

fn append(path: &Path, text: &str) {
    let mut f = OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .unwrap();
    f.write_all(text.as_bytes()).unwrap();
}

/// The records and notices of one poll: W3C and HTTP.sys records as `status.sub.win32` (or
/// `status reason`), traces as `trace status.sub`.
fn poll(f: &mut Follower) -> (Vec<String>, Vec<String>) {
    let mut seen = Vec::new();
    let notices = f.poll(&mut |s| match s {
        Seen::W3c(r) => seen.push(r.triple.map_or("-".into(), |t| t.to_string())),
        Seen::HttpErr(r) => seen.push(format!(
            "{} {}",
            r.status.map_or("-".into(), |s| s.to_string()),
            String::from_utf8_lossy(r.reason)
        )),
        Seen::Trace(t, _) => seen.push(format!("trace {}", t.triple())),
    });
    (seen, notices.into_iter().map(|n| n.text).collect())
}

#[test]
fn a_cut_last_line_is_read_once_whole_at_the_next_poll() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("u_ex26111810.log");
    let mut f = Follower::new(vec![dir.path().to_path_buf()], false);
    assert_eq!(poll(&mut f).0, Vec::<String>::new());
    let whole = line(1, 502, 3, 12002);
    append(
        &log,
        &format!("{HEADER}{}{}", line(0, 200, 0, 0), &whole[..20]),
    );
    assert_eq!(poll(&mut f).0, ["200.0.0"]);
    append(&log, &whole[20..]);
    let (seen, notices) = poll(&mut f);
    assert_eq!(seen, ["502.3.12002"]);
    assert!(notices.is_empty(), "{notices:?}");
    assert_eq!(poll(&mut f).0, Vec::<String>::new());
}

#[test]
fn an_old_file_is_read_from_its_end_with_its_header() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("u_ex26111810.log");
    append(&log, &format!("{HEADER}{}", line(0, 500, 0, 0)));
    let mut f = Follower::new(vec![dir.path().to_path_buf()], false);
    assert_eq!(poll(&mut f).0, Vec::<String>::new());
    assert_eq!(f.counts().idle, 1);
    append(&log, &line(2, 503, 2, 0));
    assert_eq!(poll(&mut f).0, ["503.2.0"]);
    assert_eq!(f.counts().w3c, 1);
    // From the start, the same file gives both lines.
    let mut g = Follower::new(vec![dir.path().to_path_buf()], true);
    assert_eq!(poll(&mut g).0, ["500.0.0", "503.2.0"]);
}

#[test]
fn a_new_file_is_read_from_its_start_and_a_truncated_one_again() {
    let dir = tempfile::tempdir().unwrap();
    let mut f = Follower::new(vec![dir.path().to_path_buf()], false);
    poll(&mut f);
    let next = dir.path().join("u_ex26111811.log");
    append(&next, &format!("{HEADER}{}", line(3, 404, 0, 2)));
    let (seen, notices) = poll(&mut f);
    assert_eq!(seen, ["404.0.2"]);
    assert!(
        notices.iter().any(|n| n.contains("new file")),
        "{notices:?}"
    );
    fs::write(&next, HEADER).unwrap();
    let (seen, notices) = poll(&mut f);
    assert_eq!(seen, Vec::<String>::new());
    assert!(
        notices.iter().any(|n| n.contains("truncated")),
        "{notices:?}"
    );
    append(&next, &line(4, 500, 19, 13));
    assert_eq!(poll(&mut f).0, ["500.19.13"]);
}

#[test]
fn a_header_rewritten_in_place_is_read_again_with_its_new_layout() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("httperr1.log");
    let classic = "#Software: Microsoft HTTP API 2.0\r\n#Version: 1.0\r\n#Date: 2026-11-18 10:00:00\r\n#Fields: date time c-ip c-port s-ip s-port cs-version cs-method cs-uri sc-status s-siteid s-reason s-queuename\r\n";
    let rec =
        "2026-11-18 10:00:05 10.0.0.1 5000 10.0.0.2 443 HTTP/1.1 GET /a 503 1 AppOffline Pool\r\n";
    append(&log, &format!("{classic}{rec}"));
    let mut f = Follower::new(vec![dir.path().to_path_buf()], true);
    assert_eq!(poll(&mut f).0, ["503 AppOffline"]);
    // HTTP.sys restarted and wrote the file anew, longer than before, with another date.
    let rewritten = format!(
        "{}{}{}",
        classic.replace("10:00:00", "10:05:00"),
        rec.replace("AppOffline", "QueueFull"),
        rec.replace("AppOffline", "QueueFull")
    );
    fs::write(&log, rewritten).unwrap();
    let (seen, notices) = poll(&mut f);
    assert_eq!(seen, ["503 QueueFull", "503 QueueFull"]);
    assert!(
        notices.iter().any(|n| n.contains("rewritten")),
        "{notices:?}"
    );
}

#[test]
fn a_trace_is_read_once_when_it_holds_still_and_forgotten_when_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let mut f = Follower::new(vec![dir.path().to_path_buf()], false);
    poll(&mut f);
    let trace =
        fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/freb/fr000101.xml")).unwrap();
    let path = dir.path().join("fr000001.xml");
    fs::write(&path, &trace).unwrap();
    assert_eq!(poll(&mut f).0, Vec::<String>::new());
    let (seen, _) = poll(&mut f);
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert!(seen[0].starts_with("trace 502"), "{seen:?}");
    assert_eq!(poll(&mut f).0, Vec::<String>::new());
    assert_eq!(f.counts().traces, 1);
    fs::remove_file(&path).unwrap();
    let (_, notices) = poll(&mut f);
    assert!(notices.iter().any(|n| n.contains("removed")), "{notices:?}");
    assert_eq!(f.counts().traces, 0);
}

#[test]
fn the_last_header_block_before_a_point_is_found() {
    let text = b"#A\n#Fields: a b\nx y\n#Date: d\n#Fields: c d e\nz z z\n";
    assert_eq!(
        last_header(text, true).unwrap(),
        b"#Date: d\n#Fields: c d e\n"
    );
    assert_eq!(last_header(b"x y\n", true), None);
    // The first line of a tail that starts mid-line is not a line.
    assert_eq!(last_header(b"#Fields: a\nx\n", false), None);
}

#[test]
fn lines_longer_than_a_chunk_are_read_and_past_the_cap_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("u_ex26111810.log");
    let mut f = Follower::new(vec![dir.path().to_path_buf()], false);
    poll(&mut f);
    // A URL of 1.5 MiB: longer than a read, shorter than the cap.
    let long = line(1, 414, 0, 0).replace("/api", &format!("/{}", "a".repeat(3 << 19)));
    let huge = format!("{}\r\n", "x".repeat(MAX_LINE + 10));
    append(&log, &format!("{HEADER}{long}{huge}{}", line(2, 500, 0, 0)));
    let (seen, notices) = poll(&mut f);
    assert_eq!(seen, ["414.0.0", "500.0.0"]);
    assert!(
        notices
            .iter()
            .any(|n| n.contains("1 malformed line(s)") && n.contains("longer than 4 MiB")),
        "{notices:?}"
    );
    // A long line still being written is left for a later poll.
    let cut = line(3, 503, 0, 0).replace("/api", &format!("/{}", "b".repeat(3 << 19)));
    append(&log, &cut[..cut.len() - 10]);
    assert_eq!(poll(&mut f).0, Vec::<String>::new());
    append(&log, &cut[cut.len() - 10..]);
    assert_eq!(poll(&mut f).0, ["503.0.0"]);
}
