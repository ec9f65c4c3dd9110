//! Sites by their names: what the configuration files and site lists of a run call each
//! `W3SVC<n>`, so that a group seen on `W3SVC2` reads `Reports (W3SVC2)`; where two files
//! name a site differently, the report says so. Also the configuration read, as a summary
//! for the JSON report and one paragraph for the text ones.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use crate::input::config::{AspNetCore, FastCgiApp, Pool};
use crate::input::origin::{self, path_parts};
use crate::input::sniff::Kind;
use crate::summary::collected::FileOutcome;
use crate::summary::config::{ConfigSummary, NameSource, SiteFacts, Sourced};

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
    /// `https *:443:shop.example.com`, as the configuration lists them (empty from a site
    /// list).
    pub bindings: Vec<String>,
    /// The applications with their pools and physical paths (empty from a site list).
    pub applications: Vec<crate::input::config::Application>,
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
        bindings: facts
            .config
            .iter()
            .flat_map(|c| &c.item.bindings)
            .map(|b| format!("{} {}", b.protocol, b.information))
            .collect(),
        applications: facts
            .config
            .iter()
            .flat_map(|c| c.item.applications.clone())
            .collect(),
    })
}

/// How many bindings the text reports list for a site.
const BINDINGS_LISTED: usize = 2;

/// `Shop (W3SVC1; http *:80:shop; root D:\web\shop)`: the name with what a reader needs to
/// tell the site by.
fn site_line(s: &SiteName) -> String {
    let mut parts = vec![s.folder.clone()];
    if !s.bindings.is_empty() {
        let mut listed = s.bindings[..s.bindings.len().min(BINDINGS_LISTED)].join(", ");
        if s.bindings.len() > BINDINGS_LISTED {
            listed.push_str(&format!(" and {} more", s.bindings.len() - BINDINGS_LISTED));
        }
        parts.push(listed);
    }
    let root = s.applications.iter().find(|a| a.path == "/");
    if let Some(path) = root.and_then(|a| a.physical_path.as_deref()) {
        parts.push(format!("root {path}"));
    }
    format!("{} ({})", s.name, parts.join("; "))
}

/// Every named site, by id.
pub fn names(config: &ConfigSummary) -> Vec<SiteName> {
    config.sites.iter().filter_map(site_name).collect()
}

/// `1 site`, `2 sites`.
pub(super) fn plural(n: usize, one: &str, many: &str) -> String {
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
        let listed: Vec<String> = sites.iter().take(SITES_LISTED).map(site_line).collect();
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

/// Gives each group the names of the sites it was seen on. Site ids are a server's own, so
/// a name is given only where the file that gives it speaks for every log of that site in the
/// run: the logs lie in the tree the configuration or site list was copied with (see
/// [`scope`]). A configuration scanned beside other servers' logs names none of theirs.
pub fn name_groups(report: &mut Report, config: &ConfigSummary, files: &[FileOutcome]) {
    if config.sites.is_empty() {
        return;
    }
    for g in &mut report.groups {
        g.site_names = g
            .sites
            .iter()
            .filter_map(|folder| {
                let name = name_in_scope(config.site_of_folder(folder)?, files, folder)?;
                Some((folder.clone(), name.name.clone()))
            })
            .collect::<BTreeMap<String, String>>();
    }
}

/// The first name of a site that speaks for every log of the site: its logs all come from
/// one server (so the configuration scanned with them is that server's), or each lies in the
/// tree of a file that gives the site this name.
pub(super) fn name_in_scope<'c>(
    facts: &'c SiteFacts,
    files: &[FileOutcome],
    folder: &str,
) -> Option<&'c NameSource> {
    let logs = logs_of_site(files, folder);
    if one_server(&logs) {
        return facts.name();
    }
    facts.names.iter().find(|n| {
        logs.iter().all(|log| {
            facts
                .names
                .iter()
                .filter(|other| other.name == n.name)
                .any(|other| is_under(log, scope(&other.file)))
        })
    })
}

/// Whether the logs come from one server, as their paths tell it (`web01/...`), or all from
/// paths that name none.
fn one_server(logs: &[&str]) -> bool {
    let server = |log: &&str| origin::server_folder(Path::new(&log.replace('!', "/")));
    let mut servers = logs.iter().map(server);
    match servers.next() {
        Some(first) => servers.all(|s| s == first),
        None => true,
    }
}

