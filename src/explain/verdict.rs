//! The verdict of `--fail-on` and `--strict`: what in the report makes the run end with exit
//! code 1, one sentence each.

use crate::filter::FailOn;

use super::Report;

/// What `--fail-on` and `--strict` found in a report; empty when the run passes.
pub fn verdict(report: &Report, fail_on: &[FailOn], strict: bool) -> Vec<String> {
    let mut failed = Vec::new();
    let requests = report.totals.requests;
    for cond in fail_on {
        let mut hits: Vec<(String, u64)> = report
            .groups
            .iter()
            .filter(|g| cond.counts(g.status, g.substatus, g.win32))
            .map(|g| (g.code.clone(), g.count))
            .collect();
        hits.extend(
            report
                .httperr
                .iter()
                .filter(|g| g.status.is_some_and(|st| cond.counts(st, None, None)))
                .map(|g| (format!("HTTP.sys {}", g.code), g.count)),
        );
        let total: u64 = hits.iter().map(|(_, n)| n).sum();
        if cond.exceeded(total, requests) {
            let named: Vec<String> = hits
                .iter()
                .take(5)
                .map(|(code, n)| format!("{code} x{n}"))
                .collect();
            let more = if hits.len() > 5 { ", ..." } else { "" };
            failed.push(format!(
                "--fail-on {} matched: {total} request(s) ({}{more})",
                cond.text(),
                named.join(", ")
            ));
        }
    }
    if strict {
        let t = &report.totals;
        if t.files_skipped > 0 || t.malformed_lines > 0 {
            failed.push(format!(
                "--strict: {} file(s) skipped and {} malformed line(s)",
                t.files_skipped, t.malformed_lines
            ));
        }
    }
    failed
}
