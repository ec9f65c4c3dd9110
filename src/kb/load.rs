//! Loading and checking knowledge-base files: the built-in ones and a user's rules file.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::{
    Checklist, CodeEntry, CodeKey, EVENT_ROLES, EventEntry, Fallback, Kb, ReasonEntry, TAKE_KEYS,
    TimeoutEntry, Win32Entry, is_take_name, take_position,
};
use crate::triple::Code;

/// The largest rules file read; the built-in data files together are far smaller.
const MAX_RULES_BYTES: u64 = 16 << 20;

/// The built-in data files, in load order.
const BUILTIN: &[(&str, &str)] = &[
    ("sources.toml", include_str!("data/sources.toml")),
    ("checklists.toml", include_str!("data/checklists.toml")),
    ("status.toml", include_str!("data/status.toml")),
    ("triples.toml", include_str!("data/triples.toml")),
    ("win32.toml", include_str!("data/win32.toml")),
    ("httperr.toml", include_str!("data/httperr.toml")),
    ("timeouts.toml", include_str!("data/timeouts.toml")),
    ("events.toml", include_str!("data/events.toml")),
    ("fallback.toml", include_str!("data/fallback.toml")),
];

/// One knowledge-base file: any of its tables may be absent.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct KbFile {
    #[serde(default)]
    sources: HashMap<String, String>,
    #[serde(default)]
    checklist: Vec<Checklist>,
    #[serde(default)]
    code: Vec<CodeEntry>,
    #[serde(default)]
    win32: Vec<Win32Entry>,
    #[serde(default)]
    reason: Vec<ReasonEntry>,
    #[serde(default)]
    timeout: Vec<TimeoutEntry>,
    #[serde(default)]
    event: Vec<EventEntry>,
    #[serde(default)]
    fallback: Option<Fallback>,
}

/// A knowledge-base file that cannot be used, with the line of the problem.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}:{line}: {message}", path.display())]
pub struct RulesError {
    pub path: PathBuf,
    pub line: usize,
    pub message: String,
}

pub(super) fn builtin() -> Result<Kb, RulesError> {
    let mut kb = Kb::default();
    for (name, text) in BUILTIN {
        kb.add_file(Path::new(name), text)?;
    }
    Ok(kb)
}

impl Kb {
    /// This knowledge base with a user's rules file added: its entries override built-in
    /// entries with the same key (and module), and add new ones.
    pub fn with_rules(&self, path: &Path) -> Result<Kb, crate::Error> {
        let io_error = |source| crate::Error::Io {
            path: path.to_path_buf(),
            source,
        };
        let mut text = String::new();
        std::fs::File::open(path)
            .and_then(|f| f.take(MAX_RULES_BYTES + 1).read_to_string(&mut text))
            .map_err(io_error)?;
        if text.len() as u64 > MAX_RULES_BYTES {
            return Err(io_error(std::io::Error::other(format!(
                "larger than {} MiB; a rules file is a few entries of text",
                MAX_RULES_BYTES >> 20
            ))));
        }
        self.with_rules_text(path, &text)
            .map_err(|e| crate::Error::AtLine {
                path: e.path,
                line: e.line,
                message: e.message,
            })
    }

    /// This knowledge base with the rules in `text` added; `path` names them in errors.
    pub fn with_rules_text(&self, path: &Path, text: &str) -> Result<Kb, RulesError> {
        let mut kb = self.clone();
        kb.add_file(path, text)?;
        Ok(kb)
    }

