//! `iisdiag explain`: what the knowledge base knows about one code, or all of it, or about
//! the code of an IIS detailed error page, or what an ASP.NET Core Module debug log says.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use crate::error::{EXIT_OK, Error, Result};
use crate::explain::{self, advice, code};
use crate::input::errorpage::{self, ErrorPage};
use crate::input::{ancm, sniff};
use crate::kb::Kb;
use crate::kb::query;
use crate::output::redact::{self, Values};
use crate::report::{self, kb_export};
use crate::summary::ancm::AncmSummary;
use crate::time::Zone;
use crate::triple::Triple;

/// The most of a page read: a detailed error page is a few KiB.
const MAX_PAGE: u64 = 4 * 1024 * 1024;

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
    /// A detailed error page to read and explain.
    pub page: Option<Page>,
    /// An ASP.NET Core Module debug log to read and tell (`--ancm`, the same shape).
    pub ancm: Option<Page>,
    pub rules: Option<PathBuf>,
    /// The module that set the error, as the asker names it (`--module`).
    pub module: Option<String>,
    /// The request's time-taken in ms (`--time-taken`).
    pub time_taken: Option<u64>,
    pub width: u16,
    /// With `page` or `ancm`: identifying values are replaced by pseudonyms (`--redact`).
    pub redact: bool,
}

/// `--page FILE`: the file (`-` is standard input) and whether JSON is wanted (`None`: a
/// format `--page` does not write).
#[derive(Debug, Clone)]
pub struct Page {
    pub path: PathBuf,
    pub json: Option<bool>,
}

pub fn run(opts: &Options, out: &mut dyn Write) -> Result<i32> {
    let kb = Kb::with_optional_rules(opts.rules.as_deref())?;
    let kb = kb.as_ref();
    if let Some(page) = &opts.page {
        return run_page(kb, page, opts.redact, out);
    }
    if let Some(log) = &opts.ancm {
        return run_ancm(kb, log, (opts.width, opts.redact), out);
    }
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
            let module = opts.module.as_deref().map(crate::kb::module_name);
            let context = code::Context {
                module: module.as_deref(),
                time_taken: opts.time_taken,
            };
            let explained = code::explain(kb, &q, context).map_err(|reason| Error::BadOption {
                flag: "CODE",
                value: code.clone(),
                reason,
            })?;
            report::explain::write(out, &explained)
        }
        (None, None) => return Err(Error::Usage("give a CODE to explain, or --list".into())),
    };
    written.and_then(|()| out.flush()).map_err(Error::Output)?;
    Ok(EXIT_OK)
}

fn run_page(kb: &Kb, opts: &Page, redact: bool, out: &mut dyn Write) -> Result<i32> {
    let json = opts.json.ok_or_else(|| Error::BadOption {
        flag: "--format",
        value: "csv".into(),
        reason: "--page writes table or json".into(),
    })?;
    let stdin = opts.path == Path::new("-");
    let name = if stdin {
        "standard input".to_string()
    } else {
        opts.path.display().to_string()
    };
    let io_error = |source| Error::Io {
        path: opts.path.clone(),
        source,
    };
    let mut bytes = Vec::new();
    if stdin {
        std::io::stdin()
            .lock()
            .take(MAX_PAGE + 1)
            .read_to_end(&mut bytes)
    } else {
        std::fs::File::open(&opts.path).and_then(|f| f.take(MAX_PAGE + 1).read_to_end(&mut bytes))
    }
    .map_err(io_error)?;
    if bytes.len() as u64 > MAX_PAGE {
        return Err(Error::Usage(format!(
            "{name}: larger than 4 MiB, so not a detailed error page (they are a few KiB)"
        )));
    }
    let page = errorpage::parse(&bytes).map_err(|e| Error::Usage(format!("{name}: {e}")))?;
    let error_name = page
        .error_code
        .and_then(|c| kb.win32(u64::from(c)))
        .map(|w| w.name.as_str());
    let code_text = page_code(&page);
    let explained = query::parse(&code_text)
        .ok()
        .and_then(|q| {
            let context = code::Context {
                module: page.module.as_deref(),
                time_taken: None,
            };
            code::explain(kb, &q, context).ok()
        })
        .map(|mut r| {
            // The page names its module already; that no reading is specific to it is noise.
            r.blocks
                .retain(|b| !matches!(b, code::Block::NoModuleEntry { .. }));
            r
        });
    let values = redact.then(|| gathered(&name, &page));
    let written = redact::write_with(out, values.as_ref(), json, |out| {
        if json {
            let triple = Triple::new(page.status, page.substatus, page_win32(&page));
            let advice = advice::advise(kb, &triple, page.module.as_deref(), &[]);
            return report::errorpage::write_json(out, &page, error_name, &code_text, &advice);
        }
        report::errorpage::write(out, &page, error_name).and_then(|()| match &explained {
            Some(r) => {
                writeln!(out)?;
                report::explain::write(out, r)
            }
            None => Ok(()),
        })
    });
    written.and_then(|()| out.flush()).map_err(Error::Output)?;
    Ok(EXIT_OK)
}

