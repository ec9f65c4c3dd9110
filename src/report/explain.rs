//! `iisdiag explain CODE` as text: each block of the explanation in the order it was built.

use std::io::{self, Write};

use super::phrase;
use crate::explain::code::{Block, CodeReport, EntryText, EventText, Heading, Scope, Win32Text};
use crate::hresult;

/// Writes the explanation of one code, value or name.
pub fn write(out: &mut dyn Write, report: &CodeReport) -> io::Result<()> {
    // Notes about the asker's context come first, each followed by a blank line; the first
    // entry after them needs no blank line of its own.
    let mut first_entry = true;
    for block in &report.blocks {
        match block {
            Block::Entry {
                heading: Heading::Scoped { code, scope },
                entry,
            } if first_entry => {
                first_entry = false;
                writeln!(out, "{}", scoped_heading(code, scope))?;
                write_entry(out, entry)?;
                write_references(out, &entry.references)?;
            }
            Block::Closest { heading, entry } => {
                first_entry = false;
                write_heading(out, heading)?;
                write_entry(out, entry)?;
                write_references(out, &entry.references)?;
            }
            Block::Entry { heading, entry } => {
                first_entry = false;
                write_heading(out, heading)?;
                write_entry(out, entry)?;
                write_references(out, &entry.references)?;
            }
            Block::Substatuses { status, codes } => {
                writeln!(out, "\nSubstatus codes of {status}:")?;
                for (code, title) in codes {
                    writeln!(out, "  {code:<9} {title}")?;
                }
            }
            Block::Win32(w) => write_win32(out, w)?,
            Block::CodeWin32(w) => {
                writeln!(out)?;
                if let Some(w) = w {
                    write_win32(out, w)?;
                }
            }
            Block::AsWin32 { value, win32 } => {
                writeln!(out, "\nAs a win32 value, {value}:")?;
                write_win32(out, win32)?;
            }
            Block::Event(e) => write_event(out, e)?,
            Block::TimeTaken { text, .. } => writeln!(out, "{text}\n")?,
            Block::NoModuleEntry {
                module,
                code,
                known,
            } => {
                let others = match known.as_slice() {
                    [] => "no module has one".to_string(),
                    _ => format!("modules with one: {}", known.join(", ")),
                };
                writeln!(
                    out,
                    "iisdiag has no reading of {code} for {}, so the general one follows ({others}).\n",
                    crate::guard::terminal(module)
                )?;
            }
            Block::Timeouts(timeouts) => {
                writeln!(out, "\nTimeouts with a known default for this code:")?;
                for (seconds, name, setting) in timeouts {
                    writeln!(out, "  {seconds} s: {name} ({setting})")?;
                }
            }
        }
    }
    Ok(())
}

fn write_heading(out: &mut dyn Write, heading: &Heading) -> io::Result<()> {
    match heading {
        Heading::Closest { code, matched } => {
            let matched = match matched {
                Some(m) => format!(" (closest entry: {m:?})").to_lowercase(),
                None => " (no entry; the status class)".to_string(),
            };
            writeln!(out, "{code}{matched}")
        }
        Heading::Code(code) => writeln!(out, "{code}"),
        Heading::Scoped { code, scope } => writeln!(out, "\n{}", scoped_heading(code, scope)),
        Heading::Reason { reason, status } => {
            writeln!(out, "HTTP.sys reason {reason} (status {status})")
        }
    }
}

/// The heading of an entry scoped to a module or to a site rule's URLs.
fn scoped_heading(code: &str, scope: &Scope) -> String {
    match scope {
        Scope::Module(m) => format!("{code} when the error was set by {m}:"),
        Scope::Url(u) => format!("{code} site rule for URLs matching {u}:"),
    }
}

fn write_entry(out: &mut dyn Write, e: &EntryText) -> io::Result<()> {
    let marker = if e.benign {
        " (benign: normal traffic, not a fault)"
    } else {
        ""
    };
    writeln!(out, "  {}{marker}", e.title)?;
    phrase::cause_and_checks(out, &e.cause, &e.checks)
}

fn write_event(out: &mut dyn Write, e: &EventText) -> io::Result<()> {
    writeln!(out, "Event {}/{} ({})", e.provider, e.id, e.role)?;
    if !e.aliases.is_empty() {
        writeln!(out, "  Provider also named: {}", e.aliases.join(", "))?;
    }
    writeln!(out, "  {}", e.entry.title)?;
    if !e.fields.is_empty() {
        writeln!(out, "  Fields, in order:")?;
        for (i, f) in e.fields.iter().enumerate() {
            writeln!(out, "    {}. {f}", i + 1)?;
        }
    }
    phrase::cause_and_checks(out, &e.entry.cause, &e.entry.checks)?;
    write_references(out, &e.entry.references)
}

fn write_references(out: &mut dyn Write, references: &[String]) -> io::Result<()> {
    if references.is_empty() {
        return Ok(());
    }
    writeln!(out, "  References:")?;
    for r in references {
        writeln!(out, "    {r}")?;
    }
    Ok(())
}

fn write_win32(out: &mut dyn Write, w: &Win32Text) -> io::Result<()> {
    if let Some(value) = w.hresult {
        writeln!(
            out,
            "HRESULT {} ({value}) = HRESULT_FROM_WIN32({}): the {} code {}",
            hresult::hex(value),
            w.code,
            w.kind,
            w.code
        )?;
    }
    writeln!(
        out,
        "win32 {} = {} ({}, {})\n  {}",
        w.code,
        w.name,
        w.kind,
        hresult::hex(w.code),
        w.meaning
    )?;
    if !w.iis.is_empty() {
        writeln!(out, "  In IIS: {}", w.iis)?;
    }
    write_references(out, &w.references)
}
