//! `iisdiag watch`: follow logs as IIS writes them, keep the failure groups of the last
//! minutes, and show them: a screen redrawn every interval on a terminal, a line appended when
//! anything changed otherwise. `--fail-on` exits (or runs `--exec`) the first time a condition
//! holds; Ctrl-C, or the end of `--for`, ends with a summary of the whole run.

use std::collections::VecDeque;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Child, Command};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::cli::WatchArgs;
use crate::error::{EXIT_MATCHED, EXIT_OK, Error, Result};
use crate::explain::httperr::is_benign;
use crate::explain::watch::{Said, say};
use crate::filter::{self, FailOn};
use crate::guard;
use crate::input::follow::{Follower, Notice, Seen};
use crate::kb::Kb;
use crate::report::paint::Paint;
use crate::report::watch::{self as show, Frame};
use crate::summary::window::{Key, View, Window};
use crate::time::{self, Millis};

/// How often files are read when the interval is longer.
const POLL: Duration = Duration::from_millis(500);
/// Recent events the screen shows.
const RECENT: usize = 6;
/// Clear the screen and go home: the redraw of a terminal.
const CLEAR: &str = "\x1b[H\x1b[2J";

/// Everything `watch` needs, settled.
#[derive(Debug, Clone)]
pub struct Options {
    pub paths: Vec<PathBuf>,
    pub interval: Duration,
    pub window: u32,
    pub before: u32,
    pub fail_on: Vec<FailOn>,
    pub exec: Option<String>,
    pub from_start: bool,
    pub run_for: Option<Duration>,
    pub top: usize,
    pub rules: Option<PathBuf>,
    /// Standard output is a terminal: redraw a screen; else append lines.
    pub screen: bool,
    pub width: u16,
    /// Colour on the screen.
    pub color: bool,
}

impl TryFrom<WatchArgs> for Options {
    type Error = Error;

    fn try_from(a: WatchArgs) -> Result<Options> {
        let interval = a
            .interval
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|s| s.is_finite() && (0.05..=3600.0).contains(s))
            .ok_or_else(|| Error::BadOption {
                flag: "--interval",
                value: a.interval.clone(),
                reason: "expected seconds between 0.05 and 3600: 2, 0.5".into(),
            })?;
        let fail_on = a
            .fail_on
            .iter()
            .map(|c| FailOn::parse(c))
            .collect::<Result<Vec<_>>>()?;
        let run_for = a
            .run_for
            .as_deref()
            .map(|v| filter::parse_duration_ms("--for", v).map(Duration::from_millis))
            .transpose()?;
        Ok(Options {
            paths: if a.paths.is_empty() {
                crate::input::defaults::default_paths()?
            } else {
                a.paths
            },
            interval: Duration::from_secs_f64(interval),
            window: a.window,
            before: a.before,
            fail_on,
            exec: a.exec,
            from_start: a.from_start,
            run_for,
            top: a.top.max(1),
            rules: a.rules,
            screen: false,
            width: 120,
            color: false,
        })
    }
}

/// The clock, in the logs' unit.
fn now_ms() -> Millis {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// `2026-11-18T10:00:02Z`, for the lines appended.
fn stamp(t: Millis) -> String {
    time::format_rfc3339(t - t % 1000)
}

/// What the run has seen, besides the window.
struct Watch<'k> {
    kb: &'k Kb,
    window: Window,
    newest: Option<Millis>,
    /// Recent events, timed, for the screen.
    recent: VecDeque<String>,
    /// Lines to append before the next one (files, traces), for a pipe.
    pending: Vec<String>,
}

