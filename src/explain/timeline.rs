//! `--timeline`: failures per time bucket for the top groups (and the top HTTP.sys faults),
//! with the peak bucket and the burst around it named in words, so "502.3 at 10:42-10:47 on
//! web01" is read, not worked out.
//!
//! The number of buckets is capped ([`MAX_BUCKETS`]): a timeline allocates by the buckets it
//! draws, and the span comes from the logs, so a `--bucket 1m` over years (a forged line, a
//! tampered summary) would otherwise ask for gigabytes. A bucket that would pass the cap is
//! widened, and the timeline says so.

use serde::Serialize;

use crate::kb::Kb;
use crate::summary::Collected;
use crate::summary::w3c::Group;
use crate::time::{self, Millis, Zone};

use super::{BuildOptions, GroupReport};

/// Most series a timeline draws.
pub const MAX_SERIES: usize = 8;
/// The automatic bucket keeps the timeline at or under this many buckets.
const TARGET_BUCKETS: i64 = 60;
/// Most buckets a timeline has, whatever `--bucket` asks: a week of 1-minute buckets is
/// 10,080, a year of 1-hour buckets 8,760; each series costs 8 bytes a bucket.
pub const MAX_BUCKETS: i64 = 10_000;
/// Bucket sizes the automatic choice picks from, in minutes.
const NICE_MINUTES: [i64; 12] = [1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440];
/// A bucket is part of the burst around the peak while it holds at least this share of it.
const BURST_SHARE: u64 = 4;
/// A minute in milliseconds.
pub const MINUTE_MS: Millis = 60_000;

#[derive(Debug, Clone, Serialize)]
pub struct Timeline {
    pub bucket_minutes: i64,
    /// The `--bucket` asked for, when it would have passed [`MAX_BUCKETS`] and was widened
    /// to `bucket_minutes` (absent otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bucket_widened_from: Option<i64>,
    /// Why the bucket is not the one asked for, in words (not in JSON: `bucket_widened_from`).
    #[serde(skip)]
    pub note: Option<String>,
    /// The start of each bucket (RFC 3339, UTC, in JSON).
    #[serde(rename = "buckets", serialize_with = "time::rfc3339::list")]
    pub starts: Vec<Millis>,
    /// W3C requests per bucket (every request counted, grouped or not).
    pub requests: Vec<u64>,
    /// Grouped W3C requests (failures) per bucket.
    pub failures: Vec<u64>,
    pub series: Vec<Series>,
}

