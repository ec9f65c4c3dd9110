//! The W3C extended log reader (`u_ex*.log`).
//!
//! Columns come from each `#Fields:` line, and a later `#Fields:` line replaces the layout
//! from there on (IIS writes a header block at every restart). Lines are parsed as bytes in a
//! reused buffer: no allocation per line, non-UTF-8 bytes never abort a file. A line whose
//! field count does not match its layout is tried again with runs of spaces folded and with
//! double-quoted values (IIS Advanced Logging), and only then counted as malformed.

use std::cell::RefCell;
use std::io::{self, Read};

use memchr::memchr;

use crate::time::{self, Millis};
use crate::triple::Triple;

/// The fields iisdiag knows by name. Others (custom fields) are kept by position only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Date,
    Time,
    Status,
    Substatus,
    Win32,
    TimeTaken,
    UriStem,
    UriQuery,
    Method,
    ClientIp,
    UserAgent,
    Computer,
    SiteName,
    Host,
    ServerIp,
    ServerPort,
    Username,
    Referer,
    Version,
    ForwardedFor,
}

const FIELD_COUNT: usize = Field::ForwardedFor as usize + 1;

/// The fields every record parses, in the order of [`Key`].
const KEY: [Field; 6] = [
    Field::Date,
    Field::Time,
    Field::Status,
    Field::Substatus,
    Field::Win32,
    Field::TimeTaken,
];

/// The raw values of the [`KEY`] fields of a line; `None` where the layout lacks the field or
/// the line holds `-`.
type Key<'a> = [Option<&'a [u8]>; KEY.len()];

impl Field {
    /// The field a `#Fields:` name stands for (case-insensitive), if iisdiag knows it.
    fn from_name(name: &str) -> Option<Field> {
        let lower = name.to_ascii_lowercase();
        Some(match lower.as_str() {
            "date" | "date-local" | "date-utc" => Field::Date,
            "time" | "time-local" | "time-utc" => Field::Time,
            "sc-status" => Field::Status,
            "sc-substatus" => Field::Substatus,
            "sc-win32-status" => Field::Win32,
            "time-taken" | "timetakenms" => Field::TimeTaken,
            "cs-uri-stem" | "cs-uri" => Field::UriStem,
            "cs-uri-query" => Field::UriQuery,
            "cs-method" => Field::Method,
            "c-ip" => Field::ClientIp,
            "cs(user-agent)" | "user-agent" => Field::UserAgent,
            "s-computername" => Field::Computer,
            "s-sitename" => Field::SiteName,
            "cs-host" | "cs(host)" => Field::Host,
            "s-ip" => Field::ServerIp,
            "s-port" => Field::ServerPort,
            "cs-username" => Field::Username,
            "cs(referer)" => Field::Referer,
            "cs-version" => Field::Version,
            "x-forwarded-for" | "cs(x-forwarded-for)" => Field::ForwardedFor,
            _ => return None,
        })
    }
}

/// The column layout declared by one `#Fields:` line.
#[derive(Debug, Clone, Default)]
pub struct Layout {
    names: Vec<String>,
    pos: [Option<u16>; FIELD_COUNT],
    /// How many fields at the front and at the back of a line hold every field a record
    /// always parses ([`KEY`]), and where each of those is: `Ok(i)` the i-th field from the
    /// front, `Err(j)` the j-th from the back (0 is the last field).
    edges: (usize, usize),
    key_at: [Option<Result<usize, usize>>; KEY.len()],
    /// Times are the server's local time (`date-local`, Advanced Logging), not UTC.
    pub local_time: bool,
}

impl Layout {
    /// Reads the value of a `#Fields:` directive. Names are separated by runs of white space.
    pub fn parse(value: &[u8]) -> Layout {
        let mut layout = Layout::default();
        for name in value
            .split(|b| b.is_ascii_whitespace())
            .filter(|n| !n.is_empty())
        {
            let name = String::from_utf8_lossy(name).into_owned();
            if name.to_ascii_lowercase().ends_with("-local") {
                layout.local_time = true;
            }
            if let Some(f) = Field::from_name(&name) {
                let slot = &mut layout.pos[f as usize];
                if slot.is_none() {
                    *slot = u16::try_from(layout.names.len()).ok();
                }
            }
            layout.names.push(name);
        }
        let n = layout.names.len();
        for (k, f) in KEY.iter().enumerate() {
            if let Some(p) = layout.pos[*f as usize].map(usize::from) {
                if p * 2 < n {
                    layout.edges.0 = layout.edges.0.max(p + 1);
                    layout.key_at[k] = Some(Ok(p));
                } else {
                    layout.edges.1 = layout.edges.1.max(n - p);
                    layout.key_at[k] = Some(Err(n - 1 - p));
                }
            }
        }
        layout
    }

