//! `iisdiag explain CODE`: what the knowledge base knows about one code, a win32 value or a
//! name, as typed blocks that `report::explain` lays out.

use crate::hresult;
use crate::kb::query::{self, Query};
use crate::kb::{self, CodeEntry, EventEntry, Kb, Specificity};
use crate::triple::{Code, Triple};

use super::advice::advise;

/// The explanation of one query, in the order it is shown.
#[derive(Debug, Clone, PartialEq)]
pub struct CodeReport {
    pub blocks: Vec<Block>,
}

/// What a block is about, shown before its entry.
#[derive(Debug, Clone, PartialEq)]
pub enum Heading {
    /// No entry for exactly this code: the closest one, or the status class.
    Closest {
        code: String,
        matched: Option<Specificity>,
    },
    /// An entry for exactly this code.
    Code(String),
    /// An entry that applies only when a module set the error, or to URLs of a site rule.
    Scoped { code: String, scope: Scope },
    /// An HTTP.sys reason and the status it goes with.
    Reason { reason: String, status: String },
}

#[derive(Debug, Clone, PartialEq)]
pub enum Scope {
    Module(String),
    Url(String),
}

/// An entry's text, with its references as URLs.
#[derive(Debug, Clone, PartialEq)]
pub struct EntryText {
    pub title: String,
    pub cause: String,
    pub checks: Vec<String>,
    pub benign: bool,
    pub references: Vec<String>,
}

/// A win32 value on its own, and the HRESULT it was given as, if any.
#[derive(Debug, Clone, PartialEq)]
pub struct Win32Text {
    /// The value asked about, when it is `HRESULT_FROM_WIN32` of `code`.
    pub hresult: Option<u64>,
    pub code: u64,
    pub name: String,
    pub kind: String,
    pub meaning: String,
    pub iis: String,
    pub references: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// The closest advice for a code without an entry of its own, with the references of
    /// that advice (those of the win32 value are in the win32 block that follows).
    Closest {
        heading: Heading,
        entry: EntryText,
    },
    Entry {
        heading: Heading,
        entry: EntryText,
    },
    /// The substatus codes of a status, with their titles.
    Substatuses {
        status: u16,
        codes: Vec<(String, String)>,
    },
    /// A win32 value or HRESULT asked about on its own.
    Win32(Win32Text),
    /// The win32 part of a triple asked about, when the knowledge base knows it.
    CodeWin32(Option<Win32Text>),
    /// A bare three-digit number read as a win32 value too (258 is WAIT_TIMEOUT).
    AsWin32 {
        value: u16,
        win32: Win32Text,
    },
    /// Timeouts whose defaults are known for this code: seconds, name, setting.
    Timeouts(Vec<(f64, String, String)>),
    /// A Windows event.
    Event(EventText),
    /// What the request's time-taken says; `at_timeout` when it sits at a known default.
    TimeTaken {
        text: String,
        at_timeout: bool,
    },
    /// The module asked about has no reading of its own for this code; `known` are the
    /// modules that do.
    NoModuleEntry {
        module: String,
        code: String,
        known: Vec<String>,
    },
}

/// A Windows event's entry, with its references as URLs.
#[derive(Debug, Clone, PartialEq)]
pub struct EventText {
    pub provider: String,
    pub aliases: Vec<String>,
    pub id: u32,
    pub fields: Vec<String>,
    pub role: String,
    pub entry: EntryText,
}

/// What the asker knows of the failure besides its code.
#[derive(Debug, Clone, Copy, Default)]
pub struct Context<'a> {
    /// The module that set the error (`explain --module`, a detailed error page): its own
    /// reading of a code replaces the general one, and those for other modules are left out.
    pub module: Option<&'a str>,
    /// The request's time-taken in ms (`explain --time-taken`), read against the known
    /// timeouts of the code.
    pub time_taken: Option<u64>,
}

