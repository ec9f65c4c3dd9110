//! Event XML: Event Viewer's "Save as XML" (an `<Events>` root), `wevtutil qe /f:xml` (bare
//! `<Event>` elements one after another), Azure App Service's `LogFiles/eventlog.xml` (an
//! `<Events>` root without a namespace, often one line of megabytes, often cut off while App
//! Service was writing it), and text pasted from Event Viewer's XML view, whose `- ` expander
//! marks are text between elements and so are passed over like any other.
//!
//! The XML is streamed once with a reused buffer. The walk that turns the elements of one
//! `<Event>` into an [`Event`] is the same for the rendered records of an `.evtx` file
//! ([`read_record`]), so both forms make their events in one place. Safety rules as for FREB:
//! entities are never expanded (a DOCTYPE that declares any is refused), nesting deeper than
//! [`MAX_DEPTH`] stops the read, no piece of XML longer than
//! [`MAX_PIECE`](crate::input::xml::MAX_PIECE) is held, and every value is capped.

use std::borrow::Cow;
use std::io::{self, BufRead};

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event as Xml};

use super::{Datum, Event, MAX_DATA, MAX_VALUE};
use crate::input::lines::Stats;
use crate::input::secret;
use crate::input::xml::{Bounded, MAX_PIECE, at_end, attribute, push_capped, reference_text};
use crate::time::{self, Millis};

/// The deepest element nesting an event file may have. Real files use five levels.
pub const MAX_DEPTH: usize = 64;
/// Longest provider, channel or computer name kept (bytes).
const MAX_NAME: usize = 256;
/// Longest number or time text kept (bytes): longer is not a number or a time anyway.
const MAX_NUMBER: usize = 64;
/// How many bytes of a bad value a problem quotes.
const QUOTE_MAX: usize = 40;

/// Where the walk is; decides what text belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tag {
    Events,
    Event,
    System,
    EventId,
    Level,
    RecordId,
    Channel,
    Computer,
    EventData,
    Data,
    Binary,
    UserData,
    /// An element inside `UserData`: a data item while it has no element inside it.
    UserItem,
    Other,
}

/// Which scratch field the current text goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Capture {
    Nothing,
    Id,
    Level,
    Record,
    Channel,
    Computer,
    Data(usize),
    Binary,
}

/// The event being read; its strings are cleared, not dropped, between events where they
/// are not handed over in the [`Event`].
#[derive(Debug, Default)]
struct Scratch {
    provider: String,
    source: Option<String>,
    id: Option<String>,
    level: String,
    time: Option<String>,
    record: String,
    channel: String,
    computer: String,
    process_id: Option<u32>,
    data: Vec<Datum>,
    binary: Option<String>,
}

impl Scratch {
    fn clear(&mut self) {
        self.provider.clear();
        self.source = None;
        self.id = None;
        self.level.clear();
        self.time = None;
        self.record.clear();
        self.channel.clear();
        self.computer.clear();
        self.process_id = None;
        self.data.clear();
        self.binary = None;
    }

    /// Whether enough was read to name the event (a provider and an id).
    fn named(&self) -> bool {
        !self.provider.is_empty() && self.id.is_some()
    }

    /// The event, or why it cannot be one. The strings handed over leave the scratch empty.
    fn take(&mut self) -> Result<Event, String> {
        if self.provider.is_empty() {
            return Err("no System/Provider Name".into());
        }
        let id = match &self.id {
            None => return Err("no System/EventID".into()),
            Some(text) => text
                .trim()
                .parse::<u32>()
                .map_err(|_| format!("EventID `{}` is not a number", quote(text)))?,
        };
        let time = match &self.time {
            None => None,
            Some(text) => Some(
                parse_system_time(text)
                    .map_err(|why| format!("TimeCreated SystemTime `{}` {why}", quote(text)))?,
            ),
        };
        Ok(Event {
            provider: std::mem::take(&mut self.provider),
            source: self.source.take(),
            id,
            level: self.level.trim().parse().ok(),
            time,
            record: self.record.trim().parse().ok(),
            channel: non_empty(&self.channel),
            computer: non_empty(&self.computer),
            process_id: self.process_id.take(),
            data: masked(std::mem::take(&mut self.data)),
            binary: self.binary.take().filter(|b| !b.trim().is_empty()),
        })
    }
}

