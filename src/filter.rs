//! Which requests a scan looks at: the `--status`, time, site, server, URL, time-taken,
//! method and client filters, parsed once from their text and then applied to W3C records,
//! HTTP.sys records and FREB traces alike.
//!
//! Two kinds of filter meet here. The context filters (time, site, server, URL, method,
//! client, time-taken) choose the requests a scan counts at all, so shares are shares of the
//! traffic asked about. The status filter chooses which of those requests are grouped: with
//! it, any status can be grouped (`--status 3xx`); without it, failures are. A filter on a
//! field a record lacks does not match that record.

use std::net::IpAddr;
use std::path::Path;

use chrono::{DateTime, Local, NaiveDate, NaiveDateTime, TimeZone, Utc};
use regex::bytes::Regex;

use crate::error::{Error, Result};
use crate::input::freb::Trace;
use crate::input::httperr::HttpErrRecord;
use crate::input::origin::Origin;
use crate::input::uri::split_query;
use crate::input::w3c::{Field, Record};
use crate::time::{Millis, Zone};
use crate::triple::{Code, Triple};

const DAY_MS: i64 = 86_400_000;

/// The accepted forms of `--status`, for error messages.
pub const STATUS_FORMS: &str = "expected comma-separated codes: 502, 502.3, 502.3.12002, a class (5xx), a range (500-504), or any of these after `!` to leave it out";

/// One status pattern: a class, a range, or a code with as many parts as were given.
#[derive(Debug, Clone, PartialEq, Eq)]
enum StatusPattern {
    Class(u16),
    Range(u16, u16),
    Code(Code),
}

impl StatusPattern {
    fn parse(text: &str) -> Option<StatusPattern> {
        let t = text.trim();
        let lower = t.to_ascii_lowercase();
        if let Some(first) = lower.strip_suffix("xx") {
            let class: u16 = first.parse().ok().filter(|c| (1..=9).contains(c))?;
            return (first.len() == 1).then_some(StatusPattern::Class(class));
        }
        if let Some((lo, hi)) = t.split_once('-') {
            let lo: u16 = lo.trim().parse().ok().filter(|s| (100..1000).contains(s))?;
            let hi: u16 = hi.trim().parse().ok().filter(|s| (100..1000).contains(s))?;
            return (lo <= hi).then_some(StatusPattern::Range(lo, hi));
        }
        t.parse::<Code>().ok().map(StatusPattern::Code)
    }

    fn matches(&self, status: u16, substatus: Option<u32>, win32: Option<u64>) -> bool {
        match self {
            StatusPattern::Class(c) => status / 100 == *c,
            StatusPattern::Range(lo, hi) => (*lo..=*hi).contains(&status),
            StatusPattern::Code(code) => {
                code.status == status
                    && code.substatus.is_none_or(|s| substatus == Some(s))
                    && code.win32.is_none_or(|w| win32 == Some(w))
            }
        }
    }
}

/// `--status` and `--exclude-status` together.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatusFilter {
    include: Vec<StatusPattern>,
    exclude: Vec<StatusPattern>,
}

impl StatusFilter {
    /// Adds the patterns of one `--status` value (`!` marks an exclusion).
    pub fn add_included(&mut self, value: &str) -> Result<()> {
        self.add("--status", value, false)
    }

    /// Adds the patterns of one `--exclude-status` value.
    pub fn add_excluded(&mut self, value: &str) -> Result<()> {
        self.add("--exclude-status", value, true)
    }

    fn add(&mut self, flag: &'static str, value: &str, exclude: bool) -> Result<()> {
        let bad = |reason: String| Error::BadOption {
            flag,
            value: value.to_string(),
            reason,
        };
        if value.trim().is_empty() {
            return Err(bad(STATUS_FORMS.to_string()));
        }
        for item in value.split(',') {
            let (negated, text) = match item.trim().strip_prefix('!') {
                Some(rest) => (true, rest),
                None => (false, item),
            };
            let pattern = StatusPattern::parse(text)
                .ok_or_else(|| bad(format!("`{}` is not a status: {STATUS_FORMS}", item.trim())))?;
            if exclude || negated {
                self.exclude.push(pattern);
            } else {
                self.include.push(pattern);
            }
        }
        Ok(())
    }