/// Explains a query in its context, or says why it cannot be explained.
pub fn explain(kb: &Kb, q: &Query, context: Context) -> Result<CodeReport, String> {
    let mut blocks = Vec::new();
    let module = context.module;
    if context.time_taken.is_some() && !matches!(q, Query::Code(_)) {
        return Err(
            "a time-taken is read against a status code (502.3.12002, 500.0), not a \
                    win32 value, a name or an event"
                .into(),
        );
    }
    match q {
        Query::Code(code) => {
            if let Some(ms) = context.time_taken {
                let triple = Triple::new(code.status, code.substatus, code.win32);
                let (text, at_timeout) = super::timing::of_one(kb, &triple, module, ms);
                blocks.push(Block::TimeTaken { text, at_timeout });
            }
            code_blocks(kb, code, module, &mut blocks);
            if code.substatus.is_none() {
                if let Some(w) = kb.win32(u64::from(code.status)) {
                    if let Some(win32) = win32_text(kb, w.code) {
                        blocks.push(Block::AsWin32 {
                            value: code.status,
                            win32,
                        });
                    }
                }
            }
        }
        Query::Value(v) => match win32_text(kb, *v) {
            Some(w) => blocks.push(Block::Win32(w)),
            None => {
                return Err(format!(
                    "iisdiag knows no win32, WinHTTP, SSPI or HRESULT value {v} ({}); give {}",
                    hresult::hex(*v),
                    query::FORMS
                ));
            }
        },
        Query::Name(name) => {
            if let Some(r) = kb.reason(name) {
                blocks.push(Block::Entry {
                    heading: Heading::Reason {
                        reason: r.reason.clone(),
                        status: r.status.clone(),
                    },
                    entry: entry_text(kb, &r.title, &r.cause, &r.checks, r.benign, &r.refs),
                });
            } else if let Some(w) = kb.win32_by_name(name).and_then(|w| win32_text(kb, w.code)) {
                blocks.push(Block::Win32(w));
            } else {
                return Err(format!(
                    "`{name}` is neither an HTTP.sys reason nor a symbolic error name iisdiag knows; give {}",
                    query::FORMS
                ));
            }
        }
        Query::Event { provider, id } => match kb.event(provider, *id) {
            Some(e) => blocks.push(Block::Event(event_text(kb, e))),
            None => {
                let mut known: Vec<&str> = Vec::new();
                for e in kb.event_entries() {
                    if !known.contains(&e.provider.as_str()) {
                        known.push(&e.provider);
                    }
                }
                return Err(format!(
                    "iisdiag knows no event {provider}/{id}; it explains the events that tell why \
                     a worker process died, recycled or did not start ({}); a rules file \
                     (--rules) can add others",
                    known.join(", ")
                ));
            }
        },
    }
    Ok(CodeReport { blocks })
}

fn entry_text(
    kb: &Kb,
    title: &str,
    cause: &str,
    checks: &[String],
    benign: bool,
    refs: &[String],
) -> EntryText {
    EntryText {
        title: title.to_string(),
        cause: cause.to_string(),
        checks: checks.to_vec(),
        benign,
        references: refs.iter().map(|r| kb.source_url(r).to_string()).collect(),
    }
}

fn event_text(kb: &Kb, e: &EventEntry) -> EventText {
    EventText {
        provider: e.provider.clone(),
        aliases: e.aliases.clone(),
        id: e.id,
        fields: e.fields.clone(),
        role: e.role.clone(),
        entry: entry_text(kb, &e.title, &e.cause, &e.checks, false, &e.refs),
    }
}

fn of_entry(kb: &Kb, e: &CodeEntry) -> EntryText {
    entry_text(kb, &e.title, &e.cause, &e.checks, e.benign, &e.refs)
}

