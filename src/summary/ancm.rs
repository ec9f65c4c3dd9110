//! The ASP.NET Core Module debug logs of a run: each process's session as read, with the
//! file it came from and the server its folder names. Sessions are few (one per worker
//! process start), so they are kept whole; merging is order-independent: the lists are
//! joined and sorted, and past [`SESSIONS_CAP`] the rest are counted.

use serde::{Deserialize, Serialize};

use crate::input::ancm::AncmSession;
use crate::time::Millis;

/// Most sessions kept in a run.
pub const SESSIONS_CAP: usize = 500;

/// One session and where it was read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionAt {
    pub file: String,
    /// The server folder the file lay under, if its path names one.
    pub server: Option<String>,
    pub session: AncmSession,
}

impl SessionAt {
    fn key(&self) -> (Option<Millis>, &str, Option<u32>, u64) {
        (
            self.session.first,
            &self.file,
            self.session.pid,
            self.session.entries,
        )
    }
}

/// Everything the debug logs of a run held.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AncmSummary {
    pub sessions: Vec<SessionAt>,
    /// Sessions past [`SESSIONS_CAP`].
    pub other: u64,
}

impl AncmSummary {
    pub fn is_empty(&self) -> bool {
        self.sessions.is_empty() && self.other == 0
    }

    pub fn add(&mut self, file: &str, server: Option<&str>, session: AncmSession) {
        self.sessions.push(SessionAt {
            file: file.to_string(),
            server: server.map(str::to_string),
            session,
        });
        self.settle();
    }

    /// Adds what another part of the run read.
    pub fn merge(&mut self, other: AncmSummary) {
        self.sessions.extend(other.sessions);
        self.other = self.other.saturating_add(other.other);
        self.settle();
    }

    fn settle(&mut self) {
        self.sessions.sort_by(|a, b| a.key().cmp(&b.key()));
        if self.sessions.len() > SESSIONS_CAP {
            let extra = self.sessions.len() - SESSIONS_CAP;
            self.other = self.other.saturating_add(extra as u64);
            self.sessions.truncate(SESSIONS_CAP);
        }
    }

    /// The newest time a session logged.
    pub fn last(&self) -> Option<Millis> {
        self.sessions.iter().filter_map(|s| s.session.last).max()
    }

    /// What a summary file keeps.
    pub fn save(&self) -> AncmSummary {
        self.clone()
    }

    /// Back from a summary file, in order and within the cap (a file may be edited).
    pub fn restore(saved: AncmSummary) -> AncmSummary {
        let mut out = saved;
        out.settle();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(pid: u32, first: Option<Millis>) -> AncmSession {
        AncmSession {
            pid: Some(pid),
            first,
            last: first,
            entries: 3,
            ..AncmSession::default()
        }
    }

    #[test]
    fn merge_is_order_independent() {
        let mut a = AncmSummary::default();
        a.add("a.log", None, session(1, Some(5)));
        a.add("b.log", Some("web01"), session(2, None));
        let (mut b, mut c) = (AncmSummary::default(), AncmSummary::default());
        b.add("b.log", Some("web01"), session(2, None));
        c.add("a.log", None, session(1, Some(5)));
        c.merge(b);
        assert_eq!(a, c);
        assert_eq!(a.sessions[0].session.pid, Some(2));
        assert_eq!(a.last(), Some(5));
        assert_eq!(AncmSummary::restore(a.save()), a);
    }

    #[test]
    fn past_the_cap_sessions_are_counted() {
        let mut a = AncmSummary::default();
        for pid in 0..(SESSIONS_CAP as u32 + 3) {
            a.add("x.log", None, session(pid, Some(i64::from(pid))));
        }
        assert_eq!((a.sessions.len(), a.other), (SESSIONS_CAP, 3));
    }
}
