//! The writers of `iisdiag watch`: the screen redrawn on a terminal, the line appended when
//! the output is a pipe or a file, and the summary at the end. They lay out what the command
//! gathered and decide nothing; every value from a log (a file name, an HTTP.sys reason or
//! pool, a trace's URL) passes through the terminal guard.

use std::io::{self, Write};

use crate::explain::watch::Said;
use crate::guard;
use crate::input::follow::Counts;
use crate::report::paint::{Paint, Tone};
use crate::summary::window::{GroupRate, Key, Totals, View};
use crate::time::{self, Millis};

/// What IIS's write pattern means for a watch, said while nothing has arrived.
pub const WAITING: &str = "waiting for log lines: IIS writes its log buffer to disk every 60 s or each 64 KB, so lines arrive in bursts and the first can take a minute";

/// Everything one screen or line shows.
pub struct Frame<'a> {
    pub paths: &'a [String],
    pub counts: Counts,
    pub interval_s: f64,
    pub window: u32,
    pub before: u32,
    pub view: &'a View,
    /// The newest record's time, and the clock now (ms since the epoch, UTC).
    pub newest: Option<Millis>,
    pub now: Millis,
    /// The explanation of each group shown, in the order of `view.groups` (at most `top`).
    pub said: &'a [Said],
    /// The index in `view.groups` of the group explained in full.
    pub explained: Option<usize>,
    /// Recent events, oldest first, each already timed: files, traces, conditions.
    pub recent: &'a [String],
    pub width: usize,
    /// Colour for the screen (the lines appended are never coloured).
    pub paint: Paint,
}

/// The group's code as a person reads it: `502.3.12002`, `503 AppOffline OrdersPool`.
pub fn label(key: &Key) -> String {
    match key {
        Key::W3c(t) | Key::Trace(t) => t.to_string(),
        Key::HttpSys {
            status,
            reason,
            queue,
        } => {
            let status = status.map_or("-".to_string(), |s| s.to_string());
            let queue = if &**queue == "-" || queue.is_empty() {
                String::new()
            } else {
                format!(" {}", guard::terminal(queue))
            };
            format!("{status} {}{queue}", guard::terminal(reason))
        }
    }
}

/// Where a group's failures come from.
pub fn source(key: &Key) -> &'static str {
    match key {
        Key::W3c(_) => "W3C",
        Key::Trace(_) => "trace",
        Key::HttpSys { .. } => "HTTP.sys",
    }
}

fn clock(t: Millis) -> String {
    time::to_datetime(t).map_or_else(
        || time::format_short(t),
        |d| d.format("%H:%M:%S").to_string(),
    )
}

fn minute_clock(minute: i64) -> String {
    let t = minute * 60_000;
    time::to_datetime(t).map_or_else(
        || time::format_short(t),
        |d| d.format("%Y-%m-%d %H:%M").to_string(),
    )
}

/// `12 s`, `3 min 5 s`, `2 h 4 min`.
pub fn span(ms: i64) -> String {
    let s = ms.max(0) / 1000;
    match s {
        0..=59 => format!("{s} s"),
        60..=3599 => format!("{} min {} s", s / 60, s % 60),
        _ => format!("{} h {} min", s / 3600, s % 3600 / 60),
    }
}

fn per_minute(rate: Option<f64>) -> String {
    rate.map_or_else(|| "-".to_string(), |r| format!("{r:.1}"))
}

fn files_line(c: Counts) -> String {
    let mut parts = vec![format!("{} W3C", c.w3c), format!("{} HTTP.sys", c.httperr)];
    parts.push(format!("{} trace(s) read", c.traces));
    if c.idle > 0 {
        parts.push(format!("{} older file(s) unchanged", c.idle));
    }
    parts.join(", ")
}

/// The screen: what is followed, the window's traffic, its groups, the top one explained, and
/// the recent events. The caller clears the terminal before it.
pub fn screen(w: &mut dyn Write, f: &Frame<'_>) -> io::Result<()> {
    let v = f.view;
    let paths: Vec<String> = f
        .paths
        .iter()
        .map(|p| guard::terminal(p).into_owned())
        .collect();
    writeln!(
        w,
        "iisdiag watch: every {} s, window {} min against the {} min before",
        f.interval_s, f.window, f.before
    )?;
    let files = files_line(f.counts);
    let room = f.width.saturating_sub(files.chars().count() + 12).max(20);
    writeln!(
        w,
        "following {}: {files}",
        guard::cut(&paths.join(" "), room, "…")
    )?;
    match f.newest {
        None => {
            writeln!(w)?;
            writeln!(w, "{WAITING}.")?;
        }
        Some(newest) => {
            writeln!(
                w,
                "newest record {} UTC ({} old); in the window: {} request(s), {} failure(s), {}/min (before: {})",
                clock(newest),
                span(f.now - newest),
                v.requests,
                v.failures,
                per_minute(Some(v.requests as f64 / v.minutes.max(1) as f64)),
                (v.minutes_before > 0)
                    .then(|| v.requests_before as f64 / v.minutes_before as f64)
                    .map_or_else(|| "-".to_string(), |r| format!("{r:.1}/min")),
            )?;
            writeln!(w)?;
            groups_table(w, f)?;
            explanation(w, f)?;
        }
    }
    if !f.recent.is_empty() {
        writeln!(w)?;
        writeln!(w, "recent:")?;
        for line in f.recent {
            writeln!(w, "  {}", guard::cut(line, f.width.saturating_sub(2), "…"))?;
        }
    }
    Ok(())
}

