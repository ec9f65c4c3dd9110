//! Telling a file's kind from its first bytes, never from its name.
//!
//! A run of NUL bytes at the start is looked past: a crash or a power loss leaves the part of
//! a log that was allocated but never flushed as zeros, and the lines after it are still
//! good. Only what follows the run is sniffed, within the head the caller read ([`HEAD_LEN`]);
//! a head of nothing but NULs is named as such, not called binary data.

use super::{ancm, config, errorpage, eventlog, freb, httperr, native, php, stdout, w3c};

/// The log formats iisdiag reads.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// W3C extended log (`u_ex*.log`), including IIS Advanced Logging and Azure App Service.
    W3c,
    /// IIS native (comma-separated) log.
    Native,
    /// HTTP.sys error log (`httperr*.log`).
    Httperr,
    /// Failed Request Tracing trace (`fr*.xml`).
    Freb,
    /// Binary Windows event log (`.evtx`).
    Evtx,
    /// Windows events as XML (Event Viewer's "Save as XML", `wevtutil qe /f:xml`, App
    /// Service's `eventlog.xml`).
    EventXml,
    /// IIS detailed error page (`ErrorPage*.htm`, a saved page, or its text pasted).
    ErrorPage,
    /// PHP's error log (`php_errors.log`).
    Php,
    /// IIS configuration: `applicationHost.config`, `web.config` (XML, `<configuration>` root).
    Config,
    /// A site list: a CSV whose header names site ids and names (LogCatcher's
    /// `SiteOverview.csv`).
    SiteList,
    /// The ASP.NET Core Module's stdout log (`stdout_20261118100102_4242.log`).
    Stdout,
    /// The ASP.NET Core Module's debug log (`aspnetcore-debug.log`, `debugFile`).
    AncmDebug,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::W3c => "w3c",
            Kind::Native => "native",
            Kind::Httperr => "httperr",
            Kind::Freb => "freb",
            Kind::Evtx => "evtx",
            Kind::EventXml => "eventxml",
            Kind::ErrorPage => "errorpage",
            Kind::Php => "php",
            Kind::Config => "config",
            Kind::SiteList => "sitelist",
            Kind::Stdout => "stdout",
            Kind::AncmDebug => "ancmdebug",
        }
    }
}

/// Compressed formats iisdiag does not read, by their magic bytes.
const OTHER_ARCHIVES: &[(&[u8], &str)] = &[
    (b"7z\xBC\xAF\x27\x1C", "a 7-Zip archive"),
    (b"Rar!\x1A\x07", "a RAR archive"),
    (b"\xFD7zXZ\x00", "xz-compressed"),
    (b"\x28\xB5\x2F\xFD", "zstd-compressed"),
    (b"MSCF", "a Windows cabinet (.cab)"),
];

/// How many bytes of a file `sniff` wants to see: enough to look past a zeroed cluster or
/// two (4 KiB each on NTFS) at the start of a crashed log and still see its first lines.
pub const HEAD_LEN: usize = 64 * 1024;

/// The shortest run of leading NULs looked past: a crash zeroes whole disk sectors (512
/// bytes), while a shorter run is binary data (or UTF-16 without a byte-order mark, `\0#\0F`).
const MIN_NUL_RUN: usize = 512;

