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
