//! Windows events as evidence: what each event read says (the pool, the process, the exit or
//! exception code, the faulting module, the captured output), runs of the same event, the
//! life of each application pool, and the joins to the failure groups: which events, in
//! time, by pool, process and server, explain a group, and which groups no event explains.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;
use serde::Serialize;

use crate::filter::url_stem;
use crate::input::eventlog::Event;
use crate::kb::{EventEntry, Kb};
use crate::summary::events::EventSummary;
use crate::time::{self, Millis, Zone};

/// How long before a group's first failure an event may be the start of its chain: WAS's
/// rapid-fail window is 5 minutes by default, and the crashes come before it.
const LOOKBACK_MS: Millis = 10 * 60_000;
/// How long after a group's last failure an event still counts as the same story (the event
/// log and the request logs are written by different processes).
const LOOKAHEAD_MS: Millis = 60_000;
/// Events of one kind further apart than this start a new run.
const RUN_GAP_MS: Millis = 10 * 60_000;
/// How many process ids a run lists.
const PIDS_SHOWN: usize = 5;
/// How many runs a group's chain lists.
const CHAIN_MAX: usize = 6;

/// The processes that serve IIS requests: a crash of another program is not an IIS failure.
const IIS_PROCESSES: &[&str] = &[
    "w3wp.exe",
    "dotnet.exe",
    "iisexpress.exe",
    "php-cgi.exe",
    "node.exe",
    "python.exe",
    "httpplatformhandler",
];

/// What one event says, in the terms the joins use.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fact {
    #[serde(serialize_with = "time::rfc3339::opt")]
    pub time: Option<Millis>,
    /// The provider as the knowledge base names it (`WAS`), or as the event spells it.
    pub provider: String,
    pub id: u32,
    /// `crash`, `rapid-fail`, `recycle`, ... from the knowledge base, or `unknown`.
    pub role: String,
    /// What the event means (the knowledge base's title), or empty when it is not known.
    pub title: String,
    pub computer: Option<String>,
    pub pool: Option<String>,
    pub pid: Option<u32>,
    /// The program the event is about (`w3wp.exe`).
    pub app: Option<String>,
    /// `MACHINE/WEBROOT/APPHOST/site/app`, or a physical path.
    pub app_path: Option<String>,
    pub module: Option<String>,
    /// The exception or exit code with its name: `0xc0000005 (access violation)`.
    pub code: Option<String>,
    /// The managed exception and its message, or the first failing line of captured output.
    pub exception: Option<String>,
    pub url: Option<String>,
    /// The recycle reason or trigger.
    pub reason: Option<String>,
    /// Whether it concerns a process that serves IIS requests (a crash of another program
    /// is not).
    pub iis: bool,
}

/// Events of one kind, for one pool and server, close together in time.
#[derive(Debug, Clone, Serialize)]
pub struct EventRun {
    pub provider: String,
    pub id: u32,
    pub role: String,
    pub title: String,
    pub count: u64,
    #[serde(serialize_with = "time::rfc3339::opt")]
    pub first: Option<Millis>,
    #[serde(serialize_with = "time::rfc3339::opt")]
    pub last: Option<Millis>,
    pub computer: Option<String>,
    pub pool: Option<String>,
    /// The processes, in the order first seen.
    pub pids: Vec<u32>,
    pub app: Option<String>,
    pub app_path: Option<String>,
    pub module: Option<String>,
    pub code: Option<String>,
    pub exception: Option<String>,
    pub url: Option<String>,
    pub reason: Option<String>,
    pub iis: bool,
    /// `WAS 5011 x5 11:36-11:40: OrdersPool: ...`, times in the report's zone.
    pub text: String,
    /// What to do next (the knowledge base's first check), when known.
    pub next: Option<String>,
    /// The failure groups this run lines up with (`503.AppOffline on OrdersPool`, `500.30.0`).
    pub explains: Vec<String>,
}

/// The events that explain a failure group, the explaining one first.
#[derive(Debug, Clone, Serialize)]
pub struct Chain {
    /// Indexes into [`EventsReport::runs`].
    pub runs: Vec<usize>,
    /// The lines to show, in the same order.
    pub lines: Vec<String>,
    /// What to do next, from the deepest evidence in the chain: the faulting module and the
    /// dump to take for a crash, the exception for a startup failure.
    pub next: Option<String>,
}

/// One step in a pool's life: a start, a recycle, a crash, a hang, a rapid-fail disable.
#[derive(Debug, Clone, Serialize)]
pub struct LifeStep {
    /// The run this step shows, an index into [`EventsReport::runs`].
    pub run: usize,
    #[serde(serialize_with = "time::rfc3339::opt")]
    pub time: Option<Millis>,
    pub role: String,
    pub text: String,
}

/// The life of one application pool (or application, or program) on one server.
#[derive(Debug, Clone, Serialize)]
pub struct PoolLife {
    /// The pool's name, else the application's path, else the program.
    pub subject: String,
    pub computer: Option<String>,
    pub steps: Vec<LifeStep>,
    /// `recycled 4 times, every 29 h 0 min`, when the recycles keep a rhythm.
    pub rhythm: Option<String>,
}

/// How many events of one provider and id were read.
#[derive(Debug, Clone, Serialize)]
pub struct CountRow {
    pub provider: String,
    /// The provider as the knowledge base names it (`WAS` for `Microsoft-Windows-WAS`).
    pub name: String,
    pub id: u32,
    pub count: u64,
    /// The knowledge base's title, or `null` for events it does not describe (counted only).
    pub title: Option<String>,
}

