//! The filters on table-driven cases: each form a flag accepts, and the values it refuses.

use super::*;
use crate::time::Zone;
use crate::triple::Code;

fn status(values: &[&str]) -> StatusFilter {
    let mut s = StatusFilter::default();
    for v in values {
        s.add_included(v).unwrap();
    }
    s
}

fn t(code: &str) -> Triple {
    let c: Code = code.parse().unwrap();
    Triple::new(c.status, c.substatus, c.win32)
}

#[test]
fn status_forms_select_what_they_name() {
    let cases: &[(&[&str], &str, bool)] = &[
        (&["502"], "502.3.12002", true),
        (&["502"], "503.0.0", false),
        (&["502.3"], "502.3.12002", true),
        (&["502.3"], "502.4.0", false),
        (&["502.3.12002"], "502.3.12002", true),
        (&["502.3.12002"], "502.3.12029", false),
        (&["5xx"], "503.0.0", true),
        (&["5XX"], "404.0.2", false),
        (&["4xx,5xx"], "404.0.2", true),
        (&["500-504"], "504.0.0", true),
        (&["500-504"], "505.0.0", false),
        (&["4xx,!404"], "404.0.2", false),
        (&["4xx,!404"], "401.2.5", true),
        (&["!404"], "500.0.0", true),
        (&["!404"], "404.0.2", false),
        (&["!404"], "200.0.0", false),
        (&["3xx"], "304.0.0", true),
        (&["4xx", "502"], "502.3.64", true),
    ];
    for (values, code, want) in cases {
        let f = Filter {
            status: status(values),
            ..Filter::default()
        };
        assert_eq!(f.groups(&t(code), false), *want, "{values:?} on {code}");
    }
}

#[test]
fn fail_on_conditions() {
    let f = FailOn::parse("5xx").unwrap();
    assert!(f.counts(502, Some(3), Some(12002)));
    assert!(!f.counts(404, Some(0), Some(2)));
    assert!(f.exceeded(1, 1000) && !f.exceeded(0, 1000));
    let f = FailOn::parse("502.3>10").unwrap();
    assert!(f.counts(502, Some(3), Some(12002)) && !f.counts(502, Some(4), None));
    assert!(!f.exceeded(10, 100) && f.exceeded(11, 100));
    let f = FailOn::parse("4xx,!401 > 2").unwrap();
    assert!(!f.counts(401, Some(2), Some(5)) && f.counts(404, Some(0), Some(2)));
    let f = FailOn::parse("5xx>1%").unwrap();
    assert!(!f.exceeded(10, 1000) && f.exceeded(11, 1000) && !f.exceeded(0, 0));
    let f = FailOn::parse("!404").unwrap();
    assert!(f.counts(500, Some(0), Some(0)) && !f.counts(404, None, None));
    for bad in ["", "5x", "502>", "502>ten", "502>-1%", ">5", "502.3>1.5"] {
        let err = FailOn::parse(bad).unwrap_err().to_string();
        assert!(
            err.contains("--fail-on") && err.contains("502.3>10"),
            "{bad}: {err}"
        );
    }
}

#[test]
fn exclude_status_flag_leaves_out() {
    let mut s = status(&["4xx"]);
    s.add_excluded("404,401.2").unwrap();
    let f = Filter {
        status: s,
        ..Filter::default()
    };
    assert!(!f.groups(&t("404.0.2"), false));
    assert!(!f.groups(&t("401.2.5"), false));
    assert!(f.groups(&t("401.1.2148074254"), false));
    assert!(f.groups(&t("403.14.0"), false));
}

#[test]
fn bad_status_values_name_flag_value_and_forms() {
    for bad in [
        "", "5x", "6xxx", "abc", "504-500", "50-60", "502.x", "!", "502,,503",
    ] {
        let err = StatusFilter::default().add_included(bad).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("--status"), "{bad}: {text}");
        assert!(text.contains("5xx"), "{bad}: {text}");
    }
    let err = StatusFilter::default().add_excluded("zzz").unwrap_err();
    assert!(err.to_string().contains("--exclude-status"));
}

fn at(text: &str) -> Millis {
    match parse_time_bound("--since", text, Zone::Utc, false).unwrap() {
        TimeBound::At(t) => t,
        TimeBound::Back(_) => panic!("{text} is a span"),
    }
}

