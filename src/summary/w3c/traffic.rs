//! What `diff` measures a burst and a changed group against: every request (failure or not)
//! per URL stem, server and client, and each minute's failures per URL stem, server and
//! client. Counted only where per-minute counts are (a timeline, a saved summary, `diff
//! --split`), and capped like the rest of a summary, so a busy farm keeps its largest keys.

use std::collections::BTreeMap;

use foldhash::{HashMap, HashMapExt};

use crate::summary::capped::Capped;

/// The keys of all requests kept per kind (URL stems, servers, clients).
pub const TRAFFIC_CAP: usize = 1_000;
/// The keys of one minute's failures kept per kind while reading.
const MINUTE_READ_CAP: usize = 100;
/// ... and in a saved summary: the few a burst sentence names.
pub const MINUTE_CAP: usize = 5;

/// Requests per key, the keys past a cap summed in `other`.
#[derive(Debug, Clone, Default)]
pub struct Tally {
    map: HashMap<Box<str>, u64>,
    pub other: u64,
}

impl Tally {
    /// Adds `n` requests of `key`; a key new past `cap` goes to `other`.
    pub fn add(&mut self, key: &str, n: u64, cap: usize) {
        if let Some(c) = self.map.get_mut(key) {
            *c = c.saturating_add(n);
        } else if self.map.len() < cap {
            self.map.insert(key.into(), n);
        } else {
            self.other = self.other.saturating_add(n);
        }
    }

    /// Adds another tally, its largest keys first so they are the ones kept.
    pub fn merge(&mut self, other: Tally, cap: usize) {
        let mut theirs: Vec<(Box<str>, u64)> = other.map.into_iter().collect();
        theirs.sort_unstable_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        for (k, n) in theirs {
            self.add(&k, n, cap);
        }
        self.other = self.other.saturating_add(other.other);
    }

    /// The requests counted for `key`: `None` when it is not kept and some keys were
    /// dropped past the cap (it may be among them).
    pub fn get(&self, key: &str) -> Option<u64> {
        match self.map.get(key) {
            Some(n) => Some(*n),
            None => (self.other == 0).then_some(0),
        }
    }

    /// The kept keys, largest first (ties by key).
    pub fn top(&self) -> Vec<(&str, u64)> {
        let mut v: Vec<(&str, u64)> = self.map.iter().map(|(k, n)| (k.as_ref(), *n)).collect();
        v.sort_unstable_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
        v
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty() && self.other == 0
    }

    pub(super) fn save<const N: usize>(&self) -> (Capped<(String, u64), N>, u64) {
        let mut kept: Vec<(String, u64)> = self
            .top()
            .into_iter()
            .map(|(k, n)| (k.to_string(), n))
            .collect();
        let dropped: u64 = kept.iter().skip(N).map(|(_, n)| *n).sum();
        kept.truncate(N);
        kept.sort_unstable();
        (kept.into(), self.other.saturating_add(dropped))
    }

    pub(super) fn restore<const N: usize>(kept: Capped<(String, u64), N>, other: u64) -> Tally {
        let mut t = Tally {
            map: HashMap::with_capacity(kept.kept.len()),
            other: other.saturating_add(kept.dropped),
        };
        for (k, n) in kept.kept {
            t.add(&k, n, usize::MAX);
        }
        t
    }
}

/// The keys a request is counted by here.
#[derive(Debug, Clone, Copy)]
pub struct Keys<'a> {
    pub url: &'a str,
    pub server: &'a str,
    pub client: &'a str,
}

/// Requests per URL stem, server and client: of all the traffic, or of one minute's failures.
#[derive(Debug, Clone, Default)]
pub struct Tallies {
    pub urls: Tally,
    pub servers: Tally,
    pub clients: Tally,
}

impl Tallies {
    fn add(&mut self, k: Keys<'_>, cap: usize) {
        self.urls.add(k.url, 1, cap);
        self.servers.add(k.server, 1, cap);
        self.clients.add(k.client, 1, cap);
    }

    fn merge(&mut self, other: Tallies, cap: usize) {
        self.urls.merge(other.urls, cap);
        self.servers.merge(other.servers, cap);
        self.clients.merge(other.clients, cap);
    }

    /// Each kind by the name a sentence gives it.
    pub fn by_kind(&self) -> [(&'static str, &Tally); 3] {
        [
            ("url", &self.urls),
            ("server", &self.servers),
            ("client", &self.clients),
        ]
    }
}

/// All requests per key, and each minute's failures per key.
#[derive(Debug, Clone, Default)]
pub struct Traffic {
    /// Every request.
    pub all: Tallies,
    minutes: BTreeMap<i64, Tallies>,
}

impl Traffic {
    /// Counts a request; a failure also in its minute's keys.
    pub fn add(&mut self, k: Keys<'_>, minute: Option<i64>, failure: bool) {
        self.all.add(k, TRAFFIC_CAP);
        if let (Some(m), true) = (minute, failure) {
            self.minutes.entry(m).or_default().add(k, MINUTE_READ_CAP);
        }
    }

    pub fn merge(&mut self, other: Traffic) {
        self.all.merge(other.all, TRAFFIC_CAP);
        for (m, keys) in other.minutes {
            self.minutes
                .entry(m)
                .or_default()
                .merge(keys, MINUTE_READ_CAP);
        }
    }

    /// The failures of one minute per key; `None` when that minute's were not counted.
    pub fn minute(&self, minute: i64) -> Option<&Tallies> {
        self.minutes.get(&minute)
    }