/// Everything the event logs said.
#[derive(Debug, Clone, Serialize)]
pub struct EventsReport {
    /// Events read, of every provider.
    pub total: u64,
    /// Events of the providers that take part in IIS failures kept one by one.
    pub kept: u64,
    /// Events of those providers past the cap: counted, not kept.
    pub dropped: u64,
    #[serde(serialize_with = "time::rfc3339::opt")]
    pub first: Option<Millis>,
    #[serde(serialize_with = "time::rfc3339::opt")]
    pub last: Option<Millis>,
    /// Every provider and id, largest first.
    pub counts: Vec<CountRow>,
    /// Runs of the events of interest, by time.
    pub runs: Vec<EventRun>,
    /// Indexes of the runs that no failure group lines up with.
    pub unlinked: Vec<usize>,
    /// The failure groups no event explains although the event logs cover their time.
    pub unexplained: Vec<String>,
    pub pools: Vec<PoolLife>,
    /// Events of the App Service trap: `.NET Runtime` 1000 is the app's own log output.
    pub app_log: u64,
    /// Crash events of programs that do not serve IIS requests (a desktop's Application log):
    /// counted per program, not joined.
    pub other_programs: Vec<ProgramCount>,
    /// Whether request logs (W3C, HTTP.sys, FREB) were read beside the events: without
    /// them no event can line up with a failure.
    pub requests_read: bool,
    /// The time each server's events cover (by the first label of its name, lower-cased),
    /// for saying a group is unexplained only where events of its server were read.
    #[serde(skip)]
    coverage: BTreeMap<String, (Millis, Millis)>,
}

/// How many crash events one program had.
#[derive(Debug, Clone, Serialize)]
pub struct ProgramCount {
    pub program: String,
    pub count: u64,
}

/// A failure group as the joins see it.
pub struct Target<'a> {
    pub code: &'a str,
    pub first: Option<Millis>,
    pub last: Option<Millis>,
    /// The servers its requests were logged on (empty when the log does not say).
    pub servers: &'a [String],
    /// The application pool (HTTP.sys `s-queuename`).
    pub pool: Option<&'a str>,
    /// The pools and worker processes its FREB traces name (`appPoolId`, `processId`).
    pub pools: Vec<&'a str>,
    pub pids: Vec<u32>,
    /// Its most common URLs.
    pub urls: Vec<&'a str>,
}

impl EventsReport {
    /// Reads every kept event into facts, runs and pool lives.
    pub fn build(kb: &Kb, summary: &EventSummary, zone: Zone) -> EventsReport {
        let mut facts: Vec<Fact> = summary.kept().iter().map(|e| fact(kb, e)).collect();
        attach_pools(&mut facts);
        let mut coverage: BTreeMap<String, (Millis, Millis)> = BTreeMap::new();
        for f in &facts {
            if let (Some(c), Some(t)) = (&f.computer, f.time) {
                let span = coverage.entry(short_host(c)).or_insert((t, t));
                *span = (span.0.min(t), span.1.max(t));
            }
        }
        let app_log = facts
            .iter()
            .filter(|f| f.provider == ".NET Runtime" && f.id == 1000)
            .count() as u64;
        let mut others: BTreeMap<String, u64> = BTreeMap::new();
        for f in facts.iter().filter(|f| !f.iis && f.role == "crash") {
            if let Some(app) = &f.app {
                *others.entry(app.clone()).or_insert(0) += 1;
            }
        }
        let mut other_programs: Vec<ProgramCount> = others
            .into_iter()
            .map(|(program, count)| ProgramCount { program, count })
            .collect();
        other_programs.sort_by_key(|p| std::cmp::Reverse(p.count));
        let runs = runs(kb, &facts, zone);
        let pools = lives(&runs, &facts);
        let counts = summary
            .counts()
            .into_iter()
            .map(|c| CountRow {
                title: kb.event(&c.provider, c.id).map(|e| e.title.clone()),
                name: kb
                    .event(&c.provider, c.id)
                    .map_or_else(|| c.provider.clone(), |e| e.provider.clone()),
                provider: c.provider,
                id: c.id,
                count: c.count,
            })
            .collect();
        EventsReport {
            total: summary.total,
            kept: summary.kept().len() as u64,
            dropped: summary.dropped(),
            first: summary.first,
            last: summary.last,
            counts,
            unlinked: (0..runs.len())
                .filter(|&i| is_of_interest(&runs[i]))
                .collect(),
            runs,
            unexplained: Vec::new(),
            pools,
            app_log,
            other_programs,
            requests_read: false,
            coverage,
        }
    }

