//! Configuration lint findings as evidence for the failure groups they explain: the lint of
//! every configuration file a scan read (kept per file in the summary) is finished here, where
//! every file of the run is known, and each finding joins the groups whose error it causes.

use crate::explain::{GroupReport, Report};
use crate::hresult;
use crate::input::config::lint::Severity;
use crate::input::config::lint::{self, Finding, Rule};
use crate::summary::config::ConfigSummary;

use super::sites::plural;

/// Every finding of the configuration, the findings across files included.
pub fn findings(config: &ConfigSummary) -> Vec<Finding> {
    if config.lint.is_empty() {
        return Vec::new();
    }
    let mut files = config.lint.clone();
    lint::lint_all(&mut files)
}

/// Whether the finding's HRESULT is the group's win32 value, in either form: W3C logs write
/// the Win32 code (33), FREB the whole HRESULT (0x80070021).
fn same_error(finding: Option<&str>, win32: u64) -> bool {
    let Some(value) = finding.and_then(hresult::parse) else {
        return false;
    };
    value == win32 || hresult::win32_of(value) == Some(hresult::as_win32_status(win32))
}

/// Whether the finding causes the group's error: a 500.19 by its HRESULT (every 500.19
/// finding when the group has no win32 value), a 500.21 by a module not installed or of the
/// wrong version, a 500.34/500.35 by hosting models, and a missing stdout folder for the
/// ASP.NET Core Module's start failures, whose story the stdout log would have told.
pub fn explains(f: &Finding, status: u16, substatus: Option<u32>, win32: Option<u64>) -> bool {
    match (status, substatus) {
        (500, Some(19)) => {
            f.status == "500.19" && win32.is_none_or(|w| same_error(f.hresult.as_deref(), w))
        }
        (500, Some(21)) => matches!(f.rule, Rule::ModuleNotInstalled | Rule::AncmVersion),
        (500, Some(sub @ (34 | 35))) => {
            f.rule == Rule::HostingModelMixed && f.status == format!("500.{sub}")
        }
        (500, Some(30..=38)) | (502, Some(5)) => f.rule == Rule::StdoutFolderMissing,
        _ => false,
    }
}

/// Gives each group the findings that explain it.
pub fn join(groups: &mut [GroupReport], config: &ConfigSummary) {
    let all = findings(config);
    if all.is_empty() {
        return;
    }
    for g in groups {
        g.config_findings = all
            .iter()
            .filter(|f| explains(f, g.status, g.substatus, g.win32))
            .cloned()
            .collect();
    }
}

/// Adds the configuration paragraph's count of the lint's findings over every configuration
/// file read, and how many of them explain a failure group of this run.
pub fn count(report: &mut Report, config: &ConfigSummary) {
    let all = findings(config);
    let Some(paragraph) = report.config.as_mut() else {
        return;
    };
    if config.lint.is_empty() {
        return;
    }
    let errors = all.iter().filter(|f| f.severity == Severity::Error).count();
    let warnings = all.len() - errors;
    let explaining = all
        .iter()
        .filter(|f| report.groups.iter().any(|g| g.config_findings.contains(f)))
        .count();
    let files = plural(
        config.lint.len(),
        "configuration file",
        "configuration files",
    );
    let line = if all.is_empty() {
        format!("Lint of {files}: no finding.")
    } else {
        let explain = match explaining {
            0 => "none explains a failure group of this run".to_string(),
            n => format!("{} a failure group below", plural(n, "explains", "explain")),
        };
        format!(
            "Lint of {files}: {}, {}; {explain}; `iisdiag config` lists them all.",
            plural(errors, "error", "errors"),
            plural(warnings, "warning", "warnings"),
        )
    };
    paragraph.text.push(line);
}

