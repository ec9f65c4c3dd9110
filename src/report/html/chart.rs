//! The failures over time as an inline SVG chart: stacked bars per group on the left
//! scale, every W3C request as a line on the right scale, the runs of events that stop or
//! restart a worker process as markers on the time axis, and a legend.

use std::fmt::Write as _;

use super::{code, esc};
use crate::explain::events::{EventRun, EventsReport};
use crate::explain::timeline::Timeline;
use crate::report::Layout;
use crate::time::Zone;

/// The colours of the chart's series, in order: a categorical palette that keeps
/// neighbours apart, one colour for each series a timeline can have (eight groups and two
/// HTTP.sys series).
pub const SERIES_COLOURS: [&str; 10] = [
    "#e15759", "#4e79a7", "#f28e2b", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#9c755f",
    "#ff9da7", "#bab0ac",
];

const CHART_W: f64 = 1000.0;
const CHART_H: f64 = 300.0;
const LEFT: f64 = 48.0;
const RIGHT: f64 = 52.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 36.0;

/// The roles of the runs of events the chart marks on its time axis: their colour (dark,
/// to stand apart from the series) and their legend entry.
const MARKERS: [(&str, &str, &str); 5] = [
    ("rapid-fail", "#7f1d1d", "pool disabled (rapid-fail)"),
    ("start-failure", "#c2410c", "start failure"),
    ("crash", "#1f2933", "crash"),
    ("hang", "#6d28d9", "hang"),
    ("recycle", "#0e7490", "recycle"),
];
/// Most markers a chart draws: each carries its event's text, and a log can hold thousands.
const MAX_MARKERS: usize = 200;

/// The colour of a role the chart marks, or `None`.
pub(super) fn marker_colour(role: &str) -> Option<&'static str> {
    MARKERS
        .iter()
        .find(|(r, _, _)| *r == role)
        .map(|(_, colour, _)| *colour)
}

/// The runs to mark: those of a marked role, about a process that serves IIS requests,
/// starting within the chart's time range; by time, at most [`MAX_MARKERS`].
fn markers<'a>(t: &Timeline, events: Option<&'a EventsReport>) -> (Vec<&'a EventRun>, usize) {
    let (Some(ev), Some(&start), Some(&last)) = (events, t.starts.first(), t.starts.last()) else {
        return (Vec::new(), 0);
    };
    let end = last.saturating_add(t.bucket_minutes.saturating_mul(60_000));
    let mut runs: Vec<&EventRun> = ev
        .runs
        .iter()
        .filter(|r| r.iis && marker_colour(&r.role).is_some())
        .filter(|r| r.first.is_some_and(|f| f >= start && f < end))
        .collect();
    runs.sort_by_key(|r| r.first);
    let all = runs.len();
    runs.truncate(MAX_MARKERS);
    (runs, all)
}

