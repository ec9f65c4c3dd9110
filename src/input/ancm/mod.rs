//! Reader for the ASP.NET Core Module's debug log (`aspnetcore-debug.log`, or the file
//! `debugFile` names): the module's own account of starting an application, which the
//! event log and the 500.3x page only summarise. Two formats: ANCM before .NET 6 writes
//! `[aspnetcorev2.dll] text` lines with no time; later versions put
//! `[2024-11-23T03:46:26.012Z, PID: 64988] ` in front. A value that spans lines (the output
//! of `where.exe`, `End Event Log Message.`) belongs to the entry before it.
//!
//! The entries of one process make an [`AncmSession`]: which module and version ran, the
//! hosting model, the application and the dotnet and hostfxr chosen, every failed HRESULT,
//! the `Event Log:` messages, and the shutdown sequence. A log pasted into a ticket is often
//! cut short; the session then says the last step it reached.

use std::collections::HashMap;
use std::io::{self, Read};

use crate::input::lines::{self, Stats};
use crate::input::secret::mask;
use crate::time::{self, Millis};

#[cfg(test)]
mod tests;

/// Most bytes of an entry's text kept (a where.exe list, an event message).
pub const TEXT_MAX: usize = 2048;
/// Most failures, event messages and shutdown steps kept per session.
pub const LIST_MAX: usize = 20;
/// Most sessions one file yields; the rest are counted in a note.
pub const SESSIONS_MAX: usize = 200;

/// One entry of the log.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AncmEntry {
    /// The time, in the newer format.
    pub time: Option<Millis>,
    /// The process, in the newer format.
    pub pid: Option<u32>,
    /// `aspnetcorev2.dll`, `aspnetcorev2_inprocess.dll`, `aspnetcorev2_outofprocess.dll`.
    pub module: String,
    /// At most [`TEXT_MAX`] bytes; continuation lines joined with `\n`.
    pub text: String,
    /// The line the entry starts on.
    pub line: u64,
}

/// How the application is hosted, as far as the log shows: in-process when the in-process
/// handler runs or the shim resolves hostfxr (it does so only to find that handler),
/// out-of-process when the out-of-process handler is loaded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Hosting {
    InProcess,
    OutOfProcess,
    #[default]
    Unknown,
}

impl Hosting {
    pub fn name(self) -> &'static str {
        match self {
            Hosting::InProcess => "in-process",
            Hosting::OutOfProcess => "out-of-process",
            Hosting::Unknown => "unknown",
        }
    }
}

/// A module that wrote `Initializing logs for '...'`.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ModuleVersion {
    pub module: String,
    pub path: String,
    pub version: Option<String>,
}

/// A failed HRESULT the module logged.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Failure {
    pub hresult: u64,
    /// The source file and line (`...\HandlerResolver.cpp:70`).
    pub location: Option<String>,
    pub module: String,
    pub line: u64,
}

/// What one process's entries say.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct AncmSession {
    pub pid: Option<u32>,
    pub first: Option<Millis>,
    pub last: Option<Millis>,
    pub entries: u64,
    pub modules: Vec<ModuleVersion>,
    pub hosting: Hosting,
    /// `processPath` as configured (`dotnet`, `.\App.exe`).
    pub process_path: Option<String>,
    pub arguments: Option<String>,
    /// The application's physical path.
    pub app_path: Option<String>,
    /// `portable`, or `standalone or portable with bootstrapper`, as the module judged.
    pub app_kind: Option<String>,
    /// `Known dotnet.exe location`, when not empty.
    pub dotnet_known: Option<String>,
    /// The dotnet.exe files `where.exe` returned, in its order.
    pub dotnet_found: Vec<String>,
    /// The dotnet.exe chosen: the first `where.exe` entry of the worker process's bitness,
    /// or the `dotnet location` of `Parsed hostfxr options`.
    pub dotnet: Option<String>,
    /// `where.exe` entries passed over: their bitness is not the worker process's.
    pub dotnet_rejected: Vec<String>,
    /// The entry being checked when the log ends (`Processing entry` with no `Binary type`).
    pub dotnet_checking: Option<String>,
    /// The worker process's bitness (`isX64=1`).
    pub is_x64: Option<bool>,
    /// The hostfxr.dll the module chose.
    pub hostfxr: Option<String>,
    /// Whether hostfxr.dll was found beside the application (`found app local`).
    pub hostfxr_app_local: bool,
    pub failures: Vec<Failure>,
    /// `Event Log:` messages, without the `End Event Log Message.` line.
    pub events: Vec<String>,
    /// The entries from the first shutdown, stop or app_offline line on.
    pub shutdown: Vec<String>,
    /// The text of the last entry (its first line).
    pub last_step: String,
    /// The module reported the application started (in-process callbacks set, or a started
    /// process listening).
    pub started: bool,
}

