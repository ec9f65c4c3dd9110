//! Reads Failed Request Tracing (FREB) files, `fr*.xml`, into one [`Trace`] per file.
//!
//! A FREB file is a `<failedRequest>` root whose attributes say what failed (URL, status,
//! failure reason, time taken), followed by one `<Event>` per step of the IIS pipeline. The
//! answer an administrator wants is spread over those events: which module set the error
//! (`MODULE_SET_RESPONSE_ERROR_STATUS`), with which HRESULT, which backend ARR picked, where
//! the time went. This reader streams the XML once with a reused buffer, keeps only those
//! facts (and, on request, a short line per event for the timeline), and caps every string
//! it stores, so a trace IIS cut at its size limit, or a hostile file, costs bounded memory.
//!
//! Safety rules: entities are never expanded (a DOCTYPE that declares any is refused), nesting
//! deeper than [`MAX_DEPTH`] is refused before it can hurt, and a file that simply stops
//! (IIS still writing, or `LOG_FILE_MAX_SIZE_TRUNCATE`) is returned as a truncated trace,
//! not as an error.

use std::borrow::Cow;
use std::io::{self, BufRead, Read};

use quick_xml::Reader;
use quick_xml::XmlVersion;
use quick_xml::events::{BytesRef, BytesStart, Event as Xml};

use crate::hresult;
use crate::time::Millis;
use crate::triple::Triple;

/// The deepest element nesting a trace may have. Real traces use five levels.
pub const MAX_DEPTH: usize = 64;
/// Longest value kept from one `<Data>` element (bytes).
const MAX_VALUE: usize = 4 * 1024;
/// Longest response body kept before it is reduced to an excerpt (bytes).
const MAX_BODY: usize = 16 * 1024;
/// Length of the response-body excerpt (characters).
const EXCERPT_CHARS: usize = 300;
/// Length of one event's "data that matters" line (characters).
const EVENT_DATA_CHARS: usize = 300;
/// Length of one value inside that line (characters).
const EVENT_VALUE_CHARS: usize = 120;
/// `<Data>` elements read per event; the rest are skipped.
const MAX_DATA_ITEMS: usize = 64;
/// Notes kept per kind (FastCGI, URL Rewrite, ANCM failures).
const MAX_NOTES: usize = 32;
/// `MODULE_SET_RESPONSE_ERROR_STATUS` events kept while looking for the one that counts.
const MAX_ERROR_SETS: usize = 16;
/// Events kept for the timeline; a longer trace keeps its first events and counts the rest.
pub const MAX_KEPT_EVENTS: usize = 50_000;
/// Longest tag or text the XML parser may hold at once (bytes); real events are a few KiB.
pub const MAX_EVENT: usize = 4 << 20;
/// Longest attribute or short element text kept (URL, names, times).
const MAX_SHORT: usize = 2 * 1024;

/// Why a file could not be read as a FREB trace.
#[derive(Debug, Clone, thiserror::Error)]
pub enum FrebError {
    #[error("not a FREB trace: root element is <{root}>")]
    NotFreb { root: String },
    #[error("not a FREB trace: no root element")]
    NoRoot,
    #[error("XML error at byte {offset}: {error}")]
    Xml {
        offset: u64,
        error: quick_xml::Error,
    },
    #[error("nesting deeper than {MAX_DEPTH} levels at byte {offset}")]
    TooDeep { offset: u64 },
    #[error("a tag or text longer than {} MiB at byte {offset}; refused", MAX_EVENT >> 20)]
    TooLong { offset: u64 },
    #[error("DOCTYPE with entity declarations refused (byte {offset})")]
    EntityDeclarations { offset: u64 },
}

/// One request's trace: the root attributes plus what the events say about the failure.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Trace {
    pub url: String,
    pub verb: String,
    pub site_id: Option<u32>,
    pub app_pool_id: String,
    pub process_id: Option<u32>,
    pub activity_id: String,
    /// `<Computer>` of the first event that names one.
    pub computer: String,
    /// Root attributes that some writers leave out (IIS Express writes none of them).
    pub remote_user_name: Option<String>,
    pub user_name: Option<String>,
    pub token_user_name: Option<String>,
    pub authentication_type: Option<String>,
    /// `RemoteAddress:RemotePort` from GENERAL_ENDPOINT_INFORMATION.
    pub client: Option<String>,
    pub status: u16,
    pub substatus: Option<u32>,
    /// The Win32 meaning of the error code (see [`hresult::as_win32_status`]).
    pub win32: Option<u64>,
    /// `triggerStatusCode` as written (`404`, `0` for TIME_TAKEN traces).
    pub trigger_status: String,
    /// `failureReason`: `STATUS_CODE`, `TIME_TAKEN`, ...
    pub failure_reason: String,
    pub time_taken_ms: Option<u64>,
    /// TimeCreated of the first event.
    pub start: Option<Millis>,
    /// The MODULE_SET_RESPONSE_ERROR_STATUS event that explains the final status.
    pub error: Option<ErrorSet>,
    /// GENERAL_REQUEST_END.
    pub final_status: Option<FinalStatus>,
    /// The backend ARR routed the request to.
    pub arr: Option<ArrRoute>,
    pub ancm: Option<Ancm>,
    /// FASTCGI_* events.
    pub fastcgi: Vec<Note>,
    /// URL Rewrite outcomes (rule ends, URL changes, actions).
    pub rewrite: Vec<Note>,
    /// The start of the response body IIS sent, as plain text.
    pub response_excerpt: Option<String>,
    pub slowest_step: Option<SlowStep>,
    pub event_count: usize,
    pub truncated: bool,
    pub truncation: Option<String>,
    /// One entry per event, only when asked for (see [`read_trace`]).
    pub events: Vec<Event>,
    /// Events not kept because the trace had more than [`MAX_KEPT_EVENTS`].
    pub events_dropped: usize,
}

