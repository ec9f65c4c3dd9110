//! The HTTPERR reader on small logs, the field sets of each Windows release, odd input and
//! the shared corpus.

use std::io::{self, Read};

use super::*;
use crate::input::lines::{MALFORMED_SAMPLES, MAX_LINE, Stats};
use crate::time::{Millis, at, parse_date, parse_time};

fn read(bytes: &[u8]) -> (Vec<Owned>, Stats) {
    let mut out = Vec::new();
    let stats = read_httperr(bytes, |r| out.push(Owned::from(r))).unwrap();
    (out, stats)
}

/// A record copied out of the buffer, so tests can look at it after the read.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Owned {
    line: u64,
    time: Option<Millis>,
    client_ip: String,
    client_port: Option<u16>,
    server_ip: String,
    server_port: Option<u16>,
    version: String,
    method: String,
    uri: String,
    status: Option<u16>,
    site_id: Option<u32>,
    reason: String,
    queue: String,
    stream_id: Option<String>,
    stream_id_ex: Option<String>,
    transport: Option<String>,
    fault_code: Option<String>,
    user_agent: Option<String>,
    host: Option<String>,
    computer_name: Option<String>,
    time_taken: Option<u64>,
}

fn s(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

impl From<&HttpErrRecord<'_>> for Owned {
    fn from(r: &HttpErrRecord<'_>) -> Owned {
        Owned {
            line: r.line,
            time: r.time,
            client_ip: s(r.client_ip),
            client_port: r.client_port,
            server_ip: s(r.server_ip),
            server_port: r.server_port,
            version: s(r.version),
            method: s(r.method),
            uri: s(r.uri),
            status: r.status,
            site_id: r.site_id,
            reason: s(r.reason),
            queue: s(r.queue),
            stream_id: r.stream_id.map(s),
            stream_id_ex: r.stream_id_ex.map(s),
            transport: r.transport.map(s),
            fault_code: r.fault_code.map(s),
            user_agent: r.user_agent.map(s),
            host: r.host.map(s),
            computer_name: r.computer_name.map(s),
            time_taken: r.time_taken,
        }
    }
}

fn ts(text: &str) -> Millis {
    let b = text.as_bytes();
    at(parse_date(&b[..10]).unwrap(), parse_time(&b[11..]).unwrap())
}

const CLASSIC_HEAD: &str = "#Software: Microsoft HTTP API 2.0\r\n#Version: 1.0\r\n#Date: 2024-03-11 09:50:10\r\n#Fields: date time c-ip c-port s-ip s-port cs-version cs-method cs-uri sc-status s-siteid s-reason s-queuename\r\n";

#[test]
fn classic_line() {
    let text = format!(
        "{CLASSIC_HEAD}2024-03-11 09:52:01 10.20.30.41 51234 10.20.1.5 443 HTTP/1.1 GET /orders/api/cart?id=7 503 2 AppOffline OrdersPool\r\n"
    );
    let (recs, stats) = read(text.as_bytes());
    assert_eq!(stats.records, 1);
    assert_eq!(stats.malformed, 0);
    assert_eq!(stats.header_blocks, 1);
    assert!(stats.notes.is_empty(), "{:?}", stats.notes);
    let r = &recs[0];
    assert_eq!(r.line, 5);
    assert_eq!(r.time, Some(ts("2024-03-11 09:52:01")));
    assert_eq!(
        (r.client_ip.as_str(), r.client_port),
        ("10.20.30.41", Some(51234))
    );
    assert_eq!(
        (r.server_ip.as_str(), r.server_port),
        ("10.20.1.5", Some(443))
    );
    assert_eq!((r.version.as_str(), r.method.as_str()), ("HTTP/1.1", "GET"));
    assert_eq!(r.uri, "/orders/api/cart?id=7");
    assert_eq!((r.status, r.site_id), (Some(503), Some(2)));
    assert_eq!(
        (r.reason.as_str(), r.queue.as_str()),
        ("AppOffline", "OrdersPool")
    );
    assert_eq!((r.stream_id.clone(), r.transport.clone()), (None, None));
}

