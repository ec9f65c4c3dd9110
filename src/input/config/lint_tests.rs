use super::*;

const APP_HOST_V2: &str = r#"<configuration><system.webServer><globalModules>
<add name="StaticFileModule" />
<add name="AspNetCoreModuleV2" />
</globalModules></system.webServer></configuration>"#;

fn rules(lint: &FileLint) -> Vec<(Rule, u64)> {
    lint.findings.iter().map(|f| (f.rule, f.line)).collect()
}

fn all(files: &[(&str, &str)]) -> Vec<Finding> {
    let mut lints: Vec<FileLint> = files
        .iter()
        .map(|(name, text)| lint_bytes(name, text.as_bytes()))
        .collect();
    lint_all(&mut lints)
}

#[test]
fn malformed_xml_names_its_line_as_0x8007000d() {
    for (text, line) in [
        (
            "<configuration>\n<system.webServer>\n<a></b>\n</configuration>",
            3,
        ),
        ("<configuration>\n<system.webServer>\n", 3),
        ("<configuration>\n\n<x y=\"1\" y=\"2\"/></configuration>", 3),
    ] {
        let lint = lint_bytes("web.config", text.as_bytes());
        assert_eq!(rules(&lint), [(Rule::MalformedXml, line)], "{text}");
        let f = &lint.findings[0];
        assert_eq!(
            (f.status.as_str(), f.hresult.as_deref()),
            ("500.19", Some("0x8007000d"))
        );
        assert_eq!(f.severity, Severity::Error);
    }
}

#[test]
fn well_formed_files_have_no_findings() {
    let text = std::fs::read_to_string("testdata/lint/clean__web.config").unwrap_or_default();
    assert!(!text.is_empty());
    assert_eq!(
        all(&[
            ("clean__web.config", &text),
            ("applicationHost.config", APP_HOST_V2)
        ]),
        []
    );
}

#[test]
fn app_host_only_sections_in_a_web_config_are_0x80070021() {
    let text = "<configuration>\n<system.webServer>\n<fastCgi>\n<application fullPath=\"x\"/>\n\
                </fastCgi>\n<globalModules/>\n</system.webServer>\n<system.applicationHost>\n\
                <sites/>\n</system.applicationHost>\n</configuration>";
    let lint = lint_bytes("site/web.config", text.as_bytes());
    assert_eq!(
        rules(&lint),
        [
            (Rule::AppHostOnlySection, 3),
            (Rule::AppHostOnlySection, 6),
            (Rule::AppHostOnlySection, 8)
        ],
        "<sites> inside the flagged section is not flagged again"
    );
    assert_eq!(lint.findings[0].hresult.as_deref(), Some("0x80070021"));
    assert_eq!(lint.findings[0].element, "<fastCgi>");
    // The same sections are where they belong in applicationHost.config.
    assert_eq!(
        rules(&lint_bytes("applicationHost.config", text.as_bytes())),
        []
    );
}

#[test]
fn duplicate_entries_are_0x800700b7_unless_removed_or_cleared() {
    let text = "<configuration><system.webServer>\n<handlers>\n<add name=\"A\"/>\n<add name=\"a\"/>\n\
                <remove name=\"A\"/>\n<add name=\"A\"/>\n<clear/>\n<add name=\"A\"/>\n</handlers>\n\
                <modules><add name=\"A\"/></modules>\n<staticContent>\n\
                <mimeMap fileExtension=\".json\"/>\n<mimeMap fileExtension=\".JSON\"/>\n\
                </staticContent>\n</system.webServer></configuration>";
    let lint = lint_bytes("web.config", text.as_bytes());
    assert_eq!(
        rules(&lint),
        [(Rule::DuplicateEntry, 4), (Rule::DuplicateEntry, 13)],
        "the same name in another collection is no duplicate"
    );
    let f = &lint.findings[0];
    assert_eq!(f.hresult.as_deref(), Some("0x800700b7"));
    assert_eq!(f.element, "<add name=\"a\">");
    assert!(f.problem.contains("line 3"), "{}", f.problem);
    assert!(f.fix.contains("<remove>") && f.fix.contains("<clear/>"));
}

