//! PHP error log entries grouped by level, file, line and message (digits masked, so
//! `Allowed memory size of 134217728 bytes` and the same with another size are one group),
//! with their count, first and last times and a few messages as written. Merging is
//! order-independent: counts add, times take the min and max, samples keep the smallest.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::input::php::PhpEntry;
use crate::time::Millis;

/// Most distinct groups kept; entries past it are counted in `other`.
pub const GROUP_CAP: usize = 2_000;
/// Messages kept per group, as written.
pub const SAMPLES: usize = 3;

/// One group of entries.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhpGroup {
    pub level: String,
    pub file: Option<String>,
    pub line: Option<u32>,
    /// The message with each run of digits as `N`.
    pub pattern: String,
    pub count: u64,
    /// UTC times, when the log wrote UTC.
    pub first: Option<Millis>,
    pub last: Option<Millis>,
    /// Clock times as written, in `zone` (for logs not in UTC).
    pub first_wall: Option<Millis>,
    pub last_wall: Option<Millis>,
    pub zone: Option<String>,
    pub samples: Vec<String>,
}

/// Everything the PHP error logs held.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhpSummary {
    pub groups: Vec<PhpGroup>,
    /// Entries per level.
    pub levels: BTreeMap<String, u64>,
    /// Entries in no group (past [`GROUP_CAP`]).
    pub other: u64,
    pub first: Option<Millis>,
    pub last: Option<Millis>,
    /// Entries whose time is local (not UTC).
    pub local: u64,
}

fn mask(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_digits = false;
    for c in text.chars() {
        if c.is_ascii_digit() {
            if !in_digits {
                out.push('N');
            }
            in_digits = true;
        } else {
            in_digits = false;
            out.push(c);
        }
    }
    out
}

fn min(a: Option<Millis>, b: Option<Millis>) -> Option<Millis> {
    a.into_iter().chain(b).min()
}

fn max(a: Option<Millis>, b: Option<Millis>) -> Option<Millis> {
    a.into_iter().chain(b).max()
}

impl PhpGroup {
    fn key(&self) -> (&str, &Option<String>, Option<u32>, &str) {
        (&self.level, &self.file, self.line, &self.pattern)
    }

    fn absorb(&mut self, other: PhpGroup) {
        self.count = self.count.saturating_add(other.count);
        self.first = min(self.first, other.first);
        self.last = max(self.last, other.last);
        self.first_wall = min(self.first_wall, other.first_wall);
        self.last_wall = max(self.last_wall, other.last_wall);
        if self.zone.is_none()
            || other
                .zone
                .as_ref()
                .is_some_and(|z| Some(z) < self.zone.as_ref())
        {
            self.zone = other.zone.or(self.zone.take());
        }
        self.samples.extend(other.samples);
        self.samples.sort();
        self.samples.dedup();
        self.samples.truncate(SAMPLES);
    }

    /// Whether the entries end a request with a 500.
    pub fn is_fatal(&self) -> bool {
        crate::input::php::is_fatal(&self.level)
    }
}

impl PhpSummary {
    pub fn is_empty(&self) -> bool {
        self.levels.is_empty()
    }

    /// Entries read.
    pub fn total(&self) -> u64 {
        self.levels.values().fold(0, |a, &b| a.saturating_add(b))
    }

    pub fn add(&mut self, e: &PhpEntry) {
        let n = self.levels.entry(e.level.clone()).or_insert(0);
        *n = n.saturating_add(1);
        self.first = min(self.first, e.time);
        self.last = max(self.last, e.time);
        if e.time.is_none() {
            self.local = self.local.saturating_add(1);
        }
        let group = PhpGroup {
            level: e.level.clone(),
            file: e.file.clone(),
            line: e.line,
            pattern: mask(&e.message),
            count: 1,
            first: e.time,
            last: e.time,
            first_wall: e.wall,
            last_wall: e.wall,
            zone: (e.time.is_none()).then(|| e.zone.clone()),
            samples: vec![e.message.clone()],
        };
        self.insert(group);
    }

    fn insert(&mut self, group: PhpGroup) {
        match self.groups.binary_search_by(|g| g.key().cmp(&group.key())) {
            Ok(i) => self.groups[i].absorb(group),
            Err(i) => self.groups.insert(i, group),
        }
    }

    /// Adds what another part of the run read.
    pub fn merge(&mut self, other: PhpSummary) {
        for (level, n) in other.levels {
            let c = self.levels.entry(level).or_insert(0);
            *c = c.saturating_add(n);
        }
        self.first = min(self.first, other.first);
        self.last = max(self.last, other.last);
        self.local = self.local.saturating_add(other.local);
        self.other = self.other.saturating_add(other.other);
        for g in other.groups {
            self.insert(g);
        }
        self.cap();
    }

    /// Keeps the [`GROUP_CAP`] largest groups (ties by key), counting the rest in `other`.
    fn cap(&mut self) {
        if self.groups.len() <= GROUP_CAP {
            return;
        }
        let mut order: Vec<usize> = (0..self.groups.len()).collect();
        order.sort_by(|&a, &b| {
            let (ga, gb) = (&self.groups[a], &self.groups[b]);
            gb.count
                .cmp(&ga.count)
                .then_with(|| ga.key().cmp(&gb.key()))
        });
        let keep: std::collections::BTreeSet<usize> = order[..GROUP_CAP].iter().copied().collect();
        let mut i = 0;
        let other = &mut self.other;
        self.groups.retain(|g| {
            let kept = keep.contains(&i);
            i += 1;
            if !kept {
                *other = other.saturating_add(g.count);
            }
            kept
        });
    }

    /// What a summary file keeps.
    pub fn save(&self) -> PhpSummary {
        self.clone()
    }

    /// Back from a summary file: groups put back in key order (a file may be edited).
    pub fn restore(saved: PhpSummary) -> PhpSummary {
        let mut out = PhpSummary {
            groups: Vec::new(),
            ..saved.clone()
        };
        for mut g in saved.groups {
            g.samples.truncate(SAMPLES);
            out.insert(g);
        }
        out.cap();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(level: &str, msg: &str, t: Millis) -> PhpEntry {
        PhpEntry {
            time: Some(t),
            wall: Some(t),
            zone: "UTC".into(),
            level: level.into(),
            message: msg.into(),
            file: Some("a.php".into()),
            line: Some(3),
            local: None,
        }
    }

    #[test]
    fn merge_is_order_independent_and_masks_digits() {
        let es = [
            entry("Fatal error", "Allowed memory size of 1 bytes", 5),
            entry("Fatal error", "Allowed memory size of 22 bytes", 1),
            entry("Warning", "x", 9),
        ];
        let mut a = PhpSummary::default();
        es.iter().for_each(|e| a.add(e));
        let (mut b, mut c) = (PhpSummary::default(), PhpSummary::default());
        b.add(&es[2]);
        c.add(&es[1]);
        c.add(&es[0]);
        b.merge(c);
        assert_eq!(a, b);
        assert_eq!(a.groups.len(), 2);
        let g = &a.groups[0];
        assert_eq!((g.count, g.first, g.last), (2, Some(1), Some(5)));
        assert_eq!(g.pattern, "Allowed memory size of N bytes");
        assert_eq!(a.total(), 3);
        assert_eq!(PhpSummary::restore(a.save()), a);
    }
}
