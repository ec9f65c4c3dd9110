//! The `iisdiag diff` report as a table, JSON or Markdown. Paths, URLs, server names and
//! keys come from the logs or the summary files: each passes the guard of its medium.

use std::io::{self, Write};

use super::fit::fill;
use crate::explain::diff::{Count, Diff, GroupChange, Side};
use crate::guard::{self, markdown as md};
use crate::time;

/// The media of a diff.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Table,
    Json,
    Markdown,
}

/// The longest key or path shown in the table, in characters.
const MAX_TEXT: usize = 100;

pub fn write(out: &mut dyn Write, diff: &Diff, format: Format) -> io::Result<()> {
    match format {
        Format::Table => table(out, diff),
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, diff)?;
            writeln!(out)
        }
        Format::Markdown => markdown(out, diff),
    }
}

/// `1000 requests, 46 failures, 2026-11-18T10:00:01Z to 2026-11-18T10:59:58Z`.
fn side_line(s: &Side) -> String {
    let span = match (s.first, s.last) {
        (Some(f), Some(l)) => format!(
            ", {} to {}",
            time::format_rfc3339(f),
            time::format_rfc3339(l)
        ),
        _ => String::new(),
    };
    format!("{} requests, {} failures{span}", s.requests, s.failures)
}

/// The paths, and the filters in brackets: `testdata/diff (until 2026-11-18T11:00:00Z)`.
fn paths(s: &Side) -> String {
    let mut text = s.paths.join(" ");
    if !s.filters.is_empty() {
        text.push_str(&format!(" ({})", s.filters.join(", ")));
    }
    text
}

fn p95(c: &Count) -> String {
    c.p95_ms
        .map_or_else(|| "-".to_string(), |ms| format!("{ms} ms"))
}

fn ratio(r: Option<f64>) -> String {
    r.map_or_else(|| "-".to_string(), |r| format!("x{r}"))
}

/// The longest title shown in the table.
const MAX_TITLE: usize = 40;

/// The rows of the group table: code, change, then count, share and p95 of each side, ratio
/// and the knowledge base's title.
fn rows(groups: &[GroupChange]) -> Vec<[String; 10]> {
    groups
        .iter()
        .map(|g| {
            [
                g.code.clone(),
                g.change.name().to_string(),
                g.before.count.to_string(),
                format!("{:.2}%", g.before.share),
                p95(&g.before),
                g.after.count.to_string(),
                format!("{:.2}%", g.after.share),
                p95(&g.after),
                ratio(g.ratio),
                guard::terminal_cut(&g.title, MAX_TITLE, "..."),
            ]
        })
        .collect()
}

fn table(out: &mut dyn Write, diff: &Diff) -> io::Result<()> {
    for (name, s) in [("before", &diff.before), ("after", &diff.after)] {
        writeln!(out, "{name:<7} {}", side_line(s))?;
        if !s.paths.is_empty() {
            let p = guard::terminal_cut(&paths(s), MAX_TEXT, "...");
            writeln!(out, "        from {p}")?;
        }
    }
    writeln!(out)?;
    group_table(out, &diff.groups)?;
    if diff.groups.is_empty() {
        writeln!(out, "(no failure groups on either side)")?;
    }
    if !diff.httperr.is_empty() {
        writeln!(out, "\nHTTP.sys")?;
        group_table(out, &diff.httperr)?;
    }
    section(
        out,
        "Over-represented",
        diff.over_represented.iter().map(|o| &o.text),
    )?;
    if let Some(b) = &diff.burst {
        writeln!(out, "\nBurst\n{}", wrapped(&b.text, "  ", "  "))?;
        for k in &b.keys {
            writeln!(out, "{}", wrapped(&k.text, "    ", "  - "))?;
        }
    }
    section(out, "Not known", diff.not_known.iter())?;
    Ok(())
}