#[test]
fn dashes_are_empty() {
    let text = format!(
        "{CLASSIC_HEAD}2024-03-11 09:53:12 10.20.30.44 50100 10.20.1.5 443 - - - - - Timer_ConnectionIdle -\r\n"
    );
    let (recs, _) = read(text.as_bytes());
    let r = &recs[0];
    assert_eq!(
        (r.version.as_str(), r.method.as_str(), r.uri.as_str()),
        ("", "", "")
    );
    assert_eq!((r.status, r.site_id), (None, None));
    assert_eq!(
        (r.reason.as_str(), r.queue.as_str()),
        ("Timer_ConnectionIdle", "")
    );
}

#[test]
fn ipv6_zone_ids_are_kept() {
    let text = format!(
        "{CLASSIC_HEAD}2015-07-08 08:40:57 fe80::6cae:6333:848c:8157%13 60494 fe80::5c63:97bb:c26c:3710%13 5357 - - - - - Timer_ConnectionIdle -\r\n"
    );
    let (recs, stats) = read(text.as_bytes());
    assert_eq!(stats.malformed, 0);
    assert_eq!(recs[0].client_ip, "fe80::6cae:6333:848c:8157%13");
    assert_eq!(recs[0].client_port, Some(60494));
    assert_eq!(recs[0].server_ip, "fe80::5c63:97bb:c26c:3710%13");
    assert_eq!(strip_zone(b"fe80::1%13"), b"fe80::1");
    assert_eq!(strip_zone(b"10.0.0.1"), b"10.0.0.1");
}

#[test]
fn streamid_layout() {
    let text = "#Software: Microsoft HTTP API 2.0\r\n#Fields: date time c-ip c-port s-ip s-port cs-version cs-method cs-uri streamid sc-status s-siteid s-reason s-queuename\r\n\
        2023-06-01 12:00:00 10.0.0.9 50000 10.0.0.1 443 HTTP/2.0 GET /stock 5 503 3 QueueFull InventoryPool\r\n";
    let (recs, stats) = read(text.as_bytes());
    assert_eq!(stats.records, 1);
    assert_eq!(recs[0].stream_id.as_deref(), Some("5"));
    assert_eq!(recs[0].status, Some(503));
    assert_eq!(recs[0].queue, "InventoryPool");
}

#[test]
fn newest_layout_with_transport() {
    let text = "#Fields: date time c-ip c-port s-ip s-port cs-version cs-method cs-uri streamid streamid_ex sc-status s-siteid s-reason s-queuename transport\r\n\
        2023-06-01 12:00:00 10.0.0.9 50000 10.0.0.1 443 HTTP/3 GET /stock 3 - 503 3 AppOffline InventoryPool QUIC\r\n";
    let (recs, _) = read(text.as_bytes());
    let r = &recs[0];
    assert_eq!(r.stream_id.as_deref(), Some("3"));
    assert_eq!(r.stream_id_ex, None);
    assert_eq!(r.transport.as_deref(), Some("QUIC"));
    assert_eq!((r.status, r.reason.as_str()), (Some(503), "AppOffline"));
}

#[test]
fn plaso_layout_with_fault_codes() {
    let text = "#Fields: date time c-ip c-port s-ip s-port cs-version cs-method cs-uri streamid streamid_ex sc-status s-siteid s-reason s-queuename transport fault-code extended-fault-code\r\n\
        2025-03-14 09:15:07 192.0.2.13 50201 192.0.2.1 443 HTTP/3 GET /status 5 - 503 2 QueueFull MyAppPool QUIC 0x80070008 0x1\r\n";
    let (recs, stats) = read(text.as_bytes());
    assert_eq!(stats.malformed, 0);
    assert_eq!(recs[0].fault_code.as_deref(), Some("0x80070008"));
    assert_eq!(recs[0].transport.as_deref(), Some("QUIC"));
}

#[test]
fn reduced_doc_layout_with_trailing_space() {
    let text = "#Software: Microsoft HTTP API 1.0\n#Fields: date time cs-version cs-method cs-uri sc-status s-reason \n2012-11-14 20:36:36 HTTP/1.1 GET /1234567890/time.asp 400 FieldLength";
    let (recs, stats) = read(text.as_bytes());
    assert_eq!(stats.records, 1);
    assert!(stats.notes.is_empty(), "{:?}", stats.notes);
    assert_eq!(stats.header_blocks, 1);
    assert_eq!(
        (recs[0].status, recs[0].reason.as_str()),
        (Some(400), "FieldLength")
    );
    assert_eq!(
        (recs[0].client_ip.as_str(), recs[0].client_port),
        ("", None)
    );
}

