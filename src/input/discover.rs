//! Finding the files to read: each path is a file or a folder walked recursively.
//!
//! The walk follows symbolic links (copied log folders use them) and walkdir detects loops.
//! Files come back sorted by path, so every run reads them in the same order, and each file
//! once, however many paths lead to it.
//!
//! Each folder is walked once, however many links lead to it: walkdir's loop check looks only
//! at the ancestors of a folder, so a chain of folders each holding two links to the next is
//! walked 2^depth times (18 levels took over 30 s). Folders already walked are known by their
//! identity on disk ((device, inode) on unix, the canonical path elsewhere) and passed over.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// A path that could not be walked, with the reason.
#[derive(Debug, Clone)]
pub struct WalkProblem {
    pub path: PathBuf,
    pub reason: String,
}

/// The files under `paths`, sorted and without duplicates, and the problems met on the way.
pub fn discover(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<WalkProblem>) {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    // Folders walked so far, over all the roots.
    let mut walked = HashSet::new();
    let mut loops = Vec::new();
    for root in paths {
        if !root.exists() {
            problems.push(WalkProblem {
                path: root.clone(),
                reason: "no such file or folder".to_string(),
            });
            continue;
        }
        // Sorted, so which of several paths to a folder is walked (the first) is the same on
        // every run and every file system.
        // The folders from the root down to the entry met last, to tell a loop (a folder
        // reached again inside itself, through a link above it) from a second way in.
        let mut branch: Vec<(FolderId, PathBuf)> = Vec::new();
        let walk = walkdir::WalkDir::new(root)
            .follow_links(true)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| {
                if !e.file_type().is_dir() {
                    return true;
                }
                let id = folder_id(e);
                branch.truncate(e.depth());
                if let Some((_, ancestor)) = branch.iter().find(|(a, _)| *a == id) {
                    loops.push(WalkProblem {
                        path: e.path().to_path_buf(),
                        reason: loop_reason(ancestor),
                    });
                    return false;
                }
                branch.push((id.clone(), e.path().to_path_buf()));
                walked.insert(id)
            });
        for entry in walk {
            match entry {
                Ok(e) if e.file_type().is_file() => files.push(e.into_path()),
                Ok(e) if e.file_type().is_dir() => {}
                // A device, pipe or socket: reading one could block or never end.
                Ok(e) => problems.push(WalkProblem {
                    path: e.into_path(),
                    reason: "not a regular file (a device, pipe or socket); not read".into(),
                }),
                Err(e) => problems.push(WalkProblem {
                    path: e.path().map_or_else(|| root.clone(), Path::to_path_buf),
                    reason: walk_reason(&e),
                }),
            }
        }
    }
    problems.append(&mut loops);
    files.sort();
    files.dedup();
    // One file reached by two paths (a link back into the tree, a folder named twice) is
    // read once, under the first of its paths.
    let mut seen = HashSet::new();
    files.retain(|path| match std::fs::canonicalize(path) {
        Ok(real) => seen.insert(real),
        Err(_) => true,
    });
    (files, problems)
}

/// What tells a folder from every other: the same for every path that leads to it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum FolderId {
    #[cfg(unix)]
    Inode(u64, u64),
    Path(PathBuf),
}

/// The identity of a folder met on the walk; its path as met when the disk cannot say (then
/// a folder reached by two paths is walked twice, as before, and its files still read once).
fn folder_id(e: &walkdir::DirEntry) -> FolderId {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let Ok(meta) = e.metadata() {
            return FolderId::Inode(meta.dev(), meta.ino());
        }
    }
    #[cfg(not(unix))]
    {
        if let Ok(real) = std::fs::canonicalize(e.path()) {
            return FolderId::Path(real);
        }
    }
    FolderId::Path(e.path().to_path_buf())
}

fn loop_reason(ancestor: &Path) -> String {
    format!(
        "symbolic link loop back to {}; not followed",
        ancestor.display()
    )
}

fn walk_reason(e: &walkdir::Error) -> String {
    if let Some(ancestor) = e.loop_ancestor() {
        return loop_reason(ancestor);
    }
    match e.io_error() {
        Some(io) => io.to_string(),
        None => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_reached_twice_is_listed_once() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("W3SVC1");
        std::fs::create_dir(&sub).unwrap();
        std::fs::write(sub.join("u_ex1.log"), "x").unwrap();
        let (files, problems) = discover(&[dir.path().to_path_buf(), sub.clone()]);
        assert_eq!(files, [sub.join("u_ex1.log")]);
        assert!(problems.is_empty());
    }

    /// `d0` .. `d{depth}`, each folder holding two symbolic links (`a`, `b`) to the next, the
    /// last one a log: 2^depth paths lead to it.
    #[cfg(unix)]
    fn link_chain(root: &Path, depth: usize) -> PathBuf {
        for i in 0..=depth {
            std::fs::create_dir(root.join(format!("d{i}"))).unwrap();
        }
        for i in 0..depth {
            for link in ["a", "b"] {
                let target = root.join(format!("d{}", i + 1));
                std::os::unix::fs::symlink(target, root.join(format!("d{i}/{link}"))).unwrap();
            }
        }
        let log = root.join(format!("d{depth}/u_ex1.log"));
        std::fs::write(&log, "x").unwrap();
        log
    }

    #[cfg(unix)]
    #[test]
    fn a_chain_of_double_links_is_walked_once_not_exponentially() {
        let dir = tempfile::tempdir().unwrap();
        link_chain(dir.path(), 24);
        let root = dir.path().join("d0");
        // Before, this walked 2^24 paths (minutes); a thread, so a regression fails in seconds.
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || tx.send(discover(&[root])));
        let (files, problems) = rx
            .recv_timeout(std::time::Duration::from_secs(10))
            .expect("the walk of 24 linked folders took over 10 s");
        // Read once, under the first path in sorted order.
        let first = dir.path().join(format!("d0/{}u_ex1.log", "a/".repeat(24)));
        assert_eq!(files, [first]);
        assert!(problems.is_empty(), "{problems:?}");
    }

    #[cfg(unix)]
    #[test]
    fn a_loop_back_to_an_ancestor_is_still_named() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("W3SVC1");
        std::fs::create_dir(&sub).unwrap();
        std::fs::write(sub.join("u_ex1.log"), "x").unwrap();
        std::os::unix::fs::symlink(dir.path(), sub.join("up")).unwrap();
        let (files, problems) = discover(&[dir.path().to_path_buf()]);
        assert_eq!(files, [sub.join("u_ex1.log")]);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0].reason.starts_with("symbolic link loop back to"),
            "{problems:?}"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_link_above_the_root_that_leads_back_into_it_is_a_loop() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("logs/W3SVC1");
        std::fs::create_dir_all(&sub).unwrap();
        std::fs::write(sub.join("u_ex1.log"), "x").unwrap();
        std::os::unix::fs::symlink("../..", sub.join("up")).unwrap();
        let (files, problems) = discover(&[dir.path().join("logs")]);
        assert_eq!(files, [sub.join("u_ex1.log")]);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].path, sub.join("up/logs"));
        assert_eq!(
            problems[0].reason,
            format!(
                "symbolic link loop back to {}; not followed",
                dir.path().join("logs").display()
            )
        );
    }

    #[test]
    fn missing_path_is_a_problem_not_a_panic() {
        let (files, problems) = discover(&[PathBuf::from("/no/such/place/iisdiag")]);
        assert!(files.is_empty());
        assert_eq!(problems.len(), 1);
    }
}
