//! `iisdiag scan`: read logs, filter, group failures, explain them, export.

use std::io::Write;
use std::path::PathBuf;

use crate::cli::{ByArg, ExportFormatArg, FilterArgs, ScanArgs};
use crate::error::{Error, Result};
use crate::filter::{self, Filter, StatusFilter, TimeBound, UrlFilter};
use crate::output::redact;
use crate::output::requests::{self, ExportFormat};
use crate::output::{self, Target};
use crate::pipeline;
use crate::summary::tiers::Roles;
use crate::summary::w3c::By;
use crate::summary::{Collected, saved};
use crate::time::Zone;

use super::show::{self, Show};

/// Everything `scan` needs, free of command-line types and settled: every value parsed.
#[derive(Debug, Clone)]
pub struct Options {
    pub paths: Vec<PathBuf>,
    pub all: bool,
    pub threads: Option<usize>,
    pub filter: FilterSpec,
    pub by: Option<By>,
    pub export: Option<(Target, ExportFormat)>,
    pub save_summary: Option<PathBuf>,
    pub show: Show,
    /// A progress bar on standard error after this long; set by `cmd::run`.
    pub progress: Option<std::time::Duration>,
    /// The servers and clients the filters name, replaced too with `--redact`.
    pub named: redact::Values,
    /// The servers `--front` and `--backend` name.
    pub tiers: Roles,
}

/// The filters, with `--since`/`--until` spans still to be measured from the newest record.
#[derive(Debug, Clone, Default)]
pub struct FilterSpec {
    pub filter: Filter,
    pub since: Option<TimeBound>,
    pub until: Option<TimeBound>,
    /// How the filters read, for the report header.
    pub described: Vec<String>,
}

impl TryFrom<ScanArgs> for Options {
    type Error = Error;

    fn try_from(a: ScanArgs) -> Result<Options> {
        let show = Show::try_from(a.report)?;
        let named = named_values(&a.filter);
        let names = |v: &[String]| {
            v.iter()
                .map(|n| n.trim().to_ascii_lowercase())
                .filter(|n| !n.is_empty())
                .collect()
        };
        let tiers = Roles {
            fronts: names(&a.front),
            backends: names(&a.backend),
        };
        Ok(Options {
            tiers,
            named,
            filter: filter_spec(a.filter, show.zone)?,
            paths: if a.paths.is_empty() {
                crate::input::defaults::default_paths()?
            } else {
                a.paths
            },
            all: a.all,
            threads: a.threads.map(usize::from),
            by: a.by.map(by_key),
            export: a.export_requests.map(|p| {
                let format = match a.export_format {
                    ExportFormatArg::Csv => ExportFormat::Csv,
                    ExportFormatArg::Ndjson => ExportFormat::Ndjson,
                };
                (Target::parse(&p), format)
            }),
            save_summary: a.save_summary,
            show,
            progress: None,
        })
    }
}

/// The `--by` key the summary understands.
pub(super) fn by_key(b: ByArg) -> By {
    match b {
        ByArg::Url => By::Url,
        ByArg::Server => By::Server,
        ByArg::Site => By::Site,
        ByArg::Client => By::Client,
        ByArg::Hour => By::Hour,
        ByArg::UserAgent => By::UserAgent,
    }
}
/// The values `--server` and `--client-ip` name: a redacted report's header must not show
/// them, even when no log holds them.
fn named_values(a: &FilterArgs) -> redact::Values {
    let mut named = redact::Values::default();
    for v in &a.server {
        Filter::split_names(v).for_each(|s| named.add(redact::Kind::Server, &s));
    }
    for v in &a.client_ip {
        Filter::split_names(v).for_each(|s| named.add(redact::Kind::Client, &s));
    }
    named
}

