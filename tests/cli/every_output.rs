//! Every output of every command that reads files, as one list, for the tests that check
//! all of them over one tree (`secrets`: no secret leaves; `redact`: no identifying value).

use std::path::Path;

use super::iisdiag;

/// Every output over the tree, in order (the save comes before the merges that read it).
/// `{tree}` is the tree, `{out}` a fresh file the run writes, `{saved}` the saved summary.
pub const RUNS: &[(&str, &[&str])] = &[
    ("scan table", &["scan", "{tree}"]),
    (
        "scan table in colour",
        &["scan", "{tree}", "--color", "always"],
    ),
    ("scan json", &["scan", "{tree}", "--format", "json"]),
    ("scan markdown", &["scan", "{tree}", "--format", "markdown"]),
    (
        "scan json with timeline and --by url",
        &[
            "scan",
            "{tree}",
            "--timeline",
            "--by",
            "url",
            "--format",
            "json",
        ],
    ),
    (
        "scan --csv FILE",
        &["scan", "{tree}", "-q", "--csv", "{out}"],
    ),
    ("scan --csv -", &["scan", "{tree}", "-q", "--csv", "-"]),
    (
        "scan --html FILE",
        &["scan", "{tree}", "-q", "--html", "{out}"],
    ),
    (
        "scan --export-requests FILE (csv)",
        &["scan", "{tree}", "-q", "--export-requests", "{out}"],
    ),
    (
        "scan --export-requests FILE (ndjson)",
        &[
            "scan",
            "{tree}",
            "-q",
            "--export-requests",
            "{out}",
            "--export-format",
            "ndjson",
        ],
    ),
    (
        "scan --save-summary FILE",
        &["scan", "{tree}", "-q", "--save-summary", "{saved}"],
    ),
    ("merge table", &["merge", "{saved}"]),
    ("merge json", &["merge", "{saved}", "--format", "json"]),
    (
        "merge markdown",
        &["merge", "{saved}", "--format", "markdown"],
    ),
    (
        "merge --csv FILE",
        &["merge", "{saved}", "-q", "--csv", "{out}"],
    ),
    (
        "merge --html FILE",
        &["merge", "{saved}", "-q", "--html", "{out}"],
    ),
    (
        "explain --page",
        &["explain", "--page", "{tree}/ErrorPage00001.htm"],
    ),
    (
        "explain --page json",
        &[
            "explain",
            "--page",
            "{tree}/ErrorPage00001.htm",
            "--format",
            "json",
        ],
    ),
    (
        "explain --ancm",
        &["explain", "--ancm", "{tree}/aspnetcore-debug.log"],
    ),
    (
        "explain --ancm json",
        &[
            "explain",
            "--ancm",
            "{tree}/aspnetcore-debug.log",
            "--format",
            "json",
        ],
    ),
    ("events table", &["events", "{tree}"]),
    ("events json", &["events", "{tree}", "--format", "json"]),
    (
        "freb one trace",
        &["freb", "{tree}/FailedReqLogFiles/W3SVC1/fr000001.xml"],
    ),
    ("freb folder", &["freb", "{tree}"]),
    ("config table", &["config", "{tree}"]),
    ("config json", &["config", "{tree}", "--format", "json"]),
];

/// `args` with the placeholders filled in.
pub fn filled(args: &[&str], tree: &Path, out: &Path, saved: &Path) -> Vec<String> {
    args.iter()
        .map(|a| {
            a.replace("{tree}", &tree.display().to_string())
                .replace("{out}", &out.display().to_string())
                .replace("{saved}", &saved.display().to_string())
        })
        .collect()
}

/// Runs `args` (a filled run named `name`) and returns what it wrote: stdout, stderr, and
/// the files among `out` and `saved` it was given. Fails the test when the run is a usage
/// error (it did not test the output) or wrote nothing to check.
pub fn outputs_of(
    name: &str,
    args: &[String],
    out: &Path,
    saved: &Path,
) -> Vec<(&'static str, String)> {
    let run = iisdiag().args(args).output().unwrap();
    // 0, or 1 for findings; 2 would be a usage error: the run did not test the output.
    assert!(
        matches!(run.status.code(), Some(0 | 1)),
        "{name}: {args:?} exited with {:?}: {}",
        run.status.code(),
        String::from_utf8_lossy(&run.stderr)
    );
    let mut outputs = vec![
        ("stdout", String::from_utf8_lossy(&run.stdout).into_owned()),
        ("stderr", String::from_utf8_lossy(&run.stderr).into_owned()),
    ];
    for (what, file) in [("the file written", out), ("the saved summary", saved)] {
        if args.iter().any(|a| Path::new(a) == file) {
            outputs.push((what, std::fs::read_to_string(file).unwrap()));
        }
    }
    assert!(
        outputs.iter().any(|(_, text)| text.len() > 100),
        "{name}: no output to check"
    );
    outputs
}
