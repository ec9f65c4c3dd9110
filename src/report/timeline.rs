//! The timeline as text: a sparkline row per series (each scaled to its own peak), a time
//! axis, and the peaks in words.

use std::io::{self, Write};

use crate::explain::timeline::{MINUTE_MS, Timeline, bucket_words};

use super::Layout;
use crate::guard;

/// Draws the timeline: one sparkline row per series (each scaled to its own peak), a time
/// axis, and the peaks in words. Rows longer than the width are cut into chunks.
pub fn draw(out: &mut dyn Write, t: &Timeline, layout: &Layout) -> io::Result<()> {
    let (width, unicode, zone) = (layout.width, layout.unicode, layout.zone);
    const BLOCKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    const ASCII: [char; 8] = ['.', ':', '-', '=', '+', '*', '#', '@'];
    let levels = if unicode { &BLOCKS } else { &ASCII };
    let label_width = t
        .series
        .iter()
        .map(|s| guard::terminal(&s.code).chars().count())
        .max()
        .unwrap_or(0)
        .min(40);
    let total_width = t
        .series
        .iter()
        .map(|s| s.total.to_string().len())
        .max()
        .unwrap_or(1);
    // A row is `  LABEL TOTAL |...|`.
    let room = usize::from(width)
        .saturating_sub(label_width + total_width + 6)
        .max(10);
    writeln!(out)?;
    writeln!(
        out,
        "Failures over time ({} buckets, {}):",
        bucket_words(t.bucket_minutes),
        zone.label(t.starts.first().copied())
    )?;
    if let Some(note) = &t.note {
        writeln!(out, "  Note: {note}.")?;
    }
    let n = t.starts.len();
    let mut from = 0;
    while from < n {
        let to = (from + room).min(n);
        for s in &t.series {
            let peak = s.counts.iter().copied().max().unwrap_or(0);
            let line: String = s.counts[from..to]
                .iter()
                .map(|&c| {
                    if c == 0 {
                        ' '
                    } else {
                        // 1..=peak onto the eight levels; any count shows at least the lowest.
                        let level = (c.saturating_mul(8).saturating_sub(1) / peak.max(1)) as usize;
                        levels[level.min(7)]
                    }
                })
                .collect();
            let label = guard::terminal_cut(&s.code, label_width, "...");
            writeln!(
                out,
                "  {label:<label_width$} {:>total_width$} |{line}|",
                s.total
            )?;
        }
        let first = zone.short(t.starts[from]);
        let last_end = t.starts[to - 1] + t.bucket_minutes * MINUTE_MS;
        let last = zone.short(last_end);
        let (a, b) = if first[..10] == last[..10] || t.bucket_minutes >= 1440 {
            (first[11..16].to_string(), last[11..16].to_string())
        } else {
            (first[..16].to_string(), last[..16].to_string())
        };
        let (a, b) = if t.bucket_minutes >= 1440 {
            (first[..10].to_string(), last[..10].to_string())
        } else {
            (a, b)
        };
        let pad = (to - from + 2).saturating_sub(a.chars().count() + b.chars().count());
        writeln!(
            out,
            "  {:label_width$} {:total_width$} {a}{}{b}",
            "",
            "",
            " ".repeat(pad.max(1))
        )?;
        from = to;
    }
    for s in &t.series {
        if let Some(p) = &s.peak {
            writeln!(out, "  - {}", guard::terminal(&p.text))?;
        }
    }
    Ok(())
}
