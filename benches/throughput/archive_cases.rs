//! The compressed cases: the large log's 5 MiB pieces in one zip, and the large log as one
//! `.gz`, both at deflate level 6 (what `zip` and `gzip` do by default). Each checks that
//! `scan --format json` counts what the generator wrote, and times scan against the tool a
//! user would otherwise reach for in the same run: the zip against the same files as a folder
//! (the goal: at most 2 x) and `unzip -p`; the `.gz` against `pigz -dc` (the goal: at most
//! 0.7 x) and `gzip -dc`. A case whose tools (`zip`, `gzip`) are missing is skipped with a
//! message; a missing reference tool leaves its row out.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::measure::{self, Measured};
use crate::w3c_gen::Counts;
use crate::{IISDIAG, Options, Row, check_w3c, goals, human, print_table, scan_args};

/// The counts of the large log (`file` case) and of its pieces (`pieces` case), which these
/// cases compress; the pieces' folder.
fn sources(opts: &Options, dir: &Path) -> Result<(PathBuf, Counts, PathBuf, Counts), String> {
    let name = format!("w3c-seed{}-{}", opts.seed, opts.size);
    let read = |counts: &str, data: &Path| -> Option<Counts> {
        fs::read(dir.join(counts))
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .filter(|_| data.exists())
    };
    let log = dir.join(format!("{name}.log"));
    let pieces = dir.join(format!("{name}-pieces"));
    let whole = read(&format!("{name}.counts.json"), &log)
        .ok_or("the archive cases compress the large log: run the `file` case first")?;
    let cut = read(
        &format!("{name}-pieces.counts.json"),
        &pieces.join("W3SVC1"),
    )
    .ok_or("the zip case zips the large log's pieces: run the `pieces` case first")?;
    Ok((log, whole, pieces, cut))
}

/// Whether `program` runs (`--version`-like `probe` arguments, output dropped).
fn installed(program: &str, probe: &str) -> bool {
    Command::new(program)
        .arg(probe)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
}

/// Runs `make` to write `path` through a temporary name, unless `path` is already there.
fn cached_file(
    path: &Path,
    what: &str,
    make: impl FnOnce(&Path) -> Result<(), String>,
) -> Result<(), String> {
    if path.exists() {
        return Ok(());
    }
    eprintln!("generating {what} ...");
    let t = std::time::Instant::now();
    let partial = path.with_extension("partial");
    let _ = fs::remove_file(&partial);
    make(&partial)?;
    fs::rename(&partial, path).map_err(|e| format!("{}: {e}", path.display()))?;
    eprintln!("  done in {:.1} s", t.elapsed().as_secs_f64());
    Ok(())
}

/// Runs a shell-free command to completion, failing with its name.
fn status(cmd: &mut Command) -> Result<(), String> {
    let what = format!("{cmd:?}");
    match cmd.status() {
        Ok(s) if s.success() => Ok(()),
        Ok(s) => Err(format!("{what} failed: {s}")),
        Err(e) => Err(format!("{what}: {e}")),
    }
}

/// `iisdiag scan` on `paths` as a command line.
fn scan_cmd(opts: &Options, paths: &[PathBuf]) -> Vec<String> {
    let mut cmd = vec![IISDIAG.to_string()];
    cmd.extend(scan_args(opts, paths));
    cmd
}

/// Times each of `cmds` (tool name, command line), alternating, best of `runs`, after one
/// run each to warm the page cache.
fn time_all(opts: &Options, cmds: &[(String, Vec<String>)]) -> Result<Vec<Measured>, String> {
    for (_, cmd) in cmds {
        measure::run(cmd)?;
    }
    let mut best: Vec<Measured> = cmds.iter().map(|_| Measured::worst()).collect();
    for _ in 0..opts.runs {
        for (b, (_, cmd)) in best.iter_mut().zip(cmds) {
            *b = std::mem::replace(b, Measured::worst()).best(measure::run(cmd)?);
        }
    }
    Ok(best)
}

fn rows_of(cmds: &[(String, Vec<String>)], times: Vec<Measured>, counts: &Counts) -> Vec<Row> {
    cmds.iter()
        .zip(times)
        .map(|((tool, _), m)| Row {
            tool: tool.clone(),
            m,
            bytes: counts.bytes,
            lines: counts.lines,
        })
        .collect()
}