/// The groups, one row each, in columns as wide as their widest cell.
fn group_table(out: &mut dyn Write, groups: &[GroupChange]) -> io::Result<()> {
    let header = [
        "code", "change", "before", "share", "p95", "after", "share", "p95", "ratio", "title",
    ];
    let rows = rows(groups);
    let widths: Vec<usize> = (0..10)
        .map(|i| {
            rows.iter()
                .map(|r| r[i].chars().count())
                .chain([header[i].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: [&str; 10]| -> String {
        let mut s = String::new();
        for (i, c) in cells.iter().enumerate() {
            let w = widths[i];
            // Text left, numbers right.
            if i < 2 || i == 9 {
                s.push_str(&format!("{c:<w$}  "));
            } else {
                s.push_str(&format!("{c:>w$}  "));
            }
        }
        s.trim_end().to_string()
    };
    writeln!(out, "{}", line(header))?;
    for r in &rows {
        writeln!(out, "{}", line(std::array::from_fn(|i| r[i].as_str())))?;
    }
    Ok(())
}

fn section<'a>(
    out: &mut dyn Write,
    title: &str,
    lines: impl Iterator<Item = &'a String>,
) -> io::Result<()> {
    let mut lines = lines.peekable();
    if lines.peek().is_none() {
        return Ok(());
    }
    writeln!(out, "\n{title}")?;
    for l in lines {
        writeln!(out, "{}", wrapped(l, "    ", "  - "))?;
    }
    Ok(())
}

/// The width the table's sentences are wrapped to.
const WIDTH: u16 = 100;

/// A sentence of the table: guarded, a long value in it cut, wrapped between words.
fn wrapped(text: &str, indent: &str, first: &str) -> String {
    fill(
        &guard::terminal_cut(text, 3 * MAX_TEXT, "..."),
        WIDTH,
        indent,
        first,
    )
}

fn markdown(out: &mut dyn Write, diff: &Diff) -> io::Result<()> {
    writeln!(out, "# iisdiag diff\n")?;
    for (name, s) in [("Before", &diff.before), ("After", &diff.after)] {
        let from = if s.paths.is_empty() {
            String::new()
        } else {
            format!(", from {}", md::code(&paths(s)))
        };
        writeln!(out, "- **{name}**: {}{from}", side_line(s))?;
    }
    md_groups(out, &diff.groups)?;
    if !diff.httperr.is_empty() {
        writeln!(out, "\n## HTTP.sys")?;
        md_groups(out, &diff.httperr)?;
    }
    let list = |out: &mut dyn Write, title: &str, lines: Vec<&String>| -> io::Result<()> {
        if lines.is_empty() {
            return Ok(());
        }
        writeln!(out, "\n## {title}\n")?;
        for l in lines {
            writeln!(out, "- {}", md::text(l))?;
        }
        Ok(())
    };
    list(
        out,
        "Over-represented",
        diff.over_represented.iter().map(|o| &o.text).collect(),
    )?;
    let burst = diff
        .burst
        .iter()
        .flat_map(|b| std::iter::once(&b.text).chain(b.keys.iter().map(|k| &k.text)))
        .collect();
    list(out, "Burst", burst)?;
    list(out, "Not known", diff.not_known.iter().collect())?;
    Ok(())
}

fn md_groups(out: &mut dyn Write, groups: &[GroupChange]) -> io::Result<()> {
    writeln!(
        out,
        "\n| code | change | before | share | p95 | after | share | p95 | ratio | title |"
    )?;
    writeln!(out, "|---|---|--:|--:|--:|--:|--:|--:|--:|---|")?;
    for g in groups {
        writeln!(
            out,
            "| `{}` | {} | {} | {:.2}% | {} | {} | {:.2}% | {} | {} | {} |",
            g.code,
            g.change.name(),
            g.before.count,
            g.before.share,
            p95(&g.before),
            g.after.count,
            g.after.share,
            p95(&g.after),
            ratio(g.ratio),
            md::text(&g.title)
        )?;
    }
    Ok(())
}
