//! The line reader the three text formats share (W3C, HTTP.sys, IIS native): one loop that
//! finds line ends in a reused buffer, one cap on a line's length, and one record of what a
//! file held besides its records.
//!
//! Lines are handed out as slices of the buffer without their `\n` or `\r\n`; nothing is
//! allocated per line. A file whose lines end in a lone `\r` (old Mac style: IIS never writes
//! it, but a conversion tool might) would otherwise be one long line and give no record
//! without a word, so a read from a file's start looks at its first bytes: no `\n` in them and
//! a `\r` inside them, and the file is read with `\r` as the line end, and the sink is told
//! (a note). Only the start decides, so a stray `\r` later in a file changes nothing. A line longer than [`MAX_LINE`] is never held: the reader is told once,
//! its bytes are dropped as they arrive, and reading goes on at the next line. Each thread
//! keeps its buffer from file to file, so a folder of small logs does not allocate and zero a
//! fresh one for each.

use std::cell::RefCell;
use std::io::{self, Read};

use memchr::memchr;

/// Lines longer than this are skipped as malformed; the buffer never grows past it. Real
/// lines are far shorter: IIS and HTTP.sys cut a URL at 4,096 bytes and a W3C line of every
/// field with a long query and cookie stays within tens of KiB.
pub const MAX_LINE: usize = 4 << 20;
/// How many malformed lines are named one by one.
pub const MALFORMED_SAMPLES: usize = 5;
/// Size of each read; the buffer grows only while one line is longer than this.
pub(crate) const READ_SIZE: usize = 1 << 20;
/// How many first bytes of a file tell whether its lines end in CR only.
const CR_EVIDENCE: usize = 64 << 10;
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// A line that could not be read, for the report.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Malformed {
    pub line: u64,
    pub reason: String,
}

/// What reading one file found besides its records.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    /// Lines in the file: directives, blank and skipped lines included.
    pub lines: u64,
    /// Lines handed to the caller as records.
    pub records: u64,
    /// Lines that are neither records, directives nor blank.
    pub malformed: u64,
    /// The first few malformed lines, in file order.
    pub malformed_samples: Vec<Malformed>,
    /// `#Fields:` lines: IIS and HTTP.sys write a header block each time they start.
    pub header_blocks: u64,
    /// What is worth telling about the file that is not an error (a layout assumed, a last
    /// line cut off mid-write).
    pub notes: Vec<String>,
}

impl Stats {
    /// Counts a malformed line; its reason is made only if it is among the first few kept.
    pub fn malformed(&mut self, line: u64, reason: impl FnOnce() -> String) {
        self.malformed += 1;
        if self.malformed_samples.len() < MALFORMED_SAMPLES {
            self.malformed_samples.push(Malformed {
                line,
                reason: reason(),
            });
        }
    }
}

/// Why a line past [`MAX_LINE`] was skipped, in the same words for every format.
pub fn too_long() -> String {
    format!("line longer than {} MiB, skipped", MAX_LINE >> 20)
}

/// What a format's reader does with the lines [`read`] finds.
pub(crate) trait Sink {
    /// One line, numbered from 1, without its line end. `unterminated` is true only for a
    /// last line with no `\n` (a file cut off mid-write, or one that simply ends).
    fn line(&mut self, line: &[u8], number: u64, unterminated: bool);

    /// A line longer than [`MAX_LINE`], numbered like the others; its bytes are not kept.
    fn too_long(&mut self, number: u64);

    /// Whether reading should stop after the last line handed over.
    fn stopped(&self) -> bool {
        false
    }

    /// The file's lines end in a lone `\r`: they are split there (told before the first line).
    fn cr_only(&mut self) {}
}

/// The note for a file read with `\r` as its line end, in the same words for every format.
pub fn cr_only_note() -> String {
    "lines end in CR only (no LF; a file converted by a tool?): read with CR as the line end"
        .to_string()
}

/// Where a read starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Start {
    /// At a file's first byte: a UTF-8 byte order mark is passed over when `skip_bom`, and the
    /// first bytes tell whether lines end in CR only.
    File { skip_bom: bool },
    /// At a line start inside a file (a part read on its own): lines end in `\n`.
    Part,
}

/// Reads `reader` to its end, or until `sink` stops, handing it every line; returns how many
/// lines were read.
pub(crate) fn read<R: Read, S: Sink>(reader: R, start: Start, sink: &mut S) -> io::Result<u64> {
    BUFFER.with(|cell| match cell.try_borrow_mut() {
        Ok(mut buf) => {
            // Back to the usual size: a long line may have grown it for an earlier file.
            buf.resize(READ_SIZE, 0);
            buf.shrink_to(READ_SIZE);
            read_in(&mut buf, MAX_LINE, reader, start, sink)
        }
        // Only if a reader ever reads a log within a log on the same thread.
        Err(_) => read_in(&mut vec![0u8; READ_SIZE], MAX_LINE, reader, start, sink),
    })
}

