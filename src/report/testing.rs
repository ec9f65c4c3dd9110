//! Reports for the writers' tests: the bundled farm sample, the farm with Windows events
//! that explain its HTTP.sys 503s (some of them hostile), and a log whose URLs try to break
//! out of Markdown and HTML.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use crate::explain::{self, BuildOptions, Report};
use crate::input::eventlog::Event;
use crate::kb::Kb;
use crate::pipeline;
use crate::summary::Collected;
use crate::time::Millis;

/// The farm's report as if its event logs were not there.
pub fn farm_without_events() -> Report {
    let mut collected = collect(&Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/farm"));
    collected.events = crate::summary::events::EventSummary::default();
    build(&collected)
}

/// The report of `iisdiag scan testdata/farm --timeline`.
pub fn farm_report() -> Report {
    report_of(&Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/farm"))
}

/// The report of the files under `path`, with a timeline.
pub fn report_of(path: &Path) -> Report {
    build(&collect(path))
}

fn collect(path: &Path) -> Collected {
    let found = pipeline::find(&[path.to_path_buf()]);
    let options = pipeline::Options {
        group_minutes: true,
        ..pipeline::Options::default()
    };
    pipeline::collect(&found, &options).collected
}

fn build(collected: &Collected) -> Report {
    explain::build(
        collected,
        Kb::builtin(),
        &BuildOptions {
            timeline: Some(None),
            top: 10,
            ..BuildOptions::default()
        },
    )
}

/// What a hostile event puts in its data: markup, a Markdown link, a table pipe, backticks,
/// a new line that starts a heading, and a right-to-left override (no slash or backslash,
/// which would cut a module name to its file name).
pub const HOSTILE_EVENT: &str = "Evil<script>alert(1)<img src=x onerror=alert(2)>](javascript:alert(3))|`x`\n# H\u{202e}exe.dll";

/// 2026-11-18 11:40:02 UTC, when WAS disables the farm's OrdersPool (its HTTP.sys 503s
/// start 20 s later).
const DISABLED: Millis = 1_795_002_002_000;
const MINUTE: Millis = 60_000;

fn event(provider: &str, id: u32, at: Millis, data: &[(&str, &str)]) -> Event {
    Event::fixture("WEB02", provider, id, at, data)
}

/// The farm with the events of an OrdersPool that crashed until WAS disabled it: crashes
/// (one of them in a module with a hostile name), WAS 5011s and the 5002 that explain the
/// HTTP.sys 503s; three hourly recycles; a crash of a pool on a server with a hostile name;
/// a module (with a hostile name) that failed to load when the 500.19s began; `.NET Runtime`
/// 1000 log messages; and an event the knowledge base does not describe.
pub fn farm_with_events() -> Report {
    let mut collected = collect(&Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/farm"));
    // The farm's own event logs tell the same story more tamely: these tests tell theirs.
    collected.events = crate::summary::events::EventSummary::default();
    let ev = &mut collected.events;
    // Application Error writes the process id in hex, WAS in decimal.
    for (i, (pid, hex)) in [("4120", "0x1018"), ("5232", "0x1470"), ("6088", "0x17c8")]
        .into_iter()
        .enumerate()
    {
        let at = DISABLED - (4 - i as Millis) * MINUTE;
        ev.add(event(
            "Application Error",
            1000,
            at - 2_000,
            &[
                ("AppName", "w3wp.exe"),
                ("ModuleName", "Orders.Native.dll"),
                ("ExceptionCode", "c0000005"),
                ("ProcessId", hex),
            ],
        ));
        ev.add(event(
            "Microsoft-Windows-WAS",
            5011,
            at,
            &[("AppPoolID", "OrdersPool"), ("ProcessID", pid)],
        ));
    }
    ev.add(event(
        "Application Error",
        1000,
        DISABLED - MINUTE,
        &[
            ("AppName", "w3wp.exe"),
            ("ModuleName", HOSTILE_EVENT),
            ("ExceptionCode", "c0000005"),
            ("ProcessId", "0x17c8"),
        ],
    ));
    ev.add(event(
        "Microsoft-Windows-WAS",
        5002,
        DISABLED,
        &[("AppPoolID", "OrdersPool")],
    ));
    for hour in 1..=3 {
        ev.add(event(
            "Microsoft-Windows-WAS",
            5074,
            DISABLED - hour * 60 * MINUTE - 30 * MINUTE,
            &[("AppPoolID", "OrdersPool"), ("ProcessID", "3000")],
        ));
    }
    let mut far = event(
        "Microsoft-Windows-WAS",
        5011,
        DISABLED - 200 * MINUTE,
        &[("AppPoolID", HOSTILE_EVENT), ("ProcessID", "77")],
    );
    far.computer = Some(HOSTILE_EVENT.into());
    ev.add(far);
    // The 500.19.13s on web02 start at 11:30:02.
    ev.add(event(
        "Microsoft-Windows-IIS-W3SVC-WP",
        2280,
        DISABLED - 11 * MINUTE,
        &[("ModuleDll", &format!("C:\\inetsrv\\{HOSTILE_EVENT}"))],
    ));
    for i in 0..2 {
        ev.add(event(
            ".NET Runtime",
            1000,
            DISABLED - (90 + i) * MINUTE,
            &[("", "Category: Orders.Api\nEventId: 7\nOrder 12 saved")],
        ));
    }
    for i in 0..4 {
        ev.add(event(
            "Service Control Manager",
            7036,
            DISABLED - (60 + i) * MINUTE,
            &[("param1", "Windows Update")],
        ));
    }
    ev.finish();
    build(&collected)
}

/// URLs an attacker can put in a log by requesting them.
pub const HOSTILE_URLS: [&str; 4] = [
    "/<script>alert('x')</script>",
    "/\"><img/src=x/onerror=alert(1)>",
    "/a|b`c`[link](javascript:alert(2))",
    "/&lt;amp&amp;",
];

/// A folder with one W3C log that fails on each of [`HOSTILE_URLS`], and the report of it.
pub fn hostile_report() -> (tempfile::TempDir, Report) {
    let dir = tempfile::tempdir().unwrap();
    let mut log = String::from(
        "#Software: Microsoft Internet Information Services 10.0\n#Version: 1.0\n\
         #Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken\n",
    );
    for (i, url) in HOSTILE_URLS.iter().enumerate() {
        log.push_str(&format!(
            "2026-11-18 10:0{i}:00 10.0.0.1 GET {url} - 443 - 203.0.113.9 <svg/onload=alert(3)> - 500 0 0 15\n"
        ));
    }
    let path: PathBuf = dir.path().join("u_ex261118.log");
    std::fs::write(&path, log).unwrap();
    let report = report_of(dir.path());
    (dir, report)
}
