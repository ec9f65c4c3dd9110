//! The limits a group's code says were hit, with the value in force for the group: a
//! request-filtering limit for 404.13-404.15, the concurrent request limit for 503.2, the
//! FastCGI application's queue and process settings for 503.4 and the FastCgiModule's 500.0.
//! Each is the value the configuration read sets where it applies to the group's sites and
//! URLs ([`scope::in_force`]), else IIS's default; next to maxUrl and maxQueryString, the
//! longest stem or query the group logged says whether that limit is the one hit.

use super::scope::{self, Target};
use super::settings::Setting;
use crate::summary::config::{ConfigSummary, Sourced};
use crate::summary::w3c::Group;
use crate::triple::Triple;

/// The W3C field a limit is measured on (`query string`) and the group's longest value of it.
type Measure = (&'static str, fn(&Group) -> Option<u64>);

/// One `requestLimits` attribute: its setting, IIS's default, how to read it from an element
/// and what the logs measure against it.
struct Limit {
    setting: &'static str,
    default: u64,
    get: fn(&crate::input::config::RequestLimits) -> Option<u64>,
    /// `query string`, `URL stem`: the W3C field the group's longest value is of.
    measured: Option<Measure>,
}

const CONTENT_LENGTH: Limit = Limit {
    setting: "system.webServer/security/requestFiltering/requestLimits@maxAllowedContentLength",
    default: 30_000_000,
    get: |l| l.max_allowed_content_length,
    measured: None,
};

const URL: Limit = Limit {
    setting: "system.webServer/security/requestFiltering/requestLimits@maxUrl",
    default: 4096,
    get: |l| l.max_url,
    measured: Some(("URL stem", |g| g.uri_stem_max)),
};

const QUERY: Limit = Limit {
    setting: "system.webServer/security/requestFiltering/requestLimits@maxQueryString",
    default: 2048,
    get: |l| l.max_query_string,
    measured: Some(("query string", |g| g.uri_query_max)),
};

const CONCURRENT: &str = "system.webServer/serverRuntime@appConcurrentRequestLimit";

/// The settings in force for a group with this code and, when known, the module that set it;
/// `group` is `None` for a group made from traces or pages alone (no lengths measured).
pub fn settings(
    config: &ConfigSummary,
    target: &Target,
    triple: &Triple,
    module: Option<&str>,
    group: Option<&Group>,
) -> Vec<Setting> {
    let fastcgi = module.is_some_and(|m| m.to_ascii_lowercase().contains("fastcgi"));
    match (triple.status, triple.substatus) {
        (404, Some(13)) => request_limit(config, target, &CONTENT_LENGTH, group),
        (404, Some(14)) => request_limit(config, target, &URL, group),
        (404, Some(15)) => request_limit(config, target, &QUERY, group),
        (503, Some(2)) => concurrent_limit(config, target),
        (503, Some(4)) => fast_cgi(config, &[QUEUE_LENGTH, MAX_INSTANCES]),
        (500, Some(0)) if fastcgi => fast_cgi(config, &[QUEUE_LENGTH, MAX_INSTANCES, IDLE]),
        _ => Vec::new(),
    }
}

fn request_limit(
    config: &ConfigSummary,
    target: &Target,
    limit: &Limit,
    group: Option<&Group>,
) -> Vec<Setting> {
    let set = config
        .request_limits
        .iter()
        .filter(|l| (limit.get)(&l.item).is_some());
    let named = named_per_site(config, target, set, limit.setting, limit.default, |l| {
        (limit.get)(l).map(|v| (v, l.line))
    });
    let measured = limit
        .measured
        .and_then(|(what, of)| Some((what, of(group?)?)));
    let alone = named.len() == 1;
    named
        .into_iter()
        .map(|(s, value)| {
            let evidence = measured
                .and_then(|(what, longest)| compare(what, longest, value, s.file.is_none(), alone));
            s.with_evidence(evidence)
        })
        .collect()
}

/// The value in force on each of the target's sites, with the value in bytes: a configured
/// one once however many sites it serves, the default once per site that has none (named in
/// its scope when the group has several sites).
fn named_per_site<'a, T>(
    config: &ConfigSummary,
    target: &Target,
    set: impl IntoIterator<Item = &'a Sourced<T>> + Clone,
    setting: &str,
    default: u64,
    value: impl Fn(&T) -> Option<(u64, u64)>,
) -> Vec<(Setting, u64)>
where
    T: HasLocation + 'a,
{
    let sites = scope::per_site(config, target, set, |l| l.location());
    // Sites are told apart only when a value is configured for one of them.
    let several = sites.len() > 1 && sites.iter().any(|(_, w)| w.is_some());
    if !several && sites.iter().all(|(_, w)| w.is_none()) {
        return vec![(Setting::default(setting, default.to_string()), default)];
    }
    let mut out: Vec<(Setting, u64)> = Vec::new();
    let mut seen: Vec<*const Sourced<T>> = Vec::new();
    for (site, winner) in sites {
        match winner.and_then(|(l, at)| Some((l, at, value(&l.item)?))) {
            Some((l, at, (v, line))) => {
                if !seen.contains(&(l as *const _)) {
                    seen.push(l);
                    let s = Setting::configured(setting, v.to_string(), &l.file, line);
                    out.push((s.with_scope(at.text), v));
                }
            }
            None => {
                let scope = site.filter(|_| several).map(|s| format!("site '{s}'"));
                let s = Setting::default(setting, default.to_string()).with_scope(scope);
                out.push((s, default));
            }
        }
    }
    out
}

