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

mod events;
mod skim;
mod status;
mod text;
mod timeline;
mod trace;
mod walk;

use std::io::{self, BufRead, Read};

use quick_xml::Reader;
use quick_xml::events::Event as Xml;

use walk::State;

use crate::input::xml::{Bounded, at_end};

pub use events::notification_name;
pub use text::body_excerpt;
pub use trace::{Ancm, ArrRoute, ErrorSet, Event, FinalStatus, Note, SlowStep, Trace};

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
pub const MAX_EVENT: usize = crate::input::xml::MAX_PIECE;
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
    let mut streamed = Streamed {
        xml: Reader::from_reader(Bounded::new(reader)),
        buf: Vec::with_capacity(8 * 1024),
    };
    walk_events(&mut streamed, keep_events)
}

/// The most of a trace [`read_whole`] holds in memory to parse it in place.
const MAX_IN_MEMORY: u64 = 64 << 20;

/// [`read_trace`] on a whole file or archive member: read into memory and parsed in place
/// ([`read_trace_in`]), or as it streams when it is larger than 64 MiB. A read that fails
/// part-way is met where it failed, as when the trace is streamed: a trace cut short there.
pub fn read_whole<R: Read>(mut reader: R, keep_events: bool) -> Result<Trace, FrebError> {
    let mut bytes = Vec::new();
    match (&mut reader).take(MAX_IN_MEMORY).read_to_end(&mut bytes) {
        Ok(_) if bytes.len() as u64 == MAX_IN_MEMORY => {
            let whole = io::Cursor::new(bytes).chain(reader);
            read_trace(io::BufReader::with_capacity(1 << 16, whole), keep_events)
        }
        Ok(_) => read_trace_in(&bytes, keep_events),
        Err(e) => {
            let failed = Failing(e.kind(), e.to_string());
            read_trace(io::Cursor::new(bytes).chain(failed), keep_events)
        }
    }
}

/// A reader that fails every time, with one error: where a read failed, for the parser.
struct Failing(io::ErrorKind, String);

impl Read for Failing {
    fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
        Err(io::Error::new(self.0, self.1.clone()))
    }
}

impl BufRead for Failing {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        Err(io::Error::new(self.0, self.1.clone()))
    }

    fn consume(&mut self, _: usize) {}
}

/// [`read_trace`] on a trace already in memory: the parser's events borrow from `bytes`, so
/// no event is copied (IIS caps a trace at `maxLogFileSizeKB`, 512 KiB by default).
pub fn read_trace_in(bytes: &[u8], keep_events: bool) -> Result<Trace, FrebError> {
    let mut in_memory = InMemory {
        xml: Reader::from_reader(bytes),
        skim: skim::Skim::default(),
        skimmed: 0,
        inside_text: false,
    };
    walk_events(&mut in_memory, keep_events)
}

/// One XML event and where it lies: from `started` to `end`, byte offsets in the file.
struct Pulled<'e> {
    event: Xml<'e>,
    started: u64,
    end: u64,
}

/// Where a trace's XML events come from: a stream read through a reused buffer, or bytes in
/// memory the events borrow from.
trait Pull {
    /// The next event, or the error and the byte offset it was found at.
    fn pull(&mut self) -> Result<Pulled<'_>, (u64, quick_xml::Error)>;
    /// Whether `error` was met because the input ran out.
    fn at_end(&mut self, error: &quick_xml::Error) -> bool;
    /// Reads the next `<Event>` into `state` by the quicker way of [`skim`], when it can;
    /// whether it did. Called only between the root's events.
    fn skim(&mut self, _state: &mut State) -> bool {
        false
    }
}

struct Streamed<R> {
    xml: Reader<Bounded<R>>,
    buf: Vec<u8>,
}

