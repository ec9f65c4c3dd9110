//! HTTP.sys error log groups explained: requests refused or dropped before IIS saw them.

use serde::Serialize;

use crate::kb::{self, Kb};
use crate::summary::httperr::{HttpErrGroup, HttpErrSummary};
use crate::time::{self, Millis};

use super::{TOP_URLS, UrlCount};

/// One HTTP.sys group: status, reason and queue (application pool).
#[derive(Debug, Clone, Serialize)]
pub struct HttpErrReport {
    /// `503.AppOffline`, `-.Timer_ConnectionIdle`.
    pub code: String,
    pub status: Option<u16>,
    pub reason: String,
    /// The application pool (`s-queuename`), or `-`.
    pub queue: String,
    pub count: u64,
    pub title: String,
    pub cause: String,
    pub hints: Vec<String>,
    /// Housekeeping or client-side noise, ranked below faults.
    pub benign: bool,
    pub references: Vec<String>,
    #[serde(serialize_with = "time::rfc3339::opt")]
    pub first_seen: Option<Millis>,
    #[serde(serialize_with = "time::rfc3339::opt")]
    pub last_seen: Option<Millis>,
    pub top_urls: Vec<UrlCount>,
    /// The Windows events that explain the group, the explaining one first, else `null`.
    pub events: Option<super::events::Chain>,
    /// The configuration values in force for the group's pool: configured with file and
    /// line, or IIS's default.
    pub settings: Vec<super::settings::Setting>,
    /// The queue's application pool in the run's configuration, else `null`.
    pub pool: Option<super::pools::PoolFacts>,
}

/// Every HTTP.sys group, faults first, then benign noise; each by count.
pub fn reports(kb: &Kb, summary: &HttpErrSummary) -> Vec<HttpErrReport> {
    let mut out: Vec<HttpErrReport> = summary
        .groups()
        .into_iter()
        .map(|g| report(kb, g))
        .collect();
    // groups() is sorted by count; the sort is stable.
    out.sort_by_key(|r| r.benign);
    out
}

/// Whether the knowledge base calls an HTTP.sys reason housekeeping or client noise.
pub fn is_benign(kb: &Kb, reason: &str) -> bool {
    kb.reason(reason).is_some_and(|e| e.benign)
}

fn report(kb: &Kb, g: &HttpErrGroup) -> HttpErrReport {
    let key = &g.key;
    let (title, cause, hints, benign, references) = match kb.reason(&key.reason) {
        Some(e) => (
            e.title.clone(),
            e.cause.clone(),
            e.checks.clone(),
            e.benign,
            e.refs
                .iter()
                .map(|r| kb.source_url(r).to_string())
                .collect(),
        ),
        None => {
            let fallback = kb.fallback();
            (
                kb::fill(&fallback.unknown_reason_title, &[("reason", &key.reason)]),
                fallback.unknown_reason_cause.clone(),
                fallback.unknown_reason_checks.clone(),
                false,
                fallback
                    .unknown_reason_refs
                    .iter()
                    .map(|r| kb.source_url(r).to_string())
                    .collect(),
            )
        }
    };
    HttpErrReport {
        code: key.code(),
        status: key.status,
        reason: key.reason.clone(),
        queue: key.queue.clone(),
        count: g.count,
        title,
        cause,
        hints,
        benign,
        references,
        first_seen: g.first_seen,
        last_seen: g.last_seen,
        top_urls: g
            .top_urls(TOP_URLS)
            .into_iter()
            .map(|(url, count)| UrlCount {
                url: url.to_string(),
                count,
            })
            .collect(),
        events: None,
        settings: Vec::new(),
        pool: None,
    }
}
