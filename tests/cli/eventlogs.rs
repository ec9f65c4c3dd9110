//! Event logs read beside the request logs: the farm's story (HTTP.sys 503 AppOffline, WAS
//! 5011 and 5002, Application Error 1000) told as one chain, `iisdiag events` alone, the
//! filters, `merge`, and the real samples of the shared corpus.

use serde_json::Value;

use super::{corpus, iisdiag, json_of, repo, stdout_of};

fn farm() -> String {
    repo("testdata/farm").display().to_string()
}

#[test]
fn the_farm_scan_tells_the_chain_under_the_503s() {
    let out = stdout_of(&["scan", &farm()]);
    let block = out
        .split("\n\n")
        .find(|b| b.starts_with("503.AppOffline on OrdersPool"))
        .expect("the AppOffline block");
    let chain: Vec<&str> = block.lines().filter(|l| l.starts_with("  <- ")).collect();
    assert_eq!(chain.len(), 3, "{block}");
    assert!(
        chain[0].starts_with("  <- WAS 5002 2026-11-18 11:40:02: OrdersPool"),
        "{block}"
    );
    assert!(
        chain[1].starts_with("  <- WAS 5011 x5 2026-11-18 11:36-11:40"),
        "{block}"
    );
    assert!(
        chain[2].starts_with("  <- Application Error 1000 x5"),
        "{block}"
    );
    let flat = block.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains("pids 4120, 5232, 6088, 6344, 7012"), "{flat}");
    assert!(
        flat.contains("w3wp.exe crashed in Orders.Native.dll, 0xc0000005 (access violation)"),
        "{flat}"
    );
    assert!(
        flat.contains("Next: w3wp.exe crashed in Orders.Native.dll"),
        "{flat}"
    );
    assert!(flat.contains("procdump -ma -e w3wp.exe"), "{flat}");
    // The recycles with no failure near them are still listed; the 502.3 groups, which no
    // event explains, are named.
    let tail = out
        .split("Event logs:")
        .nth(1)
        .expect("the event logs section");
    assert!(tail.contains("ReportsPool"), "{tail}");
    assert!(
        tail.contains("Events with no failure at the same time:"),
        "{tail}"
    );
    let tail = tail.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        tail.contains(
            "no event explains, although the event logs cover their time: 502.3.12002, 502.3.12029."
        ),
        "{tail}"
    );
}