    /// How many fields a line of this layout has.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    pub fn has(&self, f: Field) -> bool {
        self.pos[f as usize].is_some()
    }

    /// The field names as the header wrote them.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The layouts IIS writes by default, tried in this order on a file with no `#Fields:`
    /// line (log shippers and copy-pastes often strip the header).
    pub fn presets() -> &'static [(&'static str, &'static str)] {
        &[
            (
                "the IIS default fields",
                "date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken",
            ),
            (
                "the IIS default fields with cs-host",
                "date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) cs-host sc-status sc-substatus sc-win32-status time-taken",
            ),
            (
                "the IIS default fields with byte counts",
                "date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status sc-bytes cs-bytes time-taken",
            ),
            (
                "the IIS 7 fields with s-sitename and byte counts",
                "date time s-sitename s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) sc-status sc-substatus sc-win32-status sc-bytes cs-bytes time-taken",
            ),
            (
                "the Azure App Service fields",
                "date time s-sitename cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Cookie) cs(Referer) cs-host sc-status sc-substatus sc-win32-status sc-bytes cs-bytes time-taken",
            ),
            (
                "all IIS fields",
                "date time s-sitename s-computername s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs-version cs(User-Agent) cs(Cookie) cs(Referer) cs-host sc-status sc-substatus sc-win32-status sc-bytes cs-bytes time-taken",
            ),
        ]
    }

    /// The default layout a header-less data line fits, with its description.
    pub fn infer(line: &[u8]) -> Option<(&'static Layout, &'static str)> {
        Layout::infer_split(line, &mut Vec::new())
    }

    /// `infer`, splitting the line into `spans` (a buffer the caller reuses), which hold the
    /// line's fields afterwards.
    fn infer_split(
        line: &[u8],
        spans: &mut Vec<(u32, u32)>,
    ) -> Option<(&'static Layout, &'static str)> {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        split_plain(line, spans);
        standard_layouts().iter().find_map(|(layout, name)| {
            (spans.len() == layout.len() && layout.validates(line, spans))
                .then_some((layout, *name))
        })
    }

    /// Whether a line split into `spans` looks like this layout: date and time parse, the
    /// status is a three-digit code, and the numeric fields are numbers.
    fn validates(&self, line: &[u8], spans: &[(u32, u32)]) -> bool {
        let get = |f: Field| self.pos[f as usize].map(|i| slice(line, spans[usize::from(i)]));
        let numeric = |f: Field| get(f).is_none_or(|v| v == b"-" || parse_u64(v).is_some());
        get(Field::Date).is_some_and(|d| time::parse_date(d).is_some())
            && get(Field::Time).is_some_and(|t| time::parse_time(t).is_some())
            && get(Field::Status).is_some_and(|s| s.len() == 3 && parse_u64(s).is_some())
            && numeric(Field::Substatus)
            && numeric(Field::Win32)
            && numeric(Field::TimeTaken)
            && numeric(Field::ServerPort)
    }
}

