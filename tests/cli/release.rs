//! The release archives are made on GitHub's runners, not here, so the lists they are made
//! from are checked against what they describe: every command gets its manual page and every
//! shell clap can complete gets its script (.ci/package), the workflow builds the targets the
//! README's Install section offers, and the README's loop that installs the pages names every
//! command. `.ci/run` makes the Windows archive itself and reads it back.

use clap::{CommandFactory, ValueEnum};
use clap_complete::Shell;
use iisdiag::cli::Cli;

use super::repo;

fn read(path: &str) -> String {
    std::fs::read_to_string(repo(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The words of the shell assignment `name="..."` on a line of its own in `script`.
fn assigned(script: &str, name: &str) -> Vec<String> {
    let start = format!("{name}=\"");
    let line = script
        .lines()
        .find_map(|l| l.strip_prefix(&start))
        .unwrap_or_else(|| panic!("no {name}=\"...\" line"));
    let value = line.strip_suffix('"').expect("the value ends the line");
    value.split_whitespace().map(str::to_string).collect()
}

/// The commands that have a page: all but the parser's own `help`.
fn commands() -> Vec<String> {
    Cli::command()
        .get_subcommands()
        .map(|c| c.get_name().to_string())
        .filter(|n| n != "help")
        .collect()
}

#[test]
fn the_archive_has_a_page_for_every_command() {
    let listed = assigned(&read(".ci/package"), "commands");
    assert_eq!(listed, commands(), ".ci/package's commands=");
}

#[test]
fn the_archive_has_a_completion_script_for_every_shell() {
    let mut listed: Vec<String> = assigned(&read(".ci/package"), "completions")
        .iter()
        .map(|pair| pair.split(':').next().unwrap_or_default().to_string())
        .collect();
    let mut shells: Vec<String> = Shell::value_variants()
        .iter()
        .filter_map(|s| s.to_possible_value())
        .map(|v| v.get_name().to_string())
        .collect();
    listed.sort();
    shells.sort();
    assert_eq!(listed, shells, ".ci/package's completions=");
}

#[test]
fn the_readme_installs_every_page() {
    let readme = read("README.md");
    let line = readme
        .lines()
        .find_map(|l| l.strip_prefix("for c in \"\" "))
        .expect("the README's loop over the pages");
    let listed: Vec<String> = line
        .trim_end_matches("; do")
        .split_whitespace()
        .map(str::to_string)
        .collect();
    assert_eq!(listed, commands(), "the README's `for c in` loop");
}

#[test]
fn the_workflow_builds_what_the_readme_offers() {
    let workflow = read(".github/workflows/release.yml");
    let targets: Vec<&str> = workflow
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("- target: "))
        .collect();
    assert_eq!(
        targets,
        [
            "x86_64-pc-windows-msvc",
            "x86_64-unknown-linux-musl",
            "aarch64-unknown-linux-musl",
            "x86_64-apple-darwin",
            "aarch64-apple-darwin",
        ],
        "the workflow's matrix"
    );
    assert!(
        workflow.contains(".ci/package \"$TARGET\""),
        "every build is archived by .ci/package"
    );
    let readme = read("README.md");
    for target in targets {
        let ext = if target.contains("windows") {
            "zip"
        } else {
            "tar.gz"
        };
        let name = format!("`iisdiag-VERSION-{target}.{ext}`");
        assert!(readme.contains(&name), "the README's Install lacks {name}");
    }
}
