//! Prints one FREB trace as a compact timeline for the terminal, in the spirit of the
//! "compact view" of IIS's freb.xsl: a header saying what failed, one line per event (time
//! offset, module, pipeline stage, event, the data that matters), and a footer with the
//! slowest step, the ARR backend and the start of the response body.
//!
//! The two events an administrator looks for are marked: `>>` where a module set the error
//! status, `~~` after the longest pause. Runs of the same event (ANCM writes hundreds of
//! ANCM_WINHTTP_CALLBACK) are folded into one line so the timeline fits on a screen.
//! Without colour the output is plain ASCII apart from what the trace itself contains, and
//! control characters from the trace are never passed to the terminal: every value goes
//! through the terminal guard (`guard::terminal`), which shows them as escapes (`\x1b`).

use std::io::{self, Write};

use super::phrase;
use crate::explain::trace::ExplainedTrace;
use crate::guard;
use crate::hresult;
use crate::input::freb::{Event, Trace};
use crate::time;

/// A run of at least this many events with the same name becomes one line.
const FOLD_RUN: usize = 3;
/// Widest module and notification columns (longer names are cut).
const MODULE_WIDTH: usize = 28;
const NOTIFICATION_WIDTH: usize = 27;
/// Longest block of events that is folded when it repeats (an upload's read loop is about
/// eight events: READ_ENTITY_START/END, REQUEST_ENTITY, COMPLETION, callbacks).
const MAX_PERIOD: usize = 8;
/// Characters of event data shown per line.
const DATA_CHARS: usize = 120;

/// How text is decorated, decided once per call.
struct Paint {
    color: bool,
}

impl Paint {
    fn wrap(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    fn bold(&self, text: &str) -> String {
        self.wrap("1", text)
    }

    fn error(&self, text: &str) -> String {
        self.wrap("1;31", text)
    }

    fn slow(&self, text: &str) -> String {
        self.wrap("33", text)
    }

    fn dim(&self, text: &str) -> String {
        self.wrap("2", text)
    }

    fn times(&self) -> &'static str {
        if self.color { "\u{d7}" } else { "x" }
    }
}

/// Writes each trace's timeline, then the explanation of its triple.
pub fn write(out: &mut dyn Write, traces: &[ExplainedTrace], color: bool) -> io::Result<()> {
    for (i, t) in traces.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        write_timeline(out, &t.trace, &t.path, color)?;
        let advice = &t.advice;
        writeln!(out)?;
        let marker = if advice.benign { " (benign)" } else { "" };
        writeln!(out, "{}: {}{marker}", t.triple, advice.title)?;
        for fact in &t.facts {
            writeln!(out, "  Trace: {}", clean(fact, 600))?;
        }
        phrase::cause_and_checks(out, &advice.cause, &advice.hints)?;
        if let Some(w) = &advice.win32 {
            writeln!(out, "  win32 {} = {}: {}", w.code, w.name, w.meaning)?;
        }
        for r in &advice.references {
            writeln!(out, "  {r}")?;
        }
    }
    Ok(())
}

/// Writes the timeline of `trace`, read from `path`.
pub fn write_timeline(
    out: &mut dyn Write,
    trace: &Trace,
    path: &str,
    color: bool,
) -> io::Result<()> {
    let paint = Paint { color };
    write_header(out, trace, path, &paint)?;
    write_events(out, trace, &paint)?;
    write_footer(out, trace, &paint)
}

