//! `iisdiag diff`: two saved summaries, or one set of logs split at a moment, compared.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::cli::{DiffArgs, Format};
use crate::error::{EXIT_MATCHED, EXIT_OK, Error, Result};
use crate::explain::diff::{self, DiffFailOn, Origin};
use crate::filter::{self, Filter, TimeBound};
use crate::pipeline;
use crate::report::diff::{self as writer, Format as DiffFormat};
use crate::summary::httperr::HttpErrSummary;
use crate::summary::saved;
use crate::summary::w3c::{By, W3cSummary};
use crate::time::{Millis, Zone};

/// Everything `diff` needs, settled.
#[derive(Debug, Clone)]
pub struct Options {
    pub inputs: Vec<PathBuf>,
    /// With `--split`: the inputs are logs, split at this moment.
    pub split: Option<Millis>,
    pub by: Option<By>,
    pub format: DiffFormat,
    pub fail_on: Vec<DiffFailOn>,
    pub quiet: bool,
}

impl TryFrom<DiffArgs> for Options {
    type Error = Error;

    fn try_from(a: DiffArgs) -> Result<Options> {
        let split = match a.split.as_deref() {
            None => None,
            Some(v) => match filter::parse_time_bound("--split", v, Zone::Utc, false)? {
                TimeBound::At(t) => Some(t),
                TimeBound::Back(_) => {
                    return Err(Error::BadOption {
                        flag: "--split",
                        value: v.to_string(),
                        reason: "expected a moment (2026-11-18T11:00), not a span back".into(),
                    });
                }
            },
        };
        if split.is_none() && a.inputs.len() != 2 {
            return Err(two_summaries(a.inputs.len()));
        }
        Ok(Options {
            inputs: a.inputs,
            split,
            by: a.by.map(super::scan::by_key),
            format: match a.format {
                Format::Table => DiffFormat::Table,
                Format::Json => DiffFormat::Json,
                Format::Markdown => DiffFormat::Markdown,
            },
            fail_on: a
                .fail_on
                .iter()
                .map(|v| DiffFailOn::parse(v))
                .collect::<Result<_>>()?,
            quiet: a.quiet,
        })
    }
}

/// Without `--split`, anything but two inputs.
fn two_summaries(got: usize) -> Error {
    Error::Usage(format!(
        "diff takes two summary files, BEFORE and AFTER (got {got}); or log paths with --split WHEN"
    ))
}

/// A side: what was read, the paths it came from, and its HTTP.sys records.
type Read = (W3cSummary, Origin, HttpErrSummary);

pub fn run(opts: &Options, out: &mut dyn Write, err: &mut dyn Write) -> Result<i32> {
    let (before, after) = match (opts.split, opts.inputs.as_slice()) {
        (Some(at), _) => split(opts, at, err)?,
        (None, [before, after]) => summaries(before, after)?,
        (None, other) => return Err(two_summaries(other.len())),
    };
    for (name, side) in [("before", &before), ("after", &after)] {
        if side.0.requests == 0 {
            return Err(Error::Usage(format!(
                "the {name} side ({}) holds no requests: nothing to compare",
                side.1.paths.join(", ")
            )));
        }
    }
    let kb = crate::kb::Kb::builtin();
    let d = diff::diff(
        kb,
        (&before.0, before.1),
        (&after.0, after.1),
        (&before.2, &after.2),
        &opts.fail_on,
    );
    writer::write(out, &d, opts.format)
        .and_then(|()| out.flush())
        .map_err(Error::Output)?;
    for reason in &d.verdict {
        super::say(err, format_args!("iisdiag: {reason}"));
    }
    Ok(if d.verdict.is_empty() {
        EXIT_OK
    } else {
        EXIT_MATCHED
    })
}

/// Two saved summaries whose groups mean the same: both saved with `--all` or neither (with
/// it, every request is in a group and a share is not a failure rate).
fn summaries(before: &Path, after: &Path) -> Result<(Read, Read)> {
    let (b, b_all) = summary(before)?;
    let (a, a_all) = summary(after)?;
    if b_all != a_all {
        return Err(Error::Usage(format!(
            "{} and {} were saved one with --all and one without: their groups do not compare",
            before.display(),
            after.display()
        )));
    }
    Ok((b, a))
}

/// A saved summary's requests, and whether it was saved with `--all`; a damaged or foreign
/// file is an error naming it.
fn summary(path: &Path) -> Result<(Read, bool)> {
    let (collected, meta) = saved::read(path)?;
    let paths = if meta.paths.is_empty() {
        vec![path.display().to_string()]
    } else {
        meta.paths
    };
    let origin = Origin {
        paths,
        filters: meta.filters,
    };
    Ok(((collected.w3c, origin, collected.httperr), meta.all))
}

/// The logs read twice: up to `at`, and from `at` on (`--until` and `--since` at `at`).
fn split(opts: &Options, at: Millis, err: &mut dyn Write) -> Result<(Read, Read)> {
    let missing = super::missing(&opts.inputs);
    if !missing.is_empty() {
        return Err(Error::MissingPaths(missing.join(", ")));
    }
    let found = pipeline::find(&opts.inputs);
    let read = |filter: Filter| {
        pipeline::collect(
            &found,
            &pipeline::Options {
                all: false,
                threads: None,
                filter,
                by: opts.by,
                // The burst is found from each group's minutes.
                group_minutes: true,
                export: None,
                progress: None,
                tiers: Default::default(),
            },
        )
        .collected
    };
    let mut until = Filter::default();
    until.until = Some(at);
    let mut since = Filter::default();
    since.since = Some(at);
    let (before, after) = (read(until), read(since));
    if !opts.quiet {
        super::scan::tell_problems(&after, err);
    }
    if !before.anything_read() && !after.anything_read() {
        let names: Vec<String> = opts
            .inputs
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        return Err(Error::NothingReadable(names.join(", ")));
    }
    let paths: Vec<String> = opts
        .inputs
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    let when = crate::time::format_rfc3339(at);
    let origin = |filter: String| Origin {
        paths: paths.clone(),
        filters: vec![filter],
    };
    Ok((
        (before.w3c, origin(format!("until {when}")), before.httperr),
        (after.w3c, origin(format!("since {when}")), after.httperr),
    ))
}