/// `--ancm FILE`: the log read whole (its reader caps lines and sessions), its sessions
/// told; a file that is not such a log is refused with the reason.
fn run_ancm(
    kb: &Kb,
    opts: &Page,
    (width, redact): (u16, bool),
    out: &mut dyn Write,
) -> Result<i32> {
    let json = opts.json.ok_or_else(|| Error::BadOption {
        flag: "--format",
        value: "csv".into(),
        reason: "--ancm writes table or json".into(),
    })?;
    let stdin = opts.path == Path::new("-");
    let name = if stdin {
        "standard input".to_string()
    } else {
        opts.path.display().to_string()
    };
    let io_error = |source| Error::Io {
        path: opts.path.clone(),
        source,
    };
    let reader: Box<dyn Read> = if stdin {
        Box::new(std::io::stdin().lock())
    } else {
        Box::new(std::fs::File::open(&opts.path).map_err(io_error)?)
    };
    let mut head = Vec::new();
    let mut reader = reader;
    reader
        .by_ref()
        .take(sniff::HEAD_LEN as u64)
        .read_to_end(&mut head)
        .map_err(io_error)?;
    if sniff::sniff(&head) != Ok(sniff::Kind::AncmDebug) {
        return Err(Error::Usage(format!(
            "{name}: not an ASP.NET Core Module debug log (its first line is not `[aspnetcorev2*.dll] ...` or `[<time>, PID: n] [aspnetcorev2*.dll] ...`)"
        )));
    }
    let (sessions, stats) =
        ancm::read_ancm(std::io::Cursor::new(head).chain(reader)).map_err(io_error)?;
    let mut summary = AncmSummary::default();
    for s in sessions {
        summary.add(&name, None, s);
    }
    let mut notes = stats.notes;
    if stats.malformed > 0 {
        notes.push(format!(
            "{} line(s) are not ANCM debug log lines (first at line {})",
            stats.malformed,
            stats.malformed_samples.first().map_or(0, |m| m.line)
        ));
    }
    let Some(report) = explain::ancm::report(&summary, kb, Zone::Utc) else {
        return Err(Error::Usage(format!("{name}: no entries")));
    };
    let values = redact.then(|| {
        let mut v = gathered(&name, &report);
        v.add_data(&notes);
        v
    });
    let written = redact::write_with(out, values.as_ref(), json, |out| {
        if json {
            report::ancm::write_json(out, &name, &report, &notes)
        } else {
            report::ancm::write(out, &name, &report, &notes, width)
        }
    });
    written.and_then(|()| out.flush()).map_err(Error::Output)?;
    Ok(EXIT_OK)
}

/// The identifying values of what a file says, and of its name (a server's folder).
fn gathered(name: &str, data: &impl serde::Serialize) -> Values {
    let mut v = Values::default();
    v.add_text(name);
    v.add_data(data);
    v
}

/// The win32 value of a page's error code: the low 16 bits of a `0x8007xxxx` HRESULT.
fn page_win32(page: &ErrorPage) -> Option<u64> {
    page.win32()
}

/// The code a page is about, as `explain CODE` takes it: `500.19.13`, `503.0.1115`, `404`.
fn page_code(page: &ErrorPage) -> String {
    match (page.substatus, page_win32(page)) {
        (Some(sub), Some(w)) => format!("{}.{sub}.{w}", page.status),
        (Some(sub), None) => format!("{}.{sub}", page.status),
        (None, _) => page.status.to_string(),
    }
}
