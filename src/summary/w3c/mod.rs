//! Failures of W3C (and native) logs grouped by their `status.substatus.win32` triple.
//!
//! A group keeps exact counts, first and last time seen, its URL stems with counts, where it
//! happened (servers and sites) and a histogram of time-taken. Summaries of separate files or
//! parts merge into the summary of all of them, whatever the order.
//!
//! The histogram stands each value for its bucket (two significant digits, 1 % wide), so a
//! bucket's value may be one no request had: 30,144 ms for requests that all took 30,080 to
//! 30,090. The exact lowest and highest time-taken are kept beside it, per group and per
//! breakdown entry, and every value read back (quantiles, bucket bounds) is clamped to them.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

// Randomly seeded per run like std's, and quicker on short keys; URLs come from clients.
use foldhash::{HashMap, HashMapExt};

use hdrhistogram::Histogram;

use crate::input::origin::Origin;
use crate::input::w3c::{Field, Record};
use crate::summary::capped::Capped;
use crate::summary::minutes::{self, Block, Minute, MinuteCounts};
use crate::time::Millis;
use crate::triple::Triple;

mod saved;
pub mod traffic;

pub use saved::{SavedGroup, SavedW3c};
use traffic::{Keys, Tally, Traffic};

/// Distinct URL stems counted one by one per group; further ones are counted together.
pub const URL_CAP: usize = 10_000;
/// Distinct server or site names kept per group.
pub const NAME_CAP: usize = 1_000;
/// Distinct entries of a `--by` breakdown kept per group; further ones are counted together.
pub const BREAKDOWN_CAP: usize = 1_000;
/// Distinct `status.substatus.win32` triples grouped; the failures of further ones are
/// counted in `other_codes` only. 300,000 distinct codes in a 12 MB log took 2.3 GB.
pub const GROUP_CAP: usize = 10_000;
/// The histogram keeps two significant digits: quantiles are within 1 % of the true value.
const SIGFIG: u8 = 2;

/// The second level of a group: what its requests are broken down by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum By {
    Url,
    Server,
    Site,
    Client,
    Hour,
    UserAgent,
}

impl By {
    pub fn name(self) -> &'static str {
        match self {
            By::Url => "url",
            By::Server => "server",
            By::Site => "site",
            By::Client => "client",
            By::Hour => "hour",
            By::UserAgent => "user-agent",
        }
    }
}

/// One entry of a breakdown: how many requests, and their time-taken.
#[derive(Debug, Clone)]
pub struct Entry {
    pub count: u64,
    time_taken: Histogram<u64>,
    /// The exact lowest and highest time-taken of the entry's requests.
    range: Option<(u64, u64)>,
}

impl Entry {
    fn new() -> Entry {
        Entry {
            count: 0,
            time_taken: new_histogram(),
            range: None,
        }
    }

    fn merge(&mut self, other: &Entry) {
        self.count = self.count.saturating_add(other.count);
        let _ = self.time_taken.add(&other.time_taken);
        self.range = widen(self.range, other.range);
    }

    /// The time-taken (ms) at quantile `q`, within 1 % and never outside what the entry's
    /// requests took; `None` when no request was timed.
    pub fn time_taken_quantile(&self, q: f64) -> Option<u64> {
        quantile(&self.time_taken, q, self.range)
    }
}

/// A histogram bucket: the values it stands for, clamped to the group's lowest and highest
/// time-taken, and how many requests fell in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeBucket {
    pub low: u64,
    pub high: u64,
    pub count: u64,
}

