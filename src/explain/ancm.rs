//! The ASP.NET Core Module's debug log lined up with the failure groups it explains: a
//! 500.30-500.38, a 502.5, or a 500.0 set by the AspNetCoreModule gets the sessions of the same
//! server whose times fit the group (or whose process a trace of the group names). A log in
//! the older format has no times: its sessions are shown with every such group of their
//! server, and say that they cannot be placed in time.
//!
//! Each session is told as what the module did (module and version, hosting model, the
//! application, the dotnet and hostfxr chosen), the first failed HRESULT with its meaning,
//! and where it stopped (the shutdown sequence, or the last step of a log cut short), with
//! the findings the evidence supports.

use serde::Serialize;

use crate::hresult;
use crate::input::ancm::{AncmSession, Hosting};
use crate::kb::Kb;
use crate::summary::ancm::{AncmSummary, SessionAt};
use crate::time::{self, Millis, Zone};

/// How long before a group's first failure a session may have started.
const LOOKBACK_MS: Millis = 10 * 60_000;
/// Slack after a group's last failure.
const LOOKAHEAD_MS: Millis = 60_000;
/// Most sessions a group lists.
pub const PER_GROUP: usize = 5;

/// A failed HRESULT, decoded.
#[derive(Debug, Clone, Serialize)]
pub struct FailedHresult {
    /// `0x8007023E`.
    pub code: String,
    /// The Win32 or HRESULT name, when the knowledge base has it.
    pub name: Option<String>,
    pub meaning: Option<String>,
    /// ANCM's source file and line.
    pub location: Option<String>,
}

/// One process's session of a debug log, as evidence.
#[derive(Debug, Clone, Serialize)]
pub struct AncmEvidence {
    pub file: String,
    pub server: Option<String>,
    pub pid: Option<u32>,
    #[serde(serialize_with = "time::rfc3339::opt")]
    pub first: Option<Millis>,
    #[serde(serialize_with = "time::rfc3339::opt")]
    pub last: Option<Millis>,
    /// `aspnetcorev2.dll 19.0.24303.0`, one per module that logged its start.
    pub modules: Vec<String>,
    /// `in-process`, `out-of-process` or `unknown`.
    pub hosting: &'static str,
    pub app_path: Option<String>,
    pub process_path: Option<String>,
    pub dotnet: Option<String>,
    pub is_x64: Option<bool>,
    pub hostfxr: Option<String>,
    pub failures: Vec<FailedHresult>,
    pub events: Vec<String>,
    pub shutdown: Vec<String>,
    pub last_step: String,
    /// `time` (its times fit the group), `pid` (a trace of the group names its process),
    /// `untimed` (the older format: shown for every such group of the server), or `report`.
    pub joined_by: &'static str,
    /// What the evidence shows, one sentence each.
    pub findings: Vec<String>,
    /// The session in one paragraph.
    pub text: String,
}

/// What the debug logs of a run held, for the report.
#[derive(Debug, Clone, Serialize)]
pub struct AncmReport {
    pub sessions: Vec<AncmEvidence>,
    /// Sessions past the summary's cap, not listed.
    pub other: u64,
    /// `3 sessions: ...`
    pub text: String,
}

/// Whether a group is one the module's debug log can explain.
pub fn applies(status: u16, substatus: Option<u32>, module: Option<&str>) -> bool {
    let ancm_module = module.is_some_and(|m| m.to_ascii_lowercase().contains("aspnetcore"));
    match (status, substatus) {
        (500, Some(30..=38)) | (502, Some(5)) => true,
        (500, Some(0) | None) => ancm_module,
        _ => false,
    }
}

/// A failure group, as the join needs it.
pub struct Target<'a> {
    pub first: Option<Millis>,
    pub last: Option<Millis>,
    pub servers: &'a [String],
    pub pids: Vec<u32>,
}

fn same_host(a: &str, b: &str) -> bool {
    let short = |s: &str| s.split('.').next().unwrap_or(s).to_ascii_lowercase();
    a.eq_ignore_ascii_case(b) || short(a) == short(b)
}

