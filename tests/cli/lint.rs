//! `iisdiag config`: the configuration lint on testdata/lint, its JSON keys, its exit codes
//! (0 clean, 1 an error found, 2 nothing readable) and no secret in any output.

use serde_json::Value;

use super::{corpus, direct_and_merged, group, iisdiag, json_of, repo, stdout_of};

fn config(args: &[&str]) -> (i32, String, String) {
    let out = iisdiag().arg("config").args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn path(name: &str) -> String {
    repo(&format!("testdata/lint/{name}")).display().to_string()
}

#[test]
fn config_lints_testdata_with_every_rule_and_exit_1() {
    let dir = path("");
    let (code, out, err) = config(&[&dir, "--format", "json"]);
    assert_eq!(code, 1, "{err}");
    let doc: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["files"].as_array().unwrap().len(), 8, "{out}");
    assert_eq!(doc["modules_judged"], true);
    let findings = doc["findings"].as_array().unwrap();
    let mut got: Vec<(String, String, u64)> = findings
        .iter()
        .map(|f| {
            let file = f["file"].as_str().unwrap();
            let file = file.rsplit(['/', '\\']).next().unwrap().to_string();
            (
                file,
                f["rule"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect();
    got.sort();
    let want = [
        ("duplicate__web.config", "ancm-version", 14),
        ("duplicate__web.config", "duplicate-entry", 10),
        ("duplicate__web.config", "duplicate-entry", 15),
        ("duplicate__web.config", "inprocess-no-effect", 17),
        ("fastcgi__web.config", "apphost-only-section", 4),
        ("fastcgi__web.config", "fastcgi-timeouts", 5),
        ("malformed__web.config", "malformed-xml", 7),
        ("rewrite__web.config", "module-not-installed", 4),
        ("stdout__web.config", "stdout-folder-missing", 4),
    ];
    let want: Vec<(String, String, u64)> = want
        .iter()
        .map(|(f, r, l)| (f.to_string(), r.to_string(), *l))
        .collect();
    assert_eq!(got, want);
    for f in findings {
        for key in [
            "rule", "severity", "file", "line", "element", "problem", "status", "hresult", "fix",
        ] {
            assert!(f.get(key).is_some(), "{key} missing in {f}");
        }
    }
    let dup = findings
        .iter()
        .find(|f| f["rule"] == "duplicate-entry")
        .unwrap();
    assert_eq!(dup["status"], "500.19");
    assert_eq!(dup["hresult"], "0x800700b7");
    assert_eq!(dup["severity"], "error");
}

/// The corpus's web.config that puts `<fastCgi>` where IIS refuses it (read in place).
#[test]
fn config_refuses_the_corpus_fastcgi_in_a_web_config() {
    let Some(dir) = corpus() else { return };
    let file = dir.join("config/lab__web.config").display().to_string();
    let (code, out, err) = config(&[&file, "--format", "json"]);
    assert_eq!(code, 1, "{err}");
    let doc: Value = serde_json::from_str(&out).unwrap();
    let rules: Vec<(&str, u64)> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["rule"].as_str().unwrap(), f["line"].as_u64().unwrap()))
        .collect();
    assert_eq!(rules, [("apphost-only-section", 28)]);
}

#[test]
fn config_never_prints_a_connection_string() {
    let file = path("duplicate__web.config");
    let host = path("applicationHost.config");
    for format in ["table", "json"] {
        let (code, out, err) = config(&[&file, &host, "--format", format]);
        assert_eq!(code, 1, "{err}");
        assert!(out.contains("duplicate-entry"), "{out}");
        for secret in ["Hunter2", "Server=db", "User Id"] {
            assert!(
                !out.contains(secret) && !err.contains(secret),
                "{secret} in {out}"
            );
        }
    }
}

#[test]
fn config_on_a_clean_file_exits_0() {
    let (code, out, err) = config(&[&path("clean__web.config"), &path("applicationHost.config")]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("2 files linted: 0 errors, 0 warnings"),
        "{out}"
    );
    // Warnings alone are no error either.
    let text = "<configuration><system.webServer><aspNetCore hostingModel=\"inprocess\" \
                requestTimeout=\"00:01:00\"/></system.webServer></configuration>";
    let dir = std::env::temp_dir().join(format!("iisdiag-lint-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let web = dir.join("web.config");
    std::fs::write(&web, text).unwrap();
    let (code, out, _) = config(&[&web.display().to_string(), "--format", "json"]);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(code, 0, "{out}");
    let doc: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["findings"][0]["severity"], "warning");
    assert_eq!(doc["modules_judged"], false);
}

#[test]
fn config_with_nothing_readable_exits_2() {
    let (code, out, err) = config(&[&repo("testdata/legacy").display().to_string()]);
    assert_eq!(code, 2, "{out}");
    assert!(err.contains("no configuration files"), "{err}");
    let (code, _, _) = config(&[&path("no-such.config")]);
    assert_eq!(code, 2);
    // A missing path beside a readable one: the report, then exit 2 (wins over 1).
    let (code, out, err) = config(&[&path("malformed__web.config"), &path("no-such.config")]);
    assert_eq!(code, 2, "{err}");
    assert!(
        out.contains("malformed-xml") && err.contains("no such file"),
        "{err}"
    );
}

#[test]
fn config_table_names_file_line_error_and_fix() {
    let (code, out, _) = config(&[&path("malformed__web.config")]);
    assert_eq!(code, 1);
    assert!(
        out.contains("malformed__web.config:7  error  malformed-xml  500.19 (0x8007000d)"),
        "{out}"
    );
    assert!(out.contains("fix: correct the XML at that line"), "{out}");
}

fn findings_of(args: &[&str]) -> Vec<Value> {
    let mut all = args.to_vec();
    all.extend(["--format", "json"]);
    let (_, out, err) = config(&all);
    let doc: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {err}"));
    doc["findings"].as_array().cloned().unwrap_or_default()
}

fn rules_lines(findings: &[Value]) -> Vec<(String, u64)> {
    findings
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or_default().to_string(),
                f["line"].as_u64().unwrap_or_default(),
            )
        })
        .collect()
}