#[test]
fn time_bounds_in_every_form() {
    let nine = crate::time::at(
        crate::time::parse_date(b"2026-11-18").unwrap(),
        9 * 3_600_000,
    );
    assert_eq!(at("2026-11-18 09:00"), nine);
    assert_eq!(at("2026-11-18T09:00"), nine);
    assert_eq!(at("2026-11-18 09:00:00"), nine);
    assert_eq!(at("2026-11-18T09:00:00Z"), nine);
    assert_eq!(at("2026-11-18T10:00:00+01:00"), nine);
    assert_eq!(at("2026-11-18"), nine - 9 * 3_600_000);
    assert_eq!(
        parse_time_bound("--until", "2026-11-18", Zone::Utc, true).unwrap(),
        TimeBound::At(nine + 15 * 3_600_000)
    );
    for (span, ms) in [
        ("2h", 7_200_000),
        ("30m", 1_800_000),
        ("90s", 90_000),
        ("3d", 3 * DAY_MS),
        ("1w", 7 * DAY_MS),
        ("1.5h", 5_400_000),
    ] {
        assert_eq!(
            parse_time_bound("--since", span, Zone::Utc, false).unwrap(),
            TimeBound::Back(ms),
            "{span}"
        );
    }
    for bad in [
        "yesterday",
        "2026-13-01",
        "2h30",
        "0h",
        "-2h",
        "18/11/2026",
        "",
    ] {
        let err = parse_time_bound("--since", bad, Zone::Utc, false).unwrap_err();
        assert!(err.to_string().contains("--since"), "{bad}");
        assert!(err.to_string().contains("2026-11-18 09:00"), "{bad}");
    }
}

#[test]
fn durations() {
    for (text, ms) in [
        ("5s", 5000),
        ("1.5s", 1500),
        ("500ms", 500),
        ("2m", 120_000),
        ("750", 750),
    ] {
        assert_eq!(
            parse_duration_ms("--min-time-taken", text).unwrap(),
            ms,
            "{text}"
        );
    }
    for bad in ["fast", "5 parsecs", "-1s", ""] {
        assert!(parse_duration_ms("--min-time-taken", bad).is_err(), "{bad}");
    }
}

#[test]
fn client_networks() {
    let mut f = Filter::default();
    f.add_clients("10.0.0.0/8, 2001:db8::/32,192.168.1.7")
        .unwrap();
    for (ip, want) in [
        (&b"10.20.30.40"[..], true),
        (b"11.0.0.1", false),
        (b"192.168.1.7", true),
        (b"192.168.1.8", false),
        (b"2001:db8::5", true),
        (b"2001:db9::5", false),
        (b"fe80::1%13", false),
        (b"::ffff:10.1.1.1", true),
        (b"10.1.1.1:5123", true),
        (b"[2001:db8::1]:443", true),
        (b"junk", false),
    ] {
        assert_eq!(
            f.client_allows(Some(ip)),
            want,
            "{}",
            String::from_utf8_lossy(ip)
        );
    }
    assert!(!f.client_allows(None));
    for bad in ["10.0.0.0/33", "host.example", "10.0.0/8", ""] {
        assert!(Filter::default().add_clients(bad).is_err(), "{bad}");
    }
}

#[test]
fn sites_by_folder_number_or_name() {
    let f = Filter {
        sites: vec!["2".into()],
        ..Filter::default()
    };
    assert!(f.site_allows(Some(b"W3SVC2"), None));
    assert!(!f.site_allows(Some(b"W3SVC12"), None));
    assert!(f.site_allows(None, Some(2)));
    assert!(!f.site_allows(None, None));
    let f = Filter {
        sites: vec!["w3svc2".into(), "shop".into()],
        ..Filter::default()
    };
    assert!(f.site_allows(None, Some(2)));
    assert!(f.site_allows(Some(b"SHOP"), None));
    assert!(!f.site_allows(Some(b"W3SVC1"), Some(1)));
}

#[test]
fn url_on_stem_or_with_query() {
    let stem_only = UrlFilter::new("^/api/orders", false).unwrap();
    assert!(stem_only.matches(b"/api/orders/search", Some(b"q=1")));
    assert!(!stem_only.matches(b"/home", Some(b"next=/api/orders")));
    let with_query = UrlFilter::new("id=42$", true).unwrap();
    assert!(with_query.matches(b"/api/orders", Some(b"id=42")));
    assert!(!with_query.matches(b"/api/orders", None));
    let err = UrlFilter::new("(", false).unwrap_err().to_string();
    assert!(
        err.contains("--url") && err.contains("regular expression"),
        "{err}"
    );
}

