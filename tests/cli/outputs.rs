//! Issue 15, item 3: the files iisdiag writes. Only a regular file is ever replaced; a pipe
//! is written to in place, a symbolic link kept; an output folder that cannot take the file
//! is refused before any log is read; an interrupted run leaves no `.part` file behind.

#![cfg(unix)]

use std::fs;
use std::os::unix::fs::{FileTypeExt, symlink};
use std::path::Path;
use std::time::{Duration, Instant};

use super::*;

fn part_files(dir: &Path) -> Vec<String> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".part"))
        .collect()
}

#[test]
fn force_onto_a_pipe_writes_to_it_and_keeps_it() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("summary.csv");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    // The reader: it gets what iisdiag writes, once iisdiag opens the pipe and closes it.
    let reading = fifo.clone();
    let reader = std::thread::spawn(move || fs::read_to_string(reading).unwrap());
    let out = iisdiag()
        .args(["scan", "--force", "--csv"])
        .arg(&fifo)
        .arg(repo("testdata/farm"))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let kind = fs::symlink_metadata(&fifo).unwrap().file_type();
    assert!(kind.is_fifo(), "the pipe was replaced: {kind:?}");
    let text = reader.join().unwrap();
    assert!(text.starts_with("status,substatus,win32,"), "{text}");
    assert_eq!(part_files(dir.path()), Vec::<String>::new());
}

#[test]
fn force_onto_a_symlink_keeps_the_link_and_writes_its_target() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("real.csv");
    let link = dir.path().join("link.csv");
    fs::write(&target, "old\n").unwrap();
    symlink(&target, &link).unwrap();
    let run = |force: bool| {
        let mut cmd = iisdiag();
        cmd.args(["scan", "--csv"])
            .arg(&link)
            .arg(repo("testdata/farm"));
        if force {
            cmd.arg("--force");
        }
        cmd.output().unwrap()
    };
    let out = run(false);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("symbolic link") && stderr.contains("--force"),
        "{stderr}"
    );
    assert_eq!(fs::read_to_string(&target).unwrap(), "old\n");

    let out = run(true);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(fs::read_to_string(&target).unwrap().starts_with("status,"));

    // A link to nothing: no file is made where it points.
    let dangling = dir.path().join("dangling.csv");
    symlink(dir.path().join("nowhere/x.csv"), &dangling).unwrap();
    let out = iisdiag()
        .args(["scan", "--force", "--csv"])
        .arg(&dangling)
        .arg(repo("testdata/farm"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("symbolic link to nothing"));
}

#[test]
fn a_missing_output_folder_is_refused_before_the_logs_are_read() {
    let dir = tempfile::tempdir().unwrap();
    for flag in ["--csv", "--html", "--export-requests", "--save-summary"] {
        let target = dir.path().join("no/such/folder/out.file");
        let out = iisdiag()
            .args(["scan", flag])
            .arg(&target)
            .arg(repo("testdata"))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{flag}: {stderr}");
        // testdata holds files iisdiag skips with a message once they are read: none is.
        assert_eq!(stderr.lines().count(), 1, "{flag}: {stderr}");
        assert!(stderr.contains("does not exist"), "{flag}: {stderr}");
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn an_interrupted_run_leaves_no_part_file() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("u_ex261118.log");
    let mut text = String::from(
        "#Fields: date time cs-uri-stem cs-uri-query c-ip cs(User-Agent) sc-status sc-substatus sc-win32-status\n",
    );
    for i in 0..300_000 {
        text.push_str(&format!(
            "2026-11-18 10:{:02}:{:02} /api/orders/{i} q={i} 10.0.0.{} Mozilla/5.0+(Windows+NT+10.0) 500 0 0\n",
            (i / 60) % 60,
            i % 60,
            i % 250
        ));
    }
    fs::write(&log, text).unwrap();
    let out_dir = dir.path().join("out");
    fs::create_dir(&out_dir).unwrap();
    // Interrupt the run while the export's temporary file exists; a run that is quicker
    // than the poll is tried again.
    for _ in 0..5 {
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("iisdiag"))
            .args(["scan", "-q", "--force", "--export-requests"])
            .arg(out_dir.join("requests.csv"))
            .arg(&log)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let started = Instant::now();
        let mut interrupted = false;
        while started.elapsed() < Duration::from_secs(120) {
            if child.try_wait().unwrap().is_some() {
                break;
            }
            // The export being written (the check before the reading makes an empty one).
            let writing = part_files(&out_dir)
                .iter()
                .any(|n| fs::metadata(out_dir.join(n)).is_ok_and(|m| m.len() > 0));
            if writing {
                let sent = std::process::Command::new("kill")
                    .args(["-INT", &child.id().to_string()])
                    .status()
                    .unwrap();
                interrupted = sent.success();
                break;
            }
            std::thread::sleep(Duration::from_micros(200));
        }
        let status = child.wait().unwrap();
        // Finished before the signal came: try again.
        if !interrupted || status.success() {
            continue;
        }
        assert_eq!(status.code(), Some(130), "{status:?}");
        assert_eq!(part_files(&out_dir), Vec::<String>::new());
        return;
    }
    skip_unless_ci("the export was written before the test could interrupt it");
}
