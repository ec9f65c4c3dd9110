//! Issue 15: nothing from a log can attack the person reading the report. A URL, a user
//! agent, a server name, an HTTP.sys reason or a FREB field is written by whoever sent the
//! request; these tests put terminal escapes, formulas and huge values there and check what
//! reaches the terminal, the CSV and the layout.

use std::fs;
use std::path::Path;

use super::*;

const ESC: char = '\u{1b}';

/// A folder of logs whose every field a client or a copier controls holds a terminal escape:
/// URLs, server, site, user agent (W3C), reason and queue (HTTP.sys), module and backend
/// (FREB, written as `&#x1b;` as an XML writer would), a malformed line's status, an XML
/// error, and a file name.
fn hostile_logs(dir: &Path) {
    let w3c_dir = dir.join("srv/W3SVC1");
    let err_dir = dir.join("srv/HTTPERR");
    let freb_dir = dir.join("srv/FailedReqLogFiles/W3SVC1");
    for d in [&w3c_dir, &err_dir, &freb_dir] {
        fs::create_dir_all(d).unwrap();
    }
    let urls = [
        format!("/title{ESC}]0;PWNED\u{7}"),
        format!("/clip{ESC}]52;c;ZXZpbA==\u{7}"),
        format!("/clear{ESC}[2J{ESC}[H"),
        "/bs\u{8}\u{8}\u{7f}".to_string(),
        "/bidi\u{202e}exe.txt\u{2066}".to_string(),
        format!("/link{ESC}]8;;http://evil.example/\u{7}click{ESC}]8;;\u{7}"),
        "/c1\u{9b}2J".to_string(),
    ];
    let mut w3c = String::from(
        "#Software: Microsoft Internet Information Services 10.0\n#Version: 1.0\n\
         #Fields: date time s-sitename s-computername s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken\n",
    );
    for (i, url) in urls.iter().enumerate() {
        w3c.push_str(&format!(
            "2026-11-18 10:0{i}:00 W3SVC1{ESC}]0;site\u{7} WEB{ESC}]0;srv\u{7} 10.0.0.1 GET {url} - 443 - 203.0.113.9 UA{ESC}[2J - 500 0 0 15\n"
        ));
    }
    w3c.push_str(&format!(
        "2026-11-18 10:09:00 W3SVC1 WEB01 10.0.0.1 GET /z - 443 - 203.0.113.9 UA - 5{ESC}]0;status\u{7} 0 0 15\n"
    ));
    fs::write(w3c_dir.join("u_ex261118.log"), &w3c).unwrap();
    fs::write(
        w3c_dir.join(format!("u_ex261119{ESC}]0;name\u{7}.log")),
        &w3c,
    )
    .unwrap();
    fs::write(
        err_dir.join("httperr1.log"),
        format!(
            "#Software: Microsoft HTTP API 2.0\n#Version: 1.0\n#Date: 2026-11-18 09:00:00\n\
             #Fields: date time c-ip c-port s-ip s-port cs-version cs-method cs-uri streamid sc-status s-siteid s-reason s-queuename\n\
             2026-11-18 10:01:00 203.0.113.20 59515 10.0.1.11 443 HTTP/1.1 GET /x{ESC}[2J - 503 1 AppOffline{ESC}]0;r\u{7} Pool{ESC}]0;q\u{7}\n"
        ),
    )
    .unwrap();
    let trace = fs::read_to_string(repo("testdata/freb/fr000101.xml")).unwrap();
    let trace = trace
        .replace(
            ">ApplicationRequestRouting<",
            ">=HYPERLINK(\"http://evil.example\")&#x1b;]0;freb&#x7;<",
        )
        .replace("app02.internal", "app02&#x1b;[2J.internal");
    fs::write(freb_dir.join("fr000001.xml"), &trace).unwrap();
    let at = trace.find("<Event ").unwrap();
    let broken = format!(
        "{}<Event{ESC}]0;xml\u{7}></Oops{ESC}[2J>{}",
        &trace[..at],
        &trace[at..]
    );
    fs::write(freb_dir.join("fr000002.xml"), broken).unwrap();
}

