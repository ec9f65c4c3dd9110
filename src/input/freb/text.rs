//! Text as a trace writes it: statuses and times in attributes, values capped without
//! splitting a character, IIS's rendered error codes on one line, and the response body as a
//! short excerpt of plain text.

use super::EXCERPT_CHARS;
use crate::time::{self, Millis};

/// `404` or `401.503` (status and substatus).
pub(super) fn parse_status(text: &str) -> Option<(u16, Option<u32>)> {
    let (status, substatus) = match text.split_once('.') {
        Some((status, sub)) => (status, sub.trim().parse().ok()),
        None => (text, None),
    };
    Some((status.trim().parse().ok()?, substatus))
}

/// A time as an event's `SystemTime` writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum SystemTime {
    /// None written, or not RFC 3339.
    None,
    /// Milliseconds since the epoch.
    At(Millis),
    /// A time outside the years W3C dates may carry ([`time::in_range`]): damage (a wrong
    /// clock, a forged trace), never laid out on a timeline.
    OutOfRange,
}

/// `2026-01-20T10:15:30.123456700Z`, held to the years 1990 to 2100 as log dates are.
pub(super) fn parse_system_time(text: &str) -> SystemTime {
    let text = text.trim();
    if text.is_empty() {
        return SystemTime::None;
    }
    match chrono::DateTime::parse_from_rfc3339(text) {
        Ok(t) if time::in_range(t.timestamp_millis()) => SystemTime::At(t.timestamp_millis()),
        Ok(_) => SystemTime::OutOfRange,
        Err(_) => SystemTime::None,
    }
}

pub(super) use crate::input::xml::{attribute, push_capped};

pub(super) fn capped(text: &str, cap: usize) -> String {
    let mut out = String::new();
    push_capped(&mut out, text, cap);
    out
}

/// `text` on one line: IIS renders error codes as `message.\r (0x80070002)`, and XML turns
/// that carriage return into a line break.
pub(super) fn one_line(text: &str, max_chars: usize) -> String {
    let mut out = String::new();
    push_collapsed(&mut out, text, max_chars);
    out
}

/// Appends `text` with runs of whitespace (line breaks included) made one space, at most
/// `max` characters, marking a cut with `...`.
pub(super) fn push_collapsed(dst: &mut String, text: &str, max: usize) {
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

pub(super) fn truncate_chars(text: &mut String, max: usize) {
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
