//! `iisdiag freb`: each trace with the explanation of its triple, for the module that set the
//! error, newest first.

use std::path::Path;

use crate::input::freb::Trace;
use crate::kb::Kb;
use crate::triple::Triple;

use super::advice::{Advice, advise};

/// One trace and what it means.
#[derive(Debug, Clone)]
pub struct ExplainedTrace {
    /// The file (or `archive!member`) the trace was read from.
    pub path: String,
    pub trace: Trace,
    pub triple: Triple,
    pub advice: Advice,
}

/// Explains every trace, newest first; traces without a time last, then by path.
pub fn explain(kb: &Kb, traces: Vec<(String, Trace)>) -> Vec<ExplainedTrace> {
    let mut out: Vec<ExplainedTrace> = traces
        .into_iter()
        .map(|(path, trace)| {
            let triple = trace.triple();
            let advice = advise(kb, &triple, trace.error_module(), &[]);
            ExplainedTrace {
                path,
                trace,
                triple,
                advice,
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.trace
            .start
            .cmp(&a.trace.start)
            .then_with(|| Path::new(&a.path).cmp(Path::new(&b.path)))
    });
    out
}
