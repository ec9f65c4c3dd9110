//! The shared corpus of real server logs beside the checkout (`../shared/corpus`), for the
//! tests that read it. It is not part of the repository, so without it those tests are skipped
//! and say so; but under CI (`CI` set) a skipped corpus test would pass having tested nothing,
//! so there its absence fails the test instead.

use std::path::{Path, PathBuf};

/// The corpus folder or file at `sub` (`w3c`, `httperr/plaso__httperr.log`), or `None` when
/// it is absent and the test should stop. Panics when it is absent under CI.
pub(crate) fn path(sub: &str) -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/corpus")
        .join(sub);
    present(path, std::env::var_os("CI").is_some())
}

fn present(path: PathBuf, ci: bool) -> Option<PathBuf> {
    if path.exists() {
        return Some(path);
    }
    assert!(
        !ci,
        "{} is absent, and CI is set: the corpus tests must run there",
        path.display()
    );
    eprintln!("skipped: {} is absent", path.display());
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_absent_corpus_is_skipped_outside_ci() {
        assert_eq!(
            present(PathBuf::from("/no/such/iisdiag/corpus"), false),
            None
        );
        let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        assert_eq!(present(here.clone(), true), Some(here));
    }

    #[test]
    #[should_panic(expected = "CI is set")]
    fn an_absent_corpus_fails_under_ci() {
        present(PathBuf::from("/no/such/iisdiag/corpus"), true);
    }
}
