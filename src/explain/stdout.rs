//! The ASP.NET Core Module's stdout logs lined up with the groups they explain: a 500.30 (or
//! 500.31-500.38), 502.5 or 500.0 group gets the logs of the processes that started on its
//! server shortly before (or while) it failed, the processes its traces and events name
//! first. The log's first failure is the app's own word on the 500; whether it reached `Now
//! listening on:` says if it failed at startup or later.
//!
//! App Service's ANCM 1018 events carry the same output (the first 30 KB of stdout and
//! stderr): where a group has such events and no stdout file, the event is the evidence.
//! Where it has neither, the ANCM events that say the log could not be created (ANCM V1
//! 1004 `Could not create stdoutLogFile ..., ErrorCode = ...`, V2's `Could not start stdout
//! file redirection ...`) say why it is missing.

use serde::Serialize;

use crate::explain::GroupReport;
use crate::input::eventlog::Event;
use crate::input::stdout::{self, Failure, StdoutLog};
use crate::summary::stdout::{StdoutEntry, StdoutSummary};
use crate::time::{self, Millis, Zone};

/// How long before a group's first failure a process may have started.
const LOOKBACK_MS: Millis = crate::filter::STDOUT_LOOKBACK_MS;
/// How long after a group's last failure a process start (or an event) still counts.
const LOOKAHEAD_MS: Millis = 60_000;
/// Most logs (or events) listed under one group.
pub const SHOWN: usize = 5;
/// Processes listed in the report-level section.
pub const STARTUP_SHOWN: usize = 5;

/// One process's stdout output that explains a group.
#[derive(Debug, Clone, Serialize)]
pub struct StdoutEvidence {
    /// The stdout log, or `null` when the output comes from an ANCM 1018 event.
    pub path: Option<String>,
    /// `file` (a stdout log) or `event` (an ANCM 1018 event's captured output).
    pub source: &'static str,
    pub pid: Option<u32>,
    /// When the process started (a log's name), or when the event was written.
    #[serde(serialize_with = "time::rfc3339::opt")]
    pub started: Option<Millis>,
    /// `unhandled`, `crit` or `fail`, else `null` when the output shows no failure.
    pub form: Option<String>,
    pub exception: Option<String>,
    pub message: Option<String>,
    pub frame: Option<String>,
    pub reached_listening: bool,
    /// `stdout (pid 4242, started 10:01:02): System.X: ... -> the app failed at startup; ...`
    pub text: String,
}

/// What the report says about the stdout logs read.
#[derive(Debug, Clone, Serialize)]
pub struct StdoutReport {
    pub logs: u64,
    /// Logs with a failure and no `Now listening on:`.
    pub failed_at_startup: u64,
    /// Logs with a failure after `Now listening on:`.
    pub failed_after_start: u64,
    /// `3 stdout logs: 1 process failed at startup, 1 failed after it started`
    pub text: String,
    /// The processes that failed at startup, latest first: `pid 4242, started ...: System.X: ...`
    pub startup: Vec<String>,
}

/// What `stdoutLogEnabled` and `stdoutLogFile` of the app's web.config say, when a config
/// reader has read them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StdoutSetting {
    pub enabled: bool,
    pub file: String,
}

/// The stdout setting of the run's `<aspNetCore>` elements, when they agree on it (with
/// several apps configured differently, which one a group's requests ran is not known).
/// `stdoutLogEnabled` left out is `false`, as ANCM reads it; `stdoutLogFile`, `.\\logs\\stdout`.
pub fn setting_of(config: &crate::summary::config::ConfigSummary) -> Option<StdoutSetting> {
    let mut settings = config.asp_net_core.iter().map(|a| StdoutSetting {
        enabled: a.item.stdout_log_enabled.unwrap_or(false),
        file: a
            .item
            .stdout_log_file
            .clone()
            .unwrap_or_else(|| ".\\logs\\stdout".into()),
    });
    let first = settings.next()?;
    settings.all(|s| s == first).then_some(first)
}

/// Whether a group is one a stdout log explains: ANCM's startup failures (500.30-500.38,
/// 502.5) and the app's own 500.0.
pub fn explains(g: &GroupReport) -> bool {
    matches!(
        (g.status, g.substatus),
        (500, Some(0 | 30..=38)) | (502, Some(5))
    )
}

/// Whether a missing stdout log is worth a sentence: the groups ANCM gives when the app did
/// not start, where the log is the first thing to read.
fn startup_group(g: &GroupReport) -> bool {
    matches!(
        (g.status, g.substatus),
        (500, Some(30..=38)) | (502, Some(5))
    )
}

fn clock(zone: Zone, t: Millis) -> String {
    let s = zone.short(t);
    s.get(11..19).map_or(s.clone(), str::to_string)
}

