//! The progress bar: on a terminal's stderr once a scan has run for a moment, never on a
//! pipe, never with `-q`.

use super::*;

#[test]
fn nothing_on_stderr_when_piped() {
    // Even with no wait before the bar, a piped stderr gets nothing of it.
    iisdiag()
        .arg("scan")
        .arg(repo("testdata/farm"))
        .env("IISDIAG_PROGRESS_AFTER_MS", "0")
        .assert()
        .success()
        .stderr("");
    // Skipped files are still named, and nothing else.
    let out = iisdiag()
        .arg("scan")
        .arg(repo("testdata/broken"))
        .env("IISDIAG_PROGRESS_AFTER_MS", "0")
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.lines().all(|l| l.starts_with("iisdiag: ")),
        "{stderr}"
    );
    assert!(!stderr.contains("reading"), "{stderr}");
}

#[cfg(unix)]
#[test]
fn a_terminal_gets_the_bar_unless_quiet() {
    let farm = repo("testdata/farm");
    let farm = farm.to_str().unwrap();
    let now = [("IISDIAG_PROGRESS_AFTER_MS", "0")];
    let Some(text) = super::color::in_terminal(&["scan", "--top", "1", farm], &now) else {
        return;
    };
    // "reading 3/8 files [=====>   ] 591.77 KiB/1.17 MiB ...", then cleared.
    let bar =
        regex::Regex::new(r"reading \d/8 files \[[=> ]*\] [\d.]+ [KMG]?i?B/1\.17 MiB").unwrap();
    assert!(bar.is_match(&text), "{text}");
    assert!(
        text.contains("\u{1b}[2K"),
        "the bar is cleared before the report"
    );
    assert!(text.contains("6562 requests read from 8 file(s)"));
    let text = super::color::in_terminal(&["scan", "-q", "--top", "1", farm], &now).unwrap();
    assert!(!text.contains("reading"), "{text}");
    assert!(text.contains("6562 requests read from 8 file(s)"));
}
