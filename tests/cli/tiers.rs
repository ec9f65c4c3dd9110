//! Issue 19: with the logs of both tiers (ARR front ends and the farm servers behind them),
//! `scan` pairs the front ends' failures with what the backends logged and says which tier
//! failed: answered late, answer lost between the tiers, never reached, or failed behind
//! the proxy.

use super::*;

fn tier_group<'a>(tiers: &'a Value, code: &str) -> &'a Value {
    tiers["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["code"] == code)
        .unwrap_or_else(|| panic!("no tier group {code}"))
}

#[test]
fn the_two_tier_farm_is_paired_in_one_command() {
    let r = scan_json(&[repo("testdata/tiers").to_str().unwrap()]);
    let tiers = &r["tiers"];
    assert_eq!(tiers["front_ends"], serde_json::json!(["web01", "web02"]));
    // (code, failures, answered late, lost, never reached, failed behind, by log id): one
    // of the four paired by id is paired through the id web01's trace carries.
    for (code, failures, late, lost, never, behind, by_id) in [
        ("502.3.12002", 6, 5, 0, 1, 0, 4),
        ("502.3.12029", 4, 0, 0, 4, 0, 0),
        ("500.0.0", 3, 0, 0, 0, 3, 0),
        ("502.3.12030", 2, 0, 2, 0, 0, 0),
    ] {
        let g = tier_group(tiers, code);
        assert_eq!(g["failures"], failures, "{code}");
        assert_eq!(g["answered_late"]["count"], late, "{code}");
        assert_eq!(g["answer_lost"]["count"], lost, "{code}");
        assert_eq!(g["never_reached"]["count"], never, "{code}");
        assert_eq!(g["failed_behind"]["count"], behind, "{code}");
        assert_eq!(g["unpaired"], 0, "{code}");
        assert_eq!(g["paired_by_log_id"], by_id, "{code}");
    }
    let late = &tier_group(tiers, "502.3.12002")["answered_late"];
    assert_eq!(late["backends"], serde_json::json!(["app01"]));
    assert_eq!(late["codes"], serde_json::json!(["200.0.64", "200.0.1236"]));
    assert_eq!(late["time_taken_ms"], serde_json::json!([31000, 58000]));
    let lost = &tier_group(tiers, "502.3.12030")["answer_lost"];
    assert_eq!(lost["time_taken_ms"], serde_json::json!([80, 120]));
    let behind = &tier_group(tiers, "500.0.0")["failed_behind"];
    assert_eq!(behind["backends"], serde_json::json!(["app02"]));
    // The traces' ARR_SERVER_ROUTED names the backend that logged none of them.
    for (code, routed) in [("502.3.12002", "app01"), ("502.3.12029", "app02")] {
        let never = &tier_group(tiers, code)["never_reached"];
        assert_eq!(never["backends"], serde_json::json!([routed]), "{code}");
    }
    // app01 answered the five late and two lost ones, app02 logged the three 500s: of 15.
    let backends = tiers["backends"].as_array().unwrap();
    let share = |name: &str| {
        let b = backends.iter().find(|b| b["server"] == name).unwrap();
        (b["share_of_front_failures"].as_f64().unwrap() * 15.0).round() as u64
    };
    assert_eq!((share("app01"), share("app02")), (7, 3));
    // web01's applicationHost.config names them by host name and by address.
    for (name, address) in [("app01", "app01.internal"), ("app02", "10.0.2.22")] {
        let b = backends.iter().find(|b| b["server"] == name).unwrap();
        assert_eq!(b["farm_address"], address, "{name}");
    }
    let app02 = backends.iter().find(|b| b["server"] == "app02").unwrap();
    assert_eq!(
        (app02["requests"].as_u64(), app02["failures"].as_u64()),
        (Some(23), Some(3))
    );
}

