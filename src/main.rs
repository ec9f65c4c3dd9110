//! The `iisdiag` executable: parse the command line, run it, turn errors into an exit code.

use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use clap::Parser;
use iisdiag::Error;
use iisdiag::cli::Cli;
use iisdiag::error::{EXIT_OK, EXIT_USAGE, is_closed_pipe};
use iisdiag::guard::terminal;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() {
                EXIT_USAGE as u8
            } else {
                EXIT_OK as u8
            });
        }
    };
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut err = io::stderr();
    let code = match iisdiag::cmd::run(cli, &mut out, &mut err) {
        Ok(code) => code,
        // `iisdiag scan ... | head`: the reader went away; that is a normal end.
        Err(Error::Output(e)) if is_closed_pipe(&e) => EXIT_OK,
        Err(e) => {
            // A path or a value in the message may come from a log: shown, never run.
            let _ = writeln!(err, "iisdiag: error: {}", terminal(&e.to_string()));
            e.exit_code()
        }
    };
    if let Err(e) = out.flush() {
        if !is_closed_pipe(&e) {
            let _ = writeln!(
                err,
                "iisdiag: error: writing the report: {}",
                terminal(&e.to_string())
            );
            return ExitCode::from(EXIT_USAGE as u8);
        }
    }
    ExitCode::from(u8::try_from(code).unwrap_or(EXIT_USAGE as u8))
}
