//! The knowledge base: what each IIS code means, its likely cause and the checks to do next.
//!
//! Knowledge is data. The entries live in TOML files under `src/kb/data/` that a person who
//! knows IIS, not Rust, can review and extend; a user's `--rules` file has the same format and
//! adds or overrides entries. This module only loads and looks up.

mod load;
pub mod query;

use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::hresult;
use crate::input::eventlog::Event;
use crate::triple::Triple;

pub use load::RulesError;

/// An explanation of a status, a `status.substatus` or a whole triple.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CodeEntry {
    /// `502`, `502.3` or `502.3.12002`.
    pub code: String,
    /// Applies only when the error was set by this module (FREB `ModuleName`, matched
    /// case-insensitively as a substring: `AspNetCoreModule` matches `AspNetCoreModuleV2`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub module: Option<String>,
    /// Applies only to groups whose URLs match this regular expression (user rules).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// What the code means, in a line.
    pub title: String,
    /// The likely cause.
    pub cause: String,
    /// Ordered, concrete checks: which log, which setting and its default, which tool.
    pub checks: Vec<String>,
    /// Source ids (see `sources.toml`) or URLs.
    #[serde(default)]
    pub refs: Vec<String>,
    /// Normal traffic rather than a fault (handshake legs, client disconnects, idle timeouts).
    #[serde(default)]
    pub benign: bool,
    /// A shared checklist (`[[checklist]]` id) whose checks and references follow the
    /// entry's own when the file is loaded: one list, kept in one place, for every code it
    /// belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checklist: Option<String>,
}

/// Checks that belong to several codes alike: the article's list for a 502.3 that the
/// application behind the proxy causes, whichever module proxied it.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Checklist {
    pub id: String,
    pub checks: Vec<String>,
    #[serde(default)]
    pub refs: Vec<String>,
}

/// What a number in `sc-win32-status` (or a decoded HRESULT) means on its own.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Win32Entry {
    /// The value as IIS logs it in `sc-win32-status` (decimal), e.g. 12002, 2148074254.
    pub code: u64,
    /// The symbolic name, e.g. `ERROR_WINHTTP_TIMEOUT`.
    pub name: String,
    /// `system`, `winsock`, `winhttp`, `sspi`, `hresult` or `ntstatus`.
    pub kind: String,
    /// What it means.
    pub meaning: String,
    /// Where it shows up in IIS and what it usually points to there.
    #[serde(default)]
    pub iis: String,
    #[serde(default)]
    pub refs: Vec<String>,
}

/// An HTTP.sys `s-reason` value from the HTTPERR log.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ReasonEntry {
    pub reason: String,
    /// The status HTTP.sys sends or logs with it (`503`), or `-` for connection-level events.
    pub status: String,
    pub title: String,
    pub cause: String,
    pub checks: Vec<String>,
    #[serde(default)]
    pub refs: Vec<String>,
    #[serde(default)]
    pub benign: bool,
}

/// A Windows event that tells why a worker process died, recycled or never started.
/// Exports carry no message text, so the entry says what the event means.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct EventEntry {
    /// The provider as a person types it: `WAS`, `Application Error`, `.NET Runtime`.
    pub provider: String,
    /// Other names of the provider as event XML spells them (`Microsoft-Windows-WAS`).
    #[serde(default)]
    pub aliases: Vec<String>,
    pub id: u32,
    /// What the event says, in a line.
    pub title: String,
    /// The insertion strings or data items, in order.
    pub fields: Vec<String>,
    /// The part it plays: `crash`, `rapid-fail`, `recycle`, `start-failure`, ...
    pub role: String,
    pub cause: String,
    pub checks: Vec<String>,
    #[serde(default)]
    pub refs: Vec<String>,
    /// Where the values code needs sit in the event's data, so that nothing is guessed: for a
    /// key of [`TAKE_KEYS`], the alternatives tried in order, each a Data item name as the
    /// provider's manifest names it (`AppPoolID`) or a 1-based position (`#2`) for exports
    /// whose items are unnamed. Checked when the file is loaded.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub take: BTreeMap<String, Vec<String>>,
}

/// What an event entry's `take` table may name. `pool`: application pool name; `pid`: the
/// process the event is about; `exit`: process exit code; `exception`: exception or NTSTATUS
/// code; `module`: faulting module or module DLL; `app`: faulting application or application
/// name; `app_path`: IIS configuration path or physical path; `url`: request URL; `message`:
/// a whole message-style string to be read with patterns; `stdout`: captured output; `error`:
/// an error or HRESULT code item; `reason`: recycle reason or trigger; `site`: site id or name.
pub const TAKE_KEYS: &[&str] = &[
    "pool",
    "pid",
    "exit",
    "exception",
    "module",
    "app",
    "app_path",
    "url",
    "message",
    "stdout",
    "error",
    "reason",
    "site",
];

