//! A configuration lint: what in an `applicationHost.config` or a `web.config` makes IIS
//! answer 500.19 (or 500.21) before any code runs, read from the files themselves, each
//! finding with its file, line, element, the error it causes and the fix.
//!
//! Only element and attribute names, module and handler names and file extensions are ever
//! put in a finding: never an attribute's value that could hold a secret (connection strings,
//! passwords, app settings).

use std::collections::HashMap;
use std::io::{self, Read};
use std::path::Path;

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event as Xml};
use serde::{Deserialize, Serialize};

use crate::input::xml::{Bounded, MAX_PIECE, attribute, push_capped};

#[path = "lint_hosting.rs"]
mod hosting;
#[path = "lint_locked.rs"]
mod locked;

pub use hosting::check_stdout_folders;

/// Largest configuration file read (bytes); a real applicationHost.config is under 1 MiB.
pub const MAX_CONFIG: u64 = 64 << 20;

/// Deepest nesting followed; deeper files are reported as malformed by the reader anyway.
const MAX_DEPTH: usize = 64;
/// Most findings kept per file.
const MAX_FINDINGS: usize = 200;
/// Longest name kept in a finding (bytes).
const NAME_MAX: usize = 128;

/// How bad a finding is: an error stops every request; a warning is a setting that does not do
/// what it says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// The rules, each with a stable id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Rule {
    #[serde(rename = "malformed-xml")]
    MalformedXml,
    #[serde(rename = "module-not-installed")]
    ModuleNotInstalled,
    #[serde(rename = "apphost-only-section")]
    AppHostOnlySection,
    #[serde(rename = "duplicate-entry")]
    DuplicateEntry,
    #[serde(rename = "ancm-version")]
    AncmVersion,
    #[serde(rename = "inprocess-no-effect")]
    InProcessNoEffect,
    #[serde(rename = "fastcgi-timeouts")]
    FastCgiTimeouts,
    #[serde(rename = "locked-section")]
    LockedSection,
    #[serde(rename = "hosting-model-mixed")]
    HostingModelMixed,
    #[serde(rename = "stdout-folder-missing")]
    StdoutFolderMissing,
}

impl Rule {
    pub fn id(self) -> &'static str {
        match self {
            Rule::MalformedXml => "malformed-xml",
            Rule::ModuleNotInstalled => "module-not-installed",
            Rule::AppHostOnlySection => "apphost-only-section",
            Rule::DuplicateEntry => "duplicate-entry",
            Rule::AncmVersion => "ancm-version",
            Rule::InProcessNoEffect => "inprocess-no-effect",
            Rule::FastCgiTimeouts => "fastcgi-timeouts",
            Rule::LockedSection => "locked-section",
            Rule::HostingModelMixed => "hosting-model-mixed",
            Rule::StdoutFolderMissing => "stdout-folder-missing",
        }
    }

    pub fn severity(self) -> Severity {
        match self {
            Rule::InProcessNoEffect | Rule::FastCgiTimeouts | Rule::StdoutFolderMissing => {
                Severity::Warning
            }
            _ => Severity::Error,
        }
    }
}

/// One thing wrong in a configuration file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub rule: Rule,
    pub severity: Severity,
    /// The file, as the input names it.
    pub file: String,
    /// 1-based; 0 when the file gives none.
    pub line: u64,
    /// The element at fault, `<add name="X">` style, names only.
    pub element: String,
    /// What is wrong, one sentence.
    pub problem: String,
    /// The HTTP error it causes: `500.19` with its HRESULT, or `none` for a warning.
    pub status: String,
    pub hresult: Option<String>,
    /// What to change.
    pub fix: String,
}

/// What one file says that another file's findings need: the modules it installs, what it
/// uses, what it locks. Kept in a scan's summary (and saved with it), so that the findings
/// across files are made when every file of the run is known.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct FileLint {
    pub file: String,
    pub app_host: bool,
    /// `globalModules/add@name`, when the file has a `<globalModules>` section.
    pub global_modules: Option<Vec<String>>,
    /// The line of each `<rewrite>` and `<aspNetCore>` element.
    rewrite: Vec<u64>,
    asp_net_core: Vec<u64>,
    /// `handlers/add@modules` naming an ASP.NET Core Module: (line, module).
    ancm_handlers: Vec<(u64, String)>,
    /// What the locked-section rule reads (sections set, sections locked).
    pub(super) locks: locked::Locks,
    /// What the hosting-model rule reads (applications and pools, hosting models).
    pub(super) hosting: hosting::Hosting,
    pub findings: Vec<Finding>,
}

