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

/// A configured value with its file, line and scope.
fn configured<T>(
    setting: &str,
    value: u64,
    at: &Sourced<T>,
    line: u64,
    scope: scope::Scope,
) -> Setting {
    Setting::configured(setting, value.to_string(), &at.file, line).with_scope(scope.text)
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
    let in_force = scope::in_force(config, target, set, |l| l.location.as_deref());
    let measured = limit
        .measured
        .and_then(|(what, of)| Some((what, of(group?)?)));
    let evidence = |value: u64, is_default: bool| {
        let (what, longest) = measured?;
        Some(compare(what, longest, value, is_default))
    };
    if in_force.is_empty() {
        let s = Setting::default(limit.setting, limit.default.to_string());
        return vec![s.with_evidence(evidence(limit.default, true))];
    }
    in_force
        .into_iter()
        .filter_map(|(l, scope)| {
            let value = (limit.get)(&l.item)?;
            let s = configured(limit.setting, value, l, l.item.line, scope);
            Some(s.with_evidence(evidence(value, false)))
        })
        .collect()
}

/// What the group's longest stem or query says of the limit in force.
fn compare(what: &str, longest: u64, limit: u64, is_default: bool) -> String {
    let head = format!("the longest {what} in this group is {longest} bytes");
    if longest > limit {
        return format!("{head}, over the {limit} limit");
    }
    let which = if is_default { "default" } else { "configured" };
    format!(
        "{head}, shorter than the {which} {limit}: another limit, e.g. HTTP.sys MaxFieldLength \
         or a <location> lower down, applies"
    )
}

fn concurrent_limit(config: &ConfigSummary, target: &Target) -> Vec<Setting> {
    let set = config.concurrent_limits.iter();
    let in_force = scope::in_force(config, target, set, |l| l.location.as_deref());
    if in_force.is_empty() {
        return vec![Setting::default(CONCURRENT, "5000".into())];
    }
    in_force
        .into_iter()
        .map(|(l, scope)| configured(CONCURRENT, l.item.limit, l, l.item.line, scope))
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
