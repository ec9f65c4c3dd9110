//! Reader for the ASP.NET Core Module's stdout logs: the console output of an ASP.NET Core
//! app hosted by IIS, written when `stdoutLogEnabled="true"`. The file holds whatever the app
//! printed, so the reader looks for what says why it failed: the first `Unhandled
//! exception.` block (its type, message, inner exceptions and first frame), else the first
//! `crit:` entry, else the first `fail:` entry of the console logger; and whether the app got
//! as far as `Now listening on:` / `Application started.`, or shut down.
//!
//! The file name says which process wrote it and when it started. What ANCM's source does
//! (dotnet/aspnetcore, `src/Servers/IIS/AspNetCoreModuleV2`, and the V1 module's
//! `serverprocess.cxx`):
//! - ANCM V2 writes `<stdoutLogFile>_<yyyyMMddHHmmss>_<pid>.log` (`%s_%d%02d%02d%02d%02d%02d_%d.log`,
//!   zero-padded); the time is UTC: older builds took `GetSystemTime` when redirection
//!   started, current ones the process creation time (`GetProcessTimes` turned into a
//!   `SYSTEMTIME` by `FileTimeToSystemTime`, which stays in UTC).
//! - ANCM V1 wrote `<stdoutLogFile>_<pid>_<y><M><d><H><m><s>.log` (`%s_%d_%d%d%d%d%d%d.log`,
//!   also `GetSystemTime`, UTC) with no zero padding, so `20181188824` may be 2018-11-08
//!   08:08:24 or 2018-01-18 08:08:24: the time is taken only when one reading is possible.
//!
//! Exception messages often quote a connection string: every text kept is passed through
//! [`secret::mask`] before it leaves this module.

use std::io::{self, Read};

use serde::{Deserialize, Serialize};

use crate::input::lines::{self, Stats};
use crate::input::secret;
use crate::time::{self, Millis};

/// Most bytes kept of a message; a frame or a category is cut at [`FRAME_MAX`].
pub const MESSAGE_MAX: usize = 1024;
/// Most bytes kept of a stack frame, a category or an exception type.
pub const FRAME_MAX: usize = 512;

/// The console logger's level prefixes (`Microsoft.Extensions.Logging.Console`, simple format).
const LEVELS: [&str; 6] = ["trce", "dbug", "info", "warn", "fail", "crit"];

/// What the name of a stdout log says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogName {
    /// The `stdoutLogFile` file part (`stdout`).
    pub prefix: String,
    pub pid: u32,
    /// When the process started (UTC), when the name says it unambiguously.
    pub started: Option<Millis>,
    /// `v2` (`_<time>_<pid>`) or `v1` (`_<pid>_<time>`).
    pub form: &'static str,
}

/// Reads an ANCM stdout log's file name (`stdout_20261118100102_4242.log`,
/// `stdout_7576_20181188824.log`), or `None` when it is not named like one.
pub fn parse_name(file_name: &str) -> Option<LogName> {
    let stem = file_name
        .len()
        .checked_sub(4)
        .filter(|&at| file_name.is_char_boundary(at))
        .filter(|&at| file_name[at..].eq_ignore_ascii_case(".log"))
        .map(|at| &file_name[..at])?;
    let (rest, last) = stem.rsplit_once('_')?;
    let (prefix, middle) = rest.rsplit_once('_')?;
    if prefix.is_empty() || !all_digits(middle) || !all_digits(last) {
        return None;
    }
    let pid = |s: &str| s.parse::<u32>().ok().filter(|&p| p != 0);
    if middle.len() == 14
        && let Some(started) = padded_time(middle)
    {
        return Some(LogName {
            prefix: prefix.to_string(),
            pid: pid(last)?,
            started: Some(started),
            form: "v2",
        });
    }
    if (9..=14).contains(&last.len()) {
        let readings = unpadded_times(last);
        if readings.is_empty() {
            return None;
        }
        return Some(LogName {
            prefix: prefix.to_string(),
            pid: pid(middle)?,
            started: (readings.len() == 1).then(|| readings[0]),
            form: "v1",
        });
    }
    None
}

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// `20261118100102` as a UTC time.
fn padded_time(d: &str) -> Option<Millis> {
    let n = |r: std::ops::Range<usize>| d.get(r)?.parse::<u32>().ok();
    time_of([
        n(0..4)?,
        n(4..6)?,
        n(6..8)?,
        n(8..10)?,
        n(10..12)?,
        n(12..14)?,
    ])
}

/// Every valid reading of V1's unpadded `<y><M><d><H><m><s>`.
fn unpadded_times(d: &str) -> Vec<Millis> {
    let (Some(year), Some(rest)) = (d.get(..4).and_then(|y| y.parse::<u32>().ok()), d.get(4..))
    else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut fields = [year, 0, 0, 0, 0, 0];
    split_fields(rest.as_bytes(), 1, &mut fields, &mut out);
    out.sort_unstable();
    out.dedup();
    out
}