/// The standard layouts, parsed once: lines that fit no declared layout are tried against
/// them, and that must not cost a parse per line.
fn standard_layouts() -> &'static [(Layout, &'static str)] {
    static PARSED: std::sync::OnceLock<Vec<(Layout, &'static str)>> = std::sync::OnceLock::new();
    PARSED.get_or_init(|| {
        Layout::presets()
            .iter()
            .map(|(name, fields)| (Layout::parse(fields.as_bytes()), *name))
            .collect()
    })
}

/// Where a line's fields are: in a line of single-space separated values (what IIS writes,
/// and nearly every line) the fields grouping needs are located at both ends and the rest
/// found on demand; lines of the other forms are split already.
#[derive(Debug, Clone, Copy)]
enum Fields<'a> {
    Plain {
        /// How many fields the line has.
        n: usize,
        /// The first fields, and the last ones (last field first).
        front: &'a [(u32, u32)],
        back: &'a [(u32, u32)],
    },
    Spans(&'a [(u32, u32)]),
}

impl<'a> Fields<'a> {
    /// Field `i` of `line`, or `None` past the last field.
    fn nth(self, line: &'a [u8], i: usize) -> Option<&'a [u8]> {
        match self {
            Fields::Plain { n, front, back } if i < n => {
                if let Some(&s) = front.get(i) {
                    Some(slice(line, s))
                } else if let Some(&s) = back.get(n - 1 - i) {
                    Some(slice(line, s))
                } else {
                    Some(nth_plain(line, n, i))
                }
            }
            Fields::Plain { .. } => None,
            Fields::Spans(spans) => spans.get(i).map(|&s| slice(line, s)),
        }
    }
}

/// Locates the first `front` and the last `back` fields of a line of single-space separated
/// fields: one short walk from each end.
fn locate_plain(
    line: &[u8],
    (front, back): (usize, usize),
    firsts: &mut Vec<(u32, u32)>,
    lasts: &mut Vec<(u32, u32)>,
) {
    firsts.clear();
    lasts.clear();
    let mut start = 0;
    while firsts.len() < front && start <= line.len() {
        let end = next_space(line, start).unwrap_or(line.len());
        firsts.push((start as u32, end as u32));
        start = end + 1;
    }
    let mut end = line.len();
    while lasts.len() < back {
        let start = prev_space(line, end).map_or(0, |p| p + 1);
        lasts.push((start as u32, end as u32));
        if start == 0 {
            break;
        }
        end = start - 1;
    }
}

/// Field `i` of a line of `n` fields separated by single spaces, walking from whichever end
/// of the line is nearer: the fields grouping needs (date and time at the front; status,
/// substatus, win32 and time-taken at the back) are then a few bytes away.
fn nth_plain(line: &[u8], n: usize, i: usize) -> &[u8] {
    if i * 2 < n {
        let mut start = 0;
        for _ in 0..i {
            match next_space(line, start) {
                Some(p) => start = p + 1,
                None => return b"",
            }
        }
        let end = next_space(line, start).unwrap_or(line.len());
        &line[start..end]
    } else {
        let mut end = line.len();
        for _ in i + 1..n {
            match prev_space(line, end) {
                Some(p) => end = p,
                None => return b"",
            }
        }
        let start = prev_space(line, end).map_or(0, |p| p + 1);
        &line[start..end]
    }
}

// Eight bytes at a time: a word with 0x80 in each byte that holds a space, exactly (no
// false hits from neighbouring bytes).
const ONES: u64 = 0x0101_0101_0101_0101;
const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;

fn spaces_in(word: [u8; 8]) -> u64 {
    let x = u64::from_le_bytes(word) ^ (ONES * u64::from(b' '));
    !(((x & LOW7) + LOW7) | x | LOW7)
}

/// The first space at or after `from`.
fn next_space(line: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    while let Some(word) = line.get(i..i + 8).and_then(|w| <[u8; 8]>::try_from(w).ok()) {
        let hits = spaces_in(word);
        if hits != 0 {
            return Some(i + (hits.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    line.get(i..)?
        .iter()
        .position(|&b| b == b' ')
        .map(|p| i + p)
}

/// The last space before `end`.
fn prev_space(line: &[u8], end: usize) -> Option<usize> {
    let mut end = end.min(line.len());
    while end >= 8 {
        let Ok(word) = <[u8; 8]>::try_from(&line[end - 8..end]) else {
            break;
        };
        let hits = spaces_in(word);
        if hits != 0 {
            return Some(end - 1 - (hits.leading_zeros() / 8) as usize);
        }
        end -= 8;
    }
    line[..end].iter().rposition(|&b| b == b' ')
}

/// How many fields `split_plain` would make of a line: its spaces plus one.
fn plain_field_count(line: &[u8]) -> usize {
    // Counting a block at a time into a byte counter lets the compiler use vector compares.
    fn block_count<const N: usize>(block: &[u8]) -> usize {
        let mut n = 0u8;
        for &b in &block[..N] {
            n += u8::from(b == b' ');
        }
        usize::from(n)
    }
    let mut count = 1;
    let mut blocks = line.chunks_exact(64);
    for block in &mut blocks {
        count += block_count::<64>(block);
    }
    let mut rest = blocks.remainder().chunks_exact(16);
    for block in &mut rest {
        count += block_count::<16>(block);
    }
    count + rest.remainder().iter().filter(|&&b| b == b' ').count()
}

/// One log line, parsed as far as grouping needs; other fields are read on demand.
pub struct Record<'a> {
    line_bytes: &'a [u8],
    fields: Fields<'a>,
    layout: &'a Layout,
    /// 1-based line number in the file (in a part of a file read in parallel, in the part:
    /// see [`crate::input::split`]).
    pub line: u64,
    /// `None` when the layout has no `sc-status` or the line holds `-` there.
    pub triple: Option<Triple>,
    pub time: Option<Millis>,
    pub time_taken_ms: Option<u64>,
}

impl<'a> Record<'a> {
    /// A field's raw bytes; `None` when the layout lacks it or the line holds `-`.
    pub fn get(&self, f: Field) -> Option<&'a [u8]> {
        let i = self.layout.pos[f as usize]?;
        let v = self.fields.nth(self.line_bytes, usize::from(i))?;
        (v != b"-").then_some(v)
    }

    /// A field by its `#Fields:` name (custom fields included), case-insensitively.
    pub fn get_named(&self, name: &str) -> Option<&'a [u8]> {
        let i = self
            .layout
            .names
            .iter()
            .position(|n| n.eq_ignore_ascii_case(name))?;
        let v = self.fields.nth(self.line_bytes, i)?;
        (v != b"-").then_some(v)
    }

    pub fn layout(&self) -> &'a Layout {
        self.layout
    }

    /// A record of another format that shares the W3C field model (IIS native logs).
    pub(crate) fn from_parts(
        line_bytes: &'a [u8],
        spans: &'a [(u32, u32)],
        layout: &'a Layout,
        line: u64,
        triple: Option<Triple>,
        time: Option<Millis>,
        time_taken_ms: Option<u64>,
    ) -> Record<'a> {
        Record {
            line_bytes,
            fields: Fields::Spans(spans),
            layout,
            line,
            triple,
            time,
            time_taken_ms,
        }
    }
}

/// A line that could not be read, for the report.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Malformed {
    pub line: u64,
    pub reason: String,
}