/// One group of failures.
#[derive(Debug, Clone)]
pub struct Group {
    pub count: u64,
    pub first: Option<Millis>,
    pub last: Option<Millis>,
    urls: HashMap<Box<str>, u64>,
    /// Requests whose URL came after the cap was reached.
    pub other_urls: u64,
    time_taken: Histogram<u64>,
    /// The exact lowest time-taken (the histogram's lowest bucket may start below it).
    pub time_taken_min: Option<u64>,
    pub time_taken_max: Option<u64>,
    /// The longest cs-uri-stem and cs-uri-query of the group, in bytes as logged: the
    /// evidence next to a request-filtering limit (404.14, 404.15).
    pub uri_stem_max: Option<u64>,
    pub uri_query_max: Option<u64>,
    pub servers: BTreeSet<String>,
    pub sites: BTreeSet<String>,
    /// Requests per minute (minutes since the epoch, UTC), per server (`""` when unknown).
    minutes: HashMap<Box<str>, BTreeMap<i64, u64>>,
    /// The `--by` breakdown, when one was asked for.
    breakdown: HashMap<Box<str>, Entry>,
    /// Requests whose breakdown key came after the cap was reached.
    pub breakdown_other: u64,
    /// Requests per client (c-ip), counted with the per-minute counts.
    clients: Tally,
}

impl Default for Group {
    fn default() -> Group {
        Group {
            count: 0,
            first: None,
            last: None,
            urls: HashMap::new(),
            other_urls: 0,
            time_taken: new_histogram(),
            time_taken_min: None,
            time_taken_max: None,
            uri_stem_max: None,
            uri_query_max: None,
            servers: BTreeSet::new(),
            sites: BTreeSet::new(),
            minutes: HashMap::new(),
            breakdown: HashMap::new(),
            breakdown_other: 0,
            clients: Tally::default(),
        }
    }
}

fn new_histogram() -> Histogram<u64> {
    match Histogram::new(SIGFIG) {
        Ok(h) => h,
        // Two significant digits is always a valid precision.
        Err(_) => unreachable!("a histogram with {SIGFIG} significant digits"),
    }
}

impl Group {
    fn add(&mut self, rec: &Record<'_>, origin: &Origin, by: Option<By>, per_minute: bool) {
        self.count += 1;
        let stem = rec.get(Field::UriStem).unwrap_or(b"-");
        self.count_url(stem, 1);
        self.uri_stem_max = max_opt(self.uri_stem_max, Some(stem.len() as u64));
        // `-` is an empty query.
        if let Some(query) = rec.get(Field::UriQuery).filter(|q| *q != b"-") {
            self.uri_query_max = max_opt(self.uri_query_max, Some(query.len() as u64));
        }
        if let Some(ms) = rec.time_taken_ms {
            self.record_time(ms, 1);
        }
        // Borrowed from the line or the file's origin: nothing is allocated for a name
        // already known.
        let server = rec
            .get(Field::Computer)
            .map(String::from_utf8_lossy)
            .or_else(|| origin.server_folder.as_deref().map(Cow::Borrowed));
        let site = rec
            .get(Field::SiteName)
            .map(String::from_utf8_lossy)
            .or_else(|| origin.site_folder.as_deref().map(Cow::Borrowed));
        if let Some(t) = rec.time {
            self.first = Some(self.first.map_or(t, |f| f.min(t)));
            self.last = Some(self.last.map_or(t, |l| l.max(t)));
        }
        if let (Some(t), true) = (rec.time, per_minute) {
            let server = server.as_deref().unwrap_or("");
            let per_server = match self.minutes.get_mut(server) {
                Some(m) => m,
                None => self.minutes.entry(server.into()).or_default(),
            };
            *per_server.entry(t.div_euclid(60_000)).or_default() += 1;
        }
        if per_minute {
            self.clients.add(&client_of(rec), 1, NAME_CAP);
        }
        if let Some(by) = by {
            let key = match by {
                By::Url => lossy(stem),
                By::Server => server.as_deref().unwrap_or("-").to_string(),
                By::Site => site.as_deref().unwrap_or("-").to_string(),
                By::Client => rec.get(Field::ClientIp).map_or_else(|| "-".into(), lossy),
                By::UserAgent => rec.get(Field::UserAgent).map_or_else(|| "-".into(), lossy),
                By::Hour => rec.time.map_or_else(
                    || "-".into(),
                    |t| crate::time::format_rfc3339(t.div_euclid(3_600_000) * 3_600_000),
                ),
            };
            self.count_entry(key, rec.time_taken_ms);
        }
        if let Some(s) = server {
            insert_capped(&mut self.servers, &s);
        }
        if let Some(s) = site {
            insert_capped(&mut self.sites, &s);
        }
    }

