//! Issue 18, first bullet: configured timeouts replace the defaults in timing signatures,
//! named with the setting, its value, the file and line, and where it applies
//! (testdata/config-farm: a webFarm 'api' with a 120 s proxy timeout, a FastCGI application
//! with activityTimeout 45).

use super::*;

const FARM: &str = "testdata/config-farm";

/// The table wraps its lines; the words are compared without the white space.
fn squeezed(text: &str) -> String {
    text.split_whitespace().collect()
}

fn assert_says(table: &str, words: &str) {
    assert!(
        squeezed(table).contains(&squeezed(words)),
        "no {words:?} in:\n{table}"
    );
}

#[test]
fn the_table_names_the_configured_farm_and_fastcgi_timeouts() {
    let farm = repo(FARM);
    let table = stdout_of(&["scan", farm.to_str().unwrap()]);
    let file = farm.join("applicationHost.config");
    let file = file.to_str().unwrap();
    assert_says(
        &table,
        &format!(
            "24 of 24 took 120.0-120.1 s: the ARR proxy timeout, \
             webFarms/webFarm/applicationRequestRouting/protocol@timeout = 00:02:00 (120 s) in \
             {file} line 38 (webFarm 'api'), expired"
        ),
    );
    assert_says(
        &table,
        &format!(
            "12 of 12 took 45.0-45.1 s: the FastCGI activityTimeout (IIS 7.5 and later), \
             fastCgi/application@activityTimeout = 45 s in {file} line 30 \
             (FastCGI application 'C:\\PHP\\php-cgi.exe'), expired"
        ),
    );
    // The defaults are not what expired.
    assert!(!squeezed(&table).contains("(default30s)expired"), "{table}");
    assert!(!squeezed(&table).contains("(default70s)expired"), "{table}");
}

#[test]
fn the_json_timing_object_carries_the_configured_value() {
    let farm = repo(FARM);
    let report = scan_json(&[farm.to_str().unwrap()]);
    let file = farm.join("applicationHost.config");
    let file = file.to_str().unwrap();

    let timing = &group(&report, "502.3.12002")["timing"];
    assert_eq!(timing["timeout"], "the ARR proxy timeout");
    assert!(
        timing["setting"]
            .as_str()
            .unwrap()
            .contains("protocol@timeout")
    );
    let c = &timing["configured"];
    assert_eq!(
        c["setting"],
        "webFarms/webFarm/applicationRequestRouting/protocol@timeout"
    );
    assert_eq!(c["value_s"], 120);
    assert_eq!(c["file"], file);
    assert_eq!(c["line"], 38);
    assert_eq!(c["scope"], "webFarm 'api'");
    assert_eq!(c["matches"], true);
    assert_eq!(c["in_effect"], true);

    let c = &group(&report, "500.0.258")["timing"]["configured"];
    assert_eq!(c["setting"], "fastCgi/application@activityTimeout");
    assert_eq!(c["value_s"], 45);
    assert_eq!(c["line"], 30);
    assert_eq!(c["scope"], "FastCGI application 'C:\\PHP\\php-cgi.exe'");
}

/// Without the configuration the same cluster is compared with the defaults only, and 120 s
/// is ANCM's default requestTimeout: the configured key is absent, as before, and the
/// diagnosis is the one the configuration corrects.
#[test]
fn without_the_configuration_the_default_is_named() {
    let farm = repo(FARM);
    let logs = farm.join("W3SVC1");
    let report = scan_json(&[logs.to_str().unwrap()]);
    let timing = &group(&report, "502.3.12002")["timing"];
    assert!(timing.get("configured").is_none(), "{timing}");
    assert_eq!(
        timing["timeout"],
        "the ASP.NET Core Module requestTimeout (out-of-process hosting)"
    );
}

/// testdata/config-limits: `<location path="Shop">` sets maxQueryString 1024 (line 21) and
/// appConcurrentRequestLimit 100 (line 24); site Other sets neither.
const LIMITS: &str = "testdata/config-limits";

#[test]
fn the_table_names_the_limits_in_force_with_file_line_and_evidence() {
    let dir = repo(LIMITS);
    let table = stdout_of(&["scan", dir.to_str().unwrap()]);
    let file = dir.join("applicationHost.config");
    let file = file.to_str().unwrap();
    assert_says(
        &table,
        &format!(
            "Setting: system.webServer/security/requestFiltering/requestLimits@maxQueryString = \
             1024 in {file} line 21 (location 'Shop'); the longest query string in this group \
             is 1500 bytes, over the 1024 limit"
        ),
    );
    // The 404.15 group is on both sites: Other keeps the default.
    assert_says(
        &table,
        "Setting: system.webServer/security/requestFiltering/requestLimits@maxQueryString = \
         2048 (site 'Other') (IIS's default: not set in any configuration that applies here)",
    );
    assert_says(
        &table,
        &format!(
            "Setting: system.webServer/serverRuntime@appConcurrentRequestLimit = 100 in {file} \
             line 24 (location 'Shop')"
        ),
    );
}

#[test]
fn the_json_settings_carry_source_file_line_scope_and_evidence() {
    let dir = repo(LIMITS);
    let report = scan_json(&[dir.to_str().unwrap()]);
    let file = dir.join("applicationHost.config");
    let file = file.to_str().unwrap();
    let settings = group(&report, "503.2.0")["settings"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(settings.len(), 1);
    let s = &settings[0];
    assert_eq!(
        s["setting"],
        "system.webServer/serverRuntime@appConcurrentRequestLimit"
    );
    assert_eq!(s["value"], "100");
    assert_eq!(s["source"], "configured");
    assert_eq!(s["file"], file);
    assert_eq!(s["line"], 24);
    assert_eq!(s["scope"], "location 'Shop'");
    assert!(s["evidence"].is_null());
    let settings = group(&report, "404.15.0")["settings"]
        .as_array()
        .unwrap()
        .clone();
    let sources: Vec<(&str, &str)> = settings
        .iter()
        .map(|s| (s["value"].as_str().unwrap(), s["source"].as_str().unwrap()))
        .collect();
    assert_eq!(sources, [("1024", "configured"), ("2048", "default")]);
    assert!(
        settings[0]["evidence"]
            .as_str()
            .unwrap()
            .contains("1500 bytes, over the 1024 limit")
    );
    assert!(settings[1]["file"].is_null() && settings[1]["line"].is_null());
}

/// Scanned alone with the configuration, the other site's group gets the default, and its
/// queries (1200-1500 bytes) being under it is said.
#[test]
fn the_other_site_s_group_gets_the_default() {
    let dir = repo(LIMITS);
    let logs = dir.join("W3SVC2");
    let config = dir.join("applicationHost.config");
    let report = scan_json(&[logs.to_str().unwrap(), config.to_str().unwrap()]);
    let settings = group(&report, "404.15.0")["settings"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(settings.len(), 1, "{settings:?}");
    let s = &settings[0];
    assert_eq!(
        (s["value"].as_str(), s["source"].as_str()),
        (Some("2048"), Some("default"))
    );
    assert!(s["scope"].is_null(), "{s}");
    assert_eq!(
        s["evidence"],
        "the longest query string in this group is 1500 bytes, shorter than the default 2048: \
         another limit, e.g. HTTP.sys MaxFieldLength or a <location> lower down, applies"
    );
}
