//! Issue 17: `scan` reads IIS detailed error pages as evidence for the W3C group they agree
//! with, as it reads FREB traces.

use super::*;

/// A W3C log of the 500.19.13 the bundled page explains, and one 404 it does not.
const LOG: &str = "#Software: Microsoft Internet Information Services 10.0\r\n\
#Fields: date time cs-method cs-uri-stem s-port c-ip sc-status sc-substatus sc-win32-status time-taken\r\n\
2026-11-18 10:00:01 GET /cart 80 10.0.0.1 500 19 13 3\r\n\
2026-11-18 10:00:02 GET /cart 80 10.0.0.2 500 19 13 2\r\n\
2026-11-18 10:00:03 GET / 80 10.0.0.3 500 19 13 4\r\n\
2026-11-18 10:00:04 GET /missing 80 10.0.0.3 404 0 2 1\r\n";

fn folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        repo("testdata/pages/ErrorPage000001.htm"),
        dir.path().join("ErrorPage000001.htm"),
    )
    .unwrap();
    std::fs::write(dir.path().join("u_ex261118.log"), LOG).unwrap();
    dir
}

#[test]
fn a_page_is_evidence_for_the_group_it_agrees_with() {
    let dir = folder();
    let path = dir.path().to_str().unwrap();
    let r = scan_json(&[path]);
    let page_file = r["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"].as_str().unwrap().ends_with("ErrorPage000001.htm"))
        .unwrap();
    assert_eq!(page_file["kind"], "errorpage");
    assert_eq!(page_file["records"], 1);
    assert!(page_file["error"].is_null());

    let g = group(&r, "500.19.13");
    assert_eq!(g["source"], "w3c");
    assert_eq!(g["count"], 3);
    assert_eq!(g["module"], "IIS Web Core");
    let pages = g["pages"].as_array().unwrap();
    assert_eq!(pages.len(), 1);
    let p = &pages[0];
    assert_eq!(p["pages"], 1);
    assert_eq!(p["module"], "IIS Web Core");
    assert_eq!(p["notification"], "BeginRequest");
    assert_eq!(p["handler"], "Not yet determined");
    assert_eq!(p["error_code"], "0x8007000d");
    assert_eq!(p["config_file"], "\\\\?\\C:\\inetpub\\shop\\web.config");
    assert_eq!(p["config_line"], "12: <rewrite>");
    assert_eq!(
        p["urls"],
        serde_json::json!(["http://shop.example:80/cart?id=7&step=2"])
    );
    assert_eq!(p["files"].as_array().unwrap().len(), 1);
    assert_eq!(
        p["text"],
        "1 detailed error page: IIS Web Core in BeginRequest, 0x8007000d (ERROR_INVALID_DATA), \
         config file \\\\?\\C:\\inetpub\\shop\\web.config line 12: <rewrite>"
    );
    // The 404 has no page.
    assert_eq!(group(&r, "404.0.2")["pages"], serde_json::json!([]));

    let out = iisdiag()
        .args(["scan", path, "--color", "never"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(
        table
            .contains("\n  Pages: 1 detailed error page: IIS Web Core in BeginRequest, 0x8007000d"),
        "{table}"
    );
    assert!(table.contains("line 12: <rewrite>"), "{table}");
}

#[test]
fn pages_without_log_lines_make_groups_of_their_own() {
    let r = scan_json(&[repo("testdata/pages").to_str().unwrap()]);
    let g = group(&r, "500.19.13");
    assert_eq!(g["source"], "errorpage");
    assert_eq!(g["count"], 1);
    assert_eq!(g["pages"][0]["pages"], 1);
    assert!(
        g["title"]
            .as_str()
            .unwrap()
            .contains("Invalid configuration"),
        "{}",
        g["title"]
    );
}

#[test]
fn a_page_with_no_heading_is_skipped_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("ErrorPage2.htm"),
        "<html><body>IIS Detailed Error</body></html>",
    )
    .unwrap();
    let out = iisdiag().arg("scan").arg(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("not an IIS detailed error page: no 'HTTP Error NNN.N' heading"),
        "{stderr}"
    );
}

#[test]
fn corpus_pages_are_read_as_pages() {
    let Some(dir) = corpus() else { return };
    for (name, code) in [
        ("pages/MauiApp1__ErrorPage000016.htm", "500.0.-"),
        ("pages/passcore__issue94_500.19.txt", "500.19.13"),
        ("pages/spaarke__ErrorPage000019.htm", "503.0.1115"),
        (
            "other/AzureDemos-WebSites-ClassicAsp__ErrorPage000001.htm",
            "404.0.2",
        ),
    ] {
        let r = scan_json(&[dir.join(name).to_str().unwrap()]);
        assert_eq!(r["files"][0]["kind"], "errorpage", "{name}");
        assert_eq!(r["files"][0]["records"], 1, "{name}");
        assert!(r["files"][0]["error"].is_null(), "{name}");
        let g = group(&r, code);
        assert_eq!(g["source"], "errorpage", "{name}");
        assert_eq!(g["pages"][0]["pages"], 1, "{name}");
    }
    let r = scan_json(&[dir
        .join("pages/passcore__issue94_500.19.txt")
        .to_str()
        .unwrap()]);
    assert_eq!(
        group(&r, "500.19.13")["pages"][0]["text"],
        "1 detailed error page: IIS Web Core in Unknown, 0x8007000d (ERROR_INVALID_DATA), \
         config file \\\\?\\C:\\PassCore\\web.config"
    );
}
