//! What the configuration files and site lists of a run say: sites by id with every name a
//! file gave them (and which file), application pools, `<aspNetCore>` settings and FastCGI
//! applications, each with the file it came from. Merging is order-independent: lists are
//! kept sorted by file and line, and a site's names by kind, file and line.

use serde::{Deserialize, Serialize};

use crate::input::config::lint::FileLint;
use crate::input::config::sitelist::ListedSite;
use crate::input::config::{
    AspNetCore, ConcurrentLimit, ConfigFile, ExecutionTimeout, FarmServer, FastCgiApp, LIST_MAX,
    Pool, ProxyTimeout, RequestLimits, Site,
};
use crate::input::sniff::Kind;

/// Most names kept per site (one per file that names it, in practice).
pub const NAMES_MAX: usize = 16;

/// One name a file gave a site.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct NameSource {
    /// `config` or `sitelist`: a configuration's name is preferred.
    pub kind: Kind,
    pub file: String,
    pub line: u64,
    pub name: String,
}

/// A site, by its id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteFacts {
    pub id: u32,
    /// Every name given, the preferred one first.
    pub names: Vec<NameSource>,
    /// What the first configuration file (by path) says of it.
    pub config: Option<Sourced<Site>>,
}

impl SiteFacts {
    /// The name to show: the configuration's, else the site list's.
    pub fn name(&self) -> Option<&NameSource> {
        self.names.first()
    }

    /// The distinct names given, in order of preference, when there is more than one.
    pub fn disagreement(&self) -> Option<Vec<&NameSource>> {
        let mut distinct: Vec<&NameSource> = Vec::new();
        for n in &self.names {
            if !distinct.iter().any(|d| d.name == n.name) {
                distinct.push(n);
            }
        }
        (distinct.len() > 1).then_some(distinct)
    }
}

/// A fact and the file it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sourced<T> {
    pub file: String,
    #[serde(flatten)]
    pub item: T,
}

/// Everything the configuration files and site lists held.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigSummary {
    /// Configuration files and site lists read.
    pub files: u64,
    /// By id.
    pub sites: Vec<SiteFacts>,
    /// Sites without a usable id (IIS refuses them), counted.
    pub sites_without_id: u64,
    pub pools: Vec<Sourced<Pool>>,
    /// `applicationPoolDefaults`, one per file that has it: what its pools inherit.
    #[serde(default)]
    pub pool_defaults: Vec<Sourced<Pool>>,
    pub asp_net_core: Vec<Sourced<AspNetCore>>,
    pub fast_cgi: Vec<Sourced<FastCgiApp>>,
    /// `system.webServer/proxy@timeout` and each webFarm's protocol timeout.
    #[serde(default)]
    pub proxy_timeouts: Vec<Sourced<ProxyTimeout>>,
    /// Each webFarm's servers: the names ARR routes to.
    #[serde(default)]
    pub farm_servers: Vec<Sourced<FarmServer>>,
    /// `httpRuntime@executionTimeout`.
    #[serde(default)]
    pub execution_timeouts: Vec<Sourced<ExecutionTimeout>>,
    /// `requestFiltering/requestLimits` elements.
    #[serde(default)]
    pub request_limits: Vec<Sourced<RequestLimits>>,
    /// `serverRuntime@appConcurrentRequestLimit`.
    #[serde(default)]
    pub concurrent_limits: Vec<Sourced<ConcurrentLimit>>,
    /// What the lint read of each file: its own findings, and what the findings across files
    /// (made at explain time, when every file is known) need.
    #[serde(default)]
    pub lint: Vec<FileLint>,
}

fn sourced<T>(path: &str, item: T) -> Sourced<T> {
    Sourced {
        file: path.to_string(),
        item,
    }
}

fn sort_sourced<T>(list: &mut Vec<Sourced<T>>, line: impl Fn(&T) -> u64) {
    list.sort_by(|a, b| (&a.file, line(&a.item)).cmp(&(&b.file, line(&b.item))));
    list.truncate(LIST_MAX);
}

impl ConfigSummary {
    pub fn is_empty(&self) -> bool {
        self.files == 0
    }

    /// The site with this id.
    pub fn site(&self, id: u32) -> Option<&SiteFacts> {
        self.sites
            .binary_search_by_key(&id, |s| s.id)
            .ok()
            .and_then(|i| self.sites.get(i))
    }

    /// The site folder name's site (`W3SVC2`).
    pub fn site_of_folder(&self, folder: &str) -> Option<&SiteFacts> {
        let digits = folder
            .get(..5)
            .filter(|p| p.eq_ignore_ascii_case("w3svc"))
            .and_then(|_| folder.get(5..))?;
        self.site(digits.parse().ok()?)
    }

    /// The ids of the sites with this name (case-insensitive).
    pub fn ids_named(&self, name: &str) -> Vec<u32> {
        self.sites
            .iter()
            .filter(|s| s.names.iter().any(|n| n.name.eq_ignore_ascii_case(name)))
            .map(|s| s.id)
            .collect()
    }