    /// Parses, checks and adds one file.
    pub(super) fn add_file(&mut self, path: &Path, text: &str) -> Result<(), RulesError> {
        let err = |line: usize, message: String| RulesError {
            path: path.to_path_buf(),
            line,
            message,
        };
        let file: KbFile = toml::from_str(text).map_err(|e| {
            let line = e.span().map_or(1, |s| line_of(text, s.start));
            err(line, e.message().trim().to_string())
        })?;
        self.sources.extend(file.sources);
        if let Some(fallback) = file.fallback {
            for check in [
                &fallback.unknown_code_checks,
                &fallback.unknown_reason_checks,
                &fallback.traced_success_checks,
                &fallback.success_checks,
            ] {
                if check.is_empty() || check.iter().any(|c| c.trim().is_empty()) {
                    return Err(err(
                        table_lines(text, "fallback").first().copied().unwrap_or(1),
                        "`fallback` check lists need at least one non-empty check".into(),
                    ));
                }
            }
            self.fallback = fallback;
        }
        let line_of_table = |table: &str| {
            let lines = table_lines(text, table);
            move |i: usize| lines.get(i).copied().unwrap_or(1)
        };

        let checklist_line = line_of_table("checklist");
        for (i, list) in file.checklist.into_iter().enumerate() {
            let line = checklist_line(i);
            check_text(&list.id, "id").map_err(|m| err(line, m))?;
            if list.checks.is_empty() || list.checks.iter().any(|c| c.trim().is_empty()) {
                return Err(err(
                    line,
                    "`checks` needs at least one non-empty check".into(),
                ));
            }
            self.check_refs(&list.refs).map_err(|m| err(line, m))?;
            self.checklists.insert(list.id.clone(), list);
        }

        let code_line = line_of_table("code");
        for (i, mut entry) in file.code.into_iter().enumerate() {
            let line = code_line(i);
            if let Some(id) = &entry.checklist {
                let list = self.checklists.get(id).ok_or_else(|| {
                    err(
                        line,
                        format!("`checklist` names `{id}`, which no [[checklist]] defines"),
                    )
                })?;
                add_missing(&mut entry.checks, &list.checks);
                add_missing(&mut entry.refs, &list.refs);
            }
            let code: Code = entry.code.parse().map_err(|e| err(line, format!("{e}")))?;
            check_text(&entry.title, "title").map_err(|m| err(line, m))?;
            check_text(&entry.cause, "cause").map_err(|m| err(line, m))?;
            if entry.checks.is_empty() || entry.checks.iter().any(|c| c.trim().is_empty()) {
                return Err(err(
                    line,
                    "`checks` needs at least one non-empty check".into(),
                ));
            }
            if let Some(pattern) = &entry.url {
                regex::Regex::new(pattern).map_err(|e| {
                    err(
                        line,
                        format!("`url` is not a valid regular expression: {e}"),
                    )
                })?;
            }
            self.check_refs(&entry.refs).map_err(|m| err(line, m))?;
            let key: CodeKey = (code.status, code.substatus, code.win32);
            // An entry with the same key, module and URL scope replaces the earlier one.
            let same = self.by_code.get(&key).and_then(|ids| {
                ids.iter().copied().find(|&id| {
                    let old = &self.codes[id];
                    old.module == entry.module && old.url == entry.url
                })
            });
            match same {
                Some(id) => self.codes[id] = entry,
                None => {
                    self.by_code.entry(key).or_default().push(self.codes.len());
                    self.codes.push(entry);
                }
            }
        }
        let win32_line = line_of_table("win32");
        for (i, entry) in file.win32.into_iter().enumerate() {
            let line = win32_line(i);
            check_text(&entry.name, "name").map_err(|m| err(line, m))?;
            check_text(&entry.meaning, "meaning").map_err(|m| err(line, m))?;
            const KINDS: &[&str] = &[
                "system", "winsock", "winhttp", "sspi", "hresult", "ntstatus",
            ];
            if !KINDS.contains(&entry.kind.as_str()) {
                return Err(err(
                    line,
                    format!(
                        "`kind` is `{}`; expected one of {}",
                        entry.kind,
                        KINDS.join(", ")
                    ),
                ));
            }
            self.check_refs(&entry.refs).map_err(|m| err(line, m))?;
            self.win32.insert(entry.code, entry);
        }
        let reason_line = line_of_table("reason");
        for (i, entry) in file.reason.into_iter().enumerate() {
            let line = reason_line(i);
            check_text(&entry.reason, "reason").map_err(|m| err(line, m))?;
            check_text(&entry.title, "title").map_err(|m| err(line, m))?;
            check_text(&entry.cause, "cause").map_err(|m| err(line, m))?;
            if entry.checks.is_empty() {
                return Err(err(line, "`checks` needs at least one check".into()));
            }
            self.check_refs(&entry.refs).map_err(|m| err(line, m))?;
            self.reasons
                .insert(entry.reason.to_ascii_lowercase(), entry);
        }
        let timeout_line = line_of_table("timeout");
        for (i, entry) in file.timeout.into_iter().enumerate() {
            let line = timeout_line(i);
            if !(entry.seconds > 0.0 && entry.seconds.is_finite()) {
                return Err(err(line, "`seconds` must be a positive number".into()));
            }
            for c in &entry.codes {
                c.parse::<Code>().map_err(|e| err(line, format!("{e}")))?;
            }
            self.check_refs(&entry.refs).map_err(|m| err(line, m))?;
            self.timeouts.push(entry);
        }
        let event_line = line_of_table("event");
        for (i, entry) in file.event.into_iter().enumerate() {
            let line = event_line(i);
            self.add_event(entry).map_err(|m| err(line, m))?;
        }
        Ok(())
    }