    /// The chain of events that explains `target`, or `None`; marks the runs used as linked.
    /// Groups no event explains are remembered, when the event logs cover their time.
    pub fn join(&mut self, target: &Target<'_>) -> Option<Chain> {
        let (Some(first), Some(last)) = (target.first, target.last) else {
            return None;
        };
        let in_window = |r: &EventRun| {
            r.first
                .is_some_and(|f| f <= last.saturating_add(LOOKAHEAD_MS))
                && r.last
                    .is_some_and(|l| l >= first.saturating_sub(LOOKBACK_MS))
        };
        let on_server = |r: &EventRun| match &r.computer {
            Some(c) if !target.servers.is_empty() => target.servers.iter().any(|s| same_host(s, c)),
            _ => true,
        };
        let mut linked: Vec<usize> = Vec::new();
        // Runs that name the pool (or, without a pool to match, any pool).
        for (i, r) in self.runs.iter().enumerate() {
            if !is_of_interest(r) || !in_window(r) {
                continue;
            }
            if !on_server(r) && !r.pids.iter().any(|p| target.pids.contains(p)) {
                continue;
            }
            let pool_ok = match (target.pool, &r.pool) {
                (Some(want), Some(have)) => want.eq_ignore_ascii_case(have),
                (Some(_), None) => false,
                (None, Some(have)) if !target.pools.is_empty() => {
                    target.pools.iter().any(|p| p.eq_ignore_ascii_case(have))
                }
                (None, _) => true,
            };
            // The worker process a trace of the group names is the one the event is about.
            if r.pids.iter().any(|p| target.pids.contains(p)) {
                linked.push(i);
                continue;
            }
            let url_ok = match &r.url {
                Some(url) => target
                    .urls
                    .iter()
                    .any(|u| url_stem(url).eq_ignore_ascii_case(u)),
                None => true,
            };
            if pool_ok && url_ok {
                linked.push(i);
            }
        }
        // Runs without a pool joined through a process of a run that has one.
        if target.pool.is_some() {
            let pids: Vec<u32> = linked
                .iter()
                .flat_map(|&i| self.runs[i].pids.iter().copied())
                .collect();
            for (i, r) in self.runs.iter().enumerate() {
                if r.pool.is_none()
                    && is_of_interest(r)
                    && in_window(r)
                    && r.pids.iter().any(|p| pids.contains(p))
                    && !linked.contains(&i)
                {
                    linked.push(i);
                }
            }
        }
        if linked.is_empty() {
            let overlaps = |(f, l): (Millis, Millis)| f <= last && l >= first;
            let covered = if target.servers.is_empty() {
                self.first.is_some_and(|f| f <= last) && self.last.is_some_and(|l| l >= first)
            } else {
                target
                    .servers
                    .iter()
                    .filter_map(|s| self.coverage.get(&short_host(s)).copied())
                    .any(overlaps)
            };
            if covered && !self.unexplained.iter().any(|c| c == target.code) {
                self.unexplained.push(target.code.to_string());
            }
            return None;
        }
        // The explaining run first (the strongest role), then the rest, latest first.
        linked.sort_by(|&a, &b| {
            let (ra, rb) = (&self.runs[a], &self.runs[b]);
            rank(&ra.role)
                .cmp(&rank(&rb.role))
                .then(rb.last.cmp(&ra.last))
        });
        // Windows Error Reporting's report of a crash says again what Application Error
        // said: left out of the chain when that event is in it.
        // Every run that lined up is accounted for, shown in the chain or not.
        self.unlinked.retain(|i| !linked.contains(i));
        for &i in &linked {
            let explains = &mut self.runs[i].explains;
            if !explains.iter().any(|c| c == target.code) {
                explains.push(target.code.to_string());
            }
        }
        let has_app_error = linked
            .iter()
            .any(|&i| self.runs[i].provider == "Application Error");
        if has_app_error {
            linked.retain(|&i| self.runs[i].provider != "Windows Error Reporting");
        }
        linked.truncate(CHAIN_MAX);
        self.unlinked.retain(|i| !linked.contains(i));
        Some(Chain {
            lines: linked.iter().map(|&i| self.runs[i].text.clone()).collect(),
            next: next_step(linked.iter().map(|&i| &self.runs[i])),
            runs: linked,
        })
    }
}

/// What to do next, from the deepest evidence in a chain: a crash with its module or code,
/// else a start failure with its exception, else the explaining event's first check.
fn next_step<'a>(chain: impl Iterator<Item = &'a EventRun> + Clone) -> Option<String> {
    let crash = chain
        .clone()
        .find(|r| r.role == "crash" && (r.module.is_some() || r.exception.is_some()));
    if let Some(r) = crash {
        let who = r.app.as_deref().unwrap_or("the process");
        let dump = format!(
            "capture a crash dump of the next crash (`procdump -ma -e {who}`, or a DebugDiag crash rule) and read the faulting stack"
        );
        return Some(match (&r.module, &r.exception, &r.code) {
            (Some(m), _, Some(c)) => {
                format!("{who} crashed in {m} with {c}: {dump}; {m} is where to start")
            }
            (Some(m), _, None) => format!("{who} crashed in {m}: {dump}"),
            (None, Some(x), _) => format!(
                "the unhandled exception is {x}: fix it in the application's code, starting from its innermost frames"
            ),
            (None, None, _) => dump,
        });
    }
    if let Some(r) = chain
        .clone()
        .find(|r| r.role == "start-failure" && r.exception.is_some())
    {
        let x = r.exception.as_deref().unwrap_or_default();
        return Some(format!(
            "the application fails at startup with {x}: fix that first (the captured output or the stdout log has the stack), then recycle the pool"
        ));
    }
    let mut chain = chain;
    chain
        .next()
        .and_then(|r| r.next.as_deref())
        .map(|n| n.trim_end_matches('.').to_string())
}