fn same_host(a: &str, b: &str) -> bool {
    let short = |s: &str| s.split('.').next().unwrap_or(s).to_ascii_lowercase();
    a.eq_ignore_ascii_case(b) || short(a) == short(b)
}

/// What the output's first failure means for the group: said from the evidence.
fn verdict(failure: Option<&Failure>, log: &StdoutLog) -> String {
    match (failure, log.listening) {
        (Some(f), false) => {
            let lower = f.text().to_ascii_lowercase();
            if ["connection string", "connectionstring", "configuration", "appsettings"]
                .iter()
                .any(|w| lower.contains(w))
            {
                "the app failed at startup; fix the configuration it names".into()
            } else {
                match &f.frame {
                    Some(frame) => format!(
                        "the app failed at startup, before it listened; fix this exception first (thrown at {frame})"
                    ),
                    None => "the app failed at startup, before it listened; fix this exception first".into(),
                }
            }
        }
        (Some(_), true) => "the app did start (it logged `Now listening on:`), so this failure came later than startup: look at the request or the dependency it names".into(),
        (None, true) if log.shutdown => "the app started (`Now listening on:`), logged no failure and shut down: the 500s are not a startup failure of this process".into(),
        (None, true) => "the app started (`Now listening on:`) and logged no failure: the 500s are not a startup failure of this process".into(),
        (None, false) => format!(
            "{} lines, no exception and no `Now listening on:`: the process stopped before it listened without saying why; read the ANCM debug log and the event log",
            log.lines
        ),
    }
}

fn evidence(
    lead: String,
    path: Option<String>,
    source: &'static str,
    pid: Option<u32>,
    started: Option<Millis>,
    log: &StdoutLog,
) -> StdoutEvidence {
    let f = log.failure.as_ref();
    let text = match f {
        Some(f) => format!("{lead}: {} -> {}", f.text(), verdict(Some(f), log)),
        None => format!("{lead}: {}", verdict(None, log)),
    };
    StdoutEvidence {
        path,
        source,
        pid,
        started,
        form: f.map(|f| f.form.clone()),
        exception: f.and_then(|f| f.exception.clone()),
        message: f.map(|f| f.message.clone()),
        frame: f.and_then(|f| f.frame.clone()),
        reached_listening: log.listening,
        text,
    }
}

fn lead(what: &str, pid: Option<u32>, when: &str, t: Option<Millis>, zone: Zone) -> String {
    match (pid, t) {
        (Some(p), Some(t)) => format!("{what} (pid {p}, {when} {})", clock(zone, t)),
        (Some(p), None) => format!("{what} (pid {p})"),
        (None, Some(t)) => format!("{what} ({when} {})", clock(zone, t)),
        (None, None) => what.to_string(),
    }
}

fn as_log(e: &StdoutEntry) -> StdoutLog {
    StdoutLog {
        lines: e.lines,
        failure: e.failure.clone(),
        failures: e.failures,
        listening: e.listening,
        shutdown: e.shutdown,
    }
}

/// An ANCM event's process id: `Process Id: 12352.` in its data, else the writer's.
fn event_pid(e: &Event) -> Option<u32> {
    e.data
        .iter()
        .find_map(|d| {
            let rest = d.value.trim().strip_prefix("Process Id:")?;
            rest.trim().trim_end_matches('.').parse::<u32>().ok()
        })
        .or(e.process_id)
        .filter(|&p| p != 0)
}

fn is_ancm(e: &Event) -> bool {
    e.provider.contains("AspNetCore Module")
}

/// The group as the join sees it: its window, servers and process ids.
pub struct Target<'a> {
    pub first: Option<Millis>,
    pub last: Option<Millis>,
    pub servers: &'a [String],
    pub pids: Vec<u32>,
}

impl Target<'_> {
    fn in_window(&self, t: Option<Millis>) -> bool {
        match (self.first, self.last, t) {
            (Some(f), Some(l), Some(t)) => {
                t >= f.saturating_sub(LOOKBACK_MS) && t <= l.saturating_add(LOOKAHEAD_MS)
            }
            // A group without times (pages alone) takes any process of its server.
            (None, _, _) | (_, None, _) => true,
            _ => false,
        }
    }

    fn on_server(&self, server: Option<&str>) -> bool {
        match server {
            Some(s) if !self.servers.is_empty() => self.servers.iter().any(|g| same_host(g, s)),
            _ => true,
        }
    }
}

