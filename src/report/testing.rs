//! Reports for the writers' tests: the bundled farm sample, and a log whose URLs try to
//! break out of Markdown and HTML.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use crate::explain::{self, BuildOptions, Report};
use crate::kb::Kb;
use crate::pipeline;

/// The report of `iisdiag scan testdata/farm --timeline`.
pub fn farm_report() -> Report {
    report_of(&Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/farm"))
}

/// The report of the files under `path`, with a timeline.
pub fn report_of(path: &Path) -> Report {
    let found = pipeline::find(&[path.to_path_buf()]);
    let options = pipeline::Options {
        group_minutes: true,
        ..pipeline::Options::default()
    };
    let read = pipeline::collect(&found, &options);
    explain::build(
        &read.collected,
        Kb::builtin(),
        &BuildOptions {
            timeline: Some(None),
            top: 10,
            ..BuildOptions::default()
        },
    )
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