impl<R: BufRead> Pull for Streamed<R> {
    fn pull(&mut self) -> Result<Pulled<'_>, (u64, quick_xml::Error)> {
        let Streamed { xml, buf } = self;
        buf.clear();
        // The bounded reader stops a piece past its cap while it is read.
        xml.get_mut().since_event = 0;
        let started = xml.buffer_position();
        match xml.read_event_into(buf) {
            Ok(event) => Ok(Pulled {
                event,
                started,
                end: xml.buffer_position(),
            }),
            Err(error) => Err((error_offset(&error, started, xml.error_position()), error)),
        }
    }

    fn at_end(&mut self, _: &quick_xml::Error) -> bool {
        at_end(&mut self.xml)
    }
}

struct InMemory<'i> {
    xml: Reader<&'i [u8]>,
    skim: skim::Skim,
    /// Bytes [`skim`] took past the parser, which counts only what it read itself.
    skimmed: u64,
    /// Whether the parser's last event was a tag, after which it reads text: the one place
    /// bytes can be taken from under it.
    inside_text: bool,
}

impl Pull for InMemory<'_> {
    fn pull(&mut self) -> Result<Pulled<'_>, (u64, quick_xml::Error)> {
        let started = self.xml.buffer_position() + self.skimmed;
        match self.xml.read_event() {
            Ok(event) => {
                self.inside_text = matches!(event, Xml::Start(_) | Xml::End(_) | Xml::Empty(_));
                Ok(Pulled {
                    event,
                    started,
                    end: self.xml.buffer_position() + self.skimmed,
                })
            }
            Err(error) => {
                let reported = self.xml.error_position() + self.skimmed;
                Err((error_offset(&error, started, reported), error))
            }
        }
    }

    fn skim(&mut self, state: &mut State) -> bool {
        if !self.inside_text {
            return false;
        }
        let rest: &[u8] = self.xml.get_ref();
        let at = self.xml.buffer_position() + self.skimmed;
        let Some(taken) = self.skim.event(rest, at, state) else {
            return false;
        };
        *self.xml.get_mut() = rest.get(taken..).unwrap_or_default();
        self.skimmed += taken as u64;
        true
    }

    /// A streamed reader has read to the end when it reports unclosed markup (it looked
    /// for the close to the end); the bytes in memory are left where the markup began. A
    /// syntax error is quick-xml's word for markup the input ended inside.
    fn at_end(&mut self, error: &quick_xml::Error) -> bool {
        matches!(error, quick_xml::Error::Syntax(_)) || at_end(&mut self.xml)
    }
}

/// Where an error was met: where quick-xml says, but for text that is not UTF-8, for
/// which it says nothing (the offset of an earlier error, or 0): there, where the piece
/// holding it starts.
fn error_offset(error: &quick_xml::Error, started: u64, reported: u64) -> u64 {
    match error {
        quick_xml::Error::Encoding(_) => started,
        _ => reported,
    }
}

/// The walk over a trace's events, whichever way they are read.
fn walk_events(source: &mut impl Pull, keep_events: bool) -> Result<Trace, FrebError> {
    let mut state = State::new(keep_events);
    loop {
        if state.at_root() && source.skim(&mut state) {
            continue;
        }
        let Pulled {
            event,
            started,
            end,
        } = match source.pull() {
            Ok(pulled) => pulled,
            Err((offset, error)) => {
                // quick-xml reports unclosed markup only when the input runs out, so an error
                // with nothing left to read, after the root opened, is a file cut short.
                if state.root_seen && source.at_end(&error) {
                    state.cut(format!(
                        "the file ends inside an element at byte {offset} ({error})"
                    ));
                    break;
                }
                return Err(FrebError::Xml { offset, error });
            }
        };
        // A reader that hands out everything at once is caught after the event.
        if end.saturating_sub(started) > MAX_EVENT as u64 {
            return Err(FrebError::TooLong { offset: started });
        }
        match event {
            Xml::Start(start) => state.open(&start, end, false)?,
            Xml::Empty(start) => {
                state.open(&start, end, true)?;
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
                    return Err(FrebError::EntityDeclarations { offset: end });
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
    }
    Ok(state.finish())
}

#[cfg(test)]
mod tests;