/// One line for a report: `web.config line 28: <fastCgi> is allowed only ...; fix: ...`.
/// Not guarded: each writer passes it through the guard of its medium.
pub fn describe(f: &Finding) -> String {
    format!("{} line {}: {}; fix: {}", f.file, f.line, f.problem, f.fix)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::config::lint::lint_bytes;

    fn finding(rule: Rule, status: &str, hresult: Option<&str>) -> Finding {
        Finding {
            rule,
            severity: rule.severity(),
            file: "web.config".into(),
            line: 1,
            element: String::new(),
            problem: String::new(),
            status: status.into(),
            hresult: hresult.map(str::to_string),
            fix: String::new(),
        }
    }

    #[test]
    fn findings_explain_the_groups_of_the_error_they_cause() {
        let locked = finding(Rule::LockedSection, "500.19", Some("0x80070021"));
        let malformed = finding(Rule::MalformedXml, "500.19", Some("0x8007000d"));
        let module = finding(Rule::ModuleNotInstalled, "500.19", Some("0x8007000d"));
        let mixed = finding(Rule::HostingModelMixed, "500.34", None);
        let stdout = finding(Rule::StdoutFolderMissing, "none", None);
        for (f, status, sub, win32, want) in [
            (&locked, 500, Some(19), Some(33), true),
            (&locked, 500, Some(19), Some(0x8007_0021), true),
            (&locked, 500, Some(19), None, true),
            (&locked, 500, Some(19), Some(13), false),
            (&malformed, 500, Some(19), Some(2_147_942_413), true),
            (&malformed, 500, Some(19), Some(183), false),
            (&module, 500, Some(21), Some(0), true),
            (&module, 500, Some(19), Some(13), true),
            (&locked, 500, Some(21), None, false),
            (&mixed, 500, Some(34), None, true),
            (&mixed, 500, Some(35), None, false),
            (&stdout, 500, Some(30), Some(0), true),
            (&stdout, 502, Some(5), None, true),
            (&stdout, 500, Some(0), None, false),
            (&locked, 403, Some(19), Some(33), false),
        ] {
            assert_eq!(
                explains(f, status, sub, win32),
                want,
                "{:?} for {status}.{sub:?}.{win32:?}",
                f.rule
            );
        }
    }

    /// A saved summary carries what the findings across files need, and one saved before the
    /// lint existed still loads.
    #[test]
    fn the_lint_survives_a_saved_summary_and_older_ones_load() {
        let host = "<configuration><configSections><sectionGroup name=\"system.webServer\">\
                    <section name=\"asp\" overrideModeDefault=\"Deny\"/></sectionGroup>\
                    </configSections></configuration>";
        let web = "<configuration><system.webServer>\n<asp/>\n</system.webServer></configuration>";
        let mut config = ConfigSummary::default();
        config.add_lint(lint_bytes("applicationHost.config", host.as_bytes()));
        config.add_lint(lint_bytes("site/web.config", web.as_bytes()));
        let direct = findings(&config);
        assert_eq!(direct.len(), 1);
        let saved = serde_json::to_string(&config.save()).unwrap_or_default();
        let back: Result<ConfigSummary, _> = serde_json::from_str(&saved);
        let back = back.map(ConfigSummary::restore).unwrap_or_default();
        assert_eq!(findings(&back), direct);
        let old = r#"{"files":1,"sites":[],"sites_without_id":0,"pools":[],"asp_net_core":[],"fast_cgi":[]}"#;
        let old: Result<ConfigSummary, _> = serde_json::from_str(old);
        assert!(old.is_ok_and(|c| c.lint.is_empty() && c.files == 1));
    }

    #[test]
    fn the_findings_across_files_are_made_from_the_summary() {
        let web = "<configuration><system.webServer><security><ipSecurity/></security>\
                   </system.webServer></configuration>";
        let mut config = ConfigSummary::default();
        assert!(findings(&config).is_empty());
        config.add_lint(lint_bytes("site/web.config", web.as_bytes()));
        let got: Vec<Rule> = findings(&config).iter().map(|f| f.rule).collect();
        assert_eq!(got, [Rule::LockedSection]);
    }
}
