//! Lists in a summary file are read with their per-group cap applied while reading, not after.
//!
//! A summary written by `scan --save-summary` never holds more than a group's caps (10,000
//! URLs, 1,000 breakdown entries, 1,000 servers and sites), but a file is whatever it says: one
//! with 8 million URLs in a group took 2 GB to load before the caps cut it down. A [`Capped`]
//! list keeps its `CAP` heaviest entries (ties: the smallest key, the rule the caps follow
//! elsewhere) in a heap of `CAP` while the file is parsed, and sums what it drops.

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{Deserialize, Deserializer, SeqAccess, Visitor};
use serde::{Serialize, Serializer};

/// An entry of a capped list: what it counts and what it is called.
pub trait Weighed {
    /// The requests the entry stands for (0 for a plain name).
    fn weight(&self) -> u64;
    /// What orders entries of equal weight.
    fn key(&self) -> impl Ord + '_;
}

impl Weighed for String {
    fn weight(&self) -> u64 {
        0
    }
    fn key(&self) -> impl Ord + '_ {
        self.as_str()
    }
}

impl Weighed for u32 {
    fn weight(&self) -> u64 {
        0
    }
    fn key(&self) -> impl Ord + '_ {
        *self
    }
}

impl Weighed for (String, u64) {
    fn weight(&self) -> u64 {
        self.1
    }
    fn key(&self) -> impl Ord + '_ {
        self.0.as_str()
    }
}

impl<T> Weighed for (String, u64, T) {
    fn weight(&self) -> u64 {
        self.1
    }
    fn key(&self) -> impl Ord + '_ {
        self.0.as_str()
    }
}

/// A list of at most `CAP` entries once read; written as the plain list it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Capped<T, const CAP: usize> {
    /// The entries kept, heaviest first (ties by key).
    pub kept: Vec<T>,
    /// The weight of the entries dropped while reading.
    pub dropped: u64,
}

impl<T, const CAP: usize> Default for Capped<T, CAP> {
    fn default() -> Self {
        Capped {
            kept: Vec::new(),
            dropped: 0,
        }
    }
}

impl<T, const CAP: usize> From<Vec<T>> for Capped<T, CAP> {
    /// The entries of a summary being written: already within their cap.
    fn from(kept: Vec<T>) -> Self {
        Capped { kept, dropped: 0 }
    }
}

impl<T: Serialize, const CAP: usize> Serialize for Capped<T, CAP> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.kept.serialize(s)
    }
}

/// Orders entries so that the heap's top is the one to drop first: the lightest, and of
/// equal weights the largest key.
struct Worst<T>(T);

impl<T: Weighed> Ord for Worst<T> {
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .0
            .weight()
            .cmp(&self.0.weight())
            .then_with(|| self.0.key().cmp(&other.0.key()))
    }
}

impl<T: Weighed> PartialOrd for Worst<T> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<T: Weighed> PartialEq for Worst<T> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl<T: Weighed> Eq for Worst<T> {}

impl<'de, T: Deserialize<'de> + Weighed, const CAP: usize> Deserialize<'de> for Capped<T, CAP> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Seq<T, const CAP: usize>(PhantomData<T>);

        impl<'de, T: Deserialize<'de> + Weighed, const CAP: usize> Visitor<'de> for Seq<T, CAP> {
            type Value = Capped<T, CAP>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list")
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut heap: BinaryHeap<Worst<T>> = BinaryHeap::new();
                let mut dropped = 0u64;
                while let Some(entry) = seq.next_element::<T>()? {
                    heap.push(Worst(entry));
                    if heap.len() > CAP {
                        if let Some(Worst(out)) = heap.pop() {
                            dropped = dropped.saturating_add(out.weight());
                        }
                    }
                }
                // Ascending in `Worst` order is heaviest first.
                let kept = heap.into_sorted_vec().into_iter().map(|w| w.0).collect();
                Ok(Capped { kept, dropped })
            }
        }

        d.deserialize_seq(Seq::<T, CAP>(PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_heaviest_and_sums_the_rest() {
        let text = r#"[["/a",1],["/b",9],["/c",5],["/d",5],["/e",2]]"#;
        let c: Capped<(String, u64), 3> = serde_json::from_str(text).unwrap();
        assert_eq!(
            c.kept,
            vec![("/b".into(), 9), ("/c".into(), 5), ("/d".into(), 5)]
        );
        assert_eq!(c.dropped, 3);
        assert_eq!(
            serde_json::to_string(&c).unwrap(),
            r#"[["/b",9],["/c",5],["/d",5]]"#
        );
    }

    #[test]
    fn names_keep_the_smallest_in_sort_order() {
        let c: Capped<String, 2> = serde_json::from_str(r#"["web3","web1","web2"]"#).unwrap();
        assert_eq!(c.kept, vec!["web1".to_string(), "web2".to_string()]);
        assert_eq!(c.dropped, 0);
    }

    #[test]
    fn weights_near_the_top_saturate() {
        let text = format!(r#"[["/a",{m}],["/b",{m}],["/c",{m}]]"#, m = u64::MAX);
        let c: Capped<(String, u64), 1> = serde_json::from_str(&text).unwrap();
        assert_eq!(c.dropped, u64::MAX);
    }
}