/// The order roles explain a failure in: a disabled pool explains its 503s better than the
/// crashes before it, and a crash better than a recycle.
fn rank(role: &str) -> u8 {
    match role {
        "rapid-fail" => 0,
        "start-failure" => 1,
        "crash" => 2,
        "hang" => 3,
        "module-load" => 4,
        "config" => 5,
        "certificate" | "binding" => 6,
        "shutdown" => 7,
        "recycle" => 8,
        _ => 9,
    }
}

/// Whether a run is worth joining and listing: a known event that is not routine, about a
/// process that serves IIS requests.
fn is_of_interest(r: &EventRun) -> bool {
    // The app's own log lines are routine unless they carry a request URL (ASP.NET 1309:
    // an unhandled exception in a request).
    let routine = match r.role.as_str() {
        "info" | "unknown" => true,
        "app-log" => r.url.is_none(),
        _ => false,
    };
    r.iis && !routine
}

/// Whether two server names are the same host (`WEB01` and `web01.contoso.com`).
fn same_host(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b) || short_host(a) == short_host(b)
}

/// A server name's first label, lower-cased.
fn short_host(s: &str) -> String {
    s.split('.').next().unwrap_or(s).to_ascii_lowercase()
}

/// How close after a crash Windows Error Reporting writes its report of it.
const WER_AFTER_MS: Millis = 30_000;

/// Gives events that name no pool the pool of the process they are about: Application
/// Error names the process id that WAS's events name with their pool; Windows Error
/// Reporting names neither, and follows the crash of the same program on the same server
/// within seconds.
fn attach_pools(facts: &mut [Fact]) {
    let mut by_pid: BTreeMap<(Option<String>, u32), String> = BTreeMap::new();
    for f in facts.iter() {
        if let (Some(pool), Some(pid)) = (&f.pool, f.pid) {
            by_pid
                .entry((f.computer.as_deref().map(short_host), pid))
                .or_insert_with(|| pool.clone());
        }
    }
    for f in facts.iter_mut().filter(|f| f.pool.is_none()) {
        if let Some(pid) = f.pid {
            f.pool = by_pid
                .get(&(f.computer.as_deref().map(short_host), pid))
                .cloned();
        }
    }
    // Facts are in time order: a report follows its crash.
    let crashes: Vec<Fact> = facts
        .iter()
        .filter(|f| f.role == "crash" && f.pid.is_some() && f.pool.is_some())
        .cloned()
        .collect();
    for f in facts
        .iter_mut()
        .filter(|f| f.pool.is_none() && f.pid.is_none() && f.provider == "Windows Error Reporting")
    {
        let Some(t) = f.time else { continue };
        let found = crashes.iter().rev().find(|c| {
            c.time.is_some_and(|ct| ct <= t && t - ct <= WER_AFTER_MS)
                && c.computer == f.computer
                && c.app
                    .as_deref()
                    .zip(f.app.as_deref())
                    .is_some_and(|(a, b)| a.eq_ignore_ascii_case(b))
        });
        if let Some(c) = found {
            f.pool.clone_from(&c.pool);
            f.pid = c.pid;
        }
    }
}

static POOL: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"(?i)application pool '([^']{1,256})'").ok());
static PID: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:process id:?\s*(?:of\s*)?'?|\[PID\s+|pid[:=]\s*)(\d{1,10})").ok()
});
static APP_PATH: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"(?i)(MACHINE/WEBROOT/APPHOST/[^'\s]{1,512})").ok());
static ERROR_CODE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:ErrorCode\s*=\s*'|exit code\s*'|exit code:?\s*|HRESULT:?\s*)(-?0x[0-9a-f]{1,8}|-?\d{1,11})").ok()
});
static APPLICATION: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"(?m)^\s*(?:Application|Aplicativo|Anwendung):\s*(\S{1,260})\s*$").ok()
});
static EXCEPTION: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"\b((?:[A-Za-z_][A-Za-z0-9_]*\.)+[A-Za-z_][A-Za-z0-9_]*(?:Exception|Error))\b(?::\s*([^\r\n]{0,200}))?").ok()
});

fn capture<'a>(re: &LazyLock<Option<Regex>>, text: &'a str) -> Option<&'a str> {
    let re = re.as_ref()?;
    re.captures(text)?.get(1).map(|m| m.as_str())
}

/// The value of `key` in an event, through the knowledge base's `take` for it, else the
/// data item names providers commonly use.
fn take<'e>(entry: Option<&EventEntry>, key: &str, event: &'e Event) -> Option<&'e str> {
    if let Some(v) = entry.and_then(|e| e.take(key, event)) {
        return Some(v);
    }
    let names: &[&str] = match key {
        "pool" => &["AppPoolID", "AppPoolName", "AppPool"],
        "pid" => &["ProcessID", "ProcessId", "PID"],
        "exit" => &["ExitCode"],
        "exception" => &["ExceptionCode"],
        "module" => &["ModuleName", "ModuleDll", "Module"],
        "app" => &["AppName", "Application"],
        "app_path" => &["ApplicationPath", "AppPath", "Path"],
        "url" => &["RequestUrl", "Url"],
        _ => &[],
    };
    names
        .iter()
        .find_map(|n| event.named(n))
        .filter(|v| !v.is_empty() && *v != "-")
}

/// A number as events write it: decimal, `0x` hex, or a negative decimal.
fn number(text: &str) -> Option<i64> {
    let t = text.trim().trim_end_matches('.');
    if let Some(hex) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        return i64::from_str_radix(hex, 16).ok();
    }
    t.parse::<i64>().ok()
}

