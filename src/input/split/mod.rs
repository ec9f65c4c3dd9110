//! Reading one large W3C log on several threads: the file is cut at line boundaries into
//! parts that are read at the same time, each with the `#Fields:` layout in force where it
//! starts.
//!
//! That layout is known for sure only once the parts before are read, so a part is read with
//! a guess: what the nearest finished part before it left in force (or the file's first
//! header block). Parts are then taken in file order: each guess is checked against what
//! really was in force (the part before's own last `#Fields:` and `#Date:` lines, or what was
//! in force at its start), a part that guessed wrong (lines before its own first `#Fields:`
//! line were read with another layout) is read again, and its result is merged. Parts are
//! claimed in file order, so only a part started while the part before it changed the layout
//! is read twice; a file restarted with the same fields is read once.
//!
//! The cuts depend on the file's length only, so the result does not depend on the thread
//! count; parts are merged in file order as soon as they are checked, so memory holds a few
//! parts' states at a time whatever the file's size.
//!
//! Every part is read at byte positions of the one handle the file was opened with, never by
//! opening its path again: a log replaced while it is read (a rotation, a copy over it) is
//! read whole from the file that was opened, not half from each. A file whose length or
//! modification time changed while it was read (truncated, still written), or whose path
//! names another file by the end, gets a note, since its counts are of what was read then.
//!
//! Line numbers: malformed-line samples and notes in the returned [`Stats`] are file line
//! numbers. A record's `line` counts from the start of its part; `merge` is given the number
//! of lines before the part, to add for the file line number.

use std::collections::BTreeMap;
use std::io::{self, Read};
use std::path::Path;
use std::sync::Mutex;
use std::time::SystemTime;

use memchr::memchr;

use super::source::ReadAt;
use super::w3c::{self, Context, Facts, Layout, Placed, Record, Stats};
use crate::time;

/// The size of one part. Small enough that a part read twice costs little, large enough
/// that merging parts' summaries costs nothing next to reading them.
pub const PART: u64 = 32 << 20;
/// How far into a file its first header block is looked for.
const HEAD: usize = 64 << 10;

/// Whether a file of `len` bytes is worth reading in parts.
pub fn worth_splitting(len: u64) -> bool {
    len >= 2 * PART
}

/// Reads the W3C log open as `file` (found at `path`) in parts of about [`PART`] bytes on
/// the current rayon pool's threads. `init` makes a part's state, `visit` adds a record to
/// it, and `merge` adds a part's state to the file's (given the lines before the part), in
/// file order.
pub fn read<S, I, V, M>(
    file: &dyn ReadAt,
    path: &Path,
    init: I,
    visit: V,
    merge: M,
) -> io::Result<(S, Stats)>
where
    S: Send,
    I: Fn() -> S + Sync,
    V: Fn(&mut S, &Record<'_>) + Sync,
    M: Fn(&mut S, S, u64) + Sync,
{
    let len = file.metadata()?.len();
    let parts = (len / PART).max(1);
    let offsets: Vec<u64> = (1..parts).map(|k| len / parts * k).collect();
    read_parts(file, path, &offsets, Guess::Nearest, init, visit, merge)
}

/// A file's length and modification time, to tell whether it changed while it was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Seen {
    len: u64,
    modified: Option<SystemTime>,
}

impl Seen {
    fn of(meta: &std::fs::Metadata) -> Seen {
        Seen {
            len: meta.len(),
            modified: meta.modified().ok(),
        }
    }
}

