use super::sitelist::{ListedSite, looks_like_site_list, read_site_list};
use super::*;

fn corpus(name: &str) -> Option<ConfigFile> {
    let path = crate::input::corpus::path(&format!("config/{name}"))?;
    let bytes = std::fs::read(path).unwrap();
    Some(read_config(&bytes[..]).unwrap())
}

fn read(text: &str) -> Result<ConfigFile, ConfigError> {
    read_config(text.as_bytes())
}

/// (sites, pools, aspNetCore elements, FastCGI applications, applicationHost.config?)
fn counts(f: &ConfigFile) -> (usize, usize, usize, usize, bool) {
    (
        f.sites.len(),
        f.pools.len(),
        f.asp_net_core.len(),
        f.fast_cgi.len(),
        f.app_host,
    )
}

#[test]
fn every_corpus_file_with_exact_counts() {
    let cases = [
        (
            "AspNetCore_FirstApp__applicationhost.config",
            (4, 5, 3, 0, true),
        ),
        ("Cloud-OX-games__web.config", (0, 0, 0, 0, false)),
        (
            "IIS-SharedGitConfig__applicationHost.config",
            (4, 6, 0, 7, true),
        ),
        ("aspnetcore__issue6118_web.config", (0, 0, 1, 0, false)),
        (
            "iis-reverse-proxy__applicationHost.config",
            (1, 1, 0, 0, true),
        ),
        ("iis-reverse-proxy__web.config", (0, 0, 0, 0, false)),
        ("lab__web.config", (0, 0, 0, 1, false)),
        ("myWeatherRespons__web.config", (0, 0, 0, 0, false)),
        (
            "windowcontainertest__applicationHost.config",
            (1, 6, 0, 0, true),
        ),
    ];
    for (name, want) in cases {
        let Some(f) = corpus(name) else {
            return;
        };
        assert_eq!(counts(&f), want, "{name}");
        // Only the web.config that puts <fastCgi> where IIS refuses it has a note.
        assert_eq!(
            f.notes.is_empty(),
            name != "lab__web.config",
            "{name}: {:?}",
            f.notes
        );
    }
}

#[test]
fn a_hosting_server_names_its_sites_pools_and_fastcgi() {
    let Some(f) = corpus("IIS-SharedGitConfig__applicationHost.config") else {
        return;
    };
    let names: Vec<(Option<u32>, &str)> = f.sites.iter().map(|s| (s.id, s.name.as_str())).collect();
    assert_eq!(
        names,
        [
            (Some(1), "Default Web Site"),
            (Some(4), "redisoncloud.com"),
            (Some(5), "ikinci.com"),
            (Some(6), "deneme.com")
        ]
    );
    let default = &f.sites[0];
    assert_eq!(
        (default.server_auto_start, default.line),
        (Some(false), 189)
    );
    let shop = &f.sites[1];
    assert_eq!(shop.bindings.len(), 2);
    assert_eq!(shop.bindings[1].information, "*:80:www.redisoncloud.com");
    assert_eq!(
        shop.applications[0].pool.as_deref(),
        Some("redisoncloud.com")
    );
    assert_eq!(
        shop.applications[0].physical_path.as_deref(),
        Some(r"C:\vhosts\redisoncloud.com\http")
    );
    assert_eq!(
        shop.log_directory.as_deref(),
        Some(r"C:\vhosts\redisoncloud.com\logs")
    );
    assert_eq!(
        f.default_freb_directory.as_deref(),
        Some(r"%SystemDrive%\inetpub\logs\FailedReqLogFiles")
    );
    let pool = &f.pools[3];
    assert_eq!(pool.name, "redisoncloud.com");
    assert_eq!(
        pool.identity_type.as_deref(),
        Some("ApplicationPoolIdentity")
    );
    assert_eq!(
        (pool.idle_timeout_s, pool.enable_32bit),
        (Some(300), Some(true))
    );
    assert_eq!(
        f.pool_defaults.as_ref().and_then(|p| p.queue_length),
        Some(4000)
    );
    let php = &f.fast_cgi[0];
    assert_eq!(
        php.full_path,
        r"C:\Program Files\MaestroPanel\php\v5.6\php-cgi.exe"
    );
    assert_eq!(
        (
            php.activity_timeout_s,
            php.request_timeout_s,
            php.instance_max_requests
        ),
        (Some(90), Some(90), Some(10000))
    );
}

