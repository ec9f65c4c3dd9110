//! Windows event logs: `.evtx` files and Event XML (Event Viewer's "Save as XML" with an
//! `<Events>` root, `wevtutil qe /f:xml` with bare `<Event>` elements, Azure App Service's
//! `LogFiles/eventlog.xml`), read into one [`Event`] per record.
//!
//! An export carries the System part (provider, id, time, computer) and the insertion strings
//! in `EventData`, but not the message text, which lives in DLLs on the server; the knowledge
//! base says what each event that matters means. Both forms land in the same [`Event`], so
//! everything after this reader treats them alike.

mod evtx;
mod xml;

use serde::{Deserialize, Serialize};

use crate::time::Millis;

pub use evtx::{CHUNK_SIZE, FILE_HEADER_SIZE, MAGIC, read_evtx};
pub use xml::{MAX_DEPTH, read_xml};

/// Longest value kept from one data item (bytes): ANCM's captured stdout (event 1018) and
/// .NET Runtime stacks (1026) run to kilobytes; the first lines say what failed.
pub const MAX_VALUE: usize = 8 * 1024;
/// Most data items kept from one event.
pub const MAX_DATA: usize = 32;

/// One Windows event, as an export holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// `System/Provider/@Name` (`Microsoft-Windows-WAS`, `IIS AspNetCore Module V2`).
    pub provider: String,
    /// `System/Provider/@EventSourceName` when present (`WAS` for `Microsoft-Windows-WAS`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// `System/EventID`, without its `Qualifiers`.
    pub id: u32,
    /// `System/Level`: 1 critical, 2 error, 3 warning, 4 information.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<u8>,
    /// `System/TimeCreated/@SystemTime` (UTC), or `None` when it is missing or unreadable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<Millis>,
    /// `System/EventRecordID`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record: Option<u64>,
    /// `System/Channel` (`Application`, `System`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    /// `System/Computer`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub computer: Option<String>,
    /// `System/Execution/@ProcessID` when not 0: the process that wrote the event, which
    /// for ANCM and .NET Runtime events is the worker process itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub process_id: Option<u32>,
    /// The insertion strings in order: `EventData/Data` (named or not), or the leaf elements
    /// of `UserData`, each cut at [`MAX_VALUE`] bytes; at most [`MAX_DATA`] of them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub data: Vec<Datum>,
    /// `EventData/Binary` as the hex digits the export holds (WAS puts an error number here).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub binary: Option<String>,
}

/// One insertion string.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Datum {
    /// `Data/@Name`, or the element name inside `UserData`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub value: String,
}

impl Event {
    /// An error event of `provider` with the id, time and insertion strings given (an empty
    /// name for an unnamed item), written on `computer`: what the tests of the joins build.
    #[cfg(test)]
    pub fn fixture(
        computer: &str,
        provider: &str,
        id: u32,
        at: Millis,
        data: &[(&str, &str)],
    ) -> Event {
        Event {
            provider: provider.into(),
            source: None,
            id,
            level: Some(2),
            time: Some(at),
            record: None,
            channel: None,
            computer: Some(computer.into()),
            process_id: None,
            data: data
                .iter()
                .map(|(n, v)| Datum {
                    name: (!n.is_empty()).then(|| n.to_string()),
                    value: v.to_string(),
                })
                .collect(),
            binary: None,
        }
    }

    /// The value of the data item named `name` (case-insensitive).
    pub fn named(&self, name: &str) -> Option<&str> {
        self.data
            .iter()
            .find(|d| {
                d.name
                    .as_deref()
                    .is_some_and(|n| n.eq_ignore_ascii_case(name))
            })
            .map(|d| d.value.as_str())
    }

    /// The `n`th data item (from 0), named or not.
    pub fn nth(&self, n: usize) -> Option<&str> {
        self.data.get(n).map(|d| d.value.as_str())
    }
}

/// A site an event names in its data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SiteRef<'a> {
    /// The site's name, from an IIS configuration path (`MACHINE/WEBROOT/APPHOST/Shop/api`),
    /// or a site folder (`W3SVC3`, as in a log directory a W3SVC-WP event names).
    Name(&'a str),
    /// A `SiteID` data item.
    Id(u32),
}

