//! The IIS native log format (`in*.log`, `ex*.log` of old IIS): comma-separated, fixed
//! fields, local time in `MM/DD/YY` form.
//!
//! Its records share the W3C field model, so the rest of iisdiag treats them alike. The
//! format has no substatus; the Windows status is there.

use std::io::{self, BufRead, BufReader, Read};

use super::w3c::{Layout, MALFORMED_SAMPLES, MAX_LINE, Malformed, Record, Stats, parse_u64};
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
pub fn read<R: Read, F: FnMut(&Record<'_>)>(reader: R, mut visit: F) -> io::Result<Stats> {
    let layout = Layout::parse(FIELDS.as_bytes());
    let mut reader = BufReader::with_capacity(1 << 20, reader);
    let mut stats = Stats {
        local_time: true,
        notes: vec!["IIS native format: times are the server's local time, not UTC".into()],
        ..Stats::default()
    };
    let mut buf = Vec::new();
    let mut spans = Vec::new();
    let mut line_no = 0u64;
    loop {
        buf.clear();
        let Some(end) = read_line(&mut reader, &mut buf, MAX_LINE)? else {
            break;
        };
        line_no += 1;
        if end.too_long {
            stats.malformed += 1;
            if stats.malformed_samples.len() < MALFORMED_SAMPLES {
                stats.malformed_samples.push(Malformed {
                    line: line_no,
                    reason: format!("line longer than {} MiB, skipped", MAX_LINE >> 20),
                });
            }
            continue;
        }
        let terminated = end.terminated;
        let line = buf.strip_suffix(b"\n").unwrap_or(&buf);
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        split(line, &mut spans);
        let parsed = parse(line, &spans);
        match parsed {
            Ok((triple, t, taken)) => {
                stats.records += 1;
                visit(&Record::from_parts(
                    line,
                    &spans,
                    &layout,
                    line_no,
                    Some(triple),
                    t,
                    taken,
                ));
            }
            Err(reason) if !terminated => stats.notes.push(format!(
                "the last line ({line_no}) is cut off mid-write and was left out ({reason})"
            )),
            Err(reason) => {
                stats.malformed += 1;
                if stats.malformed_samples.len() < MALFORMED_SAMPLES {
                    stats.malformed_samples.push(Malformed {
                        line: line_no,
                        reason,
                    });
                }
            }
        }
    }
    Ok(stats)
}

/// How a line read by [`read_line`] ended.
struct LineEnd {
    /// It ended with `\n` (not at the end of the data).
    terminated: bool,
    /// It was longer than the cap; what was kept of it is not the whole line.
    too_long: bool,
}

/// Reads the next line, `\n` included, into `buf` without letting `buf` grow past `max`:
/// the rest of a longer line is read and dropped. `None` at the end of the data.
fn read_line<R: BufRead>(
    reader: &mut R,
    buf: &mut Vec<u8>,
    max: usize,
) -> io::Result<Option<LineEnd>> {
    let mut seen = false;
    let mut too_long = false;
    loop {
        let available = match reader.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            return Ok(seen.then_some(LineEnd {
                terminated: false,
                too_long,
            }));
        }
        seen = true;
        let (take, found) = match memchr::memchr(b'\n', available) {
            Some(i) => (i + 1, true),
            None => (available.len(), false),
        };
        let room = max.saturating_sub(buf.len());
        if take > room {
            too_long = true;
        }
        buf.extend_from_slice(&available[..take.min(room)]);
        reader.consume(take);
        if found {
            return Ok(Some(LineEnd {
                terminated: true,
                too_long,
            }));
        }
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
    let status = u16::try_from(num(10, "the status")?)
        .map_err(|_| "the status is out of range".to_string())?;
    let win32 = num(11, "the Windows status")?;
    let taken = parse_u64(field(line, spans, 7));
    let day = parse_date(field(line, spans, 2)).ok_or("the date is not MM/DD/YY")?;
    let ms = parse_clock(field(line, spans, 3)).ok_or("the time is not H:MM:SS")?;
    Ok((
        Triple::new(status, None, Some(win32)),
        Some(time::at(day, ms)),
        taken,
    ))
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
        text.extend(std::iter::repeat_n(b'x', MAX_LINE + 10));
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
    fn lines_are_capped_at_any_buffer_boundary() {
        // A tiny BufReader puts line ends at every position relative to its buffer.
        let text = b"abcdef\nxy\nabcdefghij\nz";
        for capacity in 1..8 {
            let mut reader = io::BufReader::with_capacity(capacity, &text[..]);
            let mut buf = Vec::new();
            let mut got = Vec::new();
            while let Some(end) = read_line(&mut reader, &mut buf, 8).unwrap() {
                got.push((
                    String::from_utf8_lossy(&buf).into_owned(),
                    end.terminated,
                    end.too_long,
                ));
                buf.clear();
            }
            assert_eq!(
                got,
                [
                    ("abcdef\n".to_string(), true, false),
                    ("xy\n".to_string(), true, false),
                    ("abcdefgh".to_string(), true, true),
                    ("z".to_string(), false, false),
                ],
                "capacity {capacity}"
            );
        }
    }

    #[test]
    fn short_lines_are_malformed() {
        let stats = read(&b"1.1.1.1, -, 03/20/01, 7:55:20\n"[..], |_| {}).unwrap();
        assert_eq!(stats.malformed, 1);
        assert!(!looks_like_native(b"2026-01-01 00:00:00 GET / 200"));
    }
}