#[test]
fn a_module_not_installed_is_judged_only_with_an_app_host() {
    let web = "<configuration>\n<system.webServer>\n<rewrite><rules/></rewrite>\n\
               <aspNetCore processPath=\"dotnet\"/>\n</system.webServer></configuration>";
    assert_eq!(
        all(&[("web.config", web)]),
        [],
        "no globalModules read: no judgement"
    );
    let without = "<configuration><system.webServer><globalModules><add name=\"X\"/>\
                   </globalModules></system.webServer></configuration>";
    let found = all(&[("web.config", web), ("applicationHost.config", without)]);
    let got: Vec<(Rule, u64, &str)> = found
        .iter()
        .map(|f| (f.rule, f.line, f.element.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (Rule::ModuleNotInstalled, 3, "<rewrite>"),
            (Rule::ModuleNotInstalled, 4, "<aspNetCore>")
        ]
    );
    assert!(found[0].fix.contains("URL Rewrite"));
    assert!(found[1].fix.contains("Hosting Bundle"));
    assert_eq!(found[1].hresult.as_deref(), Some("0x8007000d"));
    // With the modules installed, nothing.
    let with = "<configuration><system.webServer><globalModules><add name=\"RewriteModule\"/>\
                <add name=\"AspNetCoreModule\"/></globalModules></system.webServer></configuration>";
    assert_eq!(
        all(&[("web.config", web), ("applicationHost.config", with)]),
        []
    );
}

#[test]
fn ancm_v1_named_where_only_v2_is_installed_is_500_21() {
    let web = "<configuration><system.webServer>\n<handlers>\n\
               <add name=\"aspNetCore\" modules=\"AspNetCoreModule\"/>\n</handlers>\n\
               </system.webServer></configuration>";
    let found = all(&[("web.config", web), ("applicationHost.config", APP_HOST_V2)]);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!((found[0].rule, found[0].line), (Rule::AncmVersion, 3));
    assert_eq!(found[0].status, "500.21");
    assert!(found[0].fix.contains("AspNetCoreModuleV2"));
    let v2 = web.replace("\"AspNetCoreModule\"", "\"AspNetCoreModuleV2\"");
    assert_eq!(
        all(&[("web.config", &v2), ("applicationHost.config", APP_HOST_V2)]),
        []
    );
}

#[test]
fn request_timeout_in_process_is_a_warning() {
    let web = |model: &str| {
        format!(
            "<configuration><system.webServer>\n<aspNetCore processPath=\"dotnet\" \
             hostingModel=\"{model}\" requestTimeout=\"00:05:00\"/>\n</system.webServer>\
             </configuration>"
        )
    };
    let lint = lint_bytes("web.config", web("InProcess").as_bytes());
    assert_eq!(rules(&lint), [(Rule::InProcessNoEffect, 2)]);
    assert_eq!(lint.findings[0].severity, Severity::Warning);
    assert_eq!(
        rules(&lint_bytes("web.config", web("outofprocess").as_bytes())),
        []
    );
}

#[test]
fn fastcgi_activity_timeout_past_request_timeout_is_a_warning() {
    for (attrs, want) in [
        ("activityTimeout=\"600\" requestTimeout=\"300\"", true),
        ("activityTimeout=\"120\"", true),
        ("activityTimeout=\"30\" requestTimeout=\"90\"", false),
        ("requestTimeout=\"20\"", true),
        ("", false),
    ] {
        let text = format!(
            "<configuration><system.webServer><fastCgi>\n<application fullPath=\"php\" \
             {attrs}/>\n</fastCgi></system.webServer></configuration>"
        );
        let lint = lint_bytes("applicationHost.config", text.as_bytes());
        let got = rules(&lint).contains(&(Rule::FastCgiTimeouts, 2));
        assert_eq!(got, want, "{attrs}");
    }
}