#[test]
fn optional_extras() {
    let text = "#Fields: date time c-ip c-port s-ip s-port cs-version cs-method cs-uri sc-status s-siteid s-reason s-queuename s-computername cs(User-Agent) cs-host time-taken\r\n\
        2024-01-02 03:04:05 10.0.0.9 50000 10.0.0.1 80 HTTP/1.1 GET /x 503 1 QueueFull Pool WEB01 Mozilla/5.0+(Windows) shop.example.com 12\r\n\
        2024-01-02 03:04:06 10.0.0.9 50001 10.0.0.1 80 - - - - - Timer_ConnectionIdle - WEB01 - - -\r\n";
    let (recs, stats) = read(text.as_bytes());
    assert_eq!(stats.records, 2);
    assert_eq!(recs[0].computer_name.as_deref(), Some("WEB01"));
    assert_eq!(recs[0].user_agent.as_deref(), Some("Mozilla/5.0+(Windows)"));
    assert_eq!(recs[0].host.as_deref(), Some("shop.example.com"));
    assert_eq!(recs[0].time_taken, Some(12));
    assert_eq!(
        (recs[1].user_agent.clone(), recs[1].time_taken),
        (None, None)
    );
}

#[test]
fn unknown_fields_are_counted_but_ignored() {
    let text = "#Fields: date time s-reason x-future-thing\n2024-01-02 03:04:05 Verb abc\n2024-01-02 03:04:05 Verb\n";
    let (recs, stats) = read(text.as_bytes());
    assert_eq!(stats.records, 1);
    assert_eq!(recs[0].reason, "Verb");
    assert_eq!(stats.malformed_samples[0].line, 3);
}

#[test]
fn header_change_mid_file() {
    let text = format!(
        "{CLASSIC_HEAD}2024-03-11 09:52:01 10.0.0.2 5000 10.0.0.1 80 HTTP/1.1 GET /a 503 1 QueueFull P1\r\n\
         #Software: Microsoft HTTP API 2.0\r\n#Fields: date time c-ip c-port s-ip s-port cs-version cs-method cs-uri streamid streamid_ex sc-status s-siteid s-reason s-queuename transport\r\n\
         2024-03-12 10:00:00 10.0.0.2 5001 10.0.0.1 443 HTTP/2.0 GET /b 7 - 503 1 QueueFull P1 TCP\r\n\
         #Fields: date time c-ip c-port s-ip s-port cs-version cs-method cs-uri sc-status s-siteid s-reason s-queuename\r\n\
         2024-03-13 10:00:00 10.0.0.2 5002 10.0.0.1 80 HTTP/1.1 GET /c 400 1 Verb -\r\n"
    );
    let (recs, stats) = read(text.as_bytes());
    assert_eq!(stats.records, 3);
    assert_eq!(stats.malformed, 0);
    assert_eq!(stats.header_blocks, 3);
    assert_eq!(recs[0].stream_id, None);
    assert_eq!(recs[1].stream_id.as_deref(), Some("7"));
    assert_eq!(recs[1].transport.as_deref(), Some("TCP"));
    assert_eq!(
        (recs[2].status, recs[2].transport.clone()),
        (Some(400), None)
    );
}

#[test]
fn runs_of_spaces_are_one_separator() {
    let text = format!(
        "{CLASSIC_HEAD}2024-03-11  09:52:01 10.0.0.2 5000   10.0.0.1 80 HTTP/1.1 GET /a 503 1 QueueFull P1 \r\n"
    );
    let (recs, stats) = read(text.as_bytes());
    assert_eq!(stats.malformed, 0);
    assert_eq!(recs[0].queue, "P1");
    assert_eq!(recs[0].server_ip, "10.0.0.1");
}

