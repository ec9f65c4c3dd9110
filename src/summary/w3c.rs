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
    pub servers: BTreeSet<String>,
    pub sites: BTreeSet<String>,
    /// Requests per minute (minutes since the epoch, UTC), per server (`""` when unknown).
    minutes: HashMap<Box<str>, BTreeMap<i64, u64>>,
    /// The `--by` breakdown, when one was asked for.
    breakdown: HashMap<Box<str>, Entry>,
    /// Requests whose breakdown key came after the cap was reached.
    pub breakdown_other: u64,
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
            servers: BTreeSet::new(),
            sites: BTreeSet::new(),
            minutes: HashMap::new(),
            breakdown: HashMap::new(),
            breakdown_other: 0,
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
fn histogram_pairs(h: &Histogram<u64>) -> Vec<(u64, u64)> {
    h.iter_recorded()
        .map(|v| {
            (
                h.median_equivalent(v.value_iterated_to()),
                v.count_at_value(),
            )
        })
        .collect()
}

fn histogram_from(pairs: &[(u64, u64)]) -> Histogram<u64> {
    let mut h = new_histogram();
    for &(v, n) in pairs {
        if h.record_n(v, n).is_err() {
            h.saturating_record_n(v, n);
        }
    }
    h
}

/// Histogram buckets: (value in ms standing for its bucket, count).
pub type Buckets = Vec<(u64, u64)>;

/// A group as `--save-summary` writes it.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct SavedGroup {
    pub status: u16,
    pub substatus: Option<u32>,
    pub win32: Option<u64>,
    pub count: u64,
    pub first: Option<Millis>,
    pub last: Option<Millis>,
    /// Capped while read: the URLs past [`URL_CAP`] are added to `other_urls`.
    pub urls: Capped<(String, u64), URL_CAP>,
    pub other_urls: u64,
    pub time_taken: Buckets,
    /// Absent from summaries written before it was kept.
    #[serde(default)]
    pub time_taken_min: Option<u64>,
    pub time_taken_max: Option<u64>,
    pub servers: Capped<String, NAME_CAP>,
    pub sites: Capped<String, NAME_CAP>,
    /// Per server: (minute since the epoch, count).
    pub minutes: Vec<(String, Vec<(i64, u64)>)>,
    /// (key, count, time-taken buckets); capped while read, the rest in `breakdown_other`.
    pub breakdown: Capped<(String, u64, Buckets), BREAKDOWN_CAP>,
    /// (key, lowest, highest time-taken) of the breakdown entries that were timed; absent
    /// from summaries written before it was kept; capped while read.
    #[serde(default)]
    pub breakdown_range: Capped<(String, u64, u64), BREAKDOWN_CAP>,
    pub breakdown_other: u64,
}

/// A W3C summary as `--save-summary` writes it.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct SavedW3c {
    pub requests: u64,
    pub failures: u64,
    pub first: Option<Millis>,
    pub last: Option<Millis>,
    pub by: Option<By>,
    /// (minute since the epoch, requests, failures).
    pub minutes: Vec<(i64, u64, u64)>,
    /// Capped while read: the failures of groups past [`GROUP_CAP`] go to `other_codes`.
    pub groups: Capped<SavedGroup, GROUP_CAP>,
    /// Written only when not 0, so a summary with no capped codes reads as before.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub other_codes: u64,
}

impl crate::summary::capped::Weighed for SavedGroup {
    fn weight(&self) -> u64 {
        self.count
    }
    fn key(&self) -> impl Ord + '_ {
        (self.status, self.substatus, self.win32)
    }
}