impl AncmSession {
    /// `ends mid-startup: the last step logged is ...` for a log that stops before the
    /// application started or shut down, else `None`.
    pub fn cut_note(&self) -> Option<String> {
        (!self.started && self.shutdown.is_empty() && self.failures.is_empty()).then(|| {
            format!(
                "ends mid-startup: the last step logged is '{}'",
                self.last_step
            )
        })
    }

    /// The version of the first module that gave one.
    pub fn version(&self) -> Option<&str> {
        self.modules.iter().find_map(|m| m.version.as_deref())
    }
}

/// Whether a file's first bytes are an ANCM debug log: its first non-empty line starts with
/// `[aspnetcorev2...dll] ` or `[<RFC 3339 time>, PID: <n>] [aspnetcorev2...dll] `.
pub fn looks_like_ancm_log(head: &[u8]) -> bool {
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    head.split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .find(|l| !l.trim_ascii().is_empty())
        .is_some_and(|l| split_head(l).is_some())
}

/// The parts of an entry's first line.
struct Head<'a> {
    time: Option<Millis>,
    pid: Option<u32>,
    module: &'a [u8],
    text: &'a [u8],
}

fn split_head(line: &[u8]) -> Option<Head<'_>> {
    let (time, pid, rest) = match line.strip_prefix(b"[") {
        Some(inner) if inner.first().is_some_and(u8::is_ascii_digit) => {
            let close = memchr::memchr(b']', inner)?;
            let (stamp, pid) = parse_stamp(&inner[..close])?;
            let rest = inner.get(close + 1..)?.strip_prefix(b" ")?;
            (Some(stamp), Some(pid), rest)
        }
        _ => (None, None, line),
    };
    let inner = rest.strip_prefix(b"[")?;
    let close = memchr::memchr(b']', inner)?;
    let module = &inner[..close];
    let known = module.len() <= 64
        && module.starts_with(b"aspnetcorev2")
        && module.ends_with(b".dll")
        && module
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'_' || *b == b'.');
    if !known {
        return None;
    }
    let text = inner.get(close + 1..)?;
    let text = text.strip_prefix(b" ").unwrap_or(text);
    Some(Head {
        time,
        pid,
        module,
        text,
    })
}

/// `2024-11-23T03:46:26.012Z, PID: 64988`.
fn parse_stamp(s: &[u8]) -> Option<(Millis, u32)> {
    let comma = memchr::memchr(b',', s)?;
    let stamp = &s[..comma];
    let pid = s[comma + 1..]
        .trim_ascii()
        .strip_prefix(b"PID:")?
        .trim_ascii();
    let pid = std::str::from_utf8(pid).ok()?.parse::<u32>().ok()?;
    if stamp.len() < 20 || stamp.get(10) != Some(&b'T') {
        return None;
    }
    let days = time::parse_date(&stamp[..10])?;
    let clock = stamp[11..].strip_suffix(b"Z")?;
    let ms = time::parse_time(clock)?;
    Some((time::at(days, ms), pid))
}

fn cap(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_string()
}

/// The text between the first `'` after `key` and the next `'`.
fn quoted_after<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    let at = text.find(key)? + key.len();
    let rest = &text[at..];
    let open = rest.find('\'')?;
    let rest = &rest[open + 1..];
    let close = rest.find('\'')?;
    Some(&rest[..close])
}

