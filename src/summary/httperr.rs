//! Grouping of HTTP.sys error-log records by (status, reason, queue).
//!
//! HTTPERR lines carry no substatus or win32 code; what tells one failure from another is the
//! reason phrase and the application pool it was aimed at (`503 AppOffline OrdersPool` is a
//! pool stopped by Rapid-Fail Protection, `- Timer_ConnectionIdle -` is keep-alive noise).
//! Each group keeps its first and last time, its busiest URLs and a per-minute count, so a
//! later step can line up a burst of HTTP.sys 503s with a W3C log going quiet. Summaries merge,
//! so files can be read in parallel and summed.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::input::httperr::HttpErrRecord;
use crate::summary::capped::Capped;
use crate::time::Millis;

/// Distinct URLs counted exactly per group; later ones are counted as "(other URLs)".
pub const URL_CAP: usize = 10_000;
/// The label under which URLs past the cap are counted.
pub const OTHER_URLS: &str = "(other URLs)";
/// How many URLs a group shows when serialized.
const TOP_URLS_SERIALIZED: usize = 10;
const MINUTE: Millis = 60_000;

/// What records are grouped by. An empty log value (`-`) is kept as `-`, so the key prints
/// as the log reads.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct HttpErrKey {
    /// `None` for connection-level events (`-` in the log): timers, abandoned connections.
    pub status: Option<u16>,
    pub reason: String,
    /// The application pool, `-` when HTTP.sys had not picked one.
    pub queue: String,
}

impl HttpErrKey {
    /// `503.QueueFull` or `-.Timer_ConnectionIdle`: the form the knowledge base looks up.
    pub fn code(&self) -> String {
        match self.status {
            Some(s) => format!("{s}.{}", self.reason),
            None => format!("-.{}", self.reason),
        }
    }
}

/// One (status, reason, queue) group.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct HttpErrGroup {
    pub key: HttpErrKey,
    pub count: u64,
    pub first_seen: Option<Millis>,
    pub last_seen: Option<Millis>,
    /// Exact counts for up to [`URL_CAP`] distinct URLs. Records without a URL are not here.
    #[serde(rename = "top_urls", serialize_with = "serialize_top_urls")]
    urls: HashMap<String, u64>,
    /// Records whose URL arrived after the cap was reached.
    pub other_urls: u64,
    /// Site ids seen (`s-siteid`); empty when the log writes `-`.
    pub sites: BTreeSet<u32>,
    /// Records per minute (minutes since the epoch, UTC). Left out of serialized output.
    #[serde(skip)]
    minutes: BTreeMap<i64, u64>,
}

impl HttpErrGroup {
    fn new(key: HttpErrKey) -> HttpErrGroup {
        HttpErrGroup {
            key,
            count: 0,
            first_seen: None,
            last_seen: None,
            urls: HashMap::new(),
            other_urls: 0,
            sites: BTreeSet::new(),
            minutes: BTreeMap::new(),
        }
    }

    /// The `n` busiest URLs, by count (descending) then URL; URLs past the cap appear as
    /// [`OTHER_URLS`] where their count earns them a place.
    pub fn top_urls(&self, n: usize) -> Vec<(&str, u64)> {
        let mut all: Vec<(&str, u64)> = self.urls.iter().map(|(u, &c)| (u.as_str(), c)).collect();
        if self.other_urls > 0 {
            all.push((OTHER_URLS, self.other_urls));
        }
        all.sort_unstable_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
        all.truncate(n);
        all
    }

    /// Distinct URLs counted exactly.
    pub fn distinct_urls(&self) -> usize {
        self.urls.len()
    }

    /// Records per minute: minutes since the epoch (UTC) -> count.
    pub fn minutes(&self) -> &BTreeMap<i64, u64> {
        &self.minutes
    }