impl W3cSummary {
    /// Everything the summary holds, in a form that serialises.
    pub fn save(&self) -> SavedW3c {
        let mut groups: Vec<SavedGroup> = self
            .groups()
            .into_iter()
            .map(|(t, g)| {
                let mut urls: Vec<(String, u64)> =
                    g.urls.iter().map(|(u, &n)| (u.to_string(), n)).collect();
                urls.sort_unstable();
                let mut minutes: Vec<(String, Vec<(i64, u64)>)> = g
                    .minutes
                    .iter()
                    .map(|(s, m)| (s.to_string(), m.iter().map(|(&k, &v)| (k, v)).collect()))
                    .collect();
                minutes.sort_unstable();
                let mut breakdown: Vec<(String, u64, Buckets)> = g
                    .breakdown
                    .iter()
                    .map(|(k, e)| (k.to_string(), e.count, histogram_pairs(&e.time_taken)))
                    .collect();
                breakdown.sort_unstable();
                let mut breakdown_range: Vec<(String, u64, u64)> = g
                    .breakdown
                    .iter()
                    .filter_map(|(k, e)| e.range.map(|(lo, hi)| (k.to_string(), lo, hi)))
                    .collect();
                breakdown_range.sort_unstable();
                SavedGroup {
                    status: t.status,
                    substatus: t.substatus,
                    win32: t.win32,
                    count: g.count,
                    first: g.first,
                    last: g.last,
                    urls: urls.into(),
                    other_urls: g.other_urls,
                    time_taken: histogram_pairs(&g.time_taken),
                    time_taken_min: g.time_taken_min,
                    time_taken_max: g.time_taken_max,
                    servers: g.servers.iter().cloned().collect::<Vec<_>>().into(),
                    sites: g.sites.iter().cloned().collect::<Vec<_>>().into(),
                    minutes,
                    breakdown: breakdown.into(),
                    breakdown_range: breakdown_range.into(),
                    breakdown_other: g.breakdown_other,
                }
            })
            .collect();
        groups.sort_by(|a, b| {
            (a.status, a.substatus, a.win32).cmp(&(b.status, b.substatus, b.win32))
        });
        SavedW3c {
            requests: self.requests,
            failures: self.failures,
            first: self.first,
            last: self.last,
            by: self.by,
            minutes: self
                .minutes()
                .iter()
                .map(|(m, c)| (m, c.requests, c.failures))
                .collect(),
            groups: groups.into(),
            other_codes: self.other_codes,
        }
    }