#[test]
fn iis_express_aspnetcore_sits_in_locations() {
    let Some(f) = corpus("AspNetCore_FirstApp__applicationhost.config") else {
        return;
    };
    let locations: Vec<Option<&str>> = f
        .asp_net_core
        .iter()
        .map(|a| a.location.as_deref())
        .collect();
    assert_eq!(
        locations,
        [Some("FirstApp"), Some("FirstApp(1)"), Some("FirstApp(2)")]
    );
    assert_eq!(
        f.asp_net_core[0].process_path.as_deref(),
        Some("%LAUNCHER_PATH%")
    );
    assert_eq!(f.asp_net_core[0].stdout_log_enabled, Some(false));
    assert_eq!(
        f.sites[1].applications[0].pool.as_deref(),
        Some("Clr4IntegratedAppPool")
    );
}

#[test]
fn a_web_config_with_handler_settings() {
    let Some(f) = corpus("aspnetcore__issue6118_web.config") else {
        return;
    };
    let a = &f.asp_net_core[0];
    assert_eq!(a.hosting_model.as_deref(), Some("InProcess"));
    assert_eq!(a.stdout_log_file.as_deref(), Some(r".\logs\stdout"));
    assert_eq!(a.debug_file.as_deref(), Some(r".\aspnetcore-debug.log"));
    assert_eq!(a.debug_level.as_deref(), Some("FILE,TRACE"));
    assert_eq!((a.location.as_deref(), a.line), (None, 7));
}

#[test]
fn fastcgi_in_a_web_config_is_a_finding() {
    let Some(f) = corpus("lab__web.config") else {
        return;
    };
    assert_eq!(f.notes.len(), 1);
    assert!(
        f.notes[0].starts_with("line 28: <fastCgi> in a file that is not applicationHost.config"),
        "{}",
        f.notes[0]
    );
    assert!(f.notes[0].contains("500.19"));
    assert_eq!(f.fast_cgi[0].max_instances, Some(1));
}

/// A configuration holding a secret in every place IIS puts one.
pub(crate) const SECRET: &str = "Hunter2-Pa55w0rd";

pub(crate) fn secret_config() -> String {
    format!(
        r#"<?xml version="1.0"?>
<configuration>
  <connectionStrings><add name="db" connectionString="Server=x;Password={SECRET}" /></connectionStrings>
  <appSettings><add key="ApiKey" value="{SECRET}" /></appSettings>
  <system.applicationHost>
    <applicationPools>
      <add name="Shop" managedRuntimeVersion="">
        <processModel identityType="SpecificUser" userName="shop" password="{SECRET}" />
      </add>
    </applicationPools>
    <sites>
      <site name="Shop" id="2"><application path="/" applicationPool="Shop">
        <virtualDirectory path="/" physicalPath="C:\shop" userName="u" password="{SECRET}" />
      </application></site>
    </sites>
  </system.applicationHost>
  <system.webServer>
    <aspNetCore processPath="dotnet" arguments="Shop.dll --db-password {SECRET}">
      <environmentVariables><environmentVariable name="DB" value="{SECRET}" /></environmentVariables>
    </aspNetCore>
  </system.webServer>
</configuration>"#
    )
}

#[test]
fn no_secret_is_kept() {
    let f = read(&secret_config()).unwrap();
    assert_eq!(counts(&f), (1, 1, 1, 0, true));
    assert_eq!(f.pools[0].identity_type.as_deref(), Some("SpecificUser"));
    assert_eq!(
        f.asp_net_core[0].arguments.as_deref(),
        Some("(not kept: it may hold a secret)")
    );
    let everything = format!("{f:?}");
    assert!(!everything.contains(SECRET), "{everything}");
    assert!(!everything.contains("Hunter2"));
}