/// The stdout logs and ANCM 1018 outputs that explain a group, pid matches first.
pub fn join(
    logs: &StdoutSummary,
    events: &[Event],
    target: &Target<'_>,
    zone: Zone,
) -> Vec<StdoutEvidence> {
    let near: Vec<&StdoutEntry> = logs
        .logs
        .iter()
        .filter(|l| target.on_server(l.server.as_deref()))
        .filter(|l| target.in_window(l.started) || l.pid.is_some_and(|p| target.pids.contains(&p)))
        .collect();
    let by_pid: Vec<&StdoutEntry> = near
        .iter()
        .copied()
        .filter(|l| l.pid.is_some_and(|p| target.pids.contains(&p)))
        .collect();
    let mut files = if by_pid.is_empty() {
        near.into_iter().filter(|l| l.started.is_some()).collect()
    } else {
        by_pid
    };
    // The latest process first: the one that was failing when the group's requests came.
    files.sort_by(|a, b| b.started.cmp(&a.started).then(a.path.cmp(&b.path)));
    files.truncate(SHOWN);
    let captured: Vec<(&Event, Option<u32>)> = events
        .iter()
        .filter(|e| is_ancm(e) && e.id == 1018)
        .filter(|e| target.in_window(e.time) && target.on_server(e.computer.as_deref()))
        .map(|e| (e, event_pid(e)))
        .collect();
    let mut out: Vec<StdoutEvidence> = files
        .iter()
        .map(|l| {
            let mut ev = evidence(
                lead("stdout", l.pid, "started", l.started, zone),
                Some(l.path.clone()),
                "file",
                l.pid,
                l.started,
                &as_log(l),
            );
            if l.pid.is_some() && captured.iter().any(|(_, p)| *p == l.pid) {
                ev.text
                    .push_str(" (its ANCM 1018 event captured the same output)");
            }
            ev
        })
        .collect();
    if out.is_empty() {
        let mut shown: Vec<&(&Event, Option<u32>)> = captured
            .iter()
            .filter(|(_, p)| target.pids.is_empty() || p.is_some_and(|p| target.pids.contains(&p)))
            .collect();
        if shown.is_empty() {
            shown = captured.iter().collect();
        }
        shown.sort_by_key(|(e, _)| std::cmp::Reverse(e.time));
        for (e, pid) in shown.into_iter().take(SHOWN) {
            let text = e.nth(0).unwrap_or_default();
            let output = text.split_once("stderr logs:").map_or(text, |(_, o)| o);
            let log = stdout::scan_text(output);
            let mut ev = evidence(
                lead("ANCM 1018", *pid, "at", e.time, zone),
                None,
                "event",
                *pid,
                e.time,
                &log,
            );
            ev.text
                .push_str(" (the event captured the app's stdout: no stdout log for this process is in the input, and none is needed)");
            out.push(ev);
        }
    }
    out
}

/// An ANCM event saying the stdout log could not be created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateFailure {
    /// The log file (V1) or the `stdoutLogFile` value (V2) it tried.
    pub file: String,
    /// The HRESULT, when the event gives one (V1's `ErrorCode = -2147024893`).
    pub hresult: Option<u32>,
    /// V2's reason as written (`create_directories: Access is denied.: "C:\...\logs"`).
    pub reason: Option<String>,
}

