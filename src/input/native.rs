//! The IIS native log format (`in*.log`, `ex*.log` of old IIS): comma-separated, fixed
//! fields, local time in `MM/DD/YY` form.
//!
//! Its records share the W3C field model, so the rest of iisdiag treats them alike. The
//! format has no substatus; the Windows status is there.

use std::io::{self, Read};

use super::lines::{self, Stats};
use super::w3c::{Layout, Record, parse_u64};
use crate::time;
use crate::triple::Triple;

/// The fifteen fields of the native format, as W3C names.
const FIELDS: &str = "c-ip cs-username date time s-sitename s-computername s-ip time-taken cs-bytes sc-bytes sc-status sc-win32-status cs-method cs-uri-stem cs-uri-query";
const N: usize = 15;

/// Whether a line looks like a native-format record: fifteen comma-separated values with a
/// `MM/DD/YY` date third and numeric status and Windows status.
pub fn looks_like_native(line: &[u8]) -> bool {
    let mut spans = Vec::new();
    split(line, &mut spans);
    spans.len() == N
        && parse_date(field(line, &spans, 2)).is_some()
        && parse_u64(field(line, &spans, 10)).is_some()
        && parse_u64(field(line, &spans, 11)).is_some()
}

/// Reads a native-format log, calling `visit` for every line that parses.
pub fn read<R: Read, F: FnMut(&Record<'_>)>(reader: R, visit: F) -> io::Result<Stats> {
    let layout = Layout::parse(FIELDS.as_bytes());
    let mut native = Native {
        layout: &layout,
        spans: Vec::new(),
        stats: Stats {
            notes: vec!["IIS native format: times are the server's local time, not UTC".into()],
            ..Stats::default()
        },
        visit,
    };
    native.stats.lines = lines::read(reader, lines::Start::File { skip_bom: false }, &mut native)?;
    Ok(native.stats)
}

/// What the shared line loop feeds: the fixed layout, a reused split of the line, the stats.
struct Native<'l, F> {
    layout: &'l Layout,
    spans: Vec<(u32, u32)>,
    stats: Stats,
    visit: F,
}

impl<F: FnMut(&Record<'_>)> lines::Sink for Native<'_, F> {
    fn line(&mut self, line: &[u8], number: u64, unterminated: bool) {
        if line.iter().all(u8::is_ascii_whitespace) {
            return;
        }
        split(line, &mut self.spans);
        match parse(line, &self.spans) {
            Ok((triple, t, taken)) => {
                self.stats.records += 1;
                (self.visit)(&Record::from_parts(
                    line,
                    &self.spans,
                    self.layout,
                    number,
                    Some(triple),
                    t,
                    taken,
                ));
            }
            Err(reason) if unterminated => self.stats.notes.push(format!(
                "the last line ({number}) is cut off mid-write and was left out ({reason})"
            )),
            Err(reason) => self.stats.malformed(number, || reason),
        }
    }

    fn too_long(&mut self, number: u64) {
        self.stats.malformed(number, lines::too_long);
    }

    fn cr_only(&mut self) {
        self.stats.notes.push(lines::cr_only_note());
    }
}

type Parsed = (Triple, Option<time::Millis>, Option<u64>);

fn parse(line: &[u8], spans: &[(u32, u32)]) -> Result<Parsed, String> {
    if spans.len() != N {
        return Err(format!(
            "{} fields where the native format has {N}",
            spans.len()
        ));
    }
    let num = |i: usize, what: &str| {
        let v = field(line, spans, i);
        parse_u64(v)
            .ok_or_else(|| format!("{what} is `{}`, not a number", String::from_utf8_lossy(v)))
    };
    let status = num(10, "the status")?;
    let win32 = num(11, "the Windows status")?;
    // The same rule as W3C lines: a status outside 100..=999 or a win32 past 32 bits is damage.
    let triple = Triple::checked(status, None, Some(win32)).map_err(|e| e.to_string())?;
    let taken = parse_u64(field(line, spans, 7));
    let day = parse_date(field(line, spans, 2)).ok_or("the date is not MM/DD/YY")?;
    let ms = parse_clock(field(line, spans, 3)).ok_or("the time is not H:MM:SS")?;
    Ok((triple, Some(time::at(day, ms)), taken))
}

/// Values separated by commas, each trimmed of spaces; the line's trailing comma ends it.
fn split(line: &[u8], spans: &mut Vec<(u32, u32)>) {
    spans.clear();
    let body = line.trim_ascii_end();
    let body = body.strip_suffix(b",").unwrap_or(body);
    let mut start = 0usize;
    let mut push = |a: usize, b: usize| {
        let mut a = a;
        let mut b = b;
        while a < b && body[a] == b' ' {
            a += 1;
        }
        while b > a && body[b - 1] == b' ' {
            b -= 1;
        }
        spans.push((a as u32, b as u32));
    };
    for i in memchr::memchr_iter(b',', body) {
        push(start, i);
        start = i + 1;
    }
    push(start, body.len());
}

fn field<'a>(line: &'a [u8], spans: &[(u32, u32)], i: usize) -> &'a [u8] {
    spans
        .get(i)
        .and_then(|&(a, b)| line.get(a as usize..b as usize))
        .unwrap_or_default()
}

