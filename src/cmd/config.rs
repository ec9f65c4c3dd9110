//! `iisdiag config PATH...`: lints IIS configuration files without any log. Files, folders and
//! archives are opened through the input layer every command shares ([`crate::input::source`]);
//! a stream is linted when it is a configuration file by content or its name ends in
//! `.config` (a malformed file may not look like one).

use std::fs::File;
use std::io::{self, Read, Write};
use std::path::PathBuf;

use crate::error::{EXIT_MATCHED, EXIT_OK, Error, Result};
use crate::input::config::lint::{self, FileLint};
use crate::input::discover;
use crate::input::sniff::{Kind, sniff};
use crate::input::source::{self, Item};
use crate::output::redact::{self, Values};
use crate::report::lint::{LintReport, Skipped};
use crate::report::paint::Paint;

#[derive(Debug, Clone)]
pub struct Options {
    pub paths: Vec<PathBuf>,
    pub json: bool,
    pub quiet: bool,
    pub color: bool,
    /// Identifying values are replaced by pseudonyms (`--redact`).
    pub redact: bool,
}

pub fn run(opts: &Options, out: &mut dyn Write, err: &mut dyn Write) -> Result<i32> {
    let mut values = opts.redact.then(Values::default);
    let report = lint_paths(&opts.paths, |bytes| {
        if let Some(v) = values.as_mut() {
            v.add_text(&String::from_utf8_lossy(bytes));
        }
    });
    if let Some(v) = values.as_mut() {
        v.add_data(&report);
    }
    if !opts.quiet {
        for s in &report.skipped {
            super::say(
                err,
                format_args!("iisdiag: skipped {}: {}", s.file, s.reason),
            );
        }
    }
    if report.files.is_empty() {
        let names: Vec<String> = opts.paths.iter().map(|p| p.display().to_string()).collect();
        return Err(Error::NothingReadable(format!(
            "{} (no configuration files: applicationHost.config, web.config)",
            names.join(", ")
        )));
    }
    let written = redact::write_with(out, values.as_ref(), opts.json, |out| {
        if opts.json {
            serde_json::to_writer_pretty(&mut *out, &report)
                .map_err(io::Error::from)
                .and_then(|()| writeln!(out))
        } else {
            crate::report::lint::write(
                out,
                &report,
                Paint::new(opts.color),
                super::terminal_width(),
            )
        }
    });
    written.and_then(|()| out.flush()).map_err(Error::Output)?;
    // A path that does not exist is an error after the report of the others, as in `scan`.
    let missing: Vec<String> = opts
        .paths
        .iter()
        .filter(|p| std::fs::symlink_metadata(p).is_err())
        .map(|p| p.display().to_string())
        .collect();
    if !missing.is_empty() {
        return Err(Error::MissingPaths(missing.join(", ")));
    }
    Ok(if report.errors() > 0 {
        EXIT_MATCHED
    } else {
        EXIT_OK
    })
}

/// Lints every configuration file under `paths`; `seen` is handed each file's bytes (for
/// `--redact` to gather the values it names).
pub fn lint_paths(paths: &[PathBuf], mut seen: impl FnMut(&[u8])) -> LintReport {
    let (files, problems) = discover::discover(paths);
    let mut report = LintReport::default();
    for p in problems {
        report.skipped.push(Skipped {
            file: p.path.display().to_string(),
            reason: p.reason,
        });
    }
    let mut lints: Vec<FileLint> = Vec::new();
    for path in files {
        source::each_stream(
            &path,
            |p| File::open(p),
            |_| true,
            |item| match item {
                Item::Open(stream, mut body) => {
                    let named = stream.name.to_ascii_lowercase().ends_with(".config");
                    if !named && sniff(&stream.head) != Ok(Kind::Config) {
                        return;
                    }
                    let head = io::Cursor::new(stream.head.clone());
                    match lint::read_capped(head.chain(body.rest())) {
                        Err(e) => report.skipped.push(Skipped {
                            file: stream.name,
                            reason: e.to_string(),
                        }),
                        Ok(Err(reason)) => report.skipped.push(Skipped {
                            file: stream.name,
                            reason,
                        }),
                        Ok(Ok(bytes)) => {
                            seen(&bytes);
                            report.files.push(stream.name.clone());
                            lints.push(lint::lint_file(&stream.name, &bytes, stream.disk));
                        }
                    }
                }
                Item::Failed { name, reason } => {
                    report.skipped.push(Skipped { file: name, reason })
                }
                Item::Unwanted => {}
            },
        );
    }
    report.modules_judged = lint::installed_modules(&lints).is_some();
    report.findings = lint::lint_all(&mut lints);
    report
}
