//! Pairing the failures a proxy tier logged (ARR, the ASP.NET Core Module, FastCGI: server A)
//! with the requests the tier behind it logged (server B), so a 502.3 can say which tier
//! failed. The front ends' proxied failures are kept one by one (bounded); each backend
//! request is then matched against them by `X-ARR-LOG-ID`, else by method, URL stem and
//! client within the time the front-end request took.

use std::collections::{BTreeMap, BTreeSet};

use foldhash::{HashMap, HashMapExt};
use hdrhistogram::Histogram;

use crate::input::freb::Trace;
use crate::input::w3c::{Field, Record};
use crate::time::Millis;
use crate::triple::Triple;

mod routed;
pub use routed::Roles;
use routed::Traced;

/// Front-end failures kept one by one; further ones are counted in `dropped`.
pub const FRONT_CAP: usize = 100_000;
/// Addresses (`s-ip`) kept per server: a server has a few.
const ADDRESS_CAP: usize = 16;
/// How far apart two servers' clocks, and W3C's whole seconds, may put a pair: W3C `time`
/// is truncated to the second on both tiers.
pub const SKEW_MS: Millis = 3_000;
/// The custom field names a request's ARR log id is logged under.
const LOG_ID_FIELDS: [&str; 2] = ["X-ARR-LOG-ID", "cs(X-ARR-LOG-ID)"];

/// A code only a proxy writes: a 502 with a WinHTTP error (12001-12200: the proxy's request
/// to the backend failed) or a 504 (the gateway timed out).
pub fn is_proxy_code(t: &Triple) -> bool {
    let winhttp = t.win32.is_some_and(|w| (12_001..=12_200).contains(&w));
    (t.status == 502 && winhttp) || t.status == 504
}

/// The server a record was logged on: `s-computername`, else the folder's name.
pub fn server_of<'a>(r: &Record<'a>, folder: Option<&'a str>) -> Option<String> {
    match r.get(Field::Computer) {
        Some(name) => Some(String::from_utf8_lossy(name).to_ascii_lowercase()),
        None => folder.map(str::to_ascii_lowercase),
    }
}

/// The ARR log id a record carries, when its log has the custom field.
fn log_id<'a>(r: &Record<'a>) -> Option<&'a [u8]> {
    LOG_ID_FIELDS.iter().find_map(|name| r.get_named(name))
}

/// One failure a front end logged.
#[derive(Debug, Clone)]
pub struct Front {
    pub server: String,
    pub code: Triple,
    /// When the request ended (W3C `time`) and when it started (`time` - `time-taken`).
    pub end: Millis,
    pub start: Millis,
    method: Box<[u8]>,
    stem: Box<[u8]>,
    client: Box<[u8]>,
    log_id: Option<Box<[u8]>>,
    /// The backend ARR routed the request to, as its trace names it.
    pub routed: Option<String>,
    /// The server given whose name or address that is.
    pub routed_to: Option<String>,
}

/// What the first pass finds: every server's addresses, the servers that wrote proxy codes,
/// the 5xx failures of every server (only the front ends' are paired) and the traces of
/// requests ARR handled.
#[derive(Debug, Clone, Default)]
pub struct FrontScan {
    pub failures: Vec<Front>,
    pub dropped: u64,
    pub proxies: BTreeSet<String>,
    pub addresses: BTreeMap<String, BTreeSet<String>>,
    /// Every server a W3C log was read of.
    pub servers: BTreeSet<String>,
    traces: Vec<Traced>,
    /// The server name and `s-ip` of the last record [`FrontScan::add_logged`] took in,
    /// as logged: most records repeat them, and such a record adds nothing but a failure.
    last: Option<Logged>,
}

/// A server name and the `s-ip` beside it, as logged.
type Logged = (Box<[u8]>, Option<Box<[u8]>>);

impl FrontScan {
    /// Keeps a FREB trace of a request ARR handled, to join to its W3C line.
    pub fn add_trace(&mut self, trace: &Trace, folder: Option<&str>) {
        if self.traces.len() < FRONT_CAP {
            self.traces.extend(Traced::of(trace, folder));
        }
    }

    /// Counts one record, logged on the server its `s-computername` names, else on the one
    /// its server folder names (as [`server_of`] says). Read in the run's one pass over the
    /// logs, so a record that repeats the last one's server and address and is no 5xx costs
    /// two field lookups and nothing is allocated for it.
    pub fn add_logged(&mut self, r: &Record<'_>, folder: Option<&str>) {
        let Some(name) = r.get(Field::Computer).or(folder.map(str::as_bytes)) else {
            return;
        };
        let ip = r.get(Field::ServerIp);
        let fails = r.time.is_some() && r.triple.is_some_and(|t| t.status >= 500);
        let repeated = self
            .last
            .as_ref()
            .is_some_and(|(n, i)| **n == *name && i.as_deref() == ip);
        if repeated && !fails {
            return;
        }
        let server = String::from_utf8_lossy(name).to_ascii_lowercase();
        self.add(r, &server);
        if !repeated {
            self.last = Some((Box::from(name), ip.map(Box::from)));
        }
    }