fn write_header(out: &mut dyn Write, trace: &Trace, path: &str, paint: &Paint) -> io::Result<()> {
    writeln!(out, "{}", paint.bold(&format!("== {}", clean(path, 300))))?;
    let verb = if trace.verb.is_empty() {
        "-"
    } else {
        trace.verb.as_str()
    };
    writeln!(out, "{} {}", clean(verb, 16), clean(&trace.url, 300))?;

    let mut line = format!("status {}", trace.triple());
    if !trace.failure_reason.is_empty() {
        line.push_str(&format!(
            ", failure reason {}",
            clean(&trace.failure_reason, 32)
        ));
    }
    if let Some(ms) = trace.time_taken_ms {
        line.push_str(&format!(", time taken {ms} ms"));
    }
    writeln!(out, "{line}")?;

    let mut place: Vec<String> = Vec::new();
    if !trace.app_pool_id.is_empty() {
        place.push(format!("app pool {}", clean(&trace.app_pool_id, 80)));
    }
    if let Some(site) = trace.site_id {
        place.push(format!("site {site}"));
    }
    if !trace.computer.is_empty() {
        place.push(format!("computer {}", clean(&trace.computer, 80)));
    }
    if let Some(start) = trace.start {
        place.push(format!("started {}", time::format_rfc3339(start)));
    }
    place.push(format!("{} events", trace.event_count));
    writeln!(out, "{}", place.join(", "))?;

    if let Some(error) = &trace.error {
        let mut text = format!("error set by {}", clean(&error.module, 80));
        if !error.notification.is_empty() {
            text.push_str(&format!(" in {}", clean(&error.notification, 40)));
        }
        let sub = error.substatus.map(|s| format!(".{s}")).unwrap_or_default();
        text.push_str(&format!(": {}{sub}", error.status));
        if !error.reason.is_empty() {
            text.push_str(&format!(" {}", clean(&error.reason, 60)));
        }
        match error.error_code {
            // A module may set an error status without an HRESULT (500 from ASP.NET, ISAPI).
            Some(0) => text.push_str(", ErrorCode 0"),
            Some(code) => text.push_str(&format!(", {}", code_text(code))),
            None => {}
        }
        // IIS renders codes it has no message for as the bare number, and code 0 as "The
        // operation completed successfully"; neither adds anything.
        let worded = error
            .error_text
            .as_deref()
            .filter(|_| error.error_code != Some(0))
            .filter(|t| !t.chars().all(|c| c.is_ascii_digit()));
        if let Some(rendered) = worded {
            text.push_str(&format!(" \"{}\"", clean(rendered, 160)));
        }
        writeln!(out, "{}", paint.error(&text))?;
        if let Some(info) = &error.config_exception {
            writeln!(
                out,
                "{}",
                paint.error(&format!("config: {}", clean(info, 300)))
            )?;
        }
    }
    if trace.truncated {
        let reason = trace
            .truncation
            .as_deref()
            .unwrap_or("the trace is incomplete");
        writeln!(
            out,
            "{}",
            paint.slow(&format!("TRUNCATED: {}", clean(reason, 200)))
        )?;
    }
    Ok(())
}

fn write_events(out: &mut dyn Write, trace: &Trace, paint: &Paint) -> io::Result<()> {
    writeln!(out)?;
    let events = &trace.events;
    if events.is_empty() {
        return writeln!(out, "(no events kept)");
    }
    let error_at = trace.error.as_ref().map(|e| e.event_index);
    let slow = trace.slowest_step.as_ref();
    let slow_at = slow.map(|s| s.after_index);
    let marked = |i: usize| Some(i) == error_at || Some(i) == slow_at;

    let width = |pick: fn(&Event) -> Option<&str>, header: &str, max: usize| {
        events
            .iter()
            .filter_map(pick)
            .map(|s| s.chars().count())
            .chain([header.len(), 1])
            .max()
            .unwrap_or(1)
            .min(max)
    };
    let module_w = width(|e| e.module.as_deref(), "module", MODULE_WIDTH);
    let stage_w = width(
        |e| e.notification.as_deref(),
        "notification",
        NOTIFICATION_WIDTH,
    );
    writeln!(
        out,
        "{}",
        paint.dim(&format!(
            "   {:>8}  {:<module_w$}  {:<stage_w$}  event",
            "ms", "module", "notification"
        ))
    )?;

    let line_of = |i: usize, event: &Event| {
        let columns = format!(
            "{:>8}  {:<module_w$}  {:<stage_w$}",
            event.offset_ms,
            fit(event.module.as_deref().unwrap_or("-"), module_w),
            fit(event.notification.as_deref().unwrap_or("-"), stage_w),
        );
        let mut text = clean(&event.name, 80);
        if Some(i) == slow_at {
            if let Some(slow) = slow {
                text.push_str(&format!("  (+{} ms)", slow.gap_ms));
            }
        }
        if !event.data.is_empty() {
            text.push_str("  ");
            text.push_str(&clean(&event.data, DATA_CHARS));
        }
        let line = if Some(i) == error_at {
            paint.error(&format!(">> {columns}  {text}"))
        } else if Some(i) == slow_at {
            paint.slow(&format!("~~ {columns}  {text}"))
        } else {
            format!("   {columns}  {text}")
        };
        (columns, line.trim_end().to_string())
    };

    let mut i = 0;
    while let Some(event) = events.get(i) {
        let (columns, line) = line_of(i, event);
        match repetition(events, i, &marked) {
            Some((1, reps)) => {
                let end = i + reps;
                let last = events.get(end - 1).map_or(event.offset_ms, |e| e.offset_ms);
                let folded = format!(
                    "   {columns}  {} {}{reps} (until {last} ms)",
                    clean(&event.name, 80),
                    paint.times()
                );
                writeln!(out, "{}", paint.dim(&folded))?;
                i = end;
            }
            Some((period, reps)) => {
                for at in i..i + period {
                    if let Some(e) = events.get(at) {
                        writeln!(out, "{}", line_of(at, e).1)?;
                    }
                }
                let end = i + period * reps;
                let last = events.get(end - 1).map_or(event.offset_ms, |e| e.offset_ms);
                let folded = format!(
                    "   {:>8}  ... the {period} events above repeat {} more times, until {last} ms",
                    "",
                    reps - 1
                );
                writeln!(out, "{}", paint.dim(&folded))?;
                i = end;
            }
            None => {
                writeln!(out, "{line}")?;
                i += 1;
            }
        }
    }
    if trace.events_dropped > 0 {
        writeln!(out, "   ... {} more events not kept", trace.events_dropped)?;
    }
    Ok(())
}

