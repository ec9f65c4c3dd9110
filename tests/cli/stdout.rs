//! Issue 17: ASP.NET Core Module stdout logs beside the W3C logs: the log of the process that
//! failed at startup is joined to the 500.30 group, one that started and failed later to
//! the 500.0 group; App Service's ANCM 1018 events stand in for a missing log, and ANCM's
//! create failures say why a log is missing.

use super::*;

const W3C: &str = "#Software: Microsoft Internet Information Services 10.0\r\n#Version: 1.0\r\n#Fields: date time cs-method cs-uri-stem s-port c-ip sc-status sc-substatus sc-win32-status time-taken\r\n";

/// A W3C log (named for `day`) with `code` failures at each of `times`.
fn w3c(dir: &Path, day: &str, lines: &[(&str, &str)]) {
    let mut log = W3C.to_string();
    for (time, code) in lines {
        let (status, sub) = code.split_once('.').unwrap();
        log.push_str(&format!(
            "{time} GET / 443 10.0.0.5 {status} {sub} 0 15\r\n"
        ));
    }
    std::fs::write(dir.join(format!("u_ex{day}.log")), log).unwrap();
}

fn group<'a>(v: &'a Value, code: &str) -> &'a Value {
    v["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["code"] == code)
        .unwrap_or_else(|| panic!("no group {code}"))
}

/// The shop: 500.0 while pid 3100 ran (it had started, then failed on a login), 500.30 once
/// pid 4242 could not read its connection string.
fn shop() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("logs");
    std::fs::create_dir(&logs).unwrap();
    for name in [
        "stdout_20261118100102_4242.log",
        "stdout_20261118094500_3100.log",
    ] {
        std::fs::copy(repo(&format!("testdata/stdout/{name}")), logs.join(name)).unwrap();
    }
    w3c(
        dir.path(),
        "261118",
        &[
            ("2026-11-18 09:46:10", "500.0"),
            ("2026-11-18 09:52:10", "500.0"),
            ("2026-11-18 10:01:03", "500.30"),
            ("2026-11-18 10:01:40", "500.30"),
            ("2026-11-18 10:02:20", "500.30"),
        ],
    );
    dir
}

#[test]
fn the_startup_exception_joins_the_500_30_group() {
    let dir = shop();
    let path = dir.path().display().to_string();
    let v = json_of(&["scan", &path, "--format", "json"]);
    let g = group(&v, "500.30.0");
    let so = g["stdout"].as_array().unwrap();
    assert_eq!(so.len(), 1, "{so:?}");
    assert_eq!(so[0]["pid"], 4242);
    assert_eq!(so[0]["source"], "file");
    assert_eq!(so[0]["started"], "2026-11-18T10:01:02Z");
    assert_eq!(so[0]["form"], "unhandled");
    assert_eq!(so[0]["exception"], "System.InvalidOperationException");
    assert_eq!(so[0]["reached_listening"], false);
    assert_eq!(
        so[0]["frame"],
        "Microsoft.Data.SqlClient.SqlConnection.PermissionDemand()"
    );
    assert!(
        so[0]["path"]
            .as_str()
            .unwrap()
            .ends_with("stdout_20261118100102_4242.log")
    );
    assert!(g["stdout_missing"].is_null());

    let later = &group(&v, "500.0.0")["stdout"];
    assert_eq!(later.as_array().unwrap().len(), 1);
    assert_eq!(later[0]["pid"], 3100);
    assert_eq!(later[0]["reached_listening"], true);
    assert_eq!(later[0]["exception"], "System.Data.SqlClient.SqlException");

    assert_eq!(v["stdout"]["logs"], 2);
    assert_eq!(v["stdout"]["failed_at_startup"], 1);
    assert_eq!(v["stdout"]["failed_after_start"], 1);
    let kinds: Vec<&str> = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["stdout", "stdout", "w3c"]);

    let out = iisdiag().args(["scan", &path]).output().unwrap();
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(
        table.contains("  stdout: stdout (pid 4242, started 10:01:02): System.InvalidOperationException: The ConnectionString property has not\n    been initialized."),
        "{table}"
    );
    assert!(
        table.contains("-> the app failed at\n    startup; fix the configuration it names"),
        "{table}"
    );
    assert!(table.contains("the app did start (it logged `Now listening on:`), so this failure came later than startup"), "{table}");
    assert!(
        table.contains("ASP.NET Core stdout logs:\n  2 stdout logs: 1 process failed at startup, 1 failed after it started\n  - pid 4242"),
        "{table}"
    );
    let out = iisdiag()
        .args(["scan", &path, "--format", "markdown"])
        .output()
        .unwrap();
    let md = String::from_utf8(out.stdout).unwrap();
    assert!(
        md.contains("- **stdout:** stdout (pid 4242, started 10:01:02)"),
        "{md}"
    );
    assert!(md.contains("## ASP.NET Core stdout logs"), "{md}");
}

