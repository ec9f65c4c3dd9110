//! Secrets never leave the file: every output of every command that reads files, run on
//! `testdata/secrets` (a server holding every kind of secret IIS files keep, each value a
//! `S3CRET-...` marker, and logs that quote them), must hold none of the markers, on stdout,
//! on stderr, or in a file it writes.

use std::path::{Path, PathBuf};

use super::every_output::{RUNS, filled, outputs_of};
use super::{json_of, repo};

fn tree() -> PathBuf {
    repo("testdata/secrets")
}

/// The `S3CRET-...` markers in `text`.
fn markers(text: &str) -> Vec<String> {
    text.split("S3CRET-")
        .skip(1)
        .map(|rest| {
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
                .unwrap_or(rest.len());
            format!("S3CRET-{}", &rest[..end])
        })
        .collect()
}

/// Every marker planted in the files of `dir`, with the file it is in.
fn planted(dir: &Path) -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(planted(&path));
        } else {
            let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
            out.extend(markers(&text).into_iter().map(|m| (m, path.clone())));
        }
    }
    out
}

#[test]
fn no_secret_of_the_secrets_tree_reaches_any_output() {
    let tree = tree();
    let planted = planted(&tree);
    // Every file that can hold a secret holds at least one marker.
    for file in [
        "applicationHost.config",
        "web.config",
        "eventlog.xml",
        "ErrorPage00001.htm",
    ] {
        assert!(
            planted.iter().any(|(_, p)| p.ends_with(file)),
            "{file} holds no marker"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("saved.json");
    for (i, (name, args)) in RUNS.iter().enumerate() {
        let out = dir.path().join(format!("{i}.out"));
        let args = filled(args, &tree, &out, &saved);
        let outputs = outputs_of(name, &args, &out, &saved);
        for (what, text) in &outputs {
            for (marker, file) in &planted {
                assert!(
                    !text.contains(marker.as_str()),
                    "{name} ({args:?}): {what} holds {marker} from {}:\n{text}",
                    file.display()
                );
            }
        }
    }
}

#[test]
fn the_secrets_tree_is_read_whole_and_its_quoted_secrets_show_masked() {
    let tree = tree().display().to_string();
    let v = json_of(&["scan", &tree, "--format", "json"]);
    let files = v["files"].as_array().unwrap();
    assert_eq!(files.len(), 9, "{files:?}");
    assert!(files.iter().all(|f| f["error"].is_null()), "{files:?}");
    // The masked evidence is there, so the outputs above were checked with it in them.
    let table = super::stdout_of(&["scan", &tree]);
    assert!(table.contains("Password=***"), "{table}");
    assert!(table.contains("Bearer ***"), "{table}");
    let page = super::stdout_of(&["explain", "--page", &format!("{tree}/ErrorPage00001.htm")]);
    assert!(page.contains(r#"connectionString="***""#), "{page}");
}

/// The documented choice: a query string is the log's own content, shown as logged (only
/// configuration and the free text of application evidence are masked).
#[test]
fn a_password_in_a_logged_query_string_is_exported_as_logged() {
    let tree = tree().display().to_string();
    let out = super::stdout_of(&[
        "scan",
        &tree,
        "-q",
        "--export-requests",
        "-",
        "--export-format",
        "ndjson",
    ]);
    assert!(out.contains("password=URLPASS-1"), "{out}");
}
