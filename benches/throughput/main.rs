//! Throughput of `iisdiag scan` against `wc -l` (the floor) and, where installed, DuckDB.
//!
//! `cargo bench --bench throughput` builds realistic data once (cached by seed and size under
//! `target/bench-data/`), then for one large W3C log, the same log cut into files of 5 MiB, a
//! folder of 200 daily logs, a folder of 2,000 FREB traces, an App Service `eventlog.xml` of
//! 100 MB, an `.evtx` of 100 MB (the corpus Application log's chunks repeated; skipped
//! without the corpus), an `applicationHost.config` of 60 sites (about 1 MB; `scan` and
//! `config`, the lint, are both timed), an ASP.NET Core Module debug log of 80 MB with 100
//! stdout logs, and a folder of 5,000 detailed error pages (cases in `reader_cases.rs`), and
//! the large log's pieces in one zip and the large log as one `.gz` (`archive_cases.rs`,
//! against the same files as a folder, `unzip -p`, `pigz -dc` and `gzip -dc`):
//! checks that `scan --format json` counts exactly the requests, failures and groups (or
//! events) the generator wrote (a fast reader that is wrong shows here), and times `wc -l` and `scan` on the same files in the same run, best of a few runs with the
//! files in the page cache. It prints wall and processor seconds, MB/s, lines/s, the ratio to
//! `wc -l` and peak memory, then a summary of every case's ratio and the goal
//! (`goals.rs`). The run fails (exit 1, the case, ratio and limit named) when `scan` of the
//! single W3C log or of a W3C folder takes more than 2.5 x `wc -l`.
//!
//! Options (after `--`) or environment variables:
//! `--size SIZE` / `IISDIAG_BENCH_SIZE` (large log size, default 1GiB; suffixes KiB, MiB, GiB),
//! `--seed N` / `IISDIAG_BENCH_SEED` (default 1), `--runs N` / `IISDIAG_BENCH_RUNS` (default 3),
//! `--only file,pieces,folder,freb,eventxml,evtx,config,ancm,pages,zip,gz` /
//! `IISDIAG_BENCH_ONLY` (which cases, default all; `pieces` is the large log cut into 5 MiB
//! files, so it needs `file`; `zip` zips the pieces and `gz` gzips the large log, so they need
//! the data of those cases, cached),
//! `--threads N` (passed to `scan --threads`).
//! `generate PATH [--size SIZE] [--seed N]` only writes one log and prints its counts.

mod ancm_gen;
mod archive_cases;
mod config_gen;
mod event_gen;
mod freb_gen;
mod goals;
mod measure;
mod pages_gen;
mod reader_cases;
mod rng;
mod w3c_gen;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

use freb_gen::TraceCounts;
use measure::Measured;
use serde::Serialize;
use serde::de::DeserializeOwned;
use w3c_gen::{Counts, Layout, Spec};

const IISDIAG: &str = env!("CARGO_BIN_EXE_iisdiag");

const DAILY_FILES: u64 = 200;
const DAILY_BYTES: u64 = 5 << 20;
const TRACES: u64 = 2000;
/// The plain W3C cases' limit: scan at most this many times `wc -l` on the same files.
const W3C_LIMIT: f64 = 2.5;
const CASES: [&str; 11] = [
    "file", "pieces", "folder", "freb", "eventxml", "evtx", "config", "ancm", "pages", "zip", "gz",
];

struct Options {
    size: u64,
    seed: u64,
    runs: usize,
    cases: Vec<String>,
    threads: Option<String>,
    generate: Option<PathBuf>,
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some(measure::CHILD_FLAG) {
        return measure::child(&args[1..]);
    }
    let opts = match options(&args) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("throughput: {e}");
            return ExitCode::from(2);
        }
    };
    match run(&opts) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("throughput: {e}");
            ExitCode::FAILURE
        }
    }
}

