//! `rust-version` in Cargo.toml is a promise: iisdiag builds with that Rust. The locked
//! dependencies declare the Rust they need, so the promise is at least the largest of theirs.
//! Only one toolchain is installed on most machines, so this reads the declarations instead of
//! building with the old compiler (`.ci/run` does that too where rustup can fetch it).

use std::path::PathBuf;

use super::{repo, skip_unless_ci};

/// `1.88` or `1.85.0` as comparable numbers.
fn version(text: &str) -> Vec<u64> {
    text.split('.').map(|p| p.parse().unwrap_or(0)).collect()
}

/// The folders cargo unpacks registry crates into.
fn registry_sources() -> Vec<PathBuf> {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")));
    let Some(src) = home.map(|h| h.join("registry/src")) else {
        return Vec::new();
    };
    std::fs::read_dir(src)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default()
}

#[test]
fn rust_version_is_at_least_what_the_locked_dependencies_need() {
    let manifest: toml::Table =
        toml::from_str(&std::fs::read_to_string(repo("Cargo.toml")).unwrap()).unwrap();
    let ours = manifest["package"]["rust-version"]
        .as_str()
        .unwrap()
        .to_string();
    let lock: toml::Table =
        toml::from_str(&std::fs::read_to_string(repo("Cargo.lock")).unwrap()).unwrap();
    let sources = registry_sources();
    let (mut read, mut needs) = (0, Vec::new());
    for p in lock["package"].as_array().unwrap() {
        if p.get("source").is_none() {
            continue;
        }
        let dir = format!(
            "{}-{}",
            p["name"].as_str().unwrap(),
            p["version"].as_str().unwrap()
        );
        // Crates for other platforms (wasm, macOS) are locked but never unpacked here.
        let Some(text) = sources
            .iter()
            .find_map(|s| std::fs::read_to_string(s.join(&dir).join("Cargo.toml")).ok())
        else {
            continue;
        };
        read += 1;
        let Ok(theirs) = toml::from_str::<toml::Table>(&text) else {
            continue;
        };
        if let Some(rv) = theirs
            .get("package")
            .and_then(|p| p.get("rust-version"))
            .and_then(|v| v.as_str())
        {
            needs.push((version(rv), dir));
        }
    }
    if read < 20 {
        skip_unless_ci("the registry sources of the locked crates are not unpacked");
        return;
    }
    needs.sort();
    let (most, by) = needs.last().unwrap();
    assert!(
        version(&ours) >= *most,
        "Cargo.toml says rust-version {ours}, but {by} needs {most:?}"
    );
    let readme = std::fs::read_to_string(repo("README.md")).unwrap();
    assert!(
        readme.contains(&format!("Rust ({ours} or newer")),
        "the README's set-up names another Rust than {ours}"
    );
}
