//! Property tests for the readers, run by `cargo test`: any bytes (random, or a sample with
//! random damage) never make a reader panic and its counts always add up; generated W3C and
//! HTTPERR lines read back to what was written; archives give back what was put in. The fuzz
//! targets in `fuzz/` go further, on nightly.

use std::io::{Cursor, Write};
use std::path::Path;

use proptest::prelude::*;

use super::archive::{self, Format, Limits};
use super::w3c::Field;
use super::{ancm, config, errorpage, eventlog, freb, httperr, native, php, sniff, stdout, w3c};
use crate::triple::Triple;

/// Samples to damage: one of each kind iisdiag reads.
const SAMPLES: &[&[u8]] = &[
    include_bytes!("../../testdata/broken/u_ex261119.log"),
    include_bytes!("../../testdata/legacy/ex031118.log"),
    include_bytes!("../../testdata/httperr/httperr2.log"),
    include_bytes!("../../testdata/httperr/httperr-truncated.log"),
    include_bytes!("../../testdata/freb/fr000105.xml"),
    include_bytes!("../../testdata/freb/fr000107.xml"),
    include_bytes!("../../testdata/pages/ErrorPage000001.htm"),
    include_bytes!("../../testdata/config/applicationHost.config"),
    include_bytes!("../../testdata/config/SiteOverview.csv"),
    include_bytes!("../../testdata/archives/broken/nested.zip"),
    include_bytes!("../../testdata/archives/broken/cut.log.gz"),
    EVENT_XML,
    PHP_LOG,
    include_bytes!("../../testdata/stdout/stdout_20261118094500_3100.log"),
    ANCM_LOG,
];

/// An ASP.NET Core Module debug log: both formats, a value over two lines, a failed HRESULT.
const ANCM_LOG: &[u8] = b"[aspnetcorev2.dll] Initializing logs for 'C:\\m\\aspnetcorev2.dll'. Process Id: 492.. File Version: 12.2.19109.5.\r\n[2024-11-23T03:46:26.229Z, PID: 64988] [aspnetcorev2.dll] where.exe invocation returned: 'C:\\Program Files\\dotnet\\dotnet.exe\r\n'\r\n[2024-11-23T03:46:27.000Z, PID: 64988] [aspnetcorev2_inprocess.dll] Failed HRESULT returned: 0x8007023e at D:\\s\\dllmain.cpp:131 \r\n";

/// A PHP error log: a UTC fatal error with its stack trace, a local-time warning.
const PHP_LOG: &[u8] = b"[18-Nov-2026 11:05:12 UTC] PHP Fatal error:  Uncaught Error: Call to undefined function mysql_connect() in C:\\inetpub\\shop\\db.php:14\nStack trace:\n#0 {main}\n  thrown in C:\\inetpub\\shop\\db.php on line 14\n[01-Dec-2018 08:06:53 America/Los_Angeles] PHP Warning:  PDO::__construct(): x in D:\\home\\site\\wwwroot\\lib\\index.php on line 37\n";

/// A small event file in the shapes the Event XML reader knows: App Service's `<Events>`,
/// named and positional data, an empty item, references, `UserData`.
const EVENT_XML: &[u8] = b"<?xml version=\"1.0\"?>\n<Events><Event xmlns=\"http://schemas.microsoft.com/win/2004/08/events/event\"><System><Provider Name=\"Microsoft-Windows-WAS\" EventSourceName=\"WAS\"/><EventID Qualifiers=\"49152\">5002</EventID><Level>2</Level><TimeCreated SystemTime=\"2026-03-01T10:00:00.1234567Z\"/><EventRecordID>77</EventRecordID><Execution ProcessID=\"1234\"/><Channel>System</Channel><Computer>WEB01</Computer></System><EventData><Data Name=\"AppPoolID\">Shop &amp; Co</Data><Data/><Data>&lt;Main&gt;$</Data><Binary>0D000780</Binary></EventData></Event>\r\n<Event><System><Provider Name=\"IIS AspNetCore Module V2\"/><EventID>1007</EventID><TimeCreated SystemTime=\"2026-03-01T10:00:01Z\"/></System><UserData><X><P1>a</P1><P2/></X></UserData></Event></Events>";