/// The sessions of the group's server whose times or process fit it.
pub fn join(ancm: &AncmSummary, kb: &Kb, target: &Target<'_>, zone: Zone) -> Vec<AncmEvidence> {
    let mut out = Vec::new();
    for at in &ancm.sessions {
        let s = &at.session;
        let on_server = match &at.server {
            Some(server) if !target.servers.is_empty() => {
                target.servers.iter().any(|t| same_host(t, server))
            }
            _ => true,
        };
        let by_pid = s.pid.is_some_and(|p| target.pids.contains(&p));
        let joined_by = match (s.first, s.last, target.first, target.last) {
            _ if by_pid => "pid",
            _ if !on_server => continue,
            (Some(f), Some(l), Some(gf), Some(gl))
                if f <= gl.saturating_add(LOOKAHEAD_MS) && l >= gf.saturating_sub(LOOKBACK_MS) =>
            {
                "time"
            }
            (None, _, _, _) => "untimed",
            _ => continue,
        };
        out.push(evidence(at, kb, joined_by, zone));
        if out.len() == PER_GROUP {
            break;
        }
    }
    out
}

/// The report-level view, or `None` when no debug log was read.
pub fn report(ancm: &AncmSummary, kb: &Kb, zone: Zone) -> Option<AncmReport> {
    if ancm.is_empty() {
        return None;
    }
    let sessions: Vec<AncmEvidence> = ancm
        .sessions
        .iter()
        .map(|s| evidence(s, kb, "report", zone))
        .collect();
    let count = |h: &str| sessions.iter().filter(|s| s.hosting == h).count();
    let untimed = sessions.iter().filter(|s| s.first.is_none()).count();
    let failed = sessions.iter().filter(|s| !s.failures.is_empty()).count();
    let mut text = format!(
        "{} process session(s): {} in-process, {} out-of-process, {} unknown; {} with a failed HRESULT",
        sessions.len(),
        count("in-process"),
        count("out-of-process"),
        count("unknown"),
        failed
    );
    if untimed > 0 {
        text.push_str(&format!(
            "; {untimed} from logs without times (ANCM before .NET 6), which cannot be placed in time"
        ));
    }
    Some(AncmReport {
        sessions,
        other: ancm.other,
        text,
    })
}

fn decode(kb: &Kb, code: u64, location: Option<&str>) -> FailedHresult {
    let entry = kb.win32(code);
    FailedHresult {
        code: hresult::hex(code),
        name: entry.map(|e| e.name.clone()),
        meaning: entry.map(|e| e.meaning.clone()),
        location: location.map(str::to_string),
    }
}

/// The last part of a source path (`HandlerResolver.cpp:70`).
fn source_name(location: &str) -> &str {
    location.rsplit(['\\', '/']).next().unwrap_or(location)
}

fn evidence(at: &SessionAt, kb: &Kb, joined_by: &'static str, zone: Zone) -> AncmEvidence {
    let s = &at.session;
    let failures: Vec<FailedHresult> = s
        .failures
        .iter()
        .map(|f| decode(kb, f.hresult, f.location.as_deref()))
        .collect();
    let modules: Vec<String> = s
        .modules
        .iter()
        .map(|m| match &m.version {
            Some(v) => format!("{} {v}", m.module),
            None => m.module.clone(),
        })
        .collect();
    let findings = findings(s, &failures);
    let text = describe(at, &modules, &failures, joined_by, zone);
    AncmEvidence {
        file: at.file.clone(),
        server: at.server.clone(),
        pid: s.pid,
        first: s.first,
        last: s.last,
        modules,
        hosting: s.hosting.name(),
        app_path: s.app_path.clone(),
        process_path: s.process_path.clone(),
        dotnet: s.dotnet.clone(),
        is_x64: s.is_x64,
        hostfxr: s.hostfxr.clone(),
        failures,
        events: s.events.clone(),
        shutdown: s.shutdown.clone(),
        last_step: s.last_step.clone(),
        joined_by,
        findings,
        text,
    }
}

