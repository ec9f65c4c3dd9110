//! Issue 17: an ASP.NET Core Module debug log beside the W3C logs: its session joins the
//! 500.30 group of the same minutes (table and JSON), logs without times join with a note,
//! the filters keep what they should, and a saved summary carries the sessions into merge.

use super::*;

const W3C: &str = "#Software: Microsoft Internet Information Services 10.0\r\n#Version: 1.0\r\n#Date: 2026-11-18 12:00:00\r\n#Fields: date time s-sitename s-computername cs-method cs-uri-stem s-port c-ip sc-status sc-substatus sc-win32-status time-taken\r\n";

/// A W3C log of `code` failures at `hour`:10-12 on WEB01, beside a copy of `debug`.
fn site(code: (u16, u32), hour: u32, debug: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let mut log = W3C.to_string();
    for m in 10..13 {
        for s in [5, 25, 45] {
            log.push_str(&format!(
                "2026-11-18 {hour:02}:{m:02}:{s:02} W3SVC2 WEB01 GET /cart 443 10.0.0.9 {} {} 0 3\r\n",
                code.0, code.1
            ));
        }
    }
    std::fs::write(dir.path().join("u_ex261118.log"), log).unwrap();
    let name = debug.file_name().unwrap();
    std::fs::copy(debug, dir.path().join(name)).unwrap();
    dir
}

fn written() -> PathBuf {
    repo("testdata/ancm/aspnetcore-debug.log")
}

fn scan(dir: &Path, extra: &[&str]) -> Value {
    let mut args = vec![dir.to_str().unwrap()];
    args.extend_from_slice(extra);
    scan_json(&args)
}

#[test]
fn a_debug_log_of_the_same_minutes_joins_the_500_30_group() {
    let dir = site((500, 30), 12, &written());
    let v = scan(dir.path(), &[]);
    let g = group(&v, "500.30.0");
    let sessions = g["ancm_debug"].as_array().unwrap();
    assert_eq!(sessions.len(), 1, "{sessions:?}");
    let s = &sessions[0];
    assert_eq!(s["joined_by"], "time");
    assert_eq!(s["pid"], 6120);
    assert_eq!(s["hosting"], "in-process");
    assert_eq!(s["first"], "2026-11-18T12:10:04.101Z");
    assert_eq!(s["app_path"], "C:\\inetpub\\shop\\");
    assert_eq!(
        s["hostfxr"],
        "C:\\Program Files\\dotnet\\host\\fxr\\8.0.11\\hostfxr.dll"
    );
    assert_eq!(s["dotnet"], "C:\\Program Files\\dotnet\\dotnet.exe");
    assert_eq!(s["is_x64"], true);
    assert_eq!(s["failures"].as_array().unwrap().len(), 3);
    assert_eq!(s["failures"][0]["code"], "0x8007023E");
    assert_eq!(s["failures"][0]["name"], "ERROR_UNHANDLED_EXCEPTION");
    assert_eq!(
        s["modules"],
        serde_json::json!([
            "aspnetcorev2.dll 19.0.24303.0",
            "aspnetcorev2_inprocess.dll 18.0.24303.11"
        ])
    );
    assert_eq!(s["shutdown"].as_array().unwrap().len(), 9);
    assert_eq!(s["shutdown"][8], "Stopping file watching.");
    assert!(s["findings"].as_array().unwrap().iter().any(|f| {
        f.as_str()
            .unwrap()
            .contains("CLR worker thread exited prematurely")
    }));
    assert_eq!(v["ancm_debug"]["sessions"].as_array().unwrap().len(), 1);

    // The table shows the session under the group, and the section at the end.
    let out = iisdiag()
        .args(["scan", dir.path().to_str().unwrap()])
        .output()
        .unwrap();
    let table = String::from_utf8(out.stdout).unwrap();
    let at_group = table.find("500.30").unwrap();
    let at_session = table.find("ANCM debug log").unwrap();
    let at_section = table.find("ASP.NET Core Module debug logs:").unwrap();
    assert!(at_group < at_session && at_session < at_section, "{table}");
    assert!(table.contains("0x8007023E (ERROR_UNHANDLED_EXCEPTION) at dllmain.cpp:131"));
    assert!(table.contains("(process 6120, 2026-11-18 12:10:04-12:10:41)"));
}

