//! Timestamps as IIS writes them, read without allocating.
//!
//! Log times are kept as milliseconds since the Unix epoch, UTC (W3C and HTTPERR logs are
//! written in UTC). Conversion to a calendar type happens only at the report edge.
//!
//! A date is a day of the calendar (no 2026-02-30, no 2026-02-29) between [`FIRST_YEAR`] and
//! [`LAST_YEAR`]: IIS was first released in 1995, and a log line dated 9999-12-31 (a bit-flipped
//! year, a forged line) is damage, not a time to lay a timeline out over. Readers count a line
//! whose date this refuses as malformed, so such a time is named, never honoured.
//!
//! `--local` asks chrono for the machine's zone, and chrono reads the whole file `TZ` names
//! (`TZ=/etc/zone`, `TZ=:/etc/zone`, or a name under the zoneinfo folders): `TZ=/dev/zero` read
//! without end (15 GB in 10 s). Before the zone is used, what `TZ` names is checked to be a
//! regular file of at most [`MAX_TZ_FILE`] bytes; if it is not, times stay in UTC and the zone's
//! label says why.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use chrono::{DateTime, Local, Utc};

/// Milliseconds since 1970-01-01T00:00:00Z.
pub type Millis = i64;

/// The first year a log date may carry.
pub const FIRST_YEAR: u32 = 1990;
/// The last year a log date may carry.
pub const LAST_YEAR: u32 = 2100;
/// The first millisecond of [`FIRST_YEAR`], the earliest time a record may carry.
pub const EARLIEST: Millis = days_from_civil(FIRST_YEAR as i64, 1, 1) * 86_400_000;
/// The first millisecond after [`LAST_YEAR`]: every record time is before it.
pub const END: Millis = days_from_civil(LAST_YEAR as i64 + 1, 1, 1) * 86_400_000;

/// Whether `t` lies within the years log dates may carry ([`FIRST_YEAR`]..=[`LAST_YEAR`]).
pub fn in_range(t: Millis) -> bool {
    (EARLIEST..END).contains(&t)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
const fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = month as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn digits(bytes: &[u8]) -> Option<u32> {
    if bytes.is_empty() || bytes.len() > 9 {
        return None;
    }
    let mut n = 0u32;
    for &b in bytes {
        if !b.is_ascii_digit() {
            return None;
        }
        n = n * 10 + u32::from(b - b'0');
    }
    Some(n)
}

/// The days of `month` (1..=12) in `year`, by the Gregorian leap-year rule.
fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        _ => 31,
    }
}

/// `YYYY-MM-DD` as days since the epoch: a real day of the calendar, in
/// [`FIRST_YEAR`]..=[`LAST_YEAR`]; anything else is `None` (never shifted into the next month).
pub fn parse_date(date: &[u8]) -> Option<i64> {
    if date.len() != 10 || date[4] != b'-' || date[7] != b'-' {
        return None;
    }
    let year = digits(&date[..4])?;
    let month = digits(&date[5..7])?;
    let day = digits(&date[8..10])?;
    if !(FIRST_YEAR..=LAST_YEAR).contains(&year) || !(1..=12).contains(&month) {
        return None;
    }
    if !(1..=days_in_month(year, month)).contains(&day) {
        return None;
    }
    Some(days_from_civil(i64::from(year), month, day))
}

/// `HH:MM:SS` with an optional fraction (`.363`) as milliseconds since midnight.
pub fn parse_time(time: &[u8]) -> Option<i64> {
    if time.len() < 8 || time[2] != b':' || time[5] != b':' {
        return None;
    }
    let h = digits(&time[..2])?;
    let m = digits(&time[3..5])?;
    let s = seconds(&time[6..8])?;
    if h > 23 || m > 59 {
        return None;
    }
    let mut ms = 0i64;
    if time.len() > 8 {
        if time[8] != b'.' {
            return None;
        }
        let frac = &time[9..];
        let mut scale = 100i64;
        for &b in frac.iter().take(3) {
            if !b.is_ascii_digit() {
                return None;
            }
            ms += i64::from(b - b'0') * scale;
            scale /= 10;
        }
    }
    Some((i64::from(h) * 3600 + i64::from(m) * 60 + s) * 1000 + ms)
}

