//! Reading every input file and summing what it holds: files -> records -> summaries.
//!
//! Files are read in parallel (rayon); each file makes its own partial summary and the
//! partials are merged. Merging is order-independent, so the result does not depend on the
//! thread count. A file that cannot be read is reported in the file list and the run goes on.

pub mod progress;
mod site_names;
mod tiers;

use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::filter::Filter;
use crate::input::origin::Origin;
use crate::input::sniff::{Kind, sniff_named};
use crate::input::source::{self, Body, Item, Stream};
use crate::input::{
    ancm, config, discover, errorpage, eventlog, freb, httperr, native, php, split, stdout, w3c,
};
use crate::output::requests::{ExportFormat, RequestRows};
use crate::summary::stdout::StdoutEntry;
use crate::summary::tiers::FrontScan;
use crate::summary::w3c::{By, W3cSummary};
use crate::summary::{Collected, FileOutcome};
use crate::time::Millis;
use rayon::prelude::*;

/// What to read and how.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Group every request, not only failures.
    pub all: bool,
    /// Worker threads; `None` uses one per core.
    pub threads: Option<usize>,
    /// Which requests count, and which are grouped.
    pub filter: Filter,
    /// A second level under each group.
    pub by: Option<By>,
    /// Count each group's requests per minute and server, for a timeline.
    pub group_minutes: bool,
    /// Keep every grouped request as an export row, in this format.
    pub export: Option<ExportFormat>,
    /// Counters to bump as files are read, for a progress display.
    pub progress: Option<Arc<progress::Progress>>,
    /// The servers named as front ends and backends for the tier pairing.
    pub tiers: crate::summary::tiers::Roles,
}

/// The files under the paths a user gave, and what could not be walked.
#[derive(Debug, Clone, Default)]
pub struct Found {
    pub files: Vec<PathBuf>,
    problems: Vec<discover::WalkProblem>,
}

/// Finds the files under `paths` (folders are walked, links followed).
pub fn find(paths: &[PathBuf]) -> Found {
    let (files, problems) = discover::discover(paths);
    Found { files, problems }
}

/// Everything a scan read, and the export rows of each file (with `export`), in path order.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    pub collected: Collected,
    pub requests: Vec<RequestRows>,
    /// The `--front`/`--backend` names that match no server, each with its flag.
    pub unknown_roles: Vec<String>,
}

impl Outcome {
    fn merge(mut self, other: Outcome) -> Outcome {
        self.collected = self.collected.merge(other.collected);
        self.requests.extend(other.requests);
        self
    }

    fn skipped(path: &str, reason: String) -> Outcome {
        Outcome {
            collected: Collected::skipped(path, reason),
            ..Outcome::default()
        }
    }

    fn files(&mut self) -> &mut Vec<FileOutcome> {
        &mut self.collected.files
    }
}

/// Reads every file found, in parallel.
pub fn collect(found: &Found, opts: &Options) -> Outcome {
    match site_names::with_site_ids(found, opts) {
        Some(named) => collect_with(found, &named),
        None => collect_with(found, opts),
    }
}

fn collect_with(found: &Found, opts: &Options) -> Outcome {
    let (files, out_of_range): (Vec<&PathBuf>, Vec<&PathBuf>) =
        found.files.iter().partition(|p| opts.filter.may_hold(p));
    if let Some(progress) = &opts.progress {
        progress.set_totals(&files);
    }
    let run = || {
        files
            .par_iter()
            .map(|path| {
                let read = read_file(path, opts);
                if let Some(progress) = &opts.progress {
                    progress.file_done();
                }
                read
            })
            .reduce(Outcome::default, Outcome::merge)
    };
    let mut read = in_pool(opts.threads, run);
    let fronts = std::mem::take(&mut read.collected.fronts);
    let paired = in_pool(opts.threads, || {
        tiers::pair(&files, opts, fronts, &read.collected)
    });
    read.collected.tiers = paired.tiers;
    read.unknown_roles = paired.unknown_roles;
    read.collected.events.finish();
    // Added to the archive members left out the same way.
    read.collected.files_out_of_range += out_of_range.len() as u64;
    for p in &found.problems {
        read.files().push(FileOutcome::skipped(
            &display(&p.path),
            None,
            p.reason.clone(),
        ));
    }
    read.files().sort_by(|a, b| a.path.cmp(&b.path));
    read.collected.sort_out_bundles();
    read.requests.sort_by(|a, b| a.file().cmp(b.file()));
    read
}

