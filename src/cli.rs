//! Command-line definitions (clap derive types only). They stop at `cmd`, which turns them
//! into plain option structs.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

mod help;

#[derive(Debug, Parser)]
#[command(
    name = "iisdiag",
    version,
    about = "Tells you why IIS requests failed: reads W3C, FREB and HTTP.sys logs, groups failures by status.substatus.win32 and explains each group.",
    propagate_version = true,
    after_help = help::MAIN
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Read log files and folders, group the failures and explain each group.
    #[command(
        after_help = help::SCAN
    )]
    Scan(ScanArgs),
    /// Explain a code: 502.3.12002, 502.3, 12002, 0x80072ee2, 2147954402 or AppOffline;
    /// or export the whole knowledge base with --list.
    #[command(
        after_help = help::EXPLAIN
    )]
    Explain(ExplainArgs),
    /// Show Failed Request Tracing traces (fr*.xml) as a compact timeline: one trace, or
    /// every trace in a folder, newest first, each followed by the explanation of its code.
    #[command(
        after_help = help::FREB
    )]
    Freb(FrebArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell or elvish).
    #[command(after_help = help::COMPLETIONS)]
    Completions(CompletionsArgs),
    /// Print the manual page (roff) of iisdiag, or of one of its commands.
    #[command(after_help = help::MAN)]
    Man(ManArgs),
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// A command (scan, explain, freb, ...) for its own page; none for the main page.
    #[arg(value_name = "COMMAND")]
    pub command: Option<String>,
}

#[derive(Debug, Args)]
pub struct FrebArgs {
    /// Trace files or folders.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// A rules file that adds or overrides knowledge-base entries (TOML, see the README).
    #[arg(long, value_name = "FILE")]
    pub rules: Option<PathBuf>,

    /// No messages on stderr about skipped files.
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The code, value or name to explain.
    #[arg(required_unless_present = "list", conflicts_with = "list")]
    pub code: Option<String>,

    /// Export the whole knowledge base (codes, win32 values, HTTP.sys reasons, timeouts).
    #[arg(long)]
    pub list: bool,

    /// Format of --list.
    #[arg(long, value_enum, default_value_t = ListFormat::Table, requires = "list")]
    pub format: ListFormat,

    /// A rules file that adds or overrides knowledge-base entries (TOML, see the README).
    #[arg(long, value_name = "FILE")]
    pub rules: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Table,
    Csv,
    Json,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Log files or folders; folders are walked recursively and each file's kind is told by
    /// its content.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Group every request, not only failures (status >= 400 or a non-zero win32 status).
    #[arg(long)]
    pub all: bool,

    /// How many groups get an explanation block in the table output.
    #[arg(long, default_value_t = 10, value_name = "N")]
    pub top: usize,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,

    /// A rules file that adds or overrides knowledge-base entries (TOML, see the README).
    #[arg(long, value_name = "FILE")]
    pub rules: Option<PathBuf>,

    /// Worker threads (default: one per core).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=256))]
    pub threads: Option<u16>,

    /// No messages on stderr about skipped files, malformed lines or notes.
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A summary table and an explanation per group, for people.
    Table,
    /// One JSON document, for scripts.
    Json,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn command_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    /// The words of an example line up to a redirection or a pipe; "double quotes" group.
    fn example_words(line: &str) -> Vec<String> {
        let mut words = Vec::new();
        let mut word = String::new();
        let mut quoted = false;
        for c in line.chars() {
            match c {
                '"' => quoted = !quoted,
                ' ' if !quoted => {
                    if !word.is_empty() {
                        words.push(std::mem::take(&mut word));
                    }
                }
                _ => word.push(c),
            }
        }
        words.push(word);
        words
            .into_iter()
            .take_while(|w| w != ">" && w != "|")
            .collect()
    }

    #[test]
    fn every_help_example_parses() {
        let root = Cli::command();
        let mut pages = vec![root.get_after_help().map(|h| h.to_string())];
        for sub in root.get_subcommands() {
            pages.push(sub.get_after_help().map(|h| h.to_string()));
        }
        let mut examples = 0;
        for page in pages {
            let page = page.unwrap_or_default();
            for line in page.lines().map(str::trim) {
                if !line.starts_with("iisdiag ") {
                    continue;
                }
                examples += 1;
                if let Err(e) = Cli::try_parse_from(example_words(line)) {
                    panic!("help example `{line}` does not parse: {e}");
                }
            }
        }
        // Every subcommand has examples, and the main page has some.
        assert!(examples >= 4 + root.get_subcommands().count(), "{examples}");
    }

    #[test]
    fn every_subcommand_has_examples() {
        for sub in Cli::command().get_subcommands() {
            let help = sub
                .get_after_help()
                .map(|h| h.to_string())
                .unwrap_or_default();
            let runs = format!("iisdiag {}", sub.get_name());
            assert!(help.contains(&runs), "{} has no example", sub.get_name());
        }
    }

    #[test]
    fn example_words_stop_at_redirection_and_keep_quotes() {
        assert_eq!(
            example_words(r#"iisdiag explain "The operation timed out" > x.txt"#),
            ["iisdiag", "explain", "The operation timed out"]
        );
        assert_eq!(
            example_words("iisdiag freb a/ | less"),
            ["iisdiag", "freb", "a/"]
        );
    }
}