/// The lower-case hex number after `key` (`0x8007023e`).
fn hex_after(text: &str, key: &str) -> Option<u64> {
    let at = text.find(key)? + key.len();
    let rest = text[at..].trim_start();
    let digits = rest
        .strip_prefix("0x")
        .or_else(|| rest.strip_prefix("0X"))?;
    let end = digits
        .find(|c: char| !c.is_ascii_hexdigit())
        .unwrap_or(digits.len());
    if end == 0 || end > 16 {
        return None;
    }
    u64::from_str_radix(&digits[..end], 16).ok()
}

/// `at D:\a\_work\1\s\src\...\HandlerResolver.cpp:70 ` -> the location.
fn location_after_at(text: &str) -> Option<String> {
    let at = text.rfind(" at ")?;
    let loc = text[at + 4..].trim();
    (!loc.is_empty()).then(|| loc.to_string())
}

/// Whether an entry starts the shutdown sequence.
fn starts_shutdown(text: &str) -> bool {
    const MARKS: &[&str] = &[
        "OnGlobalStopListening",
        "OnGlobalApplicationStop",
        "Starting shutdown sequence",
        "Stopping CLR",
        "Stopping in-process worker thread",
        "Stopping file watching",
        "Detected app_offline file",
        "Shutting down",
        "shut down process",
        "is recycled due to app_offline",
        "Recycle Process",
    ];
    MARKS.iter().any(|m| text.contains(m))
}

/// Builds sessions from entries in file order.
#[derive(Default)]
struct Sessions {
    list: Vec<AncmSession>,
    /// Where each pid's session is in `list`: a log of many processes looks up every entry's.
    index: HashMap<Option<u32>, usize>,
    /// Old format: the pid of the last `Initializing logs` line.
    current_pid: Option<u32>,
    dropped: u64,
}

impl Sessions {
    fn session(&mut self, pid: Option<u32>) -> Option<&mut AncmSession> {
        // Old-format entries after a header without a pid, or before any, share one session.
        let i = match self.index.get(&pid) {
            Some(&i) => i,
            None if self.list.len() < SESSIONS_MAX => {
                self.list.push(AncmSession {
                    pid,
                    ..AncmSession::default()
                });
                self.index.insert(pid, self.list.len() - 1);
                self.list.len() - 1
            }
            None => {
                self.dropped += 1;
                return None;
            }
        };
        self.list.get_mut(i)
    }

    fn add(&mut self, e: &AncmEntry) {
        let text = e.text.as_str();
        let header_pid = text
            .strip_prefix("Initializing logs for ")
            .and_then(|rest| rest.split("Process Id: ").nth(1))
            .and_then(|rest| {
                let end = rest
                    .find(|c: char| !c.is_ascii_digit())
                    .unwrap_or(rest.len());
                rest[..end].parse::<u32>().ok()
            });
        let pid = match e.pid {
            Some(pid) => Some(pid),
            None => {
                if header_pid.is_some() {
                    self.current_pid = header_pid;
                }
                self.current_pid
            }
        };
        let Some(s) = self.session(pid) else {
            return;
        };
        s.entries += 1;
        if let Some(t) = e.time {
            s.first = Some(s.first.map_or(t, |f| f.min(t)));
            s.last = Some(s.last.map_or(t, |l| l.max(t)));
        }
        let first_line = mask(text.lines().next().unwrap_or("").trim_end()).into_owned();
        let first_line = first_line.as_str();
        s.last_step = cap(first_line, 300);
        read_facts(s, e, text);
        if !s.shutdown.is_empty() || starts_shutdown(text) {
            push_capped(&mut s.shutdown, cap(first_line, 300));
        }
    }
}

fn push_capped<T>(list: &mut Vec<T>, item: T) {
    if list.len() < LIST_MAX {
        list.push(item);
    }
}

