//! `iisdiag explain --ancm` as text or JSON: what an ASP.NET Core Module debug log says,
//! process by process. Every value comes from the log, so each line goes through the
//! terminal guard.

use std::io::{self, Write};

use serde::Serialize;

use super::fit::fill_at_spaces;
use crate::explain::ancm::AncmReport;
use crate::guard;

/// Writes each session with its findings, then what the reader noted about the file.
pub fn write(
    out: &mut dyn Write,
    name: &str,
    report: &AncmReport,
    notes: &[String],
    width: u16,
) -> io::Result<()> {
    writeln!(
        out,
        "{}",
        fill_at_spaces(
            &format!("ASP.NET Core Module debug log {name}: {}", report.text),
            width,
            "  ",
            ""
        )
    )?;
    for s in &report.sessions {
        writeln!(out)?;
        writeln!(out, "{}", fill_at_spaces(&s.text, width, "    ", "- "))?;
        let fields = [
            ("Process path", s.process_path.as_deref()),
            ("App path", s.app_path.as_deref()),
            ("dotnet", s.dotnet.as_deref()),
            ("hostfxr", s.hostfxr.as_deref()),
        ];
        for (label, value) in fields {
            if let Some(v) = value {
                writeln!(out, "    {label:<13} {}", guard::terminal(v))?;
            }
        }
        for f in &s.failures {
            let name = f.name.as_deref().unwrap_or("");
            let at = f.location.as_deref().unwrap_or("");
            // Paths stay on one line: a wrap inside one would read as two.
            let line = format!("Failed HRESULT {} {name} at {at}", f.code);
            writeln!(out, "    {}", guard::terminal(&line))?;
        }
        for step in &s.shutdown {
            writeln!(out, "    Shutdown: {}", guard::terminal(step))?;
        }
        for f in &s.findings {
            writeln!(out, "{}", fill_at_spaces(f, width, "    ", "  * "))?;
        }
    }
    for n in notes {
        writeln!(
            out,
            "{}",
            fill_at_spaces(&format!("note: {n}"), width, "  ", "")
        )?;
    }
    Ok(())
}

#[derive(Serialize)]
struct Document<'a> {
    file: &'a str,
    #[serde(flatten)]
    report: &'a AncmReport,
    notes: &'a [String],
}

/// The same as one JSON document: `file`, `sessions`, `other`, `text`, `notes`.
pub fn write_json(
    out: &mut dyn Write,
    name: &str,
    report: &AncmReport,
    notes: &[String],
) -> io::Result<()> {
    let doc = Document {
        file: name,
        report,
        notes,
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}
