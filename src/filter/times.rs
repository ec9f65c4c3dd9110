//! `--since`, `--until` and the durations of `--min-time-taken` and `--bucket`: times and
//! spans as people write them, read once into milliseconds.

use chrono::{DateTime, Local, NaiveDate, NaiveDateTime, TimeZone, Utc};

use crate::error::{Error, Result};
use crate::time::{Millis, Zone};

pub(super) const DAY_MS: i64 = 86_400_000;

/// A `--since` or `--until` value before the newest record is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeBound {
    /// A point in time.
    At(Millis),
    /// A span back from the newest record (`2h`).
    Back(Millis),
}

const TIME_FORMS: &str = "expected a date (2026-11-18), a date and time (2026-11-18 09:00, 2026-11-18T09:00:00Z, 2026-11-18T10:00:00+01:00) or a span back from the newest record (30m, 2h, 3d, 1w)";

/// Reads a `--since` / `--until` value. Times without a zone are UTC, or the machine's zone
/// with `zone` local. A date alone is the start of that day for `--since` and its end for
/// `--until`, so `--since 2026-11-18 --until 2026-11-18` is that whole day.
pub fn parse_time_bound(
    flag: &'static str,
    value: &str,
    zone: Zone,
    end_of_day: bool,
) -> Result<TimeBound> {
    let bad = || Error::BadOption {
        flag,
        value: value.to_string(),
        reason: TIME_FORMS.to_string(),
    };
    let v = value.trim();
    if let Some(ms) = parse_span(v) {
        return if ms > 0 {
            Ok(TimeBound::Back(ms))
        } else {
            Err(bad())
        };
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(v) {
        return Ok(TimeBound::At(dt.timestamp_millis()));
    }
    if let Ok(day) = NaiveDate::parse_from_str(v, "%Y-%m-%d") {
        let start = day.and_hms_opt(0, 0, 0).ok_or_else(bad)?;
        let t = naive_to_millis(start, zone).ok_or_else(bad)?;
        return Ok(TimeBound::At(if end_of_day { t + DAY_MS } else { t }));
    }
    for format in [
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(dt) = NaiveDateTime::parse_from_str(v, format) {
            return naive_to_millis(dt, zone).map(TimeBound::At).ok_or_else(bad);
        }
    }
    Err(bad())
}

fn naive_to_millis(dt: NaiveDateTime, zone: Zone) -> Option<Millis> {
    match zone {
        Zone::Utc => Some(Utc.from_utc_datetime(&dt).timestamp_millis()),
        // What TZ names is read only when it is a sane zone file (TZ=/dev/zero reads without
        // end); otherwise the time is UTC, as every other time of the run then is.
        Zone::Local if crate::time::local_zone_problem().is_some() => {
            Some(Utc.from_utc_datetime(&dt).timestamp_millis())
        }
        // In a daylight-saving gap or overlap, the earliest meaning of the wall-clock time.
        Zone::Local => Local
            .from_local_datetime(&dt)
            .earliest()
            .map(|t| t.timestamp_millis()),
    }
}

/// `90s`, `30m`, `2h`, `1.5h`, `3d`, `1w` as milliseconds.
fn parse_span(v: &str) -> Option<Millis> {
    let split = v.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
    let (number, unit) = v.split_at(split);
    let number: f64 = number.parse().ok()?;
    let unit_ms = match unit.trim().to_ascii_lowercase().as_str() {
        "s" | "sec" => 1_000.0,
        "m" | "min" => 60_000.0,
        "h" => 3_600_000.0,
        "d" => DAY_MS as f64,
        "w" => 7.0 * DAY_MS as f64,
        _ => return None,
    };
    let ms = number * unit_ms;
    (ms.is_finite() && ms < 1e15).then_some(ms as Millis)
}

/// `--min-time-taken`: `5s`, `1.5s`, `500ms`, `2m`, or a number of milliseconds.
pub fn parse_duration_ms(flag: &'static str, value: &str) -> Result<u64> {
    let bad = || Error::BadOption {
        flag,
        value: value.to_string(),
        reason: "expected a duration: 500ms, 5s, 1.5s, 2m, or a number of milliseconds".into(),
    };
    let v = value.trim();
    if let Ok(ms) = v.parse::<u64>() {
        return Ok(ms);
    }
    if let Some(ms) = v
        .strip_suffix("ms")
        .and_then(|n| n.trim().parse::<u64>().ok())
    {
        return Ok(ms);
    }
    match parse_span(v) {
        Some(ms) if ms >= 0 => Ok(ms as u64),
        _ => Err(bad()),
    }
}
