//! Reader for IIS configuration files: `applicationHost.config` (the server's, and IIS
//! Express's `applicationhost.config`, which has the same schema) and `web.config`. It keeps
//! what names the sites and pools and what the diagnosis compares with the logs: sites with
//! their ids, names, bindings, applications and log folders; application pools with their
//! runtime, pipeline mode, identity type and timeouts; every `<aspNetCore>` element; every
//! FastCGI application.
//!
//! Configuration files hold secrets (connection strings, pool passwords, app settings). The
//! reader copies only the attributes it names below, so a secret is never read into memory
//! past the parser's buffer; `arguments`, which a command line may put a password in, is
//! dropped when it looks like it does.

use std::io::BufRead;

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event as Xml};
use serde::{Deserialize, Serialize};

use crate::input::xml::{Bounded, MAX_PIECE, at_end, attribute, push_capped};

pub mod lint;
pub mod sitelist;

/// Deepest nesting read; real files are under 15 levels deep.
pub const MAX_DEPTH: usize = 64;
/// Most bytes kept of one value (a path, a name).
pub const VALUE_MAX: usize = 1024;
/// Most entries kept of each list (sites, pools, bindings of a site, ...).
pub const LIST_MAX: usize = 10_000;

/// A configuration file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("not XML at line {line} ({error})")]
    Xml { line: u64, error: quick_xml::Error },
    #[error("nesting deeper than {MAX_DEPTH} levels at line {line}")]
    TooDeep { line: u64 },
    #[error("a tag or text longer than {} MiB at line {line}", MAX_PIECE >> 20)]
    TooLong { line: u64 },
    #[error("a DOCTYPE with entity declarations at line {line}, refused")]
    Entities { line: u64 },
    #[error("the root element is <{0}>, not <configuration>")]
    NotConfiguration(String),
    #[error("no root element")]
    NoRoot,
}

/// A site of `system.applicationHost/sites`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Site {
    pub id: Option<u32>,
    pub name: String,
    pub server_auto_start: Option<bool>,
    pub bindings: Vec<Binding>,
    pub applications: Vec<Application>,
    /// `logFile@directory`, as written (`%SystemDrive%\inetpub\logs\LogFiles`).
    pub log_directory: Option<String>,
    /// `traceFailedRequestsLogging@directory`.
    pub freb_directory: Option<String>,
    /// The line the `<site>` tag is on.
    pub line: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Binding {
    pub protocol: String,
    /// `*:80:www.example.com`.
    pub information: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Application {
    pub path: String,
    pub pool: Option<String>,
    /// The physical path of the application's root virtual directory.
    pub physical_path: Option<String>,
}

/// An application pool (`applicationPools/add`), or the pool defaults. Timespans are in
/// seconds; a value IIS would refuse is left out.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pool {
    pub name: String,
    pub runtime: Option<String>,
    /// `Integrated` or `Classic`.
    pub pipeline_mode: Option<String>,
    /// `enable32BitAppOnWin64`: the worker process is 32-bit on a 64-bit server.
    #[serde(default)]
    pub enable_32bit: Option<bool>,
    /// `processModel@identityType`; the user name and password are never read.
    pub identity_type: Option<String>,
    pub queue_length: Option<u32>,
    pub idle_timeout_s: Option<u64>,
    pub shutdown_time_limit_s: Option<u64>,
    pub startup_time_limit_s: Option<u64>,
    pub ping_response_time_s: Option<u64>,
    /// `processModel@pingInterval`.
    #[serde(default)]
    pub ping_interval_s: Option<u64>,
    pub rapid_fail_protection: Option<bool>,
    pub rapid_fail_max_crashes: Option<u32>,
    pub rapid_fail_interval_s: Option<u64>,
    /// `recycling/periodicRestart@time`.
    pub periodic_restart_s: Option<u64>,
    pub line: u64,
    /// The lines of its `processModel`, `failure` and `periodicRestart` elements, which is
    /// where a report says their settings are set.
    #[serde(default)]
    pub process_model_line: Option<u64>,
    #[serde(default)]
    pub failure_line: Option<u64>,
    #[serde(default)]
    pub periodic_restart_line: Option<u64>,
}

