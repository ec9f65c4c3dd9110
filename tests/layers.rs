//! The data flows one way, files -> records -> filter -> summary -> explain -> report, and no
//! module may import a later stage (the order is [`RANKS`]). This test reads every `.rs` file under `src/` and checks
//! the `crate::` paths in its code (comments and string literals are left out), and `super::`
//! paths that climb out to the crate root, against the rank of each stage.
//!
//! Run it alone with `cargo test --test layers -- --nocapture` to see the arrows it finds.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

/// The stages, earliest first; a module may import its own rank or an earlier one. A file's
/// stage is the first component of its path under `src/` (`src/input/w3c/reader.rs` is
/// `input`). The value types and the per-medium guards come first: every stage uses them.
/// `output` (the files iisdiag writes and the request export, whose rows the pipeline fills
/// while reading) comes before the pipeline; the knowledge base is read only by the
/// explanation and the writers that list it. `cli` holds the clap types: `cmd` turns them
/// into options, so it sits with `cmd`.
const RANKS: &[&[&str]] = &[
    &["error", "time", "triple", "hresult", "guard"],
    &["input"],
    &["filter"],
    &["summary"],
    &["output"],
    &["pipeline"],
    &["kb"],
    &["explain"],
    &["report"],
    &["cmd", "cli"],
    &["lib", "main"],
];

/// Arrows that point back and are allowed for now, `(file, imported stage)`: none. An arrow
/// not listed here fails the test, and so does a listed one that is gone.
const ALLOWED: &[(&str, &str)] = &[];

fn rank(stage: &str) -> Option<usize> {
    RANKS.iter().position(|r| r.contains(&stage))
}

#[test]
fn no_module_imports_a_later_stage() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let reexports = root_reexports(&fs::read_to_string(src.join("lib.rs")).unwrap());
    let mut found = BTreeSet::new();
    let mut unranked = Vec::new();
    for file in rust_files(&src) {
        let rel = file.strip_prefix(&src).unwrap();
        let name = format!("src/{}", rel.to_string_lossy().replace('\\', "/"));
        let module = module_path(rel);
        let stage = module.first().map_or("lib", String::as_str).to_string();
        let stage = if rel == Path::new("main.rs") {
            "main".to_string()
        } else {
            stage
        };
        let Some(own) = rank(&stage) else {
            unranked.push(name);
            continue;
        };
        let code = strip(&fs::read_to_string(&file).unwrap());
        for target in imported_stages(&code, &module, &reexports) {
            match rank(&target) {
                Some(r) if r > own => {
                    found.insert((name.clone(), target));
                }
                Some(_) => {}
                None => unranked.push(format!("{name} imports `{target}`")),
            }
        }
    }
    assert!(
        unranked.is_empty(),
        "stages missing from RANKS (give each a place in the flow): {unranked:#?}"
    );
    let allowed: BTreeSet<(String, String)> = ALLOWED
        .iter()
        .map(|&(f, s)| (f.to_string(), s.to_string()))
        .collect();
    for (file, target) in &found {
        let known = if allowed.contains(&(file.clone(), target.clone())) {
            " (allowed for now)"
        } else {
            ""
        };
        println!("{file} imports {target}, a later stage{known}");
    }
    let new: Vec<_> = found.difference(&allowed).collect();
    assert!(
        new.is_empty(),
        "modules importing a later stage (the flow is {}): {new:#?}",
        flow()
    );
    let gone: Vec<_> = allowed.difference(&found).collect();
    assert!(
        gone.is_empty(),
        "arrows no longer there: remove them from ALLOWED: {gone:#?}"
    );
}

/// The ranks as text, for the failure message.
fn flow() -> String {
    RANKS
        .iter()
        .map(|r| r.join("/"))
        .collect::<Vec<_>>()
        .join(" < ")
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut entries: Vec<_> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            out.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out
}

/// The module a file under `src/` defines: `input/w3c/reader.rs` is `input::w3c::reader`,
/// `input/w3c/mod.rs` is `input::w3c`, `lib.rs` the crate root.
fn module_path(rel: &Path) -> Vec<String> {
    let mut parts: Vec<String> = rel
        .with_extension("")
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if matches!(
        parts.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        parts.pop();
    }
    parts
}

/// `pub use error::Error;` in lib.rs: `crate::Error` is the error module's.
fn root_reexports(lib: &str) -> Vec<(String, String)> {
    strip(lib)
        .lines()
        .filter_map(|l| l.trim().strip_prefix("pub use "))
        .filter_map(|l| {
            let path = l.trim_end_matches(';');
            let (module, item) = path.split_once("::")?;
            Some((item.rsplit("::").next()?.to_string(), module.to_string()))
        })
        .collect()
}

