//! Application pools by name and nature: which pool an HTTP.sys group's queue is and which
//! pools serve a failure group's URLs, what kind of worker process each runs (runtime,
//! pipeline, bitness, identity) and which sites use it; and the pool settings behind a
//! refusal or a WAS event (queue length, rapid-fail protection, ping, shutdown and recycle
//! times), each as the pool sets it, as `applicationPoolDefaults` sets it, or IIS's default.
//!
//! Only a configuration that can be this run's speaks here: the caller passes the
//! configuration [`for_the_run`](super::sites::for_the_run), and a group's sites are
//! looked up only where [`name_in_scope`](super::sites::name_in_scope) gives them a name.
//!
//! IIS's defaults, from the configuration reference: `applicationPools/add`
//! (<https://learn.microsoft.com/en-us/iis/configuration/system.applicationhost/applicationpools/add/>),
//! its `processModel`
//! (<https://learn.microsoft.com/en-us/iis/configuration/system.applicationhost/applicationpools/add/processmodel>),
//! `failure`
//! (<https://learn.microsoft.com/en-us/iis/configuration/system.applicationhost/applicationpools/add/failure>)
//! and `recycling/periodicRestart`
//! (<https://learn.microsoft.com/en-us/iis/configuration/system.applicationhost/applicationpools/add/recycling/>).

use serde::Serialize;

use crate::input::config::{Application, Pool};
use crate::summary::collected::FileOutcome;
use crate::summary::config::{ConfigSummary, Sourced};

use super::configured::timespan;
use super::events::{Chain, EventRun};
use super::settings::Setting;
use super::sites::{self, SITES_LISTED};
use super::{GroupReport, HttpErrReport, Report};

/// `managedRuntimeVersion` when neither the pool nor the defaults set it.
const DEFAULT_RUNTIME: &str = "v4.0";
const DEFAULT_PIPELINE: &str = "Integrated";
const DEFAULT_IDENTITY: &str = "ApplicationPoolIdentity";

/// A pool's nature, as the failure reports show it next to a group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PoolFacts {
    pub name: String,
    /// `v4.0`, `v2.0`, or empty for No Managed Code.
    pub runtime: String,
    /// `Integrated` or `Classic`.
    pub pipeline_mode: String,
    /// `32-bit` (`enable32BitAppOnWin64`) or `64-bit`.
    pub bitness: &'static str,
    pub identity_type: String,
    /// The sites with an application in the pool: `Shop (W3SVC1)`.
    pub sites: Vec<String>,
    /// The configuration file and the line of the pool's `<add>`.
    pub file: String,
    pub line: u64,
}

impl PoolFacts {
    /// `Shop (.NET v4.0, Integrated, 32-bit, NetworkService), serves Shop (W3SVC1)`.
    pub fn describe(&self) -> String {
        let runtime = if self.runtime.is_empty() {
            "No Managed Code".to_string()
        } else {
            format!(".NET {}", self.runtime)
        };
        let serves = if self.sites.is_empty() {
            String::new()
        } else {
            format!(", serves {}", self.sites.join(", "))
        };
        format!(
            "{} ({runtime}, {}, {}, {}){serves}",
            self.name, self.pipeline_mode, self.bitness, self.identity_type
        )
    }
}

/// The element of a pool a setting is an attribute of.
#[derive(Debug, Clone, Copy)]
enum On {
    Add,
    ProcessModel,
    Failure,
    PeriodicRestart,
}

/// The line of that element, else of the pool's `<add>`.
fn line_on(pool: &Pool, on: On) -> u64 {
    let line = match on {
        On::Add => None,
        On::ProcessModel => pool.process_model_line,
        On::Failure => pool.failure_line,
        On::PeriodicRestart => pool.periodic_restart_line,
    };
    line.unwrap_or(pool.line)
}

/// A pool of the configuration and the `applicationPoolDefaults` of its file, which fill in
/// what the pool leaves out.
struct Resolved<'c> {
    pool: &'c Sourced<Pool>,
    defaults: Option<&'c Pool>,
}

impl<'c> Resolved<'c> {
    /// The value the pool sets, else its file's defaults, with the element that sets it and
    /// whether that is the defaults'.
    fn value<T>(&self, get: impl Fn(&Pool) -> Option<T>) -> Option<(T, &'c Pool, bool)> {
        let own = get(&self.pool.item).map(|v| (v, &self.pool.item, false));
        own.or_else(|| {
            let d = self.defaults?;
            get(d).map(|v| (v, d, true))
        })
    }

    fn text(&self, get: impl Fn(&Pool) -> Option<String>, default: &str) -> String {
        self.value(get)
            .map_or_else(|| default.to_string(), |(v, _, _)| v)
    }