/// Reads `Could not create stdoutLogFile <file>, ErrorCode = <n>.` (ANCM V1 1004) or `Could
/// not start stdout file redirection to '<file>' with application base '<base>'. <reason>.`
/// (ANCM V2's warning).
pub fn create_failure(message: &str) -> Option<CreateFailure> {
    if let Some(at) = message.find("Could not create stdoutLogFile ") {
        let rest = &message[at + "Could not create stdoutLogFile ".len()..];
        let (file, code) = match rest.split_once(", ErrorCode = ") {
            Some((f, c)) => (f, Some(c.trim().trim_end_matches('.'))),
            None => (rest.trim_end_matches('.'), None),
        };
        let hresult = code.and_then(|c| match c.strip_prefix("0x") {
            Some(hex) => u32::from_str_radix(hex, 16).ok(),
            // Written as a signed 32-bit number: -2147024893 is 0x80070003.
            None => c.parse::<i64>().ok().map(|n| n as u32),
        });
        return Some(CreateFailure {
            file: file.trim().trim_start_matches(r"\\?\").to_string(),
            hresult,
            reason: None,
        });
    }
    let at = message.find("Could not start stdout file redirection to '")?;
    let rest = &message[at + "Could not start stdout file redirection to '".len()..];
    let (file, after) = rest.split_once('\'')?;
    let reason = after
        .split_once("'. ")
        .map(|(_, r)| r.trim().trim_end_matches('.').to_string())
        .filter(|r| !r.is_empty());
    Some(CreateFailure {
        file: file.to_string(),
        hresult: None,
        reason,
    })
}

/// The folder a log file lies in (`D:\home\site\wwwroot\logs`).
fn folder(file: &str) -> &str {
    file.rsplit_once(['\\', '/']).map_or(file, |(dir, _)| dir)
}

/// Why a startup-failure group has no stdout log, from the ANCM events that say it could not
/// be created and the web.config setting (when a config reader read it).
pub fn missing_text(failures: &[CreateFailure], setting: Option<&StdoutSetting>) -> String {
    if let Some(f) = failures.first() {
        let n = failures.len();
        let times = if n == 1 {
            "an ANCM event says".to_string()
        } else {
            format!("{n} ANCM events say")
        };
        let win32 = f
            .hresult
            .and_then(|h| crate::hresult::win32_of(u64::from(h)));
        let lower = f.reason.as_deref().unwrap_or("").to_ascii_lowercase();
        let code = f.hresult.map(|h| crate::hresult::hex(u64::from(h)));
        let code = code.map_or_else(String::new, |c| format!(" ({c})"));
        let dir = folder(&f.file);
        return if win32 == Some(3) || lower.contains("cannot find the path") {
            format!(
                "no stdout log: {times} it could not be created{code}, path not found: the folder {dir} does not exist; create it (ANCM V1 does not), then restart the app to get the log"
            )
        } else if win32 == Some(5) || lower.contains("access is denied") {
            format!(
                "no stdout log: {times} it could not be created{code}, access denied: the pool identity cannot write {dir}; grant it Modify on that folder"
            )
        } else {
            let why = f
                .reason
                .clone()
                .or_else(|| f.hresult.map(|h| crate::hresult::hex(u64::from(h))));
            let why = why.map_or_else(String::new, |w| format!(": {w}"));
            format!(
                "no stdout log: {times} {} could not be created{why}; fix that, then restart the app to get the log",
                f.file
            )
        };
    }
    match setting {
        Some(s) if !s.enabled => format!(
            "no stdout log: web.config turns it off (stdoutLogEnabled=\"false\", stdoutLogFile=\"{}\"); set stdoutLogEnabled=\"true\" while you look, and make sure the folder exists",
            s.file
        ),
        Some(s) => format!(
            "no stdout log for this process is in the input, though web.config turns it on (stdoutLogFile=\"{}\"): add that folder's stdout_*.log files to the scan",
            s.file
        ),
        None => "no stdout log for this process is in the input; to get one, set stdoutLogEnabled=\"true\" and stdoutLogFile=\".\\logs\\stdout\" on the aspNetCore element of web.config, make sure the logs folder exists and the pool identity can write it, and add the stdout_*.log files to the scan".into(),
    }
}

/// The ANCM events in a group's window that say its stdout log could not be created.
pub fn create_failures(events: &[Event], target: &Target<'_>) -> Vec<CreateFailure> {
    events
        .iter()
        .filter(|e| is_ancm(e) && target.in_window(e.time))
        .filter(|e| target.on_server(e.computer.as_deref()))
        .filter_map(|e| e.data.iter().find_map(|d| create_failure(&d.value)))
        .collect()
}

/// Whether a group that stdout logs explain should say why it has none.
pub fn wants_missing(g: &GroupReport) -> bool {
    startup_group(g) && g.stdout.is_empty()
}

/// The report-level view, or `None` when no stdout log was read.
pub fn report(logs: &StdoutSummary, zone: Zone) -> Option<StdoutReport> {
    if logs.is_empty() {
        return None;
    }
    let failed = |listening: bool| {
        logs.logs
            .iter()
            .filter(move |l| l.failure.is_some() && l.listening == listening)
    };
    let at_startup = failed(false).count() as u64;
    let after = failed(true).count() as u64;
    let n = logs.total();
    let mut text = format!("{n} stdout log{}", if n == 1 { "" } else { "s" });
    let mut parts = Vec::new();
    if at_startup > 0 {
        parts.push(format!(
            "{at_startup} process{} failed at startup",
            if at_startup == 1 { "" } else { "es" }
        ));
    }
    if after > 0 {
        parts.push(format!("{after} failed after it started"));
    }
    if parts.is_empty() {
        text.push_str(": no failure in them");
    } else {
        text.push_str(": ");
        text.push_str(&parts.join(", "));
    }
    let mut startup: Vec<&StdoutEntry> = failed(false).collect();
    startup.sort_by(|a, b| b.started.cmp(&a.started).then(a.path.cmp(&b.path)));
    Some(StdoutReport {
        logs: n,
        failed_at_startup: at_startup,
        failed_after_start: after,
        text,
        startup: startup
            .into_iter()
            .take(STARTUP_SHOWN)
            .map(|l| {
                let who = match (l.pid, l.started) {
                    (Some(p), Some(t)) => format!("pid {p}, started {}", clock(zone, t)),
                    (Some(p), None) => format!("pid {p}"),
                    (None, Some(t)) => format!("a process started {}", clock(zone, t)),
                    (None, None) => "a process".to_string(),
                };
                let what = l.failure.as_ref().map(Failure::text).unwrap_or_default();
                format!("{who}: {what} ({})", l.path)
            })
            .collect(),
    })
}

#[cfg(test)]
mod tests;
