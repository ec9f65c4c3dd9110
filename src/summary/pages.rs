//! Groups IIS detailed error pages by what failed: `status.substatus.win32` plus the module
//! the page names. A page says what no log line does (the module, the notification, the
//! HRESULT, for a 500.19 the config file and line), so a group of them backs up a W3C log's
//! failure group as evidence, as a group of FREB traces does.
//!
//! Summaries are built per file and merged, possibly on several threads, so every field is
//! either a sum or chosen by a rule that does not depend on the merge order: capped lists
//! keep their smallest entries, and what one page says (error code, config file and line)
//! comes from the page with the smallest path. Pages carry no time, so groups have none.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize, Serializer};

use crate::input::errorpage::ErrorPage;
use crate::summary::capped::Capped;
use crate::triple::Triple;

/// File paths kept per group (the count of all of them is kept too).
pub const MAX_FILES: usize = 10;
/// Requested URLs kept per group.
pub const MAX_URLS: usize = 5;
/// Distinct notification or handler names counted per group; more are ignored.
const MAX_NAMES: usize = 32;

/// Detailed error pages grouped by failure.
#[derive(Debug, Default, Clone, PartialEq, Serialize)]
pub struct PageSummary {
    /// Pages added.
    pub pages: u64,
    #[serde(serialize_with = "groups_in_order")]
    groups: BTreeMap<GroupKey, PageGroup>,
}

/// What pages are grouped by.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
struct GroupKey {
    status: u16,
    substatus: Option<u32>,
    win32: Option<u64>,
    module: Option<String>,
}

/// The config source line a page highlights.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigLine {
    pub number: i64,
    pub text: String,
}

/// Pages that say the same failure.
#[derive(Debug, Default, Clone, PartialEq, Serialize)]
pub struct PageGroup {
    pub status: u16,
    pub substatus: Option<u32>,
    /// The low 16 bits of the error code when it is a `0x8007xxxx` HRESULT.
    pub win32: Option<u64>,
    pub module: Option<String>,
    /// The pipeline stage, most common first.
    pub notification: Option<String>,
    /// The handler, most common first.
    pub handler: Option<String>,
    pub count: u64,
    /// Up to [`MAX_FILES`] paths, sorted.
    pub files: Vec<String>,
    /// Up to [`MAX_URLS`] requested URLs, sorted.
    pub urls: Vec<String>,
    /// The HRESULT of the first page (by path).
    pub error_code: Option<u32>,
    /// The config file of the first page (by path).
    pub config_file: Option<String>,
    /// The failing config source line of the first page (by path).
    pub config_line: Option<ConfigLine>,
    #[serde(skip)]
    notifications: BTreeMap<String, u64>,
    #[serde(skip)]
    handlers: BTreeMap<String, u64>,
    /// The path of the page `error_code`, `config_file` and `config_line` come from.
    #[serde(skip)]
    first_from: Option<String>,
}

impl PageSummary {
    pub fn new() -> PageSummary {
        PageSummary::default()
    }

    /// Counts one page read from `path`.
    pub fn add(&mut self, page: &ErrorPage, path: &str) {
        self.pages = self.pages.saturating_add(1);
        let key = GroupKey {
            status: page.status,
            substatus: page.substatus,
            win32: page.win32(),
            module: page.module.clone().filter(|m| !m.is_empty()),
        };
        let mut one = PageGroup {
            status: key.status,
            substatus: key.substatus,
            win32: key.win32,
            module: key.module.clone(),
            count: 1,
            files: vec![path.to_string()],
            urls: page.requested_url.iter().cloned().collect(),
            error_code: page.error_code,
            config_file: page.config_file.clone(),
            config_line: page.failing_line().map(|l| ConfigLine {
                number: l.number,
                text: l.text.clone(),
            }),
            first_from: Some(path.to_string()),
            ..PageGroup::default()
        };
        if let Some(n) = page.notification.as_ref().filter(|n| !n.is_empty()) {
            one.notifications.insert(n.clone(), 1);
        }
        if let Some(h) = page.handler.as_ref().filter(|h| !h.is_empty()) {
            one.handlers.insert(h.clone(), 1);
        }
        one.settle();
        self.put(key, one);
    }