    /// Counts one record of `server`.
    pub fn add(&mut self, r: &Record<'_>, server: &str) {
        if !self.servers.contains(server) {
            self.servers.insert(server.to_string());
        }
        if let Some(ip) = r.get(Field::ServerIp) {
            let known = self.addresses.entry(server.to_string()).or_default();
            let ip = String::from_utf8_lossy(ip);
            if known.len() < ADDRESS_CAP && !known.contains(ip.as_ref()) {
                known.insert(ip.into_owned());
            }
        }
        let (Some(code), Some(end)) = (r.triple, r.time) else {
            return;
        };
        if code.status < 500 {
            return;
        }
        if is_proxy_code(&code) && !self.proxies.contains(server) {
            self.proxies.insert(server.to_string());
        }
        if self.failures.len() >= FRONT_CAP {
            self.dropped += 1;
            return;
        }
        let taken = r.time_taken_ms.unwrap_or(0);
        let field = |f| Box::from(r.get(f).unwrap_or(b"-"));
        self.failures.push(Front {
            server: server.to_string(),
            code,
            end,
            start: end.saturating_sub(i64::try_from(taken).unwrap_or(i64::MAX)),
            method: field(Field::Method),
            stem: field(Field::UriStem),
            client: field(Field::ClientIp),
            log_id: log_id(r).map(Box::from),
            routed: None,
            routed_to: None,
        });
    }

    pub fn merge(&mut self, other: FrontScan) {
        let room = FRONT_CAP.saturating_sub(self.failures.len());
        let over = other.failures.len().saturating_sub(room);
        self.failures.extend(other.failures.into_iter().take(room));
        self.dropped += other.dropped + over as u64;
        self.proxies.extend(other.proxies);
        self.servers.extend(other.servers);
        let room = FRONT_CAP.saturating_sub(self.traces.len());
        self.traces.extend(other.traces.into_iter().take(room));
        for (server, ips) in other.addresses {
            let known = self.addresses.entry(server).or_default();
            for ip in ips {
                if known.len() < ADDRESS_CAP {
                    known.insert(ip);
                }
            }
        }
    }

    /// Keeps the failures of the front ends only (the servers that wrote proxy codes, or
    /// those `roles` names), in time order, with what their traces say, and indexes them
    /// for the backend pass.
    pub fn into_index(self, roles: &Roles) -> Index {
        let front_servers = roles.fronts(&self.proxies);
        let mut fronts: Vec<Front> = self
            .failures
            .into_iter()
            .filter(|f| front_servers.contains(&f.server))
            .collect();
        fronts.sort_by(|a, b| (a.start, &a.server).cmp(&(b.start, &b.server)));
        routed::join(&mut fronts, &self.traces);
        for f in &mut fronts {
            f.routed_to = f
                .routed
                .as_deref()
                .and_then(|r| routed::resolve(r, &self.addresses));
        }
        let mut by_id = HashMap::new();
        let mut by_request: HashMap<RequestKey, Vec<usize>> = HashMap::new();
        for (i, f) in fronts.iter().enumerate() {
            if let Some(id) = &f.log_id {
                by_id.insert(id.clone(), i);
            }
            let key = (f.method.clone(), f.stem.to_ascii_lowercase().into());
            by_request.entry(key).or_default().push(i);
        }
        let front_addresses = front_servers
            .iter()
            .flat_map(|p| {
                let ips = self.addresses.get(p).into_iter().flatten();
                ips.map(move |ip| (ip.clone(), p.clone()))
            })
            .collect();
        let backends_logged =
            !roles.backends.is_empty() || self.servers.iter().any(|s| !front_servers.contains(s));
        Index {
            backends_logged,
            fronts,
            dropped: self.dropped,
            by_id,
            by_request,
            front_servers,
            front_addresses,
            front_server_addresses: self.addresses,
            named_backends: roles.backends.clone(),
            named_fronts: roles.fronts.clone(),
            unknown_roles: roles.unknown(&self.servers),
        }
    }
}

/// A request's method and URL stem (lower case): what a front end's failure and its
/// backend request share.
type RequestKey = (Box<[u8]>, Box<[u8]>);