impl EventEntry {
    /// The value of `key` (one of [`TAKE_KEYS`]) in `event`: the first alternative of the
    /// entry's `take` list that the event has, trimmed; empty values and `-` count as absent.
    /// `None` when the entry does not say where the value is or the event lacks it.
    pub fn take<'e>(&self, key: &str, event: &'e Event) -> Option<&'e str> {
        debug_assert!(TAKE_KEYS.contains(&key), "`{key}` is not a take key");
        self.take.get(key)?.iter().find_map(|source| {
            let value = match take_position(source) {
                Some(n) => n.checked_sub(1).and_then(|i| event.nth(i)),
                None => event.named(source),
            }?
            .trim();
            (!value.is_empty() && value != "-").then_some(value)
        })
    }
}

/// `N` of a `#N` alternative (1-based, decimal digits only), or `None` for anything else.
fn take_position(source: &str) -> Option<usize> {
    let digits = source.strip_prefix('#')?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// Whether a `take` alternative is a Data item name: letters, digits, `_`, `-` and `.`, as
/// manifests and `UserData` element names spell them.
fn is_take_name(source: &str) -> bool {
    source
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && source
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

/// The roles an event may play, for checking data files.
pub const EVENT_ROLES: &[&str] = &[
    "crash",
    "rapid-fail",
    "recycle",
    "start-failure",
    "hang",
    "shutdown",
    "config",
    "module-load",
    "app-log",
    "certificate",
    "binding",
    "info",
];

/// A timeout with a known default, so that a cluster of time-taken values can be named.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TimeoutEntry {
    /// The default value in seconds.
    pub seconds: f64,
    /// What expired, e.g. `the ARR proxy timeout`.
    pub name: String,
    /// Where it is set, e.g. `webFarms/webFarm/applicationRequestRouting/protocol@timeout`.
    pub setting: String,
    /// The codes (`502.3`, `500.0`) whose groups this timeout explains.
    pub codes: Vec<String>,
    #[serde(default)]
    pub module: Option<String>,
    #[serde(default)]
    pub refs: Vec<String>,
    /// Which configured value replaces the default (`proxy`, `ancm-request`,
    /// `ancm-startup`, `fastcgi-request`, `fastcgi-activity`), when the configuration is read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<String>,
}

/// What is said where the knowledge base has no entry, and for traced successes. Words in
/// braces (`{name}`) are filled in by [`fill`].
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Fallback {
    pub unknown_code_cause: String,
    pub unknown_code_cause_win32: String,
    /// Said of a triple whose win32 value the knowledge base does not know: {code}, {hex},
    /// and {reading}, the code whose reading is given instead.
    pub unknown_win32: String,
    pub unknown_code_checks: Vec<String>,
    pub unknown_reason_title: String,
    pub unknown_reason_cause: String,
    pub unknown_reason_checks: Vec<String>,
    #[serde(default)]
    pub unknown_reason_refs: Vec<String>,
    pub traced_success_title: String,
    pub traced_success_cause_slow: String,
    pub traced_success_cause: String,
    /// A success traced because the rule's status codes include it (failureReason STATUS_CODE).
    pub traced_success_cause_status: String,
    pub traced_success_checks: Vec<String>,
    /// A 2xx or 3xx with win32 0 (or no win32 column) that no entry of its own explains: the
    /// status entries of 200, 206 and 304 are about connections that did not end cleanly.
    pub success_title: String,
    pub success_cause: String,
    pub success_cause_no_win32: String,
    pub success_checks: Vec<String>,
    #[serde(default)]
    pub success_refs: Vec<String>,
    /// What a trace shows, said before the explanation of its code (`iisdiag freb`).
    pub trace_error_set: String,
    pub trace_error_code_zero: String,
    pub trace_set_on_the_way: String,
    pub trace_time_taken: String,
    /// The ASP.NET Core Module's version and hosting model, as far as the trace shows them.
    pub trace_ancm_v1: String,
    pub trace_ancm_v2_out: String,
    pub trace_ancm_v2_in: String,
    pub trace_ancm_v2_unknown: String,
}

/// A fallback text with its `{name}` words replaced by values, in one pass (a value that
/// itself holds braces, such as a reason phrase from a log, is not read again).
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut text = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        text.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let word = after.find('}').map(|close| (&after[..close], close));
        match word.and_then(|(w, close)| {
            values
                .iter()
                .find(|(n, _)| *n == w)
                .map(|(_, v)| (v, close))
        }) {
            Some((value, close)) => {
                text.push_str(value);
                rest = &after[close + 1..];
            }
            None => {
                text.push('{');
                rest = after;
            }
        }
    }
    text.push_str(rest);
    text
}

