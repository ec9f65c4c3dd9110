//! The cases of the evidence readers other than W3C and FREB: an App Service `eventlog.xml`,
//! an `.evtx`, an `applicationHost.config`, ASP.NET Core Module logs and a folder of detailed
//! error pages. Each checks that `scan --format json` read what was written, times `scan`
//! against `wc -l` on the same files and reports the ratio to the summary (no target: the
//! issue asks for a figure).

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::measure::{self, Measured};
use crate::{
    IISDIAG, Options, Row, ancm_gen, cached, compare, config_gen, event_gen, goals, human,
    list_files, pages_gen, print_table, scan_json, wc_lines,
};

/// Size of the event log cases (bytes), as in the issue that asked for them.
const EVENT_BYTES: u64 = 100_000_000;
/// Records in the corpus Application log, counted with python-evtx over all its chunks.
const APPLICATION_RECORDS: u64 = 2445;
/// The ANCM case: a debug log of 80 MB and 100 stdout logs of 200 KB, 100 MB in all.
const ANCM_DEBUG_BYTES: u64 = 80_000_000;
const STDOUT_LOGS: u64 = 100;
const STDOUT_BYTES: u64 = 200_000;
/// Sessions the ANCM reader keeps (`input::ancm::SESSIONS_MAX`); the rest are counted.
const ANCM_SESSIONS_MAX: u64 = 200;
/// Detailed error pages in the pages case.
const PAGES: u64 = 5000;

/// Reports scan's time over `wc -l`'s to the summary.
fn report_scan(case: &str, rows: &[Row]) {
    goals::report(case, goals::ratio(rows, "iisdiag scan", "wc -l"), "wc -l");
}

/// Prints the check's outcome; `got` and `want` are what scan says and what was written.
fn verdict<T: PartialEq + std::fmt::Debug>(what: &str, got: T, want: T) -> bool {
    if got == want {
        println!("check: scan read {what} {want:?}, as written");
        true
    } else {
        println!("MISMATCH {what}: scan says {got:?}, the generator wrote {want:?}");
        false
    }
}

/// An App Service `eventlog.xml` of 100 MB: says whether scan read every event generated.
pub fn bench_event_xml(opts: &Options, dir: &Path) -> Result<bool, String> {
    let name = format!("eventlog-v1-seed{}", opts.seed);
    let path = dir.join(format!("{name}.xml"));
    let counts_path = dir.join(format!("{name}.counts.json"));
    if !path.exists() {
        let _ = fs::remove_file(&counts_path);
    }
    let counts: event_gen::EventCounts =
        cached(&counts_path, "a 100 MB App Service eventlog.xml", || {
            event_gen::write_xml(&path, opts.seed, EVENT_BYTES)
        })?;
    let files = vec![path.clone()];
    let ok = check_events(opts, &path, "eventxml", counts.events)?;
    let title = format!(
        "one App Service eventlog.xml of {} ({} events, {} kinds; lines/s are events/s)",
        human(counts.bytes),
        counts.events,
        counts.by_id.len()
    );
    let rows = compare(opts, &files, counts.bytes, counts.events)?;
    print_table(&title, &rows);
    report_scan("eventxml", &rows);
    Ok(ok)
}

/// An `.evtx` of 100 MB, the corpus Application log's chunks over and over behind its file
/// header: says whether scan read every record. Skipped when the corpus is absent.
pub fn bench_evtx(opts: &Options, dir: &Path) -> Result<bool, String> {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/corpus/events/applicationevtx__Application.evtx");
    if !sample.exists() {
        println!(
            "
(the evtx case is skipped: {} is absent)",
            sample.display()
        );
        return Ok(true);
    }
    let path = dir.join("application-x100MB.evtx");
    let (bytes, copies) = event_gen::write_evtx(&path, &sample, EVENT_BYTES)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let records = copies * APPLICATION_RECORDS;
    let ok = check_events(opts, &sample, "evtx", APPLICATION_RECORDS)?
        & check_events(opts, &path, "evtx", records)?;
    let title = format!(
        "one .evtx of {} (the corpus Application log's {} chunks {copies} times, {records} records; lines/s are records/s)",
        human(bytes),
        (bytes - 4096) / 65536 / copies.max(1)
    );
    let rows = compare(opts, &[path], bytes, records)?;
    print_table(&title, &rows);
    report_scan("evtx", &rows);
    Ok(ok)
}

