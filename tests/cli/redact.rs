//! `--redact`: every output of every command over `testdata/redact` (one server's logs,
//! trace, events, error page, ANCM log and configuration, whose every identifying value is
//! listed in [`ORIGINALS`]) holds none of those values, and the groups and counts are those
//! of the run without it.

use std::collections::BTreeSet;
use std::path::PathBuf;

use serde_json::Value;

use super::every_output::{RUNS, filled, outputs_of};
use super::{codes, json_of, repo, stdout_of};

/// Every identifying value in the tree's logs, by what it is. Checked without regard to
/// ASCII case, as they are replaced.
const ORIGINALS: &[(&str, &str)] = &[
    ("server", "web07"),
    ("server address", "10.9.8.7"),
    ("client", "198.51.100.23"),
    ("client", "198.51.100.24"),
    ("client", "198.51.100.230"),
    ("client", "198.51.100.2"),
    ("client", "203.0.113.77"),
    ("user", "contoso\\alice"),
    ("user", "contoso\\bob"),
    ("user", "contoso\\svc-shop07"),
    ("user SID", "s-1-5-21-7777777-7777777-7777777-1107"),
    ("cookie", "aspsessionidqq=klmnop"),
    ("cookie", "aspsessionidqq=rstuvw"),
    ("host", "shop.contoso.example"),
    ("query", "orderid=4711&token=zz9"),
    // The query as a trace shows it, its token masked.
    ("query", "orderid=4711&token=***"),
    ("query", "orderid=4712"),
    ("query", "card=4111"),
    ("server", "app07.contoso.internal"),
];

/// Runs the tree's breakdown by client too: only it shows client addresses in a report.
const BY_CLIENT: &[&str] = &["scan", "{tree}", "--by", "client", "--format", "json"];

fn tree() -> PathBuf {
    repo("testdata/redact")
}

/// Each run in the shared list, and the breakdown by client, with `extra` added; returns
/// (run, everything it wrote, lowercased).
fn run_all(extra: &[&str]) -> Vec<(String, String)> {
    let tree = tree();
    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("saved.json");
    let runs = RUNS.iter().chain([&("scan --by client json", BY_CLIENT)]);
    let mut all = Vec::new();
    for (i, (name, args)) in runs.enumerate() {
        let out = dir.path().join(format!("{i}.out"));
        let mut args = filled(args, &tree, &out, &saved);
        args.extend(extra.iter().map(|a| a.to_string()));
        let outputs = outputs_of(name, &args, &out, &saved);
        let text: Vec<String> = outputs.into_iter().map(|(_, t)| t).collect();
        all.push((
            format!("{name} {args:?}"),
            text.join("\n").to_ascii_lowercase(),
        ));
    }
    all
}

/// The kinds of [`ORIGINALS`] found in `runs`.
fn kinds_found(runs: &[(String, String)]) -> BTreeSet<&'static str> {
    ORIGINALS
        .iter()
        .filter(|(_, value)| runs.iter().any(|(_, text)| text.contains(value)))
        .map(|&(kind, _)| kind)
        .collect()
}

#[test]
fn no_identifying_value_survives_any_redacted_output() {
    // Without --redact the outputs show every kind (cookies show masked by the secret
    // masker, so never whole): the check bites.
    let plain_runs = run_all(&[]);
    let plain = kinds_found(&plain_runs);
    for kind in [
        "server",
        "server address",
        "client",
        "user",
        "host",
        "query",
    ] {
        assert!(
            plain.contains(kind),
            "no {kind} shown without --redact: {plain:?}"
        );
    }
    for ((run, text), (_, plain)) in run_all(&["--redact"]).into_iter().zip(&plain_runs) {
        for (kind, value) in ORIGINALS {
            assert!(
                !text.contains(value),
                "{run}: the {kind} {value} survives:\n{text}"
            );
        }
        // Each report says what it replaced (a CSV file has no place for it), and an output
        // that showed a value names it by its pseudonym.
        let csv = run.contains("csv") || run.contains("export");
        assert!(
            csv || text.contains("redacted"),
            "{run}: no word of it:\n{text}"
        );
        if !ORIGINALS.iter().any(|(_, value)| plain.contains(value)) {
            continue;
        }
        let named = ["server-", "client-", "host-", "user-", "query-", "cookie-"];
        assert!(
            named.iter().any(|p| text.contains(p)),
            "{run}: no pseudonym:\n{text}"
        );
    }
}

#[test]
fn redacted_groups_and_counts_are_those_of_the_plain_run() {
    let tree = tree().display().to_string();
    let scan = ["scan", tree.as_str(), "--format", "json", "--by", "client"];
    let plain = json_of(&scan);
    let redacted = json_of(&[&scan[..], &["--redact"]].concat());
    assert!(!codes(&plain).is_empty());
    assert_eq!(codes(&plain), codes(&redacted));
    assert_eq!(plain["totals"], redacted["totals"]);
    assert_eq!(
        plain["httperr"].as_array().map(Vec::len),
        redacted["httperr"].as_array().map(Vec::len)
    );
    assert!(
        plain.get("redacted").is_none(),
        "the key is absent without --redact"
    );
    // The breakdown keeps one entry per client: three addresses are three pseudonyms.
    let clients: BTreeSet<String> = breakdown_keys(&redacted).into_iter().flatten().collect();
    let plain_clients: BTreeSet<String> = breakdown_keys(&plain).into_iter().flatten().collect();
    assert_eq!(clients.len(), plain_clients.len());
    assert!(
        clients.iter().all(|c| c.starts_with("client-")),
        "{clients:?}"
    );
    let counts = &redacted["redacted"];
    // The server's name, the address its binding names and the farm server its
    // configuration lists.
    assert_eq!(counts["servers"], 3, "{counts}");
    assert!(
        counts["clients"].as_u64().unwrap() >= clients.len() as u64,
        "{counts}"
    );
}

