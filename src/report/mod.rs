//! The report: what a scan found, explained, as plain data; and its writers (table, JSON).
//!
//! `build` turns summaries and the knowledge base into a `Report`; writers only format it.
//! The JSON keys are a contract that scripts rely on: add to them, never rename or drop.

pub mod csv_summary;
pub mod freb_timeline;
pub mod html;
pub mod json;
pub mod kb_export;
pub mod markdown;
pub mod paint;
pub mod table;
#[cfg(test)]
mod testing;
pub mod timeline;
pub mod timing;

use serde::Serialize;

use crate::kb::{self, Kb, Specificity};
use crate::pipeline::{Collected, FileOutcome};
use crate::summary::httperr::{HttpErrGroup, HttpErrSummary};
use crate::summary::traces::{self, TraceGroup, TraceSummary};
use crate::summary::w3c::{By, Group, W3cSummary};
use crate::time::{self, Zone};
use crate::triple::Triple;

/// How many URL stems a group lists.
pub const TOP_URLS: usize = 5;

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub totals: Totals,
    pub groups: Vec<GroupReport>,
    /// HTTP.sys error log groups: requests refused before IIS saw them.
    pub httperr: Vec<HttpErrReport>,
    /// Where HTTP.sys refusals line up in time with what the W3C logs show.
    pub correlations: Vec<Correlation>,
    /// Failed Request Tracing traces grouped by status, substatus, win32 and the module that
    /// set the error.
    pub traces: Vec<TraceGroup>,
    pub files: Vec<FileOutcome>,
    /// Log times are UTC (W3C and HTTPERR logs are written in UTC).
    pub time_zone: &'static str,
    /// The filters the requests were chosen by, as words (`status 5xx`, `since 2h`).
    pub filters: Vec<String>,
    /// Failures per time bucket for the top groups (with `--timeline`), else `null`.
    pub timeline: Option<timeline::Timeline>,
}