/// The kind of a file from its first bytes, or the reason it is not a log iisdiag reads.
pub fn sniff(head: &[u8]) -> Result<Kind, String> {
    if head.is_empty() {
        return Err("empty file".into());
    }
    let nuls = head.iter().take_while(|&&b| b == 0).count();
    if nuls == head.len() {
        return Err(if nuls < HEAD_LEN {
            format!("only NUL bytes ({nuls}: allocated but never written, or zeroed by a crash)")
        } else {
            format!(
                "starts with {nuls} or more NUL bytes and no text within them (zeroed by a \
                 crash, or allocated and never written)"
            )
        });
    }
    let head = if nuls >= MIN_NUL_RUN {
        &head[nuls..]
    } else {
        head
    };
    // Binary, so before the check for binary data.
    if head.starts_with(eventlog::MAGIC) {
        return Ok(Kind::Evtx);
    }
    if head.starts_with(b"\xFF\xFE") || head.starts_with(b"\xFE\xFF") {
        return Err("UTF-16 text; IIS writes logs as UTF-8 or ANSI (re-save it as UTF-8)".into());
    }
    if let Some(format) = super::archive::Format::sniff(head) {
        // `scan` opens archives before it sniffs; here one sits where a log should be.
        return Err(format!(
            "{} data where a log was expected (an archive inside an archive?)",
            format.name()
        ));
    }
    if let Some((_, name)) = OTHER_ARCHIVES
        .iter()
        .find(|(magic, _)| head.starts_with(magic))
    {
        return Err(format!(
            "{name}; iisdiag reads .gz and .zip archives in place: extract or recompress it"
        ));
    }
    if head.starts_with(b"BZh") && head.get(3).is_some_and(|b| (b'1'..=b'9').contains(b)) {
        return Err(
            "bzip2-compressed; iisdiag reads .gz and .zip archives in place: recompress it".into(),
        );
    }
    if head.get(257..262) == Some(b"ustar") {
        return Err(
            "a tar archive; iisdiag reads .gz and .zip archives in place: extract the tar first"
                .into(),
        );
    }
    let body = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    if body.contains(&0) {
        return Err("binary data, not a text log".into());
    }
    if matches!(first_element(body), Some(b"Events" | b"Event")) {
        return Ok(Kind::EventXml);
    }
    if config::is_configuration_root(first_element(body)) {
        return Ok(Kind::Config);
    }
    if config::sitelist::looks_like_site_list(body) {
        return Ok(Kind::SiteList);
    }
    let trimmed = body.trim_ascii_start();
    if trimmed.starts_with(b"<") {
        return if freb::looks_like_freb(body) {
            Ok(Kind::Freb)
        } else if errorpage::looks_like_error_page(body) {
            Ok(Kind::ErrorPage)
        } else {
            Err(
                "XML or HTML, but not a Failed Request Tracing trace (no <failedRequest> \
                 root) nor Windows events (no <Events> or <Event> root) nor an IIS detailed \
                 error page (no 'HTTP Error NNN.N' heading)"
                    .into(),
            )
        };
    }
    let mut saw_directive = false;
    let mut first_data: Option<&[u8]> = None;
    for line in body.split(|&b| b == b'\n').take(64) {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.trim_ascii().is_empty() {
            continue;
        }
        if is_directive(line) {
            saw_directive = true;
            let lower = line.to_ascii_lowercase();
            if lower.starts_with(b"#fields:") {
                return Ok(if contains(&lower, b"s-reason") {
                    Kind::Httperr
                } else {
                    Kind::W3c
                });
            }
            if lower.starts_with(b"#software: microsoft http api") {
                return Ok(Kind::Httperr);
            }
            continue;
        }
        if line.starts_with(b"#") {
            return Err("text with `#` lines that are not W3C directives; not a log".into());
        }
        first_data.get_or_insert(line);
        break;
    }
    if let Some(line) = first_data {
        if ancm::looks_like_ancm_log(line) {
            return Ok(Kind::AncmDebug);
        }
        if php::looks_like_php_log(line) {
            return Ok(Kind::Php);
        }
        if native::looks_like_native(line) {
            return Ok(Kind::Native);
        }
        if w3c::Layout::infer(line).is_some() {
            return Ok(Kind::W3c);
        }
        if httperr::looks_like_httperr(line) {
            return Ok(Kind::Httperr);
        }
    }
    // Pasted text of a detailed error page: after the log layouts, which it never fits.
    if errorpage::looks_like_error_page(body) {
        return Ok(Kind::ErrorPage);
    }
    if !saw_directive && stdout::looks_like_stdout(body) {
        return Ok(Kind::Stdout);
    }
    if saw_directive {
        if body.starts_with(b"#Software:")
            || body.starts_with(b"#Version:")
            || contains(body, b"#Date:")
        {
            return Ok(Kind::W3c);
        }
        return Err("has `#` lines but no #Fields line in its first 64 lines".into());
    }
    Err(match first_data {
        Some(_) => {
            "not a log iisdiag reads: no #Fields header, and the first line fits no IIS layout"
                .into()
        }
        None => "no data".into(),
    })
}

