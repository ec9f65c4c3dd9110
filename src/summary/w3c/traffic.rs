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

/// One minute's failures per URL stem, server and client.
#[derive(Debug, Clone, Default)]
pub struct MinuteKeys {
    pub urls: Tally,
    pub servers: Tally,
    pub clients: Tally,
}

impl MinuteKeys {
    fn add(&mut self, k: Keys<'_>, cap: usize) {
        self.urls.add(k.url, 1, cap);
        self.servers.add(k.server, 1, cap);
        self.clients.add(k.client, 1, cap);
    }

    fn merge(&mut self, other: MinuteKeys) {
        self.urls.merge(other.urls, MINUTE_READ_CAP);
        self.servers.merge(other.servers, MINUTE_READ_CAP);
        self.clients.merge(other.clients, MINUTE_READ_CAP);
    }
}

/// All requests per key, and each minute's failures per key.
#[derive(Debug, Clone, Default)]
pub struct Traffic {
    pub urls: Tally,
    pub servers: Tally,
    pub clients: Tally,
    minutes: BTreeMap<i64, MinuteKeys>,
}

impl Traffic {
    /// Counts a request; a failure also in its minute's keys.
    pub fn add(&mut self, k: Keys<'_>, minute: Option<i64>, failure: bool) {
        self.urls.add(k.url, 1, TRAFFIC_CAP);
        self.servers.add(k.server, 1, TRAFFIC_CAP);
        self.clients.add(k.client, 1, TRAFFIC_CAP);
        if let (Some(m), true) = (minute, failure) {
            self.minutes.entry(m).or_default().add(k, MINUTE_READ_CAP);
        }
    }

    pub fn merge(&mut self, other: Traffic) {
        self.urls.merge(other.urls, TRAFFIC_CAP);
        self.servers.merge(other.servers, TRAFFIC_CAP);
        self.clients.merge(other.clients, TRAFFIC_CAP);
        for (m, keys) in other.minutes {
            self.minutes.entry(m).or_default().merge(keys);
        }
    }

    /// The failures of one minute per key; `None` when that minute's were not counted.
    pub fn minute(&self, minute: i64) -> Option<&MinuteKeys> {
        self.minutes.get(&minute)
    }

    /// Nothing counted: per-minute counts were off, or an older summary was read.
    pub fn is_empty(&self) -> bool {
        self.urls.is_empty()
    }

    pub fn save(&self) -> SavedTraffic {
        let (urls, other_urls) = self.urls.save();
        let (servers, other_servers) = self.servers.save();
        let (clients, other_clients) = self.clients.save();
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
            urls: Tally::restore(s.urls, s.other_urls),
            servers: Tally::restore(s.servers, s.other_servers),
            clients: Tally::restore(s.clients, s.other_clients),
            minutes: s
                .minutes
                .into_iter()
                .map(|k| {
                    let keys = MinuteKeys {
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
