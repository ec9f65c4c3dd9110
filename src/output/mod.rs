//! Files iisdiag writes (`--csv`, `--export-requests`, `--save-summary`, `--html`): each is
//! written whole or not at all, never over an input, and over an existing file only when asked.
//!
//! The content goes to a temporary file in the target's folder, which is renamed over the
//! target once complete, so a failed write (a full disk, a killed process) leaves no partial
//! file behind and a reader never sees half a report. Without `--force` the rename refuses to
//! replace a file (another run may have written it since the check), and an interrupted run
//! removes its temporary file (`interrupt`). Only a regular file is ever replaced: a device
//! or a pipe (`/dev/null`, `/dev/stdout`, a FIFO) is written to in place, a block device is
//! refused, and a symbolic link is kept, its target written (with `--force`).

mod interrupt;
pub mod redact;
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
        let refuse = |why: String| Err(Error::Usage(format!("{flag} {}: {why}", path.display())));
        let link = fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
        match fs::canonicalize(path) {
            Ok(real) => {
                if given.contains(&real) || (logs.contains(&real) && is_log(&real)) {
                    return refuse(
                        "that is one of the inputs; iisdiag never writes over a log".into(),
                    );
                }
                let meta = fs::metadata(&real).map_err(|source| Error::Io {
                    path: path.to_path_buf(),
                    source,
                })?;
                match kind(&meta) {
                    Kind::Folder => return refuse("that is a folder; give a file name".into()),
                    Kind::Disk => {
                        return refuse(
                            "that is a block device (a disk); iisdiag does not write to one".into(),
                        );
                    }
                    // Written to in place, as a shell redirection would: nothing is replaced.
                    Kind::Stream => {}
                    Kind::File if link && !force => {
                        return refuse(format!(
                            "that is a symbolic link to {}, which exists; pass --force to replace the file it points to (the link is kept)",
                            real.display()
                        ));
                    }
                    Kind::File if !force => {
                        return refuse("the file exists; pass --force to replace it".into());
                    }
                    Kind::File => check_folder(flag, path, &real)?,
                }
            }
            Err(_) if link => {
                return refuse(
                    "that is a symbolic link to nothing; iisdiag does not create a file through a link".into(),
                );
            }
            Err(_) => check_folder(flag, path, path)?,
        }
        seen.push((full, flag));
    }
    Ok(())
}

/// What is at an output path, as far as writing goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A regular file: replaced by a rename.
    File,
    Folder,
    /// A character device, a pipe or a socket: written to in place.
    Stream,
    /// A block device (told apart on Unix only).
    #[cfg_attr(not(unix), allow(dead_code))]
    Disk,
}

fn kind(meta: &fs::Metadata) -> Kind {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if meta.file_type().is_block_device() {
            return Kind::Disk;
        }
    }
    if meta.is_file() {
        Kind::File
    } else if meta.is_dir() {
        Kind::Folder
    } else {
        Kind::Stream
    }
}

/// Checks, before any log is read, that a new file can be made in the folder `real` (the
/// target, or the file a link points to) is in: the folder exists and takes a file.
fn check_folder(flag: &str, path: &Path, real: &Path) -> Result<()> {
    let dir = folder_of(real);
    if !dir.is_dir() {
        return Err(Error::Usage(format!(
            "{flag} {}: the folder {} does not exist",
            path.display(),
            dir.display()
        )));
    }
    // Only trying tells: permissions, ACLs, a read-only mount, a full disk of inodes.
    temp_in(&dir).map(drop).map_err(|e| {
        Error::Usage(format!(
            "{flag} {}: cannot write in the folder {}: {e}",
            path.display(),
            dir.display()
        ))
    })
}

