//! The XML walk: which element the reader is in, which text belongs to the event being read,
//! and the root's attributes. Each finished event is handed to [`State::finish_event`].

use std::borrow::Cow;

use quick_xml::XmlVersion;
use quick_xml::events::{BytesRef, BytesStart};

use super::events::Reads;
use super::text::{attribute, parse_status, push_capped, push_collapsed, truncate_chars};
use super::trace::{ErrorSet, Trace};
use super::{
    EVENT_DATA_CHARS, EVENT_VALUE_CHARS, FrebError, MAX_BODY, MAX_DATA_ITEMS, MAX_DEPTH, MAX_SHORT,
    MAX_VALUE,
};
use crate::hresult;
use crate::input::secret;
use crate::input::xml::reference_text;
use crate::time::Millis;

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
pub(super) struct Scratch {
    pub(super) level: String,
    pub(super) opcode: String,
    pub(super) rendered_opcode: String,
    pub(super) time: String,
    pub(super) computer: String,
    pub(super) data: Vec<(String, String)>,
    pub(super) data_len: usize,
    pub(super) descriptions: Vec<(String, String)>,
    pub(super) descriptions_len: usize,
}

impl Scratch {
    pub(super) fn clear(&mut self) {
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

    pub(super) fn name(&self) -> &str {
        let rendered = self.rendered_opcode.trim();
        if rendered.is_empty() {
            self.opcode.trim()
        } else {
            rendered
        }
    }

    pub(super) fn data(&self, name: &str) -> Option<&str> {
        self.data
            .get(..self.data_len)?
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.trim())
    }

    pub(super) fn description(&self, name: &str) -> Option<&str> {
        self.descriptions
            .get(..self.descriptions_len)?
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    }

    /// A data value as people read it: IIS's rendering when there is one.
    pub(super) fn shown(&self, name: &str) -> Option<&str> {
        self.description(name)
            .or_else(|| self.data(name))
            .filter(|v| !v.is_empty())
    }

    pub(super) fn number(&self, name: &str) -> Option<u64> {
        self.data(name).and_then(hresult::parse)
    }

    /// Takes the next slot of a reused list for a new `(name, value)` pair.
    pub(super) fn slot(
        list: &mut Vec<(String, String)>,
        len: &mut usize,
        name: &str,
    ) -> Option<usize> {
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
    pub(super) fn summary(&self, skip: &[&str]) -> String {
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
pub(super) struct State {
    pub(super) keep_events: bool,
    /// The data of the event being read that is kept; all but while [`super::skim`] reads.
    pub(super) reads: Reads,
    pub(super) root_seen: bool,
    stack: Vec<Tag>,
    capture: Capture,
    capture_cap: usize,
    pub(super) scratch: Scratch,
    pub(super) trace: Trace,
    pub(super) root_status: Option<(u16, Option<u32>)>,
    pub(super) error_sets: Vec<ErrorSet>,
    pub(super) module: Option<String>,
    pub(super) notification: Option<String>,
    pub(super) last_time: Option<Millis>,
    pub(super) last_offset: i64,
    pub(super) last_name: String,
    pub(super) body: Option<String>,
}

impl State {
    pub(super) fn new(keep_events: bool) -> State {
        State {
            keep_events,
            reads: Reads::All,
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

    pub(super) fn open(
        &mut self,
        start: &BytesStart,
        offset: u64,
        empty: bool,
    ) -> Result<(), FrebError> {
        self.open_with(start, offset, empty, None)
    }

    /// [`State::open`], given the value of the one attribute the element is read for
    /// (`SystemTime`, `Name` or `Data`) when the caller has it already.
    pub(super) fn open_with(
        &mut self,
        start: &BytesStart,
        offset: u64,
        empty: bool,
        known: Option<&str>,
    ) -> Result<(), FrebError> {
        let value = |name: &str| known.map(Cow::Borrowed).or_else(|| attribute(start, name));
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
                if let Some(time) = value("SystemTime") {
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
            Tag::Data | Tag::Description if self.reads == Reads::Nothing => Capture::Nothing,
            Tag::Data => {
                let key = value("Name").unwrap_or_default();
                if !self.reads.takes(&key) {
                    return self.opened_nothing();
                }
                self.capture_cap = if key == "Buffer" { MAX_BODY } else { MAX_VALUE };
                let scratch = &mut self.scratch;
                Scratch::slot(&mut scratch.data, &mut scratch.data_len, &key)
                    .map_or(Capture::Nothing, Capture::Data)
            }
            Tag::Description => {
                let key = value("Data").unwrap_or_default();
                if !self.reads.takes(&key) {
                    return self.opened_nothing();
                }
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

    /// An element opened whose text is not kept.
    fn opened_nothing(&mut self) -> Result<(), FrebError> {
        self.capture = Capture::Nothing;
        Ok(())
    }

    /// Whether the walk is between the root's events, where [`super::skim`] may read one.
    pub(super) fn at_root(&self) -> bool {
        self.stack.len() == 1
    }

    /// Ends the innermost element; true when it was the root.
    pub(super) fn close(&mut self) -> bool {
        self.mask_captured();
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

    /// Masks the secrets of the data value just read whole: request headers carry
    /// `Authorization`, module errors quote connection strings.
    fn mask_captured(&mut self) {
        let scratch = &mut self.scratch;
        let slot = match self.capture {
            Capture::Data(i) => scratch.data.get_mut(i),
            Capture::Description(i) => scratch.descriptions.get_mut(i),
            _ => None,
        };
        if let Some((_, value)) = slot
            && let Cow::Owned(masked) = secret::mask(value)
        {
            *value = masked;
        }
    }

    pub(super) fn capturing(&self) -> bool {
        self.capture != Capture::Nothing
    }

    pub(super) fn text(&mut self, text: &str) {
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

    /// A reference in text: see [`reference_text`].
    pub(super) fn reference(&mut self, reference: &BytesRef) {
        if let Some(text) = reference_text(reference) {
            self.text(&text);
        }
    }

    pub(super) fn read_root(&mut self, start: &BytesStart) {
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
}
