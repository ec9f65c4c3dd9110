//! Tables fitted to the terminal: every table the human report draws is laid out here, so
//! that at any width iisdiag lays out (60 columns and up) it fits, text wraps between words, and no value from
//! a log (a 20 KB HTTP.sys reason, an escape sequence in a URL) can blow it up or reach the
//! terminal as itself.
//!
//! comfy-table's own arrangement squeezes the last column to one character when the others
//! are wide, and breaks words anywhere; so the widths are decided here, the cells are cut and
//! wrapped to them, and comfy-table only draws the borders. Each column says how it may give
//! way: a number never, a name is cut with an ellipsis, a URL is shortened in the middle, a
//! sentence wraps. When that is not enough, the least needed columns are dropped.

use comfy_table::presets::{ASCII_BORDERS_ONLY_CONDENSED, UTF8_BORDERS_ONLY};
use comfy_table::{CellAlignment, ContentArrangement, Table};
use textwrap::core::display_width;

use super::Layout;
use super::paint::Tone;
use crate::guard;

/// The most characters any cell keeps (before fitting), whatever the log holds: a bound on
/// the work and the output per cell. Longer text is cut with an ellipsis.
pub const MAX_CELL: usize = 200;

/// How a column gives way when the table is too wide.
#[derive(Debug, Clone, Copy)]
pub enum Give {
    /// Never narrower than its content: numbers, codes, times.
    Keep,
    /// One line, cut at the end with an ellipsis: names.
    Cut { soft: usize, hard: usize },
    /// One line, shortened in the middle (start and end kept); a cell's tail, such as a
    /// count, goes on the next line when it does not fit beside it.
    Url { soft: usize, hard: usize },
    /// Wrapped between words; a word longer than the column is broken.
    Wrap { soft: usize, hard: usize },
}

/// When a column is left out of a table too narrow for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Drop {
    /// Before any column gives way past its soft limit (the lowest rank first): what the
    /// text below the table says again.
    Early(u8),
    /// Only when every column is at its hard limit and the table is still too wide.
    Late(u8),
    Never,
}

/// A column: its heading, how it gives way, its alignment, and when it is dropped.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub header: &'static str,
    pub give: Give,
    pub right: bool,
    pub drop: Drop,
}

impl Column {
    pub const fn keep(header: &'static str) -> Column {
        Column {
            header,
            give: Give::Keep,
            right: false,
            drop: Drop::Never,
        }
    }

    pub const fn number(header: &'static str) -> Column {
        Column {
            right: true,
            ..Column::keep(header)
        }
    }

    pub const fn give(self, give: Give) -> Column {
        Column { give, ..self }
    }

    pub const fn dropped(self, drop: Drop) -> Column {
        Column { drop, ..self }
    }
}

/// A cell: its text (made safe for the terminal and bounded when made), an optional tail
/// kept whole (a URL's count), and its colour.
#[derive(Debug, Clone)]
pub struct Cell {
    text: String,
    tail: Option<String>,
    tone: Tone,
}

impl Cell {
    pub fn new(text: &str) -> Cell {
        Cell {
            text: guard::terminal_cut(text, MAX_CELL, "..."),
            tail: None,
            tone: Tone::Plain,
        }
    }

    pub fn tail(mut self, tail: String) -> Cell {
        self.tail = Some(guard::terminal_cut(&tail, MAX_CELL, "..."));
        self
    }

    pub fn tone(mut self, tone: Tone) -> Cell {
        self.tone = tone;
        self
    }

    fn width(&self) -> usize {
        display_width(&self.text) + self.tail.as_ref().map_or(0, |t| 1 + display_width(t))
    }

    /// The widest word: where a sentence cannot wrap.
    fn longest_word(&self) -> usize {
        let words = self
            .text
            .split(' ')
            .chain(self.tail.iter().map(String::as_str));
        words.map(display_width).max().unwrap_or(0)
    }

    /// The width with the tail on a line of its own.
    fn split_width(&self) -> usize {
        display_width(&self.text).max(self.tail.as_deref().map_or(0, display_width))
    }
}

/// A table being filled, then fitted to a width.
pub struct Grid {
    columns: Vec<Column>,
    rows: Vec<Vec<Cell>>,
}

impl Grid {
    pub fn new(columns: Vec<Column>) -> Grid {
        Grid {
            columns,
            rows: Vec::new(),
        }
    }

    pub fn row(&mut self, cells: Vec<Cell>) {
        self.rows.push(cells);
    }