pub(super) fn timeline(
    p: &mut String,
    t: Option<&Timeline>,
    events: Option<&EventsReport>,
    opts: &Layout,
) {
    let Some(t) = t else {
        return;
    };
    if t.starts.is_empty() || t.series.is_empty() {
        return;
    }
    let (marked, all_marked) = markers(t, events);
    let marks = if marked.is_empty() {
        String::new()
    } else if all_marked > marked.len() {
        format!(
            "; triangles: worker process and pool events from the event logs (the first {} of {all_marked}; point at one for its text)",
            marked.len()
        )
    } else {
        "; triangles: worker process and pool events from the event logs (point at one for its text)".to_string()
    };
    let _ = writeln!(
        p,
        "<h2 id=\"timeline\">Failures over time</h2>\n<p class=\"muted\">{} buckets, {}. Bars: failed requests of the top groups (left scale); line: every W3C request (right scale){marks}.</p>",
        crate::explain::timeline::bucket_words(t.bucket_minutes),
        esc(&opts.zone.label(t.starts.first().copied()))
    );
    p.push_str("<div class=\"chart\">\n");
    chart_svg(p, t, &marked, opts.zone);
    p.push_str("<ul class=\"legend\">");
    for (i, s) in t.series.iter().enumerate() {
        let _ = write!(
            p,
            "<li><span class=\"swatch\" style=\"background:{}\"></span>{} <span class=\"muted\">{}</span></li>",
            SERIES_COLOURS[i % SERIES_COLOURS.len()],
            code(&s.code),
            s.total
        );
    }
    if t.requests.iter().any(|&r| r > 0) {
        p.push_str("<li><span class=\"swatch line\" style=\"background:#9aa5b1\"></span>all W3C requests</li>");
    }
    for (role, colour, label) in MARKERS {
        let n = marked.iter().filter(|r| r.role == role).count();
        if n > 0 {
            let _ = write!(
                p,
                "<li><span class=\"swatch marker\" style=\"background:{colour}\"></span>{label} <span class=\"muted\">{n}</span></li>"
            );
        }
    }
    p.push_str("</ul>\n</div>\n");
    let peaks: Vec<&str> = t
        .series
        .iter()
        .filter_map(|s| s.peak.as_ref().map(|pk| pk.text.as_str()))
        .collect();
    if !peaks.is_empty() {
        p.push_str("<ul>\n");
        for text in peaks {
            let _ = writeln!(p, "<li>{}</li>", esc(text));
        }
        p.push_str("</ul>\n");
    }
}

/// A round step that cuts `max` into at most five intervals.
pub(super) fn nice_step(max: u64) -> u64 {
    let mut step = 1;
    loop {
        for m in [1, 2, 5] {
            if max <= step * m * 5 {
                return step * m;
            }
        }
        step *= 10;
    }
}