impl Watch<'_> {
    fn see(&mut self, seen: Seen<'_>) {
        let fallback = self.newest.unwrap_or_else(now_ms);
        match seen {
            Seen::W3c(r) => {
                let t = r.time.unwrap_or(fallback);
                self.arrived(t);
                let key = r.triple.filter(|t| t.is_failure()).map(Key::W3c);
                self.window.add(t.div_euclid(60_000), true, key.as_ref());
            }
            Seen::HttpErr(r) => {
                let t = r.time.unwrap_or(fallback);
                self.arrived(t);
                let reason = String::from_utf8_lossy(r.reason);
                // Housekeeping and client noise (idle connections closed) is no failure.
                let key = (!is_benign(self.kb, &reason)).then(|| Key::HttpSys {
                    status: r.status,
                    reason: reason.as_ref().into(),
                    queue: if r.queue.is_empty() {
                        "-".into()
                    } else {
                        String::from_utf8_lossy(r.queue).as_ref().into()
                    },
                });
                self.window
                    .add(t.div_euclid(60_000), r.status.is_some(), key.as_ref());
            }
            Seen::Trace(trace, path) => {
                let t = trace.start.unwrap_or(fallback);
                self.arrived(t);
                let triple = trace.triple();
                let name = path.file_name().map_or_else(
                    || path.display().to_string(),
                    |n| n.to_string_lossy().into_owned(),
                );
                let module = trace
                    .error_module()
                    .map(|m| format!(", {}", guard::terminal(m)))
                    .unwrap_or_default();
                let taken = trace
                    .time_taken_ms
                    .map(|ms| format!(", {ms} ms"))
                    .unwrap_or_default();
                self.event(format!(
                    "trace {}: {triple} {} {}{module}{taken}",
                    guard::terminal(&name),
                    guard::terminal_cut(&trace.verb, 10, "…"),
                    guard::terminal_cut(&trace.url, 120, "…"),
                ));
                if triple.is_failure() {
                    self.window
                        .add(t.div_euclid(60_000), false, Some(&Key::Trace(triple)));
                }
            }
        }
    }

    fn arrived(&mut self, t: Millis) {
        self.newest = Some(self.newest.map_or(t, |n| n.max(t)));
    }

    fn event(&mut self, text: String) {
        let line = format!("{} {text}", stamp(now_ms()));
        self.pending.push(line.clone());
        if self.recent.len() == RECENT {
            self.recent.pop_front();
        }
        self.recent.push_back(line);
    }

    fn notice(&mut self, n: &Notice) {
        let path = n.path.display().to_string();
        self.event(format!(
            "file {}: {}",
            guard::terminal(&path),
            guard::terminal(&n.text)
        ));
    }
}

/// One `--fail-on` condition and whether it held at the last look.
struct Condition {
    fail_on: FailOn,
    held: bool,
}

/// The failures of the window that count toward a condition: the W3C and HTTP.sys groups,
/// and the trace groups only when no W3C log is followed (a trace stands for a request the
/// W3C log also has), as `scan --fail-on` counts.
fn matching(view: &View, fail_on: &FailOn, traces_count: bool) -> (u64, Vec<String>) {
    let mut count = 0;
    let mut groups = Vec::new();
    for g in &view.groups {
        if matches!(g.key, Key::Trace(_)) && !traces_count {
            continue;
        }
        let Some((status, sub, win32)) = g.key.code() else {
            continue;
        };
        if fail_on.counts(status, sub, win32) {
            count += g.count;
            groups.push(format!("{} x{}", show::label(&g.key), g.count));
        }
    }
    (count, groups)
}

