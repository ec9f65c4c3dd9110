//! `iisdiag completions SHELL` and `iisdiag man [COMMAND]`: shell completion scripts and
//! manual pages, generated from the same command definition the parser uses, so they can
//! never disagree with the flags that exist.

use std::io::Write;

use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::Cli;
use crate::error::{EXIT_OK, Error, Result};

/// Writes the completion script for `shell`.
pub fn completions(shell: Shell, out: &mut dyn Write) -> Result<i32> {
    let mut cmd = Cli::command();
    clap_complete::generate(shell, &mut cmd, "iisdiag", out);
    out.flush().map_err(Error::Output)?;
    Ok(EXIT_OK)
}

/// Writes the roff manual page of iisdiag, or of one of its commands (`iisdiag-scan(1)`).
pub fn man(command: Option<&str>, out: &mut dyn Write) -> Result<i32> {
    // `help` is the parser's own subcommand; it has no page.
    let root = Cli::command().disable_help_subcommand(true);
    let page = match command {
        None => root,
        Some(name) => {
            let Some(sub) = root.find_subcommand(name) else {
                let names: Vec<&str> = root.get_subcommands().map(|s| s.get_name()).collect();
                return Err(Error::BadOption {
                    flag: "COMMAND",
                    value: name.to_string(),
                    reason: format!("not a command; one of {}", names.join(", ")),
                });
            };
            // The page of a command is named like git's: iisdiag-scan(1).
            sub.clone()
                .name(format!("iisdiag-{name}"))
                .version(env!("CARGO_PKG_VERSION"))
        }
    };
    render_man(page, out).map_err(Error::Output)?;
    out.flush().map_err(Error::Output)?;
    Ok(EXIT_OK)
}

/// clap_mangen's sections, except that the examples after `--help` become an EXAMPLES
/// section kept line for line (roff would otherwise fill them into paragraphs).
fn render_man(page: clap::Command, out: &mut dyn Write) -> std::io::Result<()> {
    let examples = page.get_after_help().map(|h| h.to_string());
    let has_args = page.get_arguments().any(|a| !a.is_hide_set());
    let has_subcommands = page.has_subcommands();
    let man = clap_mangen::Man::new(page);
    man.render_title(out)?;
    man.render_name_section(out)?;
    man.render_synopsis_section(out)?;
    man.render_description_section(out)?;
    if has_args {
        man.render_options_section(out)?;
    }
    if has_subcommands {
        man.render_subcommands_section(out)?;
    }
    if let Some(examples) = examples {
        let mut roff = roff::Roff::new();
        roff.control("SH", ["EXAMPLES"]).control("nf", []);
        let body = examples.strip_prefix("Examples:").unwrap_or(&examples);
        for line in body.trim_matches('\n').lines() {
            roff.text([roff::roman(line)]);
        }
        roff.control("fi", []);
        roff.to_writer(out)?;
    }
    man.render_version_section(out)
}
