//! Reading every input file and summing what it holds: files -> records -> summaries.
//!
//! Files are read in parallel (rayon); each file makes its own partial summary and the
//! partials are merged. Merging is order-independent, so the result does not depend on the
//! thread count. A file that cannot be read is reported in the file list and the run goes on.

use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;

use crate::input::sniff::{HEAD_LEN, Kind, sniff};
use crate::input::w3c::Malformed;
use crate::input::{archive, discover, freb, httperr, native, w3c};
use crate::summary::httperr::HttpErrSummary;
use crate::summary::traces::TraceSummary;
use crate::summary::w3c::{Origin, W3cSummary};

/// What to read and how.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Group every request, not only failures.
    pub all: bool,
    /// Worker threads; `None` uses one per core.
    pub threads: Option<usize>,
}

/// What happened to one input file.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct FileOutcome {
    pub path: String,
    /// `null` when the file was skipped before its kind was known.
    pub kind: Option<Kind>,
    pub records: u64,
    pub malformed: u64,
    /// The first few malformed lines, with the reason.
    pub malformed_lines: Vec<Malformed>,
    pub notes: Vec<String>,
    /// `null`, or the reason the file was skipped.
    pub error: Option<String>,
}

impl FileOutcome {
    /// A file that was read, with what its reader found besides records.
    fn read(
        path: &str,
        kind: Kind,
        (records, malformed): (u64, u64),
        malformed_lines: Vec<Malformed>,
        notes: Vec<String>,
    ) -> FileOutcome {
        FileOutcome {
            path: path.to_string(),
            kind: Some(kind),
            records,
            malformed,
            malformed_lines,
            notes,
            error: None,
        }
    }

    fn skipped(path: &str, kind: Option<Kind>, reason: String) -> FileOutcome {
        FileOutcome {
            path: path.to_string(),
            kind,
            records: 0,
            malformed: 0,
            malformed_lines: Vec::new(),
            notes: Vec::new(),
            error: Some(reason),
        }
    }
}

/// Everything a scan read.
#[derive(Debug, Clone, Default)]
pub struct Collected {
    /// Every file, in path order.
    pub files: Vec<FileOutcome>,
    pub w3c: W3cSummary,
    pub httperr: HttpErrSummary,
    pub traces: TraceSummary,
}

impl Collected {
    fn merge(mut self, other: Collected) -> Collected {
        self.files.extend(other.files);
        self.w3c.merge(other.w3c);
        self.httperr.merge(other.httperr);
        self.traces.merge(other.traces);
        self
    }

    /// A stream that could not be read at all.
    fn skipped(path: &str, reason: String) -> Collected {
        Collected {
            files: vec![FileOutcome::skipped(path, None, reason)],
            ..Collected::default()
        }
    }

    /// Whether any file could be read at all.
    pub fn anything_read(&self) -> bool {
        self.files
            .iter()
            .any(|f| f.error.is_none() && f.kind.is_some())
    }
}

/// Reads every file under `paths`.
pub fn collect(paths: &[PathBuf], opts: &Options) -> Collected {
    let (files, problems) = discover::discover(paths);
    let run = || {
        files
            .par_iter()
            .map(|path| read_file(path, opts))
            .reduce(Collected::default, Collected::merge)
    };
    let mut collected = match opts.threads {
        Some(n) => match rayon::ThreadPoolBuilder::new().num_threads(n).build() {
            Ok(pool) => pool.install(run),
            Err(_) => run(),
        },
        None => run(),
    };
    for p in problems {
        collected
            .files
            .push(FileOutcome::skipped(&display(&p.path), None, p.reason));
    }
    collected.files.sort_by(|a, b| a.path.cmp(&b.path));
    collected
}

fn read_file(path: &Path, opts: &Options) -> Collected {
    let opened = File::open(path).and_then(|mut file| {
        let head = read_head(&mut file)?;
        Ok((file, head))
    });
    match opened {
        Ok((file, head)) => match archive::Format::sniff(&head) {
            Some(format) => read_archive(path, file, format, opts),
            None => read_stream(&display(path), path, head, file, opts),
        },
        Err(e) => Collected::skipped(&display(path), e.to_string()),
    }
}

