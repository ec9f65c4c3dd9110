//! Issue 17: support bundles scanned in one command. The layout is told from the paths, every
//! file is read as its kind or named "not used" once with its reason, and the report says which
//! kinds of evidence the bundle held and which it lacked.

use std::collections::BTreeSet;

use super::*;

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// Every path the report names for a file: read or skipped (`files`) and not used.
fn named(r: &Value) -> Vec<String> {
    let mut all: Vec<String> = r["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap().to_string())
        .collect();
    all.extend(
        r["bundle"]["not_used"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["path"].as_str().unwrap().to_string()),
    );
    all
}

fn kinds(r: &Value, key: &str, field: &str) -> Vec<String> {
    r["bundle"][key]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h[field].as_str().unwrap().to_string())
        .collect()
}

fn not_used_reason<'a>(r: &'a Value, ends: &str) -> &'a str {
    r["bundle"]["not_used"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"].as_str().unwrap().ends_with(ends))
        .unwrap_or_else(|| panic!("{ends} is not among the files not used"))["reason"]
        .as_str()
        .unwrap()
}

/// Each file of the bundle folder is named exactly once, read or not used, under its path.
fn each_file_once(r: &Value, folder: &str) {
    let mut on_disk = Vec::new();
    files_under(&repo(folder), &mut on_disk);
    let names = named(r);
    let unique: BTreeSet<&String> = names.iter().collect();
    assert_eq!(unique.len(), names.len(), "a file named twice: {names:?}");
    assert_eq!(names.len(), on_disk.len(), "{names:?}");
    for f in &on_disk {
        let f = f.display().to_string();
        assert!(names.contains(&f), "{f} is not named");
    }
}

/// The zip's members, each named once, are the files of the bundle folder it was made from.
fn same_members(r: &Value, zip: &str, folder: &str) {
    let mut on_disk = Vec::new();
    files_under(&repo(folder), &mut on_disk);
    let mut want: Vec<String> = on_disk
        .iter()
        .map(|p| {
            let rel = p.strip_prefix(repo(folder)).unwrap();
            format!("{zip}!{}", rel.display().to_string().replace('\\', "/"))
        })
        .collect();
    want.sort();
    let mut names = named(r);
    names.sort();
    assert_eq!(names, want);
}

fn app_service_checks(r: &Value, root: &str) {
    let layouts = r["bundle"]["layouts"].as_array().unwrap();
    assert_eq!(layouts.len(), 1);
    assert_eq!(layouts[0]["layout"], "appservice");
    assert_eq!(layouts[0]["root"], root);
    assert_eq!(layouts[0]["instances"], serde_json::json!(["18e609"]));
    assert_eq!(
        kinds(r, "held", "kind"),
        ["w3c", "freb", "eventxml", "errorpage", "stdout"]
    );
    // Every kind the download holds is read: nothing is missing, nothing skipped.
    assert_eq!(kinds(r, "missing", "evidence"), Vec::<String>::new());
    assert_eq!(r["bundle"]["unread"], 0);
    assert!(
        r["files"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["error"].is_null()),
        "{}",
        r["files"]
    );
    assert_eq!(r["bundle"]["not_used"].as_array().unwrap().len(), 4);
    assert!(not_used_reason(r, ".xml").contains("Kudu"));
    assert!(not_used_reason(r, "freb.xsl").contains("style sheet"));
    assert!(not_used_reason(r, "diagnostics-20261118.txt").contains("application's own"));
    assert!(not_used_reason(r, "status.xml").contains("deployment"));
    // App Service logs no s-computername: the group's server is the instance of the file name.
    let g = group(r, "500.30.574");
    assert_eq!(g["count"], 17);
    assert_eq!(g["servers"], serde_json::json!(["18e609"]));
    // Only the stdout log names the cause of the failed start.
    let stdout = &g["stdout"][0];
    assert_eq!(stdout["pid"], 4120);
    assert_eq!(stdout["exception"], "System.InvalidOperationException");
    assert!(
        stdout["message"].as_str().unwrap().contains("'OrdersDb'"),
        "{stdout}"
    );
    assert_eq!(stdout["reached_listening"], false);
    // The instance id is no machine name, yet the ANCM events of the failed start join.
    let lines = g["events"]["lines"].to_string();
    for id in ["1011", "1007", "1012"] {
        assert!(
            lines.contains(&format!("IIS AspNetCore Module V2 {id}")),
            "{lines}"
        );
    }
}