/// The front ends' failures, indexed for matching backend requests.
#[derive(Debug, Clone, Default)]
pub struct Index {
    pub fronts: Vec<Front>,
    pub dropped: u64,
    by_id: HashMap<Box<[u8]>, usize>,
    by_request: HashMap<RequestKey, Vec<usize>>,
    pub front_servers: BTreeSet<String>,
    /// The front ends' addresses, each with its front end.
    front_addresses: BTreeMap<String, String>,
    front_server_addresses: BTreeMap<String, BTreeSet<String>>,
    /// The servers `--backend` names: all their requests count.
    named_backends: BTreeSet<String>,
    /// The servers `--front` names: their failures count even when no backend heard
    /// from them.
    named_fronts: BTreeSet<String>,
    /// The `--front`/`--backend` names that match no server, with their flag.
    pub unknown_roles: Vec<String>,
    /// Whether a server other than the front ends logged requests, or `--backend` names one:
    /// else no record can be a backend's, and the backend pass has nothing to find.
    pub backends_logged: bool,
}

/// A backend request that may be the other half of some front-end failures.
#[derive(Debug, Clone)]
pub struct Hit {
    pub backend: String,
    pub code: Triple,
    pub taken: u64,
    pub start: Millis,
    /// Paired by log id: `candidates` then holds that one failure.
    pub by_id: bool,
    pub candidates: Vec<usize>,
}

impl Index {
    pub fn is_empty(&self) -> bool {
        self.fronts.is_empty()
    }

    /// Whether a record of `server` is one a backend logged of a front end's request: the
    /// server is named with `--backend`, or (none named) it is not a front end and the
    /// request came through one (its client is a front end's address, or it carries
    /// headers only a proxy adds).
    pub fn is_backend(&self, r: &Record<'_>, server: &str) -> bool {
        if !self.named_backends.is_empty() {
            return self.named_backends.contains(server);
        }
        let through = self.front_of(r).is_some()
            || r.get(Field::ForwardedFor).is_some()
            || log_id(r).is_some();
        through && !self.front_servers.contains(server)
    }

    /// The front end whose address a backend record's client is.
    pub fn front_of(&self, r: &Record<'_>) -> Option<&str> {
        let ip = r.get(Field::ClientIp)?;
        self.front_addresses
            .get(String::from_utf8_lossy(ip).as_ref())
            .map(String::as_str)
    }

    /// The front-end failures a request `backend` logged may be the other half of.
    pub fn hit(&self, r: &Record<'_>, backend: &str) -> Option<Hit> {
        let code = r.triple?;
        let taken = r.time_taken_ms.unwrap_or(0);
        let start = r
            .time?
            .saturating_sub(i64::try_from(taken).unwrap_or(i64::MAX));
        let hit = |by_id, candidates: Vec<usize>| Hit {
            backend: backend.to_string(),
            code,
            taken,
            start,
            by_id,
            candidates,
        };
        if let Some(&i) = log_id(r).and_then(|id| self.by_id.get(id)) {
            return Some(hit(true, vec![i]));
        }
        let key = (
            Box::from(r.get(Field::Method).unwrap_or(b"-")),
            r.get(Field::UriStem)?.to_ascii_lowercase().into(),
        );
        let client = r.get(Field::ClientIp);
        let forwarded = r
            .get(Field::ForwardedFor)
            .map(|x| x.split(|&b| b == b',').next().unwrap_or(x).trim_ascii());
        let candidates: Vec<usize> = self
            .by_request
            .get(&key)?
            .iter()
            .copied()
            .filter(|&i| {
                let f = &self.fronts[i];
                let in_time = start >= f.start - SKEW_MS && start <= f.end + SKEW_MS;
                in_time && (forwarded == Some(&f.client[..]) || self.is_address(&f.server, client))
            })
            .collect();
        (!candidates.is_empty()).then(|| hit(false, candidates))
    }

    /// The server a name ARR routes to (a farm server's address, a trace's routed server)
    /// stands for.
    pub fn resolve(&self, name: &str) -> Option<String> {
        routed::resolve(&name.to_ascii_lowercase(), &self.front_server_addresses)
    }

    fn is_address(&self, server: &str, ip: Option<&[u8]>) -> bool {
        let (Some(ips), Some(ip)) = (self.front_server_addresses.get(server), ip) else {
            return false;
        };
        ips.contains(String::from_utf8_lossy(ip).as_ref())
    }
}

/// What one backend logged of the requests that came through the front ends.
#[derive(Debug, Clone)]
pub struct Backend {
    pub requests: u64,
    pub failures: u64,
    pub first: Option<Millis>,
    pub last: Option<Millis>,
    pub time_taken: Histogram<u64>,
}

impl Default for Backend {
    fn default() -> Backend {
        Backend {
            requests: 0,
            failures: 0,
            first: None,
            last: None,
            // Two significant digits, as the groups keep.
            time_taken: Histogram::new(2).unwrap_or_else(|_| unreachable!("2 sigfig")),
        }
    }
}

