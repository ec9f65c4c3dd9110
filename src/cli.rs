//! Command-line definitions (clap derive types only). They stop at `cmd`, which turns them
//! into plain option structs.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

mod help;

#[derive(Debug, Parser)]
#[command(
    name = "iisdiag",
    version,
    about = "Tells you why IIS requests failed: reads W3C, FREB and HTTP.sys logs and Windows event logs, groups failures by status.substatus.win32 and explains each group with the events behind it.",
    propagate_version = true,
    after_help = help::MAIN
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    /// Colour: auto (on a terminal, unless NO_COLOR is set), always, or never.
    #[arg(long, global = true, value_enum, default_value_t = ColorWhen::Auto, value_name = "WHEN")]
    pub color: ColorWhen,
}

/// When to colour the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Read log files and folders, group the failures and explain each group.
    #[command(
        after_help = help::SCAN
    )]
    Scan(Box<ScanArgs>),
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
    /// Show what the Windows event logs say (.evtx, Event XML, App Service eventlog.xml):
    /// every event counted, each application pool's life, and which failure groups of the
    /// other logs given beside them the events explain.
    #[command(after_help = help::EVENTS)]
    Events(Box<EventsArgs>),
    /// Lint IIS configuration files (applicationHost.config, web.config) without any log:
    /// what in them makes IIS answer 500.19 or 500.21, with the line and the fix.
    #[command(after_help = help::CONFIG)]
    Config(ConfigArgs),
    /// Combine summaries saved with `scan --save-summary` (one per server, say) into one
    /// report, as if all the logs had been scanned in one run.
    #[command(
        after_help = "Examples:\n  iisdiag scan \\\\web01\\c$\\inetpub\\logs --save-summary web01.json\n  iisdiag scan \\\\web02\\c$\\inetpub\\logs --save-summary web02.json\n  iisdiag merge web01.json web02.json --timeline"
    )]
    Merge(MergeArgs),
    /// Compare two summaries (before and after a deploy): groups new, gone, grown or shrunk
    /// as shares of the requests, and the URLs and servers the changes are made of.
    #[command(
        after_help = "Examples:\n  iisdiag scan logs --until 2026-11-18T11:00 --save-summary before.json\n  iisdiag scan logs --since 2026-11-18T11:00 --save-summary after.json\n  iisdiag diff before.json after.json --fail-on new-5xx\n  iisdiag diff --split 2026-11-18T11:00 logs --format markdown"
    )]
    Diff(DiffArgs),
    /// Follow W3C, HTTP.sys and FREB logs as IIS writes them: the failure groups of the last
    /// minutes, their rate now against the minutes before, new groups marked and the top one
    /// explained; a screen on a terminal, appended lines otherwise.
    #[command(after_help = help::WATCH)]
    Watch(WatchArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell or elvish).
    #[command(after_help = help::COMPLETIONS)]
    Completions(CompletionsArgs),
    /// Print the manual page (roff) of iisdiag, or of one of its commands.
    #[command(after_help = help::MAN)]
    Man(ManArgs),
}

#[derive(Debug, Args)]
pub struct EventsArgs {
    /// Event log files (.evtx, .xml), folders or archives; W3C, HTTP.sys and FREB logs
    /// among them are read too, to line the events up with their failures.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    #[command(flatten)]
    pub filter: FilterArgs,

    /// Output format.
    #[arg(long, value_enum, default_value_t = EventsFormat::Table)]
    pub format: EventsFormat,

    /// Show times in this machine's time zone (the events are UTC; JSON stays UTC).
    #[arg(long)]
    pub local: bool,

    /// A rules file that adds or overrides knowledge-base entries (TOML, see the README).
    #[arg(long, value_name = "FILE")]
    pub rules: Option<PathBuf>,

    /// Worker threads (default: one per core).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=256))]
    pub threads: Option<u16>,

    /// Replace client addresses, user names, host and server names, query strings and
    /// cookies by stable pseudonyms (client-1, server-1, ...) in the output.
    #[arg(long)]
    pub redact: bool,