    /// Whether the filter asks for particular statuses (not only leaves some out).
    pub fn names_statuses(&self) -> bool {
        !self.include.is_empty()
    }

    fn excluded(&self, status: u16, substatus: Option<u32>, win32: Option<u64>) -> bool {
        self.exclude
            .iter()
            .any(|p| p.matches(status, substatus, win32))
    }

    fn included(&self, status: u16, substatus: Option<u32>, win32: Option<u64>) -> bool {
        self.include
            .iter()
            .any(|p| p.matches(status, substatus, win32))
    }
}

/// One `--fail-on` condition: statuses (the `--status` forms) and how many of them are too
/// many: `5xx` (any), `502.3>10` (more than ten), `5xx>1%` (more than 1 % of the requests).
#[derive(Debug, Clone, PartialEq)]
pub struct FailOn {
    text: String,
    status: StatusFilter,
    more_than: Threshold,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Threshold {
    Count(u64),
    Percent(f64),
}

const FAIL_ON_FORMS: &str = "expected statuses in the --status forms, optionally followed by `>N` (more than N requests) or `>N%` (more than N % of the requests): 5xx, 502.3>10, 4xx,!401>50, 5xx>1%";

impl FailOn {
    pub fn parse(value: &str) -> Result<FailOn> {
        let bad = || Error::BadOption {
            flag: "--fail-on",
            value: value.to_string(),
            reason: FAIL_ON_FORMS.to_string(),
        };
        let (codes, more_than) = match value.split_once('>') {
            None => (value, Threshold::Count(0)),
            Some((codes, n)) => {
                let n = n.trim();
                let threshold = match n.strip_suffix('%') {
                    Some(p) => Threshold::Percent(
                        p.trim()
                            .parse::<f64>()
                            .ok()
                            .filter(|p| p.is_finite() && *p >= 0.0)
                            .ok_or_else(bad)?,
                    ),
                    None => Threshold::Count(n.parse().map_err(|_| bad())?),
                };
                (codes, threshold)
            }
        };
        let mut status = StatusFilter::default();
        status.add("--fail-on", codes, false).map_err(|_| bad())?;
        Ok(FailOn {
            text: value.trim().to_string(),
            status,
            more_than,
        })
    }

    /// The condition as the user wrote it.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Whether a group's status counts toward this condition.
    pub fn counts(&self, status: u16, substatus: Option<u32>, win32: Option<u64>) -> bool {
        (!self.status.names_statuses() || self.status.included(status, substatus, win32))
            && !self.status.excluded(status, substatus, win32)
    }

    /// Whether `count` requests out of `requests` are too many.
    pub fn exceeded(&self, count: u64, requests: u64) -> bool {
        match self.more_than {
            Threshold::Count(n) => count > n,
            Threshold::Percent(p) => {
                count > 0 && requests > 0 && count as f64 * 100.0 / requests as f64 > p
            }
        }
    }
}

/// A `--since` or `--until` value before the newest record is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeBound {
    /// A point in time.
    At(Millis),
    /// A span back from the newest record (`2h`).
    Back(Millis),
}

const TIME_FORMS: &str = "expected a date (2026-11-18), a date and time (2026-11-18 09:00, 2026-11-18T09:00:00Z, 2026-11-18T10:00:00+01:00) or a span back from the newest record (30m, 2h, 3d, 1w)";

