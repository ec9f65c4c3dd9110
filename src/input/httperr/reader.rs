//! The reader loop: lines found in a reused buffer, directives applied, data lines parsed
//! against the layout in force.

use std::io::{self, Read};

use memchr::memchr;

use super::problems::{Note, Problem};
use super::record::{Field, HttpErrRecord, Layout, parse_record};
use super::sniff::{directive, tokens};
use super::{BOM, HttpErrStats, MALFORMED_KEPT, MAX_LINE, MalformedLine, READ_SIZE};

/// Per-file state between lines.
struct Parser {
    layout: Option<Layout>,
    stats: HttpErrStats,
    nul_lines: u64,
}

impl Parser {
    fn malformed(&mut self, line: u64, problem: impl FnOnce() -> Problem) {
        self.stats.malformed += 1;
        if self.stats.first_malformed.len() < MALFORMED_KEPT {
            self.stats.first_malformed.push(MalformedLine {
                line,
                problem: problem(),
            });
        }
    }

    /// One line without its `\n`. `terminated` is false only for a last line that had none.
    fn line(&mut self, line: &[u8], terminated: bool, visit: &mut impl FnMut(&HttpErrRecord<'_>)) {
        self.stats.lines += 1;
        let line_no = self.stats.lines;
        let mut line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.first() == Some(&0) {
            self.nul_lines += 1;
            let text = line.iter().position(|&b| b != 0).unwrap_or(line.len());
            line = &line[text..];
        }
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
            self.stats
                .notes
                .push(Note::ClassicLayoutAssumed { line: line_no });
            self.layout = Some(Layout::classic());
        }
        let Some(layout) = &self.layout else {
            return;
        };
        match parse_record(layout, line, line_no) {
            Ok(rec) => {
                self.stats.records += 1;
                visit(&rec);
            }
            Err(fault) if !terminated => self.stats.notes.push(Note::LastLineCut {
                line: line_no,
                problem: fault.to_problem(),
            }),
            Err(fault) => self.malformed(line_no, || fault.to_problem()),
        }
    }

    fn directive(&mut self, line: &[u8], line_no: u64) {
        let Some(value) = directive(line, b"#Fields:") else {
            return;
        };
        self.stats.header_blocks += 1;
        let layout = Layout::parse(value);
        if layout.columns.is_empty() {
            self.stats.notes.push(Note::EmptyFields { line: line_no });
            return;
        }
        if self.layout.as_ref() == Some(&layout) {
            return;
        }
        if !layout.columns.contains(&Some(Field::Reason)) {
            self.stats.notes.push(Note::NoReasonField { line: line_no });
        }
        let names = tokens(value)
            .map(String::from_utf8_lossy)
            .collect::<Vec<_>>()
            .join(" ");
        if !self.stats.field_sets.contains(&names) {
            self.stats.field_sets.push(names);
        }
        self.layout = Some(layout);
    }

    fn finish(mut self) -> HttpErrStats {
        if self.nul_lines > 0 {
            self.stats.notes.push(Note::NulPadding {
                lines: self.nul_lines,
            });
        }
        self.stats
    }
}

/// Reads an HTTPERR log, calling `visit` for every record in file order.
///
/// Problems in the data never stop the read: malformed lines are counted (the first few
/// with their line numbers), oddities become notes. Only I/O errors are returned.
pub fn read_httperr<R: Read>(
    mut reader: R,
    mut visit: impl FnMut(&HttpErrRecord<'_>),
) -> io::Result<HttpErrStats> {
    let mut parser = Parser {
        layout: None,
        stats: HttpErrStats::default(),
        nul_lines: 0,
    };
    let mut buf = vec![0u8; READ_SIZE];
    // Unprocessed bytes are buf[start..end]; `scanned` bytes of them are known to hold no '\n'.
    let (mut start, mut end, mut scanned) = (0usize, 0usize, 0usize);
    // Inside a line already reported as too long, discarding until its end.
    let mut skipping = false;
    loop {
        while let Some(nl) = buf.get(start + scanned..end).and_then(|b| memchr(b'\n', b)) {
            let line_end = start + scanned + nl;
            if skipping {
                skipping = false;
            } else if let Some(line) = buf.get(start..line_end) {
                parser.line(line, true, &mut visit);
            }
            start = line_end + 1;
            scanned = 0;
        }
        scanned = end - start;
        if start > 0 {
            buf.copy_within(start..end, 0);
            end -= start;
            start = 0;
        }
        if end == buf.len() {
            if skipping {
                end = 0;
                scanned = 0;
            } else if buf.len() >= MAX_LINE {
                parser.stats.lines += 1;
                let line = parser.stats.lines;
                parser.malformed(line, || Problem::TooLong { bytes: end });
                skipping = true;
                end = 0;
                scanned = 0;
            } else {
                buf.resize(buf.len() * 2, 0);
            }
        }
        let n = match reader.read(&mut buf[end..]) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if n == 0 {
            if !skipping && end > start {
                if let Some(line) = buf.get(start..end) {
                    parser.line(line, false, &mut visit);
                }
            }
            return Ok(parser.finish());
        }
        end += n;
    }
}