#[test]
fn hostile_xml_is_refused_with_its_line() {
    let deep = format!("<configuration>{}", "<a>".repeat(100));
    assert!(matches!(read(&deep), Err(ConfigError::TooDeep { line: 1 })));
    let entities = "<?xml version=\"1.0\"?>\n<!DOCTYPE configuration [<!ENTITY x \"boom\">]>\n<configuration><system.applicationHost><sites><site name=\"&x;\" id=\"1\"/></sites></system.applicationHost></configuration>";
    assert!(matches!(
        read(entities),
        Err(ConfigError::Entities { line: 2 })
    ));
    // An undeclared entity stays as written: never expanded.
    let f = read("<configuration><system.applicationHost><sites><site name=\"a&x;b\" id=\"1\"/></sites></system.applicationHost></configuration>").unwrap();
    assert_eq!(f.sites[0].name, "a&x;b");
    let broken = "<configuration>\n<system.webServer>\n</aspNetCore>\n</configuration>";
    let err = read(broken).unwrap_err();
    assert!(matches!(err, ConfigError::Xml { line: 3, .. }), "{err}");
    assert!(matches!(read("<html/>"), Err(ConfigError::NotConfiguration(n)) if n == "html"));
    assert!(matches!(read("  "), Err(ConfigError::NoRoot)));
    let long = format!(
        "<configuration><system.applicationHost><sites><site id=\"7\" name=\"{}\"/></sites></system.applicationHost></configuration>",
        "n".repeat(5000)
    );
    assert_eq!(read(&long).unwrap().sites[0].name.len(), VALUE_MAX);
    // Cut short: read up to the cut, and said.
    let cut =
        "<configuration><system.applicationHost><sites><site id=\"3\" name=\"Cut\"><bindings>";
    let f = read(cut).unwrap();
    assert_eq!(f.sites[0].name, "Cut");
    assert!(f.notes[0].contains("read up to the cut"), "{:?}", f.notes);
    assert_eq!(f.records(), 1);
}

#[test]
fn timespans() {
    for (text, want) in [
        ("00:05:00", Some(300)),
        ("1.00:00:01", Some(86_401)),
        ("00:01:30.5", Some(90)),
        ("00:00:90", None),
        ("90", None),
        ("", None),
    ] {
        assert_eq!(timespan_secs(text), want, "{text}");
    }
}

fn listed(text: &str) -> (Vec<ListedSite>, crate::input::lines::Stats) {
    let mut rows = Vec::new();
    let stats = read_site_list(text.as_bytes(), |r| rows.push(r)).unwrap();
    (rows, stats)
}

#[test]
fn site_lists_by_their_header_row() {
    let text = "\u{feff}#TYPE System.Management.Automation.PSCustomObject\r\n\"Name\",\"ID\",\"State\",\"PhysicalPath\"\r\n\"Default Web Site\",\"1\",\"Started\",\"C:\\inetpub\\wwwroot\"\r\n\"Shop, Inc\",\"2\",\"Stopped\",\"D:\\shop\"\r\nbroken,x,y\r\n";
    assert!(looks_like_site_list(text.as_bytes()));
    let (rows, stats) = listed(text);
    let got: Vec<(u32, &str, u64)> = rows
        .iter()
        .map(|r| (r.id, r.name.as_str(), r.line))
        .collect();
    assert_eq!(got, [(1, "Default Web Site", 3), (2, "Shop, Inc", 4)]);
    assert_eq!((stats.records, stats.malformed), (2, 1));
    assert_eq!(stats.malformed_samples[0].line, 5);
    assert!(looks_like_site_list(
        b"Site ID,site_name,Bindings\n3,Api,http/*:80:\n"
    ));
    let (rows, _) = listed("Site ID,site_name\n3,Api\n\n4,Web\n");
    let got: Vec<(u32, &str, u64)> = rows
        .iter()
        .map(|r| (r.id, r.name.as_str(), r.line))
        .collect();
    assert_eq!(got, [(3, "Api", 2), (4, "Web", 4)]);
    for not in [
        &b"Name,State\nA,Started\n"[..],
        b"#Fields: date time\n",
        b"ID;Name\n1;A\n",
        b"",
        b"2026-01-01 00:00:00 GET / - 80 - ::1 - - 200 0 0 1\n",
    ] {
        assert!(
            !looks_like_site_list(not),
            "{}",
            String::from_utf8_lossy(not)
        );
    }
}

