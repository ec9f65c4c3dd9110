//! The explanation: summaries and the knowledge base in, one typed `Report` out. It decides
//! what to say (each group's explanation, its evidence, timing signatures, correlations,
//! the timeline, the `--fail-on` verdict); the writers in `report` only lay it out.
//!
//! Times stay typed (`Millis`) and are formatted by the writers; JSON writes them as RFC 3339
//! through serde. The JSON keys are a contract that scripts rely on: add to them, never rename
//! or drop.

pub mod advice;
pub mod ancm;
pub mod bundle;
pub mod code;
pub mod configured;
pub mod correlate;
pub mod diff;
pub mod events;
pub mod httperr;
pub mod limits;
pub mod lint;
pub mod php;
pub mod pools;
pub mod scope;
pub mod settings;
pub mod sites;
pub mod stdout;
pub mod tiers;
pub mod timeline;
pub mod timing;
pub mod trace;
pub mod verdict;
pub mod watch;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::filter::FailOn;
use crate::kb::{Kb, Specificity};
use crate::output::redact::Counts;
use crate::summary::config::ConfigSummary;
use crate::summary::pages::{PageGroup, PageSummary};
use crate::summary::traces::{self, TraceGroup, TraceSummary};
use crate::summary::w3c::{By, Group};
use crate::summary::{Collected, FileOutcome};
use crate::time::{self, Millis, Zone};
use crate::triple::Triple;

