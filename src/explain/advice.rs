//! What the knowledge base says about one triple, ready for any writer: the entry that fits
//! best (by module and URL where the evidence names them), the win32 value on its own, and
//! the site rules that apply. Never blank: an unknown code still gets the meaning of its
//! status class and of its win32 value.

use serde::Serialize;

use crate::kb::{self, Kb, Specificity};
use crate::triple::Triple;

/// What the knowledge base says about a triple.
#[derive(Debug, Clone)]
pub struct Advice {
    pub title: String,
    pub cause: String,
    pub hints: Vec<String>,
    pub benign: bool,
    pub matched: Option<Specificity>,
    pub win32: Option<Win32Detail>,
    pub references: Vec<String>,
    pub rules: Vec<RuleNote>,
}

/// The win32 value of a triple on its own.
#[derive(Debug, Clone, Serialize)]
pub struct Win32Detail {
    pub code: u64,
    pub name: String,
    pub kind: String,
    pub meaning: String,
    pub iis: String,
}

/// A site-specific note from a `--rules` file whose URL pattern matches a group.
#[derive(Debug, Clone, Serialize)]
pub struct RuleNote {
    pub title: String,
    pub cause: String,
    pub hints: Vec<String>,
}

/// Explains a triple; `module` is the module that set the error when traces name it, `urls`
/// the group's URLs for URL-scoped rules.
pub fn advise(kb: &Kb, triple: &Triple, module: Option<&str>, urls: &[&str]) -> Advice {
    let ex = kb.explain(triple, module, urls);
    let win32 = ex.win32.map(|w| Win32Detail {
        code: triple.win32.unwrap_or(w.code),
        name: w.name.clone(),
        kind: w.kind.clone(),
        meaning: w.meaning.clone(),
        iis: w.iis.clone(),
    });
    let mut references = Vec::new();
    let mut push_refs = |refs: &[String]| {
        for r in refs {
            let url = kb.source_url(r).to_string();
            if !references.contains(&url) {
                references.push(url);
            }
        }
    };
    let fallback = kb.fallback();
    // The status entries of 200, 206 and 304 explain a non-zero win32 (the connection did not
    // end cleanly); a success with win32 0 is said to be one. An entry for its substatus or
    // triple (200.501, Dynamic IP Restrictions in logging-only mode) still applies.
    let success = !triple.is_failure()
        && triple.status < 400
        && matches!(ex.specificity, None | Some(Specificity::Status));
    let (title, cause, hints, benign) = match ex.entry {
        _ if success => {
            push_refs(&fallback.success_refs);
            let status = triple.status.to_string();
            let class = kb::status_class(triple.status);
            let cause = match triple.win32 {
                Some(_) => &fallback.success_cause,
                None => &fallback.success_cause_no_win32,
            };
            let values = [("status", status.as_str()), ("class", class)];
            (
                kb::fill(&fallback.success_title, &values),
                kb::fill(cause, &values),
                fallback.success_checks.clone(),
                true,
            )
        }
        Some(e) => {
            push_refs(&e.refs);
            (e.title.clone(), e.cause.clone(), e.checks.clone(), e.benign)
        }
        None => {
            let cause = match &win32 {
                Some(w) => kb::fill(
                    &fallback.unknown_code_cause_win32,
                    &[
                        ("name", &w.name),
                        ("code", &w.code.to_string()),
                        ("meaning", &w.meaning),
                    ],
                ),
                None => fallback.unknown_code_cause.clone(),
            };
            (
                kb::status_class_title(triple.status),
                cause,
                fallback.unknown_code_checks.clone(),
                false,
            )
        }
    };
    if let Some(w) = ex.win32 {
        push_refs(&w.refs);
    }
    let mut hints = hints;
    if !success && ex.specificity != Some(Specificity::Triple) {
        if let Some(note) = unknown_win32(kb, triple, ex.entry.map(|e| e.code.as_str())) {
            hints.insert(0, note);
        }
    }
    let rules = ex
        .rules
        .iter()
        .map(|r| {
            push_refs(&r.refs);
            RuleNote {
                title: r.title.clone(),
                cause: r.cause.clone(),
                hints: r.checks.clone(),
            }
        })
        .collect();
    Advice {
        title,
        cause,
        hints,
        benign,
        matched: if success { None } else { ex.specificity },
        win32,
        references,
        rules,
    }
}

/// What is said of a triple whose win32 value the knowledge base does not know (0 and
/// values it knows are said nothing of): that the reading given is the one of `reading`
/// (the code of the entry used, or the status) for any win32, and how to decode the value.
pub fn unknown_win32(kb: &Kb, triple: &Triple, reading: Option<&str>) -> Option<String> {
    let w = triple.win32.filter(|&w| w != 0 && kb.win32(w).is_none())?;
    let status = triple.status.to_string();
    Some(kb::fill(
        &kb.fallback().unknown_win32,
        &[
            ("code", &w.to_string()),
            ("hex", &crate::hresult::hex(w)),
            ("reading", reading.unwrap_or(&status)),
        ],
    ))
}

/// The advice for a trace of a request that succeeded: no module set an error, so a
/// time-taken (or status-range) rule caught it; `slow_module` is where most time went.
pub fn traced_success(kb: &Kb, status: u16, slow_module: Option<&str>, advice: &mut Advice) {
    let fallback = kb.fallback();
    advice.title = kb::fill(
        &fallback.traced_success_title,
        &[("status", &status.to_string())],
    );
    advice.cause = match slow_module {
        Some(m) => kb::fill(&fallback.traced_success_cause_slow, &[("module", m)]),
        None => fallback.traced_success_cause.clone(),
    };
    advice.hints = fallback.traced_success_checks.clone();
    advice.benign = false;
    advice.matched = None;
}