    /// Checks one event entry and adds it; an entry for a provider name and id already
    /// known replaces the earlier one.
    fn add_event(&mut self, entry: EventEntry) -> Result<(), String> {
        check_text(&entry.provider, "provider")?;
        check_text(&entry.title, "title")?;
        check_text(&entry.cause, "cause")?;
        if entry.checks.is_empty() || entry.checks.iter().any(|c| c.trim().is_empty()) {
            return Err("`checks` needs at least one non-empty check".into());
        }
        if entry.fields.iter().any(|f| f.trim().is_empty()) {
            return Err("`fields` holds an empty field".into());
        }
        if !EVENT_ROLES.contains(&entry.role.as_str()) {
            return Err(format!(
                "`role` is `{}`; expected one of {}",
                entry.role,
                EVENT_ROLES.join(", ")
            ));
        }
        self.check_refs(&entry.refs)?;
        check_take(&entry)?;
        let names: Vec<String> = std::iter::once(&entry.provider)
            .chain(&entry.aliases)
            .map(|n| n.trim().to_lowercase())
            .collect();
        let old = names
            .iter()
            .find_map(|n| self.by_event.get(&(n.clone(), entry.id)).copied());
        let index = match old {
            Some(i) => {
                self.events[i] = entry;
                i
            }
            None => {
                self.events.push(entry);
                self.events.len() - 1
            }
        };
        for n in names {
            self.by_event.insert((n, self.events[index].id), index);
        }
        Ok(())
    }

    fn check_refs(&self, refs: &[String]) -> Result<(), String> {
        for r in refs {
            if !(r.starts_with("http://")
                || r.starts_with("https://")
                || self.sources.contains_key(r))
            {
                return Err(format!(
                    "reference `{r}` is neither a URL nor a known source id (see `[sources]`)"
                ));
            }
        }
        Ok(())
    }
}

/// Checks an event entry's `take` table: known keys, and alternatives that are a Data item
/// name or `#N` with N at least 1. The message names the entry, since `take` is inline.
fn check_take(entry: &EventEntry) -> Result<(), String> {
    let at = format!("event {}/{}", entry.provider, entry.id);
    for (key, sources) in &entry.take {
        if !TAKE_KEYS.contains(&key.as_str()) {
            return Err(format!(
                "{at}: `take` has the key `{key}`; expected one of {}",
                TAKE_KEYS.join(", ")
            ));
        }
        if sources.is_empty() {
            return Err(format!("{at}: `take.{key}` lists no alternative"));
        }
        for s in sources {
            let position = take_position(s);
            if position == Some(0) || (position.is_none() && !is_take_name(s)) {
                return Err(format!(
                    "{at}: `take.{key}` holds `{s}`, which is neither a Data item name nor \
                     `#N` with N of 1 or more"
                ));
            }
        }
    }
    Ok(())
}