    /// The summary a saved one describes.
    pub fn restore(saved: SavedW3c) -> W3cSummary {
        let mut s = W3cSummary::new(saved.by);
        s.requests = saved.requests;
        s.failures = saved.failures;
        s.first = saved.first;
        s.last = saved.last;
        s.other_codes = saved.other_codes.saturating_add(saved.groups.dropped);
        s.minutes = saved
            .minutes
            .into_iter()
            .map(|(m, requests, failures)| (m, Minute { requests, failures }))
            .collect();
        for g in saved.groups.kept {
            let ranges: HashMap<&str, (u64, u64)> = g
                .breakdown_range
                .kept
                .iter()
                .map(|(k, lo, hi)| (k.as_str(), (*lo, *hi)))
                .collect();
            let group = Group {
                count: g.count,
                first: g.first,
                last: g.last,
                urls: g
                    .urls
                    .kept
                    .into_iter()
                    .map(|(u, n)| (u.into(), n))
                    .collect(),
                other_urls: g.other_urls.saturating_add(g.urls.dropped),
                time_taken: histogram_from(&g.time_taken),
                time_taken_min: g.time_taken_min,
                time_taken_max: g.time_taken_max,
                servers: g.servers.kept.into_iter().collect(),
                sites: g.sites.kept.into_iter().collect(),
                minutes: g
                    .minutes
                    .into_iter()
                    .map(|(s, m)| (s.into(), m.into_iter().collect()))
                    .collect(),
                breakdown: g
                    .breakdown
                    .kept
                    .into_iter()
                    .map(|(k, count, pairs)| {
                        let time_taken = histogram_from(&pairs);
                        // A summary written before the range was kept: the histogram's.
                        let range = ranges.get(k.as_str()).copied().or_else(|| {
                            (!time_taken.is_empty()).then(|| (time_taken.min(), time_taken.max()))
                        });
                        (
                            k.into(),
                            Entry {
                                count,
                                time_taken,
                                range,
                            },
                        )
                    })
                    .collect(),
                breakdown_other: g.breakdown_other.saturating_add(g.breakdown.dropped),
            };
            s.put_group(Triple::new(g.status, g.substatus, g.win32), group);
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::w3c;

    fn summarise(text: &[u8], all: bool) -> W3cSummary {
        let mut s = W3cSummary::default();
        let origin = Origin {
            site_folder: Some("W3SVC1".into()),
            server_folder: None,
        };
        w3c::read(text, |r| {
            let grouped = all || r.triple.is_some_and(|t| t.is_failure());
            s.add(r, &origin, grouped)
        })
        .unwrap();
        s
    }

    const LOG: &[u8] = b"#Fields: date time s-computername cs-uri-stem sc-status sc-substatus sc-win32-status time-taken\n\
2026-11-18 10:42:03 WEB01 /api/orders 502 3 12002 30010\n\
2026-11-18 10:43:03 WEB02 /api/orders 502 3 12002 30050\n\
2026-11-18 10:44:03 WEB01 /api/other 502 3 12002 29990\n\
2026-11-18 10:45:03 WEB01 / 200 0 0 12\n\
2026-11-18 10:46:03 WEB01 /big.iso 200 0 64 9000\n";

    #[test]
    fn groups_failures_by_triple() {
        let s = summarise(LOG, false);
        assert_eq!(s.requests, 5);
        assert_eq!(s.failures, 4);
        let groups = s.groups();
        assert_eq!(groups.len(), 2);
        let (t, g) = groups[0];
        assert_eq!(t.to_string(), "502.3.12002");
        assert_eq!(g.count, 3);
        assert_eq!(g.top_urls(5), vec![("/api/orders", 2), ("/api/other", 1)]);
        assert_eq!(g.servers.len(), 2);
        assert_eq!(g.sites.iter().collect::<Vec<_>>(), vec!["W3SVC1"]);
        assert_eq!(g.time_taken_max, Some(30050));
        let p50 = g.time_taken_quantile(0.5).unwrap();
        assert!((29_700..=30_300).contains(&p50), "{p50}");
        assert_eq!(
            crate::time::format_short(g.first.unwrap()),
            "2026-11-18 10:42:03"
        );
        assert_eq!(
            crate::time::format_short(g.last.unwrap()),
            "2026-11-18 10:44:03"
        );
    }

    /// Issue 15, item 15: a `--by url` entry's p95 (30,144 ms, the middle of its histogram
    /// bucket) was above the group's max (30,090 ms); the group's p50 could sit below its min.
    #[test]
    fn quantiles_stay_within_the_times_the_requests_had() {
        let mut text = String::from(
            "#Fields: date time cs-uri-stem sc-status sc-substatus sc-win32-status time-taken\n",
        );
        for ms in [30_080, 30_085, 30_090] {
            text.push_str(&format!(
                "2026-11-18 10:42:03 /api/orders 502 3 12002 {ms}\n"
            ));
        }
        let mut s = W3cSummary::new(Some(By::Url));
        w3c::read(text.as_bytes(), |r| s.add(r, &Origin::default(), true)).unwrap();
        let check = |s: &W3cSummary| {
            let (_, g) = s.groups()[0];
            assert_eq!(
                (g.time_taken_min, g.time_taken_max),
                (Some(30_080), Some(30_090))
            );
            for q in [0.0, 0.5, 0.95, 1.0] {
                let v = g.time_taken_quantile(q).unwrap();
                assert!((30_080..=30_090).contains(&v), "group q{q}: {v}");
                let (_, e) = g.top_entries(1)[0];
                let v = e.time_taken_quantile(q).unwrap();
                assert!((30_080..=30_090).contains(&v), "entry q{q}: {v}");
            }
            for b in g.time_taken_buckets() {
                assert!(
                    30_080 <= b.low && b.low <= b.high && b.high <= 30_090,
                    "{b:?}"
                );
            }
        };
        check(&s);
        // The same after a save and a restore (what `merge` reads).
        let restored = W3cSummary::restore(
            serde_json::from_str(&serde_json::to_string(&s.save()).unwrap()).unwrap(),
        );
        check(&restored);
    }

    #[test]
    fn all_groups_every_request() {
        let s = summarise(LOG, true);
        assert_eq!(s.failures, 5);
        assert_eq!(s.groups().len(), 3);
    }

    #[test]
    fn merge_equals_one_pass() {
        let whole = summarise(LOG, false);
        let (head, tail) = LOG.split_at(LOG.iter().rposition(|&b| b == b'\n').unwrap());
        let _ = tail;
        let cut = head.iter().rposition(|&b| b == b'\n').unwrap() + 1;
        let header = b"#Fields: date time s-computername cs-uri-stem sc-status sc-substatus sc-win32-status time-taken\n";
        let mut a = summarise(&LOG[..cut], false);
        let mut second = header.to_vec();
        second.extend_from_slice(&LOG[cut..]);
        let b = summarise(&second, false);
        let mut b2 = b.clone();
        b2.merge(a.clone());
        a.merge(b);
        for merged in [a, b2] {
            assert_eq!(merged.requests, whole.requests);
            assert_eq!(merged.failures, whole.failures);
            for (t, g) in whole.groups() {
                let m = merged.group(t).unwrap();
                assert_eq!(m.count, g.count);
                assert_eq!(m.top_urls(10), g.top_urls(10));
                assert_eq!(m.time_taken_quantile(0.95), g.time_taken_quantile(0.95));
            }
        }
    }

    #[test]
    fn merge_saturates_counts_near_u64_max() {
        let saved = |requests: u64| SavedW3c {
            requests,
            failures: requests,
            ..SavedW3c::default()
        };
        let mut a = W3cSummary::restore(saved(u64::MAX - 1));
        a.merge(W3cSummary::restore(saved(3279)));
        // Before: 2^64-1 + 3279 wrapped to 3278 (and panicked in a debug build).
        assert_eq!((a.requests, a.failures), (u64::MAX, u64::MAX));
    }
}