    /// Each column's widest cell as measured by `width`, or its heading.
    fn measure(&self, width: impl Fn(&Cell) -> usize) -> Vec<usize> {
        self.columns
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let cells = self.rows.iter().filter_map(|r| r.get(i)).map(&width);
                cells.max().unwrap_or(0).max(header_width(c))
            })
            .collect()
    }

    /// The columns kept and their widths, so that the table is at most `width` wide when it
    /// can be: every column gives way to its soft limit; if that is not enough, the columns
    /// that may go early are dropped (better a column fewer than all of them cramped); then
    /// the columns give way to their hard limits; then the others that may go are dropped.
    fn plan(&self, width: usize) -> (Vec<bool>, Vec<usize>) {
        let natural = self.measure(Cell::width);
        let split = self.measure(Cell::split_width);
        let words = self.measure(Cell::longest_word);
        let floors =
            |hard: bool| -> Vec<usize> {
                self.columns
                    .iter()
                    .enumerate()
                    .map(|(i, c)| {
                        let n = natural[i];
                        let floor =
                            match c.give {
                                Give::Keep => return n,
                                // A tail goes down a line before a URL is cut.
                                Give::Url { soft, .. } if !hard => soft.min(split[i]),
                                // A sentence wraps between words, not inside one (up to its soft
                                // limit: a longer word is broken).
                                Give::Wrap { soft, hard: h } => h.max(words[i].min(soft)),
                                Give::Cut { soft, hard: h } | Give::Url { soft, hard: h } => {
                                    if hard { h } else { soft }
                                }
                            };
                        floor.max(header_word(c)).min(n)
                    })
                    .collect()
            };
        let mut shown = vec![true; self.columns.len()];
        loop {
            let mut widths = natural.clone();
            shrink(&mut widths, &floors(false), &shown, |_| true, width);
            if total(&widths, &shown) <= width {
                return (shown, widths);
            }
            let next = |early: bool| {
                (0..self.columns.len())
                    .filter(|&i| shown[i])
                    .filter(|&i| match self.columns[i].drop {
                        Drop::Early(_) => true,
                        Drop::Late(_) => !early,
                        Drop::Never => false,
                    })
                    .min_by_key(|&i| self.columns[i].drop)
            };
            if let Some(i) = next(true) {
                shown[i] = false;
                continue;
            }
            // Sentences wrap onto more lines before names and URLs are cut.
            let hard = floors(true);
            let wraps = |i: usize| matches!(self.columns[i].give, Give::Wrap { .. });
            shrink(&mut widths, &hard, &shown, wraps, width);
            shrink(&mut widths, &hard, &shown, |_| true, width);
            if total(&widths, &shown) <= width {
                return (shown, widths);
            }
            match next(false) {
                Some(i) => shown[i] = false,
                None => return (shown, widths),
            }
        }
    }

    /// The table laid out for `layout`: fitted to its width, in its borders and colours.
    pub fn table(&self, layout: &Layout) -> Table {
        let (shown, widths) = self.plan(usize::from(layout.width));
        let ellipsis = if layout.unicode { "…" } else { "..." };
        let mut table = Table::new();
        table
            .load_style(if layout.unicode {
                UTF8_BORDERS_ONLY
            } else {
                ASCII_BORDERS_ONLY_CONDENSED
            })
            // The cells are already cut and wrapped to their widths.
            .set_content_arrangement(ContentArrangement::Disabled);
        if layout.paint.on {
            // Colour even when standard output is not a terminal (`--color always`).
            table.enforce_styling();
        }
        let kept = |i: &usize| shown[*i];
        table.set_header(
            (0..self.columns.len())
                .filter(kept)
                .map(|i| wrap(self.columns[i].header, widths[i])),
        );
        for row in &self.rows {
            let cells = (0..self.columns.len()).filter(kept).map(|i| {
                let column = &self.columns[i];
                let text = row.get(i).map_or_else(String::new, |c| {
                    lay_out(c, column.give, widths[i], ellipsis)
                });
                let cell = comfy_table::Cell::new(text).set_alignment(if column.right {
                    CellAlignment::Right
                } else {
                    CellAlignment::Left
                });
                let tone = row.get(i).map_or(Tone::Plain, |c| c.tone);
                layout.paint.cell(tone, cell)
            });
            table.add_row(cells);
        }
        table
    }
}

/// A table's width: the two borders, a space each side of every column, and a (blank)
/// separator between columns.
fn total(widths: &[usize], shown: &[bool]) -> usize {
    let kept = widths.iter().zip(shown).filter(|(_, s)| **s);
    1 + kept.map(|(w, _)| w + 3).sum::<usize>()
}