    /// Nothing counted: per-minute counts were off, or an older summary was read.
    pub fn is_empty(&self) -> bool {
        self.all.urls.is_empty()
    }

    pub fn save(&self) -> SavedTraffic {
        let (urls, other_urls) = self.all.urls.save();
        let (servers, other_servers) = self.all.servers.save();
        let (clients, other_clients) = self.all.clients.save();
        SavedTraffic {
            urls,
            other_urls,
            servers,
            other_servers,
            clients,
            other_clients,
            minutes: self
                .minutes
                .iter()
                .map(|(m, k)| SavedMinuteKeys {
                    minute: *m,
                    urls: k.urls.save(),
                    servers: k.servers.save(),
                    clients: k.clients.save(),
                })
                .collect(),
        }
    }

    pub fn restore(s: SavedTraffic) -> Traffic {
        Traffic {
            all: Tallies {
                urls: Tally::restore(s.urls, s.other_urls),
                servers: Tally::restore(s.servers, s.other_servers),
                clients: Tally::restore(s.clients, s.other_clients),
            },
            minutes: s
                .minutes
                .into_iter()
                .map(|k| {
                    let keys = Tallies {
                        urls: Tally::restore(k.urls.0, k.urls.1),
                        servers: Tally::restore(k.servers.0, k.servers.1),
                        clients: Tally::restore(k.clients.0, k.clients.1),
                    };
                    (k.minute, keys)
                })
                .collect(),
        }
    }
}

/// A capped list and what it dropped.
type SavedTally<const N: usize> = (Capped<(String, u64), N>, u64);

/// [`Traffic`] as a summary file holds it.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct SavedTraffic {
    pub urls: Capped<(String, u64), TRAFFIC_CAP>,
    pub other_urls: u64,
    pub servers: Capped<(String, u64), TRAFFIC_CAP>,
    pub other_servers: u64,
    pub clients: Capped<(String, u64), TRAFFIC_CAP>,
    pub other_clients: u64,
    /// Each minute with failures: its largest keys of each kind.
    pub minutes: Vec<SavedMinuteKeys>,
}

impl SavedTraffic {
    pub fn is_empty(&self) -> bool {
        self.urls.kept.is_empty() && self.other_urls == 0
    }
}

/// One minute's failures per key, as a summary file holds them.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct SavedMinuteKeys {
    pub minute: i64,
    pub urls: SavedTally<MINUTE_CAP>,
    pub servers: SavedTally<MINUTE_CAP>,
    pub clients: SavedTally<MINUTE_CAP>,
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn tally(keys: &[(&str, u64)], cap: usize) -> Tally {
        let mut t = Tally::default();
        for (k, n) in keys {
            t.add(k, *n, cap);
        }
        t
    }

    /// Keys added, cap, key asked, what `get` says.
    type Case<'a> = (&'a [(&'a str, u64)], usize, &'a str, Option<u64>);

    #[test]
    fn a_key_past_the_cap_is_unknown_not_zero() {
        let cases: &[Case<'_>] = &[
            (&[("/a", 3), ("/b", 1)], 10, "/a", Some(3)),
            (&[("/a", 3), ("/b", 1)], 10, "/c", Some(0)),
            (&[("/a", 3), ("/b", 1)], 1, "/b", None),
            (&[("/a", 3), ("/a", 2)], 1, "/a", Some(5)),
        ];
        for (keys, cap, key, want) in cases {
            assert_eq!(
                tally(keys, *cap).get(key),
                *want,
                "{keys:?} cap {cap} {key}"
            );
        }
    }

    #[test]
    fn a_saved_tally_keeps_its_largest_and_sums_the_rest() {
        let t = tally(&[("/a", 1), ("/b", 9), ("/c", 4)], 10);
        let (kept, other): SavedTally<2> = t.save();
        assert_eq!(kept.kept, [("/b".to_string(), 9), ("/c".to_string(), 4)]);
        assert_eq!(other, 1);
        let back = Tally::restore(kept, other);
        assert_eq!(back.top(), [("/b", 9), ("/c", 4)]);
        assert_eq!(back.get("/a"), None);
    }

    #[test]
    fn merged_tallies_keep_the_largest_keys_at_the_cap() {
        let mut mine = tally(&[("/a", 2)], 2);
        mine.merge(tally(&[("/small", 1), ("/big", 7)], 10), 2);
        assert_eq!(mine.top(), [("/big", 7), ("/a", 2)]);
        assert_eq!(mine.other, 1);
    }

    #[test]
    fn traffic_counts_every_request_and_only_the_failures_of_a_minute() {
        let mut t = Traffic::default();
        let k = |url| Keys {
            url,
            server: "WEB01",
            client: "192.0.2.1",
        };
        t.add(k("/ok"), Some(5), false);
        t.add(k("/bad"), Some(5), true);
        t.add(k("/bad"), None, true);
        assert_eq!(t.all.urls.top(), [("/bad", 2), ("/ok", 1)]);
        assert_eq!(t.minute(5).unwrap().urls.top(), [("/bad", 1)]);
        assert!(t.minute(6).is_none());
        let back = Traffic::restore(t.save());
        assert_eq!(back.all.servers.top(), [("WEB01", 3)]);
        assert_eq!(back.minute(5).unwrap().clients.top(), [("192.0.2.1", 1)]);
    }
}