/// The first module of every `crate::` path in `code` (grouped imports
/// `use crate::{a::X, b}` included), and of `super::` paths that climb to the crate root.
/// `module` is the file's module path; inline modules (`mod tests { .. }`) are followed, as
/// `super` inside one starts from it.
fn imported_stages(
    code: &str,
    module: &[String],
    reexports: &[(String, String)],
) -> BTreeSet<String> {
    let bytes = code.as_bytes();
    let mut out = BTreeSet::new();
    // Inline modules open at a brace depth.
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut depth = 0usize;
    let mut i = 0;
    let resolve = |first: &str| -> String {
        reexports
            .iter()
            .find(|(item, _)| item == first)
            .map_or_else(|| first.to_string(), |(_, m)| m.clone())
    };
    while i < bytes.len() {
        let at_word = i == 0 || !is_ident(bytes[i - 1]);
        match bytes[i] {
            b'{' => depth += 1,
            b'}' => {
                depth = depth.saturating_sub(1);
                if inline.last().is_some_and(|(_, d)| *d == depth) {
                    inline.pop();
                }
            }
            _ if at_word && code[i..].starts_with("mod ") => {
                let rest = &code[i + 4..];
                let name: String = rest
                    .trim_start()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                let after = rest.trim_start()[name.len()..].trim_start();
                if !name.is_empty() && after.starts_with('{') {
                    inline.push((name, depth));
                }
            }
            _ if at_word && code[i..].starts_with("crate::") => {
                for first in path_heads(&code[i + 7..]) {
                    out.insert(resolve(&first));
                }
            }
            _ if at_word && code[i..].starts_with("super::") => {
                let mut here: Vec<String> = module.to_vec();
                here.extend(inline.iter().map(|(n, _)| n.clone()));
                let mut rest = &code[i..];
                while let Some(r) = rest.strip_prefix("super::") {
                    here.pop();
                    rest = r.trim_start();
                }
                if here.is_empty() {
                    for first in path_heads(rest) {
                        out.insert(resolve(&first));
                    }
                }
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// The first segment of the path(s) at the start of `rest`: `input::w3c::Field` gives
/// `input`; `{input::w3c, time}` gives `input` and `time`.
fn path_heads(rest: &str) -> Vec<String> {
    let rest = rest.trim_start();
    if let Some(group) = rest.strip_prefix('{') {
        let mut heads = Vec::new();
        let mut nesting = 0usize;
        let mut start = true;
        let mut word = String::new();
        for c in group.chars() {
            match c {
                '{' => nesting += 1,
                '}' if nesting == 0 => break,
                '}' => nesting -= 1,
                ',' if nesting == 0 => start = true,
                _ if start && (c.is_alphanumeric() || c == '_') => word.push(c),
                _ if start && !word.is_empty() => {
                    heads.push(std::mem::take(&mut word));
                    start = false;
                }
                _ => {}
            }
        }
        if !word.is_empty() {
            heads.push(word);
        }
        heads.retain(|h| h != "self");
        return heads;
    }
    let head: String = rest
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    if head.is_empty() {
        Vec::new()
    } else {
        vec![head]
    }
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$'
}

/// The code without comments, string and character literals (each replaced by a space, so
/// what is left keeps its shape).
fn strip(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
            continue;
        }
        if c == '/' && next == Some('*') {
            let mut nesting = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    nesting += 1;
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    nesting -= 1;
                    i += 2;
                    if nesting == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
            out.push(' ');
            continue;
        }
        let ident_before = i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_');
        // Raw strings: r"..", r#".."#, br#".."#.
        if (c == 'r' || (c == 'b' && next == Some('r'))) && !ident_before {
            let mut j = i + if c == 'b' { 2 } else { 1 };
            let mut hashes = 0;
            while chars.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if chars.get(j) == Some(&'"') {
                j += 1;
                loop {
                    if j >= chars.len() {
                        break;
                    }
                    if chars[j] == '"' && (0..hashes).all(|k| chars.get(j + 1 + k) == Some(&'#')) {
                        j += 1 + hashes;
                        break;
                    }
                    j += 1;
                }
                out.push(' ');
                i = j;
                continue;
            }
        }
        if c == '"' {
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    i += 1;
                }
                i += 1;
            }
            i += 1;
            out.push(' ');
            continue;
        }
        if c == '\'' {
            // A character literal ('x', '\n', '\''), not a lifetime ('a).
            if next == Some('\\') {
                let mut j = i + 2;
                while j < chars.len() && chars[j] != '\'' {
                    j += 1;
                }
                i = j + 1;
                out.push(' ');
                continue;
            }
            if chars.get(i + 2) == Some(&'\'') {
                i += 3;
                out.push(' ');
                continue;
            }
        }
        out.push(c);
        i += 1;
    }
    out
}

#[test]
fn the_checker_reads_paths_as_the_compiler_does() {
    let code = strip(
        r##"
//! Uses crate::report in a comment.
use crate::{input::w3c, time::Millis, self};
use crate::filter::Filter;
/* crate::output in a block /* nested */ comment */
let s = "crate::cmd in a string";
let c = '"'; let l: &'a str = x;
let r = r#"crate::pipeline"#;
fn f() -> crate::Error { crate::summary::w3c::add() }
mod tests {
    use super::super::kb::Kb;
}
"##,
    );
    let reexports = vec![("Error".to_string(), "error".to_string())];
    let module = vec!["input".to_string(), "lines".to_string()];
    let got = imported_stages(&code, &module, &reexports);
    let want: BTreeSet<String> = ["error", "filter", "input", "summary", "time"]
        .map(String::from)
        .into();
    assert_eq!(got, want);
    // From a top-level file, `super::x` is the crate root's x.
    let got = imported_stages(&strip("use super::kb::Kb;"), &["filter".into()], &[]);
    assert_eq!(got, BTreeSet::from(["kb".to_string()]));
    // Inside an inline module, `super` is the file's own module.
    let got = imported_stages(
        &strip("mod tests { use super::StatusFilter; }"),
        &["filter".into()],
        &[],
    );
    assert!(got.is_empty(), "{got:?}");
}
