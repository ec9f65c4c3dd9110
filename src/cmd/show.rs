//! Showing a run's report, shared by `scan` and `merge`: the table or JSON on standard
//! output, and the `--csv` summary.

use std::borrow::Cow;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use crate::cli::{Format, ReportArgs};
use crate::error::{EXIT_MATCHED, EXIT_OK, Error, Result};
use crate::explain::{self, BuildOptions};
use crate::filter::FailOn;
use crate::kb::Kb;
use crate::output::redact::Counts;
use crate::output::{self, Target};
use crate::report::{self, Layout, paint::Paint};
use crate::summary::Collected;
use crate::time::Zone;

/// How the report is shown, settled from the command line.
#[derive(Debug, Clone)]
pub struct Show {
    pub top: usize,
    pub format: Format,
    pub rules: Option<PathBuf>,
    /// `Some` with `--timeline`: the bucket in minutes, or `None` to choose from the span.
    pub timeline: Option<Option<i64>>,
    /// The `--bucket` in minutes, also for the timeline the HTML page always draws.
    pub bucket: Option<i64>,
    pub zone: Zone,
    pub csv: Option<Target>,
    pub html: Option<Target>,
    pub force: bool,
    pub quiet: bool,
    /// Conditions that make the run end with exit code 1.
    pub fail_on: Vec<FailOn>,
    /// Skipped files and malformed lines end the run with exit code 1.
    pub strict: bool,
    /// Colour on standard output; set by `cmd::run` from the global `--color`.
    pub color: bool,
    /// Identifying values are replaced by pseudonyms (`--redact`).
    pub redact: bool,
}

impl TryFrom<ReportArgs> for Show {
    type Error = Error;

    fn try_from(a: ReportArgs) -> Result<Show> {
        let bucket = a.bucket.as_deref().map(parse_bucket).transpose()?;
        if let (Some(value), false, None) = (&a.bucket, a.timeline, &a.html) {
            return Err(Error::Usage(format!(
                "--bucket {value} sets the timeline's bucket: add --timeline (or --html, whose page always draws the timeline)"
            )));
        }
        Ok(Show {
            top: a.top,
            format: a.format,
            rules: a.rules,
            timeline: a.timeline.then_some(bucket),
            bucket,
            zone: if a.local { Zone::Local } else { Zone::Utc },
            csv: a.csv.as_deref().map(Target::parse),
            html: a.html.as_deref().map(Target::parse),
            force: a.force,
            quiet: a.quiet,
            fail_on: a
                .fail_on
                .iter()
                .map(|v| FailOn::parse(v))
                .collect::<Result<_>>()?,
            strict: a.strict,
            color: false,
            redact: a.redact,
        })
    }
}

/// `--bucket`: whole minutes, at least one.
fn parse_bucket(value: &str) -> Result<i64> {
    let ms = crate::filter::parse_duration_ms("--bucket", value)?;
    if ms < 60_000 || ms % 60_000 != 0 || ms > 366 * 86_400_000 {
        return Err(Error::BadOption {
            flag: "--bucket",
            value: value.to_string(),
            reason: "expected whole minutes, from 1m to 366d: 1m, 5m, 15m, 1h, 1d".into(),
        });
    }
    Ok(ms as i64 / 60_000)
}

impl Show {
    /// The knowledge base, with the rules file when one was given.
    pub fn kb(&self) -> Result<Cow<'static, Kb>> {
        Kb::with_optional_rules(self.rules.as_deref())
    }

    /// Whether a timeline is drawn: with `--timeline`, and always in the HTML page.
    pub fn draws_timeline(&self) -> bool {
        self.timeline.is_some() || self.html.is_some()
    }

    /// The files this shows into, by flag.
    pub fn targets(&self) -> Vec<(&'static str, Target)> {
        let csv = self.csv.iter().map(|t| ("--csv", t.clone()));
        let html = self.html.iter().map(|t| ("--html", t.clone()));
        csv.chain(html).collect()
    }
}

/// Builds the report and writes it: to standard output (unless an export took it) and to
/// the `--csv` and `--html` targets. Returns the exit code: 1 when a `--fail-on` condition or
/// `--strict` found something (said on `err`), else 0.
pub fn show(
    kb: &Kb,
    collected: &Collected,
    show: &Show,
    (filters, redacted): (Vec<String>, Option<Counts>),
    report_to_stdout: bool,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<i32> {
    // The HTML page always draws the timeline; the other outputs only with --timeline.
    let mut report = explain::build(
        collected,
        kb,
        &BuildOptions {
            zone: show.zone,
            timeline: show.timeline.or(show.html.as_ref().map(|_| show.bucket)),
            filters,
            top: show.top,
            fail_on: show.fail_on.clone(),
            strict: show.strict,
            redacted,
        },
    );
    if let (n @ 1.., false) = (report.totals.other_codes, show.quiet) {
        let _ = writeln!(
            err,
            "iisdiag: note: {n} failed request(s) had codes past the first {} distinct ones: counted in the totals, in no group",
            crate::summary::w3c::GROUP_CAP
        );
    }
    if let (Some(note), false) = (
        report.timeline.as_ref().and_then(|t| t.note.as_ref()),
        show.quiet,
    ) {
        // Best effort, like every message on stderr.
        let _ = writeln!(err, "iisdiag: note: {note}");
    }
    let layout = Layout {
        width: super::terminal_width(),
        unicode: std::io::stdout().is_terminal(),
        top: show.top,
        paint: Paint::new(show.color),
        zone: show.zone,
    };
    let mut report_to_stdout = report_to_stdout;
    if let Some(target) = &show.html {
        report_to_stdout &= *target != Target::Stdout;
        output::write_to(target, show.force, out, |w| {
            report::write(w, &report, report::Format::Html, &layout)
        })?;
        if show.timeline.is_none() {
            report.timeline = None;
        }
    }
    if let Some(target) = &show.csv {
        report_to_stdout &= *target != Target::Stdout;
        output::write_to(target, show.force, out, |w| {
            report::write(w, &report, report::Format::Csv, &layout)
        })?;
    }
    if report_to_stdout {
        let format = match show.format {
            Format::Json => report::Format::Json,
            Format::Markdown => report::Format::Markdown,
            Format::Table => report::Format::Table,
        };
        report::write(out, &report, format, &layout)
            .and_then(|()| out.flush())
            .map_err(Error::Output)?;
    }
    for reason in &report.verdict {
        // Best effort: the exit code carries the verdict even if stderr is closed.
        super::say(err, format_args!("iisdiag: {reason}"));
    }
    Ok(if report.verdict.is_empty() {
        EXIT_OK
    } else {
        EXIT_MATCHED
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_whole_minutes() {
        assert_eq!(parse_bucket("1m").unwrap(), 1);
        assert_eq!(parse_bucket("5m").unwrap(), 5);
        assert_eq!(parse_bucket("1h").unwrap(), 60);
        assert_eq!(parse_bucket("1d").unwrap(), 1440);
        for bad in ["30s", "90s", "0m", "soon", "400d"] {
            let err = parse_bucket(bad).unwrap_err().to_string();
            assert!(err.contains("--bucket"), "{bad}: {err}");
        }
    }
}