fn options(args: &[String]) -> Result<Options, String> {
    let env = |k: &str| std::env::var(k).ok();
    let mut size = env("IISDIAG_BENCH_SIZE").unwrap_or_else(|| "1GiB".into());
    let mut seed = env("IISDIAG_BENCH_SEED").unwrap_or_else(|| "1".into());
    let mut runs = env("IISDIAG_BENCH_RUNS").unwrap_or_else(|| "3".into());
    let mut only = env("IISDIAG_BENCH_ONLY").unwrap_or_else(|| CASES.join(","));
    let mut threads = None;
    let mut generate = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = || it.next().cloned().ok_or(format!("{a} needs a value"));
        match a.as_str() {
            // `cargo bench` passes this to every bench target.
            "--bench" => {}
            "--size" => size = value()?,
            "--seed" => seed = value()?,
            "--runs" => runs = value()?,
            "--only" => only = value()?,
            "--threads" => threads = Some(value()?),
            "generate" => generate = Some(PathBuf::from(value()?)),
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    let cases: Vec<String> = only.split(',').map(|s| s.trim().to_string()).collect();
    if let Some(bad) = cases.iter().find(|c| !CASES.contains(&c.as_str())) {
        return Err(format!("unknown case `{bad}` ({})", CASES.join(", ")));
    }
    Ok(Options {
        size: parse_size(&size)?,
        seed: seed.parse().map_err(|_| format!("bad seed `{seed}`"))?,
        runs: runs
            .parse::<usize>()
            .ok()
            .filter(|&r| r > 0)
            .ok_or(format!("bad run count `{runs}`"))?,
        cases,
        threads,
        generate,
    })
}

/// `1GiB`, `500MiB`, `64KiB` or a plain byte count.
fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let (num, unit) = t
        .find(|c: char| !c.is_ascii_digit())
        .map_or((t, ""), |i| t.split_at(i));
    let mult = match unit.to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kib" | "kb" => 1 << 10,
        "m" | "mib" | "mb" => 1 << 20,
        "g" | "gib" | "gb" => 1 << 30,
        _ => return Err(format!("bad size `{s}`")),
    };
    num.parse::<u64>()
        .ok()
        .filter(|&n| n > 0)
        .map(|n| n * mult)
        .ok_or(format!("bad size `{s}`"))
}

/// Where bench data is cached: `target/bench-data`, beside the binary's profile folder.
fn data_dir() -> PathBuf {
    let exe = Path::new(IISDIAG);
    exe.parent()
        .and_then(Path::parent)
        .map_or_else(|| PathBuf::from("target"), Path::to_path_buf)
        .join("bench-data")
}

fn run(opts: &Options) -> Result<bool, String> {
    if let Some(path) = &opts.generate {
        let spec = big_spec(opts);
        let counts =
            w3c_gen::write_log(path, &spec).map_err(|e| format!("{}: {e}", path.display()))?;
        println!(
            "{}",
            serde_json::to_string_pretty(&counts).unwrap_or_default()
        );
        return Ok(true);
    }
    let dir = data_dir();
    fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    println!("{}", machine());
    let mut ok = true;
    // scan's MB/s on the large log, and on the folders to compare with it.
    let mut file_rate = None;
    let mut folder_rates = Vec::new();
    for case in &opts.cases {
        ok &= match case.as_str() {
            "file" => {
                let (ok, rate) = bench_file(opts, &dir)?;
                file_rate = Some(rate);
                ok
            }
            "pieces" => {
                let (ok, rate) = bench_pieces(opts, &dir)?;
                folder_rates.push(("the large log in 5 MiB files", rate));
                ok
            }
            "folder" => {
                let (ok, rate) = bench_folder(opts, &dir)?;
                folder_rates.push(("the 200 daily logs", rate));
                ok
            }
            "eventxml" => reader_cases::bench_event_xml(opts, &dir)?,
            "evtx" => reader_cases::bench_evtx(opts, &dir)?,
            "config" => reader_cases::bench_config(opts, &dir)?,
            "ancm" => reader_cases::bench_ancm(opts, &dir)?,
            "pages" => reader_cases::bench_pages(opts, &dir)?,
            "zip" => archive_cases::bench_zip(opts, &dir)?,
            "gz" => archive_cases::bench_gz(opts, &dir)?,
            _ => bench_freb(opts, &dir)?,
        };
    }
    if let Some(file) = file_rate {
        for (what, rate) in folder_rates {
            println!(
                "\nscan on {what}: {rate:.0} MB/s, {:.0} % of its {file:.0} MB/s on the single log",
                100.0 * rate / file.max(1e-9)
            );
        }
    }
    if !ok {
        eprintln!("throughput: scan's counts differ from the generator's (see above)");
    }
    Ok(goals::finish() & ok)
}