#[test]
fn a_debug_log_of_other_hours_joins_nothing() {
    let dir = site((500, 30), 15, &written());
    let v = scan(dir.path(), &[]);
    assert!(
        group(&v, "500.30.0")["ancm_debug"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    // Not an ANCM code: never joined.
    let dir = site((500, 19), 12, &written());
    let v = scan(dir.path(), &[]);
    assert!(
        group(&v, "500.19.0")["ancm_debug"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert_eq!(v["ancm_debug"]["sessions"].as_array().unwrap().len(), 1);
}

#[test]
fn since_drops_a_timed_session_and_keeps_an_untimed_one() {
    let Some(corpus) = corpus() else { return };
    let old = corpus.join("ancm/aspnetcore__issue24428_aspnetcore-debug.log");
    let dir = site((500, 30), 12, &written());
    std::fs::copy(&old, dir.path().join("old-debug.log")).unwrap();
    let v = scan(dir.path(), &["--since", "2026-11-18T12:11:00Z"]);
    let sessions = v["ancm_debug"]["sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 1, "{sessions:?}");
    assert_eq!(sessions[0]["pid"], 8456);
    let joined = group(&v, "500.30.0")["ancm_debug"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(joined.len(), 1);
    assert_eq!(joined[0]["joined_by"], "untimed");
    assert!(
        joined[0]["text"]
            .as_str()
            .unwrap()
            .contains("no times: cannot be placed in time")
    );
}

#[test]
fn the_real_samples_join_a_502_5_group_without_times() {
    let Some(corpus) = corpus() else { return };
    let dir = site(
        (502, 5),
        12,
        &corpus.join("ancm/aspnetcore__issue11885_ancm.log"),
    );
    for name in [
        "aspnetcore__issue24428_aspnetcore-debug.log",
        "aspnetcore__issue58939_ancm-debug.log",
    ] {
        std::fs::copy(corpus.join("ancm").join(name), dir.path().join(name)).unwrap();
    }
    let out = iisdiag()
        .args(["scan", dir.path().to_str().unwrap(), "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.matches("ends mid-startup").count(), 3, "{stderr}");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let files = v["files"].as_array().unwrap();
    assert_eq!(files.iter().filter(|f| f["kind"] == "ancmdebug").count(), 3);
    assert_eq!(v["ancm_debug"]["sessions"].as_array().unwrap().len(), 3);
    // The two old-format sessions cannot be placed in time; the 2024 one is of other days.
    let joined = group(&v, "502.5.0")["ancm_debug"]
        .as_array()
        .unwrap()
        .clone();
    let pids: Vec<u64> = joined.iter().map(|s| s["pid"].as_u64().unwrap()).collect();
    assert_eq!(pids, [492, 8456]);
    assert!(joined.iter().all(|s| s["joined_by"] == "untimed"));
    let bitness = v["ancm_debug"]["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["pid"] == 64988)
        .unwrap();
    assert_eq!(bitness["is_x64"], false);
    assert!(
        bitness["findings"][0]
            .as_str()
            .unwrap()
            .starts_with("The worker process is 32-bit (isX64=0")
    );
}

#[test]
fn hostile_text_in_a_debug_log_is_guarded_in_every_writer() {
    let dir = tempfile::tempdir().unwrap();
    let log = "[2026-11-18T12:10:04.101Z, PID: 7] [aspnetcorev2.dll] Resolving hostfxr parameters for application: 'dotnet' arguments: 'x.dll --db \"Password=s3cret\"' path: 'C:\\<script>alert(1)</script>\\\x1b[2J|*x*|'\n";
    std::fs::write(dir.path().join("aspnetcore-debug.log"), log).unwrap();
    let path = dir.path().to_str().unwrap();
    let page = dir.path().join("report.html");
    for format in ["table", "markdown", "html", "json"] {
        let mut cmd = iisdiag();
        cmd.args(["scan", path]);
        if format == "html" {
            cmd.arg("--html").arg(&page);
        } else {
            cmd.args(["--format", format]);
        }
        let out = cmd.output().unwrap();
        assert!(out.status.success(), "{format}");
        let text = if format == "html" {
            std::fs::read_to_string(&page).unwrap()
        } else {
            String::from_utf8(out.stdout).unwrap()
        };
        assert!(!text.contains('\x1b'), "{format}: {text}");
        assert!(!text.contains("s3cret"), "{format}");
        // Markup is text in HTML and Markdown (escaped with a backslash there); on a
        // terminal it is only characters.
        if format == "html" || format == "markdown" {
            let unescaped = text.replace("\\<", "");
            assert!(!unescaped.contains("<script>"), "{format}: {text}");
        }
    }
}

#[test]
fn a_saved_summary_carries_the_sessions_into_merge() {
    let dir = site((500, 30), 12, &written());
    let saved = tempfile::tempdir().unwrap();
    let file = saved.path().join("shop.json");
    iisdiag()
        .args(["scan", dir.path().to_str().unwrap(), "-q", "--save-summary"])
        .arg(&file)
        .assert()
        .success();
    let direct = scan(dir.path(), &[]);
    let out = iisdiag()
        .args(["merge", file.to_str().unwrap(), "--format", "json"])
        .output()
        .unwrap();
    let merged: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(merged["ancm_debug"], direct["ancm_debug"]);
    assert_eq!(
        group(&merged, "500.30.0")["ancm_debug"],
        group(&direct, "500.30.0")["ancm_debug"]
    );
}

#[test]
fn explain_reads_a_debug_log_from_a_file_or_standard_input() {
    let out = iisdiag()
        .args(["explain", "--ancm", "-"])
        .write_stdin(std::fs::read(written()).unwrap())
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("ASP.NET Core Module debug log standard input: 1 process session(s)"));
    assert!(text.contains(
        "    Failed HRESULT 0x8007023E ERROR_UNHANDLED_EXCEPTION at D:\\a\\_work\\1\\s\\src\\Servers\\IIS\\AspNetCoreModuleV2\\InProcessRequestHandler\\dllmain.cpp:131\n"
    ));
    assert!(text.contains("    Shutdown: Stopping file watching.\n"));

    let out = iisdiag()
        .args(["explain", "--format", "json", "--ancm"])
        .arg(written())
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["sessions"][0]["pid"], 6120);
    assert_eq!(
        v["sessions"][0]["failures"][0]["location"],
        "D:\\a\\_work\\1\\s\\src\\Servers\\IIS\\AspNetCoreModuleV2\\InProcessRequestHandler\\dllmain.cpp:131"
    );
    assert!(v["notes"].as_array().unwrap().is_empty());

    // Not such a log, or CSV: refused with the reason, exit code 2.
    let out = iisdiag()
        .args(["explain", "--ancm"])
        .arg(repo("testdata/legacy/ex031118.log"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not an ASP.NET Core Module debug log"));
    let out = iisdiag()
        .args(["explain", "--format", "csv", "--ancm"])
        .arg(written())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn explain_tells_the_real_samples() {
    let Some(corpus) = corpus() else { return };
    let out = iisdiag()
        .args(["explain", "--format", "json", "--ancm"])
        .arg(corpus.join("ancm/aspnetcore__issue11885_ancm.log"))
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let s = &v["sessions"][0];
    assert_eq!(s["pid"], 492);
    assert_eq!(s["modules"][0], "aspnetcorev2.dll 12.2.19109.5");
    assert_eq!(s["dotnet"], "C:\\Program Files\\dotnet\\dotnet.exe");
    assert_eq!(s["is_x64"], true);
    assert_eq!(s["last_step"], "Binary type 6");
    assert_eq!(
        s["findings"][0],
        "where.exe found 2 dotnet.exe; the module took C:\\Program Files\\dotnet\\dotnet.exe, the first of the worker process's bitness (64-bit)."
    );
    let notes = v["notes"].as_array().unwrap();
    assert_eq!(notes.len(), 2, "{notes:?}");
}