fn groups_table(w: &mut dyn Write, f: &Frame<'_>) -> io::Result<()> {
    let v = f.view;
    if v.groups.is_empty() {
        return writeln!(w, "no failures in the window.");
    }
    let labels: Vec<String> = v
        .groups
        .iter()
        .take(f.said.len())
        .map(|g| label(&g.key))
        .collect();
    let code_width = labels
        .iter()
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(5)
        .max(5);
    let head = format!(
        "{:<code_width$}  {:<8}  {:>7}  {:>8}  {:>8}",
        "group", "from", "count", "/min now", "before"
    );
    // The meaning's column starts past the row (`group` to the new mark, 46 columns after
    // the code); too narrow, and the meaning goes on a line of its own under the row.
    let start = code_width + 46;
    let own_line = f.width.saturating_sub(start) < 30;
    if own_line {
        writeln!(w, "{}", f.paint.paint(Tone::Heading, &head))?;
    } else {
        writeln!(
            w,
            "{}",
            f.paint
                .paint(Tone::Heading, &format!("{head}       meaning"))
        )?;
    }
    for ((g, l), said) in v.groups.iter().zip(&labels).zip(f.said) {
        let title = if own_line {
            guard::terminal_cut(&said.title, f.width.saturating_sub(4).max(10), "…")
        } else {
            guard::terminal_cut(&said.title, f.width.saturating_sub(start), "…")
        };
        // Padded first, then painted: the escapes take no columns.
        let status = g.key.code().map(|(s, _, _)| s);
        let code = f
            .paint
            .paint(Tone::of(status, said.benign), &format!("{l:<code_width$}"));
        let new = if g.new {
            f.paint.paint(Tone::Fault, "NEW")
        } else {
            String::new()
        };
        let row = format!(
            "{code}  {:<8}  {:>7}  {:>8}  {:>8}  {new}",
            source(&g.key),
            g.count,
            per_minute(Some(g.rate)),
            per_minute(g.rate_before),
        );
        if own_line {
            writeln!(w, "{}", row.trim_end())?;
            writeln!(w, "    {title}")?;
        } else {
            let pad = if g.new { "" } else { "   " };
            writeln!(w, "{row}{pad}  {title}")?;
        }
    }
    let more = v.groups.len().saturating_sub(f.said.len());
    if more > 0 || v.other > 0 {
        writeln!(
            w,
            "... and {more} more group(s){}",
            if v.other > 0 {
                format!(", {} failure(s) past the group cap", v.other)
            } else {
                String::new()
            }
        )?;
    }
    Ok(())
}

fn explanation(w: &mut dyn Write, f: &Frame<'_>) -> io::Result<()> {
    let Some(i) = f.explained else {
        return Ok(());
    };
    let (Some(g), Some(said)) = (f.view.groups.get(i), f.said.get(i)) else {
        return Ok(());
    };
    let wrap = |text: &str, indent: &str| {
        let text = guard::terminal(text);
        let opts = textwrap::Options::new(f.width.max(40))
            .initial_indent(indent)
            .subsequent_indent(indent);
        textwrap::fill(&text, opts)
    };
    writeln!(w)?;
    writeln!(
        w,
        "{}",
        wrap(
            &format!("{} ({}): {}", label(&g.key), source(&g.key), said.title),
            ""
        )
    )?;
    writeln!(
        w,
        "{}",
        wrap(&format!("Likely cause: {}", said.cause), "  ")
    )?;
    for (n, check) in said.checks.iter().take(3).enumerate() {
        let text = wrap(&format!("{}. {check}", n + 1), "    ");
        writeln!(w, "{}", text.replacen("    ", "  ", 1))?;
    }
    Ok(())
}

/// The line appended for a pipe: the window's traffic and its groups, ` | `-separated, each
/// group `CODE [source] xCOUNT RATE/min (before RATE) [new]`. Without the time in front, so
/// the caller can tell whether anything changed.
pub fn line(f: &Frame<'_>, top: usize) -> String {
    let v = f.view;
    let Some(newest) = f.newest else {
        return WAITING.to_string();
    };
    let mut parts = vec![format!(
        "newest {} UTC | window {} min: {} requests, {} failures",
        clock(newest),
        v.minutes,
        v.requests,
        v.failures
    )];
    for g in v.groups.iter().take(top) {
        parts.push(group_cell(g));
    }
    if v.groups.len() > top {
        parts.push(format!("{} more group(s)", v.groups.len() - top));
    }
    parts.join(" | ")
}