/// A configured element's `<location path>`.
trait HasLocation {
    fn location(&self) -> Option<&str>;
}

impl HasLocation for crate::input::config::RequestLimits {
    fn location(&self) -> Option<&str> {
        self.location.as_deref()
    }
}

impl HasLocation for crate::input::config::ConcurrentLimit {
    fn location(&self) -> Option<&str> {
        self.location.as_deref()
    }
}

/// What the group's longest stem or query says of the limit in force; that it is under the
/// limit is said only of a group with one limit (its longest may be another site's).
fn compare(what: &str, longest: u64, limit: u64, is_default: bool, alone: bool) -> Option<String> {
    let head = format!("the longest {what} in this group is {longest} bytes");
    if longest > limit {
        return Some(format!("{head}, over the {limit} limit"));
    }
    let which = if is_default { "default" } else { "configured" };
    alone.then(|| {
        format!(
            "{head}, shorter than the {which} {limit}: another limit, e.g. HTTP.sys \
             MaxFieldLength or a <location> lower down, applies"
        )
    })
}

fn concurrent_limit(config: &ConfigSummary, target: &Target) -> Vec<Setting> {
    let set = config.concurrent_limits.iter();
    named_per_site(config, target, set, CONCURRENT, 5000, |l| {
        Some((l.limit, l.line))
    })
    .into_iter()
    .map(|(s, _)| s)
    .collect()
}

/// One FastCGI application attribute: its setting, IIS's default and how to read it.
struct FastCgiSetting {
    setting: &'static str,
    default: &'static str,
    /// Why the default reads as it does, when that needs saying.
    default_note: Option<&'static str>,
    get: fn(&crate::input::config::FastCgiApp) -> Option<u64>,
}

const QUEUE_LENGTH: FastCgiSetting = FastCgiSetting {
    setting: "system.webServer/fastCgi/application@queueLength",
    default: "1000",
    default_note: None,
    get: |f| f.queue_length.map(u64::from),
};

const MAX_INSTANCES: FastCgiSetting = FastCgiSetting {
    setting: "system.webServer/fastCgi/application@maxInstances",
    default: "0",
    default_note: Some(
        "0 lets IIS choose the number of processes from the CPU and memory load (IIS 8.0 and \
         later; the default was 4 before)",
    ),
    get: |f| f.max_instances.map(u64::from),
};

const IDLE: FastCgiSetting = FastCgiSetting {
    setting: "system.webServer/fastCgi/application@idleTimeout",
    default: "300",
    default_note: None,
    get: |f| f.idle_timeout_s,
};

/// Each FastCGI application's value of each setting (FastCGI is configured at server level
/// only, and which application a handler uses is not read), IIS's default where it sets none.
fn fast_cgi(config: &ConfigSummary, wanted: &[FastCgiSetting]) -> Vec<Setting> {
    let default = |want: &FastCgiSetting, scope: Option<String>| {
        let note = want.default_note.map(str::to_string);
        Setting::default(want.setting, want.default.into())
            .with_scope(scope)
            .with_evidence(note)
    };
    let mut out = Vec::new();
    for want in wanted {
        if config.fast_cgi.is_empty() {
            out.push(default(want, None));
        }
        for f in &config.fast_cgi {
            let scope = Some(format!("FastCGI application '{}'", f.item.full_path));
            out.push(match (want.get)(&f.item) {
                Some(v) => Setting::configured(want.setting, v.to_string(), &f.file, f.item.line)
                    .with_scope(scope),
                None => default(want, scope),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests;
