//! The column layout a `#Fields:` line declares: which position holds each field iisdiag
//! knows by name, where the fields every record parses sit (counted from the nearer end of a
//! line), and the default layouts a header-less file is read with.

use super::fields::{parse_u64, slice, split_plain};
use crate::time;

/// The fields iisdiag knows by name. Others (custom fields) are kept by position only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Date,
    Time,
    Status,
    Substatus,
    Win32,
    TimeTaken,
    UriStem,
    UriQuery,
    Method,
    ClientIp,
    UserAgent,
    Computer,
    SiteName,
    Host,
    ServerIp,
    ServerPort,
    Username,
    Referer,
    Version,
    ForwardedFor,
}

pub(super) const FIELD_COUNT: usize = Field::ForwardedFor as usize + 1;

/// The most fields one `#Fields:` line may declare. IIS writes at most the 21 standard W3C
/// fields plus its custom ones (request and response headers, server variables: a few dozen
/// on the busiest servers seen), Advanced Logging and Azure a few more; 1,024 is twenty times
/// that, and a layout of that many names costs tens of KiB. A line of 1.9 million names (it
/// fits in the 4 MiB a line may have) cost 218 MB per file and thread when every name was kept.
pub const MAX_FIELDS: usize = 1024;

/// The fields every record parses, in the order of [`Key`].
pub(super) const KEY: [Field; 6] = [
    Field::Date,
    Field::Time,
    Field::Status,
    Field::Substatus,
    Field::Win32,
    Field::TimeTaken,
];

/// The raw values of the [`KEY`] fields of a line; `None` where the layout lacks the field or
/// the line holds `-`.
pub(super) type Key<'a> = [Option<&'a [u8]>; KEY.len()];

impl Field {
    /// The field a `#Fields:` name stands for (case-insensitive), if iisdiag knows it.
    fn from_name(name: &str) -> Option<Field> {
        let lower = name.to_ascii_lowercase();
        Some(match lower.as_str() {
            "date" | "date-local" | "date-utc" => Field::Date,
            "time" | "time-local" | "time-utc" => Field::Time,
            "sc-status" => Field::Status,
            "sc-substatus" => Field::Substatus,
            "sc-win32-status" => Field::Win32,
            "time-taken" | "timetakenms" => Field::TimeTaken,
            "cs-uri-stem" | "cs-uri" => Field::UriStem,
            "cs-uri-query" => Field::UriQuery,
            "cs-method" => Field::Method,
            "c-ip" => Field::ClientIp,
            "cs(user-agent)" | "user-agent" => Field::UserAgent,
            "s-computername" => Field::Computer,
            "s-sitename" => Field::SiteName,
            "cs-host" | "cs(host)" => Field::Host,
            "s-ip" => Field::ServerIp,
            "s-port" => Field::ServerPort,
            "cs-username" => Field::Username,
            "cs(referer)" => Field::Referer,
            "cs-version" => Field::Version,
            "x-forwarded-for" | "cs(x-forwarded-for)" => Field::ForwardedFor,
            _ => return None,
        })
    }
}

/// The column layout declared by one `#Fields:` line.
#[derive(Debug, Clone, Default)]
pub struct Layout {
    pub(super) names: Vec<String>,
    pub(super) pos: [Option<u16>; FIELD_COUNT],
    /// How many fields at the front and at the back of a line hold every field a record
    /// always parses ([`KEY`]), and where each of those is: `Ok(i)` the i-th field from the
    /// front, `Err(j)` the j-th from the back (0 is the last field).
    pub(super) edges: (usize, usize),
    pub(super) key_at: [Option<Result<usize, usize>>; KEY.len()],
    /// Times are the server's local time (`date-local`, Advanced Logging), not UTC.
    pub local_time: bool,
    /// The line declared more than [`MAX_FIELDS`] names (this many): only the first are
    /// kept, and no line is read with the layout.
    pub(super) too_many: Option<usize>,
}

