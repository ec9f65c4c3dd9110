//! The ASP.NET Core Module stdout logs of a run: one entry per log (one per process), with
//! what its name and content say. Merging is order-independent: the entries are kept sorted
//! by path, and past [`LOG_CAP`] the latest-started are kept and the rest counted.

use serde::{Deserialize, Serialize};

use crate::input::stdout::{Failure, LogName, StdoutLog};
use crate::time::Millis;

/// Most logs kept one by one (a `logs` folder of a crash-looping app holds thousands).
pub const LOG_CAP: usize = 1_000;

/// One stdout log.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StdoutEntry {
    pub path: String,
    /// The server its path names (the folder above the site or `logs` folder), if any.
    pub server: Option<String>,
    /// From the file name, when it is named as ANCM names them.
    pub pid: Option<u32>,
    /// When the process started (UTC), from the file name.
    pub started: Option<Millis>,
    pub lines: u64,
    pub failure: Option<Failure>,
    /// `crit:`, `fail:` and unhandled-exception blocks.
    pub failures: u64,
    /// The app got as far as `Now listening on:` / `Application started.`.
    pub listening: bool,
    /// `Application is shutting down...` was logged.
    pub shutdown: bool,
}

impl StdoutEntry {
    pub fn new(path: &str, server: Option<String>, name: Option<LogName>, log: StdoutLog) -> Self {
        StdoutEntry {
            path: path.to_string(),
            server,
            pid: name.as_ref().map(|n| n.pid),
            started: name.and_then(|n| n.started),
            lines: log.lines,
            failure: log.failure,
            failures: log.failures,
            listening: log.listening,
            shutdown: log.shutdown,
        }
    }
}

/// Every stdout log read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StdoutSummary {
    /// Sorted by path.
    pub logs: Vec<StdoutEntry>,
    /// Logs past [`LOG_CAP`], counted only.
    #[serde(default)]
    pub other: u64,
}

impl StdoutSummary {
    pub fn is_empty(&self) -> bool {
        self.logs.is_empty() && self.other == 0
    }

    /// Logs read.
    pub fn total(&self) -> u64 {
        (self.logs.len() as u64).saturating_add(self.other)
    }

    /// The latest process start any log names.
    pub fn last_started(&self) -> Option<Millis> {
        self.logs.iter().filter_map(|l| l.started).max()
    }

    pub fn add(&mut self, entry: StdoutEntry) {
        let at = self
            .logs
            .partition_point(|l| (&l.path, l.started) < (&entry.path, entry.started));
        self.logs.insert(at, entry);
        self.cap();
    }

    /// Adds what another part of the run read.
    pub fn merge(&mut self, other: StdoutSummary) {
        self.other = self.other.saturating_add(other.other);
        for entry in other.logs {
            self.add(entry);
        }
    }

    /// Keeps the [`LOG_CAP`] latest-started logs (ties by path).
    fn cap(&mut self) {
        while self.logs.len() > LOG_CAP {
            let oldest = self
                .logs
                .iter()
                .enumerate()
                .min_by(|(_, a), (_, b)| a.started.cmp(&b.started).then(b.path.cmp(&a.path)))
                .map(|(i, _)| i);
            if let Some(i) = oldest {
                self.logs.remove(i);
                self.other = self.other.saturating_add(1);
            }
        }
    }

    /// What a summary file keeps.
    pub fn save(&self) -> StdoutSummary {
        self.clone()
    }

    /// Back from a summary file: put back in order and under the cap (a file may be edited).
    pub fn restore(saved: StdoutSummary) -> StdoutSummary {
        let mut out = StdoutSummary {
            logs: Vec::new(),
            other: saved.other,
        };
        for entry in saved.logs {
            out.add(entry);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(path: &str, started: Millis) -> StdoutEntry {
        StdoutEntry {
            path: path.into(),
            started: Some(started),
            pid: Some(7),
            ..StdoutEntry::default()
        }
    }

    #[test]
    fn merge_is_order_independent_and_capped() {
        let es: Vec<StdoutEntry> = (0..5).map(|i| entry(&format!("l{i}"), i)).collect();
        let mut a = StdoutSummary::default();
        es.iter().for_each(|e| a.add(e.clone()));
        let (mut b, mut c) = (StdoutSummary::default(), StdoutSummary::default());
        es.iter().rev().take(2).for_each(|e| b.add(e.clone()));
        es.iter().take(3).for_each(|e| c.add(e.clone()));
        b.merge(c);
        assert_eq!(a, b);
        assert_eq!(a.total(), 5);
        assert_eq!(a.last_started(), Some(4));
        assert_eq!(StdoutSummary::restore(a.save()), a);

        let mut big = StdoutSummary::default();
        for i in 0..(LOG_CAP as i64 + 3) {
            big.add(entry(&format!("x{i:05}"), i));
        }
        assert_eq!((big.logs.len(), big.other), (LOG_CAP, 3));
        assert!(big.logs.iter().all(|l| l.started >= Some(3)));
    }
}
