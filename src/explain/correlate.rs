//! HTTP.sys refusals seen against the W3C traffic of the same minutes: did the W3C logs go
//! quiet (the pool never saw those requests), show failures, or carry on normally?

use serde::Serialize;

use crate::kb::Kb;
use crate::summary::httperr::HttpErrSummary;
use crate::summary::w3c::W3cSummary;
use crate::time::{self, Millis, Zone};

use super::httperr::is_benign;

/// An HTTP.sys group seen against the W3C traffic of the same minutes.
#[derive(Debug, Clone, Serialize)]
pub struct Correlation {
    /// The HTTP.sys group (`503.AppOffline`) and its queue.
    pub httperr: String,
    pub queue: String,
    #[serde(serialize_with = "time::rfc3339::or_empty")]
    pub from: Option<Millis>,
    #[serde(serialize_with = "time::rfc3339::or_empty")]
    pub to: Option<Millis>,
    /// `w3c_quiet`, `w3c_failures` or `w3c_normal`.
    pub kind: &'static str,
    pub text: String,
}

/// How many minutes either side of a burst give the W3C traffic's usual rate.
const AROUND_MINUTES: i64 = 60;

/// Lines up each HTTP.sys fault group with the W3C traffic of the same minutes: did the
/// W3C log go quiet (the pool never saw those requests), show failures, or carry on?
pub fn correlate(
    kb: &Kb,
    httperr: &HttpErrSummary,
    w3c: &W3cSummary,
    zone: Zone,
) -> Vec<Correlation> {
    let minutes = w3c.minutes();
    let (Some(w3c_first), Some(w3c_last)) = (minutes.first(), minutes.last()) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for g in httperr.groups() {
        let benign = is_benign(kb, &g.key.reason);
        if benign || g.count < 3 {
            continue;
        }
        let (Some(&lo), Some(&hi)) = (g.minutes().keys().next(), g.minutes().keys().next_back())
        else {
            continue;
        };
        if hi < w3c_first || lo > w3c_last {
            continue;
        }
        // Saturating: the counts of a merged summary file are whatever it says.
        let during: u64 = minutes
            .range(lo..=hi)
            .fold(0, |sum, (_, c)| sum.saturating_add(c.requests));
        let failures: u64 = minutes
            .range(lo..=hi)
            .fold(0, |sum, (_, c)| sum.saturating_add(c.failures));
        let width = (hi - lo + 1) as f64;
        // The usual rate: the W3C minutes within an hour either side of the burst.
        let count = |from: i64, to: i64| -> (u64, i64) {
            if from > to {
                return (0, 0);
            }
            (
                minutes
                    .range(from..=to)
                    .fold(0, |sum, (_, c)| sum.saturating_add(c.requests)),
                to - from + 1,
            )
        };
        let (before, before_minutes) =
            count((lo - AROUND_MINUTES).max(w3c_first), (lo - 1).min(w3c_last));
        let (after, after_minutes) =
            count((hi + 1).max(w3c_first), (hi + AROUND_MINUTES).min(w3c_last));
        let around_minutes = before_minutes + after_minutes;
        let usual = if around_minutes > 0 {
            (before + after) as f64 / around_minutes as f64
        } else {
            0.0
        };
        let rate = during as f64 / width;
        let span = format!(
            "{} to {} {}",
            g.first_seen.map_or_else(|| "-".into(), |t| zone.short(t)),
            g.last_seen.map_or_else(|| "-".into(), |t| zone.short(t)),
            zone.label(g.first_seen)
        );
        let pool = if g.key.queue == "-" {
            String::new()
        } else {
            format!(" for {}", g.key.queue)
        };
        let head = format!(
            "HTTP.sys logged {} x {}{pool} from {span}",
            g.count,
            g.key.code()
        );
        let (kind, text) = if usual >= 1.0 && rate < 0.25 * usual {
            (
                "w3c_quiet",
                format!(
                    "{head}; the W3C logs went quiet then ({during} request(s) in {} minute(s), against a usual {:.0} a minute): those requests never reached IIS.",
                    hi - lo + 1,
                    usual
                ),
            )
        } else if failures > 0 {
            (
                "w3c_failures",
                format!(
                    "{head}; in the same minutes the W3C logs show {failures} failed request(s) of {during}."
                ),
            )
        } else {
            (
                "w3c_normal",
                format!(
                    "{head}; the W3C logs carried on normally ({during} requests, no failures): the refusals hit another pool or site than the ones logged."
                ),
            )
        };
        out.push(Correlation {
            httperr: g.key.code(),
            queue: g.key.queue.clone(),
            from: g.first_seen,
            to: g.last_seen,
            kind,
            text,
        });
    }
    out
}
