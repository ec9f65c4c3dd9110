//! Reader for PHP's error log (`php_errors.log`, the `error_log` of a PHP site on IIS): one
//! entry per `[DD-Mon-YYYY HH:MM:SS ZONE] PHP <Level>:  <message> in <file> on line <n>`
//! line, with the stack trace lines after it (`PHP Stack trace:`, `#0 ...`, `thrown in ...`)
//! folded into it. A fatal error here is what a FastCGI 500 in the W3C log hides.
//!
//! PHP writes its times in the zone `date.timezone` names. Only `UTC` is turned into a time:
//! iisdiag carries no time-zone database, so a time in `America/Los_Angeles` is kept as the
//! clock time and zone it was written with, never passed off as UTC.

use std::io::{self, Read};

use crate::input::lines::{self, Stats};
use crate::input::secret;
use crate::time::{self, Millis};

/// Most bytes of a message kept; the rest of a long one (a serialized object) is cut.
pub const MESSAGE_MAX: usize = 2048;
/// The levels PHP writes, for the sniffer and the reader.
pub const LEVELS: &[&str] = &[
    "Fatal error",
    "Parse error",
    "Warning",
    "Notice",
    "Deprecated",
    "Catchable fatal error",
    "Recoverable fatal error",
    "Strict Standards",
    "Core error",
    "Core warning",
    "Compile error",
    "Compile warning",
    "User error",
    "User warning",
    "User notice",
    "User deprecated",
];

/// One entry of the error log.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PhpEntry {
    /// The time, when the log wrote it in UTC.
    pub time: Option<Millis>,
    /// The time and zone as written, when the zone is not UTC (`01-Dec-2018 12:27:28
    /// America/Los_Angeles`).
    pub local: Option<String>,
    /// The clock time as written, in whatever zone (for spans within one file).
    pub wall: Option<Millis>,
    /// The zone name as written (`UTC`, `America/Los_Angeles`).
    pub zone: String,
    pub level: String,
    /// At most [`MESSAGE_MAX`] bytes.
    pub message: String,
    pub file: Option<String>,
    pub line: Option<u32>,
}

/// Whether a level ends the request (a 500 from FastCGI).
pub fn is_fatal(level: &str) -> bool {
    let l = level.to_ascii_lowercase();
    l.contains("fatal")
        || l.contains("parse error")
        || l.contains("core error")
        || l.contains("compile error")
        || l == "user error"
}

/// Whether a file's first bytes are a PHP error log: its first non-empty line starts with
/// `[` + a PHP date + `] PHP `.
pub fn looks_like_php_log(head: &[u8]) -> bool {
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    head.split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .find(|l| !l.trim_ascii().is_empty())
        .is_some_and(|l| split_head(l).is_some_and(|(_, rest)| rest.starts_with(b"PHP ")))
}

/// `[stamp] rest` of a line whose stamp is a PHP date: the parsed stamp and what follows.
fn split_head(line: &[u8]) -> Option<(Stamp<'_>, &[u8])> {
    let inner = line.strip_prefix(b"[")?;
    let close = memchr::memchr(b']', inner)?;
    let stamp = parse_stamp(&inner[..close])?;
    let rest = inner[close + 1..]
        .strip_prefix(b" ")
        .unwrap_or(&inner[close + 1..]);
    Some((stamp, rest))
}

struct Stamp<'a> {
    /// The clock time as if it were UTC.
    wall: Millis,
    zone: &'a str,
    raw: &'a str,
}

const MONTHS: [&[u8]; 12] = [
    b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec",
];

/// `24-Sep-2018 11:14:31 America/Los_Angeles`.
fn parse_stamp(s: &[u8]) -> Option<Stamp<'_>> {
    let raw = std::str::from_utf8(s).ok()?;
    if s.len() < 22 || s[2] != b'-' || s[6] != b'-' || s[11] != b' ' || s[20] != b' ' {
        return None;
    }
    let month = MONTHS.iter().position(|m| *m == &s[3..6])? + 1;
    let mut date = [0u8; 10];
    date[..4].copy_from_slice(&s[7..11]);
    date[4] = b'-';
    date[5] = b'0' + (month / 10) as u8;
    date[6] = b'0' + (month % 10) as u8;
    date[7] = b'-';
    date[8..].copy_from_slice(&s[..2]);
    let days = time::parse_date(&date)?;
    let ms = time::parse_time(&s[12..20])?;
    let zone = &raw[21..];
    if zone.is_empty() || zone.len() > 64 || !zone.bytes().all(|b| b.is_ascii_graphic()) {
        return None;
    }
    Some(Stamp {
        wall: time::at(days, ms),
        zone,
        raw,
    })
}

/// Splits `message in file on line n` (or `... in file:n`, as uncaught exceptions write it).
fn locate(text: &str) -> (&str, Option<&str>, Option<u32>) {
    if let Some(on) = text.rfind(" on line ") {
        let n = text[on + 9..].trim();
        if let (Ok(n), Some(at)) = (n.parse::<u32>(), text[..on].rfind(" in ")) {
            return (
                text[..at].trim_end(),
                Some(text[at + 4..on].trim()),
                Some(n),
            );
        }
    }
    if let Some(at) = text.rfind(" in ") {
        let place = text[at + 4..].trim();
        if let Some(colon) = place.rfind(':')
            && let Ok(n) = place[colon + 1..].parse::<u32>()
            && colon > 0
        {
            return (text[..at].trim_end(), Some(&place[..colon]), Some(n));
        }
    }
    (text.trim_end(), None, None)
}