/// The block of events starting at `i` that repeats, as (length, repetitions), when folding
/// it saves lines: one event seen [`FOLD_RUN`] times or more, or a block seen three times or
/// more. Events match when their name and module do, so a chain of different modules
/// starting and ending is never folded away, while one module's read loop is. Marked events
/// (the error, the slow step) are never folded. Of several blocks the one covering the most
/// events wins, the shortest on a tie.
fn repetition(
    events: &[Event],
    i: usize,
    marked: &dyn Fn(usize) -> bool,
) -> Option<(usize, usize)> {
    let mut best: Option<(usize, usize)> = None;
    for period in 1..=MAX_PERIOD {
        let Some(block) = events.get(i..i + period) else {
            break;
        };
        if (i..i + period).any(marked) {
            break;
        }
        let mut reps = 1;
        loop {
            let from = i + reps * period;
            let Some(next) = events.get(from..from + period) else {
                break;
            };
            let same = next
                .iter()
                .zip(block)
                .all(|(a, b)| a.name == b.name && a.module == b.module);
            if !same || (from..from + period).any(marked) {
                break;
            }
            reps += 1;
        }
        let needed = if period == 1 { FOLD_RUN } else { 3 };
        if reps >= needed && best.is_none_or(|(p, r)| reps * period > p * r) {
            best = Some((period, reps));
        }
    }
    best
}

fn write_footer(out: &mut dyn Write, trace: &Trace, paint: &Paint) -> io::Result<()> {
    writeln!(out)?;
    if let Some(slow) = &trace.slowest_step {
        let mut text = format!("slowest step: {} ms", slow.gap_ms);
        match (&slow.module, &slow.notification) {
            (Some(m), Some(n)) => {
                text.push_str(&format!(" in {} / {}", clean(m, 80), clean(n, 40)))
            }
            (Some(m), None) => text.push_str(&format!(" in {}", clean(m, 80))),
            (None, Some(n)) => text.push_str(&format!(" in {}", clean(n, 40))),
            (None, None) => {}
        }
        text.push_str(&format!(
            ", between {} and {} at {} ms",
            clean(&slow.before, 80),
            clean(&slow.after, 80),
            slow.at_ms
        ));
        writeln!(out, "{}", paint.slow(&text))?;
    }
    if let Some(arr) = &trace.arr {
        let mut text = format!("ARR backend: {}", clean(&arr.server, 120));
        let mut details: Vec<String> = Vec::new();
        if let Some(farm) = &arr.web_farm {
            details.push(format!("web farm {}", clean(farm, 80)));
        }
        match (arr.failed_requests, arr.total_requests) {
            (Some(failed), Some(total)) => {
                details.push(format!("{failed} of {total} requests to it failed"));
            }
            (None, Some(total)) => details.push(format!("{total} requests")),
            _ => {}
        }
        if !details.is_empty() {
            text.push_str(&format!(" ({})", details.join(", ")));
        }
        writeln!(out, "{text}")?;
    }
    if let Some(ancm) = &trace.ancm {
        let mut parts: Vec<String> = Vec::new();
        if let Some(code) = ancm.forward_error {
            parts.push(format!("forwarding failed with {}", code_text(code)));
        } else if ancm.forward_started && !ancm.forward_ended {
            parts.push("forwarded, no end seen".to_string());
        } else if ancm.forward_ended {
            parts.push("forwarded".to_string());
        }
        if ancm.winhttp_callbacks > 0 {
            parts.push(format!("{} WinHTTP callbacks", ancm.winhttp_callbacks));
        }
        for failure in &ancm.start_failures {
            parts.push(format!("start failed: {}", clean(failure, 200)));
        }
        if !parts.is_empty() {
            writeln!(out, "ANCM: {}", parts.join("; "))?;
        }
    }
    if let Some(body) = &trace.response_excerpt {
        writeln!(out, "response body: \"{}\"", clean(body, 300))?;
    }
    Ok(())
}

