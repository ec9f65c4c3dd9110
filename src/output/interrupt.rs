//! Temporary files removed when the run is interrupted. `tempfile` removes a temporary file
//! when it is dropped, but Ctrl-C or a `kill` ends the process without dropping anything, so
//! a `.iisdiag-*.part` file would stay beside the report. Each temporary file is registered
//! here while it exists; on SIGINT or SIGTERM (Ctrl-C or Ctrl-Break on Windows) the handler
//! removes the registered files and ends the run with exit code 130, as the shell would.
//!
//! The handler is installed with the first temporary file, so a run that writes no file keeps
//! the default behaviour of the signals.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, Once};

use tempfile::NamedTempFile;

/// Exit code of a run ended by an interrupt (128 + SIGINT).
const EXIT_INTERRUPTED: i32 = 130;

static PENDING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
static HANDLER: Once = Once::new();

fn pending() -> MutexGuard<'static, Vec<PathBuf>> {
    // A panic while the list was held leaves it as it was: still the right list.
    PENDING.lock().unwrap_or_else(|e| e.into_inner())
}

fn install() {
    HANDLER.call_once(|| {
        // If another handler is set (a library user's), that one decides; the temporary
        // files are then removed on drop only.
        let _ = ctrlc::set_handler(|| {
            for path in pending().drain(..) {
                let _ = std::fs::remove_file(path);
            }
            std::process::exit(EXIT_INTERRUPTED);
        });
    });
}

/// A temporary file that is removed if the run is interrupted before it is renamed.
pub struct Pending {
    file: NamedTempFile,
    registered: Registered,
}

/// A path on the list while this lives.
struct Registered(PathBuf);

impl Drop for Registered {
    fn drop(&mut self) {
        pending().retain(|p| *p != self.0);
    }
}

impl Pending {
    pub fn new(file: NamedTempFile) -> Pending {
        install();
        let path = file.path().to_path_buf();
        pending().push(path.clone());
        Pending {
            file,
            registered: Registered(path),
        }
    }

    pub fn file(&self) -> &NamedTempFile {
        &self.file
    }

    /// Renames the file to `path`: over an existing file with `replace`, else only if
    /// there is none (`AlreadyExists` otherwise).
    pub fn persist(self, path: &Path, replace: bool) -> io::Result<()> {
        let Pending { file, registered } = self;
        // Taken off the list first: once renamed, the name may be anyone's.
        drop(registered);
        let result = if replace {
            file.persist(path)
        } else {
            file.persist_noclobber(path)
        };
        result.map(drop).map_err(|e| {
            // The file is still there under its temporary name; dropping it removes it.
            drop(e.file);
            e.error
        })
    }
}