fn group_cell(g: &GroupRate) -> String {
    let from = match g.key {
        Key::W3c(_) => String::new(),
        _ => format!(" [{}]", source(&g.key)),
    };
    format!(
        "{}{from} x{} {}/min (before {}){}",
        label(&g.key),
        g.count,
        per_minute(Some(g.rate)),
        per_minute(g.rate_before),
        if g.new { " new" } else { "" }
    )
}

/// The line that names the group explained, when it changes: its code, title and cause.
pub fn top_line(key: &Key, said: &Said) -> String {
    format!(
        "top {} ({}): {} Likely cause: {}",
        label(key),
        source(key),
        guard::terminal(&said.title),
        guard::terminal(&said.cause)
    )
}

/// The summary when the watch ends: how long, what was followed, the traffic, the busiest
/// minutes and the failure groups of the whole run.
pub fn summary(
    w: &mut dyn Write,
    totals: &Totals,
    counts: Counts,
    ran_ms: i64,
    said: &dyn Fn(&Key) -> Said,
    top: usize,
) -> io::Result<()> {
    writeln!(w, "iisdiag watch ran {}.", span(ran_ms))?;
    writeln!(w, "files: {}", files_line(counts))?;
    match (totals.first, totals.last) {
        (Some(first), Some(last)) => writeln!(
            w,
            "records: {} request(s), {} failure(s), log minutes {} to {} UTC",
            totals.requests,
            totals.failures,
            minute_clock(first),
            minute_clock(last)
        )?,
        _ => writeln!(w, "records: none arrived.")?,
    }
    if let Some((minute, n)) = totals.peak_requests {
        writeln!(
            w,
            "busiest minute: {} UTC, {n} request(s)",
            minute_clock(minute)
        )?;
    }
    if let Some((minute, n)) = totals.peak_failures {
        writeln!(
            w,
            "most failures: {} UTC, {n} failure(s)",
            minute_clock(minute)
        )?;
    }
    if totals.late > 0 {
        writeln!(
            w,
            "{} record(s) came older than the window reaches: counted here only",
            totals.late
        )?;
    }
    let groups = totals.groups();
    if groups.is_empty() {
        return Ok(());
    }
    writeln!(w, "failure groups of the run:")?;
    let labels: Vec<String> = groups.iter().take(top).map(|(k, _)| label(k)).collect();
    let width = labels.iter().map(|l| l.chars().count()).max().unwrap_or(5);
    for ((key, n), l) in groups.iter().zip(&labels) {
        writeln!(
            w,
            "  {n:>8}  {l:<width$}  {:<8}  {}",
            source(key),
            guard::terminal(&said(key).title)
        )?;
    }
    if groups.len() > top || totals.other > 0 {
        let rest: u64 = groups.iter().skip(top).map(|(_, n)| n).sum::<u64>() + totals.other;
        writeln!(w, "  {rest:>8}  (other groups)")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::triple::Triple;

    #[test]
    fn a_reason_from_a_log_cannot_reach_the_terminal_raw() {
        let key = Key::HttpSys {
            status: Some(503),
            reason: "App\u{1b}[2JOffline".into(),
            queue: "Pool\u{7}".into(),
        };
        let l = label(&key);
        assert!(!l.contains('\u{1b}') && !l.contains('\u{7}'), "{l:?}");
        assert_eq!(l, "503 App\\x1b[2JOffline Pool\\x07");
    }

    #[test]
    fn the_line_names_each_group_with_its_rates() {
        let view = View {
            newest: Some(29_000_000),
            minutes: 2,
            minutes_before: 0,
            requests: 40,
            requests_before: 0,
            failures: 5,
            other: 0,
            groups: vec![GroupRate {
                key: Key::W3c(Triple::new(502, Some(3), Some(12002))),
                count: 5,
                before: 0,
                rate: 2.5,
                rate_before: None,
                new: true,
            }],
        };
        let frame = Frame {
            paths: &[],
            counts: Counts::default(),
            interval_s: 2.0,
            window: 5,
            before: 15,
            view: &view,
            newest: Some(29_000_000 * 60_000 + 7_000),
            now: 29_000_000 * 60_000 + 9_000,
            said: &[],
            explained: None,
            recent: &[],
            width: 100,
            paint: Paint::new(false),
        };
        assert_eq!(
            line(&frame, 10),
            "newest 21:20:07 UTC | window 2 min: 40 requests, 5 failures | 502.3.12002 x5 2.5/min (before -) new"
        );
    }
}