fn big_spec(opts: &Options) -> Spec {
    Spec {
        seed: opts.seed,
        bytes: opts.size,
        day: rng::days_from_civil(2026, 11, 18),
        // A reconfiguration a third of the way in, a restart with a custom field later.
        blocks: vec![
            (0.0, Layout::Default),
            (0.35, Layout::Extended),
            (0.7, Layout::Forwarded),
        ],
    }
}

/// Runs `make` unless `counts_path` already holds counts from an earlier run.
fn cached<T: Serialize + DeserializeOwned>(
    counts_path: &Path,
    what: &str,
    make: impl FnOnce() -> std::io::Result<T>,
) -> Result<T, String> {
    if let Some(c) = fs::read(counts_path)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
    {
        return Ok(c);
    }
    eprintln!("generating {what} ...");
    let t = std::time::Instant::now();
    let counts = make().map_err(|e| format!("generating {what}: {e}"))?;
    eprintln!("  done in {:.1} s", t.elapsed().as_secs_f64());
    let text = serde_json::to_vec_pretty(&counts).map_err(|e| e.to_string())?;
    fs::write(counts_path, text).map_err(|e| format!("{}: {e}", counts_path.display()))?;
    Ok(counts)
}

/// Says whether scan counted what was generated, and scan's MB/s.
fn bench_file(opts: &Options, dir: &Path) -> Result<(bool, f64), String> {
    let name = format!("w3c-seed{}-{}", opts.seed, opts.size);
    let path = dir.join(format!("{name}.log"));
    let counts_path = dir.join(format!("{name}.counts.json"));
    if !path.exists() {
        let _ = fs::remove_file(&counts_path);
    }
    let spec = big_spec(opts);
    let counts: Counts = cached(
        &counts_path,
        &format!("a {} W3C log", human(opts.size)),
        || w3c_gen::write_log(&path, &spec),
    )?;
    let files = vec![path.clone()];
    let title = format!(
        "one W3C log of {} ({} lines)",
        human(counts.bytes),
        counts.lines
    );
    let ok = check_w3c(opts, &files, &counts)?;
    let mut rows = compare(opts, &files, counts.bytes, counts.lines)?;
    let rate = scan_rate(&rows);
    w3c_guard("file: one W3C log", &rows);
    if let Some(duck) = duckdb(opts, &path, counts.bytes, counts.lines)? {
        rows.push(duck);
    }
    print_table(&title, &rows);
    Ok((ok, rate))
}

/// The large log cut into files of 5 MiB: the same lines as the single log, so the two differ
/// only in being many files. Says whether scan counted what was generated, and scan's MB/s.
fn bench_pieces(opts: &Options, dir: &Path) -> Result<(bool, f64), String> {
    let name = format!("w3c-seed{}-{}", opts.seed, opts.size);
    let log = dir.join(format!("{name}.log"));
    let counts_path = dir.join(format!("{name}.counts.json"));
    let folder = dir.join(format!("{name}-pieces"));
    let site = folder.join("W3SVC1");
    let pieces_path = dir.join(format!("{name}-pieces.counts.json"));
    if !site.exists() {
        let _ = fs::remove_file(&pieces_path);
    }
    let whole: Counts = fs::read(&counts_path)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .filter(|_| log.exists())
        .ok_or("the pieces are cut from the large log: run the `file` case first")?;
    let counts: Counts = cached(&pieces_path, "the large log cut into 5 MiB files", || {
        fs::create_dir_all(&site)?;
        let (lines, bytes) = w3c_gen::cut_log(&log, &site, DAILY_BYTES)?;
        Ok(Counts {
            lines,
            bytes,
            ..whole.clone()
        })
    })?;
    time_folder(
        opts,
        "pieces: the log in 5 MiB files",
        &folder,
        &site,
        &counts,
        |n| format!("the same log in {n} files"),
    )
}