impl Trace {
    /// The `status.substatus.win32` this trace is evidence for.
    pub fn triple(&self) -> Triple {
        Triple::new(self.status, self.substatus, self.win32)
    }

    /// The module that set the error, when the trace says.
    pub fn error_module(&self) -> Option<&str> {
        self.error.as_ref().map(|e| e.module.as_str())
    }
}

/// A MODULE_SET_RESPONSE_ERROR_STATUS event: who set the error status, where, and why.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct ErrorSet {
    pub module: String,
    /// Pipeline stage name (`EXECUTE_REQUEST_HANDLER`).
    pub notification: String,
    /// The raw RQ_ flag, when the event had one.
    pub notification_code: Option<u64>,
    pub status: u16,
    pub substatus: Option<u32>,
    pub reason: String,
    /// The raw HRESULT (`2147954402`).
    pub error_code: Option<u64>,
    /// IIS's rendering of it (`The operation timed out (0x80072ee2)`), when present.
    pub error_text: Option<String>,
    /// ConfigExceptionInfo, when not empty (500.19).
    pub config_exception: Option<String>,
    /// Position of the event in the trace (0-based).
    pub event_index: usize,
    pub offset_ms: i64,
}

/// GENERAL_REQUEST_END: what the client finally got.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct FinalStatus {
    pub status: u16,
    pub substatus: Option<u32>,
    pub bytes_sent: Option<u64>,
    pub bytes_received: Option<u64>,
    pub win32: Option<u64>,
}

/// The backend server ARR chose, from ARR_REQUEST_ROUTED / ARR_SERVER_ROUTED.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ArrRoute {
    pub server: String,
    pub web_farm: Option<String>,
    pub routing_reason: Option<String>,
    pub total_requests: Option<u64>,
    pub failed_requests: Option<u64>,
}

/// What the ASP.NET Core Module reported.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Ancm {
    pub forward_started: bool,
    pub forward_ended: bool,
    /// ANCM_REQUEST_FORWARD_FAIL ErrorCode.
    pub forward_error: Option<u64>,
    pub forward_error_text: Option<String>,
    /// ANCM_START_APPLICATION_FAIL descriptions.
    pub start_failures: Vec<String>,
    /// ANCM_START_APPLICATION_SUCCESS description.
    pub app_description: Option<String>,
    /// ANCM_HRESULT_FAILED data.
    pub hresult_failures: Vec<String>,
    pub winhttp_callbacks: u32,
}

/// One event kept by name, with its data line (FastCGI, URL Rewrite).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Note {
    pub offset_ms: i64,
    pub name: String,
    pub data: String,
}

/// The longest pause between two consecutive events.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct SlowStep {
    pub gap_ms: u64,
    /// Offset of the event before the pause.
    pub at_ms: i64,
    /// Name of the event before the pause.
    pub before: String,
    /// Name of the event after it.
    pub after: String,
    /// Index of the event after the pause.
    pub after_index: usize,
    /// Module and pipeline stage in force while the time passed.
    pub module: Option<String>,
    pub notification: Option<String>,
}

/// One event, as the timeline shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Event {
    /// Milliseconds since the first event.
    pub offset_ms: i64,
    /// RenderingInfo Opcode (`NOTIFY_MODULE_START`), or the numeric opcode.
    pub name: String,
    pub level: u8,
    pub module: Option<String>,
    pub notification: Option<String>,
    /// The non-empty data as `Name=value` pairs, rendered where IIS renders them.
    pub data: String,
}

/// RQ_ notification flags and their pipeline names (IIS request-processing constants).
const NOTIFICATIONS: &[(u64, &str)] = &[
    (0x1, "BEGIN_REQUEST"),
    (0x2, "AUTHENTICATE_REQUEST"),
    (0x4, "AUTHORIZE_REQUEST"),
    (0x8, "RESOLVE_REQUEST_CACHE"),
    (0x10, "MAP_REQUEST_HANDLER"),
    (0x20, "ACQUIRE_REQUEST_STATE"),
    (0x40, "PRE_EXECUTE_REQUEST_HANDLER"),
    (0x80, "EXECUTE_REQUEST_HANDLER"),
    (0x100, "RELEASE_REQUEST_STATE"),
    (0x200, "UPDATE_REQUEST_CACHE"),
    (0x400, "LOG_REQUEST"),
    (0x800, "END_REQUEST"),
    (0x2000_0000, "SEND_RESPONSE"),
    (0x4000_0000, "READ_ENTITY"),
    (0x8000_0000, "MAP_PATH"),
];

/// The pipeline name of an RQ_ notification flag.
pub fn notification_name(code: u64) -> Option<&'static str> {
    NOTIFICATIONS
        .iter()
        .find(|(bit, _)| *bit == code)
        .map(|(_, name)| *name)
}