thread_local! {
    /// Each thread's read buffer, kept from file to file.
    static BUFFER: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// [`read`] with a given buffer (not empty) and cap, so tests can use tiny ones.
fn read_in<R: Read, S: Sink>(
    buf: &mut Vec<u8>,
    max: usize,
    mut reader: R,
    from: Start,
    sink: &mut S,
) -> io::Result<u64> {
    // Unread bytes are buf[start..end]; a line's bytes past `max` are dropped while `skipping`.
    let (mut start, mut end) = (0usize, 0usize);
    let mut at_start = from == Start::File { skip_bom: true };
    let mut skipping = false;
    let mut number = 0u64;
    // Lines end at `eol`; while `deciding`, no line has been handed out and the first bytes
    // have not yet told whether it is `\r`.
    let mut eol = b'\n';
    let mut deciding = from != Start::Part;
    loop {
        if end == buf.len() {
            if start > 0 {
                buf.copy_within(start..end, 0);
                end -= start;
                start = 0;
            } else if buf.len() < max {
                buf.resize((buf.len() * 2).clamp(1, max), 0);
            } else {
                // One line fills the buffer at its cap: drop what we have, skip to its end.
                if !skipping {
                    number += 1;
                    sink.too_long(number);
                }
                skipping = true;
                end = 0;
            }
        }
        let n = match reader.read(&mut buf[end..]) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        let eof = n == 0;
        end += n;
        // Decided once the first bytes tell: a reader may hand out fewer than three at first.
        if at_start && (end >= BOM.len() || !BOM.starts_with(&buf[..end])) {
            at_start = false;
            if buf[..end].starts_with(BOM) {
                start = BOM.len();
            }
        }
        if deciding {
            let seen = &buf[start..end];
            let lf = memchr(b'\n', seen).is_some();
            if lf || eof || seen.len() >= CR_EVIDENCE.min(max) {
                deciding = false;
                if !lf && memchr(b'\r', seen).is_some_and(|i| i + 1 < seen.len()) {
                    eol = b'\r';
                    sink.cr_only();
                }
            } else {
                // Not enough bytes to tell yet, and no line end of either kind to hand out.
                continue;
            }
        }
        if skipping {
            // The rest of a line past the cap: dropped up to its end.
            match memchr(eol, &buf[start..end]) {
                Some(i) => {
                    start += i + 1;
                    skipping = false;
                }
                None if eof => return Ok(number),
                None => {
                    (start, end) = (0, 0);
                    continue;
                }
            }
        }
        while let Some(i) = memchr(eol, &buf[start..end]) {
            let line = &buf[start..start + i];
            start += i + 1;
            number += 1;
            sink.line(strip_cr(line), number, false);
            if sink.stopped() {
                return Ok(number);
            }
        }
        if eof {
            if start < end && !skipping {
                number += 1;
                sink.line(strip_cr(&buf[start..end]), number, true);
            }
            return Ok(number);
        }
    }
}

/// The line without a final `\r`.
fn strip_cr(line: &[u8]) -> &[u8] {
    match line.split_last() {
        Some((b'\r', rest)) => rest,
        _ => line,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every line as text, with its number and whether it was the unterminated last one;
    /// `None` for a line past the cap.
    #[derive(Default)]
    struct Seen(Vec<(u64, Option<(String, bool)>)>);

    impl Sink for Seen {
        fn line(&mut self, line: &[u8], number: u64, unterminated: bool) {
            let text = String::from_utf8_lossy(line).into_owned();
            self.0.push((number, Some((text, unterminated))));
        }

        fn too_long(&mut self, number: u64) {
            self.0.push((number, None));
        }
    }

    /// A reader that hands out at most `step` bytes at a time.
    struct Trickle<'a> {
        data: &'a [u8],
        step: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            let n = self.data.len().min(out.len()).min(self.step);
            out[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    fn line(number: u64, text: &str, unterminated: bool) -> (u64, Option<(String, bool)>) {
        (number, Some((text.to_string(), unterminated)))
    }

    #[test]
    fn lines_are_capped_at_any_read_and_buffer_boundary() {
        let text = b"\xEF\xBB\xBFabcdef\r\nxy\nabcdefghij\n\nz\r";
        let want = [
            line(1, "abcdef", false),
            line(2, "xy", false),
            (3, None),
            line(4, "", false),
            line(5, "z", true),
        ];
        for step in 1..12 {
            for initial in 1..8 {
                let mut seen = Seen::default();
                let mut buf = vec![0u8; initial];
                let reader = Trickle { data: text, step };
                let start = Start::File { skip_bom: true };
                let lines = read_in(&mut buf, 8, reader, start, &mut seen).unwrap();
                assert_eq!(lines, 5, "step {step}, buffer {initial}");
                assert_eq!(seen.0, want, "step {step}, buffer {initial}");
                assert!(buf.len() <= 8);
            }
        }
    }

    /// Lines and whether the sink was told they end in CR only.
    #[derive(Default)]
    struct CrSeen(Seen, u32);

    impl Sink for CrSeen {
        fn line(&mut self, line: &[u8], number: u64, unterminated: bool) {
            self.0.line(line, number, unterminated);
        }
        fn too_long(&mut self, number: u64) {
            self.0.too_long(number);
        }
        fn cr_only(&mut self) {
            assert!(self.0.0.is_empty(), "told before the first line");
            self.1 += 1;
        }
    }

    #[test]
    fn cr_only_line_ends_split_lines_and_are_told() {
        let file = Start::File { skip_bom: true };
        type Case<'a> = (&'a [u8], Start, &'a [(u64, Option<(String, bool)>)], u32);
        let cases: [Case; 5] = [
            (
                b"\xEF\xBB\xBFab\rc\r\rdef\rgh",
                file,
                &[
                    line(1, "ab", false),
                    line(2, "c", false),
                    line(3, "", false),
                    line(4, "def", false),
                    line(5, "gh", true),
                ],
                1,
            ),
            // An LF among the first bytes: lines end in LF, a lone CR is data.
            (
                b"ab\rc\nd\r\n",
                file,
                &[line(1, "ab\rc", false), line(2, "d", false)],
                0,
            ),
            // A CR that only ends the file is a CRLF cut short.
            (b"abc\r", file, &[line(1, "abc", true)], 0),
            // Past the cap, CR-only lines are still lines.
            (
                b"a\rbcdefghijk\rl\r",
                file,
                &[line(1, "a", false), (2, None), line(3, "l", false)],
                1,
            ),
            // A part of a file never decides: it starts where a `\n` ended a line.
            (b"ab\rc", Start::Part, &[line(1, "ab\rc", true)], 0),
        ];
        for (text, start, want, told) in cases {
            for step in 1..12 {
                for initial in 1..8 {
                    let mut seen = CrSeen::default();
                    let mut buf = vec![0u8; initial];
                    let reader = Trickle { data: text, step };
                    let lines = read_in(&mut buf, 8, reader, start, &mut seen).unwrap();
                    let what = format!(
                        "{:?}, step {step}, buffer {initial}",
                        String::from_utf8_lossy(text)
                    );
                    assert_eq!(seen.0.0, want, "{what}");
                    assert_eq!(lines, want.len() as u64, "{what}");
                    assert_eq!(seen.1, told, "{what}");
                }
            }
        }
    }

    #[test]
    fn a_bom_is_skipped_only_when_asked_and_only_at_the_start() {
        let mut seen = Seen::default();
        let keep = Start::File { skip_bom: false };
        read(&b"\xEF\xBB\xBFa\n\xEF\xBB\xBFb"[..], keep, &mut seen).unwrap();
        assert_eq!(
            seen.0,
            [line(1, "\u{feff}a", false), line(2, "\u{feff}b", true)]
        );
        let mut seen = Seen::default();
        let skip = Start::File { skip_bom: true };
        read(&b"\xEF\xBB\xBFa\n\xEF\xBB\xBFb\n"[..], skip, &mut seen).unwrap();
        assert_eq!(seen.0, [line(1, "a", false), line(2, "\u{feff}b", false)]);
    }

    #[test]
    fn the_sink_can_stop_the_read() {
        struct FirstTwo(u64);
        impl Sink for FirstTwo {
            fn line(&mut self, _: &[u8], number: u64, _: bool) {
                self.0 = number;
            }
            fn too_long(&mut self, _: u64) {}
            fn stopped(&self) -> bool {
                self.0 >= 2
            }
        }
        let mut sink = FirstTwo(0);
        assert_eq!(
            read(&b"a\nb\nc\nd\n"[..], Start::Part, &mut sink).unwrap(),
            2
        );
        assert_eq!(sink.0, 2);
    }

    #[test]
    fn a_line_past_the_cap_is_one_malformed_line_not_held() {
        let mut text = b"a\n".to_vec();
        text.extend(std::iter::repeat_n(b'x', MAX_LINE + 10));
        text.extend(b"\nb\n");
        let mut seen = Seen::default();
        assert_eq!(read(&text[..], Start::Part, &mut seen).unwrap(), 3);
        assert_eq!(
            seen.0,
            [line(1, "a", false), (2, None), line(3, "b", false)]
        );
        BUFFER.with(|b| assert!(b.borrow().len() <= MAX_LINE));
        assert_eq!(too_long(), "line longer than 4 MiB, skipped");
    }

    #[test]
    fn only_the_first_malformed_lines_keep_their_reason() {
        let mut stats = Stats::default();
        for line in 1..=20 {
            stats.malformed(line, || format!("bad {line}"));
        }
        assert_eq!(stats.malformed, 20);
        let kept: Vec<u64> = stats.malformed_samples.iter().map(|m| m.line).collect();
        assert_eq!(kept, [1, 2, 3, 4, 5]);
    }
}
