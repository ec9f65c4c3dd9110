//! The FREB reader on the samples, on synthetic traces, on hostile XML and on the corpus.

use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::text::{parse_status, push_capped, truncate_chars};
use super::*;

fn testdata(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/freb")
        .join(name)
}

fn read_file(path: &Path, keep_events: bool) -> Result<Trace, FrebError> {
    let file = std::fs::File::open(path).unwrap();
    read_trace(std::io::BufReader::new(file), keep_events)
}

fn read_sample(name: &str) -> Trace {
    read_file(&testdata(name), true).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn read_str(xml: &str) -> Result<Trace, FrebError> {
    read_trace(Cursor::new(xml.as_bytes()), true)
}

/// Expected facts per sample: status, substatus, win32, module, notification, backend,
/// truncated.
struct Expect {
    file: &'static str,
    status: u16,
    substatus: Option<u32>,
    win32: Option<u64>,
    module: Option<&'static str>,
    notification: Option<&'static str>,
    backend: Option<&'static str>,
    truncated: bool,
}

const SAMPLES: &[Expect] = &[
    Expect {
        file: "fr000101.xml",
        status: 502,
        substatus: Some(3),
        win32: Some(12002),
        module: Some("ApplicationRequestRouting"),
        notification: Some("EXECUTE_REQUEST_HANDLER"),
        backend: Some("app02.internal"),
        truncated: false,
    },
    Expect {
        file: "fr000102.xml",
        status: 502,
        substatus: Some(3),
        win32: Some(12029),
        module: Some("ApplicationRequestRouting"),
        notification: Some("EXECUTE_REQUEST_HANDLER"),
        backend: Some("app03.internal"),
        truncated: false,
    },
    Expect {
        file: "fr000103.xml",
        status: 502,
        substatus: Some(3),
        win32: Some(12002),
        module: Some("AspNetCoreModuleV2"),
        notification: Some("EXECUTE_REQUEST_HANDLER"),
        backend: None,
        truncated: false,
    },
    Expect {
        file: "fr000104.xml",
        status: 500,
        substatus: Some(30),
        win32: Some(574),
        module: Some("AspNetCoreModuleV2"),
        notification: Some("EXECUTE_REQUEST_HANDLER"),
        backend: None,
        truncated: false,
    },
    Expect {
        file: "fr000105.xml",
        status: 500,
        substatus: Some(19),
        win32: Some(13),
        module: Some("IIS Web Core"),
        notification: Some("BEGIN_REQUEST"),
        backend: None,
        truncated: false,
    },
    Expect {
        file: "fr000106.xml",
        status: 401,
        substatus: Some(2),
        win32: Some(5),
        module: Some("IIS Web Core"),
        notification: Some("AUTHENTICATE_REQUEST"),
        backend: None,
        truncated: false,
    },
    Expect {
        file: "fr000107.xml",
        status: 500,
        substatus: None,
        win32: None,
        module: None,
        notification: None,
        backend: None,
        truncated: true,
    },
    Expect {
        file: "fr000108.xml",
        status: 200,
        substatus: Some(0),
        win32: None,
        module: None,
        notification: None,
        backend: None,
        truncated: false,
    },
];

#[test]
fn every_sample_reads_to_its_facts() {
    for want in SAMPLES {
        let trace = read_sample(want.file);
        let f = want.file;
        assert_eq!(trace.status, want.status, "{f} status");
        assert_eq!(trace.substatus, want.substatus, "{f} substatus");
        assert_eq!(trace.win32, want.win32, "{f} win32");
        assert_eq!(trace.error_module(), want.module, "{f} module");
        assert_eq!(
            trace.error.as_ref().map(|e| e.notification.as_str()),
            want.notification,
            "{f} notification"
        );
        assert_eq!(
            trace.arr.as_ref().map(|a| a.server.as_str()),
            want.backend,
            "{f} backend"
        );
        assert_eq!(trace.truncated, want.truncated, "{f} truncated");
        assert_eq!(trace.events.len(), trace.event_count, "{f} events kept");
        assert!(trace.start.is_some(), "{f} start");
        assert!(!trace.computer.is_empty(), "{f} computer");
    }
}

#[test]
fn arr_timeout_keeps_backend_counts_and_the_long_wait() {
    let trace = read_sample("fr000101.xml");
    let arr = trace.arr.as_ref().unwrap();
    assert_eq!(arr.web_farm.as_deref(), Some("appfarm"));
    assert_eq!(arr.total_requests, Some(1412));
    assert_eq!(arr.failed_requests, Some(37));
    let error = trace.error.as_ref().unwrap();
    assert_eq!(error.error_code, Some(2_147_954_402));
    assert_eq!(error.notification_code, Some(0x80));
    assert_eq!(error.reason, "Bad Gateway");
    let slow = trace.slowest_step.as_ref().unwrap();
    assert!(slow.gap_ms >= 29_000 && slow.gap_ms <= 31_000, "{slow:?}");
    assert_eq!(slow.module.as_deref(), Some("ApplicationRequestRouting"));
    assert_eq!(
        slow.notification.as_deref(),
        Some("EXECUTE_REQUEST_HANDLER")
    );
    assert_eq!(trace.time_taken_ms, Some(30_047));
    assert_eq!(trace.final_status.as_ref().unwrap().status, 502);
    assert_eq!(trace.client.as_deref(), Some("203.0.113.25:51544"));
    assert!(trace.response_excerpt.as_deref().unwrap().contains("502"));
}

#[test]
fn ancm_samples_carry_forward_failure_and_start_failure() {
    let forward = read_sample("fr000103.xml");
    let ancm = forward.ancm.as_ref().unwrap();
    assert!(ancm.forward_started);
    assert_eq!(ancm.forward_error, Some(0x8007_2EE2));
    assert!(forward.slowest_step.as_ref().unwrap().gap_ms >= 119_000);

    let start = read_sample("fr000104.xml");
    let ancm = start.ancm.as_ref().unwrap();
    assert_eq!(ancm.start_failures.len(), 1);
    assert!(
        ancm.start_failures[0].contains("failed to start"),
        "{ancm:?}"
    );
    assert!(
        start
            .response_excerpt
            .as_deref()
            .unwrap()
            .contains("500.30")
    );
}

#[test]
fn config_error_keeps_the_exception_text() {
    let trace = read_sample("fr000105.xml");
    let error = trace.error.as_ref().unwrap();
    assert_eq!(error.error_code, Some(0x8007_000D));
    assert!(
        error
            .error_text
            .as_deref()
            .unwrap()
            .contains("(0x8007000d)")
    );
    let info = error.config_exception.as_deref().unwrap();
    assert!(info.contains("web.config"), "{info}");
}

#[test]
fn time_taken_trace_points_at_fastcgi() {
    let trace = read_sample("fr000108.xml");
    assert_eq!(trace.failure_reason, "TIME_TAKEN");
    assert_eq!(trace.trigger_status, "0");
    assert!(trace.error.is_none());
    let slow = trace.slowest_step.as_ref().unwrap();
    assert_eq!(slow.module.as_deref(), Some("FastCgiModule"));
    assert!(slow.gap_ms >= 8_000, "{slow:?}");
    assert!(
        trace
            .fastcgi
            .iter()
            .any(|n| n.name == "FASTCGI_WAITING_FOR_RESPONSE")
    );
    assert!(
        trace
            .rewrite
            .iter()
            .any(|n| n.name == "RULE_EVALUATION_END")
    );
}

#[test]
fn truncated_sample_returns_what_was_read() {
    let trace = read_sample("fr000107.xml");
    assert!(trace.truncated);
    assert!(
        trace.truncation.as_deref().unwrap().contains("ends inside"),
        "{trace:?}"
    );
    assert!(trace.event_count > 3);
    assert!(trace.final_status.is_none());
}

#[test]
fn refuses_other_documents() {
    let err = read_file(&testdata("not-a-trace.xml"), false).unwrap_err();
    assert!(
        matches!(err, FrebError::NotFreb { ref root } if root == "html"),
        "{err}"
    );
    assert_eq!(err.to_string(), "not a FREB trace: root element is <html>");

    assert!(matches!(read_str(""), Err(FrebError::NoRoot)));
    assert!(matches!(
        read_str("<?xml version=\"1.0\"?>\n<!-- x -->"),
        Err(FrebError::NoRoot)
    ));
    let err =
        read_str("<failedRequest statusCode=\"500\"><Event></System></Event></failedRequest>")
            .unwrap_err();
    assert!(err.to_string().starts_with("XML error at byte "), "{err}");
}

#[test]
fn entity_bomb_is_refused_quickly() {
    let started = Instant::now();
    let err = read_file(&testdata("entity-bomb.xml"), true).unwrap_err();
    assert!(matches!(err, FrebError::EntityDeclarations { .. }), "{err}");
    assert!(started.elapsed() < Duration::from_secs(1));
    // Even without the DOCTYPE, an undeclared entity is kept as written.
    let trace = read_str(
        "<failedRequest statusCode=\"500\"><Event><EventData><Data Name=\"Buffer\">&lol9; &lt;b&gt; &#65;</Data></EventData>\
         <RenderingInfo><Opcode>GENERAL_RESPONSE_ENTITY_BUFFER</Opcode></RenderingInfo></Event></failedRequest>",
    )
    .unwrap();
    assert_eq!(trace.response_excerpt.as_deref(), Some("&lol9; A"));
    assert_eq!(trace.events[0].data, "Buffer=&lol9; <b> A");
}

#[test]
fn deep_nesting_is_refused_without_recursion() {
    let depth = 100_000;
    let mut xml = String::with_capacity(depth * 8);
    xml.push_str("<failedRequest>");
    for _ in 0..depth {
        xml.push_str("<a>");
    }
    let started = Instant::now();
    let err = read_str(&xml).unwrap_err();
    assert!(matches!(err, FrebError::TooDeep { .. }), "{err}");
    assert!(err.to_string().contains("nesting deeper than 64 levels"));
    assert!(started.elapsed() < Duration::from_secs(1));

    let mut other = String::new();
    for _ in 0..depth {
        other.push_str("<x>");
    }
    assert!(matches!(read_str(&other), Err(FrebError::NotFreb { .. })));
}

#[test]
fn a_huge_text_or_tag_is_refused_not_buffered() {
    let huge = "x".repeat(MAX_EVENT + 10);
    let cases = [
        format!("<failedRequest statusCode=\"500\">{huge}</failedRequest>"),
        format!("<failedRequest statusCode=\"500\"><Event a=\"{huge}\"/></failedRequest>"),
        format!("<failedRequest statusCode=\"500\"><!--{huge}--></failedRequest>"),
    ];
    for xml in cases {
        let streamed = read_trace(std::io::BufReader::new(xml.as_bytes()), false);
        let in_memory = read_trace_in(xml.as_bytes(), false);
        let errors = [streamed, in_memory].map(Result::unwrap_err);
        for err in errors.into_iter().chain([read_str(&xml).unwrap_err()]) {
            assert!(matches!(err, FrebError::TooLong { offset: 32 }), "{err}");
            assert!(err.to_string().contains("longer than 4 MiB"), "{err}");
        }
    }
    // Just under the cap is read.
    let text = "x".repeat(MAX_EVENT - 100);
    let trace = read_str(&format!(
        "<failedRequest statusCode=\"500\">{text}</failedRequest>"
    ))
    .unwrap();
    assert_eq!(trace.status, 500);
}

#[test]
fn sniffs_the_root_after_the_prolog() {
    let head = std::fs::read(testdata("fr000101.xml")).unwrap();
    assert!(looks_like_freb(&head[..400.min(head.len())]));
    assert!(looks_like_freb(
        b"\xEF\xBB\xBF<?xml version=\"1.0\"?>\r\n<!-- c --><failedRequest url=\"x\">"
    ));
    assert!(looks_like_freb(b"<failedRequest\r\n  url=\"x\""));
    assert!(!looks_like_freb(b"<?xml version=\"1.0\"?><html>"));
    assert!(!looks_like_freb(b"<failedRequests>"));
    assert!(!looks_like_freb(b"<?xml version=\"1.0\""));
    assert!(!looks_like_freb(
        b"#Software: Microsoft Internet Information Services 10.0"
    ));
    assert!(!looks_like_freb(b""));
}

#[test]
fn root_status_may_carry_the_substatus() {
    assert_eq!(parse_status("404"), Some((404, None)));
    assert_eq!(parse_status("401.503"), Some((401, Some(503))));
    assert_eq!(parse_status("x"), None);
    let trace = read_str(
        "<failedRequest statusCode=\"401.5\" failureReason=\"STATUS_CODE\"></failedRequest>",
    )
    .unwrap();
    assert_eq!((trace.status, trace.substatus), (401, Some(5)));
    // An empty trace has no GENERAL_REQUEST_END.
    assert!(trace.truncated);
}

/// Builds a trace from (time, event name, module) triples.
fn synthetic(steps: &[(&str, &str, Option<&str>)]) -> String {
    let mut xml = String::from("<failedRequest statusCode=\"200\">");
    for (time, name, module) in steps {
        xml.push_str(&format!(
            "<Event><System><TimeCreated SystemTime=\"2026-01-20T10:15:{time}Z\"/></System><EventData>"
        ));
        if let Some(module) = module {
            xml.push_str(&format!(
                "<Data Name=\"ModuleName\">{module}</Data><Data Name=\"Notification\">128</Data>"
            ));
        }
        xml.push_str(&format!(
            "</EventData><RenderingInfo><Opcode>{name}</Opcode></RenderingInfo></Event>"
        ));
    }
    xml.push_str("</failedRequest>");
    xml
}

#[test]
fn slowest_step_is_the_largest_gap_in_the_module_in_force() {
    let xml = synthetic(&[
        ("30.1234567", "GENERAL_REQUEST_START", None),
        ("30.200", "NOTIFY_MODULE_START", Some("StaticFileModule")),
        ("30.300", "NOTIFY_MODULE_END", Some("StaticFileModule")),
        ("30.400", "NOTIFY_MODULE_START", Some("SlowModule")),
        ("35.400", "SOMETHING_HAPPENED", None),
        ("35.500", "NOTIFY_MODULE_END", Some("SlowModule")),
        ("39.500", "NOTIFY_MODULE_START", Some("OtherModule")),
        ("39.600", "GENERAL_REQUEST_END", None),
    ]);
    let trace = read_str(&xml).unwrap();
    let slow = trace.slowest_step.unwrap();
    assert_eq!(slow.gap_ms, 5000);
    assert_eq!(slow.at_ms, 277);
    assert_eq!(slow.before, "NOTIFY_MODULE_START");
    assert_eq!(slow.after, "SOMETHING_HAPPENED");
    assert_eq!(slow.after_index, 4);
    assert_eq!(slow.module.as_deref(), Some("SlowModule"));
    assert_eq!(
        slow.notification.as_deref(),
        Some("EXECUTE_REQUEST_HANDLER")
    );
    assert_eq!(trace.events[4].offset_ms, 5277);
    assert_eq!(trace.events[6].module.as_deref(), Some("OtherModule"));
    assert!(!trace.truncated);
}

#[test]
fn event_times_outside_1990_to_2100_are_left_out_with_a_note() {
    // A trace whose first event is dated 9999 (a wrong clock, a forged file) and one in 1989.
    let xml = synthetic(&[
        ("30.000", "GENERAL_REQUEST_START", None),
        ("31.000", "A", None),
        ("32.000", "GENERAL_REQUEST_END", None),
    ])
    .replacen("2026-01-20T10:15:30.000Z", "9999-12-31T23:59:59.000Z", 1)
    .replacen("2026-01-20T10:15:31.000Z", "1989-12-31T23:59:59.999Z", 1);
    let trace = read_str(&xml).unwrap();
    let last = crate::time::parse_date(b"2026-01-20").unwrap() * 86_400_000
        + (10 * 3600 + 15 * 60 + 32) * 1000;
    assert_eq!(
        trace.start,
        Some(last),
        "only the time within range is kept"
    );
    assert_eq!(
        trace.time_note.as_deref(),
        Some(
            "event 1 has the time `9999-12-31T23:59:59.000Z`, outside the years 1990 to 2100: event times outside them are left out"
        )
    );
    assert!(trace.slowest_step.is_none(), "{:?}", trace.slowest_step);
    let fine = read_str(&synthetic(&[("30.000", "A", None)])).unwrap();
    assert_eq!(fine.time_note, None);
    // The edges of the range are times.
    for (edge, kept) in [
        ("1990-01-01T00:00:00Z", true),
        ("2100-12-31T23:59:59.999Z", true),
        ("2101-01-01T00:00:00Z", false),
    ] {
        let xml = synthetic(&[("30.000", "A", None)]).replace("2026-01-20T10:15:30.000Z", edge);
        assert_eq!(read_str(&xml).unwrap().start.is_some(), kept, "{edge}");
    }
}

#[test]
fn clock_going_backwards_is_no_gap() {
    let xml = synthetic(&[
        ("30.500", "A", None),
        ("30.100", "B", None),
        ("30.200", "GENERAL_REQUEST_END", None),
    ]);
    let trace = read_str(&xml).unwrap();
    assert_eq!(trace.slowest_step.unwrap().gap_ms, 100);
    assert_eq!(trace.events[1].offset_ms, -400);
}

#[test]
fn the_error_event_matching_the_final_status_wins() {
    let event = |module: &str, status: u16, sub: u32| {
        format!(
            "<Event><EventData><Data Name=\"ModuleName\">{module}</Data><Data Name=\"Notification\">16</Data>\
             <Data Name=\"HttpStatus\">{status}</Data><Data Name=\"HttpSubStatus\">{sub}</Data>\
             <Data Name=\"ErrorCode\">0x80070005</Data></EventData>\
             <RenderingInfo><Opcode>MODULE_SET_RESPONSE_ERROR_STATUS</Opcode></RenderingInfo></Event>"
        )
    };
    let xml = format!(
        "<failedRequest statusCode=\"401\">{}{}{}</failedRequest>",
        event("First", 401, 2),
        event("Second", 500, 0),
        event("Third", 404, 0),
    );
    let trace = read_str(&xml).unwrap();
    assert_eq!(trace.error_module(), Some("First"));
    assert_eq!(trace.substatus, Some(2));
    assert_eq!(trace.win32, Some(5));
    let error = trace.error.unwrap();
    assert_eq!(error.notification, "MAP_REQUEST_HANDLER");
    assert_eq!(error.event_index, 0);
}

#[test]
fn notification_flags_map_to_stage_names() {
    assert_eq!(notification_name(1), Some("BEGIN_REQUEST"));
    assert_eq!(notification_name(0x80), Some("EXECUTE_REQUEST_HANDLER"));
    assert_eq!(notification_name(0x2000_0000), Some("SEND_RESPONSE"));
    assert_eq!(notification_name(3), None);
}

#[test]
fn body_excerpt_reads_like_text() {
    let html = "<!DOCTYPE html><html><head><title>Oops &amp; more</title>\
                <style>body {color:red}</style><script>var a = '<b>';</script></head>\
                <body><h1>Server Error</h1><!-- hidden --><p>Can&#39;t&nbsp;start</p></body></html>";
    assert_eq!(body_excerpt(html), "Oops & more Server Error Can't start");
    assert_eq!(body_excerpt("plain\r\n  text"), "plain text");
    assert_eq!(body_excerpt("<unclosed"), "");
    let long = "x ".repeat(1000);
    assert!(body_excerpt(&long).chars().count() <= EXCERPT_CHARS + 3);
}

#[test]
fn caps_never_split_characters() {
    let mut s = String::new();
    push_capped(&mut s, "ééé", 3);
    assert_eq!(s, "é");
    let mut t = "äöü".repeat(200);
    truncate_chars(&mut t, 5);
    assert_eq!(t, "äöüäö...");
}

#[test]
fn any_prefix_of_a_sample_reads_or_fails_cleanly() {
    let bytes = std::fs::read(testdata("fr000103.xml")).unwrap();
    for end in (0..bytes.len()).step_by(97) {
        let cut = &bytes[..end];
        if let Ok(trace) = read_trace(Cursor::new(cut), true) {
            assert!(trace.truncated || end == bytes.len());
        }
    }
}

/// A corpus trace and the facts its source notes give for it.
struct CorpusFact {
    file: &'static str,
    status: u16,
    substatus: Option<u32>,
    win32: Option<u64>,
    module: Option<&'static str>,
    notification: Option<&'static str>,
    failure_reason: &'static str,
    time_taken: u64,
    truncated: bool,
}

const CORPUS: &[CorpusFact] = &[
    CorpusFact {
        file: "AzureDemos-WebSites-ClassicAsp__fr000001.xml",
        status: 404,
        substatus: Some(0),
        win32: Some(2),
        module: Some("IIS Web Core"),
        notification: Some("MAP_REQUEST_HANDLER"),
        failure_reason: "STATUS_CODE",
        time_taken: 16,
        truncated: false,
    },
    CorpusFact {
        file: "AluLab__fr000001.xml",
        status: 404,
        substatus: Some(0),
        win32: Some(2),
        module: Some("IIS Web Core"),
        notification: Some("MAP_REQUEST_HANDLER"),
        failure_reason: "STATUS_CODE",
        time_taken: 16,
        truncated: false,
    },
    CorpusFact {
        file: "blogezy__fr000001.xml",
        status: 500,
        substatus: Some(0),
        win32: Some(0),
        module: Some("AspNetInitializationExceptionModule"),
        notification: Some("BEGIN_REQUEST"),
        failure_reason: "STATUS_CODE",
        time_taken: 1750,
        truncated: false,
    },
    CorpusFact {
        file: "blogezy__fr000002.xml",
        status: 500,
        substatus: Some(0),
        win32: Some(0),
        module: Some("AspNetInitializationExceptionModule"),
        notification: Some("BEGIN_REQUEST"),
        failure_reason: "STATUS_CODE",
        time_taken: 0,
        truncated: false,
    },
    CorpusFact {
        file: "mayur_patil__fr000010.xml",
        status: 500,
        substatus: Some(0),
        win32: Some(0),
        module: Some("ManagedPipelineHandler"),
        notification: Some("MAP_REQUEST_HANDLER"),
        failure_reason: "STATUS_CODE",
        time_taken: 156,
        truncated: false,
    },
    CorpusFact {
        file: "Jilly__fr000001.xml",
        status: 200,
        substatus: Some(0),
        win32: None,
        module: None,
        notification: None,
        failure_reason: "STATUS_CODE",
        time_taken: 5312,
        truncated: false,
    },
    CorpusFact {
        file: "Nanette2022__fr000001.xml",
        status: 200,
        substatus: None,
        win32: None,
        module: None,
        notification: None,
        failure_reason: "TIME_TAKEN",
        time_taken: 61230,
        truncated: true,
    },
];

#[test]
fn corpus_traces_read_to_their_documented_facts() {
    let Some(dir) = crate::input::corpus::path("freb") else {
        return;
    };
    for want in CORPUS {
        let f = want.file;
        let path = dir.join(f);
        let head = std::fs::read(&path).unwrap();
        assert!(looks_like_freb(&head[..512]), "{f} sniff");
        let trace = read_file(&path, true).unwrap_or_else(|e| panic!("{f}: {e}"));
        assert_eq!(trace.status, want.status, "{f} status");
        assert_eq!(trace.substatus, want.substatus, "{f} substatus");
        assert_eq!(trace.win32, want.win32, "{f} win32");
        assert_eq!(trace.error_module(), want.module, "{f} module");
        assert_eq!(
            trace.error.as_ref().map(|e| e.notification.as_str()),
            want.notification,
            "{f} notification"
        );
        assert_eq!(
            trace.failure_reason, want.failure_reason,
            "{f} failure reason"
        );
        assert_eq!(trace.time_taken_ms, Some(want.time_taken), "{f} time taken");
        assert_eq!(trace.truncated, want.truncated, "{f} truncated");
        assert_eq!(trace.events.len(), trace.event_count, "{f} events");
        // Events without keep_events give the same facts.
        let lean = read_file(&path, false).unwrap();
        assert!(lean.events.is_empty());
        assert_eq!(lean.error, trace.error, "{f} lean");
        assert_eq!(lean.slowest_step, trace.slowest_step, "{f} lean");
    }

    let azure = read_file(&dir.join(CORPUS[0].file), false).unwrap();
    assert_eq!(azure.site_id, Some(294_197_211));
    assert_eq!(azure.computer, "RD00155D43093F");
    assert_eq!(azure.event_count, 99);
    let error = azure.error.unwrap();
    assert_eq!(error.error_code, Some(0x8007_0002));
    assert_eq!(
        error.error_text.as_deref(),
        Some("The system cannot find the file specified. (0x80070002)")
    );

    let blogezy = read_file(&dir.join("blogezy__fr000001.xml"), false).unwrap();
    assert_eq!(blogezy.remote_user_name, None);
    assert_eq!(
        blogezy.authentication_type.as_deref(),
        Some("NOT_AVAILABLE")
    );
    assert!(
        blogezy
            .response_excerpt
            .as_deref()
            .unwrap()
            .starts_with("Could not find a part of the path"),
        "{:?}",
        blogezy.response_excerpt
    );

    let nanette = read_file(&dir.join("Nanette2022__fr000001.xml"), false).unwrap();
    assert_eq!(nanette.event_count, 842);
    let ancm = nanette.ancm.unwrap();
    assert!(ancm.forward_started);
    assert_eq!(ancm.winhttp_callbacks, 324);
    assert_eq!(nanette.trigger_status, "0");
    assert!(
        nanette
            .truncation
            .unwrap()
            .contains("LOG_FILE_MAX_SIZE_TRUNCATE")
    );

    let jilly = read_file(&dir.join("Jilly__fr000001.xml"), false).unwrap();
    assert_eq!(jilly.url, "http://localhost:57684/redir[1].aspx");
    assert!(jilly.slowest_step.is_some());
}

#[test]
fn the_arr_log_id_request_header_is_kept() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/tiers");
    // (trace, X-ARR-LOG-ID, the server ARR routed to)
    for (path, id, server) in [
        (
            "web01/FailedReqLogFiles/W3SVC1/fr000001.xml",
            Some("{a1b2c3d3-0000-4000-8000-000000000003}"),
            "app01.internal:80",
        ),
        (
            "web02/FailedReqLogFiles/W3SVC1/fr000003.xml",
            None,
            "10.0.2.22",
        ),
    ] {
        let t = read_file(&dir.join(path), false).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert_eq!(t.arr_log_id.as_deref(), id, "{path}");
        assert_eq!(t.arr.map(|a| a.server).as_deref(), Some(server), "{path}");
    }
}