/// True when the first bytes of a file show a `<failedRequest` root, after an optional BOM,
/// XML declaration, processing instructions, comments and DOCTYPE.
pub fn looks_like_freb(head: &[u8]) -> bool {
    let mut rest = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    loop {
        rest = rest.trim_ascii_start();
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
            let Some(after) = rest.strip_prefix(b"<failedRequest") else {
                return false;
            };
            return match after.first() {
                None => true,
                Some(b) => b.is_ascii_whitespace() || *b == b'>' || *b == b'/',
            };
        };
        match next {
            Some(at) => rest = rest.get(at..).unwrap_or_default(),
            None => return false,
        }
    }
}

/// Reads one trace. With `keep_events`, [`Trace::events`] gets one entry per event (for the
/// timeline); without, only the facts are kept and memory stays flat.
pub fn read_trace<R: BufRead>(reader: R, keep_events: bool) -> Result<Trace, FrebError> {
    let mut xml = Reader::from_reader(Bounded {
        inner: reader,
        since_event: 0,
    });
    let mut buf = Vec::with_capacity(8 * 1024);
    let mut state = State::new(keep_events);
    loop {
        xml.get_mut().since_event = 0;
        let started = xml.buffer_position();
        let read = xml.read_event_into(&mut buf);
        // A streamed file stops at the cap; a reader that hands out everything at once is
        // caught after the event.
        if xml.get_ref().since_event > MAX_EVENT as u64 {
            return Err(FrebError::TooLong { offset: started });
        }
        let event = match read {
            Ok(event) => event,
            Err(error) => {
                let offset = xml.error_position();
                // quick-xml reports unclosed markup only when the input runs out, so an error
                // with nothing left to read, after the root opened, is a file cut short.
                if state.root_seen && at_end(&mut xml) {
                    state.cut(format!(
                        "the file ends inside an element at byte {offset} ({error})"
                    ));
                    break;
                }
                return Err(FrebError::Xml { offset, error });
            }
        };
        match event {
            Xml::Start(start) => {
                let offset = xml.buffer_position();
                state.open(&start, offset, false)?;
            }
            Xml::Empty(start) => {
                let offset = xml.buffer_position();
                state.open(&start, offset, true)?;
                if state.close() {
                    break;
                }
            }
            Xml::End(_) => {
                if state.close() {
                    break;
                }
            }
            // Only text that is kept is normalised: the whitespace between elements of a CRLF
            // file would otherwise cost an allocation each.
            Xml::Text(text) if state.capturing() => state.text(&text.xml10_content()),
            Xml::CData(data) if state.capturing() => state.text(&data.xml10_content()),
            Xml::GeneralRef(reference) if state.capturing() => state.reference(&reference),
            Xml::Text(_) | Xml::CData(_) | Xml::GeneralRef(_) => {}
            Xml::DocType(doctype) => {
                if doctype.xml10_content().contains("<!ENTITY") {
                    return Err(FrebError::EntityDeclarations {
                        offset: xml.buffer_position(),
                    });
                }
            }
            Xml::Decl(_) | Xml::PI(_) | Xml::Comment(_) => {}
            Xml::Eof => {
                if !state.root_seen {
                    return Err(FrebError::NoRoot);
                }
                state.cut("the file ends inside an element, before </failedRequest>".to_string());
                break;
            }
        }
        buf.clear();
    }
    Ok(state.finish())
}

/// The reader under the XML parser: it refuses to hand out more than [`MAX_EVENT`] bytes
/// for one event, since the parser holds a whole tag or text in memory until it ends.
struct Bounded<R> {
    inner: R,
    since_event: u64,
}

impl<R> Bounded<R> {
    fn check(&self) -> io::Result<()> {
        if self.since_event > MAX_EVENT as u64 {
            return Err(io::Error::other(format!(
                "one piece of XML longer than {} MiB",
                MAX_EVENT >> 20
            )));
        }
        Ok(())
    }
}

impl<R: BufRead> Read for Bounded<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.check()?;
        let n = self.inner.read(buf)?;
        self.since_event += n as u64;
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Bounded<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.check()?;
        self.inner.fill_buf()
    }

    fn consume(&mut self, n: usize) {
        self.since_event += n as u64;
        self.inner.consume(n);
    }
}

fn at_end<R: BufRead>(xml: &mut Reader<R>) -> bool {
    xml.get_mut()
        .fill_buf()
        .map(|b| b.is_empty())
        .unwrap_or(true)
}

/// Where the reader is in the document; decides what text belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tag {
    Root,
    Event,
    System,
    Level,
    Opcode,
    Computer,
    EventData,
    Data,
    Rendering,
    RenderedOpcode,
    Description,
    Other,
}

/// Which scratch field the current text goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Capture {
    Nothing,
    Level,
    Opcode,
    Computer,
    Data(usize),
    RenderedOpcode,
    Description(usize),
}

/// The event being read. Its strings are cleared, not dropped, between events, so reading
/// a trace allocates only when a value is longer than any before it.
#[derive(Debug, Default)]
struct Scratch {
    level: String,
    opcode: String,
    rendered_opcode: String,
    time: String,
    computer: String,
    data: Vec<(String, String)>,
    data_len: usize,
    descriptions: Vec<(String, String)>,
    descriptions_len: usize,
}

impl Scratch {
    fn clear(&mut self) {
        for s in [
            &mut self.level,
            &mut self.opcode,
            &mut self.rendered_opcode,
            &mut self.time,
            &mut self.computer,
        ] {
            s.clear();
        }
        self.data_len = 0;
        self.descriptions_len = 0;
    }

    fn name(&self) -> &str {
        let rendered = self.rendered_opcode.trim();
        if rendered.is_empty() {
            self.opcode.trim()
        } else {
            rendered
        }
    }

