//! The reader loop: lines found in a reused buffer, directives applied, data lines parsed
//! against the layout in force; a part of a file read with a guessed context stops at a first
//! data line the guess does not fit.

use std::cell::RefCell;
use std::io::{self, Read};

use memchr::memchr;

use super::context::{Context, Facts, Part, Sample};
use super::fields::{Fields, locate_plain, plain_field_count, slice, split_folded, split_quoted};
use super::layout::{Field, Layout};
use super::record::{Record, key_of, record};
use super::{MALFORMED_SAMPLES, MAX_LINE, READ_SIZE};
use crate::time;

/// Reads a whole file (`first`: it starts at the file's first byte) or a part of one that
/// starts at a line boundary with `context` in force. Line numbers count from the part's start.
pub(crate) fn read_part<R: Read, F: FnMut(&Record<'_>)>(
    reader: R,
    context: Context,
    first: bool,
    visit: F,
) -> io::Result<Part> {
    BUFFER.with(|cell| match cell.try_borrow_mut() {
        Ok(mut buf) => {
            // Back to the usual size: longer lines may have grown it for an earlier file.
            buf.resize(READ_SIZE, 0);
            buf.shrink_to(READ_SIZE);
            read_part_in(&mut buf, reader, context, first, visit)
        }
        // Only if a reader ever reads a log within a log on the same thread.
        Err(_) => read_part_in(&mut vec![0u8; READ_SIZE], reader, context, first, visit),
    })
}

