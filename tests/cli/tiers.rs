//! Issue 19: with the logs of both tiers (ARR front ends and the farm servers behind them),
//! `scan` pairs the front ends' failures with what the backends logged and says which tier
//! failed: answered late, never reached, or failed behind the proxy.

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
    // (code, failures, answered late, never reached, failed behind, by log id)
    for (code, failures, late, never, behind, by_id) in [
        ("502.3.12002", 6, 5, 1, 0, 3),
        ("502.3.12029", 4, 0, 4, 0, 0),
        ("500.0.0", 3, 0, 0, 3, 0),
    ] {
        let g = tier_group(tiers, code);
        assert_eq!(g["failures"], failures, "{code}");
        assert_eq!(g["answered_late"]["count"], late, "{code}");
        assert_eq!(g["never_reached"]["count"], never, "{code}");
        assert_eq!(g["failed_behind"]["count"], behind, "{code}");
        assert_eq!(g["unpaired"], 0, "{code}");
        assert_eq!(g["paired_by_log_id"], by_id, "{code}");
    }
    let late = &tier_group(tiers, "502.3.12002")["answered_late"];
    assert_eq!(late["backends"], serde_json::json!(["app01"]));
    assert_eq!(late["codes"], serde_json::json!(["200.0.0"]));
    assert_eq!(late["time_taken_ms"], serde_json::json!([31000, 58000]));
    let behind = &tier_group(tiers, "500.0.0")["failed_behind"];
    assert_eq!(behind["backends"], serde_json::json!(["app02"]));
    // app01 answered the five late ones, app02 logged the three 500s: of 13 failures.
    let backends = tiers["backends"].as_array().unwrap();
    let share = |name: &str| {
        let b = backends.iter().find(|b| b["server"] == name).unwrap();
        (b["share_of_front_failures"].as_f64().unwrap() * 13.0).round() as u64
    };
    assert_eq!((share("app01"), share("app02")), (5, 3));
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
            "5 of 6 front-end 502.3.12002 were logged by app01 as 200.0.0 with time-taken 31-58 s"
        ),
        "{first}"
    );
    let never = group(&r, "502.3.12029")["hints"][0]
        .as_str()
        .unwrap()
        .to_string();
    assert!(never.contains("never reached them"), "{never}");
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
        md.contains("app02: 23 requests from the front ends, 3 failed"),
        "{md}"
    );
}

#[test]
fn front_ends_alone_have_no_tiers_section() {
    let r = scan_json(&[repo("testdata/tiers/web01").to_str().unwrap()]);
    assert!(r.get("tiers").is_none(), "{}", r["tiers"]);
    // A backend alone writes no proxy code: nothing to pair.
    let r = scan_json(&[repo("testdata/tiers/app02").to_str().unwrap()]);
    assert!(r.get("tiers").is_none(), "{}", r["tiers"]);
}