    /// The setting as the pool, its defaults or IIS sets it; `default` is IIS's value, or
    /// `None` where the setting is named only when a file sets it.
    fn setting<T>(
        &self,
        (name, on): (&str, On),
        get: impl Fn(&Pool) -> Option<T>,
        show: impl Fn(T) -> String,
        default: Option<&str>,
    ) -> Option<Setting> {
        let pool = &self.pool.item.name;
        Some(match self.value(get) {
            Some((v, from, inherited)) => {
                let line = line_on(from, on);
                let scope = if inherited {
                    format!("pool '{pool}', from applicationPoolDefaults")
                } else {
                    format!("pool '{pool}'")
                };
                Setting::configured(name, show(v), &self.pool.file, line).with_scope(Some(scope))
            }
            None => Setting::default(name, default?.to_string())
                .with_scope(Some(format!("pool '{pool}'"))),
        })
    }

    fn facts(&self, config: &ConfigSummary) -> PoolFacts {
        let item = &self.pool.item;
        let bits = self.value(|p| p.enable_32bit).is_some_and(|(on, _, _)| on);
        PoolFacts {
            name: item.name.clone(),
            runtime: self.text(|p| p.runtime.clone(), DEFAULT_RUNTIME),
            pipeline_mode: self.text(|p| p.pipeline_mode.clone(), DEFAULT_PIPELINE),
            bitness: if bits { "32-bit" } else { "64-bit" },
            identity_type: self.text(|p| p.identity_type.clone(), DEFAULT_IDENTITY),
            sites: sites_of(config, self.pool),
            file: self.pool.file.clone(),
            line: item.line,
        }
    }

    fn rapid_fail_on(&self) -> bool {
        self.value(|p| p.rapid_fail_protection)
            .is_none_or(|(on, _, _)| on)
    }

    fn max_crashes(&self) -> String {
        self.text(|p| p.rapid_fail_max_crashes.map(|n| n.to_string()), "5")
    }

    fn interval(&self) -> String {
        self.text(|p| p.rapid_fail_interval_s.map(timespan), "00:05:00")
    }
}

/// The pool of this name (HTTP.sys logs it upper-cased or URL-encoded at times), in `file`
/// when one is given.
fn find<'c>(config: &'c ConfigSummary, name: &str, file: Option<&str>) -> Option<Resolved<'c>> {
    let name = decode(name);
    let pool = config
        .pools
        .iter()
        .find(|p| p.item.name.eq_ignore_ascii_case(&name) && file.is_none_or(|f| f == p.file))?;
    let defaults = config
        .pool_defaults
        .iter()
        .find(|d| d.file == pool.file)
        .map(|d| &d.item);
    Some(Resolved { pool, defaults })
}

/// `%XX` escapes decoded; anything else kept as written.
fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (b, hex) {
            (b'%', Some(v)) => {
                out.push(v);
                i += 3;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The sites of the pool's file with an application in the pool.
fn sites_of(config: &ConfigSummary, pool: &Sourced<Pool>) -> Vec<String> {
    let in_pool = |a: &Application| {
        a.pool
            .as_deref()
            .is_some_and(|n| n.eq_ignore_ascii_case(&pool.item.name))
    };
    config
        .sites
        .iter()
        .filter(|s| {
            s.config
                .as_ref()
                .is_some_and(|c| c.file == pool.file && c.item.applications.iter().any(in_pool))
        })
        .filter_map(|s| Some(format!("{} ({})", s.name()?.name, sites::folder(s.id))))
        .take(SITES_LISTED)
        .collect()
}

/// The application a URL is in: the one whose path is the URL's longest prefix, by whole
/// segments, compared case-insensitively as IIS does.
fn application_of<'a>(apps: &'a [Application], url: &str) -> Option<&'a Application> {
    apps.iter()
        .filter(|a| {
            let path = a.path.trim_end_matches('/');
            url.get(..path.len())
                .is_some_and(|p| p.eq_ignore_ascii_case(path))
                && matches!(url.as_bytes().get(path.len()), None | Some(b'/'))
        })
        .max_by_key(|a| a.path.trim_end_matches('/').len())
}

