//! `iisdiag explain --page` as text or JSON: what the detailed error page says, before the
//! explanation of its code. Every value comes from the page, text its sender wrote, so each
//! goes through the terminal guard.

use std::io::{self, Write};

use serde::Serialize;

use crate::explain::advice::{Advice, Win32Detail};
use crate::guard;
use crate::input::errorpage::ErrorPage;

/// Writes the fields the page has; `error_name` is the symbolic name of its error code.
pub fn write(out: &mut dyn Write, page: &ErrorPage, error_name: Option<&str>) -> io::Result<()> {
    let code = match page.substatus {
        Some(sub) => format!("{}.{sub}", page.status),
        None => page.status.to_string(),
    };
    match &page.title {
        Some(t) => writeln!(
            out,
            "Detailed error page: HTTP {code} ({})",
            guard::terminal(t)
        )?,
        None => writeln!(out, "Detailed error page: HTTP {code}")?,
    }
    let error_code = page.error_code.map(|c| match error_name {
        Some(name) => format!("0x{c:08x} ({name})"),
        None => format!("0x{c:08x}"),
    });
    let fields = [
        ("Module", page.module.as_deref()),
        ("Notification", page.notification.as_deref()),
        ("Handler", page.handler.as_deref()),
        ("Error Code", error_code.as_deref()),
        ("Requested URL", page.requested_url.as_deref()),
        ("Physical Path", page.physical_path.as_deref()),
        ("Logon Method", page.logon_method.as_deref()),
        ("Logon User", page.logon_user.as_deref()),
        ("Config Error", page.config_error.as_deref()),
        ("Config File", page.config_file.as_deref()),
    ];
    for (label, value) in fields {
        if let Some(v) = value {
            writeln!(out, "  {label:<14} {}", guard::terminal(v))?;
        }
    }
    let failing = page.config_source.iter().find(|l| l.failing);
    if let Some(l) = failing {
        writeln!(
            out,
            "  {:<14} line {}: {}",
            "Config Source",
            l.number,
            guard::terminal(&l.text)
        )?;
    }
    Ok(())
}

/// The page and what the knowledge base says about its code, as one JSON document.
pub fn write_json(
    out: &mut dyn Write,
    page: &ErrorPage,
    error_name: Option<&str>,
    code: &str,
    advice: &Advice,
) -> io::Result<()> {
    #[derive(Serialize)]
    struct Explanation<'a> {
        code: &'a str,
        title: &'a str,
        cause: &'a str,
        hints: &'a [String],
        benign: bool,
        win32: Option<&'a Win32Detail>,
        references: &'a [String],
    }
    #[derive(Serialize)]
    struct Doc<'a> {
        page: &'a ErrorPage,
        error_name: Option<&'a str>,
        explanation: Explanation<'a>,
    }
    let doc = Doc {
        page,
        error_name,
        explanation: Explanation {
            code,
            title: &advice.title,
            cause: &advice.cause,
            hints: &advice.hints,
            benign: advice.benign,
            win32: advice.win32.as_ref(),
            references: &advice.references,
        },
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}
