//! The sliding window of `iisdiag watch`: requests and failure groups per minute, for the
//! last few minutes ("now") and the minutes before them ("before"), and totals over the run.
//!
//! Minutes are the log's own (UTC), and "now" is the newest minute a record was seen in, not
//! the clock: IIS writes its buffer a minute late, and logs replayed or written by a test keep
//! their times. The ring holds one slot per minute seen within `window + before` minutes of
//! the newest; older slots are dropped as the newest moves on, and a slot counts at most
//! [`KEY_CAP`] groups (the rest together), so memory does not grow with the length of the run.

use std::collections::VecDeque;

use foldhash::{HashMap, HashMapExt};

use crate::triple::Triple;

/// Distinct groups a minute, and the run's totals, count one by one; further ones are
/// counted together as other failures.
pub const KEY_CAP: usize = 1_000;

/// What a failure is grouped by.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Key {
    /// A request of a W3C log.
    W3c(Triple),
    /// A Failed Request Tracing trace: the triple of the request it traced.
    Trace(Triple),
    /// An HTTP.sys error-log line: its status (none for connection-level events), reason
    /// and application pool (`-` when HTTP.sys had not picked one).
    HttpSys {
        status: Option<u16>,
        reason: Box<str>,
        queue: Box<str>,
    },
}

impl Key {
    /// The status, substatus and win32 a `--fail-on` condition is matched against.
    pub fn code(&self) -> Option<(u16, Option<u32>, Option<u64>)> {
        match self {
            Key::W3c(t) | Key::Trace(t) => Some((t.status, t.substatus, t.win32)),
            Key::HttpSys { status, .. } => status.map(|s| (s, None, None)),
        }
    }
}

/// One minute of the ring.
#[derive(Debug, Clone)]
struct Slot {
    minute: i64,
    requests: u64,
    groups: HashMap<Key, u64>,
    /// Failures of groups past [`KEY_CAP`] in this minute.
    other: u64,
}

impl Slot {
    fn new(minute: i64) -> Slot {
        Slot {
            minute,
            requests: 0,
            groups: HashMap::new(),
            other: 0,
        }
    }

    fn failures(&self) -> u64 {
        self.groups.values().sum::<u64>() + self.other
    }
}

/// What the whole run saw.
#[derive(Debug, Clone, Default)]
pub struct Totals {
    pub requests: u64,
    pub failures: u64,
    groups: HashMap<Key, u64>,
    /// Failures of groups past [`KEY_CAP`].
    pub other: u64,
    /// The busiest minute by requests and by failures: (minute since the epoch, count).
    pub peak_requests: Option<(i64, u64)>,
    pub peak_failures: Option<(i64, u64)>,
    /// Records older than the ring reaches (a file read late): in the totals only.
    pub late: u64,
    pub first: Option<i64>,
    pub last: Option<i64>,
}

impl Totals {
    /// The groups of the run, most failures first.
    pub fn groups(&self) -> Vec<(&Key, u64)> {
        let mut v: Vec<(&Key, u64)> = self.groups.iter().map(|(k, n)| (k, *n)).collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
        v
    }

    fn peak(&mut self, slot: &Slot) {
        let higher = |peak: Option<(i64, u64)>, n: u64| peak.is_none_or(|(_, p)| n > p);
        if slot.requests > 0 && higher(self.peak_requests, slot.requests) {
            self.peak_requests = Some((slot.minute, slot.requests));
        }
        let failures = slot.failures();
        if failures > 0 && higher(self.peak_failures, failures) {
            self.peak_failures = Some((slot.minute, failures));
        }
    }
}

/// A group as the window sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupRate {
    pub key: Key,
    /// Failures in the window.
    pub count: u64,
    /// Failures in the minutes before it.
    pub before: u64,
    /// Per minute, over the minutes of the window the run covers.
    pub rate: f64,
    /// Per minute before; `None` when the run does not reach back before the window.
    pub rate_before: Option<f64>,
    /// Not seen in the minutes before the window (or the run began inside it).
    pub new: bool,
}

/// The window at the newest minute seen.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct View {
    /// The newest minute a record was seen in.
    pub newest: Option<i64>,
    /// Minutes of the window, and of the span before it, that the run covers.
    pub minutes: i64,
    pub minutes_before: i64,
    pub requests: u64,
    pub requests_before: u64,
    pub failures: u64,
    /// Failures of groups past the cap, in the window.
    pub other: u64,
    /// Groups with failures in the window, most first.
    pub groups: Vec<GroupRate>,
}