/// What shapes a report beyond the data: settled from the command line.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// The zone of times inside sentences (the time fields stay UTC).
    pub zone: Zone,
    /// `Some` for a timeline: its bucket in minutes, or `None` to choose from the span.
    pub timeline: Option<Option<i64>>,
    pub filters: Vec<String>,
    /// How many groups the timeline draws (at most [`timeline::MAX_SERIES`]).
    pub top: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Totals {
    /// Requests read (lines with a status).
    pub requests: u64,
    /// Failed requests (every request with `--all`).
    pub failures: u64,
    pub files_read: usize,
    pub files_skipped: usize,
    pub malformed_lines: u64,
    pub first_seen: Option<String>,
    pub last_seen: Option<String>,
    /// Files left unread because the date in their name is outside `--since`/`--until`.
    pub files_out_of_range: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct GroupReport {
    /// `502.3.12002`, with `-` for parts the log lacks.
    pub code: String,
    pub status: u16,
    pub substatus: Option<u32>,
    pub win32: Option<u64>,
    pub count: u64,
    /// Share of all requests read, in percent.
    pub share: f64,
    pub title: String,
    pub cause: String,
    /// Ordered checks.
    pub hints: Vec<String>,
    /// Normal traffic (handshake legs, client disconnects), ranked below faults.
    pub benign: bool,
    /// How much of the triple the explanation matched: `triple`, `substatus`, `status`, or
    /// null when the knowledge base has no entry.
    pub matched: Option<Specificity>,
    /// The win32 value on its own.
    pub win32_detail: Option<Win32Detail>,
    pub references: Vec<String>,
    pub first_seen: Option<String>,
    pub last_seen: Option<String>,
    pub top_urls: Vec<UrlCount>,
    /// Requests whose URL stems were past the per-group cap and are not listed.
    pub other_urls: u64,
    pub time_taken_ms: Option<TimeTaken>,
    pub servers: Vec<String>,
    pub sites: Vec<String>,
    /// Site-specific notes from a `--rules` file whose URL pattern matches this group.
    pub rules: Vec<RuleNote>,
    /// Most of the group's time-taken at one value: a timeout expired.
    pub timing: Option<timing::Signature>,
    /// FREB traces with the same status.substatus (and win32 when known).
    pub evidence: Vec<Evidence>,
    /// The module the explanation was chosen for (from the trace evidence), if any.
    pub module: Option<String>,
    /// `w3c` for log lines, `freb` for groups made from traces alone.
    pub source: &'static str,
    /// The group's second level with `--by`, else `null`.
    pub breakdown: Option<Breakdown>,
}

impl GroupReport {
    /// `30.0 s / 30.1 s` (time-taken p50 / p95), or `-` when the log has no time-taken.
    pub fn times_text(&self) -> String {
        self.time_taken_ms.map_or_else(
            || "-".to_string(),
            |t| format!("{} / {}", human_ms(t.p50), human_ms(t.p95)),
        )
    }

    /// The top URL as `show` writes it, with its count when other URLs share the group;
    /// `-` when the group has none.
    pub fn top_url_text(&self, show: impl Fn(&str) -> String) -> String {
        self.top_urls.first().map_or_else(
            || "-".to_string(),
            |u| {
                if u.count == self.count {
                    show(&u.url)
                } else {
                    format!("{} ({})", show(&u.url), u.count)
                }
            },
        )
    }
}

/// How many breakdown entries a group lists.
pub const BREAKDOWN_TOP: usize = 10;

/// A group broken down by a second key (`--by`).
#[derive(Debug, Clone, Serialize)]
pub struct Breakdown {
    /// `url`, `server`, `site`, `client`, `hour` or `user-agent`.
    pub by: &'static str,
    /// The largest entries, largest first.
    pub entries: Vec<BreakdownEntry>,
    /// Distinct keys counted one by one.
    pub distinct: usize,
    /// Requests whose key came after the per-group cap and are counted together.
    pub other: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct BreakdownEntry {
    /// The URL, server, site, client address, user agent, or the hour's start (RFC 3339, UTC).
    pub key: String,
    pub count: u64,
    pub p95_ms: Option<u64>,
}

impl GroupReport {
    /// A group with its code, count and explanation; what only log lines or only traces know
    /// (URLs, times, servers, timing, evidence) is filled in by the caller.
    fn explained(
        triple: &Triple,
        count: u64,
        share: f64,
        advice: Advice,
        source: &'static str,
    ) -> GroupReport {
        GroupReport {
            code: triple.to_string(),
            status: triple.status,
            substatus: triple.substatus,
            win32: triple.win32,
            count,
            share,
            title: advice.title,
            cause: advice.cause,
            hints: advice.hints,
            benign: advice.benign,
            matched: advice.matched,
            win32_detail: advice.win32,
            references: advice.references,
            first_seen: None,
            last_seen: None,
            top_urls: Vec::new(),
            other_urls: 0,
            time_taken_ms: None,
            servers: Vec::new(),
            sites: Vec::new(),
            rules: advice.rules,
            timing: None,
            evidence: Vec::new(),
            module: None,
            source,
            breakdown: None,
        }
    }
}

/// What the traces of a group say.
#[derive(Debug, Clone, Serialize)]
pub struct Evidence {
    pub traces: u64,
    pub module: Option<String>,
    pub notification: Option<String>,
    pub win32: Option<u64>,
    pub backends: Vec<String>,
    pub files: Vec<String>,
    /// `3 traces: error set by ApplicationRequestRouting in EXECUTE_REQUEST_HANDLER, ...`
    pub text: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Win32Detail {
    pub code: u64,
    pub name: String,
    pub kind: String,
    pub meaning: String,
    pub iis: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct UrlCount {
    pub url: String,
    pub count: u64,
}

#[derive(Debug, Clone, Copy, Serialize)]
pub struct TimeTaken {
    pub p50: u64,
    pub p95: u64,
    pub max: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct RuleNote {
    pub title: String,
    pub cause: String,
    pub hints: Vec<String>,
}

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
    pub first_seen: Option<String>,
    pub last_seen: Option<String>,
    pub top_urls: Vec<UrlCount>,
}

/// An HTTP.sys group seen against the W3C traffic of the same minutes.
#[derive(Debug, Clone, Serialize)]
pub struct Correlation {
    /// The HTTP.sys group (`503.AppOffline`) and its queue.
    pub httperr: String,
    pub queue: String,
    pub from: String,
    pub to: String,
    /// `w3c_quiet`, `w3c_failures` or `w3c_normal`.
    pub kind: &'static str,
    pub text: String,
}

/// What the knowledge base says about a triple, ready to print.
#[derive(Debug, Clone)]
pub struct Advice {
    pub title: String,
    pub cause: String,
    pub hints: Vec<String>,
    pub benign: bool,
    pub matched: Option<Specificity>,
    pub win32: Option<Win32Detail>,
    pub references: Vec<String>,
    pub rules: Vec<RuleNote>,
}

/// Explains a triple from the knowledge base. Never blank: an unknown code still gets the
/// meaning of its status class and of its win32 value.
pub fn advise(kb: &Kb, triple: &Triple, module: Option<&str>, urls: &[&str]) -> Advice {
    let ex = kb.explain(triple, module, urls);
    let win32 = ex.win32.map(|w| Win32Detail {
        code: triple.win32.unwrap_or(w.code),
        name: w.name.clone(),
        kind: w.kind.clone(),
        meaning: w.meaning.clone(),
        iis: w.iis.clone(),
    });
    let mut references = Vec::new();
    let mut push_refs = |refs: &[String]| {
        for r in refs {
            let url = kb.source_url(r).to_string();
            if !references.contains(&url) {
                references.push(url);
            }
        }
    };
    let (title, cause, hints, benign) = match ex.entry {
        Some(e) => {
            push_refs(&e.refs);
            (e.title.clone(), e.cause.clone(), e.checks.clone(), e.benign)
        }
        None => {
            let title = kb::status_class_title(triple.status);
            let cause = match &win32 {
                Some(w) => format!(
                    "iisdiag has no entry for this status code. Its win32 value is {} ({}): {}",
                    w.name, w.code, w.meaning
                ),
                None => "iisdiag has no entry for this status code; the module or application that set it is the place to look.".to_string(),
            };
            let hints = vec![
                "Enable Failed Request Tracing for this status code and read which module set it (iisdiag freb).".to_string(),
            ];
            (title, cause, hints, false)
        }
    };
    if let Some(w) = ex.win32 {
        push_refs(&w.refs);
    }
    let rules = ex
        .rules
        .iter()
        .map(|r| {
            push_refs(&r.refs);
            RuleNote {
                title: r.title.clone(),
                cause: r.cause.clone(),
                hints: r.checks.clone(),
            }
        })
        .collect();
    Advice {
        title,
        cause,
        hints,
        benign,
        matched: ex.specificity,
        win32,
        references,
        rules,
    }
}

/// Builds the report of a scan.
pub fn build(collected: &Collected, kb: &Kb, opts: &BuildOptions) -> Report {
    let w3c = &collected.w3c;
    let mut groups: Vec<GroupReport> = w3c
        .groups()
        .into_iter()
        .map(|(triple, group)| {
            group_report(kb, triple, group, w3c.requests, &collected.traces, w3c.by())
        })
        .collect();
    if w3c.requests == 0 {
        // Traces but no W3C lines: the traces alone make the groups.
        groups = collected
            .traces
            .groups()
            .into_iter()
            .map(|g| trace_group_report(kb, g, collected.traces.traces))
            .collect();
    }
    let files_read = collected.files.iter().filter(|f| f.error.is_none()).count();
    Report {
        totals: Totals {
            requests: w3c.requests,
            failures: w3c.failures,
            files_read,
            files_skipped: collected.files.len() - files_read,
            malformed_lines: collected.files.iter().map(|f| f.malformed).sum(),
            first_seen: w3c.first.map(time::format_rfc3339),
            last_seen: w3c.last.map(time::format_rfc3339),
            files_out_of_range: collected.files_out_of_range,
        },
        httperr: httperr_reports(kb, &collected.httperr),
        correlations: correlate(kb, &collected.httperr, w3c, opts.zone),
        traces: collected.traces.groups().into_iter().cloned().collect(),
        files: collected.files.clone(),
        time_zone: "UTC",
        filters: opts.filters.clone(),
        timeline: opts
            .timeline
            .and_then(|bucket| timeline::build(collected, &groups, kb, bucket, opts)),
        groups,
    }
}

/// The evidence of the traces for a triple, and the module most of them name.
fn evidence(summary: &TraceSummary, triple: &Triple) -> (Vec<Evidence>, Option<String>) {
    let groups = summary.evidence_for(triple.status, triple.substatus, triple.win32);
    let module = groups
        .iter()
        .filter(|g| g.module.is_some())
        .max_by_key(|g| g.count)
        .and_then(|g| g.module.clone());
    let evidence = groups.into_iter().map(to_evidence).collect();
    (evidence, module)
}

fn trace_group_report(kb: &Kb, g: &TraceGroup, total: u64) -> GroupReport {
    let triple = Triple::new(g.status, g.substatus, g.win32);
    let mut advice = advise(kb, &triple, g.module.as_deref(), &[]);
    if g.module.is_none() && !triple.is_failure() {
        // A trace of a request that succeeded: a time-taken (or status-range) rule caught it.
        advice.title = format!(
            "HTTP {}, traced by a Failed Request Tracing rule (a slow request, or a rule that matches successes)",
            g.status
        );
        advice.cause = match &g.slow_module {
            Some(m) => format!(
                "No module set an error; the request was slow. Most of its time went in {m} (the slowest step of the trace)."
            ),
            None => "No module set an error; the request matched the tracing rule by time taken or by its status range.".to_string(),
        };
        advice.hints = vec![
            "Open the trace with `iisdiag freb FILE` and read the slowest step: the module and pipeline notification where the time went.".to_string(),
            "Compare time-taken with the rule's timeTaken threshold (failureDefinitions in the tracing rule) to tell slow requests from rules that also catch successes.".to_string(),
            "If the trace was cut short (LOG_FILE_MAX_SIZE_TRUNCATE), its slowest step covers only the part written: raise maxLogFileSizeKB on the tracing rule and trace again.".to_string(),
        ];
        advice.benign = false;
        advice.matched = None;
    }
    GroupReport {
        first_seen: g.first_start.map(time::format_rfc3339),
        last_seen: g.last_start.map(time::format_rfc3339),
        evidence: vec![to_evidence(g)],
        module: g.module.clone(),
        ..GroupReport::explained(&triple, g.count, percent(g.count, total), advice, "freb")
    }
}

fn to_evidence(g: &TraceGroup) -> Evidence {
    Evidence {
        traces: g.count,
        module: g.module.clone(),
        notification: g.notification.clone(),
        win32: g.win32,
        backends: g.backends.clone(),
        files: g.files.clone(),
        text: traces::describe(g),
    }
}

fn group_report(
    kb: &Kb,
    triple: &Triple,
    group: &Group,
    requests: u64,
    trace_summary: &TraceSummary,
    w3c_by: Option<By>,
) -> GroupReport {
    let top = group.top_urls(TOP_URLS);
    let urls: Vec<&str> = top.iter().map(|(u, _)| *u).collect();
    let (evidence, module) = evidence(trace_summary, triple);
    let advice = advise(kb, triple, module.as_deref(), &urls);
    let time_taken_ms = match (
        group.time_taken_quantile(0.5),
        group.time_taken_quantile(0.95),
        group.time_taken_max,
    ) {
        (Some(p50), Some(p95), Some(max)) => Some(TimeTaken { p50, p95, max }),
        _ => None,
    };
    let timing = timing::detect(
        kb,
        triple,
        module.as_deref(),
        &group.time_taken_buckets(),
        group.time_taken_max,
    );
    let share = percent(group.count, requests);
    GroupReport {
        first_seen: group.first.map(time::format_rfc3339),
        last_seen: group.last.map(time::format_rfc3339),
        top_urls: top
            .into_iter()
            .map(|(url, count)| UrlCount {
                url: url.to_string(),
                count,
            })
            .collect(),
        other_urls: group.other_urls,
        time_taken_ms,
        servers: group.servers.iter().cloned().collect(),
        sites: group.sites.iter().cloned().collect(),
        timing,
        evidence,
        module,
        breakdown: breakdown(group, w3c_by),
        ..GroupReport::explained(triple, group.count, share, advice, "w3c")
    }
}

fn breakdown(group: &Group, by: Option<By>) -> Option<Breakdown> {
    let by = by?;
    Some(Breakdown {
        by: by.name(),
        entries: group
            .top_entries(BREAKDOWN_TOP)
            .into_iter()
            .map(|(key, e)| BreakdownEntry {
                key: key.to_string(),
                count: e.count,
                p95_ms: e.time_taken_quantile(0.95),
            })
            .collect(),
        distinct: group.distinct_entries(),
        other: group.breakdown_other,
    })
}

/// `part` as a percentage of `whole`, rounded to two decimals.
pub fn percent(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        return 0.0;
    }
    (part as f64 * 10_000.0 / whole as f64).round() / 100.0
}

/// A duration in milliseconds as people read it: `15 ms`, `1.2 s`, `30.0 s`, `2.0 min`.
pub fn human_ms(ms: u64) -> String {
    if ms < 1_000 {
        format!("{ms} ms")
    } else if ms < 120_000 {
        format!("{:.1} s", ms as f64 / 1000.0)
    } else {
        format!("{:.1} min", ms as f64 / 60_000.0)
    }
}

/// A timestamp for tables: `2026-11-18 10:42:03`.
pub fn short_time(t: Option<&str>) -> String {
    t.map(|s| s.replace('T', " ").trim_end_matches('Z').to_string())
        .unwrap_or_else(|| "-".into())
}

fn httperr_reports(kb: &Kb, summary: &HttpErrSummary) -> Vec<HttpErrReport> {
    let mut out: Vec<HttpErrReport> = summary
        .groups()
        .into_iter()
        .map(|g| httperr_report(kb, g))
        .collect();
    // Faults first, then benign noise; each by count (groups() is sorted by count).
    out.sort_by_key(|r| r.benign);
    out
}

/// Whether the knowledge base calls an HTTP.sys reason housekeeping or client noise.
fn httperr_is_benign(kb: &Kb, reason: &str) -> bool {
    kb.reason(reason).is_some_and(|e| e.benign)
}

fn httperr_report(kb: &Kb, g: &HttpErrGroup) -> HttpErrReport {
    let key = &g.key;
    let entry = kb.reason(&key.reason);
    let (title, cause, hints, benign, references) = match entry {
        Some(e) => (
            e.title.clone(),
            e.cause.clone(),
            e.checks.clone(),
            e.benign,
            e.refs.iter().map(|r| kb.source_url(r).to_string()).collect(),
        ),
        None => (
            format!("HTTP.sys reason `{}`", key.reason),
            "iisdiag has no entry for this HTTP.sys reason phrase; HTTP.sys refused or dropped the request before IIS saw it.".to_string(),
            vec!["Look the phrase up in the HTTP.sys error logging documentation and check the HTTP.sys registry limits.".to_string()],
            false,
            vec![kb.source_url("httperr").to_string()],
        ),
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
        first_seen: g.first_seen.map(time::format_rfc3339),
        last_seen: g.last_seen.map(time::format_rfc3339),
        top_urls: g
            .top_urls(TOP_URLS)
            .into_iter()
            .map(|(url, count)| UrlCount {
                url: url.to_string(),
                count,
            })
            .collect(),
    }
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
        let benign = kb.reason(&g.key.reason).is_some_and(|e| e.benign);
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
        let during: u64 = minutes.range(lo..=hi).map(|(_, c)| c.requests).sum();
        let failures: u64 = minutes.range(lo..=hi).map(|(_, c)| c.failures).sum();
        let width = (hi - lo + 1) as f64;
        // The usual rate: the W3C minutes within an hour either side of the burst.
        let count = |from: i64, to: i64| -> (u64, i64) {
            if from > to {
                return (0, 0);
            }
            (
                minutes.range(from..=to).map(|(_, c)| c.requests).sum(),
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
            from: g.first_seen.map(time::format_rfc3339).unwrap_or_default(),
            to: g.last_seen.map(time::format_rfc3339).unwrap_or_default(),
            kind,
            text,
        });
    }
    out
}
