//! `iisdiag events PATH...`: what the Windows event logs say, alone, like `freb` shows
//! traces: every provider and id counted, each application pool's life, the runs of events
//! of interest, and, when W3C, HTTP.sys or FREB logs are given beside them, which failure
//! groups the events explain and which no event explains.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use serde::Serialize;

use crate::cli::{EventsArgs, EventsFormat};
use crate::error::{EXIT_OK, Error, Result};
use crate::explain::{self, BuildOptions, events::EventsReport};
use crate::kb::Kb;
use crate::output::redact::{self, Values};
use crate::pipeline;
use crate::report::{self, Layout, events::Extent, paint::Paint};
use crate::summary::FileOutcome;
use crate::time::Zone;

use super::scan::{FilterSpec, filter_spec, settle_times, tell_problems};

#[derive(Debug, Clone)]
pub struct Options {
    pub paths: Vec<PathBuf>,
    pub filter: FilterSpec,
    pub format: EventsFormat,
    pub zone: Zone,
    pub rules: Option<PathBuf>,
    pub threads: Option<usize>,
    pub quiet: bool,
    /// Identifying values are replaced by pseudonyms (`--redact`).
    pub redact: bool,
    /// Colour on standard output; set by `cmd::run`.
    pub color: bool,
}

impl TryFrom<EventsArgs> for Options {
    type Error = Error;

    fn try_from(a: EventsArgs) -> Result<Options> {
        let zone = if a.local { Zone::Local } else { Zone::Utc };
        Ok(Options {
            filter: filter_spec(a.filter, zone)?,
            paths: a.paths,
            format: a.format,
            zone,
            rules: a.rules,
            threads: a.threads.map(usize::from),
            quiet: a.quiet,
            redact: a.redact,
            color: false,
        })
    }
}

/// The JSON document of `iisdiag events`.
#[derive(Serialize)]
struct Document<'a> {
    filters: &'a [String],
    /// The event log files read (and skipped), as in the scan report's `files`.
    files: Vec<&'a FileOutcome>,
    events: &'a EventsReport,
}

pub fn run(opts: &Options, out: &mut dyn Write, err: &mut dyn Write) -> Result<i32> {
    let kb = Kb::with_optional_rules(opts.rules.as_deref())?;
    let found = pipeline::find(&opts.paths);
    let (filter, described) = settle_times(&opts.filter, &found, opts.threads, opts.zone)?;
    let read = pipeline::collect(
        &found,
        &pipeline::Options {
            threads: opts.threads,
            filter,
            ..pipeline::Options::default()
        },
    );
    let collected = &read.collected;
    if !opts.quiet {
        tell_problems(collected, err);
    }
    if collected.events.is_empty() {
        let names: Vec<String> = opts.paths.iter().map(|p| p.display().to_string()).collect();
        return Err(Error::NothingReadable(format!(
            "{} (no Windows events: .evtx, Event XML or App Service eventlog.xml)",
            names.join(", ")
        )));
    }
    let report = explain::build(
        collected,
        kb.as_ref(),
        &BuildOptions {
            zone: opts.zone,
            filters: described.clone(),
            ..BuildOptions::default()
        },
    );
    let Some(ev) = &report.events else {
        return Err(Error::NothingReadable(
            "no Windows events were read".to_string(),
        ));
    };
    let doc = Document {
        filters: &described,
        files: collected
            .files
            .iter()
            .filter(|f| {
                f.kind
                    .is_some_and(|k| matches!(k.name(), "evtx" | "eventxml"))
            })
            .collect(),
        events: ev,
    };
    let values = opts.redact.then(|| {
        let mut v = Values::default();
        v.add_data(&doc);
        v
    });
    let json = opts.format == EventsFormat::Json;
    let written = redact::write_with(out, values.as_ref(), json, |out| {
        if json {
            return serde_json::to_writer_pretty(&mut *out, &doc)
                .map_err(std::io::Error::from)
                .and_then(|()| writeln!(out));
        }
        let layout = Layout {
            width: super::terminal_width(),
            unicode: std::io::stdout().is_terminal(),
            top: usize::MAX,
            paint: Paint::new(opts.color),
            zone: opts.zone,
        };
        report::events::write_section(out, ev, Extent::Full, &layout)
    });
    written.and_then(|()| out.flush()).map_err(Error::Output)?;
    Ok(EXIT_OK)
}