/// The whole knowledge base.
#[derive(Debug, Clone, Default)]
pub struct Kb {
    codes: Vec<CodeEntry>,
    /// Code key -> indexes into `codes`, in file order (later entries override earlier ones).
    by_code: HashMap<CodeKey, Vec<usize>>,
    win32: HashMap<u64, Win32Entry>,
    reasons: HashMap<String, ReasonEntry>,
    timeouts: Vec<TimeoutEntry>,
    events: Vec<EventEntry>,
    /// (provider or alias, lower-cased; id) -> index into `events`.
    by_event: HashMap<(String, u32), usize>,
    sources: HashMap<String, String>,
    checklists: HashMap<String, Checklist>,
    fallback: Fallback,
}

/// `(status, substatus, win32)` with `None` for parts an entry leaves out.
type CodeKey = (u16, Option<u32>, Option<u64>);

/// How much of a triple an entry matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Specificity {
    Status,
    Substatus,
    Triple,
}

/// What the knowledge base says about one triple.
#[derive(Debug, Clone)]
pub struct Explanation<'kb> {
    /// The most specific entry that applies, if any.
    pub entry: Option<&'kb CodeEntry>,
    pub specificity: Option<Specificity>,
    /// The `status.substatus` (or status) entry, which names the code even when `entry` is a
    /// triple entry or missing.
    pub code_entry: Option<&'kb CodeEntry>,
    /// The win32 value on its own.
    pub win32: Option<&'kb Win32Entry>,
    /// User rules scoped to URLs that apply to this group.
    pub rules: Vec<&'kb CodeEntry>,
}

