//! Failures of W3C (and native) logs grouped by their `status.substatus.win32` triple.
//!
//! A group keeps exact counts, first and last time seen, its URL stems with counts, where it
//! happened (servers and sites) and a histogram of time-taken. Summaries of separate files or
//! parts merge into the summary of all of them, whatever the order.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use hdrhistogram::Histogram;

use crate::input::w3c::{Field, Record};
use crate::time::Millis;
use crate::triple::Triple;

/// Distinct URL stems counted one by one per group; further ones are counted together.
pub const URL_CAP: usize = 10_000;
/// Distinct server or site names kept per group.
const NAME_CAP: usize = 1_000;
/// The histogram keeps two significant digits: quantiles are within 1 % of the true value.
const SIGFIG: u8 = 2;

/// Where a file came from, for records that do not say it themselves.
#[derive(Debug, Clone, Default)]
pub struct Origin {
    /// The `W3SVCn` folder the file lies in.
    pub site_folder: Option<String>,
    /// The folder above the site folder, when it names a server.
    pub server_folder: Option<String>,
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
    pub time_taken_max: Option<u64>,
    pub servers: BTreeSet<String>,
    pub sites: BTreeSet<String>,
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
            time_taken_max: None,
            servers: BTreeSet::new(),
            sites: BTreeSet::new(),
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
    fn add(&mut self, rec: &Record<'_>, origin: &Origin) {
        self.count += 1;
        if let Some(t) = rec.time {
            self.first = Some(self.first.map_or(t, |f| f.min(t)));
            self.last = Some(self.last.map_or(t, |l| l.max(t)));
        }
        let stem = rec.get(Field::UriStem).unwrap_or(b"-");
        self.count_url(stem, 1);
        if let Some(ms) = rec.time_taken_ms {
            self.record_time(ms, 1);
        }
        let server = rec
            .get(Field::Computer)
            .map(lossy)
            .or_else(|| origin.server_folder.clone());
        if let Some(s) = server {
            insert_capped(&mut self.servers, s);
        }
        let site = rec
            .get(Field::SiteName)
            .map(lossy)
            .or_else(|| origin.site_folder.clone());
        if let Some(s) = site {
            insert_capped(&mut self.sites, s);
        }
    }

    fn count_url(&mut self, stem: &[u8], n: u64) {
        let text = String::from_utf8_lossy(stem);
        if let Some(c) = self.urls.get_mut(text.as_ref()) {
            *c += n;
        } else if self.urls.len() < URL_CAP {
            self.urls.insert(text.into(), n);
        } else {
            self.other_urls += n;
        }
    }

    fn record_time(&mut self, ms: u64, n: u64) {
        // The histogram grows to fit; a value beyond its largest possible range saturates
        // (the exact max is kept apart).
        if self.time_taken.record_n(ms, n).is_err() {
            self.time_taken.saturating_record_n(ms, n);
        }
        self.time_taken_max = Some(self.time_taken_max.map_or(ms, |m| m.max(ms)));
    }

    fn merge(&mut self, other: Group) {
        self.count += other.count;
        self.first = min_opt(self.first, other.first);
        self.last = max_opt(self.last, other.last);
        let mut urls: Vec<_> = other.urls.into_iter().collect();
        urls.sort_unstable_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        for (url, n) in urls {
            if let Some(c) = self.urls.get_mut(&url) {
                *c += n;
            } else if self.urls.len() < URL_CAP {
                self.urls.insert(url, n);
            } else {
                self.other_urls += n;
            }
        }
        self.other_urls += other.other_urls;
        let _ = self.time_taken.add(&other.time_taken);
        self.time_taken_max = max_opt(self.time_taken_max, other.time_taken_max);
        for s in other.servers {
            insert_capped(&mut self.servers, s);
        }
        for s in other.sites {
            insert_capped(&mut self.sites, s);
        }
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

    /// The time-taken value (ms) at quantile `q` (0..=1), within 1 %.
    pub fn time_taken_quantile(&self, q: f64) -> Option<u64> {
        if self.time_taken.is_empty() {
            return None;
        }
        let v = self.time_taken.value_at_quantile(q);
        let v = self.time_taken.median_equivalent(v);
        Some(self.time_taken_max.map_or(v, |m| v.min(m)))
    }

    /// How many timed requests took between `lo` and `hi` ms (inclusive, within 1 %).
    pub fn timed_between(&self, lo: u64, hi: u64) -> u64 {
        self.time_taken.count_between(lo, hi)
    }

    /// The recorded time-taken values as (bucket value, count), lowest first.
    pub fn time_taken_buckets(&self) -> Vec<(u64, u64)> {
        self.time_taken
            .iter_recorded()
            .map(|v| {
                (
                    self.time_taken.median_equivalent(v.value_iterated_to()),
                    v.count_at_value(),
                )
            })
            .collect()
    }
}

fn insert_capped(set: &mut BTreeSet<String>, name: String) {
    if set.len() < NAME_CAP || set.contains(&name) {
        set.insert(name);
    }
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
    /// Requests and failures per minute (minutes since the epoch, UTC).
    minutes: BTreeMap<i64, Minute>,
    /// The minute being counted: logs are in time order, so most records hit it.
    current: Option<(i64, Minute)>,
}

/// Requests and failures in one minute.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Minute {
    pub requests: u64,
    pub failures: u64,
}

impl W3cSummary {
    /// Counts a record, and groups it when it is a failure (or always, with `all`).
    pub fn add(&mut self, rec: &Record<'_>, origin: &Origin, all: bool) {
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
        if all || triple.is_failure() {
            self.failures += 1;
            self.groups.entry(triple).or_default().add(rec, origin);
        }
    }

    fn count_minute(&mut self, minute: i64, failure: bool) {
        match &mut self.current {
            Some((m, count)) if *m == minute => {
                count.requests += 1;
                count.failures += u64::from(failure);
            }
            _ => {
                self.flush_minute();
                self.current = Some((
                    minute,
                    Minute {
                        requests: 1,
                        failures: u64::from(failure),
                    },
                ));
            }
        }
    }

    fn flush_minute(&mut self) {
        if let Some((m, c)) = self.current.take() {
            let slot = self.minutes.entry(m).or_default();
            slot.requests += c.requests;
            slot.failures += c.failures;
        }
    }

    /// Requests and failures per minute (minutes since the epoch, UTC).
    pub fn minutes(&self) -> BTreeMap<i64, Minute> {
        let mut out = self.minutes.clone();
        if let Some((m, c)) = self.current {
            let slot = out.entry(m).or_default();
            slot.requests += c.requests;
            slot.failures += c.failures;
        }
        out
    }

    pub fn merge(&mut self, mut other: W3cSummary) {
        self.flush_minute();
        other.flush_minute();
        for (m, c) in other.minutes {
            let slot = self.minutes.entry(m).or_default();
            slot.requests += c.requests;
            slot.failures += c.failures;
        }
        self.requests += other.requests;
        self.failures += other.failures;
        self.first = min_opt(self.first, other.first);
        self.last = max_opt(self.last, other.last);
        for (k, g) in other.groups {
            match self.groups.get_mut(&k) {
                Some(mine) => mine.merge(g),
                None => {
                    self.groups.insert(k, g);
                }
            }
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
        w3c::read(text, |r| s.add(r, &origin, all)).unwrap();
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
}
