//! Windows events read from `.evtx` files and Event XML: every event counted by provider and
//! id, and the events of the providers that take part in IIS failures kept one by one (up to
//! [`KEEP_CAP`]) for the explanation to line up with the failure groups.
//!
//! Merging is order-independent: the kept events are the earliest [`KEEP_CAP`] by
//! (time, computer, record, provider, id), whichever thread read them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::input::eventlog::Event;
use crate::time::Millis;

/// Most events kept one by one. An Application log of a busy server holds a few thousand
/// events of these providers a day; past the cap they are still counted.
pub const KEEP_CAP: usize = 50_000;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventSummary {
    /// Every event read (within the filters), by provider and id.
    counts: BTreeMap<(String, u32), u64>,
    /// Events of the kept providers, in no particular order until [`EventSummary::kept`].
    kept: Vec<Event>,
    /// Events of kept providers past [`KEEP_CAP`]: counted, not kept.
    dropped: u64,
    /// Every event read.
    pub total: u64,
    pub first: Option<Millis>,
    pub last: Option<Millis>,
}

/// How many events of one provider and id were read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventCount {
    pub provider: String,
    pub id: u32,
    pub count: u64,
}

/// The order kept events are sorted and capped by.
fn order(e: &Event) -> (Option<Millis>, Option<&str>, Option<u64>, &str, u32) {
    (e.time, e.computer.as_deref(), e.record, &e.provider, e.id)
}

impl EventSummary {
    /// Counts an event, and keeps it if its provider takes part in IIS failures.
    pub fn add(&mut self, mut event: Event) {
        self.total = self.total.saturating_add(1);
        if let Some(t) = event.time {
            self.first = Some(self.first.map_or(t, |f| f.min(t)));
            self.last = Some(self.last.map_or(t, |l| l.max(t)));
        }
        let kept = event.is_kept();
        // An event only counted gives its provider to the key: no copy of it per event.
        let provider = if kept {
            event.provider.clone()
        } else {
            std::mem::take(&mut event.provider)
        };
        let count = self.counts.entry((provider, event.id)).or_insert(0);
        *count = count.saturating_add(1);
        if kept {
            self.kept.push(event);
            if self.kept.len() > 2 * KEEP_CAP {
                self.cap();
            }
        }
    }

    /// Adds what another part of the run read.
    pub fn merge(&mut self, other: EventSummary) {
        for (key, n) in other.counts {
            let count = self.counts.entry(key).or_insert(0);
            *count = count.saturating_add(n);
        }
        self.kept.extend(other.kept);
        self.dropped = self.dropped.saturating_add(other.dropped);
        self.total = self.total.saturating_add(other.total);
        self.first = min_opt(self.first, other.first);
        self.last = self.last.max(other.last);
        if self.kept.len() > KEEP_CAP {
            self.cap();
        }
    }

    /// Sorts the kept events and drops those past the cap, counting them.
    fn cap(&mut self) {
        self.kept.sort_by(|a, b| order(a).cmp(&order(b)));
        if self.kept.len() > KEEP_CAP {
            let extra = self.kept.len() - KEEP_CAP;
            self.kept.truncate(KEEP_CAP);
            self.dropped = self.dropped.saturating_add(extra as u64);
        }
    }

    /// Readies the summary for reading: the kept events sorted and capped.
    pub fn finish(&mut self) {
        self.cap();
    }

    /// The kept events, by time (call [`EventSummary::finish`] first).
    pub fn kept(&self) -> &[Event] {
        &self.kept
    }

    /// Events of kept providers that were past [`KEEP_CAP`].
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// Every provider and id read, with its count, largest first (ties by provider and id).
    pub fn counts(&self) -> Vec<EventCount> {
        let mut out: Vec<EventCount> = self
            .counts
            .iter()
            .map(|((provider, id), &count)| EventCount {
                provider: provider.clone(),
                id: *id,
                count,
            })
            .collect();
        out.sort_by_key(|c| std::cmp::Reverse(c.count));
        out
    }

    /// The count of one provider (exactly as the events spell it) and id.
    pub fn count(&self, provider: &str, id: u32) -> u64 {
        self.counts
            .get(&(provider.to_string(), id))
            .copied()
            .unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// What a summary file keeps.
    pub fn save(&self) -> SavedEvents {
        let mut kept = self.kept.clone();
        kept.sort_by(|a, b| order(a).cmp(&order(b)));
        SavedEvents {
            counts: self
                .counts
                .iter()
                .map(|((provider, id), &count)| EventCount {
                    provider: provider.clone(),
                    id: *id,
                    count,
                })
                .collect(),
            kept,
            dropped: self.dropped,
            total: self.total,
            first: self.first,
            last: self.last,
        }
    }

    /// The summary a summary file holds.
    pub fn restore(saved: SavedEvents) -> EventSummary {
        let mut out = EventSummary {
            counts: BTreeMap::new(),
            kept: saved.kept,
            dropped: saved.dropped,
            total: saved.total,
            first: saved.first,
            last: saved.last,
        };
        for c in saved.counts {
            let count = out.counts.entry((c.provider, c.id)).or_insert(0);
            *count = count.saturating_add(c.count);
        }
        out.cap();
        out
    }
}

fn min_opt(a: Option<Millis>, b: Option<Millis>) -> Option<Millis> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, None) => a,
        (None, b) => b,
    }
}

/// The events part of a summary file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedEvents {
    pub counts: Vec<EventCount>,
    pub kept: Vec<Event>,
    pub dropped: u64,
    pub total: u64,
    pub first: Option<Millis>,
    pub last: Option<Millis>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(provider: &str, id: u32, time: Millis) -> Event {
        Event {
            provider: provider.into(),
            source: None,
            id,
            level: Some(2),
            time: Some(time),
            record: None,
            channel: None,
            computer: None,
            process_id: None,
            data: Vec::new(),
            binary: None,
        }
    }

    #[test]
    fn counts_every_provider_and_keeps_only_iis_ones() {
        let mut s = EventSummary::default();
        s.add(event("Microsoft-Windows-WAS", 5002, 20));
        s.add(event("Service Control Manager", 7036, 10));
        s.add(event("ASP.NET 4.0.30319.0", 1309, 30));
        s.finish();
        assert_eq!(s.total, 3);
        assert_eq!(s.count("Service Control Manager", 7036), 1);
        assert_eq!(s.kept().len(), 2);
        assert_eq!(s.kept()[0].id, 5002);
        assert_eq!((s.first, s.last), (Some(10), Some(30)));
    }

    #[test]
    fn merging_in_any_order_gives_the_same_summary() {
        let parts: Vec<EventSummary> = (0..4)
            .map(|i| {
                let mut s = EventSummary::default();
                s.add(event("WAS", 5011, 100 - i));
                s.add(event("Other", 1, i));
                s
            })
            .collect();
        let mut a = EventSummary::default();
        for p in parts.iter().cloned() {
            a.merge(p);
        }
        let mut b = EventSummary::default();
        for p in parts.into_iter().rev() {
            b.merge(p);
        }
        a.finish();
        b.finish();
        assert_eq!(a, b);
        assert_eq!(a.count("WAS", 5011), 4);
        let saved = a.save();
        let mut back = EventSummary::restore(saved);
        back.finish();
        assert_eq!(back, a);
    }
}
