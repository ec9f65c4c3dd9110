//! `iisdiag explain`: what the knowledge base knows about one code, or all of it.

use std::io::Write;
use std::path::PathBuf;

use crate::error::{EXIT_OK, Error, Result};
use crate::hresult;
use crate::kb::query::{self, Query};
use crate::kb::{CodeEntry, Kb};
use crate::report::{self, kb_export};
use crate::triple::{Code, Triple};

/// How `explain --list` writes the knowledge base.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListFormat {
    Table,
    Csv,
    Json,
}

#[derive(Debug, Clone)]
pub struct Options {
    /// The code to explain; `None` with `list`.
    pub code: Option<String>,
    pub list: Option<ListFormat>,
    pub rules: Option<PathBuf>,
    pub width: u16,
}

pub fn run(opts: &Options, out: &mut dyn Write) -> Result<i32> {
    let kb = Kb::with_optional_rules(opts.rules.as_deref())?;
    let kb = kb.as_ref();
    let written = match (opts.list, &opts.code) {
        (Some(ListFormat::Csv), _) => kb_export::write_csv(out, kb),
        (Some(ListFormat::Json), _) => kb_export::write_json(out, kb),
        (Some(ListFormat::Table), _) => kb_export::write_table(out, kb, opts.width),
        (None, Some(code)) => {
            let q = query::parse(code).map_err(|reason| Error::BadOption {
                flag: "CODE",
                value: code.clone(),
                reason,
            })?;
            let text = explain(kb, &q).map_err(|reason| Error::BadOption {
                flag: "CODE",
                value: code.clone(),
                reason,
            })?;
            out.write_all(text.as_bytes())
        }
        (None, None) => return Err(Error::Usage("give a CODE to explain, or --list".into())),
    };
    written.and_then(|()| out.flush()).map_err(Error::Output)?;
    Ok(EXIT_OK)
}

/// The text `explain` prints for a query.
pub fn explain(kb: &Kb, q: &Query) -> Result<String, String> {
    let mut s = String::new();
    match q {
        Query::Code(code) => {
            explain_code(kb, code, &mut s);
            // A bare three-digit number may also be a win32 value (258 is WAIT_TIMEOUT).
            if code.substatus.is_none() {
                if let Some(w) = kb.win32(u64::from(code.status)) {
                    s.push_str(&format!("\nAs a win32 value, {}:\n", code.status));
                    push_win32(&mut s, w.code, kb);
                }
            }
        }
        Query::Value(v) => {
            if kb.win32(*v).is_none() {
                return Err(format!(
                    "iisdiag knows no win32, WinHTTP, SSPI or HRESULT value {v} ({}); give {}",
                    hresult::hex(*v),
                    query::FORMS
                ));
            }
            push_win32(&mut s, *v, kb);
        }
        Query::Name(name) => {
            if let Some(r) = kb.reason(name) {
                s.push_str(&format!(
                    "HTTP.sys reason {} (status {})\n",
                    r.reason, r.status
                ));
                push_entry(&mut s, &r.title, &r.cause, &r.checks, r.benign);
                push_refs(&mut s, kb, &r.refs);
            } else if let Some(w) = kb.win32_by_name(name) {
                push_win32(&mut s, w.code, kb);
            } else {
                return Err(format!(
                    "`{name}` is neither an HTTP.sys reason nor a symbolic error name iisdiag knows; give {}",
                    query::FORMS
                ));
            }
        }
    }
    Ok(s)
}