    fn data(&self, name: &str) -> Option<&str> {
        self.data
            .get(..self.data_len)?
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.trim())
    }

    fn description(&self, name: &str) -> Option<&str> {
        self.descriptions
            .get(..self.descriptions_len)?
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    }

    /// A data value as people read it: IIS's rendering when there is one.
    fn shown(&self, name: &str) -> Option<&str> {
        self.description(name)
            .or_else(|| self.data(name))
            .filter(|v| !v.is_empty())
    }

    fn number(&self, name: &str) -> Option<u64> {
        self.data(name).and_then(hresult::parse)
    }

    /// Takes the next slot of a reused list for a new `(name, value)` pair.
    fn slot(list: &mut Vec<(String, String)>, len: &mut usize, name: &str) -> Option<usize> {
        if *len >= MAX_DATA_ITEMS {
            return None;
        }
        if list.len() <= *len {
            list.push((String::new(), String::new()));
        }
        let index = *len;
        let (n, v) = list.get_mut(index)?;
        n.clear();
        push_capped(n, name, 128);
        v.clear();
        *len += 1;
        Some(index)
    }

    /// `Name=value` pairs of the non-empty data, rendered where IIS renders them.
    fn summary(&self, skip: &[&str]) -> String {
        let mut out = String::new();
        let Some(items) = self.data.get(..self.data_len) else {
            return out;
        };
        for (name, _) in items {
            if skip.contains(&name.as_str()) || name == "ContextId" || name == "Context ID" {
                continue;
            }
            let Some(value) = self.shown(name) else {
                continue;
            };
            if !out.is_empty() {
                out.push_str(", ");
            }
            out.push_str(name);
            out.push('=');
            // An HRESULT left as a bare decimal (IIS has no text for WinHTTP codes) reads
            // better in the hex form people search for.
            let code = (name.ends_with("ErrorCode") && value != "0")
                .then(|| value.parse::<u32>().ok())
                .flatten();
            match code {
                Some(code) => out.push_str(&hresult::hex(u64::from(code))),
                None => push_collapsed(&mut out, value, EVENT_VALUE_CHARS),
            }
            if out.chars().count() >= EVENT_DATA_CHARS {
                break;
            }
        }
        truncate_chars(&mut out, EVENT_DATA_CHARS);
        out
    }
}

/// Everything carried from one event to the next while reading.
struct State {
    keep_events: bool,
    root_seen: bool,
    stack: Vec<Tag>,
    capture: Capture,
    capture_cap: usize,
    scratch: Scratch,
    trace: Trace,
    root_status: Option<(u16, Option<u32>)>,
    error_sets: Vec<ErrorSet>,
    module: Option<String>,
    notification: Option<String>,
    last_time: Option<Millis>,
    last_offset: i64,
    last_name: String,
    body: Option<String>,
}

impl State {
    fn new(keep_events: bool) -> State {
        State {
            keep_events,
            root_seen: false,
            stack: Vec::with_capacity(MAX_DEPTH),
            capture: Capture::Nothing,
            capture_cap: 0,
            scratch: Scratch::default(),
            trace: Trace::default(),
            root_status: None,
            error_sets: Vec::new(),
            module: None,
            notification: None,
            last_time: None,
            last_offset: 0,
            last_name: String::new(),
            body: None,
        }
    }