pub use advice::{Advice, RuleNote, Win32Detail, advise};
pub use correlate::Correlation;
pub use httperr::HttpErrReport;

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
    /// What the Windows event logs said (`null` when none were read).
    pub events: Option<events::EventsReport>,
    /// What the PHP error logs held (`null` when none were read).
    pub php: Option<php::PhpReport>,
    /// The sites the configuration files and site lists name, by id (empty when none).
    pub sites: Vec<sites::SiteName>,
    /// What the configuration files and site lists held (`null` when none were read).
    pub config: Option<sites::ConfigReport>,
    /// What the ASP.NET Core Module stdout logs held (`null` when none were read).
    pub stdout: Option<stdout::StdoutReport>,
    /// The support bundle the input is shaped like: its layout, the evidence it held and
    /// lacked, its files that are not evidence (`null` when no layout is recognised).
    pub bundle: Option<bundle::BundleReport>,
    /// What the ASP.NET Core Module debug logs held (`null` when none were read).
    pub ancm_debug: Option<ancm::AncmReport>,
    /// The front ends' failures paired with what the servers behind them logged (left out
    /// unless the run holds proxy codes and the logs of a tier behind).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tiers: Option<tiers::TiersReport>,
    /// What `--fail-on` and `--strict` found, one sentence each: the run ends with exit code
    /// 1 when it is not empty. Said on standard error, not part of the JSON.
    #[serde(skip)]
    pub verdict: Vec<String>,
    /// With `--redact`: how many values of each kind were replaced by pseudonyms (the key
    /// is absent without it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redacted: Option<Counts>,
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
    /// Conditions that fail the run (`--fail-on`).
    pub fail_on: Vec<FailOn>,
    /// Skipped files and malformed lines fail the run (`--strict`).
    pub strict: bool,
    /// What `--redact` replaced, for the report to say.
    pub redacted: Option<Counts>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Totals {
    /// Requests read (lines with a status).
    pub requests: u64,
    /// Requests grouped: the failures, every request with `--all`, the matching ones with a
    /// status filter.
    pub failures: u64,
    /// Grouped requests that failed (status 400 or more, or a non-zero win32): with `--all`
    /// the successes are grouped too, and are not failures.
    pub failed: u64,
    pub files_read: usize,
    pub files_skipped: usize,
    pub malformed_lines: u64,
    #[serde(serialize_with = "time::rfc3339::opt")]
    pub first_seen: Option<Millis>,
    #[serde(serialize_with = "time::rfc3339::opt")]
    pub last_seen: Option<Millis>,
    /// Files left unread because the date in their name is outside `--since`/`--until`.
    pub files_out_of_range: u64,
    /// Failures (in `failures`) whose code came after the first
    /// [`GROUP_CAP`](crate::summary::w3c::GROUP_CAP) distinct codes: in no group. Absent when 0.
    #[serde(skip_serializing_if = "is_zero")]
    pub other_codes: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
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
    #[serde(serialize_with = "time::rfc3339::opt")]
    pub first_seen: Option<Millis>,
    #[serde(serialize_with = "time::rfc3339::opt")]
    pub last_seen: Option<Millis>,
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
    /// IIS detailed error pages with the same status.substatus (and win32 when known).
    pub pages: Vec<PageEvidence>,
    /// The module the explanation was chosen for (from the trace evidence, else the
    /// pages'), if any.
    pub module: Option<String>,
    /// `w3c` for log lines, `freb` for groups made from traces alone, `errorpage` for
    /// groups made from detailed error pages alone.
    pub source: &'static str,
    /// The group's second level with `--by`, else `null`.
    pub breakdown: Option<Breakdown>,
    /// The Windows events that explain the group, the explaining one first, else `null`.
    pub events: Option<events::Chain>,
    /// PHP fatal errors logged while the group's 500s happened (500 groups only).
    pub php: Vec<php::PhpEvidence>,
    /// The names the configuration gives the group's sites, by folder (`W3SVC2`).
    pub site_names: BTreeMap<String, String>,
    /// The ASP.NET Core stdout output (a stdout log, or an ANCM 1018 event's capture) of the
    /// processes behind a 500.30-500.38, 502.5 or 500.0 group, latest first.
    pub stdout: Vec<stdout::StdoutEvidence>,
    /// Why a 500.30-500.38 or 502.5 group has no stdout output, else `null`.
    pub stdout_missing: Option<String>,
    /// ASP.NET Core Module debug log sessions of the same server and time (500.30-500.38,
    /// 502.5, and 500.0 set by the AspNetCoreModule).
    pub ancm_debug: Vec<ancm::AncmEvidence>,
    /// The configuration values in force for the group (limits, pool settings): configured
    /// with file and line, or IIS's default.
    pub settings: Vec<settings::Setting>,
    /// The application pools of the group's URLs (or its traces), from the run's
    /// configuration.
    pub pools: Vec<pools::PoolFacts>,
    /// The configuration lint's findings that cause the group's error (500.19 by HRESULT,
    /// 500.21, 500.34/500.35, a missing stdout folder for the ANCM start failures), from the
    /// configuration that can be this run's.
    pub config_findings: Vec<crate::input::config::lint::Finding>,
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
            pages: Vec::new(),
            module: None,
            source,
            breakdown: None,
            events: None,
            php: Vec::new(),
            site_names: BTreeMap::new(),
            stdout: Vec::new(),
            stdout_missing: None,
            ancm_debug: Vec::new(),
            settings: Vec::new(),
            pools: Vec::new(),
            config_findings: Vec::new(),
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
    /// The application pools and worker process ids of the traces.
    pub pools: Vec<String>,
    pub pids: Vec<u32>,
    pub files: Vec<String>,
    /// `3 traces: error set by ApplicationRequestRouting in EXECUTE_REQUEST_HANDLER, ...`
    pub text: String,
}