/// Sections IIS allows only in applicationHost.config (`allowDefinition="AppHostOnly"`, or
/// under `system.applicationHost`).
const APP_HOST_ONLY: [&str; 8] = [
    "system.applicationHost",
    "fastCgi",
    "applicationPools",
    "sites",
    "globalModules",
    "webLimits",
    "listenerAdapters",
    "httpCompression",
];

/// A collection whose entries must be unique, and the attribute that keys them.
fn collection_key(collection: &str) -> Option<(&'static str, &'static str)> {
    match collection {
        "handlers" | "modules" | "globalModules" => Some(("add", "name")),
        "staticContent" => Some(("mimeMap", "fileExtension")),
        "files" => Some(("add", "value")),
        _ => None,
    }
}

struct Collection {
    depth: usize,
    name: String,
    entry: &'static str,
    key: &'static str,
    /// Lower-cased key -> the line it was first added at.
    seen: HashMap<String, u64>,
}

pub(super) fn short(text: &str) -> String {
    let mut out = String::new();
    push_capped(&mut out, text, NAME_MAX);
    out
}

fn is_app_host_name(file: &str) -> bool {
    let lower = file.to_ascii_lowercase();
    lower.ends_with("applicationhost.config")
}

impl FileLint {
    pub(super) fn push(&mut self, f: Finding) {
        if self.findings.len() < MAX_FINDINGS {
            self.findings.push(f);
        }
    }

    pub(super) fn finding(
        &self,
        rule: Rule,
        line: u64,
        element: String,
        problem: String,
    ) -> Finding {
        let (status, hresult, fix) = match rule {
            Rule::MalformedXml => (
                "500.19",
                Some("0x8007000d"),
                "correct the XML at that line (an unclosed tag, a stray character, a \
                 mismatched end tag); IIS cannot read any setting of the file until it parses"
                    .to_string(),
            ),
            Rule::AppHostOnlySection => (
                "500.19",
                Some("0x80070021"),
                "move the section to applicationHost.config (a <location path> there can \
                 scope it to this site), and remove it from this file"
                    .to_string(),
            ),
            Rule::DuplicateEntry => (
                "500.19",
                Some("0x800700b7"),
                "put a <remove> of that entry before the <add> (or <clear/> at the top of the \
                 collection), or delete the second entry; when a parent application adds it, \
                 inheritInChildApplications=\"false\" on the parent's <location> also works"
                    .to_string(),
            ),
            Rule::LockedSection => ("500.19", Some("0x80070021"), String::new()),
            Rule::InProcessNoEffect | Rule::FastCgiTimeouts | Rule::StdoutFolderMissing => {
                ("none", None, String::new())
            }
            Rule::HostingModelMixed => ("500.34", None, String::new()),
            _ => ("500.19", None, String::new()),
        };
        Finding {
            rule,
            severity: rule.severity(),
            file: self.file.clone(),
            line,
            element,
            problem,
            status: status.into(),
            hresult: hresult.map(str::to_string),
            fix,
        }
    }
}

