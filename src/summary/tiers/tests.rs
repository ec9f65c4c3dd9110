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
    let mut scan = FrontScan::default();
    each(&format!("{front}{back}"), |r, s| scan.add(r, s));
    let index = scan.into_index();
    let mut hits = Vec::new();
    let mut backends: BTreeMap<String, Backend> = BTreeMap::new();
    each(back, |r, s| {
        if !index.front_servers.contains(s) && index.came_through(r) {
            backends.entry(s.to_string()).or_default().add(r);
            hits.extend(index.hit(r, s));
        }
    });
    Tiers::pair(index, hits, backends)
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
        assert_eq!(tiers.pairs[0].is_some(), paired, "{back}");
        assert_eq!(
            tiers.backends["app01"].requests,
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