/// The pools that serve a group, with the file that names each (`None`: any file): those its
/// traces name, and those of the applications its URLs fall in on its sites, where the
/// configuration that gives the site speaks for the site's logs.
fn pools_of_group(
    g: &GroupReport,
    config: &ConfigSummary,
    files: &[FileOutcome],
) -> Vec<(String, Option<String>)> {
    let mut out: Vec<(String, Option<String>)> = g
        .evidence
        .iter()
        .flat_map(|e| e.pools.iter().map(|p| (p.clone(), None)))
        .collect();
    let urls: Vec<&str> = if g.top_urls.is_empty() {
        vec!["/"]
    } else {
        g.top_urls.iter().map(|u| u.url.as_str()).collect()
    };
    for folder in &g.sites {
        let Some(facts) = config.site_of_folder(folder) else {
            continue;
        };
        let (Some(_), Some(site)) = (
            sites::name_in_scope(facts, files, folder),
            facts.config.as_ref(),
        ) else {
            continue;
        };
        for url in &urls {
            if let Some(pool) =
                application_of(&site.item.applications, url).and_then(|a| a.pool.clone())
            {
                out.push((pool, Some(site.file.clone())));
            }
        }
    }
    out
}

/// Adds a setting unless the list names it for the same scope already; one with evidence
/// takes the place of the same setting without.
fn push(list: &mut Vec<Setting>, s: Setting) {
    match list
        .iter_mut()
        .find(|have| have.setting == s.setting && have.scope == s.scope)
    {
        Some(have) if have.evidence.is_none() && s.evidence.is_some() => *have = s,
        Some(_) => {}
        None => list.push(s),
    }
}