/// Lints one configuration file's bytes. `file` is the name findings are given under; a file
/// is an applicationHost.config when its name ends so.
pub fn lint_bytes(file: &str, bytes: &[u8]) -> FileLint {
    let mut lint = FileLint {
        file: file.to_string(),
        app_host: is_app_host_name(file),
        ..FileLint::default()
    };
    let mut xml = Reader::from_reader(Bounded::new(bytes));
    let mut buf = Vec::with_capacity(8 * 1024);
    let mut stack: Vec<String> = Vec::new();
    let mut collections: Vec<Collection> = Vec::new();
    loop {
        xml.get_mut().since_event = 0;
        let read = xml.read_event_into(&mut buf);
        let line = xml.get_ref().newlines + 1;
        if xml.get_ref().since_event > MAX_PIECE as u64 {
            let f = lint.finding(
                Rule::MalformedXml,
                line,
                "(a tag)".into(),
                "a tag or text too long to read".into(),
            );
            lint.push(f);
            break;
        }
        // IIS refuses an attribute written twice or without quotes; the parser checks
        // attributes only when asked.
        if let Ok(Xml::Start(start) | Xml::Empty(start)) = &read
            && let Some(Err(error)) = start.attributes().find(Result::is_err)
        {
            let local = start.local_name();
            let name: &str = local.as_ref();
            let f = lint.finding(
                Rule::MalformedXml,
                line,
                format!("<{}>", short(name)),
                format!("not well-formed XML: {}", short(&error.to_string())),
            );
            lint.push(f);
            break;
        }
        match read {
            Ok(Xml::Start(start)) => {
                if stack.len() >= MAX_DEPTH {
                    break;
                }
                open(&mut lint, &stack, &mut collections, &start, line);
                let local = start.local_name();
                let name: &str = local.as_ref();
                stack.push(name.to_string());
            }
            Ok(Xml::Empty(start)) => {
                open(&mut lint, &stack, &mut collections, &start, line);
                lint.locks.close(stack.len());
                lint.hosting.close(stack.len());
            }
            Ok(Xml::End(_)) => {
                stack.pop();
                lint.locks.close(stack.len());
                lint.hosting.close(stack.len());
                if collections.last().is_some_and(|c| c.depth == stack.len()) {
                    collections.pop();
                }
            }
            Ok(Xml::Eof) => {
                if let Some(open) = stack.last() {
                    let f = lint.finding(
                        Rule::MalformedXml,
                        line,
                        format!("<{}>", short(open)),
                        format!(
                            "the file ends inside <{}>, which is never closed",
                            short(open)
                        ),
                    );
                    lint.push(f);
                }
                break;
            }
            Ok(_) => {}
            Err(error) => {
                let f = lint.finding(
                    Rule::MalformedXml,
                    line,
                    stack
                        .last()
                        .map(|s| format!("<{}>", short(s)))
                        .unwrap_or_else(|| "(document)".into()),
                    format!("not well-formed XML: {}", short(&error.to_string())),
                );
                lint.push(f);
                break;
            }
        }
        buf.clear();
    }
    if lint.app_host {
        lint.hosting.read_apps(bytes);
    }
    lint
}

/// A configuration file's bytes, read once for both the reader and the lint; `Ok(Err)` names a
/// file too large to be a configuration file.
pub fn read_capped<R: Read>(reader: R) -> io::Result<Result<Vec<u8>, String>> {
    let mut bytes = Vec::new();
    reader.take(MAX_CONFIG + 1).read_to_end(&mut bytes)?;
    Ok(if bytes.len() as u64 > MAX_CONFIG {
        Err(format!(
            "larger than {} MiB, so not a configuration file",
            MAX_CONFIG >> 20
        ))
    } else {
        Ok(bytes)
    })
}

/// Lints one file's bytes as [`lint_bytes`] does, and judges its stdout folders when it was
/// read from `disk` (in an archive, the folders beside it are unknown).
pub fn lint_file(name: &str, bytes: &[u8], disk: Option<&Path>) -> FileLint {
    let mut lint = lint_bytes(name, bytes);
    if let Some(disk) = disk {
        check_stdout_folders(&mut lint, disk);
    }
    lint
}