#[test]
fn app_service_folder_names_layout_instance_and_every_file_once() {
    let folder = "testdata/bundles/appservice";
    let root = repo(folder).display().to_string();
    let r = scan_json(&[&root]);
    app_service_checks(&r, &root);
    each_file_once(&r, folder);
}

#[test]
fn app_service_zip_is_scanned_in_one_command() {
    let zip = repo("testdata/archives/bundles/appservice.zip")
        .display()
        .to_string();
    let r = scan_json(&[&zip]);
    app_service_checks(&r, &zip);
    same_members(&r, &zip, "testdata/bundles/appservice");
}

fn logcatcher_checks(r: &Value, root: &str) {
    let layouts = r["bundle"]["layouts"].as_array().unwrap();
    assert_eq!(layouts.len(), 1);
    assert_eq!(layouts[0]["layout"], "logcatcher");
    assert_eq!(layouts[0]["root"], root);
    assert_eq!(
        layouts[0]["sites"],
        serde_json::json!(["Default Web Site", "Shop"])
    );
    assert_eq!(
        kinds(r, "held", "kind"),
        ["w3c", "httperr", "freb", "eventxml", "php", "config"]
    );
    // Every kind the bundle holds is read: nothing is missing, nothing skipped.
    assert_eq!(kinds(r, "missing", "evidence"), Vec::<String>::new());
    assert_eq!(r["bundle"]["unread"], 0);
    assert_eq!(r["bundle"]["not_used"].as_array().unwrap().len(), 5);
    for (file, word) in [
        ("OsInfo.txt", "system information"),
        ("ToolLog.log", "own log"),
        ("LOGS.CSV", "list of the logs"),
        ("SiteOverview.csv", "no site ids"),
        ("freb.xsl", "style sheet"),
    ] {
        assert!(not_used_reason(r, file).contains(word), "{file}");
    }
    // IIS's and .NET's other configuration files are read as configuration, naming no site.
    let config: Vec<&str> = r["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == "config")
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(config.len(), 6, "{config:?}");
    let names: Vec<&str> = r["sites"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Default Web Site", "Shop"]);
    // The FastCGI burst, its trace and the PHP fatal error in one file, joined.
    let g = group(r, "500.0.255");
    assert_eq!(g["count"], 20);
    // The site's logs do not say their site: LogCatcher's folder for it does.
    assert_eq!(g["sites"], serde_json::json!(["Shop"]));
    assert_eq!(g["php"][0]["count"], 7);
    assert_eq!(g["php"][0]["line"], 88);
    assert!(
        g["php"][0]["file"].as_str().unwrap().ends_with("cart.php"),
        "{}",
        g["php"]
    );
}

#[test]
fn logcatcher_folder_names_layout_sites_and_every_file_once() {
    let folder = "testdata/bundles/logcatcher";
    let root = repo(folder).display().to_string();
    let r = scan_json(&[&root]);
    logcatcher_checks(&r, &root);
    each_file_once(&r, folder);
}

#[test]
fn logcatcher_zip_is_scanned_in_one_command() {
    let zip = repo("testdata/archives/bundles/LOGS-2026-11-18-T-12-00-00.zip")
        .display()
        .to_string();
    let r = scan_json(&[&zip]);
    logcatcher_checks(&r, &zip);
    same_members(&r, &zip, "testdata/bundles/logcatcher");
}

#[test]
fn the_configs_password_is_never_printed() {
    for path in [
        "testdata/bundles/logcatcher",
        "testdata/archives/bundles/LOGS-2026-11-18-T-12-00-00.zip",
    ] {
        let dir = tempfile::tempdir().unwrap();
        for format in ["table", "json", "markdown"] {
            let page = dir.path().join(format!("{format}.html"));
            let out = iisdiag()
                .args(["scan", repo(path).to_str().unwrap(), "--format", format])
                .arg("--html")
                .arg(&page)
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{path} {format}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let html = std::fs::read(&page).unwrap();
            for stream in [&out.stdout, &html] {
                let text = String::from_utf8_lossy(stream).to_lowercase();
                assert!(text.contains("bundle"), "{path} {format}");
            }
            for stream in [&out.stdout, &out.stderr, &html] {
                let text = String::from_utf8_lossy(stream);
                assert!(!text.contains("Pa55-never-print-me"), "{path} {format}");
            }
        }
    }
}

#[test]
fn the_bundle_section_in_every_text_medium() {
    let path = repo("testdata/bundles/appservice");
    let run = |format: &str| {
        let out = iisdiag()
            .args(["scan", path.to_str().unwrap(), "--format", format])
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    let table = run("table");
    assert!(table.contains("Bundle:"), "{table}");
    assert!(table.contains("Azure App Service log download in "));
    assert!(table.contains("(instance 18e609)"));
    assert!(table.contains("Evidence read: 1 w3c, 1 freb, 1 eventxml, 1 errorpage, 1 stdout."));
    assert!(table.contains("Not used (4 files):"));
    let md = run("markdown");
    assert!(md.contains("## Bundle"), "{md}");
    assert!(md.contains("Not used (4 files):"));
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("report.html");
    iisdiag()
        .args(["scan", path.to_str().unwrap(), "--html"])
        .arg(&page)
        .assert()
        .success();
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(
        html.contains("<section id=\"bundle\"><h2>Bundle</h2>"),
        "{html}"
    );
    assert!(html.contains("<a href=\"#bundle\">Bundle</a>"));
}

#[test]
fn plain_log_folders_have_no_bundle_section() {
    let r = scan_json(&[repo("testdata/farm").to_str().unwrap()]);
    assert!(r["bundle"].is_null());
    let r = scan_json(&[repo("testdata/archives/farm").to_str().unwrap()]);
    assert!(r["bundle"].is_null());
}

#[test]
fn not_used_names_are_capped_in_text_and_complete_in_json() {
    let dir = tempfile::tempdir().unwrap();
    let trace = dir.path().join("LogFiles/kudu/trace");
    std::fs::create_dir_all(&trace).unwrap();
    for n in 0..8 {
        std::fs::write(trace.join(format!("t{n}.xml")), "<step title=\"x\" />\n").unwrap();
    }
    let raw = dir.path().join("LogFiles/http/RawLogs");
    std::fs::create_dir_all(&raw).unwrap();
    std::fs::write(
        raw.join("0a1b2c-202611181100.log"),
        "#Fields: date time cs-uri-stem sc-status\r\n2026-11-18 11:00:00 / 500\r\n",
    )
    .unwrap();
    let path = dir.path().to_str().unwrap();
    let r = scan_json(&[path]);
    assert_eq!(r["bundle"]["not_used"].as_array().unwrap().len(), 8);
    assert_eq!(r["files"].as_array().unwrap().len(), 1);
    assert_eq!(
        group(&r, "500.-.-")["servers"],
        serde_json::json!(["0a1b2c"])
    );
    let out = iisdiag().args(["scan", path]).output().unwrap();
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(table.contains("Not used (8 files):"), "{table}");
    assert!(table.contains("... and 3 more"), "{table}");
    assert_eq!(
        table.matches("t7.xml").count() + table.matches("t0.xml").count(),
        1
    );
    // Known non-evidence is not reported as a skipped file.
    assert!(!String::from_utf8_lossy(&out.stderr).contains("skipped"));
}

#[cfg(unix)]
#[test]
fn names_from_a_bundles_paths_pass_the_terminal_guard() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("Sites/\u{1b}[31mEvil\u{202e}/IISLogs");
    std::fs::create_dir_all(&site).unwrap();
    std::fs::create_dir_all(dir.path().join("General")).unwrap();
    std::fs::write(dir.path().join("General/ToolLog.log"), "run\r\n").unwrap();
    std::fs::write(
        site.join("u_ex261118.log"),
        "#Fields: date time cs-uri-stem sc-status\r\n2026-11-18 11:00:00 / 500\r\n",
    )
    .unwrap();
    let out = iisdiag()
        .args(["scan", dir.path().to_str().unwrap()])
        .output()
        .unwrap();
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(table.contains("Bundle:"), "{table}");
    assert!(table.contains("LogCatcher"), "{table}");
    assert!(
        !table.contains('\u{1b}') && !table.contains('\u{202e}'),
        "{table:?}"
    );
}
