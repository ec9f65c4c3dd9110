//! `iisdiag freb PATH`: one trace, or every trace in a folder or an archive (newest first), as
//! a compact timeline in the terminal, followed by the explanation of its triple. Traces are
//! found through the input layer every command shares ([`crate::input::source`]).

use std::fs::File;
use std::io::{self, BufReader, Read, Write};
use std::path::{Path, PathBuf};

use crate::error::{EXIT_OK, Error, Result};
use crate::input::sniff::{Kind, sniff};
use crate::input::source::{self, Item};
use crate::input::{discover, freb};
use crate::kb::Kb;
use crate::report::{self, freb_timeline};

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
            let _ = writeln!(err, "iisdiag: skipped {}: {}", p.path.display(), p.reason);
        }
    }
    let mut traces = Vec::new();
    for path in files {
        read(&path, &mut traces, |name, reason| {
            if !opts.quiet {
                let _ = writeln!(err, "iisdiag: skipped {name}: {reason}");
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
    // Newest first; traces without a time last, then by path.
    traces.sort_by(|a, b| {
        b.1.start
            .cmp(&a.1.start)
            .then_with(|| a.0.key.cmp(&b.0.key))
    });
    for (i, (found, trace)) in traces.iter().enumerate() {
        let written = (|| -> io::Result<()> {
            if i > 0 {
                writeln!(out)?;
            }
            freb_timeline::write_timeline(out, trace, &found.name, opts.color)?;
            let advice = report::advise(kb, &trace.triple(), trace.error_module(), &[]);
            writeln!(out)?;
            let marker = if advice.benign { " (benign)" } else { "" };
            writeln!(out, "{}: {}{marker}", trace.triple(), advice.title)?;
            writeln!(out, "  Likely cause: {}", advice.cause)?;
            writeln!(out, "  Check:")?;
            for (n, h) in advice.hints.iter().enumerate() {
                writeln!(out, "    {}. {h}", n + 1)?;
            }
            if let Some(w) = &advice.win32 {
                writeln!(out, "  win32 {} = {}: {}", w.code, w.name, w.meaning)?;
            }
            for r in &advice.references {
                writeln!(out, "  {r}")?;
            }
            Ok(())
        })();
        written.map_err(Error::Output)?;
    }
    out.flush().map_err(Error::Output)?;
    Ok(EXIT_OK)
}

/// A trace found, with the name it is shown under and the key traces with the same start are
/// ordered by (the file's path, or for an archive member its `archive!member` name).
struct Found {
    name: String,
    key: PathBuf,
}

/// Adds the traces in a file, or in each member of an archive, to `traces`; streams of other
/// kinds are passed over, and what cannot be read goes to `skipped` with the reason.
fn read(path: &Path, traces: &mut Vec<(Found, freb::Trace)>, mut skipped: impl FnMut(&str, &str)) {
    source::each_stream(
        path,
        |p| File::open(p),
        |_| true,
        |item| match item {
            Item::Open(stream, mut body) => {
                if sniff(&stream.head) != Ok(Kind::Freb) {
                    return;
                }
                let key = stream
                    .disk
                    .map_or_else(|| PathBuf::from(&stream.name), Path::to_path_buf);
                let reader = BufReader::new(io::Cursor::new(stream.head).chain(body.rest()));
                match freb::read_trace(reader, true) {
                    Ok(trace) => traces.push((
                        Found {
                            name: stream.name,
                            key,
                        },
                        trace,
                    )),
                    Err(e) => skipped(&stream.name, &e.to_string()),
                }
            }
            Item::Failed { name, reason } => skipped(&name, &reason),
            Item::Unwanted => {}
        },
    );
}
