//! What the XML readers (FREB traces, Event XML) share: a reader under the parser that refuses
//! one piece of XML longer than [`MAX_PIECE`], text capped without splitting a character, and
//! references resolved to the five predefined entities and character references only, so an
//! entity a DOCTYPE might declare is never expanded.

use std::borrow::Cow;
use std::io::{self, BufRead, Read};

use quick_xml::Reader;
use quick_xml::XmlVersion;
use quick_xml::events::{BytesRef, BytesStart};

/// Longest tag or text the XML parser may hold at once (bytes); real events are a few KiB.
pub const MAX_PIECE: usize = 4 << 20;

/// The reader under the XML parser: it refuses to hand out more than [`MAX_PIECE`] bytes for
/// one piece of XML, since the parser holds a whole tag or text in memory until it ends. It
/// also counts the line ends the parser has moved past, so a problem can name its line.
pub(crate) struct Bounded<R> {
    inner: R,
    /// Bytes handed out since the caller last set it to 0 (before each piece).
    pub(crate) since_event: u64,
    /// `\n` bytes handed out so far.
    pub(crate) newlines: u64,
}

impl<R> Bounded<R> {
    pub(crate) fn new(inner: R) -> Bounded<R> {
        Bounded {
            inner,
            since_event: 0,
            newlines: 0,
        }
    }

    fn check(&self) -> io::Result<()> {
        if self.since_event > MAX_PIECE as u64 {
            return Err(io::Error::other(format!(
                "one piece of XML longer than {} MiB",
                MAX_PIECE >> 20
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
        let read = buf.get(..n).unwrap_or_default();
        self.newlines += count_newlines(read);
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
        // The bytes consumed are the front of the buffer the parser was just handed; asking
        // for it again does no I/O.
        if let Ok(buf) = self.inner.fill_buf() {
            let used = buf.get(..n).unwrap_or(buf);
            self.newlines += count_newlines(used);
        }
        self.inner.consume(n);
    }
}

/// The `\n` bytes in `bytes`. The parser consumes a few dozen bytes at a time, where a plain
/// loop (which the compiler vectorises) costs less than setting up memchr's search.
fn count_newlines(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|&&b| b == b'\n').count() as u64
}

/// Whether the parser's input has nothing left (an error reading it counts as the end).
pub(crate) fn at_end<R: BufRead>(xml: &mut Reader<R>) -> bool {
    xml.get_mut()
        .fill_buf()
        .map(|b| b.is_empty())
        .unwrap_or(true)
}

/// Appends as much of `text` as fits in `cap` bytes, never splitting a character.
pub(crate) fn push_capped(dst: &mut String, text: &str, cap: usize) {
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

/// The text a reference stands for: `&lt;` and `&#39;` become their characters; any other
/// name stays as written (`&name;`), so an entity a DOCTYPE might have declared is never
/// expanded. `None` for a character reference that names no character.
pub(crate) fn reference_text(reference: &BytesRef) -> Option<Cow<'static, str>> {
    match reference.resolve_char_ref() {
        Ok(Some(c)) => Some(Cow::Owned(c.to_string())),
        Ok(None) => Some(match &**reference {
            "lt" => Cow::Borrowed("<"),
            "gt" => Cow::Borrowed(">"),
            "amp" => Cow::Borrowed("&"),
            "quot" => Cow::Borrowed("\""),
            "apos" => Cow::Borrowed("'"),
            other => Cow::Owned(format!("&{other};")),
        }),
        Err(_) => None,
    }
}

/// An attribute's value, borrowed from the read buffer unless it holds references (a value
/// with a reference that is not predefined is kept as written).
pub(crate) fn attribute<'a>(start: &'a BytesStart, name: &str) -> Option<Cow<'a, str>> {
    let attr = start.try_get_attribute(name).ok().flatten()?;
    let value = attr
        .normalized_value(XmlVersion::Implicit1_0)
        .unwrap_or_else(|_| attr.value.clone());
    Some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capped_text_never_splits_a_character() {
        for (text, cap, want) in [
            ("abc", 2, "ab"),
            ("ééé", 3, "é"),
            ("ééé", 4, "éé"),
            ("ab", 10, "ab"),
            ("日本", 2, ""),
        ] {
            let mut s = String::new();
            push_capped(&mut s, text, cap);
            assert_eq!(s, want, "{text} at {cap}");
        }
    }

    #[test]
    fn lines_are_counted_as_the_parser_moves_past_them() {
        let text = "<a>\n<b/>\r\n<c>x\ny</c>\n</a>\n";
        let mut xml = Reader::from_reader(Bounded::new(io::BufReader::with_capacity(
            3,
            text.as_bytes(),
        )));
        let mut buf = Vec::new();
        let mut seen = Vec::new();
        loop {
            match xml.read_event_into(&mut buf) {
                Ok(quick_xml::events::Event::Eof) | Err(_) => break,
                Ok(quick_xml::events::Event::Start(s)) => {
                    seen.push((s.local_name().as_ref().to_string(), xml.get_ref().newlines));
                }
                Ok(_) => {}
            }
            buf.clear();
        }
        assert_eq!(
            seen,
            [("a".to_string(), 0), ("c".to_string(), 2)],
            "the line a start tag ends on, from 0"
        );
    }
}
