//! The inheritance rules, on one server with two sites: `Shop` (id 1, an `/api` application)
//! and `Other` (id 2).

use super::*;

const HOST: &str = r#"<configuration>
  <system.applicationHost><sites>
    <site name="Shop" id="1">
      <application path="/"><virtualDirectory path="/" physicalPath="C:\inetpub\shop" /></application>
      <application path="/api"><virtualDirectory path="/" physicalPath="D:\apps\shop-api" /></application>
    </site>
    <site name="Other" id="2">
      <application path="/"><virtualDirectory path="/" physicalPath="C:\inetpub\other" /></application>
    </site>
  </sites></system.applicationHost>
  <system.webServer><security><requestFiltering><requestLimits maxQueryString="3000" /></requestFiltering></security></system.webServer>
  <location path="Shop"><system.webServer><security><requestFiltering><requestLimits maxQueryString="1024" /></requestFiltering></security></system.webServer></location>
  <location path="Shop/api"><system.webServer><security><requestFiltering><requestLimits maxQueryString="512" /></requestFiltering></security></system.webServer></location>
</configuration>"#;

/// The server's configuration, and the web.config files given as (path, text).
fn config(web_configs: &[(&str, &str)]) -> ConfigSummary {
    let mut c = ConfigSummary::default();
    let mut add = |path: &str, text: &str| {
        let file = crate::input::config::read_config(text.as_bytes()).unwrap();
        c.add_config(&file, path, |_, _| true);
    };
    add("srv/applicationHost.config", HOST);
    for (path, text) in web_configs {
        add(path, text);
    }
    c
}

/// A value and its scope's text.
type InForce = Vec<(u64, Option<String>)>;

/// The maxQueryString values in force for a group on `sites` with `urls`.
fn in_force_for(c: &ConfigSummary, sites: &[&str], urls: &[&str]) -> InForce {
    let sites: Vec<String> = sites.iter().map(|s| s.to_string()).collect();
    let target = Target::new(c, &sites, urls);
    in_force(c, &target, &c.request_limits, |l| l.location.as_deref())
        .into_iter()
        .map(|(v, scope)| (v.item.max_query_string.unwrap_or_default(), scope.text))
        .collect()
}

fn location(path: &str) -> Option<String> {
    Some(format!("location '{path}'"))
}

#[test]
fn the_deepest_location_that_holds_the_group_wins() {
    let c = config(&[]);
    let cases: [(&[&str], &[&str], InForce); 6] = [
        // Server level: the other site has no location of its own.
        (&["W3SVC2"], &["/search"], vec![(3000, None)]),
        // Site level: the site's URLs outside /api.
        (&["W3SVC1"], &["/search"], vec![(1024, location("Shop"))]),
        // Application level: deeper than the site's.
        (
            &["W3SVC1"],
            &["/api/orders"],
            vec![(512, location("Shop/api"))],
        ),
        // `/apix` is not under `/api`; names and paths are case-insensitive.
        (&["w3svc1"], &["/APIX"], vec![(1024, location("Shop"))]),
        (&["Shop"], &["/API"], vec![(512, location("Shop/api"))]),
        // A group on both sites: each site's value.
        (
            &["W3SVC1", "W3SVC2"],
            &["/search"],
            vec![(1024, location("Shop")), (3000, None)],
        ),
    ];
    for (sites, urls, want) in cases {
        assert_eq!(in_force_for(&c, sites, urls), want, "{sites:?} {urls:?}");
    }
}

#[test]
fn a_group_on_no_known_site_gets_the_server_level_only() {
    let c = config(&[]);
    assert_eq!(in_force_for(&c, &[], &["/api/orders"]), [(3000, None)]);
    assert_eq!(
        in_force_for(&c, &["W3SVC9"], &["/api/orders"]),
        [(3000, None)]
    );
}

const WEB: &str = r#"<configuration><system.webServer><security><requestFiltering>
<requestLimits maxQueryString="256" /></requestFiltering></security></system.webServer></configuration>"#;

#[test]
fn a_web_config_applies_where_its_folder_is_a_site_or_application() {
    // The folder names the /api application's physical path (D:\apps\shop-api).
    let c = config(&[("copies/shop-api/web.config", WEB)]);
    assert_eq!(
        in_force_for(&c, &["W3SVC1"], &["/api/orders"]),
        [(256, Some("application 'Shop/api' (its web.config)".into()))]
    );
    assert_eq!(
        in_force_for(&c, &["W3SVC1"], &["/search"]),
        [(1024, location("Shop"))]
    );
    // The root web.config of the site: deeper than `<location path="Shop">`.
    let c = config(&[("copies/inetpub/shop/web.config", WEB)]);
    assert_eq!(
        in_force_for(&c, &["W3SVC1"], &["/search"]),
        [(256, Some("site 'Shop' (its web.config)".into()))]
    );
    assert_eq!(in_force_for(&c, &["W3SVC2"], &["/"]), [(3000, None)]);
}

#[test]
fn a_web_config_of_no_known_folder_applies_and_says_so() {
    let c = config(&[("desk/web.config", WEB)]);
    let got = in_force_for(&c, &["W3SVC2"], &["/"]);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].0, 256);
    let text = got[0].1.as_deref().unwrap();
    assert!(text.contains("does not tell: taken to apply"), "{text}");
}

#[test]
fn a_location_of_another_site_does_not_apply() {
    let target = Target::new(&config(&[]), &["W3SVC2".into()], &["/api"]);
    let c = config(&[]);
    let f = "srv/applicationHost.config";
    assert_eq!(applies(&c, &target, f, Some("Shop")), None);
    assert_eq!(applies(&c, &target, f, Some("Shop/api")), None);
    assert_eq!(
        applies(&c, &target, f, Some("Other")).map(|s| s.depth),
        Some(1)
    );
    assert_eq!(applies(&c, &target, f, Some("")).map(|s| s.depth), Some(0));
}