/// `ANCM debug log (process 4120, 11:05:00-11:05:02): aspnetcorev2.dll 19.0.24303.0,
/// in-process, app C:\inetpub\shop\, ...`
fn describe(
    at: &SessionAt,
    modules: &[String],
    failures: &[FailedHresult],
    joined_by: &str,
    zone: Zone,
) -> String {
    let s = &at.session;
    let mut head = Vec::new();
    if let Some(pid) = s.pid {
        head.push(format!("process {pid}"));
    }
    match (s.first, s.last) {
        (Some(f), Some(l)) => {
            let last = zone.short(l);
            let last = last.get(11..).unwrap_or(&last).to_string();
            head.push(format!("{}-{last}", zone.short(f)));
        }
        _ => head.push("no times: cannot be placed in time".into()),
    }
    let mut parts: Vec<String> = Vec::new();
    if !modules.is_empty() {
        parts.push(modules.join(", "));
    }
    parts.push(s.hosting.name().to_string());
    if let Some(app) = &s.app_path {
        parts.push(format!("app {app}"));
    }
    if let Some(d) = &s.dotnet {
        parts.push(format!("dotnet {d}"));
    }
    if let Some(x64) = s.is_x64 {
        parts.push(if x64 { "64-bit" } else { "32-bit" }.into());
    }
    if let Some(h) = &s.hostfxr {
        let local = if s.hostfxr_app_local {
            " (app-local)"
        } else {
            ""
        };
        parts.push(format!("hostfxr {h}{local}"));
    }
    if let Some(f) = failures.first() {
        let name = f
            .name
            .as_deref()
            .map(|n| format!(" ({n})"))
            .unwrap_or_default();
        let place = f
            .location
            .as_deref()
            .map(|l| format!(" at {}", source_name(l)))
            .unwrap_or_default();
        let more = match failures.len() {
            1 => String::new(),
            n => format!(" and {} more", n - 1),
        };
        parts.push(format!("failed HRESULT {}{name}{place}{more}", f.code));
    }
    match (s.shutdown.first(), s.shutdown.last()) {
        (Some(first), Some(last)) if s.shutdown.len() > 1 => {
            parts.push(format!("shut down: {first} ... {last}"))
        }
        (Some(first), _) => parts.push(format!("shut down: {first}")),
        _ => parts.push(format!("last step: {}", s.last_step)),
    }
    let mut text = format!(
        "ANCM debug log {} ({}): {}",
        at.file,
        head.join(", "),
        parts.join("; ")
    );
    if joined_by == "untimed" {
        text.push_str(" (its time is unknown, so it may be of another start)");
    }
    text
}

