//! Support bundles told by the shape of their paths: which collector made the folder or zip a
//! scan was handed, and which of its files are known not to be request evidence (and why), so
//! that such a file is named "not used" once instead of being reported as a bad log.
//!
//! Kinds are still told by content (`sniff`); a layout only explains the files no reader took.
//! The layouts, as documented (read before this was written):
//!
//! - Azure App Service's log download (Kudu's `/api/dump`, `az webapp log download`): a zip of
//!   `D:\home\LogFiles` and `D:\home\deployments`. Web server logs in `LogFiles/http/RawLogs/`
//!   (W3C; App Service does not log `s-computername`, `s-ip` nor `cs-version`), failed request
//!   traces in `LogFiles/W3SVC<n>/` (`fr*.xml` and `freb.xsl`), detailed error pages in
//!   `LogFiles/DetailedErrors/`, application logs in `LogFiles/Application/`, the sandbox's
//!   Application event log as `LogFiles/eventlog.xml`, Kudu's own traces in
//!   `LogFiles/kudu/trace/`. <https://learn.microsoft.com/azure/app-service/troubleshoot-diagnostic-logs>,
//!   <https://blog.amitapple.com/post/2014/06/azure-website-logging/>. App Service's own log
//!   files are named for the first 6 characters of `WEBSITE_INSTANCE_ID` (davidebbo in
//!   <https://github.com/projectkudu/kudu/issues/2669>), so a RawLogs file reads
//!   `18e609-202102261024.log`: the instance comes from the name, as the lines do not say it.
//!   `eventlog.xml` names the worker machine (`<Computer>RD0003FF618A5F</Computer>`), not the
//!   instance id, so the two cannot be matched by name.
//! - Microsoft IIS support's LogCatcher (<https://github.com/crnegule/LogCatcher>, its README
//!   and `CatchFilteredIISzip`): `LOGS-<date>.zip` with `General/` (`HttpErr/`, `IISConfig/`
//!   holding `applicationHost.config`, `administration.config` and `redirection.config`,
//!   `NETFramework/` with .NET's `*.config`, `Application.evtx`, `System.evtx`,
//!   `Security.evtx`, `Setup.evtx`, `SiteOverview.csv`, `OsInfo.txt`, `LOGS.CSV` (the tool's
//!   list of what it copied) and `ToolLog.log` (its own log)) and `Sites/<site name>/`
//!   (`IISLogs/`, `FrebLogs/` with `freb.xsl`, the site's `web.config` and `bin/*.config`).
//! - A plain copy of a server's folders: `inetpub\logs\LogFiles\W3SVC<n>`,
//!   `System32\LogFiles\HTTPERR`, `System32\inetsrv\config` (with `schema\`), and
//!   `System32\winevt\Logs`. Named a bundle only when two of these four sit in the input, so
//!   a copied log folder alone stays what it was.
//!
//! Event logs are all read, whatever their channel (LogCatcher's `Security.evtx` too): the
//! events reader keeps only the providers it knows, so an unrelated log costs time, not noise.

use std::path::Path;

use serde::Serialize;

use crate::input::origin::path_parts_lower;

/// The collectors whose output iisdiag knows by its shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Layout {
    /// Azure App Service's log download (Kudu `/api/dump`, `az webapp log download`).
    AppService,
    /// Microsoft IIS support's LogCatcher zip.
    LogCatcher,
    /// A plain copy of a server's IIS and Windows log folders.
    #[serde(rename = "plain-copy")]
    PlainCopy,
}

impl Layout {
    pub fn title(self) -> &'static str {
        match self {
            Layout::AppService => "Azure App Service log download",
            Layout::LogCatcher => "LogCatcher (Microsoft IIS support) bundle",
            Layout::PlainCopy => "plain copy of a server's IIS folders",
        }
    }
}

/// One bundle recognised in the input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Found {
    pub layout: Layout,
    /// The folder (or `archive!folder`) the bundle's own folders sit in; empty for the top of
    /// an archive or of the current folder.
    pub root: String,
    /// App Service instances (the 6-character ids in the RawLogs file names).
    pub instances: Vec<String>,
    /// LogCatcher's site folders (`Sites/<site name>`).
    pub sites: Vec<String>,
}

/// A file of a bundle that is not evidence, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NotUsed {
    pub path: String,
    pub reason: &'static str,
}

/// The bundles found in one run's paths.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Bundles {
    pub found: Vec<Found>,
}

const KUDU: &str = "Kudu's own traces (deployments and the SCM site's requests), not the app's \
                    request evidence";
