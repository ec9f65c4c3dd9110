//! `iisdiag freb PATH`: one trace, or every trace in a folder or an archive (newest first), as
//! a compact timeline in the terminal, followed by the explanation of its triple. Traces are
//! found through the input layer every command shares ([`crate::input::source`]).

use std::fs::File;
use std::io::{self, BufReader, Read, Write};
use std::path::{Path, PathBuf};

use crate::error::{EXIT_OK, Error, Result};
use crate::explain;
use crate::input::sniff::{Kind, sniff};
use crate::input::source::{self, Item};
use crate::input::{discover, freb};
use crate::kb::Kb;
use crate::output::redact::{self, Values};
use crate::report;

#[derive(Debug, Clone)]
pub struct Options {
    pub paths: Vec<PathBuf>,
    pub rules: Option<PathBuf>,
    pub color: bool,
    pub quiet: bool,
    /// Identifying values are replaced by pseudonyms (`--redact`).
    pub redact: bool,
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
        read(&path, &mut traces, |name, reason| {
            if !opts.quiet {
                super::say(err, format_args!("iisdiag: skipped {name}: {reason}"));
            }
        });
    }
    if traces.is_empty() {
        let names: Vec<String> = opts.paths.iter().map(|p| p.display().to_string()).collect();
        return Err(Error::NothingReadable(format!(
            "{} (no Failed Request Tracing traces)",
            names.join(", ")
        )));
    }
    let values = opts.redact.then(|| {
        let mut v = Values::default();
        for (name, trace) in &traces {
            v.add_text(name);
            v.add_data(trace);
        }
        v
    });
    let explained = explain::trace::explain(kb, traces);
    redact::write_with(out, values.as_ref(), false, |out| {
        report::freb::write(out, &explained, opts.color)
    })
    .and_then(|()| out.flush())
    .map_err(Error::Output)?;
    Ok(EXIT_OK)
}

/// Adds the traces in a file, or in each member of an archive, to `traces`; streams of other
/// kinds are passed over, and what cannot be read goes to `skipped` with the reason.
fn read(path: &Path, traces: &mut Vec<(String, freb::Trace)>, mut skipped: impl FnMut(&str, &str)) {
    source::each_stream(
        path,
        |p| File::open(p),
        |_| true,
        |item| match item {
            Item::Open(stream, mut body) => {
                if sniff(&stream.head) != Ok(Kind::Freb) {
                    return;
                }
                let reader = BufReader::new(io::Cursor::new(stream.head).chain(body.rest()));
                match freb::read_trace(reader, true) {
                    Ok(trace) => traces.push((stream.name, trace)),
                    Err(e) => skipped(&stream.name, &e.to_string()),
                }
            }
            Item::Failed { name, reason } => skipped(&name, &reason),
            Item::Unwanted => {}
        },
    );
}