#[test]
fn malformed_lines_are_counted_with_line_numbers() {
    let text = format!(
        "{CLASSIC_HEAD}2024-03-11 09:52:01 10.0.0.2 5000 10.0.0.1 80 HTTP/1.1 GET /a 503 1 QueueFull\r\n\
         2024-03-11 09:52:01 10.0.0.2 5000 10.0.0.1 80 HTTP/1.1 GET /a 5x3 1 QueueFull P1\r\n\
         2024-03-11 09:52:01 10.0.0.2 5000 10.0.0.1 80 HTTP/1.1 GET /a 1503 1 QueueFull P1\r\n\
         2024-13-11 09:52:01 10.0.0.2 5000 10.0.0.1 80 HTTP/1.1 GET /a 503 1 QueueFull P1\r\n\
         \r\n\
         2024-03-11 09:52:02 10.0.0.2 5000 10.0.0.1 80 HTTP/1.1 GET /ok 503 1 QueueFull P1\r\n"
    );
    let (recs, stats) = read(text.as_bytes());
    assert_eq!(stats.records, 1);
    assert_eq!(recs[0].line, 10);
    assert_eq!(stats.malformed, 4);
    assert_eq!(stats.lines, 10);
    let lines: Vec<u64> = stats.malformed_samples.iter().map(|m| m.line).collect();
    assert_eq!(lines, [5, 6, 7, 8]);
    let reasons: Vec<&str> = stats
        .malformed_samples
        .iter()
        .map(|m| m.reason.as_str())
        .collect();
    assert_eq!(
        reasons[..2],
        [
            Problem::FieldCount {
                expected: 13,
                found: 12
            }
            .to_string(),
            Problem::BadStatus {
                value: "5x3".into()
            }
            .to_string(),
        ]
    );
    assert!(reasons[0].contains("wrong field count"), "{reasons:?}");
    assert!(reasons[2].starts_with("bad status `1503`"), "{reasons:?}");
    assert!(reasons[3].starts_with("bad date or time"), "{reasons:?}");
}

#[test]
fn a_status_below_100_is_a_malformed_line() {
    let text = format!(
        "{CLASSIC_HEAD}2024-03-11 09:52:01 10.0.0.2 5000 10.0.0.1 80 HTTP/1.1 GET /a 99 1 QueueFull P1\r\n\
         2024-03-11 09:52:01 10.0.0.2 5000 10.0.0.1 80 HTTP/1.1 GET /a 0 1 QueueFull P1\r\n\
         2024-03-11 09:52:02 10.0.0.2 5000 10.0.0.1 80 HTTP/1.1 GET /ok 100 1 QueueFull P1\r\n"
    );
    let (recs, stats) = read(text.as_bytes());
    assert_eq!(
        recs.iter().map(|r| r.status).collect::<Vec<_>>(),
        [Some(100)]
    );
    assert_eq!(stats.malformed, 2);
    assert_eq!(
        stats.malformed_samples[0].reason,
        "bad status `99` (expected an HTTP status, 100 to 999, or `-`)"
    );
}

#[test]
fn only_the_first_malformed_lines_are_kept() {
    let mut text = String::from(CLASSIC_HEAD);
    for _ in 0..20 {
        text.push_str("garbage\r\n");
    }
    let (_, stats) = read(text.as_bytes());
    assert_eq!(stats.malformed, 20);
    assert_eq!(stats.malformed_samples.len(), MALFORMED_SAMPLES);
    assert_eq!(stats.malformed_samples[0].line, 5);
}

#[test]
fn truncated_last_line_is_a_note() {
    let text = format!(
        "{CLASSIC_HEAD}2024-03-11 09:52:01 10.0.0.2 5000 10.0.0.1 80 HTTP/1.1 GET /a 503 1 QueueFull P1\r\n2024-03-11 09:52:02 10.0.0.2 5001 10.0.0.1 80 HTTP/1.1 GET /ord"
    );
    let (recs, stats) = read(text.as_bytes());
    assert_eq!((recs.len(), stats.malformed), (1, 0));
    assert_eq!(stats.lines, 6);
    assert_eq!(stats.notes.len(), 1, "{:?}", stats.notes);
    assert!(
        stats.notes[0].starts_with("last line (6) cut off mid-write"),
        "{:?}",
        stats.notes
    );
}

#[test]
fn complete_last_line_without_newline_is_a_record() {
    let text = format!(
        "{CLASSIC_HEAD}2024-03-11 09:52:01 10.0.0.2 5000 10.0.0.1 80 HTTP/1.1 GET /a 503 1 QueueFull P1"
    );
    let (recs, stats) = read(text.as_bytes());
    assert_eq!(recs.len(), 1);
    assert!(stats.notes.is_empty());
}