fn split_fields(rest: &[u8], at: usize, fields: &mut [u32; 6], out: &mut Vec<Millis>) {
    if at == 6 {
        if rest.is_empty()
            && let Some(t) = time_of(*fields)
        {
            out.push(t);
        }
        return;
    }
    for width in 1..=2 {
        let Some(digits) = rest.get(..width) else {
            return;
        };
        // `%d` never writes a leading zero.
        if width == 2 && digits[0] == b'0' {
            continue;
        }
        fields[at] = digits.iter().fold(0, |n, b| n * 10 + u32::from(b - b'0'));
        split_fields(&rest[width..], at + 1, fields, out);
    }
}

fn time_of([y, mo, d, h, mi, s]: [u32; 6]) -> Option<Millis> {
    if !(2000..=2099).contains(&y) || h > 23 || mi > 59 || s > 59 {
        return None;
    }
    let date = format!("{y:04}-{mo:02}-{d:02}");
    let days = time::parse_date(date.as_bytes())?;
    Some(time::at(days, i64::from((h * 3600 + mi * 60 + s) * 1000)))
}

/// Whether a file's first bytes are console output of an ASP.NET Core app: its first
/// non-empty line is a console-logger entry (`info: Category[EventId]`) or `Unhandled
/// exception. `. For a stdout log whose name was lost.
pub fn looks_like_stdout(head: &[u8]) -> bool {
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    head.split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .find(|l| !l.trim_ascii().is_empty())
        .is_some_and(|l| {
            let l = String::from_utf8_lossy(l);
            unhandled(&l).is_some() || entry(&l).is_some_and(|(_, c)| is_category(c))
        })
}

/// `fail: Microsoft.AspNetCore.Server.Kestrel[13]` -> (`fail`, the category).
fn entry(line: &str) -> Option<(&'static str, &str)> {
    let level = LEVELS
        .iter()
        .find(|l| line.len() > 6 && line.starts_with(**l) && line[4..].starts_with(": "))?;
    Some((level, line[6..].trim()))
}

/// `Name.Space.Type[123]`.
fn is_category(c: &str) -> bool {
    let Some((name, id)) = c.strip_suffix(']').and_then(|c| c.rsplit_once('[')) else {
        return false;
    };
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'`' | b'+'))
        && all_digits(id)
}

/// What follows `Unhandled exception.` (.NET 5+) or `Unhandled Exception:` (.NET Core 2-3).
fn unhandled(line: &str) -> Option<&str> {
    line.strip_prefix("Unhandled exception.")
        .or_else(|| line.strip_prefix("Unhandled Exception:"))
        .map(str::trim)
}

/// `System.InvalidOperationException: msg` or `Microsoft.Data.Sqlite.SqliteException
/// (0x80004005): msg` -> the type and the message.
fn exception_line(text: &str) -> Option<(&str, &str)> {
    let (head, message) = match text.split_once(": ") {
        Some((h, m)) => (h, m.trim()),
        None => (text.trim_end_matches(':'), ""),
    };
    let kind = match head.split_once(" (0x") {
        Some((k, code)) if code.ends_with(')') => k,
        _ => head,
    };
    let ok = kind.contains('.')
        && !kind.starts_with('.')
        && kind
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'`' | b'+'))
        && (kind.ends_with("Exception") || kind.ends_with("Error") || !message.is_empty());
    ok.then_some((kind, message))
}

/// The first failure a log shows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failure {
    /// `unhandled`, `crit` or `fail`.
    pub form: String,
    /// The console logger's category and event id (`Microsoft.EntityFrameworkCore.Query[10100]`).
    pub category: Option<String>,
    /// The exception type (`System.InvalidOperationException`).
    pub exception: Option<String>,
    /// The exception's message, or the entry's first line when it names no exception;
    /// secrets masked.
    pub message: String,
    /// The innermost `---> Type: message`.
    pub inner: Option<String>,
    /// The first ` at ...` frame.
    pub frame: Option<String>,
    /// Where the block starts (1-based line of the file or captured text).
    pub line: u64,
}

impl Failure {
    /// `System.X: message`, or the message alone.
    pub fn text(&self) -> String {
        match &self.exception {
            Some(x) if self.message.is_empty() => x.clone(),
            Some(x) => format!("{x}: {}", self.message),
            None => self.message.clone(),
        }
    }

    fn rank(&self) -> u8 {
        match self.form.as_str() {
            "unhandled" => 0,
            "crit" => 1,
            _ => 2,
        }
    }
}

/// What one stdout log (or the captured output of an ANCM event) holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StdoutLog {
    pub lines: u64,
    /// The unhandled exception, else the first `crit:`, else the first `fail:` entry.
    pub failure: Option<Failure>,
    /// `crit:`, `fail:` and unhandled-exception blocks seen.
    pub failures: u64,
    /// The app reached `Now listening on:` or `Application started.`: it did start.
    pub listening: bool,
    /// `Application is shutting down...` was logged.
    pub shutdown: bool,
}

/// Reads stdout text line by line.
#[derive(Default)]
struct Scanner {
    log: StdoutLog,
    open: Option<Failure>,
    /// The block's message continues on the next line (an unhandled exception's message
    /// may span lines before its first frame).
    in_message: bool,
}