    /// No messages on stderr about skipped files or notes.
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct WatchArgs {
    /// Log files or folders to follow; folders are walked again at every poll, so files that
    /// appear (a new u_ex file at the hour, a new trace) are read. On Windows, none follows
    /// the default IIS log folders.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Seconds between two screens (or lines); files are read every half second, or at this
    /// interval when it is shorter.
    #[arg(long, default_value = "2", value_name = "SECS")]
    pub interval: String,

    /// Minutes of log time the groups and rates cover.
    #[arg(long, default_value_t = 5, value_name = "MINUTES", value_parser = clap::value_parser!(u32).range(1..=1440))]
    pub window: u32,

    /// Minutes before the window that its rates are compared with (a group not seen in them
    /// is new).
    #[arg(long, default_value_t = 15, value_name = "MINUTES", value_parser = clap::value_parser!(u32).range(1..=1440))]
    pub before: u32,

    /// Exit with code 1 the first time the window holds failures so: 5xx, 502.3>10 (more than
    /// ten in the window), 5xx>1% (more than 1 % of the window's requests). Repeatable.
    #[arg(long, value_name = "CONDITION")]
    pub fail_on: Vec<String>,

    /// With --fail-on: run this command (through the shell) each time a condition starts to
    /// hold, and go on watching instead of exiting.
    #[arg(long, value_name = "COMMAND", requires = "fail_on")]
    pub exec: Option<String>,

    /// Read what the files hold already before following them (default: from their end,
    /// like `tail -f`; files that appear later are always read from their start).
    #[arg(long)]
    pub from_start: bool,

    /// Stop after this long (30s, 10m, 2h) with the summary of what was seen, as Ctrl-C does.
    #[arg(long = "for", value_name = "DURATION")]
    pub run_for: Option<String>,

    /// How many groups the screen shows.
    #[arg(long, default_value_t = 10, value_name = "N")]
    pub top: usize,

    /// A rules file that adds or overrides knowledge-base entries (TOML, see the README).
    #[arg(long, value_name = "FILE")]
    pub rules: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ConfigArgs {
    /// Configuration files (*.config), folders or archives holding them.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = EventsFormat::Table)]
    pub format: EventsFormat,

    /// Replace client addresses, user names, host and server names, query strings and
    /// cookies by stable pseudonyms (client-1, server-1, ...) in the output.
    #[arg(long)]
    pub redact: bool,

    /// No messages on stderr about skipped files.
    #[arg(short, long)]
    pub quiet: bool,
}

/// The output of `iisdiag events`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EventsFormat {
    /// The pool lives and runs of events, for people.
    Table,
    /// One JSON document, for scripts.
    Json,
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
pub struct MergeArgs {
    /// Summary files written by `scan --save-summary`.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,

    #[command(flatten)]
    pub report: ReportArgs,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// BEFORE AFTER: two summary files written by `scan --save-summary`; with --split, log
    /// files and folders.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,

    /// Read the inputs as logs and compare the requests before this moment with those from
    /// it on (the forms of --since: 2026-11-18T11:00, "2026-11-18 11:00", RFC 3339).
    #[arg(long, value_name = "WHEN")]
    pub split: Option<String>,

    /// With --split: break each group down by a second key, compared too (client, site, ...).
    #[arg(long, value_enum, value_name = "KEY", requires = "split")]
    pub by: Option<ByArg>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,

    /// Exit with code 1 when groups changed so: new, grown, worse (new or grown), each
    /// optionally with statuses: new-5xx, grown-502.3, worse-5xx,!503. Repeatable.
    #[arg(long, value_name = "CONDITION")]
    pub fail_on: Vec<String>,

    /// No messages on stderr about skipped files.
    #[arg(short, long)]
    pub quiet: bool,
}

/// How a report is shown and exported (`scan` and `merge`).
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// How many groups get an explanation block in the table output.
    #[arg(long, default_value_t = 10, value_name = "N")]
    pub top: usize,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,

    /// A rules file that adds or overrides knowledge-base entries (TOML, see the README).
    #[arg(long, value_name = "FILE")]
    pub rules: Option<PathBuf>,

    /// Show failures over time for the top groups (and add `timeline` to the JSON).
    #[arg(long)]
    pub timeline: bool,

    /// The timeline's bucket: 1m, 5m, 15m, 1h, 1d... (default: chosen from the time span);
    /// with `--timeline` or `--html`.
    // Checked when the options are built, not by clap: clap's `requires` takes one flag, and
    // its error would print the other flags given as if they were required too.
    #[arg(long, value_name = "SPAN")]
    pub bucket: Option<String>,

    /// Show times in this machine's time zone (logs are UTC; JSON and CSV stay UTC).
    #[arg(long)]
    pub local: bool,

    /// Write the summary, one row per group, as CSV to FILE (`-` for standard output).
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,

    /// Write the report as one self-contained HTML page to FILE, with the timeline as a
    /// chart: to attach to a ticket, it opens offline (`-` for standard output).
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,

    /// Replace output files that already exist.
    #[arg(long)]
    pub force: bool,

    /// Exit with code 1 when groups match: 5xx, 502.3>10 (more than ten), 5xx>1% (more than
    /// 1 % of the requests). Repeat for several conditions.
    #[arg(long, value_name = "CONDITION")]
    pub fail_on: Vec<String>,

    /// Exit with code 1 when any file was skipped or any line was malformed.
    #[arg(long)]
    pub strict: bool,

    /// Replace client addresses, user names, host and server names, query strings and
    /// cookies by stable pseudonyms (client-1, server-1, ...) in every output and export.
    #[arg(long)]
    pub redact: bool,

    /// No messages on stderr about skipped files, malformed lines or notes.
    #[arg(short, long)]
    pub quiet: bool,
}

/// Which requests a scan looks at. Every filter combines with the others.
#[derive(Debug, Args)]
pub struct FilterArgs {
    /// Statuses to group: 502, 502.3, 502.3.12002, 5xx, 4xx,5xx, 500-504; `!404` leaves one
    /// out. Applies to W3C, FREB and HTTP.sys alike.
    #[arg(long, value_name = "CODES", allow_hyphen_values = true)]
    pub status: Vec<String>,