/// What each way of reading `bytes` makes of it: streamed through a small buffer, in
/// memory, and [`read_whole`].
fn each_way(bytes: &[u8], keep_events: bool) -> [String; 3] {
    let streamed = read_trace(std::io::BufReader::with_capacity(64, bytes), keep_events);
    [
        streamed,
        read_trace_in(bytes, keep_events),
        read_whole(bytes, keep_events),
    ]
    .map(|t| format!("{t:?}"))
}

#[test]
fn a_trace_in_memory_reads_as_it_does_streamed() {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(testdata(""))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    if let Some(dir) = crate::input::corpus::path("freb") {
        paths.extend(CORPUS.iter().map(|c| dir.join(c.file)));
    }
    paths.sort();
    assert!(paths.len() > 10, "{paths:?}");
    for path in &paths {
        let bytes = std::fs::read(path).unwrap();
        // Whole, and cut short at places inside elements, with events and without.
        let n = bytes.len();
        for len in [n, n / 3, n / 2 + 1, n * 2 / 3 + 7, n.saturating_sub(3)] {
            for keep in [true, false] {
                let [streamed, in_memory, whole] = each_way(&bytes[..len], keep);
                assert_eq!(in_memory, streamed, "{} at {len}", path.display());
                assert_eq!(whole, streamed, "{} at {len}", path.display());
            }
        }
    }
}

