//! Everything a run read: the summaries of each kind of log and what happened to each file.
//! A scan builds it from the logs and `merge` from saved summaries; the explanation reads it.

use serde::{Deserialize, Serialize};

use crate::input::bundle::{Bundles, NotUsed};
use crate::input::sniff::Kind;
use crate::input::w3c::Malformed;

use super::ancm::AncmSummary;
use super::config::ConfigSummary;
use super::events::EventSummary;
use super::httperr::HttpErrSummary;
use super::pages::PageSummary;
use super::php::PhpSummary;
use super::stdout::StdoutSummary;
use super::traces::TraceSummary;
use super::w3c::W3cSummary;

/// What happened to one input file.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
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
    pub fn read(
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

    /// A file that could not be read, and why.
    pub fn skipped(path: &str, kind: Option<Kind>, reason: String) -> FileOutcome {
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
    /// Windows events (`.evtx`, Event XML).
    pub events: EventSummary,
    /// IIS detailed error pages.
    pub pages: PageSummary,
    /// PHP error logs.
    pub php: PhpSummary,
    /// Configuration files and site lists.
    pub config: ConfigSummary,
    /// ASP.NET Core Module stdout logs.
    pub stdout: StdoutSummary,
    /// ASP.NET Core Module debug logs.
    pub ancm: AncmSummary,
    /// The front ends' failures paired with what the servers behind them logged (`None`
    /// unless the run holds proxy codes and the logs of a tier behind).
    pub tiers: Option<super::tiers::Tiers>,
    /// What the tier pairing needs of the W3C logs and traces, gathered as they are read.
    pub fronts: super::tiers::FrontScan,
    /// Files left unread because the date in their name is outside `--since`/`--until`.
    pub files_out_of_range: u64,
    /// The support bundles the paths are shaped like (none for plain log folders).
    pub bundles: Bundles,
    /// Files of those bundles that are not evidence, each with its reason; they are not in
    /// `files`.
    pub not_used: Vec<NotUsed>,
}

impl Collected {
    /// Adds what another part of the run read.
    pub fn merge(mut self, other: Collected) -> Collected {
        self.files.extend(other.files);
        self.w3c.merge(other.w3c);
        self.httperr.merge(other.httperr);
        self.traces.merge(other.traces);
        self.events.merge(other.events);
        self.pages.merge(other.pages);
        self.php.merge(other.php);
        self.config.merge(other.config);
        self.stdout.merge(other.stdout);
        self.ancm.merge(other.ancm);
        self.tiers = self.tiers.or(other.tiers);
        self.fronts.merge(other.fronts);
        self.files_out_of_range += other.files_out_of_range;
        self.not_used.extend(other.not_used);
        self
    }

    /// Recognises the bundles the files' paths are shaped like, and moves each file a bundle
    /// says is not evidence, and that no reader took, from `files` to `not_used`.
    pub fn sort_out_bundles(&mut self) {
        self.bundles = Bundles::recognise(self.files.iter().map(|f| f.path.as_str()));
        if self.bundles.is_empty() {
            return;
        }
        let bundles = &self.bundles;
        let not_used = &mut self.not_used;
        self.files.retain(|f| {
            let reason = f.error.as_ref().and_then(|_| bundles.not_used(&f.path));
            if let Some(reason) = reason {
                not_used.push(NotUsed {
                    path: f.path.clone(),
                    reason,
                });
            }
            reason.is_none()
        });
    }

    /// A stream that could not be read at all.
    pub fn skipped(path: &str, reason: String) -> Collected {
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
