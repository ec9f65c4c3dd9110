//! `--help`, `--version`, shell completions and the man page.

use super::*;

#[test]
fn version_names_the_package_version() {
    iisdiag()
        .arg("--version")
        .assert()
        .success()
        .stdout(format!("iisdiag {}\n", env!("CARGO_PKG_VERSION")));
    // Every subcommand knows it too.
    iisdiag()
        .args(["scan", "--version"])
        .assert()
        .success()
        .stdout(predicates::str::contains(env!("CARGO_PKG_VERSION")));
}

#[test]
fn every_subcommand_has_help_with_examples() {
    let main = iisdiag().arg("--help").output().unwrap();
    assert!(main.status.success());
    let main = String::from_utf8(main.stdout).unwrap();
    assert!(main.contains("Examples:"), "{main}");
    for sub in ["scan", "explain", "freb"] {
        assert!(
            main.contains(&format!("  {sub} ")),
            "{sub} missing in\n{main}"
        );
        for how in [vec![sub, "--help"], vec!["help", sub]] {
            let out = iisdiag().args(&how).output().unwrap();
            assert!(out.status.success(), "{how:?}");
            let text = String::from_utf8(out.stdout).unwrap();
            assert!(text.contains(&format!("Usage: iisdiag {sub}")), "{text}");
            assert!(text.contains("Examples:"), "{how:?}: {text}");
            assert!(text.contains(&format!("iisdiag {sub} ")), "{how:?}: {text}");
        }
    }
}

#[test]
fn completions_cover_every_command_and_flag() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let out = iisdiag().args(["completions", shell]).output().unwrap();
        assert!(out.status.success(), "{shell}");
        let script = String::from_utf8(out.stdout).unwrap();
        assert!(script.len() > 2_000, "{shell}: {} bytes", script.len());
        for word in ["scan", "explain", "freb", "completions", "man"] {
            assert!(script.contains(word), "{shell} script lacks {word}");
        }
        for flag in ["top", "rules", "format", "list", "threads"] {
            // fish spells a long flag `-l NAME`.
            let spelled = if shell == "fish" {
                format!("-l {flag}")
            } else {
                format!("--{flag}")
            };
            assert!(script.contains(&spelled), "{shell} script lacks {spelled}");
        }
    }
    // The format values are offered, not only the flag.
    let bash = iisdiag().args(["completions", "bash"]).output().unwrap();
    let bash = String::from_utf8(bash.stdout).unwrap();
    assert!(bash.contains("table json markdown"), "{bash}");
    iisdiag().args(["completions", "tcsh"]).assert().code(2);
}

#[test]
fn man_pages_for_the_tool_and_each_command() {
    let out = iisdiag().arg("man").output().unwrap();
    assert!(out.status.success());
    let page = String::from_utf8(out.stdout).unwrap();
    assert!(page.contains(".TH iisdiag 1"), "{page}");
    for sub in ["scan", "explain", "freb", "completions", "man"] {
        assert!(
            page.contains(&format!("iisdiag\\-{sub}(1)")),
            "{sub}: {page}"
        );
    }
    assert!(!page.contains("iisdiag\\-help"), "{page}");
    let out = iisdiag().args(["man", "scan"]).output().unwrap();
    assert!(out.status.success());
    let page = String::from_utf8(out.stdout).unwrap();
    assert!(page.contains(".TH iisdiag\\-scan 1") || page.contains(".TH iisdiag-scan 1"));
    for needle in [
        "\\-\\-top",
        "\\-\\-rules",
        "\\-\\-format",
        ".SH EXAMPLES",
        ".nf",
    ] {
        assert!(page.contains(needle), "{needle}: {page}");
    }
    // Examples keep their lines: one roff text line per example command.
    assert!(
        page.lines()
            .any(|l| l.trim_start() == "iisdiag scan web01/ web02/ \\-\\-top 5"),
        "{page}"
    );
    iisdiag()
        .args(["man", "frobnicate"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("scan, explain, freb"));
}

/// The bash script, loaded into a real bash, completes flags and their values.
#[cfg(unix)]
#[test]
fn bash_completion_completes_flags_and_values() {
    if std::process::Command::new("bash")
        .arg("-c")
        .arg("true")
        .status()
        .is_err()
    {
        skip_unless_ci("no bash");
        return;
    }
    let bin = assert_cmd::cargo::cargo_bin("iisdiag");
    let script = format!(
        r#"source <("{bin}" completions bash)
COMP_WORDS=(iisdiag scan --form); COMP_CWORD=2; _iisdiag iisdiag --form scan; echo "${{COMPREPLY[@]}}"
COMP_WORDS=(iisdiag scan --format ""); COMP_CWORD=3; _iisdiag iisdiag "" --format; echo "${{COMPREPLY[@]}}""#,
        bin = bin.display()
    );
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg(script)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "--format\ntable json markdown\n"
    );
}

/// Without PATH, a scan reads the default IIS folders on Windows; elsewhere it says what to
/// pass (the folder computation itself is unit-tested with a made-up environment).
#[cfg(not(windows))]
#[test]
fn scan_without_path_says_what_to_pass() {
    iisdiag()
        .arg("scan")
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicates::str::contains("no PATH given"))
        .stderr(predicates::str::contains("iisdiag scan LogFiles/ HTTPERR/"));
}