/// What the detailed error pages of a group say.
#[derive(Debug, Clone, Serialize)]
pub struct PageEvidence {
    pub pages: u64,
    pub module: Option<String>,
    pub notification: Option<String>,
    pub handler: Option<String>,
    /// The HRESULT, as `0x8007000d`.
    pub error_code: Option<String>,
    pub config_file: Option<String>,
    /// The failing config source line, as `12: <rewrite>`.
    pub config_line: Option<String>,
    pub urls: Vec<String>,
    pub files: Vec<String>,
    /// `2 detailed error pages: IIS Web Core in BeginRequest, 0x8007000d (ERROR_INVALID_DATA),
    /// config file ... line 12: <rewrite>`
    pub text: String,
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

/// Builds the report of a scan.
pub fn build(collected: &Collected, kb: &Kb, opts: &BuildOptions) -> Report {
    let w3c = &collected.w3c;
    let config = sites::for_the_run(&collected.config, &collected.files);
    let mut groups: Vec<GroupReport> = w3c
        .groups()
        .into_iter()
        .map(|(triple, group)| group_report(kb, triple, group, w3c.requests, collected, &config))
        .collect();
    if w3c.requests == 0 {
        // Traces or pages but no W3C lines: the traces alone make the groups, and the pages
        // that back up none of them make groups of their own.
        groups = collected
            .traces
            .groups()
            .into_iter()
            .map(|g| trace_group_report(kb, g, collected.traces.traces, &collected.pages))
            .collect();
        let backs_a_trace = |p: &PageGroup| {
            collected.traces.groups().iter().any(|t| {
                collected
                    .pages
                    .evidence_for(t.status, t.substatus, t.win32)
                    .iter()
                    .any(|e| std::ptr::eq(*e, p))
            })
        };
        groups.extend(
            collected
                .pages
                .groups()
                .into_iter()
                .filter(|p| !backs_a_trace(p))
                .map(|p| page_group_report(kb, p, collected.pages.pages)),
        );
    }
    let files_read = collected.files.iter().filter(|f| f.error.is_none()).count();
    let mut report = Report {
        totals: Totals {
            requests: w3c.requests,
            failures: w3c.failures,
            failed: w3c
                .groups()
                .iter()
                .filter(|(t, _)| t.is_failure())
                .map(|(_, g)| g.count)
                .sum(),
            files_read,
            files_skipped: collected.files.len() - files_read,
            malformed_lines: collected
                .files
                .iter()
                .fold(0, |sum, f| sum.saturating_add(f.malformed)),
            first_seen: w3c.first,
            last_seen: w3c.last,
            files_out_of_range: collected.files_out_of_range,
            other_codes: w3c.other_codes,
        },
        httperr: httperr::reports(kb, &collected.httperr),
        correlations: correlate::correlate(kb, &collected.httperr, w3c, opts.zone),
        traces: collected.traces.groups().into_iter().cloned().collect(),
        files: collected.files.clone(),
        time_zone: "UTC",
        filters: opts.filters.clone(),
        timeline: opts
            .timeline
            .and_then(|bucket| timeline::build(collected, &groups, kb, bucket, opts)),
        groups,
        events: None,
        php: php::report(&collected.php, opts.zone),
        sites: sites::names(&collected.config),
        config: None,
        stdout: stdout::report(&collected.stdout, opts.zone),
        bundle: bundle::report(collected),
        ancm_debug: ancm::report(&collected.ancm, kb, opts.zone),
        tiers: tiers::report(collected.tiers.as_ref()),
        verdict: Vec::new(),
        redacted: opts.redacted,
    };
    report.config = sites::report(&collected.config, &report.sites);
    sites::name_groups(&mut report, &collected.config, &collected.files);
    lint::join(&mut report.groups, &config);
    lint::count(&mut report, &collected.config);
    join_events(&mut report, collected, kb, opts.zone);
    pools::join(&mut report, &config, &collected.files);
    join_php(&mut report, collected, opts.zone);
    join_stdout(&mut report, collected, opts.zone);
    join_ancm(&mut report, collected, kb, opts.zone);
    tiers::join(&mut report.groups, report.tiers.as_ref());
    report.verdict = verdict::verdict(&report, &opts.fail_on, opts.strict);
    report
}

/// Reads the event logs' story and lines it up with the failure groups: each 5xx group and
/// each HTTP.sys fault group gets the chain of events that explains it.
fn join_events(report: &mut Report, collected: &Collected, kb: &Kb, zone: Zone) {
    if collected.events.is_empty() {
        return;
    }
    let mut ev = events::EventsReport::build(kb, &collected.events, zone);
    ev.requests_read = collected.w3c.requests > 0
        || !collected.httperr.is_empty()
        || collected.traces.traces > 0
        || collected.pages.pages > 0;
    // App Service's request logs name instances (`18e609`), its event log names machines
    // (`RD0003FF618A5F`): no name of one can be matched against the other.
    let instances = collected
        .bundles
        .found
        .iter()
        .any(|f| !f.instances.is_empty());
    for g in report
        .groups
        .iter_mut()
        .filter(|g| !g.benign && g.status >= 500)
    {
        let target = events::Target {
            code: &g.code,
            first: g.first_seen,
            last: g.last_seen,
            servers: if instances { &[] } else { &g.servers },
            pool: None,
            pools: g
                .evidence
                .iter()
                .flat_map(|e| e.pools.iter().map(String::as_str))
                .collect(),
            pids: g
                .evidence
                .iter()
                .flat_map(|e| e.pids.iter().copied())
                .collect(),
            urls: g.top_urls.iter().map(|u| u.url.as_str()).collect(),
        };
        g.events = ev.join(&target);
    }
    for g in report.httperr.iter_mut().filter(|g| !g.benign) {
        let code = format!("{} on {}", g.code, g.queue);
        let target = events::Target {
            code: &code,
            first: g.first_seen,
            last: g.last_seen,
            servers: &[],
            pool: (g.queue != "-").then_some(g.queue.as_str()),
            pools: Vec::new(),
            pids: Vec::new(),
            urls: g.top_urls.iter().map(|u| u.url.as_str()).collect(),
        };
        g.events = ev.join(&target);
    }
    report.events = Some(ev);
}

/// Gives each 500 group the PHP fatal errors logged while it happened.
fn join_php(report: &mut Report, collected: &Collected, zone: Zone) {
    if collected.php.is_empty() {
        return;
    }
    for g in report.groups.iter_mut().filter(|g| g.status == 500) {
        g.php = php::join(&collected.php, g.first_seen, g.last_seen, zone);
    }
}

/// Gives each 500.30 / 502.5 / 500.0 group the stdout output of its processes, or says why
/// there is none.
fn join_stdout(report: &mut Report, collected: &Collected, zone: Zone) {
    let events = collected.events.kept();
    let runs = report.events.as_ref().map_or(&[][..], |ev| &ev.runs[..]);
    let setting = stdout::setting_of(&collected.config);
    for g in report.groups.iter_mut().filter(|g| stdout::explains(g)) {
        let mut pids: Vec<u32> = g.evidence.iter().flat_map(|e| e.pids.clone()).collect();
        if let Some(chain) = &g.events {
            pids.extend(
                chain
                    .runs
                    .iter()
                    .filter_map(|&i| runs.get(i))
                    .flat_map(|r| r.pids.clone()),
            );
        }
        let target = stdout::Target {
            first: g.first_seen,
            last: g.last_seen,
            servers: &g.servers,
            pids,
        };
        g.stdout = stdout::join(&collected.stdout, events, &target, zone);
        if stdout::wants_missing(g) {
            let failures = stdout::create_failures(events, &target);
            g.stdout_missing = Some(stdout::missing_text(&failures, setting.as_ref()));
        }
    }
}
/// Gives each ASP.NET Core Module failure group the debug log sessions that fit it.
fn join_ancm(report: &mut Report, collected: &Collected, kb: &Kb, zone: Zone) {
    if collected.ancm.is_empty() {
        return;
    }
    for g in report.groups.iter_mut().filter(|g| {
        let module = g
            .module
            .as_deref()
            .or_else(|| g.evidence.iter().find_map(|e| e.module.as_deref()));
        ancm::applies(g.status, g.substatus, module)
    }) {
        let target = ancm::Target {
            first: g.first_seen,
            last: g.last_seen,
            servers: &g.servers,
            pids: g
                .evidence
                .iter()
                .flat_map(|e| e.pids.iter().copied())
                .collect(),
        };
        g.ancm_debug = ancm::join(&collected.ancm, kb, &target, zone);
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

/// The evidence of the detailed error pages for a triple, and the module most of them name.
fn page_evidence(
    kb: &Kb,
    summary: &PageSummary,
    triple: &Triple,
) -> (Vec<PageEvidence>, Option<String>) {
    let groups = summary.evidence_for(triple.status, triple.substatus, triple.win32);
    let module = groups
        .iter()
        .filter(|g| g.module.is_some())
        .max_by_key(|g| g.count)
        .and_then(|g| g.module.clone());
    let evidence = groups
        .into_iter()
        .map(|g| to_page_evidence(kb, g))
        .collect();
    (evidence, module)
}

fn to_page_evidence(kb: &Kb, g: &PageGroup) -> PageEvidence {
    let error_code = g.error_code.map(|c| format!("0x{c:08x}"));
    let config_line = g
        .config_line
        .as_ref()
        .map(|l| format!("{}: {}", l.number, l.text));
    let mut parts: Vec<String> = Vec::new();
    match (&g.module, &g.notification) {
        (Some(module), Some(stage)) => parts.push(format!("{module} in {stage}")),
        (Some(module), None) => parts.push(module.clone()),
        (None, Some(stage)) => parts.push(format!("in {stage}")),
        (None, None) => {}
    }
    // 0 is no error: a 500.0 page of ASP.NET says it and the name adds nothing.
    if let (Some(code @ 1..), Some(hex)) = (g.error_code, &error_code) {
        match kb.win32(u64::from(code)) {
            Some(w) => parts.push(format!("{hex} ({})", w.name)),
            None => parts.push(hex.clone()),
        }
    }
    match (&g.config_file, &config_line) {
        (Some(file), Some(line)) => parts.push(format!("config file {file} line {line}")),
        (Some(file), None) => parts.push(format!("config file {file}")),
        (None, Some(line)) => parts.push(format!("config line {line}")),
        (None, None) => {}
    }
    let noun = if g.count == 1 {
        "detailed error page"
    } else {
        "detailed error pages"
    };
    let text = if parts.is_empty() {
        format!("{} {noun}", g.count)
    } else {
        format!("{} {noun}: {}", g.count, parts.join(", "))
    };
    PageEvidence {
        pages: g.count,
        module: g.module.clone(),
        notification: g.notification.clone(),
        handler: g.handler.clone(),
        error_code,
        config_file: g.config_file.clone(),
        config_line,
        urls: g.urls.clone(),
        files: g.files.clone(),
        text,
    }
}

/// A group made from detailed error pages alone (no W3C lines, no trace it backs up).
fn page_group_report(kb: &Kb, g: &PageGroup, total: u64) -> GroupReport {
    let triple = Triple::new(g.status, g.substatus, g.win32);
    let advice = advise(kb, &triple, g.module.as_deref(), &[]);
    GroupReport {
        pages: vec![to_page_evidence(kb, g)],
        module: g.module.clone(),
        ..GroupReport::explained(
            &triple,
            g.count,
            percent(g.count, total),
            advice,
            "errorpage",
        )
    }
}

fn trace_group_report(kb: &Kb, g: &TraceGroup, total: u64, pages: &PageSummary) -> GroupReport {
    let triple = Triple::new(g.status, g.substatus, g.win32);
    let (pages, page_module) = page_evidence(kb, pages, &triple);
    let module = g.module.clone().or(page_module);
    let mut advice = advise(kb, &triple, module.as_deref(), &[]);
    if g.module.is_none() && !triple.is_failure() {
        advice::traced_success(kb, g.status, g.slow_module.as_deref(), &mut advice);
    }
    GroupReport {
        first_seen: g.first_start,
        last_seen: g.last_start,
        evidence: vec![to_evidence(g)],
        pages,
        module,
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
        pools: g.pools.clone(),
        pids: g.pids.clone(),
        files: g.files.clone(),
        text: traces::describe(g),
    }
}

fn group_report(
    kb: &Kb,
    triple: &Triple,
    group: &Group,
    requests: u64,
    collected: &Collected,
    config: &ConfigSummary,
) -> GroupReport {
    let top = group.top_urls(TOP_URLS);
    let urls: Vec<&str> = top.iter().map(|(u, _)| *u).collect();
    let (evidence, trace_module) = evidence(&collected.traces, triple);
    let (pages, page_module) = page_evidence(kb, &collected.pages, triple);
    // The traces name the module that set the error; the pages speak when they do not.
    let module = trace_module.or(page_module);
    let advice = advise(kb, triple, module.as_deref(), &urls);
    let time_taken_ms = match (
        group.time_taken_quantile(0.5),
        group.time_taken_quantile(0.95),
        group.time_taken_max,
    ) {
        (Some(p50), Some(p95), Some(max)) => Some(TimeTaken { p50, p95, max }),
        _ => None,
    };
    let sites: Vec<String> = group.sites.iter().cloned().collect();
    let target = scope::Target::new(config, &sites, &urls);
    let timing = timing::detect(
        kb,
        triple,
        module.as_deref(),
        &group.time_taken_buckets(),
        config,
        &target,
    );
    let settings = limits::settings(config, &target, triple, module.as_deref(), Some(group));
    let share = percent(group.count, requests);
    GroupReport {
        first_seen: group.first,
        last_seen: group.last,
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
        sites,
        timing,
        evidence,
        pages,
        module,
        breakdown: breakdown(group, collected.w3c.by()),
        settings,
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