#[test]
fn the_testdata_server_config() {
    let bytes = include_bytes!("../../../testdata/config/applicationHost.config");
    let f = read_config(&bytes[..]).unwrap();
    assert_eq!(counts(&f), (2, 2, 1, 1, true));
    let orders = &f.pools[1];
    assert_eq!(orders.identity_type.as_deref(), Some("SpecificUser"));
    assert_eq!(
        (orders.shutdown_time_limit_s, orders.periodic_restart_s),
        (Some(90), Some(104_400))
    );
    let front = &f.pools[0];
    assert_eq!(
        (
            front.queue_length,
            front.idle_timeout_s,
            front.ping_response_time_s
        ),
        (Some(2000), Some(0), Some(90))
    );
    assert_eq!(
        (
            front.rapid_fail_protection,
            front.rapid_fail_max_crashes,
            front.rapid_fail_interval_s
        ),
        (Some(true), Some(5), Some(300))
    );
    let asp = &f.asp_net_core[0];
    assert_eq!(asp.location.as_deref(), Some("Storefront"));
    assert_eq!(
        (asp.startup_time_limit_s, asp.request_timeout_s),
        (Some(120), Some(120))
    );
    assert_eq!(f.sites[1].log_directory.as_deref(), Some(r"E:\logs"));
    assert_eq!(f.fast_cgi[0].activity_timeout_s, Some(45));
    assert!(f.notes.is_empty(), "{:?}", f.notes);
    assert!(!format!("{f:?}").contains(SECRET));
    let csv = include_bytes!("../../../testdata/config/SiteOverview.csv");
    assert!(looks_like_site_list(csv));
    let mut rows = Vec::new();
    read_site_list(&csv[..], |r| rows.push((r.id, r.name, r.line))).unwrap();
    assert_eq!(
        rows,
        [(1, "Storefront".into(), 3), (2, "Reports (old)".into(), 4)]
    );
}

#[test]
fn proxy_and_farm_timeouts_are_read_with_their_scope() {
    let text = r#"<configuration>
  <location path="Shop"><system.webServer><proxy timeout="00:01:00" /></system.webServer></location>
  <webFarms>
    <webFarm name="api">
      <applicationRequestRouting><protocol timeout="00:02:00" /></applicationRequestRouting>
    </webFarm>
    <webFarm name="bad"><applicationRequestRouting><protocol timeout="00:00:99" /></applicationRequestRouting></webFarm>
  </webFarms>
  <applicationRequestRouting><protocol timeout="00:03:00" /></applicationRequestRouting>
  <system.web><httpRuntime executionTimeout="00:01:50" /></system.web>
</configuration>"#;
    let f = read_config(text.as_bytes()).unwrap();
    assert_eq!(
        f.proxy_timeouts,
        vec![
            ProxyTimeout {
                farm: None,
                location: Some("Shop".into()),
                timeout_s: 60,
                line: 2,
            },
            ProxyTimeout {
                farm: Some("api".into()),
                location: None,
                timeout_s: 120,
                line: 5,
            },
        ]
    );
    assert_eq!(f.execution_timeouts.len(), 1);
    assert_eq!(f.execution_timeouts[0].timeout_s, 110);
    // ASP.NET writes the value in seconds.
    let f = read("<configuration><system.web><httpRuntime executionTimeout=\"3600\" /></system.web></configuration>").unwrap();
    assert_eq!(f.execution_timeouts[0].timeout_s, 3600);
}