impl Scanner {
    fn close(&mut self) {
        self.in_message = false;
        let Some(block) = self.open.take() else {
            return;
        };
        self.log.failures += 1;
        if self
            .log
            .failure
            .as_ref()
            .is_none_or(|f| block.rank() < f.rank())
        {
            self.log.failure = Some(block);
        }
    }

    fn line(&mut self, line: &str, number: u64) {
        let trimmed = line.trim();
        if trimmed.starts_with("Now listening on:") || trimmed.starts_with("Application started.") {
            self.log.listening = true;
        }
        if trimmed.starts_with("Application is shutting down") {
            self.log.shutdown = true;
        }
        if let Some(rest) = unhandled(line) {
            self.close();
            let mut block = Failure {
                form: "unhandled".into(),
                line: number,
                ..Failure::default()
            };
            match exception_line(rest) {
                Some((kind, message)) => {
                    block.exception = Some(cap(kind, FRAME_MAX));
                    block.message = clean(message, MESSAGE_MAX);
                }
                None => block.message = clean(rest, MESSAGE_MAX),
            }
            self.in_message = true;
            self.open = Some(block);
            return;
        }
        if let Some((level, category)) = entry(line) {
            self.close();
            if matches!(level, "fail" | "crit") {
                self.open = Some(Failure {
                    form: level.into(),
                    category: Some(clean(category, FRAME_MAX)),
                    line: number,
                    ..Failure::default()
                });
            }
            return;
        }
        let indented = line.starts_with([' ', '\t']);
        let Some(block) = self.open.as_mut() else {
            return;
        };
        // .NET writes a message of several lines as it is, unindented, before the frames.
        let message_goes_on = self.in_message && block.form == "unhandled";
        if trimmed.is_empty() || !(indented || message_goes_on) {
            self.close();
            return;
        }
        if let Some(frame) = trimmed.strip_prefix("at ") {
            self.in_message = false;
            block.frame.get_or_insert_with(|| clean(frame, FRAME_MAX));
        } else if let Some(inner) = trimmed.strip_prefix("---> ") {
            self.in_message = false;
            block.inner = Some(clean(inner, MESSAGE_MAX));
        } else if trimmed.starts_with("--- End of") {
            self.in_message = false;
        } else if block.form == "unhandled" {
            if self.in_message && block.message.len() < MESSAGE_MAX {
                let joined = format!("{} {trimmed}", block.message);
                block.message = clean(joined.trim(), MESSAGE_MAX);
            }
        } else if block.exception.is_none()
            && let Some((kind, message)) = exception_line(trimmed)
            && kind.bytes().filter(|&b| b == b'.').count() >= 1
            && (kind.ends_with("Exception") || kind.ends_with("Error"))
        {
            // The exception a `fail:` entry logged: its type and message say more than the
            // entry's own first line.
            block.exception = Some(cap(kind, FRAME_MAX));
            block.message = clean(message, MESSAGE_MAX);
        } else if block.message.is_empty() {
            block.message = clean(trimmed, MESSAGE_MAX);
        }
    }

    fn finish(mut self) -> StdoutLog {
        self.close();
        self.log
    }
}

struct Sink {
    scanner: Scanner,
    stats: Stats,
}

impl lines::Sink for Sink {
    fn line(&mut self, line: &[u8], number: u64, unterminated: bool) {
        let line = line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line);
        self.scanner.line(&String::from_utf8_lossy(line), number);
        if unterminated && !line.is_empty() {
            self.stats.notes.push(format!(
                "line {number}: the last line has no line end (the process may have been stopped mid-write)"
            ));
        }
    }

    fn too_long(&mut self, number: u64) {
        self.stats.malformed(number, lines::too_long);
    }

    fn cr_only(&mut self) {
        self.stats.notes.push(lines::cr_only_note());
    }
}

/// Reads a stdout log to its end. Only I/O errors are returned.
pub fn read_stdout<R: Read>(reader: R) -> io::Result<(StdoutLog, Stats)> {
    let mut sink = Sink {
        scanner: Scanner::default(),
        stats: Stats::default(),
    };
    let lines = lines::read(reader, lines::Start::File { skip_bom: true }, &mut sink)?;
    let mut log = sink.scanner.finish();
    log.lines = lines;
    let mut stats = sink.stats;
    stats.lines = lines;
    stats.records = 1;
    Ok((log, stats))
}

/// Reads stdout text already in memory: the captured output an ANCM 1018 event carries.
pub fn scan_text(text: &str) -> StdoutLog {
    let mut scanner = Scanner::default();
    let mut lines = 0;
    for (i, line) in text.lines().enumerate() {
        lines = i as u64 + 1;
        scanner.line(line, lines);
    }
    let mut log = scanner.finish();
    log.lines = lines;
    log
}

/// Masked, cut, trimmed.
fn clean(text: &str, max: usize) -> String {
    cap(&secret::mask(text.trim()), max)
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

#[cfg(test)]
mod tests;
