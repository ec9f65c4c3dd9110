//! What split reading needs from the reader: the context a part of a file is read with (the
//! layout and `#Date` in force where it starts), what the part declared for the parts after
//! it, and the facts of each part, joined in file order into the file's [`Stats`].

use super::Layout;
use super::layout::MAX_FIELDS;
use super::reader::{Declared, Reason};
use crate::input::lines::{MALFORMED_SAMPLES, Malformed, Stats};

/// What the lines before a part of a file declared: the layout and `#Date` in force.
#[derive(Debug, Clone, Default)]
pub(crate) struct Context {
    pub layout: Option<Layout>,
    /// The day of the last `#Date:` directive.
    pub day: Option<i64>,
    /// The context is a guess: stop reading at a first data line it does not fit.
    pub guessed: bool,
}

/// A part of a file read on its own: what it found, and what it declared for the next part.
#[derive(Debug)]
pub(crate) struct Part {
    pub facts: Facts,
    /// Lines in the part.
    pub lines: u64,
    /// The last `#Fields:` line of the part: its layout and line (within the part).
    pub last_fields: Option<(Layout, u64)>,
    /// The last `#Date:` directive of the part (its day, if it parsed).
    pub last_day: Option<Option<i64>>,
    /// Data lines came before the part's own first `#Fields:` line (they were read with the
    /// context's layout), or took their date from the context's `#Date:`.
    pub used_layout: bool,
    pub used_day: bool,
    /// The part's first data line did not fit the guessed context: reading stopped there.
    pub stopped: bool,
}

impl Part {
    /// Whether the part reads the same with `actual` in force at its start as it did with
    /// `assumed`: the context's layout and day matter only where lines used them.
    pub fn reads_alike(&self, assumed: &Context, actual: &Context) -> bool {
        let same_layout = match (&assumed.layout, &actual.layout) {
            (Some(a), Some(b)) => {
                a.names == b.names && a.local_time == b.local_time && a.too_many == b.too_many
            }
            (None, None) => true,
            _ => false,
        };
        (!self.used_layout || same_layout) && (!self.used_day || assumed.day == actual.day)
    }
}

/// Where a part sits in its file, known once the parts before it are read.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Placed {
    /// Lines before the part.
    pub first_line: u64,
    /// The file line of the `#Fields:` line in force where the part starts.
    pub layout_line: Option<u64>,
}

