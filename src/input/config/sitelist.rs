//! Reader for a site list: a CSV with one row per site, such as the `SiteOverview.csv` that
//! Microsoft support's LogCatcher puts in its bundle, or what `Get-Website | Export-Csv`
//! writes. No public sample or column list of LogCatcher's file could be found, so the file
//! is read by its header row: a column named `ID` or `Site ID` and one named `Name` or
//! `Site Name` (case, spaces, `_` and `-` aside) make it a site list, whatever else it holds.
//! PowerShell's `#TYPE ...` first line is looked past.

use std::io::Read;

use crate::input::lines::Stats;
use crate::input::xml::push_capped;

use super::VALUE_MAX;

/// The most of a site list read; real ones are a few KiB.
pub const MAX_BYTES: u64 = 16 << 20;
/// Most rows kept.
pub const MAX_SITES: usize = super::LIST_MAX;

/// One row: a site's id and name, and the line it is on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedSite {
    pub id: u32,
    pub name: String,
    pub line: u64,
}

/// A header cell reduced to letters and digits, lower case: `Site ID` -> `siteid`.
fn folded(cell: &[u8]) -> String {
    cell.iter()
        .filter(|b| b.is_ascii_alphanumeric())
        .map(|b| b.to_ascii_lowercase() as char)
        .collect()
}

fn is_id(cell: &[u8]) -> bool {
    matches!(folded(cell).as_str(), "id" | "siteid")
}

fn is_name(cell: &[u8]) -> bool {
    matches!(folded(cell).as_str(), "name" | "sitename")
}

/// The text after a BOM and PowerShell's `#TYPE` line.
fn body(text: &[u8]) -> &[u8] {
    let text = text.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(text);
    let text = text.trim_ascii_start();
    if text.starts_with(b"#TYPE ") {
        return match memchr::memchr(b'\n', text) {
            Some(at) => text.get(at + 1..).unwrap_or_default(),
            None => b"",
        };
    }
    text
}

/// The cells of a header line (a CSV header has no line breaks in its names).
fn header_cells(line: &[u8]) -> impl Iterator<Item = &[u8]> {
    line.split(|&b| b == b',').map(|c| {
        let c = c.trim_ascii();
        let c = c.strip_prefix(b"\"").unwrap_or(c);
        c.strip_suffix(b"\"").unwrap_or(c)
    })
}

/// Whether a file's first bytes are a site list: its header row names a site id column and a
/// site name column.
pub fn looks_like_site_list(head: &[u8]) -> bool {
    let text = body(head);
    let Some(line) = text
        .split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .find(|l| !l.trim_ascii().is_empty())
    else {
        return false;
    };
    if line.starts_with(b"#") || !line.contains(&b',') {
        return false;
    }
    header_cells(line).any(is_id) && header_cells(line).any(is_name)
}

/// Reads a site list, calling `visit` for each row with a site id and name. A row whose id is
/// no number is counted as malformed, with its line. Only I/O errors are returned.
pub fn read_site_list<R: Read>(
    reader: R,
    mut visit: impl FnMut(ListedSite),
) -> std::io::Result<Stats> {
    let mut bytes = Vec::new();
    reader.take(MAX_BYTES + 1).read_to_end(&mut bytes)?;
    let mut stats = Stats::default();
    if bytes.len() as u64 > MAX_BYTES {
        bytes.truncate(MAX_BYTES as usize);
        stats.notes.push(format!(
            "larger than {} MiB: only the first {} MiB were read",
            MAX_BYTES >> 20,
            MAX_BYTES >> 20
        ));
    }
    let skipped_lines = {
        let all = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
        let rest = body(all);
        all.get(..all.len() - rest.len()).map_or(0, |before| {
            before.iter().filter(|&&b| b == b'\n').count() as u64
        })
    };
    let text = body(&bytes);
    let mut csv = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(false)
        .from_reader(text);
    // The csv crate's line numbers are off by one in CRLF text, where a row's position is the
    // `\n` that ends the row before it: lines are counted here, up to and with that byte.
    let mut counted = (0usize, 1 + skipped_lines);
    let mut line_at = |byte: u64| {
        let byte = usize::try_from(byte)
            .unwrap_or(usize::MAX)
            .saturating_add(1)
            .min(text.len());
        let (from, line) = counted;
        let more = text
            .get(from..byte)
            .map_or(0, |b| b.iter().filter(|&&c| c == b'\n').count() as u64);
        counted = (byte.max(from), line + more);
        counted.1
    };
    let mut columns: Option<(usize, usize)> = None;
    let mut kept = 0usize;
    for row in csv.byte_records() {
        let row = match row {
            Ok(row) => row,
            Err(e) => {
                let line = e.position().map_or(0, |p| line_at(p.byte()));
                stats.malformed(line, || format!("not a CSV row ({e})"));
                continue;
            }
        };
        let line = row.position().map_or(0, |p| line_at(p.byte()));
        stats.lines = line;
        let Some((id_at, name_at)) = columns else {
            let id = row.iter().position(is_id);
            let name = row.iter().position(is_name);
            match (id, name) {
                (Some(i), Some(n)) => columns = Some((i, n)),
                _ => {
                    stats.notes.push(format!(
                        "line {line}: no `ID` and `Name` columns in the header row; nothing read"
                    ));
                    return Ok(stats);
                }
            }
            continue;
        };
        let id = row
            .get(id_at)
            .and_then(|c| std::str::from_utf8(c).ok())
            .and_then(|c| c.trim().parse::<u32>().ok());
        let name = row.get(name_at).map(String::from_utf8_lossy);
        match (id, name) {
            (Some(id), Some(name)) if !name.trim().is_empty() => {
                if kept == MAX_SITES {
                    stats.notes.push(format!(
                        "more than {MAX_SITES} sites: the rest were not read"
                    ));
                    break;
                }
                kept += 1;
                let mut kept_name = String::new();
                push_capped(&mut kept_name, name.trim(), VALUE_MAX);
                stats.records += 1;
                visit(ListedSite {
                    id,
                    name: kept_name,
                    line,
                });
            }
            _ => stats.malformed(line, || {
                "no site id (a number) or no site name in this row".into()
            }),
        }
    }
    Ok(stats)
}
