//! The quick way reads every trace as quick-xml does: checked on traces written to reach
//! every kind of event the walk reads, on the samples mutated byte by byte, and on events
//! it must leave to quick-xml.

use std::path::Path;

use super::super::walk::State;
use super::super::{read_trace, read_trace_in};
use super::*;

/// A trace as IIS writes it, around `events`.
fn trace(events: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n<failedRequest url=\"http://a/b\" \
         statusCode=\"502.3\" xmlns:freb=\"http://schemas.microsoft.com/win/2006/06/iis/freb\">\r\n\
         {events}</failedRequest>\r\n"
    )
}

/// One event as IIS writes it: its name, time and data (with IIS's rendering of some).
fn event(name: &str, second: u32, data: &[(&str, &str)], rendered: &[(&str, &str)]) -> String {
    let mut out = format!(
        "<Event xmlns=\"http://schemas.microsoft.com/win/2004/08/events/event\">\r\n <System>\r\n  \
         <Provider Name=\"WWW Server\" Guid=\"{{3A2A4E84-4C21-4981-AE10-3FDA0D9B0F83}}\"/>\r\n  \
         <EventID>0</EventID>\r\n  <Level>4</Level>\r\n  <Opcode>7</Opcode>\r\n  \
         <TimeCreated SystemTime=\"2026-11-18T01:33:{second:02}.9015133Z\"/>\r\n  \
         <Execution ProcessID=\"4412\" ThreadID=\"3120\"/>\r\n  <Computer>WEB01</Computer>\r\n \
         </System>\r\n <EventData>\r\n"
    );
    for (k, v) in data {
        out.push_str(&format!("  <Data Name=\"{k}\">{v}</Data>\r\n"));
    }
    out.push_str(&format!(
        " </EventData>\r\n <RenderingInfo Culture=\"en-US\">\r\n  <Opcode>{name}</Opcode>\r\n"
    ));
    for (k, v) in rendered {
        out.push_str(&format!(
            "  <freb:Description Data=\"{k}\">{v}</freb:Description>\r\n"
        ));
    }
    out.push_str(
        " </RenderingInfo>\r\n <ExtendedTracingInfo xmlns=\"http://schemas.microsoft.com/win/2004/08/events/trace\">\r\n  \
         <EventGuid>{D42CF7EF-DE92-473E-8B6C-621EA663113A}</EventGuid>\r\n </ExtendedTracingInfo>\r\n</Event>\r\n",
    );
    out
}

/// Every data item the walk reads for some kind of event, and some it never reads.
const DATA: &[(&str, &str)] = &[
    ("ContextId", "{80000000-C489-E20B-B63F-84710C7967BB}"),
    ("ModuleName", "ApplicationRequestRouting"),
    ("Notification", "128"),
    ("HttpStatus", "502"),
    ("HttpSubStatus", "3"),
    ("HttpReason", "Bad Gateway"),
    ("ErrorCode", "2147954402"),
    ("ConfigExceptionInfo", "line 12"),
    ("BytesSent", "1200"),
    ("BytesReceived", "300"),
    ("Win32Status", "12002"),
    (
        "Buffer",
        "502 - Web server received an invalid response while acting as a gateway",
    ),
    ("RemoteAddress", "10.0.0.9"),
    ("RemotePort", "51234"),
    (
        "Headers",
        "Host: a\nX-ARR-LOG-ID: {1234}\nAuthorization: Basic c2VjcmV0",
    ),
    ("Server", "app01.internal"),
    ("WebFarm", "farm1"),
    ("RoutingReason", "1"),
    ("TotalRequests", "40"),
    ("FailedRequests", "3"),
    ("AppDescription", "dotnet app.dll"),
    ("FailureDescription", "the process exited"),
    ("Password", "p@ss"),
    ("fIsPostNotification", "false"),
];

