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