/// One `<aspNetCore>` element.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AspNetCore {
    /// The `<location path>` it sits in, if any.
    pub location: Option<String>,
    pub process_path: Option<String>,
    pub arguments: Option<String>,
    /// `inprocess` or `outofprocess` as written.
    pub hosting_model: Option<String>,
    pub stdout_log_enabled: Option<bool>,
    pub stdout_log_file: Option<String>,
    pub request_timeout_s: Option<u64>,
    pub startup_time_limit_s: Option<u64>,
    /// `handlerSettings`: `debugFile` and `debugLevel`.
    pub debug_file: Option<String>,
    pub debug_level: Option<String>,
    pub line: u64,
}

/// One `<fastCgi><application>`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FastCgiApp {
    pub full_path: String,
    pub arguments: Option<String>,
    pub activity_timeout_s: Option<u64>,
    pub request_timeout_s: Option<u64>,
    pub instance_max_requests: Option<u32>,
    pub max_instances: Option<u32>,
    /// Absent from summaries saved before it was read.
    #[serde(default)]
    pub queue_length: Option<u32>,
    #[serde(default)]
    pub idle_timeout_s: Option<u64>,
    pub line: u64,
}

/// One `requestFiltering/requestLimits` element: the attributes it sets, in bytes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestLimits {
    pub location: Option<String>,
    pub max_allowed_content_length: Option<u64>,
    pub max_url: Option<u64>,
    pub max_query_string: Option<u64>,
    pub line: u64,
}

/// `system.webServer/serverRuntime@appConcurrentRequestLimit`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConcurrentLimit {
    pub location: Option<String>,
    pub limit: u64,
    pub line: u64,
}

/// A proxy timeout: `system.webServer/proxy@timeout` (`farm` is `None`) or a webFarm's
/// `applicationRequestRouting/protocol@timeout`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProxyTimeout {
    /// The webFarm's name.
    pub farm: Option<String>,
    /// The `<location path>` it sits in, if any.
    pub location: Option<String>,
    pub timeout_s: u64,
    pub line: u64,
}

/// A server of a webFarm: `<webFarm name><server address>`, the name ARR routes to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FarmServer {
    pub farm: String,
    pub address: String,
    pub line: u64,
}

/// `system.web/httpRuntime@executionTimeout`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExecutionTimeout {
    pub location: Option<String>,
    pub timeout_s: u64,
    pub line: u64,
}

/// What one configuration file says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConfigFile {
    /// The file has a `<system.applicationHost>` section: it is an applicationHost.config.
    pub app_host: bool,
    pub sites: Vec<Site>,
    /// `siteDefaults`: `logFile@directory` and `traceFailedRequestsLogging@directory`.
    pub default_log_directory: Option<String>,
    pub default_freb_directory: Option<String>,
    pub pools: Vec<Pool>,
    pub pool_defaults: Option<Pool>,
    pub asp_net_core: Vec<AspNetCore>,
    pub fast_cgi: Vec<FastCgiApp>,
    pub proxy_timeouts: Vec<ProxyTimeout>,
    pub farm_servers: Vec<FarmServer>,
    pub execution_timeouts: Vec<ExecutionTimeout>,
    pub request_limits: Vec<RequestLimits>,
    pub concurrent_limits: Vec<ConcurrentLimit>,
    /// Findings and limits met, one sentence each.
    pub notes: Vec<String>,
}

impl ConfigFile {
    /// How many facts the file gave: what the file list counts as its records.
    pub fn records(&self) -> u64 {
        (self.sites.len() + self.pools.len() + self.asp_net_core.len() + self.fast_cgi.len()) as u64
    }
}

/// A value kept, capped at [`VALUE_MAX`] bytes.
fn value(start: &BytesStart, name: &str) -> Option<String> {
    let v = attribute(start, name)?;
    let mut out = String::new();
    push_capped(&mut out, &v, VALUE_MAX);
    Some(out)
}

