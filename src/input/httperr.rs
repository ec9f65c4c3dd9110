//! Reader for the HTTP.sys error log (`HTTPERR\httperr<N>.log`).
//!
//! HTTP.sys writes a line here for every request it rejected or gave up on before a worker
//! process saw it: 400 parse errors, 503s for a stopped or full application pool, abandoned
//! connections when w3wp died. None of these reach the site's W3C log, which is why the file
//! matters. The reader parses bytes in place (one reused buffer, memchr for line ends and
//! separators, no allocation per line) and honours every `#Fields:` line, because the field
//! set grew over Windows releases (`streamid`, then `streamid_ex` and `transport`) and a
//! single file can hold blocks written by more than one of them.

use std::fmt;
use std::io::{self, Read};

use memchr::{memchr, memchr_iter};

use crate::time::{Millis, at, parse_date, parse_time};

/// The field set HTTP.sys used up to Windows Server 2012 R2, and the one assumed when a file
/// has no `#Fields:` line at all.
pub const CLASSIC_FIELDS: &str = "date time c-ip c-port s-ip s-port cs-version cs-method cs-uri sc-status s-siteid s-reason s-queuename";

/// Size of each read; the buffer grows only when a single line is longer than this.
const READ_SIZE: usize = 1 << 20;
/// A line longer than this is not an HTTPERR line (HTTP.sys truncates the URL at 4096 bytes
/// and the verb at 255); it is counted as malformed and skipped instead of growing the
/// buffer without bound.
const MAX_LINE: usize = 16 << 20;
/// How many malformed lines are kept with their line number and problem.
const MALFORMED_KEPT: usize = 5;
/// How many bytes of a bad value are quoted back in a problem description.
const QUOTE_MAX: usize = 40;
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// One line of an HTTPERR log, borrowed from the reader's buffer.
///
/// A `-` in the log (no value) reads as an empty slice for the byte fields and as `None` for
/// the numbers and for the optional fields. Fields the `#Fields:` line does not name read
/// the same way.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HttpErrRecord<'a> {
    /// 1-based line number in the file (header lines count).
    pub line: u64,
    /// `date` + `time`, UTC. `None` only when the layout has no `date` field.
    pub time: Option<Millis>,
    /// `c-ip`; IPv6 link-local addresses keep their zone id (`fe80::1%13`), see [`strip_zone`].
    pub client_ip: &'a [u8],
    pub client_port: Option<u16>,
    pub server_ip: &'a [u8],
    pub server_port: Option<u16>,
    /// `cs-version`, e.g. `HTTP/1.1`, `HTTP/3`; `HTTP/?.?` when the version was ≥ 10.
    pub version: &'a [u8],
    pub method: &'a [u8],
    /// `cs-uri`: the cooked URL with its query, as logged (spaces were written as `+`).
    pub uri: &'a [u8],
    /// `sc-status`; `None` for connection-level events (timers, abandoned connections).
    pub status: Option<u16>,
    /// `s-siteid`; a site number, or `None` for `-`.
    pub site_id: Option<u32>,
    /// `s-reason`, e.g. `QueueFull`, `Timer_ConnectionIdle`.
    pub reason: &'a [u8],
    /// `s-queuename`: the application pool, empty when HTTP.sys had not picked one.
    pub queue: &'a [u8],
    pub stream_id: Option<&'a [u8]>,
    pub stream_id_ex: Option<&'a [u8]>,
    /// `transport`: `TCP` or `QUIC` on the newest HTTP.sys.
    pub transport: Option<&'a [u8]>,
    pub fault_code: Option<&'a [u8]>,
    pub extended_fault_code: Option<&'a [u8]>,
    pub computer_name: Option<&'a [u8]>,
    pub user_agent: Option<&'a [u8]>,
    pub cookie: Option<&'a [u8]>,
    pub referer: Option<&'a [u8]>,
    pub host: Option<&'a [u8]>,
    /// `sc-bytes`.
    pub bytes_sent: Option<u64>,
    /// `cs-bytes`.
    pub bytes_received: Option<u64>,
    /// `time-taken`, milliseconds.
    pub time_taken: Option<u64>,
}

/// An IP address without its IPv6 zone id: `fe80::1%13` -> `fe80::1`.
pub fn strip_zone(ip: &[u8]) -> &[u8] {
    match memchr(b'%', ip) {
        Some(at) => &ip[..at],
        None => ip,
    }
}

/// What a malformed line got wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The line has a different number of fields than the `#Fields:` line in force names.
    FieldCount { expected: usize, found: usize },
    /// `sc-status` is neither `-` nor a number from 0 to 999.
    BadStatus { value: String },
    /// `date` or `time` does not read as `YYYY-MM-DD` / `HH:MM:SS`.
    BadTime { value: String },
    /// The line is longer than any HTTPERR line can be.
    TooLong { bytes: usize },
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::FieldCount { expected, found } => write!(
                f,
                "wrong field count: {found} fields where the #Fields line names {expected}"
            ),
            Problem::BadStatus { value } => {
                write!(
                    f,
                    "bad status `{value}` (expected a number up to 999 or `-`)"
                )
            }
            Problem::BadTime { value } => write!(f, "bad date or time `{value}`"),
            Problem::TooLong { bytes } => write!(f, "line too long ({bytes} bytes or more)"),
        }
    }
}

/// A malformed line: where it is and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MalformedLine {
    pub line: u64,
    #[serde(serialize_with = "display")]
    pub problem: Problem,
}

/// Things worth telling the user about a file that are not errors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Note {
    /// Data came before any `#Fields:` line; the classic 13-field layout was used.
    ClassicLayoutAssumed { line: u64 },
    /// The last line has no final newline and does not parse: HTTP.sys (or a copy) was
    /// interrupted mid-write. It is not counted as a record or as malformed.
    LastLineCut { line: u64, problem: Problem },
    /// A `#Fields:` line without `s-reason`: its lines are read, but this may not be an
    /// HTTPERR log at all.
    NoReasonField { line: u64 },
    /// A `#Fields:` line that names no fields; the layout before it stays in force.
    EmptyFields { line: u64 },
    /// Lines that began with NUL bytes: space a crash or a preallocating copier left behind.
    NulPadding { lines: u64 },
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Note::ClassicLayoutAssumed { line } => write!(
                f,
                "no #Fields line before line {line}: the classic layout was assumed ({CLASSIC_FIELDS})"
            ),
            Note::LastLineCut { line, problem } => write!(
                f,
                "last line ({line}) cut off mid-write, ignored: {problem}"
            ),
            Note::NoReasonField { line } => write!(
                f,
                "the #Fields line at line {line} has no s-reason field; this may not be an HTTPERR log"
            ),
            Note::EmptyFields { line } => write!(
                f,
                "the #Fields line at line {line} names no fields and was ignored"
            ),
            Note::NulPadding { lines } => write!(
                f,
                "{lines} line(s) began with NUL bytes (left by a crash or a preallocated copy); the NULs were skipped"
            ),
        }
    }
}