#[test]
fn a_value_gets_the_same_pseudonym_in_every_output_of_a_run_and_across_runs() {
    let tree = tree().display().to_string();
    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("saved.json").display().to_string();
    let export = |threads: &str| {
        stdout_of(&[
            "scan",
            &tree,
            "-q",
            "--redact",
            "--threads",
            threads,
            "--save-summary",
            &saved,
            "--force",
            "--export-requests",
            "-",
            "--export-format",
            "ndjson",
        ])
    };
    let rows = export("1");
    assert_eq!(
        rows,
        export("2"),
        "the reading order does not change a pseudonym"
    );
    let merged = json_of(&["merge", &saved, "--redact", "--format", "json"]);
    let scanned = json_of(&["scan", &tree, "--redact", "--format", "json"]);
    let servers = |v: &Value| v["groups"][0]["servers"].clone();
    assert_eq!(servers(&merged), servers(&scanned));
    let server = servers(&scanned)[0].as_str().unwrap().to_string();
    assert!(server.starts_with("server-"), "{server}");
    // The export names the server as the report does.
    for line in rows.lines() {
        let row: Value = serde_json::from_str(line).unwrap();
        assert_eq!(row["server"], server.as_str(), "{line}");
    }
    let table = stdout_of(&["scan", &tree, "--redact"]);
    assert!(table.contains(&server), "{table}");
    // The values numbered do not depend on the outputs asked for: the export's clients are
    // counted in the report without an export too.
    let said = |text: &str| {
        text.lines()
            .find(|l| l.starts_with("Redacted: "))
            .map(String::from)
    };
    let out = dir.path().join("export.csv").display().to_string();
    let with_export = stdout_of(&["scan", &tree, "--redact", "--export-requests", &out]);
    assert!(said(&table).is_some(), "{table}");
    assert_eq!(said(&table), said(&with_export));
}

#[test]
fn every_report_says_what_was_redacted_and_no_report_without_it_does() {
    let tree = tree().display().to_string();
    for extra in [&[][..], &["--format", "markdown"], &["-q", "--html", "-"]] {
        let args = [&["scan", tree.as_str()][..], extra].concat();
        let plain = stdout_of(&args);
        let redacted = stdout_of(&[&args[..], &["--redact"]].concat());
        // Every client of the W3C and HTTP.sys logs made a failed request: all are counted
        // (the one only a trace header names is not in the report).
        let clients = ORIGINALS.iter().filter(|(k, _)| *k == "client").count() - 1;
        let said = format!("Redacted: {clients} client addresses, ");
        assert!(redacted.contains(&said), "{args:?}:\n{redacted}");
        assert!(!plain.contains("Redacted: "), "{args:?}:\n{plain}");
    }
}

/// The header's filters quote what the command line named: servers and clients there are
/// replaced too, by the pseudonyms the report uses.
#[test]
fn servers_and_clients_named_by_filters_are_redacted_in_the_header() {
    let tree = tree().display().to_string();
    let (server, client) = (ORIGINALS[0].1, ORIGINALS[2].1);
    let v = json_of(&[
        "scan",
        &tree,
        "--redact",
        "--server",
        server,
        "--client-ip",
        client,
        "--format",
        "json",
    ]);
    let filters = v["filters"].to_string().to_ascii_lowercase();
    assert!(
        !filters.contains(server) && !filters.contains(client),
        "{filters}"
    );
    let named = &v["groups"][0]["servers"][0];
    assert!(
        filters.contains(named.as_str().unwrap()),
        "{filters} {named}"
    );
    assert!(filters.contains("client-1"), "{filters}");
}

/// The clients of a breakdown, by group, as a report names them.
fn breakdown_keys(v: &Value) -> Vec<Vec<String>> {
    v["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            let entries = g["breakdown"]["entries"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            entries
                .iter()
                .map(|e| e["key"].as_str().unwrap().to_string())
                .collect()
        })
        .collect()
}

#[test]
fn a_summary_saved_redacted_merges_with_the_same_pseudonyms() {
    let tree = tree().display().to_string();
    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("saved.json").display().to_string();
    let by = ["--redact", "--by", "client", "--format", "json"];
    let scanned = json_of(&[&["scan", tree.as_str(), "--save-summary", &saved][..], &by].concat());
    let merged = json_of(&["merge", &saved, "--redact", "--format", "json"]);
    let keys = breakdown_keys(&scanned);
    assert!(
        keys.iter().flatten().all(|k| k.starts_with("client-")),
        "{keys:?}"
    );
    assert!(keys.iter().flatten().count() > 0);
    assert_eq!(keys, breakdown_keys(&merged));
}

/// Colour codes stand right before a value in a coloured report: it is replaced there too.
#[test]
fn coloured_reports_of_the_single_file_commands_are_redacted() {
    let tree = tree().display().to_string();
    let trace = format!("{tree}/FailedReqLogFiles/W3SVC1/fr000001.xml");
    for args in [vec!["freb", trace.as_str()], vec!["events", tree.as_str()]] {
        let plain = stdout_of(&[&args[..], &["--color", "always"]].concat());
        let redacted = stdout_of(&[&args[..], &["--color", "always", "--redact"]].concat());
        assert!(
            plain.contains('\x1b'),
            "{args:?}: no colour to test:\n{plain}"
        );
        let redacted = redacted.to_ascii_lowercase();
        for (kind, value) in ORIGINALS {
            assert!(
                !redacted.contains(value),
                "{args:?}: the {kind} {value} survives:\n{redacted}"
            );
        }
        assert!(redacted.starts_with("redacted: "), "{args:?}:\n{redacted}");
    }
}