    fn count_url(&mut self, url: &str, n: u64) {
        if let Some(c) = self.urls.get_mut(url) {
            *c = c.saturating_add(n);
        } else if self.urls.len() < URL_CAP {
            self.urls.insert(url.to_owned(), n);
        } else {
            self.other_urls = self.other_urls.saturating_add(n);
        }
    }

    fn seen(&mut self, first: Option<Millis>, last: Option<Millis>) {
        self.first_seen = min_some(self.first_seen, first);
        self.last_seen = max_some(self.last_seen, last);
    }
}

fn min_some(a: Option<Millis>, b: Option<Millis>) -> Option<Millis> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        _ => a.or(b),
    }
}

fn max_some(a: Option<Millis>, b: Option<Millis>) -> Option<Millis> {
    a.max(b)
}

fn serialize_top_urls<S: serde::Serializer>(
    urls: &HashMap<String, u64>,
    s: S,
) -> Result<S::Ok, S::Error> {
    let mut top: Vec<(&String, &u64)> = urls.iter().collect();
    top.sort_unstable_by(|a, b| b.1.cmp(a.1).then_with(|| a.0.cmp(b.0)));
    top.truncate(TOP_URLS_SERIALIZED);
    s.collect_seq(top)
}

/// All groups of one or more HTTPERR files.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct HttpErrSummary {
    groups: Vec<HttpErrGroup>,
    /// Records whose time could not be known (no `date` field): counted, not bucketed.
    pub undated: u64,
    /// Group index by the key's bytes (`status \0 reason \0 queue`), so a lookup needs no
    /// allocation: the probe is built in `probe`, which is reused.
    #[serde(skip)]
    index: HashMap<Box<[u8]>, usize>,
    #[serde(skip)]
    probe: Vec<u8>,
}

/// `-` for an empty log value.
fn or_dash(bytes: &[u8]) -> &[u8] {
    if bytes.is_empty() { b"-" } else { bytes }
}

/// Appends the text a key field will hold: the bytes themselves when they are UTF-8 (no
/// allocation), their lossy conversion otherwise, so two spellings that convert alike share
/// one group.
fn push_text(probe: &mut Vec<u8>, bytes: &[u8]) {
    match std::str::from_utf8(bytes) {
        Ok(_) => probe.extend_from_slice(bytes),
        Err(_) => probe.extend_from_slice(String::from_utf8_lossy(bytes).as_bytes()),
    }
}

fn index_key(probe: &mut Vec<u8>, status: Option<u16>, reason: &[u8], queue: &[u8]) {
    probe.clear();
    match status {
        Some(s) => probe.extend_from_slice(&s.to_be_bytes()),
        None => probe.extend_from_slice(b"--"),
    }
    probe.push(0);
    push_text(probe, reason);
    probe.push(0);
    push_text(probe, queue);
}

impl HttpErrSummary {
    pub fn new() -> HttpErrSummary {
        HttpErrSummary::default()
    }

    fn group_index(&mut self, status: Option<u16>, reason: &[u8], queue: &[u8]) -> usize {
        index_key(&mut self.probe, status, reason, queue);
        if let Some(&i) = self.index.get(self.probe.as_slice()) {
            return i;
        }
        let key = HttpErrKey {
            status,
            reason: String::from_utf8_lossy(reason).into_owned(),
            queue: String::from_utf8_lossy(queue).into_owned(),
        };
        let i = self.groups.len();
        self.groups.push(HttpErrGroup::new(key));
        self.index.insert(self.probe.as_slice().into(), i);
        i
    }

    /// Counts one record.
    pub fn add(&mut self, rec: &HttpErrRecord<'_>) {
        let i = self.group_index(rec.status, or_dash(rec.reason), or_dash(rec.queue));
        let Some(group) = self.groups.get_mut(i) else {
            return;
        };
        group.count += 1;
        group.seen(rec.time, rec.time);
        match rec.time {
            Some(t) => *group.minutes.entry(t.div_euclid(MINUTE)).or_insert(0) += 1,
            None => self.undated += 1,
        }
        if let Some(site) = rec.site_id {
            group.sites.insert(site);
        }
        if !rec.uri.is_empty() {
            match std::str::from_utf8(rec.uri) {
                Ok(url) => group.count_url(url, 1),
                Err(_) => group.count_url(&String::from_utf8_lossy(rec.uri), 1),
            }
        }
    }

