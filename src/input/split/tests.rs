//! Split reading's tests: cuts at every byte, wrong guesses, thread counts, a file changed while read.

use super::*;
use crate::input::w3c::Field;
use crate::time::Millis;
use crate::triple::Triple;
use std::fs::File;
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

/// Adds a part's records with their file line numbers.
fn merge_lines(all: &mut Vec<Seen>, part: Vec<Seen>, before: u64) {
    all.extend(part.into_iter().map(|mut s| {
        s.0 += before;
        s
    }));
}

fn split(path: &Path, offsets: &[u64], threads: usize, guess: Guess) -> (Vec<Seen>, Stats) {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    let file = File::open(path).unwrap();
    pool.install(|| {
        read_parts(
            &file,
            path,
            offsets,
            guess,
            Vec::new,
            |v: &mut Vec<Seen>, r| v.push(seen(r, 0)),
            merge_lines,
        )
    })
    .unwrap()
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
    for (i, offsets) in cuts.iter().enumerate() {
        // Wrong guesses forced on every part, then guesses as a run makes them.
        for (threads, guess) in [(1, Guess::Head), (1 + i % 3, Guess::Nearest)] {
            let (got, stats) = split(f.path(), offsets, threads, guess);
            let what = format!("cut at {offsets:?}, {threads} threads, {guess:?}");
            same_records(&got, &want, &what);
            assert_eq!(stats, want_stats, "{what}");
        }
    }
}

#[test]
fn many_parts_on_any_thread_count_read_like_the_whole_file() {
    let mut text = Vec::new();
    let one = sample();
    for _ in 0..20 {
        text.extend_from_slice(&one[3..one.len() - 19]);
    }
    let f = write_temp(&text);
    let (want, want_stats) = whole(f.path());
    let len = text.len() as u64;
    for parts in [2u64, 3, 7, 24, 60] {
        let offsets: Vec<u64> = (1..parts).map(|k| len / parts * k).collect();
        for (threads, guess) in [
            (1, Guess::Head),
            (2, Guess::Head),
            (1, Guess::Nearest),
            (2, Guess::Nearest),
            (4, Guess::Nearest),
        ] {
            let (got, stats) = split(f.path(), &offsets, threads, guess);
            let what = format!("{parts} parts, {threads} threads, {guess:?}");
            assert_eq!(stats, want_stats, "{what}");
            same_records(&got, &want, &what);
        }
    }
}

/// Real logs from the shared corpus, one after another (different layouts, header blocks,
/// misfit and malformed lines), read in parts at many cuts.
#[test]
fn corpus_logs_read_in_parts_like_whole() {
    let Some(dir) = crate::input::corpus::path("w3c") else {
        return;
    };
    let entries = std::fs::read_dir(&dir).unwrap();
    let mut names: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    names.sort();
    // A header first, so the file is cut at all.
    let mut text = b"#Fields: date time cs-uri-stem sc-status\n".to_vec();
    for name in &names {
        text.extend(std::fs::read(name).unwrap());
        if !text.ends_with(b"\n") {
            text.push(b'\n');
        }
    }
    let f = write_temp(&text);
    let (want, want_stats) = whole(f.path());
    assert!(want.len() > 1000, "{} records", want.len());
    let len = text.len() as u64;
    for parts in [3u64, 17, 64] {
        let offsets: Vec<u64> = (1..parts).map(|k| len / parts * k + k).collect();
        for (threads, guess) in [(1, Guess::Head), (2, Guess::Nearest)] {
            let (got, stats) = split(f.path(), &offsets, threads, guess);
            let what = format!("{parts} parts, {threads} threads, {guess:?}");
            assert_eq!(stats, want_stats, "{what}");
            same_records(&got, &want, &what);
        }
    }
}

/// A file that has something done to its path when a part first reads at `at`.
struct Meddled<'a> {
    file: File,
    at: u64,
    once: std::sync::Once,
    act: &'a (dyn Fn() + Sync),
}

impl ReadAt for Meddled<'_> {
    fn read_at(&self, buf: &mut [u8], pos: u64) -> io::Result<usize> {
        if pos == self.at {
            self.once.call_once(self.act);
        }
        ReadAt::read_at(&self.file, buf, pos)
    }

    fn metadata(&self) -> io::Result<std::fs::Metadata> {
        self.file.metadata()
    }
}

/// The many-part log, where its second part starts, and the offsets that cut it.
fn many_parts(path: &Path) -> (Vec<u8>, u64, Vec<u64>) {
    let one = sample();
    let mut text = Vec::new();
    for _ in 0..20 {
        text.extend_from_slice(&one[3..one.len() - 19]);
    }
    std::fs::write(path, &text).unwrap();
    let len = text.len() as u64;
    let offsets: Vec<u64> = (1..7).map(|k| len / 7 * k).collect();
    let file = File::open(path).unwrap();
    let bounds = boundaries(&file, len, &offsets).unwrap();
    (text, bounds[1], offsets)
}

