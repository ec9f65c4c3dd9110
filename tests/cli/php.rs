//! Issue 17: a PHP error log beside the W3C logs: its fatal errors are joined to the 500
//! group of the same minutes, and the report counts its entries per level.

use super::*;

const W3C: &str = "#Software: Microsoft Internet Information Services 10.0\r\n#Version: 1.0\r\n#Date: 2026-11-18 11:00:00\r\n#Fields: date time cs-method cs-uri-stem s-port c-ip sc-status sc-substatus sc-win32-status time-taken\r\n";

const PHP: &str = "[18-Nov-2026 11:05:12 UTC] PHP Fatal error:  Uncaught Error: Call to undefined function mysql_connect() in C:\\inetpub\\shop\\db.php:14\nStack trace:\n#0 C:\\inetpub\\shop\\index.php(3): require()\n#1 {main}\n  thrown in C:\\inetpub\\shop\\db.php on line 14\n[18-Nov-2026 11:05:40 UTC] PHP Fatal error:  Uncaught Error: Call to undefined function mysql_connect() in C:\\inetpub\\shop\\db.php:14\nStack trace:\n#0 {main}\n  thrown in C:\\inetpub\\shop\\db.php on line 14\n[18-Nov-2026 11:06:03 UTC] PHP Fatal error:  Uncaught Error: Call to undefined function mysql_connect() in C:\\inetpub\\shop\\db.php:14\nStack trace:\n#0 {main}\n  thrown in C:\\inetpub\\shop\\db.php on line 14\n[18-Nov-2026 09:00:00 UTC] PHP Warning:  session_start(): x in C:\\inetpub\\shop\\s.php on line 2\n[18-Nov-2026 09:30:00 UTC] PHP Fatal error:  Maximum execution time of 30 seconds exceeded in C:\\inetpub\\shop\\slow.php on line 8\n";

fn shop() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let mut log = W3C.to_string();
    for m in 0..10 {
        log.push_str(&format!(
            "2026-11-18 11:0{m}:01 GET / 443 10.0.0.1 200 0 0 5\r\n"
        ));
    }
    for s in [5, 20, 35, 50] {
        log.push_str(&format!(
            "2026-11-18 11:05:{s:02} GET /index.php 443 10.0.0.1 500 0 0 40\r\n"
        ));
        log.push_str(&format!(
            "2026-11-18 11:06:{s:02} GET /index.php 443 10.0.0.1 500 0 0 40\r\n"
        ));
    }
    std::fs::write(dir.path().join("u_ex261118.log"), log).unwrap();
    std::fs::write(dir.path().join("php_errors.log"), PHP).unwrap();
    dir
}

#[test]
fn fatal_errors_join_the_500_group_of_the_same_minutes() {
    let dir = shop();
    let path = dir.path().display().to_string();
    let v = json_of(&["scan", &path, "--format", "json"]);
    let group = v["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["code"] == "500.0.0")
        .unwrap();
    let php = group["php"].as_array().unwrap();
    assert_eq!(php.len(), 1, "{php:?}");
    assert_eq!(php[0]["count"], 3);
    assert_eq!(php[0]["line"], 14);
    assert_eq!(php[0]["file"], "C:\\inetpub\\shop\\db.php");
    assert_eq!(php[0]["first"], "2026-11-18T11:05:12Z");
    assert_eq!(
        php[0]["text"],
        "PHP Fatal error x3 11:05-11:06 in C:\\inetpub\\shop\\db.php on line 14: Uncaught Error: Call to undefined function mysql_connect()"
    );
    assert_eq!(v["php"]["total"], 5);
    assert_eq!(v["php"]["local_times"], false);
    assert_eq!(v["php"]["top_fatal"].as_array().unwrap().len(), 2);
    let kinds: Vec<&str> = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["php", "w3c"]);

    let out = iisdiag().args(["scan", &path]).output().unwrap();
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(
        table.contains(
            "  PHP: PHP Fatal error x3 11:05-11:06 in C:\\inetpub\\shop\\db.php on line 14:"
        ),
        "{table}"
    );
    assert!(
        table.contains("PHP error log:\n  5 entries: 4 Fatal error, 1 Warning\n"),
        "{table}"
    );
}

#[test]
fn a_saved_summary_carries_the_php_entries_into_merge() {
    let dir = shop();
    let path = dir.path().display().to_string();
    let (direct, merged) = direct_and_merged(&path);
    assert_eq!(merged["php"], direct["php"]);
}

#[test]
fn since_keeps_only_the_php_entries_in_range() {
    let dir = shop();
    let path = dir.path().display().to_string();
    let v = json_of(&[
        "scan",
        &path,
        "--format",
        "json",
        "--since",
        "2026-11-18 11:00",
    ]);
    assert_eq!(v["php"]["total"], 3);
}
