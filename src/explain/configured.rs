//! The configured values that replace the knowledge base's default timeouts: each with the
//! setting's name, the file and line that set it and where it applies (a webFarm, a
//! `<location path>`, a FastCGI application), so a timing signature can name them.

use serde::Serialize;

use crate::summary::config::ConfigSummary;

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
    /// `00:02:00 (120 s) in applicationHost.config line 812 (webFarm 'api')`.
    pub fn describe(&self) -> String {
        let value = if self.timespan {
            format!("{} ({} s)", timespan(self.value_s), self.value_s)
        } else {
            format!("{} s", self.value_s)
        };
        let scope = self
            .scope
            .as_deref()
            .map(|s| format!(" ({s})"))
            .unwrap_or_default();
        format!(
            "{} = {value} in {} line {}{scope}",
            self.setting, self.file, self.line
        )
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

fn location(path: Option<&str>) -> Option<String> {
    path.filter(|p| !p.is_empty())
        .map(|p| format!("location '{p}'"))
}

/// The knowledge base's `config` keys this module reads values for.
pub const KEYS: [&str; 5] = [
    "proxy",
    "ancm-request",
    "ancm-startup",
    "fastcgi-request",
    "fastcgi-activity",
];

/// The values the configuration sets for a knowledge-base `config` key, in file and line
/// order.
pub fn values(config: &ConfigSummary, key: &str) -> Vec<Configured> {
    let base = |setting: &str, value_s, file: &str, line, scope| Configured {
        setting: setting.to_string(),
        value_s,
        file: file.to_string(),
        line,
        scope,
        matches: false,
        in_effect: true,
        timespan: true,
    };
    match key {
        "proxy" => config
            .proxy_timeouts
            .iter()
            .map(|p| {
                let (setting, scope) = match &p.item.farm {
                    Some(farm) => (
                        "webFarms/webFarm/applicationRequestRouting/protocol@timeout",
                        Some(format!("webFarm '{farm}'")),
                    ),
                    None => (
                        "system.webServer/proxy@timeout",
                        location(p.item.location.as_deref()),
                    ),
                };
                base(setting, p.item.timeout_s, &p.file, p.item.line, scope)
            })
            .collect(),
        "ancm-request" | "ancm-startup" => config
            .asp_net_core
            .iter()
            .filter_map(|a| {
                let scope = location(a.item.location.as_deref());
                let (setting, value, timespan) = if key == "ancm-request" {
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
                    in_effect: !(key == "ancm-request" && in_process),
                    timespan,
                    ..base(setting, value, &a.file, a.item.line, scope)
                })
            })
            .collect(),
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