    fn open(&mut self, start: &BytesStart, offset: u64, empty: bool) -> Result<(), FrebError> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(FrebError::TooDeep { offset });
        }
        let local = start.local_name();
        let name = local.as_ref();
        let parent = self.stack.last().copied();
        let tag = match (parent, name) {
            (None, "failedRequest") => {
                self.root_seen = true;
                self.read_root(start);
                Tag::Root
            }
            (None, _) => {
                let mut root = String::new();
                push_capped(&mut root, name, 64);
                return Err(FrebError::NotFreb { root });
            }
            (Some(Tag::Root), "Event") => {
                self.scratch.clear();
                Tag::Event
            }
            (Some(Tag::Event), "System") => Tag::System,
            (Some(Tag::Event), "EventData") => Tag::EventData,
            (Some(Tag::Event), "RenderingInfo") => Tag::Rendering,
            (Some(Tag::System), "Level") => Tag::Level,
            (Some(Tag::System), "Opcode") => Tag::Opcode,
            (Some(Tag::System), "Computer") => Tag::Computer,
            (Some(Tag::System), "TimeCreated") => {
                if let Some(time) = attribute(start, "SystemTime") {
                    self.scratch.time.clear();
                    push_capped(&mut self.scratch.time, &time, 64);
                }
                Tag::Other
            }
            (Some(Tag::EventData), "Data") => Tag::Data,
            (Some(Tag::Rendering), "Opcode") => Tag::RenderedOpcode,
            (Some(Tag::Rendering), "Description") => Tag::Description,
            _ => Tag::Other,
        };
        self.stack.push(tag);
        self.capture = match tag {
            Tag::Level => Capture::Level,
            Tag::Opcode => Capture::Opcode,
            Tag::Computer => Capture::Computer,
            Tag::RenderedOpcode => Capture::RenderedOpcode,
            Tag::Data => {
                let key = attribute(start, "Name").unwrap_or_default();
                self.capture_cap = if key == "Buffer" { MAX_BODY } else { MAX_VALUE };
                let scratch = &mut self.scratch;
                Scratch::slot(&mut scratch.data, &mut scratch.data_len, &key)
                    .map_or(Capture::Nothing, Capture::Data)
            }
            Tag::Description => {
                let key = attribute(start, "Data").unwrap_or_default();
                self.capture_cap = MAX_VALUE;
                let scratch = &mut self.scratch;
                Scratch::slot(
                    &mut scratch.descriptions,
                    &mut scratch.descriptions_len,
                    &key,
                )
                .map_or(Capture::Nothing, Capture::Description)
            }
            _ => Capture::Nothing,
        };
        if empty {
            self.capture = Capture::Nothing;
        }
        Ok(())
    }

    /// Ends the innermost element; true when it was the root.
    fn close(&mut self) -> bool {
        self.capture = Capture::Nothing;
        match self.stack.pop() {
            Some(Tag::Event) => {
                self.finish_event();
                false
            }
            Some(Tag::Root) => true,
            _ => false,
        }
    }

    fn capturing(&self) -> bool {
        self.capture != Capture::Nothing
    }

    fn text(&mut self, text: &str) {
        let scratch = &mut self.scratch;
        let (target, cap) = match self.capture {
            Capture::Nothing => return,
            Capture::Level => (&mut scratch.level, 16),
            Capture::Opcode => (&mut scratch.opcode, 64),
            Capture::Computer => (&mut scratch.computer, 256),
            Capture::RenderedOpcode => (&mut scratch.rendered_opcode, 128),
            Capture::Data(i) => match scratch.data.get_mut(i) {
                Some((_, v)) => (v, self.capture_cap),
                None => return,
            },
            Capture::Description(i) => match scratch.descriptions.get_mut(i) {
                Some((_, v)) => (v, self.capture_cap),
                None => return,
            },
        };
        push_capped(target, text, cap);
    }

    /// `&lt;` and `&#39;` become their characters; any other name stays as written, so an
    /// entity a DOCTYPE might have declared is never expanded.
    fn reference(&mut self, reference: &BytesRef) {
        let mut utf8 = [0u8; 4];
        let text: &str = match reference.resolve_char_ref() {
            Ok(Some(c)) => c.encode_utf8(&mut utf8),
            Ok(None) => match &**reference {
                "lt" => "<",
                "gt" => ">",
                "amp" => "&",
                "quot" => "\"",
                "apos" => "'",
                other => {
                    let literal = format!("&{other};");
                    self.text(&literal);
                    return;
                }
            },
            Err(_) => return,
        };
        self.text(text);
    }

    fn read_root(&mut self, start: &BytesStart) {
        for attr in start.attributes().with_checks(false).flatten() {
            let value = attr
                .normalized_value(XmlVersion::Implicit1_0)
                .unwrap_or_else(|_| attr.value.clone());
            let mut value_owned = String::new();
            push_capped(&mut value_owned, value.trim(), MAX_SHORT);
            let trace = &mut self.trace;
            match attr.key.local_name().as_ref() {
                "url" => trace.url = value_owned,
                "verb" => trace.verb = value_owned,
                "siteId" => trace.site_id = value_owned.parse().ok(),
                "appPoolId" => trace.app_pool_id = value_owned,
                "processId" => trace.process_id = value_owned.parse().ok(),
                "activityId" => trace.activity_id = value_owned,
                "remoteUserName" => trace.remote_user_name = Some(value_owned),
                "userName" => trace.user_name = Some(value_owned),
                "tokenUserName" => trace.token_user_name = Some(value_owned),
                "authenticationType" => trace.authentication_type = Some(value_owned),
                "failureReason" => trace.failure_reason = value_owned,
                "triggerStatusCode" => trace.trigger_status = value_owned,
                "timeTaken" => trace.time_taken_ms = value_owned.parse().ok(),
                "statusCode" => self.root_status = parse_status(&value_owned),
                _ => {}
            }
        }
    }

    /// Folds one finished `<Event>` into the trace.
    fn finish_event(&mut self) {
        let index = self.trace.event_count;
        self.trace.event_count = index.saturating_add(1);
        let name = self.scratch.name().to_string();
        let time = parse_system_time(&self.scratch.time);

        if self.trace.start.is_none() {
            self.trace.start = time;
        }
        let offset = match (time, self.trace.start) {
            (Some(t), Some(start)) => t.saturating_sub(start),
            _ => self.last_offset,
        };
        if let (Some(before), Some(now)) = (self.last_time, time) {
            let gap = u64::try_from(now.saturating_sub(before)).unwrap_or(0);
            let longer = self
                .trace
                .slowest_step
                .as_ref()
                .is_none_or(|slow| gap > slow.gap_ms);
            if gap > 0 && longer {
                self.trace.slowest_step = Some(SlowStep {
                    gap_ms: gap,
                    at_ms: self.last_offset,
                    before: self.last_name.clone(),
                    after: name.clone(),
                    after_index: index,
                    module: self.module.clone(),
                    notification: self.notification.clone(),
                });
            }
        }
        if time.is_some() {
            self.last_time = time;
        }
        self.last_offset = offset;

        if self.trace.computer.is_empty() {
            push_capped(&mut self.trace.computer, self.scratch.computer.trim(), 256);
        }

        self.apply(&name, index, offset);

        if self.keep_events {
            if self.trace.events.len() < MAX_KEPT_EVENTS {
                let skip: &[&str] = if name.starts_with("NOTIFY_MODULE_") {
                    &[
                        "ModuleName",
                        "Notification",
                        "fIsPostNotification",
                        "fIsPostNotificationEvent",
                    ]
                } else {
                    &[]
                };
                self.trace.events.push(Event {
                    offset_ms: offset,
                    name: name.clone(),
                    level: self.scratch.level.trim().parse().unwrap_or(0),
                    module: self.module.clone(),
                    notification: self.notification.clone(),
                    data: self.scratch.summary(skip),
                });
            } else {
                self.trace.events_dropped = self.trace.events_dropped.saturating_add(1);
            }
        }
        self.last_name = name;
    }

    /// What each kind of event tells about the request.
    fn apply(&mut self, name: &str, index: usize, offset: i64) {
        let s = &self.scratch;
        match name {
            // A module that returned "pending" is still the one being waited on, so
            // NOTIFY_MODULE_END does not clear it; the next module to start replaces it.
            // END names its module too: a trace can begin with one (tracing starts inside
            // the BEGIN_REQUEST stage, before GENERAL_REQUEST_START is ever written).
            "NOTIFY_MODULE_START" | "NOTIFY_MODULE_COMPLETION" | "NOTIFY_MODULE_END" => {
                if let Some(module) = s.data("ModuleName").filter(|m| !m.is_empty()) {
                    self.module = Some(capped(module, 128));
                }
                if let Some(notification) = notification_of(s) {
                    self.notification = Some(notification);
                }
            }
            "MODULE_SET_RESPONSE_ERROR_STATUS" => {
                let error_text = s.description("ErrorCode").map(|t| one_line(t, 512));
                let set = ErrorSet {
                    module: capped(s.data("ModuleName").unwrap_or_default(), 128),
                    notification: notification_of(s).unwrap_or_default(),
                    notification_code: s.number("Notification"),
                    status: s
                        .number("HttpStatus")
                        .and_then(|v| u16::try_from(v).ok())
                        .unwrap_or(0),
                    substatus: s
                        .number("HttpSubStatus")
                        .and_then(|v| u32::try_from(v).ok()),
                    reason: capped(s.data("HttpReason").unwrap_or_default(), 256),
                    error_code: s
                        .number("ErrorCode")
                        .or_else(|| error_text.as_deref().and_then(hresult::parse)),
                    error_text,
                    config_exception: s
                        .shown("ConfigExceptionInfo")
                        .map(|t| one_line(t, MAX_VALUE)),
                    event_index: index,
                    offset_ms: offset,
                };
                if self.error_sets.len() >= MAX_ERROR_SETS {
                    self.error_sets.remove(0);
                }
                self.error_sets.push(set);
            }
            "GENERAL_REQUEST_END" => {
                self.trace.final_status = Some(FinalStatus {
                    status: s
                        .number("HttpStatus")
                        .and_then(|v| u16::try_from(v).ok())
                        .unwrap_or(0),
                    substatus: s
                        .number("HttpSubStatus")
                        .and_then(|v| u32::try_from(v).ok()),
                    bytes_sent: s.number("BytesSent"),
                    bytes_received: s.number("BytesReceived"),
                    win32: s
                        .number("Win32Status")
                        .or_else(|| s.number("ErrorCode"))
                        .map(hresult::as_win32_status),
                });
            }
            // The first chunk of the body holds the error page's title and message.
            "GENERAL_RESPONSE_ENTITY_BUFFER" if self.body.is_none() => {
                self.body = s
                    .data("Buffer")
                    .filter(|b| !b.is_empty())
                    .map(str::to_string);
            }
            "GENERAL_ENDPOINT_INFORMATION" => {
                if let Some(address) = s.data("RemoteAddress").filter(|a| !a.is_empty()) {
                    let client = match s.data("RemotePort").filter(|p| !p.is_empty()) {
                        Some(port) if address.contains(':') => format!("[{address}]:{port}"),
                        Some(port) => format!("{address}:{port}"),
                        None => address.to_string(),
                    };
                    self.trace.client = Some(capped(&client, 256));
                }
            }
            "LOG_FILE_MAX_SIZE_TRUNCATE" => {
                self.trace.truncated = true;
                self.trace.truncation = Some(
                    "IIS stopped writing the trace at its size limit (LOG_FILE_MAX_SIZE_TRUNCATE)"
                        .to_string(),
                );
            }
            "ARR_REQUEST_ROUTED" | "ARR_SERVER_ROUTED" => {
                let server = s.data("Server").filter(|v| !v.is_empty());
                let arr = self.trace.arr.get_or_insert_with(ArrRoute::default);
                if let Some(server) = server {
                    if !arr.server.is_empty() && arr.server != server {
                        // A retry to another server: the later choice is the one that failed.
                        *arr = ArrRoute::default();
                    }
                    arr.server = capped(server, 256);
                }
                if let Some(farm) = s.data("WebFarm").filter(|v| !v.is_empty()) {
                    arr.web_farm = Some(capped(farm, 256));
                }
                if let Some(reason) = s.shown("RoutingReason") {
                    arr.routing_reason = Some(capped(reason, 128));
                }
                if let Some(total) = s.number("TotalRequests") {
                    arr.total_requests = Some(total);
                }
                if let Some(failed) = s.number("FailedRequests") {
                    arr.failed_requests = Some(failed);
                }
            }
            _ if name.starts_with("ANCM_") => self.apply_ancm(name),
            _ if name.starts_with("FASTCGI_") => {
                push_note(&mut self.trace.fastcgi, name, s.summary(&[]), offset);
            }
            _ if is_rewrite_outcome(name) => {
                push_note(&mut self.trace.rewrite, name, s.summary(&[]), offset);
            }
            _ => {}
        }
    }

    fn apply_ancm(&mut self, name: &str) {
        let s = &self.scratch;
        let ancm = self.trace.ancm.get_or_insert_with(Ancm::default);
        match name {
            "ANCM_WINHTTP_CALLBACK" => {
                ancm.winhttp_callbacks = ancm.winhttp_callbacks.saturating_add(1);
            }
            "ANCM_REQUEST_FORWARD_START" => ancm.forward_started = true,
            "ANCM_REQUEST_FORWARD_END" => ancm.forward_ended = true,
            "ANCM_REQUEST_FORWARD_FAIL" => {
                let text = s.description("ErrorCode").map(|t| one_line(t, 512));
                ancm.forward_error = s
                    .number("ErrorCode")
                    .or_else(|| text.as_deref().and_then(hresult::parse));
                ancm.forward_error_text = text;
            }
            "ANCM_START_APPLICATION_SUCCESS" => {
                ancm.app_description = s.shown("AppDescription").map(|t| one_line(t, 512));
            }
            "ANCM_START_APPLICATION_FAIL" if ancm.start_failures.len() < 4 => {
                let text = s
                    .shown("FailureDescription")
                    .map(|t| one_line(t, 1024))
                    .unwrap_or_else(|| s.summary(&[]));
                ancm.start_failures.push(text);
            }
            "ANCM_HRESULT_FAILED" if ancm.hresult_failures.len() < 8 => {
                ancm.hresult_failures.push(s.summary(&[]));
            }
            _ => {}
        }
    }

    /// Records why the document ended early, keeping the first reason (IIS's own marker).
    fn cut(&mut self, reason: String) {
        if !self.trace.truncated {
            self.trace.truncated = true;
            self.trace.truncation = Some(reason);
        }
    }

    fn finish(mut self) -> Trace {
        if !self.trace.truncated && self.trace.final_status.is_none() {
            self.cut(
                "no GENERAL_REQUEST_END event: the trace stops before the request ended".into(),
            );
        }
        let final_status = self.trace.final_status.clone();
        let (status, root_substatus) = match self.root_status {
            Some(found) => found,
            None => match (&final_status, self.error_sets.last()) {
                (Some(end), _) => (end.status, end.substatus),
                (None, Some(set)) => (set.status, set.substatus),
                (None, None) => (0, None),
            },
        };
        let error = pick_error(&self.error_sets, status, root_substatus);
        let substatus = root_substatus
            .or_else(|| {
                error
                    .as_ref()
                    .filter(|e| e.status == status)
                    .and_then(|e| e.substatus)
            })
            .or_else(|| {
                final_status
                    .as_ref()
                    .filter(|end| end.status == status)
                    .and_then(|end| end.substatus)
            });
        let win32 = error
            .as_ref()
            .and_then(|e| e.error_code)
            .or_else(|| self.trace.ancm.as_ref().and_then(|a| a.forward_error))
            .map(hresult::as_win32_status)
            .or_else(|| final_status.as_ref().and_then(|end| end.win32));
        self.trace.status = status;
        self.trace.substatus = substatus;
        self.trace.win32 = win32;
        self.trace.error = error;
        self.trace.response_excerpt = self
            .body
            .as_deref()
            .map(body_excerpt)
            .filter(|e| !e.is_empty());
        self.trace
    }
}

