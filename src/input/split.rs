//! Reading one large W3C log on several threads: the file is cut at line boundaries into
//! parts that are read at the same time, each with the `#Fields:` layout in force where it
//! starts.
//!
//! That layout is known only once the parts before are read, so parts are read
//! speculatively with the layout of the file's first header block. Then, in file order, each
//! part's assumption is checked against what the part before it left in force (its own last
//! `#Fields:` and `#Date:` lines, or what was in force at its start); only a part that assumed
//! wrongly is read again. A file restarted with the same fields, the common case, is read once.
//!
//! Line numbers: malformed-line samples and notes in the returned [`Stats`] are true file line
//! numbers. A record's `line` counts from the start of its part; add the part's `first_line`
//! (returned with the part's result) for the file line number.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;

use memchr::memchr;
use rayon::prelude::*;

use super::w3c::{self, Context, Facts, Layout, Placed, Record, Stats};
use crate::time;

/// The smallest part worth a thread of its own.
pub const MIN_PART: u64 = 8 << 20;
/// How far into a file its first header block is looked for.
const HEAD: usize = 64 << 10;

/// How many parts a file of `len` bytes is read in by `threads` threads: a few per thread,
/// so a thread that finishes early (other files, a re-read part) takes over work.
pub fn part_count(len: u64, threads: usize) -> usize {
    if threads < 2 {
        return 1;
    }
    usize::try_from(len / MIN_PART)
        .unwrap_or(usize::MAX)
        .clamp(1, threads * 4)
}

/// What a part's reader made, and the number of lines before the part.
pub struct PartResult<S> {
    pub state: S,
    /// Add to a record's `line` for its file line number.
    pub first_line: u64,
}