impl Backend {
    pub fn add(&mut self, r: &Record<'_>) {
        self.requests += 1;
        if r.triple.is_some_and(|t| t.status >= 500) {
            self.failures += 1;
        }
        if let Some(ms) = r.time_taken_ms {
            self.time_taken.saturating_record(ms);
        }
        if let Some(t) = r.time {
            self.first = Some(self.first.map_or(t, |f| f.min(t)));
            self.last = Some(self.last.map_or(t, |l| l.max(t)));
        }
    }

    pub fn merge(&mut self, other: Backend) {
        self.requests += other.requests;
        self.failures += other.failures;
        let _ = self.time_taken.add(&other.time_taken);
        self.first = self.first.into_iter().chain(other.first).min();
        self.last = self.last.into_iter().chain(other.last).max();
    }

    /// Whether the backend's log covers the time `t`.
    pub fn covers(&self, t: Millis) -> bool {
        matches!((self.first, self.last), (Some(f), Some(l)) if f - SKEW_MS <= t && t <= l + SKEW_MS)
    }
}

/// The backend request a front-end failure was paired with.
#[derive(Debug, Clone)]
pub struct Pair {
    pub backend: String,
    pub code: Triple,
    pub taken: u64,
    pub by_id: bool,
}

/// What the backend pass finds: the requests that may pair, what each backend logged of
/// the front ends' requests, and the front ends backend requests came from.
#[derive(Debug, Clone, Default)]
pub struct Behind {
    pub hits: Vec<Hit>,
    pub backends: BTreeMap<String, Backend>,
    pub reached: BTreeSet<String>,
}

impl Behind {
    /// Counts a record `backend` logged of a front end's request.
    pub fn add(&mut self, index: &Index, r: &Record<'_>, backend: &str) {
        match self.backends.get_mut(backend) {
            Some(b) => b.add(r),
            None => self.backends.entry(backend.to_string()).or_default().add(r),
        }
        if let Some(front) = index.front_of(r)
            && !self.reached.contains(front)
        {
            self.reached.insert(front.to_string());
        }
        self.hits.extend(index.hit(r, backend));
    }

    pub fn merge(&mut self, other: Behind) {
        self.hits.extend(other.hits);
        for (name, b) in other.backends {
            self.backends.entry(name).or_default().merge(b);
        }
        self.reached.extend(other.reached);
    }
}

/// Both tiers read and paired.
#[derive(Debug, Clone, Default)]
pub struct Tiers {
    /// The failures of the front ends that the backends given heard from.
    pub fronts: Vec<Front>,
    /// The backend request of each front-end failure, by the index of `fronts`.
    pub pairs: Vec<Option<Pair>>,
    pub backends: BTreeMap<String, Backend>,
    pub front_servers: BTreeSet<String>,
    /// Front-end failures past [`FRONT_CAP`], left unpaired.
    pub dropped: u64,
    /// The address a webFarm definition gives each backend, where one does.
    pub farm_addresses: BTreeMap<String, String>,
}

impl Tiers {
    /// Pairs each failure with at most one backend request: requests carrying a log id
    /// first, then the others in the order they started, each taking the earliest failure
    /// still free whose trace (if any) routed it to that backend. Front ends no backend
    /// heard from are then left out: their failures are another farm's (or a proxy with
    /// no backend logs given) and would only swell the counts.
    pub fn pair(index: Index, behind: Behind) -> Tiers {
        let Behind {
            mut hits,
            backends,
            mut reached,
        } = behind;
        hits.sort_by(|a, b| (!a.by_id, a.start, &a.backend).cmp(&(!b.by_id, b.start, &b.backend)));
        let mut pairs: Vec<Option<Pair>> = vec![None; index.fronts.len()];
        for h in hits {
            let free = |i: usize| {
                let routed = index.fronts[i].routed_to.as_deref();
                pairs[i].is_none() && (h.by_id || routed.is_none_or(|b| b == h.backend))
            };
            if let Some(&i) = h.candidates.iter().find(|&&i| free(i)) {
                pairs[i] = Some(Pair {
                    backend: h.backend,
                    code: h.code,
                    taken: h.taken,
                    by_id: h.by_id,
                });
            }
        }
        reached.extend(index.named_fronts);
        for (f, p) in index.fronts.iter().zip(&pairs) {
            if p.is_some() && !reached.contains(&f.server) {
                reached.insert(f.server.clone());
            }
        }
        let (fronts, pairs) = index
            .fronts
            .into_iter()
            .zip(pairs)
            .filter(|(f, _)| reached.contains(&f.server))
            .unzip();
        Tiers {
            fronts,
            pairs,
            backends,
            front_servers: index
                .front_servers
                .intersection(&reached)
                .cloned()
                .collect(),
            dropped: index.dropped,
            farm_addresses: BTreeMap::new(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.backends.is_empty()
    }
}

#[cfg(test)]
mod tests;