/// A sample with some bytes overwritten, some inserted, and maybe its end cut off.
fn damaged() -> impl Strategy<Value = Vec<u8>> {
    (
        0..SAMPLES.len(),
        prop::collection::vec(
            (any::<prop::sample::Index>(), any::<u8>(), any::<bool>()),
            0..16,
        ),
        any::<Option<prop::sample::Index>>(),
    )
        .prop_map(|(which, edits, cut)| {
            let mut bytes = SAMPLES[which].to_vec();
            for (at, byte, insert) in edits {
                let i = at.index(bytes.len() + 1);
                if insert || i == bytes.len() {
                    bytes.insert(i, byte);
                } else {
                    bytes[i] = byte;
                }
            }
            if let Some(cut) = cut {
                bytes.truncate(cut.index(bytes.len() + 1));
            }
            bytes
        })
}

/// Random bytes, or a damaged sample.
fn hostile() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![prop::collection::vec(any::<u8>(), 0..2048), damaged()]
}

/// At most the lines a reader can find: split at `\n`, or at `\r` in a file read as CR-only.
fn line_count(bytes: &[u8]) -> u64 {
    let lf = bytes.split(|&b| b == b'\n').count();
    let cr = bytes.split(|&b| b == b'\r').count();
    lf.max(cr) as u64
}

