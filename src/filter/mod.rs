//! Which requests a scan looks at: the `--status`, time, site, server, URL, time-taken,
//! method and client filters, parsed once from their text and then applied to W3C records,
//! HTTP.sys records and FREB traces alike.
//!
//! Two kinds of filter meet here. The context filters (time, site, server, URL, method,
//! client, time-taken) choose the requests a scan counts at all, so shares are shares of the
//! traffic asked about. The status filter chooses which of those requests are grouped: with
//! it, any status can be grouped (`--status 3xx`); without it, failures are. A filter on a
//! field a record lacks does not match that record.
//!
//! Windows events are not requests: only the time, server and site filters apply to them,
//! and an event that names no site is kept whatever the site filter.

mod client;
mod fail_on;
mod names;
mod status;
mod times;
mod url;

use std::path::Path;

use crate::error::{Error, Result};
use crate::input::errorpage::ErrorPage;
use crate::input::eventlog::{Event, SiteRef};
use crate::input::freb::Trace;
use crate::input::httperr::HttpErrRecord;
use crate::input::origin::Origin;
use crate::input::uri::split_query;
use crate::input::w3c::{Field, Record};
use crate::time::Millis;

/// How long before `--since` a process may have started and still have its stdout log read:
/// the lookback of the joins (a process fails minutes after it starts).
pub const STDOUT_LOOKBACK_MS: Millis = 10 * 60_000;
use crate::triple::Triple;

use client::{IpNet, logged_ip};
use times::DAY_MS;
pub use url::{url_path, url_stem};

pub use fail_on::FailOn;
pub use names::name_day;
pub use status::{STATUS_FORMS, StatusFilter};
pub use times::{TimeBound, parse_duration_ms, parse_time_bound};
pub use url::UrlFilter;

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

    /// Whether a PHP error log entry is within `--since`/`--until`: only a UTC time can say
    /// (an entry in local time is left out when either is given).
    pub fn php(&self, time: Option<Millis>) -> bool {
        self.time_allows(time)
    }

    /// Whether a site of a configuration file or site list is among those `--site` names, by
    /// its id or its name.
    pub fn config_site(&self, id: Option<u32>, name: &str) -> bool {
        self.site_allows(Some(name.as_bytes()), id)
    }

    /// Whether an ASP.NET Core stdout log is within `--since`/`--until` and `--server`, by
    /// its process's start: a process started up to [`STDOUT_LOOKBACK_MS`] before `--since`
    /// may fail inside the range, so it is kept. A log with no start time in its name is left
    /// out when either is given; one whose path names no server, when `--server` is.
    pub fn stdout(&self, started: Option<Millis>, origin: &Origin) -> bool {
        let early = started.map(|t| t.saturating_add(STDOUT_LOOKBACK_MS));
        (self.time_allows(started) || self.time_allows(early))
            && self.server_allows(&[origin.server_folder.as_deref().map(str::as_bytes)])
    }
    /// Whether an ASP.NET Core Module session is kept: one whose times overlap
    /// `--since`/`--until`, or one without times (the older format), which cannot be placed
    /// in time and is kept; and one from a server asked for (`--server`, by its folder).
    pub fn ancm(&self, first: Option<Millis>, last: Option<Millis>, origin: &Origin) -> bool {
        let in_time = match (first, last) {
            (Some(f), Some(l)) => {
                self.since.is_none_or(|s| l >= s) && self.until.is_none_or(|u| f < u)
            }
            _ => true,
        };
        in_time && self.server_allows(&[origin.server_folder.as_deref().map(str::as_bytes)])
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
    /// Whether a detailed error page is kept: a page has no time, client or server of its
    /// own, so only the status filters and the folder's server and site apply.
    pub fn page(&self, p: &ErrorPage, origin: &Origin) -> bool {
        self.status_allows(Some(p.status), p.substatus, p.win32())
            && self.site_allows(origin.site_folder.as_deref().map(str::as_bytes), None)
            && self.server_allows(&[origin.server_folder.as_deref().map(str::as_bytes)])
    }

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

    /// Whether a Windows event is among those asked about: by its time, its computer (or the
    /// server folder it came from), and the site its data names, if it names one. The request
    /// filters (status, URL, method, client, time taken) do not apply.
    pub fn event(&self, e: &Event, origin: &Origin) -> bool {
        self.time_allows(e.time)
            && (self.sites.is_empty()
                || match e.site() {
                    None => true,
                    Some(SiteRef::Name(name)) => self.site_allows(Some(name.as_bytes()), None),
                    Some(SiteRef::Id(id)) => self.site_allows(None, Some(id)),
                })
            && self.server_allows(&[
                e.computer.as_deref().map(str::as_bytes),
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

#[cfg(test)]
mod tests;