/// What one entry tells about its session.
fn read_facts(s: &mut AncmSession, e: &AncmEntry, text: &str) {
    if text.starts_with("Initializing logs for ") {
        let path = quoted_after(text, "Initializing logs for ")
            .unwrap_or("")
            .to_string();
        let version = text.split("File Version: ").nth(1).map(|v| {
            let v = v.trim_start();
            let end = v
                .find(|c: char| !(c.is_ascii_digit() || c == '.'))
                .unwrap_or(v.len());
            v[..end].trim_end_matches('.').to_string()
        });
        let module = e.module.clone();
        if !s
            .modules
            .iter()
            .any(|m| m.module == module && m.path == path)
        {
            push_capped(
                &mut s.modules,
                ModuleVersion {
                    module,
                    path,
                    version: version.filter(|v| !v.is_empty()),
                },
            );
        }
    }
    // The shim resolves hostfxr itself only to find the in-process handler (HandlerResolver).
    let shim_resolves = e.module == "aspnetcorev2.dll"
        && text.starts_with("Resolving hostfxr parameters")
        && s.hosting == Hosting::Unknown;
    if e.module.contains("_inprocess")
        || shim_resolves
        || text.contains("Starting in-process worker thread")
        || text.starts_with("Loading request handler:") && text.contains("aspnetcorev2_inprocess")
    {
        s.hosting = Hosting::InProcess;
    } else if e.module.contains("_outofprocess")
        || text.starts_with("Loading request handler:")
            && text.contains("aspnetcorev2_outofprocess")
    {
        s.hosting = Hosting::OutOfProcess;
    }
    if text.starts_with("Resolving hostfxr parameters for application:") {
        s.process_path = quoted_after(text, "application:").map(|t| mask(t).into_owned());
        s.arguments = quoted_after(text, "arguments:").map(|t| mask(t).into_owned());
        s.app_path = quoted_after(text, "path:").map(str::to_string);
    }
    if text.starts_with("Known dotnet.exe location:") {
        s.dotnet_known = quoted_after(text, "location:")
            .filter(|p| !p.is_empty())
            .map(str::to_string);
    }
    if text.starts_with("Process path ") {
        if text.contains("treating application as portable") && !text.contains("not dotnet") {
            s.app_kind = Some("portable".into());
        } else if let Some(at) = text.find("treating application as ") {
            s.app_kind = Some(text[at + 24..].trim().to_string());
        }
    }
    if text.starts_with("where.exe invocation returned:") {
        let list = text.split_once('\'').map(|(_, rest)| rest).unwrap_or("");
        s.dotnet_found = list
            .split(['\n', '\r'])
            .map(|p| p.trim().trim_end_matches('\''))
            .filter(|p| !p.is_empty())
            .take(LIST_MAX)
            .map(str::to_string)
            .collect();
    }
    if let Some(rest) = text.strip_prefix("Current process bitness type detected as isX64=") {
        s.is_x64 = match rest.trim() {
            "1" => Some(true),
            "0" => Some(false),
            _ => None,
        };
    }
    // `Processing entry`, then `Binary type N` (6 is 64-bit): the first entry whose bitness is
    // the worker process's is the one chosen; the others are passed over.
    if let Some(rest) = text.strip_prefix("Processing entry ") {
        s.dotnet_checking = Some(rest.trim().trim_matches('\'').to_string());
    }
    if let Some(rest) = text.strip_prefix("Binary type ")
        && let Ok(kind) = rest.trim().parse::<u32>()
        && let Some(entry) = s.dotnet_checking.take()
    {
        if s.is_x64 == Some(kind == 6) {
            s.dotnet = Some(entry);
        } else {
            push_capped(&mut s.dotnet_rejected, entry);
        }
    }
    if text.starts_with("Parsed hostfxr options:") {
        if let Some(p) = quoted_after(text, "dotnet location:").filter(|p| !p.is_empty()) {
            s.dotnet = Some(p.to_string());
        }
        if let Some(p) = quoted_after(text, "hostfxr path:").filter(|p| !p.is_empty()) {
            s.hostfxr = Some(p.to_string());
        }
    }
    if text.starts_with("hostfxr.dll found app local at ") {
        s.hostfxr = quoted_after(text, "at").map(str::to_string);
        s.hostfxr_app_local = true;
    }
    if text.contains("In-process callbacks set")
        || text.starts_with("Event Log:") && text.contains("successfully")
    {
        s.started = true;
    }
    if text.starts_with("Event Log:") {
        let body = text
            .strip_prefix("Event Log:")
            .unwrap_or(text)
            .split("\nEnd Event Log Message.")
            .next()
            .unwrap_or("")
            .trim()
            .trim_matches('\'');
        // A message over several lines is one sentence here.
        let body: Vec<&str> = body.lines().map(str::trim).collect();
        push_capped(&mut s.events, mask(&cap(&body.join(" "), 600)).into_owned());
    }
    let failed = if text.contains("Failed HRESULT returned:") {
        hex_after(text, "Failed HRESULT returned:")
    } else if text.contains("Operation failed with LastError:") {
        hex_after(text, "HR:")
    } else if text.starts_with("Throwing ResultException for HRESULT") {
        hex_after(text, "HRESULT")
    } else {
        None
    };
    if let Some(hresult) = failed {
        let location = if text.contains("Operation failed with LastError:") {
            text.split(" Operation failed")
                .next()
                .map(str::trim)
                .map(str::to_string)
        } else {
            location_after_at(text)
        };
        push_capped(
            &mut s.failures,
            Failure {
                hresult,
                location: location.map(|l| cap(&l, 300)),
                module: e.module.clone(),
                line: e.line,
            },
        );
    }
}