/// The configuration's values that can be those of every request log of the run (HTTP.sys's
/// included: its queue names are the server's pools): from files whose tree holds all the
/// logs, or, when the logs all come from one server, from any file. Timeouts and settings of
/// another server's configuration must not explain this run's clusters (`scan testdata` holds
/// a configured farm beside others).
pub fn for_the_run(config: &ConfigSummary, files: &[FileOutcome]) -> ConfigSummary {
    let logs: Vec<&str> = files
        .iter()
        .filter(|f| f.error.is_none())
        .filter(|f| {
            matches!(
                f.kind,
                Some(Kind::W3c | Kind::Native | Kind::Freb | Kind::Httperr)
            )
        })
        .map(|f| f.path.as_str())
        .collect();
    if one_server(&logs) {
        return config.clone();
    }
    let speaks = |file: &str| logs.iter().all(|log| is_under(log, scope(file)));
    let mut scoped = config.clone();
    scoped.retain_files(speaks);
    scoped
}

/// The folders a configuration or site list lies in below the tree it was copied with, from
/// the innermost: IIS's own `Windows\System32\inetsrv\config` on a server, and a
/// LogCatcher bundle's `General\IISConfig` and `General`.
const CONFIG_FOLDERS: [&[&str]; 5] = [
    &["windows", "system32", "inetsrv", "config"],
    &["windows", "sysnative", "inetsrv", "config"],
    &["inetsrv", "config"],
    &["general", "iisconfig"],
    &["general"],
];

/// The tree a configuration or site list speaks for: the folder it lies in, or the folder
/// above IIS's or a bundle's configuration folders
/// (`web01/Windows/System32/inetsrv/config/applicationHost.config` speaks for `web01`).
fn scope(file: &str) -> Vec<&str> {
    let mut parts = path_parts(file);
    parts.pop();
    for chain in CONFIG_FOLDERS {
        let at = parts.len().saturating_sub(chain.len());
        let ends_with = parts.len() >= chain.len()
            && parts[at..]
                .iter()
                .zip(chain.iter())
                .all(|(p, c)| p.eq_ignore_ascii_case(c));
        if ends_with {
            parts.truncate(at);
            break;
        }
    }
    parts
}

fn is_under(path: &str, scope: Vec<&str>) -> bool {
    let parts = path_parts(path);
    parts.len() > scope.len()
        && parts
            .iter()
            .zip(&scope)
            .all(|(a, b)| a.eq_ignore_ascii_case(b))
}

/// The request logs and traces read that can hold requests of the site `folder`: those in its
/// folder, and those in no site folder at all (their `s-sitename` may name it).
fn logs_of_site<'f>(files: &'f [FileOutcome], folder: &str) -> Vec<&'f str> {
    files
        .iter()
        .filter(|f| f.error.is_none())
        .filter(|f| matches!(f.kind, Some(Kind::W3c | Kind::Native | Kind::Freb)))
        .filter(|f| {
            let parts = path_parts(&f.path);
            let dir = &parts[..parts.len().saturating_sub(1)];
            let sites: Vec<&&str> = dir.iter().filter(|p| is_site_folder(p)).collect();
            sites.is_empty() || sites.iter().any(|p| p.eq_ignore_ascii_case(folder))
        })
        .map(|f| f.path.as_str())
        .collect()
}