    fn add_name(&mut self, id: u32, name: NameSource, config: Option<Sourced<Site>>) {
        let at = match self.sites.binary_search_by_key(&id, |s| s.id) {
            Ok(at) => at,
            Err(at) => {
                if self.sites.len() >= LIST_MAX {
                    return;
                }
                self.sites.insert(
                    at,
                    SiteFacts {
                        id,
                        names: Vec::new(),
                        config: None,
                    },
                );
                at
            }
        };
        let Some(site) = self.sites.get_mut(at) else {
            return;
        };
        if !name.name.is_empty() {
            site.names.push(name);
            site.names.sort();
            site.names.dedup();
            site.names.truncate(NAMES_MAX);
        }
        if let Some(c) = config
            && site.config.as_ref().is_none_or(|have| c.file < have.file)
        {
            site.config = Some(c);
        }
    }

    /// Adds what a configuration file says; `keep_site` says whether the site filter lets a
    /// site (by id and name) through.
    pub fn add_config(
        &mut self,
        file: &ConfigFile,
        path: &str,
        keep_site: impl Fn(Option<u32>, &str) -> bool,
    ) {
        self.files += 1;
        for site in &file.sites {
            if !keep_site(site.id, &site.name) {
                continue;
            }
            let Some(id) = site.id else {
                self.sites_without_id += 1;
                continue;
            };
            let name = NameSource {
                kind: Kind::Config,
                file: path.to_string(),
                line: site.line,
                name: site.name.clone(),
            };
            let config = Sourced {
                file: path.to_string(),
                item: site.clone(),
            };
            self.add_name(id, name, Some(config));
        }
        self.pools
            .extend(file.pools.iter().cloned().map(|item| sourced(path, item)));
        let defaults = file.pool_defaults.iter().cloned();
        self.pool_defaults
            .extend(defaults.map(|item| sourced(path, item)));
        // An aspNetCore element in `<location path="Site/app">` belongs to that site.
        let kept = |a: &&AspNetCore| {
            let Some(site) = a.location.as_deref().and_then(|l| l.split('/').next()) else {
                return true;
            };
            if site.is_empty() {
                return true;
            }
            let id = file
                .sites
                .iter()
                .find(|s| s.name == site)
                .and_then(|s| s.id);
            keep_site(id, site)
        };
        self.asp_net_core.extend(
            file.asp_net_core
                .iter()
                .filter(kept)
                .cloned()
                .map(|item| sourced(path, item)),
        );
        self.fast_cgi.extend(
            file.fast_cgi
                .iter()
                .cloned()
                .map(|item| sourced(path, item)),
        );
        let timeouts = file.proxy_timeouts.iter().cloned();
        self.proxy_timeouts
            .extend(timeouts.map(|item| sourced(path, item)));
        let servers = file.farm_servers.iter().cloned();
        self.farm_servers
            .extend(servers.map(|item| sourced(path, item)));
        let timeouts = file.execution_timeouts.iter().cloned();
        self.execution_timeouts
            .extend(timeouts.map(|item| sourced(path, item)));
        let limits = file.request_limits.iter().cloned();
        self.request_limits
            .extend(limits.map(|item| sourced(path, item)));
        let limits = file.concurrent_limits.iter().cloned();
        self.concurrent_limits
            .extend(limits.map(|item| sourced(path, item)));
        self.sort();
    }

    fn sort(&mut self) {
        sort_sourced(&mut self.pools, |p| p.line);
        sort_sourced(&mut self.pool_defaults, |p| p.line);
        sort_sourced(&mut self.asp_net_core, |a| a.line);
        sort_sourced(&mut self.fast_cgi, |f| f.line);
        sort_sourced(&mut self.proxy_timeouts, |p| p.line);
        sort_sourced(&mut self.farm_servers, |s| s.line);
        sort_sourced(&mut self.execution_timeouts, |p| p.line);
        sort_sourced(&mut self.request_limits, |l| l.line);
        sort_sourced(&mut self.concurrent_limits, |l| l.line);
        self.lint.sort_by(|a, b| a.file.cmp(&b.file));
        self.lint.truncate(LIST_MAX);
    }

    /// Keeps only what the files `keep` accepts set: the settings and the lint (site names
    /// are scoped on their own, per site). Every list of file-sourced records is named here,
    /// beside `sort` and `merge`, so a new one cannot be missed.
    pub fn retain_files(&mut self, keep: impl Fn(&str) -> bool) {
        self.pools.retain(|p| keep(&p.file));
        self.pool_defaults.retain(|p| keep(&p.file));
        self.asp_net_core.retain(|a| keep(&a.file));
        self.fast_cgi.retain(|f| keep(&f.file));
        self.proxy_timeouts.retain(|t| keep(&t.file));
        self.farm_servers.retain(|s| keep(&s.file));
        self.execution_timeouts.retain(|t| keep(&t.file));
        self.request_limits.retain(|l| keep(&l.file));
        self.concurrent_limits.retain(|l| keep(&l.file));
        self.lint.retain(|l| keep(&l.file));
    }