#[test]
fn the_outcome_leads_the_groups_checks() {
    let r = scan_json(&[repo("testdata/tiers").to_str().unwrap()]);
    let hints = group(&r, "502.3.12002")["hints"].as_array().unwrap();
    let first = hints[0].as_str().unwrap();
    assert!(
        first.starts_with(
            "5 of 6 front-end 502.3.12002 were logged by app01 as 200.0.64, 200.0.1236 with \
             time-taken 31-58 s (win32 64 or 1236: the proxy had already closed the connection)"
        ),
        "{first}"
    );
    let never = group(&r, "502.3.12029")["hints"][0]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        never.starts_with(
            "4 of 4 front-end 502.3.12029 were routed by ARR to app02, which logged none of them"
        ),
        "{never}"
    );
    let lost = group(&r, "502.3.12030")["hints"][0].as_str().unwrap();
    assert!(
        lost.contains("the answer was lost between the tiers"),
        "{lost}"
    );
}

#[test]
fn the_table_and_markdown_say_which_tier_failed() {
    let path = repo("testdata/tiers");
    // Words only: the table wraps its lines to the width.
    let table = stdout_of(&["scan", path.to_str().unwrap()])
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(table.contains("Which tier failed:"), "{table}");
    assert!(table.contains("3 of 3 front-end 500.0.0 were logged by app02 as 500.0.0 with time-taken 1.2-1.4 s: the application failed and the proxy passed the failure on."), "{table}");
    let md = stdout_of(&["scan", path.to_str().unwrap(), "--format", "markdown"]);
    assert!(md.contains("## Which tier failed"), "{md}");
    assert!(
        md.contains("app02 (farm address 10.0.2.22): 23 requests from the front ends, 3 failed"),
        "{md}"
    );
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("report.html");
    let page_arg = page.display().to_string();
    stdout_of(&["scan", path.to_str().unwrap(), "-q", "--html", &page_arg]);
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(
        html.contains("<h2 id=\"tiers\">Which tier failed</h2>"),
        "{html}"
    );
    assert!(html.contains("answer was lost between the tiers"), "{html}");
}

#[test]
fn unrelated_folders_do_not_swell_the_counts() {
    // All of testdata: testdata/farm's web01 also wrote 502.3.12002, at times the tier
    // farm's backends do not cover; only the failures the pairing considered are counted.
    let r = scan_json(&[repo("testdata").to_str().unwrap()]);
    let g = tier_group(&r["tiers"], "502.3.12002");
    assert_eq!(
        (g["failures"].as_u64(), g["answered_late"]["count"].as_u64()),
        (Some(6), Some(5))
    );
    assert!(g["unpaired"].as_u64().unwrap_or(0) > 0, "{g}");
    assert!(
        g["text"][0]
            .as_str()
            .unwrap()
            .starts_with("5 of 6 front-end 502.3.12002")
    );
}

#[test]
fn front_and_backend_flags_override_the_evidence() {
    let path = repo("testdata/tiers");
    let path = path.to_str().unwrap();
    // Named as the only backend, app02 is paired alone: app01's late answers go unpaired.
    let r = scan_json(&[path, "--backend", "APP02", "--front", "web01,web02"]);
    let names: Vec<&str> = r["tiers"]["backends"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|b| b["server"].as_str())
        .collect();
    assert_eq!(names, ["app02"]);
    assert_eq!(
        tier_group(&r["tiers"], "502.3.12002")["answered_late"]["count"],
        0
    );
    assert_eq!(
        tier_group(&r["tiers"], "500.0.0")["failed_behind"]["count"],
        3
    );
    // A name no server has is warned of, and the run goes on.
    let out = iisdiag()
        .args(["scan", path, "-q", "--front", "web01", "--front", "web09"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("warning: --front web09 names no server in the logs read"),
        "{err}"
    );
    assert!(!err.contains("--front web01 "), "{err}");
}

#[test]
fn front_ends_alone_have_no_tiers_section() {
    let r = scan_json(&[repo("testdata/tiers/web01").to_str().unwrap()]);
    assert!(r.get("tiers").is_none(), "{}", r["tiers"]);
    // A backend alone writes no proxy code: nothing to pair.
    let r = scan_json(&[repo("testdata/tiers/app02").to_str().unwrap()]);
    assert!(r.get("tiers").is_none(), "{}", r["tiers"]);
}