fn open(
    lint: &mut FileLint,
    stack: &[String],
    collections: &mut Vec<Collection>,
    start: &BytesStart,
    line: u64,
) {
    let local = start.local_name();
    let name: &str = local.as_ref();
    let name = name.to_string();
    let parent = stack.last().map(String::as_str);
    let depth = stack.len();
    let under = |n: &str| stack.iter().any(|s| s == n);

    // A file named neither way is an applicationHost.config when it has that section.
    if name == "system.applicationHost" && !lint.file.to_ascii_lowercase().ends_with("web.config") {
        lint.app_host = true;
    }
    if !lint.app_host
        && APP_HOST_ONLY.contains(&name.as_str())
        && !stack.iter().any(|s| APP_HOST_ONLY.contains(&s.as_str()))
        && (name == "system.applicationHost"
            || under("system.webServer")
            || parent == Some("configuration"))
    {
        let f = lint.finding(
            Rule::AppHostOnlySection,
            line,
            format!("<{name}>"),
            format!(
                "<{name}> is allowed only in applicationHost.config \
                 (allowDefinition=\"AppHostOnly\"), not in a web.config"
            ),
        );
        lint.push(f);
    }
    if name == "globalModules" && under("system.webServer") {
        lint.global_modules.get_or_insert_with(Vec::new);
    }
    if name == "rewrite" && parent == Some("system.webServer") {
        lint.rewrite.push(line);
    }
    if name == "aspNetCore" && parent == Some("system.webServer") {
        lint.asp_net_core.push(line);
        in_process(lint, start, line);
        lint.hosting.asp_net_core(start, line);
    }
    let app_host = lint.app_host;
    lint.locks.open(app_host, stack, &name, start, line);
    lint.hosting.open(app_host, stack, &name, start);
    if name == "application" && parent == Some("fastCgi") {
        fast_cgi_timeouts(lint, start, line);
    }

    // An entry of the collection open at this depth.
    if let Some(c) = collections.last_mut()
        && c.depth + 1 == depth
        && parent == Some(c.name.as_str())
    {
        let key = attribute(start, c.key).map(|k| k.trim().to_ascii_lowercase());
        match (name.as_str(), key) {
            ("clear", _) => c.seen.clear(),
            ("remove", Some(k)) => {
                c.seen.remove(&k);
            }
            (entry, Some(k)) if entry == c.entry => {
                let (coll, key_name, entry) = (c.name.clone(), c.key, c.entry);
                if let Some(first) = c.seen.get(&k).copied() {
                    let shown = short(&attribute(start, key_name).unwrap_or_default());
                    let f = lint.finding(
                        Rule::DuplicateEntry,
                        line,
                        format!("<{entry} {key_name}=\"{shown}\">"),
                        format!(
                            "<{coll}> already has an entry with {key_name}=\"{shown}\" \
                             (line {first}); IIS refuses a duplicate collection entry"
                        ),
                    );
                    lint.push(f);
                } else {
                    c.seen.insert(k, line);
                }
                if coll == "globalModules" {
                    let n = short(&attribute(start, "name").unwrap_or_default());
                    lint.global_modules.get_or_insert_with(Vec::new).push(n);
                }
                if coll == "handlers" {
                    handler_module(lint, start, line);
                }
            }
            _ => {}
        }
    }
    if let Some((entry, key)) = collection_key(&name)
        && under("system.webServer")
    {
        collections.push(Collection {
            depth,
            name,
            entry,
            key,
            seen: HashMap::new(),
        });
    }
}

fn handler_module(lint: &mut FileLint, start: &BytesStart, line: u64) {
    if let Some(modules) = attribute(start, "modules") {
        let m = modules.trim();
        if m.eq_ignore_ascii_case("AspNetCoreModule")
            || m.eq_ignore_ascii_case("AspNetCoreModuleV2")
        {
            lint.ancm_handlers.push((line, short(m)));
        }
    }
}

fn in_process(lint: &mut FileLint, start: &BytesStart, line: u64) {
    let inprocess = attribute(start, "hostingModel")
        .is_some_and(|h| h.trim().eq_ignore_ascii_case("inprocess"));
    if inprocess && attribute(start, "requestTimeout").is_some() {
        let mut f = lint.finding(
            Rule::InProcessNoEffect,
            line,
            "<aspNetCore requestTimeout>".into(),
            "requestTimeout is set with hostingModel=\"inprocess\", where the ASP.NET Core \
             Module ignores it: there is no backend request to time out"
                .into(),
        );
        f.status = "none".into();
        f.fix = "remove requestTimeout, or use hostingModel=\"outofprocess\" if the time limit \
                 is wanted (in-process, limit the request in the application)"
            .into();
        lint.push(f);
    }
}

