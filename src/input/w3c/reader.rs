//! The W3C reader on the shared line loop ([`crate::input::lines`]): directives applied,
//! data lines parsed against the layout in force; a part of a file read with a guessed
//! context stops at a first data line the guess does not fit.

use std::io::{self, Read};

use memchr::memchr;

use super::context::{Context, Facts, Part, Sample};
use super::fields::{Fields, locate_plain, plain_field_count, slice, split_folded, split_quoted};
use super::layout::{Field, Layout, MAX_FIELDS};
use super::record::{Record, key_of, record};
use crate::input::lines::{self, MALFORMED_SAMPLES};
use crate::time;

/// Reads a whole file (`first`: it starts at the file's first byte) or a part of one that
/// starts at a line boundary with `context` in force. Line numbers count from the part's start.
pub(crate) fn read_part<R: Read, F: FnMut(&Record<'_>)>(
    reader: R,
    context: Context,
    first: bool,
    visit: F,
) -> io::Result<Part> {
    let mut feed = Feed {
        state: State {
            declared: if context.layout.is_some() {
                Declared::Context
            } else {
                Declared::Inferred
            },
            check_guess: context.guessed,
            layout: context.layout,
            header_day: context.day,
            ..State::default()
        },
        visit,
    };
    let start = if first {
        lines::Start::File { skip_bom: true }
    } else {
        lines::Start::Part
    };
    let lines = lines::read(reader, start, &mut feed)?;
    let mut state = feed.state;
    state.facts.lines = lines;
    Ok(Part {
        stopped: state.stopped,
        used_layout: state.used_layout,
        used_day: state.used_day,
        lines,
        last_fields: state.last_fields,
        last_day: state.last_day,
        facts: state.facts,
    })
}

/// The reader's state and the caller's visitor: what the shared line loop feeds.
struct Feed<F> {
    state: State,
    visit: F,
}

impl<F: FnMut(&Record<'_>)> lines::Sink for Feed<F> {
    fn line(&mut self, line: &[u8], number: u64, unterminated: bool) {
        self.state.line_no = number;
        self.state.line(line, unterminated, &mut self.visit);
    }

    fn too_long(&mut self, number: u64) {
        self.state.line_no = number;
        self.state.malformed(Reason::Text(lines::too_long()));
    }

    fn stopped(&self) -> bool {
        self.state.stopped
    }

    fn cr_only(&mut self) {
        self.state.facts.cr_only = true;
    }
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
    /// A data line under a `#Fields:` line of more than [`MAX_FIELDS`] names.
    TooManyFields {
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
            if let (Some(count), None) = (layout.too_many(), &self.facts.too_many_fields) {
                self.facts.too_many_fields = Some(Sample {
                    part: 0,
                    line: self.line_no,
                    reason: Reason::Text(format!(
                        "the #Fields line declares {count} fields, more than the {MAX_FIELDS} a layout may have: the lines under it are counted as malformed"
                    )),
                });
            }
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
        if layout.too_many().is_some() {
            return Err(Reason::TooManyFields {
                declared: self.declared,
            });
        }
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