/// An `applicationHost.config` of 60 sites: says whether scan read every site and pool, and
/// times scan and the lint (`iisdiag config`) on it against `wc -l`.
pub fn bench_config(opts: &Options, dir: &Path) -> Result<bool, String> {
    let path = dir.join(format!("applicationHost-seed{}.config", opts.seed));
    let counts = config_gen::write_config(&path, opts.seed)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let json = scan_json(opts, std::slice::from_ref(&path))?;
    let got = (
        json["files"][0]["kind"].as_str(),
        json["files"][0]["malformed"].as_u64(),
        json["sites"].as_array().map(Vec::len),
        json["config"]["pools"].as_array().map(Vec::len),
    );
    let want = (
        Some("config"),
        Some(0),
        Some(counts.sites as usize),
        Some(counts.pools as usize),
    );
    let ok = got == want;
    if ok {
        println!(
            "check: scan read {} sites and {} pools from {}, as written",
            counts.sites,
            counts.pools,
            path.display()
        );
    } else {
        println!(
            "MISMATCH {}: scan says (kind, malformed, sites, pools) = {got:?}, the generator wrote {want:?}",
            path.display()
        );
    }
    let files = vec![path.clone()];
    let lines = wc_lines(&files).unwrap_or(0);
    let mut rows = compare(opts, &files, counts.bytes, lines)?;
    let lint = vec![
        IISDIAG.to_string(),
        "config".to_string(),
        "--format".to_string(),
        "json".to_string(),
        path.display().to_string(),
    ];
    let mut best = Measured::worst();
    for _ in 0..opts.runs {
        best = best.best(measure::run(&lint)?);
    }
    rows.push(Row {
        tool: "iisdiag config".into(),
        m: best,
        bytes: counts.bytes,
        lines,
    });
    let title = format!(
        "one applicationHost.config of {} ({} sites, {} applications, {} pools)",
        human(counts.bytes),
        counts.sites,
        counts.applications,
        counts.pools
    );
    print_table(&title, &rows);
    report_scan("config (scan)", &rows);
    goals::report(
        "config (iisdiag config)",
        goals::ratio(&rows, "iisdiag config", "wc -l"),
        "wc -l",
    );
    Ok(ok)
}

/// Whether scan read the file as `kind` with exactly `events` events and none malformed.
fn check_events(opts: &Options, path: &Path, kind: &str, events: u64) -> Result<bool, String> {
    let json = scan_json(opts, &[path.to_path_buf()])?;
    let file = &json["files"][0];
    let got = (
        file["kind"].as_str(),
        file["records"].as_u64(),
        file["malformed"].as_u64(),
    );
    if got == (Some(kind), Some(events), Some(0)) {
        println!(
            "check: scan read {events} events from {}, as written",
            path.display()
        );
        Ok(true)
    } else {
        println!(
            "MISMATCH {}: scan says (kind, events, malformed) = {got:?}, {events} {kind} events were written",
            path.display()
        );
        Ok(false)
    }
}

/// A large `aspnetcore-debug.log` (a session per worker process of a pool that recycles all
/// day, some failing to start) and 100 stdout logs: says whether scan read every entry,
/// session and log as written.
pub fn bench_ancm(opts: &Options, dir: &Path) -> Result<bool, String> {
    let folder = dir.join(format!("ancm-v1-seed{}", opts.seed));
    let debug = folder.join("aspnetcore-debug.log");
    let logs = folder.join("logs");
    let counts_path = dir.join(format!("ancm-v1-seed{}.counts.json", opts.seed));
    if !debug.exists() || !logs.exists() {
        let _ = fs::remove_file(&counts_path);
    }
    let counts: ancm_gen::AncmCounts = cached(
        &counts_path,
        "a 80 MB aspnetcore-debug.log and 100 stdout logs",
        || {
            fs::create_dir_all(&folder)?;
            let mut c = ancm_gen::write_debug_log(&debug, opts.seed, ANCM_DEBUG_BYTES)?;
            ancm_gen::write_stdout_logs(&logs, opts.seed, STDOUT_LOGS, STDOUT_BYTES, &mut c)?;
            Ok(c)
        },
    )?;
    let mut files = vec![debug.clone()];
    files.extend(list_files(&logs)?);
    let json = scan_json(opts, &files)?;
    let ok = check_ancm(&json, &counts);
    let lines = wc_lines(&files).unwrap_or(0);
    let title = format!(
        "one aspnetcore-debug.log and {} stdout logs, {} ({} entries, {} processes; lines/s are lines)",
        counts.stdout_logs,
        human(counts.bytes),
        counts.entries,
        counts.sessions
    );
    let rows = compare(opts, &files, counts.bytes, lines)?;
    print_table(&title, &rows);
    report_scan("ancm", &rows);
    Ok(ok)
}

