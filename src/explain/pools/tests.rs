use super::*;
use crate::input::config::{ConfigFile, Site};
use crate::summary::config::ConfigSummary;

const FILE: &str = "web/applicationHost.config";

fn app(path: &str, pool: &str) -> Application {
    Application {
        path: path.into(),
        pool: Some(pool.into()),
        physical_path: None,
    }
}

/// Pool Shop sets its bitness, queue length and crash count; Api sets nothing; the
/// defaults set the identity and the ping interval.
fn config() -> ConfigSummary {
    let file = ConfigFile {
        sites: vec![Site {
            id: Some(1),
            name: "Shop".into(),
            applications: vec![app("/", "Shop"), app("/api", "Api")],
            line: 20,
            ..Site::default()
        }],
        pools: vec![
            Pool {
                name: "Shop".into(),
                runtime: Some("v4.0".into()),
                enable_32bit: Some(true),
                queue_length: Some(200),
                rapid_fail_max_crashes: Some(3),
                line: 6,
                failure_line: Some(8),
                ..Pool::default()
            },
            Pool {
                name: "Api".into(),
                runtime: Some(String::new()),
                line: 10,
                ..Pool::default()
            },
        ],
        pool_defaults: Some(Pool {
            name: "(pool defaults)".into(),
            identity_type: Some("NetworkService".into()),
            ping_interval_s: Some(30),
            line: 12,
            process_model_line: Some(13),
            ..Pool::default()
        }),
        ..ConfigFile::default()
    };
    let mut c = ConfigSummary::default();
    c.add_config(&file, FILE, |_, _| true);
    c
}

#[test]
fn a_pool_is_found_by_name_as_http_sys_writes_it() {
    let c = config();
    for (queue, found) in [
        ("Shop", Some("Shop")),
        ("SHOP", Some("Shop")),
        ("%53hop", Some("Shop")),
        ("api", Some("Api")),
        ("Shop2", None),
        ("%zz", None),
    ] {
        let name = find(&c, queue, None).map(|p| p.pool.item.name.clone());
        assert_eq!(name.as_deref(), found, "{queue}");
    }
    assert!(find(&c, "Shop", Some("other/applicationHost.config")).is_none());
}

#[test]
fn a_pools_nature_takes_what_it_leaves_out_from_the_defaults_then_iis() {
    let c = config();
    let cases = [
        (
            "Shop",
            "Shop (.NET v4.0, Integrated, 32-bit, NetworkService), serves Shop (W3SVC1)",
        ),
        (
            "Api",
            "Api (No Managed Code, Integrated, 64-bit, NetworkService), serves Shop (W3SVC1)",
        ),
    ];
    for (name, text) in cases {
        let facts = find(&c, name, None).unwrap().facts(&c);
        assert_eq!(facts.describe(), text);
        assert_eq!((facts.file.as_str(), facts.sites.len()), (FILE, 1));
    }
}

#[test]
fn a_setting_says_whether_the_pool_the_defaults_or_iis_sets_it() {
    let c = config();
    let shop = find(&c, "Shop", None).unwrap();
    let api = find(&c, "Api", None).unwrap();
    let cases = [
        (
            reason_settings("QueueFull", &shop),
            vec![
                "applicationPools/add@queueLength = 200 in web/applicationHost.config line 6 (pool 'Shop')",
            ],
        ),
        (
            reason_settings("QueueFull", &api),
            vec![
                "applicationPools/add@queueLength = 1000 (pool 'Api') (IIS's default: not set in any configuration that applies here)",
            ],
        ),
        (
            reason_settings("AppOffline", &shop),
            vec![
                "applicationPools/add/failure@rapidFailProtection = true (pool 'Shop') (IIS's default: not set in any configuration that applies here)",
                "applicationPools/add/failure@rapidFailProtectionMaxCrashes = 3 in web/applicationHost.config line 8 (pool 'Shop')",
                "applicationPools/add/failure@rapidFailProtectionInterval = 00:05:00 (pool 'Shop') (IIS's default: not set in any configuration that applies here)",
            ],
        ),
        (reason_settings("Timer_ConnectionIdle", &shop), vec![]),
    ];
    for (settings, want) in cases {
        let got: Vec<String> = settings.iter().map(Setting::describe).collect();
        assert_eq!(got, want);
    }
    let ping = api
        .setting(PING_INTERVAL, |p| p.ping_interval_s, timespan, None)
        .unwrap();
    assert_eq!(
        ping.describe(),
        "applicationPools/add/processModel@pingInterval = 00:00:30 in web/applicationHost.config line 13 (pool 'Api', from applicationPoolDefaults)"
    );
    let c_without = ConfigSummary {
        pool_defaults: Vec::new(),
        ..c.clone()
    };
    let bare = find(&c_without, "Api", None).unwrap();
    assert!(
        bare.setting(PING_INTERVAL, |p| p.ping_interval_s, timespan, None)
            .is_none(),
        "a setting without an IIS default is named only when a file sets it"
    );
}

#[test]
fn urls_fall_in_the_application_with_the_longest_path() {
    let apps = [app("/", "Shop"), app("/api", "Api"), app("/api/v2/", "V2")];
    for (url, pool) in [
        ("/cart", "Shop"),
        ("/api", "Api"),
        ("/API/orders", "Api"),
        ("/apiary", "Shop"),
        ("/api/v2/x", "V2"),
        ("/", "Shop"),
    ] {
        let got = application_of(&apps, url).and_then(|a| a.pool.as_deref());
        assert_eq!(got, Some(pool), "{url}");
    }
    assert!(application_of(&apps[1..], "/cart").is_none());
}