#[test]
fn a_secret_in_the_exception_never_reaches_the_output() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("stdout_20261118100102_77.log"),
        "Unhandled exception. System.ArgumentException: Keyword not supported: 'Server=db;User ID=sa;Password=hunter2;\x1b[2J'.\n   at X.Y()\n",
    )
    .unwrap();
    w3c(dir.path(), "261118", &[("2026-11-18 10:01:05", "500.30")]);
    let path = dir.path().display().to_string();
    for format in ["table", "json", "markdown", "html"] {
        let args: &[&str] = if format == "html" {
            &["--html", "-"]
        } else {
            &["--format", format]
        };
        let out = iisdiag().args(["scan", &path]).args(args).output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            !text.contains("hunter2") && !text.contains("User ID=sa"),
            "{format}: {text}"
        );
        // Markdown escapes the stars.
        assert!(
            text.contains("Password=***") || text.contains(r"Password=\*\*\*"),
            "{format}: {text}"
        );
        assert!(!text.contains('\x1b'), "{format}");
    }
}

#[test]
fn a_saved_summary_carries_the_stdout_logs_into_merge() {
    let dir = shop();
    let path = dir.path().display().to_string();
    let (direct, merged) = direct_and_merged(&path);
    assert_eq!(merged["stdout"], direct["stdout"]);
    assert_eq!(
        group(&merged, "500.30.0")["stdout"],
        group(&direct, "500.30.0")["stdout"]
    );
}

#[test]
fn since_keeps_the_processes_started_shortly_before() {
    let dir = shop();
    let path = dir.path().display().to_string();
    // 09:45:00 is more than 10 minutes before 10:00; 10:01:02 is in range.
    let v = json_of(&[
        "scan",
        &path,
        "--format",
        "json",
        "--since",
        "2026-11-18 10:00",
    ]);
    assert_eq!(v["stdout"]["logs"], 1);
    let v = json_of(&[
        "scan",
        &path,
        "--format",
        "json",
        "--since",
        "2026-11-18 09:50",
    ]);
    assert_eq!(v["stdout"]["logs"], 2);
}

#[test]
fn a_500_30_group_without_a_log_says_how_to_get_one() {
    let dir = tempfile::tempdir().unwrap();
    w3c(dir.path(), "261118", &[("2026-11-18 10:01:05", "500.30")]);
    let v = json_of(&[
        "scan",
        &dir.path().display().to_string(),
        "--format",
        "json",
    ]);
    let g = group(&v, "500.30.0");
    assert_eq!(g["stdout"].as_array().unwrap().len(), 0);
    assert!(
        g["stdout_missing"]
            .as_str()
            .unwrap()
            .starts_with("no stdout log for this process is in the input; to get one, set stdoutLogEnabled=\"true\""),
        "{g}"
    );
    assert!(v["stdout"].is_null());
}

