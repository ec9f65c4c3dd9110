//! The bundle section's lines, the same for every text medium: each writer puts them through
//! its own guard (paths inside a bundle are attacker text) and lays them out.

use crate::explain::bundle::{BundleReport, NAMES_SHOWN};

/// One reason and the files it names: at most [`NAMES_SHOWN`], and how many more.
pub struct Reason<'a> {
    pub reason: &'a str,
    pub names: Vec<&'a str>,
    pub more: usize,
}

/// What the section says, in order.
pub struct View<'a> {
    /// `Azure App Service log download in dl (instance 18e609)`, one per layout.
    pub layouts: Vec<&'a str>,
    /// `Evidence read: 2 w3c, 1 freb`.
    pub held: String,
    pub missing: Vec<&'a str>,
    /// `Not used (4 files):`, or `None` when every file was evidence.
    pub not_used: Option<String>,
    pub reasons: Vec<Reason<'a>>,
    /// `2 other files were not read: ...`, when some were skipped for reasons of their own.
    pub unread: Option<String>,
}

pub fn view(b: &BundleReport) -> View<'_> {
    let n = b.not_used.len();
    View {
        layouts: b.layouts.iter().map(|l| l.text.as_str()).collect(),
        held: format!("Evidence read: {}.", b.held_text()),
        missing: b.missing.iter().map(|m| m.text.as_str()).collect(),
        not_used: (n > 0).then(|| format!("Not used ({n} file{}):", if n == 1 { "" } else { "s" })),
        reasons: b
            .by_reason()
            .into_iter()
            .map(|(reason, names)| Reason {
                reason,
                more: names.len().saturating_sub(NAMES_SHOWN),
                names: names.into_iter().take(NAMES_SHOWN).collect(),
            })
            .collect(),
        unread: (b.unread > 0).then(|| {
            format!(
                "{} other file{} not read, each named with its reason among the skipped files.",
                b.unread,
                if b.unread == 1 { " was" } else { "s were" }
            )
        }),
    }
}

/// `... and 3 more`
pub fn more(n: usize) -> String {
    format!("... and {n} more")
}