/// One group over time.
#[derive(Debug, Clone, Serialize)]
pub struct Series {
    /// `502.3.12002`, or `HTTP.sys 503.AppOffline (OrdersPool)`.
    pub code: String,
    /// `w3c` or `httperr`.
    pub source: &'static str,
    pub total: u64,
    pub counts: Vec<u64>,
    pub peak: Option<Peak>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Peak {
    /// Start and end of the peak bucket.
    #[serde(serialize_with = "time::rfc3339::one")]
    pub from: Millis,
    #[serde(serialize_with = "time::rfc3339::one")]
    pub to: Millis,
    pub count: u64,
    /// The run of buckets around the peak that hold at least a quarter of it.
    #[serde(serialize_with = "time::rfc3339::one")]
    pub burst_from: Millis,
    #[serde(serialize_with = "time::rfc3339::one")]
    pub burst_to: Millis,
    pub burst_count: u64,
    /// Servers in the peak bucket, most first (W3C groups whose logs name a server).
    pub servers: Vec<ServerCount>,
    /// The peak in words.
    pub text: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ServerCount {
    pub server: String,
    pub count: u64,
}

/// The bucket (minutes) that keeps a span at or under [`TARGET_BUCKETS`] buckets.
pub fn auto_bucket(span_minutes: i64) -> i64 {
    bucket_within(span_minutes, 1, TARGET_BUCKETS)
}

/// The smallest bucket of at least `at_least` minutes from the nice sizes (then whole days)
/// that cuts `span_minutes` into at most `most` buckets.
fn bucket_within(span_minutes: i64, at_least: i64, most: i64) -> i64 {
    NICE_MINUTES
        .iter()
        .copied()
        .filter(|b| *b >= at_least)
        .find(|b| ceil_div(span_minutes, *b) <= most)
        .unwrap_or_else(|| {
            let days = ceil_div(span_minutes, 1440 * most)
                .max(ceil_div(at_least, 1440))
                .max(1);
            days.saturating_mul(1440)
        })
}

fn ceil_div(a: i64, b: i64) -> i64 {
    a.saturating_add(b - 1) / b
}

/// Buckets counts per minute (minutes since the epoch) into `n` buckets from `first`.
fn bucketed(
    minutes: impl IntoIterator<Item = (i64, u64)>,
    first: i64,
    bucket: i64,
    n: usize,
) -> Vec<u64> {
    let mut counts = vec![0u64; n];
    for (m, c) in minutes {
        let i = m.saturating_sub(first).div_euclid(bucket);
        if let Some(slot) = usize::try_from(i).ok().and_then(|i| counts.get_mut(i)) {
            *slot = slot.saturating_add(c);
        }
    }
    counts
}

/// Builds the timeline of the top groups; `None` when nothing has a time.
pub fn build(
    collected: &Collected,
    groups: &[GroupReport],
    kb: &Kb,
    bucket: Option<i64>,
    opts: &BuildOptions,
) -> Option<Timeline> {
    let w3c = &collected.w3c;
    let w3c_minutes = w3c.minutes();
    let w3c_series: Vec<(&GroupReport, &Group)> = groups
        .iter()
        .filter(|g| g.source == "w3c" && !g.benign)
        .filter_map(|g| {
            let triple = crate::triple::Triple::new(g.status, g.substatus, g.win32);
            w3c.group(&triple).map(|group| (g, group))
        })
        .take(opts.top.clamp(1, MAX_SERIES))
        .collect();
    let httperr_series: Vec<_> = collected
        .httperr
        .groups()
        .into_iter()
        .filter(|g| g.key.status.is_some() && !super::httperr::is_benign(kb, &g.key.reason))
        .take(2)
        .collect();

    let mut lo = w3c_minutes.first();
    let mut hi = w3c_minutes.last();
    for g in &httperr_series {
        lo = lo
            .into_iter()
            .chain(g.minutes().keys().next().copied())
            .min();
        hi = hi.max(g.minutes().keys().next_back().copied());
    }
    let (lo, hi) = (lo?, hi?);
    // Saturating: minutes from a summary file are whatever it says.
    let span = hi.saturating_sub(lo).saturating_add(1);
    let asked = bucket.map(|b| b.max(1));
    let mut bucket = asked.unwrap_or_else(|| auto_bucket(span));
    // A bucket edge can add one more bucket than the span divides into.
    if ceil_div(span, bucket).saturating_add(1) > MAX_BUCKETS {
        bucket = bucket_within(span, bucket, MAX_BUCKETS - 1);
    }
    let widened = asked.filter(|&a| a != bucket);
    let note = widened.map(|a| {
        format!(
            "the timeline uses {} buckets, not the {} asked for: the logs span {}, and a timeline has at most {} buckets",
            bucket_words(bucket),
            bucket_words(a),
            span_text(span),
            MAX_BUCKETS
        )
    });
    let first = lo.div_euclid(bucket).saturating_mul(bucket);
    let n = usize::try_from(hi.saturating_sub(first) / bucket + 1).ok()?;
    let starts: Vec<Millis> = (0..n as i64)
        .map(|i| first.saturating_add(i * bucket).saturating_mul(MINUTE_MS))
        .collect();

    let requests = bucketed(
        w3c_minutes.iter().map(|(m, c)| (m, c.requests)),
        first,
        bucket,
        n,
    );
    let failures = bucketed(
        w3c_minutes.iter().map(|(m, c)| (m, c.failures)),
        first,
        bucket,
        n,
    );
    let zone = opts.zone;
    let mut series = Vec::new();
    for (report, group) in w3c_series {
        let counts = bucketed(group.minutes(), first, bucket, n);
        let servers = |from: Millis, to: Millis| -> Vec<ServerCount> {
            let (a, b) = (from / MINUTE_MS, to / MINUTE_MS);
            let mut v: Vec<ServerCount> = group
                .server_minutes()
                .filter(|(s, _)| !s.is_empty())
                .map(|(s, m)| ServerCount {
                    server: s.to_string(),
                    count: m.range(a..b).fold(0, |sum, (_, n)| sum.saturating_add(*n)),
                })
                .filter(|c| c.count > 0)
                .collect();
            v.sort_by(|x, y| y.count.cmp(&x.count).then_with(|| x.server.cmp(&y.server)));
            v
        };
        series.push(make_series(
            report.code.clone(),
            "w3c",
            counts,
            &starts,
            bucket,
            zone,
            servers,
        ));
    }
    for g in httperr_series {
        let counts = bucketed(g.minutes().iter().map(|(&m, &n)| (m, n)), first, bucket, n);
        let pool = if g.key.queue == "-" {
            String::new()
        } else {
            format!(" ({})", g.key.queue)
        };
        series.push(make_series(
            format!("HTTP.sys {}{pool}", g.key.code()),
            "httperr",
            counts,
            &starts,
            bucket,
            zone,
            |_, _| Vec::new(),
        ));
    }
    Some(Timeline {
        bucket_minutes: bucket,
        bucket_widened_from: widened,
        note,
        starts,
        requests,
        failures,
        series,
    })
}

/// `3 days`, `5 hours`, `40 minutes`: a span of minutes, in its largest whole unit.
fn span_text(minutes: i64) -> String {
    let (n, unit) = if minutes >= 2 * 1440 {
        (minutes / 1440, "days")
    } else if minutes >= 120 {
        (minutes / 60, "hours")
    } else {
        (minutes, "minutes")
    };
    format!("{n} {unit}")
}

/// `5-minute`, `1-hour`, `2-day`: a bucket's length as people say it.
pub fn bucket_words(minutes: i64) -> String {
    if minutes % 1440 == 0 {
        format!("{}-day", minutes / 1440)
    } else if minutes % 60 == 0 {
        format!("{}-hour", minutes / 60)
    } else {
        format!("{minutes}-minute")
    }
}

fn make_series(
    code: String,
    source: &'static str,
    counts: Vec<u64>,
    starts: &[Millis],
    bucket: i64,
    zone: Zone,
    servers: impl Fn(Millis, Millis) -> Vec<ServerCount>,
) -> Series {
    let total: u64 = counts.iter().fold(0, |sum, c| sum.saturating_add(*c));
    let peak = peak_of(&counts).map(|(i, lo, hi)| {
        let end = |j: usize| starts[j].saturating_add(bucket * MINUTE_MS);
        let burst_count: u64 = counts[lo..=hi]
            .iter()
            .fold(0, |sum, c| sum.saturating_add(*c));
        let in_peak = servers(starts[i], end(i));
        let mut text = format!(
            "{code}: peak {} {}: {} of {total}",
            span_words(starts[i], end(i), bucket, zone),
            zone.label(Some(starts[i])),
            counts[i]
        );
        match in_peak.as_slice() {
            [] => {}
            [one] => text.push_str(&format!(", all on {}", one.server)),
            many => {
                let named: Vec<String> = many
                    .iter()
                    .take(3)
                    .map(|c| format!("{} {}", c.server, c.count))
                    .collect();
                let more = if many.len() > 3 { ", ..." } else { "" };
                text.push_str(&format!(" ({}{more})", named.join(", ")));
            }
        }
        if hi > lo {
            text.push_str(&format!(
                "; burst {}: {burst_count} of {total} ({:.0}%)",
                span_words(starts[lo], end(hi), bucket, zone),
                burst_count as f64 * 100.0 / total.max(1) as f64
            ));
        }
        Peak {
            from: starts[i],
            to: end(i),
            count: counts[i],
            burst_from: starts[lo],
            burst_to: end(hi),
            burst_count,
            servers: in_peak,
            text,
        }
    });
    Series {
        code,
        source,
        total,
        counts,
        peak,
    }
}

/// The peak bucket (the earliest of equals) and the run around it that holds at least a
/// quarter of the peak: (peak, first, last).
fn peak_of(counts: &[u64]) -> Option<(usize, usize, usize)> {
    let (i, &top) = counts
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(&a.0)))?;
    if top == 0 {
        return None;
    }
    let strong = |c: u64| c > 0 && c.saturating_mul(BURST_SHARE) >= top;
    let mut lo = i;
    while lo > 0 && strong(counts[lo - 1]) {
        lo -= 1;
    }
    let mut hi = i;
    while hi + 1 < counts.len() && strong(counts[hi + 1]) {
        hi += 1;
    }
    Some((i, lo, hi))
}