    fn count_entry(&mut self, key: String, ms: Option<u64>) {
        let entry = if let Some(e) = self.breakdown.get_mut(key.as_str()) {
            e
        } else if self.breakdown.len() < BREAKDOWN_CAP {
            self.breakdown.entry(key.into()).or_insert_with(Entry::new)
        } else {
            self.breakdown_other += 1;
            return;
        };
        entry.count += 1;
        if let Some(ms) = ms {
            if entry.time_taken.record(ms).is_err() {
                entry.time_taken.saturating_record(ms);
            }
            entry.range = widen(entry.range, Some((ms, ms)));
        }
    }

    fn count_url(&mut self, stem: &[u8], n: u64) {
        let text = String::from_utf8_lossy(stem);
        if let Some(c) = self.urls.get_mut(text.as_ref()) {
            *c = c.saturating_add(n);
        } else if self.urls.len() < URL_CAP {
            self.urls.insert(text.into(), n);
        } else {
            self.other_urls = self.other_urls.saturating_add(n);
        }
    }

    fn record_time(&mut self, ms: u64, n: u64) {
        // The histogram grows to fit; a value beyond its largest possible range saturates
        // (the exact max is kept apart).
        if self.time_taken.record_n(ms, n).is_err() {
            self.time_taken.saturating_record_n(ms, n);
        }
        self.time_taken_min = Some(self.time_taken_min.map_or(ms, |m| m.min(ms)));
        self.time_taken_max = Some(self.time_taken_max.map_or(ms, |m| m.max(ms)));
    }

    /// The exact lowest and highest time-taken, when both are known.
    fn time_range(&self) -> Option<(u64, u64)> {
        match (self.time_taken_min, self.time_taken_max) {
            (Some(lo), Some(hi)) => Some((lo, hi)),
            // A summary saved before the minimum was kept: the histogram's lowest value.
            (None, Some(hi)) if !self.time_taken.is_empty() => {
                Some((self.time_taken.min().min(hi), hi))
            }
            _ => None,
        }
    }

    // Counts saturate: summaries from files are whatever they say, and a sum that wraps would
    // print 3278 for 2^64 + 3278.
    fn merge(&mut self, other: Group) {
        self.count = self.count.saturating_add(other.count);
        self.first = min_opt(self.first, other.first);
        self.last = max_opt(self.last, other.last);
        for (url, n) in largest_first(other.urls, self.urls.len(), URL_CAP, |n| *n) {
            if let Some(c) = self.urls.get_mut(&url) {
                *c = c.saturating_add(n);
            } else if self.urls.len() < URL_CAP {
                self.urls.insert(url, n);
            } else {
                self.other_urls = self.other_urls.saturating_add(n);
            }
        }
        self.other_urls = self.other_urls.saturating_add(other.other_urls);
        let _ = self.time_taken.add(&other.time_taken);
        self.time_taken_min = match (self.time_taken_min, other.time_taken_min) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.time_taken_max = max_opt(self.time_taken_max, other.time_taken_max);
        self.uri_stem_max = max_opt(self.uri_stem_max, other.uri_stem_max);
        self.uri_query_max = max_opt(self.uri_query_max, other.uri_query_max);
        for s in &other.servers {
            insert_capped(&mut self.servers, s);
        }
        for s in &other.sites {
            insert_capped(&mut self.sites, s);
        }
        for (server, minutes) in other.minutes {
            let mine = self.minutes.entry(server).or_default();
            for (m, n) in minutes {
                let c = mine.entry(m).or_default();
                *c = c.saturating_add(n);
            }
        }
        let entries = largest_first(other.breakdown, self.breakdown.len(), BREAKDOWN_CAP, |e| {
            e.count
        });
        for (key, entry) in entries {
            if let Some(mine) = self.breakdown.get_mut(&key) {
                mine.merge(&entry);
            } else if self.breakdown.len() < BREAKDOWN_CAP {
                self.breakdown.insert(key, entry);
            } else {
                self.breakdown_other = self.breakdown_other.saturating_add(entry.count);
            }
        }
        self.breakdown_other = self.breakdown_other.saturating_add(other.breakdown_other);
        self.clients.merge(other.clients, NAME_CAP);
    }

