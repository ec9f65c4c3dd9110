//! Where IIS writes its logs by default, for `iisdiag scan` without a PATH on a Windows
//! server: the W3C logs, the Failed Request Tracing traces and the HTTP.sys error logs.
//! Elsewhere there is no default, and the error says what to pass.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// The default folders that exist on this machine (Windows), or an error naming what to pass.
pub fn default_paths() -> Result<Vec<PathBuf>> {
    default_paths_with(cfg!(windows), &|name| std::env::var_os(name), &|p| {
        p.is_dir()
    })
}

/// The folders IIS writes to by default, from `%SystemDrive%` and `%SystemRoot%`
/// (`C:` and `C:\Windows` when unset).
pub fn candidates(env: &dyn Fn(&str) -> Option<OsString>) -> Vec<PathBuf> {
    let var = |name: &str, default: &str| {
        env(name)
            .map(|v| v.to_string_lossy().trim_end_matches('\\').to_string())
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| default.to_string())
    };
    let drive = var("SystemDrive", "C:");
    let root = var("SystemRoot", &format!(r"{drive}\Windows"));
    vec![
        PathBuf::from(format!(r"{drive}\inetpub\logs\LogFiles")),
        PathBuf::from(format!(r"{drive}\inetpub\logs\FailedReqLogFiles")),
        PathBuf::from(format!(r"{root}\System32\LogFiles\HTTPERR")),
    ]
}

/// `default_paths` with the platform, the environment and the file system passed in, so
/// that it is tested on every platform.
pub fn default_paths_with(
    windows: bool,
    env: &dyn Fn(&str) -> Option<OsString>,
    exists: &dyn Fn(&Path) -> bool,
) -> Result<Vec<PathBuf>> {
    if !windows {
        return Err(Error::Usage(
            "no PATH given: name the log files or folders to read, e.g. `iisdiag scan LogFiles/ HTTPERR/` \
             (copies of a server's C:\\inetpub\\logs\\LogFiles and C:\\Windows\\System32\\LogFiles\\HTTPERR); \
             only on Windows does `iisdiag scan` without PATH read the default IIS log folders"
                .to_string(),
        ));
    }
    let all = candidates(env);
    let found: Vec<PathBuf> = all.iter().filter(|p| exists(p)).cloned().collect();
    if found.is_empty() {
        let names: Vec<String> = all.iter().map(|p| p.display().to_string()).collect();
        return Err(Error::Usage(format!(
            "no PATH given, and none of the default IIS log folders exists here ({}): name the log files or folders to read",
            names.join(", ")
        )));
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    type Vars = &'static [(&'static str, &'static str)];

    fn env_of(vars: Vars) -> impl Fn(&str) -> Option<OsString> {
        move |name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| OsString::from(v))
        }
    }

    fn names(paths: &[PathBuf]) -> Vec<String> {
        paths.iter().map(|p| p.display().to_string()).collect()
    }

    #[test]
    fn candidates_follow_system_drive_and_root() {
        // (environment, the three folders)
        let cases: [(Vars, [&str; 3]); 4] = [
            (
                &[("SystemDrive", "C:"), ("SystemRoot", r"C:\Windows")],
                [
                    r"C:\inetpub\logs\LogFiles",
                    r"C:\inetpub\logs\FailedReqLogFiles",
                    r"C:\Windows\System32\LogFiles\HTTPERR",
                ],
            ),
            (
                &[("SystemDrive", "D:"), ("SystemRoot", r"E:\WINNT\")],
                [
                    r"D:\inetpub\logs\LogFiles",
                    r"D:\inetpub\logs\FailedReqLogFiles",
                    r"E:\WINNT\System32\LogFiles\HTTPERR",
                ],
            ),
            (
                &[("SystemDrive", "D:")],
                [
                    r"D:\inetpub\logs\LogFiles",
                    r"D:\inetpub\logs\FailedReqLogFiles",
                    r"D:\Windows\System32\LogFiles\HTTPERR",
                ],
            ),
            (
                &[("SystemDrive", "")],
                [
                    r"C:\inetpub\logs\LogFiles",
                    r"C:\inetpub\logs\FailedReqLogFiles",
                    r"C:\Windows\System32\LogFiles\HTTPERR",
                ],
            ),
        ];
        for (vars, want) in cases {
            assert_eq!(names(&candidates(&env_of(vars))), want, "{vars:?}");
        }
    }

    #[test]
    fn on_windows_only_the_folders_that_exist() {
        let env = env_of(&[("SystemDrive", "C:"), ("SystemRoot", r"C:\Windows")]);
        let no_traces = |p: &Path| !p.display().to_string().contains("FailedReq");
        assert_eq!(
            names(&default_paths_with(true, &env, &no_traces).unwrap()),
            [
                r"C:\inetpub\logs\LogFiles",
                r"C:\Windows\System32\LogFiles\HTTPERR"
            ]
        );
        let err = default_paths_with(true, &env, &|_| false)
            .unwrap_err()
            .to_string();
        assert!(err.contains("none of the default IIS log folders"), "{err}");
        assert!(err.contains(r"C:\inetpub\logs\LogFiles"), "{err}");
    }

    #[test]
    fn elsewhere_an_error_that_says_what_to_pass() {
        let env = env_of(&[]);
        let err = default_paths_with(false, &env, &|_| true).unwrap_err();
        assert_eq!(err.exit_code(), crate::error::EXIT_USAGE);
        let err = err.to_string();
        assert!(err.contains("no PATH given"), "{err}");
        assert!(err.contains("iisdiag scan LogFiles/"), "{err}");
    }
}
