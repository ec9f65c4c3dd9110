//! `iisdiag freb`: each trace with the explanation of its triple, for the module that set the
//! error, newest first.
//!
//! The explanation follows what the trace shows, not only its code: the error event that
//! explains the final status (one set on the way to another status, such as the 403.14 the
//! directory-listing module set before the request ended 200, explains nothing about the
//! response), the module and, for the ASP.NET Core Module, its version and hosting model
//! (V1 only forwards out of process; V2 says which by its events), the ErrorCode and the time
//! taken. A request that succeeded is explained as a traced success, not as a broken
//! connection. The sentences are knowledge-base data (`fallback.toml`).

use std::path::Path;

use crate::input::freb::Trace;
use crate::kb::{self, Kb};
use crate::summary::traces;
use crate::triple::Triple;

use super::advice::{self, Advice, advise};

/// One trace and what it means.
#[derive(Debug, Clone)]
pub struct ExplainedTrace {
    /// The file (or `archive!member`) the trace was read from.
    pub path: String,
    pub trace: Trace,
    pub triple: Triple,
    /// What the trace shows, one sentence each, said before the explanation.
    pub facts: Vec<String>,
    pub advice: Advice,
}

/// Explains every trace, newest first; traces without a time last, then by path.
pub fn explain(kb: &Kb, traces: Vec<(String, Trace)>) -> Vec<ExplainedTrace> {
    let mut out: Vec<ExplainedTrace> = traces
        .into_iter()
        .map(|(path, trace)| {
            let (triple, facts, advice) = read(kb, &trace);
            ExplainedTrace {
                path,
                trace,
                triple,
                facts,
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

/// The triple a trace is evidence for, what it shows, and the advice for it.
fn read(kb: &Kb, trace: &Trace) -> (Triple, Vec<String>, Advice) {
    let triple = traces::final_triple(trace);
    let error = traces::final_error(trace);
    let module = error.map(|e| e.module.as_str()).filter(|m| !m.is_empty());
    let mut advice = advise(kb, &triple, module, &[]);
    if error.is_none() && !triple.is_failure() {
        let slow = trace
            .slowest_step
            .as_ref()
            .and_then(|s| s.module.as_deref());
        advice::traced_success(kb, triple.status, slow, &mut advice);
        // Caught by its status, not its time: "the request was slow" would not be what the
        // trace shows.
        if trace.failure_reason.eq_ignore_ascii_case("STATUS_CODE") {
            advice.cause = kb::fill(
                &kb.fallback().traced_success_cause_status,
                &[("status", &triple.status.to_string())],
            );
        }
    }
    (triple, facts(kb, trace), advice)
}

/// What the trace shows: who set which status, when and with which ErrorCode; a status set on
/// the way; the time taken; the ASP.NET Core Module's version and hosting model.
fn facts(kb: &Kb, trace: &Trace) -> Vec<String> {
    let words = kb.fallback();
    let mut out = Vec::new();
    let status_of = |status: u16, sub: Option<u32>| match sub {
        Some(s) => format!("{status}.{s}"),
        None => status.to_string(),
    };
    if let Some(e) = traces::final_error(trace) {
        let code = match e.error_code {
            Some(0) | None => words.trace_error_code_zero.clone(),
            Some(c) => format!("ErrorCode {}", crate::hresult::hex(c)),
        };
        let notification = if e.notification.is_empty() {
            "-"
        } else {
            e.notification.as_str()
        };
        out.push(kb::fill(
            &words.trace_error_set,
            &[
                ("module", &e.module),
                ("status", &status_of(e.status, e.substatus)),
                ("notification", notification),
                ("at", &at(trace, e.offset_ms)),
                ("code", &code),
            ],
        ));
    }
    if let Some(e) = traces::set_on_the_way(trace) {
        out.push(kb::fill(
            &words.trace_set_on_the_way,
            &[
                ("module", &e.module),
                ("status", &status_of(e.status, e.substatus)),
                ("at", &at(trace, e.offset_ms)),
                ("final", &status_of(trace.status, trace.substatus)),
            ],
        ));
    }
    if let Some(ms) = trace.time_taken_ms {
        out.push(kb::fill(
            &words.trace_time_taken,
            &[("ms", &ms.to_string())],
        ));
    }
    if let Some(module) = ancm_module(trace) {
        let template = if module.eq_ignore_ascii_case("AspNetCoreModule") {
            &words.trace_ancm_v1
        } else if trace
            .events
            .iter()
            .any(|e| e.name.starts_with("ANCM_INPROC_"))
        {
            &words.trace_ancm_v2_in
        } else if trace
            .ancm
            .as_ref()
            .is_some_and(|a| a.forward_started || a.winhttp_callbacks > 0)
        {
            &words.trace_ancm_v2_out
        } else {
            &words.trace_ancm_v2_unknown
        };
        out.push(kb::fill(template, &[("module", module)]));
    }
    out
}

/// ` at N ms` into the trace, or nothing when the event's time cannot be right (before the
/// first event, or later than the request took: a clock change, or a trace pieced together).
fn at(trace: &Trace, offset_ms: i64) -> String {
    let fits = offset_ms >= 0
        && trace
            .time_taken_ms
            .is_none_or(|t| offset_ms.unsigned_abs() <= t.saturating_add(1_000));
    if fits {
        format!(" at {offset_ms} ms")
    } else {
        String::new()
    }
}

/// The ASP.NET Core Module the trace names: the one that set the error, else the one the
/// slowest step was in, else any event's module.
fn ancm_module(trace: &Trace) -> Option<&str> {
    let is_ancm = |m: &&str| kb::module_matches("AspNetCoreModule", m);
    traces::final_error(trace)
        .map(|e| e.module.as_str())
        .filter(is_ancm)
        .or_else(|| {
            trace
                .slowest_step
                .as_ref()
                .and_then(|s| s.module.as_deref())
                .filter(is_ancm)
        })
        .or_else(|| {
            trace
                .events
                .iter()
                .filter_map(|e| e.module.as_deref())
                .find(is_ancm)
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::freb::read_trace;

    /// A trace of `events` (time offset in ms, opcode, data), with the root's status and
    /// time taken.
    fn trace(status: &str, time_taken: u64, events: &[(u64, &str, &str)]) -> Trace {
        let mut xml = format!(
            "<failedRequest url=\"http://app.example:80/api/orders\" verb=\"GET\" statusCode=\"{status}\" \
             failureReason=\"STATUS_CODE\" timeTaken=\"{time_taken}\">"
        );
        for (ms, name, data) in events {
            let (s, frac) = (ms / 1000, ms % 1000);
            xml.push_str(&format!(
                "<Event><System><TimeCreated SystemTime=\"2026-01-20T10:15:{s:02}.{frac:03}Z\"/></System>\
                 <EventData>{data}</EventData><RenderingInfo><Opcode>{name}</Opcode></RenderingInfo></Event>"
            ));
        }
        xml.push_str("</failedRequest>");
        read_trace(std::io::Cursor::new(xml.into_bytes()), true).unwrap()
    }

    fn set_status(module: &str, status: u16, sub: u32, code: &str) -> String {
        format!(
            "<Data Name=\"ModuleName\">{module}</Data><Data Name=\"Notification\">128</Data>\
             <Data Name=\"HttpStatus\">{status}</Data><Data Name=\"HttpSubStatus\">{sub}</Data>\
             <Data Name=\"ErrorCode\">{code}</Data>"
        )
    }

    fn end(status: u16, sub: u32) -> String {
        format!(
            "<Data Name=\"HttpStatus\">{status}</Data><Data Name=\"HttpSubStatus\">{sub}</Data>"
        )
    }

    fn module(name: &str) -> String {
        format!("<Data Name=\"ModuleName\">{name}</Data><Data Name=\"Notification\">128</Data>")
    }

    /// Issue 15, item 13: a 500 set by AspNetCoreModule (ANCM V1, out of process only) after
    /// 25 s with ErrorCode 0 was explained as "ANCM In-Process Handler Load Failure ...
    /// never started"; it is the app's own 500, relayed.
    #[test]
    fn an_ancm_v1_500_with_error_code_0_is_the_apps_own_500() {
        let t = trace(
            "500",
            25_013,
            &[
                (0, "GENERAL_REQUEST_START", ""),
                (1, "NOTIFY_MODULE_START", &module("AspNetCoreModule")),
                (
                    25_010,
                    "MODULE_SET_RESPONSE_ERROR_STATUS",
                    &set_status("AspNetCoreModule", 500, 0, "0"),
                ),
                (25_012, "GENERAL_REQUEST_END", &end(500, 0)),
            ],
        );
        let explained = explain(Kb::builtin(), vec![("fr000001.xml".into(), t)]);
        let e = &explained[0];
        assert_eq!(e.triple.to_string(), "500.0.0");
        assert!(!e.advice.title.contains("In-Process"), "{}", e.advice.title);
        assert!(
            e.advice.title.contains("app answered 500 itself"),
            "{}",
            e.advice.title
        );
        let facts = e.facts.join(" ");
        for said in [
            "AspNetCoreModule set 500.0 in EXECUTE_REQUEST_HANDLER at 25010 ms, with ErrorCode 0",
            "took 25013 ms",
            "ASP.NET Core Module V1, which only forwards",
        ] {
            assert!(facts.contains(said), "{said}: {facts}");
        }
    }

    /// V2 with a failure of its own (a non-zero ErrorCode) and in-process events is still the
    /// in-process handler load failure.
    #[test]
    fn an_ancm_v2_500_with_an_error_code_is_a_handler_load_failure() {
        let t = trace(
            "500",
            40,
            &[
                (
                    0,
                    "ANCM_INPROC_EXECUTE_REQUEST_START",
                    &module("AspNetCoreModuleV2"),
                ),
                (
                    30,
                    "MODULE_SET_RESPONSE_ERROR_STATUS",
                    &set_status("AspNetCoreModuleV2", 500, 0, "2147549183"),
                ),
                (40, "GENERAL_REQUEST_END", &end(500, 0)),
            ],
        );
        let e = &explain(Kb::builtin(), vec![("a.xml".into(), t)])[0];
        assert!(
            e.advice.title.contains("In-Process Handler Load Failure"),
            "{}",
            e.advice.title
        );
        let facts = e.facts.join(" ");
        assert!(facts.contains("ErrorCode 0x8000FFFF"), "{facts}");
        assert!(facts.contains("in-process hosting"), "{facts}");
    }

    /// Issue 15, item 13: a trace whose final status is 200 (the directory-listing module had
    /// set 403.14 on the way) was explained as "200 OK, but the connection did not end
    /// cleanly".
    #[test]
    fn a_200_after_a_403_14_set_on_the_way_is_a_traced_success() {
        let t = trace(
            "200",
            31,
            &[
                (0, "GENERAL_REQUEST_START", ""),
                (
                    2,
                    "MODULE_SET_RESPONSE_ERROR_STATUS",
                    &set_status("DirectoryListingModule", 403, 14, "0"),
                ),
                (30, "NOTIFY_MODULE_START", &module("ManagedPipelineHandler")),
                (31, "GENERAL_REQUEST_END", &end(200, 0)),
            ],
        );
        let e = &explain(Kb::builtin(), vec![("a.xml".into(), t.clone())])[0];
        assert_eq!(e.triple.status, 200);
        assert!(!e.triple.is_failure(), "{}", e.triple);
        assert!(
            !e.advice.title.contains("did not end cleanly"),
            "{}",
            e.advice.title
        );
        assert!(
            e.advice
                .title
                .contains("traced by a Failed Request Tracing rule"),
            "{}",
            e.advice.title
        );
        let facts = e.facts.join(" ");
        assert!(
            facts.contains("DirectoryListingModule set 403.14 on the way at 2 ms, but the response the client got was 200"),
            "{facts}"
        );
        // A scan groups it as a 200 that no module failed.
        let mut summary = crate::summary::traces::TraceSummary::new();
        summary.add(&t, "a.xml");
        let g = summary.groups()[0];
        assert_eq!((g.status, g.module.as_deref()), (200, None));
    }
}
