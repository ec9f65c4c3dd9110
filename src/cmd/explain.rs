//! `iisdiag explain`: what the knowledge base knows about one code, or all of it.

use std::io::Write;
use std::path::PathBuf;

use crate::error::{EXIT_OK, Error, Result};
use crate::explain::code;
use crate::kb::Kb;
use crate::kb::query;
use crate::report::{self, kb_export};

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
            let explained = code::explain(kb, &q).map_err(|reason| Error::BadOption {
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
