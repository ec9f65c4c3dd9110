#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;

fn s(v: &str) -> Option<String> {
    Some(v.to_string())
}

fn corpus(name: &str) -> Option<Vec<u8>> {
    let path = crate::input::corpus::path(&format!("pages/{name}"))?;
    Some(std::fs::read(path).unwrap())
}

#[test]
fn the_app_service_500_0_page_reads() {
    let Some(bytes) = corpus("MauiApp1__ErrorPage000016.htm") else {
        return;
    };
    assert!(looks_like_error_page(&bytes[..1024.min(bytes.len())]));
    let page = parse(&bytes).unwrap();
    assert_eq!(
        page,
        ErrorPage {
            status: 500,
            substatus: Some(0),
            title: s("Internal Server Error"),
            module: s("ManagedPipelineHandler"),
            notification: s("ExecuteRequestHandler"),
            handler: s("System.Web.Http.WebHost.HttpControllerHandler"),
            error_code: Some(0),
            requested_url: s("https://_1MKRFunctApp-dotnet8:80/api/publish?type=zip"),
            physical_path: s(
                r"C:\Program Files (x86)\SiteExtensions\Kudu\2025.09.1.1\api\publish"
            ),
            logon_method: s("Anonymous"),
            logon_user: s("Anonymous"),
            config_error: None,
            config_file: None,
            config_source: vec![],
            most_likely_causes: vec![
                "IIS received the request; however, an internal error occurred during the processing of the request. The root cause of this error depends on which module handles the request and what was happening in the worker process when this error occurred.".into(),
                "IIS was not able to access the web.config file for the Web site or application. This can occur if the NTFS permissions are set incorrectly.".into(),
                "IIS was not able to process configuration for the Web site or application.".into(),
                "The authenticated user does not have permission to use this DLL.".into(),
                "The request is mapped to a managed handler but the .NET Extensibility Feature is not installed.".into(),
            ],
            things_to_try: vec![
                "Ensure that the NTFS permissions for the web.config file are correct and allow access to the Web server's machine account.".into(),
                "Check the event logs to see if any additional information was logged.".into(),
                "Verify the permissions for the DLL.".into(),
                "Install the .NET Extensibility feature if the request is mapped to a managed handler.".into(),
                "Create a tracing rule to track failed requests for this HTTP status code. For more information about creating a tracing rule for failed requests, click here.".into(),
            ],
        }
    );
}

#[test]
fn the_app_service_503_0_page_reads() {
    let Some(bytes) = corpus("spaarke__ErrorPage000019.htm") else {
        return;
    };
    let page = parse(&bytes).unwrap();
    assert_eq!(
        page,
        ErrorPage {
            status: 503,
            substatus: Some(0),
            title: s("Server has been shutdown"),
            module: s("AspNetCoreModuleV2"),
            notification: s("ExecuteRequestHandler"),
            handler: s("aspNetCore"),
            error_code: Some(0x8007_045b),
            requested_url: s(
                "https://spe-api-dev-67e2xz:80/office/jobs/a534fefb-9da1-4b72-9bda-e93039d5288d"
            ),
            physical_path: s(r"C:\home\site\wwwroot\office\jobs\a534fefb-9da1-4b72-9bda-e93039d5288d"),
            logon_method: s("Anonymous"),
            logon_user: s("Anonymous"),
            config_error: None,
            config_file: None,
            config_source: vec![],
            most_likely_causes: vec![
                "An invalid identity in the application pool could cause this error.".into(),
                "The application pool is no longer running because of configuration or reaching application failure limits.".into(),
                "The concurrent application request limit was reached.".into(),
            ],
            things_to_try: vec![
                "Check the event logs and the HTTP error logs for more information.".into()
            ],
        }
    );
}

#[test]
fn the_pasted_500_19_text_reads() {
    let Some(bytes) = corpus("passcore__issue94_500.19.txt") else {
        return;
    };
    assert!(looks_like_error_page(&bytes));
    let page = parse(&bytes).unwrap();
    let line = |number| SourceLine {
        number,
        text: String::new(),
        failing: false,
    };
    assert_eq!(
        page,
        ErrorPage {
            status: 500,
            substatus: Some(19),
            title: s("Internal Server Error"),
            module: s("IIS Web Core"),
            notification: s("Unknown"),
            handler: s("Not yet determined"),
            error_code: Some(0x8007_000d),
            config_file: s(r"\\?\C:\PassCore\web.config"),
            config_source: vec![line(-1), line(0)],
            ..ErrorPage::default()
        }
    );
}