#[test]
fn file_name_dates() {
    let day = |s: &str| crate::time::parse_date(s.as_bytes()).unwrap();
    assert_eq!(
        name_day(Path::new("W3SVC1/u_ex261118.log")),
        Some(day("2026-11-18"))
    );
    assert_eq!(
        name_day(Path::new("u_ex26111809.log")),
        Some(day("2026-11-18"))
    );
    assert_eq!(name_day(Path::new("ex031118.log")), Some(day("2003-11-18")));
    assert_eq!(
        name_day(Path::new("u_ex261118.log.gz")),
        Some(day("2026-11-18"))
    );
    for none in [
        "httperr1.log",
        "u_ex2611.log",
        "u_ex261399.log",
        "fr000101.xml",
        "u_ex261118x.log",
    ] {
        assert_eq!(name_day(Path::new(none)), None, "{none}");
    }
    let f = Filter {
        since: Some(day("2026-11-18") * DAY_MS),
        ..Filter::default()
    };
    assert!(f.may_hold(Path::new("u_ex261118.log")));
    assert!(f.may_hold(Path::new("u_ex261117.log")), "a day of slack");
    assert!(!f.may_hold(Path::new("u_ex261115.log")));
    assert!(f.may_hold(Path::new("httperr1.log")));
    let f = Filter {
        until: Some(day("2026-11-18") * DAY_MS),
        ..Filter::default()
    };
    assert!(f.may_hold(Path::new("u_ex261118.log")), "a day of slack");
    assert!(!f.may_hold(Path::new("u_ex261120.log")));
}

#[test]
fn events_are_filtered_by_time_server_and_the_site_they_name() {
    use crate::input::eventlog::{Datum, Event};
    let event = |time: Option<Millis>, computer: Option<&str>, data: &str| Event {
        provider: "IIS AspNetCore Module V2".into(),
        source: None,
        id: 1007,
        level: Some(2),
        time,
        record: None,
        channel: None,
        computer: computer.map(String::from),
        process_id: None,
        data: vec![Datum {
            name: None,
            value: data.into(),
        }],
        binary: None,
    };
    let shop = "Application 'MACHINE/WEBROOT/APPHOST/SHOP' with physical root 'D:\\home\\'";
    let from = Origin {
        site_folder: None,
        server_folder: Some("web02".into()),
    };
    let nowhere = Origin::default();
    let f = |set: fn(&mut Filter)| {
        let mut f = Filter::default();
        set(&mut f);
        f
    };
    let cases: Vec<(&str, Filter, Event, &Origin, bool)> = vec![
        (
            "no filter",
            Filter::default(),
            event(None, None, ""),
            &nowhere,
            true,
        ),
        (
            "since, at",
            f(|f| f.since = Some(100)),
            event(Some(100), None, ""),
            &nowhere,
            true,
        ),
        (
            "since, before",
            f(|f| f.since = Some(100)),
            event(Some(99), None, ""),
            &nowhere,
            false,
        ),
        (
            "until is exclusive",
            f(|f| f.until = Some(100)),
            event(Some(100), None, ""),
            &nowhere,
            false,
        ),
        (
            "no time, a bound",
            f(|f| f.since = Some(100)),
            event(None, None, ""),
            &nowhere,
            false,
        ),
        (
            "server by computer",
            f(|f| f.servers = vec!["web01".into()]),
            event(None, Some("WEB01"), ""),
            &nowhere,
            true,
        ),
        (
            "other computer",
            f(|f| f.servers = vec!["web01".into()]),
            event(None, Some("WEB03"), ""),
            &nowhere,
            false,
        ),
        (
            "server by folder",
            f(|f| f.servers = vec!["web02".into()]),
            event(None, Some("RD0003"), ""),
            &from,
            true,
        ),
        (
            "no server known",
            f(|f| f.servers = vec!["web01".into()]),
            event(None, None, ""),
            &nowhere,
            false,
        ),
        (
            "site named",
            f(|f| f.sites = vec!["shop".into()]),
            event(None, None, shop),
            &nowhere,
            true,
        ),
        (
            "other site named",
            f(|f| f.sites = vec!["blog".into()]),
            event(None, None, shop),
            &nowhere,
            false,
        ),
        (
            "no site named",
            f(|f| f.sites = vec!["blog".into()]),
            event(None, None, "x"),
            &nowhere,
            true,
        ),
        (
            "site folder by id",
            f(|f| f.sites = vec!["3".into()]),
            event(None, None, r"C:\\LogFiles\\W3SVC3\\"),
            &nowhere,
            true,
        ),
        (
            "site folder, other id",
            f(|f| f.sites = vec!["W3SVC4".into()]),
            event(None, None, r"C:\\LogFiles\\W3SVC3\\"),
            &nowhere,
            false,
        ),
        (
            "status is for requests",
            f(|f| f.status = status(&["404"])),
            event(None, None, ""),
            &nowhere,
            true,
        ),
        (
            "min time taken is for requests",
            f(|f| f.min_time_taken_ms = Some(5)),
            event(None, None, ""),
            &nowhere,
            true,
        ),
        (
            "methods are for requests",
            f(|f| f.methods = vec!["GET".into()]),
            event(None, None, ""),
            &nowhere,
            true,
        ),
    ];
    for (what, filter, e, origin, want) in cases {
        assert_eq!(filter.event(&e, origin), want, "{what}");
    }
}