    /// Requests per client, largest first; empty when they were not counted.
    pub fn clients(&self) -> &Tally {
        &self.clients
    }

    /// The `n` largest breakdown entries, largest first (ties by key).
    pub fn top_entries(&self, n: usize) -> Vec<(&str, &Entry)> {
        let mut v: Vec<_> = self
            .breakdown
            .iter()
            .map(|(k, e)| (k.as_ref(), e))
            .collect();
        v.sort_unstable_by(|a, b| b.1.count.cmp(&a.1.count).then_with(|| a.0.cmp(b.0)));
        v.truncate(n);
        v
    }

    /// How many distinct breakdown entries were counted.
    pub fn distinct_entries(&self) -> usize {
        self.breakdown.len()
    }

    /// Requests per minute (minutes since the epoch, UTC), all servers together.
    pub fn minutes(&self) -> BTreeMap<i64, u64> {
        let mut out = BTreeMap::new();
        for per_server in self.minutes.values() {
            for (&m, &n) in per_server {
                let c: &mut u64 = out.entry(m).or_default();
                *c = c.saturating_add(n);
            }
        }
        out
    }

    /// Requests per minute of each server (`""` for requests whose server is unknown).
    pub fn server_minutes(&self) -> impl Iterator<Item = (&str, &BTreeMap<i64, u64>)> {
        self.minutes.iter().map(|(s, m)| (s.as_ref(), m))
    }

    /// The `n` most frequent URL stems, most frequent first (ties by URL).
    pub fn top_urls(&self, n: usize) -> Vec<(&str, u64)> {
        let mut v: Vec<_> = self.urls.iter().map(|(u, &c)| (u.as_ref(), c)).collect();
        v.sort_unstable_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
        v.truncate(n);
        v
    }

    /// How many distinct URL stems were counted.
    pub fn distinct_urls(&self) -> usize {
        self.urls.len()
    }

    /// How many requests of the group carried a time-taken.
    pub fn timed(&self) -> u64 {
        self.time_taken.len()
    }

    /// The time-taken value (ms) at quantile `q` (0..=1), within 1 % and never outside the
    /// lowest and highest time-taken of the group.
    pub fn time_taken_quantile(&self, q: f64) -> Option<u64> {
        quantile(&self.time_taken, q, self.time_range())
    }

    /// How many timed requests took between `lo` and `hi` ms (inclusive, within 1 %).
    pub fn timed_between(&self, lo: u64, hi: u64) -> u64 {
        self.time_taken.count_between(lo, hi)
    }

    /// The recorded time-taken buckets, lowest first, their bounds clamped to the group's
    /// lowest and highest time-taken.
    pub fn time_taken_buckets(&self) -> Vec<TimeBucket> {
        let h = &self.time_taken;
        let range = self.time_range();
        h.iter_recorded()
            .map(|v| {
                let at = v.value_iterated_to();
                let (low, high) =
                    clamp_pair(h.lowest_equivalent(at), h.highest_equivalent(at), range);
                TimeBucket {
                    low,
                    high,
                    count: v.count_at_value(),
                }
            })
            .collect()
    }
}

/// The value at quantile `q`, within the histogram's precision, never outside `range` (the
/// exact lowest and highest value recorded).
fn quantile(h: &Histogram<u64>, q: f64, range: Option<(u64, u64)>) -> Option<u64> {
    if h.is_empty() {
        return None;
    }
    let v = h.median_equivalent(h.value_at_quantile(q));
    Some(match range {
        Some((lo, hi)) => v.clamp(lo, hi.max(lo)),
        None => v,
    })
}

/// `low..=high` moved inside `range`, keeping `low <= high`.
fn clamp_pair(low: u64, high: u64, range: Option<(u64, u64)>) -> (u64, u64) {
    match range {
        Some((lo, hi)) => {
            let hi = hi.max(lo);
            let low = low.clamp(lo, hi);
            (low, high.clamp(low, hi))
        }
        None => (low, high),
    }
}

/// The smallest range holding both.
fn widen(a: Option<(u64, u64)>, b: Option<(u64, u64)>) -> Option<(u64, u64)> {
    match (a, b) {
        (Some((a0, a1)), Some((b0, b1))) => Some((a0.min(b0), a1.max(b1))),
        (a, b) => a.or(b),
    }
}