/// applicationHost.config locks `asp` and `windowsAuthentication` by default, a
/// `<location overrideMode="Deny">` locks `defaultDocument` for the site the web.config is
/// mapped to, and `<location overrideMode="Allow">` opens `handlers` and
/// `anonymousAuthentication`.
#[test]
fn config_names_the_sections_applicationhost_locks() {
    let dir = repo("testdata/lint-locked").display().to_string();
    let findings = findings_of(&[&dir]);
    let want = [
        ("locked-section".to_string(), 10),
        ("locked-section".to_string(), 11),
        ("locked-section".to_string(), 19),
    ];
    assert_eq!(rules_lines(&findings), want);
    assert_eq!(findings[0]["hresult"], "0x80070021");
    assert_eq!(findings[0]["status"], "500.19");
    let fix = findings[0]["fix"].as_str().unwrap_or_default();
    assert!(
        fix.contains("<location path=\"Default Web Site\" overrideMode=\"Allow\">")
            && fix.contains("appcmd unlock config -section:system.webServer/asp"),
        "{fix}"
    );
    let why = findings[1]["problem"].as_str().unwrap_or_default();
    assert!(why.contains("overrideMode=\"Deny\""), "{why}");
    let (_, out, _) = config(&[&dir]);
    assert!(!out.contains("made-up-secret"), "{out}");
}

/// Without an applicationHost.config, the stock defaults: `windowsAuthentication` is locked,
/// `handlers` is not. With a trimmed applicationHost.config (no `<configSections>`), nothing is
/// judged.
#[test]
fn config_assumes_the_stock_locks_only_without_an_applicationhost() {
    let findings = findings_of(&[&path("locked__web.config")]);
    assert_eq!(rules_lines(&findings), [("locked-section".to_string(), 6)]);
    let why = findings[0]["problem"].as_str().unwrap_or_default();
    assert!(why.contains("stock IIS default is assumed"), "{why}");
    let trimmed = findings_of(&[&path("locked__web.config"), &path("applicationHost.config")]);
    assert_eq!(rules_lines(&trimmed), []);
}