/// `MM/DD/YY` (years 70-99 are 19xx) or `MM/DD/YYYY`, as days since the epoch.
fn parse_date(v: &[u8]) -> Option<i64> {
    let text = std::str::from_utf8(v).ok()?;
    let mut parts = text.split('/');
    let m: u32 = parts.next()?.parse().ok()?;
    let d: u32 = parts.next()?.parse().ok()?;
    let y_text = parts.next()?;
    let y: u32 = y_text.parse().ok()?;
    if parts.next().is_some() {
        return None;
    }
    let year = match y_text.len() {
        2 if y >= 70 => 1900 + y,
        2 => 2000 + y,
        4 => y,
        _ => return None,
    };
    time::parse_date(format!("{year:04}-{m:02}-{d:02}").as_bytes())
}

/// `H:MM:SS` as milliseconds of the day.
fn parse_clock(v: &[u8]) -> Option<i64> {
    if v.len() == 7 {
        let mut padded = [b'0'; 8];
        padded[1..].copy_from_slice(v);
        time::parse_time(&padded)
    } else {
        time::parse_time(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::w3c::Field;

    #[test]
    fn reads_the_documented_sample_shape() {
        let text = b"192.168.114.201, -, 03/20/01, 7:55:20, W3SVC2, SERVER, 172.21.13.45, 4502, 163, 3223, 200, 0, GET, /DeptLogo.gif, -,\r\n10.0.0.1, -, 03/20/01, 7:57:20, W3SVC2, SERVER, 172.21.13.45, 411, 221, 1967, 404, 2, GET, /missing.gif, -,\r\n";
        let mut seen = Vec::new();
        let stats = read(&text[..], |r| {
            seen.push((
                r.triple,
                r.time_taken_ms,
                r.get(Field::SiteName).map(<[u8]>::to_vec),
            ));
        })
        .unwrap();
        assert_eq!(stats.records, 2);
        assert_eq!(seen[1].0, Some(Triple::new(404, None, Some(2))));
        assert_eq!(seen[0].1, Some(4502));
        assert_eq!(seen[0].2.as_deref(), Some(&b"W3SVC2"[..]));
        assert!(looks_like_native(
            &text[..text.iter().position(|&b| b == b'\n').unwrap()]
        ));
    }

    #[test]
    fn overlong_line_is_skipped_not_buffered() {
        let good = "1.1.1.1, -, 03/20/01, 7:55:20, W3SVC2, SERVER, 1.1.1.2, 4502, 163, 3223, 404, 2, GET, /a.gif, -,\n";
        let mut text = good.as_bytes().to_vec();
        text.extend(std::iter::repeat_n(b'x', lines::MAX_LINE + 10));
        text.extend(b"\n");
        text.extend(good.as_bytes());
        let mut lines = Vec::new();
        let stats = read(&text[..], |r| lines.push(r.line)).unwrap();
        assert_eq!(lines, [1, 3]);
        assert_eq!(stats.malformed, 1);
        assert!(
            stats.malformed_samples[0]
                .reason
                .contains("longer than 4 MiB")
        );
    }

    #[test]
    fn status_1000_and_win32_past_u32_are_malformed_lines() {
        let line = |status: &str, win32: &str| {
            format!(
                "1.1.1.1, -, 03/20/01, 7:55:20, W3SVC2, SERVER, 1.1.1.2, 45, 163, 3223, {status}, {win32}, GET, /a.gif, -,\n"
            )
        };
        let text = [
            line("1000", "0"),
            line("99", "0"),
            line("500", "4294967296"),
            line("500", "4294967295"),
        ]
        .concat();
        let mut seen = Vec::new();
        let stats = read(text.as_bytes(), |r| seen.push(r.line)).unwrap();
        assert_eq!(seen, [4]);
        let reasons: Vec<&str> = stats
            .malformed_samples
            .iter()
            .map(|m| m.reason.as_str())
            .collect();
        assert_eq!(
            reasons,
            [
                "sc-status 1000 is not an HTTP status (100 to 999)",
                "sc-status 99 is not an HTTP status (100 to 999)",
                "sc-win32-status 4294967296 is past 4294967295: not a Win32, HRESULT or NTSTATUS value",
            ]
        );
    }

    #[test]
    fn short_lines_are_malformed() {
        let stats = read(&b"1.1.1.1, -, 03/20/01, 7:55:20\n"[..], |_| {}).unwrap();
        assert_eq!(stats.malformed, 1);
        assert!(!looks_like_native(b"2026-01-01 00:00:00 GET / 200"));
    }
}