/// [`sniff`], except that a file named like an ASP.NET Core Module stdout log
/// (`stdout_20261118100102_4242.log`) is one whatever it holds: it is the app's console
/// output, which has no format of its own. Every other file is sniffed by content alone.
pub fn sniff_named(file_name: Option<&str>, head: &[u8]) -> Result<Kind, String> {
    let kind = sniff(head);
    if file_name.and_then(stdout::parse_name).is_none() {
        return kind;
    }
    match kind {
        // Binary data or nothing at all: the name does not make it text.
        Ok(Kind::Evtx) => kind,
        Err(_) if head.is_empty() || head.contains(&0) => kind,
        _ => Ok(Kind::Stdout),
    }
}

/// The local name of the first element of an XML text (`Events` for `<Events>` and for
/// `<ev:Events xmlns:ev=...>`), after whitespace, the XML declaration, processing
/// instructions, comments, a DOCTYPE and the `- ` marks Event Viewer's XML view puts before
/// the elements it can fold. `None` when the text does not start like XML.
fn first_element(text: &[u8]) -> Option<&[u8]> {
    let mut rest = text;
    loop {
        rest = rest.trim_ascii_start();
        if let Some(after) = rest.strip_prefix(b"- ") {
            rest = after;
            continue;
        }
        let skip_to = |rest: &[u8], end: &[u8]| -> Option<usize> {
            memchr::memmem::find(rest, end).map(|at| at + end.len())
        };
        let next = if rest.starts_with(b"<?") {
            skip_to(rest, b"?>")
        } else if rest.starts_with(b"<!--") {
            skip_to(rest, b"-->")
        } else if rest.starts_with(b"<!DOCTYPE") {
            let bracket = memchr::memchr(b'[', rest);
            let close = memchr::memchr(b'>', rest);
            match (bracket, close) {
                (Some(b), Some(c)) if b < c => skip_to(rest, b"]>"),
                _ => close.map(|c| c + 1),
            }
        } else {
            let tag = rest.strip_prefix(b"<")?;
            let len = tag
                .iter()
                .take_while(|b| !(b.is_ascii_whitespace() || matches!(b, b'>' | b'/')))
                .count();
            let name = tag.get(..len)?;
            let local = match memchr::memrchr(b':', name) {
                Some(colon) => name.get(colon + 1..)?,
                None => name,
            };
            return Some(local);
        };
        rest = rest.get(next?..)?;
    }
}