    /// Adds another summary's counts to this one.
    pub fn merge(&mut self, other: PageSummary) {
        self.pages = self.pages.saturating_add(other.pages);
        for (key, group) in other.groups {
            self.put(key, group);
        }
    }

    fn put(&mut self, key: GroupKey, group: PageGroup) {
        match self.groups.get_mut(&key) {
            Some(existing) => existing.absorb(group),
            None => {
                self.groups.insert(key, group);
            }
        }
    }

    /// Groups, largest first (ties in key order).
    pub fn groups(&self) -> Vec<&PageGroup> {
        let mut groups: Vec<(&GroupKey, &PageGroup)> = self.groups.iter().collect();
        groups.sort_by(|(ka, a), (kb, b)| b.count.cmp(&a.count).then_with(|| ka.cmp(kb)));
        groups.into_iter().map(|(_, g)| g).collect()
    }

    /// Groups that back up a failure seen elsewhere: same status, and same substatus and
    /// win32 where both sides know them ([`Triple::agrees_with`]).
    pub fn evidence_for(
        &self,
        status: u16,
        substatus: Option<u32>,
        win32: Option<u64>,
    ) -> Vec<&PageGroup> {
        let wanted = Triple::new(status, substatus, win32);
        self.groups()
            .into_iter()
            .filter(|g| wanted.agrees_with(&Triple::new(g.status, g.substatus, g.win32)))
            .collect()
    }

    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }
}

/// A page group as `--save-summary` writes it, with the counts behind the "most common"
/// fields.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SavedPageGroup {
    pub status: u16,
    pub substatus: Option<u32>,
    pub win32: Option<u64>,
    pub module: Option<String>,
    pub count: u64,
    /// Capped while read, like the lists of a trace group.
    pub files: Capped<String, MAX_FILES>,
    pub urls: Capped<String, MAX_URLS>,
    pub error_code: Option<u32>,
    pub config_file: Option<String>,
    pub config_line: Option<ConfigLine>,
    pub notifications: BTreeMap<String, u64>,
    pub handlers: BTreeMap<String, u64>,
    pub first_from: Option<String>,
}

/// A page summary as `--save-summary` writes it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SavedPages {
    pub pages: u64,
    pub groups: Vec<SavedPageGroup>,
}

impl PageSummary {
    /// Everything the summary holds, in a form that serialises.
    pub fn save(&self) -> SavedPages {
        SavedPages {
            pages: self.pages,
            groups: self
                .groups
                .values()
                .map(|g| SavedPageGroup {
                    status: g.status,
                    substatus: g.substatus,
                    win32: g.win32,
                    module: g.module.clone(),
                    count: g.count,
                    files: g.files.clone().into(),
                    urls: g.urls.clone().into(),
                    error_code: g.error_code,
                    config_file: g.config_file.clone(),
                    config_line: g.config_line.clone(),
                    notifications: g.notifications.clone(),
                    handlers: g.handlers.clone(),
                    first_from: g.first_from.clone(),
                })
                .collect(),
        }
    }

    /// The summary a saved one describes.
    pub fn restore(saved: SavedPages) -> PageSummary {
        let mut s = PageSummary {
            pages: saved.pages,
            groups: BTreeMap::new(),
        };
        for g in saved.groups {
            let key = GroupKey {
                status: g.status,
                substatus: g.substatus,
                win32: g.win32,
                module: g.module.clone(),
            };
            let mut notifications = BTreeMap::new();
            add_counts(&mut notifications, g.notifications);
            let mut handlers = BTreeMap::new();
            add_counts(&mut handlers, g.handlers);
            let mut group = PageGroup {
                status: g.status,
                substatus: g.substatus,
                win32: g.win32,
                module: g.module,
                count: g.count,
                files: sorted(g.files.kept, MAX_FILES),
                urls: sorted(g.urls.kept, MAX_URLS),
                error_code: g.error_code,
                config_file: g.config_file,
                config_line: g.config_line,
                notifications,
                handlers,
                first_from: g.first_from,
                ..PageGroup::default()
            };
            group.settle();
            s.put(key, group);
        }
        s
    }
}

