//! The configuration values an explanation names: the value a file read sets, with the file,
//! line and scope that set it, or IIS's default when no configuration read that applies sets
//! it. A group's `settings` say which limits and pool settings were in force, and what the evidence says
//! against them.

use serde::Serialize;

/// Where a setting's value comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// A configuration file read sets it.
    Configured,
    /// No configuration read that applies to the group sets it: IIS's default applies (or
    /// would, were the file seen).
    Default,
}

/// One setting and its value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Setting {
    /// `system.webServer/security/requestFiltering/requestLimits@maxQueryString`.
    pub setting: String,
    /// As the file writes it (`00:05:00`, `2048`), or IIS's default written the same way.
    pub value: String,
    pub source: Source,
    /// The file that sets it; `null` for a default.
    pub file: Option<String>,
    /// 1-based line of the element that sets it; `null` for a default.
    pub line: Option<u64>,
    /// Where it applies: `pool 'Shop'`, `location 'Shop/api'`, `webFarm 'api'`.
    pub scope: Option<String>,
    /// What the group's evidence says next to it, one sentence, else `null`.
    pub evidence: Option<String>,
}

impl Setting {
    /// A value a configuration file sets.
    pub fn configured(setting: &str, value: String, file: &str, line: u64) -> Setting {
        Setting {
            setting: setting.to_string(),
            value,
            source: Source::Configured,
            file: Some(file.to_string()),
            line: Some(line),
            scope: None,
            evidence: None,
        }
    }

    /// IIS's default, where no configuration read that applies sets the value.
    pub fn default(setting: &str, value: String) -> Setting {
        Setting {
            setting: setting.to_string(),
            value,
            source: Source::Default,
            file: None,
            line: None,
            scope: None,
            evidence: None,
        }
    }

    pub fn with_scope(mut self, scope: Option<String>) -> Setting {
        self.scope = scope;
        self
    }

    pub fn with_evidence(mut self, evidence: Option<String>) -> Setting {
        self.evidence = evidence;
        self
    }

    /// `requestLimits@maxQueryString = 1024 in web.config line 12 (location 'Shop'); the
    /// longest query string of the group is 1512 bytes`, or `... = 2048 (IIS's default:
    /// not set in any configuration that applies here)`.
    pub fn describe(&self) -> String {
        let scope = self
            .scope
            .as_deref()
            .map(|s| format!(" ({s})"))
            .unwrap_or_default();
        let place = match (&self.source, &self.file) {
            (Source::Configured, Some(file)) => {
                let line = self.line.map(|l| format!(" line {l}")).unwrap_or_default();
                format!(" in {file}{line}{scope}")
            }
            _ => format!("{scope} (IIS's default: not set in any configuration that applies here)"),
        };
        let evidence = self
            .evidence
            .as_deref()
            .map(|e| format!("; {e}"))
            .unwrap_or_default();
        format!("{} = {}{place}{evidence}", self.setting, self.value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_configured_value_names_its_file_line_and_scope() {
        let s = Setting::configured(
            "requestLimits@maxQueryString",
            "1024".into(),
            "web.config",
            12,
        )
        .with_scope(Some("location 'Shop'".into()))
        .with_evidence(Some(
            "the longest query string of the group is 1512 bytes".into(),
        ));
        assert_eq!(
            s.describe(),
            "requestLimits@maxQueryString = 1024 in web.config line 12 (location 'Shop'); the longest query string of the group is 1512 bytes"
        );
    }

    #[test]
    fn a_default_says_no_file_sets_it() {
        let s = Setting::default("applicationPools/add@queueLength", "1000".into())
            .with_scope(Some("pool 'Shop'".into()));
        assert_eq!(
            s.describe(),
            "applicationPools/add@queueLength = 1000 (pool 'Shop') (IIS's default: not set in any configuration that applies here)"
        );
    }
}
