//! The ASP.NET Core rules that need more than one file or the disk: `hosting-model-mixed`
//! (applications of one pool whose hosting models cannot share a worker process: 500.34, or
//! 500.35 for two in-process applications) and `stdout-folder-missing` (a stdout log whose
//! folder is not there).

use std::path::Path;

use quick_xml::events::BytesStart;
use serde::{Deserialize, Serialize};

use super::{FileLint, Finding, Rule, short};
use crate::input::config::{ConfigFile, read_config};
use crate::input::origin::path_parts_lower;
use crate::input::xml::attribute;

/// Most entries kept per list.
const MAX_ENTRIES: usize = 256;

/// An application of applicationHost.config, as the hosting rule needs it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct App {
    site: String,
    path: String,
    pool: String,
    physical_path: String,
}

/// What one file tells the rules.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Hosting {
    /// `<aspNetCore>` elements: line, whether in-process, and the `<location path>` around it
    /// (in applicationHost.config; empty in a web.config).
    models: Vec<(u64, bool, String)>,
    /// applicationHost.config: its applications with a pool and a physical path.
    apps: Vec<App>,
    /// `stdoutLogEnabled="true"`: the line and `stdoutLogFile`.
    stdout: Vec<(u64, String)>,
    /// While reading: the open `<location>`'s depth and path.
    #[serde(skip)]
    location: Option<(usize, String)>,
}

impl Hosting {
    /// Notes the `<location path>` an applicationHost.config's `<aspNetCore>` may lie in.
    pub fn open(&mut self, app_host: bool, stack: &[String], name: &str, start: &BytesStart) {
        if app_host && name == "location" && stack.len() == 1 {
            let path = short(attribute(start, "path").unwrap_or_default().trim());
            self.location = Some((stack.len(), path));
        }
    }

    pub fn close(&mut self, depth: usize) {
        if self.location.as_ref().is_some_and(|(d, _)| *d >= depth) {
            self.location = None;
        }
    }

    /// An `<aspNetCore>` element: its hosting model (out-of-process when not set) and stdout
    /// log.
    pub fn asp_net_core(&mut self, start: &BytesStart, line: u64) {
        let in_process = attribute(start, "hostingModel")
            .is_some_and(|h| h.trim().eq_ignore_ascii_case("inprocess"));
        let location = self
            .location
            .as_ref()
            .map(|(_, p)| p.clone())
            .unwrap_or_default();
        if self.models.len() < MAX_ENTRIES {
            self.models.push((line, in_process, location));
        }
        let enabled = attribute(start, "stdoutLogEnabled")
            .is_some_and(|e| e.trim().eq_ignore_ascii_case("true"));
        if let (true, Some(file)) = (enabled, attribute(start, "stdoutLogFile"))
            && self.stdout.len() < MAX_ENTRIES
        {
            self.stdout.push((line, file.trim().to_string()));
        }
    }

    /// The applications of an applicationHost.config's bytes, read by the configuration
    /// reader (only those with both a pool and a physical path can be matched).
    pub fn read_apps(&mut self, bytes: &[u8]) {
        let Ok(file) = read_config(bytes) else {
            return;
        };
        self.apps = apps_of(&file);
    }
}

fn apps_of(file: &ConfigFile) -> Vec<App> {
    let mut out = Vec::new();
    for site in &file.sites {
        for a in &site.applications {
            if let (Some(pool), Some(physical)) = (&a.pool, &a.physical_path)
                && out.len() < MAX_ENTRIES
            {
                out.push(App {
                    site: site.name.clone(),
                    path: a.path.clone(),
                    pool: pool.clone(),
                    physical_path: physical.clone(),
                });
            }
        }
    }
    out
}

/// Whether a web.config at `file` lies in the application's folder: its folder ends with the
/// last two names of the physical path (the one name when the path has only one).
fn lies_in(file: &str, physical: &str) -> bool {
    let mut folder = path_parts_lower(file);
    folder.pop();
    let physical: Vec<String> = path_parts_lower(physical)
        .into_iter()
        .filter(|p| !p.ends_with(':') && !p.starts_with('%'))
        .collect();
    let tail = &physical[physical.len().saturating_sub(2)..];
    !tail.is_empty() && folder.ends_with(tail)
}