impl serde::Serialize for Note {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

fn display<T: fmt::Display, S: serde::Serializer>(value: &T, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(value)
}

/// What reading one file found, besides the records themselves.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct HttpErrStats {
    /// Lines in the file, headers and blank lines included.
    pub lines: u64,
    /// Lines handed to the visitor.
    pub records: u64,
    /// Lines that are neither records, headers nor blank.
    pub malformed: u64,
    /// The first few malformed lines, in file order.
    pub first_malformed: Vec<MalformedLine>,
    /// `#Fields:` lines seen; HTTP.sys writes one each time the HTTP service starts.
    pub header_blocks: u64,
    /// The distinct `#Fields:` values, in the order first seen.
    pub field_sets: Vec<String>,
    pub notes: Vec<Note>,
}

/// True when the first bytes of a file look like an HTTPERR log.
///
/// Decided by the first line that settles it: `#Software: Microsoft HTTP API` says yes; a
/// `#Fields:` line says yes when it names `s-reason`; a first data line before any header
/// says yes when it fits the classic layout (date, time, numeric or `-` ports and status).
/// `#Software: Microsoft HTTP Server API 2.0` is HTTP.sys's own W3C site logging, not an
/// error log, so it settles nothing and the `#Fields:` line decides.
pub fn looks_like_httperr(head: &[u8]) -> bool {
    let head = head.strip_prefix(BOM).unwrap_or(head);
    for line in head.split(|&b| b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line).trim_ascii();
        if line.is_empty() {
            continue;
        }
        if let Some(value) = directive(line, b"#Software:") {
            if value.trim_ascii_start().starts_with(b"Microsoft HTTP API") {
                return true;
            }
            continue;
        }
        if let Some(value) = directive(line, b"#Fields:") {
            return tokens(value).any(|t| t.eq_ignore_ascii_case(b"s-reason"));
        }
        if line.starts_with(b"#") {
            continue;
        }
        return fits_classic(line);
    }
    false
}

/// A headerless line that reads as the classic 13 fields.
fn fits_classic(line: &[u8]) -> bool {
    let mut cols: [&[u8]; 13] = [b""; 13];
    let mut n = 0;
    for t in tokens(line) {
        if n == cols.len() {
            return false;
        }
        cols[n] = t;
        n += 1;
    }
    let port_ok = |v: &[u8]| v == b"-" || parse_u16(v).is_some();
    n == cols.len()
        && parse_date(cols[0]).is_some()
        && parse_time(cols[1]).is_some()
        && port_ok(cols[3])
        && port_ok(cols[5])
        && (cols[9] == b"-" || parse_status(cols[9]).is_some())
}

/// The value of a `#Name:` directive, the name matched without regard to case.
fn directive<'a>(line: &'a [u8], name: &[u8]) -> Option<&'a [u8]> {
    let head = line.get(..name.len())?;
    if head.eq_ignore_ascii_case(name) {
        line.get(name.len()..)
    } else {
        None
    }
}

/// Space-separated tokens; runs of spaces count as one separator.
fn tokens(line: &[u8]) -> impl Iterator<Item = &[u8]> {
    line.split(|&b| b == b' ' || b == b'\t')
        .filter(|t| !t.is_empty())
}

fn parse_u64(v: &[u8]) -> Option<u64> {
    if v.is_empty() || v.len() > 19 {
        return None;
    }
    v.iter().try_fold(0u64, |n, &b| {
        b.is_ascii_digit().then(|| n * 10 + u64::from(b - b'0'))
    })
}

fn parse_u16(v: &[u8]) -> Option<u16> {
    parse_u64(v).and_then(|n| u16::try_from(n).ok())
}

fn parse_status(v: &[u8]) -> Option<u16> {
    parse_u16(v).filter(|&n| n <= 999)
}

/// The fields iisdiag knows by name. Others are counted for the field check and ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Date,
    Time,
    ClientIp,
    ClientPort,
    ServerIp,
    ServerPort,
    Version,
    Method,
    Uri,
    StreamId,
    StreamIdEx,
    Status,
    SiteId,
    Reason,
    Queue,
    Transport,
    FaultCode,
    ExtendedFaultCode,
    ComputerName,
    UserAgent,
    Cookie,
    Referer,
    Host,
    BytesSent,
    BytesReceived,
    TimeTaken,
}

impl Field {
    fn from_name(name: &[u8]) -> Option<Field> {
        const NAMES: &[(&str, Field)] = &[
            ("date", Field::Date),
            ("time", Field::Time),
            ("c-ip", Field::ClientIp),
            ("c-port", Field::ClientPort),
            ("s-ip", Field::ServerIp),
            ("s-port", Field::ServerPort),
            ("cs-version", Field::Version),
            ("cs-method", Field::Method),
            ("cs-uri", Field::Uri),
            ("streamid", Field::StreamId),
            ("streamid_ex", Field::StreamIdEx),
            ("sc-status", Field::Status),
            ("s-siteid", Field::SiteId),
            ("s-reason", Field::Reason),
            ("s-queuename", Field::Queue),
            ("transport", Field::Transport),
            ("fault-code", Field::FaultCode),
            ("extended-fault-code", Field::ExtendedFaultCode),
            ("s-computername", Field::ComputerName),
            ("cs(user-agent)", Field::UserAgent),
            ("cs(cookie)", Field::Cookie),
            ("cs(referer)", Field::Referer),
            ("cs-host", Field::Host),
            ("sc-bytes", Field::BytesSent),
            ("cs-bytes", Field::BytesReceived),
            ("time-taken", Field::TimeTaken),
        ];
        NAMES
            .iter()
            .find(|(n, _)| n.as_bytes().eq_ignore_ascii_case(name))
            .map(|&(_, f)| f)
    }
}

/// The column order set by a `#Fields:` line.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Layout {
    columns: Vec<Option<Field>>,
    has_date: bool,
    has_time: bool,
}

impl Layout {
    fn parse(value: &[u8]) -> Layout {
        let columns: Vec<Option<Field>> = tokens(value).map(Field::from_name).collect();
        let has = |f: Field| columns.contains(&Some(f));
        Layout {
            has_date: has(Field::Date),
            has_time: has(Field::Time),
            columns,
        }
    }

    fn classic() -> Layout {
        Layout::parse(CLASSIC_FIELDS.as_bytes())
    }
}

/// A parse failure still borrowing the line, made into a [`Problem`] only when kept.
enum Fault<'a> {
    FieldCount { expected: usize, found: usize },
    BadStatus(&'a [u8]),
    BadTime(&'a [u8], &'a [u8]),
}

impl Fault<'_> {
    fn to_problem(&self) -> Problem {
        let quote = |v: &[u8]| String::from_utf8_lossy(&v[..v.len().min(QUOTE_MAX)]).into_owned();
        match *self {
            Fault::FieldCount { expected, found } => Problem::FieldCount { expected, found },
            Fault::BadStatus(v) => Problem::BadStatus { value: quote(v) },
            Fault::BadTime(d, t) => Problem::BadTime {
                value: format!("{} {}", quote(d), quote(t)),
            },
        }
    }
}

