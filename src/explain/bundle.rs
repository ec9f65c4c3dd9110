//! What a support bundle held and lacked: the layout recognised, the kinds of evidence read
//! with their file counts, the kinds its layout could hold that are missing and what their
//! absence means for this run, and the files that are not evidence, each once with its reason.
//!
//! A new reader's kind joins with one line in [`evidence`] (and, for a new kind of evidence,
//! one row in [`ABSENCE`]).

use serde::Serialize;

use crate::input::bundle::{Layout, NotUsed};
use crate::input::sniff::Kind;
use crate::summary::Collected;

/// How many file names under one reason the text outputs list (the JSON has them all).
pub const NAMES_SHOWN: usize = 5;

/// The kinds of evidence a bundle can hold, as a reader of the report thinks of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Evidence {
    /// W3C or IIS native request logs.
    Requests,
    /// Failed Request Tracing traces.
    Traces,
    /// HTTP.sys error logs.
    Httperr,
    /// Windows event logs.
    Events,
    /// IIS detailed error pages.
    Pages,
    /// ASP.NET Core Module stdout and debug logs.
    Ancm,
    /// IIS configuration (`applicationHost.config`, `web.config`).
    Config,
    /// PHP error logs.
    Php,
}

/// The evidence a kind of file is.
pub fn evidence(kind: Kind) -> Evidence {
    match kind {
        Kind::W3c | Kind::Native => Evidence::Requests,
        Kind::Freb => Evidence::Traces,
        Kind::Httperr => Evidence::Httperr,
        Kind::Evtx | Kind::EventXml => Evidence::Events,
        Kind::ErrorPage => Evidence::Pages,
        Kind::Php => Evidence::Php,
        Kind::Config | Kind::SiteList => Evidence::Config,
        Kind::Stdout | Kind::AncmDebug => Evidence::Ancm,
    }
}

/// Each kind of evidence: its name, and what its absence means for a run.
const ABSENCE: &[(Evidence, &str, &str)] = &[
    (
        Evidence::Requests,
        "request logs (W3C)",
        "how many requests failed, when and where cannot be counted",
    ),
    (
        Evidence::Traces,
        "FREB traces",
        "the module and the step that failed cannot be shown",
    ),
    (
        Evidence::Httperr,
        "HTTPERR logs",
        "requests HTTP.sys refused never reached IIS and cannot be seen",
    ),
    (
        Evidence::Events,
        "event logs",
        "the crash cause cannot be shown",
    ),
    (
        Evidence::Pages,
        "detailed error pages",
        "the handler, the physical path and the error code of a failed request are not shown",
    ),
    (
        Evidence::Ancm,
        "stdout or debug logs of the ASP.NET Core Module",
        "an ASP.NET Core app's startup exception cannot be shown",
    ),
    (
        Evidence::Config,
        "IIS configuration",
        "configured limits are assumed to be the defaults",
    ),
    (
        Evidence::Php,
        "PHP error logs",
        "a PHP fatal error behind a FastCGI 500 cannot be named",
    ),
];

/// The evidence each layout can hold, so its absence is worth a line.
fn expected(layout: Layout) -> &'static [Evidence] {
    match layout {
        // App Service's front ends keep HTTP.sys's log, and the download has no configuration.
        Layout::AppService => &[
            Evidence::Requests,
            Evidence::Traces,
            Evidence::Pages,
            Evidence::Events,
            Evidence::Ancm,
        ],
        Layout::LogCatcher | Layout::PlainCopy => &[
            Evidence::Requests,
            Evidence::Traces,
            Evidence::Httperr,
            Evidence::Events,
            Evidence::Config,
        ],
    }
}

/// A layout recognised in the input.
#[derive(Debug, Clone, Serialize)]
pub struct LayoutReport {
    /// `appservice`, `logcatcher` or `plain-copy`.
    pub layout: Layout,
    /// The folder (or `archive!folder`) it sits in, as its paths give it.
    pub root: String,
    /// App Service instances, from the RawLogs file names.
    pub instances: Vec<String>,
    /// LogCatcher's site folders.
    pub sites: Vec<String>,
    /// `Azure App Service log download in dl (instance 18e609)`
    pub text: String,
}

/// A kind of file read, and how many.
#[derive(Debug, Clone, Serialize)]
pub struct Held {
    pub kind: Kind,
    pub evidence: Evidence,
    pub files: usize,
}

/// Evidence the layouts could hold that none of the files is.
#[derive(Debug, Clone, Serialize)]
pub struct Missing {
    pub evidence: Evidence,
    /// `no event logs in this bundle: the crash cause cannot be shown`
    pub text: String,
}

/// The bundle section of a report.
#[derive(Debug, Clone, Serialize)]
pub struct BundleReport {
    pub layouts: Vec<LayoutReport>,
    /// The kinds of the bundles' files read, in kind order (files beside the bundles in the
    /// same run are not counted).
    pub held: Vec<Held>,
    pub missing: Vec<Missing>,
    /// Every file that is not evidence, with its reason, in path order.
    pub not_used: Vec<NotUsed>,
    /// The bundles' files no reader took and no layout explains (in `files`, with their
    /// reason).
    pub unread: usize,
}

