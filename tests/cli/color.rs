//! Colour: `--color always|never|auto`, NO_COLOR, and what a pipe and a terminal get.

use super::*;

const ESC: char = '\u{1b}';

fn scan_stdout(args: &[&str], no_color: Option<&str>) -> String {
    let mut cmd = iisdiag();
    cmd.arg("scan").arg(repo("testdata/farm")).args(args);
    cmd.env_remove("NO_COLOR");
    if let Some(v) = no_color {
        cmd.env("NO_COLOR", v);
    }
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn color_always_paints_faults_red_client_errors_yellow_benign_dim() {
    let text = scan_stdout(&["--color", "always", "--top", "3"], None);
    // The 502 group heading: bold red.
    assert!(
        text.contains("\u{1b}[1m\u{1b}[31m502.3.12002\u{1b}[0m"),
        "{text}"
    );
    // Table cells: red (5xx), yellow (4xx) and dim (benign) codes.
    let line = |code: &str| {
        text.lines()
            .find(|l| l.contains(code) && l.starts_with('|'))
            .unwrap_or_else(|| panic!("no row {code}"))
            .to_string()
    };
    assert!(
        line("502.3.12002").contains("\u{1b}[38;5;9m"),
        "{}",
        line("502.3.12002")
    );
    assert!(
        line("404.0.2").contains("\u{1b}[38;5;11m"),
        "{}",
        line("404.0.2")
    );
    assert!(line("401.2.5").contains("\u{1b}[2m"), "{}", line("401.2.5"));
    assert!(!line("404.0.2").contains("\u{1b}[2m"));
    // Headings are bold.
    assert!(text.contains("\u{1b}[1mCheck:\u{1b}[0m"));
    assert!(text.contains("\u{1b}[1mHTTP.sys error log:"));
    // The global flag also works before the command, and NO_COLOR does not beat `always`.
    let out = iisdiag()
        .args(["--color", "always", "scan"])
        .arg(repo("testdata/farm"))
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(String::from_utf8(out.stdout).unwrap().contains(ESC));
}

#[test]
fn never_auto_piped_and_no_color_emit_no_escapes() {
    for (args, no_color) in [
        (vec!["--color", "never"], None),
        (vec![], None),
        (vec!["--color", "auto"], Some("1")),
    ] {
        let text = scan_stdout(&args, no_color);
        assert!(!text.contains(ESC), "{args:?} NO_COLOR={no_color:?}");
        assert!(text.contains("502.3.12002"));
    }
    // The colourless output is the same text with or without the flag.
    assert_eq!(
        scan_stdout(&["--color", "never"], None),
        scan_stdout(&[], None)
    );
}

#[test]
fn freb_follows_the_color_flag() {
    let trace = repo("testdata/freb/fr000103.xml");
    let run = |when: &str| {
        let out = iisdiag()
            .args(["freb", "--color", when])
            .arg(&trace)
            .output()
            .unwrap();
        assert!(out.status.success());
        String::from_utf8(out.stdout).unwrap()
    };
    assert!(run("always").contains(ESC));
    assert!(!run("never").contains(ESC));
    assert!(!run("auto").contains(ESC));
}

/// `auto` on a real terminal (a pseudo-terminal made by `script`): colour, unless NO_COLOR
/// is set to something non-empty.
#[cfg(unix)]
#[test]
fn auto_colours_a_terminal_unless_no_color() {
    let farm = repo("testdata/farm");
    let farm = farm.to_str().unwrap();
    let Some(plain) = in_terminal(&["scan", "--top", "1", farm], &[]) else {
        return;
    };
    assert!(plain.contains(ESC), "{plain}");
    let text = in_terminal(&["scan", "--top", "1", farm], &[("NO_COLOR", "1")]).unwrap();
    assert!(!text.contains(ESC), "{text}");
    let text = in_terminal(&["scan", "--top", "1", farm], &[("NO_COLOR", "")]).unwrap();
    assert!(text.contains(ESC), "an empty NO_COLOR does not count");
    let text = in_terminal(&["scan", "--top", "1", "--color", "never", farm], &[]).unwrap();
    assert!(!text.contains(ESC));
}

/// Runs iisdiag on a pseudo-terminal (stdout and stderr both) and returns what the terminal
/// got; `None` (with a note) when util-linux `script` is not there. NO_COLOR is unset
/// unless `env` sets it.
#[cfg(unix)]
pub fn in_terminal(args: &[&str], env: &[(&str, &str)]) -> Option<String> {
    let quote = |s: &str| format!("'{}'", s.replace('\'', r"'\''"));
    let bin = assert_cmd::cargo::cargo_bin("iisdiag");
    let mut line = quote(&bin.display().to_string());
    for a in args {
        line.push(' ');
        line.push_str(&quote(a));
    }
    let mut cmd = std::process::Command::new("script");
    cmd.args(["-qec", &line, "/dev/null"])
        .env_remove("NO_COLOR")
        .envs(env.iter().copied());
    match cmd.output() {
        Ok(out) if out.status.success() => Some(String::from_utf8_lossy(&out.stdout).into_owned()),
        Ok(out) => panic!("{line}: {}", String::from_utf8_lossy(&out.stderr)),
        Err(e) => {
            skip_unless_ci(&format!("no `script` to make a terminal ({e})"));
            None
        }
    }
}