impl Event {
    /// The site the event's data names, if any: ANCM and W3SVC-WP events name the
    /// application's configuration path, others a site's log folder or its id.
    pub fn site(&self) -> Option<SiteRef<'_>> {
        for d in &self.data {
            let named_id = d.name.as_deref().is_some_and(|n| {
                n.eq_ignore_ascii_case("SiteID") || n.eq_ignore_ascii_case("Site_ID")
            });
            if named_id {
                if let Ok(id) = d.value.trim().parse() {
                    return Some(SiteRef::Id(id));
                }
            }
            if let Some(name) = config_path_site(&d.value).or_else(|| site_folder(&d.value)) {
                return Some(SiteRef::Name(name));
            }
        }
        None
    }
}

/// `Shop` in `... 'MACHINE/WEBROOT/APPHOST/Shop/api' ...` (any case).
fn config_path_site(text: &str) -> Option<&str> {
    const ROOT: &[u8] = b"machine/webroot/apphost/";
    let bytes = text.as_bytes();
    let at = bytes
        .windows(ROOT.len())
        .position(|w| w.eq_ignore_ascii_case(ROOT))?
        + ROOT.len();
    let rest = text.get(at..)?;
    let end = rest
        .find(|c: char| matches!(c, '/' | '\\' | '\'' | '"') || c.is_whitespace())
        .unwrap_or(rest.len());
    rest.get(..end).filter(|s| !s.is_empty())
}

/// `W3SVC3` in `\\?\C:\inetpub\logs\LogFiles\W3SVC3\` (any case), not inside a longer word.
fn site_folder(text: &str) -> Option<&str> {
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(found) = bytes
        .get(from..)?
        .windows(5)
        .position(|w| w.eq_ignore_ascii_case(b"w3svc"))
    {
        let at = from + found;
        let digits = bytes
            .get(at + 5..)?
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        let before = at.checked_sub(1).and_then(|i| bytes.get(i));
        let after = bytes.get(at + 5 + digits);
        let alone = |b: Option<&u8>| b.is_none_or(|b| !b.is_ascii_alphanumeric());
        if digits > 0 && alone(before) && alone(after) {
            return text.get(at..at + 5 + digits);
        }
        from = at + 5;
    }
    None
}

/// The providers whose events are kept one by one for the explanation; events of other
/// providers are only counted. Matched case-insensitively against the provider name and the
/// event source name, and by prefix for the versioned ones (`ASP.NET 4.0.30319.0`).
const KEPT_PROVIDERS: &[&str] = &[
    "Microsoft-Windows-WAS",
    "WAS",
    "Microsoft-Windows-IIS-W3SVC",
    "W3SVC",
    "Microsoft-Windows-IIS-W3SVC-WP",
    "W3SVC-WP",
    "Microsoft-Windows-IIS-APPHOSTSVC",
    "APPHOSTSVC",
    "IIS AspNetCore Module",
    "IIS AspNetCore Module V2",
    "IIS Express AspNetCore Module",
    "IIS Express AspNetCore Module V2",
    "HttpPlatformHandler",
    ".NET Runtime",
    "Application Error",
    "Windows Error Reporting",
    "Microsoft-Windows-HttpEvent",
    "HttpEvent",
];

/// Providers named by prefix: ASP.NET writes its version into the name.
const KEPT_PREFIXES: &[&str] = &["ASP.NET "];

impl Event {
    /// Whether the event comes from a provider that takes part in IIS failures.
    pub fn is_kept(&self) -> bool {
        let kept = |name: &str| {
            KEPT_PROVIDERS.iter().any(|p| p.eq_ignore_ascii_case(name))
                || KEPT_PREFIXES.iter().any(|p| {
                    name.len() > p.len()
                        && name
                            .get(..p.len())
                            .is_some_and(|h| h.eq_ignore_ascii_case(p))
                })
        };
        kept(&self.provider) || self.source.as_deref().is_some_and(kept)
    }
}

#[cfg(test)]
mod tests;