impl BundleReport {
    /// The not-used files grouped by reason (in the order reasons first appear), each with
    /// its names.
    pub fn by_reason(&self) -> Vec<(&'static str, Vec<&str>)> {
        let mut out: Vec<(&'static str, Vec<&str>)> = Vec::new();
        for n in &self.not_used {
            match out.iter_mut().find(|(r, _)| *r == n.reason) {
                Some((_, names)) => names.push(&n.path),
                None => out.push((n.reason, vec![&n.path])),
            }
        }
        out
    }

    /// `2 w3c, 1 freb, 1 eventxml`: the kinds held, as one phrase.
    pub fn held_text(&self) -> String {
        if self.held.is_empty() {
            return "no file read".into();
        }
        self.held
            .iter()
            .map(|h| format!("{} {}", h.files, h.kind.name()))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The bundle section, when the input is shaped like a bundle.
pub fn report(collected: &Collected) -> Option<BundleReport> {
    if collected.bundles.is_empty() {
        return None;
    }
    let layouts: Vec<LayoutReport> = collected
        .bundles
        .found
        .iter()
        .map(|f| {
            let root = if f.root.is_empty() { "." } else { &f.root };
            let mut text = format!("{} in {root}", f.layout.title());
            if !f.instances.is_empty() {
                let word = if f.instances.len() == 1 {
                    "instance"
                } else {
                    "instances"
                };
                text.push_str(&format!(" ({word} {})", f.instances.join(", ")));
            }
            if !f.sites.is_empty() {
                let word = if f.sites.len() == 1 { "site" } else { "sites" };
                text.push_str(&format!(" ({word} {})", f.sites.join(", ")));
            }
            LayoutReport {
                layout: f.layout,
                root: f.root.clone(),
                instances: f.instances.clone(),
                sites: f.sites.clone(),
                text,
            }
        })
        .collect();
    let mut held: Vec<Held> = Vec::new();
    let mut unread = 0;
    for f in collected
        .files
        .iter()
        .filter(|f| collected.bundles.holds(&f.path))
    {
        match (f.kind, &f.error) {
            (Some(kind), None) => match held.iter_mut().find(|h| h.kind == kind) {
                Some(h) => h.files += 1,
                None => held.push(Held {
                    kind,
                    evidence: evidence(kind),
                    files: 1,
                }),
            },
            _ => unread += 1,
        }
    }
    held.sort_by_key(|h| h.kind);
    let mut wanted: Vec<Evidence> = layouts
        .iter()
        .flat_map(|l| expected(l.layout).iter().copied())
        .collect();
    wanted.sort();
    wanted.dedup();
    let missing = wanted
        .into_iter()
        .filter(|e| !held.iter().any(|h| h.evidence == *e))
        .filter_map(|e| {
            let (_, name, meaning) = ABSENCE.iter().find(|(a, _, _)| *a == e)?;
            Some(Missing {
                evidence: e,
                text: format!("no {name} in this bundle: {meaning}"),
            })
        })
        .collect();
    let mut not_used = collected.not_used.clone();
    not_used.sort_by(|a, b| a.path.cmp(&b.path));
    Some(BundleReport {
        layouts,
        held,
        missing,
        not_used,
        unread,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::bundle::Bundles;
    use crate::summary::FileOutcome;

    #[test]
    fn every_kind_has_a_row_of_absence() {
        for e in [
            Evidence::Requests,
            Evidence::Traces,
            Evidence::Httperr,
            Evidence::Events,
            Evidence::Pages,
            Evidence::Ancm,
            Evidence::Config,
            Evidence::Php,
        ] {
            assert!(ABSENCE.iter().any(|(a, _, _)| *a == e), "{e:?}");
        }
    }

    #[test]
    fn held_missing_and_not_used_of_an_app_service_download() {
        let mut c = Collected {
            files: vec![
                FileOutcome::read(
                    "d/LogFiles/http/RawLogs/18e609-202611181000.log",
                    Kind::W3c,
                    (3, 0),
                    Vec::new(),
                    Vec::new(),
                ),
                FileOutcome::skipped(
                    "d/LogFiles/kudu/trace/a.xml",
                    None,
                    "XML or HTML, but not ...".into(),
                ),
                FileOutcome::skipped(
                    "d/LogFiles/stdout_20261118095812_4120.log",
                    None,
                    "not a log".into(),
                ),
            ],
            ..Collected::default()
        };
        c.sort_out_bundles();
        assert_eq!(c.files.len(), 2);
        let r = report(&c).unwrap();
        assert_eq!(
            r.layouts[0].text,
            "Azure App Service log download in d (instance 18e609)"
        );
        assert_eq!(r.held_text(), "1 w3c");
        let missing: Vec<Evidence> = r.missing.iter().map(|m| m.evidence).collect();
        assert_eq!(
            missing,
            [
                Evidence::Traces,
                Evidence::Events,
                Evidence::Pages,
                Evidence::Ancm
            ]
        );
        assert_eq!(
            r.missing[1].text,
            "no event logs in this bundle: the crash cause cannot be shown"
        );
        assert_eq!(r.not_used.len(), 1);
        assert_eq!(r.by_reason()[0].1, ["d/LogFiles/kudu/trace/a.xml"]);
        assert_eq!(r.unread, 1);
    }

    #[test]
    fn no_section_without_a_layout() {
        let c = Collected {
            bundles: Bundles::recognise(["logs/u_ex261118.log"]),
            ..Collected::default()
        };
        assert!(report(&c).is_none());
    }
}