/// The data items with the secrets in their values masked: an application's event quotes
/// its connection string or its environment as freely as its stdout does.
fn masked(mut data: Vec<Datum>) -> Vec<Datum> {
    for d in &mut data {
        if let Cow::Owned(m) = secret::mask(&d.value) {
            d.value = m;
        }
    }
    data
}

fn non_empty(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_string())
}

/// At most [`QUOTE_MAX`] bytes of `text`, on a character boundary.
fn quote(text: &str) -> String {
    let mut out = String::new();
    push_capped(&mut out, text.trim(), QUOTE_MAX);
    out
}

/// Why a read stopped before the end of its input.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Stop {
    TooDeep,
    NotEvents(String),
}

impl Stop {
    fn say(&self) -> String {
        match self {
            Stop::TooDeep => format!("nesting deeper than {MAX_DEPTH} levels"),
            Stop::NotEvents(root) => format!("not Event XML: the root element is <{root}>"),
        }
    }
}

/// The walk over the elements of an event file: which element it is in, and the event
/// being read.
#[derive(Debug)]
pub(super) struct Walk {
    stack: Vec<Tag>,
    capture: Capture,
    /// The cap of the text being captured.
    cap: usize,
    /// The data item of the innermost `UserData` element, until an element opens inside it.
    user_item: Option<usize>,
    scratch: Scratch,
    /// `<Event>` elements opened so far.
    started: u64,
}

impl Walk {
    pub(super) fn new() -> Walk {
        Walk {
            stack: Vec::with_capacity(MAX_DEPTH),
            capture: Capture::Nothing,
            cap: 0,
            user_item: None,
            scratch: Scratch::default(),
            started: 0,
        }
    }

    fn in_event(&self) -> bool {
        self.stack.contains(&Tag::Event)
    }

    fn capturing(&self) -> bool {
        self.capture != Capture::Nothing
    }