/// Requests and failures per minute over the last `window + before` minutes.
#[derive(Debug, Clone)]
pub struct Window {
    window: i64,
    before: i64,
    slots: VecDeque<Slot>,
    totals: Totals,
}

impl Window {
    /// A window of `window` minutes compared with the `before` minutes ahead of it (each at
    /// least one minute).
    pub fn new(window: u32, before: u32) -> Window {
        Window {
            window: i64::from(window.max(1)),
            before: i64::from(before.max(1)),
            slots: VecDeque::new(),
            totals: Totals::default(),
        }
    }

    pub fn totals(&self) -> &Totals {
        &self.totals
    }

    /// The newest minute a record was seen in.
    pub fn newest(&self) -> Option<i64> {
        self.slots.back().map(|s| s.minute)
    }

    /// Minutes held now (at most `window + before`).
    pub fn held(&self) -> usize {
        self.slots.len()
    }

    /// Counts one record of `minute` (since the epoch): a request if `request`, and a
    /// failure of `key` if one is given.
    pub fn add(&mut self, minute: i64, request: bool, key: Option<&Key>) {
        let t = &mut self.totals;
        t.requests += u64::from(request);
        t.first = Some(t.first.map_or(minute, |f| f.min(minute)));
        t.last = Some(t.last.map_or(minute, |l| l.max(minute)));
        if let Some(key) = key {
            t.failures += 1;
            count(&mut t.groups, &mut t.other, key);
        }
        let Some(slot) = self.slot(minute) else {
            self.totals.late += 1;
            return;
        };
        slot.requests += u64::from(request);
        if let Some(key) = key {
            count(&mut slot.groups, &mut slot.other, key);
        }
    }

    /// The slot of `minute`, made if need be; `None` when it is older than the ring reaches.
    fn slot(&mut self, minute: i64) -> Option<&mut Slot> {
        let span = self.window + self.before;
        match self.slots.back().map(|s| s.minute) {
            Some(newest) if minute > newest => {
                self.slots.push_back(Slot::new(minute));
                while let Some(old) = self.slots.front() {
                    if old.minute > minute - span {
                        break;
                    }
                    if let Some(old) = self.slots.pop_front() {
                        self.totals.peak(&old);
                    }
                }
            }
            Some(newest) => {
                if minute <= newest - span {
                    return None;
                }
                let at = self.slots.partition_point(|s| s.minute < minute);
                if self.slots.get(at).is_none_or(|s| s.minute != minute) {
                    self.slots.insert(at, Slot::new(minute));
                }
                return self.slots.get_mut(at);
            }
            None => self.slots.push_back(Slot::new(minute)),
        }
        self.slots.back_mut()
    }

    /// The busiest minutes of the whole run: those dropped and those still held.
    pub fn finish_peaks(&self) -> Totals {
        let mut totals = self.totals.clone();
        for slot in &self.slots {
            totals.peak(slot);
        }
        totals
    }

    /// The window as of the newest minute: its groups with their rates now and before.
    pub fn view(&self) -> View {
        let Some(newest) = self.newest() else {
            return View::default();
        };
        let first = self.totals.first.unwrap_or(newest);
        let start = newest - self.window + 1;
        let start_before = start - self.before;
        let minutes = newest - start.max(first) + 1;
        let minutes_before = (start - start_before.max(first)).max(0);
        let mut view = View {
            newest: Some(newest),
            minutes,
            minutes_before,
            ..View::default()
        };
        let mut now: HashMap<&Key, (u64, u64)> = HashMap::new();
        for slot in &self.slots {
            let in_window = slot.minute >= start;
            if in_window {
                view.requests += slot.requests;
                view.other += slot.other;
            } else {
                view.requests_before += slot.requests;
            }
            for (key, n) in &slot.groups {
                let e = now.entry(key).or_default();
                if in_window {
                    e.0 += n;
                } else {
                    e.1 += n;
                }
            }
        }
        view.failures = now.values().map(|(n, _)| n).sum::<u64>() + view.other;
        view.groups = now
            .into_iter()
            .filter(|(_, (n, _))| *n > 0)
            .map(|(key, (count, before))| GroupRate {
                key: key.clone(),
                count,
                before,
                rate: count as f64 / minutes as f64,
                rate_before: (minutes_before > 0).then(|| before as f64 / minutes_before as f64),
                new: before == 0,
            })
            .collect();
        view.groups
            .sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.key.cmp(&b.key)));
        view
    }
}