/// Reads a `--since` / `--until` value. Times without a zone are UTC, or the machine's zone
/// with `zone` local. A date alone is the start of that day for `--since` and its end for
/// `--until`, so `--since 2026-11-18 --until 2026-11-18` is that whole day.
pub fn parse_time_bound(
    flag: &'static str,
    value: &str,
    zone: Zone,
    end_of_day: bool,
) -> Result<TimeBound> {
    let bad = || Error::BadOption {
        flag,
        value: value.to_string(),
        reason: TIME_FORMS.to_string(),
    };
    let v = value.trim();
    if let Some(ms) = parse_span(v) {
        return if ms > 0 {
            Ok(TimeBound::Back(ms))
        } else {
            Err(bad())
        };
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(v) {
        return Ok(TimeBound::At(dt.timestamp_millis()));
    }
    if let Ok(day) = NaiveDate::parse_from_str(v, "%Y-%m-%d") {
        let start = day.and_hms_opt(0, 0, 0).ok_or_else(bad)?;
        let t = naive_to_millis(start, zone).ok_or_else(bad)?;
        return Ok(TimeBound::At(if end_of_day { t + DAY_MS } else { t }));
    }
    for format in [
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(dt) = NaiveDateTime::parse_from_str(v, format) {
            return naive_to_millis(dt, zone).map(TimeBound::At).ok_or_else(bad);
        }
    }
    Err(bad())
}

fn naive_to_millis(dt: NaiveDateTime, zone: Zone) -> Option<Millis> {
    match zone {
        Zone::Utc => Some(Utc.from_utc_datetime(&dt).timestamp_millis()),
        // In a daylight-saving gap or overlap, the earliest meaning of the wall-clock time.
        Zone::Local => Local
            .from_local_datetime(&dt)
            .earliest()
            .map(|t| t.timestamp_millis()),
    }
}

/// `90s`, `30m`, `2h`, `1.5h`, `3d`, `1w` as milliseconds.
fn parse_span(v: &str) -> Option<Millis> {
    let split = v.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
    let (number, unit) = v.split_at(split);
    let number: f64 = number.parse().ok()?;
    let unit_ms = match unit.trim().to_ascii_lowercase().as_str() {
        "s" | "sec" => 1_000.0,
        "m" | "min" => 60_000.0,
        "h" => 3_600_000.0,
        "d" => DAY_MS as f64,
        "w" => 7.0 * DAY_MS as f64,
        _ => return None,
    };
    let ms = number * unit_ms;
    (ms.is_finite() && ms < 1e15).then_some(ms as Millis)
}

/// `--min-time-taken`: `5s`, `1.5s`, `500ms`, `2m`, or a number of milliseconds.
pub fn parse_duration_ms(flag: &'static str, value: &str) -> Result<u64> {
    let bad = || Error::BadOption {
        flag,
        value: value.to_string(),
        reason: "expected a duration: 500ms, 5s, 1.5s, 2m, or a number of milliseconds".into(),
    };
    let v = value.trim();
    if let Ok(ms) = v.parse::<u64>() {
        return Ok(ms);
    }
    if let Some(ms) = v
        .strip_suffix("ms")
        .and_then(|n| n.trim().parse::<u64>().ok())
    {
        return Ok(ms);
    }
    match parse_span(v) {
        Some(ms) if ms >= 0 => Ok(ms as u64),
        _ => Err(bad()),
    }
}

/// A client address or network (`10.1.2.3`, `10.0.0.0/8`, `2001:db8::/32`).
#[derive(Debug, Clone, PartialEq, Eq)]
struct IpNet {
    addr: IpAddr,
    prefix: u8,
}

impl IpNet {
    fn parse(text: &str) -> Option<IpNet> {
        let (addr, prefix) = match text.split_once('/') {
            Some((a, p)) => (a, Some(p.parse::<u8>().ok()?)),
            None => (text, None),
        };
        let addr: IpAddr = addr.trim().parse().ok()?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = prefix.unwrap_or(max);
        (prefix <= max).then_some(IpNet { addr, prefix })
    }

    fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                prefix_eq(&net.octets(), &ip.octets(), self.prefix)
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                prefix_eq(&net.octets(), &ip.octets(), self.prefix)
            }
            (IpAddr::V4(net), IpAddr::V6(ip)) => ip
                .to_ipv4_mapped()
                .is_some_and(|ip| prefix_eq(&net.octets(), &ip.octets(), self.prefix)),
            (IpAddr::V6(_), IpAddr::V4(_)) => false,
        }
    }
}

fn prefix_eq(a: &[u8], b: &[u8], prefix: u8) -> bool {
    let full = usize::from(prefix / 8);
    let rest = prefix % 8;
    if a[..full] != b[..full] {
        return false;
    }
    rest == 0 || {
        let mask = 0xffu8 << (8 - rest);
        a[full] & mask == b[full] & mask
    }
}

/// A logged client address: `10.1.2.3`, `fe80::1%13`, `[::1]:443` or `10.1.2.3:5123`.
fn logged_ip(bytes: &[u8]) -> Option<IpAddr> {
    let text = std::str::from_utf8(bytes).ok()?.trim();
    let text = text.split('%').next().unwrap_or(text);
    if let Ok(ip) = text.parse() {
        return Some(ip);
    }
    let host = text.rsplit_once(':').map_or(text, |(h, _)| h);
    host.trim_start_matches('[')
        .trim_end_matches(']')
        .parse()
        .ok()
}