/// The seconds of a clock time (`SS`, up to 60 for a leap second).
pub fn seconds(two: &[u8]) -> Option<i64> {
    let &[a, b] = two else {
        return None;
    };
    let (a, b) = (a.wrapping_sub(b'0'), b.wrapping_sub(b'0'));
    if a > 9 || b > 9 {
        return None;
    }
    let s = a * 10 + b;
    (s <= 60).then_some(i64::from(s))
}

/// Days since the epoch plus milliseconds in the day.
pub fn at(days: i64, ms_of_day: i64) -> Millis {
    days * 86_400_000 + ms_of_day
}

/// A `#Date:` directive value: `2026-03-27 01:20:07`, anything after it ignored
/// (some writers add `// comments`).
pub fn parse_header_date(value: &[u8]) -> Option<Millis> {
    let value = value.trim_ascii();
    let days = parse_date(value.get(..10)?)?;
    let ms = value.get(11..19).and_then(parse_time).unwrap_or(0);
    Some(at(days, ms))
}

/// The days part of a timestamp.
pub fn day_of(t: Millis) -> i64 {
    t.div_euclid(86_400_000)
}

/// Milliseconds into the day of a timestamp.
pub fn ms_of_day(t: Millis) -> i64 {
    t.rem_euclid(86_400_000)
}

/// A timestamp as a chrono value, for printing.
pub fn to_datetime(t: Millis) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp_millis(t)
}

/// `2026-03-27T01:20:07Z` (milliseconds shown only when present).
pub fn format_rfc3339(t: Millis) -> String {
    match to_datetime(t) {
        Some(dt) if t % 1000 == 0 => dt.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        Some(dt) => dt.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
        None => out_of_range(t),
    }
}

/// `2026-03-27 01:20:07`, the compact form used in tables.
pub fn format_short(t: Millis) -> String {
    match to_datetime(t) {
        Some(dt) => dt.format("%Y-%m-%d %H:%M:%S").to_string(),
        None => out_of_range(t),
    }
}

/// A time past any calendar date (about 262,000 years either side of 1970), which no reader
/// produces: said as such, not printed as a bare integer that reads like a count.
fn out_of_range(t: Millis) -> String {
    format!("(out-of-range time: {t} ms from 1970)")
}

/// Times in machine-readable outputs: RFC 3339, UTC, written by serde at the JSON edge so the
/// values inside a report stay typed (`#[serde(serialize_with = "time::rfc3339::opt")]`).
pub mod rfc3339 {
    use serde::Serializer;

    use super::{Millis, format_rfc3339};

    /// A time.
    pub fn one<S: Serializer>(t: &Millis, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format_rfc3339(*t))
    }

    /// A time, or `null`.
    pub fn opt<S: Serializer>(t: &Option<Millis>, s: S) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => s.serialize_str(&format_rfc3339(*t)),
            None => s.serialize_none(),
        }
    }

    /// A time, or `""` when there is none.
    pub fn or_empty<S: Serializer>(t: &Option<Millis>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&t.map(format_rfc3339).unwrap_or_default())
    }

    /// A list of times.
    pub fn list<S: Serializer>(ts: &[Millis], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(ts.iter().map(|t| format_rfc3339(*t)))
    }
}

/// The largest time zone file `--local` reads. Real TZif files are under 4 KiB.
pub const MAX_TZ_FILE: u64 = 1 << 20;

/// Why the machine's zone cannot be used (what `TZ` names is no time zone file), or `None`.
/// Checked once: the environment does not change under a run.
pub fn local_zone_problem() -> Option<&'static str> {
    static PROBLEM: OnceLock<Option<String>> = OnceLock::new();
    PROBLEM
        // As chrono reads it: a `TZ` that is not UTF-8 counts as unset.
        .get_or_init(|| tz_problem(std::env::var("TZ").ok().as_deref()))
        .as_deref()
}

/// The folders chrono looks a relative `TZ` name up in (as of chrono 0.4.45).
const ZONEINFO: [&str; 4] = [
    "/usr/share/zoneinfo",
    "/share/zoneinfo",
    "/etc/zoneinfo",
    "/usr/share/lib/zoneinfo",
];