fn in_pool<T: Send>(threads: Option<usize>, run: impl FnOnce() -> T + Send) -> T {
    match threads {
        Some(n) => match rayon::ThreadPoolBuilder::new().num_threads(n).build() {
            Ok(pool) => pool.install(run),
            Err(_) => run(),
        },
        None => run(),
    }
}

/// The time of the newest record in the files found, for spans such as `--since 2h`.
/// Only the files that can hold it are read: those with the latest date in their name, and
/// those without a date in their name.
pub fn newest_time(found: &Found, threads: Option<usize>) -> Option<Millis> {
    let latest = found
        .files
        .iter()
        .filter_map(|p| crate::filter::name_day(p))
        .max();
    let candidates: Vec<&PathBuf> = found
        .files
        .iter()
        .filter(|p| {
            let day = crate::filter::name_day(p);
            day.is_none() || day == latest
        })
        .collect();
    let opts = Options::default();
    let read = in_pool(threads, || {
        candidates
            .par_iter()
            .map(|path| read_file(path, &opts))
            .reduce(Outcome::default, Outcome::merge)
    });
    let collected = read.collected;
    [
        collected.w3c.last,
        collected.httperr.last_seen(),
        collected.traces.last_start(),
        collected.events.last,
        collected.php.last,
        collected.stdout.last_started(),
        collected.ancm.last(),
    ]
    .into_iter()
    .flatten()
    .max()
}

/// Reads one file found, or each member of an archive like a file of its own.
fn read_file(path: &Path, opts: &Options) -> Outcome {
    read_file_where(path, opts, |_| true)
}

/// [`read_file`], reading only the archive members `wanted` (by the path they would have).
/// The members of a zip are read at once on the pool, each into an outcome of its own.
fn read_file_where(path: &Path, opts: &Options, wanted: impl Fn(&Path) -> bool + Sync) -> Outcome {
    let read = source::par_each_stream(
        path,
        |path| progress::CountedFile::open(path, opts.progress.as_deref()),
        // A member named for a day outside --since/--until is left unread, like a file.
        |origin| wanted(origin) && opts.filter.may_hold(origin),
        |item| match item {
            Item::Open(stream, mut body) => {
                let Stream {
                    name,
                    origin,
                    disk,
                    head,
                } = stream;
                let mut part = read_stream(&name, &origin, disk, head, &mut body, opts);
                if let Some(outcome) = part.files().last_mut() {
                    outcome.notes.extend(body.notes());
                }
                part
            }
            Item::Failed { name, reason } => Outcome::skipped(&name, reason),
            Item::Unwanted => {
                let mut unwanted = Outcome::default();
                unwanted.collected.files_out_of_range = 1;
                unwanted
            }
        },
        Outcome::merge,
    );
    read.unwrap_or_default()
}

/// Reads one file or archive member (`head`, then the rest of `body`) into a summary of its
/// own. When reading fails part-way, what was read is dropped and the stream is listed as
/// skipped, so the counts never hold half a file. `disk` is the file's path when it is one on
/// disk (a large one may then be read in parts, at positions of the body's open file).
fn read_stream(
    name: &str,
    origin: &Path,
    disk: Option<&Path>,
    head: Vec<u8>,
    body: &mut Body<'_, '_>,
    opts: &Options,
) -> Outcome {
    let mut out = Outcome {
        collected: Collected {
            w3c: W3cSummary::new(opts.by).group_minutes(opts.group_minutes),
            ..Collected::default()
        },
        ..Outcome::default()
    };
    match read_into(name, origin, disk, head, body, opts, &mut out) {
        Ok(outcome) => {
            out.files().push(outcome);
            out
        }
        Err(e) => Outcome::skipped(name, e.to_string()),
    }
}