#[test]
fn non_utf8_bytes_pass_through() {
    let mut text = CLASSIC_HEAD.as_bytes().to_vec();
    text.extend_from_slice(b"2018-05-05 05:05:55 10.0.0.2 12345 10.0.0.1 443 HTTP/1.1 GET /\xc0\xae\xc0\xae/win.ini 400 - URL -\r\n");
    let mut uris = Vec::new();
    let stats = read_httperr(&text[..], |r| uris.push(r.uri.to_vec())).unwrap();
    assert_eq!(stats.records, 1);
    assert_eq!(uris[0], b"/\xc0\xae\xc0\xae/win.ini");
}

#[test]
fn bom_is_skipped() {
    let mut text = BOM.to_vec();
    text.extend_from_slice(CLASSIC_HEAD.as_bytes());
    text.extend_from_slice(
        b"2024-03-11 09:52:01 10.0.0.2 5000 10.0.0.1 80 HTTP/1.1 GET /a 503 1 QueueFull P1\r\n",
    );
    let (recs, stats) = read(&text);
    assert_eq!(stats.header_blocks, 1);
    assert!(stats.notes.is_empty(), "{:?}", stats.notes);
    assert_eq!(recs.len(), 1);
    assert!(looks_like_httperr(&text));
}

#[test]
fn headerless_file_uses_the_classic_layout() {
    let text = "2018-05-05 05:05:55 149.42.83.135 12345 192.168.101.101 443 HTTP/1.1 OPTIONS * 404 - NotFound -\n";
    let (recs, stats) = read(text.as_bytes());
    assert_eq!(stats.records, 1);
    assert_eq!(
        stats.notes,
        [Note::ClassicLayoutAssumed { line: 1 }.to_string()]
    );
    assert_eq!(recs[0].reason, "NotFound");
}

#[test]
fn nul_padding_is_skipped() {
    let mut text = vec![0u8; 300];
    text.extend_from_slice(CLASSIC_HEAD.as_bytes());
    text.extend_from_slice(
        b"2024-03-11 09:52:01 10.0.0.2 5000 10.0.0.1 80 HTTP/1.1 GET /a 503 1 QueueFull P1\r\n",
    );
    text.extend_from_slice(&[0u8; 100]);
    let (recs, stats) = read(&text);
    assert_eq!((recs.len(), stats.malformed), (1, 0));
    assert_eq!(stats.notes, [Note::NulPadding { lines: 2 }.to_string()]);
}

#[test]
fn lines_across_read_boundaries() {
    // A reader that hands out a few bytes at a time exercises the carry-over logic.
    struct Trickle<'a>(&'a [u8]);
    impl Read for Trickle<'_> {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            let n = self.0.len().min(out.len()).min(7);
            out[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }
    let mut text = BOM.to_vec();
    text.extend_from_slice(CLASSIC_HEAD.as_bytes());
    for i in 0..50 {
        text.extend_from_slice(
            format!("2024-03-11 09:52:{:02} 10.0.0.2 {} 10.0.0.1 80 HTTP/1.1 GET /a 503 1 QueueFull P1\r\n", i % 60, 5000 + i)
                .as_bytes(),
        );
    }
    let mut ports = Vec::new();
    let stats = read_httperr(Trickle(&text), |r| ports.push(r.client_port)).unwrap();
    assert_eq!((stats.records, stats.malformed), (50, 0));
    assert_eq!(ports[49], Some(5049));
    let (_, whole) = read(&text);
    assert_eq!(stats, whole);
}

#[test]
fn very_long_line_grows_the_buffer() {
    let uri = "/q".repeat(1 << 20);
    let text = format!(
        "{CLASSIC_HEAD}2024-03-11 09:52:01 10.0.0.2 5000 10.0.0.1 80 HTTP/1.1 GET {uri} 400 1 URL_Length -\r\n2024-03-11 09:52:02 10.0.0.2 5000 10.0.0.1 80 HTTP/1.1 GET /b 400 1 URL -\r\n"
    );
    let mut lens = Vec::new();
    let stats = read_httperr(text.as_bytes(), |r| lens.push(r.uri.len())).unwrap();
    assert_eq!(stats.records, 2);
    assert_eq!(lens, [uri.len(), 2]);
}

#[test]
fn overlong_line_is_malformed_and_skipped() {
    let mut text = CLASSIC_HEAD.as_bytes().to_vec();
    text.resize(text.len() + MAX_LINE + 100, b'x');
    text.extend_from_slice(
        b"\r\n2024-03-11 09:52:02 10.0.0.2 5000 10.0.0.1 80 HTTP/1.1 GET /b 400 1 URL -\r\n",
    );
    let (recs, stats) = read(&text);
    assert_eq!((stats.records, stats.malformed, stats.lines), (1, 1, 6));
    assert_eq!(
        stats.malformed_samples[0].reason,
        "line longer than 4 MiB, skipped"
    );
    assert_eq!(stats.malformed_samples[0].line, 5);
    assert_eq!(recs[0].line, 6);
}