/// Whether the files chrono would read for this `TZ` (for none, `/etc/localtime`) are regular
/// files of a sane size. Only `stat` is used: opening a named pipe could block.
fn tz_problem(tz: Option<&str>) -> Option<String> {
    // chrono reads no file on Windows: the zone comes from the system.
    if cfg!(not(unix)) {
        return None;
    }
    let candidates: Vec<PathBuf> = match tz {
        None => vec![PathBuf::from("/etc/localtime")],
        Some(tz) => {
            let name = Path::new(tz.strip_prefix(':').unwrap_or(tz));
            if name.as_os_str().is_empty() {
                return None;
            }
            if name.is_absolute() {
                vec![name.to_path_buf()]
            } else {
                ZONEINFO
                    .iter()
                    .map(|dir| Path::new(dir).join(name))
                    .collect()
            }
        }
    };
    for path in candidates {
        let Ok(meta) = std::fs::metadata(&path) else {
            continue;
        };
        // A folder fails to read as a zone and chrono falls back: harmless.
        let what = if meta.is_dir() {
            continue;
        } else if !meta.is_file() {
            "a device, a pipe or a socket"
        } else if meta.len() > MAX_TZ_FILE {
            "larger than any time zone file"
        } else {
            continue;
        };
        return Some(match tz {
            Some(tz) if Path::new(tz.trim_start_matches(':')).is_absolute() => {
                format!("TZ={tz:?} is {what}, not a time zone file")
            }
            Some(tz) => format!("TZ={tz:?} names {path:?}, {what}, not a time zone file"),
            None => format!("{path:?} is {what}, not a time zone file"),
        });
    }
    None
}

/// The zone times are shown in. Logs are UTC; `--local` shows the machine's zone instead.
/// Machine-readable outputs (JSON, CSV, NDJSON) stay in UTC whatever the zone.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Zone {
    #[default]
    Utc,
    Local,
}

impl Zone {
    /// The zone actually used: UTC for `Local` when the machine's zone cannot be read safely
    /// ([`local_zone_problem`]).
    fn in_use(self) -> Zone {
        match self {
            Zone::Local if local_zone_problem().is_some() => Zone::Utc,
            zone => zone,
        }
    }

    /// `2026-11-18 10:42:03` in this zone.
    pub fn short(self, t: Millis) -> String {
        match self.in_use() {
            Zone::Utc => format_short(t),
            Zone::Local => match to_datetime(t) {
                Some(dt) => dt
                    .with_timezone(&Local)
                    .format("%Y-%m-%d %H:%M:%S")
                    .to_string(),
                None => out_of_range(t),
            },
        }
    }

    /// `10:42` in this zone.
    pub fn clock(self, t: Millis) -> String {
        let short = self.short(t);
        short.get(11..16).map_or(short.clone(), str::to_string)
    }

    /// How the zone is named after a time: `UTC`, or `local time (UTC+01:00)` with the offset
    /// in force at `t`.
    pub fn label(self, t: Option<Millis>) -> String {
        if let (Zone::Local, Some(problem)) = (self, local_zone_problem()) {
            return format!("UTC; --local not used: {problem}");
        }
        match self {
            Zone::Utc => "UTC".to_string(),
            Zone::Local => {
                let offset = t
                    .and_then(to_datetime)
                    .unwrap_or_else(Utc::now)
                    .with_timezone(&Local)
                    .format("%:z")
                    .to_string();
                format!("local time (UTC{offset})")
            }
        }
    }

