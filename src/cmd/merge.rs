//! `iisdiag merge`: summaries saved on many servers, combined into one report.

use std::io::Write;
use std::path::PathBuf;

use crate::cli::MergeArgs;
use crate::error::{Error, Result};
use crate::output::{self, redact};
use crate::summary::Collected;
use crate::summary::saved::{self, Meta};

use super::show::{self, Show};

#[derive(Debug, Clone)]
pub struct Options {
    pub files: Vec<PathBuf>,
    pub show: Show,
}

impl TryFrom<MergeArgs> for Options {
    type Error = Error;

    fn try_from(a: MergeArgs) -> Result<Options> {
        Ok(Options {
            files: a.files,
            show: Show::try_from(a.report)?,
        })
    }
}

pub fn run(opts: &Options, out: &mut dyn Write, err: &mut dyn Write) -> Result<i32> {
    let kb = opts.show.kb()?;
    let targets = opts.show.targets();
    let refs: Vec<(&'static str, &output::Target)> = targets.iter().map(|(f, t)| (*f, t)).collect();
    output::check_targets(&refs, &opts.files, &[], opts.show.force)?;
    let mut merged: Option<(Collected, Meta, &PathBuf)> = None;
    let mut filters_differ = false;
    for path in &opts.files {
        let (collected, meta) = saved::read(path)?;
        merged = Some(match merged {
            None => (collected, meta, path),
            Some((all, first_meta, first_path)) => {
                // A summary saved without --by has no breakdown to add to one saved with it:
                // merged, the breakdown would hold only some files' requests, and which ones
                // would depend on the order the files were named in.
                if all.w3c.by() != collected.w3c.by() {
                    let by = |s: &Collected| match s.w3c.by() {
                        Some(b) => format!("saved with --by {}", b.name()),
                        None => "saved without --by".to_string(),
                    };
                    return Err(Error::Usage(format!(
                        "{} was {} and {} {}: their breakdowns do not add up; save both with the same --by",
                        first_path.display(),
                        by(&all),
                        path.display(),
                        by(&collected),
                    )));
                }
                if first_meta.all != meta.all {
                    return Err(Error::Usage(format!(
                        "{} and {} were saved one with --all and one without: their groups do not add up",
                        first_path.display(),
                        path.display()
                    )));
                }
                filters_differ |= first_meta.filters != meta.filters;
                (all.merge(collected), first_meta, first_path)
            }
        });
    }
    let Some((collected, meta, _)) = merged else {
        return Err(Error::Usage("no summary files given".into()));
    };
    if filters_differ && !opts.show.quiet {
        let _ = writeln!(
            err,
            "iisdiag: note: the summaries were saved with different filters; the report shows the first file's"
        );
    }
    let mut collected = collected;
    collected.files.sort_by(|a, b| a.path.cmp(&b.path));
    let (collected, meta, counts) = if opts.show.redact {
        let r = redact::run(&collected, &meta, redact::Values::default(), &mut [])?;
        (r.collected, r.meta, Some(r.redactor.counts()))
    } else {
        (collected, meta, None)
    };
    show::show(
        &kb,
        &collected,
        &opts.show,
        (meta.filters, counts),
        true,
        out,
        err,
    )
}
