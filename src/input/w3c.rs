//! The W3C extended log reader (`u_ex*.log`).
//!
//! Columns come from each `#Fields:` line, and a later `#Fields:` line replaces the layout
//! from there on (IIS writes a header block at every restart). Lines are parsed as bytes in a
//! reused buffer: no allocation per line, non-UTF-8 bytes never abort a file. A line whose
//! field count does not match its layout is tried again with runs of spaces folded and with
//! double-quoted values (IIS Advanced Logging), and only then counted as malformed.

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

/// One log line, parsed as far as grouping needs; other fields are read on demand.
pub struct Record<'a> {
    line_bytes: &'a [u8],
    spans: &'a [(u32, u32)],
    layout: &'a Layout,
    /// 1-based line number in the file.
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
        let v = slice(self.line_bytes, *self.spans.get(usize::from(i))?);
        (v != b"-").then_some(v)
    }

    /// A field by its `#Fields:` name (custom fields included), case-insensitively.
    pub fn get_named(&self, name: &str) -> Option<&'a [u8]> {
        let i = self
            .layout
            .names
            .iter()
            .position(|n| n.eq_ignore_ascii_case(name))?;
        let v = slice(self.line_bytes, *self.spans.get(i)?);
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
            spans,
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
pub fn read<R: Read, F: FnMut(&Record<'_>)>(mut reader: R, mut visit: F) -> io::Result<Stats> {
    let mut state = State::default();
    let mut buf = vec![0u8; READ_SIZE];
    let (mut start, mut end) = (0usize, 0usize);
    let mut first = true;
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
                    state.malformed(format!("line longer than {} MiB, skipped", MAX_LINE >> 20));
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
        if first && end == 0 {
            first = false;
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
        }
    }
    Ok(state.finish())
}

#[derive(Default)]
struct State {
    stats: Stats,
    layout: Option<Layout>,
    layout_line: u64,
    header_day: Option<i64>,
    spans: Vec<(u32, u32)>,
    line_no: u64,
    inferred: bool,
    folded_lines: u64,
    /// Standard layouts that lines not fitting the declared one were read with.
    misfits: Vec<&'static str>,
}