#[test]
fn the_farm_json_carries_the_events_and_each_groups_chain() {
    let v = json_of(&["scan", &farm(), "--format", "json"]);
    let ev = &v["events"];
    assert_eq!(ev["total"], 18);
    let count = |provider: &str, id: u64| {
        ev["counts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["provider"] == provider && c["id"] == id)
            .map(|c| c["count"].as_u64().unwrap())
    };
    assert_eq!(count("Microsoft-Windows-WAS", 5011), Some(5));
    assert_eq!(count("Microsoft-Windows-WAS", 5002), Some(1));
    assert_eq!(count("Microsoft-Windows-WAS", 5074), Some(2));
    assert_eq!(count("Application Error", 1000), Some(5));
    assert_eq!(count("Windows Error Reporting", 1001), Some(5));
    let offline = v["httperr"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["code"] == "503.AppOffline")
        .unwrap();
    let runs: Vec<&Value> = offline["events"]["runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| &ev["runs"][i.as_u64().unwrap() as usize])
        .collect();
    let heads: Vec<(String, u64)> = runs
        .iter()
        .map(|r| {
            (
                r["provider"].as_str().unwrap().to_string(),
                r["id"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        heads,
        [
            ("WAS".to_string(), 5002),
            ("WAS".to_string(), 5011),
            ("Application Error".to_string(), 1000)
        ]
    );
    assert_eq!(runs[2]["module"], "Orders.Native.dll");
    assert_eq!(runs[1]["pids"].as_array().unwrap().len(), 5);
    // A W3C group with no event keeps the key, null.
    let timeout = v["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["code"] == "502.3.12002")
        .unwrap();
    assert!(timeout["events"].is_null());
    let pools: Vec<&str> = ev["pools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["subject"].as_str().unwrap())
        .collect();
    assert_eq!(pools, ["OrdersPool", "ReportsPool"]);
}

#[test]
fn events_alone_show_every_pool_step_and_json() {
    let out = stdout_of(&["events", &farm()]);
    assert!(out.contains("By provider and id:"), "{out}");
    assert!(out.contains("WAS 5011 x5 (Microsoft-Windows-WAS)"), "{out}");
    assert!(out.contains("OrdersPool on WEB01"), "{out}");
    assert!(out.contains("[rapid-fail] WAS 5002"), "{out}");
    let v = json_of(&["events", &farm(), "--format", "json"]);
    assert_eq!(v["events"]["total"], 18);
    let files = v["files"].as_array().unwrap();
    assert_eq!(files.len(), 2, "only the event log files: {files:?}");
    assert!(files.iter().all(|f| f["kind"] == "eventxml"));
}

#[test]
fn events_without_any_event_log_is_exit_2() {
    let out = iisdiag()
        .args(["events", &repo("testdata/farm/web02").display().to_string()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no Windows events"), "{err}");
}

#[test]
fn time_and_server_filters_apply_to_events() {
    let v = json_of(&[
        "events",
        &farm(),
        "--format",
        "json",
        "--since",
        "2026-11-18 11:00",
    ]);
    assert_eq!(
        v["events"]["total"], 16,
        "the two morning recycles are left out"
    );
    let out = iisdiag()
        .args(["events", &farm(), "--server", "web02"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "WEB01's events are not web02's");
    let v = json_of(&["events", &farm(), "--format", "json", "--server", "web01"]);
    assert_eq!(v["events"]["total"], 18);
}

#[test]
fn a_saved_summary_carries_the_events_into_merge() {
    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("web01.json");
    let web01 = repo("testdata/farm/web01").display().to_string();
    iisdiag()
        .args(["scan", &web01, "-q", "--save-summary"])
        .arg(&saved)
        .assert()
        .success();
    let direct = json_of(&["scan", &web01, "--format", "json"]);
    let merged = json_of(&["merge", &saved.display().to_string(), "--format", "json"]);
    assert_eq!(merged["events"], direct["events"]);
    let offline = merged["httperr"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["code"] == "503.AppOffline")
        .unwrap();
    assert_eq!(offline["events"]["lines"].as_array().unwrap().len(), 3);
}

#[test]
fn real_event_logs_are_read_without_a_skip_and_controls_join_nothing() {
    let Some(corpus) = corpus() else { return };
    let events = corpus.join("events");
    for entry in std::fs::read_dir(&events).unwrap() {
        let path = entry.unwrap().path();
        let v = json_of(&["events", &path.display().to_string(), "--format", "json"]);
        assert!(
            v["events"]["total"].as_u64().unwrap() >= 1,
            "{}",
            path.display()
        );
        for f in v["files"].as_array().unwrap() {
            assert!(f["error"].is_null(), "{}: {f}", path.display());
        }
    }
    // The desktop's Application log: its crashes are of other programs.
    let v = json_of(&[
        "events",
        &events
            .join("applicationevtx__Application.evtx")
            .display()
            .to_string(),
        "--format",
        "json",
    ]);
    let others: u64 = v["events"]["other_programs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["count"].as_u64().unwrap())
        .sum();
    assert_eq!(
        others, 35,
        "Application Error 1000 x20 and .NET Runtime 1026 x15"
    );
    assert!(v["events"]["pools"].as_array().unwrap().is_empty());
    // The System log of a desktop: no IIS provider at all.
    let v = json_of(&[
        "events",
        &events.join("EVTX__system.evtx").display().to_string(),
        "--format",
        "json",
    ]);
    assert!(
        v["events"]["runs"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["role"] == "unknown" || r["provider"] != "WAS")
    );
}

#[test]
fn an_app_service_startup_failure_names_the_exception_from_the_captured_output() {
    let Some(corpus) = corpus() else { return };
    let path = corpus.join("events/WinterIntex4-5__eventlog.xml");
    let out = stdout_of(&["events", &path.display().to_string()]);
    let flat = out.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains("IIS AspNetCore Module V2 1018"), "{flat}");
    assert!(
        flat.contains("SQLite Error 1: 'no such table: AspNetRoles'"),
        "{flat}"
    );
    assert!(
        flat.contains("77 .NET Runtime 1000 event(s) are the application's own log messages"),
        "{flat}"
    );
}

#[test]
fn event_logs_inside_a_zip_and_gzip_tell_the_same_story() {
    let plain = json_of(&["scan", &farm(), "--format", "json"]);
    let archived = json_of(&[
        "scan",
        &repo("testdata/archives/farm").display().to_string(),
        "--format",
        "json",
    ]);
    assert_eq!(archived["events"], plain["events"]);
    let kinds: Vec<&str> = archived["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == "eventxml")
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(kinds.len(), 2, "{kinds:?}");
    assert!(
        kinds
            .iter()
            .any(|p| p.ends_with("web01.zip!EventLogs/Application.xml.gz")),
        "{kinds:?}"
    );
}