fn chart_svg(p: &mut String, t: &Timeline, marked: &[&EventRun], zone: Zone) {
    let n = t.starts.len();
    let stacked: Vec<u64> = (0..n)
        .map(|i| {
            t.series
                .iter()
                .map(|s| s.counts.get(i).copied().unwrap_or(0))
                .sum()
        })
        .collect();
    let max = stacked.iter().copied().max().unwrap_or(0).max(1);
    let step = nice_step(max);
    let top_value = max.div_ceil(step) * step;
    let plot_w = CHART_W - LEFT - RIGHT;
    let plot_h = CHART_H - TOP - BOTTOM;
    let slot = plot_w / n as f64;
    let bar = (slot * 0.8).max(1.0);
    let y_of = |v: f64, top: f64| TOP + plot_h - v / top * plot_h;
    let _ = writeln!(
        p,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {CHART_W} {CHART_H}\" role=\"img\" aria-label=\"Failures over time\" font-family=\"system-ui, sans-serif\" font-size=\"11\">"
    );
    // Grid and the left scale.
    let mut v = 0;
    while v <= top_value {
        let y = y_of(v as f64, top_value as f64);
        let _ = writeln!(
            p,
            "<line x1=\"{LEFT}\" x2=\"{:.1}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#e5e8eb\"/><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"#52606d\">{v}</text>",
            CHART_W - RIGHT,
            LEFT - 6.0,
            y + 4.0
        );
        v += step;
    }
    // Stacked bars, one colour per series, each with a tooltip.
    for i in 0..n {
        let x = LEFT + i as f64 * slot + (slot - bar) / 2.0;
        let mut base = 0u64;
        let from = zone.short(t.starts[i]);
        let to = zone.clock(t.starts[i] + t.bucket_minutes * 60_000);
        for (k, s) in t.series.iter().enumerate() {
            let c = s.counts.get(i).copied().unwrap_or(0);
            if c == 0 {
                continue;
            }
            let y1 = y_of((base + c) as f64, top_value as f64);
            let y0 = y_of(base as f64, top_value as f64);
            let _ = writeln!(
                p,
                "<rect class=\"bar\" x=\"{x:.2}\" y=\"{y1:.2}\" width=\"{bar:.2}\" height=\"{:.2}\" fill=\"{}\"><title>{}: {c} at {}-{}</title></rect>",
                (y0 - y1).max(0.5),
                SERIES_COLOURS[k % SERIES_COLOURS.len()],
                esc(&s.code),
                esc(&from),
                esc(&to)
            );
            base += c;
        }
    }
    // Every W3C request, as a line on its own (right) scale.
    let req_max = t.requests.iter().copied().max().unwrap_or(0);
    if req_max > 0 {
        let req_step = nice_step(req_max);
        let req_top = req_max.div_ceil(req_step) * req_step;
        let points: Vec<String> = t
            .requests
            .iter()
            .enumerate()
            .map(|(i, &r)| {
                format!(
                    "{:.1},{:.1}",
                    LEFT + (i as f64 + 0.5) * slot,
                    y_of(r as f64, req_top as f64)
                )
            })
            .collect();
        let _ = writeln!(
            p,
            "<polyline points=\"{}\" fill=\"none\" stroke=\"#9aa5b1\" stroke-width=\"1.5\"/>",
            points.join(" ")
        );
        let mut v = 0;
        while v <= req_top {
            let _ = writeln!(
                p,
                "<text x=\"{:.1}\" y=\"{:.1}\" fill=\"#9aa5b1\">{v}</text>",
                CHART_W - RIGHT + 6.0,
                y_of(v as f64, req_top as f64) + 4.0
            );
            v += req_step;
        }
    }
    // The time axis: at most eight labels, the date under the first and where it changes.
    let _ = writeln!(
        p,
        "<line x1=\"{LEFT}\" x2=\"{:.1}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"#52606d\"/>",
        CHART_W - RIGHT,
        TOP + plot_h,
        TOP + plot_h
    );
    let every = n.div_ceil(8).max(1);
    let mut last_day = String::new();
    for i in (0..n).step_by(every) {
        let x = LEFT + i as f64 * slot;
        let short = zone.short(t.starts[i]);
        let day = short.get(..10).unwrap_or("").to_string();
        let clock = if t.bucket_minutes >= 1440 {
            day.clone()
        } else {
            zone.clock(t.starts[i])
        };
        let _ = writeln!(
            p,
            "<line x1=\"{x:.1}\" x2=\"{x:.1}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"#52606d\"/><text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#52606d\">{}</text>",
            TOP + plot_h,
            TOP + plot_h + 4.0,
            TOP + plot_h + 16.0,
            esc(&clock)
        );
        if day != last_day && t.bucket_minutes < 1440 {
            let _ = writeln!(
                p,
                "<text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#9aa5b1\">{}</text>",
                TOP + plot_h + 30.0,
                esc(&day)
            );
            last_day = day;
        }
    }
    // The runs of events, a triangle on the time axis at each one's first event, with a
    // faint line up through the bars it may explain.
    let bucket_ms = (t.bucket_minutes.max(1) * 60_000) as f64;
    let axis = TOP + plot_h;
    for r in marked {
        let (Some(first), Some(colour)) = (r.first, marker_colour(&r.role)) else {
            continue;
        };
        let x = LEFT + (first - t.starts[0]) as f64 / bucket_ms * slot;
        let _ = writeln!(
            p,
            "<g class=\"marker\"><title>{}</title><line x1=\"{x:.1}\" x2=\"{x:.1}\" y1=\"{TOP}\" y2=\"{axis:.1}\" stroke=\"{colour}\" stroke-opacity=\"0.35\" stroke-dasharray=\"3 3\"/><path d=\"M{:.1},{axis:.1} L{:.1},{axis:.1} L{x:.1},{:.1} Z\" fill=\"{colour}\"/></g>",
            esc(&r.text),
            x - 5.0,
            x + 5.0,
            axis - 9.0
        );
    }
    p.push_str("</svg>\n");
}

// ---- escaping ----