#[test]
fn never_panics_on_odd_input() {
    let inputs: [&[u8]; 10] = [
        b"",
        b"\n",
        b"#",
        b"#Fields:",
        b"#Fields:\n2024-01-01 00:00:00",
        b"\xEF\xBB",
        b"\r\r\r\n\r",
        b"#Fields: date\n-\n2024-01-01\n",
        b"\xff\xfe\x00#\x00F",
        b"#Fields: time\n99:99:99\n",
    ];
    for input in inputs {
        let _ = read(input);
        let _ = looks_like_httperr(input);
    }
}

#[test]
fn sniffing() {
    assert!(looks_like_httperr(CLASSIC_HEAD.as_bytes()));
    assert!(looks_like_httperr(b"#Software: Microsoft HTTP API 1.0\n"));
    assert!(looks_like_httperr(
        b"#Version: 1.0\r\n#Fields: date time s-reason\r\n"
    ));
    assert!(!looks_like_httperr(
        b"#Software: Microsoft HTTP Server API 2.0\r\n#Fields: date time c-ip cs-method cs-uri-stem sc-status\r\n"
    ));
    assert!(!looks_like_httperr(
        b"#Software: Microsoft Internet Information Services 10.0\r\n#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) sc-status sc-substatus sc-win32-status time-taken\r\n"
    ));
    assert!(looks_like_httperr(
        b"2018-05-05 05:05:55 149.42.83.135 12345 192.168.101.101 443 HTTP/0.9 t3 12.2.1 400 - URL -\n"
    ));
    // A headerless W3C line with 13 fields: the "ports" are a verb and a user name.
    assert!(!looks_like_httperr(
        b"2024-01-01 00:00:00 10.0.0.1 GET / - 80 - 10.0.0.2 Mozilla 200 0 0\n"
    ));
    assert!(!looks_like_httperr(
        b"HTTP/1.1 GET /time/ - 1 Connection_Dropped DefaultAppPool"
    ));
    assert!(!looks_like_httperr(b""));
}

// --- the shared corpus, read in place ---

/// A file of the corpus's HTTPERR folder, or `None` when the corpus is absent (see
/// [`crate::input::corpus`]).
fn corpus_file(name: &str) -> Option<Vec<u8>> {
    let path = crate::input::corpus::path(&format!("httperr/{name}"))?;
    Some(std::fs::read(path).unwrap())
}

fn reason_counts(recs: &[Owned]) -> Vec<(String, Option<u16>, usize)> {
    let mut counts = std::collections::BTreeMap::new();
    for r in recs {
        *counts.entry((r.reason.clone(), r.status)).or_insert(0usize) += 1;
    }
    counts.into_iter().map(|((r, s), n)| (r, s, n)).collect()
}

#[test]
fn corpus_learn_python_httperr1() {
    let Some(bytes) = corpus_file("learn_python__httperr1.log") else {
        return;
    };
    assert!(looks_like_httperr(&bytes));
    let (recs, stats) = read(&bytes);
    assert_eq!(stats.lines, 1494);
    assert_eq!(stats.records, 1018);
    assert_eq!(stats.malformed, 0);
    assert_eq!(stats.header_blocks, 119);
    assert!(stats.notes.is_empty(), "{:?}", stats.notes);
    let mut counts = reason_counts(&recs);
    counts.sort_by_key(|c| std::cmp::Reverse(c.2));
    let want = [
        ("Timer_ConnectionIdle", None, 544),
        ("N/A", Some(503), 387),
        ("Connection_Abandoned_By_ReqQueue", None, 73),
        ("Timer_MinBytesPerSecond", None, 8),
        ("Disabled", Some(503), 4),
        ("Verb", Some(400), 2),
    ];
    let got: Vec<(&str, Option<u16>, usize)> = counts
        .iter()
        .map(|(r, s, n)| (r.as_str(), *s, *n))
        .collect();
    assert_eq!(got, want);
    assert!(
        recs.iter()
            .all(|r| r.site_id.is_none() && r.queue.is_empty())
    );
    assert_eq!(
        recs.iter().filter(|r| r.client_ip.contains('%')).count(),
        129
    );
    assert_eq!(recs.iter().filter(|r| r.method.is_empty()).count(), 554);
    assert_eq!(recs[0].time, Some(ts("2015-01-15 14:11:38")));
    assert_eq!(recs[1017].time, Some(ts("2018-05-24 14:22:23")));
    assert_eq!(recs[1017].line, 1494);
}