/// `0xc0000005 (access violation)`: an exception or exit code with its name when the
/// knowledge base has it.
fn code_text(kb: &Kb, raw: &str) -> String {
    let raw = raw.trim().trim_end_matches('.');
    let Some(n) =
        number(raw).or_else(|| i64::from_str_radix(raw, 16).ok().filter(|_| raw.len() == 8))
    else {
        return raw.to_string();
    };
    // Exit codes are 32-bit: -1073741819 is 0xC0000005.
    let value = (n as u64) & 0xFFFF_FFFF;
    let hex = format!("0x{value:08x}");
    match kb.win32(value) {
        Some(e) => format!("{hex} ({})", short_name(&e.name)),
        None if value == 0 => hex,
        None => hex,
    }
}

/// `STATUS_ACCESS_VIOLATION` -> `access violation`.
fn short_name(name: &str) -> String {
    let bare = ["STATUS_", "ERROR_", "E_", "COR_E_"]
        .iter()
        .find_map(|p| name.strip_prefix(p))
        .unwrap_or(name);
    bare.replace('_', " ").to_ascii_lowercase()
}

/// The first line of captured output that says what failed: an unhandled exception, a
/// `crit:` or `fail:` block's message.
fn failing_line(stdout: &str) -> Option<String> {
    let lines: Vec<&str> = stdout
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    for (i, line) in lines.iter().enumerate() {
        if line.starts_with("Unhandled exception.") || line.starts_with("Unhandled Exception:") {
            let rest = line.split_once('.').map_or("", |(_, r)| r).trim();
            let rest = rest.strip_prefix(':').unwrap_or(rest).trim();
            return Some(if rest.is_empty() {
                lines
                    .get(i + 1)
                    .map_or_else(|| (*line).to_string(), |l| (*l).to_string())
            } else {
                rest.to_string()
            });
        }
    }
    for (i, line) in lines.iter().enumerate() {
        if line.starts_with("crit:") || line.starts_with("fail:") {
            let source = line.get(5..).unwrap_or("").trim();
            let message = lines.get(i + 1).copied().unwrap_or("");
            return Some(if message.is_empty() {
                source.to_string()
            } else {
                format!("{source}: {message}")
            });
        }
    }
    None
}

fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut s: String = text.chars().take(max).collect();
    s.push_str("...");
    s
}

/// Reads what an event says, through its knowledge base entry.
pub fn fact(kb: &Kb, e: &Event) -> Fact {
    let entry = kb
        .event(&e.provider, e.id)
        .or_else(|| e.source.as_deref().and_then(|s| kb.event(s, e.id)));
    let message = take(entry, "message", e)
        .map(str::to_string)
        .or_else(|| {
            // A provider that writes one message-style item.
            (e.data.len() <= 3 && e.data.iter().all(|d| d.name.is_none())).then(|| {
                e.data
                    .iter()
                    .map(|d| d.value.as_str())
                    .collect::<Vec<_>>()
                    .join("\n")
            })
        })
        .unwrap_or_default();
    let from_message = |re: &LazyLock<Option<Regex>>| capture(re, &message).map(str::to_string);
    let own = |key: &str| take(entry, key, e).map(str::to_string);
    let pool = own("pool").or_else(|| from_message(&POOL));
    let logged_by_service = entry.is_some_and(|en| {
        matches!(
            en.provider.as_str(),
            "WAS"
                | "W3SVC"
                | "APPHOSTSVC"
                | "Application Error"
                | "Windows Error Reporting"
                | "HttpEvent"
        )
    });
    // Application Error writes its process id in hex, with `0x` (current Windows) or
    // without (older builds: `df4`).
    let hex_pid = entry.is_some_and(|en| en.provider == "Application Error");
    let pid = own("pid")
        .or_else(|| from_message(&PID))
        .and_then(|p| {
            if hex_pid {
                let digits = p.trim().trim_start_matches("0x").trim_start_matches("0X");
                i64::from_str_radix(digits, 16).ok()
            } else {
                number(&p)
            }
        })
        .and_then(|p| u32::try_from(p).ok())
        .or(if logged_by_service {
            None
        } else {
            e.process_id
        })
        .filter(|&p| p != 0);
    let app = own("app").or_else(|| from_message(&APPLICATION));
    let app_path = own("app_path")
        .or_else(|| from_message(&APP_PATH))
        .map(|p| p.trim_end_matches(['.', '\'']).to_string());
    let module = own("module");
    let code = own("exception")
        .or_else(|| own("exit"))
        .or_else(|| own("error"))
        .or_else(|| from_message(&ERROR_CODE))
        .map(|c| code_text(kb, &c));
    let stdout = own("stdout");
    let exception = stdout
        .as_deref()
        .and_then(failing_line)
        .or_else(|| {
            // Most messages name no exception: a plain search rules them out first.
            if !message.contains("Exception") && !message.contains("Error") {
                return None;
            }
            let re = EXCEPTION.as_ref()?;
            let c = re.captures(&message)?;
            let kind = c.get(1)?.as_str();
            Some(
                match c
                    .get(2)
                    .map(|m| m.as_str().trim())
                    .filter(|m| !m.is_empty())
                {
                    Some(m) => format!("{kind}: {m}"),
                    None => kind.to_string(),
                },
            )
        })
        .map(|x| cut(&x, 200));
    let iis = app.as_deref().is_none_or(|a| {
        let file = a
            .rsplit(['\\', '/'])
            .next()
            .unwrap_or(a)
            .to_ascii_lowercase();
        IIS_PROCESSES.iter().any(|p| file == *p) || !file.ends_with(".exe")
    });
    Fact {
        time: e.time,
        provider: entry.map_or_else(
            || e.source.clone().unwrap_or_else(|| e.provider.clone()),
            |en| en.provider.clone(),
        ),
        id: e.id,
        role: entry.map_or_else(|| "unknown".to_string(), |en| en.role.clone()),
        title: entry.map_or_else(String::new, |en| en.title.clone()),
        computer: e.computer.clone(),
        pool,
        pid,
        app: app.map(|a| a.rsplit(['\\', '/']).next().unwrap_or(&a).to_string()),
        app_path,
        module: module.map(|m| m.rsplit(['\\', '/']).next().unwrap_or(&m).to_string()),
        code,
        exception,
        url: own("url"),
        reason: own("reason"),
        iis,
    }
}