    /// Statuses to leave out, in the same forms as --status.
    #[arg(long, value_name = "CODES")]
    pub exclude_status: Vec<String>,

    /// From this time: 2026-11-18, "2026-11-18 09:00", RFC 3339, or a span back from the
    /// newest record (30m, 2h, 3d).
    #[arg(long, value_name = "WHEN")]
    pub since: Option<String>,

    /// Up to this time (same forms as --since; a date alone includes that whole day).
    #[arg(long, value_name = "WHEN")]
    pub until: Option<String>,

    /// Sites: W3SVC2, 2, or the s-sitename value (comma-separated).
    #[arg(long, value_name = "SITE")]
    pub site: Vec<String>,

    /// Servers: s-computername, or the folder the logs were copied into (comma-separated).
    #[arg(long, value_name = "NAME")]
    pub server: Vec<String>,

    /// A regular expression the URI stem must match.
    #[arg(long, value_name = "REGEX")]
    pub url: Option<String>,

    /// Match --url against `stem?query` instead of the stem alone.
    #[arg(long, requires = "url")]
    pub url_query: bool,

    /// Only requests that took at least this long: 500ms, 5s, 2m.
    #[arg(long, value_name = "DURATION")]
    pub min_time_taken: Option<String>,

    /// HTTP methods (comma-separated): GET,POST.
    #[arg(long, value_name = "METHOD")]
    pub method: Vec<String>,

    /// Client addresses or networks (comma-separated): 10.1.2.3, 10.0.0.0/8.
    #[arg(long, value_name = "ADDRESS")]
    pub client_ip: Vec<String>,
}

/// The second level under each group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ByArg {
    Url,
    Server,
    Site,
    Client,
    Hour,
    UserAgent,
}

/// The format of `--export-requests`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormatArg {
    Csv,
    Ndjson,
}

#[derive(Debug, Args)]
pub struct FrebArgs {
    /// Trace files or folders.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// A rules file that adds or overrides knowledge-base entries (TOML, see the README).
    #[arg(long, value_name = "FILE")]
    pub rules: Option<PathBuf>,

    /// Replace client addresses, user names, host and server names, query strings and
    /// cookies by stable pseudonyms (client-1, server-1, ...) in the output.
    #[arg(long)]
    pub redact: bool,

