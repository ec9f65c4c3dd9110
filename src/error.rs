//! The errors that end a command. Per-file problems are not errors: they are reported in the
//! run's file list and the run goes on (see `input`).

use std::io;
use std::path::PathBuf;

/// Exit code when the command ran (skipped files and malformed lines included).
pub const EXIT_OK: i32 = 0;
/// Exit code when `--fail-on` matched.
pub const EXIT_MATCHED: i32 = 1;
/// Exit code for a usage error, or when nothing readable was found.
pub const EXIT_USAGE: i32 = 2;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A flag's value could not be used.
    #[error("invalid value `{value}` for {flag}: {reason}")]
    BadOption {
        flag: &'static str,
        value: String,
        reason: String,
    },
    /// Something the user named is wrong in a way a flag's parser could not see.
    #[error("{0}")]
    Usage(String),
    /// Paths named on the command line that do not exist, after a report of the others: an
    /// error, as in rg and fd, so a typo in one of several paths is not a quiet success.
    #[error("no such file or folder: {0} (the report above covers the other paths)")]
    MissingPaths(String),
    /// None of the inputs held a log iisdiag can read.
    #[error("nothing readable was found in {0}")]
    NothingReadable(String),
    /// A file the user named for iisdiag itself (a rules file, an output) failed.
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },
    /// A problem at a known line of a file the user wrote (a rules file).
    #[error("{}:{line}: {message}", path.display())]
    AtLine {
        path: PathBuf,
        line: usize,
        message: String,
    },
    /// Writing the report failed (other than a closed pipe, which is a quiet success).
    #[error("writing the report: {0}")]
    Output(io::Error),
}

impl Error {
    /// The process exit code this error ends the run with.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::BadOption { .. } | Error::Usage(_) | Error::NothingReadable(_) => EXIT_USAGE,
            Error::MissingPaths(_) => EXIT_USAGE,
            Error::Io { .. } | Error::AtLine { .. } | Error::Output(_) => EXIT_USAGE,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Whether a write failed because the reader went away (`iisdiag ... | head`), a normal end.
/// Writers that wrap I/O errors in their own (csv) hide the broken pipe a level down.
pub fn is_closed_pipe(e: &io::Error) -> bool {
    if e.kind() == io::ErrorKind::BrokenPipe {
        return true;
    }
    let mut next = e
        .get_ref()
        .map(|inner| inner as &(dyn std::error::Error + 'static));
    while let Some(err) = next {
        let io = err.downcast_ref::<io::Error>().or_else(|| {
            // csv keeps the io::Error it met, but not as its `source`.
            match err.downcast_ref::<csv::Error>()?.kind() {
                csv::ErrorKind::Io(io) => Some(io),
                _ => None,
            }
        });
        if io.is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe) {
            return true;
        }
        next = err.source();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_broken_pipe_inside_a_csv_error_is_a_closed_pipe() {
        let pipe = || io::Error::from(io::ErrorKind::BrokenPipe);
        assert!(is_closed_pipe(&pipe()));
        assert!(is_closed_pipe(&io::Error::other(csv::Error::from(pipe()))));
        assert!(!is_closed_pipe(&io::Error::other(csv::Error::from(
            io::Error::from(io::ErrorKind::StorageFull)
        ))));
        assert!(!is_closed_pipe(&io::Error::other("disk full")));
    }
}