/// Checks and times scan on a folder of W3C logs (`site` holds the files): whether it counted
/// what was generated, and its MB/s. `title` names the folder by its number of files.
fn time_folder(
    opts: &Options,
    case: &str,
    folder: &Path,
    site: &Path,
    counts: &Counts,
    title: impl Fn(usize) -> String,
) -> Result<(bool, f64), String> {
    let files = list_files(site)?;
    let title = format!(
        "{}, {} ({} lines)",
        title(files.len()),
        human(counts.bytes),
        counts.lines
    );
    let ok = check_w3c(opts, &[folder.to_path_buf()], counts)?;
    let rows = compare(opts, &files, counts.bytes, counts.lines)?;
    print_table(&title, &rows);
    w3c_guard(case, &rows);
    Ok((ok, scan_rate(&rows)))
}

/// Says whether scan counted what was generated, and scan's MB/s.
fn bench_folder(opts: &Options, dir: &Path) -> Result<(bool, f64), String> {
    // v2: the layouts of the large log (v1 had two of them, in other shares).
    let folder = dir.join(format!("daily-v2-seed{}", opts.seed));
    let site = folder.join("W3SVC1");
    let counts_path = dir.join(format!("daily-v2-seed{}.counts.json", opts.seed));
    if !site.exists() {
        let _ = fs::remove_file(&counts_path);
    }
    let counts: Counts = cached(&counts_path, "200 daily W3C logs of 5 MiB", || {
        fs::create_dir_all(&site)?;
        let first = rng::days_from_civil(2026, 5, 1);
        let mut total = Counts::default();
        for i in 0..DAILY_FILES {
            let day = first + i as i64;
            let (y, m, d) = rng::civil(day);
            let path = site.join(format!("u_ex{:02}{m:02}{d:02}.log", y % 100));
            // The large log's mix of field sets, a layout per stretch of days (logging gained
            // every field on day 70 and a custom field on day 140), so the two cases differ
            // in being many files of quiet days, not in what their lines hold. IIS restarted
            // mid-day every week.
            let layout = match i * 100 / DAILY_FILES {
                0..35 => Layout::Default,
                35..70 => Layout::Extended,
                _ => Layout::Forwarded,
            };
            let mut blocks = vec![(0.0, layout)];
            if i % 7 == 3 {
                blocks.push((0.5, layout));
            }
            let spec = Spec {
                seed: opts.seed.wrapping_mul(1000).wrapping_add(i),
                bytes: DAILY_BYTES,
                day,
                blocks,
            };
            total.add(&w3c_gen::write_log(&path, &spec)?);
        }
        Ok(total)
    })?;
    time_folder(
        opts,
        "folder: 200 daily logs",
        &folder,
        &site,
        &counts,
        |n| format!("{n} daily W3C logs"),
    )
}

fn bench_freb(opts: &Options, dir: &Path) -> Result<bool, String> {
    let folder = dir.join(format!("freb-seed{}", opts.seed));
    let counts_path = dir.join(format!("freb-seed{}.counts.json", opts.seed));
    if !folder.exists() {
        let _ = fs::remove_file(&counts_path);
    }
    let counts: TraceCounts = cached(&counts_path, "2,000 FREB traces", || {
        freb_gen::write_traces(&folder, opts.seed, TRACES)
    })?;
    let files = list_files(&folder)?;
    let title = format!(
        "{} FREB traces, {} ({} events, {} KB a trace)",
        counts.traces,
        human(counts.bytes),
        counts.events,
        counts.bytes / counts.traces.max(1) / 1000
    );
    let ok = check_freb(opts, &folder, &counts)?;
    let lines = wc_lines(&files).unwrap_or(0);
    let rows = compare(opts, &files, counts.bytes, lines)?;
    print_table(&title, &rows);
    goals::goal(
        "freb: 2,000 traces",
        goals::ratio(&rows, "iisdiag scan", "wc -l"),
        "wc -l",
        4.0,
    );
    Ok(ok)
}

fn list_files(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    Ok(files)
}

fn scan_args(opts: &Options, paths: &[PathBuf]) -> Vec<String> {
    let mut args: Vec<String> = ["scan", "--format", "json", "-q", "--top", "1"]
        .map(String::from)
        .to_vec();
    if let Some(t) = &opts.threads {
        args.extend(["--threads".to_string(), t.clone()]);
    }
    args.extend(paths.iter().map(|p| p.display().to_string()));
    args
}