/// What the events of one run share: provider, id, and computer, pool, module and code.
type RunKey = (String, u32, [Option<String>; 4]);

fn run_key(f: &Fact) -> RunKey {
    (
        f.provider.clone(),
        f.id,
        [
            f.computer.clone(),
            f.pool.clone(),
            f.module.clone(),
            f.code.clone(),
        ],
    )
}

/// Folds facts (sorted by time) into runs of the same event.
fn runs(kb: &Kb, facts: &[Fact], zone: Zone) -> Vec<EventRun> {
    let mut open: BTreeMap<RunKey, usize> = BTreeMap::new();
    let mut out: Vec<EventRun> = Vec::new();
    for f in facts {
        let key = run_key(f);
        let joined = open
            .get(&key)
            .copied()
            .filter(|&i| match (out[i].last, f.time) {
                (Some(l), Some(t)) => t.saturating_sub(l) <= RUN_GAP_MS,
                _ => true,
            });
        match joined {
            Some(i) => {
                let r = &mut out[i];
                r.count += 1;
                r.last = r.last.max(f.time);
                if r.first.is_none() {
                    r.first = f.time;
                }
                if let Some(p) = f.pid {
                    if !r.pids.contains(&p) {
                        r.pids.push(p);
                    }
                }
                fill(&mut r.exception, &f.exception);
                fill(&mut r.url, &f.url);
                fill(&mut r.app_path, &f.app_path);
                fill(&mut r.reason, &f.reason);
                fill(&mut r.app, &f.app);
            }
            None => {
                open.insert(key, out.len());
                let entry = kb.event(&f.provider, f.id);
                out.push(EventRun {
                    provider: f.provider.clone(),
                    id: f.id,
                    role: f.role.clone(),
                    title: f.title.clone(),
                    count: 1,
                    first: f.time,
                    last: f.time,
                    computer: f.computer.clone(),
                    pool: f.pool.clone(),
                    pids: f.pid.into_iter().collect(),
                    app: f.app.clone(),
                    app_path: f.app_path.clone(),
                    module: f.module.clone(),
                    code: f.code.clone(),
                    exception: f.exception.clone(),
                    url: f.url.clone(),
                    reason: f.reason.clone(),
                    iis: f.iis,
                    text: String::new(),
                    next: entry.and_then(|e| e.checks.first().cloned()),
                    explains: Vec::new(),
                });
            }
        }
    }
    for r in &mut out {
        r.text = run_text(r, zone);
    }
    out
}

fn fill(slot: &mut Option<String>, value: &Option<String>) {
    if slot.is_none() {
        slot.clone_from(value);
    }
}

/// `WAS 5011 x5 11:36-11:40: OrdersPool: a worker process ... (pids 4120, 5232, ...)`.
fn run_text(r: &EventRun, zone: Zone) -> String {
    let mut head = format!("{} {}", r.provider, r.id);
    if r.count > 1 {
        head.push_str(&format!(" x{}", r.count));
    }
    let when = match (r.first, r.last) {
        (Some(f), Some(l)) if r.count > 1 && zone.clock(f) != zone.clock(l) => {
            if time::day_of(f) == time::day_of(l) {
                let start = zone.short(f);
                format!("{}-{}", start.get(..16).unwrap_or(&start), zone.clock(l))
            } else {
                format!("{}..{}", zone.short(f), zone.short(l))
            }
        }
        (Some(f), _) => zone.short(f),
        _ => "(no time)".to_string(),
    };
    let what = describe(r);
    format!("{head} {when}: {what}")
}

/// What a run says, from its evidence first and the knowledge base's title second.
fn describe(r: &EventRun) -> String {
    let title = r.title.trim_end_matches('.').to_string();
    let pids = if r.pids.is_empty() {
        String::new()
    } else {
        let shown: Vec<String> = r.pids.iter().take(PIDS_SHOWN).map(u32::to_string).collect();
        let more = if r.pids.len() > PIDS_SHOWN {
            ", ..."
        } else {
            ""
        };
        let word = if r.pids.len() == 1 { "pid" } else { "pids" };
        format!(" ({word} {}{more})", shown.join(", "))
    };
    let subject = r.pool.as_deref().or(r.app_path.as_deref());
    let mut text = match (r.role.as_str(), &r.app, &r.module, &r.code) {
        ("crash", Some(app), Some(module), Some(code)) => {
            format!("{app} crashed in {module}, {code}{pids}")
        }
        ("crash", Some(app), None, Some(code)) => format!("{app} ended with {code}{pids}"),
        _ => {
            let mut t = match subject {
                Some(s) => format!("{s}: {title}"),
                None => title.clone(),
            };
            if t.is_empty() {
                t = "(an event the knowledge base does not describe)".to_string();
            }
            if let Some(code) = &r.code {
                t.push_str(&format!(", {code}"));
            }
            t.push_str(&pids);
            t
        }
    };
    if let Some(x) = &r.exception {
        text.push_str(&format!("; {x}"));
    }
    if let Some(url) = &r.url {
        text.push_str(&format!("; URL {url}"));
    }
    if let Some(reason) = &r.reason {
        text.push_str(&format!("; reason: {reason}"));
    }
    if !r.iis {
        text.push_str(" (not an IIS process)");
    }
    text
}