struct Parser<F> {
    stats: Stats,
    pending: Option<AncmEntry>,
    visit: F,
}

impl<F: FnMut(&AncmEntry)> Parser<F> {
    fn flush(&mut self) {
        if let Some(entry) = self.pending.take() {
            self.stats.records += 1;
            (self.visit)(&entry);
        }
    }
}

impl<F: FnMut(&AncmEntry)> lines::Sink for Parser<F> {
    fn line(&mut self, line: &[u8], number: u64, _unterminated: bool) {
        let Some(Head {
            time,
            pid,
            module,
            text,
        }) = split_head(line)
        else {
            // A value that spans lines (where.exe's list, `End Event Log Message.`).
            if let Some(entry) = self.pending.as_mut() {
                if entry.text.len() < TEXT_MAX {
                    entry.text.push('\n');
                    let more = String::from_utf8_lossy(line);
                    let room = TEXT_MAX - entry.text.len();
                    entry.text.push_str(&cap(more.trim_end(), room));
                }
            } else if !line.trim_ascii().is_empty() {
                self.stats.malformed(number, || {
                    "not an ASP.NET Core Module debug log line ([aspnetcorev2*.dll] text)".into()
                });
            }
            return;
        };
        self.flush();
        self.pending = Some(AncmEntry {
            time,
            pid,
            module: String::from_utf8_lossy(module).into_owned(),
            text: cap(String::from_utf8_lossy(text).trim_end(), TEXT_MAX),
            line: number,
        });
    }

    fn too_long(&mut self, number: u64) {
        self.stats.malformed(number, lines::too_long);
    }

    fn cr_only(&mut self) {
        self.stats.notes.push(lines::cr_only_note());
    }
}

/// Reads an ANCM debug log, calling `visit` for every entry in file order. Only I/O errors
/// are returned.
pub fn read_entries<R: Read>(reader: R, visit: impl FnMut(&AncmEntry)) -> io::Result<Stats> {
    let mut parser = Parser {
        stats: Stats::default(),
        pending: None,
        visit,
    };
    parser.stats.lines = lines::read(reader, lines::Start::File { skip_bom: true }, &mut parser)?;
    parser.flush();
    Ok(parser.stats)
}

/// Reads an ANCM debug log into its sessions (one per process), with a note for each that
/// stops mid-startup and for a log without times.
pub fn read_ancm<R: Read>(reader: R) -> io::Result<(Vec<AncmSession>, Stats)> {
    let mut sessions = Sessions::default();
    let mut stats = read_entries(reader, |e| sessions.add(e))?;
    for s in &sessions.list {
        if let Some(note) = s.cut_note() {
            let who = s
                .pid
                .map_or("a process".to_string(), |p| format!("process {p}"));
            stats.notes.push(format!("{who}: {note}"));
        }
    }
    if sessions.list.iter().any(|s| s.first.is_none()) {
        stats.notes.push(
            "the log has no times (ASP.NET Core Module before .NET 6): it cannot be placed in time"
                .into(),
        );
    }
    if sessions.dropped > 0 {
        stats.notes.push(format!(
            "{} entries of processes past the first {SESSIONS_MAX} not read",
            sessions.dropped
        ));
    }
    Ok((sessions.list, stats))
}