/// `0x80072EE2 (win32 12002)`, or just the hex for codes that are not Win32 errors.
fn code_text(code: u64) -> String {
    match hresult::win32_of(code) {
        Some(win32) => format!("{} (win32 {win32})", hresult::hex(code)),
        None => hresult::hex(code),
    }
}

/// Trace text made safe and short for a terminal: the terminal guard shows control
/// characters and bidi controls as escapes, and text longer than `max` characters is cut
/// with `...`.
fn clean(text: &str, max: usize) -> String {
    let text = guard::terminal(text);
    match text.char_indices().nth(max) {
        Some((end, _)) => format!("{}...", &text[..end]),
        None => text.into_owned(),
    }
}

/// `clean`, cut to exactly fit a column of `width` characters (`~` marks the cut).
fn fit(text: &str, width: usize) -> String {
    guard::terminal_cut(text, width, "~")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::freb::read_trace;

    fn sample(name: &str) -> Trace {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("testdata/freb")
            .join(name);
        let file = std::fs::File::open(path).unwrap();
        read_trace(std::io::BufReader::new(file), true).unwrap()
    }

    fn render(trace: &Trace, path: &str, color: bool) -> String {
        let mut out = Vec::new();
        write_timeline(&mut out, trace, path, color).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn ancm_timeout_timeline() {
        let trace = sample("fr000103.xml");
        insta::assert_snapshot!(render(&trace, "testdata/freb/fr000103.xml", false));
    }

    #[test]
    fn plain_output_is_ascii_without_escapes() {
        for name in [
            "fr000101.xml",
            "fr000103.xml",
            "fr000104.xml",
            "fr000107.xml",
            "fr000108.xml",
        ] {
            let text = render(&sample(name), name, false);
            assert!(!text.contains('\x1b'), "{name}");
            assert!(text.is_ascii(), "{name}");
        }
    }

    #[test]
    fn colour_marks_the_error_and_the_slow_step() {
        let text = render(&sample("fr000101.xml"), "fr000101.xml", true);
        let error_line = text.lines().find(|l| l.contains(">>")).unwrap();
        assert!(error_line.starts_with("\x1b[1;31m>>"), "{error_line:?}");
        assert!(error_line.contains("MODULE_SET_RESPONSE_ERROR_STATUS"));
        let slow_line = text.lines().find(|l| l.contains("~~")).unwrap();
        assert!(slow_line.starts_with("\x1b[33m~~"), "{slow_line:?}");
        assert!(slow_line.contains("NOTIFY_MODULE_COMPLETION  (+30021 ms)"));
        assert!(text.contains(
            "ARR backend: app02.internal (web farm appfarm, 37 of 1412 requests to it failed)"
        ));
    }

    #[test]
    fn long_runs_fold_into_one_line() {
        let mut trace = sample("fr000103.xml");
        let template = trace.events[6].clone();
        assert_eq!(template.name, "ANCM_WINHTTP_CALLBACK");
        trace
            .events
            .splice(6..6, std::iter::repeat_n(template, 300));
        if let Some(e) = trace.error.as_mut() {
            e.event_index += 300;
        }
        if let Some(s) = trace.slowest_step.as_mut() {
            s.after_index += 300;
        }
        let text = render(&trace, "x", false);
        assert!(
            text.contains("ANCM_WINHTTP_CALLBACK x310 (until 7 ms)"),
            "{text}"
        );
        assert!(text.lines().count() < 40);
    }

    #[test]
    fn hostile_text_cannot_reach_the_terminal() {
        let mut trace = sample("fr000105.xml");
        trace.url = "http://x/\x1b[2J\x07".to_string();
        trace.events[0].data = "Evil=\x1b]0;title\x07".to_string();
        let text = render(&trace, "p\x1b", false);
        assert!(!text.contains('\x1b') && !text.contains('\x07'));
    }

    #[test]
    fn a_trace_without_events_still_renders() {
        let mut trace = sample("fr000107.xml");
        trace.events.clear();
        let text = render(&trace, "fr000107.xml", false);
        assert!(text.contains("TRUNCATED: the file ends inside an element"));
        assert!(text.contains("(no events kept)"));
    }

    #[test]
    fn columns_cut_long_names() {
        assert_eq!(fit("ApplicationRequestRouting", 10), "Applicati~");
        assert_eq!(fit("short", 10), "short");
        assert_eq!(clean("a\u{1b}b", 10), "a\\x1bb");
        assert_eq!(clean("abcdef", 3), "abc...");
    }
}