pub(super) fn filter_spec(a: FilterArgs, zone: Zone) -> Result<FilterSpec> {
    let mut spec = FilterSpec::default();
    let mut status = StatusFilter::default();
    for v in &a.status {
        status.add_included(v)?;
    }
    for v in &a.exclude_status {
        status.add_excluded(v)?;
    }
    let described = &mut spec.described;
    if !a.status.is_empty() {
        described.push(format!("status {}", a.status.join(",")));
    }
    if !a.exclude_status.is_empty() {
        described.push(format!("not status {}", a.exclude_status.join(",")));
    }
    let mut f = Filter::default();
    f.status = status;
    if let Some(v) = &a.since {
        spec.since = Some(filter::parse_time_bound("--since", v, zone, false)?);
        described.push(format!("since {v}"));
    }
    if let Some(v) = &a.until {
        spec.until = Some(filter::parse_time_bound("--until", v, zone, true)?);
        described.push(format!("until {v}"));
    }
    for v in &a.site {
        f.sites
            .extend(Filter::split_names(v).map(|s| s.to_ascii_lowercase()));
    }
    for v in &a.server {
        f.servers
            .extend(Filter::split_names(v).map(|s| s.to_ascii_lowercase()));
    }
    for v in &a.method {
        f.methods
            .extend(Filter::split_names(v).map(|s| s.to_ascii_uppercase()));
    }
    for v in &a.client_ip {
        f.add_clients(v)?;
    }
    for (name, values) in [
        ("site", &f.sites),
        ("server", &f.servers),
        ("method", &f.methods),
    ] {
        if !values.is_empty() {
            described.push(format!("{name} {}", values.join(",")));
        }
    }
    if !a.client_ip.is_empty() {
        described.push(format!("client {}", a.client_ip.join(",")));
    }
    if let Some(pattern) = &a.url {
        f.url = Some(UrlFilter::new(pattern, a.url_query)?);
        let on = if a.url_query { "url+query" } else { "url" };
        described.push(format!("{on} ~ {pattern}"));
    }
    if let Some(v) = &a.min_time_taken {
        f.min_time_taken_ms = Some(filter::parse_duration_ms("--min-time-taken", v)?);
        described.push(format!("time-taken >= {v}"));
    }
    spec.filter = f;
    Ok(spec)
}