    /// Adds another summary's counts to this one. Counts do not depend on merge order; which
    /// URLs stay exact once a group passes [`URL_CAP`] can.
    pub fn merge(&mut self, other: HttpErrSummary) {
        self.undated = self.undated.saturating_add(other.undated);
        for theirs in other.groups {
            let i = self.group_index(
                theirs.key.status,
                theirs.key.reason.as_bytes(),
                theirs.key.queue.as_bytes(),
            );
            let Some(ours) = self.groups.get_mut(i) else {
                continue;
            };
            ours.count = ours.count.saturating_add(theirs.count);
            ours.seen(theirs.first_seen, theirs.last_seen);
            ours.other_urls = ours.other_urls.saturating_add(theirs.other_urls);
            for (url, n) in theirs.urls {
                ours.count_url(&url, n);
            }
            ours.sites.extend(theirs.sites);
            for (minute, n) in theirs.minutes {
                let c = ours.minutes.entry(minute).or_insert(0);
                *c = c.saturating_add(n);
            }
        }
    }

    /// Groups, the largest first; ties in key order.
    pub fn groups(&self) -> Vec<&HttpErrGroup> {
        let mut all: Vec<&HttpErrGroup> = self.groups.iter().collect();
        all.sort_unstable_by(|a, b| b.count.cmp(&a.count).then_with(|| a.key.cmp(&b.key)));
        all
    }

    /// The group with this key, if any record fell in it.
    pub fn group(&self, status: Option<u16>, reason: &str, queue: &str) -> Option<&HttpErrGroup> {
        self.groups
            .iter()
            .find(|g| g.key.status == status && g.key.reason == reason && g.key.queue == queue)
    }

    /// Records counted.
    pub fn total(&self) -> u64 {
        self.groups
            .iter()
            .fold(0, |sum, g| sum.saturating_add(g.count))
    }

    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }

    /// The time of the latest record.
    pub fn last_seen(&self) -> Option<Millis> {
        self.groups.iter().filter_map(|g| g.last_seen).max()
    }

    /// Records per minute (minutes since the epoch, UTC) over the groups that match.
    /// `status: None` and `queue: None` match anything; to pick connection-level events
    /// (status `-`) or lines without a pool (queue `-`), use [`Self::per_minute_where`].
    pub fn per_minute(&self, status: Option<u16>, queue: Option<&str>) -> BTreeMap<i64, u64> {
        self.per_minute_where(|key| {
            status.is_none_or(|s| key.status == Some(s)) && queue.is_none_or(|q| key.queue == q)
        })
    }

    /// Records per minute over the groups whose key passes `keep`.
    pub fn per_minute_where(&self, keep: impl Fn(&HttpErrKey) -> bool) -> BTreeMap<i64, u64> {
        let mut out: BTreeMap<i64, u64> = BTreeMap::new();
        for group in self.groups.iter().filter(|g| keep(&g.key)) {
            for (&minute, &n) in &group.minutes {
                let c = out.entry(minute).or_insert(0);
                *c = c.saturating_add(n);
            }
        }
        out
    }
}

/// An HTTP.sys group as `--save-summary` writes it.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct SavedHttpErrGroup {
    pub status: Option<u16>,
    pub reason: String,
    pub queue: String,
    pub count: u64,
    pub first_seen: Option<Millis>,
    pub last_seen: Option<Millis>,
    /// Capped while read: the URLs past [`URL_CAP`] are added to `other_urls`.
    pub urls: Capped<(String, u64), URL_CAP>,
    pub other_urls: u64,
    pub sites: Vec<u32>,
    /// (minute since the epoch, count).
    pub minutes: Vec<(i64, u64)>,
}