/// Reads `bytes` as every format; panics (failing the property) only if a reader does.
fn read_everything(bytes: &[u8]) -> Result<(), TestCaseError> {
    let _ = sniff(bytes);
    let mut seen = 0u64;
    let stats = w3c::read(bytes, |_| seen += 1)?;
    prop_assert_eq!(stats.records, seen);
    prop_assert!(stats.records + stats.malformed <= line_count(bytes));

    let mut seen = 0u64;
    let stats = native::read(bytes, |_| seen += 1)?;
    prop_assert_eq!(stats.records, seen);
    prop_assert!(stats.records + stats.malformed <= line_count(bytes));

    let mut seen = 0u64;
    let stats = httperr::read_httperr(bytes, |_| seen += 1)?;
    prop_assert_eq!(stats.records, seen);
    prop_assert!(stats.records + stats.malformed <= stats.lines);

    if let Ok(trace) = freb::read_trace(bytes, true) {
        prop_assert!(trace.events.len() <= trace.event_count);
    }

    let mut seen = 0u64;
    let stats = eventlog::read_xml(bytes, |e| {
        seen += 1;
        assert!(e.data.len() <= eventlog::MAX_DATA);
        assert!(e.data.iter().all(|d| d.value.len() <= eventlog::MAX_VALUE));
    });
    if let Ok(stats) = stats {
        prop_assert_eq!(stats.records, seen);
    }
    // As an .evtx file too: a sample's bytes behind the file magic.
    let mut evtx = eventlog::MAGIC.to_vec();
    evtx.extend_from_slice(bytes);
    let mut seen = 0u64;
    if let Ok(stats) = eventlog::read_evtx(&evtx[..], |_| seen += 1) {
        prop_assert_eq!(stats.records, seen);
    }

    let _ = php::looks_like_php_log(bytes);
    let mut seen = 0u64;
    let stats = php::read_php(bytes, |e| {
        seen += 1;
        assert!(e.message.len() <= php::MESSAGE_MAX);
    })?;
    prop_assert_eq!(stats.records, seen);
    prop_assert!(stats.records + stats.malformed <= stats.lines);

    if let Ok(file) = config::read_config(bytes) {
        prop_assert!(file.sites.len() <= config::LIST_MAX);
        prop_assert!(file.sites.iter().all(|s| s.name.len() <= config::VALUE_MAX));
    }
    let _ = config::sitelist::looks_like_site_list(bytes);
    let mut rows = 0u64;
    let stats = config::sitelist::read_site_list(bytes, |r| {
        rows += 1;
        assert!(r.name.len() <= config::VALUE_MAX);
    })?;
    prop_assert_eq!(stats.records, rows);
    let _ = stdout::looks_like_stdout(bytes);
    let _ = sniff::sniff_named(Some("stdout_20261118100102_4242.log"), bytes);
    let (log, stats) = stdout::read_stdout(bytes)?;
    prop_assert!(log.failures <= stats.lines);
    if let Some(f) = &log.failure {
        prop_assert!(f.message.len() <= stdout::MESSAGE_MAX);
        prop_assert!(
            f.frame
                .as_ref()
                .is_none_or(|x| x.len() <= stdout::FRAME_MAX)
        );
        prop_assert!(f.line >= 1 && f.line <= stats.lines);
    }
    let _ = ancm::looks_like_ancm_log(bytes);
    let (sessions, stats) = ancm::read_ancm(bytes)?;
    prop_assert!(sessions.len() <= ancm::SESSIONS_MAX);
    prop_assert!(stats.records + stats.malformed <= stats.lines);
    for s in &sessions {
        prop_assert!(s.failures.len() <= ancm::LIST_MAX && s.shutdown.len() <= ancm::LIST_MAX);
    }

    let _ = errorpage::looks_like_error_page(bytes);
    if let Ok(page) = errorpage::parse(bytes) {
        prop_assert!(page.most_likely_causes.len() <= errorpage::MAX_ITEMS);
        prop_assert!(page.things_to_try.len() <= errorpage::MAX_ITEMS);
        prop_assert!(page.config_source.len() <= errorpage::MAX_SOURCE_LINES);
        let values = [
            &page.title,
            &page.module,
            &page.requested_url,
            &page.config_file,
        ];
        prop_assert!(
            values
                .iter()
                .all(|v| v.as_ref().is_none_or(|v| v.len() <= errorpage::MAX_VALUE))
        );
    }

    if let Some(format) = Format::sniff(bytes) {
        let _ = archive::for_each_member(
            Path::new("p.zip"),
            Cursor::new(bytes),
            format,
            &Limits::default(),
            |m| {
                if let Ok(r) = m.reader() {
                    let _ = std::io::copy(r, &mut std::io::sink());
                }
            },
        );
    }
    Ok(())
}

/// One generated W3C request.
#[derive(Debug, Clone)]
struct Request {
    status: u16,
    substatus: u32,
    win32: u64,
    time_taken: u64,
    second: u32,
    stem: String,
    crlf: bool,
    /// Written with a non-numeric status, so it must count as malformed.
    broken: bool,
}

fn request() -> impl Strategy<Value = Request> {
    (
        // Win32 values past 32 bits are malformed lines (`Triple::checked`).
        (
            100u16..=599,
            0u32..=999,
            0..=u64::from(u32::MAX),
            0u64..10_000_000,
        ),
        (
            0u32..86_400,
            "[a-zA-Z0-9/._~%-]{1,40}",
            any::<bool>(),
            prop::bool::weighted(0.1),
        ),
    )
        .prop_map(
            |((status, substatus, win32, time_taken), (second, stem, crlf, broken))| Request {
                status,
                substatus,
                win32,
                time_taken,
                second,
                stem: format!("/{stem}"),
                crlf,
                broken,
            },
        )
}