impl PageGroup {
    /// Folds in a group with the same key.
    fn absorb(&mut self, other: PageGroup) {
        self.count = self.count.saturating_add(other.count);
        self.files = smallest(std::mem::take(&mut self.files), other.files, MAX_FILES);
        self.urls = smallest(std::mem::take(&mut self.urls), other.urls, MAX_URLS);
        add_counts(&mut self.notifications, other.notifications);
        add_counts(&mut self.handlers, other.handlers);
        let other_first = match (&self.first_from, &other.first_from) {
            (_, None) => false,
            (None, Some(_)) => true,
            (Some(mine), Some(theirs)) => theirs < mine,
        };
        if other_first {
            self.error_code = other.error_code;
            self.config_file = other.config_file;
            self.config_line = other.config_line;
            self.first_from = other.first_from;
        }
        self.settle();
    }

    /// Recomputes the "most common" fields from their counts.
    fn settle(&mut self) {
        self.notification = most_common(&self.notifications);
        self.handler = most_common(&self.handlers);
    }
}

/// A list sorted, without repeats, cut to its first `cap` entries.
fn sorted(a: Vec<String>, cap: usize) -> Vec<String> {
    smallest(a, Vec::new(), cap)
}

/// The union of two lists, sorted, without repeats, cut to its first `cap` entries.
fn smallest(mut a: Vec<String>, b: Vec<String>, cap: usize) -> Vec<String> {
    a.extend(b);
    a.sort_unstable();
    a.dedup();
    a.truncate(cap);
    a
}

fn add_counts(into: &mut BTreeMap<String, u64>, from: BTreeMap<String, u64>) {
    for (name, n) in from {
        if let Some(count) = into.get_mut(&name) {
            *count = count.saturating_add(n);
        } else if into.len() < MAX_NAMES {
            into.insert(name, n);
        }
    }
}

/// The name with the highest count; ties go to the first in alphabetical order.
fn most_common(counts: &BTreeMap<String, u64>) -> Option<String> {
    let mut best: Option<(&String, u64)> = None;
    for (name, &n) in counts {
        if best.is_none_or(|(_, top)| n > top) {
            best = Some((name, n));
        }
    }
    best.map(|(name, _)| name.clone())
}