#[test]
fn spans_read_as_people_say_them() {
    for (ms, text) in [
        (40_000, "40 s"),
        (190_400, "3 min 10 s"),
        (120_000, "2 min"),
        (7_500_000, "2 h 5 min"),
        (3_600_000, "1 h"),
        (-5, "0 s"),
    ] {
        assert_eq!(span_words(ms), text);
    }
}

fn run(id: u32, pool: &str, count: u64, first: i64, last: i64) -> EventRun {
    EventRun {
        provider: "WAS".into(),
        id,
        role: String::new(),
        title: String::new(),
        count,
        first: Some(first),
        last: Some(last),
        computer: None,
        pool: Some(pool.into()),
        pids: Vec::new(),
        app: None,
        app_path: None,
        module: None,
        code: None,
        exception: None,
        url: None,
        reason: None,
        iis: true,
        text: String::new(),
        next: None,
        explains: Vec::new(),
    }
}

#[test]
fn a_rapid_fail_chain_names_the_crash_settings_with_the_crashes_counted() {
    let c = config();
    let runs = [
        run(5002, "Shop", 1, 200_000, 200_000),
        run(5011, "SHOP", 3, 10_000, 200_400),
        run(5011, "Api", 2, 0, 1_000),
        run(5010, "Api", 1, 0, 0),
    ];
    let chain = Chain {
        runs: vec![0, 1, 2, 3],
        lines: Vec::new(),
        next: None,
    };
    let got: Vec<String> = chain_settings(&chain, &runs, &c)
        .iter()
        .map(Setting::describe)
        .collect();
    assert_eq!(
        got,
        [
            "applicationPools/add/failure@rapidFailProtection = true (pool 'Shop') (IIS's default: not set in any configuration that applies here)",
            "applicationPools/add/failure@rapidFailProtectionMaxCrashes = 3 in web/applicationHost.config line 8 (pool 'Shop'); 3 WAS 5011 crashes of pool 'Shop' within 3 min 10 s; rapidFailProtectionMaxCrashes is 3 in 00:05:00",
            "applicationPools/add/failure@rapidFailProtectionInterval = 00:05:00 (pool 'Shop') (IIS's default: not set in any configuration that applies here)",
            "applicationPools/add/failure@rapidFailProtectionMaxCrashes = 5 (pool 'Api') (IIS's default: not set in any configuration that applies here); 2 WAS 5011 crashes of pool 'Api' within 1 s; rapidFailProtectionMaxCrashes is 5 in 00:05:00",
            "applicationPools/add/processModel@pingResponseTime = 00:01:30 (pool 'Api') (IIS's default: not set in any configuration that applies here)",
            "applicationPools/add/processModel@pingInterval = 00:00:30 in web/applicationHost.config line 13 (pool 'Api', from applicationPoolDefaults)",
        ]
    );
}

#[test]
fn a_setting_with_evidence_replaces_the_same_without() {
    let plain = Setting::default(MAX_CRASHES.0, "5".into()).with_scope(Some("pool 'A'".into()));
    let told = plain.clone().with_evidence(Some("2 crashes".into()));
    let other = Setting::default(MAX_CRASHES.0, "5".into()).with_scope(Some("pool 'B'".into()));
    let mut list = Vec::new();
    for s in [plain.clone(), told.clone(), plain, other.clone()] {
        push(&mut list, s);
    }
    assert_eq!(list, [told, other]);
}

#[test]
fn each_was_event_names_the_setting_behind_it() {
    let mut c = config();
    // Api turns rapid-fail protection off and sets its own restart time.
    let api = c.pools.iter_mut().find(|p| p.item.name == "Api").unwrap();
    api.item.rapid_fail_protection = Some(false);
    api.item.periodic_restart_s = Some(86_400);
    api.item.periodic_restart_line = Some(11);
    let cases: [(u32, &str, Vec<&str>); 5] = [
        (
            5013,
            "Shop",
            vec![
                "applicationPools/add/processModel@shutdownTimeLimit = 00:01:30 (pool 'Shop') (IIS's default: not set in any configuration that applies here)",
            ],
        ),
        (
            5074,
            "Shop",
            vec![
                "applicationPools/add/recycling/periodicRestart@time = 1.05:00:00 (pool 'Shop') (IIS's default: not set in any configuration that applies here)",
            ],
        ),
        (
            5074,
            "Api",
            vec![
                "applicationPools/add/recycling/periodicRestart@time = 1.00:00:00 in web/applicationHost.config line 11 (pool 'Api')",
            ],
        ),
        // Crashes with rapid-fail protection off bring no crash count into it.
        (5011, "Api", vec![]),
        // A pool the configuration does not have gets nothing.
        (5002, "Elsewhere", vec![]),
    ];
    for (id, pool, want) in cases {
        let runs = [run(id, pool, 1, 0, 0)];
        let chain = Chain {
            runs: vec![0],
            lines: Vec::new(),
            next: None,
        };
        let got: Vec<String> = chain_settings(&chain, &runs, &c)
            .iter()
            .map(Setting::describe)
            .collect();
        assert_eq!(got, want, "WAS {id} of {pool}");
    }
}