/// Counts one failure of `key`, or in `other` once [`KEY_CAP`] groups are counted.
fn count(groups: &mut HashMap<Key, u64>, other: &mut u64, key: &Key) {
    if let Some(n) = groups.get_mut(key) {
        *n += 1;
    } else if groups.len() < KEY_CAP {
        groups.insert(key.clone(), 1);
    } else {
        *other += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w3c(status: u16, sub: u32, win32: u64) -> Key {
        Key::W3c(Triple::new(status, Some(sub), Some(win32)))
    }

    #[test]
    fn the_window_compares_now_with_the_minutes_before() {
        let mut w = Window::new(2, 3);
        let slow = w3c(502, 3, 12002);
        let old = w3c(500, 0, 0);
        // Minutes 10..=12 before the window, 13..=14 in it.
        for minute in 10..=14 {
            for _ in 0..10 {
                w.add(minute, true, None);
            }
            w.add(minute, true, Some(&old));
        }
        for _ in 0..6 {
            w.add(14, true, Some(&slow));
        }
        let v = w.view();
        assert_eq!(v.newest, Some(14));
        assert_eq!((v.minutes, v.minutes_before), (2, 3));
        assert_eq!((v.requests, v.requests_before), (28, 33));
        assert_eq!(v.failures, 8);
        assert_eq!(v.groups[0].key, slow);
        assert_eq!((v.groups[0].count, v.groups[0].rate), (6, 3.0));
        assert!(v.groups[0].new);
        assert_eq!(v.groups[0].rate_before, Some(0.0));
        assert_eq!(v.groups[1].key, old);
        assert_eq!((v.groups[1].count, v.groups[1].before), (2, 3));
        assert!(!v.groups[1].new);
        assert_eq!(v.groups[1].rate_before, Some(1.0));
    }

    #[test]
    fn a_run_that_began_inside_the_window_has_no_before() {
        let mut w = Window::new(5, 15);
        w.add(100, true, Some(&w3c(503, 2, 0)));
        w.add(101, true, None);
        let v = w.view();
        assert_eq!((v.minutes, v.minutes_before), (2, 0));
        assert_eq!(v.groups[0].rate_before, None);
        assert_eq!(v.groups[0].rate, 0.5);
    }

    #[test]
    fn memory_is_bounded_after_days_of_minutes() {
        let mut w = Window::new(5, 15);
        // Three days of minutes, each with a new group (a win32 of its own).
        for minute in 0..3 * 24 * 60 {
            w.add(minute, true, None);
            w.add(minute, true, Some(&w3c(500, 0, minute as u64)));
            assert!(w.held() <= 20, "{} minutes held", w.held());
        }
        let v = w.view();
        assert_eq!(v.requests, 10);
        assert_eq!(v.groups.len(), 5);
        let t = w.finish_peaks();
        assert_eq!(t.requests, 2 * 3 * 24 * 60);
        assert_eq!(t.groups().len(), KEY_CAP);
        assert_eq!(t.other, 3 * 24 * 60 - KEY_CAP as u64);
        assert_eq!(t.peak_requests.map(|p| p.1), Some(2));
    }

    #[test]
    fn a_late_record_lands_in_its_minute_or_only_in_the_totals() {
        let mut w = Window::new(1, 1);
        w.add(50, true, None);
        w.add(49, true, Some(&w3c(404, 0, 2)));
        assert_eq!(w.view().requests_before, 1);
        w.add(40, true, None);
        assert_eq!(w.totals().late, 1);
        assert_eq!(w.totals().requests, 3);
        assert_eq!(w.held(), 2);
    }

    #[test]
    fn the_peak_minute_is_kept_after_its_slot_is_dropped() {
        let mut w = Window::new(1, 1);
        for _ in 0..9 {
            w.add(5, true, Some(&w3c(500, 0, 0)));
        }
        for minute in 6..20 {
            w.add(minute, true, None);
        }
        let t = w.finish_peaks();
        assert_eq!(t.peak_requests, Some((5, 9)));
        assert_eq!(t.peak_failures, Some((5, 9)));
    }
}