fn groups_in_order<S: Serializer>(
    groups: &BTreeMap<GroupKey, PageGroup>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    let mut sorted: Vec<(&GroupKey, &PageGroup)> = groups.iter().collect();
    sorted.sort_by(|(ka, a), (kb, b)| b.count.cmp(&a.count).then_with(|| ka.cmp(kb)));
    serializer.collect_seq(sorted.into_iter().map(|(_, g)| g))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::errorpage::SourceLine;

    fn page(status: u16, sub: u32, code: Option<u32>, module: &str, url: &str) -> ErrorPage {
        ErrorPage {
            status,
            substatus: Some(sub),
            module: Some(module.to_string()),
            notification: Some("BeginRequest".to_string()),
            handler: Some("Not yet determined".to_string()),
            error_code: code,
            requested_url: Some(url.to_string()),
            config_file: Some(format!("\\\\?\\C:\\sites\\{url}\\web.config")),
            config_source: vec![
                SourceLine {
                    number: 11,
                    text: "<system.webServer>".to_string(),
                    failing: false,
                },
                SourceLine {
                    number: 12,
                    text: "<rewrite>".to_string(),
                    failing: true,
                },
            ],
            ..ErrorPage::default()
        }
    }

    fn sample() -> Vec<(ErrorPage, String)> {
        let mut all = Vec::new();
        for i in 0..14 {
            all.push((
                page(
                    500,
                    19,
                    Some(0x8007_000d),
                    "IIS Web Core",
                    &format!("http://a/{}", 20 - i),
                ),
                format!("DetailedErrors/ErrorPage{:06}.htm", 100 - i),
            ));
        }
        let mut other = page(503, 0, Some(0x8007_045b), "IIS Web Core", "http://b/");
        other.notification = Some("ExecuteRequestHandler".to_string());
        all.push((other, "b/ErrorPage1.htm".to_string()));
        all.push((
            page(404, 0, Some(0x8007_0002), "IIS Web Core", "http://c/"),
            "c/ErrorPage1.htm".to_string(),
        ));
        // No HRESULT of the 0x8007 family: no win32.
        all.push((
            page(
                500,
                0,
                Some(0x8000_4005),
                "ManagedPipelineHandler",
                "http://d/",
            ),
            "d/ErrorPage1.htm".to_string(),
        ));
        all
    }

    fn summed(pages: &[(ErrorPage, String)]) -> PageSummary {
        let mut s = PageSummary::new();
        for (p, path) in pages {
            s.add(p, path);
        }
        s
    }

    #[test]
    fn groups_by_triple_and_module() {
        let s = summed(&sample());
        assert_eq!(s.pages, 17);
        let groups = s.groups();
        assert_eq!(groups.len(), 4);
        let g = groups[0];
        assert_eq!((g.status, g.substatus, g.win32), (500, Some(19), Some(13)));
        assert_eq!(g.count, 14);
        assert_eq!(g.files.len(), MAX_FILES);
        assert_eq!(g.files[0], "DetailedErrors/ErrorPage000087.htm");
        assert_eq!(g.urls.len(), MAX_URLS);
        assert_eq!(g.urls[0], "http://a/10");
        assert_eq!(g.notification.as_deref(), Some("BeginRequest"));
        assert_eq!(g.handler.as_deref(), Some("Not yet determined"));
        // The first page by path names the config file.
        assert_eq!(
            g.config_file.as_deref(),
            Some("\\\\?\\C:\\sites\\http://a/7\\web.config")
        );
        assert_eq!(
            g.config_line,
            Some(ConfigLine {
                number: 12,
                text: "<rewrite>".into()
            })
        );
        let d = groups
            .iter()
            .find(|g| g.status == 500 && g.substatus == Some(0));
        assert_eq!(d.unwrap().win32, None);
    }

    #[test]
    fn merge_order_does_not_change_the_result() {
        let all = sample();
        let whole = summed(&all);
        for split in [1, 5, 13, 16] {
            let (a, b) = all.split_at(split);
            let mut ab = summed(a);
            ab.merge(summed(b));
            let mut ba = summed(b);
            ba.merge(summed(a));
            assert_eq!(ab, whole, "split {split}");
            assert_eq!(ba, whole, "split {split} reversed");
        }
        let mut parts: Vec<PageSummary> = all.chunks(3).map(summed).collect();
        parts.reverse();
        let mut folded = PageSummary::new();
        for p in parts {
            folded.merge(p);
        }
        assert_eq!(folded, whole);
    }

    #[test]
    fn save_and_restore_keep_everything() {
        let whole = summed(&sample());
        let json = serde_json::to_string(&whole.save()).unwrap();
        let saved: SavedPages = serde_json::from_str(&json).unwrap();
        let back = PageSummary::restore(saved);
        assert_eq!(back, whole);
        // A restored summary merges like one built from pages.
        let all = sample();
        let (a, b) = all.split_at(6);
        let mut merged = PageSummary::restore(summed(a).save());
        merged.merge(PageSummary::restore(summed(b).save()));
        assert_eq!(merged, whole);
    }

    #[test]
    fn evidence_matches_on_known_parts() {
        let s = summed(&sample());
        assert_eq!(s.evidence_for(500, Some(19), Some(13)).len(), 1);
        assert_eq!(s.evidence_for(500, Some(19), None).len(), 1);
        assert_eq!(s.evidence_for(500, None, None).len(), 2);
        assert!(s.evidence_for(500, Some(19), Some(5)).is_empty());
        assert!(s.evidence_for(500, Some(21), Some(13)).is_empty());
        assert!(s.evidence_for(502, None, None).is_empty());
        // A page group whose win32 is unknown still backs up a known one.
        assert_eq!(s.evidence_for(500, Some(0), Some(64)).len(), 1);
    }
}
