//! `iisdiag watch` on folders the tests write to while it runs: lines appended, cut mid-write
//! and completed, files rotated, rewritten and truncated, traces appearing; `--fail-on` and
//! `--exec`; SIGINT; and the screen through a terminal. Each test waits for what it expects
//! with a deadline, not for a fixed time, so a slow machine only makes it slower.

use std::fs::{self, OpenOptions};
use std::io::{Read, Write};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[cfg(unix)]
use super::color::in_terminal;

const DEADLINE: Duration = Duration::from_secs(20);

const W3C_HEADER: &str = "#Software: Microsoft Internet Information Services 10.0\r\n#Version: 1.0\r\n#Date: 2026-11-18 10:00:00\r\n#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken\r\n";

const HTTPERR_HEADER: &str = "#Software: Microsoft HTTP API 2.0\r\n#Version: 1.0\r\n#Date: 2026-11-18 10:00:00\r\n#Fields: date time c-ip c-port s-ip s-port cs-version cs-method cs-uri sc-status s-siteid s-reason s-queuename\r\n";

fn w3c(minute: u32, second: u32, status: u16, sub: u32, win32: u32) -> String {
    format!(
        "2026-11-18 10:{minute:02}:{second:02} 10.0.0.5 GET /api/orders - 443 - 10.0.0.9 Mozilla/5.0 - {status} {sub} {win32} 120\r\n"
    )
}

fn httperr(second: u32, reason: &str) -> String {
    format!(
        "2026-11-18 10:01:{second:02} 10.0.0.9 50000 10.0.0.5 443 HTTP/1.1 GET /api/orders 503 1 {reason} OrdersPool\r\n"
    )
}

fn append(path: &Path, text: &str) {
    let mut f = OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .unwrap();
    f.write_all(text.as_bytes()).unwrap();
}

/// A running `iisdiag watch` whose standard output (a pipe) and error are collected as they
/// come.
struct Watched {
    child: Child,
    out: Arc<Mutex<String>>,
    err: Arc<Mutex<String>>,
}

fn collect(mut from: impl Read + Send + 'static) -> Arc<Mutex<String>> {
    let text = Arc::new(Mutex::new(String::new()));
    let into = Arc::clone(&text);
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = from.read(&mut buf) {
            if n == 0 {
                break;
            }
            into.lock()
                .unwrap()
                .push_str(&String::from_utf8_lossy(&buf[..n]));
        }
    });
    text
}

