//! Which configured values apply to a group: IIS merges configuration from the server level
//! (applicationHost.config without `<location>`) down to a site (`<location path="Shop">`, the
//! site's root web.config) and an application or folder (`<location path="Shop/api">`, that
//! folder's web.config), the deepest value winning. A value is taken for a group only where
//! the group's sites and URLs lie under where it is set, so a limit set for another site does
//! not explain this one's failures.

use crate::input::origin::path_parts;
use crate::summary::config::{ConfigSummary, Sourced};

/// Where a group's requests were: the names of each of its sites and its URLs.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Target {
    /// Per site, every name the configuration or the logs give it. Empty when the logs name
    /// no site and the configuration has more than one.
    sites: Vec<Vec<String>>,
    urls: Vec<String>,
}

impl Target {
    /// A group seen on `sites` (folders like `W3SVC2`, or `s-sitename` values) with these
    /// URL stems. Where the logs name no site and the configuration knows one, it is that.
    pub fn new(config: &ConfigSummary, sites: &[String], urls: &[&str]) -> Target {
        let names = |facts: &crate::summary::config::SiteFacts| -> Vec<String> {
            facts.names.iter().map(|n| n.name.clone()).collect()
        };
        let mut out: Vec<Vec<String>> = sites
            .iter()
            .map(|s| match config.site_of_folder(s) {
                Some(facts) => names(facts),
                None => vec![s.clone()],
            })
            .collect();
        if let ([], [only]) = (out.as_slice(), config.sites.as_slice()) {
            out.push(names(only));
        }
        Target {
            sites: out,
            urls: urls.iter().map(|u| u.to_string()).collect(),
        }
    }

    /// One site of the target, as a target of its own.
    fn site(&self, i: usize) -> Target {
        Target {
            sites: self.sites.get(i).cloned().into_iter().collect(),
            urls: self.urls.clone(),
        }
    }

    fn has_site(&self, name: &str) -> bool {
        self.sites
            .iter()
            .flatten()
            .any(|n| n.eq_ignore_ascii_case(name))
    }

    /// Whether a URL of the target lies at or under `/path`.
    fn has_url_under(&self, path: &[&str]) -> bool {
        let prefix = format!("/{}", path.join("/")).to_ascii_lowercase();
        self.urls.iter().any(|u| {
            let u = u.to_ascii_lowercase();
            u == prefix || u.starts_with(&format!("{prefix}/"))
        })
    }
}

/// Where a value that applies is set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    /// 0 for applicationHost.config, else the depth of the web.config's folder (1 for a
    /// site's root): a web.config lower down is merged after the files above it, whatever
    /// their `<location>`s say.
    pub level: usize,
    /// 0 at server level, 1 for a site, 1 + n for a folder n levels below the site's root.
    pub depth: usize,
    /// `location 'Shop/api'`, `site 'Shop' (its web.config)`; `None` at server level.
    pub text: Option<String>,
}

/// What a configuration file's own place is, before any `<location>` in it.
enum Base {
    /// applicationHost.config (or any file not named web.config): the server level.
    Server,
    /// A web.config in the folder of this site or application (`Shop`, `Shop/api`).
    Path(String),
    /// A web.config whose folder matches no site's or application's physical path.
    Unknown,
}

fn segments(path: &str) -> Vec<&str> {
    path.split(['/', '\\'])
        .filter(|p| !p.is_empty() && *p != ".")
        .collect()
}

fn is_web_config(file: &str) -> bool {
    file.rsplit(['/', '\\', '!'])
        .next()
        .is_some_and(|name| name.eq_ignore_ascii_case("web.config"))
}

/// How many trailing folders two paths share, case-insensitively (`\` and `/` alike).
fn common_tail(a: &[&str], b: &[&str]) -> usize {
    a.iter()
        .rev()
        .zip(b.iter().rev())
        .take_while(|(x, y)| x.eq_ignore_ascii_case(y))
        .count()
}