fn insert_capped(set: &mut BTreeSet<String>, name: &str) {
    if set.len() < NAME_CAP && !set.contains(name) {
        set.insert(name.to_string());
    }
}

/// The entries of `map`, to be added to a map of `len` entries capped at `cap`: largest
/// first (ties by key) when the cap may be reached, so the largest are the ones kept, and in
/// any order when everything fits.
fn largest_first<V>(
    map: HashMap<Box<str>, V>,
    len: usize,
    cap: usize,
    count: impl Fn(&V) -> u64,
) -> Vec<(Box<str>, V)> {
    let fits = len + map.len() <= cap;
    let mut entries: Vec<_> = map.into_iter().collect();
    if !fits {
        entries.sort_unstable_by(|a, b| count(&b.1).cmp(&count(&a.1)).then_with(|| a.0.cmp(&b.0)));
    }
    entries
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// The request's c-ip, `-` when the log has none.
fn client_of<'a>(rec: &'a Record<'_>) -> Cow<'a, str> {
    rec.get(Field::ClientIp)
        .map_or(Cow::Borrowed("-"), String::from_utf8_lossy)
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn min_opt(a: Option<Millis>, b: Option<Millis>) -> Option<Millis> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, y) => x.or(y),
    }
}

fn max_opt<T: Ord>(a: Option<T>, b: Option<T>) -> Option<T> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.max(y)),
        (x, y) => x.or(y),
    }
}

/// All groups of a scan, and the counts they are a share of.
#[derive(Debug, Clone, Default)]
pub struct W3cSummary {
    /// Every request read (with a status).
    pub requests: u64,
    /// Requests that are failures (or every request, with `all`).
    pub failures: u64,
    /// The earliest and latest request time seen, failure or not.
    pub first: Option<Millis>,
    pub last: Option<Millis>,
    groups: HashMap<Triple, Group>,
    /// Grouped requests (in `failures`) whose triple came after [`GROUP_CAP`] were reached.
    pub other_codes: u64,
    /// Requests and failures per minute (minutes since the epoch, UTC).
    minutes: MinuteCounts,
    /// The hour being counted, out of `minutes` meanwhile: logs are in time order, so most
    /// records fall in it.
    current: Option<(i64, Box<Block>)>,
    /// What each group is broken down by, if anything.
    by: Option<By>,
    /// Groups do not count their requests per minute and server (no timeline is drawn).
    no_group_minutes: bool,
    /// All requests per key and each minute's failures per key, with the per-minute counts.
    traffic: Traffic,
}

impl W3cSummary {
    /// An empty summary whose groups are broken down `by` a second key.
    pub fn new(by: Option<By>) -> W3cSummary {
        W3cSummary {
            by,
            ..W3cSummary::default()
        }
    }

    /// The same, with groups that count their requests per minute and server (for a
    /// timeline) only when `wanted`: in a folder of quiet days that is most of a group's cost.
    pub fn group_minutes(self, wanted: bool) -> W3cSummary {
        W3cSummary {
            no_group_minutes: !wanted,
            ..self
        }
    }

    pub fn by(&self) -> Option<By> {
        self.by
    }

    /// Counts a record, and adds it to its group when `grouped` (the caller's filter decides:
    /// failures, every request with `--all`, or the statuses `--status` names).
    pub fn add(&mut self, rec: &Record<'_>, origin: &Origin, grouped: bool) {
        let Some(triple) = rec.triple else {
            self.requests += 1;
            return;
        };
        self.requests += 1;
        if let Some(t) = rec.time {
            self.first = min_opt(self.first, Some(t));
            self.last = max_opt(self.last, Some(t));
            self.count_minute(t.div_euclid(60_000), triple.is_failure());
        }
        if !self.no_group_minutes {
            self.count_traffic(rec, origin, triple.is_failure());
        }
        if grouped {
            self.failures += 1;
            let per_minute = !self.no_group_minutes;
            if let Some(group) = self.groups.get_mut(&triple) {
                group.add(rec, origin, self.by, per_minute);
            } else if self.groups.len() < GROUP_CAP {
                let mut group = Group::default();
                group.add(rec, origin, self.by, per_minute);
                self.groups.insert(triple, group);
            } else {
                self.other_codes += 1;
            }
        }
    }

