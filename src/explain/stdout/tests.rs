use super::*;
use crate::input::stdout::parse_name;

fn entry(name: &str, text: &str, server: Option<&str>) -> StdoutEntry {
    StdoutEntry::new(
        name,
        server.map(str::to_string),
        parse_name(name),
        stdout::scan_text(text),
    )
}

fn at(s: &str) -> Millis {
    let (d, t) = s.split_once(' ').unwrap();
    time::at(
        time::parse_date(d.as_bytes()).unwrap(),
        time::parse_time(t.as_bytes()).unwrap(),
    )
}

const STARTUP: &str = "Unhandled exception. System.InvalidOperationException: The ConnectionString property has not been initialized.\n   at Microsoft.Data.SqlClient.SqlConnection.PermissionDemand()\n";
const LATER: &str = "info: Microsoft.Hosting.Lifetime[14]\n      Now listening on: http://127.0.0.1:5000\nfail: Microsoft.AspNetCore.Server.Kestrel[13]\n      Connection id \"1\": An unhandled exception was thrown by the application.\n      System.NullReferenceException: Object reference not set to an instance of an object.\n         at Shop.Cart.Total()\n";

#[test]
fn a_group_gets_the_processes_of_its_server_and_minutes_pid_first() {
    let mut logs = StdoutSummary::default();
    logs.add(entry(
        "stdout_20261118100102_4242.log",
        STARTUP,
        Some("web01"),
    ));
    logs.add(entry(
        "stdout_20261118100500_4300.log",
        LATER,
        Some("web01"),
    ));
    logs.add(entry(
        "stdout_20261118100102_5555.log",
        STARTUP,
        Some("web02"),
    ));
    logs.add(entry(
        "stdout_20261117100102_6666.log",
        STARTUP,
        Some("web01"),
    ));
    let servers = ["web01".to_string()];
    let mut target = Target {
        first: Some(at("2026-11-18 10:02:00")),
        last: Some(at("2026-11-18 10:06:00")),
        servers: &servers,
        pids: Vec::new(),
    };
    let found = join(&logs, &[], &target, Zone::Utc);
    let pids: Vec<Option<u32>> = found.iter().map(|e| e.pid).collect();
    assert_eq!(pids, [Some(4300), Some(4242)]);
    assert_eq!(
        found[1].text,
        "stdout (pid 4242, started 10:01:02): System.InvalidOperationException: The ConnectionString property has not been initialized. -> the app failed at startup; fix the configuration it names"
    );
    assert!(found[0].reached_listening);
    assert!(
        found[0]
            .text
            .ends_with("-> the app did start (it logged `Now listening on:`), so this failure came later than startup: look at the request or the dependency it names"),
        "{}",
        found[0].text
    );
    // A pid the group's traces name picks its process alone.
    target.pids = vec![4242];
    let found = join(&logs, &[], &target, Zone::Utc);
    assert_eq!(found.len(), 1);
    assert_eq!(
        found[0].path.as_deref(),
        Some("stdout_20261118100102_4242.log")
    );
}

