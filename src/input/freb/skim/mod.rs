//! The quick way through a trace held in memory: one `<Event>` at a time, cut into its tags
//! and texts by hand and handed to the walk as quick-xml would hand them.
//!
//! Only an event written plainly is taken this way: valid UTF-8, no comment, CDATA,
//! processing instruction or entity reference, every end tag naming the element it closes,
//! at most [`MAX_SKIM_DEPTH`] levels, and a name that can be told before its data is walked
//! (at most one `RenderingInfo` with one `Opcode` of plain text, as IIS writes them).
//! Anything else is read by quick-xml as before, from the same byte, so an event reads the
//! same either way and every error is still quick-xml's. The gain is twofold: the pieces of a
//! trace are short, so they are cut with plain loops, and the data an event's kind is never
//! read for ([`Reads`]) is passed over, not walked.

use quick_xml::events::{BytesStart, BytesText};

use super::events::Reads;
use super::walk::State;

/// Deepest nesting inside one event taken this way; IIS writes three levels.
const MAX_SKIM_DEPTH: usize = 8;

/// One piece of an event, as byte ranges into the event's text.
#[derive(Debug, Clone, Copy)]
enum Piece {
    /// `<name attributes>` or, when `empty`, `<name attributes/>`: the range between `<`
    /// and `>` or `/>`, the name's length, and what the element is to the walk. `past` is
    /// the index of the piece after the element's end.
    Start {
        from: usize,
        to: usize,
        name: usize,
        empty: bool,
        role: Role,
        past: usize,
    },
    End,
    /// Text right after a start tag: the only text the walk may keep (an end tag stops it
    /// keeping any).
    Text {
        from: usize,
        to: usize,
    },
}

/// What an element is to the walk, where that lets it be passed over or its one attribute
/// the walk reads be handed over as cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Other,
    /// An element the walk keeps nothing of, in a part of the event that keeps no text
    /// (`Provider`, `Correlation`, `ExtendedTracingInfo`, ...): always passed over.
    Nothing,
    /// `<EventData>`: passed over when no data is read.
    EventData,
    /// `<Data Name="key">` or `<Description Data="key">`, the key as a range when written
    /// plainly: passed over when that key is not read.
    Keyed(Option<(usize, usize)>),
    /// `<TimeCreated SystemTime="...">`, the time as a range when written plainly.
    Time(Option<(usize, usize)>),
}

/// What cutting events needs between events: reused lists.
#[derive(Debug, Default)]
pub(super) struct Skim {
    pieces: Vec<Piece>,
    /// The open elements: their name as a range, what part of the event they are, and
    /// their piece's index.
    open: Vec<Open>,
}

#[derive(Debug, Clone, Copy)]
struct Open {
    name: (usize, usize),
    part: Part,
    piece: usize,
}

/// The parts of an event the walk tells apart by their children.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Event,
    System,
    EventData,
    RenderingInfo,
    Other,
}

/// Where the event's name lies: the text of `RenderingInfo/Opcode`, else `System/Opcode`.
#[derive(Debug, Default)]
struct Naming {
    /// How many `RenderingInfo` children `<Event>` has, `Opcode` children they have, and
    /// `Opcode` children `System` has: more than one of any leaves the name to the walk.
    rendering_infos: u8,
    opcodes: u8,
    system_opcodes: u8,
    rendered: Option<(usize, usize)>,
    system: Option<(usize, usize)>,
}

impl Skim {
    /// Reads the event at the start of `rest` (after XML whitespace) into `state`, when it is
    /// written plainly; the bytes taken, or `None` with `state` as it was.
    pub(super) fn event(&mut self, rest: &[u8], base: u64, state: &mut State) -> Option<usize> {
        let from = rest.iter().position(|&b| !is_xml_space(b))?;
        let (taken, naming) = self.cut(rest, from)?;
        // A piece the parser would refuse as too long is left to it to refuse.
        if taken > super::MAX_EVENT {
            return None;
        }
        let event = std::str::from_utf8(rest.get(..taken)?).ok()?;
        let name = naming.name(event)?;
        let reads = if state.keep_events {
            Reads::All
        } else {
            Reads::of(name)
        };
        self.replay(event, base, reads, state);
        Some(taken)
    }

    /// Cuts the event starting at `from` into pieces: the end of its `</Event>` and where its
    /// name lies, or `None` when it is not written plainly or `rest` ends first.
    fn cut(&mut self, rest: &[u8], from: usize) -> Option<(usize, Naming)> {
        self.pieces.clear();
        self.open.clear();
        let mut naming = Naming::default();
        let mut at = from;
        loop {
            // At `<`: a tag.
            if rest.get(at) != Some(&b'<') {
                return None;
            }
            let opened = match *rest.get(at + 1)? {
                b'!' | b'?' => return None,
                b'/' => {
                    at = self.end_tag(rest, at + 2)?;
                    if self.open.is_empty() {
                        return Some((at, naming));
                    }
                    None
                }
                _ => {
                    let (close, held) = self.start_tag(rest, at + 1, &mut naming)?;
                    at = close;
                    held
                }
            };
            // Text up to the next tag.
            let text = rest.get(at..)?;
            let len = text_len(text)?;
            if text.get(len) != Some(&b'<') {
                return None;
            }
            if len > 0 && opened.is_some() {
                let range = (at, at + len);
                match opened {
                    Some(Held::Rendered) => naming.rendered = Some(range),
                    Some(Held::System) => naming.system = Some(range),
                    _ => {}
                }
                self.pieces.push(Piece::Text {
                    from: at,
                    to: at + len,
                });
            }
            at += len;
        }
    }