    /// No messages on stderr about skipped files.
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("listed").args(["list", "page", "ancm"])))]
pub struct ExplainArgs {
    /// The code, value or name to explain (a negative decimal such as -532462766 is read as
    /// the 32-bit code the ASP.NET Core Module prints).
    #[arg(
        required_unless_present_any = ["list", "page", "ancm"],
        conflicts_with = "list",
        allow_negative_numbers = true
    )]
    pub code: Option<String>,

    /// Export the whole knowledge base (codes, win32 values, HTTP.sys reasons, timeouts).
    #[arg(long)]
    pub list: bool,

    /// The module that set the error (FREB ModuleName, or the Module line of a detailed
    /// error page): its own reading comes first. Short names work: ARR, ANCM, ANCMV1,
    /// ANCMV2, FastCGI, Rewrite, WebDAV, StaticFile, RequestFiltering.
    #[arg(long, value_name = "NAME", requires = "code", conflicts_with_all = ["list", "page", "ancm"])]
    pub module: Option<String>,

    /// The request's time-taken in milliseconds (the W3C time-taken column): read against
    /// the timeouts with a known default for the code (ARR 30 s, ANCM 2 min, FastCGI 90 s).
    #[arg(long, value_name = "MS", requires = "code", conflicts_with_all = ["list", "page", "ancm"])]
    pub time_taken: Option<u64>,

    /// Read an IIS detailed error page (an App Service DetailedErrors .htm, a page saved from
    /// a browser, or its text pasted into a file; - reads standard input) and explain its code.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["code", "list"])]
    pub page: Option<PathBuf>,

    /// Read an ASP.NET Core Module debug log (aspnetcore-debug.log, or the file debugFile
    /// names; - reads standard input) and tell what each process did and where it stopped.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["code", "list", "page"])]
    pub ancm: Option<PathBuf>,

    /// Format of --list, or of --page and --ancm (table or json).
    #[arg(long, value_enum, default_value_t = ListFormat::Table, requires = "listed")]
    pub format: ListFormat,

    /// With --page or --ancm: replace client addresses, user names, host and server names,
    /// query strings and cookies by stable pseudonyms (client-1, server-1, ...).
    #[arg(long, requires = "listed", conflicts_with = "list")]
    pub redact: bool,

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
    /// its content. On Windows, none reads the default IIS log folders:
    /// %SystemDrive%\inetpub\logs\LogFiles, %SystemDrive%\inetpub\logs\FailedReqLogFiles
    /// and %SystemRoot%\System32\LogFiles\HTTPERR.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Group every request, not only failures (status >= 400 or a non-zero win32 status).
    #[arg(long)]
    pub all: bool,

    #[command(flatten)]
    pub filter: FilterArgs,

    /// Break each group down by a second key: its top entries with counts and p95.
    #[arg(long, value_enum, value_name = "KEY")]
    pub by: Option<ByArg>,

    /// Write every matching failed request to FILE (`-` for standard output).
    #[arg(long, value_name = "FILE")]
    pub export_requests: Option<PathBuf>,

    /// Format of --export-requests.
    #[arg(long, value_enum, default_value_t = ExportFormatArg::Csv, requires = "export_requests")]
    pub export_format: ExportFormatArg,

    /// Write a summary that `iisdiag merge` combines with others (JSON).
    #[arg(long, value_name = "FILE")]
    pub save_summary: Option<PathBuf>,

    /// Worker threads (default: one per core).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=256))]
    pub threads: Option<u16>,

    // Which tier failed (issue 19).
    /// Servers (s-computername or folder) that are ARR front ends, whatever their logs say;
    /// repeatable, comma-separated.
    #[arg(long, value_name = "NAME", value_delimiter = ',')]
    pub front: Vec<String>,

    /// Servers that are backends behind the front ends: all their requests are paired;
    /// repeatable, comma-separated.
    #[arg(long, value_name = "NAME", value_delimiter = ',')]
    pub backend: Vec<String>,

    #[command(flatten)]
    pub report: ReportArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A summary table and an explanation per group, for people.
    Table,
    /// One JSON document, for scripts.
    Json,
    /// GitHub-flavoured Markdown, to paste into a ticket or a chat.
    Markdown,
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
