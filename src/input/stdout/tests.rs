use super::*;

fn read(text: &[u8]) -> (StdoutLog, Stats) {
    read_stdout(text).unwrap()
}

#[test]
fn both_name_forms_give_the_pid_and_start() {
    let v2 = parse_name("stdout_20261118100102_4242.log").unwrap();
    assert_eq!(
        (v2.prefix.as_str(), v2.pid, v2.form),
        ("stdout", 4242, "v2")
    );
    assert_eq!(
        v2.started.map(time::format_rfc3339).as_deref(),
        Some("2026-11-18T10:01:02Z")
    );
    // A `stdoutLogFile` of `.\logs\shop_app` keeps its own prefix, underscores and all.
    let named = parse_name("shop_app_20260101000000_7.LOG").unwrap();
    assert_eq!((named.prefix.as_str(), named.pid), ("shop_app", 7));

    // V1, unpadded: 2018 11 8 8 8 24 or 2018 1 18 8 8 24: the pid only.
    let v1 = parse_name("stdout_7576_20181188824.log").unwrap();
    assert_eq!((v1.pid, v1.form, v1.started), (7576, "v1", None));
    // Only one reading: 2018-12-25 23:59:59.
    let v1 = parse_name("stdout_11868_20181225235959.log").unwrap();
    assert_eq!(
        v1.started.map(time::format_rfc3339).as_deref(),
        Some("2018-12-25T23:59:59Z")
    );

    for not in [
        "stdout.log",
        "stdout_4242.log",
        "u_ex261118.log",
        "_20261118100102_4242.log",
        "stdout_20261318100102_4242.log",
        "stdout_20261118100102_0.log",
        "stdout_20261118100102_4242.txt",
        "stdout_20261118100102_99999999999.log",
        "x_\u{e9}_1.log",
        "",
    ] {
        assert_eq!(parse_name(not), None, "{not}");
    }
}

#[test]
fn an_unhandled_exception_at_startup() {
    let bytes = include_bytes!("../../../testdata/stdout/stdout_20261118100102_4242.log");

    assert!(looks_like_stdout(bytes));
    let (log, stats) = read(bytes);
    assert_eq!((log.lines, stats.lines, stats.malformed), (9, 9, 0));
    assert!(!log.listening && !log.shutdown);
    assert_eq!(log.failures, 1);
    let f = log.failure.unwrap();
    assert_eq!(f.form, "unhandled");
    assert_eq!(f.line, 3);
    assert_eq!(
        f.exception.as_deref(),
        Some("System.InvalidOperationException")
    );
    assert!(
        f.message
            .starts_with("The ConnectionString property has not been initialized.")
    );
    assert!(f.message.contains("'DefaultConnection'"));
    assert_eq!(
        f.frame.as_deref(),
        Some("Microsoft.Data.SqlClient.SqlConnection.PermissionDemand()")
    );
}

#[test]
fn a_fail_entry_after_the_app_started() {
    let bytes = include_bytes!("../../../testdata/stdout/stdout_20261118094500_3100.log");
    let (log, _) = read(bytes);
    assert!(log.listening && log.shutdown);
    let f = log.failure.unwrap();
    assert_eq!(f.form, "fail");
    assert_eq!(
        f.category.as_deref(),
        Some("Microsoft.AspNetCore.Server.Kestrel[13]")
    );
    assert_eq!(
        f.exception.as_deref(),
        Some("System.Data.SqlClient.SqlException")
    );
    assert_eq!(f.message, "Login failed for user 'shop_web'.");
    assert!(
        f.frame
            .unwrap()
            .starts_with("System.Data.SqlClient.SqlInternalConnectionTds..ctor(")
    );
    assert_eq!(f.line, 9);
}

#[test]
fn inner_exceptions_and_messages_of_several_lines() {
    let text = "Unhandled Exception: System.AggregateException: One or more errors occurred.\nSecond line of the message.\n ---> System.IO.FileNotFoundException: Could not find file 'C:\\app\\appsettings.json'.\n   at System.IO.FileStream.ValidateFileHandle()\n   --- End of inner exception stack trace ---\n";
    let log = scan_text(text);
    let f = log.failure.unwrap();
    assert_eq!(f.exception.as_deref(), Some("System.AggregateException"));
    assert_eq!(
        f.message,
        "One or more errors occurred. Second line of the message."
    );
    assert_eq!(
        f.inner.as_deref(),
        Some("System.IO.FileNotFoundException: Could not find file 'C:\\app\\appsettings.json'.")
    );
    assert_eq!(
        f.frame.as_deref(),
        Some("System.IO.FileStream.ValidateFileHandle()")
    );
}

#[test]
fn an_unhandled_exception_outranks_earlier_fail_and_crit_entries() {
    let text = "fail: A.B[1]\n      first\ncrit: C.D[2]\n      second\nUnhandled exception. System.Exception: third\n";
    let log = scan_text(text);
    assert_eq!(log.failures, 3);
    assert_eq!(log.failure.unwrap().message, "third");
    let log = scan_text("fail: A.B[1]\n      first\ncrit: C.D[2]\n      second\n");
    let f = log.failure.unwrap();
    assert_eq!((f.form.as_str(), f.message.as_str()), ("crit", "second"));
}