#[test]
fn findings_never_hold_a_secret_value() {
    let text = std::fs::read_to_string("testdata/lint/duplicate__web.config").unwrap_or_default();
    let found = all(&[
        ("duplicate__web.config", &text),
        ("applicationHost.config", APP_HOST_V2),
    ]);
    assert!(found.len() >= 3, "{found:?}");
    let json = serde_json::to_string(&found).unwrap_or_default();
    assert!(
        !json.contains("Hunter2") && !json.contains("Server=db"),
        "{json}"
    );
}

#[test]
fn hostile_input_never_panics() {
    for text in [
        "",
        "\u{0}\u{ff}",
        "<",
        "<configuration",
        "<!DOCTYPE x [<!ENTITY a \"b\">]><a/>",
    ] {
        let _ = lint_bytes("web.config", text.as_bytes());
    }
    let deep = "<a>".repeat(10_000);
    let _ = lint_bytes("web.config", deep.as_bytes());
}

#[test]
fn the_corpus_web_config_with_fastcgi_is_refused() {
    let Some(path) = crate::input::corpus::path("config/lab__web.config") else {
        return;
    };
    let text = std::fs::read_to_string(path).unwrap();
    let lint = lint_bytes("lab__web.config", text.as_bytes());
    let line = text
        .lines()
        .position(|l| l.contains("<fastCgi>"))
        .map(|i| i as u64 + 1);
    assert_eq!(
        rules(&lint),
        [(Rule::AppHostOnlySection, line.unwrap_or(0))]
    );
}

#[test]
fn two_app_hosts_leave_modules_unjudged() {
    let web = "<configuration><system.webServer>\n<rewrite/>\n</system.webServer></configuration>";
    let host = "<configuration><system.webServer><globalModules><add name=\"X\"/>\
                </globalModules></system.webServer></configuration>";
    assert_eq!(
        all(&[("web.config", web), ("a/applicationHost.config", host)]).len(),
        1
    );
    assert_eq!(
        all(&[
            ("web.config", web),
            ("a/applicationHost.config", host),
            ("b/applicationHost.config", host)
        ]),
        []
    );
}

const LOCKING_HOST: &str = r#"<configuration><configSections>
<sectionGroup name="system.webServer">
<section name="asp" overrideModeDefault="Deny" />
<section name="handlers" overrideModeDefault="Deny" />
<sectionGroup name="security"><section name="ipSecurity" overrideModeDefault="Deny" /></sectionGroup>
</sectionGroup></configSections>
<system.applicationHost><sites><site name="S" id="1">
<application path="/" applicationPool="P"><virtualDirectory path="/" physicalPath="C:\w\s1" /></application>
<application path="/b" applicationPool="P"><virtualDirectory path="/" physicalPath="C:\w\s2" /></application>
</site></sites></system.applicationHost>
<location path="S/b" overrideMode="Allow"><system.webServer><asp /></system.webServer></location>
<location path="" allowOverride="false"><system.webServer><httpErrors /></system.webServer></location>
</configuration>"#;

#[test]
fn locked_sections_are_0x80070021_as_the_apphost_or_the_stock_defaults_say() {
    let web = "<configuration>\n<system.webServer>\n<asp/>\n<handlers/>\n<httpErrors/>\n\
               <security><ipSecurity/></security>\n<defaultDocument/>\n<security><authentication>\
               <windowsAuthentication/></authentication></security>\n</system.webServer>\n\
               </configuration>";
    let locked = |files: &[(&str, &str)], file: &str| -> Vec<u64> {
        all(files)
            .iter()
            .filter(|f| f.rule == Rule::LockedSection && f.file == file)
            .map(|f| f.line)
            .collect()
    };
    for (name, files, want) in [
        // s1 is "S/": asp, handlers, ipSecurity are denied; httpErrors by the location.
        (
            "w/s1/web.config",
            vec![("applicationHost.config", LOCKING_HOST)],
            vec![3, 4, 5, 6],
        ),
        // s2 is "S/b": its location opens asp.
        (
            "w/s2/web.config",
            vec![("applicationHost.config", LOCKING_HOST)],
            vec![4, 5, 6],
        ),
        // Unmapped: the Allow location may be this application's, so asp is not judged locked.
        (
            "other/web.config",
            vec![("applicationHost.config", LOCKING_HOST)],
            vec![4, 5, 6],
        ),
        // No applicationHost.config: the stock locks (ipSecurity, windowsAuthentication).
        ("w/s1/web.config", vec![], vec![3, 6, 8]),
        // Two applicationHost.configs: which one applies is unknown.
        (
            "w/s1/web.config",
            vec![
                ("a/applicationHost.config", LOCKING_HOST),
                ("b/applicationHost.config", LOCKING_HOST),
            ],
            vec![],
        ),
    ] {
        let mut files = files;
        files.push((name, web));
        assert_eq!(
            locked(&files, name),
            want,
            "{name} with {} hosts",
            files.len() - 1
        );
    }
    let f = all(&[("w/s1/web.config", web)]);
    assert!(f.iter().all(|f| f.hresult.as_deref() == Some("0x80070021")));
    assert!(
        f[0].problem.contains("stock IIS default is assumed"),
        "{}",
        f[0].problem
    );
}

