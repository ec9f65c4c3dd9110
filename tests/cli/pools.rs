//! Application pools by name and nature, and the pool settings behind HTTP.sys refusals and
//! WAS events (testdata/config-pools: pool Shop with queueLength 200, 32-bit,
//! rapidFailProtectionMaxCrashes 3; pool Api with nothing set; three WAS 5011 and a 5002).

use super::*;

const POOLS: &str = "testdata/config-pools";

fn squeezed(text: &str) -> String {
    text.split_whitespace().collect()
}

fn assert_says(text: &str, words: &str) {
    assert!(
        squeezed(text).contains(&squeezed(words)),
        "no {words:?} in:\n{text}"
    );
}

fn config_file() -> String {
    repo(POOLS)
        .join("applicationHost.config")
        .display()
        .to_string()
}

fn httperr<'a>(report: &'a Value, code: &str, queue: &str) -> &'a Value {
    report["httperr"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["code"] == code && g["queue"] == queue)
        .unwrap_or_else(|| panic!("no HTTP.sys group {code} on {queue}"))
}

fn setting<'a>(group: &'a Value, name: &str) -> &'a Value {
    group["settings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["setting"].as_str().unwrap().ends_with(name))
        .unwrap_or_else(|| panic!("no setting {name} in {group}"))
}

#[test]
fn the_table_names_the_queues_pool_its_nature_and_its_queue_length() {
    let table = stdout_of(&["scan", repo(POOLS).to_str().unwrap()]);
    let file = config_file();
    assert_says(
        &table,
        "503.QueueFull on Shop 5 (HTTP.sys) Application pool request queue is full \
         Pool: Shop (.NET v4.0, Integrated, 32-bit, NetworkService), serves Shop (W3SVC1)",
    );
    assert_says(
        &table,
        &format!("Setting: applicationPools/add@queueLength = 200 in {file} line 6 (pool 'Shop')"),
    );
    // Api sets no queue length: IIS's default, said to be one.
    assert_says(
        &table,
        "Setting: applicationPools/add@queueLength = 1000 (pool 'Api') (IIS's default: not set \
         in any configuration that applies here)",
    );
    // HTTP.sys logged the disabled pool upper-cased.
    assert_says(
        &table,
        &format!(
            "Setting: applicationPools/add/failure@rapidFailProtectionMaxCrashes = 3 in {file} \
             line 7 (pool 'Shop'); 3 WAS 5011 crashes of pool 'Shop' within 3 min 10 s; \
             rapidFailProtectionMaxCrashes is 3 in 00:05:00"
        ),
    );
    assert_says(
        &table,
        "Pool: Api (No Managed Code, Integrated, 64-bit, NetworkService), serves Shop \
         (W3SVC1)",
    );
}

#[test]
fn the_json_pool_object_and_settings_of_http_sys_groups() {
    let r = json_of(&["scan", repo(POOLS).to_str().unwrap(), "--format", "json"]);
    let file = config_file();
    let full = httperr(&r, "503.QueueFull", "Shop");
    assert_eq!(
        full["pool"],
        serde_json::json!({
            "name": "Shop",
            "runtime": "v4.0",
            "pipeline_mode": "Integrated",
            "bitness": "32-bit",
            "identity_type": "NetworkService",
            "sites": ["Shop (W3SVC1)"],
            "file": file,
            "line": 6
        })
    );
    let queue = setting(full, "@queueLength");
    assert_eq!(
        (
            &queue["value"],
            &queue["source"],
            &queue["file"],
            &queue["line"]
        ),
        (
            &Value::from("200"),
            &Value::from("configured"),
            &Value::from(file.as_str()),
            &Value::from(6)
        )
    );
    let api = httperr(&r, "503.QueueFull", "Api");
    // Api sets no identity: its file's applicationPoolDefaults does.
    assert_eq!(api["pool"]["identity_type"], "NetworkService");
    let queue = setting(api, "@queueLength");
    assert_eq!(
        (&queue["value"], &queue["source"]),
        (&Value::from("1000"), &Value::from("default"))
    );
    assert!(queue["file"].is_null());

    let offline = httperr(&r, "503.AppOffline", "SHOP");
    assert_eq!(offline["pool"]["name"], "Shop");
    let crashes = setting(offline, "@rapidFailProtectionMaxCrashes");
    assert_eq!(
        (&crashes["value"], &crashes["line"]),
        (&Value::from("3"), &Value::from(7))
    );
    assert_eq!(
        crashes["evidence"],
        "3 WAS 5011 crashes of pool 'Shop' within 3 min 10 s; rapidFailProtectionMaxCrashes is 3 in 00:05:00"
    );
    let interval = setting(offline, "@rapidFailProtectionInterval");
    assert_eq!(
        (&interval["value"], &interval["source"]),
        (&Value::from("00:05:00"), &Value::from("default"))
    );
    // The idle-connection noise has no queue and gets nothing.
    let idle = httperr(&r, "-.Timer_ConnectionIdle", "-");
    assert!(idle["pool"].is_null());
    assert_eq!(idle["settings"], serde_json::json!([]));
}