fn w3c_text(requests: &[Request], bom: bool, last_terminated: bool) -> Vec<u8> {
    let mut text = Vec::new();
    if bom {
        text.extend(b"\xEF\xBB\xBF");
    }
    text.extend(
        b"#Software: Microsoft Internet Information Services 10.0\r\n\
          #Fields: date time cs-uri-stem sc-status sc-substatus sc-win32-status time-taken\r\n",
    );
    for (i, r) in requests.iter().enumerate() {
        let status = if r.broken {
            "5x0".to_string()
        } else {
            r.status.to_string()
        };
        let (h, m, s) = (r.second / 3600, r.second / 60 % 60, r.second % 60);
        text.extend(
            format!(
                "2026-11-18 {h:02}:{m:02}:{s:02} {} {status} {} {} {}",
                r.stem, r.substatus, r.win32, r.time_taken
            )
            .into_bytes(),
        );
        if i + 1 < requests.len() || last_terminated {
            text.extend(if r.crlf { &b"\r\n"[..] } else { b"\n" });
        }
    }
    text
}

/// The Application log of the corpus with some bytes overwritten past the file header,
/// read as the chunks of an `.evtx` file.
fn damaged_evtx(log: &[u8], edits: &[(prop::sample::Index, u8)]) -> Vec<u8> {
    let mut bytes = log.to_vec();
    let body = bytes.len() - eventlog::FILE_HEADER_SIZE;
    for (at, byte) in edits {
        bytes[eventlog::FILE_HEADER_SIZE + at.index(body)] = *byte;
    }
    bytes
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    #[test]
    fn a_damaged_evtx_reads_without_panic(
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..64),
    ) {
        let Some(path) = crate::input::corpus::path("events/applicationevtx__Application.evtx") else {
            return Ok(());
        };
        let log = std::fs::read(path)?;
        let bytes = damaged_evtx(&log, &edits);
        let mut seen = 0u64;
        let stats = eventlog::read_evtx(&bytes[..], |_| seen += 1)?;
        prop_assert_eq!(stats.records, seen);
        prop_assert!(seen <= 2445);
    }

    #[test]
    fn deep_or_wide_event_xml_reads_without_panic(depth in 0usize..200, items in 0usize..100) {
        let mut xml = String::from("<Events><Event><System><Provider Name=\"P\"/><EventID>1</EventID></System><EventData>");
        for i in 0..items {
            xml.push_str(&format!("<Data Name=\"n{i}\">{}</Data>", "v".repeat(i * 200)));
        }
        xml.push_str(&"<x>".repeat(depth));
        let mut seen = 0u64;
        let stats = eventlog::read_xml(xml.as_bytes(), |e| {
            seen += 1;
            assert!(e.data.len() <= eventlog::MAX_DATA.min(items));
        })?;
        prop_assert_eq!(stats.records, seen);
        prop_assert_eq!(seen, 1, "the cut event has its provider and id");
    }
}