/// The error event that explains the final status: the last one with the same status (and
/// substatus, when known), else the last one.
fn pick_error(sets: &[ErrorSet], status: u16, substatus: Option<u32>) -> Option<ErrorSet> {
    sets.iter()
        .rev()
        .find(|e| e.status == status && substatus.is_none_or(|sub| e.substatus == Some(sub)))
        .or_else(|| sets.iter().rev().find(|e| e.status == status))
        .or_else(|| sets.last())
        .cloned()
}

fn notification_of(s: &Scratch) -> Option<String> {
    if let Some(rendered) = s.description("Notification") {
        return Some(capped(rendered, 64));
    }
    let raw = s.data("Notification").filter(|v| !v.is_empty())?;
    match hresult::parse(raw) {
        Some(code) => Some(
            notification_name(code)
                .map(str::to_string)
                .unwrap_or_else(|| format!("0x{code:X}")),
        ),
        None => Some(capped(raw, 64)),
    }
}

/// URL Rewrite events worth keeping: outcomes, not every pattern test.
fn is_rewrite_outcome(name: &str) -> bool {
    matches!(
        name,
        "URL_CHANGED" | "RULE_EVALUATION_END" | "ABORT_REQUEST_ACTION"
    ) || (name.ends_with("_ACTION") && !name.starts_with("GENERAL_"))
}