/// Runs scan once with its output kept, for checking.
fn scan_json(opts: &Options, paths: &[PathBuf]) -> Result<serde_json::Value, String> {
    let out = Command::new(IISDIAG)
        .args(scan_args(opts, paths))
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("running {IISDIAG}: {e}"))?;
    if !out.status.success() {
        return Err(format!("iisdiag scan failed: {}", out.status));
    }
    serde_json::from_slice(&out.stdout).map_err(|e| format!("scan's JSON: {e}"))
}

/// Compares scan's totals and groups with the generator's counts; prints every difference.
fn check_w3c(opts: &Options, paths: &[PathBuf], counts: &Counts) -> Result<bool, String> {
    let json = scan_json(opts, paths)?;
    let totals = &json["totals"];
    let mut ok = true;
    let mut expect = |what: &str, got: Option<u64>, want: u64| {
        if got != Some(want) {
            println!("MISMATCH {what}: scan says {got:?}, the generator wrote {want}");
            ok = false;
        }
    };
    expect("requests", totals["requests"].as_u64(), counts.requests);
    expect("failures", totals["failures"].as_u64(), counts.failures);
    expect("malformed lines", totals["malformed_lines"].as_u64(), 0);
    let groups = json["groups"].as_array().cloned().unwrap_or_default();
    expect(
        "groups",
        Some(groups.len() as u64),
        counts.groups.len() as u64,
    );
    for (code, n) in &counts.groups {
        let got = groups
            .iter()
            .find(|g| g["code"].as_str() == Some(code))
            .and_then(|g| g["count"].as_u64());
        expect(&format!("group {code}"), got, *n);
    }
    if ok {
        println!(
            "check: scan counted {} requests, {} failures in {} groups, as generated",
            counts.requests,
            counts.failures,
            counts.groups.len()
        );
    }
    Ok(ok)
}

fn check_freb(opts: &Options, folder: &Path, counts: &TraceCounts) -> Result<bool, String> {
    let json = scan_json(opts, &[folder.to_path_buf()])?;
    let mut got = std::collections::BTreeMap::<String, u64>::new();
    for g in json["traces"].as_array().cloned().unwrap_or_default() {
        let key = format!(
            "{}.{}",
            g["status"].as_u64().unwrap_or(0),
            g["substatus"]
                .as_u64()
                .map_or("-".into(), |s| s.to_string())
        );
        *got.entry(key).or_default() += g["count"].as_u64().unwrap_or(0);
    }
    let read = json["files"].as_array().map_or(0, |f| {
        f.iter().filter(|f| f["error"].is_null()).count() as u64
    });
    let ok = got == counts.groups && read == counts.traces;
    if ok {
        println!(
            "check: scan read {} traces in {} status groups, as generated",
            counts.traces,
            got.len()
        );
    } else {
        println!(
            "MISMATCH traces: scan read {read} files, groups {got:?}; the generator wrote {} traces, {:?}",
            counts.traces, counts.groups
        );
    }
    Ok(ok)
}