#[test]
fn unknown_bang_markup_mid_trace_is_an_error_in_memory_as_streamed() {
    // Once taken for a trace cut short in memory (a trace with a timeline) and an error when
    // streamed.
    let bytes = std::fs::read(testdata("fr000101.xml")).unwrap();
    let text = String::from_utf8(bytes).unwrap();
    let at = text.find("</Computer>").unwrap();
    let broken = format!("{}<!{}", &text[..at], &text[at + 1..]);
    for keep in [true, false] {
        let [streamed, in_memory, whole] = each_way(broken.as_bytes(), keep);
        assert!(streamed.starts_with("Err(Xml"), "{streamed}");
        assert_eq!(in_memory, streamed);
        assert_eq!(whole, streamed);
    }
    // At the very end it is a trace cut short, either way.
    let cut = format!("{}<!", &text[..at]);
    let [streamed, in_memory, _] = each_way(cut.as_bytes(), false);
    assert_eq!(in_memory, streamed);
}

/// A reader that hands out `bytes`, then fails with `message`.
struct FailsAfter<'b>(&'b [u8], &'static str);

impl Read for FailsAfter<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.0.is_empty() {
            return Err(std::io::Error::other(self.1));
        }
        let n = self.0.read(buf)?;
        Ok(n)
    }
}

#[test]
fn a_read_that_fails_part_way_is_met_where_it_failed() {
    let bytes = std::fs::read(testdata("fr000101.xml")).unwrap();
    let cut = &bytes[..bytes.len() / 2];
    let limit = "decompression stopped after 1.0 MiB";
    let streamed = read_trace(std::io::BufReader::new(FailsAfter(cut, limit)), false);
    let whole = read_whole(FailsAfter(cut, limit), false);
    assert_eq!(format!("{whole:?}"), format!("{streamed:?}"));
    let trace = whole.unwrap();
    assert!(trace.truncated);
    let said = trace.truncation.unwrap_or_default();
    assert!(said.contains(limit), "{said}");
}