fn value(v: &[u8]) -> &[u8] {
    if v == b"-" { b"" } else { v }
}

fn optional(v: &[u8]) -> Option<&[u8]> {
    if v == b"-" { None } else { Some(v) }
}

/// Splits one data line by the layout. Allocation-free: each column is matched to its field
/// as the separators are found.
fn parse_record<'a>(
    layout: &Layout,
    line: &'a [u8],
    line_no: u64,
) -> Result<HttpErrRecord<'a>, Fault<'a>> {
    let mut rec = HttpErrRecord {
        line: line_no,
        ..HttpErrRecord::default()
    };
    let (mut date, mut time): (&[u8], &[u8]) = (b"", b"");
    let mut found = 0usize;
    let mut start = 0usize;
    let ends = memchr_iter(b' ', line).chain(std::iter::once(line.len()));
    for end in ends {
        let Some(token) = line.get(start..end) else {
            break;
        };
        start = end + 1;
        if token.is_empty() {
            continue;
        }
        let column = found;
        found += 1;
        let Some(Some(field)) = layout.columns.get(column) else {
            continue;
        };
        match field {
            Field::Date => date = token,
            Field::Time => time = token,
            Field::ClientIp => rec.client_ip = value(token),
            Field::ClientPort => rec.client_port = parse_u16(token),
            Field::ServerIp => rec.server_ip = value(token),
            Field::ServerPort => rec.server_port = parse_u16(token),
            Field::Version => rec.version = value(token),
            Field::Method => rec.method = value(token),
            Field::Uri => rec.uri = value(token),
            Field::StreamId => rec.stream_id = optional(token),
            Field::StreamIdEx => rec.stream_id_ex = optional(token),
            Field::Status => {
                if token != b"-" {
                    rec.status = Some(parse_status(token).ok_or(Fault::BadStatus(token))?);
                }
            }
            Field::SiteId => rec.site_id = parse_u64(token).and_then(|n| u32::try_from(n).ok()),
            Field::Reason => rec.reason = value(token),
            Field::Queue => rec.queue = value(token),
            Field::Transport => rec.transport = optional(token),
            Field::FaultCode => rec.fault_code = optional(token),
            Field::ExtendedFaultCode => rec.extended_fault_code = optional(token),
            Field::ComputerName => rec.computer_name = optional(token),
            Field::UserAgent => rec.user_agent = optional(token),
            Field::Cookie => rec.cookie = optional(token),
            Field::Referer => rec.referer = optional(token),
            Field::Host => rec.host = optional(token),
            Field::BytesSent => rec.bytes_sent = parse_u64(token),
            Field::BytesReceived => rec.bytes_received = parse_u64(token),
            Field::TimeTaken => rec.time_taken = parse_u64(token),
        }
    }
    if found != layout.columns.len() {
        return Err(Fault::FieldCount {
            expected: layout.columns.len(),
            found,
        });
    }
    if layout.has_date {
        let days = parse_date(date).ok_or(Fault::BadTime(date, time))?;
        let ms = if layout.has_time {
            parse_time(time).ok_or(Fault::BadTime(date, time))?
        } else {
            0
        };
        rec.time = Some(at(days, ms));
    }
    Ok(rec)
}

/// Per-file state between lines.
struct Parser {
    layout: Option<Layout>,
    stats: HttpErrStats,
    nul_lines: u64,
}

impl Parser {
    fn malformed(&mut self, line: u64, problem: impl FnOnce() -> Problem) {
        self.stats.malformed += 1;
        if self.stats.first_malformed.len() < MALFORMED_KEPT {
            self.stats.first_malformed.push(MalformedLine {
                line,
                problem: problem(),
            });
        }
    }