fn is_site_folder(part: &str) -> bool {
    part.get(..5)
        .is_some_and(|p| p.eq_ignore_ascii_case("w3svc"))
        && part.len() > 5
        && part.bytes().skip(5).all(|b| b.is_ascii_digit())
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

    #[test]
    fn a_configuration_speaks_for_the_tree_it_was_copied_with() {
        assert_eq!(
            scope("web01/Windows/System32/inetsrv/config/applicationHost.config"),
            ["web01"]
        );
        assert_eq!(
            scope("b.zip!inetsrv\\config\\applicationHost.config"),
            ["b.zip"]
        );
        assert_eq!(scope("applicationHost.config"), Vec::<&str>::new());
        assert!(is_under(
            "web01/logs/W3SVC1/u_ex1.log",
            scope("web01/x.config")
        ));
        assert!(is_under(
            "b.zip!Sites/Shop/IISLogs/u_ex1.log",
            scope("b.zip!General/IISConfig/applicationHost.config")
        ));
        assert!(!is_under("web02/W3SVC1/u_ex1.log", scope("web01/a.config")));
        assert!(is_under(
            "W3SVC1/u_ex1.log",
            scope("applicationHost.config")
        ));
        let read = |path: &str| FileOutcome::read(path, Kind::W3c, (1, 0), Vec::new(), Vec::new());
        let files = [
            read("farm/W3SVC1/u_ex1.log"),
            read("farm/W3SVC2/u_ex1.log"),
            read("farm/plain.log"),
            FileOutcome::skipped("farm/W3SVC1/bad.log", None, "empty file".into()),
        ];
        assert_eq!(
            logs_of_site(&files, "W3SVC1"),
            ["farm/W3SVC1/u_ex1.log", "farm/plain.log"]
        );
    }

    #[test]
    fn another_servers_configuration_sets_nothing_for_the_run() {
        use crate::input::config::FastCgiApp;
        let mut c = ConfigSummary::default();
        c.fast_cgi.push(Sourced {
            file: "testdata/config-farm/applicationHost.config".into(),
            item: FastCgiApp::default(),
        });
        let read = |path: &str| FileOutcome::read(path, Kind::W3c, (1, 0), Vec::new(), Vec::new());
        let own = [read("testdata/config-farm/W3SVC1/u_ex1.log")];
        assert_eq!(for_the_run(&c, &own).fast_cgi.len(), 1);
        let farm = [
            read("testdata/config-farm/W3SVC1/u_ex1.log"),
            read("testdata/farm/web01/W3SVC1/u_ex1.log"),
            read("testdata/farm/web02/W3SVC1/u_ex1.log"),
        ];
        assert!(for_the_run(&c, &farm).fast_cgi.is_empty());
        // Another server's HTTP.sys log is a log of the run too.
        let httperr =
            |path: &str| FileOutcome::read(path, Kind::Httperr, (1, 0), Vec::new(), Vec::new());
        let mixed = [
            read("testdata/config-farm/W3SVC1/u_ex1.log"),
            httperr("testdata/farm/web02/HTTPERR/httperr1.log"),
        ];
        assert!(for_the_run(&c, &mixed).fast_cgi.is_empty());
        let own = [
            read("testdata/config-farm/W3SVC1/u_ex1.log"),
            httperr("testdata/config-farm/HTTPERR/httperr1.log"),
        ];
        assert_eq!(for_the_run(&c, &own).fast_cgi.len(), 1);
    }

    #[test]
    fn a_name_is_given_only_where_its_file_speaks_for_every_log_of_the_site() {
        let mut c = ConfigSummary::default();
        let file = ConfigFile {
            sites: vec![Site {
                id: Some(1),
                name: "Storefront".into(),
                line: 3,
                ..Site::default()
            }],
            ..ConfigFile::default()
        };
        c.add_config(&file, "testdata/config/applicationHost.config", |_, _| true);
        let read = |path: &str| FileOutcome::read(path, Kind::W3c, (1, 0), Vec::new(), Vec::new());
        let facts = c.site_of_folder("W3SVC1").unwrap();
        let beside = [read("testdata/config/W3SVC1/u_ex1.log")];
        // The logs of one server, scanned with a configuration from elsewhere: its server's.
        let one = [
            read("testdata/farm/web01/W3SVC1/u_ex1.log"),
            read("testdata/farm/web01/W3SVC1/u_ex2.log"),
        ];
        assert!(name_in_scope(facts, &one, "W3SVC1").is_some());
        assert_eq!(
            name_in_scope(facts, &beside, "W3SVC1").map(|n| n.name.as_str()),
            Some("Storefront")
        );
        let elsewhere = [
            read("testdata/farm/web02/W3SVC1/u_ex1.log"),
            read("testdata/farm/web01/W3SVC1/u_ex1.log"),
        ];
        assert!(name_in_scope(facts, &elsewhere, "W3SVC1").is_none());
        // Another site's logs elsewhere do not matter.
        let other_site = [
            read("testdata/farm/web01/W3SVC1/u_ex1.log"),
            read("testdata/farm/web02/W3SVC2/u_ex1.log"),
        ];
        assert!(name_in_scope(facts, &other_site, "W3SVC1").is_some());
    }
}
