//! The limits named for each code, on a server with two sites: `Shop` (id 1) sets its own
//! maxQueryString and concurrent request limit, `Other` (id 2) sets none.

use super::*;
use crate::explain::settings::Source;

const HOST: &str = r#"<configuration>
  <system.applicationHost><sites>
    <site name="Shop" id="1" />
    <site name="Other" id="2" />
  </sites></system.applicationHost>
  <location path="Shop">
    <system.webServer>
      <security><requestFiltering><requestLimits maxQueryString="1024" /></requestFiltering></security>
      <serverRuntime appConcurrentRequestLimit="100" />
    </system.webServer>
  </location>
  <system.webServer><fastCgi><application fullPath="C:\php\php-cgi.exe" queueLength="50" /></fastCgi></system.webServer>
</configuration>"#;

fn config() -> ConfigSummary {
    let file = crate::input::config::read_config(HOST.as_bytes()).unwrap();
    let mut c = ConfigSummary::default();
    c.add_config(&file, "applicationHost.config", |_, _| true);
    c
}

fn group(stem: Option<u64>, query: Option<u64>) -> Group {
    let mut g = Group::default();
    g.uri_stem_max = stem;
    g.uri_query_max = query;
    g
}

/// (setting's last part, value, source, line, scope, evidence) of each setting named.
type Named = (
    String,
    String,
    Source,
    Option<u64>,
    Option<String>,
    Option<String>,
);

fn named(code: &str, site: &str, module: Option<&str>, g: &Group) -> Vec<Named> {
    let c = config();
    let target = Target::new(&c, &[site.into()], &["/search"]);
    let n: Vec<u64> = code.split('.').map(|p| p.parse().unwrap()).collect();
    let triple = Triple::new(n[0] as u16, Some(n[1] as u32), Some(n[2]));
    settings(&c, &target, &triple, module, Some(g))
        .into_iter()
        .map(|s| {
            let short = s.setting.rsplit('@').next().unwrap_or_default().to_string();
            (short, s.value, s.source, s.line, s.scope, s.evidence)
        })
        .collect()
}

fn one(name: &str, value: &str, source: Source, line: Option<u64>) -> Named {
    (name.into(), value.into(), source, line, None, None)
}

#[test]
fn each_code_names_its_limit_configured_where_it_applies_else_the_default() {
    use Source::{Configured, Default};
    let shop = Some("location 'Shop'".to_string());
    let over = |n: u64, limit: u64| {
        Some(format!(
            "the longest query string in this group is {n} bytes, over the {limit} limit"
        ))
    };
    let cases: Vec<(&str, &str, Group, Vec<Named>)> = vec![
        (
            "404.15.0",
            "W3SVC1",
            group(Some(7), Some(1500)),
            vec![(
                "maxQueryString".into(),
                "1024".into(),
                Configured,
                Some(8),
                shop.clone(),
                over(1500, 1024),
            )],
        ),
        // The other site keeps the default, and its queries are under it.
        (
            "404.15.0",
            "W3SVC2",
            group(Some(7), Some(1500)),
            vec![(
                "maxQueryString".into(),
                "2048".into(),
                Default,
                None,
                None,
                Some(
                    "the longest query string in this group is 1500 bytes, shorter than the \
                     default 2048: another limit, e.g. HTTP.sys MaxFieldLength or a <location> \
                     lower down, applies"
                        .into(),
                ),
            )],
        ),
        (
            "404.14.0",
            "W3SVC2",
            group(Some(5000), None),
            vec![(
                "maxUrl".into(),
                "4096".into(),
                Default,
                None,
                None,
                Some(
                    "the longest URL stem in this group is 5000 bytes, over the 4096 limit".into(),
                ),
            )],
        ),
        // No query logged: no evidence.
        (
            "404.15.0",
            "W3SVC1",
            group(Some(7), None),
            vec![(
                "maxQueryString".into(),
                "1024".into(),
                Configured,
                Some(8),
                shop.clone(),
                None,
            )],
        ),
        (
            "404.13.0",
            "W3SVC1",
            group(None, None),
            vec![one("maxAllowedContentLength", "30000000", Default, None)],
        ),
        (
            "503.2.0",
            "W3SVC1",
            group(None, None),
            vec![(
                "appConcurrentRequestLimit".into(),
                "100".into(),
                Configured,
                Some(9),
                shop,
                None,
            )],
        ),
        (
            "503.2.0",
            "W3SVC2",
            group(None, None),
            vec![one("appConcurrentRequestLimit", "5000", Default, None)],
        ),
        // A 500.0 not known to be FastCGI's names nothing.
        ("500.0.0", "W3SVC1", group(None, None), vec![]),
        ("404.0.2", "W3SVC1", group(None, None), vec![]),
    ];
    for (code, site, g, want) in cases {
        assert_eq!(named(code, site, None, &g), want, "{code} on {site}");
    }
}

#[test]
fn a_fastcgi_500_names_each_application_s_queue_and_process_settings() {
    let got = named(
        "500.0.258",
        "W3SVC1",
        Some("FastCgiModule"),
        &group(None, None),
    );
    let php = Some("FastCGI application 'C:\\php\\php-cgi.exe'".to_string());
    let summary: Vec<(&str, &str, Source, Option<String>)> = got
        .iter()
        .map(|(n, v, s, _, scope, _)| (n.as_str(), v.as_str(), *s, scope.clone()))
        .collect();
    assert_eq!(
        summary,
        [
            ("queueLength", "50", Source::Configured, php.clone()),
            ("maxInstances", "0", Source::Default, php.clone()),
            ("idleTimeout", "300", Source::Default, php),
        ]
    );
    assert_eq!(got[0].3, Some(12));
    // The default of maxInstances says what 0 means.
    assert!(got[1].5.as_deref().unwrap().contains("IIS 8.0"), "{got:?}");
    // 503.4 (the FastCGI queue is full) names the queue and the process count only.
    let got = named("503.4.0", "W3SVC1", None, &group(None, None));
    let names: Vec<&str> = got.iter().map(|n| n.0.as_str()).collect();
    assert_eq!(names, ["queueLength", "maxInstances"]);
}
