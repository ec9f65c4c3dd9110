//! Sites by their names: what the configuration files and site lists of a run call each
//! `W3SVC<n>`, so that a group seen on `W3SVC2` reads `Reports (W3SVC2)`; where two files
//! name a site differently, the report says so. Also the configuration read, as a summary
//! for the JSON report and one paragraph for the text ones.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::input::config::{AspNetCore, FastCgiApp, Pool};
use crate::input::sniff::Kind;
use crate::summary::config::{ConfigSummary, SiteFacts, Sourced};

use super::{GroupReport, Report};

/// How many sites the text reports list by name.
pub const SITES_LISTED: usize = 10;

/// A site and the name a file gave it.
#[derive(Debug, Clone, Serialize)]
pub struct SiteName {
    pub id: u32,
    /// `W3SVC2`: the folder its logs and traces are written in.
    pub folder: String,
    pub name: String,
    /// The file that gives the name (a configuration's is preferred to a site list's).
    pub source: String,
    /// `config` or `sitelist`.
    pub source_kind: Kind,
    /// Other names other files give it, with their files: the sources disagree.
    pub other_names: Vec<OtherName>,
}

#[derive(Debug, Clone, Serialize)]
pub struct OtherName {
    pub name: String,
    pub source: String,
}

/// What the configuration files said.
#[derive(Debug, Clone, Serialize)]
pub struct ConfigReport {
    /// Configuration files and site lists read.
    pub files: u64,
    pub pools: Vec<Sourced<Pool>>,
    pub asp_net_core: Vec<Sourced<AspNetCore>>,
    pub fast_cgi: Vec<Sourced<FastCgiApp>>,
    /// What was read, and each disagreement on a site's name, one sentence each.
    pub text: Vec<String>,
}

/// `W3SVC2`.
pub fn folder(id: u32) -> String {
    format!("W3SVC{id}")
}

fn site_name(facts: &SiteFacts) -> Option<SiteName> {
    let first = facts.name()?;
    let other_names = facts
        .disagreement()
        .unwrap_or_default()
        .into_iter()
        .skip(1)
        .map(|n| OtherName {
            name: n.name.clone(),
            source: n.file.clone(),
        })
        .collect();
    Some(SiteName {
        id: facts.id,
        folder: folder(facts.id),
        name: first.name.clone(),
        source: first.file.clone(),
        source_kind: first.kind,
        other_names,
    })
}

/// Every named site, by id.
pub fn names(config: &ConfigSummary) -> Vec<SiteName> {
    config.sites.iter().filter_map(site_name).collect()
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The configuration read, `None` when no configuration file or site list was.
pub fn report(config: &ConfigSummary, sites: &[SiteName]) -> Option<ConfigReport> {
    if config.is_empty() {
        return None;
    }
    let mut text = vec![format!(
        "{} read: {}, {}, {}, {}.",
        plural(
            usize::try_from(config.files).unwrap_or(usize::MAX),
            "configuration file or site list",
            "configuration files and site lists"
        ),
        plural(sites.len(), "site named", "sites named"),
        plural(config.pools.len(), "application pool", "application pools"),
        plural(
            config.asp_net_core.len(),
            "aspNetCore element",
            "aspNetCore elements"
        ),
        plural(
            config.fast_cgi.len(),
            "FastCGI application",
            "FastCGI applications"
        ),
    )];
    if !sites.is_empty() {
        let listed: Vec<String> = sites
            .iter()
            .take(SITES_LISTED)
            .map(|s| format!("{} ({})", s.name, s.folder))
            .collect();
        let more = if sites.len() > SITES_LISTED {
            ", ..."
        } else {
            ""
        };
        text.push(format!("Sites: {}{more}.", listed.join(", ")));
    }
    for s in sites.iter().filter(|s| !s.other_names.is_empty()) {
        let others: Vec<String> = s
            .other_names
            .iter()
            .map(|o| format!("'{}' in {}", o.name, o.source))
            .collect();
        text.push(format!(
            "The files disagree on the name of site {} ({}): '{}' in {}, {}; '{}' is shown.",
            s.id,
            s.folder,
            s.name,
            s.source,
            others.join(", "),
            s.name
        ));
    }
    Some(ConfigReport {
        files: config.files,
        pools: config.pools.clone(),
        asp_net_core: config.asp_net_core.clone(),
        fast_cgi: config.fast_cgi.clone(),
        text,
    })
}

/// Gives each group the names of the sites it was seen on.
pub fn name_groups(report: &mut Report, config: &ConfigSummary) {
    if config.sites.is_empty() {
        return;
    }
    for g in &mut report.groups {
        g.site_names = g
            .sites
            .iter()
            .filter_map(|folder| {
                let name = config.site_of_folder(folder)?.name()?;
                Some((folder.clone(), name.name.clone()))
            })
            .collect::<BTreeMap<String, String>>();
    }
}

impl GroupReport {
    /// The group's sites as the text reports show them: `Reports (W3SVC2)` when a file names
    /// the site, else the folder as the log gave it.
    pub fn site_labels(&self) -> Vec<String> {
        self.sites
            .iter()
            .map(|folder| match self.site_names.get(folder) {
                Some(name) => format!("{name} ({folder})"),
                None => folder.clone(),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::config::sitelist::ListedSite;
    use crate::input::config::{ConfigFile, Site};

    #[test]
    fn names_and_disagreements() {
        let mut c = ConfigSummary::default();
        let file = ConfigFile {
            sites: vec![Site {
                id: Some(2),
                name: "Reports".into(),
                line: 43,
                ..Site::default()
            }],
            ..ConfigFile::default()
        };
        c.add_config(&file, "applicationHost.config", |_, _| true);
        c.count_file();
        for (id, name) in [(2, "Reports (old)"), (7, "Api")] {
            let row = ListedSite {
                id,
                name: name.into(),
                line: 3,
            };
            c.add_listed(row, "SiteOverview.csv");
        }
        let sites = names(&c);
        assert_eq!(sites.len(), 2);
        assert_eq!(
            (sites[0].folder.as_str(), sites[0].name.as_str()),
            ("W3SVC2", "Reports")
        );
        assert_eq!(sites[0].other_names[0].name, "Reports (old)");
        assert_eq!(sites[1].source_kind, Kind::SiteList);
        let r = report(&c, &sites).unwrap();
        assert_eq!(
            r.text,
            [
                "2 configuration files and site lists read: 2 sites named, 0 application pools, 0 aspNetCore elements, 0 FastCGI applications.",
                "Sites: Reports (W3SVC2), Api (W3SVC7).",
                "The files disagree on the name of site 2 (W3SVC2): 'Reports' in applicationHost.config, 'Reports (old)' in SiteOverview.csv; 'Reports' is shown."
            ]
        );
        assert!(report(&ConfigSummary::default(), &[]).is_none());
    }
}