/// What reading a file or part found besides records: counts, the first malformed lines and
/// the facts notes are made of. Parts' facts join into the file's [`Stats`].
#[derive(Debug, Default)]
pub(crate) struct Facts {
    pub(super) lines: u64,
    pub(super) records: u64,
    pub(super) malformed: u64,
    pub(super) samples: Vec<Sample>,
    pub(super) header_blocks: u64,
    /// The layout was inferred from the line with this number, as this standard layout.
    pub(super) inferred: Option<(u64, &'static str)>,
    pub(super) local_time: bool,
    /// The last line, cut off mid-write, and why it did not parse.
    pub(super) cut_off: Option<Sample>,
    /// Standard layouts that lines not fitting the declared one were read with, and how often.
    pub(super) misfits: Vec<(&'static str, u64)>,
    pub(super) folded_lines: u64,
    pub(super) no_status: bool,
    /// The first `#Fields:` line with more than [`super::layout::MAX_FIELDS`] names.
    pub(super) too_many_fields: Option<Sample>,
    /// Lines end in a lone `\r` (see [`crate::input::lines`]).
    pub(super) cr_only: bool,
}

impl Facts {
    /// The file's stats from its parts' facts, in file order, each with its place.
    pub fn join(parts: Vec<(Facts, Placed)>) -> Stats {
        let mut all = Facts::default();
        let mut places = Vec::with_capacity(parts.len());
        for (i, (facts, placed)) in parts.into_iter().enumerate() {
            all.lines += facts.lines;
            all.records += facts.records;
            all.malformed += facts.malformed;
            for sample in facts.samples {
                if all.samples.len() < MALFORMED_SAMPLES {
                    all.samples.push(Sample { part: i, ..sample });
                }
            }
            all.header_blocks += facts.header_blocks;
            all.inferred = all.inferred.or(facts
                .inferred
                .map(|(line, name)| (line + placed.first_line, name)));
            all.local_time |= facts.local_time;
            if let Some(cut) = facts.cut_off {
                all.cut_off = Some(Sample { part: i, ..cut });
            }
            for (name, n) in facts.misfits {
                all.count_misfit(name, n);
            }
            all.folded_lines += facts.folded_lines;
            all.no_status |= facts.no_status;
            all.cr_only |= facts.cr_only;
            if all.too_many_fields.is_none() {
                all.too_many_fields = facts.too_many_fields.map(|s| Sample { part: i, ..s });
            }
            places.push(placed);
        }
        all.into_stats(&places)
    }

    pub(super) fn count_misfit(&mut self, name: &'static str, n: u64) {
        match self.misfits.iter_mut().find(|(m, _)| *m == name) {
            Some((_, c)) => *c += n,
            None => self.misfits.push((name, n)),
        }
    }

    /// Renders the facts, with the places of the parts their line numbers count in
    /// (samples of joined parts carry their part's index).
    pub(super) fn into_stats(self, places: &[Placed]) -> Stats {
        let mut notes = Vec::new();
        if self.cr_only {
            notes.push(crate::input::lines::cr_only_note());
        }
        if let Some((line, name)) = self.inferred {
            notes.push(format!(
                "no #Fields line before line {line}: read as {name}"
            ));
        }
        if self.local_time {
            notes.push("times are the server's local time (date-local/time-local), not UTC".into());
        }
        if let Some(cut) = self.cut_off {
            let m = cut.render(places);
            notes.push(format!(
                "the last line ({}) is cut off mid-write and was left out ({})",
                m.line, m.reason
            ));
        }
        let mut misfits = self.misfits.clone();
        misfits.sort_unstable();
        for (name, n) in misfits {
            notes.push(format!(
                "{n} line(s) did not fit the #Fields layout in force but fit {name}; read with that layout"
            ));
        }
        if self.folded_lines > 0 {
            notes.push(format!(
                "{} line(s) had runs of spaces between fields; read with the runs folded",
                self.folded_lines
            ));
        }
        if self.no_status && self.records > 0 {
            notes.push(
                "the #Fields layout has no sc-status: requests are counted, failures cannot be told"
                    .into(),
            );
        }
        if let Some(sample) = self.too_many_fields {
            let m = sample.render(places);
            notes.push(format!("line {}: {}", m.line, m.reason));
        }
        let malformed_samples = self.samples.into_iter().map(|s| s.render(places)).collect();
        Stats {
            lines: self.lines,
            records: self.records,
            malformed: self.malformed,
            malformed_samples,
            header_blocks: self.header_blocks,
            notes,
        }
    }
}

/// A malformed line of a part: its part (once parts are joined), line and reason.
#[derive(Debug)]
pub(super) struct Sample {
    pub(super) part: usize,
    pub(super) line: u64,
    pub(super) reason: Reason,
}

impl Sample {
    /// The line and reason in file terms, given the places of the parts.
    fn render(self, places: &[Placed]) -> Malformed {
        let placed = places.get(self.part).copied().unwrap_or_default();
        Malformed {
            line: self.line + placed.first_line,
            reason: self.reason.render(placed),
        }
    }
}

impl Reason {
    /// The reason as text; line numbers in it are placed by the place of the line's part.
    fn render(self, placed: Placed) -> String {
        match self {
            Reason::Text(text) => text,
            Reason::FieldCount {
                found,
                want,
                declared: Declared::Inferred,
            } => format!("{found} fields where the inferred layout has {want}"),
            Reason::TooManyFields { declared } => {
                let at = match declared {
                    Declared::Line(l) => l + placed.first_line,
                    _ => placed.layout_line.unwrap_or(0),
                };
                format!(
                    "under the #Fields line (line {at}), which declares more than {MAX_FIELDS} fields; not read"
                )
            }
            Reason::FieldCount {
                found,
                want,
                declared,
            } => {
                let at = match declared {
                    Declared::Line(l) => l + placed.first_line,
                    _ => placed.layout_line.unwrap_or(0),
                };
                format!("{found} fields where the #Fields line (line {at}) declares {want}")
            }
        }
    }
}