/// The note for a file that changed while it was read, if it did: the open file's length or
/// time moved, or its path names another file (or none) by the end.
fn changed(file: &dyn ReadAt, path: &Path, start: Seen) -> Option<String> {
    let now = file.metadata().map(|m| Seen::of(&m)).ok();
    match now {
        Some(now) if now == start => {}
        Some(now) if now.len != start.len => {
            return Some(format!(
                "the file changed while it was read (from {} to {} bytes): the counts are of what was read, which may mix its old and new content",
                start.len, now.len
            ));
        }
        _ => {
            return Some(
                "the file was written to while it was read (its modification time moved): the counts are of what was read, which may mix its old and new content"
                    .to_string(),
            );
        }
    }
    match std::fs::metadata(path) {
        Ok(at_path) if Seen::of(&at_path) == start => None,
        _ => Some(
            "the path was replaced or removed while the file was read: the report is of the file as it was opened"
                .to_string(),
        ),
    }
}

/// A part of a file read at positions from `pos`, up to `end` (the last part: to the end).
struct At<'f> {
    file: &'f dyn ReadAt,
    pos: u64,
    end: Option<u64>,
}

impl Read for At<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let room = match self.end {
            Some(end) => usize::try_from(end.saturating_sub(self.pos)).unwrap_or(usize::MAX),
            None => usize::MAX,
        };
        let want = buf.len().min(room);
        if want == 0 {
            return Ok(0);
        }
        let n = self.file.read_at(&mut buf[..want], self.pos)?;
        self.pos += n as u64;
        Ok(n)
    }
}

/// `buf` filled with the `len` bytes at `pos` (fewer at the file's end).
fn fill_at(file: &dyn ReadAt, buf: &mut Vec<u8>, pos: u64, len: u64) -> io::Result<()> {
    buf.clear();
    At {
        file,
        pos,
        end: Some(pos.saturating_add(len)),
    }
    .read_to_end(buf)?;
    Ok(())
}

/// A part read, waiting for the parts before it.
struct Done<S> {
    state: S,
    part: w3c::Part,
    assumed: Context,
}

/// What the workers share.
struct Shared<S> {
    /// The next part to read.
    next: usize,
    /// Parts read beyond the frontier.
    done: BTreeMap<usize, Done<S>>,
    /// Parts before this one are merged.
    frontier: usize,
    /// What is in force at the frontier, and where it sits.
    in_force: Context,
    placed: Placed,
    merged: S,
    facts: Vec<(Facts, Placed)>,
    error: Option<io::Error>,
}

/// How a part that is not next in line guesses its context.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Guess {
    /// From the nearest part read before it.
    Nearest,
    /// Always the file's first header block (tests use it to force wrong guesses).
    #[cfg_attr(not(test), allow(dead_code))]
    Head,
}

