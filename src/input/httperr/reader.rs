//! The HTTPERR reader on the shared line loop ([`crate::input::lines`]): NUL padding and
//! stray byte order marks passed over, `#Fields:` lines applied, data lines parsed against the
//! layout in force.

use std::io::{self, Read};

use super::BOM;
use super::problems::Note;
use super::record::{Field, HttpErrRecord, Layout, parse_record};
use super::sniff::directive;
use crate::input::lines::{self, Stats};

/// Per-file state between lines, and the caller's visitor.
struct Parser<F> {
    layout: Option<Layout>,
    /// Lines before the ones read (a file read on as it grows): line numbers count from here.
    first_line: u64,
    stats: Stats,
    nul_lines: u64,
    visit: F,
}

impl<F: FnMut(&HttpErrRecord<'_>)> lines::Sink for Parser<F> {
    fn line(&mut self, line: &[u8], line_no: u64, unterminated: bool) {
        let line_no = line_no + self.first_line;
        let mut line = line;
        if line.first() == Some(&0) {
            self.nul_lines += 1;
            let text = line.iter().position(|&b| b != 0).unwrap_or(line.len());
            line = &line[text..];
        }
        // Not only at the start of the file: copies are concatenated, padding comes first.
        line = line.strip_prefix(BOM).unwrap_or(line);
        let Some(&first) = line.first() else {
            return;
        };
        if first.is_ascii_whitespace() && line.trim_ascii().is_empty() {
            return;
        }
        if first == b'#' {
            self.directive(line, line_no);
            return;
        }
        if self.layout.is_none() {
            self.note(Note::ClassicLayoutAssumed { line: line_no });
            self.layout = Some(Layout::classic());
        }
        let Some(layout) = &self.layout else {
            return;
        };
        match parse_record(layout, line, line_no) {
            Ok(rec) => {
                self.stats.records += 1;
                (self.visit)(&rec);
            }
            Err(fault) if unterminated => self.note(Note::LastLineCut {
                line: line_no,
                problem: fault.to_problem(),
            }),
            Err(fault) => self
                .stats
                .malformed(line_no, || fault.to_problem().to_string()),
        }
    }

    fn too_long(&mut self, line_no: u64) {
        self.stats
            .malformed(line_no + self.first_line, lines::too_long);
    }

    fn cr_only(&mut self) {
        self.stats.notes.push(lines::cr_only_note());
    }
}

impl<F> Parser<F> {
    fn note(&mut self, note: Note) {
        self.stats.notes.push(note.to_string());
    }

    fn directive(&mut self, line: &[u8], line_no: u64) {
        let Some(value) = directive(line, b"#Fields:") else {
            return;
        };
        self.stats.header_blocks += 1;
        let layout = Layout::parse(value);
        if layout.columns.is_empty() {
            self.note(Note::EmptyFields { line: line_no });
            return;
        }
        if self.layout.as_ref() == Some(&layout) {
            return;
        }
        if !layout.columns.contains(&Some(Field::Reason)) {
            self.note(Note::NoReasonField { line: line_no });
        }
        self.layout = Some(layout);
    }
}

/// Reads an HTTPERR log, calling `visit` for every record in file order.
///
/// Problems in the data never stop the read: malformed lines are counted (the first few
/// with their line numbers), oddities become notes. Only I/O errors are returned.
pub fn read_httperr<R: Read>(
    reader: R,
    visit: impl FnMut(&HttpErrRecord<'_>),
) -> io::Result<Stats> {
    let mut parser = Parser {
        layout: None,
        first_line: 0,
        stats: Stats::default(),
        nul_lines: 0,
        visit,
    };
    parser.stats.lines = lines::read(reader, lines::Start::File { skip_bom: false }, &mut parser)?;
    if parser.nul_lines > 0 {
        let lines = parser.nul_lines;
        parser.note(Note::NulPadding { lines });
    }
    Ok(parser.stats)
}

/// The layout in force after the lines of a growing file read so far (`iisdiag watch`).
#[derive(Debug, Clone, Default)]
pub struct Resume {
    layout: Option<Layout>,
}

/// Reads whole lines appended to an HTTPERR log: `resume` holds the layout the lines before
/// them declared, and takes the one these declare. `at_start`: the bytes start at the file's
/// first byte; `first_line`: lines before them, so a malformed line is named by its line in
/// the file.
pub fn read_more(
    bytes: &[u8],
    resume: &mut Resume,
    at_start: bool,
    first_line: u64,
    visit: impl FnMut(&HttpErrRecord<'_>),
) -> Stats {
    let mut parser = Parser {
        layout: resume.layout.take(),
        first_line,
        stats: Stats::default(),
        nul_lines: 0,
        visit,
    };
    let start = if at_start {
        lines::Start::File { skip_bom: false }
    } else {
        lines::Start::Part
    };
    // Reading a slice cannot fail.
    parser.stats.lines = lines::read(bytes, start, &mut parser).unwrap_or(0);
    if parser.nul_lines > 0 {
        let lines = parser.nul_lines;
        parser.note(Note::NulPadding { lines });
    }
    resume.layout = parser.layout;
    parser.stats
}