fn fast_cgi_timeouts(lint: &mut FileLint, start: &BytesStart, line: u64) {
    let secs = |n: &str| -> Option<u64> { attribute(start, n)?.trim().parse().ok() };
    // IIS's defaults: activityTimeout 30 s, requestTimeout 90 s.
    let activity = secs("activityTimeout");
    let request = secs("requestTimeout");
    let (a, r) = (activity.unwrap_or(30), request.unwrap_or(90));
    if (activity.is_some() || request.is_some()) && a > r {
        let mut f = lint.finding(
            Rule::FastCgiTimeouts,
            line,
            "<fastCgi><application activityTimeout requestTimeout>".into(),
            format!(
                "activityTimeout ({a} s) is greater than requestTimeout ({r} s): every slow \
                 request ends at requestTimeout (500.0 0x80070102) and activityTimeout never \
                 applies"
            ),
        );
        f.status = "none".into();
        f.fix = "make activityTimeout at most requestTimeout (the defaults are 30 and 90)".into();
        lint.push(f);
    }
}

const ANCM_V1: &str = "AspNetCoreModule";
const ANCM_V2: &str = "AspNetCoreModuleV2";

/// The `<globalModules>` the files are judged against: only when exactly one
/// applicationHost.config among them has the section (with several, from several servers,
/// which one a web.config runs under is unknown).
pub fn installed_modules(files: &[FileLint]) -> Option<Vec<String>> {
    let mut hosts = files
        .iter()
        .filter(|f| f.app_host)
        .filter_map(|f| f.global_modules.clone());
    let first = hosts.next()?;
    hosts.next().is_none().then_some(first)
}

/// Lints each file, then what one file's use needs of another's `<globalModules>`: judged
/// only when [`installed_modules`] names them.
pub fn lint_all(files: &mut [FileLint]) -> Vec<Finding> {
    locked::lint(files);
    hosting::lint(files);
    let installed = installed_modules(files);
    let mut out = Vec::new();
    for f in files.iter_mut() {
        if let Some(modules) = &installed {
            let has = |m: &str| modules.iter().any(|x| x.eq_ignore_ascii_case(m));
            let mut extra = Vec::new();
            if !has("RewriteModule") {
                for &line in &f.rewrite {
                    extra.push(not_installed(
                        f,
                        line,
                        "<rewrite>",
                        "RewriteModule (URL Rewrite)",
                        "install the IIS URL Rewrite Module 2.1, or remove the <rewrite> section",
                    ));
                }
            }
            if !has(ANCM_V1) && !has(ANCM_V2) {
                for &line in &f.asp_net_core {
                    extra.push(not_installed(
                        f,
                        line,
                        "<aspNetCore>",
                        "the ASP.NET Core Module (AspNetCoreModuleV2)",
                        "install the ASP.NET Core Hosting Bundle (it adds AspNetCoreModuleV2), \
                         then restart IIS (net stop was /y, net start w3svc)",
                    ));
                }
            } else {
                for (line, m) in &f.ancm_handlers {
                    let other = if m.eq_ignore_ascii_case(ANCM_V1) {
                        ANCM_V2
                    } else {
                        ANCM_V1
                    };
                    if !has(m) && has(other) {
                        let mut x = f.finding(
                            Rule::AncmVersion,
                            *line,
                            format!("<handlers><add modules=\"{m}\">"),
                            format!(
                                "the handler names the module {m}, but only {other} is \
                                 installed in globalModules"
                            ),
                        );
                        x.status = "500.21".into();
                        x.fix = format!(
                            "write modules=\"{other}\" in the handler (or install the Hosting \
                             Bundle that provides {m})"
                        );
                        extra.push(x);
                    }
                }
            }
            for x in extra {
                f.push(x);
            }
        }
        out.extend(f.findings.iter().cloned());
    }
    out.sort_by(|a, b| (&a.file, a.line, a.rule).cmp(&(&b.file, b.line, b.rule)));
    out
}

fn not_installed(f: &FileLint, line: u64, element: &str, module: &str, fix: &str) -> Finding {
    let mut x = f.finding(
        Rule::ModuleNotInstalled,
        line,
        element.into(),
        format!(
            "{element} is the configuration of {module}, which the applicationHost.config's \
             <globalModules> does not install: IIS does not know the section"
        ),
    );
    x.hresult = Some("0x8007000d".into());
    x.fix = fix.into();
    x
}

#[cfg(test)]
#[path = "lint_tests.rs"]
mod tests;