fn push_note(notes: &mut Vec<Note>, name: &str, data: String, offset: i64) {
    if notes.len() < MAX_NOTES {
        notes.push(Note {
            offset_ms: offset,
            name: name.to_string(),
            data,
        });
    }
}

/// `404` or `401.503` (status and substatus).
fn parse_status(text: &str) -> Option<(u16, Option<u32>)> {
    let (status, substatus) = match text.split_once('.') {
        Some((status, sub)) => (status, sub.trim().parse().ok()),
        None => (text, None),
    };
    Some((status.trim().parse().ok()?, substatus))
}

/// `2026-01-20T10:15:30.123456700Z` as milliseconds since the epoch.
fn parse_system_time(text: &str) -> Option<Millis> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    chrono::DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.timestamp_millis())
}

/// An attribute's value, borrowed from the read buffer unless it holds references.
fn attribute<'a>(start: &'a BytesStart, name: &str) -> Option<Cow<'a, str>> {
    let attr = start.try_get_attribute(name).ok().flatten()?;
    let value = attr
        .normalized_value(XmlVersion::Implicit1_0)
        .unwrap_or_else(|_| attr.value.clone());
    Some(value)
}

/// Appends as much of `text` as fits in `cap` bytes, never splitting a character.
fn push_capped(dst: &mut String, text: &str, cap: usize) {
    let room = cap.saturating_sub(dst.len());
    if room == 0 {
        return;
    }
    if text.len() <= room {
        dst.push_str(text);
        return;
    }
    let mut end = room;
    while end > 0 && !text.is_char_boundary(end) {
        end -= 1;
    }
    dst.push_str(text.get(..end).unwrap_or_default());
}