/// A W3C directive: `#Name:` with a name of letters and dashes (`#Fields:`, `#Start-Date:`).
fn is_directive(line: &[u8]) -> bool {
    let Some(rest) = line.strip_prefix(b"#") else {
        return false;
    };
    let name_len = rest
        .iter()
        .take_while(|b| b.is_ascii_alphabetic() || **b == b'-')
        .count();
    name_len > 0 && rest.get(name_len) == Some(&b':')
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    memchr::memmem::find(hay, needle).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_by_content() {
        assert_eq!(sniff(b"#Software: Microsoft Internet Information Services 10.0\n#Fields: date time sc-status\n"), Ok(Kind::W3c));
        assert_eq!(
            sniff(b"\xEF\xBB\xBF#Fields: date time c-ip sc-status s-reason s-queuename\n"),
            Ok(Kind::Httperr)
        );
        assert_eq!(sniff(b"1.1.1.1, -, 03/20/01, 7:55:20, W3SVC2, SERVER, 1.1.1.2, 4502, 163, 3223, 200, 0, GET, /a.gif, -,\n"), Ok(Kind::Native));
        assert_eq!(
            sniff(
                b"2022-05-08 01:26:01 10.1.1.1 POST /svc - 443 - 10.1.1.2 - - host 200 0 0 232\n"
            ),
            Ok(Kind::W3c)
        );
    }

    #[test]
    fn stdout_logs_by_name_then_by_content() {
        let named = Some("stdout_20261118100102_4242.log");
        // Console output of any shape, under its name.
        for head in [
            &b"Hello from Program.cs\n"[..],
            b"2026-11-18 10:01:02 GET / 200\n",
        ] {
            assert_eq!(sniff_named(named, head), Ok(Kind::Stdout));
            assert!(sniff_named(Some("app.log"), head) != Ok(Kind::Stdout));
        }
        assert!(sniff_named(named, b"").is_err());
        assert!(sniff_named(named, b"\0\0\x01binary").is_err());
        // Without the name, the console logger's lines tell it.
        let console = b"info: Microsoft.Hosting.Lifetime[14]\n      Now listening on: http://localhost:5000\n";
        assert_eq!(sniff(console), Ok(Kind::Stdout));
        assert_eq!(sniff_named(None, console), Ok(Kind::Stdout));
        assert_eq!(
            sniff(b"Unhandled exception. System.Exception: x\n"),
            Ok(Kind::Stdout)
        );
        // Other kinds are sniffed as before.
        let w3c = b"#Software: Microsoft Internet Information Services 10.0\n#Fields: date time\n";
        assert_eq!(sniff_named(Some("u_ex261118.log"), w3c), Ok(Kind::W3c));
        assert_eq!(Kind::Stdout.name(), "stdout");
    }

    #[test]
    fn ancm_debug_logs_by_content() {
        let cases: &[&[u8]] = &[
            b"[aspnetcorev2.dll] Initializing logs for 'C:\\x\\aspnetcorev2.dll'. Process Id: 492..\n",
            b"\xEF\xBB\xBF\r\n[2024-11-23T03:46:26.012Z, PID: 64988] [aspnetcorev2_inprocess.dll] x\r\n",
        ];
        for head in cases {
            assert_eq!(
                sniff(head),
                Ok(Kind::AncmDebug),
                "{:?}",
                String::from_utf8_lossy(head)
            );
        }
        assert!(sniff(b"[aspnetcore.dll] x\n").is_err());
        assert!(sniff(b"[2024-11-23T03:46:26.012Z] [aspnetcorev2.dll] x\n").is_err());
        assert_eq!(Kind::AncmDebug.name(), "ancmdebug");
    }

    #[test]
    fn php_error_logs_by_content() {
        let cases: &[(&[u8], Result<Kind, String>)] = &[
            (b"[24-Sep-2018 11:14:31 America/Los_Angeles] PHP Warning:  x in D:\\a.php on line 37\n", Ok(Kind::Php)),
            (b"\xEF\xBB\xBF\r\n[18-Nov-2026 11:05:12 UTC] PHP Fatal error:  y\r\n", Ok(Kind::Php)),
        ];
        for (head, want) in cases {
            assert_eq!(&sniff(head), want, "{:?}", String::from_utf8_lossy(head));
        }
        // A bracketed date without `PHP ` is no PHP log.
        assert!(sniff(b"[18-Nov-2026 11:05:12 UTC] started\n").is_err());
        assert!(sniff(b"[2026-11-18 11:05:12] PHP Warning: x\n").is_err());
        assert_eq!(Kind::Php.name(), "php");
    }

    #[test]
    fn configuration_and_site_lists_by_content() {
        let cases: &[(&[u8], Result<Kind, &str>)] = &[
            (b"\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n<!-- x -->\n<configuration>\n", Ok(Kind::Config)),
            (b"<configuration xmlns=\"urn:x\"><system.webServer>", Ok(Kind::Config)),
            (b"<configurations>", Err("not a Failed Request Tracing trace")),
            (b"\"Name\",\"ID\",\"State\"\r\n\"Default Web Site\",\"1\",\"Started\"\r\n", Ok(Kind::SiteList)),
            (b"#TYPE Selected.Microsoft.IIs.PowerShell.Framework.ConfigurationElement\nname,id\nA,1\n", Ok(Kind::SiteList)),
            (b"#TYPE x\n#Fields: date\n", Err("not W3C directives")),
            (b"Name,State\nA,Started\n", Err("no #Fields")),
            (b"#Fields: date time s-sitename\nID,Name\n", Ok(Kind::W3c)),
        ];
        for (head, want) in cases {
            let got = sniff(head);
            match want {
                Ok(kind) => assert_eq!(got, Ok(*kind), "{}", String::from_utf8_lossy(head)),
                Err(says) => {
                    let err = got.unwrap_err();
                    assert!(err.contains(says), "{err}");
                }
            }
        }
        assert_eq!(
            (Kind::Config.name(), Kind::SiteList.name()),
            ("config", "sitelist")
        );
    }

    #[test]
    fn event_logs_by_content() {
        let mut evtx = b"ElfFile\0".to_vec();
        evtx.extend([0u8; 120]);
        let cases: &[(&[u8], Result<Kind, &str>)] = &[
            (&evtx, Ok(Kind::Evtx)),
            (b"ElfFile", Err("not a log")),
            (b"<Events><Event><System>", Ok(Kind::EventXml)),
            (b"\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n<!-- saved -->\n<Events>", Ok(Kind::EventXml)),
            (b"  \n<Event xmlns=\"http://schemas.microsoft.com/win/2004/08/events/event\">", Ok(Kind::EventXml)),
            (b"- <Event xmlns=\"http://schemas.microsoft.com/win/2004/08/events/event\">\n- <System>", Ok(Kind::EventXml)),
            (b"<ev:Events xmlns:ev=\"urn:x\">", Ok(Kind::EventXml)),
            (b"<?xml version=\"1.0\"?><failedRequest url=\"x\">", Ok(Kind::Freb)),
            (b"<EventsLog>", Err("nor Windows events")),
            (b"<html><body>", Err("not a Failed Request Tracing trace")),
            (b"- hello", Err("no #Fields")),
        ];
        for (head, want) in cases {
            let got = sniff(head);
            match want {
                Ok(kind) => assert_eq!(got, Ok(*kind), "{}", String::from_utf8_lossy(head)),
                Err(says) => {
                    let err = got.unwrap_err();
                    assert!(err.contains(says), "{err}");
                }
            }
        }
        assert_eq!(
            (Kind::Evtx.name(), Kind::EventXml.name()),
            ("evtx", "eventxml")
        );
    }

    #[test]
    fn detailed_error_pages_by_content() {
        let page = std::fs::read(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("testdata/pages/ErrorPage000001.htm"),
        )
        .unwrap();
        let cases: &[(&[u8], Result<Kind, &str>)] = &[
            (&page, Ok(Kind::ErrorPage)),
            (b"\xEF\xBB\xBF<!DOCTYPE html>\n<html><h3>HTTP Error 503.0 - Service Unavailable</h3>", Ok(Kind::ErrorPage)),
            (b"HTTP Error 500.19 - Internal Server Error\r\nModule\tIIS Web Core\r\n", Ok(Kind::ErrorPage)),
            (b"  Error Summary\n  HTTP Error 404.0 - Not Found\n", Ok(Kind::ErrorPage)),
            (b"<html><body>Hello</body></html>", Err("nor an IIS detailed error page")),
            (b"<?xml version=\"1.0\"?><failedRequest>HTTP Error 500.19</failedRequest>", Ok(Kind::Freb)),
            (b"<Events><Event>HTTP Error 500.19 - x</Event></Events>", Ok(Kind::EventXml)),
            (b"#Fields: date time sc-status\nHTTP Error 500.19 - x\n", Ok(Kind::W3c)),
            (b"Some notes about HTTP errors\n", Err("no #Fields")),
        ];
        for (head, want) in cases {
            let got = sniff(head);
            match want {
                Ok(kind) => assert_eq!(got, Ok(*kind), "{}", String::from_utf8_lossy(head)),
                Err(says) => {
                    let err = got.unwrap_err();
                    assert!(err.contains(says), "{err}");
                }
            }
        }
        assert_eq!(Kind::ErrorPage.name(), "errorpage");
    }

    #[test]
    fn a_log_after_a_zeroed_first_cluster_is_sniffed_not_binary() {
        let log = b"#Software: Microsoft Internet Information Services 10.0\n#Fields: date time sc-status\n";
        for zeros in [512, 4096, 60 * 1024] {
            let mut head = vec![0u8; zeros];
            head.extend_from_slice(log);
            assert_eq!(sniff(&head), Ok(Kind::W3c), "{zeros} NULs");
        }
        // A BOM after the zeros, and a native-format line with no header.
        let mut head = vec![0u8; 4096];
        head.extend_from_slice(b"\xEF\xBB\xBF#Fields: date time c-ip sc-status s-reason\n");
        assert_eq!(sniff(&head), Ok(Kind::Httperr));
        // Fewer NULs than a sector are binary data, as before.
        let mut head = vec![0u8; 100];
        head.extend_from_slice(log);
        assert!(sniff(&head).unwrap_err().contains("binary"));
        // NULs after the text still are.
        let mut head = vec![0u8; 4096];
        head.extend_from_slice(log);
        head.extend_from_slice(&[0; 16]);
        assert!(sniff(&head).unwrap_err().contains("binary"));
    }

    #[test]
    fn a_head_of_nothing_but_nuls_says_so() {
        let err = sniff(&[0; 3000]).unwrap_err();
        assert_eq!(
            err,
            "only NUL bytes (3000: allocated but never written, or zeroed by a crash)"
        );
        let err = sniff(&vec![0; HEAD_LEN]).unwrap_err();
        assert!(
            err.starts_with("starts with 65536 or more NUL bytes"),
            "{err}"
        );
    }

    #[test]
    fn skips_with_reasons() {
        assert!(sniff(b"").unwrap_err().contains("empty"));
        assert!(sniff(b"\xFF\xFE#\x00F\x00").unwrap_err().contains("UTF-16"));
        assert!(sniff(b"\x00\x01\x02binary").unwrap_err().contains("binary"));
        // Detailed error pages are read now; a page with no heading is skipped by its
        // reader, with the reason.
        assert_eq!(
            sniff(b"<html><body>IIS Detailed Error</body></html>"),
            Ok(Kind::ErrorPage)
        );
        assert!(
            sniff(b"<html><body>Welcome</body></html>")
                .unwrap_err()
                .contains("not a Failed Request")
        );
        assert!(sniff(b"hello world\n").unwrap_err().contains("no #Fields"));
        assert!(
            sniff(b"7z\xBC\xAF\x27\x1C\x00\x04")
                .unwrap_err()
                .contains("7-Zip")
        );
        assert!(sniff(b"BZh91AY&SY").unwrap_err().contains("bzip2"));
        assert!(sniff(b"BZhello\n").unwrap_err().contains("no #Fields"));
        let mut tar = vec![b'a'; 512];
        tar[257..262].copy_from_slice(b"ustar");
        assert!(sniff(&tar).unwrap_err().contains("a tar archive"));
        assert!(
            sniff(b"\x1F\x8B\x08\x00")
                .unwrap_err()
                .contains("an archive inside an archive")
        );
        assert!(
            sniff(b"# Notes\n\nSome text\n")
                .unwrap_err()
                .contains("not W3C directives")
        );
    }
}