/// Store's root (in-process) and /admin (out-of-process) share SharedPool: 500.34; /api's
/// web.config and /jobs's `<location>` in applicationHost.config both run in-process in
/// CorePool: 500.35.
#[test]
fn config_finds_hosting_models_a_pool_cannot_share() {
    let dir = repo("testdata/lint-hosting").display().to_string();
    let findings = findings_of(&[&dir]);
    let got: Vec<(String, String, String)> = findings
        .iter()
        .map(|f| {
            let file = f["file"].as_str().unwrap_or_default().replace('\\', "/");
            let tail: Vec<&str> = file.rsplit('/').take(2).collect();
            (
                f["rule"].as_str().unwrap_or_default().to_string(),
                f["status"].as_str().unwrap_or_default().to_string(),
                tail.iter().rev().copied().collect::<Vec<_>>().join("/"),
            )
        })
        .collect();
    let want = [
        (
            "hosting-model-mixed",
            "500.35",
            "lint-hosting/applicationHost.config",
        ),
        ("hosting-model-mixed", "500.34", "shop/web.config"),
    ];
    let want: Vec<(String, String, String)> = want
        .iter()
        .map(|(r, s, f)| (r.to_string(), s.to_string(), f.to_string()))
        .collect();
    assert_eq!(got, want);
    // Without the applicationHost.config, the apps and pools are unknown: nothing is said.
    let shop = repo("testdata/lint-hosting/shop/web.config");
    let admin = repo("testdata/lint-hosting/admin/web.config");
    let alone = findings_of(&[&shop.display().to_string(), &admin.display().to_string()]);
    assert_eq!(rules_lines(&alone), []);
}

/// A relative stdout folder that does not exist beside the web.config on disk is a warning.
#[test]
fn config_warns_of_a_stdout_folder_missing_on_disk() {
    let findings = findings_of(&[&path("stdout__web.config")]);
    assert_eq!(
        rules_lines(&findings),
        [("stdout-folder-missing".to_string(), 4)]
    );
    assert_eq!(findings[0]["severity"], "warning");
    let problem = findings[0]["problem"].as_str().unwrap_or_default();
    assert!(
        problem.contains("no-such-logs") && problem.contains("1004"),
        "{problem}"
    );
    let (code, _, _) = config(&[&path("stdout__web.config")]);
    assert_eq!(code, 0, "a warning alone exits 0");
}

/// `scan` lints the configuration it reads: the locked `<windowsAuthentication>` of
/// testdata/lint-500.19 explains its W3C log's 500.19 with win32 33, in every format and after
/// a saved summary's merge.
#[test]
fn scan_gives_a_500_19_group_the_finding_that_explains_it() {
    let dir = repo("testdata/lint-500.19").display().to_string();
    let (direct, merged) = direct_and_merged(&dir);
    for report in [&direct, &merged] {
        let findings = group(report, "500.19.33")["config_findings"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert_eq!(rules_lines(&findings), [("locked-section".to_string(), 6)]);
        assert_eq!(findings[0]["hresult"], "0x80070021");
    }
    let table = stdout_of(&["scan", &dir, "--color", "never"]);
    assert!(
        table.contains("Config: ")
            && table.contains("web.config line 6: <windowsAuthentication> is locked"),
        "{table}"
    );
    let markdown = stdout_of(&["scan", &dir, "--format", "markdown"]);
    assert!(markdown.contains("- **Config:** "), "{markdown}");
    let text = direct["config"]["text"].to_string();
    assert!(
        text.contains(
            "Lint of 1 configuration file: 1 error, 0 warnings; 1 explains a failure group below"
        ),
        "{text}"
    );
}

/// Configuration that cannot be the run's (another server's logs beside it) explains nothing.
#[test]
fn scan_joins_no_finding_from_another_servers_configuration() {
    let dir = repo("testdata/lint-500.19").display().to_string();
    let farm = repo("testdata/farm").display().to_string();
    let report = json_of(&["scan", &dir, &farm, "--format", "json"]);
    let findings = &group(&report, "500.19.33")["config_findings"];
    assert_eq!(findings.as_array().map(Vec::len), Some(0), "{findings}");
    let text = report["config"]["text"].to_string();
    assert!(
        text.contains("none explains a failure group of this run"),
        "{text}"
    );
}