/// The settings named, each with the element it is an attribute of.
type Name = (&'static str, On);
const QUEUE_LENGTH: Name = ("applicationPools/add@queueLength", On::Add);
const RAPID_FAIL: Name = (
    "applicationPools/add/failure@rapidFailProtection",
    On::Failure,
);
const MAX_CRASHES: Name = (
    "applicationPools/add/failure@rapidFailProtectionMaxCrashes",
    On::Failure,
);
const INTERVAL: Name = (
    "applicationPools/add/failure@rapidFailProtectionInterval",
    On::Failure,
);
const PING_RESPONSE: Name = (
    "applicationPools/add/processModel@pingResponseTime",
    On::ProcessModel,
);
const PING_INTERVAL: Name = (
    "applicationPools/add/processModel@pingInterval",
    On::ProcessModel,
);
const SHUTDOWN: Name = (
    "applicationPools/add/processModel@shutdownTimeLimit",
    On::ProcessModel,
);
const PERIODIC_RESTART: Name = (
    "applicationPools/add/recycling/periodicRestart@time",
    On::PeriodicRestart,
);

/// Rapid-fail protection's three settings; the crash count carries `evidence`.
fn rapid_fail(pool: &Resolved, evidence: Option<String>) -> Vec<Setting> {
    let on = pool.setting(
        RAPID_FAIL,
        |p| p.rapid_fail_protection,
        |v| v.to_string(),
        Some("true"),
    );
    let max = pool
        .setting(
            MAX_CRASHES,
            |p| p.rapid_fail_max_crashes,
            |v| v.to_string(),
            Some("5"),
        )
        .map(|s| s.with_evidence(evidence));
    let interval = pool.setting(
        INTERVAL,
        |p| p.rapid_fail_interval_s,
        timespan,
        Some("00:05:00"),
    );
    [on, max, interval].into_iter().flatten().collect()
}

/// The settings an HTTP.sys reason points at by itself.
fn reason_settings(reason: &str, pool: &Resolved) -> Vec<Setting> {
    match reason {
        "QueueFull" => pool
            .setting(
                QUEUE_LENGTH,
                |p| p.queue_length,
                |v| v.to_string(),
                Some("1000"),
            )
            .into_iter()
            .collect(),
        "AppOffline" => rapid_fail(pool, None),
        _ => Vec::new(),
    }
}

/// `3 WAS 5011 crashes of pool 'Shop' within 3 min 10 s; rapidFailProtectionMaxCrashes is 3
/// in 00:05:00`: the chain's crash events of the pool, counted, and their span.
fn crash_evidence(chain: &Chain, runs: &[EventRun], pool: &Resolved) -> Option<String> {
    let name = &pool.pool.item.name;
    let crashes: Vec<&EventRun> = chain
        .runs
        .iter()
        .filter_map(|&i| runs.get(i))
        .filter(|r| r.provider == "WAS" && matches!(r.id, 5009 | 5011))
        .filter(|r| {
            r.pool
                .as_deref()
                .is_some_and(|p| p.eq_ignore_ascii_case(name))
        })
        .collect();
    let count: u64 = crashes.iter().map(|r| r.count).sum();
    if count == 0 {
        return None;
    }
    let mut ids: Vec<String> = crashes.iter().map(|r| r.id.to_string()).collect();
    ids.sort();
    ids.dedup();
    let first = crashes.iter().filter_map(|r| r.first).min();
    let last = crashes.iter().filter_map(|r| r.last).max();
    let within = match (first, last) {
        (Some(f), Some(l)) if count > 1 => {
            format!(" within {}", span_words(l.saturating_sub(f)))
        }
        _ => String::new(),
    };
    let noun = if count == 1 { "crash" } else { "crashes" };
    Some(format!(
        "{count} WAS {} {noun} of pool '{name}'{within}; rapidFailProtectionMaxCrashes is {} in {}",
        ids.join("/"),
        pool.max_crashes(),
        pool.interval()
    ))
}

/// A span as people say it: `40 s`, `3 min 10 s`, `2 h 5 min`.
fn span_words(ms: i64) -> String {
    let s = ms.max(0) / 1000;
    match (s / 3600, s / 60 % 60, s % 60) {
        (0, 0, s) => format!("{s} s"),
        (0, m, 0) => format!("{m} min"),
        (0, m, s) => format!("{m} min {s} s"),
        (h, 0, _) => format!("{h} h"),
        (h, m, _) => format!("{h} h {m} min"),
    }
}

/// The settings the WAS events of a chain point at, for the pool each event names.
fn chain_settings(chain: &Chain, runs: &[EventRun], config: &ConfigSummary) -> Vec<Setting> {
    let mut out = Vec::new();
    for r in chain.runs.iter().filter_map(|&i| runs.get(i)) {
        let Some(pool) = r
            .pool
            .as_deref()
            .filter(|_| r.provider == "WAS")
            .and_then(|p| find(config, p, None))
        else {
            continue;
        };
        let found: Vec<Setting> = match r.id {
            5002 => rapid_fail(&pool, crash_evidence(chain, runs, &pool)),
            5009 | 5011 if pool.rapid_fail_on() => pool
                .setting(
                    MAX_CRASHES,
                    |p| p.rapid_fail_max_crashes,
                    |v| v.to_string(),
                    Some("5"),
                )
                .map(|s| s.with_evidence(crash_evidence(chain, runs, &pool)))
                .into_iter()
                .collect(),
            5010 => [
                pool.setting(
                    PING_RESPONSE,
                    |p| p.ping_response_time_s,
                    timespan,
                    Some("00:01:30"),
                ),
                pool.setting(PING_INTERVAL, |p| p.ping_interval_s, timespan, None),
            ]
            .into_iter()
            .flatten()
            .collect(),
            5013 => pool
                .setting(
                    SHUTDOWN,
                    |p| p.shutdown_time_limit_s,
                    timespan,
                    Some("00:01:30"),
                )
                .into_iter()
                .collect(),
            5074 => pool
                .setting(
                    PERIODIC_RESTART,
                    |p| p.periodic_restart_s,
                    timespan,
                    Some("1.05:00:00"),
                )
                .into_iter()
                .collect(),
            _ => Vec::new(),
        };
        for s in found {
            push(&mut out, s);
        }
    }
    out
}

/// Gives each HTTP.sys group its queue's pool and the pool settings its reason and events
/// point at, and each failure group the pools of its URLs and the settings its events point
/// at. `config` is the run's (see [`sites::for_the_run`]).
pub fn join(report: &mut Report, config: &ConfigSummary, files: &[FileOutcome]) {
    if config.pools.is_empty() {
        return;
    }
    let runs = report.events.as_ref().map_or(&[][..], |e| &e.runs[..]);
    for g in &mut report.httperr {
        join_httperr(g, config, runs);
    }
    for g in &mut report.groups {
        let mut pools: Vec<PoolFacts> = Vec::new();
        for (name, file) in pools_of_group(g, config, files) {
            let Some(facts) = find(config, &name, file.as_deref()).map(|p| p.facts(config)) else {
                continue;
            };
            if !pools.contains(&facts) {
                pools.push(facts);
            }
        }
        g.pools = pools;
        if let Some(chain) = &g.events {
            for s in chain_settings(chain, runs, config) {
                push(&mut g.settings, s);
            }
        }
    }
}

fn join_httperr(g: &mut HttpErrReport, config: &ConfigSummary, runs: &[EventRun]) {
    let Some(pool) = (g.queue != "-")
        .then(|| find(config, &g.queue, None))
        .flatten()
    else {
        return;
    };
    g.pool = Some(pool.facts(config));
    if g.benign {
        return;
    }
    for s in reason_settings(&g.reason, &pool) {
        push(&mut g.settings, s);
    }
    if let Some(chain) = &g.events {
        for s in chain_settings(chain, runs, config) {
            push(&mut g.settings, s);
        }
    }
}

#[cfg(test)]
mod tests;