fn explain_code(kb: &Kb, code: &Code, s: &mut String) {
    let entries = kb.entries_for_code(code);
    let (general, specific): (Vec<&CodeEntry>, Vec<&CodeEntry>) = entries
        .iter()
        .partition(|e| e.module.is_none() && e.url.is_none());
    if general.is_empty() {
        // No entry for exactly this code: what the most specific match says.
        let triple = Triple::new(code.status, code.substatus, code.win32);
        let advice = report::advise(kb, &triple, None, &[]);
        let matched = match advice.matched {
            Some(m) => format!(" (closest entry: {m:?})").to_lowercase(),
            None => " (no entry; the status class)".to_string(),
        };
        s.push_str(&format!("{code}{matched}\n"));
        push_entry(
            s,
            &advice.title,
            &advice.cause,
            &advice.hints,
            advice.benign,
        );
        for r in &advice.references {
            s.push_str(&format!("  {r}\n"));
        }
    }
    for e in &general {
        s.push_str(&format!("{}\n", e.code));
        push_entry(s, &e.title, &e.cause, &e.checks, e.benign);
        push_refs(s, kb, &e.refs);
    }
    for e in &specific {
        let scope = match (&e.module, &e.url) {
            (Some(m), _) => format!("when the error was set by {m}"),
            (None, Some(u)) => format!("site rule for URLs matching {u}"),
            (None, None) => String::new(),
        };
        s.push_str(&format!("\n{} {scope}:\n", e.code));
        push_entry(s, &e.title, &e.cause, &e.checks, e.benign);
        push_refs(s, kb, &e.refs);
    }
    if code.substatus.is_none() {
        let subs: Vec<&CodeEntry> = kb
            .code_entries()
            .iter()
            .filter(|e| {
                e.module.is_none()
                    && e.code.parse::<Code>().is_ok_and(|c| {
                        c.status == code.status && c.substatus.is_some() && c.win32.is_none()
                    })
            })
            .collect();
        if !subs.is_empty() {
            s.push_str(&format!("\nSubstatus codes of {}:\n", code.status));
            for e in subs {
                s.push_str(&format!("  {:<9} {}\n", e.code, e.title));
            }
        }
    }
    if let Some(w) = code.win32 {
        s.push('\n');
        push_win32(s, w, kb);
    }
    let timeouts: Vec<_> = kb
        .timeouts()
        .iter()
        .filter(|t| {
            t.codes.iter().any(|c| {
                c.parse::<Code>().is_ok_and(|c| {
                    c.status == code.status
                        && (code.substatus.is_none() || c.substatus == code.substatus)
                })
            })
        })
        .collect();
    if !timeouts.is_empty() {
        s.push_str("\nTimeouts with a known default for this code:\n");
        for t in timeouts {
            s.push_str(&format!("  {} s: {} ({})\n", t.seconds, t.name, t.setting));
        }
    }
}

fn push_entry(s: &mut String, title: &str, cause: &str, checks: &[String], benign: bool) {
    let marker = if benign {
        " (benign: normal traffic, not a fault)"
    } else {
        ""
    };
    s.push_str(&format!(
        "  {title}{marker}\n  Likely cause: {cause}\n  Check:\n"
    ));
    for (i, c) in checks.iter().enumerate() {
        s.push_str(&format!("    {}. {c}\n", i + 1));
    }
}

fn push_refs(s: &mut String, kb: &Kb, refs: &[String]) {
    if refs.is_empty() {
        return;
    }
    s.push_str("  References:\n");
    for r in refs {
        s.push_str(&format!("    {}\n", kb.source_url(r)));
    }
}

fn push_win32(s: &mut String, value: u64, kb: &Kb) {
    let Some(w) = kb.win32(value) else { return };
    if hresult::win32_of(value).is_some() {
        s.push_str(&format!(
            "HRESULT {} ({value}) = HRESULT_FROM_WIN32({}): the {} code {}\n",
            hresult::hex(value),
            w.code,
            w.kind,
            w.code
        ));
    }
    s.push_str(&format!(
        "win32 {} = {} ({}, {})\n  {}\n",
        w.code,
        w.name,
        w.kind,
        hresult::hex(w.code),
        w.meaning
    ));
    if !w.iis.is_empty() {
        s.push_str(&format!("  In IIS: {}\n", w.iis));
    }
    push_refs(s, kb, &w.refs);
}