/// `10:45-10:50`, `2026-11-18 10:45-11:45`, or days for day buckets.
fn span_words(from: Millis, to: Millis, bucket: i64, zone: Zone) -> String {
    let a = zone.short(from);
    let b = zone.short(to);
    if bucket >= 1440 {
        let last_day = zone.short(to - 1);
        return if a[..10] == last_day[..10] {
            a[..10].to_string()
        } else {
            format!("{} to {}", &a[..10], &last_day[..10])
        };
    }
    if a[..10] == b[..10] || b[11..16] == *"00:00" && to - from <= 86_400_000 {
        format!("{} {}-{}", &a[..10], &a[11..16], &b[11..16])
    } else {
        format!("{} to {}", &a[..16], &b[..16])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn automatic_bucket_keeps_sixty_or_fewer() {
        for (span, want) in [
            (1, 1),
            (60, 1),
            (61, 2),
            (181, 5),
            (300, 5),
            (301, 10),
            (24 * 60, 30),
            (7 * 1440, 180),
            (30 * 1440, 720),
            (60 * 1440, 1440),
            (365 * 1440, 7 * 1440),
        ] {
            let got = auto_bucket(span);
            assert_eq!(got, want, "span {span} min");
            assert!(ceil_div(span, got) <= TARGET_BUCKETS);
        }
    }

    #[test]
    fn a_bucket_that_would_pass_the_cap_is_widened() {
        // 111 years of minutes (a line dated 2100 among 1990's) at 1 minute: widened to days.
        let span = 111 * 366 * 1440;
        let b = bucket_within(span, 1, MAX_BUCKETS - 1);
        assert!(ceil_div(span, b) < MAX_BUCKETS, "{b}");
        assert_eq!(b % 1440, 0);
        // A week at 1 minute passes 10,000 by a little: 2 minutes.
        assert_eq!(bucket_within(7 * 1440, 1, MAX_BUCKETS - 1), 2);
        // Never narrower than asked.
        assert_eq!(bucket_within(10, 60, MAX_BUCKETS - 1), 60);
        assert_eq!(bucket_within(10, 2880, MAX_BUCKETS - 1), 2880);
        // Spans no log can have do not overflow.
        assert!(bucket_within(i64::MAX, 1, MAX_BUCKETS - 1) > 0);
    }

    #[test]
    fn bucket_lengths_in_words() {
        for (minutes, words) in [
            (5, "5-minute"),
            (60, "1-hour"),
            (180, "3-hour"),
            (1440, "1-day"),
            (266_400, "185-day"),
            (90, "90-minute"),
        ] {
            assert_eq!(bucket_words(minutes), words);
        }
    }

    #[test]
    fn peak_and_burst() {
        assert_eq!(peak_of(&[0, 0, 0]), None);
        assert_eq!(peak_of(&[0, 3, 10, 8, 1, 0, 9]), Some((2, 1, 3)));
        assert_eq!(peak_of(&[5, 5]), Some((0, 0, 1)), "earliest of equals");
        assert_eq!(peak_of(&[7]), Some((0, 0, 0)));
    }

    #[test]
    fn spans_read_as_clock_times() {
        let t = |s: &str| {
            crate::time::at(
                crate::time::parse_date(&s.as_bytes()[..10]).unwrap(),
                crate::time::parse_time(&s.as_bytes()[11..]).unwrap(),
            )
        };
        let from = t("2026-11-18 10:45:00");
        assert_eq!(
            span_words(from, from + 5 * MINUTE_MS, 5, Zone::Utc),
            "2026-11-18 10:45-10:50"
        );
        let late = t("2026-11-18 23:00:00");
        assert_eq!(
            span_words(late, late + 60 * MINUTE_MS, 60, Zone::Utc),
            "2026-11-18 23:00-00:00"
        );
        assert_eq!(
            span_words(late, late + 120 * MINUTE_MS, 60, Zone::Utc),
            "2026-11-18 23:00 to 2026-11-19 01:00"
        );
        let day = t("2026-11-18 00:00:00");
        assert_eq!(
            span_words(day, day + 86_400_000, 1440, Zone::Utc),
            "2026-11-18"
        );
    }
}
