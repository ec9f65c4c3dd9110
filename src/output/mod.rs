//! Files iisdiag writes (`--csv`, `--export-requests`, `--save-summary`, `--html`): each is
//! written whole or not at all, never over an input, and over an existing file only when asked.
//!
//! The content goes to a temporary file in the target's folder, which is renamed over the
//! target once complete, so a failed write (a full disk, a killed process) leaves no partial
//! file behind and a reader never sees half a report.

pub mod requests;

use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Where an output goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Stdout,
    File(PathBuf),
}

impl Target {
    /// `-` is standard output, anything else a file.
    pub fn parse(value: &Path) -> Target {
        if value.as_os_str() == "-" {
            Target::Stdout
        } else {
            Target::File(value.to_path_buf())
        }
    }
}

/// Checks, before any log is read, that an output file may be written: it is none of the
/// paths given on the command line nor a log found in them, it does not exist unless
/// `force`, and no two outputs share a path. (A file found in an input folder that is not a
/// log, such as the CSV of an earlier run, may be replaced with `force`.)
pub fn check_targets(
    targets: &[(&'static str, &Target)],
    given: &[PathBuf],
    logs: &[PathBuf],
    force: bool,
) -> Result<()> {
    let given: Vec<PathBuf> = given
        .iter()
        .filter_map(|p| fs::canonicalize(p).ok())
        .collect();
    let logs: Vec<PathBuf> = logs
        .iter()
        .filter_map(|p| fs::canonicalize(p).ok())
        .collect();
    let mut seen: Vec<(PathBuf, &'static str)> = Vec::new();
    let mut stdout_taken: Option<&'static str> = None;
    for &(flag, target) in targets {
        let path = match target {
            Target::Stdout => {
                if let Some(other) = stdout_taken {
                    return Err(Error::Usage(format!(
                        "{other} and {flag} both write to standard output (`-`): give one of them a file"
                    )));
                }
                stdout_taken = Some(flag);
                continue;
            }
            Target::File(path) => path,
        };
        let full = absolute(path);
        if let Some((_, other)) = seen.iter().find(|(p, _)| *p == full) {
            return Err(Error::Usage(format!(
                "{other} and {flag} both write to {}",
                path.display()
            )));
        }
        if let Ok(real) = fs::canonicalize(path) {
            if given.contains(&real) || (logs.contains(&real) && is_log(&real)) {
                return Err(Error::Usage(format!(
                    "{flag} {}: that is one of the inputs; iisdiag never writes over a log",
                    path.display()
                )));
            }
            if real.is_dir() {
                return Err(Error::Usage(format!(
                    "{flag} {}: that is a folder; give a file name",
                    path.display()
                )));
            }
            if !force {
                return Err(Error::Usage(format!(
                    "{flag} {}: the file exists; pass --force to replace it",
                    path.display()
                )));
            }
        }
        seen.push((full, flag));
    }
    Ok(())
}

/// Whether a file's content is a log iisdiag reads.
fn is_log(path: &Path) -> bool {
    use std::io::Read;
    let mut head = Vec::new();
    fs::File::open(path)
        .and_then(|f| {
            f.take(crate::input::sniff::HEAD_LEN as u64)
                .read_to_end(&mut head)
        })
        .is_ok_and(|_| crate::input::sniff::sniff(&head).is_ok())
}

/// A path made absolute against the current folder, without touching the file system
/// (the file may not exist yet).
fn absolute(path: &Path) -> PathBuf {
    let parent = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .and_then(|p| fs::canonicalize(p).ok());
    match (parent, path.file_name()) {
        (Some(dir), Some(name)) => dir.join(name),
        _ => std::env::current_dir()
            .map(|d| d.join(path))
            .unwrap_or_else(|_| path.to_path_buf()),
    }
}

/// Writes a file whole or not at all: `write` fills a temporary file beside `path`, which
/// then replaces `path`. On any error the temporary file is removed.
pub fn write_atomic(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<()> {
    let io_err = |source: io::Error| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".iisdiag-").suffix(".part");
    // A temporary file is private (0600) by default; a report is an ordinary file, so it
    // gets the permissions any new file would (0666 less the umask).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(fs::Permissions::from_mode(0o666));
    }
    let temp = builder.tempfile_in(&dir).map_err(io_err)?;
    {
        let mut out = BufWriter::new(temp.as_file());
        write(&mut out).map_err(io_err)?;
        out.flush().map_err(io_err)?;
    }
    temp.as_file().sync_all().map_err(io_err)?;
    temp.persist(path).map_err(|e| io_err(e.error))?;
    Ok(())
}

/// Writes to standard output (`out`) or atomically to a file.
pub fn write_to(
    target: &Target,
    out: &mut dyn Write,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<()> {
    match target {
        Target::Stdout => write(out).and_then(|()| out.flush()).map_err(Error::Output),
        Target::File(path) => write_atomic(path, write),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_whole_or_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.csv");
        write_atomic(&path, |w| w.write_all(b"one\n")).unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "one\n");
        let err = write_atomic(&path, |w| {
            w.write_all(b"half")?;
            Err(io::Error::other("disk full"))
        })
        .unwrap_err();
        assert!(err.to_string().contains("disk full"), "{err}");
        assert_eq!(fs::read_to_string(&path).unwrap(), "one\n", "old file kept");
        let left: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "no temporary file left behind");
    }

    #[test]
    fn targets_refuse_inputs_existing_files_and_clashes() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("u_ex261118.log");
        fs::write(&log, "#Fields: date\n").unwrap();
        let new = Target::File(dir.path().join("new.csv"));
        let given = vec![dir.path().to_path_buf()];
        let inputs = vec![log.clone()];
        let check = |targets: &[(&'static str, &Target)], force| {
            check_targets(targets, &given, &inputs, force)
        };
        assert!(check(&[("--csv", &new)], false).is_ok());

        let over_input = Target::File(log.clone());
        let err = check(&[("--csv", &over_input)], true).unwrap_err();
        assert!(err.to_string().contains("one of the inputs"), "{err}");
        let err = check_targets(&[("--csv", &over_input)], &inputs, &[], true).unwrap_err();
        assert!(err.to_string().contains("one of the inputs"), "{err}");

        let existing = dir.path().join("old.csv");
        fs::write(&existing, "x").unwrap();
        let existing = Target::File(existing);
        let err = check(&[("--csv", &existing)], false).unwrap_err();
        assert!(err.to_string().contains("--force"), "{err}");
        assert!(check(&[("--csv", &existing)], true).is_ok());
        let err = check(&[("--csv", &Target::File(dir.path().to_path_buf()))], true).unwrap_err();
        assert!(err.to_string().contains("one of the inputs"), "{err}");

        let err = check(&[("--csv", &new), ("--export-requests", &new)], false).unwrap_err();
        assert!(err.to_string().contains("both write"), "{err}");
        let err = check(
            &[
                ("--csv", &Target::Stdout),
                ("--export-requests", &Target::Stdout),
            ],
            false,
        )
        .unwrap_err();
        assert!(err.to_string().contains("standard output"), "{err}");
    }
}
