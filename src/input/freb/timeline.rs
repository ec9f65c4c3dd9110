//! The timeline of events: each finished event's offset from the first, the longest pause
//! between two events (with the module in force while it passed), and, on request, one short
//! entry per event for the timeline view.

use super::MAX_KEPT_EVENTS;
use super::text::{SystemTime, parse_system_time, push_capped};
use super::trace::{Event, SlowStep};
use super::walk::State;

impl State {
    /// Folds one finished `<Event>` into the trace.
    pub(super) fn finish_event(&mut self) {
        let index = self.trace.event_count;
        self.trace.event_count = index.saturating_add(1);
        let name = self.scratch.name().to_string();
        let time = match parse_system_time(&self.scratch.time) {
            SystemTime::At(t) => Some(t),
            SystemTime::None => None,
            SystemTime::OutOfRange => {
                if self.trace.time_note.is_none() {
                    let mut shown = String::new();
                    push_capped(&mut shown, self.scratch.time.trim(), 40);
                    self.trace.time_note = Some(format!(
                        "event {} has the time `{shown}`, outside the years {} to {}: event times outside them are left out",
                        index + 1,
                        crate::time::FIRST_YEAR,
                        crate::time::LAST_YEAR
                    ));
                }
                None
            }
        };

        if self.trace.start.is_none() {
            self.trace.start = time;
        }
        let offset = match (time, self.trace.start) {
            (Some(t), Some(start)) => t.saturating_sub(start),
            _ => self.last_offset,
        };
        if let (Some(before), Some(now)) = (self.last_time, time) {
            let gap = u64::try_from(now.saturating_sub(before)).unwrap_or(0);
            let longer = self
                .trace
                .slowest_step
                .as_ref()
                .is_none_or(|slow| gap > slow.gap_ms);
            if gap > 0 && longer {
                self.trace.slowest_step = Some(SlowStep {
                    gap_ms: gap,
                    at_ms: self.last_offset,
                    before: self.last_name.clone(),
                    after: name.clone(),
                    after_index: index,
                    module: self.module.clone(),
                    notification: self.notification.clone(),
                });
            }
        }
        if time.is_some() {
            self.last_time = time;
        }
        self.last_offset = offset;

        if self.trace.computer.is_empty() {
            push_capped(&mut self.trace.computer, self.scratch.computer.trim(), 256);
        }

        self.apply(&name, index, offset);

        if self.keep_events {
            if self.trace.events.len() < MAX_KEPT_EVENTS {
                let skip: &[&str] = if name.starts_with("NOTIFY_MODULE_") {
                    &[
                        "ModuleName",
                        "Notification",
                        "fIsPostNotification",
                        "fIsPostNotificationEvent",
                    ]
                } else {
                    &[]
                };
                self.trace.events.push(Event {
                    offset_ms: offset,
                    name: name.clone(),
                    level: self.scratch.level.trim().parse().unwrap_or(0),
                    module: self.module.clone(),
                    notification: self.notification.clone(),
                    data: self.scratch.summary(skip),
                });
            } else {
                self.trace.events_dropped = self.trace.events_dropped.saturating_add(1);
            }
        }
        self.last_name = name;
    }
}
