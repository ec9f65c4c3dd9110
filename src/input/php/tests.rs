use super::*;

fn read(text: &str) -> (Vec<PhpEntry>, Stats) {
    let mut seen = Vec::new();
    let stats = read_php(text.as_bytes(), |e| seen.push(e.clone())).unwrap();
    (seen, stats)
}

#[test]
fn the_corpus_log_counts_per_level() {
    let Some(path) = crate::input::corpus::path("pages/wiggilia1__php_errors.log") else {
        return;
    };
    let bytes = std::fs::read(path).unwrap();
    assert!(looks_like_php_log(&bytes));
    let mut seen = Vec::new();
    let stats = read_php(&bytes[..], |e| seen.push(e.clone())).unwrap();
    let count = |level: &str| seen.iter().filter(|e| e.level == level).count();
    assert_eq!((stats.lines, stats.records, stats.malformed), (21, 21, 0));
    assert_eq!(count("Warning"), 11);
    assert_eq!(count("Notice"), 5);
    assert_eq!(count("Fatal error"), 5);
    assert!(
        seen.iter()
            .all(|e| e.time.is_none() && e.zone == "America/Los_Angeles")
    );
    assert_eq!(
        seen[12].local.as_deref(),
        Some("01-Dec-2018 12:27:28 America/Los_Angeles")
    );
    assert_eq!(
        seen[12].message,
        "Call to a member function set_charset() on null"
    );
    assert_eq!(
        seen[12].file.as_deref(),
        Some(r"D:\home\site\wwwroot\lib\config.php")
    );
    assert_eq!(seen[12].line, Some(2));
    assert!(
        stats
            .notes
            .iter()
            .any(|n| n.contains("times are in America/Los_Angeles"))
    );
}

#[test]
fn a_stack_trace_belongs_to_the_entry_before() {
    let text = "[18-Nov-2026 11:05:12 UTC] PHP Fatal error:  Uncaught Error: Call to undefined function mysql_connect() in C:\\inetpub\\shop\\db.php:14\n\
Stack trace:\n\
#0 C:\\inetpub\\shop\\index.php(3): require()\n\
#1 {main}\n\
  thrown in C:\\inetpub\\shop\\db.php on line 14\n\
[18-Nov-2026 11:05:13 UTC] PHP Stack trace:\n\
[18-Nov-2026 11:05:13 UTC] PHP   1. {main}() C:\\x.php:0\n\
[18-Nov-2026 11:06:00 UTC] PHP Parse error:  syntax error, unexpected '}' in C:\\inetpub\\shop\\a.php on line 9\n";
    let (seen, stats) = read(text);
    assert_eq!((stats.records, stats.malformed), (2, 0));
    assert_eq!(seen[0].level, "Fatal error");
    assert_eq!(
        seen[0].message,
        "Uncaught Error: Call to undefined function mysql_connect()"
    );
    assert_eq!(seen[0].file.as_deref(), Some(r"C:\inetpub\shop\db.php"));
    assert_eq!(seen[0].line, Some(14));
    assert_eq!(
        seen[0].time,
        Some(crate::time::at(20_775, (11 * 3600 + 5 * 60 + 12) * 1000))
    );
    assert_eq!(seen[0].local, None);
    assert_eq!(seen[1].level, "Parse error");
    assert_eq!(seen[1].line, Some(9));
    assert!(stats.notes.is_empty());
}

#[test]
fn a_cut_last_line_and_junk() {
    let text = "hello\n[18-Nov-2026 11:05:12 UTC] PHP Warning:  x in C:\\a.php on line 1\n[99-Nov-2026 11:05:12 UTC] PHP Warning: y\n[18-Nov-2026 11:05:12 UTC] PHP Fatal error:  Allowed memory size of 134217728 bytes exhau";
    let (seen, stats) = read(text);
    assert_eq!(stats.malformed, 2);
    assert_eq!(stats.records, 2);
    assert_eq!(seen[1].file, None);
    assert!(
        stats.notes.iter().any(|n| n.contains("cut off")),
        "{:?}",
        stats.notes
    );
}

#[test]
fn sniffs_php_logs_only() {
    assert!(looks_like_php_log(
        b"\n[24-Sep-2018 11:14:31 America/Los_Angeles] PHP Warning:  x\n"
    ));
    assert!(!looks_like_php_log(
        b"[24-Sep-2018 11:14:31 UTC] Something else\n"
    ));
    assert!(!looks_like_php_log(
        b"[2018-09-24 11:14:31] PHP Warning: x\n"
    ));
    assert!(!looks_like_php_log(b"#Fields: date time\n"));
}