impl Kb {
    /// The knowledge base built into iisdiag.
    pub fn builtin() -> &'static Kb {
        static KB: OnceLock<Kb> = OnceLock::new();
        KB.get_or_init(|| match load::builtin() {
            Ok(kb) => kb,
            // The data files are part of the binary and tested; an error here is a build bug.
            Err(e) => panic!("the built-in knowledge base does not load: {e}"),
        })
    }

    /// The built-in knowledge base, with a user's rules file added when one is given.
    pub fn with_optional_rules(
        rules: Option<&std::path::Path>,
    ) -> Result<std::borrow::Cow<'static, Kb>, crate::Error> {
        match rules {
            Some(path) => Ok(std::borrow::Cow::Owned(Kb::builtin().with_rules(path)?)),
            None => Ok(std::borrow::Cow::Borrowed(Kb::builtin())),
        }
    }

    /// Every status code entry, in file order.
    pub fn code_entries(&self) -> &[CodeEntry] {
        &self.codes
    }

    /// Every win32 entry, ordered by code.
    pub fn win32_entries(&self) -> Vec<&Win32Entry> {
        let mut v: Vec<_> = self.win32.values().collect();
        v.sort_by_key(|e| e.code);
        v
    }

    /// Every HTTP.sys reason, ordered by name.
    pub fn reason_entries(&self) -> Vec<&ReasonEntry> {
        let mut v: Vec<_> = self.reasons.values().collect();
        v.sort_by(|a, b| a.reason.cmp(&b.reason));
        v
    }

    pub fn timeouts(&self) -> &[TimeoutEntry] {
        &self.timeouts
    }

    /// Every event entry, in file order.
    pub fn event_entries(&self) -> &[EventEntry] {
        &self.events
    }

    /// The entry for an event, by its provider (or one of the provider's aliases, in any
    /// case) and id.
    pub fn event(&self, provider: &str, id: u32) -> Option<&EventEntry> {
        self.by_event
            .get(&(provider.trim().to_lowercase(), id))
            .map(|&i| &self.events[i])
    }

    /// What is said where no entry applies.
    pub fn fallback(&self) -> &Fallback {
        &self.fallback
    }

    /// The entries for exactly this code key, later (overriding) entries last.
    fn entries_for(&self, key: CodeKey) -> impl Iterator<Item = &CodeEntry> {
        self.by_code
            .get(&key)
            .into_iter()
            .flatten()
            .map(|&i| &self.codes[i])
    }

    /// The entry for a key that fits the module evidence: a module-specific entry when the
    /// module matches (one naming the module's version, `AspNetCoreModuleV1`, before one
    /// naming the module in general), else the last general one.
    fn pick(&self, key: CodeKey, module: Option<&str>) -> Option<&CodeEntry> {
        let mut general = None;
        let mut specific: Option<(&CodeEntry, bool)> = None;
        for e in self.entries_for(key).filter(|e| e.url.is_none()) {
            match (&e.module, module) {
                (None, _) => general = Some(e),
                (Some(want), Some(have)) if module_matches(want, have) => {
                    let versioned = names_a_version(want);
                    if specific.is_none_or(|(_, was)| versioned || !was) {
                        specific = Some((e, versioned));
                    }
                }
                _ => {}
            }
        }
        specific.map(|(e, _)| e).or(general)
    }

    /// Every module that has entries of its own for `code` (its status, substatus and
    /// triple entries), in file order, each once.
    pub fn modules_for_code(&self, code: &crate::triple::Code) -> Vec<&str> {
        let keys = [
            (code.status, code.substatus, code.win32),
            (code.status, code.substatus, None),
            (code.status, None, None),
        ];
        let mut modules: Vec<&str> = Vec::new();
        for key in keys {
            for m in self.entries_for(key).filter_map(|e| e.module.as_deref()) {
                if !modules.iter().any(|k| k.eq_ignore_ascii_case(m)) {
                    modules.push(m);
                }
            }
        }
        modules
    }

    /// Explains a triple: the most specific entry first (exact triple, then status.substatus,
    /// then status), plus the win32 value on its own. `module` is the module that set the
    /// error, when FREB evidence names one; `urls` are the group's URLs, for URL-scoped rules.
    pub fn explain<'a>(
        &'a self,
        triple: &Triple,
        module: Option<&str>,
        urls: &[&str],
    ) -> Explanation<'a> {
        let s = triple.status;
        let mut entry = None;
        let mut specificity = None;
        if let (Some(sub), Some(w)) = (triple.substatus, triple.win32) {
            entry = self.pick((s, Some(sub), Some(w)), module);
            specificity = entry.map(|_| Specificity::Triple);
        }
        let sub_entry = triple
            .substatus
            .and_then(|sub| self.pick((s, Some(sub), None), module));
        let status_entry = self.pick((s, None, None), module);
        if entry.is_none() {
            if let Some(e) = sub_entry {
                entry = Some(e);
                specificity = Some(Specificity::Substatus);
            } else if let Some(e) = status_entry {
                entry = Some(e);
                specificity = Some(Specificity::Status);
            }
        }
        let rules = self.url_rules(triple, urls);
        Explanation {
            entry,
            specificity,
            code_entry: sub_entry.or(status_entry),
            win32: triple.win32.and_then(|w| self.win32(w)),
            rules,
        }
    }

    fn url_rules<'a>(&'a self, triple: &Triple, urls: &[&str]) -> Vec<&'a CodeEntry> {
        let keys = [
            (triple.status, triple.substatus, triple.win32),
            (triple.status, triple.substatus, None),
            (triple.status, None, None),
        ];
        let mut out = Vec::new();
        for key in keys {
            if key.1.is_none() && key.2.is_some() {
                continue;
            }
            for e in self.entries_for(key) {
                let Some(pattern) = &e.url else { continue };
                let hit = regex::Regex::new(pattern)
                    .map(|re| urls.iter().any(|u| re.is_match(u)))
                    .unwrap_or(false);
                if hit && !out.contains(&e) {
                    out.push(e);
                }
            }
        }
        out
    }

    /// What a win32 / HRESULT value means on its own. A facility-7 HRESULT decodes to its
    /// Win32 code; other values are looked up as they are.
    pub fn win32(&self, value: u64) -> Option<&Win32Entry> {
        self.win32
            .get(&value)
            .or_else(|| hresult::win32_of(value).and_then(|w| self.win32.get(&w)))
    }

    /// Every entry for a code as written (general and module-specific), in file order.
    pub fn entries_for_code(&self, code: &crate::triple::Code) -> Vec<&CodeEntry> {
        self.entries_for((code.status, code.substatus, code.win32))
            .collect()
    }

    /// A win32 entry by its symbolic name, case-insensitively.
    pub fn win32_by_name(&self, name: &str) -> Option<&Win32Entry> {
        self.win32
            .values()
            .find(|e| e.name.eq_ignore_ascii_case(name))
    }

    /// An HTTP.sys reason phrase, case-insensitively.
    pub fn reason(&self, reason: &str) -> Option<&ReasonEntry> {
        self.reasons.get(&reason.to_ascii_lowercase())
    }

    /// The URL of a source id; a URL is returned as it is.
    pub fn source_url<'a>(&'a self, reference: &'a str) -> &'a str {
        self.sources
            .get(reference)
            .map_or(reference, String::as_str)
    }

    /// All source ids and their URLs.
    pub fn sources(&self) -> &HashMap<String, String> {
        &self.sources
    }
}