impl State {
    fn malformed(&mut self, reason: String) {
        self.stats.malformed += 1;
        if self.stats.malformed_samples.len() < MALFORMED_SAMPLES {
            self.stats.malformed_samples.push(Malformed {
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
        match self.data(line) {
            Ok(rec) => visit(&rec),
            Err(reason) if unterminated => self.stats.notes.push(format!(
                "the last line ({}) is cut off mid-write and was left out ({reason})",
                self.line_no
            )),
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
            self.stats.header_blocks += 1;
            if layout.local_time && !self.stats.local_time {
                self.stats.local_time = true;
                self.stats.notes.push(
                    "times are the server's local time (date-local/time-local), not UTC".into(),
                );
            }
            self.layout = Some(layout);
            self.layout_line = self.line_no;
        } else if name.eq_ignore_ascii_case(b"Date") || name.eq_ignore_ascii_case(b"Start-Date") {
            self.header_day = time::parse_header_date(value).map(time::day_of);
        }
    }

    /// Parses a data line against the layout in force.
    fn data<'s>(&'s mut self, line: &'s [u8]) -> Result<Record<'s>, String> {
        if self.layout.is_none() {
            match Layout::infer(line) {
                Some((layout, name)) => {
                    let layout = layout.clone();
                    self.stats.notes.push(format!(
                        "no #Fields line before line {}: read as {name}",
                        self.line_no
                    ));
                    self.layout = Some(layout);
                    self.inferred = true;
                }
                None => return Err("data line before any #Fields line".into()),
            }
        }
        let Some(layout) = self.layout.as_ref() else {
            return Err("data line before any #Fields line".into());
        };
        let want = layout.len();
        split_plain(line, &mut self.spans);
        if self.spans.len() != want {
            split_folded(line, &mut self.spans);
            if self.spans.len() == want {
                self.folded_lines += 1;
            } else if memchr(b'"', line).is_some() {
                split_quoted(line, &mut self.spans);
            }
        }
        if self.spans.len() != want {
            // A line from another layout (copy-pasted logs, a header that lies): read it with
            // the standard layout it fits, if one does.
            let found = self.spans.len();
            if let Some((preset, name)) = Layout::infer_split(line, &mut self.spans) {
                self.misfits.push(name);
                return record(
                    line,
                    &self.spans,
                    preset,
                    self.line_no,
                    self.header_day,
                    &mut self.stats,
                );
            }
            return Err(if self.inferred {
                format!("{found} fields where the inferred layout has {want}")
            } else {
                format!(
                    "{found} fields where the #Fields line (line {}) declares {want}",
                    self.layout_line
                )
            });
        }
        record(
            line,
            &self.spans,
            layout,
            self.line_no,
            self.header_day,
            &mut self.stats,
        )
    }

    fn finish(mut self) -> Stats {
        let mut names = self.misfits.clone();
        names.sort_unstable();
        names.dedup();
        for name in names {
            let n = self.misfits.iter().filter(|m| **m == name).count();
            self.stats.notes.push(format!(
                "{n} line(s) did not fit the #Fields layout in force but fit {name}; read with that layout"
            ));
        }
        if self.folded_lines > 0 {
            self.stats.notes.push(format!(
                "{} line(s) had runs of spaces between fields; read with the runs folded",
                self.folded_lines
            ));
        }
        if self.stats.no_status && self.stats.records > 0 {
            self.stats.notes.push(
                "the #Fields layout has no sc-status: requests are counted, failures cannot be told"
                    .into(),
            );
        }
        self.stats
    }
}

/// Parses the fields of a line already split against `layout`.
fn record<'s>(
    line: &'s [u8],
    spans: &'s [(u32, u32)],
    layout: &'s Layout,
    line_no: u64,
    header_day: Option<i64>,
    stats: &mut Stats,
) -> Result<Record<'s>, String> {
    let get = |f: Field| {
        layout.pos[f as usize]
            .map(|i| slice(line, spans[usize::from(i)]))
            .filter(|v| *v != b"-")
    };
    let number = |f: Field, what: &str| -> Result<Option<u64>, String> {
        match get(f) {
            None => Ok(None),
            Some(v) => parse_u64(v)
                .map(Some)
                .ok_or_else(|| format!("{what} is `{}`, not a number", String::from_utf8_lossy(v))),
        }
    };
    let status = number(Field::Status, "sc-status")?;
    let substatus = number(Field::Substatus, "sc-substatus")?;
    let win32 = number(Field::Win32, "sc-win32-status")?;
    let time_taken_ms = number(Field::TimeTaken, "time-taken")?;
    let triple = match status {
        Some(s) => Some(Triple::new(
            u16::try_from(s).map_err(|_| format!("sc-status {s} is out of range"))?,
            substatus
                .map(|v| u32::try_from(v).map_err(|_| format!("sc-substatus {v} is out of range")))
                .transpose()?,
            win32,
        )),
        None => None,
    };
    let day =
        match get(Field::Date) {
            Some(d) => Some(time::parse_date(d).ok_or_else(|| {
                format!("date is `{}`, not YYYY-MM-DD", String::from_utf8_lossy(d))
            })?),
            None => header_day,
        };
    let ms = match get(Field::Time) {
        Some(t) => Some(
            time::parse_time(t)
                .ok_or_else(|| format!("time is `{}`, not HH:MM:SS", String::from_utf8_lossy(t)))?,
        ),
        None => None,
    };
    let time = day.map(|d| time::at(d, ms.unwrap_or(0)));
    if !layout.has(Field::Status) {
        stats.no_status = true;
    }
    stats.records += 1;
    Ok(Record {
        line_bytes: line,
        spans,
        layout,
        line: line_no,
        triple,
        time,
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