/// Narrows the shown columns that `may` towards their floors until the table fits in
/// `width`, a column at a time from the one with the most room above its floor, so that
/// they give way evenly.
fn shrink(
    widths: &mut [usize],
    floors: &[usize],
    shown: &[bool],
    may: impl Fn(usize) -> bool,
    width: usize,
) {
    while total(widths, shown) > width {
        let widest = (0..widths.len())
            .filter(|&i| shown[i] && may(i) && widths[i] > floors[i])
            .max_by_key(|&i| widths[i] - floors[i]);
        match widest {
            Some(i) => widths[i] -= 1,
            None => return,
        }
    }
}

fn header_width(c: &Column) -> usize {
    match c.give {
        Give::Keep => display_width(c.header),
        _ => header_word(c),
    }
}

/// The longest word of a heading: headings wrap between words, never inside one.
fn header_word(c: &Column) -> usize {
    c.header.split(' ').map(display_width).max().unwrap_or(0)
}

/// A cell's text cut, shortened or wrapped to `width`.
fn lay_out(cell: &Cell, give: Give, width: usize, ellipsis: &str) -> String {
    match give {
        Give::Keep => with_tail(cell.text.clone(), cell.tail.as_deref(), usize::MAX),
        Give::Cut { .. } => with_tail(
            cut_end(&cell.text, width, ellipsis),
            cell.tail.as_deref(),
            width,
        ),
        Give::Url { .. } => with_tail(
            cut_middle(&cell.text, width, ellipsis),
            cell.tail.as_deref(),
            width,
        ),
        Give::Wrap { .. } => {
            let text = match &cell.tail {
                Some(t) => format!("{} {t}", cell.text),
                None => cell.text.clone(),
            };
            wrap(&text, width)
        }
    }
}

/// `text`, then `tail` on the same line when both fit in `width`, else on the next.
fn with_tail(text: String, tail: Option<&str>, width: usize) -> String {
    match tail {
        None => text,
        Some(t) if display_width(&text) + 1 + display_width(t) <= width => format!("{text} {t}"),
        Some(t) => format!("{text}\n{t}"),
    }
}

/// Wrapped between words to `width`; a word longer than that is broken.
fn wrap(text: &str, width: usize) -> String {
    let opts = textwrap::Options::new(width.max(1))
        .break_words(true)
        .word_splitter(textwrap::WordSplitter::NoHyphenation);
    textwrap::fill(text, opts)
}

/// The first characters of `text` that fit in `width` columns.
fn take_width(text: &str, width: usize) -> &str {
    let mut used = 0;
    for (i, c) in text.char_indices() {
        used += display_width(c.encode_utf8(&mut [0; 4]));
        if used > width {
            return &text[..i];
        }
    }
    text
}

/// The last characters of `text` that fit in `width` columns.
fn take_width_end(text: &str, width: usize) -> &str {
    let mut used = 0;
    for (i, c) in text.char_indices().rev() {
        used += display_width(c.encode_utf8(&mut [0; 4]));
        if used > width {
            return &text[i + c.len_utf8()..];
        }
    }
    text
}

/// `text` cut at the end to `width` columns, ending in `ellipsis` when cut.
pub fn cut_end(text: &str, width: usize, ellipsis: &str) -> String {
    if display_width(text) <= width {
        return text.to_string();
    }
    let room = width.saturating_sub(display_width(ellipsis));
    format!("{}{ellipsis}", take_width(text, room))
}

/// `text` shortened in the middle to `width` columns, keeping its start and its end.
pub fn cut_middle(text: &str, width: usize, ellipsis: &str) -> String {
    if display_width(text) <= width {
        return text.to_string();
    }
    let room = width.saturating_sub(display_width(ellipsis));
    let head = take_width(text, room - room / 2);
    let tail = take_width_end(text, room / 2);
    format!("{head}{ellipsis}{tail}")
}

/// `text` made safe for the terminal and wrapped between words to `width`.
pub fn fill(text: &str, width: u16, indent: &str, first: &str) -> String {
    let opts = textwrap::Options::new(usize::from(width).max(40))
        .break_words(false)
        .word_splitter(textwrap::WordSplitter::NoHyphenation)
        .initial_indent(first)
        .subsequent_indent(indent);
    textwrap::fill(&guard::terminal(text), opts)
}