proptest! {
    #[test]
    fn any_bytes_read_without_panic_and_counts_add_up(bytes in hostile()) {
        read_everything(&bytes)?;
    }

    #[test]
    fn generated_w3c_lines_read_back(
        requests in prop::collection::vec(request(), 0..60),
        bom in any::<bool>(),
        last_terminated in any::<bool>(),
    ) {
        let text = w3c_text(&requests, bom, last_terminated);
        let mut read = Vec::new();
        let stats = w3c::read(&text[..], |r| {
            read.push((
                r.triple,
                r.time_taken_ms,
                r.get(Field::UriStem).map(<[u8]>::to_vec),
                r.time.map(crate::time::format_short),
            ));
        })?;
        let good: Vec<&Request> = requests.iter().filter(|r| !r.broken).collect();
        // A broken last line without its line end is taken for a cut-off line: a note.
        let broken_last = requests.last().is_some_and(|r| r.broken) && !last_terminated;
        let broken = requests.iter().filter(|r| r.broken).count() as u64;
        prop_assert_eq!(stats.records + stats.malformed, requests.len() as u64 - u64::from(broken_last));
        prop_assert_eq!(stats.malformed, broken - u64::from(broken_last));
        prop_assert_eq!(read.len(), good.len());
        for (r, (triple, taken, stem, time)) in good.iter().zip(&read) {
            prop_assert_eq!(*triple, Some(Triple::new(r.status, Some(r.substatus), Some(r.win32))));
            prop_assert_eq!(*taken, Some(r.time_taken));
            prop_assert_eq!(stem.as_deref(), Some(r.stem.as_bytes()));
            let (h, m, s) = (r.second / 3600, r.second / 60 % 60, r.second % 60);
            prop_assert_eq!(time.clone(), Some(format!("2026-11-18 {h:02}:{m:02}:{s:02}")));
        }
    }

    #[test]
    fn generated_httperr_lines_read_back(
        lines in prop::collection::vec(
            (1u16..=65535, prop::option::of(100u16..=599), "[A-Za-z_]{1,24}", "[A-Za-z0-9]{0,12}"),
            0..40,
        ),
    ) {
        let mut text = format!("#Software: Microsoft HTTP API 2.0\r\n#Fields: {}\r\n", httperr::CLASSIC_FIELDS);
        for (port, status, reason, queue) in &lines {
            let status = status.map_or("-".to_string(), |s| s.to_string());
            let queue = if queue.is_empty() { "-" } else { queue };
            text.push_str(&format!(
                "2024-03-11 09:52:01 10.0.0.2 {port} 10.0.0.1 80 HTTP/1.1 GET /a {status} 1 {reason} {queue}\r\n"
            ));
        }
        let mut read = Vec::new();
        let stats = httperr::read_httperr(text.as_bytes(), |r| {
            read.push((r.client_port, r.status, r.reason.to_vec(), r.queue.to_vec()));
        })?;
        prop_assert_eq!((stats.records, stats.malformed), (lines.len() as u64, 0));
        for ((port, status, reason, queue), got) in lines.iter().zip(&read) {
            prop_assert_eq!(got.0, Some(*port));
            prop_assert_eq!(got.1, *status);
            prop_assert_eq!(&got.2, reason.as_bytes());
            let queue: &[u8] = if queue.is_empty() { b"" } else { queue.as_bytes() };
            prop_assert_eq!(&got.3, queue);
        }
    }

    #[test]
    fn archives_give_back_what_was_put_in(
        members in prop::collection::vec(
            ("[a-zA-Z0-9_]{1,12}(/[a-zA-Z0-9_.]{1,12}){0,3}", prop::collection::vec(any::<u8>(), 0..4096)),
            1..6,
        ),
        deflate in any::<bool>(),
    ) {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let method = if deflate { zip::CompressionMethod::Deflated } else { zip::CompressionMethod::Stored };
        let opts = zip::write::SimpleFileOptions::default().compression_method(method);
        let mut want = Vec::new();
        for (i, (name, data)) in members.iter().enumerate() {
            // Unique names: the zip reader keeps one member per name.
            let name = format!("{i}/{name}");
            w.start_file(name.as_str(), opts).map_err(|e| TestCaseError::fail(e.to_string()))?;
            w.write_all(data)?;
            want.push((format!("logs.zip!{name}"), data.clone()));
        }
        let bytes = w.finish().map_err(|e| TestCaseError::fail(e.to_string()))?.into_inner();
        let mut got = Vec::new();
        archive::for_each_member(Path::new("logs.zip"), Cursor::new(&bytes[..]), Format::Zip, &Limits::default(), |m| {
            let mut data = Vec::new();
            if let Ok(r) = m.reader() {
                let _ = r.read_to_end(&mut data);
            }
            got.push((m.name.clone(), data));
        }).map_err(|e| TestCaseError::fail(e.to_string()))?;
        // A member whose data starts with an archive's magic bytes is taken for a nested
        // archive (random bytes rarely do).
        let nested: Vec<String> = want
            .iter()
            .filter(|(_, data)| Format::sniff(data).is_some())
            .map(|(name, _)| name.clone())
            .collect();
        want.retain(|(name, _)| !nested.contains(name));
        got.retain(|(name, _)| !nested.contains(name));
        prop_assert_eq!(got, want);
    }
}