#[test]
fn connection_strings_are_masked() {
    let log = scan_text(
        "Unhandled exception. System.ArgumentException: Format of the initialization string does not conform to specification starting at index 0: 'Server=db;Password=hunter2'\n",
    );
    let f = log.failure.unwrap();
    assert!(!f.message.contains("hunter2"), "{}", f.message);
    assert!(f.message.contains("Password=***"));
}

#[test]
fn content_without_a_name() {
    assert!(looks_like_stdout(b"\xEF\xBB\xBF\r\ninfo: Microsoft.Hosting.Lifetime[14]\r\n      Now listening on: http://localhost:5000\r\n"));
    assert!(looks_like_stdout(
        b"Unhandled exception. System.Exception: x\n"
    ));
    assert!(!looks_like_stdout(b"info: the service started\n"));
    assert!(!looks_like_stdout(b"information: A.B[1]\n"));
    assert!(!looks_like_stdout(
        b"#Software: Microsoft Internet Information Services 10.0\n"
    ));
    assert!(!looks_like_stdout(b""));
}

#[test]
fn hostile_bytes_empty_and_truncated_files() {
    let (log, stats) = read(b"");
    assert_eq!((log.lines, log.failure, stats.records), (0, None, 1));

    // Invalid UTF-8, escapes and NULs stay text; nothing panics; sizes are capped.
    let mut hostile = b"Unhandled exception. System.\xFF\x1b[31mX: \x00boom ".to_vec();
    hostile.extend(std::iter::repeat_n(b'\xE9', 5000));
    hostile.extend_from_slice(b"\n   at \x1b]0;title\x07 ");
    hostile.extend(std::iter::repeat_n(b'a', 5000));
    let (log, _) = read(&hostile);
    let f = log.failure.unwrap();
    assert!(f.message.len() <= MESSAGE_MAX && f.frame.unwrap().len() <= FRAME_MAX);

    // Cut off mid-frame: the block read so far, and a note.
    let (log, stats) = read(b"crit: Microsoft.AspNetCore.Hosting.Diagnostics[6]\n      Application startup exception\n      System.IO.IOException: Failed to bind to address http://127.0.0.1:5000: address already in use.\n         at Microsoft.AspNetCore.Ser");
    let f = log.failure.unwrap();
    assert_eq!(f.exception.as_deref(), Some("System.IO.IOException"));
    assert_eq!(f.frame.as_deref(), Some("Microsoft.AspNetCore.Ser"));
    assert!(
        stats.notes.iter().any(|n| n.contains("no line end")),
        "{:?}",
        stats.notes
    );

    for bytes in [
        &b"fail:"[..],
        b"fail: ",
        b"crit: \n \n",
        b"Unhandled exception.",
        b"   at x\n ---> \n",
    ] {
        let _ = read(bytes);
        let _ = looks_like_stdout(bytes);
    }
}

/// The captured output in the corpus's ANCM 1018 events, read as a stdout log.
#[test]
fn the_corpus_ancm_events_captured_output() {
    let Some(path) = crate::input::corpus::path("events/WinterIntex4-5__eventlog.xml") else {
        return;
    };
    let bytes = std::fs::read(path).unwrap();
    let mut captured = Vec::new();
    crate::input::eventlog::read_xml(&bytes[..], |e| {
        if e.id == 1018 && e.provider == "IIS AspNetCore Module V2" {
            let text = e.nth(0).unwrap_or_default();
            let out = text.split_once("stderr logs:").map_or("", |(_, o)| o);
            captured.push(out.trim_start().to_string());
        }
    })
    .unwrap();
    assert_eq!(captured.len(), 10);
    let starts_with_fail = captured
        .iter()
        .filter(|c| c.starts_with("fail: Microsoft.EntityFrameworkCore.Database.Command[20102]"))
        .count();
    assert_eq!(starts_with_fail, 1);
    let logs: Vec<StdoutLog> = captured.iter().map(|c| scan_text(c)).collect();
    let kind = |k: &str| {
        logs.iter()
            .filter(|l| l.failure.as_ref().and_then(|f| f.exception.as_deref()) == Some(k))
            .count()
    };
    assert!(
        logs.iter()
            .all(|l| l.failure.as_ref().is_some_and(|f| f.form == "unhandled"))
    );
    assert_eq!(kind("System.InvalidOperationException"), 8);
    assert_eq!(kind("System.ArgumentException"), 1);
    assert_eq!(kind("Microsoft.Data.Sqlite.SqliteException"), 1);
    assert!(logs.iter().all(|l| !l.listening));
    // The event that starts with `fail:` had two failed entries before it crashed.
    let first = &logs[0];
    assert_eq!(first.failures, 3);
    let f = first.failure.as_ref().unwrap();
    assert_eq!(f.message, "SQLite Error 1: 'no such table: AspNetRoles'.");
    assert_eq!(
        f.frame.as_deref(),
        Some("Microsoft.Data.Sqlite.SqliteException.ThrowExceptionForRC(Int32 rc, sqlite3 db)")
    );
}