/// A 500.19 page as a browser saves it: entities in the values, the failing config line
/// highlighted, the config source in a `<pre>`.
const SAVED: &str = r#"<html><head><title>IIS 10.0 Detailed Error - 500.19 - Internal Server Error</title>
<style type="text/css"><!-- h3{color:#CC0000;} --></style></head><body>
<div class="content-container"><h3>HTTP Error 500.19 - Internal Server Error</h3>
<h4>The requested page cannot be accessed because the related configuration data for the page is invalid.</h4></div>
<fieldset><h4>Detailed Error Information:</h4>
<table><tr class="alt"><th>Module</th><td>&nbsp;&nbsp;&nbsp;IIS Web Core</td></tr>
<tr><th>Error Code</th><td>&nbsp;&nbsp;&nbsp;0x8007000d</td></tr>
<tr class="alt"><th>Requested URL</th><td>&nbsp;&nbsp;&nbsp;http://localhost:80/shop/?a=1&amp;b=&quot;2&quot;&#39;&#x41;&#66;</td></tr>
<tr><th>Config Error</th><td>&nbsp;&nbsp;&nbsp;</td></tr>
<tr><th>Config File</th><td>&nbsp;&nbsp;&nbsp;\\?\C:\inetpub\wwwroot\shop\web.config</td></tr>
</table></fieldset>
<fieldset><h4>Config Source:</h4><pre><code>   10:   &lt;system.webServer&gt;
</code><code class="highlight-code">   11:     &lt;rewrite&gt;
</code><code>   12:       &lt;rules&gt;
</code></pre></fieldset>
<fieldset><h4>Most likely causes:</h4><ul><li>The &lt;rewrite&gt; section is not known.</li></ul></fieldset>
</body></html>"#;

#[test]
fn a_saved_page_decodes_entities_and_marks_the_failing_line() {
    let page = parse(SAVED.as_bytes()).unwrap();
    assert_eq!((page.status, page.substatus), (500, Some(19)));
    assert_eq!(page.title.as_deref(), Some("Internal Server Error"));
    assert_eq!(page.module.as_deref(), Some("IIS Web Core"));
    assert_eq!(page.error_code, Some(0x8007_000d));
    assert_eq!(
        page.requested_url.as_deref(),
        Some("http://localhost:80/shop/?a=1&b=\"2\"'AB")
    );
    assert_eq!(page.config_error, None);
    assert_eq!(
        page.config_file.as_deref(),
        Some(r"\\?\C:\inetpub\wwwroot\shop\web.config")
    );
    let source: Vec<(i64, &str, bool)> = page
        .config_source
        .iter()
        .map(|l| (l.number, l.text.as_str(), l.failing))
        .collect();
    assert_eq!(
        source,
        [
            (10, "<system.webServer>", false),
            (11, "<rewrite>", true),
            (12, "<rules>", false)
        ]
    );
    assert_eq!(
        page.most_likely_causes,
        ["The <rewrite> section is not known."]
    );
}

#[test]
fn a_paste_with_spaces_and_other_case_reads() {
    let text = "HTTP Error 404.3 - Not Found\r\n\r\nMost likely causes:\r\n  • It is a new file type.\r\n\r\nmodule      StaticFileModule\r\nNOTIFICATION   ExecuteRequestHandler\r\nHandler  StaticFile\r\nError Code:  0x80070032\r\nRequested URL   http://localhost:80/a.json\r\nModule is not here\r\n";
    let page = parse(text.as_bytes()).unwrap();
    assert_eq!((page.status, page.substatus), (404, Some(3)));
    assert_eq!(page.title.as_deref(), Some("Not Found"));
    assert_eq!(page.module.as_deref(), Some("StaticFileModule"));
    assert_eq!(page.notification.as_deref(), Some("ExecuteRequestHandler"));
    assert_eq!(page.handler.as_deref(), Some("StaticFile"));
    assert_eq!(page.error_code, Some(0x8007_0032));
    assert_eq!(
        page.requested_url.as_deref(),
        Some("http://localhost:80/a.json")
    );
    assert_eq!(page.most_likely_causes, ["It is a new file type."]);
}

#[test]
fn a_heading_without_substatus_or_phrase_reads() {
    let page = parse(b"http error 503\nError Code\t0x80070005").unwrap();
    assert_eq!((page.status, page.substatus, page.title), (503, None, None));
    assert_eq!(page.error_code, Some(0x8007_0005));
}

#[test]
fn a_heading_in_prose_without_fields_is_not_a_page() {
    let text = b"A 500.19 shows `HTTP Error 500.19 - Internal Server Error` in the browser.\n";
    assert_eq!(parse(text), Err(PageError::NoFields));
}

#[test]
fn garbage_is_not_a_page() {
    for text in [
        &b""[..],
        b"\xff\xfe\x00",
        b"HTTP Error 5000.1 - x\nModule  M",
        b"<html><body><h3>Hello</h3></body></html>",
        b"#Fields: date time cs-uri-stem sc-status\n2026-01-01 00:00:00 / 500\n",
        b"<a href=\"&#xFFFFFFFF;&#99999999999;&",
    ] {
        assert_eq!(parse(text), Err(PageError::NoHeading), "{text:?}");
        assert!(!looks_like_error_page(text), "{text:?}");
    }
}

#[test]
fn values_and_lists_are_capped() {
    let long = "x".repeat(10 * MAX_VALUE);
    let mut text = format!("HTTP Error 500.0 - {long}\nModule\t{long}\nMost likely causes:\n");
    for _ in 0..2 * MAX_ITEMS {
        text.push_str("é cause\n");
    }
    text.push_str("Config Source:\n");
    for i in 0..2 * MAX_SOURCE_LINES {
        text.push_str(&format!("{i}: {long}é\n"));
    }
    let page = parse(text.as_bytes()).unwrap();
    assert_eq!(page.title.unwrap().len(), MAX_VALUE);
    assert_eq!(page.module.unwrap().len(), MAX_VALUE);
    assert_eq!(page.most_likely_causes.len(), MAX_ITEMS);
    assert_eq!(page.config_source.len(), MAX_SOURCE_LINES);
    assert!(page.config_source.iter().all(|l| l.text.len() <= MAX_VALUE));
}

#[test]
fn a_utf16_page_reads() {
    let mut bytes = vec![0xff, 0xfe];
    for u in "HTTP Error 401.2 - Unauthorized\nModule\tX".encode_utf16() {
        bytes.extend_from_slice(&u.to_le_bytes());
    }
    let page = parse(&bytes).unwrap();
    assert_eq!((page.status, page.substatus), (401, Some(2)));
}
