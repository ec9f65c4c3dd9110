//! The W3C summary as a summary file holds it: each group with its histogram as (value,
//! count) pairs and its lists capped while read, so summaries saved on many servers merge into
//! what one scan of all their logs would give.

use hdrhistogram::Histogram;

use super::traffic::SavedTraffic;
use super::*;

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
    /// Absent from summaries written before they were kept.
    #[serde(default)]
    pub uri_stem_max: Option<u64>,
    #[serde(default)]
    pub uri_query_max: Option<u64>,
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
    /// Requests per client; absent from summaries written before they were kept (and from
    /// those saved without per-minute counts).
    #[serde(default)]
    pub clients: Capped<(String, u64), NAME_CAP>,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub other_clients: u64,
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
    /// All requests and each minute's failures per key, for `diff`; absent from summaries
    /// written before it was kept.
    #[serde(default, skip_serializing_if = "SavedTraffic::is_empty")]
    pub traffic: SavedTraffic,
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
                let (clients, other_clients) = g.clients.save();
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
                    uri_stem_max: g.uri_stem_max,
                    uri_query_max: g.uri_query_max,
                    servers: g.servers.iter().cloned().collect::<Vec<_>>().into(),
                    sites: g.sites.iter().cloned().collect::<Vec<_>>().into(),
                    minutes,
                    breakdown: breakdown.into(),
                    breakdown_range: breakdown_range.into(),
                    breakdown_other: g.breakdown_other,
                    clients,
                    other_clients,
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
            traffic: self.traffic.save(),
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
        s.traffic = Traffic::restore(saved.traffic);
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
                uri_stem_max: g.uri_stem_max,
                uri_query_max: g.uri_query_max,
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
                clients: Tally::restore(g.clients, g.other_clients),
            };
            s.put_group(Triple::new(g.status, g.substatus, g.win32), group);
        }
        s
    }
}