/// Compares scan's reading of the ANCM files with what was written.
fn check_ancm(json: &Value, counts: &ancm_gen::AncmCounts) -> bool {
    let debug = &json["files"]
        .as_array()
        .and_then(|f| f.iter().find(|f| f["kind"] == "ancmdebug"))
        .cloned()
        .unwrap_or_default();
    let entries = verdict(
        "the debug log's (entries, malformed)",
        (debug["records"].as_u64(), debug["malformed"].as_u64()),
        (Some(counts.entries), Some(0)),
    );
    let sessions = verdict(
        "sessions kept",
        json["ancm_debug"]["sessions"]
            .as_array()
            .map(|s| s.len() as u64),
        Some(counts.sessions.min(ANCM_SESSIONS_MAX)),
    );
    let stdout = &json["stdout"];
    let logs = verdict(
        "stdout logs (all, failed at startup, failed after start)",
        (
            stdout["logs"].as_u64(),
            stdout["failed_at_startup"].as_u64(),
            stdout["failed_after_start"].as_u64(),
        ),
        (
            Some(counts.stdout_logs),
            Some(counts.failed_at_startup),
            Some(counts.failed_after_start),
        ),
    );
    entries & sessions & logs
}

/// A folder of 5,000 detailed error pages, as App Service keeps them in
/// `LogFiles/DetailedErrors`: says whether scan read every page into its status group.
pub fn bench_pages(opts: &Options, dir: &Path) -> Result<bool, String> {
    let folder = dir.join(format!("pages-v1-seed{}", opts.seed));
    let counts_path = dir.join(format!("pages-v1-seed{}.counts.json", opts.seed));
    if !folder.exists() {
        let _ = fs::remove_file(&counts_path);
    }
    let counts: pages_gen::PageCounts = cached(&counts_path, "5,000 detailed error pages", || {
        pages_gen::write_pages(&folder, opts.seed, PAGES)
    })?;
    let files: Vec<PathBuf> = list_files(&folder)?;
    let json = scan_json(opts, std::slice::from_ref(&folder))?;
    let ok = check_pages(&json, &counts);
    let lines = wc_lines(&files).unwrap_or(0);
    let title = format!(
        "{} detailed error pages, {} ({} KB a page, {} codes)",
        counts.pages,
        human(counts.bytes),
        counts.bytes / counts.pages.max(1) / 1000,
        counts.groups.len()
    );
    let rows = compare(opts, &files, counts.bytes, lines)?;
    print_table(&title, &rows);
    report_scan("pages", &rows);
    Ok(ok)
}

/// Compares scan's groups and files with the pages written.
fn check_pages(json: &Value, counts: &pages_gen::PageCounts) -> bool {
    let mut groups = std::collections::BTreeMap::<String, u64>::new();
    for g in json["groups"].as_array().cloned().unwrap_or_default() {
        let key = format!("{}.{}", g["status"], g["substatus"]);
        *groups.entry(key).or_default() += g["count"].as_u64().unwrap_or(0);
    }
    let read = json["files"].as_array().map_or(0, |f| {
        f.iter()
            .filter(|f| f["kind"] == "errorpage" && f["error"].is_null())
            .count() as u64
    });
    verdict("pages", read, counts.pages) & verdict("pages by status", groups, counts.groups.clone())
}
