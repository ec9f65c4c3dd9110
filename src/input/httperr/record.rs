//! One HTTPERR line as a record: its columns matched to the fields the `#Fields:` line in
//! force names, in one pass over the separators, borrowing every value from the line.

use memchr::{memchr, memchr_iter};

use super::CLASSIC_FIELDS;
use super::problems::Fault;
use super::sniff::tokens;
use crate::time::{Millis, at, parse_date, parse_time};

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

pub(super) fn parse_u64(v: &[u8]) -> Option<u64> {
    if v.is_empty() || v.len() > 19 {
        return None;
    }
    v.iter().try_fold(0u64, |n, &b| {
        b.is_ascii_digit().then(|| n * 10 + u64::from(b - b'0'))
    })
}

pub(super) fn parse_u16(v: &[u8]) -> Option<u16> {
    parse_u64(v).and_then(|n| u16::try_from(n).ok())
}

/// An HTTP status: three digits, 100 to 999 (the range W3C and native lines are held to).
pub(super) fn parse_status(v: &[u8]) -> Option<u16> {
    parse_u16(v).filter(|n| crate::triple::STATUS_RANGE.contains(n))
}

/// The fields iisdiag knows by name. Others are counted for the field check and ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Field {
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
pub(super) struct Layout {
    pub(super) columns: Vec<Option<Field>>,
    has_date: bool,
    has_time: bool,
}

impl Layout {
    pub(super) fn parse(value: &[u8]) -> Layout {
        let columns: Vec<Option<Field>> = tokens(value).map(Field::from_name).collect();
        let has = |f: Field| columns.contains(&Some(f));
        Layout {
            has_date: has(Field::Date),
            has_time: has(Field::Time),
            columns,
        }
    }

    pub(super) fn classic() -> Layout {
        Layout::parse(CLASSIC_FIELDS.as_bytes())
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
pub(super) fn parse_record<'a>(
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