/// The line count `wc -l` reports for these files.
fn wc_lines(files: &[PathBuf]) -> Result<u64, String> {
    let out = Command::new("wc")
        .arg("-l")
        .args(files)
        .output()
        .map_err(|e| format!("running wc: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .last()
        .and_then(|l| l.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| "could not read wc's output".to_string())
}

struct Row {
    tool: String,
    m: Measured,
    bytes: u64,
    lines: u64,
}

/// Times `wc -l` and `iisdiag scan` on the same files, alternating, best of `runs`.
fn compare(opts: &Options, files: &[PathBuf], bytes: u64, lines: u64) -> Result<Vec<Row>, String> {
    let file_args: Vec<String> = files.iter().map(|p| p.display().to_string()).collect();
    let mut wc_cmd = vec!["wc".to_string(), "-l".to_string()];
    wc_cmd.extend(file_args.iter().cloned());
    let mut scan_cmd = vec![IISDIAG.to_string()];
    // A folder's files are given one by one, as to wc: the same input, no walk to time.
    scan_cmd.extend(scan_args(opts, files));
    // Warm the page cache (and find out whether `wc` is there: not on Windows).
    let have_wc = match measure::run(&wc_cmd) {
        Ok(_) => true,
        Err(e) => {
            println!("(wc -l could not be run, {e}: scan is timed alone)");
            measure::run(&scan_cmd)?;
            false
        }
    };
    let mut wc = Measured::worst();
    let mut scan = Measured::worst();
    for _ in 0..opts.runs {
        if have_wc {
            wc = wc.best(measure::run(&wc_cmd)?);
        }
        scan = scan.best(measure::run(&scan_cmd)?);
    }
    let mut rows = Vec::new();
    if have_wc {
        rows.push(Row {
            tool: "wc -l".into(),
            m: wc,
            bytes,
            lines,
        });
    }
    rows.push(Row {
        tool: "iisdiag scan".into(),
        m: scan,
        bytes,
        lines,
    });
    Ok(rows)
}

/// DuckDB's CSV reader grouping the same file by status, substatus and win32, if installed.
fn duckdb(opts: &Options, path: &Path, bytes: u64, lines: u64) -> Result<Option<Row>, String> {
    if Command::new("duckdb")
        .arg("-version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_err()
    {
        println!("(duckdb is not on PATH: skipped)");
        return Ok(None);
    }
    // The columns of the default layout; lines of other layouts are read by position, as a
    // user's quick query would.
    let columns: Vec<String> = (1..=21).map(|i| format!("'c{i:02}': 'VARCHAR'")).collect();
    let sql = format!(
        "SELECT c12 AS status, c13 AS substatus, c14 AS win32, count(*) AS n \
         FROM read_csv('{}', delim=' ', header=false, comment='#', quote='', escape='', \
         null_padding=true, ignore_errors=true, strict_mode=false, auto_detect=false, \
         columns={{{}}}) \
         GROUP BY ALL ORDER BY n DESC;",
        path.display(),
        columns.join(", ")
    );
    let cmd = vec!["duckdb".to_string(), "-c".to_string(), sql];
    let mut best = Measured::worst();
    for _ in 0..opts.runs {
        best = best.best(measure::run(&cmd)?);
    }
    Ok(Some(Row {
        tool: "duckdb GROUP BY".into(),
        m: best,
        bytes,
        lines,
    }))
}

/// Records a plain W3C case's ratio to `wc -l` as a guard: the run fails past [`W3C_LIMIT`].
fn w3c_guard(case: &str, rows: &[Row]) {
    goals::guard(
        case,
        goals::ratio(rows, "iisdiag scan", "wc -l"),
        "wc -l",
        W3C_LIMIT,
    );
}

/// scan's MB/s among timed rows.
fn scan_rate(rows: &[Row]) -> f64 {
    rows.iter()
        .find(|r| r.tool == "iisdiag scan")
        .map_or(0.0, Row::mb_per_sec)
}

impl Row {
    fn mb_per_sec(&self) -> f64 {
        self.bytes as f64 / 1e6 / self.m.secs.max(1e-9)
    }
}

fn print_table(title: &str, rows: &[Row]) {
    println!("\n{title}");
    println!(
        "  {:<18} {:>9} {:>9} {:>10} {:>13} {:>9} {:>10}",
        "tool", "seconds", "cpu s", "MB/s", "lines/s", "x wc -l", "peak MiB"
    );
    let floor = rows.iter().find(|r| r.tool == "wc -l").map(|r| r.m.secs);
    for r in rows {
        let secs = r.m.secs.max(1e-9);
        let peak =
            r.m.peak_kib
                .map_or("n/a".to_string(), |k| format!("{:.1}", k as f64 / 1024.0));
        let ratio = floor.map_or("n/a".to_string(), |f| {
            format!("{:.2}", r.m.secs / f.max(1e-9))
        });
        let cpu =
            r.m.cpu_secs
                .map_or("n/a".to_string(), |c| format!("{c:.3}"));
        println!(
            "  {:<18} {:>9.3} {:>9} {:>10.0} {:>13.0} {:>9} {:>10}",
            r.tool,
            r.m.secs,
            cpu,
            r.mb_per_sec(),
            r.lines as f64 / secs,
            ratio,
            peak
        );
    }
}

fn human(bytes: u64) -> String {
    if bytes >= 1 << 30 {
        format!("{:.2} GiB", bytes as f64 / (1u64 << 30) as f64)
    } else {
        format!("{:.1} MiB", bytes as f64 / (1u64 << 20) as f64)
    }
}

/// The machine the figures come from.
fn machine() -> String {
    let cpu = fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    format!("machine: {cores} cores, {cpu}")
}