/// Like [`fill`], breaking only at spaces: Windows paths (`\\server\share`) stay whole.
pub fn fill_at_spaces(text: &str, width: u16, indent: &str, first: &str) -> String {
    let opts = textwrap::Options::new(usize::from(width).max(40))
        .break_words(false)
        .word_separator(textwrap::WordSeparator::AsciiSpace)
        .word_splitter(textwrap::WordSplitter::NoHyphenation)
        .initial_indent(first)
        .subsequent_indent(indent);
    textwrap::fill(&guard::terminal(text), opts)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn render(grid: &Grid, width: u16) -> String {
        let layout = Layout {
            width,
            ..Layout::default()
        };
        grid.table(&layout).to_string()
    }

    fn widest(text: &str) -> usize {
        text.lines().map(display_width).max().unwrap_or(0)
    }

    fn sample() -> Grid {
        let mut grid = Grid::new(vec![
            Column::keep("status.reason").give(Give::Cut { soft: 24, hard: 14 }),
            Column::number("count"),
            Column::keep("when (UTC)").dropped(Drop::Early(1)),
            Column::keep("top URL")
                .give(Give::Url { soft: 26, hard: 12 })
                .dropped(Drop::Late(1)),
            Column::keep("meaning").give(Give::Wrap { soft: 30, hard: 20 }),
        ]);
        grid.row(vec![
            Cell::new("503.AppOffline"),
            Cell::new("108"),
            Cell::new("2026-11-18 11:40-11:44"),
            Cell::new("/api/orders/search/by-customer/12345").tail("(99)".into()),
            Cell::new(
                "Application pool taken offline: its worker process failed repeatedly (rapid-fail protection)",
            ),
        ]);
        grid
    }

    #[test]
    fn tables_fit_every_width_and_wrap_between_words() {
        for width in [60u16, 80, 100, 120, 200] {
            let text = render(&sample(), width);
            assert!(widest(&text) <= usize::from(width), "{width}:\n{text}");
            for word in ["Application", "offline:", "repeatedly", "(rapid-fail"] {
                assert!(text.contains(word), "{word} broken at {width}:\n{text}");
            }
        }
    }

    #[test]
    fn the_last_column_is_never_squeezed_to_a_letter() {
        let text = render(&sample(), 80);
        let meaning_lines = text.lines().filter(|l| l.contains("Application")).count();
        assert_eq!(meaning_lines, 1, "{text}");
        assert!(text.lines().count() < 12, "{text}");
    }

    #[test]
    fn a_column_is_dropped_when_nothing_else_gives() {
        let text = render(&sample(), 80);
        assert!(!text.contains("when"), "{text}");
        assert!(text.contains("top URL"), "{text}");
        let text = render(&sample(), 60);
        assert!(!text.contains("top URL"), "{text}");
        assert!(text.contains("meaning"), "{text}");
    }

    #[test]
    fn long_http_sys_reason_is_cut_not_wrapped() {
        let mut grid = sample();
        let reason = format!("400.{}", "R".repeat(100_000));
        grid.row(vec![
            Cell::new(&reason),
            Cell::new("1"),
            Cell::new("-"),
            Cell::new("-"),
            Cell::new(&reason),
        ]);
        let text = render(&grid, 120);
        assert!(text.len() < 4_000, "{} bytes", text.len());
        assert!(text.contains("400.RRR"), "{text}");
        assert!(widest(&text) <= 120, "{text}");
    }

    #[test]
    fn cells_show_escapes_instead_of_running_them() {
        let mut grid = sample();
        grid.row(vec![
            Cell::new("503.\u{1b}]0;title\u{7}"),
            Cell::new("1"),
            Cell::new("-"),
            Cell::new("/\u{1b}[2J\u{202e}"),
            Cell::new("x\r\ny"),
        ]);
        let text = render(&grid, 120);
        assert!(
            !text.contains(['\u{1b}', '\u{7}', '\r', '\u{202e}']),
            "{text}"
        );
        assert!(text.contains("\\x1b]0;title"), "{text}");
    }

    #[test]
    fn cuts_keep_start_and_end() {
        assert_eq!(
            cut_end("ApplicationRequestRouting", 10, "..."),
            "Applica..."
        );
        assert_eq!(cut_end("short", 10, "..."), "short");
        assert_eq!(
            cut_middle("/api/orders/search/by-customer", 16, "..."),
            "/api/or...stomer"
        );
        assert_eq!(cut_middle("/日本語/日本語", 9, "…"), "/日…本語");
    }
}
