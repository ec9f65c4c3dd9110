//! The `locked-section` rule: a web.config sets a section applicationHost.config locks
//! (`overrideModeDefault="Deny"` in `<configSections>`, or a `<location overrideMode="Deny">`),
//! which IIS refuses with 500.19 0x80070021. Judged against the one applicationHost.config read,
//! or, when none was read, against the sections stock IIS ships locked.

use quick_xml::events::BytesStart;
use serde::{Deserialize, Serialize};

use super::{FileLint, Finding, Rule, hosting, short};
use crate::input::xml::attribute;

/// Most section paths kept per file.
const MAX_SECTIONS: usize = 256;

/// The `system.webServer` sections a stock IIS applicationHost.config declares with
/// `overrideModeDefault="Deny"` and that it does not open again (its `<location path=""
/// overrideMode="Allow">` opens `handlers` and `modules`), leaving out the AppHostOnly sections
/// the apphost-only-section rule reports. Read from the Windows container image's file.
const STOCK_LOCKED: [&str; 24] = [
    "system.webServer/asp",
    "system.webServer/cgi",
    "system.webServer/httpLogging",
    "system.webServer/httpTracing",
    "system.webServer/isapiFilters",
    "system.webServer/odbcLogging",
    "system.webServer/security/access",
    "system.webServer/security/applicationDependencies",
    "system.webServer/security/authentication/anonymousAuthentication",
    "system.webServer/security/authentication/basicAuthentication",
    "system.webServer/security/authentication/clientCertificateMappingAuthentication",
    "system.webServer/security/authentication/digestAuthentication",
    "system.webServer/security/authentication/iisClientCertificateMappingAuthentication",
    "system.webServer/security/authentication/windowsAuthentication",
    "system.webServer/security/ipSecurity",
    "system.webServer/security/dynamicIpSecurity",
    "system.webServer/security/isapiCgiRestriction",
    "system.webServer/serverRuntime",
    "system.webServer/serverSideInclude",
    "system.webServer/tracing/traceProviderDefinitions",
    "system.webServer/webdav/globalSettings",
    "system.webServer/webdav/authoring",
    "system.webServer/webdav/authoringRules",
    "system.webServer/webSocket",
];

/// A `<location>` of applicationHost.config that says whether its sections may be overridden.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LocationMode {
    /// The location's path, `Default Web Site/app` (empty: every site).
    path: String,
    allow: bool,
    sections: Vec<String>,
}

/// What one file tells the rule.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Locks {
    /// A web.config's sections: their paths (`system.webServer/handlers`) and first lines.
    set: Vec<(String, u64)>,
    /// applicationHost.config: whether it has `<configSections>`; a trimmed copy without them
    /// cannot say what is locked.
    declared: bool,
    /// applicationHost.config: the sections declared `overrideModeDefault="Deny"`.
    denied: Vec<String>,
    locations: Vec<LocationMode>,
    /// While reading: the `<sectionGroup>` names open, by depth.
    #[serde(skip)]
    groups: Vec<(usize, String)>,
    /// While reading: the depth of the open `<location>` that has a mode.
    #[serde(skip)]
    location: Option<usize>,
}

/// The section an element under `<configuration>` (or its `<location>`) is, when it is one of
/// `system.webServer`'s, two to four names deep.
fn section_path(stack: &[String], name: &str) -> Option<String> {
    let mut parts: Vec<&str> = stack.iter().map(String::as_str).collect();
    parts.push(name);
    if parts.first() != Some(&"configuration") {
        return None;
    }
    parts.remove(0);
    if parts.first() == Some(&"location") {
        parts.remove(0);
    }
    (parts.first() == Some(&"system.webServer") && (2..=4).contains(&parts.len()))
        .then(|| parts.join("/"))
}

fn push_capped(list: &mut Vec<String>, path: String) {
    if list.len() < MAX_SECTIONS && !list.iter().any(|p| p.eq_ignore_ascii_case(&path)) {
        list.push(path);
    }
}

impl Locks {
    pub fn open(
        &mut self,
        app_host: bool,
        stack: &[String],
        name: &str,
        start: &BytesStart,
        line: u64,
    ) {
        let depth = stack.len();
        if stack.iter().any(|s| s == "configSections") {
            self.declared = true;
            let named = attribute(start, "name").map(|n| short(n.trim()));
            match (name, named) {
                ("sectionGroup", Some(n)) => self.groups.push((depth, n)),
                ("section", Some(n)) => {
                    let deny = attribute(start, "overrideModeDefault")
                        .is_some_and(|m| m.trim().eq_ignore_ascii_case("deny"));
                    if deny {
                        let mut path: Vec<&str> =
                            self.groups.iter().map(|(_, g)| g.as_str()).collect();
                        path.push(&n);
                        push_capped(&mut self.denied, path.join("/"));
                    }
                }
                _ => {}
            }
            return;
        }
        if name == "configSections" {
            self.declared = true;
        }
        if name == "location" && depth == 1 && app_host {
            let mode = attribute(start, "overrideMode")
                .map(|m| m.trim().eq_ignore_ascii_case("allow"))
                .or_else(|| {
                    attribute(start, "allowOverride")
                        .map(|m| !m.trim().eq_ignore_ascii_case("false"))
                });
            if let Some(allow) = mode {
                self.locations.push(LocationMode {
                    path: short(attribute(start, "path").unwrap_or_default().trim()),
                    allow,
                    sections: Vec::new(),
                });
                self.location = Some(depth);
            }
            return;
        }
        let Some(path) = section_path(stack, name) else {
            return;
        };
        if self.location.is_some() {
            if let Some(l) = self.locations.last_mut() {
                push_capped(&mut l.sections, path);
            }
        } else if !app_host
            && self.set.len() < MAX_SECTIONS
            && !self.set.iter().any(|(p, _)| p.eq_ignore_ascii_case(&path))
        {
            self.set.push((path, line));
        }
    }