/// The applications, when exactly one applicationHost.config among the files lists them.
fn the_apps(files: &[FileLint]) -> Option<&[App]> {
    let mut hosts = files
        .iter()
        .filter(|f| f.app_host && !f.hosting.apps.is_empty());
    let one = hosts.next()?;
    hosts
        .next()
        .is_none()
        .then_some(one.hosting.apps.as_slice())
}

/// For each file, the application its folder is (index into the apps), when exactly one
/// application matches it and no other file matches that application.
fn mapping(files: &[FileLint], apps: &[App]) -> Vec<Option<usize>> {
    let mut map: Vec<Option<usize>> = files
        .iter()
        .map(|f| {
            if f.app_host {
                return None;
            }
            let mut hits = (0..apps.len()).filter(|&a| lies_in(&f.file, &apps[a].physical_path));
            let first = hits.next()?;
            hits.next().is_none().then_some(first)
        })
        .collect();
    let shared: Vec<usize> = (0..apps.len())
        .filter(|a| map.iter().filter(|m| **m == Some(*a)).count() > 1)
        .collect();
    for m in &mut map {
        if m.is_some_and(|a| shared.contains(&a)) {
            *m = None;
        }
    }
    map
}

/// Each file's application as IIS names it in a `<location path>` (`Default Web Site/app`),
/// when it can be told.
pub fn app_paths(files: &[FileLint]) -> Vec<Option<String>> {
    let Some(apps) = the_apps(files) else {
        return vec![None; files.len()];
    };
    mapping(files, apps)
        .into_iter()
        .map(|m| m.map(|a| location_name(&apps[a])))
        .collect()
}

fn location_name(app: &App) -> String {
    format!("{}{}", app.site, app.path.trim_end_matches('/'))
}

/// One application's hosting model and where it is set.
struct Hosted {
    app: usize,
    file: usize,
    line: u64,
    in_process: bool,
}

/// The hosting model of each application that has one: from its web.config, else from a
/// `<location>` of applicationHost.config naming it.
fn hosted(files: &[FileLint], apps: &[App]) -> Vec<Hosted> {
    let map = mapping(files, apps);
    let mut out: Vec<Hosted> = Vec::new();
    for (file, m) in map.iter().enumerate() {
        if let (Some(app), Some((line, in_process, _))) = (m, files[file].hosting.models.first()) {
            out.push(Hosted {
                app: *app,
                file,
                line: *line,
                in_process: *in_process,
            });
        }
    }
    for (file, f) in files.iter().enumerate().filter(|(_, f)| f.app_host) {
        for (line, in_process, location) in &f.hosting.models {
            let app = apps
                .iter()
                .position(|a| location_name(a).eq_ignore_ascii_case(location.trim_matches('/')));
            if let Some(app) = app
                && !out.iter().any(|h| h.app == app)
            {
                out.push(Hosted {
                    app,
                    file,
                    line: *line,
                    in_process: *in_process,
                });
            }
        }
    }
    out.sort_by_key(|h| (h.app, h.file));
    out
}

/// Adds the hosting-model-mixed findings: one per pool, on the application that cannot
/// start beside the others.
pub fn lint(files: &mut [FileLint]) {
    let Some(apps) = the_apps(files).map(<[App]>::to_vec) else {
        return;
    };
    let hosted = hosted(files, &apps);
    let mut pools: Vec<&str> = apps.iter().map(|a| a.pool.as_str()).collect();
    pools.sort_unstable_by_key(|p| p.to_ascii_lowercase());
    pools.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
    let mut found: Vec<(usize, Finding)> = Vec::new();
    for pool in pools {
        let members: Vec<&Hosted> = hosted
            .iter()
            .filter(|h| apps[h.app].pool.eq_ignore_ascii_case(pool))
            .collect();
        if let Some(x) = pool_finding(files, &apps, pool, &members) {
            found.push(x);
        }
    }
    for (file, x) in found {
        files[file].push(x);
    }
}