#[test]
fn corpus_plaso() {
    let Some(bytes) = corpus_file("plaso__httperr.log") else {
        return;
    };
    assert!(looks_like_httperr(&bytes));
    let (recs, stats) = read(&bytes);
    assert_eq!(
        (stats.records, stats.malformed, stats.header_blocks),
        (5, 0, 1)
    );
    assert!(stats.notes.is_empty(), "{:?}", stats.notes);
    let got: Vec<(Option<u16>, &str)> =
        recs.iter().map(|r| (r.status, r.reason.as_str())).collect();
    assert_eq!(
        got,
        [
            (Some(400), "Hostname"),
            (Some(505), "Version_N/S"),
            (Some(400), "Verb"),
            (Some(414), "URL_Length"),
            (Some(400), "Header"),
        ]
    );
    assert_eq!(recs[1].version, "HTTP/9.9");
    assert!(recs.iter().all(|r| r.transport.as_deref() == Some("TCP")));
    assert_eq!(recs[0].uri, "/test'XOR(1)*!");
}

#[test]
fn corpus_plaso_restart_reads_both_field_sets() {
    let Some(bytes) = corpus_file("plaso__httperr_restart.log") else {
        return;
    };
    let (recs, stats) = read(&bytes);
    assert_eq!(
        (stats.records, stats.malformed, stats.header_blocks),
        (6, 0, 2)
    );
    let got: Vec<(Option<u16>, &str, &str)> = recs
        .iter()
        .map(|r| (r.status, r.reason.as_str(), r.queue.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (Some(503), "AppOffline", "DefaultAppPool"),
            (None, "Timer_ConnectionIdle", ""),
            (Some(400), "BadRequest", ""),
            (Some(400), "BadRequest", ""),
            (Some(413), "Request_Too_Large", "MyAppPool"),
            (Some(503), "QueueFull", "MyAppPool"),
        ]
    );
    assert_eq!(
        recs[3].uri,
        "/(select+198766*667891)/index.js#frag{}|^~[]`<>@$"
    );
    assert_eq!(recs[4].client_ip, "2001:db8::5%12");
    assert_eq!(recs[4].stream_id.as_deref(), Some("3"));
    assert_eq!(recs[5].transport.as_deref(), Some("QUIC"));
    assert_eq!(recs[5].fault_code.as_deref(), Some("0x80070008"));
    assert_eq!((recs[0].site_id, recs[5].site_id), (Some(1), Some(2)));
}

#[test]
fn corpus_beats_error_test() {
    let Some(bytes) = corpus_file("beats__error-test.log") else {
        return;
    };
    assert!(looks_like_httperr(&bytes));
    let (recs, stats) = read(&bytes);
    assert_eq!(
        (stats.records, stats.malformed, stats.header_blocks),
        (4, 0, 1)
    );
    let got: Vec<(Option<u16>, &str)> =
        recs.iter().map(|r| (r.status, r.reason.as_str())).collect();
    assert_eq!(
        got,
        [
            (Some(503), "ConnLimit"),
            (Some(400), "Hostname"),
            (Some(505), "Version_N/S"),
            (None, "Timer_MinBytesPerSecond"),
        ]
    );
}

#[test]
fn corpus_beats_headerless() {
    let Some(bytes) = corpus_file("beats__iis_error_url.log") else {
        return;
    };
    assert!(looks_like_httperr(&bytes));
    let (recs, stats) = read(&bytes);
    assert_eq!(
        (stats.records, stats.malformed, stats.header_blocks),
        (8, 0, 0)
    );
    assert_eq!(
        stats.notes,
        [Note::ClassicLayoutAssumed { line: 1 }.to_string()]
    );
    let mut counts = reason_counts(&recs);
    counts.sort();
    assert_eq!(
        counts,
        [
            ("Forbidden".to_string(), Some(403), 2),
            ("NotFound".to_string(), Some(404), 2),
            ("URL".to_string(), Some(400), 4),
        ]
    );
    // The WebLogic T3 probe: HTTP.sys logged the probe's words as verb and URL.
    assert_eq!(
        (
            recs[0].version.as_str(),
            recs[0].method.as_str(),
            recs[0].uri.as_str()
        ),
        ("HTTP/0.9", "t3", "12.2.1")
    );
    assert_eq!(recs[6].uri, "*");
}