/// An HTTP.sys summary as `--save-summary` writes it.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct SavedHttpErr {
    pub undated: u64,
    pub groups: Vec<SavedHttpErrGroup>,
}

impl HttpErrSummary {
    /// Everything the summary holds, in a form that serialises.
    pub fn save(&self) -> SavedHttpErr {
        let mut groups: Vec<SavedHttpErrGroup> = self
            .groups
            .iter()
            .map(|g| {
                let mut urls: Vec<(String, u64)> =
                    g.urls.iter().map(|(u, &n)| (u.clone(), n)).collect();
                urls.sort_unstable();
                SavedHttpErrGroup {
                    status: g.key.status,
                    reason: g.key.reason.clone(),
                    queue: g.key.queue.clone(),
                    count: g.count,
                    first_seen: g.first_seen,
                    last_seen: g.last_seen,
                    urls: urls.into(),
                    other_urls: g.other_urls,
                    sites: g.sites.iter().copied().collect(),
                    minutes: g.minutes.iter().map(|(&m, &n)| (m, n)).collect(),
                }
            })
            .collect();
        groups
            .sort_by(|a, b| (a.status, &a.reason, &a.queue).cmp(&(b.status, &b.reason, &b.queue)));
        SavedHttpErr {
            undated: self.undated,
            groups,
        }
    }

    /// The summary a saved one describes.
    pub fn restore(saved: SavedHttpErr) -> HttpErrSummary {
        let mut s = HttpErrSummary::new();
        s.undated = saved.undated;
        // Saturating, as in `merge`: a summary file's counts are whatever it says.
        for g in saved.groups {
            let i = s.group_index(g.status, g.reason.as_bytes(), g.queue.as_bytes());
            let Some(group) = s.groups.get_mut(i) else {
                continue;
            };
            group.count = group.count.saturating_add(g.count);
            group.seen(g.first_seen, g.last_seen);
            group.other_urls = group
                .other_urls
                .saturating_add(g.other_urls)
                .saturating_add(g.urls.dropped);
            for (url, n) in &g.urls.kept {
                group.count_url(url, *n);
            }
            group.sites.extend(g.sites);
            for (m, n) in g.minutes {
                let c = group.minutes.entry(m).or_insert(0);
                *c = c.saturating_add(n);
            }
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::httperr::read_httperr;
    use crate::time::{at, parse_date, parse_time};

    fn ts(text: &str) -> Millis {
        let b = text.as_bytes();
        at(parse_date(&b[..10]).unwrap(), parse_time(&b[11..]).unwrap())
    }

    fn rec<'a>(
        time: &str,
        status: Option<u16>,
        reason: &'a str,
        queue: &'a str,
        uri: &'a str,
    ) -> HttpErrRecord<'a> {
        HttpErrRecord {
            time: Some(ts(time)),
            status,
            reason: reason.as_bytes(),
            queue: queue.as_bytes(),
            uri: uri.as_bytes(),
            site_id: Some(2),
            ..HttpErrRecord::default()
        }
    }