/// Runs the watch until Ctrl-C, the end of `--for`, or a `--fail-on` condition without
/// `--exec`.
pub fn run(opts: &Options, out: &mut dyn Write, err: &mut dyn Write) -> Result<i32> {
    let kb = Kb::with_optional_rules(opts.rules.as_deref())?;
    let missing = super::missing(&opts.paths);
    if !missing.is_empty() {
        return Err(Error::Usage(format!(
            "no such file or folder to watch: {}",
            missing.join(", ")
        )));
    }
    let stop = Arc::new(AtomicBool::new(false));
    {
        let stop = Arc::clone(&stop);
        if let Err(e) = ctrlc::set_handler(move || stop.store(true, Ordering::SeqCst)) {
            super::say(
                err,
                format_args!(
                    "iisdiag: warning: Ctrl-C will end the watch without its summary ({e})"
                ),
            );
        }
    }
    let paths: Vec<String> = opts.paths.iter().map(|p| p.display().to_string()).collect();
    let mut follower = Follower::new(opts.paths.clone(), opts.from_start);
    let mut watch = Watch {
        kb: &kb,
        window: Window::new(opts.window, opts.before),
        newest: None,
        recent: VecDeque::new(),
        pending: Vec::new(),
    };
    let mut conditions: Vec<Condition> = opts
        .fail_on
        .iter()
        .map(|f| Condition {
            fail_on: f.clone(),
            held: false,
        })
        .collect();
    let mut children: Vec<Child> = Vec::new();
    let started = Instant::now();
    let started_ms = now_ms();
    let poll = opts.interval.min(POLL);
    let mut next_show = Instant::now();
    let mut last_line = String::new();
    let mut last_top: Option<Key> = None;
    let mut code = EXIT_OK;
    let write = |e: std::io::Error| Error::Output(e);
    loop {
        let notices = follower.poll(&mut |seen| watch.see(seen));
        for n in &notices {
            watch.notice(n);
        }
        let view = watch.window.view();
        let counts = follower.counts();
        // Conditions: a condition that starts to hold runs the command, or ends the watch.
        let mut ended_by: Option<String> = None;
        for c in &mut conditions {
            let (count, groups) = matching(&view, &c.fail_on, counts.w3c == 0);
            let holds = c.fail_on.exceeded(count, view.requests);
            if holds && !c.held {
                let what = format!(
                    "--fail-on {} holds: {count} failure(s) in the last {} min ({})",
                    c.fail_on.text(),
                    view.minutes,
                    groups.join(", ")
                );
                match &opts.exec {
                    Some(command) => match spawn(command, c.fail_on.text(), count, &groups) {
                        Ok(child) => {
                            children.push(child);
                            watch.event(format!("{what}; ran --exec"));
                        }
                        Err(e) => watch.event(format!("{what}; --exec failed to start: {e}")),
                    },
                    None => {
                        watch.event(what.clone());
                        ended_by = Some(what);
                    }
                }
            }
            c.held = holds;
        }
        children.retain_mut(|c| !matches!(c.try_wait(), Ok(Some(_)) | Err(_)));
        let due = Instant::now() >= next_show;
        let ending = ended_by.is_some()
            || stop.load(Ordering::SeqCst)
            || opts.run_for.is_some_and(|d| started.elapsed() >= d);
        if due || ending || (!opts.screen && !watch.pending.is_empty()) {
            let shown: Vec<Said> = view
                .groups
                .iter()
                .take(opts.top)
                .map(|g| say(&kb, &g.key))
                .collect();
            let explained = shown
                .iter()
                .position(|s| !s.benign)
                .or((!shown.is_empty()).then_some(0));
            let recent: Vec<String> = watch.recent.iter().cloned().collect();
            let frame = Frame {
                paths: &paths,
                counts,
                interval_s: opts.interval.as_secs_f64(),
                window: opts.window,
                before: opts.before,
                view: &view,
                newest: watch.newest,
                now: now_ms(),
                said: &shown,
                explained,
                recent: &recent,
                width: usize::from(opts.width),
                paint: Paint::new(opts.color && opts.screen),
            };
            if opts.screen {
                if due || ending {
                    write!(out, "{CLEAR}").map_err(write)?;
                    show::screen(out, &frame).map_err(write)?;
                }
                watch.pending.clear();
            } else {
                for line in watch.pending.drain(..) {
                    writeln!(out, "{line}").map_err(write)?;
                }
                if due || ending {
                    let line = show::line(&frame, opts.top);
                    if line != last_line {
                        writeln!(out, "{} {line}", stamp(now_ms())).map_err(write)?;
                        last_line = line;
                    }
                    let top = explained.and_then(|i| view.groups.get(i)).map(|g| &g.key);
                    if let (Some(key), Some(i)) = (top, explained) {
                        if last_top.as_ref() != Some(key) {
                            writeln!(
                                out,
                                "{} {}",
                                stamp(now_ms()),
                                show::top_line(key, &shown[i])
                            )
                            .map_err(write)?;
                            last_top = Some(key.clone());
                        }
                    }
                }
            }
            out.flush().map_err(write)?;
            if due {
                next_show = Instant::now() + opts.interval;
            }
        }
        if ending {
            if let Some(what) = ended_by {
                super::say(err, format_args!("iisdiag: {what}"));
                code = EXIT_MATCHED;
            }
            break;
        }
        // Sleep in short steps, so Ctrl-C is answered at once.
        let wake = Instant::now() + poll;
        while Instant::now() < wake && !stop.load(Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(20).min(poll));
        }
    }
    let totals = watch.window.finish_peaks();
    if opts.screen {
        write!(out, "{CLEAR}").map_err(write)?;
    } else {
        writeln!(out).map_err(write)?;
    }
    show::summary(
        out,
        &totals,
        follower.counts(),
        now_ms() - started_ms,
        &|key| say(&kb, key),
        opts.top,
    )
    .map_err(write)?;
    out.flush().map_err(write)?;
    Ok(code)
}

/// Starts `--exec` through the shell, with the condition in its environment; not waited for,
/// so a slow pager does not stop the watch.
fn spawn(command: &str, condition: &str, count: u64, groups: &[String]) -> std::io::Result<Child> {
    let mut cmd = if cfg!(windows) {
        let mut c = Command::new("cmd");
        c.arg("/C").arg(command);
        c
    } else {
        let mut c = Command::new("sh");
        c.arg("-c").arg(command);
        c
    };
    cmd.env("IISDIAG_FAIL_ON", condition)
        .env("IISDIAG_COUNT", count.to_string())
        .env("IISDIAG_GROUPS", groups.join(", "))
        .stdin(std::process::Stdio::null())
        .spawn()
}
