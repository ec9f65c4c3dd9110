//! Requests and failures per minute, kept in blocks of one hour.
//!
//! A day of logs fills 24 blocks of 60 counters. Summaries of different days (a folder of
//! daily files) merge by moving whole blocks, and only blocks of the same hour are added
//! counter by counter. A minute with nothing in it is not reported.

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;
use std::ops::RangeInclusive;

/// Minutes in a block.
const BLOCK: i64 = 60;

/// Requests and failures in one minute.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Minute {
    pub requests: u64,
    pub failures: u64,
}

impl Minute {
    fn add(&mut self, other: Minute) {
        // Saturating: the counts of a summary file are whatever it says.
        self.requests = self.requests.saturating_add(other.requests);
        self.failures = self.failures.saturating_add(other.failures);
    }

    fn is_empty(self) -> bool {
        self == Minute::default()
    }
}

/// The minutes of one hour.
pub type Block = [Minute; BLOCK as usize];

/// The hour (since the epoch) a minute falls in, and its place in that hour's block.
pub fn hour_and_slot(minute: i64) -> (i64, usize) {
    (minute.div_euclid(BLOCK), slot(minute))
}

/// Counts per minute since the epoch (UTC), in time order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MinuteCounts {
    /// Keyed by hour since the epoch.
    blocks: BTreeMap<i64, Box<Block>>,
}

impl MinuteCounts {
    /// Adds `counts` to `minute`.
    pub fn add(&mut self, minute: i64, counts: Minute) {
        let block = self
            .blocks
            .entry(minute.div_euclid(BLOCK))
            .or_insert_with(|| Box::new([Minute::default(); BLOCK as usize]));
        block[slot(minute)].add(counts);
    }

    /// Takes the block of `hour` out, to count into it (an empty one if there is none).
    pub fn take(&mut self, hour: i64) -> Box<Block> {
        self.blocks
            .remove(&hour)
            .unwrap_or_else(|| Box::new([Minute::default(); BLOCK as usize]))
    }

    /// Adds the counts of a block of `hour`.
    pub fn put(&mut self, hour: i64, block: Box<Block>) {
        match self.blocks.entry(hour) {
            Entry::Vacant(v) => {
                v.insert(block);
            }
            Entry::Occupied(mut o) => {
                for (mine, theirs) in o.get_mut().iter_mut().zip(block.iter()) {
                    mine.add(*theirs);
                }
            }
        }
    }

    pub fn merge(&mut self, other: MinuteCounts) {
        for (hour, block) in other.blocks {
            self.put(hour, block);
        }
    }

    /// Every minute with something in it, earliest first.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (i64, Minute)> + '_ {
        self.blocks
            .iter()
            .flat_map(|(&hour, block)| minutes_of(hour, block))
            .filter(|(_, c)| !c.is_empty())
    }

    /// The minutes with something in them within `range`, earliest first.
    pub fn range(&self, range: RangeInclusive<i64>) -> impl Iterator<Item = (i64, Minute)> + '_ {
        let (lo, hi) = (*range.start(), *range.end());
        let hours = if lo <= hi {
            self.blocks
                .range(lo.div_euclid(BLOCK)..=hi.div_euclid(BLOCK))
                .collect()
        } else {
            Vec::new()
        };
        hours
            .into_iter()
            .flat_map(|(&hour, block)| minutes_of(hour, block))
            .filter(move |(m, c)| (lo..=hi).contains(m) && !c.is_empty())
    }

    /// The earliest minute with something in it.
    pub fn first(&self) -> Option<i64> {
        self.iter().next().map(|(m, _)| m)
    }

    /// The latest minute with something in it.
    pub fn last(&self) -> Option<i64> {
        self.iter().next_back().map(|(m, _)| m)
    }
}

impl FromIterator<(i64, Minute)> for MinuteCounts {
    fn from_iter<I: IntoIterator<Item = (i64, Minute)>>(iter: I) -> MinuteCounts {
        let mut counts = MinuteCounts::default();
        for (m, c) in iter {
            counts.add(m, c);
        }
        counts
    }
}

/// The minutes of the block of `hour`, with their counts.
fn minutes_of(hour: i64, block: &Block) -> impl DoubleEndedIterator<Item = (i64, Minute)> + '_ {
    block
        .iter()
        .enumerate()
        .map(move |(i, c)| (hour * BLOCK + i as i64, *c))
}

fn slot(minute: i64) -> usize {
    // rem_euclid of a positive divisor is in 0..BLOCK.
    minute.rem_euclid(BLOCK) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(requests: u64, failures: u64) -> Minute {
        Minute { requests, failures }
    }

    /// The same counts in a plain map, minute by minute: what `MinuteCounts` must agree with.
    fn plain(entries: &[(i64, Minute)]) -> BTreeMap<i64, Minute> {
        let mut out = BTreeMap::<i64, Minute>::new();
        for &(minute, c) in entries {
            out.entry(minute).or_default().add(c);
        }
        out.retain(|_, c| !c.is_empty());
        out
    }

    #[test]
    fn counts_and_reads_back_in_time_order_across_hours_and_before_1970() {
        let entries = [
            (29_000_000, m(3, 1)),
            (-61, m(1, 0)),
            (59, m(2, 2)),
            (60, m(1, 0)),
            (29_000_000, m(1, 1)),
            (0, m(0, 0)),
            (-1, m(4, 0)),
        ];
        let counts: MinuteCounts = entries.iter().copied().collect();
        let want: Vec<_> = plain(&entries).into_iter().collect();
        assert_eq!(counts.iter().collect::<Vec<_>>(), want);
        assert_eq!(counts.first(), Some(-61));
        assert_eq!(counts.last(), Some(29_000_000));
        assert_eq!(MinuteCounts::default().first(), None);
    }

    #[test]
    fn merging_equals_counting_everything_in_one() {
        // Two days, overlapping in one hour, merged both ways round.
        let a: Vec<_> = (0..3000).map(|i| (i * 7, m(i as u64 % 5, 1))).collect();
        let b: Vec<_> = (0..3000)
            .map(|i| (20_000 - i * 3, m(2, i as u64 % 2)))
            .collect();
        let all: Vec<_> = a.iter().chain(&b).copied().collect();
        let want: Vec<_> = plain(&all).into_iter().collect();
        for (x, y) in [(&a, &b), (&b, &a)] {
            let mut merged: MinuteCounts = x.iter().copied().collect();
            merged.merge(y.iter().copied().collect());
            assert_eq!(merged.iter().collect::<Vec<_>>(), want);
        }
    }

    #[test]
    fn a_range_holds_exactly_the_minutes_within_it() {
        let entries: Vec<_> = (-200..200).map(|i| (i * 11, m(1, 0))).collect();
        let counts: MinuteCounts = entries.iter().copied().collect();
        for (lo, hi) in [
            (-5, 5),
            (-2200, 2200),
            (0, 0),
            (59, 121),
            (300, 200),
            (5000, 9000),
        ] {
            let want: Vec<_> = plain(&entries)
                .into_iter()
                .filter(|(k, _)| (lo..=hi).contains(k))
                .collect();
            assert_eq!(
                counts.range(lo..=hi).collect::<Vec<_>>(),
                want,
                "{lo}..={hi}"
            );
        }
    }
}
