//! `scan --save-summary` and `iisdiag merge`: a summary file holds everything a report needs,
//! so summaries written on many servers combine into the report of one scan of all their
//! logs. Counts are exact; time-taken quantiles come from histograms that merge without
//! loss, within 1 % of the true value.
//!
//! A summary file is input like a log: it may be damaged or forged. It is read only up to
//! [`MAX_FILE_BYTES`], streamed (never held as a JSON tree), with each group's lists capped
//! while they are parsed (see `capped`); a time outside the years logs may carry or a count
//! past [`MAX_COUNT`] refuses the file with the reason, and counts add up saturating.

use std::fs::File;
use std::io::{self, BufReader, Read, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::ancm::AncmSummary;
use super::config::ConfigSummary;
use super::events::{EventSummary, SavedEvents};
use super::httperr::{HttpErrSummary, SavedHttpErr};
use super::pages::{PageSummary, SavedPages};
use super::php::PhpSummary;
use super::stdout::StdoutSummary;
use super::traces::{SavedTraces, TraceSummary};
use super::w3c::{SavedW3c, W3cSummary};
use super::{Collected, FileOutcome};
use crate::error::{Error, Result};
use crate::time::{self, Millis};

/// What a summary file says it is.
pub const FORMAT: &str = "iisdiag-summary";
/// Raised when the file's shape changes in a way older readers cannot follow.
pub const VERSION: u32 = 1;
/// The largest summary file read. What a scan saves is capped per group (URLs, names,
/// breakdown entries) and grows only with the minutes and servers it covers; the farm's
/// summary is 11 KiB.
pub const MAX_FILE_BYTES: u64 = 128 << 20;
/// The largest count a summary may hold: 2^50 requests is a million a second for 35 years,
/// more than any set of logs. Sums of counts within it cannot wrap.
pub const MAX_COUNT: u64 = 1 << 50;

/// How the summarised scan was run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meta {
    /// The paths the scan was given.
    pub paths: Vec<String>,
    /// The filters, as the report header shows them.
    pub filters: Vec<String>,
    /// Whether every request was grouped (`--all`).
    pub all: bool,
}

