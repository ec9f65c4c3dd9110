//! What the terminal gets, decided once per run: colour on standard output and a progress
//! bar on standard error. The decisions are plain functions of their inputs (the flag, the
//! environment, whether a stream is a terminal), so they are tested without a terminal.

use std::ffi::OsStr;
use std::io::IsTerminal;

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

#[cfg(test)]
mod tests {
    use super::*;

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