/// What reading one file found besides its records.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    pub records: u64,
    pub malformed: u64,
    /// The first few malformed lines.
    pub malformed_samples: Vec<Malformed>,
    pub header_blocks: u64,
    pub notes: Vec<String>,
    /// The layouts in this file have no `sc-status`: requests are counted, failures cannot be told.
    pub no_status: bool,
    pub local_time: bool,
}

/// How many malformed lines are named one by one.
pub const MALFORMED_SAMPLES: usize = 5;
/// Lines longer than this are skipped as malformed; the buffer never grows past it.
pub const MAX_LINE: usize = 1 << 22;
const READ_SIZE: usize = 1 << 20;

/// Reads a W3C log from `reader`, calling `visit` for every data line that parses.
pub fn read<R: Read, F: FnMut(&Record<'_>)>(reader: R, visit: F) -> io::Result<Stats> {
    let part = read_part(reader, Context::default(), true, visit)?;
    Ok(part.facts.into_stats(&[Placed::default()]))
}

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
            (Some(a), Some(b)) => a.names == b.names && a.local_time == b.local_time,
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
enum Declared {
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
enum Reason {
    Text(String),
    FieldCount {
        found: usize,
        want: usize,
        declared: Declared,
    },
}

/// What reading a file or part found besides records: counts, the first malformed lines and
/// the facts notes are made of. Parts' facts join into the file's [`Stats`].
#[derive(Debug, Default)]
pub(crate) struct Facts {
    records: u64,
    malformed: u64,
    samples: Vec<Sample>,
    header_blocks: u64,
    /// The layout was inferred from the line with this number, as this standard layout.
    inferred: Option<(u64, &'static str)>,
    local_time: bool,
    /// The last line, cut off mid-write, and why it did not parse.
    cut_off: Option<Sample>,
    /// Standard layouts that lines not fitting the declared one were read with, and how often.
    misfits: Vec<(&'static str, u64)>,
    folded_lines: u64,
    no_status: bool,
}

impl Facts {
    /// The file's stats from its parts' facts, in file order, each with its place.
    pub fn join(parts: Vec<(Facts, Placed)>) -> Stats {
        let mut all = Facts::default();
        let mut places = Vec::with_capacity(parts.len());
        for (i, (facts, placed)) in parts.into_iter().enumerate() {
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
            places.push(placed);
        }
        all.into_stats(&places)
    }

    fn count_misfit(&mut self, name: &'static str, n: u64) {
        match self.misfits.iter_mut().find(|(m, _)| *m == name) {
            Some((_, c)) => *c += n,
            None => self.misfits.push((name, n)),
        }
    }

    /// Renders the facts, with the places of the parts their line numbers count in
    /// (samples of joined parts carry their part's index).
    fn into_stats(self, places: &[Placed]) -> Stats {
        let mut notes = Vec::new();
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
        let malformed_samples = self.samples.into_iter().map(|s| s.render(places)).collect();
        Stats {
            records: self.records,
            malformed: self.malformed,
            malformed_samples,
            header_blocks: self.header_blocks,
            notes,
            no_status: self.no_status,
            local_time: self.local_time,
        }
    }
}

/// A malformed line of a part: its part (once parts are joined), line and reason.
#[derive(Debug)]
struct Sample {
    part: usize,
    line: u64,
    reason: Reason,
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

/// The last date and time read, so the lines of one day parse their date once, the lines of
/// one second their time once, and the lines of one minute only their seconds.
#[derive(Default)]
struct TimeCache {
    date: Option<([u8; 10], i64)>,
    /// A plain `HH:MM:SS`, its milliseconds since midnight and those of its minute.
    time: Option<([u8; 8], i64, i64)>,
}

impl TimeCache {
    fn day(&mut self, d: &[u8]) -> Option<i64> {
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

    fn time(&mut self, t: &[u8]) -> Option<i64> {
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

/// The [`KEY`] fields of a line split into `fields`.
fn key_of<'s>(line: &'s [u8], fields: Fields<'s>, layout: &Layout) -> Key<'s> {
    KEY.map(|f| {
        layout.pos[f as usize]
            .and_then(|i| fields.nth(line, usize::from(i)))
            .filter(|v| *v != b"-")
    })
}

/// Makes the record of a line whose fields are known against `layout`, parsing its key.
#[allow(clippy::too_many_arguments)]
fn record<'s>(
    line: &'s [u8],
    fields: Fields<'s>,
    [date, time, status, substatus, win32, taken]: Key<'s>,
    layout: &'s Layout,
    line_no: u64,
    header_day: Option<i64>,
    cache: &mut TimeCache,
    facts: &mut Facts,
) -> Result<Record<'s>, Reason> {
    let number = |v: Option<&[u8]>, what: &str| -> Result<Option<u64>, Reason> {
        match v {
            None => Ok(None),
            Some(v) => parse_u64(v).map(Some).ok_or_else(|| {
                Reason::Text(format!(
                    "{what} is `{}`, not a number",
                    String::from_utf8_lossy(v)
                ))
            }),
        }
    };
    let out_of_range = |what: &str, v: u64| Reason::Text(format!("{what} {v} is out of range"));
    let status = number(status, "sc-status")?;
    let substatus = number(substatus, "sc-substatus")?;
    let win32 = number(win32, "sc-win32-status")?;
    let time_taken_ms = number(taken, "time-taken")?;
    let triple = match status {
        Some(s) => Some(Triple::new(
            u16::try_from(s).map_err(|_| out_of_range("sc-status", s))?,
            substatus
                .map(|v| u32::try_from(v).map_err(|_| out_of_range("sc-substatus", v)))
                .transpose()?,
            win32,
        )),
        None => None,
    };
    let day = match date {
        Some(d) => Some(cache.day(d).ok_or_else(|| {
            Reason::Text(format!(
                "date is `{}`, not YYYY-MM-DD",
                String::from_utf8_lossy(d)
            ))
        })?),
        None => header_day,
    };
    let ms = match time {
        Some(t) => Some(cache.time(t).ok_or_else(|| {
            Reason::Text(format!(
                "time is `{}`, not HH:MM:SS",
                String::from_utf8_lossy(t)
            ))
        })?),
        None => None,
    };
    let at = day.map(|d| time::at(d, ms.unwrap_or(0)));
    if !layout.has(Field::Status) {
        facts.no_status = true;
    }
    facts.records += 1;
    Ok(Record {
        line_bytes: line,
        fields,
        layout,
        line: line_no,
        triple,
        time: at,
        time_taken_ms,
    })
}

fn slice(line: &[u8], (a, b): (u32, u32)) -> &[u8] {
    line.get(a as usize..b as usize).unwrap_or_default()
}

/// Fields separated by single spaces (what IIS writes).
fn split_plain(line: &[u8], spans: &mut Vec<(u32, u32)>) {
    spans.clear();
    let mut start = 0usize;
    for i in memchr::memchr_iter(b' ', line) {
        spans.push((start as u32, i as u32));
        start = i + 1;
    }
    spans.push((start as u32, line.len() as u32));
}

/// Fields separated by runs of spaces or tabs.
fn split_folded(line: &[u8], spans: &mut Vec<(u32, u32)>) {
    spans.clear();
    let mut i = 0usize;
    while i < line.len() {
        while i < line.len() && (line[i] == b' ' || line[i] == b'\t') {
            i += 1;
        }
        if i == line.len() {
            break;
        }
        let start = i;
        while i < line.len() && line[i] != b' ' && line[i] != b'\t' {
            i += 1;
        }
        spans.push((start as u32, i as u32));
    }
}

/// Fields separated by white space, where a value in double quotes may hold spaces and
/// `""` stands for a quote (IIS Advanced Logging). The span excludes the outer quotes.
fn split_quoted(line: &[u8], spans: &mut Vec<(u32, u32)>) {
    spans.clear();
    let mut i = 0usize;
    while i < line.len() {
        while i < line.len() && (line[i] == b' ' || line[i] == b'\t') {
            i += 1;
        }
        if i == line.len() {
            break;
        }
        if line[i] == b'"' {
            let start = i + 1;
            i += 1;
            loop {
                match memchr(b'"', &line[i..]) {
                    Some(j) if line.get(i + j + 1) == Some(&b'"') => i += j + 2,
                    Some(j) => {
                        spans.push((start as u32, (i + j) as u32));
                        i += j + 1;
                        break;
                    }
                    None => {
                        spans.push((start as u32, line.len() as u32));
                        i = line.len();
                        break;
                    }
                }
            }
        } else {
            let start = i;
            while i < line.len() && line[i] != b' ' && line[i] != b'\t' {
                i += 1;
            }
            spans.push((start as u32, i as u32));
        }
    }
}

/// A decimal number of up to 20 digits.
pub fn parse_u64(v: &[u8]) -> Option<u64> {
    if v.is_empty() || v.len() > 20 {
        return None;
    }
    let mut n: u64 = 0;
    for &b in v {
        if !b.is_ascii_digit() {
            return None;
        }
        n = n.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
    }
    Some(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Line, triple, time, time-taken and URL stem of a record.
    type Seen = (u64, Option<Triple>, Option<Millis>, Option<u64>, String);

    fn collect(text: &[u8]) -> (Vec<Seen>, Stats) {
        let mut out = Vec::new();
        let stats = read(text, |r| {
            let stem = r
                .get(Field::UriStem)
                .map(|s| String::from_utf8_lossy(s).into_owned());
            out.push((
                r.line,
                r.triple,
                r.time,
                r.time_taken_ms,
                stem.unwrap_or_default(),
            ));
        })
        .unwrap();
        (out, stats)
    }

    const HEAD: &str = "#Software: Microsoft Internet Information Services 10.0\r\n#Version: 1.0\r\n#Date: 2026-11-18 09:00:00\r\n";

    #[test]
    fn the_time_cache_reads_every_time_as_a_fresh_parse_does() {
        let times = [
            "09:00:00",
            "09:00:00",
            "09:00:07",
            "09:00:59",
            "09:01:00",
            "09:01:60",
            "09:01:61",
            "09:01:5x",
            "09:01:03",
            "09:01:03.250",
            "09:01:04",
            "23:59:59",
            "00:00:00",
            "ab:cd:ef",
            "00:00:01",
            "9:00:01",
            "",
        ];
        let mut cache = TimeCache::default();
        for t in times {
            assert_eq!(
                cache.time(t.as_bytes()),
                time::parse_time(t.as_bytes()),
                "{t}"
            );
        }
    }

    #[test]
    fn reads_default_layout_with_crlf_and_bom() {
        let text = format!(
            "\u{feff}{HEAD}#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken\r\n\
             2026-11-18 10:42:03 10.0.0.5 GET /api/orders/search q=1 443 - 10.0.0.9 Mozilla/5.0 - 502 3 12002 30012\r\n\
             2026-11-18 10:42:04 10.0.0.5 GET / - 443 - 10.0.0.9 Mozilla/5.0 - 200 0 0 15\r\n"
        );
        let (recs, stats) = collect(text.as_bytes());
        assert_eq!(stats.records, 2);
        assert_eq!(stats.malformed, 0);
        assert_eq!(stats.header_blocks, 1);
        assert_eq!(recs[0].1, Some(Triple::new(502, Some(3), Some(12002))));
        assert_eq!(recs[0].3, Some(30012));
        assert_eq!(recs[0].4, "/api/orders/search");
        assert_eq!(recs[0].0, 5);
        assert_eq!(
            time::format_rfc3339(recs[0].2.unwrap()),
            "2026-11-18T10:42:03Z"
        );
    }

    #[test]
    fn a_later_fields_line_replaces_the_layout() {
        let text = b"#Fields: date time sc-status time-taken\n2026-01-01 00:00:00 404 5\n#Fields: time cs-uri-stem sc-status sc-substatus sc-win32-status date\n00:00:01 /x 500 19 13 2026-01-02\n";
        let (recs, stats) = collect(text);
        assert_eq!(stats.header_blocks, 2);
        assert_eq!(recs[0].1, Some(Triple::new(404, None, None)));
        assert_eq!(recs[1].1, Some(Triple::new(500, Some(19), Some(13))));
        assert_eq!(recs[1].4, "/x");
        assert_eq!(
            time::format_short(recs[1].2.unwrap()),
            "2026-01-02 00:00:01"
        );
    }

    #[test]
    fn win32_past_two_to_the_31() {
        let text = b"#Fields: date time sc-status sc-substatus sc-win32-status\n2026-01-01 00:00:00 500 0 3221225781\n2026-01-01 00:00:00 401 1 214784354254\n";
        let (recs, _) = collect(text);
        assert_eq!(recs[0].1.unwrap().win32, Some(3_221_225_781));
        assert_eq!(recs[1].1.unwrap().win32, Some(214_784_354_254));
    }

    #[test]
    fn malformed_lines_are_counted_with_line_numbers() {
        let text = b"#Fields: date time sc-status\n2026-01-01 00:00:00 200\n2026-01-01 00:00:00 abc\n2026-01-01 00:00:00 200 extra\n2026-01-01 00:00:00 404\n";
        let (recs, stats) = collect(text);
        assert_eq!(recs.len(), 2);
        assert_eq!(stats.malformed, 2);
        assert_eq!(stats.malformed_samples[0].line, 3);
        assert!(
            stats.malformed_samples[0]
                .reason
                .contains("sc-status is `abc`")
        );
        assert_eq!(stats.malformed_samples[1].line, 4);
        assert!(stats.malformed_samples[1].reason.contains("4 fields"));
    }

    #[test]
    fn cut_last_line_is_a_note() {
        let text = b"#Fields: date time sc-status sc-substatus\n2026-01-01 00:00:00 200 0\n2026-01-01 00:00:01 50";
        let (recs, stats) = collect(text);
        assert_eq!(recs.len(), 1);
        assert_eq!(stats.malformed, 0);
        assert!(stats.notes[0].contains("cut off"), "{:?}", stats.notes);
    }

    #[test]
    fn unterminated_but_complete_last_line_is_read() {
        let text = b"#Fields: date time sc-status\n2026-01-01 00:00:00 404";
        let (recs, stats) = collect(text);
        assert_eq!(recs.len(), 1);
        assert!(stats.notes.is_empty());
    }

    #[test]
    fn non_utf8_bytes_do_not_abort() {
        let text = b"#Fields: date time cs-uri-stem sc-status\n2026-01-01 00:00:00 /caf\xe9 404\n2026-01-01 00:00:00 /\xff\xfe 200\n";
        let (recs, stats) = collect(text);
        assert_eq!(stats.records, 2);
        assert_eq!(recs[0].4, "/caf\u{fffd}");
    }

    #[test]
    fn missing_substatus_and_win32_are_unknown() {
        let text = b"#Fields: date time sc-status\n2026-01-01 00:00:00 404\n";
        let (recs, _) = collect(text);
        assert_eq!(recs[0].1, Some(Triple::new(404, None, None)));
    }

    #[test]
    fn time_only_logs_take_the_header_date() {
        let text = b"#Date: 2013-07-30 00:00:00\n#Fields: time sc-status \n00:00:03 404\n";
        let (recs, _) = collect(text);
        assert_eq!(
            time::format_short(recs[0].2.unwrap()),
            "2013-07-30 00:00:03"
        );
    }

    #[test]
    fn runs_of_spaces_and_quoted_values() {
        let text = b"#Fields:   date time   cs-uri-stem cs(User-Agent) sc-status\n2026-01-01 00:00:00 /a  \"Mozilla 5.0 (X)\" 404\n2026-01-01 00:00:00 /b  Bot 500\n";
        let (recs, stats) = collect(text);
        assert_eq!(stats.records, 2, "{stats:?}");
        assert_eq!(recs[0].1.unwrap().status, 404);
        assert_eq!(recs[1].1.unwrap().status, 500);
    }

    #[test]
    fn headerless_lines_use_a_default_layout() {
        let text = b"2022-05-08 01:26:01 10.119.32.8 POST /svc - 443 - 10.119.38.250 - - itwebcert.acxiom.com 200 0 0 232\n";
        let (recs, stats) = collect(text);
        assert_eq!(stats.records, 1);
        assert_eq!(recs[0].3, Some(232));
        assert!(stats.notes[0].contains("cs-host"));
    }

    #[test]
    fn spaces_found_word_by_word_match_a_byte_search() {
        let lines: [&[u8]; 6] = [
            b"",
            b" ",
            b"a b",
            b"2026-11-18 10:42:03 10.0.0.5 GET /api/orders/search q=1 443 - 10.0.0.9 Mozilla/5.0 - 502 3 12002 30012",
            b"x\xa0y\x20z\xff  w \x80\x20",
            b"longfieldwithoutanyspaceatallxxxxxxxxxx",
        ];
        for line in lines {
            for at in 0..=line.len() {
                let next = line[at..].iter().position(|&b| b == b' ').map(|p| at + p);
                assert_eq!(next_space(line, at), next, "{line:?} from {at}");
                let prev = line[..at].iter().rposition(|&b| b == b' ');
                assert_eq!(prev_space(line, at), prev, "{line:?} before {at}");
            }
            let mut spans = Vec::new();
            split_plain(line, &mut spans);
            let n = spans.len();
            assert_eq!(plain_field_count(line), n, "{line:?}");
            for (i, &span) in spans.iter().enumerate() {
                assert_eq!(
                    nth_plain(line, n, i),
                    slice(line, span),
                    "{line:?} field {i}"
                );
            }
        }
    }

    #[test]
    fn overlong_line_is_skipped_not_buffered() {
        let mut text = b"#Fields: date time sc-status\n".to_vec();
        text.extend(std::iter::repeat_n(b'x', MAX_LINE + 10));
        text.extend(b"\n2026-01-01 00:00:00 404\n");
        let (recs, stats) = collect(&text);
        assert_eq!(recs.len(), 1);
        assert_eq!(recs[0].0, 3);
        assert_eq!(stats.malformed, 1);
    }
}
