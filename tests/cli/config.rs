//! Issue 17: sites named by the configuration or a site list scanned beside the logs, in
//! every output, `--site` by a site's name, and no secret of a configuration in any output.

use super::*;

const W3C: &str = "#Software: Microsoft Internet Information Services 10.0\r\n#Fields: date time cs-method cs-uri-stem s-port c-ip sc-status sc-substatus sc-win32-status time-taken\r\n";

const APPHOST: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<configuration>
  <system.applicationHost>
    <applicationPools>
      <add name="ShopPool" managedRuntimeVersion="">
        <processModel identityType="SpecificUser" userName="svc" password="Hunter2-Pa55w0rd" />
      </add>
    </applicationPools>
    <sites>
      <site name="Default Web Site" id="1" />
      <site name="Contoso Shop" id="2">
        <application path="/" applicationPool="ShopPool">
          <virtualDirectory path="/" physicalPath="D:\shop" />
        </application>
        <bindings><binding protocol="https" bindingInformation="*:443:shop.contoso.com" /></bindings>
      </site>
    </sites>
  </system.applicationHost>
</configuration>
"#;

/// A folder of `W3SVC1` (200s) and `W3SVC2` (500s) logs, with `extra` files beside them.
fn server(extra: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (site, status) in [("W3SVC1", 200), ("W3SVC2", 500)] {
        let folder = dir.path().join(site);
        std::fs::create_dir(&folder).unwrap();
        let mut log = W3C.to_string();
        for s in 0..20 {
            log.push_str(&format!(
                "2026-11-18 11:00:{s:02} GET /cart 443 10.0.0.1 {status} 0 0 40\r\n"
            ));
        }
        if status == 200 {
            log.push_str("2026-11-18 11:01:00 GET /old 443 10.0.0.1 404 0 2 3\r\n");
        }
        std::fs::write(folder.join("u_ex261118.log"), log).unwrap();
    }
    for (name, body) in extra {
        std::fs::write(dir.path().join(name), body).unwrap();
    }
    dir
}

fn group<'a>(v: &'a Value, code: &str) -> &'a Value {
    v["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["code"] == code)
        .unwrap_or_else(|| panic!("no group {code}: {v}"))
}

#[test]
fn the_configuration_names_the_site_in_table_and_json() {
    let dir = server(&[("applicationHost.config", APPHOST)]);
    let path = dir.path().display().to_string();
    let v = json_of(&["scan", &path, "--format", "json"]);
    let g = group(&v, "500.0.0");
    assert_eq!(
        g["sites"],
        serde_json::json!(["W3SVC2"]),
        "the folder stays"
    );
    assert_eq!(g["site_names"]["W3SVC2"], "Contoso Shop");
    let sites = v["sites"].as_array().unwrap();
    assert_eq!(sites.len(), 2);
    assert_eq!(sites[1]["id"], 2);
    assert_eq!(sites[1]["folder"], "W3SVC2");
    assert_eq!(sites[1]["name"], "Contoso Shop");
    assert_eq!(sites[1]["source_kind"], "config");
    assert!(
        sites[1]["source"]
            .as_str()
            .unwrap()
            .ends_with("applicationHost.config")
    );
    assert_eq!(v["config"]["pools"][0]["name"], "ShopPool");
    assert_eq!(v["config"]["pools"][0]["identity_type"], "SpecificUser");
    let config_file = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["kind"] == "config")
        .unwrap();
    assert_eq!(config_file["records"], 3, "2 sites and 1 pool");
    let table = stdout_of(&["scan", &path]);
    assert!(table.contains("1 site (Contoso Shop (W3SVC2))"), "{table}");
    assert!(
        table.contains(
            "Sites: Default Web Site (W3SVC1), Contoso Shop (W3SVC2; https *:443:shop.contoso.com; root D:\\shop)."
        ),
        "{table}"
    );
    assert_eq!(sites[1]["bindings"][0], "https *:443:shop.contoso.com");
    assert_eq!(sites[1]["applications"][0]["physical_path"], "D:\\shop");
    let md = stdout_of(&["scan", &path, "--format", "markdown"]);
    assert!(md.contains("`Contoso Shop (W3SVC2)`"), "{md}");
}

#[test]
fn a_site_list_names_the_site_and_a_disagreement_is_said() {
    let list = "\"Name\",\"ID\",\"State\"\r\n\"Shop (list)\",\"2\",\"Started\"\r\n";
    let dir = server(&[("SiteOverview.csv", list)]);
    let path = dir.path().display().to_string();
    let v = json_of(&["scan", &path, "--format", "json"]);
    assert_eq!(group(&v, "500.0.0")["site_names"]["W3SVC2"], "Shop (list)");
    assert_eq!(v["sites"][0]["source_kind"], "sitelist");
    assert!(
        v["files"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["kind"] == "sitelist" && f["records"] == 1)
    );
    let dir = server(&[
        ("SiteOverview.csv", list),
        ("applicationHost.config", APPHOST),
    ]);
    let path = dir.path().display().to_string();
    let v = json_of(&["scan", &path, "--format", "json"]);
    let site = &v["sites"][1];
    assert_eq!(
        site["name"], "Contoso Shop",
        "the configuration is preferred"
    );
    assert_eq!(site["other_names"][0]["name"], "Shop (list)");
    let table = stdout_of(&["scan", &path]);
    assert!(
        table.contains("The files disagree on the name of site 2 (W3SVC2)"),
        "{table}"
    );
}

