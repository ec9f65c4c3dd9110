//! Issue 17: `iisdiag explain --page` reads an IIS detailed error page (App Service's
//! DetailedErrors .htm, a saved page, pasted text) and explains its code.

use super::*;

/// The text of a 500.19 page as a user pasted it into an issue (tabs, then spaces).
const PASTED: &str = "But I'm still getting the error: HTTP Error 500.19 - Internal Server Error\nWhere it lists the following;\nModule\t   IIS Web Core\nNotification\t   Unknown\nHandler\t   Not yet determined\nError Code\t   0x8007000d\nConfig Error\t   \nConfig File\t   \\\\?\\C:\\PassCore\\web.config\nConfig Source:\n   -1: \n    0: \n";

#[test]
fn a_pasted_page_on_stdin_is_explained_as_its_triple() {
    let out = iisdiag()
        .args(["explain", "--page", "-"])
        .write_stdin(PASTED)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.starts_with("Detailed error page: HTTP 500.19 (Internal Server Error)\n"));
    assert!(
        stdout.contains("  Module         IIS Web Core\n"),
        "{stdout}"
    );
    assert!(stdout.contains("  Error Code     0x8007000d (ERROR_INVALID_DATA)\n"));
    assert!(stdout.contains("  Config File    \\\\?\\C:\\PassCore\\web.config\n"));
    // Then exactly what `explain 500.19.13` says.
    let code = iisdiag()
        .args(["explain", "500.19.13"])
        .output()
        .unwrap()
        .stdout;
    let code = String::from_utf8(code).unwrap();
    assert!(stdout.ends_with(&format!("\n\n{code}")), "{stdout}");
}

#[test]
fn the_bundled_page_names_its_failing_config_line() {
    iisdiag()
        .args(["explain", "--page"])
        .arg(repo("testdata/pages/ErrorPage000001.htm"))
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "  Config Source  line 12: <rewrite>\n",
        ))
        .stdout(predicate::str::contains(
            "  Requested URL  http://shop.example:80/cart?id=7&step=2\n",
        ));
}

#[test]
fn a_page_as_json_holds_the_page_and_its_explanation() {
    let out = iisdiag()
        .args(["explain", "--format", "json", "--page"])
        .arg(repo("testdata/pages/ErrorPage000001.htm"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["page"]["substatus"], 19);
    assert_eq!(v["page"]["error_code"], 0x8007_000d_u32);
    assert_eq!(v["page"]["config_source"][1]["failing"], true);
    assert_eq!(v["error_name"], "ERROR_INVALID_DATA");
    assert_eq!(v["explanation"]["code"], "500.19.13");
}

#[test]
fn a_corpus_page_picks_the_entry_of_its_module() {
    let Some(dir) = corpus() else { return };
    let out = iisdiag()
        .args(["explain", "--page"])
        .arg(dir.join("pages/MauiApp1__ErrorPage000016.htm"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.starts_with("Detailed error page: HTTP 500.0 (Internal Server Error)\n"));
    assert!(stdout.contains("  Module         ManagedPipelineHandler\n"));
    assert!(stdout.contains("500.0 when the error was set by ManagedPipelineHandler:"));
    assert!(!stdout.contains("set by FastCgiModule"), "{stdout}");

    let out = iisdiag()
        .args(["explain", "--page"])
        .arg(dir.join("pages/spaarke__ErrorPage000019.htm"))
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    // The knowledge base has no name for win32 1115 (ERROR_SHUTDOWN_IN_PROGRESS).
    assert!(stdout.contains("  Error Code     0x8007045b\n"), "{stdout}");
    assert!(stdout.contains("\n503.0.1115"), "{stdout}");
}

#[test]
fn a_file_that_is_not_a_page_ends_with_exit_2_naming_it() {
    let path = repo("testdata/broken/notes.txt");
    let out = iisdiag()
        .args(["explain", "--page"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("notes.txt"), "{stderr}");
    assert!(
        stderr.contains("not an IIS detailed error page: no 'HTTP Error NNN.N' heading"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn hostile_page_text_is_neutralised_on_the_terminal() {
    let page = "HTTP Error 500.0 - Internal\u{1b}]0;PWNED\u{7} Error\n\
                Module\t   Evil\u{1b}[2JModule\n\
                Requested URL\t   http://x/\u{202e}gpj.exe\n\
                Physical Path\t   C:\\\u{9b}2J\n";
    let html = "<html><body><h3>HTTP Error 404.0 - Not Found</h3><table>\
                <tr><th>Handler</th><td>&#x1b;[31mred&#27;&#8238;</td></tr></table></body></html>";
    for text in [page, html] {
        let out = iisdiag()
            .args(["explain", "--page", "-"])
            .write_stdin(text)
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        let stdout = String::from_utf8(out.stdout).unwrap();
        for bad in ['\u{1b}', '\u{7}', '\u{202e}', '\u{9b}'] {
            assert!(!stdout.contains(bad), "{bad:?} in {stdout}");
        }
        assert!(stdout.contains("\\x1b"), "{stdout}");
    }
}