/// The `--url` regular expression, on the URI stem or on `stem?query`.
#[derive(Debug, Clone)]
pub struct UrlFilter {
    regex: Regex,
    with_query: bool,
}

impl UrlFilter {
    pub fn new(pattern: &str, with_query: bool) -> Result<UrlFilter> {
        let regex = Regex::new(pattern).map_err(|e| Error::BadOption {
            flag: "--url",
            value: pattern.to_string(),
            reason: format!("not a regular expression: {e}"),
        })?;
        Ok(UrlFilter { regex, with_query })
    }

    fn matches(&self, stem: &[u8], query: Option<&[u8]>) -> bool {
        match query {
            Some(q) if self.with_query && !q.is_empty() => {
                let mut whole = Vec::with_capacity(stem.len() + q.len() + 1);
                whole.extend_from_slice(stem);
                whole.push(b'?');
                whole.extend_from_slice(q);
                self.regex.is_match(&whole)
            }
            _ => self.regex.is_match(stem),
        }
    }
}

/// Every filter of a scan, settled: times are absolute, names folded to lower case.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub status: StatusFilter,
    /// Inclusive start, exclusive end, milliseconds UTC.
    pub since: Option<Millis>,
    pub until: Option<Millis>,
    /// `W3SVC2`, `2` or a site name, lower case.
    pub sites: Vec<String>,
    /// Server names (`s-computername` or the folder a log came from), lower case.
    pub servers: Vec<String>,
    pub url: Option<UrlFilter>,
    pub min_time_taken_ms: Option<u64>,
    /// Upper case.
    pub methods: Vec<String>,
    clients: Vec<IpNet>,
}

impl Filter {
    /// Adds one `--client-ip` value (addresses or networks, comma-separated).
    pub fn add_clients(&mut self, value: &str) -> Result<()> {
        for item in value.split(',') {
            let net = IpNet::parse(item.trim()).ok_or_else(|| Error::BadOption {
                flag: "--client-ip",
                value: value.to_string(),
                reason: format!(
                    "`{}` is not an address or network: expected 10.1.2.3, 10.0.0.0/8, 2001:db8::1 or 2001:db8::/32",
                    item.trim()
                ),
            })?;
            self.clients.push(net);
        }
        Ok(())
    }