const RENDERED: &[(&str, &str)] = &[
    ("Notification", "EXECUTE_REQUEST_HANDLER"),
    ("ErrorCode", "The operation timed out\r\n (0x80072ee2)"),
    ("RoutingReason", "LoadBalancing"),
    ("AppDescription", "in-process"),
];

/// Each kind of event the walk tells apart, and some it passes by.
const NAMES: &[&str] = &[
    "GENERAL_REQUEST_START",
    "NOTIFY_MODULE_START",
    "NOTIFY_MODULE_COMPLETION",
    "NOTIFY_MODULE_END",
    "MODULE_SET_RESPONSE_ERROR_STATUS",
    "GENERAL_RESPONSE_ENTITY_BUFFER",
    "GENERAL_ENDPOINT_INFORMATION",
    "LOG_FILE_MAX_SIZE_TRUNCATE",
    "GENERAL_REQUEST_HEADERS",
    "ARR_REQUEST_ROUTED",
    "ARR_SERVER_ROUTED",
    "ANCM_WINHTTP_CALLBACK",
    "ANCM_REQUEST_FORWARD_START",
    "ANCM_REQUEST_FORWARD_FAIL",
    "ANCM_START_APPLICATION_SUCCESS",
    "ANCM_START_APPLICATION_FAIL",
    "ANCM_HRESULT_FAILED",
    "FASTCGI_RESPONSE_ERROR",
    "URL_CHANGED",
    "RULE_EVALUATION_END",
    "REWRITE_ACTION",
    "PATTERN_MATCH",
    "RULE_EVALUATION_START",
    "GENERAL_REQUEST_END",
];

/// Streamed (quick-xml on every event) and in memory (the quick way where it can), as text.
fn both_ways(xml: &[u8], keep_events: bool) -> (String, String) {
    let streamed = read_trace(std::io::BufReader::with_capacity(64, xml), keep_events);
    let in_memory = read_trace_in(xml, keep_events);
    (format!("{streamed:?}"), format!("{in_memory:?}"))
}

/// How many of a trace's events the quick way takes, read from the root's first event on.
fn taken(xml: &str) -> usize {
    let mut state = State::new(false);
    let root = BytesStart::from_content("failedRequest", "failedRequest".len());
    state.open(&root, 0, false).unwrap();
    assert!(state.at_root());
    let mut skim = Skim::default();
    let Some(start) = xml.find("<Event") else {
        return 0;
    };
    let mut rest = &xml.as_bytes()[start..];
    let mut count = 0;
    while let Some(n) = skim.event(rest, 0, &mut state) {
        rest = &rest[n..];
        count += 1;
    }
    count
}

#[test]
fn every_kind_of_event_reads_the_same_either_way() {
    let mut events = String::new();
    for (i, name) in NAMES.iter().enumerate() {
        events.push_str(&event(name, i as u32, DATA, RENDERED));
    }
    let xml = trace(&events);
    assert_eq!(
        taken(&xml),
        NAMES.len(),
        "every event is taken the quick way"
    );
    for keep in [false, true] {
        let (streamed, in_memory) = both_ways(xml.as_bytes(), keep);
        assert_eq!(in_memory, streamed, "keep_events {keep}");
    }
    // The test sees what the walk read: the error, the route, ANCM and the notes.
    let t = read_trace_in(xml.as_bytes(), false).unwrap();
    assert_eq!(t.event_count, NAMES.len());
    assert_eq!(t.arr.map(|a| a.server).as_deref(), Some("app01.internal"));
    assert_eq!(
        t.error.map(|e| e.module).as_deref(),
        Some("ApplicationRequestRouting")
    );
    assert!(t.ancm.is_some_and(|a| a.forward_error.is_some()));
    assert!(!t.rewrite.is_empty() && !t.fastcgi.is_empty());
}