/// Reads the W3C log at `path` in `parts` parts at once. `init` makes each part's state and
/// `visit` adds a record to it; the states come back in file order with the file's stats.
pub fn read<S, I, V>(
    path: &Path,
    parts: usize,
    init: I,
    visit: V,
) -> io::Result<(Vec<PartResult<S>>, Stats)>
where
    S: Send,
    I: Fn() -> S + Sync,
    V: Fn(&mut S, &Record<'_>) + Sync,
{
    let len = File::open(path)?.metadata()?.len();
    let offsets: Vec<u64> = (1..parts as u64).map(|k| len / parts as u64 * k).collect();
    read_at(path, &offsets, init, visit)
}

/// [`read`], cutting near the given byte offsets (each moved to the next line start).
pub(crate) fn read_at<S, I, V>(
    path: &Path,
    offsets: &[u64],
    init: I,
    visit: V,
) -> io::Result<(Vec<PartResult<S>>, Stats)>
where
    S: Send,
    I: Fn() -> S + Sync,
    V: Fn(&mut S, &Record<'_>) + Sync,
{
    let mut file = File::open(path)?;
    let speculative = head_context(&mut file)?;
    let bounds = match &speculative {
        Some(_) => boundaries(&mut file, offsets)?,
        None => Vec::new(),
    };
    let Some(speculative) = speculative.filter(|_| bounds.len() > 2) else {
        // No header block at the top (the layout must be inferred from the data), or too
        // small to cut: read it whole.
        let mut state = init();
        let stats = w3c::read(file_from(path, 0)?, |r| visit(&mut state, r))?;
        let whole = PartResult {
            state,
            first_line: 0,
        };
        return Ok((vec![whole], stats));
    };
    let last = bounds.len() - 2;
    let read_one = |k: usize, context: Context| -> io::Result<(S, w3c::Part)> {
        let mut state = init();
        let reader = file_from(path, bounds[k])?;
        let part = if k == last {
            // The last part reads to the end, as a whole read would if the file grew.
            w3c::read_part(reader, context, k == 0, |r| visit(&mut state, r))?
        } else {
            let reader = reader.take(bounds[k + 1] - bounds[k]);
            w3c::read_part(reader, context, k == 0, |r| visit(&mut state, r))?
        };
        Ok((state, part))
    };
    let mut results = (0..=last)
        .into_par_iter()
        .map(|k| {
            let context = if k == 0 {
                Context::default()
            } else {
                speculative.clone()
            };
            read_one(k, context)
        })
        .collect::<io::Result<Vec<_>>>()?;

    // In file order: what was really in force where each part starts, and where it sits.
    let mut in_force = Context::default();
    let mut layout_line = None;
    let mut first_line = 0;
    let mut places = Vec::with_capacity(results.len());
    let mut wrong = Vec::new();
    for (k, (_, part)) in results.iter().enumerate() {
        if k > 0 && !part.reads_alike(&speculative, &in_force) {
            wrong.push((k, in_force.clone()));
        }
        places.push(Placed {
            first_line,
            layout_line,
        });
        if let Some((layout, line)) = &part.last_fields {
            in_force.layout = Some(layout.clone());
            layout_line = Some(first_line + line);
        }
        if let Some(day) = part.last_day {
            in_force.day = day;
        }
        first_line += part.lines;
    }
    let reread = wrong
        .into_par_iter()
        .map(|(k, context)| read_one(k, context).map(|r| (k, r)))
        .collect::<io::Result<Vec<_>>>()?;
    for (k, r) in reread {
        results[k] = r;
    }

    let mut states = Vec::with_capacity(results.len());
    let mut facts = Vec::with_capacity(results.len());
    for ((state, part), placed) in results.into_iter().zip(places) {
        states.push(PartResult {
            state,
            first_line: placed.first_line,
        });
        facts.push((part.facts, placed));
    }
    Ok((states, Facts::join(facts)))
}

fn file_from(path: &Path, offset: u64) -> io::Result<File> {
    let mut file = File::open(path)?;
    file.seek(SeekFrom::Start(offset))?;
    Ok(file)
}

/// The context the file's first header block sets up, if the file starts with one (only
/// blank lines and directives before its first data line, and a `#Fields:` line among them).
fn head_context(file: &mut File) -> io::Result<Option<Context>> {
    let mut head = Vec::with_capacity(HEAD);
    file.seek(SeekFrom::Start(0))?;
    file.take(HEAD as u64).read_to_end(&mut head)?;
    let mut context = Context::default();
    let body = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&head);
    // Only whole lines: the last one may be cut by the head's end.
    let whole = body
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(&body[..0], |i| &body[..i]);
    for line in whole.split(|&b| b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        if line[0] != b'#' {
            break;
        }
        let (name, value) = match memchr(b':', line) {
            Some(i) => (&line[1..i], &line[i + 1..]),
            None => (&line[1..], &b""[..]),
        };
        if name.eq_ignore_ascii_case(b"Fields") {
            context.layout = Some(Layout::parse(value));
        } else if name.eq_ignore_ascii_case(b"Date") || name.eq_ignore_ascii_case(b"Start-Date") {
            context.day = time::parse_header_date(value).map(time::day_of);
        }
    }
    Ok(context.layout.is_some().then_some(context))
}

/// Part starts: 0, then each offset moved to the start of the line after the first `\n` at or
/// past `offset - 1`, then the file length. Empty parts are dropped.
fn boundaries(file: &mut File, offsets: &[u64]) -> io::Result<Vec<u64>> {
    let len = file.metadata()?.len();
    let mut bounds = vec![0u64];
    let mut buf = vec![0u8; 64 << 10];
    for &offset in offsets {
        let mut pos = offset.saturating_sub(1).max(*bounds.last().unwrap_or(&0));
        let start = loop {
            if pos >= len {
                break len;
            }
            file.seek(SeekFrom::Start(pos))?;
            let n = file.read(&mut buf)?;
            if n == 0 {
                break len;
            }
            match memchr(b'\n', &buf[..n]) {
                Some(i) => break pos + i as u64 + 1,
                None => pos += n as u64,
            }
        };
        if start > *bounds.last().unwrap_or(&0) && start < len {
            bounds.push(start);
        }
    }
    bounds.push(len);
    Ok(bounds)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::w3c::Field;
    use crate::time::Millis;
    use crate::triple::Triple;
    use std::io::Write;

    /// File line, triple, time, time-taken, URL stem and the custom field `x-tag`.
    type Seen = (
        u64,
        Option<Triple>,
        Option<Millis>,
        Option<u64>,
        Vec<u8>,
        Vec<u8>,
    );

    fn seen(r: &Record<'_>, first_line: u64) -> Seen {
        (
            first_line + r.line,
            r.triple,
            r.time,
            r.time_taken_ms,
            r.get(Field::UriStem).unwrap_or_default().to_vec(),
            r.get_named("x-tag").unwrap_or_default().to_vec(),
        )
    }

    fn whole(path: &Path) -> (Vec<Seen>, Stats) {
        let mut out = Vec::new();
        let file = File::open(path).unwrap();
        let stats = w3c::read(file, |r| out.push(seen(r, 0))).unwrap();
        (out, stats)
    }

    fn split(path: &Path, offsets: &[u64]) -> (Vec<Seen>, Stats) {
        let (parts, stats) = read_at(path, offsets, Vec::new, |v: &mut Vec<(u64, Seen)>, r| {
            v.push((r.line, seen(r, 0)))
        })
        .unwrap();
        let mut out = Vec::new();
        for p in parts {
            for (_, mut s) in p.state {
                s.0 += p.first_line;
                out.push(s);
            }
        }
        (out, stats)
    }

    /// A log whose layout changes twice (the second time to one without a date, so the
    /// `#Date` in force matters), with malformed lines, a restart with the same fields, CRLF
    /// line ends, a byte-order mark and a last line cut off mid-write.
    fn sample() -> Vec<u8> {
        let mut t = Vec::new();
        t.extend_from_slice(b"\xEF\xBB\xBF#Software: Microsoft Internet Information Services 10.0\r\n#Version: 1.0\r\n#Date: 2026-11-18 00:00:00\r\n");
        t.extend_from_slice(
            b"#Fields: date time cs-uri-stem sc-status sc-substatus sc-win32-status time-taken\r\n",
        );
        for i in 0..40u32 {
            let status = if i % 7 == 0 { 502 } else { 200 };
            writeln!(
                t,
                "2026-11-18 00:{:02}:{:02} /a/{i} {status} 3 12002 {i}\r",
                i / 60,
                i % 60
            )
            .unwrap();
        }
        t.extend_from_slice(b"2026-11-18 00:01:00 /malformed 500 19\r\n");
        t.extend_from_slice(b"#Date: 2026-11-18 01:00:00\r\n#Fields: date time cs-uri-stem sc-status sc-substatus sc-win32-status time-taken\r\n");
        for i in 0..30u32 {
            writeln!(t, "2026-11-18 01:00:{:02} /b/{i} 404 0 2 {i}\r", i % 60).unwrap();
        }
        t.extend_from_slice(b"#Date: 2026-11-19 02:00:00\r\n#Fields: time cs-uri-stem x-tag sc-status sc-substatus sc-win32-status\r\n");
        for i in 0..30u32 {
            writeln!(t, "02:00:{:02} /c/{i} tag{i} 500 19 13\r", i % 60).unwrap();
        }
        t.extend_from_slice(b"02:01:00 /c/too many fields 500 0 0\r\n");
        t.extend_from_slice(b"#Date: 2026-11-20 03:00:00\r\n");
        for i in 0..30u32 {
            writeln!(t, "03:00:{:02} /d/{i} tag{i} 401 2 5\r", i % 60).unwrap();
        }
        t.extend_from_slice(b"03:01:00 /d/cut 200");
        t
    }

    fn same_records(got: &[Seen], want: &[Seen], what: &str) {
        if let Some(i) = (0..got.len().max(want.len())).find(|&i| got.get(i) != want.get(i)) {
            panic!(
                "{what}: record {i} differs: {:?} where the whole read has {:?} ({} vs {} records)",
                got.get(i),
                want.get(i),
                got.len(),
                want.len()
            );
        }
    }

    fn write_temp(text: &[u8]) -> tempfile::NamedTempFile {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        f.write_all(text).unwrap();
        f
    }

    #[test]
    fn every_cut_reads_like_the_whole_file() {
        let text = sample();
        let f = write_temp(&text);
        let (want, want_stats) = whole(f.path());
        assert_eq!(want_stats.malformed, 2, "{want_stats:?}");
        assert!(want_stats.notes.iter().any(|n| n.contains("cut off")));
        // One cut at every byte, then pairs and triples of cuts around the header changes.
        let len = text.len() as u64;
        let mut cuts: Vec<Vec<u64>> = (1..len).map(|o| vec![o]).collect();
        let headers: Vec<u64> = text
            .windows(8)
            .enumerate()
            .filter(|(_, w)| w == b"#Fields:" || w.starts_with(b"#Date:"))
            .map(|(i, _)| i as u64)
            .collect();
        for &h in &headers {
            for d in [0, 1, 2, 40, 90, 200] {
                let a = h.saturating_sub(d);
                cuts.push(vec![a, h + d, (h + 3 * d + 500).min(len)]);
                cuts.push(vec![a / 2, a, h + 1]);
            }
        }
        for offsets in cuts {
            let (got, stats) = split(f.path(), &offsets);
            same_records(&got, &want, &format!("cut at {offsets:?}"));
            assert_eq!(stats, want_stats, "cut at {offsets:?}");
        }
    }

    #[test]
    fn many_parts_read_like_the_whole_file() {
        let mut text = Vec::new();
        for _ in 0..20 {
            text.extend_from_slice(&sample()[3..sample().len() - 19]);
        }
        let f = write_temp(&text);
        let want = whole(f.path());
        for parts in 1..=24 {
            let (states, stats) = read(f.path(), parts, Vec::new, |v: &mut Vec<Seen>, r| {
                v.push(seen(r, 0))
            })
            .unwrap();
            let got: Vec<Seen> = states
                .into_iter()
                .flat_map(|p| {
                    p.state.into_iter().map(move |mut s| {
                        s.0 += p.first_line;
                        s
                    })
                })
                .collect();
            assert_eq!(stats, want.1, "{parts} parts");
            same_records(&got, &want.0, &format!("{parts} parts"));
        }
    }

    #[test]
    fn a_file_without_a_header_at_the_top_is_read_whole() {
        let text = b"2022-05-08 01:26:01 10.1.1.8 GET /svc - 443 - 10.1.1.9 - - host 200 0 0 232\n"
            .repeat(50);
        let f = write_temp(&text);
        let (parts, stats) = read(f.path(), 4, || 0u64, |n, _| *n += 1).unwrap();
        assert_eq!(parts.len(), 1);
        assert_eq!(parts[0].state, 50);
        assert_eq!(stats.records, 50);
        assert!(stats.notes[0].contains("no #Fields line before line 1"));
    }

    #[test]
    fn part_counts() {
        for (len, threads, want) in [
            (100 << 20, 1, 1),
            (MIN_PART - 1, 2, 1),
            (2 * MIN_PART, 2, 2),
            (1 << 30, 2, 8),
            (1 << 30, 16, 64),
        ] {
            assert_eq!(
                part_count(len, threads),
                want,
                "{len} bytes, {threads} threads"
            );
        }
    }
}