/// [`read`], cutting near the given byte offsets (each moved to the next line start).
pub(crate) fn read_parts<S, I, V, M>(
    file: &dyn ReadAt,
    path: &Path,
    offsets: &[u64],
    guessing: Guess,
    init: I,
    visit: V,
    merge: M,
) -> io::Result<(S, Stats)>
where
    S: Send,
    I: Fn() -> S + Sync,
    V: Fn(&mut S, &Record<'_>) + Sync,
    M: Fn(&mut S, S, u64) + Sync,
{
    let start = Seen::of(&file.metadata()?);
    let with_note = |(state, mut stats): (S, Stats)| {
        stats.notes.extend(changed(file, path, start));
        (state, stats)
    };
    let head = head_context(file)?;
    let bounds = match &head {
        Some(_) => boundaries(file, start.len, offsets)?,
        None => Vec::new(),
    };
    let Some(head) = head.filter(|_| bounds.len() > 2) else {
        // No header block at the top (the layout must be inferred from the data), or too
        // small to cut: read it whole.
        let mut state = init();
        let whole = At {
            file,
            pos: 0,
            end: None,
        };
        let stats = w3c::read(whole, |r| visit(&mut state, r))?;
        return Ok(with_note((state, stats)));
    };
    let count = bounds.len() - 1;
    let read_one = |k: usize, context: Context| -> io::Result<(S, w3c::Part)> {
        let mut state = init();
        let reader = At {
            file,
            pos: bounds[k],
            // The last part reads to the end, as a whole read would if the file grew.
            end: (k + 1 < count).then(|| bounds[k + 1]),
        };
        let part = w3c::read_part(reader, context, k == 0, |r| visit(&mut state, r))?;
        Ok((state, part))
    };
    let shared = Mutex::new(Shared {
        next: 0,
        done: BTreeMap::new(),
        frontier: 0,
        in_force: Context::default(),
        placed: Placed::default(),
        merged: init(),
        facts: Vec::with_capacity(count),
        error: None,
    });
    // One worker per thread; each claims parts in file order until none are left.
    let worker = || {
        while let Some((k, mut assumed)) = claim(&shared, count, &head, guessing) {
            let mut read = read_one(k, assumed.clone());
            if read.as_ref().is_ok_and(|(_, part)| part.stopped) {
                // The guess was wrong: the part before changed the layout. Find the
                // `#Fields:` line in force and start the part again with it.
                assumed = match context_before(file, bounds[k]) {
                    Ok(Some(context)) => context,
                    Ok(None) => Context {
                        guessed: false,
                        ..assumed
                    },
                    Err(e) => return fail(&shared, e, count),
                };
                read = read_one(k, assumed.clone());
            }
            let (state, part) = match read {
                Ok(read) => read,
                Err(e) => return fail(&shared, e, count),
            };
            let Ok(mut sh) = shared.lock() else { return };
            sh.done.insert(
                k,
                Done {
                    state,
                    part,
                    assumed,
                },
            );
            // Merge what is ready, in file order; read again a part that guessed wrong.
            loop {
                let k = sh.frontier;
                let Some(mut done) = sh.done.remove(&k) else {
                    break;
                };
                if k > 0 && !done.part.reads_alike(&done.assumed, &sh.in_force) {
                    let context = sh.in_force.clone();
                    drop(sh);
                    let (state, part) = match read_one(k, context.clone()) {
                        Ok(read) => read,
                        Err(e) => return fail(&shared, e, count),
                    };
                    done = Done {
                        state,
                        part,
                        assumed: context,
                    };
                    let Ok(relocked) = shared.lock() else { return };
                    sh = relocked;
                }
                let placed = sh.placed;
                merge(&mut sh.merged, done.state, placed.first_line);
                if let Some((layout, line)) = &done.part.last_fields {
                    sh.in_force.layout = Some(layout.clone());
                    sh.placed.layout_line = Some(placed.first_line + line);
                }
                if let Some(day) = done.part.last_day {
                    sh.in_force.day = day;
                }
                sh.placed.first_line += done.part.lines;
                sh.facts.push((done.part.facts, placed));
                sh.frontier += 1;
            }
        }
    };
    let workers = rayon::current_num_threads().clamp(1, count);
    rayon::scope(|s| {
        for _ in 0..workers {
            s.spawn(|_| worker());
        }
    });
    let shared = shared
        .into_inner()
        .map_err(|_| io::Error::other("a thread reading a part of the file failed"))?;
    if let Some(e) = shared.error {
        return Err(e);
    }
    if shared.frontier != count {
        return Err(io::Error::other("a part of the file was not read"));
    }
    Ok(with_note((shared.merged, Facts::join(shared.facts))))
}

/// The next part to read and the context to read it with: what is in force at the frontier
/// when the part is the frontier, else what the nearest part read before it left in force.
fn claim<S>(
    shared: &Mutex<Shared<S>>,
    count: usize,
    head: &Context,
    guessing: Guess,
) -> Option<(usize, Context)> {
    let mut sh = shared.lock().ok()?;
    if sh.next >= count {
        return None;
    }
    let k = sh.next;
    sh.next += 1;
    let guess = if k == 0 {
        Context::default()
    } else if k == sh.frontier && guessing == Guess::Nearest {
        sh.in_force.clone()
    } else {
        let mut guess = match guessing {
            Guess::Nearest => guess_before(&sh, k, head),
            Guess::Head => head.clone(),
        };
        guess.guessed = true;
        guess
    };
    Some((k, guess))
}

/// What the nearest part read before part `k` left in force (else what is in force at the
/// frontier, if a layout is, else the file's first header block).
fn guess_before<S>(sh: &Shared<S>, k: usize, head: &Context) -> Context {
    match sh.done.range(..k).next_back() {
        Some((_, d)) => {
            let mut c = d.assumed.clone();
            if let Some((layout, _)) = &d.part.last_fields {
                c.layout = Some(layout.clone());
            }
            if let Some(day) = d.part.last_day {
                c.day = day;
            }
            c
        }
        None if sh.in_force.layout.is_some() => sh.in_force.clone(),
        None => head.clone(),
    }
}

/// Stops the read: no more parts are claimed, and the error is returned.
fn fail<S>(shared: &Mutex<Shared<S>>, e: io::Error, count: usize) {
    if let Ok(mut sh) = shared.lock() {
        sh.error.get_or_insert(e);
        sh.next = count;
    }
}

/// The context set up by the last `#Fields:` line (and a `#Date:` line just before it) in the
/// [`PART`] bytes before `offset`, if there is one there.
fn context_before(file: &dyn ReadAt, offset: u64) -> io::Result<Option<Context>> {
    const CHUNK: u64 = 1 << 20;
    let floor = offset.saturating_sub(PART);
    let mut buf = Vec::with_capacity(CHUNK as usize + 64);
    let mut end = offset;
    while end > floor {
        // Chunks overlap by a few bytes so a `\n#Fields:` across two is found.
        let start = end.saturating_sub(CHUNK).max(floor);
        fill_at(
            file,
            &mut buf,
            start,
            (end - start + 16).min(offset - start),
        )?;
        let found = memchr::memmem::rfind(&buf, b"\n#Fields:")
            .map(|i| start + i as u64 + 1)
            .or_else(|| (start == 0 && buf.starts_with(b"#Fields:")).then_some(0));
        if let Some(at) = found {
            return header_at(file, at).map(Some);
        }
        end = start;
    }
    Ok(None)
}

/// The context of the `#Fields:` line at byte `at`, with the day of a `#Date:` line in the
/// few lines before it.
fn header_at(file: &dyn ReadAt, at: u64) -> io::Result<Context> {
    let before = at.saturating_sub(4096);
    let mut buf = Vec::new();
    fill_at(file, &mut buf, before, at - before + HEAD as u64)?;
    let split = usize::try_from(at - before)
        .unwrap_or(buf.len())
        .min(buf.len());
    let (block, rest) = buf.split_at(split);
    let line = rest.split(|&b| b == b'\n').next().unwrap_or_default();
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let mut context = Context {
        layout: Some(Layout::parse(line.get(8..).unwrap_or_default())),
        ..Context::default()
    };
    if let Some(i) = memchr::memmem::rfind(block, b"\n#Date:") {
        let value = block[i + 7..]
            .split(|&b| b == b'\n')
            .next()
            .unwrap_or_default();
        context.day = time::parse_header_date(value).map(time::day_of);
    }
    Ok(context)
}

/// The context the file's first header block sets up, if the file starts with one (only
/// blank lines and directives before its first data line, and a `#Fields:` line among them).
fn head_context(file: &dyn ReadAt) -> io::Result<Option<Context>> {
    let mut head = Vec::with_capacity(HEAD);
    fill_at(file, &mut head, 0, HEAD as u64)?;
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
/// past `offset - 1`, then the file length `len`. Empty parts are dropped.
fn boundaries(file: &dyn ReadAt, len: u64, offsets: &[u64]) -> io::Result<Vec<u64>> {
    let mut bounds = vec![0u64];
    let mut buf = vec![0u8; 64 << 10];
    for &offset in offsets {
        let mut pos = offset.saturating_sub(1).max(*bounds.last().unwrap_or(&0));
        let start = loop {
            if pos >= len {
                break len;
            }
            let n = file.read_at(&mut buf, pos)?;
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
mod tests;