/// The pieces zipped at level 6: says whether scan counted what was generated.
pub fn bench_zip(opts: &Options, dir: &Path) -> Result<bool, String> {
    if !installed("zip", "-v") {
        println!("\n(the zip case is skipped: `zip` is not on PATH)");
        return Ok(true);
    }
    let (_, _, pieces, counts) = sources(opts, dir)?;
    let zip = dir.join(format!("w3c-seed{}-{}-pieces.zip", opts.seed, opts.size));
    cached_file(&zip, "the large log's pieces zipped at level 6", |out| {
        status(
            Command::new("zip")
                .args(["-6", "-q", "-r"])
                .arg(out)
                .arg("W3SVC1")
                .current_dir(&pieces),
        )?;
        // zip adds `.zip` to a name without it.
        let written = PathBuf::from(format!("{}.zip", out.display()));
        if written.exists() {
            fs::rename(&written, out).map_err(|e| format!("{}: {e}", out.display()))?;
        }
        Ok(())
    })?;
    let ok = check_w3c(opts, std::slice::from_ref(&zip), &counts)?;
    let members = fs::read_dir(pieces.join("W3SVC1")).map_or(0, Iterator::count);
    let mut cmds = vec![
        (
            "iisdiag scan".to_string(),
            scan_cmd(opts, std::slice::from_ref(&zip)),
        ),
        ("scan, folder".to_string(), scan_cmd(opts, &[pieces])),
    ];
    if installed("unzip", "-v") {
        let unzip = [
            "unzip".to_string(),
            "-p".to_string(),
            zip.display().to_string(),
        ];
        cmds.push(("unzip -p".to_string(), unzip.to_vec()));
    } else {
        println!("(unzip is not on PATH: its row is left out)");
    }
    let rows = rows_of(&cmds, time_all(opts, &cmds)?, &counts);
    let zip_len = fs::metadata(&zip).map_or(0, |m| m.len());
    print_table(
        &format!(
            "the large log's {} in one zip of {} (level 6; MB/s of the logs' bytes)",
            human(counts.bytes),
            human(zip_len)
        ),
        &rows,
    );
    goals::goal(
        &format!("zip: {members} logs"),
        goals::ratio(&rows, "iisdiag scan", "scan, folder"),
        "the same files as a folder",
        2.0,
    );
    goals::report(
        "zip: against unzip -p",
        goals::ratio(&rows, "iisdiag scan", "unzip -p"),
        "unzip -p",
    );
    Ok(ok)
}

/// The large log gzipped at level 6: says whether scan counted what was generated.
pub fn bench_gz(opts: &Options, dir: &Path) -> Result<bool, String> {
    if !installed("gzip", "--version") {
        println!("\n(the gz case is skipped: `gzip` is not on PATH)");
        return Ok(true);
    }
    let (log, counts, _, _) = sources(opts, dir)?;
    let gz = dir.join(format!("w3c-seed{}-{}.log.gz", opts.seed, opts.size));
    cached_file(&gz, "the large log gzipped at level 6", |out| {
        let file = fs::File::create(out).map_err(|e| format!("{}: {e}", out.display()))?;
        status(
            Command::new("gzip")
                .args(["-6", "-c"])
                .arg(&log)
                .stdout(file),
        )
    })?;
    let ok = check_w3c(opts, std::slice::from_ref(&gz), &counts)?;
    let path = gz.display().to_string();
    let mut cmds = vec![(
        "iisdiag scan".to_string(),
        scan_cmd(opts, std::slice::from_ref(&gz)),
    )];
    for tool in ["pigz", "gzip"] {
        if installed(tool, "--version") {
            let cmd = vec![tool.to_string(), "-dc".to_string(), path.clone()];
            cmds.push((format!("{tool} -dc"), cmd));
        } else {
            println!("({tool} is not on PATH: its row is left out)");
        }
    }
    let rows = rows_of(&cmds, time_all(opts, &cmds)?, &counts);
    let gz_len = fs::metadata(&gz).map_or(0, |m| m.len());
    print_table(
        &format!(
            "the large log of {} as one .gz of {} (level 6; MB/s of the log's bytes)",
            human(counts.bytes),
            human(gz_len)
        ),
        &rows,
    );
    goals::goal(
        "gz: one log",
        goals::ratio(&rows, "iisdiag scan", "pigz -dc"),
        "pigz -dc",
        0.7,
    );
    goals::report(
        "gz: against gzip -dc",
        goals::ratio(&rows, "iisdiag scan", "gzip -dc"),
        "gzip -dc",
    );
    Ok(ok)
}