/// The most of a detailed error page read, as `explain --page` reads: they are a few KiB.
const MAX_PAGE: u64 = 4 * 1024 * 1024;

fn read_into(
    path: &str,
    origin: &Path,
    disk: Option<&Path>,
    head: Vec<u8>,
    body: &mut Body<'_, '_>,
    opts: &Options,
    out: &mut Outcome,
) -> io::Result<FileOutcome> {
    // The name is looked at only for stdout logs, whose content has no format of its own.
    let file_name = origin.file_name().and_then(|n| n.to_str());
    let kind = match sniff_named(file_name, &head) {
        Ok(kind) => kind,
        Err(reason) => return Ok(FileOutcome::skipped(path, None, reason)),
    };
    let origin = Origin::of(origin);
    let filter = &opts.filter;
    let mut rows = opts
        .export
        .map(|format| RequestRows::new(format, path.to_string()));
    // Decided once per file: without context filters, no field is looked at to filter.
    let narrows = filter.narrows_context();
    // Counts a record; says whether it was grouped. A W3C log's records (not a native log's)
    // also go to `fronts`, for the tier pairing.
    let add_w3c = |w3c: &mut W3cSummary, fronts: Option<&mut FrontScan>, r: &w3c::Record<'_>| {
        if narrows && !filter.w3c(r, &origin) {
            return false;
        }
        if let Some(fronts) = fronts {
            fronts.add_logged(r, origin.server_folder.as_deref());
        }
        let grouped = r.triple.is_some_and(|t| filter.groups(&t, opts.all));
        w3c.add(r, &origin, grouped);
        grouped
    };
    let mut fronts = (kind == Kind::W3c).then_some(&mut out.collected.fronts);
    let mut visit_w3c = |r: &w3c::Record<'_>| {
        let grouped = add_w3c(&mut out.collected.w3c, fronts.as_deref_mut(), r);
        if let (true, Some(rows)) = (grouped, rows.as_mut()) {
            rows.add_w3c(r, &origin);
        }
    };
    // A large log on disk is read in parts on all threads, at positions of the file opened
    // (not for an export, whose rows keep file order and line numbers).
    let large = match (disk, body.at()) {
        (Some(disk), Some(file))
            if opts.export.is_none()
                && kind == Kind::W3c
                && file
                    .metadata()
                    .is_ok_and(|m| split::worth_splitting(m.len())) =>
        {
            Some((disk, file))
        }
        _ => None,
    };
    let parts = large
        .map(|(disk, file)| {
            split::read(
                file,
                disk,
                || {
                    let w3c = W3cSummary::new(opts.by).group_minutes(opts.group_minutes);
                    (w3c, FrontScan::default())
                },
                |(w3c, fronts), r| {
                    add_w3c(w3c, Some(fronts), r);
                },
                |(all, all_fronts), (w3c, fronts), _| {
                    all.merge(w3c);
                    all_fronts.merge(fronts);
                },
            )
        })
        .transpose()?;
    let reader = io::Cursor::new(head).chain(body.rest());
    let stats = match kind {
        Kind::W3c => match parts {
            Some(((w3c, fronts), stats)) => {
                out.collected.w3c.merge(w3c);
                out.collected.fronts.merge(fronts);
                stats
            }
            None => w3c::read(reader, &mut visit_w3c)?,
        },
        Kind::Native => native::read(reader, &mut visit_w3c)?,
        Kind::Httperr => httperr::read_httperr(reader, |r| {
            if filter.httperr(r, &origin) {
                out.collected.httperr.add(r);
                // Connection-level events (no status: idle timers, abandoned
                // connections) are not requests.
                if let (Some(rows), Some(_)) = (rows.as_mut(), r.status) {
                    rows.add_httperr(r, &origin);
                }
            }
        })?,
        Kind::Php => php::read_php(reader, |e| {
            if filter.php(e.time) {
                out.collected.php.add(e);
            }
        })?,
        Kind::AncmDebug => {
            let (sessions, stats) = ancm::read_ancm(reader)?;
            for s in sessions {
                if filter.ancm(s.first, s.last, &origin) {
                    out.collected
                        .ancm
                        .add(path, origin.server_folder.as_deref(), s);
                }
            }
            stats
        }
        Kind::Evtx | Kind::EventXml => {
            let events = &mut out.collected.events;
            let keep = |event: eventlog::Event| {
                if filter.event(&event, &origin) {
                    events.add(event);
                }
            };
            if kind == Kind::Evtx {
                eventlog::read_evtx(reader, keep)?
            } else {
                eventlog::read_xml(io::BufReader::with_capacity(1 << 16, reader), keep)?
            }
        }
        Kind::ErrorPage => {
            let mut bytes = Vec::new();
            reader.take(MAX_PAGE + 1).read_to_end(&mut bytes)?;
            if bytes.len() as u64 > MAX_PAGE {
                return Ok(FileOutcome::skipped(
                    path,
                    Some(kind),
                    "larger than 4 MiB, so not a detailed error page (they are a few KiB)".into(),
                ));
            }
            return Ok(match errorpage::parse(&bytes) {
                Ok(page) => {
                    if filter.page(&page, &origin) {
                        out.collected.pages.add(&page, path);
                    }
                    FileOutcome::read(path, kind, (1, 0), Vec::new(), Vec::new())
                }
                Err(e) => FileOutcome::skipped(path, Some(kind), e.to_string()),
            });
        }
        Kind::SiteList => {
            let summary = &mut out.collected.config;
            summary.count_file();
            config::sitelist::read_site_list(reader, |row| {
                if filter.config_site(Some(row.id), &row.name) {
                    summary.add_listed(row, path);
                }
            })?
        }
        Kind::Config => {
            let bytes = match config::lint::read_capped(reader)? {
                Ok(bytes) => bytes,
                Err(reason) => return Ok(FileOutcome::skipped(path, Some(kind), reason)),
            };
            // The lint is kept for a file the reader refuses: a malformed file is a finding.
            let summary = &mut out.collected.config;
            summary.add_lint(config::lint::lint_file(path, &bytes, disk));
            return Ok(match config::read_config(&bytes[..]) {
                Ok(file) => {
                    summary.add_config(&file, path, |id, name| filter.config_site(id, name));
                    FileOutcome::read(path, kind, (file.records(), 0), Vec::new(), file.notes)
                }
                Err(e) => FileOutcome::skipped(path, Some(kind), e.to_string()),
            });
        }
        Kind::Stdout => {
            let (log, stats) = stdout::read_stdout(reader)?;
            let name = file_name.and_then(stdout::parse_name);
            let entry = StdoutEntry::new(path, origin.server_folder.clone(), name, log);
            if filter.stdout(entry.started, &origin) {
                out.collected.stdout.add(entry);
            }
            stats
        }
        Kind::Freb => {
            let read = freb::read_whole(reader, false);
            return Ok(match read {
                Ok(trace) => {
                    if filter.trace(&trace, &origin) {
                        out.collected.traces.add(&trace, path);
                        let folder = origin.server_folder.as_deref();
                        out.collected.fronts.add_trace(&trace, folder);
                    }
                    FileOutcome::read(
                        path,
                        kind,
                        (1, 0),
                        Vec::new(),
                        trace
                            .truncation
                            .iter()
                            .chain(&trace.time_note)
                            .cloned()
                            .collect(),
                    )
                }
                Err(e) => FileOutcome::skipped(path, Some(kind), e.to_string()),
            });
        }
    };
    out.requests.extend(rows);
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