fn capped(text: &str, cap: usize) -> String {
    let mut out = String::new();
    push_capped(&mut out, text, cap);
    out
}

/// `text` on one line: IIS renders error codes as `message.\r (0x80070002)`, and XML turns
/// that carriage return into a line break.
fn one_line(text: &str, max_chars: usize) -> String {
    let mut out = String::new();
    push_collapsed(&mut out, text, max_chars);
    out
}

/// Appends `text` with runs of whitespace (line breaks included) made one space, at most
/// `max` characters, marking a cut with `...`.
fn push_collapsed(dst: &mut String, text: &str, max: usize) {
    let mut count = 0;
    let mut space = false;
    for c in text.trim().chars() {
        if c.is_whitespace() {
            space = true;
            continue;
        }
        if count + usize::from(space) >= max {
            dst.push_str("...");
            return;
        }
        if space {
            dst.push(' ');
            count += 1;
            space = false;
        }
        dst.push(c);
        count += 1;
    }
}

fn truncate_chars(text: &mut String, max: usize) {
    if let Some((at, _)) = text.char_indices().nth(max) {
        text.truncate(at);
        text.push_str("...");
    }
}

/// The response body as a short line of text: HTML tags, scripts and styles removed,
/// common character references decoded, whitespace collapsed.
pub fn body_excerpt(body: &str) -> String {
    let mut text = String::with_capacity(body.len().min(4 * 1024));
    let mut rest = body;
    while let Some(lt) = rest.find('<') {
        text.push_str(rest.get(..lt).unwrap_or_default());
        text.push(' ');
        let tag = rest.get(lt..).unwrap_or_default();
        let lower: String = tag.chars().take(8).flat_map(char::to_lowercase).collect();
        let skip_until = if lower.starts_with("<script") {
            Some("</script")
        } else if lower.starts_with("<style") {
            Some("</style")
        } else if lower.starts_with("<!--") {
            Some("-->")
        } else {
            None
        };
        let after_tag = match skip_until {
            Some(end) => find_ascii_ci(tag, end).map(|at| at + end.len()),
            None => Some(0),
        };
        let Some(after_tag) = after_tag else {
            rest = "";
            break;
        };
        let from = tag.get(after_tag..).unwrap_or_default();
        rest = match from.find('>') {
            Some(gt) => from.get(gt + 1..).unwrap_or_default(),
            None => "",
        };
        if text.len() > 8 * 1024 {
            break;
        }
    }
    text.push_str(rest);
    let decoded = decode_html_refs(&text);
    let mut out = String::new();
    push_collapsed(&mut out, &decoded, EXCERPT_CHARS);
    out
}

fn find_ascii_ci(haystack: &str, needle: &str) -> Option<usize> {
    let hay = haystack.as_bytes();
    let needle = needle.as_bytes();
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    (0..=hay.len() - needle.len()).find(|&i| {
        hay.get(i..i + needle.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(needle))
    })
}

fn decode_html_refs(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(rest.get(..amp).unwrap_or_default());
        let tail = rest.get(amp..).unwrap_or_default();
        let semi = tail.get(..12).and_then(|t| t.find(';')).or_else(|| {
            tail.char_indices()
                .take(12)
                .find(|(_, c)| *c == ';')
                .map(|(i, _)| i)
        });
        let decoded = semi.and_then(|semi| {
            let name = tail.get(1..semi)?;
            let c = match name {
                "amp" => '&',
                "lt" => '<',
                "gt" => '>',
                "quot" => '"',
                "apos" => '\'',
                "nbsp" => ' ',
                _ => {
                    let number = name.strip_prefix('#')?;
                    let code = match number
                        .strip_prefix('x')
                        .or_else(|| number.strip_prefix('X'))
                    {
                        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                        None => number.parse().ok()?,
                    };
                    char::from_u32(code)?
                }
            };
            Some((c, semi + 1))
        });
        match decoded {
            Some((c, used)) => {
                out.push(c);
                rest = tail.get(used..).unwrap_or_default();
            }
            None => {
                out.push('&');
                rest = tail.get(1..).unwrap_or_default();
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;
    use std::path::{Path, PathBuf};
    use std::time::{Duration, Instant};

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
            for err in [read_str(&xml).unwrap_err(), streamed.unwrap_err()] {
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
        let dir = Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../shared/corpus/freb"
        ));
        if !dir.is_dir() {
            eprintln!("skipped: no FREB corpus at {}", dir.display());
            return;
        }
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
}