/// Whether the module that set an error (`have`, from FREB) is the one an entry names
/// (`want`): the same name, or the name with a version suffix (`AspNetCoreModuleV2`).
/// `CgiModule` does not match `FastCgiModule`. An entry for `AspNetCoreModuleV1` matches
/// the first version's own name, `AspNetCoreModule`, which carries no suffix.
pub fn module_matches(want: &str, have: &str) -> bool {
    let (want, have) = (want.trim(), have.trim());
    if module_is_exactly(want, have) {
        return true;
    }
    match (have.get(..want.len()), have.get(want.len()..)) {
        (Some(head), Some(tail)) if head.eq_ignore_ascii_case(want) => {
            let digits = tail.strip_prefix(['V', 'v']).unwrap_or("");
            !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
        }
        _ => false,
    }
}

/// Whether an entry's module (`want`) names exactly the module and version that set the
/// error (`have`): the same name, or `...V1` for the first version's unsuffixed name.
fn module_is_exactly(want: &str, have: &str) -> bool {
    have.eq_ignore_ascii_case(want)
        || want
            .strip_suffix("V1")
            .or_else(|| want.strip_suffix("v1"))
            .is_some_and(|base| have.eq_ignore_ascii_case(base))
}

/// Whether an entry's module names one version of a module: `AspNetCoreModuleV2`, not
/// `AspNetCoreModule` (which an entry uses for every version).
fn names_a_version(want: &str) -> bool {
    let digits = want.trim_end_matches(|c: char| c.is_ascii_digit());
    digits.len() < want.len() && digits.ends_with(['V', 'v'])
}

/// Short names people give modules, and the module name IIS logs (FREB `ModuleName`).
/// `ANCM` is either version, `ANCMV1` the first (out-of-process only), `ANCMV2` the second.
const MODULE_ALIASES: &[(&str, &str)] = &[
    ("arr", "ApplicationRequestRouting"),
    ("ancm", "AspNetCoreModule"),
    ("ancmv1", "AspNetCoreModuleV1"),
    ("ancmv2", "AspNetCoreModuleV2"),
    ("aspnetcore", "AspNetCoreModule"),
    ("fastcgi", "FastCgiModule"),
    ("php", "FastCgiModule"),
    ("rewrite", "RewriteModule"),
    ("urlrewrite", "RewriteModule"),
    ("webdav", "WebDAVModule"),
    ("staticfile", "StaticFileModule"),
    ("requestfiltering", "RequestFilteringModule"),
    ("isapi", "IsapiModule"),
    ("iisnode", "iisnode"),
    ("httpplatformhandler", "httpPlatformHandler"),
    ("windowsauthentication", "WindowsAuthenticationModule"),
    ("anonymousauthentication", "AnonymousAuthenticationModule"),
    ("managedpipelinehandler", "ManagedPipelineHandler"),
    ("aspnet", "ManagedPipelineHandler"),
];

/// The module name IIS logs for what a person typed: `ARR`, `ANCM V2`, `fastcgi`, or a
/// module name as it is (`AspNetCoreModuleV2`). Spaces, dashes and case do not matter.
pub fn module_name(typed: &str) -> String {
    let key: String = typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-' && *c != '_')
        .collect::<String>()
        .to_ascii_lowercase();
    MODULE_ALIASES
        .iter()
        .find(|(alias, _)| *alias == key)
        .map_or_else(|| typed.trim().to_string(), |(_, name)| (*name).to_string())
}

/// The generic meaning of an HTTP status class, for codes the knowledge base has no entry for.
pub fn status_class_title(status: u16) -> String {
    format!("HTTP {status}: {}", status_class(status))
}

/// The name of a status's class: `success`, `redirection`, `client error`...
pub fn status_class(status: u16) -> &'static str {
    match status {
        100..=199 => "informational response",
        200..=299 => "success",
        300..=399 => "redirection",
        400..=499 => "client error",
        500..=599 => "server error",
        _ => "non-HTTP status (FTP or a custom module)",
    }
}

#[cfg(test)]
mod tests;
