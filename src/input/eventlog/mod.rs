//! Windows event logs: `.evtx` files and Event XML (Event Viewer's "Save as XML" with an
//! `<Events>` root, `wevtutil qe /f:xml` with bare `<Event>` elements, Azure App Service's
//! `LogFiles/eventlog.xml`), read into one [`Event`] per record.
//!
//! An export carries the System part (provider, id, time, computer) and the insertion strings
//! in `EventData`, but not the message text, which lives in DLLs on the server; the knowledge
//! base says what each event that matters means. Both forms land in the same [`Event`], so
//! everything after this reader treats them alike.

use serde::{Deserialize, Serialize};

use crate::time::Millis;

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
