//! What `iisdiag watch` says about a group of its window: the knowledge base's title, likely
//! cause and checks for a W3C or trace triple, or for an HTTP.sys reason.

use crate::kb::{self, Kb};
use crate::summary::window::Key;

/// The knowledge base's words on one group.
#[derive(Debug, Clone, PartialEq)]
pub struct Said {
    pub title: String,
    pub cause: String,
    pub checks: Vec<String>,
    /// Normal traffic rather than a fault (a handshake leg, a client that went away).
    pub benign: bool,
}

/// Explains a group; never blank (an unknown code gets its status class and the fallback).
pub fn say(kb: &Kb, key: &Key) -> Said {
    match key {
        Key::W3c(triple) | Key::Trace(triple) => {
            let advice = super::advise(kb, triple, None, &[]);
            Said {
                title: advice.title,
                cause: advice.cause,
                checks: advice.hints,
                benign: advice.benign,
            }
        }
        Key::HttpSys { reason, .. } => match kb.reason(reason) {
            Some(e) => Said {
                title: e.title.clone(),
                cause: e.cause.clone(),
                checks: e.checks.clone(),
                benign: e.benign,
            },
            None => {
                let fallback = kb.fallback();
                Said {
                    title: kb::fill(&fallback.unknown_reason_title, &[("reason", reason)]),
                    cause: fallback.unknown_reason_cause.clone(),
                    checks: fallback.unknown_reason_checks.clone(),
                    benign: false,
                }
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::triple::Triple;

    #[test]
    fn a_triple_and_a_reason_are_explained() {
        let kb = Kb::builtin();
        let said = say(kb, &Key::W3c(Triple::new(502, Some(3), Some(12002))));
        assert!(said.title.contains("proxy timed out"), "{}", said.title);
        assert!(!said.checks.is_empty());
        let said = say(
            kb,
            &Key::HttpSys {
                status: Some(503),
                reason: "AppOffline".into(),
                queue: "OrdersPool".into(),
            },
        );
        assert!(!said.benign);
        assert!(!said.cause.is_empty());
        let unknown = say(
            kb,
            &Key::HttpSys {
                status: None,
                reason: "NoSuchReason".into(),
                queue: "-".into(),
            },
        );
        assert!(unknown.title.contains("NoSuchReason"), "{}", unknown.title);
    }
}