    /// The innermost element open inside the event, for a note on a cut.
    fn inside(&self) -> &'static str {
        let at = self.stack.iter().rposition(|t| *t == Tag::Event);
        let inner = at.and_then(|at| {
            self.stack
                .get(at..)?
                .iter()
                .rev()
                .find(|t| !matches!(t, Tag::Other | Tag::UserItem))
        });
        match inner {
            Some(Tag::System) => "<System>",
            Some(Tag::EventId) => "<EventID>",
            Some(Tag::Level) => "<Level>",
            Some(Tag::RecordId) => "<EventRecordID>",
            Some(Tag::Channel) => "<Channel>",
            Some(Tag::Computer) => "<Computer>",
            Some(Tag::EventData) => "<EventData>",
            Some(Tag::Data) => "a <Data> value",
            Some(Tag::Binary) => "<Binary>",
            Some(Tag::UserData) => "<UserData>",
            _ => "<Event>",
        }
    }

    fn open(&mut self, start: &BytesStart, empty: bool) -> Result<(), Stop> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(Stop::TooDeep);
        }
        let local = start.local_name();
        let name: &str = local.as_ref();
        let parent = self.stack.last().copied();
        self.capture = Capture::Nothing;
        let tag = match (parent, name) {
            (None | Some(Tag::Events), "Event") => {
                self.scratch.clear();
                self.user_item = None;
                self.started += 1;
                Tag::Event
            }
            (None, "Events") => Tag::Events,
            (None, other) if self.started == 0 => {
                let mut root = String::new();
                push_capped(&mut root, other, 64);
                return Err(Stop::NotEvents(root));
            }
            (Some(Tag::Event), "System") => Tag::System,
            (Some(Tag::Event), "EventData") => Tag::EventData,
            (Some(Tag::Event), "UserData") => Tag::UserData,
            (Some(Tag::System), "Provider") => {
                let s = &mut self.scratch;
                if let Some(name) = attribute(start, "Name") {
                    s.provider.clear();
                    push_capped(&mut s.provider, name.trim(), MAX_NAME);
                }
                if let Some(source) = attribute(start, "EventSourceName") {
                    let mut text = String::new();
                    push_capped(&mut text, source.trim(), MAX_NAME);
                    s.source = Some(text).filter(|t| !t.is_empty());
                }
                // A classic event may name only its source.
                if s.provider.is_empty() {
                    if let Some(source) = &s.source {
                        s.provider.clone_from(source);
                    }
                }
                Tag::Other
            }
            (Some(Tag::System), "EventID") => {
                self.scratch.id = Some(String::new());
                self.capture_into(Capture::Id, MAX_NUMBER);
                Tag::EventId
            }
            (Some(Tag::System), "Level") => {
                self.scratch.level.clear();
                self.capture_into(Capture::Level, MAX_NUMBER);
                Tag::Level
            }
            (Some(Tag::System), "TimeCreated") => {
                if let Some(time) = attribute(start, "SystemTime") {
                    let mut text = String::new();
                    push_capped(&mut text, &time, MAX_NUMBER);
                    self.scratch.time = Some(text);
                }
                Tag::Other
            }
            (Some(Tag::System), "EventRecordID") => {
                self.scratch.record.clear();
                self.capture_into(Capture::Record, MAX_NUMBER);
                Tag::RecordId
            }
            (Some(Tag::System), "Execution") => {
                self.scratch.process_id = attribute(start, "ProcessID")
                    .and_then(|p| p.trim().parse::<u32>().ok())
                    .filter(|&p| p != 0);
                Tag::Other
            }
            (Some(Tag::System), "Channel") => {
                self.scratch.channel.clear();
                self.capture_into(Capture::Channel, MAX_NAME);
                Tag::Channel
            }
            (Some(Tag::System), "Computer") => {
                self.scratch.computer.clear();
                self.capture_into(Capture::Computer, MAX_NAME);
                Tag::Computer
            }
            (Some(Tag::EventData), "Data") => {
                let name = attribute(start, "Name").map(|n| {
                    let mut text = String::new();
                    push_capped(&mut text, n.trim(), MAX_NAME);
                    text
                });
                if let Some(at) = self.push_datum(name) {
                    self.capture_into(Capture::Data(at), MAX_VALUE);
                }
                Tag::Data
            }
            (Some(Tag::EventData), "Binary") => {
                self.scratch.binary = Some(String::new());
                self.capture_into(Capture::Binary, MAX_VALUE);
                Tag::Binary
            }
            (Some(Tag::UserData | Tag::UserItem), _) => {
                // The element around this one holds elements: it is no data item.
                if let Some(at) = self.user_item.take() {
                    if at + 1 == self.scratch.data.len() {
                        self.scratch.data.pop();
                    }
                }
                let mut item = String::new();
                push_capped(&mut item, name, MAX_NAME);
                if let Some(at) = self.push_datum(Some(item)) {
                    self.user_item = Some(at);
                    self.capture_into(Capture::Data(at), MAX_VALUE);
                }
                Tag::UserItem
            }
            _ => Tag::Other,
        };
        self.stack.push(tag);
        if empty {
            self.capture = Capture::Nothing;
        }
        Ok(())
    }

    fn capture_into(&mut self, capture: Capture, cap: usize) {
        self.capture = capture;
        self.cap = cap;
    }

    /// A new data item, unless the event has [`MAX_DATA`] already.
    fn push_datum(&mut self, name: Option<String>) -> Option<usize> {
        let data = &mut self.scratch.data;
        if data.len() >= MAX_DATA {
            return None;
        }
        data.push(Datum {
            name,
            value: String::new(),
        });
        Some(data.len() - 1)
    }

    /// Ends the innermost element; an event when it was an `<Event>`, or why that event is
    /// none.
    fn close(&mut self) -> Option<Result<Event, String>> {
        self.capture = Capture::Nothing;
        match self.stack.pop() {
            Some(Tag::Event) => Some(self.scratch.take()),
            Some(Tag::UserItem) => {
                self.user_item = None;
                None
            }
            _ => None,
        }
    }

    fn text(&mut self, text: &str) {
        let s = &mut self.scratch;
        let target = match self.capture {
            Capture::Nothing => return,
            Capture::Id => s.id.get_or_insert_with(String::new),
            Capture::Level => &mut s.level,
            Capture::Record => &mut s.record,
            Capture::Channel => &mut s.channel,
            Capture::Computer => &mut s.computer,
            Capture::Binary => s.binary.get_or_insert_with(String::new),
            Capture::Data(at) => match s.data.get_mut(at) {
                Some(d) => &mut d.value,
                None => return,
            },
        };
        push_capped(target, text, self.cap);
    }

    /// Hands one piece of XML to the walk: `Some` when it ended an event.
    fn step(&mut self, piece: &Xml) -> Result<Option<Result<Event, String>>, Stop> {
        match piece {
            Xml::Start(start) => self.open(start, false)?,
            Xml::Empty(start) => {
                self.open(start, true)?;
                return Ok(self.close());
            }
            Xml::End(_) => return Ok(self.close()),
            // Only text that is kept is decoded: the whitespace between the elements of a
            // CRLF file would otherwise cost an allocation each.
            Xml::Text(text) if self.capturing() => self.text(&text.xml10_content()),
            Xml::CData(data) if self.capturing() => self.text(&data.xml10_content()),
            Xml::GeneralRef(reference) if self.capturing() => {
                if let Some(text) = reference_text(reference) {
                    self.text(&text);
                }
            }
            _ => {}
        }
        Ok(None)
    }

    /// The event a cut left open: `Some` with where it was cut, and the event when enough
    /// of it was read to name it.
    fn cut(&mut self) -> Option<(&'static str, Option<Event>)> {
        if !self.in_event() {
            return None;
        }
        let inside = self.inside();
        let event = if self.scratch.named() {
            self.scratch.take().ok()
        } else {
            None
        };
        self.stack.clear();
        Some((inside, event))
    }
}