#[test]
fn an_event_written_otherwise_is_left_to_quick_xml() {
    let plain = event("NOTIFY_MODULE_START", 1, DATA, RENDERED);
    assert_eq!(taken(&trace(&plain)), 1);
    for (what, from, to) in [
        ("a comment", "<EventID>", "<!-- x --><EventID>"),
        ("CDATA", ">ApplicationRequestRouting<", "><![CDATA[ARR]]><"),
        ("a reference", "Bad Gateway", "Bad &amp; Gateway"),
        ("a processing instruction", "<EventID>", "<?pi x?><EventID>"),
        (
            "an end tag for another element",
            "</Computer>",
            "</Computr>",
        ),
        ("a quoted end tag", "</System>", "</System a=\">\">"),
        (
            "two opcodes",
            "<Opcode>NOTIFY",
            "<Opcode>X</Opcode><Opcode>NOTIFY",
        ),
        (
            "a carriage return in the name",
            "NOTIFY_MODULE_START<",
            "NOTIFY_MODULE_START\r<",
        ),
        ("an unnamed tag", "<EventID>", "< EventID>"),
    ] {
        let xml = trace(&plain.replacen(from, to, 1));
        assert_eq!(taken(&xml), 0, "{what}");
        for keep in [false, true] {
            let (streamed, in_memory) = both_ways(xml.as_bytes(), keep);
            assert_eq!(in_memory, streamed, "{what}");
        }
    }
    // A root-level element other than an event, and an event cut short.
    assert_eq!(taken(&trace("<Other/>")), 0);
    assert_eq!(taken(&plain[..plain.len() - 10]), 0);
}

#[test]
fn quoted_markup_and_spaced_end_tags_read_the_same_either_way() {
    let plain = event("MODULE_SET_RESPONSE_ERROR_STATUS", 1, DATA, RENDERED);
    for (from, to) in [
        ("ThreadID=\"3120\"", "ThreadID=\"a>b'c\" X='d\">e'"),
        ("</Level>", "</Level \r\n>"),
        ("<Data Name=\"HttpStatus\">", "<Data  Name=\"HttpStatus\">"),
        ("<Data Name=\"HttpStatus\">", "<Data Name='HttpStatus'>"),
        (
            "<Data Name=\"HttpStatus\">",
            "<Data Name=\"HttpStatus\" x=\"1\">",
        ),
        ("<Data Name=\"ModuleName\">", "<Data Name=\"Module\tName\">"),
        ("<Level>4</Level>", "<Level>4<b/>5</Level>"),
        (
            "<Data Name=\"HttpReason\">Bad Gateway",
            "<Data Name=\"HttpReason\">Bad <i>x</i> Gateway",
        ),
        (
            "<EventData>",
            "<EventData><Extra><Data Name=\"ModuleName\">deep</Data></Extra>",
        ),
        ("<TimeCreated SystemTime=", "<TimeCreated  SystemTime="),
        ("<System>", "<freb:System>"),
    ] {
        let xml = trace(&plain.replacen(from, to, 1));
        for keep in [false, true] {
            let (streamed, in_memory) = both_ways(xml.as_bytes(), keep);
            assert_eq!(in_memory, streamed, "{to}");
        }
    }
}

#[test]
fn the_samples_mutated_byte_by_byte_read_the_same_either_way() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/freb");
    let mut tried = 0;
    for name in ["fr000101.xml", "fr000104.xml"] {
        let bytes = std::fs::read(dir.join(name)).unwrap();
        let n = bytes.len();
        // Bytes that matter to XML, put in at places spread over the trace.
        for (i, at) in (0..n).step_by(n / 150 + 1).enumerate() {
            let insert: &[u8] = [
                b"<", b">", b"\"", b"'", b"&", b"/", b" ", b"\r", b":", b"\xff",
            ][i % 10];
            for mutated in [
                [&bytes[..at], insert, &bytes[at..]].concat(),
                [&bytes[..at], &bytes[(at + 1).min(n)..]].concat(),
            ] {
                let (streamed, in_memory) = both_ways(&mutated, false);
                assert_eq!(in_memory, streamed, "{name}: {insert:?} at {at}");
                tried += 1;
            }
        }
    }
    assert!(tried > 200, "{tried}");
}