    fn count_minute(&mut self, minute: i64, failure: bool) {
        let (hour, slot) = minutes::hour_and_slot(minute);
        if !matches!(&self.current, Some((h, _)) if *h == hour) {
            self.flush_minute();
            self.current = Some((hour, self.minutes.take(hour)));
        }
        if let Some((_, block)) = &mut self.current {
            block[slot].requests += 1;
            block[slot].failures += u64::from(failure);
        }
    }

    fn count_traffic(&mut self, rec: &Record<'_>, origin: &Origin, failure: bool) {
        let server = rec
            .get(Field::Computer)
            .map(String::from_utf8_lossy)
            .or_else(|| origin.server_folder.as_deref().map(Cow::Borrowed));
        let keys = Keys {
            url: &String::from_utf8_lossy(rec.get(Field::UriStem).unwrap_or(b"-")),
            server: server.as_deref().unwrap_or("-"),
            client: &client_of(rec),
        };
        let minute = rec.time.map(|t| t.div_euclid(60_000));
        self.traffic.add(keys, minute, failure);
    }

    /// All requests per key, and each minute's failures per key (empty without per-minute
    /// counts, or from a summary saved before they were kept).
    pub fn traffic(&self) -> &Traffic {
        &self.traffic
    }

    fn flush_minute(&mut self) {
        if let Some((hour, block)) = self.current.take() {
            self.minutes.put(hour, block);
        }
    }

    /// Requests and failures per minute (minutes since the epoch, UTC).
    pub fn minutes(&self) -> Cow<'_, MinuteCounts> {
        match &self.current {
            None => Cow::Borrowed(&self.minutes),
            Some((hour, block)) => {
                let mut out = self.minutes.clone();
                out.put(*hour, block.clone());
                Cow::Owned(out)
            }
        }
    }

    pub fn merge(&mut self, mut other: W3cSummary) {
        self.flush_minute();
        other.flush_minute();
        self.minutes.merge(other.minutes);
        self.by = self.by.or(other.by);
        self.no_group_minutes |= other.no_group_minutes;
        self.requests = self.requests.saturating_add(other.requests);
        self.failures = self.failures.saturating_add(other.failures);
        self.first = min_opt(self.first, other.first);
        self.last = max_opt(self.last, other.last);
        self.other_codes = self.other_codes.saturating_add(other.other_codes);
        self.traffic.merge(other.traffic);
        let mut theirs: Vec<(Triple, Group)> = other.groups.into_iter().collect();
        if self.groups.len() + theirs.len() > GROUP_CAP {
            // The largest are the ones kept when the cap is in reach.
            theirs.sort_unstable_by(|a, b| b.1.count.cmp(&a.1.count).then_with(|| a.0.cmp(&b.0)));
        }
        for (k, g) in theirs {
            self.put_group(k, g);
        }
    }

    /// Adds a group: to its own, as a new one, or past [`GROUP_CAP`] to `other_codes`.
    fn put_group(&mut self, triple: Triple, group: Group) {
        if let Some(mine) = self.groups.get_mut(&triple) {
            mine.merge(group);
        } else if self.groups.len() < GROUP_CAP {
            self.groups.insert(triple, group);
        } else {
            self.other_codes = self.other_codes.saturating_add(group.count);
        }
    }

    /// Groups by count, largest first; ties by triple.
    pub fn groups(&self) -> Vec<(&Triple, &Group)> {
        let mut v: Vec<_> = self.groups.iter().collect();
        v.sort_by(|a, b| b.1.count.cmp(&a.1.count).then_with(|| a.0.cmp(b.0)));
        v
    }

    pub fn group(&self, triple: &Triple) -> Option<&Group> {
        self.groups.get(triple)
    }
}

/// A histogram as (value, count) pairs: each value stands for its bucket, so recording the
/// pairs again rebuilds the same histogram.
#[cfg(test)]
mod tests;
