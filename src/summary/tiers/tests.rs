use super::*;
use crate::input::w3c;

const FIELDS: &str = "#Fields: date time s-computername s-ip cs-method cs-uri-stem c-ip X-Forwarded-For sc-status sc-substatus sc-win32-status time-taken X-ARR-LOG-ID\n";

/// Feeds each line of a W3C log to `visit` with its server.
fn each(lines: &str, mut visit: impl FnMut(&Record<'_>, &str)) {
    let text = format!("{FIELDS}{lines}");
    let read = w3c::read(text.as_bytes(), |r| {
        if let Some(server) = server_of(r, None) {
            visit(r, &server);
        }
    });
    assert!(read.is_ok());
}

/// Pairs a front end's log with a backend's, as the pipeline's two passes do.
fn pair(front: &str, back: &str) -> Tiers {
    pair_with(front, back, &Roles::default(), |_| {})
}

/// [`pair`], with the servers `roles` names and what `traced` adds to the first pass.
fn pair_with(front: &str, back: &str, roles: &Roles, traced: impl Fn(&mut FrontScan)) -> Tiers {
    let mut scan = FrontScan::default();
    each(&format!("{front}{back}"), |r, s| scan.add(r, s));
    traced(&mut scan);
    let index = scan.into_index(roles);
    let mut behind = Behind::default();
    each(back, |r, s| {
        if index.is_backend(r, s) {
            behind.add(&index, r, s);
        }
    });
    Tiers::pair(index, behind)
}

/// A front-end trace of WEB's request, routed by ARR to `server`.
fn routed_to(scan: &mut FrontScan, server: &str) {
    let trace = Trace {
        url: "http://shop:80/API/report?x=1".into(),
        verb: "GET".into(),
        computer: "WEB01".into(),
        status: 502,
        start: scan.failures.first().map(|f| f.start + 400),
        arr: Some(crate::input::freb::ArrRoute {
            server: server.into(),
            ..Default::default()
        }),
        arr_log_id: Some("{id-9}".into()),
        ..Default::default()
    };
    scan.add_trace(&trace, None);
}

const WEB: &str =
    "2026-11-30 10:00:30 WEB01 10.0.1.11 GET /api/report 203.0.113.9 - 502 3 12002 30000 -\n";

#[test]
fn proxy_codes_are_502_with_winhttp_and_504() {
    for (code, proxy) in [
        (Triple::new(502, Some(3), Some(12002)), true),
        (Triple::new(502, Some(3), Some(12029)), true),
        (Triple::new(504, Some(0), Some(0)), true),
        (Triple::new(502, Some(5), Some(0)), false),
        (Triple::new(502, Some(3), Some(64)), false),
        (Triple::new(500, Some(0), Some(0)), false),
    ] {
        assert_eq!(is_proxy_code(&code), proxy, "{code}");
    }
}

#[test]
fn a_backend_request_pairs_by_url_method_client_and_time() {
    // (backend line, paired): the backend starts 5 s after the front end and answers late.
    for (back, paired) in [
        (
            "2026-11-30 10:00:40 APP01 10.0.2.21 GET /api/report 10.0.1.11 - 200 0 0 35000 -\n",
            true,
        ),
        // Through X-Forwarded-For from another address.
        (
            "2026-11-30 10:00:40 APP01 10.0.2.21 GET /API/Report 10.9.9.9 203.0.113.9 200 0 0 35000 -\n",
            true,
        ),
        // Another method, another URL, another client, too early.
        (
            "2026-11-30 10:00:40 APP01 10.0.2.21 POST /api/report 10.0.1.11 - 200 0 0 35000 -\n",
            false,
        ),
        (
            "2026-11-30 10:00:40 APP01 10.0.2.21 GET /api/other 10.0.1.11 - 200 0 0 35000 -\n",
            false,
        ),
        (
            "2026-11-30 10:00:40 APP01 10.0.2.21 GET /api/report 10.0.1.99 203.0.113.1 200 0 0 35000 -\n",
            false,
        ),
        (
            "2026-11-30 09:59:50 APP01 10.0.2.21 GET /api/report 10.0.1.11 - 200 0 0 1000 -\n",
            false,
        ),
    ] {
        let tiers = pair(WEB, back);
        let first = tiers.pairs.first().is_some_and(Option::is_some);
        assert_eq!(first, paired, "{back}");
        assert_eq!(
            tiers.backends.get("app01").map_or(0, |b| b.requests),
            u64::from(back.contains("10.0.1.11") || back.contains("203.0.113")),
            "{back}"
        );
    }
}

#[test]
fn a_log_id_pairs_whatever_the_time_and_client_say() {
    let web = "2026-11-30 10:00:30 WEB01 10.0.1.11 GET /api/report 203.0.113.9 - 502 3 12002 30000 {id-1}\n\
               2026-11-30 10:00:31 WEB01 10.0.1.11 GET /api/report 203.0.113.9 - 502 3 12002 30000 {id-2}\n";
    // The backend's clock is 10 minutes off: only the log id can pair it.
    let back =
        "2026-11-30 10:10:41 APP01 10.0.2.21 GET /api/report 10.0.1.11 - 200 0 0 35000 {id-2}\n";
    let tiers = pair(web, back);
    let paired: Vec<bool> = tiers.pairs.iter().map(Option::is_some).collect();
    assert_eq!(paired, [false, true]);
    assert!(
        tiers.pairs[1]
            .as_ref()
            .is_some_and(|p| p.by_id && p.backend == "app01")
    );
}

#[test]
fn each_front_failure_pairs_with_one_backend_request_at_most() {
    let web =
        "2026-11-30 10:00:30 WEB01 10.0.1.11 GET /api/report 203.0.113.9 - 502 3 12002 30000 -\n";
    let back = "2026-11-30 10:00:40 APP01 10.0.2.21 GET /api/report 10.0.1.11 - 200 0 0 35000 -\n\
                2026-11-30 10:00:41 APP02 10.0.2.22 GET /api/report 10.0.1.11 - 500 0 0 37000 -\n";
    let tiers = pair(web, back);
    assert_eq!(tiers.pairs.iter().flatten().count(), 1);
    // The request that started first takes the failure.
    assert!(
        tiers.pairs[0]
            .as_ref()
            .is_some_and(|p| p.backend == "app02")
    );
    assert_eq!(tiers.backends["app02"].failures, 1);
}

#[test]
fn only_servers_that_wrote_proxy_codes_are_front_ends() {
    // app01's own 500 is no front-end failure: it wrote no proxy code.
    let back = "2026-11-30 10:00:40 APP01 10.0.2.21 GET /api/x 10.0.1.11 - 500 0 0 100 -\n";
    let tiers = pair(WEB, back);
    assert_eq!(tiers.fronts.len(), 1);
    assert_eq!(tiers.front_servers.iter().collect::<Vec<_>>(), ["web01"]);
}

#[test]
fn failures_past_the_cap_are_counted_not_kept() {
    let mut a = FrontScan::default();
    let mut b = FrontScan::default();
    each(WEB, |r, s| a.add(r, s));
    each(WEB, |r, s| b.add(r, s));
    a.failures = std::iter::repeat_n(a.failures[0].clone(), FRONT_CAP).collect();
    a.merge(b);
    assert_eq!((a.failures.len(), a.dropped), (FRONT_CAP, 1));
}

#[test]
fn the_backend_a_trace_names_is_the_only_one_a_failure_pairs_with() {
    // app01 logged the same request as app02 would: the trace says ARR chose app02.
    let back = "2026-11-30 10:00:40 APP01 10.0.2.21 GET /api/report 10.0.1.11 - 200 0 0 35000 -\n\
                2026-11-30 10:00:40 APP02 10.0.2.22 GET /api/x 10.0.1.11 - 200 0 0 10 -\n";
    // (the name ARR routed to, paired with app01, whom the failure is routed to)
    for (routed, paired, to) in [
        ("app01.internal:80", true, Some("app01")),
        ("10.0.2.22", false, Some("app02")),
        ("APP02", false, Some("app02")),
        ("app03.internal", true, None),
    ] {
        let tiers = pair_with(WEB, back, &Roles::default(), |s| routed_to(s, routed));
        assert_eq!(tiers.pairs[0].is_some(), paired, "{routed}");
        assert_eq!(tiers.fronts[0].routed_to.as_deref(), to, "{routed}");
    }
}

#[test]
fn a_traces_log_id_pairs_where_the_w3c_log_has_none() {
    // The backend's clock is 10 minutes off: only the id the trace carries can pair it.
    let back =
        "2026-11-30 10:10:41 APP01 10.0.2.21 GET /api/report 10.0.1.11 - 200 0 64 35000 {id-9}\n";
    let tiers = pair_with(WEB, back, &Roles::default(), |s| routed_to(s, "app01"));
    assert!(
        tiers.pairs[0].as_ref().is_some_and(|p| p.by_id),
        "{tiers:?}"
    );
}

#[test]
fn front_ends_no_backend_heard_from_are_left_out() {
    // WEB02 wrote proxy codes too, but no backend logged a request from it.
    let web =
        "2026-11-30 10:00:30 WEB02 10.0.1.12 GET /api/report 203.0.113.9 - 502 3 12002 30000 -\n";
    let back = "2026-11-30 10:00:40 APP01 10.0.2.21 GET /api/report 10.0.1.11 - 200 0 0 35000 -\n";
    let tiers = pair(&format!("{WEB}{web}"), back);
    assert_eq!(tiers.front_servers.iter().collect::<Vec<_>>(), ["web01"]);
    assert_eq!(tiers.fronts.len(), 1);
}

#[test]
fn named_roles_override_the_evidence() {
    let roles = |fronts: &[&str], backends: &[&str]| Roles {
        fronts: fronts.iter().map(|s| s.to_string()).collect(),
        backends: backends.iter().map(|s| s.to_string()).collect(),
    };
    // APP01's own 500s make it a front end when named so; app02 logged a request from it.
    let app01 = "2026-11-30 10:00:30 APP01 10.0.2.21 GET /api/x 203.0.113.9 - 500 0 0 900 -\n";
    let app02 = "2026-11-30 10:00:30 APP02 10.0.2.22 GET /api/x 10.0.2.21 - 500 0 0 800 -\n";
    let tiers = pair_with(app01, app02, &roles(&["app01"], &[]), |_| {});
    assert_eq!(tiers.front_servers.iter().collect::<Vec<_>>(), ["app01"]);
    assert!(
        tiers.pairs[0]
            .as_ref()
            .is_some_and(|p| p.backend == "app02")
    );
    // A named backend counts all its requests, even those that came from no front end.
    let direct = "2026-11-30 10:00:40 APP01 10.0.2.21 GET /api/x 198.51.100.7 - 200 0 0 5 -\n";
    let tiers = pair_with(WEB, direct, &roles(&[], &["app01"]), |_| {});
    assert_eq!(tiers.backends["app01"].requests, 1);
    let scan = {
        let mut scan = FrontScan::default();
        each(WEB, |r, s| scan.add(r, s));
        scan
    };
    let index = scan.into_index(&roles(&["web01", "web09"], &["app07"]));
    assert_eq!(index.unknown_roles, ["--front web09", "--backend app07"]);
}

#[test]
fn records_taken_in_with_their_server_count_as_the_server_they_name() {
    // Runs of one server and address, interleaved with others, with 5xx inside the runs: the
    // records that repeat the last server and address are passed over unless they failed.
    let log = "\
2026-11-30 10:00:01 WEB01 10.0.1.11 GET /a 203.0.113.9 - 200 0 0 5 -
2026-11-30 10:00:02 WEB01 10.0.1.11 GET /b 203.0.113.9 - 502 3 12002 900 -
2026-11-30 10:00:03 WEB01 10.0.1.11 GET /c 203.0.113.9 - 200 0 0 5 -
2026-11-30 10:00:04 Web01 10.0.1.12 GET /d 203.0.113.9 - 500 0 0 5 -
2026-11-30 10:00:05 APP07 10.0.2.7 GET /b 10.0.1.11 - 500 0 0 50 -
2026-11-30 10:00:06 WEB01 10.0.1.11 GET /e 203.0.113.9 - 503 0 0 5 -
2026-11-30 10:00:07 - 10.0.3.3 GET /f 203.0.113.9 - 504 0 0 5 -
";
    let text = format!("{FIELDS}{log}");
    let (mut by_name, mut logged) = (FrontScan::default(), FrontScan::default());
    let read = w3c::read(text.as_bytes(), |r| {
        if let Some(server) = server_of(r, Some("FOLDER9")) {
            by_name.add(r, &server);
        }
        logged.add_logged(r, Some("FOLDER9"));
    });
    assert!(read.is_ok());
    // A `-` computer name is no name: the record is the server folder's.
    let servers = ["app07", "folder9", "web01"].map(String::from);
    assert_eq!(logged.servers, BTreeSet::from(servers));
    assert_eq!(logged.servers, by_name.servers);
    assert_eq!(logged.addresses, by_name.addresses);
    assert_eq!(logged.addresses["web01"].len(), 2);
    assert_eq!(logged.proxies, by_name.proxies);
    let failed = |s: &FrontScan| {
        let f = s.failures.iter();
        f.map(|f| (f.server.clone(), f.end)).collect::<Vec<_>>()
    };
    assert_eq!(failed(&logged).len(), 5);
    assert_eq!(failed(&logged), failed(&by_name));
}
