//! Where a log came from: the site folder (`W3SVC1`) and the server folder (`web01`) its path
//! names. Records that do not say their site or server themselves (most W3C field sets,
//! HTTP.sys logs, traces) take them from here, so a copied folder per server is enough to
//! tell servers apart.

use std::path::Path;

/// A path's parts as written: folders, file and archive members alike (split at `/`, `\\`
/// and the `!` between an archive and its member; empty and `.` parts dropped).
pub fn path_parts(path: &str) -> Vec<&str> {
    path.split(['/', '\\', '!'])
        .filter(|p| !p.is_empty() && *p != ".")
        .collect()
}

/// [`path_parts`], lower-cased, for comparing paths the way Windows does.
pub fn path_parts_lower(path: &str) -> Vec<String> {
    path_parts(path)
        .into_iter()
        .map(str::to_ascii_lowercase)
        .collect()
}

/// Where a file came from, for records that do not say it themselves.
#[derive(Debug, Clone, Default)]
pub struct Origin {
    /// The `W3SVCn` folder the file lies in, or the site's name where a LogCatcher bundle
    /// names its folder for the site (`Sites/Shop/IISLogs/`).
    pub site_folder: Option<String>,
    /// The folder above the site folder, when it names a server; for an App Service RawLogs
    /// file, the instance its name gives (App Service logs no `s-computername`).
    pub server_folder: Option<String>,
}

impl Origin {
    /// The site and server folders of a path (for an archive member, the path it would have
    /// if the archive were extracted beside itself).
    pub fn of(path: &Path) -> Origin {
        Origin {
            site_folder: site_folder(path).or_else(|| logcatcher_site(path)),
            server_folder: server_folder(path)
                .or_else(|| super::bundle::app_service_instance(path)),
        }
    }
}

/// The site folder (`W3SVC1`, `FTPSVC2`) a log lies in, if its path has one.
pub fn site_folder(path: &Path) -> Option<String> {
    path.ancestors().skip(1).find_map(|p| {
        let name = p.file_name()?.to_str()?;
        let upper = name.to_ascii_uppercase();
        let is_site = ["W3SVC", "FTPSVC", "SMTPSVC"].iter().any(|pre| {
            upper.starts_with(pre)
                && upper[pre.len()..].bytes().all(|b| b.is_ascii_digit())
                && upper.len() > pre.len()
        });
        is_site.then(|| name.to_string())
    })
}

/// The site a LogCatcher bundle's folders name: it copies each site's logs and traces to
/// `Sites/<site name>/IISLogs/` and `Sites/<site name>/FrebLogs/`, and W3C logs of its default
/// field set do not say their site.
pub fn logcatcher_site(path: &Path) -> Option<String> {
    let mut folders = path
        .ancestors()
        .skip(1)
        .filter_map(|p| p.file_name()?.to_str());
    while let Some(name) = folders.next() {
        if name.eq_ignore_ascii_case("iislogs") || name.eq_ignore_ascii_case("freblogs") {
            let site = folders.next()?;
            let sites = folders.next()?;
            return sites
                .eq_ignore_ascii_case("sites")
                .then(|| site.to_string());
        }
    }
    None
}

/// IIS's own folder names: never the name of the server a log came from.
const IIS_FOLDERS: [&str; 8] = [
    "logfiles",
    "logs",
    "inetpub",
    "log",
    "failedreqlogfiles",
    "httperr",
    "system32",
    "windows",
];

/// The server a log was copied from, guessed from the folder above its site folder (or above
/// its `HTTPERR` folder) when that folder is not one of IIS's own (`LogFiles`, `logs`,
/// `inetpub`, `FailedReqLogFiles`, ...).
pub fn server_folder(path: &Path) -> Option<String> {
    let mut ancestors = path.ancestors().skip(1);
    ancestors.find(|p| {
        p.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
            n.eq_ignore_ascii_case("httperr") || site_folder(&Path::new(n).join("x")).is_some()
        })
    })?;
    for p in ancestors {
        let name = p.file_name()?.to_str()?;
        let lower = name.to_ascii_lowercase();
        if IIS_FOLDERS.contains(&lower.as_str()) {
            continue;
        }
        return Some(name.to_string());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_splits_at_either_slash_and_an_archive_member() {
        for (path, want) in [
            (
                "logs/web01.zip!W3SVC1/u_ex.log",
                vec!["logs", "web01.zip", "W3SVC1", "u_ex.log"],
            ),
            (
                r"C:\inetpub\.\wwwroot\\web.config",
                vec!["C:", "inetpub", "wwwroot", "web.config"],
            ),
            ("/srv/./a/", vec!["srv", "a"]),
            ("", vec![]),
        ] {
            assert_eq!(path_parts(path), want, "{path}");
        }
        assert_eq!(path_parts_lower(r"D:\Sites\Shop"), ["d:", "sites", "shop"]);
    }

    #[test]
    fn site_and_server_from_path() {
        let p = Path::new("copies/web01/inetpub/logs/LogFiles/W3SVC2/u_ex260101.log");
        assert_eq!(site_folder(p).as_deref(), Some("W3SVC2"));
        assert_eq!(server_folder(p).as_deref(), Some("web01"));
        assert_eq!(site_folder(Path::new("logs/u_ex260101.log")), None);
        assert_eq!(server_folder(Path::new("W3SVC1/u_ex.log")), None);
        assert_eq!(
            server_folder(Path::new("farm/web01/HTTPERR/httperr1.log")).as_deref(),
            Some("web01")
        );
        assert_eq!(
            server_folder(Path::new(
                "farm/web01/FailedReqLogFiles/W3SVC1/fr000001.xml"
            ))
            .as_deref(),
            Some("web01")
        );
        assert_eq!(server_folder(Path::new("HTTPERR/httperr1.log")), None);
        assert_eq!(site_folder(Path::new("W3SVCX/u_ex.log")), None);
    }

    #[test]
    fn logcatcher_site_folders_name_their_site() {
        let o = Origin::of(Path::new(
            "LOGS/Sites/Default Web Site/FrebLogs/fr000001.xml",
        ));
        assert_eq!(o.site_folder.as_deref(), Some("Default Web Site"));
        let o = Origin::of(Path::new("x/Shop/IISLogs/u_ex261118.log"));
        assert_eq!(o.site_folder, None);
        let o = Origin::of(Path::new("LOGS/Sites/W3SVC2/u_ex261118.log"));
        assert_eq!(o.site_folder.as_deref(), Some("W3SVC2"));
    }

    #[test]
    fn app_service_rawlogs_are_named_for_their_instance() {
        let o = Origin::of(Path::new(
            "dl/LogFiles/http/RawLogs/18e609-202611181000.log",
        ));
        assert_eq!(o.server_folder.as_deref(), Some("18e609"));
        assert_eq!(o.site_folder, None);
        let o = Origin::of(Path::new("dl/LogFiles/http/RawLogs/log.txt"));
        assert_eq!(o.server_folder, None);
    }
}
