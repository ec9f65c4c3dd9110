//! The configuration lint as text (`iisdiag config`, table format): each finding with its
//! place, the error it causes, what is wrong and the fix, then a count. Every piece taken from
//! a file goes through the terminal guard.

use std::io::{self, Write};

use serde::Serialize;

use crate::guard::terminal;
use crate::input::config::lint::{Finding, Severity};
use crate::report::paint::{Paint, Tone};

/// What `iisdiag config` read and found; also its JSON document.
#[derive(Debug, Clone, Default, Serialize)]
pub struct LintReport {
    /// The configuration files linted, as the input names them.
    pub files: Vec<String>,
    /// Files that could not be read, and why.
    pub skipped: Vec<Skipped>,
    /// Whether an applicationHost.config's `<globalModules>` was read, so that modules not
    /// installed could be judged.
    pub modules_judged: bool,
    pub findings: Vec<Finding>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Skipped {
    pub file: String,
    pub reason: String,
}

impl LintReport {
    pub fn errors(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count()
    }
}

/// The error a finding causes, `500.19 (0x800700b7)`; `no error` for a warning.
pub fn causes(f: &Finding) -> String {
    match (&f.hresult, f.status.as_str()) {
        (_, "none") => "no error (the setting has no effect)".to_string(),
        (Some(h), s) => format!("{s} ({h})"),
        (None, s) => s.to_string(),
    }
}

pub fn write(out: &mut dyn Write, report: &LintReport, paint: Paint, width: u16) -> io::Result<()> {
    let width = usize::from(width).saturating_sub(4).max(40);
    for f in &report.findings {
        let tone = match f.severity {
            Severity::Error => Tone::Fault,
            Severity::Warning => Tone::ClientError,
        };
        let severity = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        writeln!(
            out,
            "{}:{}  {}  {}  {}",
            terminal(&f.file),
            f.line,
            paint.paint(tone, severity),
            f.rule.id(),
            causes(f)
        )?;
        let problem = format!("{}: {}", f.element, f.problem);
        for line in textwrap::wrap(&terminal(&problem), width) {
            writeln!(out, "    {line}")?;
        }
        let fix = format!("fix: {}", f.fix);
        for line in textwrap::wrap(&terminal(&fix), width) {
            writeln!(out, "    {line}")?;
        }
        writeln!(out)?;
    }
    let errors = report.errors();
    let warnings = report.findings.len() - errors;
    writeln!(
        out,
        "{} file{} linted: {} error{}, {} warning{}",
        report.files.len(),
        plural(report.files.len()),
        errors,
        plural(errors),
        warnings,
        plural(warnings)
    )?;
    if !report.modules_judged {
        writeln!(
            out,
            "modules installed not judged: not exactly one applicationHost.config with \
             <globalModules> among the files"
        )?;
    }
    Ok(())
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::config::lint::{lint_all, lint_bytes};

    #[test]
    fn a_finding_shows_place_error_and_fix_with_control_characters_shown() {
        let text = "<configuration><system.webServer>\n<handlers>\n<add name=\"a\u{1b}[31m\"/>\n\
                    <add name=\"A\u{1b}[31m\"/>\n</handlers></system.webServer></configuration>";
        let mut lints = vec![lint_bytes("w\u{7}eb.config", text.as_bytes())];
        let report = LintReport {
            files: vec!["web.config".into()],
            findings: lint_all(&mut lints),
            ..LintReport::default()
        };
        let mut out = Vec::new();
        assert!(write(&mut out, &report, Paint::new(false), 100).is_ok());
        let text = String::from_utf8(out).unwrap_or_default();
        assert!(
            !text.contains('\u{1b}') && !text.contains('\u{7}'),
            "{text}"
        );
        assert!(
            text.contains(":4  error  duplicate-entry  500.19 (0x800700b7)"),
            "{text}"
        );
        assert!(text.contains("fix: put a <remove>"), "{text}");
        assert!(
            text.contains("1 file linted: 1 error, 0 warnings"),
            "{text}"
        );
        assert!(text.contains("not judged"), "{text}");
    }
}