/// What is read first, to tell a summary from other JSON before reading it whole.
#[derive(Deserialize)]
struct Header {
    format: Option<String>,
    version: Option<u64>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Document {
    format: String,
    version: u32,
    written_by: String,
    meta: Meta,
    files: Vec<FileOutcome>,
    files_out_of_range: u64,
    w3c: SavedW3c,
    httperr: SavedHttpErr,
    traces: SavedTraces,
    /// Absent from summaries written before event logs were read.
    #[serde(default)]
    events: SavedEvents,
    /// Absent from summaries written before detailed error pages were read.
    #[serde(default)]
    pages: SavedPages,
    /// Absent from summaries written before PHP error logs were read.
    #[serde(default)]
    php: PhpSummary,
    /// Absent from summaries written before configuration files were read.
    #[serde(default)]
    config: ConfigSummary,
    /// Absent from summaries written before stdout logs were read.
    #[serde(default)]
    stdout: StdoutSummary,
    /// Absent from summaries written before ASP.NET Core Module debug logs were read.
    #[serde(default)]
    ancm: AncmSummary,
}

/// Writes a run's summary as JSON.
pub fn write(out: &mut dyn Write, collected: &Collected, meta: &Meta) -> io::Result<()> {
    serde_json::to_writer(&mut *out, &document(collected, meta))?;
    writeln!(out)
}

/// A run's summary passed through `edit` as JSON and read back, as `merge` would read it
/// from a file: `--redact` rewrites every text of a summary this way, whatever its kind.
/// Fails when the edited summary is not one a scan writes.
pub fn rewrite(
    collected: &Collected,
    meta: &Meta,
    edit: impl FnOnce(&mut serde_json::Value),
) -> std::result::Result<(Collected, Meta), String> {
    let mut value = serde_json::to_value(document(collected, meta)).map_err(|e| e.to_string())?;
    edit(&mut value);
    let doc: Document = serde_json::from_value(value).map_err(|e| e.to_string())?;
    check(&doc)?;
    Ok(restore(doc))
}

fn document(collected: &Collected, meta: &Meta) -> Document {
    Document {
        format: FORMAT.to_string(),
        version: VERSION,
        written_by: format!("iisdiag {}", env!("CARGO_PKG_VERSION")),
        meta: meta.clone(),
        files: collected.files.clone(),
        files_out_of_range: collected.files_out_of_range,
        w3c: collected.w3c.save(),
        httperr: collected.httperr.save(),
        traces: collected.traces.save(),
        events: collected.events.save(),
        pages: collected.pages.save(),
        php: collected.php.save(),
        config: collected.config.save(),
        stdout: collected.stdout.save(),
        ancm: collected.ancm.save(),
    }
}

/// Reads a summary file back into what the scan collected.
pub fn read(path: &Path) -> Result<(Collected, Meta)> {
    let io = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    let bad = |message: String| Error::Usage(format!("{}: {message}", path.display()));
    let size = std::fs::metadata(path).map_err(io)?.len();
    if size > MAX_FILE_BYTES {
        return Err(bad(format!(
            "{} bytes is more than a summary file may be ({} MiB); not read",
            size,
            MAX_FILE_BYTES >> 20
        )));
    }
    // Opened for each pass, and read no further than the cap in case the file grows.
    let open = || -> Result<_> {
        let file = File::open(path).map_err(io)?;
        Ok(BufReader::new(file.take(MAX_FILE_BYTES)))
    };
    let header: Header = serde_json::from_reader(open()?).map_err(|e| {
        bad(format!(
            "not a summary written by `iisdiag scan --save-summary` (line {}: {e})",
            e.line()
        ))
    })?;
    if header.format.as_deref() != Some(FORMAT) {
        return Err(bad(
            "not a summary written by `iisdiag scan --save-summary` (no \"format\": \"iisdiag-summary\")".into(),
        ));
    }
    match header.version {
        Some(v) if v == u64::from(VERSION) => {}
        v => {
            return Err(bad(format!(
                "summary format version {} is not the one this iisdiag reads ({VERSION}); write it again with this version",
                v.map_or_else(|| "(none)".to_string(), |v| v.to_string())
            )));
        }
    }
    let doc: Document =
        serde_json::from_reader(open()?).map_err(|e| bad(format!("a damaged summary: {e}")))?;
    check(&doc).map_err(|e| bad(format!("a damaged summary: {e}; not read")))?;
    Ok(restore(doc))
}

fn restore(doc: Document) -> (Collected, Meta) {
    let collected = Collected {
        files: doc.files,
        w3c: W3cSummary::restore(doc.w3c),
        httperr: HttpErrSummary::restore(doc.httperr),
        traces: TraceSummary::restore(doc.traces),
        events: EventSummary::restore(doc.events),
        pages: PageSummary::restore(doc.pages),
        php: PhpSummary::restore(doc.php),
        config: ConfigSummary::restore(doc.config),
        stdout: StdoutSummary::restore(doc.stdout),
        ancm: AncmSummary::restore(doc.ancm),
        files_out_of_range: doc.files_out_of_range,
        // A summary keeps what was read, not the shape of the paths it was read from.
        ..Collected::default()
    };
    (collected, doc.meta)
}

/// Refuses what no scan writes: a time outside the years log dates may carry (a timeline
/// would be laid out over it), a count past [`MAX_COUNT`].
fn check(doc: &Document) -> std::result::Result<(), String> {
    let time = |what: &str, t: Option<Millis>| match t {
        Some(t) if !time::in_range(t) => Err(format!(
            "{what} {t} (ms since 1970) is outside the years {}..{}",
            time::FIRST_YEAR,
            time::LAST_YEAR
        )),
        _ => Ok(()),
    };
    let minute = |what: &str, m: i64| time(what, Some(m.saturating_mul(60_000)));
    let count = |what: &str, n: u64| {
        if n > MAX_COUNT {
            Err(format!(
                "{what} {n} is more than any logs hold (at most 2^50)"
            ))
        } else {
            Ok(())
        }
    };
    let w = &doc.w3c;
    count("requests", w.requests)?;
    count("failures", w.failures)?;
    time("first", w.first)?;
    time("last", w.last)?;
    for &(m, requests, failures) in &w.minutes {
        minute("a minute at", m)?;
        count("requests in a minute", requests)?;
        count("failures in a minute", failures)?;
    }
    count("other codes", w.other_codes)?;
    for g in &w.groups.kept {
        let code = crate::triple::Triple::new(g.status, g.substatus, g.win32);
        let what = |s: &str| format!("group {code}: {s}");
        if !code.in_range() {
            return Err(format!(
                "group {code} is not a status.substatus.win32 a log holds (status 100 to 999, win32 at most 4294967295)"
            ));
        }
        count(&what("count"), g.count)?;
        count(&what("other URLs"), g.other_urls)?;
        count(&what("other breakdown entries"), g.breakdown_other)?;
        time(&what("first seen"), g.first)?;
        time(&what("last seen"), g.last)?;
        for (_, n) in &g.urls.kept {
            count(&what("a URL's count"), *n)?;
        }
        for (_, n, _) in &g.breakdown.kept {
            count(&what("a breakdown entry's count"), *n)?;
        }
        for &(_, n) in &g.time_taken {
            count(&what("a time-taken bucket"), n)?;
        }
        for (_, minutes) in &g.minutes {
            for &(m, n) in minutes {
                minute(&what("a minute at"), m)?;
                count(&what("a minute's count"), n)?;
            }
        }
    }
    count("undated HTTP.sys records", doc.httperr.undated)?;
    for g in &doc.httperr.groups {
        let what = |s: &str| format!("HTTP.sys group {}: {s}", g.reason);
        count(&what("count"), g.count)?;
        count(&what("other URLs"), g.other_urls)?;
        time(&what("first seen"), g.first_seen)?;
        time(&what("last seen"), g.last_seen)?;
        for (_, n) in &g.urls.kept {
            count(&what("a URL's count"), *n)?;
        }
        for &(m, n) in &g.minutes {
            minute(&what("a minute at"), m)?;
            count(&what("a minute's count"), n)?;
        }
    }
    count("traces", doc.traces.traces)?;
    for g in &doc.traces.groups {
        count("a trace group's count", g.count)?;
        count("a trace group's files", g.file_count)?;
    }
    count("detailed error pages", doc.pages.pages)?;
    for g in &doc.pages.groups {
        let code = crate::triple::Triple::new(g.status, g.substatus, g.win32);
        if !code.in_range() {
            return Err(format!(
                "page group {code} is not a status.substatus.win32 a page names (status 100 to 999)"
            ));
        }
        count(&format!("page group {code}: count"), g.count)?;
        for n in g.notifications.values().chain(g.handlers.values()) {
            count(&format!("page group {code}: a name's count"), *n)?;
        }
    }
    let e = &doc.events;
    count("events", e.total)?;
    count("events past the cap", e.dropped)?;
    time("first event", e.first)?;
    time("last event", e.last)?;
    for c in &e.counts {
        count(&format!("the count of {} {}", c.provider, c.id), c.count)?;
    }
    for ev in &e.kept {
        time(&format!("event {} {}", ev.provider, ev.id), ev.time)?;
    }
    check_php(&doc.php, &time, &count)?;
    check_stdout(&doc.stdout, &time, &count)?;
    count("ASP.NET Core Module sessions in no list", doc.ancm.other)?;
    for s in &doc.ancm.sessions {
        let what = format!("an ASP.NET Core Module session of {}", s.file);
        time(&what, s.session.first)?;
        time(&what, s.session.last)?;
        count(&what, s.session.entries)?;
    }
    Ok(())
}

/// A check of one value of a summary, naming what it is.
type Check<'a, T> = &'a dyn Fn(&str, T) -> std::result::Result<(), String>;

/// The PHP part of [`check`].
fn check_php(
    p: &PhpSummary,
    time: Check<'_, Option<Millis>>,
    count: Check<'_, u64>,
) -> std::result::Result<(), String> {
    count("PHP entries in no group", p.other)?;
    count("PHP entries in local time", p.local)?;
    time("first PHP entry", p.first)?;
    time("last PHP entry", p.last)?;
    for (level, &n) in &p.levels {
        count(&format!("PHP {level} entries"), n)?;
    }
    for g in &p.groups {
        count(&format!("a PHP {} group's count", g.level), g.count)?;
        for t in [g.first, g.last, g.first_wall, g.last_wall] {
            time(&format!("a PHP {} group's time", g.level), t)?;
        }
    }
    Ok(())
}

/// The stdout-log part of [`check`].
fn check_stdout(
    s: &StdoutSummary,
    time: Check<'_, Option<Millis>>,
    count: Check<'_, u64>,
) -> std::result::Result<(), String> {
    count("stdout logs past the cap", s.other)?;
    for l in &s.logs {
        time(&format!("the start of stdout log {}", l.path), l.started)?;
        count(&format!("the lines of stdout log {}", l.path), l.lines)?;
        count(
            &format!("the failures of stdout log {}", l.path),
            l.failures,
        )?;
    }
    Ok(())
}