/// Reads an event file (any of the forms in the module docs), calling `visit` for every
/// event in file order.
///
/// An event that cannot be one (no provider, an EventID that is no number, an unreadable
/// time) is counted as malformed, the first few named by event number and byte offset, with
/// `line` the line its `<Event>` tag ends on; reading goes on. A file cut short is read up to
/// the cut, and a note says where. Only I/O errors, and a file where no event could be read at
/// all (not Event XML, refused before its first event), are errors.
pub fn read_xml<R: BufRead>(reader: R, mut visit: impl FnMut(Event)) -> io::Result<Stats> {
    let mut xml = Reader::from_reader(Bounded::new(reader));
    let mut buf = Vec::with_capacity(16 * 1024);
    let mut walk = Walk::new();
    let mut stats = Stats::default();
    // Where the event being read started: byte offset and line.
    let mut event_at = (0u64, 1u64);
    let stopped: Option<(u64, String)> = loop {
        xml.get_mut().since_event = 0;
        let before = xml.buffer_position();
        let read = xml.read_event_into(&mut buf);
        if xml.get_ref().since_event > MAX_PIECE as u64 {
            break Some((
                before,
                format!("a tag or text longer than {} MiB", MAX_PIECE >> 20),
            ));
        }
        let piece = match read {
            Ok(Xml::Eof) => break None,
            Ok(piece) => piece,
            Err(error) => {
                let offset = xml.error_position();
                // quick-xml names unclosed markup only when the input runs out: an error
                // with nothing left to read is a file cut short.
                if at_end(&mut xml) {
                    break None;
                }
                if let quick_xml::Error::Io(e) = &error {
                    if e.kind() != io::ErrorKind::Other {
                        return Err(io::Error::new(e.kind(), e.to_string()));
                    }
                }
                break Some((offset, format!("XML error ({error})")));
            }
        };
        if let Xml::DocType(doctype) = &piece {
            if doctype.xml10_content().contains("<!ENTITY") {
                break Some((before, "a DOCTYPE with entity declarations, refused".into()));
            }
        }
        let was_in_event = walk.started;
        match walk.step(&piece) {
            Ok(None) => {}
            Ok(Some(Ok(event))) => {
                stats.records += 1;
                visit(event);
            }
            Ok(Some(Err(problem))) => {
                let (offset, line) = event_at;
                let number = walk.started;
                stats.malformed(line, || {
                    format!("event {number} at byte {offset}: {problem}")
                });
            }
            Err(stop) => break Some((before, stop.say())),
        }
        if walk.started != was_in_event {
            event_at = (before, xml.get_ref().newlines + 1);
        }
        buf.clear();
    };
    let end = xml.buffer_position();
    let read = stats.records + stats.malformed;
    let cut = walk.cut();
    let was_cut = cut.is_some() || !walk.stack.is_empty();
    if walk.started == 0 {
        if let Some((offset, why)) = stopped {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{why} at byte {offset}, before any event"),
            ));
        }
    }
    let kept = match cut {
        Some((inside, Some(event))) => {
            stats.records += 1;
            visit(event);
            format!(
                "; event {}, cut inside {inside}, kept with what it has",
                read + 1
            )
        }
        Some((inside, None)) => format!(
            "; event {}, cut inside {inside} before its provider and id, left out",
            read + 1
        ),
        None => String::new(),
    };
    match stopped {
        Some((offset, why)) => stats.notes.push(format!(
            "{why} at byte {offset}, after {read} events: the rest was not read{kept}"
        )),
        None if was_cut => stats.notes.push(format!(
            "cut off after {read} events (byte {end}): read up to the cut{kept}"
        )),
        None => {}
    }
    Ok(stats)
}