fn pool_finding(
    files: &[FileLint],
    apps: &[App],
    pool: &str,
    members: &[&Hosted],
) -> Option<(usize, Finding)> {
    let in_process: Vec<&&Hosted> = members.iter().filter(|h| h.in_process).collect();
    let out_of_process = members.iter().find(|h| !h.in_process);
    let name = |h: &Hosted| short(&location_name(&apps[h.app]));
    let pool = short(pool);
    let (at, status, problem) = match (in_process.as_slice(), out_of_process) {
        ([first, ..], Some(other)) => (
            **first,
            "500.34",
            format!(
                "the application {} runs in-process and {} out-of-process, both in the \
                 application pool {pool}: one worker process cannot host both models",
                name(first),
                name(other)
            ),
        ),
        ([first, second, ..], None) => (
            **second,
            "500.35",
            format!(
                "the applications {} and {} both run in-process in the application pool \
                 {pool}: one worker process hosts only one in-process application",
                name(first),
                name(second)
            ),
        ),
        _ => return None,
    };
    let f = &files[at.file];
    let mut x = f.finding(
        Rule::HostingModelMixed,
        at.line,
        "<aspNetCore hostingModel>".into(),
        problem,
    );
    x.status = status.into();
    x.fix = format!(
        "give each in-process application an application pool of its own (appcmd set app \
         \"{}{}\" /applicationPool:NEW_POOL), or set the same hostingModel=\"outofprocess\" \
         in the applications of {pool}",
        short(&apps[at.app].site),
        short(&apps[at.app].path)
    );
    Some((at.file, x))
}

/// Whether `path` is relative to the application's folder for the ASP.NET Core Module:
/// neither a drive, a UNC path nor a rooted one.
fn is_relative(path: &str) -> bool {
    let b = path.as_bytes();
    !(path.starts_with(['\\', '/']) || (b.len() >= 2 && b[1] == b':'))
}

/// Adds a stdout-folder-missing finding for each stdout log of `lint` whose folder does not
/// exist, for a web.config read from `disk`. A relative folder is looked for beside the file; an
/// absolute one only when iisdiag runs on Windows, where the path means what it says.
pub fn check_stdout_folders(lint: &mut FileLint, disk: &Path) {
    let base = disk.parent().unwrap_or(Path::new("."));
    let mut found = Vec::new();
    for (line, file) in &lint.hosting.stdout {
        if file.contains('%') {
            continue;
        }
        let mut names: Vec<&str> = file
            .split(['\\', '/'])
            .filter(|p| !p.is_empty() && *p != ".")
            .collect();
        names.pop();
        let folder = if is_relative(file) {
            names.iter().fold(base.to_path_buf(), |p, n| p.join(n))
        } else if cfg!(windows) {
            Path::new(file)
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_default()
        } else {
            continue;
        };
        if names.is_empty() || folder.is_dir() {
            continue;
        }
        found.push(stdout_finding(lint, *line, &names.join("\\")));
    }
    for x in found {
        lint.push(x);
    }
}

fn stdout_finding(lint: &FileLint, line: u64, folder: &str) -> Finding {
    let folder = short(folder);
    let mut x = lint.finding(
        Rule::StdoutFolderMissing,
        line,
        "<aspNetCore stdoutLogFile>".into(),
        format!(
            "stdoutLogEnabled is true but the folder {folder} of stdoutLogFile does not exist: \
             ANCM V2 creates it only when the pool identity may write to its parent, the \
             first ASP.NET Core Module (V1) does not create it, and then no stdout log is \
             written (event 1004, \"Could not create stdoutLogFile\", 0x80070003)"
        ),
    );
    x.fix = format!(
        "create the folder {folder} beside the web.config and give the application pool's \
         identity (IIS AppPool\\POOL) write access to it; publish it with the app (a file \
         inside, since empty folders are not deployed)"
    );
    x
}