fn watch(args: &[&str]) -> Watched {
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("iisdiag"))
        .arg("watch")
        .args(args)
        .args(["--interval", "0.2"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let out = collect(child.stdout.take().unwrap());
    let err = collect(child.stderr.take().unwrap());
    Watched { child, out, err }
}

impl Watched {
    fn out(&self) -> String {
        self.out.lock().unwrap().clone()
    }

    /// Waits until standard output holds `text`; fails with what it holds at the deadline.
    fn wait_for(&self, text: &str) {
        let start = Instant::now();
        while start.elapsed() < DEADLINE {
            if self.out().contains(text) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!(
            "no `{text}` after {DEADLINE:?} in:\n{}\nstderr:\n{}",
            self.out(),
            self.err.lock().unwrap()
        );
    }

    /// Waits for the process to end on its own.
    fn wait_exit(&mut self) -> ExitStatus {
        let start = Instant::now();
        while start.elapsed() < DEADLINE {
            if let Some(status) = self.child.try_wait().unwrap() {
                // The output threads read to the end of the pipes.
                std::thread::sleep(Duration::from_millis(100));
                return status;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        panic!("the watch did not end:\n{}", self.out());
    }

    #[cfg(unix)]
    fn interrupt(&mut self) -> ExitStatus {
        use nix::sys::signal::{Signal, kill};
        use nix::unistd::Pid;
        kill(Pid::from_raw(self.child.id() as i32), Signal::SIGINT).unwrap();
        self.wait_exit()
    }
}

impl Drop for Watched {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn watch_shows_the_groups_of_a_log_as_it_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("u_ex26111810.log");
    let w = watch(&[dir.path().to_str().unwrap()]);
    w.wait_for("waiting for log lines: IIS writes its log buffer");
    let mut first = W3C_HEADER.to_string();
    for s in 0..10 {
        first.push_str(&w3c(0, s, 200, 0, 0));
    }
    append(&log, &first);
    w.wait_for("window 1 min: 10 requests, 0 failures");
    append(
        &log,
        &(w3c(1, 0, 502, 3, 12002) + &w3c(1, 1, 502, 3, 12002)),
    );
    w.wait_for("502.3.12002 x2 1.0/min (before -) new");
    w.wait_for("top 502.3.12002 (W3C): Bad gateway");
    append(&log, &(w3c(1, 5, 502, 3, 12002) + &w3c(1, 6, 500, 19, 13)));
    w.wait_for(
        "window 2 min: 14 requests, 4 failures | 502.3.12002 x3 1.5/min (before -) new | 500.19.13 x1 0.5/min (before -) new",
    );
}

#[cfg(unix)]
#[test]
fn watch_counts_a_cut_line_once_and_ends_with_a_summary_at_sigint() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("u_ex26111810.log");
    let mut w = watch(&[dir.path().to_str().unwrap()]);
    w.wait_for("waiting for log lines");
    let cut = w3c(0, 2, 503, 2, 0);
    append(
        &log,
        &format!("{W3C_HEADER}{}{}", w3c(0, 1, 200, 0, 0), &cut[..25]),
    );
    w.wait_for("window 1 min: 1 requests, 0 failures");
    append(&log, &cut[25..]);
    w.wait_for("window 1 min: 2 requests, 1 failures | 503.2.0 x1");
    let status = w.interrupt();
    assert!(status.success(), "{status:?}");
    let out = w.out();
    assert!(out.contains("iisdiag watch ran"), "{out}");
    assert!(
        out.contains("records: 2 request(s), 1 failure(s), log minutes 2026-11-18 10:00 to 2026-11-18 10:00 UTC"),
        "{out}"
    );
    assert!(out.contains("       1  503.2.0  W3C"), "{out}");
    assert!(!out.contains("malformed"), "{out}");
}

#[test]
fn watch_follows_a_new_file_at_the_hour() {
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("u_ex26111810.log");
    // There before the watch: read from its end.
    append(&old, &format!("{W3C_HEADER}{}", w3c(0, 0, 500, 0, 0)));
    let w = watch(&[dir.path().to_str().unwrap()]);
    w.wait_for("waiting for log lines");
    append(&old, &w3c(59, 59, 404, 0, 2));
    w.wait_for("| 404.0.2 x1");
    let next = dir.path().join("u_ex26111811.log");
    append(
        &next,
        &format!(
            "{}{}",
            W3C_HEADER.replace("10:00:00", "11:00:00"),
            w3c(0, 0, 200, 0, 0)
        )
        .replace("10:00:00 10.0", "11:00:00 10.0"),
    );
    w.wait_for("u_ex26111811.log: new file; read from its start");
    append(&next, &w3c(0, 1, 503, 0, 0).replace("10:00:01", "11:00:01"));
    w.wait_for("newest 11:00:01 UTC");
    w.wait_for("503.0.0 x1");
    // The 500 already in the old file was never counted.
    assert!(!w.out().contains("500.0.0"), "{}", w.out());
}

#[test]
fn watch_reads_an_httperr_log_again_when_it_is_truncated_and_rewritten() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("httperr1.log");
    append(
        &log,
        &format!("{HTTPERR_HEADER}{}", httperr(0, "QueueFull")),
    );
    let w = watch(&[dir.path().to_str().unwrap()]);
    w.wait_for("waiting for log lines");
    append(&log, &httperr(1, "AppOffline"));
    w.wait_for("503 AppOffline OrdersPool [HTTP.sys] x1");
    // HTTP.sys restarted: the file starts again with a new header block.
    fs::write(
        &log,
        format!(
            "{}{}",
            HTTPERR_HEADER.replace("10:00:00", "10:01:30"),
            httperr(40, "Connection_Abandoned_By_ReqQueue")
        ),
    )
    .unwrap();
    w.wait_for("httperr1.log: truncated; read from its start");
    w.wait_for("503 Connection_Abandoned_By_ReqQueue OrdersPool [HTTP.sys] x1");
}

#[test]
fn watch_reads_a_trace_that_appears() {
    let dir = tempfile::tempdir().unwrap();
    let w = watch(&[dir.path().to_str().unwrap()]);
    w.wait_for("waiting for log lines");
    fs::copy(
        super::repo("testdata/freb/fr000101.xml"),
        dir.path().join("fr000101.xml"),
    )
    .unwrap();
    w.wait_for("trace fr000101.xml: 502.3.");
    w.wait_for("[trace] x1");
}

#[test]
fn watch_fail_on_exits_with_code_1_the_first_time_it_holds() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("u_ex26111810.log");
    let mut w = watch(&[dir.path().to_str().unwrap(), "--fail-on", "502.3>2"]);
    w.wait_for("waiting for log lines");
    append(
        &log,
        &format!(
            "{W3C_HEADER}{}{}",
            w3c(0, 0, 502, 3, 12002),
            w3c(0, 1, 502, 3, 12002)
        ),
    );
    w.wait_for("502.3.12002 x2");
    assert!(w.child.try_wait().unwrap().is_none(), "{}", w.out());
    append(&log, &w3c(0, 2, 502, 3, 12002));
    let status = w.wait_exit();
    assert_eq!(status.code(), Some(1), "{}", w.out());
    let err = w.err.lock().unwrap().clone();
    assert!(
        err.contains(
            "iisdiag: --fail-on 502.3>2 holds: 3 failure(s) in the last 1 min (502.3.12002 x3)"
        ),
        "{err}"
    );
    assert!(w.out().contains("iisdiag watch ran"), "{}", w.out());
}

#[cfg(unix)]
#[test]
fn watch_exec_runs_the_command_and_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("logs");
    fs::create_dir(&logs).unwrap();
    let paged = dir.path().join("paged");
    let command = format!(
        "printf '%s %s' \"$IISDIAG_FAIL_ON\" \"$IISDIAG_COUNT\" > '{}'",
        paged.display()
    );
    let w = watch(&[
        logs.to_str().unwrap(),
        "--fail-on",
        "5xx",
        "--exec",
        &command,
    ]);
    w.wait_for("waiting for log lines");
    append(
        &logs.join("u_ex26111810.log"),
        &format!("{W3C_HEADER}{}", w3c(0, 0, 500, 0, 0)),
    );
    w.wait_for("--fail-on 5xx holds: 1 failure(s) in the last 1 min (500.0.0 x1); ran --exec");
    let start = Instant::now();
    while !paged.exists() && start.elapsed() < DEADLINE {
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(fs::read_to_string(&paged).unwrap(), "5xx 1");
    let mut w = w;
    assert!(w.child.try_wait().unwrap().is_none(), "{}", w.out());
}

#[cfg(unix)]
#[test]
fn watch_redraws_a_screen_in_a_terminal_with_the_waiting_note() {
    let dir = tempfile::tempdir().unwrap();
    let Some(screen) = in_terminal(
        &[
            "watch",
            dir.path().to_str().unwrap(),
            "--interval",
            "0.2",
            "--for",
            "1s",
        ],
        &[],
    ) else {
        return;
    };
    assert!(screen.matches("\x1b[H\x1b[2J").count() >= 3, "{screen:?}");
    assert!(
        screen.contains(
            "waiting for log lines: IIS writes its log buffer to disk every 60 s or each 64 KB"
        ),
        "{screen:?}"
    );
    assert!(screen.contains("iisdiag watch ran"), "{screen:?}");
}

#[cfg(unix)]
#[test]
fn watch_screen_shows_the_groups_and_explains_the_top_one() {
    let dir = tempfile::tempdir().unwrap();
    append(
        &dir.path().join("u_ex26111810.log"),
        &format!(
            "{W3C_HEADER}{}{}{}",
            w3c(0, 0, 200, 0, 0),
            w3c(0, 1, 502, 3, 12002),
            w3c(0, 2, 502, 3, 12002)
        ),
    );
    let Some(screen) = in_terminal(
        &[
            "watch",
            dir.path().to_str().unwrap(),
            "--from-start",
            "--interval",
            "0.2",
            "--for",
            "1s",
        ],
        &[("NO_COLOR", "1")],
    ) else {
        return;
    };
    let last = screen.rsplit("\x1b[H\x1b[2J").nth(1).unwrap_or_default();
    assert!(
        last.contains("in the window: 3 request(s), 2 failure(s)"),
        "{last:?}"
    );
    assert!(last.contains("502.3.12002  W3C"), "{last:?}");
    assert!(last.contains("NEW"), "{last:?}");
    assert!(
        last.contains("Likely cause: The proxy inside IIS gave up"),
        "{last:?}"
    );
    assert!(!last.contains("waiting for log lines"), "{last:?}");
    assert!(!last.contains("\x1b[1m"), "{last:?}");
    // In colour: the new mark in bold red, the 5xx code red.
    let coloured = in_terminal(
        &[
            "watch",
            dir.path().to_str().unwrap(),
            "--from-start",
            "--interval",
            "0.2",
            "--for",
            "1s",
        ],
        &[],
    )
    .unwrap();
    assert!(coloured.contains("NEW\x1b[0m"), "{coloured:?}");
}

#[test]
fn watch_refuses_a_bad_interval_and_a_path_that_does_not_exist() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(assert_cmd::cargo::cargo_bin("iisdiag"))
        .args(["watch", dir.path().to_str().unwrap(), "--interval", "0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("invalid value `0` for --interval"), "{err}");
    let out = Command::new(assert_cmd::cargo::cargo_bin("iisdiag"))
        .args(["watch", "/no/such/iisdiag/logs", "--for", "1s"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no such file or folder to watch: /no/such/iisdiag/logs"),
        "{err}"
    );
}
