//! `--site NAME`: a site named by its name, not its id. The configuration files and site
//! lists among the inputs are read before the logs, for the names they give the sites, and the
//! ids of the sites so named join the site filter, so that a log under `W3SVC2` is kept for
//! `--site "Contoso Shop"`.

use std::path::Path;

use rayon::prelude::*;

use super::{Found, Options, in_pool, read_file_where};

/// Whether a `--site` value names a site by its id (`2`, `W3SVC2`), not by its name.
fn is_site_id(value: &str) -> bool {
    let digits = match value.get(..5) {
        Some(p) if p.eq_ignore_ascii_case("w3svc") => value.get(5..).unwrap_or_default(),
        _ => value,
    };
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

/// Whether a file (or archive member) may be a configuration file or site list, by its name:
/// what is read before the logs when `--site` names a site by its name.
fn may_be_config(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("config") || e.eq_ignore_ascii_case("csv"))
}

/// Whether a file is named like an archive that may hold configuration files.
fn is_archive_name(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("zip") || e.eq_ignore_ascii_case("gz"))
}

/// With `--site NAME`, the options with the ids of the sites so named added to the site
/// filter: the configuration files and site lists found are read first, for their names.
/// `None` when every `--site` value is an id.
pub(super) fn with_site_ids(found: &Found, opts: &Options) -> Option<Options> {
    let names: Vec<&String> = opts
        .filter
        .sites
        .iter()
        .filter(|s| !is_site_id(s))
        .collect();
    if names.is_empty() {
        return None;
    }
    let plain = Options::default();
    let config = in_pool(opts.threads, || {
        found
            .files
            .par_iter()
            .filter(|p| may_be_config(p) || is_archive_name(p))
            .map(|path| {
                read_file_where(path, &plain, may_be_config)
                    .collected
                    .config
            })
            .reduce(Default::default, |mut all, part| {
                all.merge(part);
                all
            })
    });
    let mut named = opts.clone();
    for name in names {
        for id in config.ids_named(name) {
            let id = format!("w3svc{id}");
            if !named.filter.sites.contains(&id) {
                named.filter.sites.push(id);
            }
        }
    }
    Some(named)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_names_are_told_apart() {
        for (value, id) in [
            ("2", true),
            ("w3svc12", true),
            ("W3SVC2", true),
            ("w3svc", false),
            ("contoso shop", false),
            ("shop2", false),
            ("", false),
        ] {
            assert_eq!(is_site_id(value), id, "{value}");
        }
        assert!(may_be_config(Path::new("a/applicationHost.CONFIG")));
        assert!(may_be_config(Path::new("SiteOverview.csv")));
        assert!(!may_be_config(Path::new("u_ex261118.log")));
        assert!(is_archive_name(Path::new("bundle.ZIP")));
    }
}