    /// The end tag whose name starts at `inner`: checked against the element it closes.
    /// Where the text after it starts.
    fn end_tag(&mut self, rest: &[u8], inner: usize) -> Option<usize> {
        let open = self.open.pop()?;
        let name = rest.get(open.name.0..open.name.1)?;
        let text = rest.get(inner..)?;
        // As IIS writes it, `</name>`; else the name may be followed by whitespace.
        let len = if text.get(name.len()) == Some(&b'>') && text.starts_with(name) {
            name.len()
        } else {
            let len = memchr::memchr(b'>', text)?;
            let text = text.get(..len)?;
            if memchr::memchr2(b'"', b'\'', text).is_some() || trim_xml_space_end(text) != name {
                return None;
            }
            len
        };
        let past = self.pieces.len() + 1;
        if let Some(Piece::Start { past: p, .. }) = self.pieces.get_mut(open.piece) {
            *p = past;
        }
        self.pieces.push(Piece::End);
        Some(inner + len + 1)
    }

    /// The start (or empty) tag whose name starts at `inner`: where the text after it
    /// starts, and whether that text is the event's name (`Held`), or any text the walk may
    /// keep (`Held::Other`), or none.
    fn start_tag(
        &mut self,
        rest: &[u8],
        inner: usize,
        naming: &mut Naming,
    ) -> Option<(usize, Option<Held>)> {
        let close = tag_end(rest, inner)?;
        let (to, empty) = match rest.get(close - 1) {
            Some(b'/') if close > inner => (close - 1, true),
            _ => (close, false),
        };
        let text = rest.get(inner..to)?;
        let name = text
            .iter()
            .position(|&b| is_xml_space(b))
            .unwrap_or(text.len());
        if name == 0 {
            return None;
        }
        let qname = text.get(..name)?;
        let local = match qname.iter().position(|&b| b == b':') {
            Some(colon) => qname.get(colon + 1..)?,
            None => qname,
        };
        let parent = self.open.last().map(|p| p.part);
        // As the walk tells elements apart (`State::open`): by their parent and local name.
        let after_name = inner + name;
        let (role, held, part) = match (parent, local) {
            (None, b"Event") => (Role::Other, None, Part::Event),
            (None, _) => return None,
            (Some(Part::Event), b"System") => (Role::Other, None, Part::System),
            (Some(Part::Event), b"EventData") => (Role::EventData, None, Part::EventData),
            (Some(Part::Event), b"RenderingInfo") => {
                naming.rendering_infos = naming.rendering_infos.saturating_add(1);
                (Role::Other, None, Part::RenderingInfo)
            }
            (Some(Part::Event), _) => (Role::Nothing, None, Part::Other),
            (Some(Part::EventData), b"Data") => {
                let key = plain_key(rest, after_name, to, b"Name");
                (Role::Keyed(key), Some(Held::Other), Part::Other)
            }
            (Some(Part::RenderingInfo), b"Description") => {
                let key = plain_key(rest, after_name, to, b"Data");
                (Role::Keyed(key), Some(Held::Other), Part::Other)
            }
            (Some(Part::RenderingInfo), b"Opcode") => {
                naming.opcodes = naming.opcodes.saturating_add(1);
                (Role::Other, Some(Held::Rendered), Part::Other)
            }
            (Some(Part::System), b"Opcode") => {
                naming.system_opcodes = naming.system_opcodes.saturating_add(1);
                (Role::Other, Some(Held::System), Part::Other)
            }
            (Some(Part::System), b"Level" | b"Computer") => {
                (Role::Other, Some(Held::Other), Part::Other)
            }
            (Some(Part::System), b"TimeCreated") => {
                let time = plain_key(rest, after_name, to, b"SystemTime");
                (Role::Time(time), None, Part::Other)
            }
            (Some(Part::System | Part::EventData | Part::RenderingInfo), _) => {
                (Role::Nothing, None, Part::Other)
            }
            (Some(Part::Other), _) => (Role::Other, Some(Held::Other), Part::Other),
        };
        let depth = self.open.len();
        let piece = self.pieces.len();
        self.pieces.push(Piece::Start {
            from: inner,
            to,
            name,
            empty,
            role,
            past: piece + 1,
        });
        if empty {
            return Some((close + 1, None));
        }
        if depth >= MAX_SKIM_DEPTH {
            return None;
        }
        self.open.push(Open {
            name: (inner, after_name),
            part,
            piece,
        });
        Some((close + 1, held))
    }

