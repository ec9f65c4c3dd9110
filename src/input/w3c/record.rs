//! One W3C record: the line's key fields parsed (time, status triple, time-taken) and the
//! others read on demand from where the line holds them.

use super::context::Facts;
use super::fields::{Fields, parse_u64};
use super::layout::{Field, KEY, Key, Layout};
use super::reader::{Reason, TimeCache};
use crate::time::{self, Millis};
use crate::triple::Triple;

/// One log line, parsed as far as grouping needs; other fields are read on demand.
pub struct Record<'a> {
    line_bytes: &'a [u8],
    fields: Fields<'a>,
    layout: &'a Layout,
    /// 1-based line number in the file (in a part of a file read in parallel, in the part:
    /// see [`crate::input::split`]).
    pub line: u64,
    /// `None` when the layout has no `sc-status` or the line holds `-` there.
    pub triple: Option<Triple>,
    pub time: Option<Millis>,
    pub time_taken_ms: Option<u64>,
}

impl<'a> Record<'a> {
    /// A field's raw bytes; `None` when the layout lacks it or the line holds `-`.
    pub fn get(&self, f: Field) -> Option<&'a [u8]> {
        let i = self.layout.pos[f as usize]?;
        let v = self.fields.nth(self.line_bytes, usize::from(i))?;
        (v != b"-").then_some(v)
    }

    /// A field by its `#Fields:` name (custom fields included), case-insensitively.
    pub fn get_named(&self, name: &str) -> Option<&'a [u8]> {
        let i = self
            .layout
            .names
            .iter()
            .position(|n| n.eq_ignore_ascii_case(name))?;
        let v = self.fields.nth(self.line_bytes, i)?;
        (v != b"-").then_some(v)
    }

    pub fn layout(&self) -> &'a Layout {
        self.layout
    }

    /// A record of another format that shares the W3C field model (IIS native logs).
    pub(crate) fn from_parts(
        line_bytes: &'a [u8],
        spans: &'a [(u32, u32)],
        layout: &'a Layout,
        line: u64,
        triple: Option<Triple>,
        time: Option<Millis>,
        time_taken_ms: Option<u64>,
    ) -> Record<'a> {
        Record {
            line_bytes,
            fields: Fields::Spans(spans),
            layout,
            line,
            triple,
            time,
            time_taken_ms,
        }
    }
}

/// The [`super::layout::KEY`] fields of a line split into `fields`.
pub(super) fn key_of<'s>(line: &'s [u8], fields: Fields<'s>, layout: &Layout) -> Key<'s> {
    KEY.map(|f| {
        layout.pos[f as usize]
            .and_then(|i| fields.nth(line, usize::from(i)))
            .filter(|v| *v != b"-")
    })
}

/// Makes the record of a line whose fields are known against `layout`, parsing its key.
#[allow(clippy::too_many_arguments)]
pub(super) fn record<'s>(
    line: &'s [u8],
    fields: Fields<'s>,
    [date, time, status, substatus, win32, taken]: Key<'s>,
    layout: &'s Layout,
    line_no: u64,
    header_day: Option<i64>,
    cache: &mut TimeCache,
    facts: &mut Facts,
) -> Result<Record<'s>, Reason> {
    let number = |v: Option<&[u8]>, what: &str| -> Result<Option<u64>, Reason> {
        match v {
            None => Ok(None),
            Some(v) => parse_u64(v).map(Some).ok_or_else(|| {
                Reason::Text(format!(
                    "{what} is `{}`, not a number",
                    String::from_utf8_lossy(v)
                ))
            }),
        }
    };
    let status = number(status, "sc-status")?;
    let substatus = number(substatus, "sc-substatus")?;
    let win32 = number(win32, "sc-win32-status")?;
    let time_taken_ms = number(taken, "time-taken")?;
    // A status outside 100..=999 or a win32 past 32 bits is no code IIS writes: the line is
    // damaged, and grouping it would make a code no knowledge base entry can hold.
    let triple = match status {
        Some(s) => {
            Some(Triple::checked(s, substatus, win32).map_err(|e| Reason::Text(e.to_string()))?)
        }
        None => None,
    };
    let day = match date {
        Some(d) => Some(cache.day(d).ok_or_else(|| {
            Reason::Text(format!(
                "date is `{}`, not YYYY-MM-DD",
                String::from_utf8_lossy(d)
            ))
        })?),
        None => header_day,
    };
    let ms = match time {
        Some(t) => Some(cache.time(t).ok_or_else(|| {
            Reason::Text(format!(
                "time is `{}`, not HH:MM:SS",
                String::from_utf8_lossy(t)
            ))
        })?),
        None => None,
    };
    let at = day.map(|d| time::at(d, ms.unwrap_or(0)));
    if !layout.has(Field::Status) {
        facts.no_status = true;
    }
    facts.records += 1;
    Ok(Record {
        line_bytes: line,
        fields,
        layout,
        line: line_no,
        triple,
        time: at,
        time_taken_ms,
    })
}