/// What a terminal would act on: C0 controls but the line break, DEL, C1 controls, bidi
/// controls. With `allow_colour`, iisdiag's own SGR colour sequences (`ESC[...m`) are taken
/// out first: the logs above hold no SGR sequence, so any left is the log's.
fn actionable(text: &str, allow_colour: bool) -> Vec<char> {
    let text = if allow_colour {
        regex::Regex::new("\u{1b}\\[[0-9;]*m")
            .unwrap()
            .replace_all(text, "")
            .into_owned()
    } else {
        text.to_string()
    };
    text.chars()
        .filter(|&c| {
            (c.is_control() && c != '\n')
                || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
        })
        .collect()
}

#[test]
fn terminal_escapes_from_logs_never_reach_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    hostile_logs(dir.path());
    let srv = dir.path().join("srv");
    let summary = dir.path().join("saved.json");
    let runs: Vec<(Vec<String>, bool)> = vec![
        (vec!["--color".into(), "never".into(), "scan".into()], false),
        (vec!["--color".into(), "always".into(), "scan".into()], true),
        (
            vec![
                "--color".into(),
                "always".into(),
                "scan".into(),
                "--timeline".into(),
                "--by".into(),
                "user-agent".into(),
            ],
            true,
        ),
        (vec!["scan".into(), "--by".into(), "server".into()], false),
    ];
    for (args, colour) in runs {
        let out = iisdiag()
            .args(&args)
            .arg(&srv)
            .args(["--save-summary"])
            .arg(&summary)
            .arg("--force")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
        assert_eq!(
            actionable(&stdout, colour),
            [],
            "{args:?} stdout:\n{stdout}"
        );
        assert_eq!(actionable(&stderr, false), [], "{args:?} stderr:\n{stderr}");
        // Shown, not dropped: the reader sees that the log holds an escape.
        assert!(stdout.contains("WEB\\x1b]0;srv\\x07"), "{stdout}");
        assert!(stdout.contains("\\u{202e}"), "{stdout}");
        assert!(
            stderr.contains("sc-status is `5\\x1b]0;status\\x07`"),
            "{stderr}"
        );
        assert!(
            stderr.contains("u_ex261119\\x1b]0;name\\x07.log"),
            "{stderr}"
        );
        assert!(stderr.contains("</Oops\\x1b[2J>"), "{stderr}");
    }
    for colour in ["never", "always"] {
        let out = iisdiag()
            .args(["--color", colour, "merge"])
            .arg(&summary)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(stdout.contains("WEB\\x1b]0;srv\\x07"), "{stdout}");
        assert_eq!(
            actionable(&stdout, colour == "always"),
            [],
            "merge:\n{stdout}"
        );
    }
    let out = iisdiag()
        .arg("freb")
        .arg(dir.path().join("srv/FailedReqLogFiles/W3SVC1"))
        .output()
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(stdout.contains("\\x1b]0;freb\\x07"), "{stdout}");
    assert_eq!(actionable(&stdout, false), [], "freb:\n{stdout}");
    assert_eq!(actionable(&stderr, false), [], "freb stderr:\n{stderr}");
}

#[test]
fn an_error_naming_a_hostile_path_shows_its_escapes() {
    let out = iisdiag()
        .args(["scan", &format!("nosuch{ESC}]0;title\u{7}")])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(actionable(&stderr, false), [], "{stderr}");
    assert!(
        stderr.contains("error: nothing readable was found in nosuch\\x1b]0;title\\x07"),
        "{stderr}"
    );
}