fn check_text(value: &str, field: &str) -> Result<(), String> {
    if value.trim().is_empty() {
        Err(format!("`{field}` is empty"))
    } else {
        Ok(())
    }
}

/// 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// The lines of the `[[table]]` headers in a file, in order: entry `i` is on the `i`-th.
/// Found in one pass, so a file of many entries costs no more than reading it.
fn table_lines(text: &str, table: &str) -> Vec<usize> {
    let header = format!("[[{table}]]");
    text.lines()
        .enumerate()
        .filter(|(_, l)| l.trim_start().starts_with(&header))
        .map(|(n, _)| n + 1)
        .collect()
}

/// Appends the items of `more` that `list` lacks, in their order.
fn add_missing(list: &mut Vec<String>, more: &[String]) {
    for item in more {
        if !list.contains(item) {
            list.push(item.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::Kb;
    use crate::triple::Code;

    fn checks_of(kb: &Kb, code: &str) -> Vec<String> {
        let code: Code = code.parse().unwrap();
        let entries = kb.entries_for_code(&code);
        let general = entries.iter().find(|e| e.module.is_none()).unwrap();
        general.checks.clone()
    }

    #[test]
    fn a_checklist_follows_the_entry_own_checks_each_once() {
        let text = "[[checklist]]\nid = \"ours\"\nchecks = [\"b\", \"c\"]\n\n\
                    [[code]]\ncode = \"599.1\"\ntitle = \"t\"\ncause = \"c\"\n\
                    checks = [\"a\", \"b\"]\nchecklist = \"ours\"\n";
        let kb = Kb::builtin()
            .with_rules_text(Path::new("r.toml"), text)
            .unwrap();
        assert_eq!(checks_of(&kb, "599.1"), ["a", "b", "c"]);
        // A rules file may use a built-in list.
        let text = "[[code]]\ncode = \"599.2\"\ntitle = \"t\"\ncause = \"c\"\nchecks = [\"a\"]\nchecklist = \"slow-app\"\n";
        let kb = Kb::builtin()
            .with_rules_text(Path::new("r.toml"), text)
            .unwrap();
        let checks = checks_of(&kb, "599.2");
        assert_eq!(checks[0], "a");
        assert!(checks[1].contains("very unlikely to be IIS"), "{checks:?}");
    }

    #[test]
    fn an_unknown_checklist_is_refused_with_its_line() {
        let text = "\n\n[[code]]\ncode = \"599.1\"\ntitle = \"t\"\ncause = \"c\"\nchecks = [\"a\"]\nchecklist = \"nope\"\n";
        let e = Kb::builtin()
            .with_rules_text(Path::new("r.toml"), text)
            .unwrap_err();
        assert_eq!(e.line, 3);
        assert!(e.message.contains("`nope`"), "{}", e.message);
    }

    #[test]
    fn the_slow_application_checklist_is_on_every_502_3_the_application_causes() {
        let kb = Kb::builtin();
        for code in ["502.3", "502.3.12002", "502.3.12030", "502.3.64"] {
            let code: Code = code.parse().unwrap();
            for e in kb.entries_for_code(&code) {
                assert_eq!(
                    e.checklist.as_deref(),
                    Some("slow-app"),
                    "{} {:?}",
                    e.code,
                    e.module
                );
                assert!(
                    e.checks.iter().any(|c| c.contains(".Result or .Wait()")),
                    "{} {:?}",
                    e.code,
                    e.module
                );
            }
        }
    }
}