/// The roles that make up a pool's life.
const LIFE_ROLES: &[&str] = &[
    "crash",
    "rapid-fail",
    "recycle",
    "start-failure",
    "hang",
    "shutdown",
    "module-load",
];

/// Each pool's (or application's) life on each server: its runs of events in time order,
/// and the rhythm of its recycles.
fn lives(runs: &[EventRun], facts: &[Fact]) -> Vec<PoolLife> {
    let subject = |pool: &Option<String>, path: &Option<String>, app: &Option<String>| {
        pool.clone()
            .or_else(|| path.clone())
            .or_else(|| app.clone())
    };
    let mut by: BTreeMap<(String, Option<String>), Vec<LifeStep>> = BTreeMap::new();
    for (i, r) in runs
        .iter()
        .enumerate()
        .filter(|(_, r)| r.iis && LIFE_ROLES.contains(&r.role.as_str()))
    {
        let Some(s) = subject(&r.pool, &r.app_path, &r.app) else {
            continue;
        };
        // The pool is named above its steps: each step says what happened.
        let text = r.text.replacen(&format!(": {s}: "), ": ", 1);
        by.entry((s, r.computer.clone()))
            .or_default()
            .push(LifeStep {
                run: i,
                time: r.first,
                role: r.role.clone(),
                text,
            });
    }
    // Each pool's recycle times, in one pass over the facts.
    let mut recycled: BTreeMap<(String, Option<String>), Vec<Millis>> = BTreeMap::new();
    for f in facts.iter().filter(|f| f.role == "recycle") {
        if let (Some(s), Some(t)) = (subject(&f.pool, &f.app_path, &f.app), f.time) {
            recycled.entry((s, f.computer.clone())).or_default().push(t);
        }
    }
    by.into_iter()
        .map(|((subject_name, computer), mut steps)| {
            steps.sort_by_key(|s| s.time);
            let recycles = recycled
                .remove(&(subject_name.clone(), computer.clone()))
                .unwrap_or_default();
            PoolLife {
                rhythm: rhythm(&recycles),
                subject: subject_name,
                computer,
                steps,
            }
        })
        .collect()
}