thread_local! {
    /// Each thread's read buffer, kept from file to file: a folder of small logs would
    /// otherwise allocate and zero a fresh one for each.
    static BUFFER: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

fn read_part_in<R: Read, F: FnMut(&Record<'_>)>(
    buf: &mut Vec<u8>,
    mut reader: R,
    context: Context,
    first: bool,
    mut visit: F,
) -> io::Result<Part> {
    let mut state = State {
        declared: if context.layout.is_some() {
            Declared::Context
        } else {
            Declared::Inferred
        },
        check_guess: context.guessed,
        layout: context.layout,
        header_day: context.day,
        ..State::default()
    };
    let (mut start, mut end) = (0usize, 0usize);
    let mut at_start = first;
    let mut skipping_long = false;
    loop {
        if end == buf.len() {
            if start > 0 {
                buf.copy_within(start..end, 0);
                end -= start;
                start = 0;
            } else if buf.len() < MAX_LINE {
                buf.resize((buf.len() * 2).min(MAX_LINE), 0);
            } else {
                // A line longer than MAX_LINE: drop what we have and skip to its end.
                if !skipping_long {
                    state.line_no += 1;
                    state.malformed(Reason::Text(format!(
                        "line longer than {} MiB, skipped",
                        MAX_LINE >> 20
                    )));
                }
                skipping_long = true;
                start = 0;
                end = 0;
            }
        }
        let n = match reader.read(&mut buf[end..]) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if n == 0 {
            if start < end && !skipping_long {
                state.line_no += 1;
                state.line(&buf[start..end], true, &mut visit);
            }
            break;
        }
        if at_start && end == 0 {
            at_start = false;
            if buf[..n].starts_with(b"\xEF\xBB\xBF") {
                start = 3;
            }
        }
        end += n;
        while let Some(i) = memchr(b'\n', &buf[start..end]) {
            let line = &buf[start..start + i];
            start += i + 1;
            if skipping_long {
                skipping_long = false;
                continue;
            }
            state.line_no += 1;
            state.line(line, false, &mut visit);
            if state.stopped {
                break;
            }
        }
        if state.stopped {
            break;
        }
    }
    Ok(Part {
        stopped: state.stopped,
        used_layout: state.used_layout,
        used_day: state.used_day,
        lines: state.line_no,
        last_fields: state.last_fields,
        last_day: state.last_day,
        facts: state.facts,
    })
}

/// The `#Fields:` line a field-count error refers to.
#[derive(Debug, Clone, Copy, Default)]
pub(super) enum Declared {
    /// No `#Fields:` line: the layout was inferred from the data.
    #[default]
    Inferred,
    /// The one in force where the part starts.
    Context,
    /// A line of this part.
    Line(u64),
}

/// Why a line was left out.
#[derive(Debug, Clone)]
pub(super) enum Reason {
    Text(String),
    FieldCount {
        found: usize,
        want: usize,
        declared: Declared,
    },
}

/// The last date and time read, so the lines of one day parse their date once, the lines of
/// one second their time once, and the lines of one minute only their seconds.
#[derive(Default)]
pub(super) struct TimeCache {
    date: Option<([u8; 10], i64)>,
    /// A plain `HH:MM:SS`, its milliseconds since midnight and those of its minute.
    time: Option<([u8; 8], i64, i64)>,
}

impl TimeCache {
    pub(super) fn day(&mut self, d: &[u8]) -> Option<i64> {
        let text = <[u8; 10]>::try_from(d).ok()?;
        match self.date {
            Some((t, day)) if t == text => Some(day),
            _ => {
                let day = time::parse_date(d)?;
                self.date = Some((text, day));
                Some(day)
            }
        }
    }

    pub(super) fn time(&mut self, t: &[u8]) -> Option<i64> {
        // Only plain `HH:MM:SS`: times with a fraction are parsed each time.
        let Ok(text) = <[u8; 8]>::try_from(t) else {
            return time::parse_time(t);
        };
        match self.time {
            Some((c, ms, _)) if c == text => Some(ms),
            // The same hour and minute, a new second: the usual miss in a quiet log.
            Some((c, _, minute)) if c[..6] == text[..6] => {
                let ms = minute + time::seconds(&text[6..])? * 1000;
                self.time = Some((text, ms, minute));
                Some(ms)
            }
            _ => {
                let ms = time::parse_time(t)?;
                let minute = ms - time::seconds(&text[6..])? * 1000;
                self.time = Some((text, ms, minute));
                Some(ms)
            }
        }
    }
}

#[derive(Default)]
struct State {
    facts: Facts,
    layout: Option<Layout>,
    declared: Declared,
    header_day: Option<i64>,
    last_fields: Option<(Layout, u64)>,
    last_day: Option<Option<i64>>,
    used_layout: bool,
    used_day: bool,
    check_guess: bool,
    stopped: bool,
    spans: Vec<(u32, u32)>,
    firsts: Vec<(u32, u32)>,
    lasts: Vec<(u32, u32)>,
    line_no: u64,
    cache: TimeCache,
}

impl State {
    fn malformed(&mut self, reason: Reason) {
        self.facts.malformed += 1;
        if self.facts.samples.len() < MALFORMED_SAMPLES {
            self.facts.samples.push(Sample {
                part: 0,
                line: self.line_no,
                reason,
            });
        }
    }

    fn line<F: FnMut(&Record<'_>)>(&mut self, line: &[u8], unterminated: bool, visit: &mut F) {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.iter().all(u8::is_ascii_whitespace) {
            return;
        }
        if line[0] == b'#' {
            self.directive(line);
            return;
        }
        if self.check_guess {
            self.check_guess = false;
            if self.last_fields.is_none()
                && self
                    .layout
                    .as_ref()
                    .is_none_or(|l| plain_field_count(line) != l.len())
            {
                self.stopped = true;
                return;
            }
        }
        match self.data(line) {
            Ok(rec) => visit(&rec),
            Err(reason) if unterminated => {
                self.facts.cut_off = Some(Sample {
                    part: 0,
                    line: self.line_no,
                    reason,
                });
            }
            Err(reason) => self.malformed(reason),
        }
    }

    fn directive(&mut self, line: &[u8]) {
        let (name, value) = match memchr(b':', line) {
            Some(i) => (&line[1..i], &line[i + 1..]),
            None => (&line[1..], &b""[..]),
        };
        if name.eq_ignore_ascii_case(b"Fields") {
            let layout = Layout::parse(value);
            self.facts.header_blocks += 1;
            self.facts.local_time |= layout.local_time;
            self.last_fields = Some((layout.clone(), self.line_no));
            self.layout = Some(layout);
            self.declared = Declared::Line(self.line_no);
        } else if name.eq_ignore_ascii_case(b"Date") || name.eq_ignore_ascii_case(b"Start-Date") {
            self.header_day = time::parse_header_date(value).map(time::day_of);
            self.last_day = Some(self.header_day);
        }
    }

    /// Parses a data line against the layout in force.
    fn data<'s>(&'s mut self, line: &'s [u8]) -> Result<Record<'s>, Reason> {
        // What this line takes from before the part: its layout, and the day of a `#Date:`
        // for layouts without a date.
        self.used_layout |= self.last_fields.is_none();
        if self.layout.is_none() {
            match Layout::infer(line) {
                Some((layout, name)) => {
                    self.facts.inferred = Some((self.line_no, name));
                    self.layout = Some(layout.clone());
                    self.declared = Declared::Inferred;
                }
                None => return Err(Reason::Text("data line before any #Fields line".into())),
            }
        }
        let Some(layout) = self.layout.as_ref() else {
            return Err(Reason::Text("data line before any #Fields line".into()));
        };
        self.used_day |= self.last_day.is_none() && !layout.has(Field::Date);
        let want = layout.len();
        let found = plain_field_count(line);
        if found == want {
            locate_plain(line, layout.edges, &mut self.firsts, &mut self.lasts);
            let (firsts, lasts) = (&self.firsts, &self.lasts);
            let key = layout.key_at.map(|at| {
                let span = match at? {
                    Ok(i) => firsts.get(i)?,
                    Err(j) => lasts.get(j)?,
                };
                Some(slice(line, *span)).filter(|v| *v != b"-")
            });
            return record(
                line,
                Fields::Plain {
                    n: want,
                    front: firsts,
                    back: lasts,
                },
                key,
                layout,
                self.line_no,
                self.header_day,
                &mut self.cache,
                &mut self.facts,
            );
        }
        split_folded(line, &mut self.spans);
        if self.spans.len() == want {
            self.facts.folded_lines += 1;
        } else if memchr(b'"', line).is_some() {
            split_quoted(line, &mut self.spans);
        }
        if self.spans.len() != want {
            // A line from another layout (copy-pasted logs, a header that lies): read it with
            // the standard layout it fits, if one does.
            if let Some((preset, name)) = Layout::infer_split(line, &mut self.spans) {
                self.facts.count_misfit(name, 1);
                let fields = Fields::Spans(&self.spans);
                return record(
                    line,
                    fields,
                    key_of(line, fields, preset),
                    preset,
                    self.line_no,
                    self.header_day,
                    &mut self.cache,
                    &mut self.facts,
                );
            }
            return Err(Reason::FieldCount {
                found,
                want,
                declared: self.declared,
            });
        }
        let fields = Fields::Spans(&self.spans);
        record(
            line,
            fields,
            key_of(line, fields, layout),
            layout,
            self.line_no,
            self.header_day,
            &mut self.cache,
            &mut self.facts,
        )
    }
}