#[test]
fn hosting_models_of_one_pool_are_500_34_mixed_and_500_35_twice_in_process() {
    let web = |model: &str| {
        format!(
            "<configuration><system.webServer>\n<aspNetCore hostingModel=\"{model}\"/>\n</system.webServer></configuration>"
        )
    };
    for (one, two, want) in [
        (
            "inprocess",
            "outofprocess",
            Some(("500.34", "w/s1/web.config")),
        ),
        (
            "outofprocess",
            "InProcess",
            Some(("500.34", "W/S2/web.config")),
        ),
        (
            "inprocess",
            "inprocess",
            Some(("500.35", "W/S2/web.config")),
        ),
        ("outofprocess", "", None),
    ] {
        let (a, b) = (web(one), web(two));
        let found = all(&[
            ("applicationHost.config", LOCKING_HOST),
            ("w/s1/web.config", &a),
            ("W/S2/web.config", &b),
        ]);
        let got: Vec<(&str, &str)> = found
            .iter()
            .filter(|f| f.rule == Rule::HostingModelMixed)
            .map(|f| (f.status.as_str(), f.file.as_str()))
            .collect();
        assert_eq!(got, want.into_iter().collect::<Vec<_>>(), "{one} {two}");
    }
    // Two web.configs that both match one application: no guessing.
    let a = web("inprocess");
    let found = all(&[
        ("applicationHost.config", LOCKING_HOST),
        ("x/w/s1/web.config", &a),
        ("y/w/s1/web.config", &a),
        ("w/s2/web.config", &web("outofprocess")),
    ]);
    assert!(
        found.iter().all(|f| f.rule != Rule::HostingModelMixed),
        "{found:?}"
    );
}

#[test]
fn a_stdout_folder_is_judged_beside_the_file_on_disk() {
    let dir = std::env::temp_dir().join(format!("iisdiag-stdout-{}", std::process::id()));
    assert!(std::fs::create_dir_all(dir.join("logs")).is_ok());
    let web = dir.join("web.config");
    for (file, enabled, want) in [
        (r".\logs\stdout", "true", 0),
        (r".\missing\stdout", "true", 1),
        (r"missing/deeper/stdout", "true", 1),
        (r".\missing\stdout", "false", 0),
        (r"stdout", "true", 0),
        (r"%HOME%\LogFiles\stdout", "true", 0),
        (
            r"\\server\share\none\stdout",
            "true",
            usize::from(cfg!(windows)),
        ),
    ] {
        let text = format!(
            "<configuration><system.webServer><aspNetCore stdoutLogEnabled=\"{enabled}\" \
             stdoutLogFile=\"{file}\"/></system.webServer></configuration>"
        );
        let mut lint = lint_bytes("web.config", text.as_bytes());
        check_stdout_folders(&mut lint, &web);
        let got = lint
            .findings
            .iter()
            .filter(|f| f.rule == Rule::StdoutFolderMissing)
            .count();
        assert_eq!(got, want, "{file} {enabled}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