#[test]
fn site_filter_by_the_site_name() {
    let dir = server(&[("applicationHost.config", APPHOST)]);
    let path = dir.path().display().to_string();
    let by_name = json_of(&["scan", &path, "--site", "contoso shop", "--format", "json"]);
    let by_id = json_of(&["scan", &path, "--site", "W3SVC2", "--format", "json"]);
    assert_eq!(by_name["totals"]["requests"], 20);
    assert_eq!(by_name["groups"], by_id["groups"]);
    assert_eq!(by_name["groups"].as_array().unwrap().len(), 1);
    // The configuration is narrowed too: only the site asked about is named.
    assert_eq!(by_id["sites"].as_array().unwrap().len(), 1);
    let other = json_of(&[
        "scan",
        &path,
        "--site",
        "Default Web Site",
        "--format",
        "json",
    ]);
    assert_eq!(other["totals"]["requests"], 21);
    assert_eq!(other["groups"][0]["code"], "404.0.2");
    // A name no configuration gives matches no log.
    let none = json_of(&["scan", &path, "--site", "No Such Site", "--format", "json"]);
    assert_eq!(none["totals"]["requests"], 0);
}

#[test]
fn no_secret_of_a_configuration_reaches_any_output() {
    const SECRET: &str = "Hunter2-Pa55w0rd";
    let config = std::fs::read_to_string(repo("testdata/config/applicationHost.config")).unwrap();
    assert!(config.contains(SECRET));
    let dir = server(&[
        ("applicationHost.config", APPHOST),
        ("web01.config", &config),
    ]);
    let path = dir.path().display().to_string();
    let saved = dir.path().join("saved.json");
    let html = dir.path().join("report.html");
    let csv = dir.path().join("summary.csv");
    let mut outputs = Vec::new();
    for format in ["table", "json", "markdown"] {
        outputs.push(stdout_of(&["scan", &path, "--format", format]));
    }
    iisdiag()
        .args(["scan", &path, "-q", "--save-summary"])
        .arg(&saved)
        .arg("--html")
        .arg(&html)
        .arg("--csv")
        .arg(&csv)
        .assert()
        .success();
    for file in [&saved, &html, &csv] {
        outputs.push(std::fs::read_to_string(file).unwrap());
    }
    outputs.push(stdout_of(&[
        "merge",
        &saved.display().to_string(),
        "--format",
        "json",
    ]));
    for out in &outputs {
        assert!(!out.contains(SECRET), "{out}");
        assert!(!out.contains("Hunter2"), "{out}");
    }
    // The configuration was read, not skipped.
    assert!(outputs[1].contains("\"OrdersPool\""), "{}", outputs[1]);
}

#[test]
fn a_saved_summary_carries_the_site_names_into_merge() {
    let dir = server(&[("applicationHost.config", APPHOST)]);
    let path = dir.path().display().to_string();
    let (direct, merged) = direct_and_merged(&path);
    assert_eq!(merged["sites"], direct["sites"]);
    assert_eq!(merged["config"], direct["config"]);
    assert_eq!(
        group(&merged, "500.0.0")["site_names"]["W3SVC2"],
        "Contoso Shop"
    );
}

#[test]
fn corpus_configurations_are_read_not_skipped() {
    let Some(dir) = corpus() else { return };
    let v = json_of(&[
        "scan",
        dir.join("config").to_str().unwrap(),
        "--format",
        "json",
    ]);
    let files = v["files"].as_array().unwrap();
    assert_eq!(files.len(), 9);
    assert!(
        files
            .iter()
            .all(|f| f["kind"] == "config" && f["error"].is_null()),
        "{files:?}"
    );
    let records: u64 = files.iter().map(|f| f["records"].as_u64().unwrap()).sum();
    // Sites, pools, aspNetCore elements and FastCGI applications of the nine files.
    assert_eq!(
        records,
        (4 + 5 + 3) + (4 + 6 + 7) + 1 + (1 + 1) + 1 + (1 + 6)
    );
    let lab = files
        .iter()
        .find(|f| f["path"].as_str().unwrap().ends_with("lab__web.config"))
        .unwrap();
    assert!(
        lab["notes"][0].as_str().unwrap().contains("AppHostOnly"),
        "{lab}"
    );
    // Two files name site 1 `Default Web Site`; IIS Express calls it `WebSite1`.
    let one = &v["sites"][0];
    assert_eq!(one["id"], 1);
    assert!(!one["other_names"].as_array().unwrap().is_empty(), "{one}");
}

#[test]
fn a_hostile_site_name_is_guarded_in_every_text_output() {
    let config = r#"<configuration><system.applicationHost><sites>
<site name="&lt;script&gt;alert(1)&lt;/script&gt;&#27;[31mRed|`x`" id="2" />
</sites></system.applicationHost></configuration>"#;
    let dir = server(&[("applicationHost.config", config)]);
    let path = dir.path().display().to_string();
    let table = stdout_of(&["scan", &path]);
    assert!(!table.contains('\u{1b}'), "{table:?}");
    assert!(table.contains("alert(1)"), "{table}");
    let out = tempfile::tempdir().unwrap();
    let html = out.path().join("report.html");
    iisdiag()
        .args(["scan", &path, "-q", "--html"])
        .arg(&html)
        .assert()
        .success();
    let html = std::fs::read_to_string(html).unwrap();
    assert!(!html.contains("<script>alert"), "{html}");
    assert!(html.contains("&lt;script&gt;alert(1)"));
    let md = stdout_of(&["scan", &path, "--format", "markdown"]);
    // Inside a code span the markup is text, and the escape byte is spelled out.
    assert!(
        md.contains("(`` <script>alert(1)</script>\\x1b[31mRed|`x` (W3SVC2) ``)"),
        "{md}"
    );
    assert!(!md.contains('\u{1b}'));
    let v = json_of(&["scan", &path, "--format", "json"]);
    assert_eq!(
        v["sites"][0]["name"], "<script>alert(1)</script>\u{1b}[31mRed|`x`",
        "JSON keeps the name as written, escaped by JSON itself"
    );
}
