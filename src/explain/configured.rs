//! The configured values that replace the knowledge base's default timeouts: each with the
//! setting's name, the file and line that set it and where it applies (a webFarm, a
//! `<location path>`, a FastCGI application), so a timing signature can name them.

use serde::Serialize;

use super::scope::{self, Target};
use super::settings::Setting;
use crate::input::config::AspNetCore;
use crate::summary::config::{ConfigSummary, Sourced};

/// A timeout a configuration file sets.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Configured {
    /// The setting, e.g. `webFarms/webFarm/applicationRequestRouting/protocol@timeout`.
    pub setting: String,
    pub value_s: u64,
    pub file: String,
    pub line: u64,
    /// Where it applies: `webFarm 'api'`, `location 'Shop/api'`, a FastCGI application.
    pub scope: Option<String>,
    /// Whether the cluster sits at this value.
    pub matches: bool,
    /// `false` where the setting has no effect (ANCM's requestTimeout in-process).
    pub in_effect: bool,
    /// Written as an IIS timespan (`00:02:00`) rather than in seconds.
    #[serde(skip)]
    pub timespan: bool,
}

impl Configured {
    /// `... = 00:02:00 (120 s) in applicationHost.config line 812 (webFarm 'api')`: the
    /// setting as every other configured value is written.
    pub fn describe(&self) -> String {
        let value = if self.timespan {
            format!("{} ({} s)", timespan(self.value_s), self.value_s)
        } else {
            format!("{} s", self.value_s)
        };
        Setting::configured(&self.setting, value, &self.file, self.line)
            .with_scope(self.scope.clone())
            .describe()
    }
}

pub(super) fn timespan(s: u64) -> String {
    let (d, h, m, s) = (s / 86_400, s / 3600 % 24, s / 60 % 60, s % 60);
    if d > 0 {
        format!("{d}.{h:02}:{m:02}:{s:02}")
    } else {
        format!("{h:02}:{m:02}:{s:02}")
    }
}

/// The knowledge base's `config` keys this module reads values for.
pub const KEYS: [&str; 6] = [
    "proxy",
    "ancm-request",
    "ancm-startup",
    "fastcgi-request",
    "fastcgi-activity",
    "execution",
];

/// The values the configuration sets for a knowledge-base `config` key that are in force for
/// the target (see [`scope::in_force`]): webFarms and FastCGI applications are set at server
/// level and all kept; the rest by `<location>` and web.config.
pub fn values(config: &ConfigSummary, key: &str, target: &Target) -> Vec<Configured> {
    match key {
        "proxy" => {
            let farms = config.proxy_timeouts.iter().filter_map(|p| {
                let farm = p.item.farm.as_deref()?;
                Some(base(
                    "webFarms/webFarm/applicationRequestRouting/protocol@timeout",
                    p.item.timeout_s,
                    &p.file,
                    p.item.line,
                    Some(format!("webFarm '{farm}'")),
                ))
            });
            let no_farm = config
                .proxy_timeouts
                .iter()
                .filter(|p| p.item.farm.is_none());
            let proxies = scope::in_force(config, target, no_farm, |p| p.location.as_deref());
            let proxies = proxies.into_iter().map(|(p, at)| {
                let setting = "system.webServer/proxy@timeout";
                base(setting, p.item.timeout_s, &p.file, p.item.line, at.text)
            });
            let mut all: Vec<Configured> = farms.chain(proxies).collect();
            all.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
            all
        }
        "execution" => {
            let set = config.execution_timeouts.iter();
            scope::in_force(config, target, set, |e| e.location.as_deref())
                .into_iter()
                .map(|(e, at)| {
                    let setting = "system.web/httpRuntime@executionTimeout";
                    // ASP.NET writes it in seconds.
                    Configured {
                        timespan: false,
                        ..base(setting, e.item.timeout_s, &e.file, e.item.line, at.text)
                    }
                })
                .collect()
        }
        "ancm-request" | "ancm-startup" => {
            let request = key == "ancm-request";
            let set = config.asp_net_core.iter().filter(move |a| {
                let v = match request {
                    true => a.item.request_timeout_s,
                    false => a.item.startup_time_limit_s,
                };
                v.is_some()
            });
            scope::in_force(config, target, set, |a| a.location.as_deref())
                .into_iter()
                .filter_map(|(a, at)| ancm(a, at.text, request))
                .collect()
        }
        "fastcgi-request" | "fastcgi-activity" => config
            .fast_cgi
            .iter()
            .filter_map(|f| {
                let (setting, value) = if key == "fastcgi-request" {
                    (
                        "fastCgi/application@requestTimeout",
                        f.item.request_timeout_s?,
                    )
                } else {
                    (
                        "fastCgi/application@activityTimeout",
                        f.item.activity_timeout_s?,
                    )
                };
                let scope = Some(format!("FastCGI application '{}'", f.item.full_path));
                Some(Configured {
                    timespan: false,
                    ..base(setting, value, &f.file, f.item.line, scope)
                })
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// A timeout set in `file` at `line`, written as an IIS timespan, in effect.
fn base(setting: &str, value_s: u64, file: &str, line: u64, scope: Option<String>) -> Configured {
    Configured {
        setting: setting.to_string(),
        value_s,
        file: file.to_string(),
        line,
        scope,
        matches: false,
        in_effect: true,
        timespan: true,
    }
}

/// An `<aspNetCore>` element's requestTimeout (`request`) or startupTimeLimit; requestTimeout
/// has no effect in-process.
fn ancm(a: &Sourced<AspNetCore>, scope: Option<String>, request: bool) -> Option<Configured> {
    let (setting, value, timespan) = if request {
        ("aspNetCore@requestTimeout", a.item.request_timeout_s?, true)
    } else {
        (
            "aspNetCore@startupTimeLimit",
            a.item.startup_time_limit_s?,
            false,
        )
    };
    let in_process = a
        .item
        .hosting_model
        .as_deref()
        .is_some_and(|h| h.trim().eq_ignore_ascii_case("inprocess"));
    Some(Configured {
        in_effect: !(request && in_process),
        timespan,
        ..base(setting, value, &a.file, a.item.line, scope)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A key misspelt in timeouts.toml would silently keep the default.
    #[test]
    fn every_config_key_of_the_knowledge_base_is_read() {
        let keys: Vec<&str> = crate::kb::Kb::builtin()
            .timeouts()
            .iter()
            .filter_map(|t| t.config.as_deref())
            .collect();
        assert!(keys.len() >= KEYS.len());
        for key in keys {
            assert!(
                KEYS.contains(&key),
                "timeouts.toml: unknown config key {key:?}"
            );
        }
    }

    #[test]
    fn timespans_are_written_as_iis_writes_them() {
        assert_eq!(timespan(120), "00:02:00");
        assert_eq!(timespan(45), "00:00:45");
        assert_eq!(timespan(90_061), "1.01:01:01");
    }
}
