//! One module per subcommand: options in, report out. Only this layer sees the clap types.

pub mod config;
pub mod diff;
pub mod events;
pub mod explain;
pub mod freb;
pub mod generate;
pub mod merge;
mod progress;
pub mod scan;
mod show;
mod term;
pub mod watch;

use std::io::Write;

use std::io::IsTerminal;

use crate::cli::{Cli, Command, ListFormat};
use crate::error::Result;

/// Runs the command line and returns the process exit code.
pub fn run(cli: Cli, out: &mut dyn Write, err: &mut dyn Write) -> Result<i32> {
    let color = term::stdout_color(cli.color);
    match cli.command {
        Command::Scan(args) => {
            let mut opts = scan::Options::try_from(*args)?;
            opts.show.color = color;
            opts.progress = term::stderr_progress(opts.show.quiet);
            scan::run(&opts, out, err)
        }
        Command::Merge(args) => {
            let mut opts = merge::Options::try_from(args)?;
            opts.show.color = color;
            merge::run(&opts, out, err)
        }
        Command::Diff(args) => diff::run(&diff::Options::try_from(args)?, out, err),
        Command::Events(args) => {
            let mut opts = events::Options::try_from(*args)?;
            opts.color = color;
            events::run(&opts, out, err)
        }
        Command::Config(args) => config::run(
            &config::Options {
                paths: args.paths,
                json: args.format == crate::cli::EventsFormat::Json,
                quiet: args.quiet,
                color,
                redact: args.redact,
            },
            out,
            err,
        ),
        Command::Freb(args) => freb::run(
            &freb::Options {
                paths: args.paths,
                rules: args.rules,
                color,
                quiet: args.quiet,
                redact: args.redact,
            },
            out,
            err,
        ),
        Command::Explain(args) => explain::run(
            &explain::Options {
                code: args.code,
                list: args.list.then_some(match args.format {
                    ListFormat::Table => explain::ListFormat::Table,
                    ListFormat::Csv => explain::ListFormat::Csv,
                    ListFormat::Json => explain::ListFormat::Json,
                }),
                page: args.page.map(|path| explain::Page {
                    path,
                    json: match args.format {
                        ListFormat::Table => Some(false),
                        ListFormat::Json => Some(true),
                        ListFormat::Csv => None,
                    },
                }),
                ancm: args.ancm.map(|path| explain::Page {
                    path,
                    json: match args.format {
                        ListFormat::Table => Some(false),
                        ListFormat::Json => Some(true),
                        ListFormat::Csv => None,
                    },
                }),
                rules: args.rules,
                module: args.module,
                time_taken: args.time_taken,
                width: terminal_width(),
                redact: args.redact,
            },
            out,
        ),
        Command::Watch(args) => {
            let mut opts = watch::Options::try_from(args)?;
            opts.screen = std::io::stdout().is_terminal();
            opts.width = terminal_width();
            opts.color = color;
            watch::run(&opts, out, err)
        }
        Command::Completions(args) => generate::completions(args.shell, out),
        Command::Man(args) => generate::man(args.command.as_deref(), out),
    }
}

/// Writes one line to standard error, made safe for the terminal as a whole: a file name,
/// a quoted log line or an XML error can hold escape sequences, and iisdiag adds no colour
/// to its messages. Best effort: a closed stderr must not stop the report.
/// The paths given that name nothing, as shown in a message.
fn missing(paths: &[std::path::PathBuf]) -> Vec<String> {
    paths
        .iter()
        .filter(|p| !p.exists())
        .map(|p| p.display().to_string())
        .collect()
}

fn say(err: &mut dyn Write, message: std::fmt::Arguments<'_>) {
    let _ = writeln!(err, "{}", crate::guard::terminal(&message.to_string()));
}

/// The width to lay text out in: the terminal's; when piped, `COLUMNS` if it is set (as
/// `ls` does, so that `COLUMNS=80 iisdiag scan ... | less` and the tests get a known
/// width), else 120 columns. Always 60 to 200.
pub fn terminal_width() -> u16 {
    width_for(
        std::io::stdout().is_terminal().then(textwrap::termwidth),
        std::env::var("COLUMNS").ok().as_deref(),
    )
}

fn width_for(terminal: Option<usize>, columns: Option<&str>) -> u16 {
    let width = terminal
        .or_else(|| columns.and_then(|c| c.trim().parse().ok()))
        .unwrap_or(120);
    u16::try_from(width.clamp(60, 200)).unwrap_or(120)
}

#[cfg(test)]
mod tests {
    use super::width_for;

    #[test]
    fn width_is_the_terminal_then_columns_then_120() {
        // (terminal width, COLUMNS, width)
        let cases = [
            (Some(100), Some("80"), 100),
            (Some(20), None, 60),
            (None, Some("80"), 80),
            (None, Some(" 90 "), 90),
            (None, Some("wide"), 120),
            (None, Some("100000"), 200),
            (None, None, 120),
        ];
        for (terminal, columns, want) in cases {
            assert_eq!(
                width_for(terminal, columns),
                want,
                "{terminal:?} {columns:?}"
            );
        }
    }
}