const DEPLOYMENT: &str = "a deployment record (Kudu), not request evidence";
const XSL: &str = "the style sheet that shows FREB traces in a browser, not a trace";
const APP_LOG: &str = "the application's own trace output (Trace or ILogger lines): no status \
                       codes or request fields to join";
const OS_INFO: &str = "system information (OS version, hotfixes), not request evidence";
const TOOL_LOG: &str = "LogCatcher's own log of its run";
const TOOL_LIST: &str = "LogCatcher's list of the logs it copied and where from";
const SITE_OVERVIEW: &str = "LogCatcher's site overview: names, pools and paths but no site \
                             ids, so the sites are named from applicationHost.config and the \
                             Sites folders";
const ADMIN_CONFIG: &str = "IIS Manager's or shared-configuration settings, no limit a request \
                            meets";
const NET_CONFIG: &str = ".NET Framework's machine configuration, not IIS configuration";
const BIN_CONFIG: &str = "an assembly's settings from the site's bin folder, not IIS \
                          configuration";
const SCHEMA: &str = "IIS configuration schema: the settings' definitions, not their values";

/// `path` as written up to the end of its first `n` parts (an absolute path keeps its
/// leading separator, a member keeps its archive).
fn prefix(path: &str, n: usize) -> String {
    if n == 0 {
        return String::new();
    }
    let mut seen = 0;
    let mut start = None;
    for (i, c) in path.char_indices().chain([(path.len(), '/')]) {
        if matches!(c, '/' | '\\' | '!') || i == path.len() {
            if let Some(s) = start.take() {
                if path.get(s..i) != Some(".") {
                    seen += 1;
                }
                if seen == n {
                    return path.get(..i).unwrap_or(path).to_string();
                }
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    path.to_string()
}

/// The position of `LogFiles` in an App Service path, when what follows is App Service's.
fn app_service_at(p: &[String]) -> Option<usize> {
    (0..p.len()).find(|&i| {
        p[i] == "logfiles"
            && match (p.get(i + 1).map(String::as_str), p.get(i + 2)) {
                (Some("http"), Some(raw)) => raw == "rawlogs",
                (Some("detailederrors" | "kudu" | "application"), Some(_)) => true,
                (Some("eventlog.xml"), None) => true,
                _ => false,
            }
    })
}

/// The position of `General` or `Sites` in a LogCatcher path.
fn logcatcher_at(p: &[String]) -> Option<usize> {
    (0..p.len()).find(|&i| match (p[i].as_str(), p.get(i + 1), p.get(i + 2)) {
        ("general", Some(name), None) => {
            ["siteoverview.csv", "toollog.log", "logs.csv", "osinfo.txt"].contains(&name.as_str())
        }
        ("general", Some(dir), Some(_)) => dir == "iisconfig" || dir == "httperr",
        ("sites", Some(_), Some(dir)) => (dir == "iislogs" || dir == "freblogs") && p.len() > i + 3,
        _ => false,
    })
}

/// Which of a plain copy's four system folders a path lies in, and where that folder starts.
fn plain_folder(p: &[String]) -> Option<(usize, usize)> {
    let shapes: [&[&str]; 4] = [
        &["inetpub", "logs", "logfiles"],
        &["system32", "logfiles", "httperr"],
        &["inetsrv", "config"],
        &["winevt", "logs"],
    ];
    (0..p.len()).find_map(|i| {
        shapes.iter().enumerate().find_map(|(n, shape)| {
            (p.len() > i + shape.len() && p[i..i + shape.len()].iter().eq(shape.iter()))
                .then_some((n, i))
        })
    })
}

/// The App Service instance a RawLogs file was written by: `<6 hex>-<time>.log` in
/// `LogFiles/http/RawLogs/`.
pub fn app_service_instance(path: &Path) -> Option<String> {
    let p = path_parts_lower(path.to_str()?);
    let n = p.len();
    if n < 4 || p[n - 4] != "logfiles" || p[n - 3] != "http" || p[n - 2] != "rawlogs" {
        return None;
    }
    // The last part as written: on Linux a member's backslashes are no separators to `Path`.
    let name = path.to_str()?.rsplit(['/', '\\', '!']).next()?;
    let (id, rest) = name.split_once('-')?;
    let stamp = rest.split('.').next()?;
    (id.len() == 6
        && id.bytes().all(|b| b.is_ascii_hexdigit())
        && !stamp.is_empty()
        && stamp.bytes().all(|b| b.is_ascii_digit()))
    .then(|| id.to_string())
}

impl Bundles {
    /// The bundles `paths` (every file a scan found, archive members as `archive!member`)
    /// are shaped like.
    pub fn recognise<'a>(paths: impl IntoIterator<Item = &'a str>) -> Bundles {
        let mut found: Vec<Found> = Vec::new();
        let mut plain: Vec<(String, usize)> = Vec::new();
        let entry = |found: &mut Vec<Found>, layout, root: String| -> usize {
            match found
                .iter()
                .position(|f| f.layout == layout && f.root == root)
            {
                Some(i) => i,
                None => {
                    found.push(Found {
                        layout,
                        root,
                        instances: Vec::new(),
                        sites: Vec::new(),
                    });
                    found.len() - 1
                }
            }
        };
        for path in paths {
            let p = path_parts_lower(path);
            if let Some(i) = app_service_at(&p) {
                let at = entry(&mut found, Layout::AppService, prefix(path, i));
                if let Some(id) = app_service_instance(Path::new(path)) {
                    push_new(&mut found[at].instances, id);
                }
            } else if let Some(i) = logcatcher_at(&p) {
                let at = entry(&mut found, Layout::LogCatcher, prefix(path, i));
                if p[i] == "sites" {
                    let name = prefix(path, i + 2);
                    let name = name.rsplit(['/', '\\', '!']).next().unwrap_or_default();
                    let name = name.to_string();
                    push_new(&mut found[at].sites, name);
                }
            } else if let Some((shape, i)) = plain_folder(&p) {
                // The root is the folder above `inetpub` or `Windows\System32`.
                let mut up = i;
                while up > 0 && shape > 0 && (p[up - 1] == "system32" || p[up - 1] == "windows") {
                    up -= 1;
                }
                let root = prefix(path, up);
                if !plain.contains(&(root.clone(), shape)) {
                    plain.push((root, shape));
                }
            }
        }
        let mut roots: Vec<&String> = plain.iter().map(|(r, _)| r).collect();
        roots.sort();
        roots.dedup();
        for root in roots {
            if plain.iter().filter(|(r, _)| r == root).count() >= 2 {
                entry(&mut found, Layout::PlainCopy, root.clone());
            }
        }
        for f in &mut found {
            f.instances.sort();
            f.sites.sort();
        }
        found.sort_by(|a, b| a.root.cmp(&b.root).then(a.layout.cmp(&b.layout)));
        Bundles { found }
    }

    pub fn is_empty(&self) -> bool {
        self.found.is_empty()
    }

    /// Whether `path` lies in one of the bundles.
    pub fn holds(&self, path: &str) -> bool {
        let p = path_parts_lower(path);
        self.found
            .iter()
            .any(|f| p.starts_with(path_parts_lower(&f.root).as_slice()))
    }

    /// Why a file of one of the bundles is not evidence, when its layout says so.
    pub fn not_used(&self, path: &str) -> Option<&'static str> {
        let p = path_parts_lower(path);
        self.found.iter().find_map(|f| {
            let root = path_parts_lower(&f.root);
            let rel = p.strip_prefix(root.as_slice())?;
            not_used_in(f.layout, rel)
        })
    }
}

fn push_new(list: &mut Vec<String>, name: String) {
    if !list.contains(&name) {
        list.push(name);
    }
}

/// The reason a path (relative to its bundle's root, lower-cased parts) is not evidence.
fn not_used_in(layout: Layout, rel: &[String]) -> Option<&'static str> {
    let r: Vec<&str> = rel.iter().map(String::as_str).collect();
    let last = *r.last()?;
    if last == "freb.xsl" {
        return Some(XSL);
    }
    match layout {
        Layout::AppService => match r.as_slice() {
            ["logfiles", "kudu", ..] => Some(KUDU),
            ["deployments", ..] | ["logfiles", "git", ..] => Some(DEPLOYMENT),
            ["logfiles", "application", ..] => Some(APP_LOG),
            _ => None,
        },
        Layout::LogCatcher => match r.as_slice() {
            ["general", "osinfo.txt"] => Some(OS_INFO),
            ["general", "toollog.log"] => Some(TOOL_LOG),
            ["general", "logs.csv"] => Some(TOOL_LIST),
            ["general", "siteoverview.csv"] => Some(SITE_OVERVIEW),
            [
                "general",
                "iisconfig",
                "administration.config" | "redirection.config",
            ] => Some(ADMIN_CONFIG),
            ["general", "netframework", ..] => Some(NET_CONFIG),
            ["sites", _, "bin", ..] => Some(BIN_CONFIG),
            _ => None,
        },
        Layout::PlainCopy => {
            let at = r.windows(2).position(|w| w == ["inetsrv", "config"])?;
            match &r[at + 2..] {
                ["schema", ..] => Some(SCHEMA),
                ["administration.config" | "redirection.config"] => Some(ADMIN_CONFIG),
                _ => None,
            }
        }
    }
}

#[cfg(test)]
mod tests;