    /// One line without its `\n`. `terminated` is false only for a last line that had none.
    fn line(&mut self, line: &[u8], terminated: bool, visit: &mut impl FnMut(&HttpErrRecord<'_>)) {
        self.stats.lines += 1;
        let line_no = self.stats.lines;
        let mut line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.first() == Some(&0) {
            self.nul_lines += 1;
            let text = line.iter().position(|&b| b != 0).unwrap_or(line.len());
            line = &line[text..];
        }
        line = line.strip_prefix(BOM).unwrap_or(line);
        let Some(&first) = line.first() else {
            return;
        };
        if first.is_ascii_whitespace() && line.trim_ascii().is_empty() {
            return;
        }
        if first == b'#' {
            self.directive(line, line_no);
            return;
        }
        if self.layout.is_none() {
            self.stats
                .notes
                .push(Note::ClassicLayoutAssumed { line: line_no });
            self.layout = Some(Layout::classic());
        }
        let Some(layout) = &self.layout else {
            return;
        };
        match parse_record(layout, line, line_no) {
            Ok(rec) => {
                self.stats.records += 1;
                visit(&rec);
            }
            Err(fault) if !terminated => self.stats.notes.push(Note::LastLineCut {
                line: line_no,
                problem: fault.to_problem(),
            }),
            Err(fault) => self.malformed(line_no, || fault.to_problem()),
        }
    }

    fn directive(&mut self, line: &[u8], line_no: u64) {
        let Some(value) = directive(line, b"#Fields:") else {
            return;
        };
        self.stats.header_blocks += 1;
        let layout = Layout::parse(value);
        if layout.columns.is_empty() {
            self.stats.notes.push(Note::EmptyFields { line: line_no });
            return;
        }
        if self.layout.as_ref() == Some(&layout) {
            return;
        }
        if !layout.columns.contains(&Some(Field::Reason)) {
            self.stats.notes.push(Note::NoReasonField { line: line_no });
        }
        let names = tokens(value)
            .map(String::from_utf8_lossy)
            .collect::<Vec<_>>()
            .join(" ");
        if !self.stats.field_sets.contains(&names) {
            self.stats.field_sets.push(names);
        }
        self.layout = Some(layout);
    }

    fn finish(mut self) -> HttpErrStats {
        if self.nul_lines > 0 {
            self.stats.notes.push(Note::NulPadding {
                lines: self.nul_lines,
            });
        }
        self.stats
    }
}

/// Reads an HTTPERR log, calling `visit` for every record in file order.
///
/// Problems in the data never stop the read: malformed lines are counted (the first few
/// with their line numbers), oddities become notes. Only I/O errors are returned.
pub fn read_httperr<R: Read>(
    mut reader: R,
    mut visit: impl FnMut(&HttpErrRecord<'_>),
) -> io::Result<HttpErrStats> {
    let mut parser = Parser {
        layout: None,
        stats: HttpErrStats::default(),
        nul_lines: 0,
    };
    let mut buf = vec![0u8; READ_SIZE];
    // Unprocessed bytes are buf[start..end]; `scanned` bytes of them are known to hold no '\n'.
    let (mut start, mut end, mut scanned) = (0usize, 0usize, 0usize);
    // Inside a line already reported as too long, discarding until its end.
    let mut skipping = false;
    loop {
        while let Some(nl) = buf.get(start + scanned..end).and_then(|b| memchr(b'\n', b)) {
            let line_end = start + scanned + nl;
            if skipping {
                skipping = false;
            } else if let Some(line) = buf.get(start..line_end) {
                parser.line(line, true, &mut visit);
            }
            start = line_end + 1;
            scanned = 0;
        }
        scanned = end - start;
        if start > 0 {
            buf.copy_within(start..end, 0);
            end -= start;
            start = 0;
        }
        if end == buf.len() {
            if skipping {
                end = 0;
                scanned = 0;
            } else if buf.len() >= MAX_LINE {
                parser.stats.lines += 1;
                let line = parser.stats.lines;
                parser.malformed(line, || Problem::TooLong { bytes: end });
                skipping = true;
                end = 0;
                scanned = 0;
            } else {
                buf.resize(buf.len() * 2, 0);
            }
        }
        let n = match reader.read(&mut buf[end..]) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if n == 0 {
            if !skipping && end > start {
                if let Some(line) = buf.get(start..end) {
                    parser.line(line, false, &mut visit);
                }
            }
            return Ok(parser.finish());
        }
        end += n;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(bytes: &[u8]) -> (Vec<Owned>, HttpErrStats) {
        let mut out = Vec::new();
        let stats = read_httperr(bytes, |r| out.push(Owned::from(r))).unwrap();
        (out, stats)
    }

    /// A record copied out of the buffer, so tests can look at it after the read.
    #[derive(Debug, Clone, PartialEq, Eq)]
    struct Owned {
        line: u64,
        time: Option<Millis>,
        client_ip: String,
        client_port: Option<u16>,
        server_ip: String,
        server_port: Option<u16>,
        version: String,
        method: String,
        uri: String,
        status: Option<u16>,
        site_id: Option<u32>,
        reason: String,
        queue: String,
        stream_id: Option<String>,
        stream_id_ex: Option<String>,
        transport: Option<String>,
        fault_code: Option<String>,
        user_agent: Option<String>,
        host: Option<String>,
        computer_name: Option<String>,
        time_taken: Option<u64>,
    }

    fn s(b: &[u8]) -> String {
        String::from_utf8_lossy(b).into_owned()
    }

    impl From<&HttpErrRecord<'_>> for Owned {
        fn from(r: &HttpErrRecord<'_>) -> Owned {
            Owned {
                line: r.line,
                time: r.time,
                client_ip: s(r.client_ip),
                client_port: r.client_port,
                server_ip: s(r.server_ip),
                server_port: r.server_port,
                version: s(r.version),
                method: s(r.method),
                uri: s(r.uri),
                status: r.status,
                site_id: r.site_id,
                reason: s(r.reason),
                queue: s(r.queue),
                stream_id: r.stream_id.map(s),
                stream_id_ex: r.stream_id_ex.map(s),
                transport: r.transport.map(s),
                fault_code: r.fault_code.map(s),
                user_agent: r.user_agent.map(s),
                host: r.host.map(s),
                computer_name: r.computer_name.map(s),
                time_taken: r.time_taken,
            }
        }
    }

    fn ts(text: &str) -> Millis {
        let b = text.as_bytes();
        at(parse_date(&b[..10]).unwrap(), parse_time(&b[11..]).unwrap())
    }

    const CLASSIC_HEAD: &str = "#Software: Microsoft HTTP API 2.0\r\n#Version: 1.0\r\n#Date: 2024-03-11 09:50:10\r\n#Fields: date time c-ip c-port s-ip s-port cs-version cs-method cs-uri sc-status s-siteid s-reason s-queuename\r\n";

    #[test]
    fn classic_line() {
        let text = format!(
            "{CLASSIC_HEAD}2024-03-11 09:52:01 10.20.30.41 51234 10.20.1.5 443 HTTP/1.1 GET /orders/api/cart?id=7 503 2 AppOffline OrdersPool\r\n"
        );
        let (recs, stats) = read(text.as_bytes());
        assert_eq!(stats.records, 1);
        assert_eq!(stats.malformed, 0);
        assert_eq!(stats.header_blocks, 1);
        assert!(stats.notes.is_empty(), "{:?}", stats.notes);
        let r = &recs[0];
        assert_eq!(r.line, 5);
        assert_eq!(r.time, Some(ts("2024-03-11 09:52:01")));
        assert_eq!(
            (r.client_ip.as_str(), r.client_port),
            ("10.20.30.41", Some(51234))
        );
        assert_eq!(
            (r.server_ip.as_str(), r.server_port),
            ("10.20.1.5", Some(443))
        );
        assert_eq!((r.version.as_str(), r.method.as_str()), ("HTTP/1.1", "GET"));
        assert_eq!(r.uri, "/orders/api/cart?id=7");
        assert_eq!((r.status, r.site_id), (Some(503), Some(2)));
        assert_eq!(
            (r.reason.as_str(), r.queue.as_str()),
            ("AppOffline", "OrdersPool")
        );
        assert_eq!((r.stream_id.clone(), r.transport.clone()), (None, None));
    }

    #[test]
    fn dashes_are_empty() {
        let text = format!(
            "{CLASSIC_HEAD}2024-03-11 09:53:12 10.20.30.44 50100 10.20.1.5 443 - - - - - Timer_ConnectionIdle -\r\n"
        );
        let (recs, _) = read(text.as_bytes());
        let r = &recs[0];
        assert_eq!(
            (r.version.as_str(), r.method.as_str(), r.uri.as_str()),
            ("", "", "")
        );
        assert_eq!((r.status, r.site_id), (None, None));
        assert_eq!(
            (r.reason.as_str(), r.queue.as_str()),
            ("Timer_ConnectionIdle", "")
        );
    }

    #[test]
    fn ipv6_zone_ids_are_kept() {
        let text = format!(
            "{CLASSIC_HEAD}2015-07-08 08:40:57 fe80::6cae:6333:848c:8157%13 60494 fe80::5c63:97bb:c26c:3710%13 5357 - - - - - Timer_ConnectionIdle -\r\n"
        );
        let (recs, stats) = read(text.as_bytes());
        assert_eq!(stats.malformed, 0);
        assert_eq!(recs[0].client_ip, "fe80::6cae:6333:848c:8157%13");
        assert_eq!(recs[0].client_port, Some(60494));
        assert_eq!(recs[0].server_ip, "fe80::5c63:97bb:c26c:3710%13");
        assert_eq!(strip_zone(b"fe80::1%13"), b"fe80::1");
        assert_eq!(strip_zone(b"10.0.0.1"), b"10.0.0.1");
    }

    #[test]
    fn streamid_layout() {
        let text = "#Software: Microsoft HTTP API 2.0\r\n#Fields: date time c-ip c-port s-ip s-port cs-version cs-method cs-uri streamid sc-status s-siteid s-reason s-queuename\r\n\
            2023-06-01 12:00:00 10.0.0.9 50000 10.0.0.1 443 HTTP/2.0 GET /stock 5 503 3 QueueFull InventoryPool\r\n";
        let (recs, stats) = read(text.as_bytes());
        assert_eq!(stats.records, 1);
        assert_eq!(recs[0].stream_id.as_deref(), Some("5"));
        assert_eq!(recs[0].status, Some(503));
        assert_eq!(recs[0].queue, "InventoryPool");
    }

    #[test]
    fn newest_layout_with_transport() {
        let text = "#Fields: date time c-ip c-port s-ip s-port cs-version cs-method cs-uri streamid streamid_ex sc-status s-siteid s-reason s-queuename transport\r\n\
            2023-06-01 12:00:00 10.0.0.9 50000 10.0.0.1 443 HTTP/3 GET /stock 3 - 503 3 AppOffline InventoryPool QUIC\r\n";
        let (recs, _) = read(text.as_bytes());
        let r = &recs[0];
        assert_eq!(r.stream_id.as_deref(), Some("3"));
        assert_eq!(r.stream_id_ex, None);
        assert_eq!(r.transport.as_deref(), Some("QUIC"));
        assert_eq!((r.status, r.reason.as_str()), (Some(503), "AppOffline"));
    }

    #[test]
    fn plaso_layout_with_fault_codes() {
        let text = "#Fields: date time c-ip c-port s-ip s-port cs-version cs-method cs-uri streamid streamid_ex sc-status s-siteid s-reason s-queuename transport fault-code extended-fault-code\r\n\
            2025-03-14 09:15:07 192.0.2.13 50201 192.0.2.1 443 HTTP/3 GET /status 5 - 503 2 QueueFull MyAppPool QUIC 0x80070008 0x1\r\n";
        let (recs, stats) = read(text.as_bytes());
        assert_eq!(stats.malformed, 0);
        assert_eq!(recs[0].fault_code.as_deref(), Some("0x80070008"));
        assert_eq!(recs[0].transport.as_deref(), Some("QUIC"));
    }

    #[test]
    fn reduced_doc_layout_with_trailing_space() {
        let text = "#Software: Microsoft HTTP API 1.0\n#Fields: date time cs-version cs-method cs-uri sc-status s-reason \n2012-11-14 20:36:36 HTTP/1.1 GET /1234567890/time.asp 400 FieldLength";
        let (recs, stats) = read(text.as_bytes());
        assert_eq!(stats.records, 1);
        assert!(stats.notes.is_empty(), "{:?}", stats.notes);
        assert_eq!(
            stats.field_sets,
            ["date time cs-version cs-method cs-uri sc-status s-reason"]
        );
        assert_eq!(
            (recs[0].status, recs[0].reason.as_str()),
            (Some(400), "FieldLength")
        );
        assert_eq!(
            (recs[0].client_ip.as_str(), recs[0].client_port),
            ("", None)
        );
    }

    #[test]
    fn optional_extras() {
        let text = "#Fields: date time c-ip c-port s-ip s-port cs-version cs-method cs-uri sc-status s-siteid s-reason s-queuename s-computername cs(User-Agent) cs-host time-taken\r\n\
            2024-01-02 03:04:05 10.0.0.9 50000 10.0.0.1 80 HTTP/1.1 GET /x 503 1 QueueFull Pool WEB01 Mozilla/5.0+(Windows) shop.example.com 12\r\n\
            2024-01-02 03:04:06 10.0.0.9 50001 10.0.0.1 80 - - - - - Timer_ConnectionIdle - WEB01 - - -\r\n";
        let (recs, stats) = read(text.as_bytes());
        assert_eq!(stats.records, 2);
        assert_eq!(recs[0].computer_name.as_deref(), Some("WEB01"));
        assert_eq!(recs[0].user_agent.as_deref(), Some("Mozilla/5.0+(Windows)"));
        assert_eq!(recs[0].host.as_deref(), Some("shop.example.com"));
        assert_eq!(recs[0].time_taken, Some(12));
        assert_eq!(
            (recs[1].user_agent.clone(), recs[1].time_taken),
            (None, None)
        );
    }

    #[test]
    fn unknown_fields_are_counted_but_ignored() {
        let text = "#Fields: date time s-reason x-future-thing\n2024-01-02 03:04:05 Verb abc\n2024-01-02 03:04:05 Verb\n";
        let (recs, stats) = read(text.as_bytes());
        assert_eq!(stats.records, 1);
        assert_eq!(recs[0].reason, "Verb");
        assert_eq!(stats.first_malformed[0].line, 3);
    }

    #[test]
    fn header_change_mid_file() {
        let text = format!(
            "{CLASSIC_HEAD}2024-03-11 09:52:01 10.0.0.2 5000 10.0.0.1 80 HTTP/1.1 GET /a 503 1 QueueFull P1\r\n\
             #Software: Microsoft HTTP API 2.0\r\n#Fields: date time c-ip c-port s-ip s-port cs-version cs-method cs-uri streamid streamid_ex sc-status s-siteid s-reason s-queuename transport\r\n\
             2024-03-12 10:00:00 10.0.0.2 5001 10.0.0.1 443 HTTP/2.0 GET /b 7 - 503 1 QueueFull P1 TCP\r\n\
             #Fields: date time c-ip c-port s-ip s-port cs-version cs-method cs-uri sc-status s-siteid s-reason s-queuename\r\n\
             2024-03-13 10:00:00 10.0.0.2 5002 10.0.0.1 80 HTTP/1.1 GET /c 400 1 Verb -\r\n"
        );
        let (recs, stats) = read(text.as_bytes());
        assert_eq!(stats.records, 3);
        assert_eq!(stats.malformed, 0);
        assert_eq!(stats.header_blocks, 3);
        assert_eq!(stats.field_sets.len(), 2);
        assert_eq!(recs[0].stream_id, None);
        assert_eq!(recs[1].stream_id.as_deref(), Some("7"));
        assert_eq!(recs[1].transport.as_deref(), Some("TCP"));
        assert_eq!(
            (recs[2].status, recs[2].transport.clone()),
            (Some(400), None)
        );
    }

    #[test]
    fn runs_of_spaces_are_one_separator() {
        let text = format!(
            "{CLASSIC_HEAD}2024-03-11  09:52:01 10.0.0.2 5000   10.0.0.1 80 HTTP/1.1 GET /a 503 1 QueueFull P1 \r\n"
        );
        let (recs, stats) = read(text.as_bytes());
        assert_eq!(stats.malformed, 0);
        assert_eq!(recs[0].queue, "P1");
        assert_eq!(recs[0].server_ip, "10.0.0.1");
    }

    #[test]
    fn malformed_lines_are_counted_with_line_numbers() {
        let text = format!(
            "{CLASSIC_HEAD}2024-03-11 09:52:01 10.0.0.2 5000 10.0.0.1 80 HTTP/1.1 GET /a 503 1 QueueFull\r\n\
             2024-03-11 09:52:01 10.0.0.2 5000 10.0.0.1 80 HTTP/1.1 GET /a 5x3 1 QueueFull P1\r\n\
             2024-03-11 09:52:01 10.0.0.2 5000 10.0.0.1 80 HTTP/1.1 GET /a 1503 1 QueueFull P1\r\n\
             2024-13-11 09:52:01 10.0.0.2 5000 10.0.0.1 80 HTTP/1.1 GET /a 503 1 QueueFull P1\r\n\
             \r\n\
             2024-03-11 09:52:02 10.0.0.2 5000 10.0.0.1 80 HTTP/1.1 GET /ok 503 1 QueueFull P1\r\n"
        );
        let (recs, stats) = read(text.as_bytes());
        assert_eq!(stats.records, 1);
        assert_eq!(recs[0].line, 10);
        assert_eq!(stats.malformed, 4);
        assert_eq!(stats.lines, 10);
        let lines: Vec<u64> = stats.first_malformed.iter().map(|m| m.line).collect();
        assert_eq!(lines, [5, 6, 7, 8]);
        assert_eq!(
            stats.first_malformed[0].problem,
            Problem::FieldCount {
                expected: 13,
                found: 12
            }
        );
        assert_eq!(
            stats.first_malformed[1].problem,
            Problem::BadStatus {
                value: "5x3".into()
            }
        );
        assert!(matches!(
            stats.first_malformed[2].problem,
            Problem::BadStatus { .. }
        ));
        assert!(matches!(
            stats.first_malformed[3].problem,
            Problem::BadTime { .. }
        ));
        assert!(
            stats.first_malformed[0]
                .problem
                .to_string()
                .contains("wrong field count")
        );
    }

    #[test]
    fn only_the_first_malformed_lines_are_kept() {
        let mut text = String::from(CLASSIC_HEAD);
        for _ in 0..20 {
            text.push_str("garbage\r\n");
        }
        let (_, stats) = read(text.as_bytes());
        assert_eq!(stats.malformed, 20);
        assert_eq!(stats.first_malformed.len(), MALFORMED_KEPT);
        assert_eq!(stats.first_malformed[0].line, 5);
    }

    #[test]
    fn truncated_last_line_is_a_note() {
        let text = format!(
            "{CLASSIC_HEAD}2024-03-11 09:52:01 10.0.0.2 5000 10.0.0.1 80 HTTP/1.1 GET /a 503 1 QueueFull P1\r\n2024-03-11 09:52:02 10.0.0.2 5001 10.0.0.1 80 HTTP/1.1 GET /ord"
        );
        let (recs, stats) = read(text.as_bytes());
        assert_eq!((recs.len(), stats.malformed), (1, 0));
        assert_eq!(stats.lines, 6);
        assert!(
            matches!(stats.notes[..], [Note::LastLineCut { line: 6, .. }]),
            "{:?}",
            stats.notes
        );
        assert!(stats.notes[0].to_string().contains("cut off mid-write"));
    }

    #[test]
    fn complete_last_line_without_newline_is_a_record() {
        let text = format!(
            "{CLASSIC_HEAD}2024-03-11 09:52:01 10.0.0.2 5000 10.0.0.1 80 HTTP/1.1 GET /a 503 1 QueueFull P1"
        );
        let (recs, stats) = read(text.as_bytes());
        assert_eq!(recs.len(), 1);
        assert!(stats.notes.is_empty());
    }

    #[test]
    fn non_utf8_bytes_pass_through() {
        let mut text = CLASSIC_HEAD.as_bytes().to_vec();
        text.extend_from_slice(b"2018-05-05 05:05:55 10.0.0.2 12345 10.0.0.1 443 HTTP/1.1 GET /\xc0\xae\xc0\xae/win.ini 400 - URL -\r\n");
        let mut uris = Vec::new();
        let stats = read_httperr(&text[..], |r| uris.push(r.uri.to_vec())).unwrap();
        assert_eq!(stats.records, 1);
        assert_eq!(uris[0], b"/\xc0\xae\xc0\xae/win.ini");
    }

    #[test]
    fn bom_is_skipped() {
        let mut text = BOM.to_vec();
        text.extend_from_slice(CLASSIC_HEAD.as_bytes());
        text.extend_from_slice(
            b"2024-03-11 09:52:01 10.0.0.2 5000 10.0.0.1 80 HTTP/1.1 GET /a 503 1 QueueFull P1\r\n",
        );
        let (recs, stats) = read(&text);
        assert_eq!(stats.header_blocks, 1);
        assert!(stats.notes.is_empty(), "{:?}", stats.notes);
        assert_eq!(recs.len(), 1);
        assert!(looks_like_httperr(&text));
    }

    #[test]
    fn headerless_file_uses_the_classic_layout() {
        let text = "2018-05-05 05:05:55 149.42.83.135 12345 192.168.101.101 443 HTTP/1.1 OPTIONS * 404 - NotFound -\n";
        let (recs, stats) = read(text.as_bytes());
        assert_eq!(stats.records, 1);
        assert_eq!(stats.notes, [Note::ClassicLayoutAssumed { line: 1 }]);
        assert_eq!(recs[0].reason, "NotFound");
    }

    #[test]
    fn nul_padding_is_skipped() {
        let mut text = vec![0u8; 300];
        text.extend_from_slice(CLASSIC_HEAD.as_bytes());
        text.extend_from_slice(
            b"2024-03-11 09:52:01 10.0.0.2 5000 10.0.0.1 80 HTTP/1.1 GET /a 503 1 QueueFull P1\r\n",
        );
        text.extend_from_slice(&[0u8; 100]);
        let (recs, stats) = read(&text);
        assert_eq!((recs.len(), stats.malformed), (1, 0));
        assert_eq!(stats.notes, [Note::NulPadding { lines: 2 }]);
    }

    #[test]
    fn lines_across_read_boundaries() {
        // A reader that hands out a few bytes at a time exercises the carry-over logic.
        struct Trickle<'a>(&'a [u8]);
        impl Read for Trickle<'_> {
            fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
                let n = self.0.len().min(out.len()).min(7);
                out[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let mut text = BOM.to_vec();
        text.extend_from_slice(CLASSIC_HEAD.as_bytes());
        for i in 0..50 {
            text.extend_from_slice(
                format!("2024-03-11 09:52:{:02} 10.0.0.2 {} 10.0.0.1 80 HTTP/1.1 GET /a 503 1 QueueFull P1\r\n", i % 60, 5000 + i)
                    .as_bytes(),
            );
        }
        let mut ports = Vec::new();
        let stats = read_httperr(Trickle(&text), |r| ports.push(r.client_port)).unwrap();
        assert_eq!((stats.records, stats.malformed), (50, 0));
        assert_eq!(ports[49], Some(5049));
        let (_, whole) = read(&text);
        assert_eq!(stats, whole);
    }

    #[test]
    fn very_long_line_grows_the_buffer() {
        let uri = "/q".repeat(READ_SIZE);
        let text = format!(
            "{CLASSIC_HEAD}2024-03-11 09:52:01 10.0.0.2 5000 10.0.0.1 80 HTTP/1.1 GET {uri} 400 1 URL_Length -\r\n2024-03-11 09:52:02 10.0.0.2 5000 10.0.0.1 80 HTTP/1.1 GET /b 400 1 URL -\r\n"
        );
        let mut lens = Vec::new();
        let stats = read_httperr(text.as_bytes(), |r| lens.push(r.uri.len())).unwrap();
        assert_eq!(stats.records, 2);
        assert_eq!(lens, [uri.len(), 2]);
    }

    #[test]
    fn overlong_line_is_malformed_and_skipped() {
        let mut text = CLASSIC_HEAD.as_bytes().to_vec();
        text.resize(text.len() + MAX_LINE + 100, b'x');
        text.extend_from_slice(
            b"\r\n2024-03-11 09:52:02 10.0.0.2 5000 10.0.0.1 80 HTTP/1.1 GET /b 400 1 URL -\r\n",
        );
        let (recs, stats) = read(&text);
        assert_eq!((stats.records, stats.malformed, stats.lines), (1, 1, 6));
        assert!(matches!(
            stats.first_malformed[0].problem,
            Problem::TooLong { .. }
        ));
        assert_eq!(stats.first_malformed[0].line, 5);
        assert_eq!(recs[0].line, 6);
    }

    #[test]
    fn never_panics_on_odd_input() {
        let inputs: [&[u8]; 10] = [
            b"",
            b"\n",
            b"#",
            b"#Fields:",
            b"#Fields:\n2024-01-01 00:00:00",
            b"\xEF\xBB",
            b"\r\r\r\n\r",
            b"#Fields: date\n-\n2024-01-01\n",
            b"\xff\xfe\x00#\x00F",
            b"#Fields: time\n99:99:99\n",
        ];
        for input in inputs {
            let _ = read(input);
            let _ = looks_like_httperr(input);
        }
    }

    #[test]
    fn sniffing() {
        assert!(looks_like_httperr(CLASSIC_HEAD.as_bytes()));
        assert!(looks_like_httperr(b"#Software: Microsoft HTTP API 1.0\n"));
        assert!(looks_like_httperr(
            b"#Version: 1.0\r\n#Fields: date time s-reason\r\n"
        ));
        assert!(!looks_like_httperr(
            b"#Software: Microsoft HTTP Server API 2.0\r\n#Fields: date time c-ip cs-method cs-uri-stem sc-status\r\n"
        ));
        assert!(!looks_like_httperr(
            b"#Software: Microsoft Internet Information Services 10.0\r\n#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) sc-status sc-substatus sc-win32-status time-taken\r\n"
        ));
        assert!(looks_like_httperr(
            b"2018-05-05 05:05:55 149.42.83.135 12345 192.168.101.101 443 HTTP/0.9 t3 12.2.1 400 - URL -\n"
        ));
        // A headerless W3C line with 13 fields: the "ports" are a verb and a user name.
        assert!(!looks_like_httperr(
            b"2024-01-01 00:00:00 10.0.0.1 GET / - 80 - 10.0.0.2 Mozilla 200 0 0\n"
        ));
        assert!(!looks_like_httperr(
            b"HTTP/1.1 GET /time/ - 1 Connection_Dropped DefaultAppPool"
        ));
        assert!(!looks_like_httperr(b""));
    }

    // --- the shared corpus, read in place ---

    const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus/httperr");

    fn corpus_file(name: &str) -> Option<Vec<u8>> {
        let path = std::path::Path::new(CORPUS).join(name);
        match std::fs::read(&path) {
            Ok(bytes) => Some(bytes),
            Err(_) => {
                eprintln!("skipped: {} is not available", path.display());
                None
            }
        }
    }

    fn reason_counts(recs: &[Owned]) -> Vec<(String, Option<u16>, usize)> {
        let mut counts = std::collections::BTreeMap::new();
        for r in recs {
            *counts.entry((r.reason.clone(), r.status)).or_insert(0usize) += 1;
        }
        counts.into_iter().map(|((r, s), n)| (r, s, n)).collect()
    }

    #[test]
    fn corpus_learn_python_httperr1() {
        let Some(bytes) = corpus_file("learn_python__httperr1.log") else {
            return;
        };
        assert!(looks_like_httperr(&bytes));
        let (recs, stats) = read(&bytes);
        assert_eq!(stats.lines, 1494);
        assert_eq!(stats.records, 1018);
        assert_eq!(stats.malformed, 0);
        assert_eq!(stats.header_blocks, 119);
        assert_eq!(stats.field_sets, [CLASSIC_FIELDS]);
        assert!(stats.notes.is_empty(), "{:?}", stats.notes);
        let mut counts = reason_counts(&recs);
        counts.sort_by_key(|c| std::cmp::Reverse(c.2));
        let want = [
            ("Timer_ConnectionIdle", None, 544),
            ("N/A", Some(503), 387),
            ("Connection_Abandoned_By_ReqQueue", None, 73),
            ("Timer_MinBytesPerSecond", None, 8),
            ("Disabled", Some(503), 4),
            ("Verb", Some(400), 2),
        ];
        let got: Vec<(&str, Option<u16>, usize)> = counts
            .iter()
            .map(|(r, s, n)| (r.as_str(), *s, *n))
            .collect();
        assert_eq!(got, want);
        assert!(
            recs.iter()
                .all(|r| r.site_id.is_none() && r.queue.is_empty())
        );
        assert_eq!(
            recs.iter().filter(|r| r.client_ip.contains('%')).count(),
            129
        );
        assert_eq!(recs.iter().filter(|r| r.method.is_empty()).count(), 554);
        assert_eq!(recs[0].time, Some(ts("2015-01-15 14:11:38")));
        assert_eq!(recs[1017].time, Some(ts("2018-05-24 14:22:23")));
        assert_eq!(recs[1017].line, 1494);
    }

    #[test]
    fn corpus_plaso() {
        let Some(bytes) = corpus_file("plaso__httperr.log") else {
            return;
        };
        assert!(looks_like_httperr(&bytes));
        let (recs, stats) = read(&bytes);
        assert_eq!(
            (stats.records, stats.malformed, stats.header_blocks),
            (5, 0, 1)
        );
        assert!(stats.notes.is_empty(), "{:?}", stats.notes);
        let got: Vec<(Option<u16>, &str)> =
            recs.iter().map(|r| (r.status, r.reason.as_str())).collect();
        assert_eq!(
            got,
            [
                (Some(400), "Hostname"),
                (Some(505), "Version_N/S"),
                (Some(400), "Verb"),
                (Some(414), "URL_Length"),
                (Some(400), "Header"),
            ]
        );
        assert_eq!(recs[1].version, "HTTP/9.9");
        assert!(recs.iter().all(|r| r.transport.as_deref() == Some("TCP")));
        assert_eq!(recs[0].uri, "/test'XOR(1)*!");
    }

    #[test]
    fn corpus_plaso_restart_has_two_field_sets() {
        let Some(bytes) = corpus_file("plaso__httperr_restart.log") else {
            return;
        };
        let (recs, stats) = read(&bytes);
        assert_eq!(
            (stats.records, stats.malformed, stats.header_blocks),
            (6, 0, 2)
        );
        assert_eq!(stats.field_sets.len(), 2);
        assert_eq!(stats.field_sets[0], CLASSIC_FIELDS);
        let got: Vec<(Option<u16>, &str, &str)> = recs
            .iter()
            .map(|r| (r.status, r.reason.as_str(), r.queue.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (Some(503), "AppOffline", "DefaultAppPool"),
                (None, "Timer_ConnectionIdle", ""),
                (Some(400), "BadRequest", ""),
                (Some(400), "BadRequest", ""),
                (Some(413), "Request_Too_Large", "MyAppPool"),
                (Some(503), "QueueFull", "MyAppPool"),
            ]
        );
        assert_eq!(
            recs[3].uri,
            "/(select+198766*667891)/index.js#frag{}|^~[]`<>@$"
        );
        assert_eq!(recs[4].client_ip, "2001:db8::5%12");
        assert_eq!(recs[4].stream_id.as_deref(), Some("3"));
        assert_eq!(recs[5].transport.as_deref(), Some("QUIC"));
        assert_eq!(recs[5].fault_code.as_deref(), Some("0x80070008"));
        assert_eq!((recs[0].site_id, recs[5].site_id), (Some(1), Some(2)));
    }

    #[test]
    fn corpus_beats_error_test() {
        let Some(bytes) = corpus_file("beats__error-test.log") else {
            return;
        };
        assert!(looks_like_httperr(&bytes));
        let (recs, stats) = read(&bytes);
        assert_eq!(
            (stats.records, stats.malformed, stats.header_blocks),
            (4, 0, 1)
        );
        let got: Vec<(Option<u16>, &str)> =
            recs.iter().map(|r| (r.status, r.reason.as_str())).collect();
        assert_eq!(
            got,
            [
                (Some(503), "ConnLimit"),
                (Some(400), "Hostname"),
                (Some(505), "Version_N/S"),
                (None, "Timer_MinBytesPerSecond"),
            ]
        );
    }

    #[test]
    fn corpus_beats_headerless() {
        let Some(bytes) = corpus_file("beats__iis_error_url.log") else {
            return;
        };
        assert!(looks_like_httperr(&bytes));
        let (recs, stats) = read(&bytes);
        assert_eq!(
            (stats.records, stats.malformed, stats.header_blocks),
            (8, 0, 0)
        );
        assert_eq!(stats.notes, [Note::ClassicLayoutAssumed { line: 1 }]);
        let mut counts = reason_counts(&recs);
        counts.sort();
        assert_eq!(
            counts,
            [
                ("Forbidden".to_string(), Some(403), 2),
                ("NotFound".to_string(), Some(404), 2),
                ("URL".to_string(), Some(400), 4),
            ]
        );
        // The WebLogic T3 probe: HTTP.sys logged the probe's words as verb and URL.
        assert_eq!(
            (
                recs[0].version.as_str(),
                recs[0].method.as_str(),
                recs[0].uri.as_str()
            ),
            ("HTTP/0.9", "t3", "12.2.1")
        );
        assert_eq!(recs[6].uri, "*");
    }

    #[test]
    fn corpus_doc_reduced_field_set() {
        let Some(bytes) = corpus_file("iis-docs__http400_sample4.cmd") else {
            return;
        };
        assert!(looks_like_httperr(&bytes));
        let (recs, stats) = read(&bytes);
        assert_eq!(
            (stats.records, stats.malformed, stats.header_blocks),
            (1, 0, 1)
        );
        assert!(stats.notes.is_empty(), "{:?}", stats.notes);
        assert_eq!(
            (recs[0].status, recs[0].reason.as_str()),
            (Some(400), "FieldLength")
        );
        assert_eq!(recs[0].uri, "/1234567890/time.asp");
    }

    /// The ARR 502 doc fragment is only the tail of a line. It is not sniffed as HTTPERR;
    /// read anyway, its one unterminated line is a cut-off note, never a record.
    #[test]
    fn corpus_doc_fragment_is_not_httperr() {
        let Some(bytes) = corpus_file("iis-docs__arr502_httperr-line_sample1.cmd") else {
            return;
        };
        assert!(!looks_like_httperr(&bytes));
        let (recs, stats) = read(&bytes);
        assert!(recs.is_empty());
        assert_eq!((stats.records, stats.malformed), (0, 0));
        assert_eq!(
            stats.notes,
            [
                Note::ClassicLayoutAssumed { line: 1 },
                Note::LastLineCut {
                    line: 1,
                    problem: Problem::FieldCount {
                        expected: 13,
                        found: 7
                    }
                }
            ]
        );
    }

    #[test]
    fn corpus_every_file_reads_without_malformed_lines() {
        let Ok(dir) = std::fs::read_dir(CORPUS) else {
            eprintln!("skipped: {CORPUS} is not available");
            return;
        };
        let mut seen = 0;
        for entry in dir.flatten() {
            let bytes = std::fs::read(entry.path()).unwrap();
            let (_, stats) = read(&bytes);
            assert_eq!(
                stats.malformed,
                0,
                "{}: {:?}",
                entry.path().display(),
                stats
            );
            seen += 1;
        }
        assert!(seen >= 7, "{seen} files");
    }

    #[test]
    fn own_testdata() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/httperr/");
        let read_file = |name: &str| read(&std::fs::read(format!("{dir}{name}")).unwrap());

        let (recs, stats) = read_file("httperr1.log");
        assert_eq!((stats.malformed, stats.header_blocks), (0, 2));
        assert!(stats.notes.is_empty(), "{:?}", stats.notes);
        let app_offline: Vec<&Owned> = recs
            .iter()
            .filter(|r| {
                r.reason == "AppOffline" && r.queue == "OrdersPool" && r.status == Some(503)
            })
            .collect();
        assert_eq!(app_offline.len(), 40);
        let span = app_offline[39].time.unwrap() - app_offline[0].time.unwrap();
        assert!(span < 5 * 60_000, "{span}");
        for reason in [
            "QueueFull",
            "Connection_Abandoned_By_ReqQueue",
            "Timer_MinBytesPerSecond",
            "FieldLength",
        ] {
            assert!(recs.iter().any(|r| r.reason == reason), "{reason}");
        }
        assert!(
            recs.iter()
                .filter(|r| r.reason == "Timer_ConnectionIdle")
                .count()
                > 40
        );
        assert!(recs.iter().any(|r| r.client_ip.contains('%')));

        let (recs, stats) = read_file("httperr2.log");
        assert_eq!(stats.malformed, 0);
        assert_eq!(stats.field_sets.len(), 2);
        assert!(stats.field_sets[1].ends_with("transport"));
        assert!(recs.iter().any(|r| r.transport.as_deref() == Some("QUIC")));

        let (recs, stats) = read_file("httperr-truncated.log");
        assert_eq!(stats.malformed, 0);
        assert!(!recs.is_empty());
        assert!(
            matches!(stats.notes.last(), Some(Note::LastLineCut { .. })),
            "{:?}",
            stats.notes
        );
    }
}
