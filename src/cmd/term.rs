//! What the terminal gets, decided once per run: colour on standard output and a progress
//! bar on standard error. The decisions are plain functions of their inputs (the flag, the
//! environment, whether a stream is a terminal), so they are tested without a terminal.

use std::ffi::OsStr;
use std::io::IsTerminal;
use std::time::Duration;

use crate::cli::ColorWhen;

/// Whether standard output gets colour: `--color always` and `never` are obeyed; `auto`
/// colours a terminal unless `NO_COLOR` is set to a non-empty value (no-color.org).
pub fn stdout_color(when: ColorWhen) -> bool {
    color_enabled(
        when,
        std::env::var_os("NO_COLOR").as_deref(),
        std::io::stdout().is_terminal(),
    )
}

pub fn color_enabled(when: ColorWhen, no_color: Option<&OsStr>, is_terminal: bool) -> bool {
    match when {
        ColorWhen::Always => true,
        ColorWhen::Never => false,
        ColorWhen::Auto => is_terminal && no_color.is_none_or(OsStr::is_empty),
    }
}

/// When a scan may show a progress bar, after how long: only when standard error is a
/// terminal and `-q` was not given. `IISDIAG_PROGRESS_AFTER_MS` changes the wait (500 ms),
/// which a test uses to see the bar on a scan that is quick.
pub fn stderr_progress(quiet: bool) -> Option<Duration> {
    progress_after(
        quiet,
        std::io::stderr().is_terminal(),
        std::env::var("IISDIAG_PROGRESS_AFTER_MS").ok().as_deref(),
    )
}

fn progress_after(quiet: bool, is_terminal: bool, after_ms: Option<&str>) -> Option<Duration> {
    if quiet || !is_terminal {
        return None;
    }
    let ms = after_ms.and_then(|v| v.trim().parse().ok()).unwrap_or(500);
    Some(Duration::from_millis(ms))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_only_on_a_terminal_and_without_quiet() {
        let half = Some(Duration::from_millis(500));
        // (quiet, terminal, IISDIAG_PROGRESS_AFTER_MS, bar after)
        let cases = [
            (false, true, None, half),
            (false, true, Some("0"), Some(Duration::ZERO)),
            (false, true, Some("soon"), half),
            (true, true, None, None),
            (false, false, None, None),
            (false, false, Some("0"), None),
        ];
        for (quiet, tty, env, want) in cases {
            assert_eq!(
                progress_after(quiet, tty, env),
                want,
                "{quiet} {tty} {env:?}"
            );
        }
    }

    #[test]
    fn colour_follows_the_flag_then_no_color_then_the_terminal() {
        use ColorWhen::*;
        let set = Some(OsStr::new("1"));
        let empty = Some(OsStr::new(""));
        // (flag, NO_COLOR, terminal, colour)
        let cases = [
            (Auto, None, true, true),
            (Auto, None, false, false),
            (Auto, set, true, false),
            (Auto, empty, true, true),
            (Always, None, false, true),
            (Always, set, false, true),
            (Never, None, true, false),
            (Never, empty, true, false),
        ];
        for (when, no_color, tty, want) in cases {
            assert_eq!(
                color_enabled(when, no_color, tty),
                want,
                "{when:?} NO_COLOR={no_color:?} tty={tty}"
            );
        }
    }
}