#[test]
fn request_limits_and_concurrency_limits_are_read_with_their_location() {
    let text = r#"<configuration>
  <system.webServer>
    <security><requestFiltering><requestLimits maxUrl="8192" /></requestFiltering></security>
    <serverRuntime appConcurrentRequestLimit="8000" />
  </system.webServer>
  <location path="Shop/api">
    <system.webServer>
      <security><requestFiltering>
        <requestLimits maxAllowedContentLength="104857600" maxQueryString=" 1024 " />
      </requestFiltering></security>
      <serverRuntime appConcurrentRequestLimit="100" />
    </system.webServer>
  </location>
  <system.webServer>
    <security><requestFiltering><requestLimits maxUrl="many" /></requestFiltering></security>
    <serverRuntime enabled="true" />
    <fastCgi><application fullPath="C:\php\php-cgi.exe" queueLength="50" idleTimeout="600" /></fastCgi>
  </system.webServer>
</configuration>"#;
    let f = read_config(text.as_bytes()).unwrap();
    let limits = |l: &RequestLimits| {
        (
            l.location.clone(),
            l.max_allowed_content_length,
            l.max_url,
            l.max_query_string,
            l.line,
        )
    };
    // An element that sets none of the three (or sets one IIS would refuse) is not kept.
    assert_eq!(
        f.request_limits.iter().map(limits).collect::<Vec<_>>(),
        [
            (None, None, Some(8192), None, 3),
            (
                Some("Shop/api".into()),
                Some(104_857_600),
                None,
                Some(1024),
                9
            ),
        ]
    );
    let concurrent: Vec<_> = f
        .concurrent_limits
        .iter()
        .map(|c| (c.location.as_deref(), c.limit, c.line))
        .collect();
    assert_eq!(concurrent, [(None, 8000, 4), (Some("Shop/api"), 100, 11)]);
    let php = &f.fast_cgi[0];
    assert_eq!(
        (php.queue_length, php.idle_timeout_s),
        (Some(50), Some(600))
    );
}

#[test]
fn pool_bitness_ping_interval_and_defaults_are_read() {
    let text = r#"<configuration><system.applicationHost><applicationPools>
<add name="Shop" enable32BitAppOnWin64="true"><processModel pingInterval="00:00:45" /></add>
<add name="Api" enable32BitAppOnWin64="False" />
<add name="Plain" enable32BitAppOnWin64="yes" />
<applicationPoolDefaults managedPipelineMode="Classic" enable32BitAppOnWin64="true">
<processModel identityType="NetworkService" /></applicationPoolDefaults>
</applicationPools></system.applicationHost></configuration>"#;
    let f = read(text).unwrap();
    let cases = [
        ("Shop", Some(true), Some(45)),
        ("Api", Some(false), None),
        // IIS refuses a value that is not a boolean; the reader leaves it out.
        ("Plain", None, None),
    ];
    for (name, bits, ping) in cases {
        let pool = f.pools.iter().find(|p| p.name == name).unwrap();
        assert_eq!(
            (pool.enable_32bit, pool.ping_interval_s),
            (bits, ping),
            "{name}"
        );
    }
    // A setting is reported on the line of the element it is an attribute of.
    assert_eq!(
        (f.pools[0].line, f.pools[0].process_model_line),
        (2, Some(2))
    );
    let defaults = f.pool_defaults.unwrap();
    assert_eq!(
        (
            defaults.line,
            defaults.process_model_line,
            defaults.failure_line
        ),
        (5, Some(6), None)
    );
    assert_eq!(defaults.enable_32bit, Some(true));
    assert_eq!(defaults.identity_type.as_deref(), Some("NetworkService"));
    assert_eq!(defaults.pipeline_mode.as_deref(), Some("Classic"));
}

#[test]
fn farm_servers_are_read_with_their_farm() {
    let text = r#"<configuration>
  <webFarms>
    <webFarm name="appfarm">
      <server address="app01.internal" enabled="true" />
      <server enabled="true" />
      <server address="10.0.2.22" />
    </webFarm>
  </webFarms>
  <system.webServer><server address="not-a-farm" /></system.webServer>
</configuration>"#;
    let f = read_config(text.as_bytes()).unwrap();
    let got: Vec<(&str, &str, u64)> = f
        .farm_servers
        .iter()
        .map(|s| (s.farm.as_str(), s.address.as_str(), s.line))
        .collect();
    assert_eq!(
        got,
        [
            ("appfarm", "app01.internal", 4),
            ("appfarm", "10.0.2.22", 6)
        ]
    );
}
