//! The goals as ratios measured in one run, and the summary table that ends the run.
//!
//! Absolute times are noise on a shared machine; a ratio to a reference tool timed in the same
//! run is the measure. Each case records its ratio with one call: [`guard`] for a figure that
//! must not regress (the run fails past its limit: the plain W3C cases), [`goal`] for a target
//! the table says is met or not, [`report`] for a figure without a target. [`finish`] prints
//! every recorded ratio in order and says whether a guard failed. A case joins with one line,
//! its ratio taken from its rows by tool name, e.g.
//! `goals::goal("gz: one log", goals::ratio(&rows, "iisdiag scan", "pigz -dc"), "pigz -dc", 0.7)`
//! or, for a ratio of two scans, `Some(zip_secs / folder_secs)` against `"the same folder"`.
//!
//! The list is a process-wide static so that a case in any sibling file joins the table with
//! one line, without threading a collector through every `bench_*` signature.

use std::sync::Mutex;

use crate::Row;

/// What happens when a ratio is above its limit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Limit {
    /// The run fails.
    Guard(f64),
    /// The table says `NOT met`.
    Goal(f64),
    /// Reported only.
    None,
}

/// One case's ratio: `ratio` times `against`, in the same run.
#[derive(Debug, Clone)]
pub struct Goal {
    pub case: String,
    /// `None` when the reference could not be timed (e.g. `wc` missing).
    pub ratio: Option<f64>,
    pub limit: Limit,
    pub against: String,
}

static GOALS: Mutex<Vec<Goal>> = Mutex::new(Vec::new());

/// Records a figure that fails the run when above `limit`.
pub fn guard(case: &str, ratio: Option<f64>, against: &str, limit: f64) {
    push(case, ratio, against, Limit::Guard(limit));
}

/// Records a target the summary says is met or not.
pub fn goal(case: &str, ratio: Option<f64>, against: &str, limit: f64) {
    push(case, ratio, against, Limit::Goal(limit));
}

/// Records a figure without a target.
pub fn report(case: &str, ratio: Option<f64>, against: &str) {
    push(case, ratio, against, Limit::None);
}

fn push(case: &str, ratio: Option<f64>, against: &str, limit: Limit) {
    let goal = Goal {
        case: case.to_string(),
        ratio,
        limit,
        against: against.to_string(),
    };
    GOALS.lock().unwrap_or_else(|e| e.into_inner()).push(goal);
}

/// `tool`'s time over `reference`'s among timed rows (`iisdiag scan`, `wc -l`).
pub fn ratio(rows: &[Row], tool: &str, reference: &str) -> Option<f64> {
    let secs = |name: &str| rows.iter().find(|r| r.tool == name).map(|r| r.m.secs);
    Some(secs(tool)? / secs(reference)?.max(1e-9))
}

/// Whether this ratio is within its limit (a missing ratio fails nothing).
fn within(g: &Goal) -> bool {
    match (g.ratio, g.limit) {
        (Some(r), Limit::Guard(l) | Limit::Goal(l)) => r <= l,
        _ => true,
    }
}

/// Prints the summary of every recorded ratio; false when a guard is past its limit, each
/// named on stderr with its ratio and limit.
pub fn finish() -> bool {
    let goals = GOALS.lock().unwrap_or_else(|e| e.into_inner());
    if goals.is_empty() {
        return true;
    }
    println!("\nsummary: each case's ratio in this run and the issue's goal");
    println!(
        "  {:<32} {:>8}  {:<24} {:<10} result",
        "case", "ratio", "against", "goal"
    );
    let mut regressed = Vec::new();
    for g in goals.iter() {
        let ratio = g.ratio.map_or("n/a".to_string(), |r| format!("{r:.2} x"));
        let (limit, verdict) = match g.limit {
            Limit::None => ("report".to_string(), "-"),
            Limit::Guard(l) | Limit::Goal(l) if g.ratio.is_none() => {
                (format!("<= {l}"), "not timed")
            }
            Limit::Guard(l) => (
                format!("<= {l}"),
                if within(g) { "ok" } else { "REGRESSED" },
            ),
            Limit::Goal(l) => (format!("<= {l}"), if within(g) { "met" } else { "NOT met" }),
        };
        println!(
            "  {:<32} {:>8}  {:<24} {:<10} {verdict}",
            g.case, ratio, g.against, limit
        );
        if let (Limit::Guard(l), false) = (g.limit, within(g)) {
            regressed.push(format!(
                "throughput: case `{}` regressed: scan took {ratio} the time of {}, the limit is {l} x",
                g.case, g.against
            ));
        }
    }
    for line in &regressed {
        eprintln!("{line}");
    }
    regressed.is_empty()
}