    fn sample() -> Vec<HttpErrRecord<'static>> {
        vec![
            rec(
                "2024-03-11 09:52:01",
                Some(503),
                "AppOffline",
                "OrdersPool",
                "/orders/cart",
            ),
            rec(
                "2024-03-11 09:52:30",
                Some(503),
                "AppOffline",
                "OrdersPool",
                "/orders/cart",
            ),
            rec(
                "2024-03-11 09:53:10",
                Some(503),
                "AppOffline",
                "OrdersPool",
                "/orders/checkout",
            ),
            rec(
                "2024-03-11 09:50:00",
                Some(503),
                "QueueFull",
                "OrdersPool",
                "/orders/cart",
            ),
            rec("2024-03-11 09:51:00", None, "Timer_ConnectionIdle", "", ""),
            rec("2024-03-11 09:55:00", None, "Timer_ConnectionIdle", "", ""),
            rec(
                "2024-03-11 09:52:40",
                None,
                "Connection_Abandoned_By_ReqQueue",
                "OrdersPool",
                "/orders/pay",
            ),
        ]
    }

    fn summarize(records: &[HttpErrRecord<'_>]) -> HttpErrSummary {
        let mut s = HttpErrSummary::new();
        for r in records {
            s.add(r);
        }
        s
    }

    #[test]
    fn groups_by_status_reason_queue() {
        let s = summarize(&sample());
        assert_eq!(s.total(), 7);
        let groups = s.groups();
        let keys: Vec<(String, &str, u64)> = groups
            .iter()
            .map(|g| (g.key.code(), g.key.queue.as_str(), g.count))
            .collect();
        assert_eq!(
            keys,
            [
                ("503.AppOffline".to_string(), "OrdersPool", 3),
                ("-.Timer_ConnectionIdle".to_string(), "-", 2),
                (
                    "-.Connection_Abandoned_By_ReqQueue".to_string(),
                    "OrdersPool",
                    1
                ),
                ("503.QueueFull".to_string(), "OrdersPool", 1),
            ]
        );
        let offline = groups[0];
        assert_eq!(offline.first_seen, Some(ts("2024-03-11 09:52:01")));
        assert_eq!(offline.last_seen, Some(ts("2024-03-11 09:53:10")));
        assert_eq!(offline.sites.iter().copied().collect::<Vec<_>>(), [2]);
        assert_eq!(
            offline.top_urls(5),
            [("/orders/cart", 2), ("/orders/checkout", 1)]
        );
        assert!(groups[1].top_urls(5).is_empty(), "timer lines have no URL");
        assert!(s.group(None, "Timer_ConnectionIdle", "-").is_some());
    }

    #[test]
    fn top_urls_ties_sort_by_url() {
        let recs = [
            rec("2024-03-11 09:52:01", Some(400), "URL", "-", "/b"),
            rec("2024-03-11 09:52:01", Some(400), "URL", "-", "/a"),
            rec("2024-03-11 09:52:01", Some(400), "URL", "-", "/c"),
            rec("2024-03-11 09:52:01", Some(400), "URL", "-", "/c"),
        ];
        let s = summarize(&recs);
        assert_eq!(s.groups()[0].top_urls(2), [("/c", 2), ("/a", 1)]);
    }

    #[test]
    fn url_cap_counts_the_rest_as_other() {
        let urls: Vec<String> = (0..URL_CAP + 5).map(|i| format!("/u/{i}")).collect();
        let mut s = HttpErrSummary::new();
        for u in &urls {
            s.add(&rec("2024-03-11 09:52:01", Some(400), "URL", "-", u));
        }
        s.add(&rec("2024-03-11 09:52:01", Some(400), "URL", "-", "/u/0"));
        let g = s.groups()[0];
        assert_eq!(g.count, URL_CAP as u64 + 6);
        assert_eq!(g.distinct_urls(), URL_CAP);
        assert_eq!(g.other_urls, 5);
        assert_eq!(g.top_urls(2), [("(other URLs)", 5), ("/u/0", 2)]);
    }

    #[test]
    fn merge_order_does_not_change_counts() {
        let all = sample();
        let (a, b) = all.split_at(3);
        let (b, c) = b.split_at(2);
        let whole = summarize(&all);
        let mut abc = summarize(a);
        abc.merge(summarize(b));
        abc.merge(summarize(c));
        let mut cba = summarize(c);
        cba.merge(summarize(b));
        cba.merge(summarize(a));
        for merged in [&abc, &cba] {
            assert_eq!(merged.groups(), whole.groups());
            assert_eq!(merged.per_minute(None, None), whole.per_minute(None, None));
        }
        let mut empty = HttpErrSummary::new();
        empty.merge(whole.clone());
        assert_eq!(empty.groups(), whole.groups());
    }

    #[test]
    fn per_minute_by_status_and_queue() {
        let s = summarize(&sample());
        let base = ts("2024-03-11 09:52:00") / MINUTE;
        let m503 = s.per_minute(Some(503), Some("OrdersPool"));
        assert_eq!(
            m503.into_iter().collect::<Vec<_>>(),
            [(base - 2, 1), (base, 2), (base + 1, 1)]
        );
        let any = s.per_minute(None, None);
        assert_eq!(any.values().sum::<u64>(), 7);
        let pool = s.per_minute(None, Some("OrdersPool"));
        assert_eq!(pool.values().sum::<u64>(), 5);
        let timers = s.per_minute_where(|k| k.status.is_none() && k.queue == "-");
        assert_eq!(timers.values().sum::<u64>(), 2);
    }

    #[test]
    fn non_utf8_values_group_lossily() {
        let recs = [
            HttpErrRecord {
                reason: b"Bad\xff",
                uri: b"/\xc0\xae",
                ..HttpErrRecord::default()
            },
            HttpErrRecord {
                reason: b"Bad\xfe",
                uri: b"/\xc0\xae",
                ..HttpErrRecord::default()
            },
        ];
        let s = summarize(&recs);
        assert_eq!(s.groups().len(), 1);
        let g = s.groups()[0];
        assert_eq!(g.key.reason, "Bad\u{FFFD}");
        assert_eq!(g.count, 2);
        assert_eq!(g.top_urls(1), [("/\u{FFFD}\u{FFFD}", 2)]);
        assert_eq!(s.undated, 2);
        assert!(s.per_minute(None, None).is_empty());
    }

    #[test]
    fn serializes_top_urls_sorted() {
        let s = summarize(&sample());
        let json = serde_json::to_value(&s).unwrap();
        let first = &json["groups"][0];
        assert_eq!(first["key"]["reason"], "AppOffline");
        assert_eq!(first["top_urls"][0][0], "/orders/cart");
        assert_eq!(first["top_urls"][0][1], 2);
        assert!(first.get("minutes").is_none());
    }

    #[test]
    fn own_testdata_burst_lines_up_by_minute() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/httperr/httperr1.log");
        let file = std::fs::File::open(path).unwrap();
        let mut s = HttpErrSummary::new();
        read_httperr(file, |r| s.add(r)).unwrap();
        let g = s.group(Some(503), "AppOffline", "OrdersPool").unwrap();
        assert_eq!(g.count, 40);
        let minutes = s.per_minute(Some(503), Some("OrdersPool"));
        let offline: u64 = g.minutes().values().sum();
        assert_eq!(offline, 40);
        assert!(g.minutes().len() <= 5);
        assert!(minutes.values().sum::<u64>() >= 40);
    }

    #[test]
    fn corpus_learn_python_groups() {
        let Some(path) = crate::input::corpus::path("httperr/learn_python__httperr1.log") else {
            return;
        };
        let file = std::fs::File::open(path).unwrap();
        let mut s = HttpErrSummary::new();
        read_httperr(std::io::BufReader::new(file), |r| s.add(r)).unwrap();
        let got: Vec<(String, u64)> = s.groups().iter().map(|g| (g.key.code(), g.count)).collect();
        assert_eq!(
            got,
            [
                ("-.Timer_ConnectionIdle".to_string(), 544),
                ("503.N/A".to_string(), 387),
                ("-.Connection_Abandoned_By_ReqQueue".to_string(), 73),
                ("-.Timer_MinBytesPerSecond".to_string(), 8),
                ("503.Disabled".to_string(), 4),
                ("400.Verb".to_string(), 2),
            ]
        );
        assert_eq!(s.total(), 1018);
        let na = s.group(Some(503), "N/A", "-").unwrap();
        assert_eq!(
            na.top_urls(1),
            [("/f552314f-52bf-4b97-8ae1-6daed93f840d", 41)]
        );
        assert_eq!(na.distinct_urls(), 185);
        assert!(
            s.groups()
                .iter()
                .all(|g| g.sites.is_empty() && g.key.queue == "-")
        );
    }
}