    /// Adds comma-separated values to a list of names (`--site`, `--server`, `--method`).
    pub fn split_names(value: &str) -> impl Iterator<Item = String> + '_ {
        value
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    }

    /// Whether any filter narrows the requests counted (the status filter aside).
    pub fn narrows_context(&self) -> bool {
        self.since.is_some()
            || self.until.is_some()
            || !self.sites.is_empty()
            || !self.servers.is_empty()
            || self.url.is_some()
            || self.min_time_taken_ms.is_some()
            || !self.methods.is_empty()
            || !self.clients.is_empty()
    }

    /// Whether a request with this status is grouped: one the status filter names, or
    /// without one, a failure (any request with `all`), unless it is left out.
    pub fn groups(&self, triple: &Triple, all: bool) -> bool {
        let (st, sub, w) = (triple.status, triple.substatus, triple.win32);
        let chosen = if self.status.names_statuses() {
            self.status.included(st, sub, w)
        } else {
            all || triple.is_failure()
        };
        chosen && !self.status.excluded(st, sub, w)
    }

    /// Whether the status filter lets a status through (for HTTP.sys records and traces,
    /// which are all failures).
    fn status_allows(
        &self,
        status: Option<u16>,
        substatus: Option<u32>,
        win32: Option<u64>,
    ) -> bool {
        match status {
            Some(st) => {
                (!self.status.names_statuses() || self.status.included(st, substatus, win32))
                    && !self.status.excluded(st, substatus, win32)
            }
            None => !self.status.names_statuses(),
        }
    }

    fn time_allows(&self, t: Option<Millis>) -> bool {
        if self.since.is_none() && self.until.is_none() {
            return true;
        }
        t.is_some_and(|t| self.since.is_none_or(|s| t >= s) && self.until.is_none_or(|u| t < u))
    }

    fn site_allows(&self, name: Option<&[u8]>, id: Option<u32>) -> bool {
        if self.sites.is_empty() {
            return true;
        }
        let name_id = name.and_then(site_number);
        self.sites.iter().any(|want| {
            let want_id = want
                .parse::<u32>()
                .ok()
                .or_else(|| site_number(want.as_bytes()));
            name.is_some_and(|n| n.eq_ignore_ascii_case(want.as_bytes()))
                || want_id.is_some_and(|w| Some(w) == id || Some(w) == name_id)
        })
    }

    fn server_allows(&self, names: &[Option<&[u8]>]) -> bool {
        self.servers.is_empty()
            || self.servers.iter().any(|want| {
                names
                    .iter()
                    .flatten()
                    .any(|n| n.eq_ignore_ascii_case(want.as_bytes()))
            })
    }

    fn method_allows(&self, method: Option<&[u8]>) -> bool {
        self.methods.is_empty()
            || method.is_some_and(|m| {
                self.methods
                    .iter()
                    .any(|w| m.eq_ignore_ascii_case(w.as_bytes()))
            })
    }

    fn client_allows(&self, ip: Option<&[u8]>) -> bool {
        self.clients.is_empty()
            || ip
                .and_then(logged_ip)
                .is_some_and(|ip| self.clients.iter().any(|n| n.contains(ip)))
    }

    fn time_taken_allows(&self, ms: Option<u64>) -> bool {
        self.min_time_taken_ms
            .is_none_or(|min| ms.is_some_and(|t| t >= min))
    }

    fn url_allows(&self, stem: Option<&[u8]>, query: Option<&[u8]>) -> bool {
        self.url
            .as_ref()
            .is_none_or(|u| stem.is_some_and(|s| u.matches(s, query)))
    }

    /// Whether a W3C (or native) record is among the requests asked about. The status filter
    /// is applied apart, by [`Filter::groups`].
    ///
    /// Fields are looked up only for the filters that are set: finding a field walks the line.
    pub fn w3c(&self, rec: &Record<'_>, origin: &Origin) -> bool {
        self.time_allows(rec.time)
            && self.time_taken_allows(rec.time_taken_ms)
            && (self.methods.is_empty() || self.method_allows(rec.get(Field::Method)))
            && (self.clients.is_empty() || self.client_allows(rec.get(Field::ClientIp)))
            && (self.url.is_none()
                || self.url_allows(rec.get(Field::UriStem), rec.get(Field::UriQuery)))
            && (self.sites.is_empty()
                || self.site_allows(
                    rec.get(Field::SiteName)
                        .or(origin.site_folder.as_deref().map(str::as_bytes)),
                    None,
                ))
            && (self.servers.is_empty()
                || self.server_allows(&[
                    rec.get(Field::Computer),
                    origin.server_folder.as_deref().map(str::as_bytes),
                ]))
    }

    /// Whether an HTTP.sys record passes every filter, status included.
    pub fn httperr(&self, rec: &HttpErrRecord<'_>, origin: &Origin) -> bool {
        let (stem, query) = split_query(rec.uri);
        self.status_allows(rec.status, None, None)
            && self.time_allows(rec.time)
            && self.time_taken_allows(rec.time_taken)
            && self.method_allows(non_empty(rec.method))
            && self.client_allows(non_empty(rec.client_ip))
            && self.url_allows(non_empty(stem), query)
            && self.site_allows(None, rec.site_id)
            && self.server_allows(&[
                rec.computer_name,
                origin.server_folder.as_deref().map(str::as_bytes),
            ])
    }

    /// Whether a trace passes every filter, status included.
    pub fn trace(&self, t: &Trace, origin: &Origin) -> bool {
        let path = url_path(&t.url);
        let (stem, query) = split_query(path.as_bytes());
        self.status_allows(Some(t.status), t.substatus, t.win32)
            && self.time_allows(t.start)
            && self.time_taken_allows(t.time_taken_ms)
            && self.method_allows(non_empty(t.verb.as_bytes()))
            && self.client_allows(t.client.as_deref().map(str::as_bytes))
            && self.url_allows(non_empty(stem), query)
            && self.site_allows(origin.site_folder.as_deref().map(str::as_bytes), t.site_id)
            && self.server_allows(&[
                non_empty(t.computer.as_bytes()),
                origin.server_folder.as_deref().map(str::as_bytes),
            ])
    }

    /// Whether a file may hold requests in the time range, judged by the date in its name
    /// (`u_ex261118.log`, `u_ex26111809.log`, `ex031118.log`). Files without one may.
    /// A day of slack on each side covers logs that roll over on local time.
    pub fn may_hold(&self, path: &Path) -> bool {
        if self.since.is_none() && self.until.is_none() {
            return true;
        }
        let Some(day) = name_day(path) else {
            return true;
        };
        let (start, end) = ((day - 1) * DAY_MS, (day + 2) * DAY_MS);
        self.since.is_none_or(|s| s < end) && self.until.is_none_or(|u| u > start)
    }
}

