//! `iisdiag scan`: read logs, group failures, explain them.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use crate::cli::{Format, ScanArgs};
use crate::error::{EXIT_OK, Error, Result};
use crate::kb::Kb;
use crate::pipeline::{self, Collected};
use crate::report::{self, json, table};

/// Everything `scan` needs, free of command-line types.
#[derive(Debug, Clone)]
pub struct Options {
    pub paths: Vec<PathBuf>,
    pub all: bool,
    pub top: usize,
    pub format: Format,
    pub threads: Option<usize>,
    pub quiet: bool,
    pub rules: Option<PathBuf>,
}

impl From<ScanArgs> for Options {
    fn from(a: ScanArgs) -> Options {
        Options {
            paths: a.paths,
            all: a.all,
            top: a.top,
            format: a.format,
            threads: a.threads.map(usize::from),
            quiet: a.quiet,
            rules: a.rules,
        }
    }
}

pub fn run(opts: &Options, out: &mut dyn Write, err: &mut dyn Write) -> Result<i32> {
    let kb = Kb::with_optional_rules(opts.rules.as_deref())?;
    let kb = kb.as_ref();
    let collected = pipeline::collect(
        &opts.paths,
        &pipeline::Options {
            all: opts.all,
            threads: opts.threads,
        },
    );
    if !opts.quiet {
        tell_problems(&collected, err);
    }
    if !collected.anything_read() {
        let names: Vec<String> = opts.paths.iter().map(|p| p.display().to_string()).collect();
        return Err(Error::NothingReadable(names.join(", ")));
    }
    let report = report::build(&collected, kb);
    let written = match opts.format {
        Format::Json => json::write(out, &report),
        Format::Table => table::write(
            out,
            &report,
            &table::Style {
                width: super::terminal_width(),
                unicode: std::io::stdout().is_terminal(),
                top: opts.top,
            },
        ),
    };
    written.and_then(|()| out.flush()).map_err(Error::Output)?;
    Ok(EXIT_OK)
}

/// Names each skipped file once, with the reason, and summarises malformed lines and notes.
fn tell_problems(collected: &Collected, err: &mut dyn Write) {
    for f in &collected.files {
        // Messages on stderr are best effort: a closed stderr must not stop the report.
        if let Some(reason) = &f.error {
            let _ = writeln!(err, "iisdiag: skipped {}: {reason}", f.path);
            continue;
        }
        if f.malformed > 0 {
            let lines: Vec<String> = f
                .malformed_lines
                .iter()
                .map(|m| format!("line {}: {}", m.line, m.reason))
                .collect();
            let more = if f.malformed as usize > lines.len() {
                "; ..."
            } else {
                ""
            };
            let _ = writeln!(
                err,
                "iisdiag: {}: {} malformed line(s) left out ({}{more})",
                f.path,
                f.malformed,
                lines.join("; ")
            );
        }
        for note in &f.notes {
            let _ = writeln!(err, "iisdiag: note: {}: {note}", f.path);
        }
    }
}