    /// Hands the pieces to the walk as quick-xml's events, passing over the data `reads`
    /// leaves out.
    fn replay(&self, event: &str, base: u64, reads: Reads, state: &mut State) {
        state.reads = reads;
        let mut i = 0;
        while let Some(piece) = self.pieces.get(i) {
            i += 1;
            match *piece {
                Piece::Start {
                    from,
                    to,
                    name,
                    empty,
                    role,
                    past,
                } => {
                    let text = |(k, l): (usize, usize)| event.get(k..l).unwrap_or_default();
                    let (passed_over, known) = match role {
                        Role::Other => (false, None),
                        Role::Nothing => (true, None),
                        Role::EventData => (reads == Reads::Nothing, None),
                        Role::Keyed(Some(key)) => (!reads.takes(text(key)), Some(text(key))),
                        Role::Keyed(None) => (false, None),
                        Role::Time(time) => (false, time.map(text)),
                    };
                    if passed_over {
                        i = past;
                        continue;
                    }
                    let content = event.get(from..to).unwrap_or_default();
                    let start = BytesStart::from_content(content, name);
                    // The depth was held under the limit while cutting, so the one error
                    // opening can meet does not arise here.
                    let _ = state.open_with(&start, base + to as u64, empty, known);
                    if empty {
                        state.close();
                    }
                }
                Piece::End => {
                    state.close();
                }
                Piece::Text { from, to } => {
                    if state.capturing() {
                        let text = BytesText::from_escaped(event.get(from..to).unwrap_or_default());
                        state.text(&text.xml10_content());
                    }
                }
            }
        }
        state.reads = Reads::All;
    }
}

/// Which text a start tag holds: the event's name (rendered or in `System`), or other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Held {
    Rendered,
    System,
    Other,
}

impl Naming {
    /// The event's name as the walk will find it, when it can be told for sure: what
    /// [`super::walk::Scratch::name`] returns once the event is read.
    fn name<'e>(&self, event: &'e str) -> Option<&'e str> {
        if self.rendering_infos > 1 || self.opcodes > 1 || self.system_opcodes > 1 {
            return None;
        }
        let text = |range: Option<(usize, usize)>| -> Option<&'e str> {
            let (from, to) = range?;
            event.get(from..to)
        };
        let rendered = text(self.rendered).unwrap_or_default();
        let system = text(self.system).unwrap_or_default();
        // The walk keeps a capped copy with line ends made `\n`; a name that long, or with
        // a carriage return, is left to it.
        let plain = |t: &str| t.len() <= 64 && !t.contains('\r');
        if !plain(rendered) || !plain(system) {
            return None;
        }
        let rendered = rendered.trim();
        Some(if rendered.is_empty() {
            system.trim()
        } else {
            rendered
        })
    }
}

/// The value of the one attribute of a tag written `name key="value"`, as a range, when it
/// reads the same normalised: no reference, no whitespace but spaces.
fn plain_key(rest: &[u8], after_name: usize, to: usize, key: &[u8]) -> Option<(usize, usize)> {
    let attrs = rest.get(after_name..to)?;
    let value = attrs
        .strip_prefix(b" ")?
        .strip_prefix(key)?
        .strip_prefix(b"=\"")?
        .strip_suffix(b"\"")?;
    if value
        .iter()
        .any(|&b| matches!(b, b'"' | b'&' | b'<' | b'\t' | b'\r' | b'\n'))
    {
        return None;
    }
    let from = to - 1 - value.len();
    Some((from, to - 1))
}

/// The end of the tag whose name starts at `from`: the `>` outside quoted values.
fn tag_end(rest: &[u8], mut from: usize) -> Option<usize> {
    loop {
        let text = rest.get(from..)?;
        let at = text
            .iter()
            .position(|&b| matches!(b, b'>' | b'"' | b'\''))?;
        let quote = *text.get(at)?;
        if quote == b'>' {
            return Some(from + at);
        }
        // A quoted value: a name, a number or a GUID, else a URL, for which memchr pays.
        let value = text.get(at + 1..)?;
        let short = value.get(..value.len().min(40)).unwrap_or_default();
        let len = match short.iter().position(|&b| b == quote) {
            Some(len) => len,
            None => short.len() + memchr::memchr(quote, value.get(short.len()..)?)?,
        };
        from += at + 1 + len + 1;
    }
}

/// The length of the text at the start of `text`, up to the next `<` or `&`: mostly a line
/// break and indentation, else a value.
fn text_len(text: &[u8]) -> Option<usize> {
    let head = text.get(..text.len().min(8)).unwrap_or_default();
    match head.iter().position(|&b| b == b'<' || b == b'&') {
        Some(at) => Some(at),
        None => Some(head.len() + memchr::memchr2(b'<', b'&', text.get(head.len()..)?)?),
    }
}

fn is_xml_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

fn trim_xml_space_end(text: &[u8]) -> &[u8] {
    let end = text
        .iter()
        .rposition(|&b| !is_xml_space(b))
        .map_or(0, |last| last + 1);
    text.get(..end).unwrap_or_default()
}

#[cfg(test)]
mod tests;
