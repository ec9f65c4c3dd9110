//! The Windows events in the human report: the chain under each group it explains, and the
//! event logs' own section (what was read, each pool's life, events with no failure at the
//! same time, failure groups no event explains); `iisdiag events` shows that section alone,
//! in full. Every text holds values from the events, so each line goes through the terminal
//! guard (`guard::terminal`, inside `fill`) before any colour is added.

use std::io::{self, Write};

use super::Layout;
use super::fit::fill;
use super::paint::Tone;
use crate::explain::events::{Chain, EventsReport};

/// How much the scan report shows of the event logs; `iisdiag events` shows all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Extent {
    /// The scan report's section: the most frequent events, a few steps per pool.
    Brief,
    /// Everything: every provider and id, every step of every pool, every run.
    Full,
}

/// Provider and id counts in the brief section.
const BRIEF_COUNTS: usize = 8;
/// Steps per pool in the brief section.
const BRIEF_STEPS: usize = 8;
/// Runs with no failure in the brief section.
const BRIEF_RUNS: usize = 10;

/// The events that explain a group, under its heading: `  <- WAS 5002 ...`.
pub fn write_chain(out: &mut dyn Write, chain: &Chain, style: &Layout) -> io::Result<()> {
    for line in &chain.lines {
        writeln!(out, "{}", fill(line, style.width, "       ", "  <- "))?;
    }
    if let Some(next) = &chain.next {
        let text = format!("Next: {next}.");
        writeln!(out, "{}", fill(&text, style.width, "    ", "  "))?;
    }
    Ok(())
}

/// The event logs' section.
pub fn write_section(
    out: &mut dyn Write,
    ev: &EventsReport,
    extent: Extent,
    style: &Layout,
) -> io::Result<()> {
    writeln!(out)?;
    let span = match (ev.first, ev.last) {
        (Some(f), Some(l)) => format!(
            ", {} .. {} {}",
            style.zone.short(f),
            style.zone.short(l),
            style.zone.label(Some(f))
        ),
        _ => String::new(),
    };
    let heading = format!(
        "Event logs: {} event(s) read, {} of them from IIS, ASP.NET, .NET and crash reporting providers{span}.",
        ev.total, ev.kept
    );
    writeln!(
        out,
        "{}",
        style
            .paint
            .paint(Tone::Heading, &fill(&heading, style.width, "  ", ""))
    )?;
    if ev.dropped > 0 {
        let text = format!(
            "{} more event(s) of those providers were counted but not kept (past {} events).",
            ev.dropped,
            crate::summary::events::KEEP_CAP
        );
        writeln!(out, "{}", fill(&text, style.width, "    ", "  "))?;
    }
    let shown = match extent {
        Extent::Brief => BRIEF_COUNTS,
        Extent::Full => usize::MAX,
    };
    if extent == Extent::Full {
        writeln!(
            out,
            "  {}",
            style.paint.paint(Tone::Heading, "By provider and id:")
        )?;
        for c in &ev.counts {
            let meaning = c
                .title
                .as_deref()
                .unwrap_or("(counted only: not an event iisdiag explains)");
            let spelled = if c.name == c.provider {
                String::new()
            } else {
                format!(" ({})", c.provider)
            };
            let line = format!("{} {} x{}{spelled}: {meaning}", c.name, c.id, c.count);
            writeln!(out, "{}", fill(&line, style.width, "      ", "    "))?;
        }
    } else {
        let top: Vec<String> = ev
            .counts
            .iter()
            .take(shown)
            .map(|c| format!("{} {} ({})", c.name, c.id, c.count))
            .collect();
        let more = ev.counts.len().saturating_sub(shown);
        let more = if more > 0 {
            format!(", and {more} more (`iisdiag events` lists them all)")
        } else {
            String::new()
        };
        let line = format!("Most frequent: {}{more}.", top.join(", "));
        writeln!(out, "{}", fill(&line, style.width, "    ", "  "))?;
    }
    if ev.app_log > 0 {
        let line = format!(
            "{} .NET Runtime 1000 event(s) are the application's own log messages (the ASP.NET Core event-log provider writes as `.NET Runtime`), not crashes.",
            ev.app_log
        );
        writeln!(out, "{}", fill(&line, style.width, "    ", "  "))?;
    }
    if !ev.pools.is_empty() {
        writeln!(
            out,
            "  {}",
            style.paint.paint(
                Tone::Heading,
                "Pool life (recycles, crashes, hangs, start failures, rapid-fail):"
            )
        )?;
        for pool in &ev.pools {
            let mut head = pool.subject.clone();
            if let Some(c) = &pool.computer {
                head.push_str(&format!(" on {c}"));
            }
            if let Some(r) = &pool.rhythm {
                head.push_str(&format!(": {r}"));
            }
            writeln!(out, "{}", fill(&head, style.width, "      ", "    "))?;
            let steps = match extent {
                Extent::Brief => BRIEF_STEPS,
                Extent::Full => usize::MAX,
            };
            for s in pool.steps.iter().take(steps) {
                let line = format!("[{}] {}", s.role, s.text);
                writeln!(
                    out,
                    "{}",
                    fill(&line, style.width, "           ", "      - ")
                )?;
                let explains = ev.runs.get(s.run).map_or(&[][..], |r| &r.explains[..]);
                if extent == Extent::Full && !explains.is_empty() {
                    let line = format!("lines up with {}", explains.join(", "));
                    writeln!(
                        out,
                        "{}",
                        fill(&line, style.width, "              ", "           -> ")
                    )?;
                }
            }
            let more = pool.steps.len().saturating_sub(steps);
            if more > 0 {
                writeln!(
                    out,
                    "      ... and {more} more (`iisdiag events` shows them all)"
                )?;
            }
        }
    }
    if !ev.other_programs.is_empty() {
        let list: Vec<String> = ev
            .other_programs
            .iter()
            .map(|p| format!("{} ({})", p.program, p.count))
            .collect();
        let line = format!(
            "Crashes of programs that do not serve IIS requests, not lined up with failures: {}.",
            list.join(", ")
        );
        writeln!(out, "{}", fill(&line, style.width, "    ", "  "))?;
    }
    if !ev.unlinked.is_empty() {
        let heading = if ev.requests_read {
            "Events with no failure at the same time:"
        } else {
            "Events of interest (no W3C, HTTP.sys or FREB logs were given to line them up with):"
        };
        writeln!(out, "  {}", style.paint.paint(Tone::Heading, heading))?;
        let shown = match extent {
            Extent::Brief => BRIEF_RUNS,
            Extent::Full => usize::MAX,
        };
        for &i in ev.unlinked.iter().take(shown) {
            if let Some(r) = ev.runs.get(i) {
                writeln!(out, "{}", fill(&r.text, style.width, "      ", "    - "))?;
            }
        }
        let more = ev.unlinked.len().saturating_sub(shown);
        if more > 0 {
            writeln!(
                out,
                "    ... and {more} more (`iisdiag events` lists them all)"
            )?;
        }
    }
    if !ev.unexplained.is_empty() {
        let line = format!(
            "Failure groups no event explains, although the event logs cover their time: {}.",
            ev.unexplained.join(", ")
        );
        writeln!(out, "{}", fill(&line, style.width, "    ", "  "))?;
    }
    Ok(())
}