    /// Adds a file's lint (a malformed file the reader refused has one too).
    pub fn add_lint(&mut self, lint: FileLint) {
        self.lint.push(lint);
        self.sort();
    }

    /// Adds one row of a site list.
    pub fn add_listed(&mut self, row: ListedSite, path: &str) {
        let name = NameSource {
            kind: Kind::SiteList,
            file: path.to_string(),
            line: row.line,
            name: row.name,
        };
        self.add_name(row.id, name, None);
    }

    /// Counts a site list read (its rows are added one by one).
    pub fn count_file(&mut self) {
        self.files += 1;
    }

    pub fn merge(&mut self, other: ConfigSummary) {
        self.files += other.files;
        self.sites_without_id += other.sites_without_id;
        for site in other.sites {
            let id = site.id;
            let mut config = site.config;
            for name in site.names {
                self.add_name(id, name, config.take());
            }
            if config.is_some() {
                self.add_name(
                    id,
                    NameSource {
                        kind: Kind::Config,
                        file: String::new(),
                        line: 0,
                        name: String::new(),
                    },
                    config,
                );
            }
        }
        self.pools.extend(other.pools);
        self.pool_defaults.extend(other.pool_defaults);
        self.asp_net_core.extend(other.asp_net_core);
        self.fast_cgi.extend(other.fast_cgi);
        self.proxy_timeouts.extend(other.proxy_timeouts);
        self.farm_servers.extend(other.farm_servers);
        self.execution_timeouts.extend(other.execution_timeouts);
        self.request_limits.extend(other.request_limits);
        self.concurrent_limits.extend(other.concurrent_limits);
        self.lint.extend(other.lint);
        self.sort();
    }

    /// What a saved summary holds: the summary itself.
    pub fn save(&self) -> ConfigSummary {
        self.clone()
    }

    /// Back from a saved summary, with its lists in order again.
    pub fn restore(saved: ConfigSummary) -> ConfigSummary {
        let mut out = ConfigSummary::default();
        out.merge(saved);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(sites: &[(u32, &str)]) -> ConfigFile {
        ConfigFile {
            sites: sites
                .iter()
                .map(|&(id, name)| Site {
                    id: Some(id),
                    name: name.into(),
                    line: id.into(),
                    ..Site::default()
                })
                .collect(),
            ..ConfigFile::default()
        }
    }

    #[test]
    fn names_merge_in_any_order_and_disagreements_are_seen() {
        let mut a = ConfigSummary::default();
        a.add_config(
            &file(&[(1, "Default Web Site"), (2, "Shop")]),
            "b/applicationHost.config",
            |_, _| true,
        );
        let mut b = ConfigSummary::default();
        b.count_file();
        b.add_listed(
            ListedSite {
                id: 2,
                name: "Shop-old".into(),
                line: 3,
            },
            "a/SiteOverview.csv",
        );
        let mut ab = a.clone();
        ab.merge(b.clone());
        let mut ba = b;
        ba.merge(a);
        assert_eq!(ab, ba);
        assert_eq!(ab.files, 2);
        let shop = ab.site(2).unwrap();
        assert_eq!(
            shop.name().unwrap().name,
            "Shop",
            "the configuration is preferred"
        );
        let names: Vec<&str> = shop
            .disagreement()
            .unwrap()
            .iter()
            .map(|n| n.name.as_str())
            .collect();
        assert_eq!(names, ["Shop", "Shop-old"]);
        assert!(ab.site(1).unwrap().disagreement().is_none());
        assert_eq!(ab.site_of_folder("w3svc2").map(|s| s.id), Some(2));
        assert_eq!(ab.site_of_folder("W3SVCx"), None);
        assert_eq!(ab.ids_named("shop"), [2]);
        assert_eq!(ConfigSummary::restore(ab.save()), ab);
    }

    #[test]
    fn a_summary_saved_before_pool_defaults_and_element_lines_still_loads() {
        let old = r#"{"files":1,"sites":[],"sites_without_id":0,"pools":[{"file":"a.config",
            "name":"Shop","runtime":null,"pipeline_mode":null,"identity_type":null,
            "queue_length":200,"idle_timeout_s":null,"shutdown_time_limit_s":null,
            "startup_time_limit_s":null,"ping_response_time_s":null,
            "rapid_fail_protection":null,"rapid_fail_max_crashes":null,
            "rapid_fail_interval_s":null,"periodic_restart_s":null,"line":6}],
            "asp_net_core":[],"fast_cgi":[]}"#;
        let s: ConfigSummary = serde_json::from_str(old).unwrap();
        assert!(s.pool_defaults.is_empty());
        let pool = &s.pools[0].item;
        assert_eq!((pool.queue_length, pool.enable_32bit), (Some(200), None));
        assert_eq!((pool.ping_interval_s, pool.failure_line), (None, None));
    }

    #[test]
    fn the_site_filter_narrows_the_sites() {
        let mut s = ConfigSummary::default();
        s.add_config(&file(&[(1, "A"), (2, "B")]), "x", |id, _| id == Some(2));
        assert_eq!(s.sites.iter().map(|s| s.id).collect::<Vec<_>>(), [2]);
    }
}