pub fn run(opts: &Options, out: &mut dyn Write, err: &mut dyn Write) -> Result<i32> {
    let kb = opts.show.kb()?;
    // The same test the walk makes; named here so the run can end with an error after the
    // report of the paths that do exist.
    let missing = super::missing(&opts.paths);
    let found = pipeline::find(&opts.paths);
    let mut targets = opts.show.targets();
    if let Some((target, _)) = &opts.export {
        targets.push(("--export-requests", target.clone()));
    }
    if let Some(path) = &opts.save_summary {
        targets.push(("--save-summary", Target::File(path.clone())));
    }
    let refs: Vec<(&'static str, &Target)> = targets.iter().map(|(f, t)| (*f, t)).collect();
    output::check_targets(&refs, &opts.paths, &found.files, opts.show.force)?;

    let (filter, described) = settle_times(&opts.filter, &found, opts.threads, opts.show.zone)?;
    let read = super::progress::track(opts.progress, |progress| {
        pipeline::collect(
            &found,
            &pipeline::Options {
                all: opts.all,
                threads: opts.threads,
                filter,
                by: opts.by,
                // Saved summaries keep them, for a timeline drawn when they are merged.
                group_minutes: opts.show.draws_timeline() || opts.save_summary.is_some(),
                export: export_rows(opts),
                progress,
                tiers: opts.tiers.clone(),
            },
        )
    });
    let mut read = read;
    let meta = saved::Meta {
        paths: opts.paths.iter().map(|p| p.display().to_string()).collect(),
        filters: described,
        all: opts.all,
    };
    let (redacted, meta, counts) = if opts.show.redact {
        let r = redact::run(
            &read.collected,
            &meta,
            opts.named.clone(),
            &mut read.requests,
        )?;
        (Some(r.collected), r.meta, Some(r.redactor.counts()))
    } else {
        (None, meta, None)
    };
    let collected = redacted.as_ref().unwrap_or(&read.collected);
    if !opts.show.quiet {
        tell_problems(collected, err);
    }
    for name in &read.unknown_roles {
        super::say(
            err,
            format_args!("iisdiag: warning: {name} names no server in the logs read"),
        );
    }
    if !collected.anything_read() {
        let names: Vec<String> = opts.paths.iter().map(|p| p.display().to_string()).collect();
        return Err(Error::NothingReadable(names.join(", ")));
    }
    if let Some(path) = &opts.save_summary {
        output::write_atomic(path, opts.show.force, |w| saved::write(w, collected, &meta))?;
    }
    let mut report_to_stdout = true;
    if let Some((target, format)) = &opts.export {
        report_to_stdout &= *target != Target::Stdout;
        output::write_to(target, opts.show.force, out, |w| {
            requests::write_all(w, *format, &read.requests)
        })?;
    }
    let code = show::show(
        &kb,
        collected,
        &opts.show,
        (meta.filters, counts),
        report_to_stdout,
        out,
        err,
    )?;
    if !missing.is_empty() {
        return Err(Error::MissingPaths(missing.join(", ")));
    }
    Ok(code)
}

/// The export rows kept while reading: those asked for, and with `--redact` always, so the
/// values numbered (every grouped request's server, client and query) are the same whatever
/// outputs were asked for, and so are the pseudonyms.
fn export_rows(opts: &Options) -> Option<ExportFormat> {
    let asked = opts.export.as_ref().map(|(_, format)| *format);
    asked.or(opts.show.redact.then_some(ExportFormat::Ndjson))
}

/// Measures `--since 2h`-style spans back from the newest record, and checks the range.
pub(super) fn settle_times(
    spec: &FilterSpec,
    found: &pipeline::Found,
    threads: Option<usize>,
    zone: Zone,
) -> Result<(Filter, Vec<String>)> {
    let mut filter = spec.filter.clone();
    let mut described = spec.described.clone();
    let spans = [spec.since, spec.until]
        .iter()
        .any(|b| matches!(b, Some(TimeBound::Back(_))));
    let newest = if spans {
        pipeline::newest_time(found, threads)
    } else {
        None
    };
    let mut settle = |flag: &str, bound: Option<TimeBound>| -> Result<Option<i64>> {
        match bound {
            None => Ok(None),
            Some(TimeBound::At(t)) => Ok(Some(t)),
            Some(TimeBound::Back(span)) => {
                let newest = newest.ok_or_else(|| {
                    Error::Usage(format!(
                        "{flag} with a span counts back from the newest record, and no record with a time was found"
                    ))
                })?;
                let t = newest - span;
                described.push(format!(
                    "{flag} resolved to {} {} (newest record {})",
                    zone.short(t),
                    zone.label(Some(t)),
                    zone.short(newest)
                ));
                Ok(Some(t))
            }
        }
    };
    filter.since = settle("--since", spec.since)?;
    filter.until = settle("--until", spec.until)?;
    if let (Some(s), Some(u)) = (filter.since, filter.until) {
        if s >= u {
            return Err(Error::Usage(format!(
                "--since ({}) is not before --until ({}): no request can match",
                zone.short(s),
                zone.short(u)
            )));
        }
    }
    Ok((filter, described))
}

/// Names each skipped file once, with the reason, and summarises malformed lines and notes.
/// File names, quoted lines and XML errors come from the logs: each line goes through the
/// terminal guard (`say`).
pub(super) fn tell_problems(collected: &Collected, err: &mut dyn Write) {
    for f in &collected.files {
        if let Some(reason) = &f.error {
            super::say(err, format_args!("iisdiag: skipped {}: {reason}", f.path));
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
            super::say(
                err,
                format_args!(
                    "iisdiag: {}: {} malformed line(s) left out ({}{more})",
                    f.path,
                    f.malformed,
                    lines.join("; ")
                ),
            );
        }
        for note in &f.notes {
            super::say(err, format_args!("iisdiag: note: {}: {note}", f.path));
        }
    }
    if collected.files_out_of_range > 0 {
        let _ = writeln!(
            err,
            "iisdiag: {} file(s) left unread: the date in their name is outside --since/--until",
            collected.files_out_of_range
        );
    }
}