/// `recycled 4 times, every 29 h 0 min` when the gaps between recycles are within 5 % of
/// each other.
fn rhythm(times: &[Millis]) -> Option<String> {
    if times.len() < 3 {
        return None;
    }
    let gaps: Vec<i64> = times.windows(2).map(|w| w[1] - w[0]).collect();
    let (lo, hi) = (gaps.iter().min()?, gaps.iter().max()?);
    if *lo <= 0 || (hi - lo) * 20 > *lo {
        return None;
    }
    let mean = gaps.iter().sum::<i64>() / gaps.len() as i64;
    let minutes = mean / 60_000;
    Some(format!(
        "recycled {} times, every {} h {} min",
        times.len(),
        minutes / 60,
        minutes % 60
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: Millis = 1_795_000_000_000;

    fn event(provider: &str, id: u32, at: Millis, data: &[(&str, &str)]) -> Event {
        Event::fixture("WEB01", provider, id, at, data)
    }

    fn farm() -> EventSummary {
        let mut s = EventSummary::default();
        for (i, pid) in [4120, 5232, 6088].into_iter().enumerate() {
            let at = T0 + i as i64 * 60_000;
            s.add(event(
                "Application Error",
                1000,
                at - 1000,
                &[
                    ("AppName", "w3wp.exe"),
                    ("ModuleName", "Orders.Native.dll"),
                    ("ExceptionCode", "c0000005"),
                    ("ProcessId", &format!("0x{pid:x}")),
                ],
            ));
            s.add(event(
                "Microsoft-Windows-WAS",
                5011,
                at,
                &[("AppPoolID", "OrdersPool"), ("ProcessID", &pid.to_string())],
            ));
        }
        s.add(event(
            "Microsoft-Windows-WAS",
            5002,
            T0 + 3 * 60_000,
            &[("AppPoolID", "OrdersPool")],
        ));
        s.add(event(
            "Microsoft-Windows-WAS",
            5011,
            T0,
            &[("AppPoolID", "OtherPool"), ("ProcessID", "99")],
        ));
        s.finish();
        s
    }

    #[test]
    fn a_rapid_fail_disable_explains_the_pools_503s_with_the_crashes_before_it() {
        let kb = Kb::builtin();
        let mut ev = EventsReport::build(kb, &farm(), Zone::Utc);
        let target = Target {
            code: "503.AppOffline on OrdersPool",
            first: Some(T0 + 3 * 60_000 + 20_000),
            last: Some(T0 + 7 * 60_000),
            servers: &[],
            pool: Some("OrdersPool"),
            pools: Vec::new(),
            pids: Vec::new(),
            urls: Vec::new(),
        };
        let chain = ev.join(&target).expect("a chain");
        let heads: Vec<(&str, u32)> = chain
            .runs
            .iter()
            .map(|&i| (ev.runs[i].provider.as_str(), ev.runs[i].id))
            .collect();
        assert_eq!(
            heads,
            [("WAS", 5002), ("WAS", 5011), ("Application Error", 1000)]
        );
        let crash = &ev.runs[chain.runs[2]];
        assert_eq!(crash.count, 3);
        assert!(
            crash
                .text
                .contains("w3wp.exe crashed in Orders.Native.dll, 0xc0000005 (access violation)"),
            "{}",
            crash.text
        );
        assert!(chain.lines[1].contains("x3"), "{}", chain.lines[1]);
        assert!(
            chain.lines[1].contains("pids 4120, 5232, 6088"),
            "{}",
            chain.lines[1]
        );
        // The other pool's crash is not part of this story, and is left unlinked.
        let other: Vec<&EventRun> = ev.unlinked.iter().map(|&i| &ev.runs[i]).collect();
        assert_eq!(other.len(), 1);
        assert_eq!(other[0].pool.as_deref(), Some("OtherPool"));
    }

    #[test]
    fn a_group_outside_the_events_time_is_not_called_unexplained() {
        let kb = Kb::builtin();
        let mut ev = EventsReport::build(kb, &farm(), Zone::Utc);
        let far = Target {
            code: "500.0.0",
            first: Some(T0 + 86_400_000),
            last: Some(T0 + 86_400_000),
            servers: &[],
            pool: None,
            pools: Vec::new(),
            pids: Vec::new(),
            urls: Vec::new(),
        };
        assert!(ev.join(&far).is_none());
        assert!(ev.unexplained.is_empty());
        let near = Target {
            code: "502.3.12002",
            first: Some(T0 + 3 * 60_000),
            last: Some(T0 + 4 * 60_000),
            servers: &["WEB02".to_string()],
            pool: None,
            pools: Vec::new(),
            pids: Vec::new(),
            urls: Vec::new(),
        };
        assert!(
            ev.join(&near).is_none(),
            "events of WEB01 do not explain WEB02"
        );
        assert!(ev.unexplained.is_empty(), "and no event of WEB02 was read");
        let other_pool = Target {
            code: "503.QueueFull on ThirdPool",
            first: Some(T0 + 60_000),
            last: Some(T0 + 2 * 60_000),
            servers: &[],
            pool: Some("ThirdPool"),
            pools: Vec::new(),
            pids: Vec::new(),
            urls: Vec::new(),
        };
        assert!(ev.join(&other_pool).is_none());
        assert_eq!(ev.unexplained, ["503.QueueFull on ThirdPool"]);
    }

    #[test]
    fn a_w3c_group_joins_the_events_of_the_pool_and_process_its_traces_name() {
        let kb = Kb::builtin();
        let mut ev = EventsReport::build(kb, &farm(), Zone::Utc);
        let servers = ["WEB01".to_string()];
        let traced = |pools: Vec<&'static str>, pids: Vec<u32>| Target {
            code: "500.0.0",
            first: Some(T0 + 60_000),
            last: Some(T0 + 2 * 60_000),
            servers: &servers,
            pool: None,
            pools,
            pids,
            urls: Vec::new(),
        };
        // Traces of another pool: OrdersPool's events are not this group's story, but the
        // other pool's crash is.
        let chain = ev
            .join(&traced(vec!["OtherPool"], Vec::new()))
            .expect("a chain");
        assert!(
            chain
                .runs
                .iter()
                .all(|&i| ev.runs[i].pool.as_deref() != Some("OrdersPool"))
        );
        // A trace's process id joins its crash even on a server named otherwise.
        let elsewhere = ["web01-renamed".to_string()];
        let by_pid = Target {
            servers: &elsewhere,
            ..traced(Vec::new(), vec![5232])
        };
        let chain = ev.join(&by_pid).expect("a chain");
        assert!(
            chain.runs.iter().any(|&i| ev.runs[i].pids.contains(&5232)),
            "{:?}",
            chain.lines
        );
    }

    #[test]
    fn codes_are_decoded_from_hex_negative_decimals_and_bare_hex() {
        let kb = Kb::builtin();
        assert_eq!(code_text(kb, "0xc0000005"), "0xc0000005 (access violation)");
        assert_eq!(
            code_text(kb, "-1073741819"),
            "0xc0000005 (access violation)"
        );
        assert_eq!(code_text(kb, "c0000005"), "0xc0000005 (access violation)");
        assert_eq!(code_text(kb, "oops"), "oops");
    }

    #[test]
    fn the_failing_line_of_captured_output() {
        let out = "info: Started\nUnhandled exception. System.InvalidOperationException: No connection string\n   at X";
        assert_eq!(
            failing_line(out).as_deref(),
            Some("System.InvalidOperationException: No connection string")
        );
        let out = "fail: Microsoft.EntityFrameworkCore.Database.Command[20102]\n      Failed executing DbCommand";
        assert_eq!(
            failing_line(out).as_deref(),
            Some(
                "Microsoft.EntityFrameworkCore.Database.Command[20102]: Failed executing DbCommand"
            )
        );
    }
}