/// Reads every member of an archive like a file of its own.
fn read_archive(path: &Path, file: File, format: archive::Format, opts: &Options) -> Collected {
    let mut out = Collected::default();
    let mut members = 0usize;
    let walked =
        archive::for_each_member(path, file, format, &archive::Limits::default(), |member| {
            members += 1;
            let (name, origin) = (member.name.clone(), member.origin.clone());
            let mut part = match member.reader() {
                Ok(reader) => match read_head(reader) {
                    Ok(head) => read_stream(&name, &origin, head, reader, opts),
                    Err(e) => Collected::skipped(&name, e.to_string()),
                },
                Err(reason) => Collected::skipped(&name, reason.to_string()),
            };
            if let Some(outcome) = part.files.last_mut() {
                outcome.notes.extend(member.notes());
            }
            out = std::mem::take(&mut out).merge(part);
        });
    match walked {
        Err(e) => out
            .files
            .push(FileOutcome::skipped(&display(path), None, e.to_string())),
        Ok(()) if members == 0 => out.files.push(FileOutcome::skipped(
            &display(path),
            None,
            format!("a {} archive with no files in it", format.name()),
        )),
        Ok(()) => {}
    }
    out
}

/// The first bytes of a stream, for `sniff`.
fn read_head(reader: &mut dyn Read) -> io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(HEAD_LEN);
    reader.take(HEAD_LEN as u64).read_to_end(&mut head)?;
    Ok(head)
}

/// Reads one file or archive member (`head`, then `rest`) into a summary of its own. When
/// reading fails part-way, what was read is dropped and the stream is listed as skipped, so
/// the counts never hold half a file.
fn read_stream(
    name: &str,
    origin: &Path,
    head: Vec<u8>,
    rest: impl Read,
    opts: &Options,
) -> Collected {
    let mut out = Collected::default();
    match read_into(name, origin, head, rest, opts, &mut out) {
        Ok(outcome) => {
            out.files.push(outcome);
            out
        }
        Err(e) => Collected::skipped(name, e.to_string()),
    }
}

fn read_into(
    path: &str,
    origin: &Path,
    head: Vec<u8>,
    rest: impl Read,
    opts: &Options,
    out: &mut Collected,
) -> io::Result<FileOutcome> {
    let kind = match sniff(&head) {
        Ok(kind) => kind,
        Err(reason) => return Ok(FileOutcome::skipped(path, None, reason)),
    };
    let reader = io::Cursor::new(head).chain(rest);
    let origin = Origin {
        site_folder: discover::site_folder(origin),
        server_folder: discover::server_folder(origin),
    };
    let stats = match kind {
        Kind::W3c => w3c::read(reader, |r| out.w3c.add(r, &origin, opts.all))?,
        Kind::Native => native::read(reader, |r| out.w3c.add(r, &origin, opts.all))?,
        Kind::Httperr => {
            let stats = httperr::read_httperr(reader, |r| out.httperr.add(r))?;
            return Ok(FileOutcome::read(
                path,
                kind,
                (stats.records, stats.malformed),
                stats
                    .first_malformed
                    .iter()
                    .map(|m| Malformed {
                        line: m.line,
                        reason: m.problem.to_string(),
                    })
                    .collect(),
                stats.notes.iter().map(ToString::to_string).collect(),
            ));
        }
        Kind::Freb => {
            return Ok(match freb::read_trace(io::BufReader::new(reader), false) {
                Ok(trace) => {
                    out.traces.add(&trace, path);
                    FileOutcome::read(
                        path,
                        kind,
                        (1, 0),
                        Vec::new(),
                        trace.truncation.iter().cloned().collect(),
                    )
                }
                Err(e) => FileOutcome::skipped(path, Some(kind), e.to_string()),
            });
        }
    };
    Ok(FileOutcome::read(
        path,
        kind,
        (stats.records, stats.malformed),
        stats.malformed_samples,
        stats.notes,
    ))
}

fn display(path: &Path) -> String {
    path.display().to_string()
}
