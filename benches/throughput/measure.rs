//! Wall time and peak memory of one command.
//!
//! On Unix the bench runs itself again as a small wrapper around the command: the wrapper
//! waits for its only child and asks the kernel for its children's peak resident size
//! (`getrusage(RUSAGE_CHILDREN)`), so each figure belongs to one command alone. Elsewhere
//! only the time is measured.

use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

/// First argument that turns the bench binary into the wrapper.
pub const CHILD_FLAG: &str = "--measure-child";

#[derive(Debug, Clone, Copy)]
pub struct Measured {
    pub secs: f64,
    /// Peak resident memory in KiB, where it can be measured.
    pub peak_kib: Option<u64>,
    /// Processor time (user and system, all threads), where it can be measured.
    pub cpu_secs: Option<f64>,
}

impl Measured {
    pub fn worst() -> Measured {
        Measured {
            secs: f64::INFINITY,
            peak_kib: None,
            cpu_secs: None,
        }
    }

    /// The faster run's time and the smaller processor time; the larger peak memory.
    pub fn best(self, other: Measured) -> Measured {
        Measured {
            secs: self.secs.min(other.secs),
            peak_kib: match (self.peak_kib, other.peak_kib) {
                (Some(a), Some(b)) => Some(a.max(b)),
                (a, b) => a.or(b),
            },
            cpu_secs: match (self.cpu_secs, other.cpu_secs) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            },
        }
    }
}

/// Runs `cmd` (program and arguments) with its output discarded.
pub fn run(cmd: &[String]) -> Result<Measured, String> {
    #[cfg(unix)]
    {
        let exe = std::env::current_exe().map_err(|e| format!("finding the bench binary: {e}"))?;
        let out = Command::new(exe)
            .arg(CHILD_FLAG)
            .args(cmd)
            .stderr(Stdio::inherit())
            .output()
            .map_err(|e| format!("running {}: {e}", cmd[0]))?;
        if !out.status.success() {
            return Err(format!(
                "{} failed",
                cmd.join(" ").chars().take(200).collect::<String>()
            ));
        }
        let text = String::from_utf8_lossy(&out.stdout);
        let mut parts = text.split_whitespace();
        let secs = parts.next().and_then(|s| s.parse().ok());
        let kib = parts.next().and_then(|s| s.parse().ok());
        let cpu = parts.next().and_then(|s| s.parse().ok());
        match secs {
            Some(secs) => Ok(Measured {
                secs,
                peak_kib: kib,
                cpu_secs: cpu,
            }),
            None => Err(format!("the measuring wrapper printed `{text}`")),
        }
    }
    #[cfg(not(unix))]
    {
        let t = Instant::now();
        let status = Command::new(&cmd[0])
            .args(&cmd[1..])
            .stdout(Stdio::null())
            .status()
            .map_err(|e| format!("running {}: {e}", cmd[0]))?;
        let secs = t.elapsed().as_secs_f64();
        if !status.success() {
            return Err(format!("{} failed", cmd[0]));
        }
        Ok(Measured {
            secs,
            peak_kib: None,
            cpu_secs: None,
        })
    }
}

/// The wrapper: runs the command, prints `seconds peak_kib cpu_seconds`.
pub fn child(cmd: &[String]) -> ExitCode {
    let Some((program, args)) = cmd.split_first() else {
        eprintln!("{CHILD_FLAG}: no command");
        return ExitCode::from(2);
    };
    let t = Instant::now();
    let status = Command::new(program)
        .args(args)
        .stdout(Stdio::null())
        .status();
    let secs = t.elapsed().as_secs_f64();
    match status {
        Ok(s) if s.success() => {
            let (kib, cpu) = children_usage().unwrap_or((0, 0.0));
            println!("{secs} {kib} {cpu}");
            ExitCode::SUCCESS
        }
        Ok(s) => {
            eprintln!("{program}: {s}");
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("{program}: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Peak resident memory (KiB) and processor time (s) of the waited-for children.
#[cfg(unix)]
fn children_usage() -> Option<(u64, f64)> {
    use nix::sys::resource::{UsageWho, getrusage};
    let usage = getrusage(UsageWho::RUSAGE_CHILDREN).ok()?;
    // Linux reports KiB; macOS reports bytes.
    let raw = u64::try_from(usage.max_rss()).ok()?;
    let kib = if cfg!(target_os = "macos") {
        raw / 1024
    } else {
        raw
    };
    let secs = |t: nix::sys::time::TimeVal| t.tv_sec() as f64 + t.tv_usec() as f64 / 1e6;
    Some((kib, secs(usage.user_time()) + secs(usage.system_time())))
}

#[cfg(not(unix))]
fn children_usage() -> Option<(u64, f64)> {
    None
}