#[test]
fn csv_module_from_a_trace_is_formula_guarded() {
    let dir = tempfile::tempdir().unwrap();
    hostile_logs(dir.path());
    let traces = dir.path().join("srv/FailedReqLogFiles/W3SVC1/fr000001.xml");
    let out = iisdiag()
        .args(["scan", "--csv", "-"])
        .arg(&traces)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let mut rows = csv::Reader::from_reader(out.stdout.as_slice());
    let headers = rows.headers().unwrap().clone();
    let module = headers.iter().position(|h| h == "module").unwrap();
    let row = rows.records().next().unwrap().unwrap();
    assert!(
        row[module].starts_with("'=HYPERLINK("),
        "{:?}",
        &row[module]
    );
    for cell in row.iter() {
        assert!(!cell.starts_with(['=', '+', '-', '@']), "{cell:?}");
    }
}

/// An HTTPERR log of one line whose `s-reason` is `len` characters long.
fn long_reason_log(dir: &Path, len: usize) -> std::path::PathBuf {
    let path = dir.join("httperr1.log");
    fs::write(
        &path,
        format!(
            "#Software: Microsoft HTTP API 2.0\n#Version: 1.0\n#Date: 2026-11-18 09:00:00\n\
             #Fields: date time c-ip c-port s-ip s-port cs-version cs-method cs-uri streamid sc-status s-siteid s-reason s-queuename\n\
             2026-11-18 10:01:00 203.0.113.20 59515 10.0.1.11 443 HTTP/1.1 GET /x - 400 - {} -\n",
            "R".repeat(len)
        ),
    )
    .unwrap();
    path
}

#[test]
fn a_long_http_sys_reason_keeps_the_table_small() {
    let dir = tempfile::tempdir().unwrap();
    let log = long_reason_log(dir.path(), 100_000);
    let started = std::time::Instant::now();
    let out = iisdiag().arg("scan").arg(&log).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0));
    // The reason is cut in the table; it is written whole once, in the group's block.
    assert!(stdout.len() < 120_000, "{} bytes", stdout.len());
    assert!(started.elapsed().as_secs() < 20, "{:?}", started.elapsed());
    let table: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with(['|', '+']))
        .collect();
    assert!(table.len() < 20, "{}", table.join("\n"));
    assert!(
        table.iter().all(|l| l.chars().count() <= 120),
        "{}",
        table.join("\n")
    );
    assert!(
        table
            .iter()
            .any(|l| l.contains("400.RRRR") && l.contains("..."))
    );
}

#[test]
fn tables_fit_80_columns_and_wrap_between_words() {
    let out = iisdiag()
        .env("COLUMNS", "80")
        .args(["scan", "--timeline"])
        .arg(repo("testdata/farm"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0));
    let tables: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with(['|', '+']))
        .collect();
    assert!(tables.len() > 20, "{stdout}");
    for line in &tables {
        assert!(
            line.chars().count() <= 80,
            "{} wide: {line}",
            line.chars().count()
        );
    }
    // The HTTP.sys table: four rows, not one letter of `meaning` per line.
    let httperr: Vec<&str> = stdout
        .lines()
        .skip_while(|l| !l.starts_with("HTTP.sys error log"))
        .skip(2)
        .take_while(|l| l.starts_with(['|', '+']))
        .collect();
    assert!(httperr.len() < 20, "{}", httperr.join("\n"));
    for word in [
        "(ERROR_WINHTTP_TIMEOUT)",
        "(ERROR_WINHTTP_CANNOT_CONNECT)",
        "(SEC_E_NO_CREDENTIALS)",
        "(MaxFieldLength)",
    ] {
        assert!(
            tables.iter().any(|l| l.contains(word)),
            "{word} cut or broken:\n{}",
            tables.join("\n")
        );
    }
    // Timeline rows fit too.
    for line in stdout
        .lines()
        .filter(|l| l.contains(" |") && l.ends_with('|'))
    {
        assert!(line.chars().count() <= 80, "{line}");
    }
}