/// Reads one rendered record (the XML of one `<Event>`, as an `.evtx` record renders), with
/// a walk and a buffer the caller keeps from record to record.
pub(super) fn read_record(xml: &[u8], walk: &mut Walk, buf: &mut Vec<u8>) -> Result<Event, String> {
    let mut reader = Reader::from_reader(xml);
    walk.stack.clear();
    walk.started = 0;
    loop {
        buf.clear();
        let piece = reader
            .read_event_into(buf)
            .map_err(|e| format!("XML error at byte {} ({e})", reader.error_position()))?;
        if let Xml::Eof = piece {
            return Err("the record ends inside its <Event>".into());
        }
        match walk.step(&piece) {
            Ok(None) => {}
            Ok(Some(event)) => return event,
            Err(stop) => return Err(stop.say()),
        }
    }
}

/// `2026-01-20T21:59:45Z` or `2019-10-07T18:29:50.981576900Z` (any number of fraction digits;
/// another zone than `Z` is read too), held to the years log dates may carry.
pub(super) fn parse_system_time(text: &str) -> Result<Millis, &'static str> {
    let text = text.trim();
    let b = text.as_bytes();
    // The form every Windows export writes, read without chrono.
    if let (Some(date), Some(b'T'), Some((b'Z', clock))) = (
        b.get(..10),
        b.get(10),
        b.get(11..).and_then(<[u8]>::split_last),
    ) {
        let fraction_ok = match clock.get(8..) {
            None | Some([]) => true,
            Some([b'.', digits @ ..]) => {
                !digits.is_empty() && digits.iter().all(u8::is_ascii_digit)
            }
            Some(_) => false,
        };
        if fraction_ok {
            if let (Some(days), Some(ms)) = (time::parse_date(date), time::parse_time(clock)) {
                let t = time::at(days, ms);
                return if time::in_range(t) {
                    Ok(t)
                } else {
                    Err("is outside the years 1990 to 2100")
                };
            }
        }
    }
    match chrono::DateTime::parse_from_rfc3339(text) {
        Ok(t) if time::in_range(t.timestamp_millis()) => Ok(t.timestamp_millis()),
        Ok(_) => Err("is outside the years 1990 to 2100"),
        Err(_) => Err("is not an RFC 3339 time"),
    }
}