fn code_blocks(kb: &Kb, code: &Code, module: Option<&str>, blocks: &mut Vec<Block>) {
    let entries = kb.entries_for_code(code);
    let (general, mut specific): (Vec<&CodeEntry>, Vec<&CodeEntry>) = entries
        .iter()
        .partition(|e| e.module.is_none() && e.url.is_none());
    if let Some(module) = module {
        specific.retain(|e| {
            e.module
                .as_deref()
                .is_none_or(|m| kb::module_matches(m, module))
        });
        // Said only when no entry of the code, its substatus or its status is the module's.
        let known = kb.modules_for_code(code);
        if !known.iter().any(|m| kb::module_matches(m, module)) {
            blocks.push(Block::NoModuleEntry {
                module: module.to_string(),
                code: code.to_string(),
                known: known.into_iter().map(String::from).collect(),
            });
        }
    }
    // The asker's module first: its reading is the one that applies.
    let (first, later): (Vec<&CodeEntry>, Vec<&CodeEntry>) = if module.is_some() {
        specific.iter().partition(|e| e.module.is_some())
    } else {
        (Vec::new(), specific)
    };
    scoped_blocks(kb, &first, blocks);
    // The module's own reading replaces the general one.
    let general = if first.is_empty() {
        general
    } else {
        Vec::new()
    };
    if general.is_empty() && first.is_empty() {
        // No entry for exactly this code: what the most specific match says.
        let triple = Triple::new(code.status, code.substatus, code.win32);
        let advice = advise(kb, &triple, module, &[]);
        let win32_refs: Vec<&str> = code
            .win32
            .and_then(|w| kb.win32(w))
            .map(|w| w.refs.iter().map(|r| kb.source_url(r)).collect())
            .unwrap_or_default();
        blocks.push(Block::Closest {
            heading: Heading::Closest {
                code: code.to_string(),
                matched: advice.matched,
            },
            entry: EntryText {
                title: advice.title,
                cause: advice.cause,
                checks: advice.hints,
                benign: advice.benign,
                references: advice
                    .references
                    .into_iter()
                    .filter(|r| !win32_refs.contains(&r.as_str()))
                    .collect(),
            },
        });
    }
    for e in &general {
        blocks.push(Block::Entry {
            heading: Heading::Code(e.code.clone()),
            entry: of_entry(kb, e),
        });
    }
    scoped_blocks(kb, &later, blocks);
    if code.substatus.is_none() {
        let codes: Vec<(String, String)> = kb
            .code_entries()
            .iter()
            .filter(|e| {
                e.module.is_none()
                    && e.code.parse::<Code>().is_ok_and(|c| {
                        c.status == code.status && c.substatus.is_some() && c.win32.is_none()
                    })
            })
            .map(|e| (e.code.clone(), e.title.clone()))
            .collect();
        if !codes.is_empty() {
            blocks.push(Block::Substatuses {
                status: code.status,
                codes,
            });
        }
    }
    if let Some(w) = code.win32 {
        blocks.push(Block::CodeWin32(win32_text(kb, w)));
    }
    let timeouts: Vec<(f64, String, String)> = kb
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
        .map(|t| (t.seconds, t.name.clone(), t.setting.clone()))
        .collect();
    if !timeouts.is_empty() {
        blocks.push(Block::Timeouts(timeouts));
    }
}

/// A block for each entry scoped to a module or to URLs.
fn scoped_blocks(kb: &Kb, entries: &[&CodeEntry], blocks: &mut Vec<Block>) {
    for e in entries {
        let scope = match (&e.module, &e.url) {
            (Some(m), _) => Scope::Module(m.clone()),
            (None, Some(u)) => Scope::Url(u.clone()),
            // Partitioned out by the caller: every scoped entry has a module or a URL.
            (None, None) => continue,
        };
        blocks.push(Block::Entry {
            heading: Heading::Scoped {
                code: e.code.clone(),
                scope,
            },
            entry: of_entry(kb, e),
        });
    }
}

fn win32_text(kb: &Kb, value: u64) -> Option<Win32Text> {
    let w = kb.win32(value)?;
    Some(Win32Text {
        hresult: hresult::win32_of(value).map(|_| value),
        code: w.code,
        name: w.name.clone(),
        kind: w.kind.clone(),
        meaning: w.meaning.clone(),
        iis: w.iis.clone(),
        references: w
            .refs
            .iter()
            .map(|r| kb.source_url(r).to_string())
            .collect(),
    })
}
