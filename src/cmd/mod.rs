//! One module per subcommand: options in, report out. Only this layer sees the clap types.

pub mod scan;

use std::io::Write;

use crate::cli::{Cli, Command};
use crate::error::Result;

/// Runs the command line and returns the process exit code.
pub fn run(cli: Cli, out: &mut dyn Write, err: &mut dyn Write) -> Result<i32> {
    match cli.command {
        Command::Scan(args) => scan::run(&scan::Options::from(args), out, err),
    }
}