fn cap(text: &str) -> String {
    if text.len() <= MESSAGE_MAX {
        return text.to_string();
    }
    let mut end = MESSAGE_MAX;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_string()
}

/// Whether a line without a stamp continues the entry before it (a stack trace).
fn continues(line: &[u8]) -> bool {
    let t = line.trim_ascii_start();
    line.first().is_some_and(|b| b.is_ascii_whitespace())
        || t.starts_with(b"Stack trace:")
        || t.starts_with(b"PHP Stack trace:")
        || t.starts_with(b"PHP ")
            && t[4..]
                .trim_ascii_start()
                .first()
                .is_some_and(u8::is_ascii_digit)
        || t.starts_with(b"#") && t.get(1).is_some_and(u8::is_ascii_digit)
        || t.starts_with(b"thrown in ")
        || t.starts_with(b"Next ")
}

struct Parser<F> {
    stats: Stats,
    pending: Option<PhpEntry>,
    /// The zones other than UTC the times were written in (a few at most: kept up to 4).
    zones: std::collections::BTreeSet<String>,
    visit: F,
}

impl<F: FnMut(&PhpEntry)> Parser<F> {
    fn flush(&mut self) {
        if let Some(entry) = self.pending.take() {
            self.stats.records += 1;
            (self.visit)(&entry);
        }
    }

    fn continuation(&mut self, text: &[u8]) {
        let Some(entry) = self.pending.as_mut() else {
            return;
        };
        let t = String::from_utf8_lossy(text.trim_ascii());
        // `  thrown in C:\x.php on line 14` names where an uncaught exception left.
        if entry.file.is_none()
            && let Some(rest) = t.strip_prefix("thrown")
        {
            let (_, file, line) = locate(rest);
            entry.file = file.map(str::to_string);
            entry.line = line;
        }
    }
}

impl<F: FnMut(&PhpEntry)> lines::Sink for Parser<F> {
    fn line(&mut self, line: &[u8], number: u64, unterminated: bool) {
        let line = line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line);
        if line.trim_ascii().is_empty() {
            return;
        }
        let Some((stamp, rest)) = split_head(line) else {
            if self.pending.is_some() && continues(line) {
                self.continuation(line);
            } else if unterminated {
                self.stats
                    .notes
                    .push(format!("line {number}: the last line is cut off; not read"));
            } else {
                self.stats.malformed(number, || {
                    "not a PHP error log line ([date] PHP Level: message)".into()
                });
            }
            return;
        };
        let Some(body) = rest.strip_prefix(b"PHP ") else {
            self.stats.malformed(number, || {
                "a dated line without `PHP ` after the date".into()
            });
            return;
        };
        if body.starts_with(b"Stack trace:")
            || body
                .trim_ascii_start()
                .first()
                .is_some_and(u8::is_ascii_digit)
        {
            self.continuation(body);
            return;
        }
        let text = String::from_utf8_lossy(body);
        let Some(colon) = text.find(':').filter(|&c| {
            c > 0
                && c <= 40
                && text[..c]
                    .bytes()
                    .all(|b| b.is_ascii_alphabetic() || b == b' ')
        }) else {
            self.stats
                .malformed(number, || "no `Level:` after `PHP `".into());
            return;
        };
        self.flush();
        let (message, file, line_no) = locate(text[colon + 1..].trim_start());
        let utc = stamp.zone.eq_ignore_ascii_case("UTC");
        if !utc && self.zones.len() < 4 && !self.zones.contains(stamp.zone) {
            self.zones.insert(stamp.zone.to_string());
        }
        self.pending = Some(PhpEntry {
            time: utc.then_some(stamp.wall),
            local: (!utc).then(|| stamp.raw.to_string()),
            wall: Some(stamp.wall),
            zone: stamp.zone.to_string(),
            level: text[..colon].to_string(),
            message: cap(&secret::mask(message)),
            file: file.map(str::to_string),
            line: line_no,
        });
        if unterminated && file.is_none() {
            self.stats.notes.push(format!(
                "line {number}: the last line may be cut off (no `in <file> on line <n>`)"
            ));
        }
    }

    fn too_long(&mut self, number: u64) {
        self.stats.malformed(number, lines::too_long);
    }

    fn cr_only(&mut self) {
        self.stats.notes.push(lines::cr_only_note());
    }
}

/// Reads a PHP error log, calling `visit` for every entry in file order (an entry is handed
/// over once the line after its stack trace is seen). Only I/O errors are returned.
pub fn read_php<R: Read>(reader: R, visit: impl FnMut(&PhpEntry)) -> io::Result<Stats> {
    let mut parser = Parser {
        stats: Stats::default(),
        pending: None,
        zones: std::collections::BTreeSet::new(),
        visit,
    };
    parser.stats.lines = lines::read(reader, lines::Start::File { skip_bom: true }, &mut parser)?;
    parser.flush();
    if !parser.zones.is_empty() {
        let zones: Vec<&str> = parser.zones.iter().map(String::as_str).collect();
        parser.stats.notes.push(format!(
            "times are in {}; iisdiag has no time-zone database, so they are not lined up with UTC logs",
            zones.join(", ")
        ));
    }
    Ok(parser.stats)
}

#[cfg(test)]
mod tests;