#[test]
fn the_create_failures_say_why_the_log_is_missing() {
    let v1 = create_failure(r"Warning: Could not create stdoutLogFile \\?\D:\home\site\wwwroot\logs\stdout_7576_20181188824.log, ErrorCode = -2147024893.").unwrap();
    assert_eq!(v1.hresult, Some(0x8007_0003));
    assert_eq!(
        v1.file,
        r"D:\home\site\wwwroot\logs\stdout_7576_20181188824.log"
    );
    assert_eq!(
        missing_text(&[v1.clone(), v1], None),
        r"no stdout log: 2 ANCM events say it could not be created (0x80070003), path not found: the folder D:\home\site\wwwroot\logs does not exist; create it (ANCM V1 does not), then restart the app to get the log"
    );
    let denied = create_failure(r#"Could not start stdout file redirection to '.\logs\stdout' with application base 'C:\inetpub\shop\'. create_directories: Access is denied.: "C:\inetpub\shop\.\logs"."#).unwrap();
    assert_eq!(denied.file, r".\logs\stdout");
    assert!(
        missing_text(&[denied], None)
            .contains("access denied: the pool identity cannot write .\\logs")
    );
    let other = CreateFailure {
        file: "x".into(),
        hresult: Some(0x8007_0020),
        reason: None,
    };
    assert_eq!(
        missing_text(&[other], None),
        "no stdout log: an ANCM event says x could not be created: 0x80070020; fix that, then restart the app to get the log"
    );
    assert_eq!(create_failure("Application started."), None);

    let off = StdoutSetting {
        enabled: false,
        file: r".\logs\stdout".into(),
    };
    assert!(missing_text(&[], Some(&off)).starts_with("no stdout log: web.config turns it off"));
    assert!(missing_text(&[], None).contains("stdoutLogEnabled=\"true\""));
}

#[test]
fn the_report_counts_startup_failures() {
    let mut logs = StdoutSummary::default();
    logs.add(entry("stdout_20261118100102_4242.log", STARTUP, None));
    logs.add(entry("stdout_20261118100500_4300.log", LATER, None));
    logs.add(entry("stdout_20261118100600_4400.log", "hello\n", None));
    let r = report(&logs, Zone::Utc).unwrap();
    assert_eq!(
        (r.logs, r.failed_at_startup, r.failed_after_start),
        (3, 1, 1)
    );
    assert_eq!(
        r.text,
        "3 stdout logs: 1 process failed at startup, 1 failed after it started"
    );
    assert_eq!(
        r.startup,
        [
            "pid 4242, started 10:01:02: System.InvalidOperationException: The ConnectionString property has not been initialized. (stdout_20261118100102_4242.log)"
        ]
    );
    assert!(report(&StdoutSummary::default(), Zone::Utc).is_none());
}

/// The eight ANCM V1 1004 events of the corpus: the `logs` folder did not exist.
#[test]
fn the_corpus_create_failures() {
    let Some(path) = crate::input::corpus::path("events/crescent-frontend__eventlog.xml") else {
        return;
    };
    let bytes = std::fs::read(path).unwrap();
    let mut events = Vec::new();
    crate::input::eventlog::read_xml(&bytes[..], |e| events.push(e)).unwrap();
    let target = Target {
        first: None,
        last: None,
        servers: &[],
        pids: Vec::new(),
    };
    let failures = create_failures(&events, &target);
    assert_eq!(failures.len(), 8);
    assert!(failures.iter().all(|f| f.hresult == Some(0x8007_0003)));
    assert!(
        failures
            .iter()
            .all(|f| folder(&f.file) == r"D:\home\site\wwwroot\logs")
    );
    let pids: Vec<u32> = failures
        .iter()
        .filter_map(|f| parse_name(f.file.rsplit('\\').next()?).map(|n| n.pid))
        .collect();
    assert_eq!(pids, [7576, 7576, 7576, 7576, 11868, 11868, 11868, 11868]);
}

#[test]
fn the_web_config_setting_counts_only_where_the_apps_agree() {
    use crate::input::config::AspNetCore;
    use crate::summary::config::{ConfigSummary, Sourced};
    let element = |enabled: Option<bool>| Sourced {
        file: "web.config".into(),
        item: AspNetCore {
            stdout_log_enabled: enabled,
            ..AspNetCore::default()
        },
    };
    let mut config = ConfigSummary::default();
    assert_eq!(setting_of(&config), None);
    config.asp_net_core.push(element(None));
    let off = StdoutSetting {
        enabled: false,
        file: ".\\logs\\stdout".into(),
    };
    // Left out, stdoutLogEnabled is false, as ANCM reads it.
    assert_eq!(setting_of(&config), Some(off.clone()));
    config.asp_net_core.push(element(Some(false)));
    assert_eq!(setting_of(&config), Some(off));
    config.asp_net_core.push(element(Some(true)));
    assert_eq!(setting_of(&config), None);
}