    /// An element at `depth` closed.
    pub fn close(&mut self, depth: usize) {
        while self.groups.last().is_some_and(|(d, _)| *d >= depth) {
            self.groups.pop();
        }
        if self.location.is_some_and(|d| d >= depth) {
            self.location = None;
        }
    }
}

/// Whether a location's path covers the application at `app` (`Site/app`): `None` when the
/// application is unknown.
fn covers(location: &str, app: Option<&str>) -> Option<bool> {
    let location = location.trim_matches('/');
    if location.is_empty() || location == "." {
        return Some(true);
    }
    let app = app?.trim_matches('/').to_ascii_lowercase();
    let location = location.to_ascii_lowercase();
    Some(app == location || app.starts_with(&format!("{location}/")))
}

/// How a section came to be locked, for the finding and its fix.
enum Lock<'a> {
    Default { assumed: bool },
    Location(&'a str),
}

fn lock_of<'a>(
    section: &str,
    denied: &[String],
    locations: &'a [LocationMode],
    app: Option<&str>,
    assumed: bool,
) -> Option<Lock<'a>> {
    let holding = |allow: bool| {
        locations.iter().filter(move |l| {
            l.allow == allow && l.sections.iter().any(|s| s.eq_ignore_ascii_case(section))
        })
    };
    if let Some(l) = holding(false).find(|l| covers(&l.path, app) == Some(true)) {
        return Some(Lock::Location(&l.path));
    }
    let by_default = denied.iter().any(|d| d.eq_ignore_ascii_case(section));
    // An Allow location that may be this application's opens the section: no guessing.
    let opened = holding(true).any(|l| covers(&l.path, app) != Some(false));
    (by_default && !opened).then_some(Lock::Default { assumed })
}

/// Adds the locked-section findings to the web.configs among `files`.
pub fn lint(files: &mut [FileLint]) {
    let hosts: Vec<&FileLint> = files.iter().filter(|f| f.app_host).collect();
    let (denied, locations, assumed) = match hosts.as_slice() {
        [] => (
            STOCK_LOCKED.iter().map(|s| s.to_string()).collect(),
            Vec::new(),
            true,
        ),
        [one] if one.locks.declared => {
            (one.locks.denied.clone(), one.locks.locations.clone(), false)
        }
        _ => return,
    };
    let apps = hosting::app_paths(files);
    for (i, f) in files.iter_mut().enumerate() {
        let app = apps[i].as_deref();
        let mut found = Vec::new();
        for (section, line) in &f.locks.set {
            if let Some(lock) = lock_of(section, &denied, &locations, app, assumed) {
                found.push(finding(f, section, *line, &lock, app));
            }
        }
        for x in found {
            f.push(x);
        }
    }
}

/// The finding, its fix naming the application's `<location path>` when it is known.
fn finding(f: &FileLint, section: &str, line: u64, lock: &Lock, app: Option<&str>) -> Finding {
    let element = section.rsplit('/').next().unwrap_or(section);
    let path = short(app.unwrap_or("SITE/APP"));
    let (why, fix) = match lock {
        Lock::Default { assumed } => (
            format!(
                "applicationHost.config declares {section} with overrideModeDefault=\"Deny\"{}",
                if *assumed {
                    " (no applicationHost.config was read: the stock IIS default is assumed)"
                } else {
                    ""
                }
            ),
            format!(
                "unlock it for this site: in applicationHost.config add <location \
                 path=\"{path}\" overrideMode=\"Allow\"> around <{element}>, or run appcmd \
                 unlock config -section:{section}, or set overrideModeDefault=\"Allow\" on \
                 <section name=\"{element}\"> in <configSections>; else remove <{element}> \
                 from this web.config"
            ),
        ),
        Lock::Location(path) => (
            format!(
                "applicationHost.config locks {section} in <location path=\"{}\" \
                 overrideMode=\"Deny\"> (or allowOverride=\"false\")",
                short(path)
            ),
            format!(
                "change that <location> to overrideMode=\"Allow\" (or move <{element}> out of \
                 it into one that allows overriding), or remove <{element}> from this \
                 web.config"
            ),
        ),
    };
    let mut x = f.finding(
        Rule::LockedSection,
        line,
        format!("<{element}>"),
        format!("<{element}> is locked at the server level: {why}; IIS refuses the web.config"),
    );
    x.fix = fix;
    x
}