/// `W3SVC12` -> 12.
fn site_number(name: &[u8]) -> Option<u32> {
    let digits = name
        .get(..5)
        .filter(|p| p.eq_ignore_ascii_case(b"w3svc"))
        .map(|_| &name[5..])?;
    std::str::from_utf8(digits).ok()?.parse().ok()
}

fn non_empty(b: &[u8]) -> Option<&[u8]> {
    (!b.is_empty() && b != b"-").then_some(b)
}

/// `http://host:80/api/orders?x=1` -> `/api/orders?x=1`.
fn url_path(url: &str) -> &str {
    match url.find("://") {
        Some(i) => {
            let rest = &url[i + 3..];
            rest.find('/').map_or("/", |j| &rest[j..])
        }
        None => url,
    }
}

/// The day (since the epoch) in a log file's name: `u_exYYMMDD`, `u_exYYMMDDHH`, also the
/// `nc`/`in` formats and names without the `u_` prefix.
pub fn name_day(path: &Path) -> Option<i64> {
    let name = path.file_name()?.to_str()?.to_ascii_lowercase();
    let rest = ["u_ex", "u_nc", "u_in", "ex", "nc", "in"]
        .iter()
        .find_map(|p| name.strip_prefix(p))?;
    let digits_end = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    if !matches!(digits_end, 6 | 8) || !rest[digits_end..].starts_with('.') {
        return None;
    }
    let d = &rest[..6];
    let date = format!("20{}-{}-{}", &d[..2], &d[2..4], &d[4..6]);
    crate::time::parse_date(date.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(values: &[&str]) -> StatusFilter {
        let mut s = StatusFilter::default();
        for v in values {
            s.add_included(v).unwrap();
        }
        s
    }

    fn t(code: &str) -> Triple {
        let c: Code = code.parse().unwrap();
        Triple::new(c.status, c.substatus, c.win32)
    }

    #[test]
    fn status_forms_select_what_they_name() {
        let cases: &[(&[&str], &str, bool)] = &[
            (&["502"], "502.3.12002", true),
            (&["502"], "503.0.0", false),
            (&["502.3"], "502.3.12002", true),
            (&["502.3"], "502.4.0", false),
            (&["502.3.12002"], "502.3.12002", true),
            (&["502.3.12002"], "502.3.12029", false),
            (&["5xx"], "503.0.0", true),
            (&["5XX"], "404.0.2", false),
            (&["4xx,5xx"], "404.0.2", true),
            (&["500-504"], "504.0.0", true),
            (&["500-504"], "505.0.0", false),
            (&["4xx,!404"], "404.0.2", false),
            (&["4xx,!404"], "401.2.5", true),
            (&["!404"], "500.0.0", true),
            (&["!404"], "404.0.2", false),
            (&["!404"], "200.0.0", false),
            (&["3xx"], "304.0.0", true),
            (&["4xx", "502"], "502.3.64", true),
        ];
        for (values, code, want) in cases {
            let f = Filter {
                status: status(values),
                ..Filter::default()
            };
            assert_eq!(f.groups(&t(code), false), *want, "{values:?} on {code}");
        }
    }

    #[test]
    fn fail_on_conditions() {
        let f = FailOn::parse("5xx").unwrap();
        assert!(f.counts(502, Some(3), Some(12002)));
        assert!(!f.counts(404, Some(0), Some(2)));
        assert!(f.exceeded(1, 1000) && !f.exceeded(0, 1000));
        let f = FailOn::parse("502.3>10").unwrap();
        assert!(f.counts(502, Some(3), Some(12002)) && !f.counts(502, Some(4), None));
        assert!(!f.exceeded(10, 100) && f.exceeded(11, 100));
        let f = FailOn::parse("4xx,!401 > 2").unwrap();
        assert!(!f.counts(401, Some(2), Some(5)) && f.counts(404, Some(0), Some(2)));
        let f = FailOn::parse("5xx>1%").unwrap();
        assert!(!f.exceeded(10, 1000) && f.exceeded(11, 1000) && !f.exceeded(0, 0));
        let f = FailOn::parse("!404").unwrap();
        assert!(f.counts(500, Some(0), Some(0)) && !f.counts(404, None, None));
        for bad in ["", "5x", "502>", "502>ten", "502>-1%", ">5", "502.3>1.5"] {
            let err = FailOn::parse(bad).unwrap_err().to_string();
            assert!(
                err.contains("--fail-on") && err.contains("502.3>10"),
                "{bad}: {err}"
            );
        }
    }

    #[test]
    fn exclude_status_flag_leaves_out() {
        let mut s = status(&["4xx"]);
        s.add_excluded("404,401.2").unwrap();
        let f = Filter {
            status: s,
            ..Filter::default()
        };
        assert!(!f.groups(&t("404.0.2"), false));
        assert!(!f.groups(&t("401.2.5"), false));
        assert!(f.groups(&t("401.1.2148074254"), false));
        assert!(f.groups(&t("403.14.0"), false));
    }

    #[test]
    fn bad_status_values_name_flag_value_and_forms() {
        for bad in [
            "", "5x", "6xxx", "abc", "504-500", "50-60", "502.x", "!", "502,,503",
        ] {
            let err = StatusFilter::default().add_included(bad).unwrap_err();
            let text = err.to_string();
            assert!(text.contains("--status"), "{bad}: {text}");
            assert!(text.contains("5xx"), "{bad}: {text}");
        }
        let err = StatusFilter::default().add_excluded("zzz").unwrap_err();
        assert!(err.to_string().contains("--exclude-status"));
    }

    fn at(text: &str) -> Millis {
        match parse_time_bound("--since", text, Zone::Utc, false).unwrap() {
            TimeBound::At(t) => t,
            TimeBound::Back(_) => panic!("{text} is a span"),
        }
    }

    #[test]
    fn time_bounds_in_every_form() {
        let nine = crate::time::at(
            crate::time::parse_date(b"2026-11-18").unwrap(),
            9 * 3_600_000,
        );
        assert_eq!(at("2026-11-18 09:00"), nine);
        assert_eq!(at("2026-11-18T09:00"), nine);
        assert_eq!(at("2026-11-18 09:00:00"), nine);
        assert_eq!(at("2026-11-18T09:00:00Z"), nine);
        assert_eq!(at("2026-11-18T10:00:00+01:00"), nine);
        assert_eq!(at("2026-11-18"), nine - 9 * 3_600_000);
        assert_eq!(
            parse_time_bound("--until", "2026-11-18", Zone::Utc, true).unwrap(),
            TimeBound::At(nine + 15 * 3_600_000)
        );
        for (span, ms) in [
            ("2h", 7_200_000),
            ("30m", 1_800_000),
            ("90s", 90_000),
            ("3d", 3 * DAY_MS),
            ("1w", 7 * DAY_MS),
            ("1.5h", 5_400_000),
        ] {
            assert_eq!(
                parse_time_bound("--since", span, Zone::Utc, false).unwrap(),
                TimeBound::Back(ms),
                "{span}"
            );
        }
        for bad in [
            "yesterday",
            "2026-13-01",
            "2h30",
            "0h",
            "-2h",
            "18/11/2026",
            "",
        ] {
            let err = parse_time_bound("--since", bad, Zone::Utc, false).unwrap_err();
            assert!(err.to_string().contains("--since"), "{bad}");
            assert!(err.to_string().contains("2026-11-18 09:00"), "{bad}");
        }
    }

    #[test]
    fn durations() {
        for (text, ms) in [
            ("5s", 5000),
            ("1.5s", 1500),
            ("500ms", 500),
            ("2m", 120_000),
            ("750", 750),
        ] {
            assert_eq!(
                parse_duration_ms("--min-time-taken", text).unwrap(),
                ms,
                "{text}"
            );
        }
        for bad in ["fast", "5 parsecs", "-1s", ""] {
            assert!(parse_duration_ms("--min-time-taken", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn client_networks() {
        let mut f = Filter::default();
        f.add_clients("10.0.0.0/8, 2001:db8::/32,192.168.1.7")
            .unwrap();
        for (ip, want) in [
            (&b"10.20.30.40"[..], true),
            (b"11.0.0.1", false),
            (b"192.168.1.7", true),
            (b"192.168.1.8", false),
            (b"2001:db8::5", true),
            (b"2001:db9::5", false),
            (b"fe80::1%13", false),
            (b"::ffff:10.1.1.1", true),
            (b"10.1.1.1:5123", true),
            (b"[2001:db8::1]:443", true),
            (b"junk", false),
        ] {
            assert_eq!(
                f.client_allows(Some(ip)),
                want,
                "{}",
                String::from_utf8_lossy(ip)
            );
        }
        assert!(!f.client_allows(None));
        for bad in ["10.0.0.0/33", "host.example", "10.0.0/8", ""] {
            assert!(Filter::default().add_clients(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn sites_by_folder_number_or_name() {
        let f = Filter {
            sites: vec!["2".into()],
            ..Filter::default()
        };
        assert!(f.site_allows(Some(b"W3SVC2"), None));
        assert!(!f.site_allows(Some(b"W3SVC12"), None));
        assert!(f.site_allows(None, Some(2)));
        assert!(!f.site_allows(None, None));
        let f = Filter {
            sites: vec!["w3svc2".into(), "shop".into()],
            ..Filter::default()
        };
        assert!(f.site_allows(None, Some(2)));
        assert!(f.site_allows(Some(b"SHOP"), None));
        assert!(!f.site_allows(Some(b"W3SVC1"), Some(1)));
    }

    #[test]
    fn url_on_stem_or_with_query() {
        let stem_only = UrlFilter::new("^/api/orders", false).unwrap();
        assert!(stem_only.matches(b"/api/orders/search", Some(b"q=1")));
        assert!(!stem_only.matches(b"/home", Some(b"next=/api/orders")));
        let with_query = UrlFilter::new("id=42$", true).unwrap();
        assert!(with_query.matches(b"/api/orders", Some(b"id=42")));
        assert!(!with_query.matches(b"/api/orders", None));
        let err = UrlFilter::new("(", false).unwrap_err().to_string();
        assert!(
            err.contains("--url") && err.contains("regular expression"),
            "{err}"
        );
    }

    #[test]
    fn file_name_dates() {
        let day = |s: &str| crate::time::parse_date(s.as_bytes()).unwrap();
        assert_eq!(
            name_day(Path::new("W3SVC1/u_ex261118.log")),
            Some(day("2026-11-18"))
        );
        assert_eq!(
            name_day(Path::new("u_ex26111809.log")),
            Some(day("2026-11-18"))
        );
        assert_eq!(name_day(Path::new("ex031118.log")), Some(day("2003-11-18")));
        assert_eq!(
            name_day(Path::new("u_ex261118.log.gz")),
            Some(day("2026-11-18"))
        );
        for none in [
            "httperr1.log",
            "u_ex2611.log",
            "u_ex261399.log",
            "fr000101.xml",
            "u_ex261118x.log",
        ] {
            assert_eq!(name_day(Path::new(none)), None, "{none}");
        }
        let f = Filter {
            since: Some(day("2026-11-18") * DAY_MS),
            ..Filter::default()
        };
        assert!(f.may_hold(Path::new("u_ex261118.log")));
        assert!(f.may_hold(Path::new("u_ex261117.log")), "a day of slack");
        assert!(!f.may_hold(Path::new("u_ex261115.log")));
        assert!(f.may_hold(Path::new("httperr1.log")));
        let f = Filter {
            until: Some(day("2026-11-18") * DAY_MS),
            ..Filter::default()
        };
        assert!(f.may_hold(Path::new("u_ex261118.log")), "a day of slack");
        assert!(!f.may_hold(Path::new("u_ex261120.log")));
    }
}
