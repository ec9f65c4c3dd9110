//! Finding the files to read: each path is a file or a folder walked recursively.
//!
//! The walk follows symbolic links (copied log folders use them) and walkdir detects loops.
//! Files come back sorted by path, so every run reads them in the same order, and each file
//! once, however many paths lead to it.

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
    for root in paths {
        if !root.exists() {
            problems.push(WalkProblem {
                path: root.clone(),
                reason: "no such file or folder".to_string(),
            });
            continue;
        }
        for entry in walkdir::WalkDir::new(root).follow_links(true) {
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

fn walk_reason(e: &walkdir::Error) -> String {
    if let Some(ancestor) = e.loop_ancestor() {
        return format!(
            "symbolic link loop back to {}; not followed",
            ancestor.display()
        );
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

    #[test]
    fn missing_path_is_a_problem_not_a_panic() {
        let (files, problems) = discover(&[PathBuf::from("/no/such/place/iisdiag")]);
        assert!(files.is_empty());
        assert_eq!(problems.len(), 1);
    }
}
