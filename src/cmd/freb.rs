//! `iisdiag freb PATH`: one trace, or every trace in a folder (newest first), as a compact
//! timeline in the terminal, followed by the explanation of its triple.

use std::fs::File;
use std::io::{self, BufReader, Read, Write};
use std::path::PathBuf;

use crate::error::{EXIT_OK, Error, Result};
use crate::explain;
use crate::input::sniff::{HEAD_LEN, Kind, sniff};
use crate::input::{discover, freb};
use crate::kb::Kb;
use crate::report;

#[derive(Debug, Clone)]
pub struct Options {
    pub paths: Vec<PathBuf>,
    pub rules: Option<PathBuf>,
    pub color: bool,
    pub quiet: bool,
}

pub fn run(opts: &Options, out: &mut dyn Write, err: &mut dyn Write) -> Result<i32> {
    let kb = Kb::with_optional_rules(opts.rules.as_deref())?;
    let kb = kb.as_ref();
    let (files, problems) = discover::discover(&opts.paths);
    for p in &problems {
        if !opts.quiet {
            super::say(
                err,
                format_args!("iisdiag: skipped {}: {}", p.path.display(), p.reason),
            );
        }
    }
    let mut traces = Vec::new();
    for path in files {
        match read(&path) {
            Ok(Some(trace)) => traces.push((path, trace)),
            Ok(None) => {}
            Err(reason) => {
                if !opts.quiet {
                    super::say(
                        err,
                        format_args!("iisdiag: skipped {}: {reason}", path.display()),
                    );
                }
            }
        }
    }
    if traces.is_empty() {
        let names: Vec<String> = opts.paths.iter().map(|p| p.display().to_string()).collect();
        return Err(Error::NothingReadable(format!(
            "{} (no Failed Request Tracing traces)",
            names.join(", ")
        )));
    }
    let traces = traces
        .into_iter()
        .map(|(path, trace)| (path.display().to_string(), trace))
        .collect();
    let explained = explain::trace::explain(kb, traces);
    report::freb::write(out, &explained, opts.color)
        .and_then(|()| out.flush())
        .map_err(Error::Output)?;
    Ok(EXIT_OK)
}

/// The trace in a file, `None` for files of other kinds, or why a trace could not be read.
fn read(path: &std::path::Path) -> std::result::Result<Option<freb::Trace>, String> {
    let mut file = File::open(path).map_err(|e| e.to_string())?;
    let mut head = Vec::with_capacity(HEAD_LEN);
    (&mut file)
        .take(HEAD_LEN as u64)
        .read_to_end(&mut head)
        .map_err(|e| e.to_string())?;
    if sniff(&head) != Ok(Kind::Freb) {
        return Ok(None);
    }
    let reader = BufReader::new(io::Cursor::new(head).chain(file));
    freb::read_trace(reader, true)
        .map(Some)
        .map_err(|e| e.to_string())
}