/// What the session's evidence shows, in sentences a reader can act on.
fn findings(s: &AncmSession, failures: &[FailedHresult]) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(f) = failures.first() {
        let mut line = format!("The module logged a failed HRESULT {}", f.code);
        if let Some(name) = &f.name {
            line.push_str(&format!(" ({name})"));
        }
        if let Some(loc) = &f.location {
            line.push_str(&format!(" in {}", source_name(loc)));
        }
        if let Some(meaning) = &f.meaning {
            line.push_str(&format!(": {meaning}"));
        } else {
            line.push('.');
        }
        out.push(line);
    }
    if s.is_x64 == Some(false) {
        let wow = |p: &String| p.to_ascii_lowercase().contains("(x86)");
        let sentence = if s.dotnet_found.iter().any(wow) {
            "The worker process is 32-bit (isX64=0, enable32BitAppOnWin64): the module must use the 32-bit dotnet.exe under Program Files (x86), and the app's runtime must be installed for x86 there."
        } else {
            "The worker process is 32-bit (isX64=0, enable32BitAppOnWin64) but where.exe found no dotnet.exe under Program Files (x86): install the x86 runtime or turn off 32-bit applications for the pool."
        };
        out.push(sentence.to_string());
    }
    if let (Some(d), Some(x64), false) = (&s.dotnet, s.is_x64, s.dotnet_found.is_empty()) {
        out.push(format!(
            "where.exe found {} dotnet.exe; the module took {d}, the first of the worker process's bitness ({}).",
            s.dotnet_found.len(),
            if x64 { "64-bit" } else { "32-bit" }
        ));
    }
    if !s.dotnet_rejected.is_empty() {
        out.push(format!(
            "Passed over for the wrong bitness: {}.",
            s.dotnet_rejected.join(", ")
        ));
    }
    if let Some(app) = &s.app_path
        && app.starts_with(r"\\")
    {
        let mut line = format!(
            "The application runs from a network share ({app}): the pool identity must be able to read it, and the app stops when the share is gone"
        );
        if s.hostfxr_app_local {
            line.push_str(
                "; hostfxr.dll is loaded app-local from the share (a self-contained or launcher app), so the runtime comes from there too",
            );
        }
        line.push('.');
        out.push(line);
    } else if s.hostfxr_app_local {
        out.push(
            "hostfxr.dll is loaded from the application's folder (self-contained or launcher app), not from the installed runtime."
                .to_string(),
        );
    }
    if s.hosting == Hosting::InProcess && s.modules.iter().all(|m| m.module == "aspnetcorev2.dll") {
        let mut line = "Only the shim logged: it resolved hostfxr to find the in-process handler, so the app is configured in-process".to_string();
        // ANCM 12.2 is ASP.NET Core 2.2, which answered an in-process start failure with 502.5
        // (500.30 came with 3.0).
        if s.version().is_some_and(|v| v.starts_with("12.")) {
            line.push_str(" (ASP.NET Core 2.2 answers an in-process start failure with 502.5)");
        }
        line.push('.');
        out.push(line);
    }
    let exited = |t: &String| t.contains("exited prematurely");
    if s.hosting == Hosting::InProcess
        && !s.started
        && (s.events.iter().any(exited) || s.shutdown.iter().any(exited))
    {
        out.push(
            "The app's Main ended before the server started (CLR worker thread exited prematurely): a startup exception, whose text is in the stdout log (stdoutLogEnabled) or the Application event log's ASP.NET Core Module events."
                .to_string(),
        );
    }
    if let Some(e) = s.events.first() {
        out.push(format!("Event Log: {e}"));
    }
    if let Some(first) = s.shutdown.first() {
        out.push(format!(
            "The module shut the application down ({} step(s) from '{first}').",
            s.shutdown.len()
        ));
    } else if let Some(note) = s.cut_note() {
        let mut line = format!("The log {note}");
        if let Some(entry) = &s.dotnet_checking {
            line.push_str(&format!(" (while checking {entry})"));
        }
        line.push_str(": the rest of the start is not in it.");
        out.push(line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::ancm::read_ancm;

    fn summary(file: &str, server: Option<&str>, log: &str) -> AncmSummary {
        let mut sum = AncmSummary::default();
        for s in read_ancm(log.as_bytes()).unwrap().0 {
            sum.add(file, server, s);
        }
        sum
    }

    const TIMED: &str = "[2026-11-18T12:10:04.101Z, PID: 6120] [aspnetcorev2.dll] Initializing logs for 'C:\\m\\aspnetcorev2.dll'. Process Id: 6120. File Version: 19.0.24303.0. Description: x. Commit: .\n[2026-11-18T12:10:05.000Z, PID: 6120] [aspnetcorev2_inprocess.dll] Failed HRESULT returned: 0x80070002 at D:\\s\\HostFxrResolver.cpp:98 \n";

    #[test]
    fn joins_by_server_time_and_pid() {
        let kb = Kb::builtin();
        let at = |m: i64| {
            Some(crate::time::at(
                crate::time::parse_date(b"2026-11-18").unwrap(),
                m * 60_000,
            ))
        };
        let web01 = ["WEB01.corp.example".to_string()];
        let web02 = ["web02".to_string()];
        let sum = summary("a.log", Some("web01"), TIMED);
        let target = |first, last, servers, pids| Target {
            first,
            last,
            servers,
            pids,
        };
        let joined = join(
            &sum,
            kb,
            &target(at(12 * 60 + 11), at(12 * 60 + 30), &web01, vec![]),
            Zone::Utc,
        );
        assert_eq!(joined.len(), 1);
        assert_eq!(joined[0].joined_by, "time");
        assert_eq!(joined[0].failures[0].code, "0x80070002");
        assert_eq!(
            joined[0].failures[0].name.as_deref(),
            Some("ERROR_FILE_NOT_FOUND")
        );
        assert!(
            joined[0].text.contains("at HostFxrResolver.cpp:98"),
            "{}",
            joined[0].text
        );
        // Another server, or an hour later: not joined; unless a trace names the process.
        assert!(
            join(
                &sum,
                kb,
                &target(at(12 * 60 + 11), at(12 * 60 + 30), &web02, vec![]),
                Zone::Utc
            )
            .is_empty()
        );
        assert!(
            join(
                &sum,
                kb,
                &target(at(13 * 60 + 30), at(14 * 60), &web01, vec![]),
                Zone::Utc
            )
            .is_empty()
        );
        let by_pid = join(
            &sum,
            kb,
            &target(at(13 * 60 + 30), at(14 * 60), &web02, vec![6120]),
            Zone::Utc,
        );
        assert_eq!(by_pid[0].joined_by, "pid");
        // An untimed session joins every group of its server, saying so.
        let old = summary(
            "b.log",
            None,
            "[aspnetcorev2.dll] Initializing logs for 'x'. Process Id: 9.. File Version: 12.2.1.0. Description: x.\n",
        );
        let untimed = join(
            &old,
            kb,
            &target(at(600), at(601), &web02, vec![]),
            Zone::Utc,
        );
        assert_eq!(untimed[0].joined_by, "untimed");
        assert!(untimed[0].text.contains("its time is unknown"));
    }

    #[test]
    fn only_ancm_failures_apply() {
        assert!(applies(500, Some(30), None));
        assert!(applies(500, Some(38), None));
        assert!(applies(502, Some(5), None));
        assert!(applies(500, Some(0), Some("AspNetCoreModuleV2")));
        assert!(!applies(500, Some(0), Some("FastCgiModule")));
        assert!(!applies(500, Some(19), None));
        assert!(!applies(502, Some(3), None));
    }
}