fn flag(start: &BytesStart, name: &str) -> Option<bool> {
    let v = attribute(start, name)?;
    match v.trim().to_ascii_lowercase().as_str() {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

fn number(start: &BytesStart, name: &str) -> Option<u32> {
    attribute(start, name)?.trim().parse().ok()
}

/// A `uint` attribute (IIS's limits are 32-bit, but a value is kept as written).
fn big(start: &BytesStart, name: &str) -> Option<u64> {
    attribute(start, name)?.trim().parse().ok()
}

fn span(start: &BytesStart, name: &str) -> Option<u64> {
    timespan_secs(&attribute(start, name)?)
}

/// An IIS timespan (`00:05:00`, `1.05:00:00`, `00:00:90` is refused) in whole seconds.
pub fn timespan_secs(text: &str) -> Option<u64> {
    let text = text.trim();
    let (days, clock) = match text.split_once('.') {
        Some((d, rest)) if !d.contains(':') => (d.parse::<u64>().ok()?, rest),
        _ => (0, text),
    };
    // Fractions of a second are dropped.
    let clock = clock.split('.').next()?;
    let mut parts = clock.split(':');
    let h: u64 = parts.next()?.parse().ok()?;
    let m: u64 = parts.next()?.parse().ok()?;
    let s: u64 = parts.next()?.parse().ok()?;
    if parts.next().is_some() || h > 23 || m > 59 || s > 59 {
        return None;
    }
    days.checked_mul(86_400)?.checked_add(h * 3600 + m * 60 + s)
}

/// Words that put a secret on a command line.
const SECRET_WORDS: [&str; 5] = ["password", "pwd", "secret", "connectionstring", "apikey"];

/// `arguments`, unless it looks like it holds a secret.
fn arguments(start: &BytesStart) -> Option<String> {
    let args = value(start, "arguments")?;
    let lower = args.to_ascii_lowercase().replace(['_', '-'], "");
    if SECRET_WORDS.iter().any(|w| lower.contains(w)) {
        return Some("(not kept: it may hold a secret)".into());
    }
    Some(args)
}

fn push<T>(list: &mut Vec<T>, item: T, what: &str, notes: &mut Vec<String>) {
    if list.len() < LIST_MAX {
        list.push(item);
    } else if !notes.iter().any(|n| n.contains(what)) {
        notes.push(format!(
            "more than {LIST_MAX} {what}: the rest were not kept"
        ));
    }
}

struct Walk {
    /// Local names of the open elements, outermost first.
    stack: Vec<String>,
    /// `<location path>` values with the depth they were opened at.
    locations: Vec<(usize, String)>,
    file: ConfigFile,
    /// The site, pool or aspNetCore element being read.
    site: Option<Site>,
    pool: Option<(Pool, bool)>,
    asp: Option<(AspNetCore, usize)>,
    root_seen: bool,
    /// The line of the first `<fastCgi>` section.
    fast_cgi_line: Option<u64>,
    /// The name of the `<webFarm>` being read.
    web_farm: Option<String>,
}

impl Walk {
    fn parent(&self) -> Option<&str> {
        self.stack.last().map(String::as_str)
    }

    fn open(&mut self, start: &BytesStart, line: u64) -> Result<(), ConfigError> {
        let local = start.local_name();
        let name: &str = local.as_ref();
        let name = name.to_string();
        if !self.root_seen {
            self.root_seen = true;
            if name != "configuration" {
                return Err(ConfigError::NotConfiguration(short(&name)));
            }
        }
        if self.stack.len() >= MAX_DEPTH {
            return Err(ConfigError::TooDeep { line });
        }
        self.element(&name, start, line);
        self.stack.push(name);
        Ok(())
    }

    fn element(&mut self, name: &str, start: &BytesStart, line: u64) {
        let stack = &self.stack;
        let parent = stack.last().map(String::as_str);
        let grandparent = stack
            .len()
            .checked_sub(2)
            .and_then(|i| stack.get(i))
            .map(String::as_str);
        let under = |name: &str| stack.iter().any(|s| s == name);
        let in_sites = under("system.applicationHost") && under("sites");
        match (name, parent) {
            ("system.applicationHost", _) => self.file.app_host = true,
            ("fastCgi", _) => {
                self.fast_cgi_line.get_or_insert(line);
            }
            ("location", _) => {
                let path = value(start, "path").unwrap_or_default();
                self.locations.push((self.stack.len(), path));
            }
            ("site", Some("sites")) if in_sites => {
                self.site = Some(Site {
                    id: number(start, "id"),
                    name: value(start, "name").unwrap_or_default(),
                    server_auto_start: flag(start, "serverAutoStart"),
                    line,
                    ..Site::default()
                });
            }
            ("binding", Some("bindings")) if grandparent == Some("site") => {
                if let Some(site) = self.site.as_mut() {
                    let b = Binding {
                        protocol: value(start, "protocol").unwrap_or_default(),
                        information: value(start, "bindingInformation").unwrap_or_default(),
                    };
                    push(&mut site.bindings, b, "bindings", &mut self.file.notes);
                }
            }
            ("application", Some("site")) => {
                if let Some(site) = self.site.as_mut() {
                    let a = Application {
                        path: value(start, "path").unwrap_or_default(),
                        pool: value(start, "applicationPool"),
                        physical_path: None,
                    };
                    push(
                        &mut site.applications,
                        a,
                        "applications",
                        &mut self.file.notes,
                    );
                }
            }
            ("virtualDirectory", Some("application")) if grandparent == Some("site") => {
                let root = attribute(start, "path").is_some_and(|p| p == "/");
                if let Some(app) = self.site.as_mut().and_then(|s| s.applications.last_mut())
                    && root
                {
                    app.physical_path = value(start, "physicalPath");
                }
            }
            ("logFile" | "traceFailedRequestsLogging", Some("site" | "siteDefaults"))
                if in_sites =>
            {
                let dir = value(start, "directory");
                let slot = match (parent, self.site.as_mut()) {
                    (Some("site"), Some(site)) if name == "logFile" => &mut site.log_directory,
                    (Some("site"), Some(site)) => &mut site.freb_directory,
                    (Some("siteDefaults"), _) if name == "logFile" => {
                        &mut self.file.default_log_directory
                    }
                    (Some("siteDefaults"), _) => &mut self.file.default_freb_directory,
                    _ => return,
                };
                if dir.is_some() {
                    *slot = dir;
                }
            }
            ("add" | "applicationPoolDefaults", Some("applicationPools")) => {
                let defaults = name == "applicationPoolDefaults";
                let pool = Pool {
                    name: if defaults {
                        "(pool defaults)".into()
                    } else {
                        value(start, "name").unwrap_or_default()
                    },
                    runtime: value(start, "managedRuntimeVersion"),
                    pipeline_mode: value(start, "managedPipelineMode"),
                    enable_32bit: flag(start, "enable32BitAppOnWin64"),
                    queue_length: number(start, "queueLength"),
                    line,
                    ..Pool::default()
                };
                self.pool = Some((pool, defaults));
            }
            ("processModel" | "failure" | "periodicRestart", _) => {
                if let Some((pool, _)) = self.pool.as_mut() {
                    pool_part(pool, name, start, line);
                }
            }
            ("aspNetCore", _) => {
                let asp = AspNetCore {
                    location: self.locations.last().map(|(_, p)| p.clone()),
                    process_path: value(start, "processPath"),
                    arguments: arguments(start),
                    hosting_model: value(start, "hostingModel"),
                    stdout_log_enabled: flag(start, "stdoutLogEnabled"),
                    stdout_log_file: value(start, "stdoutLogFile"),
                    request_timeout_s: span(start, "requestTimeout"),
                    startup_time_limit_s: attribute(start, "startupTimeLimit")
                        .and_then(|v| v.trim().parse().ok()),
                    line,
                    ..AspNetCore::default()
                };
                self.asp = Some((asp, self.stack.len()));
            }
            ("handlerSetting", Some("handlerSettings")) => {
                if let Some((asp, _)) = self.asp.as_mut() {
                    let v = value(start, "value");
                    match attribute(start, "name").as_deref() {
                        Some("debugFile") => asp.debug_file = v,
                        Some("debugLevel") => asp.debug_level = v,
                        _ => {}
                    }
                }
            }
            ("webFarm", Some("webFarms")) => self.web_farm = value(start, "name"),
            ("server", Some("webFarm")) => {
                if let (Some(farm), Some(address)) = (&self.web_farm, value(start, "address")) {
                    let server = FarmServer {
                        farm: farm.clone(),
                        address,
                        line,
                    };
                    let list = &mut self.file.farm_servers;
                    push(list, server, "farm servers", &mut self.file.notes);
                }
            }
            ("proxy", Some("system.webServer"))
            | ("protocol", Some("applicationRequestRouting"))
                if name == "proxy" || self.web_farm.is_some() =>
            {
                if let Some(timeout_s) = span(start, "timeout") {
                    let t = ProxyTimeout {
                        farm: if name == "proxy" {
                            None
                        } else {
                            self.web_farm.clone()
                        },
                        location: self.locations.last().map(|(_, p)| p.clone()),
                        timeout_s,
                        line,
                    };
                    let list = &mut self.file.proxy_timeouts;
                    push(list, t, "proxy timeouts", &mut self.file.notes);
                }
            }
            ("httpRuntime", Some("system.web")) => {
                // Written in seconds (`3600`); a timespan is read too.
                let seconds =
                    span(start, "executionTimeout").or_else(|| big(start, "executionTimeout"));
                if let Some(timeout_s) = seconds {
                    let t = ExecutionTimeout {
                        location: self.locations.last().map(|(_, p)| p.clone()),
                        timeout_s,
                        line,
                    };
                    let list = &mut self.file.execution_timeouts;
                    push(list, t, "httpRuntime elements", &mut self.file.notes);
                }
            }
            ("requestLimits", Some("requestFiltering")) => {
                let limits = RequestLimits {
                    location: self.locations.last().map(|(_, p)| p.clone()),
                    max_allowed_content_length: big(start, "maxAllowedContentLength"),
                    max_url: big(start, "maxUrl"),
                    max_query_string: big(start, "maxQueryString"),
                    line,
                };
                let set = limits.max_allowed_content_length.is_some()
                    || limits.max_url.is_some()
                    || limits.max_query_string.is_some();
                if set {
                    let list = &mut self.file.request_limits;
                    push(list, limits, "requestLimits elements", &mut self.file.notes);
                }
            }
            ("serverRuntime", Some("system.webServer")) => {
                if let Some(limit) = big(start, "appConcurrentRequestLimit") {
                    let l = ConcurrentLimit {
                        location: self.locations.last().map(|(_, p)| p.clone()),
                        limit,
                        line,
                    };
                    let list = &mut self.file.concurrent_limits;
                    push(list, l, "serverRuntime elements", &mut self.file.notes);
                }
            }
            ("application", Some("fastCgi")) => {
                let app = FastCgiApp {
                    full_path: value(start, "fullPath").unwrap_or_default(),
                    arguments: arguments(start),
                    activity_timeout_s: number(start, "activityTimeout").map(u64::from),
                    request_timeout_s: number(start, "requestTimeout").map(u64::from),
                    instance_max_requests: number(start, "instanceMaxRequests"),
                    max_instances: number(start, "maxInstances"),
                    queue_length: number(start, "queueLength"),
                    idle_timeout_s: number(start, "idleTimeout").map(u64::from),
                    line,
                };
                push(
                    &mut self.file.fast_cgi,
                    app,
                    "FastCGI applications",
                    &mut self.file.notes,
                );
            }
            _ => {}
        }
    }

    fn close(&mut self) {
        let Some(name) = self.stack.pop() else {
            return;
        };
        let depth = self.stack.len();
        match name.as_str() {
            "site" => {
                if let Some(site) = self.site.take() {
                    push(&mut self.file.sites, site, "sites", &mut self.file.notes);
                }
            }
            "add" | "applicationPoolDefaults" if self.parent() == Some("applicationPools") => {
                match self.pool.take() {
                    Some((pool, true)) => self.file.pool_defaults = Some(pool),
                    Some((pool, false)) => {
                        push(&mut self.file.pools, pool, "pools", &mut self.file.notes);
                    }
                    None => {}
                }
            }
            "aspNetCore" => {
                if let Some((asp, at)) = self.asp.take() {
                    if at == depth {
                        push(
                            &mut self.file.asp_net_core,
                            asp,
                            "aspNetCore elements",
                            &mut self.file.notes,
                        );
                    } else {
                        self.asp = Some((asp, at));
                    }
                }
            }
            "webFarm" => self.web_farm = None,
            "location" if self.locations.last().is_some_and(|(at, _)| *at == depth) => {
                self.locations.pop();
            }
            _ => {}
        }
    }

    fn finish(mut self) -> ConfigFile {
        // An element left open by a file cut short is kept with what it has.
        while !self.stack.is_empty() {
            self.close();
        }
        if let (false, Some(line)) = (self.file.app_host, self.fast_cgi_line) {
            self.file.notes.push(format!(
                "line {line}: <fastCgi> in a file that is not applicationHost.config; IIS allows \
                 that section only there (allowDefinition=\"AppHostOnly\") and answers 500.19 \
                 for every request to the application: move it to applicationHost.config"
            ));
        }
        self.file
    }
}

fn short(name: &str) -> String {
    let mut out = String::new();
    push_capped(&mut out, name, 64);
    out
}

/// The pool's `processModel`, `failure` and `recycling/periodicRestart` settings.
fn pool_part(pool: &mut Pool, name: &str, start: &BytesStart, line: u64) {
    match name {
        "processModel" => {
            pool.process_model_line = Some(line);
            pool.identity_type = value(start, "identityType");
            pool.idle_timeout_s = span(start, "idleTimeout");
            pool.shutdown_time_limit_s = span(start, "shutdownTimeLimit");
            pool.startup_time_limit_s = span(start, "startupTimeLimit");
            pool.ping_response_time_s = span(start, "pingResponseTime");
            pool.ping_interval_s = span(start, "pingInterval");
        }
        "failure" => {
            pool.failure_line = Some(line);
            pool.rapid_fail_protection = flag(start, "rapidFailProtection");
            pool.rapid_fail_max_crashes = number(start, "rapidFailProtectionMaxCrashes");
            pool.rapid_fail_interval_s = span(start, "rapidFailProtectionInterval");
        }
        _ => {
            pool.periodic_restart_line = Some(line);
            pool.periodic_restart_s = span(start, "time");
        }
    }
}

/// Whether a file's first bytes are a configuration file: an XML document whose root
/// element is `<configuration>`.
pub fn is_configuration_root(first_element: Option<&[u8]>) -> bool {
    first_element == Some(b"configuration")
}

/// Reads a configuration file. A file cut short is read up to the cut, with a note; XML that
/// is not well-formed, a DOCTYPE declaring entities or nesting past [`MAX_DEPTH`] is an error
/// that names its line.
pub fn read_config<R: BufRead>(reader: R) -> Result<ConfigFile, ConfigError> {
    let mut xml = Reader::from_reader(Bounded::new(reader));
    let mut buf = Vec::with_capacity(8 * 1024);
    let mut walk = Walk {
        stack: Vec::with_capacity(MAX_DEPTH),
        locations: Vec::new(),
        file: ConfigFile::default(),
        site: None,
        pool: None,
        asp: None,
        root_seen: false,
        fast_cgi_line: None,
        web_farm: None,
    };
    loop {
        xml.get_mut().since_event = 0;
        let read = xml.read_event_into(&mut buf);
        let line = xml.get_ref().newlines + 1;
        if xml.get_ref().since_event > MAX_PIECE as u64 {
            return Err(ConfigError::TooLong { line });
        }
        match read {
            Ok(Xml::Start(start)) => walk.open(&start, line)?,
            Ok(Xml::Empty(start)) => {
                walk.open(&start, line)?;
                walk.close();
            }
            Ok(Xml::End(_)) => walk.close(),
            Ok(Xml::DocType(doctype)) => {
                if doctype.xml10_content().contains("<!ENTITY") {
                    return Err(ConfigError::Entities { line });
                }
            }
            Ok(Xml::Eof) => {
                if !walk.root_seen {
                    return Err(ConfigError::NoRoot);
                }
                if !walk.stack.is_empty() {
                    walk.file.notes.push(format!(
                        "the file ends at line {line} inside <{}>: read up to the cut",
                        walk.stack.last().map(String::as_str).unwrap_or_default()
                    ));
                }
                break;
            }
            Ok(_) => {}
            Err(error) => {
                // quick-xml names unclosed markup only when the input runs out; a
                // mismatched end tag is no cut.
                let unclosed = matches!(error, quick_xml::Error::Syntax(_));
                if walk.root_seen && unclosed && at_end(&mut xml) {
                    walk.file.notes.push(format!(
                        "the file ends at line {line} inside a tag ({error}): read up to the cut"
                    ));
                    break;
                }
                return Err(ConfigError::Xml { line, error });
            }
        }
        buf.clear();
    }
    Ok(walk.finish())
}

#[cfg(test)]
mod tests;