/// The folder a file is (or will be) in.
fn folder_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// A new temporary file in `dir`, named `.iisdiag-*.part`, removed if the run is
/// interrupted before it is renamed.
fn temp_in(dir: &Path) -> io::Result<interrupt::Pending> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(".iisdiag-").suffix(".part");
    // A temporary file is private (0600) by default; a report is an ordinary file, so it
    // gets the permissions any new file would (0666 less the umask).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(fs::Permissions::from_mode(0o666));
    }
    builder.tempfile_in(dir).map(interrupt::Pending::new)
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
/// then replaces `path` (only with `force`: otherwise a file that appeared since
/// `check_targets` is kept and the write refused). On any error, or an interrupt, the
/// temporary file is removed. A device or pipe is written to in place; a symbolic link is
/// kept and the file it points to written.
pub fn write_atomic(
    path: &Path,
    force: bool,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<()> {
    let io_err = |source: io::Error| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    // The file a link points to; `check_targets` refused a link to nothing.
    let real = match fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => fs::canonicalize(path).map_err(io_err)?,
        _ => path.to_path_buf(),
    };
    match fs::metadata(&real).map(|m| kind(&m)) {
        Ok(Kind::Stream) => {
            let file = fs::OpenOptions::new()
                .write(true)
                .open(&real)
                .map_err(io_err)?;
            let mut out = BufWriter::new(file);
            write(&mut out).map_err(io_err)?;
            return out.flush().map_err(io_err);
        }
        Ok(Kind::Folder | Kind::Disk) => {
            return Err(io_err(io::Error::other(
                "not a regular file; iisdiag replaces only regular files",
            )));
        }
        Ok(Kind::File) | Err(_) => {}
    }
    let temp = temp_in(&folder_of(&real)).map_err(io_err)?;
    {
        let mut out = BufWriter::new(temp.file().as_file());
        write(&mut out).map_err(io_err)?;
        out.flush().map_err(io_err)?;
    }
    temp.file().as_file().sync_all().map_err(io_err)?;
    temp.persist(&real, force).map_err(|e| {
        if e.kind() == io::ErrorKind::AlreadyExists {
            Error::Usage(format!(
                "{}: the file was made while iisdiag ran (another run writing it?); it is kept: pass --force to replace it",
                path.display()
            ))
        } else {
            io_err(e)
        }
    })
}

/// Writes to standard output (`out`) or atomically to a file.
pub fn write_to(
    target: &Target,
    force: bool,
    out: &mut dyn Write,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<()> {
    match target {
        Target::Stdout => write(out).and_then(|()| out.flush()).map_err(Error::Output),
        Target::File(path) => write_atomic(path, force, write),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_whole_or_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.csv");
        write_atomic(&path, true, |w| w.write_all(b"one\n")).unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "one\n");
        let err = write_atomic(&path, true, |w| {
            w.write_all(b"half")?;
            Err(io::Error::other("disk full"))
        })
        .unwrap_err();
        assert!(err.to_string().contains("disk full"), "{err}");
        assert_eq!(fs::read_to_string(&path).unwrap(), "one\n", "old file kept");
        let left: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "no temporary file left behind");
    }

    /// Issue 15, item 3: two runs could both pass the exists check and the second replaced
    /// the first's file; the rename now refuses to replace a file without `--force`.
    #[test]
    fn two_runs_writing_the_same_path_cannot_both_write() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.csv");
        let target = Target::File(path.clone());
        assert!(check_targets(&[("--csv", &target)], &[], &[], false).is_ok());
        // Another run writes the file after this run's check...
        write_atomic(&path, false, |w| w.write_all(b"first\n")).unwrap();
        // ...so this run's write is refused, and the other's file kept.
        let err = write_atomic(&path, false, |w| w.write_all(b"second\n")).unwrap_err();
        assert!(err.to_string().contains("--force"), "{err}");
        assert_eq!(fs::read_to_string(&path).unwrap(), "first\n");
        let left: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "no temporary file left behind");
        write_atomic(&path, true, |w| w.write_all(b"third\n")).unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "third\n");
    }

    #[test]
    fn a_folder_that_cannot_take_the_file_is_refused_at_the_check() {
        let dir = tempfile::tempdir().unwrap();
        let missing = Target::File(dir.path().join("no/such/out.csv"));
        let err = check_targets(&[("--csv", &missing)], &[], &[], true).unwrap_err();
        assert!(err.to_string().contains("does not exist"), "{err}");
        let file = dir.path().join("file");
        fs::write(&file, "x").unwrap();
        let under_a_file = Target::File(file.join("out.csv"));
        let err = check_targets(&[("--csv", &under_a_file)], &[], &[], true).unwrap_err();
        assert!(err.to_string().contains("--csv"), "{err}");
        assert_eq!(
            fs::read_dir(dir.path()).unwrap().count(),
            1,
            "the check left nothing"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_device_is_written_in_place_never_replaced() {
        let null = Path::new("/dev/null");
        if !null.exists() {
            return;
        }
        let target = Target::File(null.to_path_buf());
        assert!(check_targets(&[("--html", &target)], &[], &[], false).is_ok());
        write_atomic(null, true, |w| w.write_all(b"report\n")).unwrap();
        use std::os::unix::fs::FileTypeExt;
        assert!(fs::metadata(null).unwrap().file_type().is_char_device());
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