#[test]
fn failure_groups_get_the_pools_of_their_urls_and_the_settings_of_their_events() {
    let r = json_of(&["scan", repo(POOLS).to_str().unwrap(), "--format", "json"]);
    let crashed = group(&r, "500.0.0");
    let pools: Vec<&str> = crashed["pools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(pools, ["Shop"]);
    let crashes = setting(crashed, "@rapidFailProtectionMaxCrashes");
    assert!(
        crashes["evidence"]
            .as_str()
            .unwrap()
            .starts_with("3 WAS 5011 crashes of pool 'Shop' within 3 min 10 s"),
        "{crashes}"
    );
    // /api/missing is in the /api application, pool Api; no event chain, no settings.
    let missing = group(&r, "404.0.2");
    assert_eq!(missing["pools"][0]["name"], "Api");
    assert_eq!(missing["pools"][0]["runtime"], "");
    assert_eq!(missing["settings"], serde_json::json!([]));
}

#[test]
fn another_servers_configuration_names_no_pool() {
    let pools = repo(POOLS);
    let farm = repo("testdata/farm");
    let r = json_of(&[
        "scan",
        pools.to_str().unwrap(),
        farm.to_str().unwrap(),
        "--format",
        "json",
    ]);
    for g in r["groups"].as_array().unwrap() {
        assert_eq!(g["pools"], serde_json::json!([]), "{}", g["code"]);
    }
    for g in r["httperr"].as_array().unwrap() {
        assert!(g["pool"].is_null(), "{} on {}", g["code"], g["queue"]);
        assert_eq!(g["settings"], serde_json::json!([]), "{}", g["code"]);
    }
}

#[test]
fn a_saved_summary_keeps_the_pools_and_their_defaults() {
    let (direct, merged) = direct_and_merged(repo(POOLS).to_str().unwrap());
    assert_eq!(direct["httperr"], merged["httperr"]);
    assert_eq!(direct["groups"][0]["pools"], merged["groups"][0]["pools"]);
    assert_eq!(
        httperr(&merged, "503.QueueFull", "Api")["pool"]["identity_type"],
        "NetworkService",
        "applicationPoolDefaults come back from the saved summary"
    );
}

#[test]
fn markdown_and_html_carry_the_pool_line() {
    let path = repo(POOLS);
    let md = stdout_of(&["scan", path.to_str().unwrap(), "--format", "markdown"]);
    assert_says(
        &md,
        "- **Pool:** Shop (.NET v4.0, Integrated, 32-bit, NetworkService), serves Shop (W3SVC1)",
    );
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("report.html");
    iisdiag()
        .args(["scan", path.to_str().unwrap(), "-q", "--html"])
        .arg(&page)
        .assert()
        .success();
    let html = std::fs::read_to_string(&page).unwrap();
    assert_says(
        &html,
        "<dt>Pool</dt><dd>Shop (.NET v4.0, Integrated, 32-bit, NetworkService), serves Shop \
         (W3SVC1)</dd>",
    );
}

/// A pool named with a terminal escape and markup, in the configuration and as HTTP.sys's
/// queue name: every writer shows it through its guard.
#[test]
fn a_hostile_pool_name_goes_through_each_writers_guard() {
    let dir = tempfile::tempdir().unwrap();
    let name = "<b>Evil\u{1b}]0;x\u{7}</b>";
    let config = format!(
        "<configuration><system.applicationHost><applicationPools>\
         <add name=\"{}\" queueLength=\"50\" /></applicationPools></system.applicationHost>\
         </configuration>\n",
        name.replace('<', "&lt;").replace('>', "&gt;")
    );
    std::fs::write(dir.path().join("applicationHost.config"), config).unwrap();
    let log = format!(
        "#Software: Microsoft HTTP API 2.0\n#Version: 1.0\n#Date: 2026-11-26 10:00:00\n\
         #Fields: date time c-ip c-port s-ip s-port cs-version cs-method cs-uri sc-status \
         s-siteid s-reason s-queuename\n\
         2026-11-26 10:01:02 203.0.113.24 50110 10.0.3.5 443 HTTP/1.1 GET / 503 1 QueueFull {name}\n"
    );
    std::fs::write(dir.path().join("httperr1.log"), log).unwrap();
    let path = dir.path().to_str().unwrap();
    let table = stdout_of(&["scan", path, "--color", "never"]);
    assert!(!table.contains('\u{1b}'), "{table}");
    assert_says(&table, "Setting: applicationPools/add@queueLength = 50");
    let md = stdout_of(&["scan", path, "--format", "markdown"]);
    assert!(md.contains("- **Pool:** \\<b>Evil\\x1b\\]0;x"), "{md}");
    let page = dir.path().join("report.html");
    iisdiag()
        .args(["scan", path, "-q", "--html"])
        .arg(&page)
        .assert()
        .success();
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.contains("<dt>Pool</dt><dd>&lt;b&gt;Evil"), "{html}");
    assert!(!html.contains('\u{1b}'));
}