#[test]
fn corpus_doc_reduced_field_set() {
    let Some(bytes) = corpus_file("iis-docs__http400_sample4.cmd") else {
        return;
    };
    assert!(looks_like_httperr(&bytes));
    let (recs, stats) = read(&bytes);
    assert_eq!(
        (stats.records, stats.malformed, stats.header_blocks),
        (1, 0, 1)
    );
    assert!(stats.notes.is_empty(), "{:?}", stats.notes);
    assert_eq!(
        (recs[0].status, recs[0].reason.as_str()),
        (Some(400), "FieldLength")
    );
    assert_eq!(recs[0].uri, "/1234567890/time.asp");
}

/// The ARR 502 doc fragment is only the tail of a line. It is not sniffed as HTTPERR;
/// read anyway, its one unterminated line is a cut-off note, never a record.
#[test]
fn corpus_doc_fragment_is_not_httperr() {
    let Some(bytes) = corpus_file("iis-docs__arr502_httperr-line_sample1.cmd") else {
        return;
    };
    assert!(!looks_like_httperr(&bytes));
    let (recs, stats) = read(&bytes);
    assert!(recs.is_empty());
    assert_eq!((stats.records, stats.malformed), (0, 0));
    assert_eq!(
        stats.notes,
        [
            Note::ClassicLayoutAssumed { line: 1 }.to_string(),
            Note::LastLineCut {
                line: 1,
                problem: Problem::FieldCount {
                    expected: 13,
                    found: 7
                }
            }
            .to_string()
        ]
    );
}

#[test]
fn corpus_every_file_reads_without_malformed_lines() {
    let Some(dir) = crate::input::corpus::path("httperr") else {
        return;
    };
    let dir = std::fs::read_dir(dir).unwrap();
    let mut seen = 0;
    for entry in dir.flatten() {
        let bytes = std::fs::read(entry.path()).unwrap();
        let (_, stats) = read(&bytes);
        assert_eq!(
            stats.malformed,
            0,
            "{}: {:?}",
            entry.path().display(),
            stats
        );
        seen += 1;
    }
    assert!(seen >= 7, "{seen} files");
}

#[test]
fn own_testdata() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/httperr/");
    let read_file = |name: &str| read(&std::fs::read(format!("{dir}{name}")).unwrap());

    let (recs, stats) = read_file("httperr1.log");
    assert_eq!((stats.malformed, stats.header_blocks), (0, 2));
    assert!(stats.notes.is_empty(), "{:?}", stats.notes);
    let app_offline: Vec<&Owned> = recs
        .iter()
        .filter(|r| r.reason == "AppOffline" && r.queue == "OrdersPool" && r.status == Some(503))
        .collect();
    assert_eq!(app_offline.len(), 40);
    let span = app_offline[39].time.unwrap() - app_offline[0].time.unwrap();
    assert!(span < 5 * 60_000, "{span}");
    for reason in [
        "QueueFull",
        "Connection_Abandoned_By_ReqQueue",
        "Timer_MinBytesPerSecond",
        "FieldLength",
    ] {
        assert!(recs.iter().any(|r| r.reason == reason), "{reason}");
    }
    assert!(
        recs.iter()
            .filter(|r| r.reason == "Timer_ConnectionIdle")
            .count()
            > 40
    );
    assert!(recs.iter().any(|r| r.client_ip.contains('%')));

    let (recs, stats) = read_file("httperr2.log");
    assert_eq!(stats.malformed, 0);
    assert_eq!(stats.header_blocks, 2);
    assert!(recs.iter().any(|r| r.transport.as_deref() == Some("QUIC")));

    let (recs, stats) = read_file("httperr-truncated.log");
    assert_eq!(stats.malformed, 0);
    assert!(!recs.is_empty());
    assert!(
        stats
            .notes
            .last()
            .is_some_and(|n| n.starts_with("last line")),
        "{:?}",
        stats.notes
    );
}