fn meddled_read(
    path: &Path,
    at: u64,
    offsets: &[u64],
    threads: usize,
    act: &(dyn Fn() + Sync),
) -> (Vec<Seen>, Stats) {
    let file = Meddled {
        file: File::open(path).unwrap(),
        at,
        once: std::sync::Once::new(),
        act,
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    pool.install(|| {
        read_parts(
            &file,
            path,
            offsets,
            Guess::Nearest,
            Vec::new,
            |v: &mut Vec<Seen>, r| v.push(seen(r, 0)),
            merge_lines,
        )
    })
    .unwrap()
}

#[test]
fn a_log_replaced_while_read_in_parts_is_read_from_the_file_opened() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("u_ex261118.log");
    let (_, at, offsets) = many_parts(&path);
    let (want, mut want_stats) = whole(&path);
    // What a rotation or a copy puts at the path: another day's log, of another length.
    let other = dir.path().join("new.log");
    let replacement = sample().repeat(3);
    std::fs::write(
        &other,
        String::from_utf8_lossy(&replacement).replace("/a/", "/new/"),
    )
    .unwrap();
    let replace = || std::fs::rename(&other, &path).unwrap();
    let (got, stats) = meddled_read(&path, at, &offsets, 2, &replace);
    assert!(!other.exists(), "the path was replaced during the read");
    same_records(&got, &want, "replaced after the first part");
    want_stats.notes.push(
        "the path was replaced or removed while the file was read: the report is of the file as it was opened".into(),
    );
    assert_eq!(stats, want_stats);
}

#[test]
fn a_log_truncated_while_read_in_parts_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("u_ex261118.log");
    let (text, at, offsets) = many_parts(&path);
    let (want, _) = whole(&path);
    let cut = text.len() as u64 / 2;
    let truncate = || {
        let f = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
        f.set_len(cut).unwrap();
    };
    // One thread claims the parts in file order, so the parts past the cut are read after it
    // (with two, the other thread may have read them all before the cut).
    let (got, stats) = meddled_read(&path, at, &offsets, 1, &truncate);
    assert!(
        got.len() < want.len(),
        "{} of {} records",
        got.len(),
        want.len()
    );
    let note = format!(
        "the file changed while it was read (from {} to {cut} bytes): the counts are of what was read, which may mix its old and new content",
        text.len()
    );
    assert!(stats.notes.contains(&note), "{:?}", stats.notes);
}

#[test]
fn a_file_without_a_header_at_the_top_is_read_whole() {
    let text =
        b"2022-05-08 01:26:01 10.1.1.8 GET /svc - 443 - 10.1.1.9 - - host 200 0 0 232\n".repeat(50);
    let f = write_temp(&text);
    let merges = std::sync::atomic::AtomicUsize::new(0);
    let file = File::open(f.path()).unwrap();
    let (n, stats) = read_parts(
        &file,
        f.path(),
        &[1000, 2000],
        Guess::Nearest,
        || 0u64,
        |n, _| *n += 1,
        |all, n, _| {
            merges.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            *all += n;
        },
    )
    .unwrap();
    assert_eq!(merges.into_inner(), 0, "read whole, nothing merged");
    assert_eq!(n, 50);
    assert_eq!(stats.records, 50);
    assert!(stats.notes[0].contains("no #Fields line before line 1"));
}

#[test]
fn the_header_in_force_before_an_offset() {
    let text = sample();
    let f = write_temp(&text);
    let at = |needle: &[u8]| {
        text.windows(needle.len())
            .position(|w| w == needle)
            .unwrap() as u64
    };
    let names = |c: Option<Context>| c.and_then(|c| c.layout).map(|l| l.names().join(" "));
    let file = File::open(f.path()).unwrap();
    let f = &file;
    // Before the first data line: the first header; inside the third block: its layout
    // and the day of its #Date line; right at a #Fields line: the one before it.
    let first = context_before(f, at(b"2026-11-18 00:00:00 /a/0")).unwrap();
    assert_eq!(names(first), names(head_context(f).unwrap()));
    let third = context_before(f, at(b"02:00:05 /c/5")).unwrap();
    assert_eq!(
        names(third.clone()).as_deref(),
        Some("time cs-uri-stem x-tag sc-status sc-substatus sc-win32-status")
    );
    assert_eq!(
        third.and_then(|c| c.day),
        crate::time::parse_date(b"2026-11-19")
    );
    let at_third = context_before(f, at(b"#Fields: time")).unwrap();
    assert_eq!(
        names(at_third).as_deref(),
        Some("date time cs-uri-stem sc-status sc-substatus sc-win32-status time-taken")
    );
    assert!(context_before(f, 10).unwrap().is_none());
}

#[test]
fn only_large_files_are_split() {
    assert!(!worth_splitting(2 * PART - 1));
    assert!(worth_splitting(2 * PART));
}