#[test]
fn a_web_config_that_turns_the_log_off_is_named_as_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    w3c(dir.path(), "261118", &[("2026-11-18 10:01:05", "500.30")]);
    let web_config = r#"<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <location path="." inheritInChildApplications="false">
    <system.webServer>
      <aspNetCore processPath="dotnet" arguments=".\Shop.dll" stdoutLogEnabled="false" stdoutLogFile=".\logs\stdout" hostingModel="inprocess" />
    </system.webServer>
  </location>
</configuration>
"#;
    std::fs::write(dir.path().join("web.config"), web_config).unwrap();
    let v = json_of(&[
        "scan",
        &dir.path().display().to_string(),
        "--format",
        "json",
    ]);
    let g = group(&v, "500.30.0");
    assert_eq!(
        g["stdout_missing"],
        "no stdout log: web.config turns it off (stdoutLogEnabled=\"false\", stdoutLogFile=\".\\logs\\stdout\"); set stdoutLogEnabled=\"true\" while you look, and make sure the folder exists",
        "{g}"
    );
}

/// App Service's ANCM 1018 events carry the app's output: the 500.30 burst of 2026-04-06
/// 22:20-22:41 gets the five processes that crashed in its window, latest first.
#[test]
fn corpus_ancm_1018_events_stand_in_for_the_stdout_log() {
    let Some(corpus) = corpus() else { return };
    let events = corpus.join("events/WinterIntex4-5__eventlog.xml");
    let dir = tempfile::tempdir().unwrap();
    let times: Vec<String> = (21..=41).map(|m| format!("2026-04-06 22:{m}:00")).collect();
    let lines: Vec<(&str, &str)> = times.iter().map(|t| (t.as_str(), "500.30")).collect();
    w3c(dir.path(), "260406", &lines);
    let v = json_of(&[
        "scan",
        &dir.path().display().to_string(),
        events.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let so = group(&v, "500.30.0")["stdout"].as_array().unwrap().clone();
    let pids: Vec<u64> = so.iter().map(|e| e["pid"].as_u64().unwrap()).collect();
    assert_eq!(pids, [10868, 13320, 10212, 10608, 12352]);
    assert!(
        so.iter()
            .all(|e| e["source"] == "event" && e["path"].is_null())
    );
    assert!(so.iter().all(|e| e["reached_listening"] == false));
    let kinds: Vec<&str> = so
        .iter()
        .map(|e| e["exception"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "System.InvalidOperationException",
            "System.InvalidOperationException",
            "System.InvalidOperationException",
            "System.InvalidOperationException",
            "System.ArgumentException"
        ]
    );
    assert!(
        so[4]["text"].as_str().unwrap().starts_with("ANCM 1018 (pid 12352, at 22:20:08): System.ArgumentException: Connection string keyword 'server' is not supported."),
        "{}",
        so[4]["text"]
    );
    assert!(group(&v, "500.30.0")["stdout_missing"].is_null());
    assert!(v["stdout"].is_null(), "no stdout log file was read");
}

/// The eight ANCM V1 1004 events of 2018-11-08 08:08-08:09: `logs` did not exist.
#[test]
fn corpus_ancm_1004_events_say_why_the_stdout_log_is_missing() {
    let Some(corpus) = corpus() else { return };
    let events = corpus.join("events/crescent-frontend__eventlog.xml");
    let dir = tempfile::tempdir().unwrap();
    w3c(
        dir.path(),
        "181108",
        &[
            ("2018-11-08 08:08:25", "502.5"),
            ("2018-11-08 08:09:12", "502.5"),
        ],
    );
    let v = json_of(&[
        "scan",
        &dir.path().display().to_string(),
        events.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let g = group(&v, "502.5.0");
    assert_eq!(g["stdout"].as_array().unwrap().len(), 0);
    assert_eq!(
        g["stdout_missing"],
        "no stdout log: 8 ANCM events say it could not be created (0x80070003), path not found: the folder D:\\home\\site\\wwwroot\\logs does not exist; create it (ANCM V1 does not), then restart the app to get the log"
    );
}