    /// Re-reads an RFC 3339 time written by iisdiag and shows it in this zone.
    pub fn short_of(self, rfc3339: &str) -> String {
        match DateTime::parse_from_rfc3339(rfc3339) {
            Ok(dt) => self.short(dt.timestamp_millis()),
            Err(_) => rfc3339.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_and_known_dates() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(parse_date(b"2000-03-01"), Some(11_017));
        assert_eq!(
            parse_date(b"2000-02-29"),
            Some(11_016),
            "2000 is a leap year"
        );
        assert_eq!(parse_date(b"2024-02-29"), Some(19_782));
        let t = at(
            parse_date(b"2026-03-27").unwrap(),
            parse_time(b"01:20:07").unwrap(),
        );
        assert_eq!(format_rfc3339(t), "2026-03-27T01:20:07Z");
        assert_eq!(parse_time(b"17:00:00.363"), Some(61_200_363));
    }

    #[test]
    fn seconds_are_two_digits_up_to_a_leap_second() {
        for (text, want) in [
            (&b"00"[..], Some(0)),
            (b"07", Some(7)),
            (b"59", Some(59)),
            (b"60", Some(60)),
            (b"61", None),
            (b"99", None),
            (b"5x", None),
            (b"/0", None),
            (b"0:", None),
            (b"7", None),
            (b"007", None),
            (b"", None),
        ] {
            assert_eq!(seconds(text), want, "{}", String::from_utf8_lossy(text));
        }
    }

    #[test]
    fn rejects_garbage() {
        for bad in [&b"2026-3-27"[..], b"2026-13-01", b"20x6-01-01", b""] {
            assert_eq!(parse_date(bad), None);
        }
        for bad in [&b"1:20:07"[..], b"25:00:00", b"01:20:07x", b"aa:bb:cc"] {
            assert_eq!(parse_time(bad), None);
        }
    }

    #[test]
    fn impossible_dates_are_refused_not_shifted_into_the_next_month() {
        for bad in [
            &b"2026-02-29"[..],
            b"2026-02-30",
            b"2026-02-31",
            b"2100-02-29",
            b"1900-02-29",
            b"2026-04-31",
            b"2026-06-31",
            b"2026-09-31",
            b"2026-11-31",
            b"2026-01-00",
            b"2026-00-10",
        ] {
            assert_eq!(parse_date(bad), None, "{}", String::from_utf8_lossy(bad));
        }
        for good in [
            &b"2026-01-31"[..],
            b"2026-02-28",
            b"2026-12-31",
            b"2028-02-29",
        ] {
            assert!(
                parse_date(good).is_some(),
                "{}",
                String::from_utf8_lossy(good)
            );
        }
    }

    #[test]
    fn dates_outside_1990_to_2100_are_refused() {
        for bad in [
            &b"9999-12-31"[..],
            b"0000-01-01",
            b"1989-12-31",
            b"2101-01-01",
            b"1970-01-01",
        ] {
            assert_eq!(parse_date(bad), None, "{}", String::from_utf8_lossy(bad));
        }
        let first = parse_date(b"1990-01-01").unwrap();
        let last = parse_date(b"2100-12-31").unwrap();
        assert_eq!(at(first, 0), EARLIEST);
        assert_eq!(at(last + 1, 0), END);
        assert!(in_range(EARLIEST) && in_range(END - 1));
        assert!(!in_range(EARLIEST - 1) && !in_range(END) && !in_range(1 << 62));
    }

    #[test]
    fn times_past_the_calendar_say_so_not_a_bare_integer() {
        for t in [1i64 << 62, -(1i64 << 62)] {
            for text in [format_rfc3339(t), format_short(t), Zone::Utc.short(t)] {
                assert_eq!(text, format!("(out-of-range time: {t} ms from 1970)"));
            }
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_tz_naming_a_device_or_a_huge_file_is_not_read() {
        assert_eq!(
            tz_problem(Some("/dev/zero")).as_deref(),
            Some("TZ=\"/dev/zero\" is a device, a pipe or a socket, not a time zone file")
        );
        assert!(tz_problem(Some(":/dev/zero")).is_some());
        // A relative name is looked up under the zoneinfo folders, `..` and all.
        let climb = tz_problem(Some("../../../../../../dev/zero")).unwrap();
        assert!(
            climb.contains("names \"/usr/share/zoneinfo/../../../../../../dev/zero\""),
            "{climb}"
        );
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("big");
        std::fs::File::create(&big)
            .unwrap()
            .set_len(MAX_TZ_FILE + 1)
            .unwrap();
        let big = big.to_str().unwrap();
        assert!(
            tz_problem(Some(big))
                .unwrap()
                .contains("larger than any time zone file")
        );
        let small = dir.path().join("zone");
        std::fs::write(&small, b"TZif").unwrap();
        // Files chrono can read, names it does not find, rules and UTC are no problem.
        for fine in [
            small.to_str().unwrap(),
            "",
            ":",
            "UTC",
            "Europe/Paris",
            "EST5EDT",
            "/no/such/zone",
            "/tmp",
        ] {
            assert_eq!(tz_problem(Some(fine)), None, "{fine}");
        }
    }

    #[test]
    fn header_date_ignores_trailing_comment() {
        let t = parse_header_date(b" 2002-05-02 17:42:15  // when the first entry was recorded")
            .unwrap();
        assert_eq!(format_short(t), "2002-05-02 17:42:15");
    }
}