impl Layout {
    /// Reads the value of a `#Fields:` directive. Names are separated by runs of white space.
    /// Past [`MAX_FIELDS`] names are counted, not kept (see [`Layout::too_many`]).
    pub fn parse(value: &[u8]) -> Layout {
        let mut layout = Layout::default();
        let mut count = 0usize;
        for name in value
            .split(|b| b.is_ascii_whitespace())
            .filter(|n| !n.is_empty())
        {
            count += 1;
            if count > MAX_FIELDS {
                continue;
            }
            let name = String::from_utf8_lossy(name).into_owned();
            if name.to_ascii_lowercase().ends_with("-local") {
                layout.local_time = true;
            }
            if let Some(f) = Field::from_name(&name) {
                let slot = &mut layout.pos[f as usize];
                if slot.is_none() {
                    *slot = u16::try_from(layout.names.len()).ok();
                }
            }
            layout.names.push(name);
        }
        if count > MAX_FIELDS {
            layout.too_many = Some(count);
        }
        let n = layout.names.len();
        for (k, f) in KEY.iter().enumerate() {
            if let Some(p) = layout.pos[*f as usize].map(usize::from) {
                if p * 2 < n {
                    layout.edges.0 = layout.edges.0.max(p + 1);
                    layout.key_at[k] = Some(Ok(p));
                } else {
                    layout.edges.1 = layout.edges.1.max(n - p);
                    layout.key_at[k] = Some(Err(n - 1 - p));
                }
            }
        }
        layout
    }

    /// How many fields a line of this layout has.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// How many names the `#Fields:` line declared, when that is more than [`MAX_FIELDS`].
    pub fn too_many(&self) -> Option<usize> {
        self.too_many
    }

    pub fn has(&self, f: Field) -> bool {
        self.pos[f as usize].is_some()
    }

    /// The field names as the header wrote them.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The layouts IIS writes by default, tried in this order on a file with no `#Fields:`
    /// line (log shippers and copy-pastes often strip the header).
    pub fn presets() -> &'static [(&'static str, &'static str)] {
        &[
            (
                "the IIS default fields",
                "date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken",
            ),
            (
                "the IIS default fields with cs-host",
                "date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) cs-host sc-status sc-substatus sc-win32-status time-taken",
            ),
            (
                "the IIS default fields with byte counts",
                "date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status sc-bytes cs-bytes time-taken",
            ),
            (
                "the IIS 7 fields with s-sitename and byte counts",
                "date time s-sitename s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) sc-status sc-substatus sc-win32-status sc-bytes cs-bytes time-taken",
            ),
            (
                "the Azure App Service fields",
                "date time s-sitename cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Cookie) cs(Referer) cs-host sc-status sc-substatus sc-win32-status sc-bytes cs-bytes time-taken",
            ),
            (
                "all IIS fields",
                "date time s-sitename s-computername s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs-version cs(User-Agent) cs(Cookie) cs(Referer) cs-host sc-status sc-substatus sc-win32-status sc-bytes cs-bytes time-taken",
            ),
        ]
    }

    /// The default layout a header-less data line fits, with its description.
    pub fn infer(line: &[u8]) -> Option<(&'static Layout, &'static str)> {
        Layout::infer_split(line, &mut Vec::new())
    }

    /// `infer`, splitting the line into `spans` (a buffer the caller reuses), which hold the
    /// line's fields afterwards.
    pub(super) fn infer_split(
        line: &[u8],
        spans: &mut Vec<(u32, u32)>,
    ) -> Option<(&'static Layout, &'static str)> {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        split_plain(line, spans);
        standard_layouts().iter().find_map(|(layout, name)| {
            (spans.len() == layout.len() && layout.validates(line, spans))
                .then_some((layout, *name))
        })
    }

    /// Whether a line split into `spans` looks like this layout: date and time parse, the
    /// status is a three-digit code, and the numeric fields are numbers.
    fn validates(&self, line: &[u8], spans: &[(u32, u32)]) -> bool {
        let get = |f: Field| self.pos[f as usize].map(|i| slice(line, spans[usize::from(i)]));
        let numeric = |f: Field| get(f).is_none_or(|v| v == b"-" || parse_u64(v).is_some());
        get(Field::Date).is_some_and(|d| time::parse_date(d).is_some())
            && get(Field::Time).is_some_and(|t| time::parse_time(t).is_some())
            && get(Field::Status).is_some_and(|s| s.len() == 3 && parse_u64(s).is_some())
            && numeric(Field::Substatus)
            && numeric(Field::Win32)
            && numeric(Field::TimeTaken)
            && numeric(Field::ServerPort)
    }
}

/// The standard layouts, parsed once: lines that fit no declared layout are tried against
/// them, and that must not cost a parse per line.
fn standard_layouts() -> &'static [(Layout, &'static str)] {
    static PARSED: std::sync::OnceLock<Vec<(Layout, &'static str)>> = std::sync::OnceLock::new();
    PARSED.get_or_init(|| {
        Layout::presets()
            .iter()
            .map(|(name, fields)| (Layout::parse(fields.as_bytes()), *name))
            .collect()
    })
}