/// A web.config's site or application: the one whose physical path ends with the most of
/// the folders the file lies in; none when no path shares the last folder, or two share as
/// many.
fn base(config: &ConfigSummary, file: &str) -> Base {
    if !is_web_config(file) {
        return Base::Server;
    }
    let mut dir = path_parts(file);
    dir.pop();
    let mut best: Option<(usize, String)> = None;
    let mut tie = false;
    let apps = config
        .sites
        .iter()
        .filter_map(|s| s.config.as_ref())
        .flat_map(|s| s.item.applications.iter().map(move |a| (&s.item.name, a)));
    for (site, app) in apps {
        let Some(physical) = app.physical_path.as_deref() else {
            continue;
        };
        let score = common_tail(&dir, &segments(physical));
        let path = std::iter::once(site.as_str())
            .chain(segments(&app.path))
            .collect::<Vec<_>>()
            .join("/");
        match &best {
            _ if score == 0 => {}
            Some((have, p)) if *have == score => tie |= !p.eq_ignore_ascii_case(&path),
            Some((have, _)) if *have > score => {}
            _ => {
                best = Some((score, path));
                tie = false;
            }
        }
    }
    match best {
        Some((_, path)) if !tie => Base::Path(path),
        _ => Base::Unknown,
    }
}

/// Whether a value set in `file`, inside `<location path>` when `location` is given,
/// applies to the target, and where it is set.
pub fn applies(
    config: &ConfigSummary,
    target: &Target,
    file: &str,
    location: Option<&str>,
) -> Option<Scope> {
    let location = location.unwrap_or_default();
    let (full, level) = match base(config, file) {
        Base::Server => (location.to_string(), 0),
        Base::Path(path) => (format!("{path}/{location}"), segments(&path).len()),
        Base::Unknown => {
            let at = segments(location);
            let text = match at.is_empty() {
                true => "a web.config whose site and application its path does not tell: \
                         taken to apply"
                    .to_string(),
                false => format!(
                    "location '{}' of a web.config whose site and application its path does \
                     not tell: taken to apply",
                    at.join("/")
                ),
            };
            return Some(Scope {
                level: 1,
                depth: 1 + at.len(),
                text: Some(text),
            });
        }
    };
    let at = segments(&full);
    let Some((site, below)) = at.split_first() else {
        return Some(Scope {
            level,
            depth: 0,
            text: None,
        });
    };
    if !target.has_site(site) || !(below.is_empty() || target.has_url_under(below)) {
        return None;
    }
    let path = at.join("/");
    let text = match (level > 0 && segments(location).is_empty(), below) {
        (false, _) => format!("location '{path}'"),
        (true, []) => format!("site '{path}' (its web.config)"),
        (true, _) => format!("application '{path}' (its web.config)"),
    };
    Some(Scope {
        level,
        depth: 1 + below.len(),
        text: Some(text),
    })
}

/// Of the values that apply, the one in force for each of the target's sites: the one of the
/// lowest file, the deepest `<location>` in it (IIS merges parent to child), the later by
/// file and line among equals. `location` gives a value's `<location path>`.
pub fn in_force<'a, T>(
    config: &ConfigSummary,
    target: &Target,
    values: impl IntoIterator<Item = &'a Sourced<T>> + Clone,
    location: impl Fn(&T) -> Option<&str>,
) -> Vec<(&'a Sourced<T>, Scope)>
where
    T: 'a,
{
    let mut out: Vec<(&'a Sourced<T>, Scope)> = Vec::new();
    for (_, winner) in per_site(config, target, values, location) {
        if let Some((v, scope)) = winner
            && !out.iter().any(|(have, _)| std::ptr::eq(*have, v))
        {
            out.push((v, scope));
        }
    }
    out
}

/// A site's first name and the value in force there.
pub type SiteValue<'a, T> = (Option<String>, Option<(&'a Sourced<T>, Scope)>);

/// [`in_force`] site by site: each site's first name (`None` when the target names no site)
/// and the value in force there, if any.
pub fn per_site<'a, T>(
    config: &ConfigSummary,
    target: &Target,
    values: impl IntoIterator<Item = &'a Sourced<T>> + Clone,
    location: impl Fn(&T) -> Option<&str>,
) -> Vec<SiteValue<'a, T>>
where
    T: 'a,
{
    let targets: Vec<Target> = match target.sites.len() {
        0 => vec![target.clone()],
        n => (0..n).map(|i| target.site(i)).collect(),
    };
    targets
        .iter()
        .map(|t| {
            let winner = values
                .clone()
                .into_iter()
                .filter_map(|v| Some((v, applies(config, t, &v.file, location(&v.item))?)))
                .max_by_key(|(_, scope)| (scope.level, scope.depth));
            let name = t.sites.first().and_then(|names| names.first()).cloned();
            (name, winner)
        })
        .collect()
}

#[cfg(test)]
mod tests;
