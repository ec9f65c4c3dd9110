//! Following logs as IIS writes them (`iisdiag watch`): each poll walks the folders again,
//! reads what each file gained since the last poll and hands the records over.
//!
//! IIS's own write pattern decides the shape. W3C lines arrive in bursts (IIS flushes its log
//! buffer every minute or each 64 KB), so the last line read may be cut mid-write: only whole
//! lines are read, and the cut one is read again, whole, at the next poll. A new `u_ex` file
//! appears at the hour or day boundary and is read from its first byte; HTTP.sys appends a
//! header block when it restarts, which the readers honour like any `#Fields:` line. A file
//! that shrank, whose first bytes changed or that is another file under the same name (a
//! rewrite, a truncation, a log moved away and a new one created) is read again from its
//! start. A trace (`fr*.xml`) is read once, when its size has held for one poll, since IIS
//! writes it whole when the request ends; a file IIS deleted (maxLogFiles) is forgotten.
//!
//! Files that exist when the watch starts are read from their end, like `tail -f`, unless the
//! follower starts from the beginning; their kind is told only once they grow, so a folder of
//! old logs costs one `stat` per file and poll. Polling is plain `std`, the same everywhere.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::{File, Metadata};
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use memchr::{memchr, memrchr};

use super::freb::{self, Trace};
use super::httperr::{self, HttpErrRecord};
use super::lines::{MALFORMED_SAMPLES, MAX_LINE, Stats};
use super::sniff::{HEAD_LEN, Kind, sniff};
use super::w3c::{self, Record};

/// Bytes read from a file at a time; a poll reads on until the file's end.
const CHUNK: usize = 1 << 20;
/// How many first bytes of a file are kept to tell a rewrite from an append: past the header
/// block, whose `#Date:` line is what changes when HTTP.sys or IIS write a file anew.
const FINGERPRINT: usize = 1024;
/// How far back from where an old file's reading starts its last header block is looked for.
const HEADER_BACK: u64 = 1 << 20;

/// What a poll found, handed to the caller as it is read.
pub enum Seen<'a> {
    W3c(&'a Record<'a>),
    HttpErr(&'a HttpErrRecord<'a>),
    /// A trace, whole; `path` is its file.
    Trace(&'a Trace, &'a Path),
}

/// Something worth telling about a file: it appeared, was rotated, rewritten, skipped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub path: PathBuf,
    pub text: String,
}

impl Notice {
    fn new(path: &Path, text: impl Into<String>) -> Notice {
        Notice {
            path: path.to_path_buf(),
            text: text.into(),
        }
    }

    fn unreadable(path: &Path, error: &std::io::Error) -> Notice {
        Notice::new(path, format!("cannot be read: {error}"))
    }
}

/// How many files of each kind are followed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub w3c: usize,
    pub httperr: usize,
    /// Traces read so far (present in the folders now).
    pub traces: usize,
    /// Files that existed at the start and have not changed since: their kind is not known.
    pub idle: usize,
}

/// What tells one file from another under the same name: (device, inode) on unix; the
/// creation time elsewhere (a log moved away and a new one created under its name).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FileId {
    #[cfg(unix)]
    Inode(u64, u64),
    #[cfg_attr(unix, allow(dead_code))]
    Created(Option<SystemTime>),
}

fn file_id(meta: &Metadata) -> FileId {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        FileId::Inode(meta.dev(), meta.ino())
    }
    #[cfg(not(unix))]
    {
        FileId::Created(meta.created().ok())
    }
}

/// Where a file's reading stands.
enum Phase {
    /// It existed at the start and has not changed: reading starts at `end` once it grows.
    Idle {
        end: u64,
    },
    /// Not told yet: too few bytes to say what it is.
    Unknown,
    /// Not a log that is followed (said once, when it appeared).
    Ignored,
    W3c(Box<w3c::Resume>),
    HttpErr(httperr::Resume),
    /// A trace: read once its size held for a poll.
    Trace {
        read: bool,
    },
}

struct Followed {
    id: FileId,
    len: u64,
    modified: Option<SystemTime>,
    phase: Phase,
    /// The next byte to read: just past the last whole line read.
    offset: u64,
    /// Lines before `offset`, counted from where reading started.
    lines: u64,
    /// The first bytes of the file as first read, to tell a rewrite.
    fingerprint: Vec<u8>,
    /// Inside a line longer than [`MAX_LINE`]: its bytes are dropped up to its end.
    skipping: bool,
}

impl Followed {
    fn new(meta: &Metadata, phase: Phase) -> Followed {
        Followed {
            id: file_id(meta),
            len: meta.len(),
            modified: meta.modified().ok(),
            phase,
            offset: 0,
            lines: 0,
            fingerprint: Vec::new(),
            skipping: false,
        }
    }
}

/// The files under some paths, followed from poll to poll.
pub struct Follower {
    roots: Vec<PathBuf>,
    files: BTreeMap<PathBuf, Followed>,
    from_start: bool,
    polled: bool,
    buf: Vec<u8>,
    /// Paths the walk could not read, said once each.
    told: BTreeSet<PathBuf>,
}

impl Follower {
    /// Follows the files under `roots` (files or folders, walked recursively). With
    /// `from_start`, files that exist now are read from their start at the first poll;
    /// without, from their end.
    pub fn new(roots: Vec<PathBuf>, from_start: bool) -> Follower {
        Follower {
            roots,
            files: BTreeMap::new(),
            from_start,
            polled: false,
            buf: Vec::new(),
            told: BTreeSet::new(),
        }
    }

    /// How many files of each kind are followed now.
    pub fn counts(&self) -> Counts {
        let mut c = Counts::default();
        for f in self.files.values() {
            match f.phase {
                Phase::W3c(_) => c.w3c += 1,
                Phase::HttpErr(_) => c.httperr += 1,
                Phase::Trace { read: true } => c.traces += 1,
                Phase::Idle { .. } => c.idle += 1,
                _ => {}
            }
        }
        c
    }

    /// Walks the paths again and reads what every file gained, calling `visit` for each
    /// record and trace, in file order within a file. Returns what is worth telling.
    pub fn poll(&mut self, visit: &mut dyn FnMut(Seen<'_>)) -> Vec<Notice> {
        let mut notices = Vec::new();
        let first = !self.polled;
        self.polled = true;
        let present = self.walk(&mut notices);
        // Gone: deleted by IIS (maxLogFiles, log retention) or moved away.
        let gone: Vec<PathBuf> = self
            .files
            .keys()
            .filter(|p| !present.contains_key(*p))
            .cloned()
            .collect();
        for path in gone {
            if let Some(f) = self.files.remove(&path) {
                if !matches!(f.phase, Phase::Idle { .. } | Phase::Ignored) {
                    notices.push(Notice {
                        path,
                        text: "removed; no longer followed".into(),
                    });
                }
            }
        }
        for (path, meta) in present {
            let file = match self.files.remove(&path) {
                Some(f) => f,
                None if first && !self.from_start => {
                    Followed::new(&meta, Phase::Idle { end: meta.len() })
                }
                None => {
                    if !first {
                        notices.push(Notice {
                            path: path.clone(),
                            text: "new file; read from its start".into(),
                        });
                    }
                    Followed::new(&meta, Phase::Unknown)
                }
            };
            let file = self.advance(&path, file, &meta, &mut notices, visit);
            self.files.insert(path, file);
        }
        notices
    }

    /// The regular files under the paths now, with their metadata.
    fn walk(&mut self, notices: &mut Vec<Notice>) -> BTreeMap<PathBuf, Metadata> {
        let mut found = BTreeMap::new();
        let Follower { roots, told, .. } = self;
        for root in roots.iter() {
            for entry in walkdir::WalkDir::new(root).follow_links(true) {
                match entry {
                    Ok(e) if e.file_type().is_file() => {
                        if let Ok(meta) = e.metadata() {
                            found.insert(e.into_path(), meta);
                        }
                    }
                    Ok(_) => {}
                    // A file deleted between the listing and its stat is simply gone.
                    Err(e)
                        if e.io_error().map(io::Error::kind) == Some(io::ErrorKind::NotFound) => {}
                    Err(e) => {
                        // Said once: a folder that cannot be read is tried again at every
                        // poll, quietly.
                        let path = e.path().map_or_else(|| root.clone(), Path::to_path_buf);
                        if told.len() < 1_000 && told.insert(path.clone()) {
                            notices.push(Notice {
                                path,
                                text: format!("cannot be read: {e}"),
                            });
                        }
                    }
                }
            }
        }
        found
    }

    /// Reads what one file gained, after checking it is still the file it was.
    fn advance(
        &mut self,
        path: &Path,
        mut file: Followed,
        meta: &Metadata,
        notices: &mut Vec<Notice>,
        visit: &mut dyn FnMut(Seen<'_>),
    ) -> Followed {
        let len = meta.len();
        let modified = meta.modified().ok();
        let changed = len != file.len || modified != file.modified;
        let same_file = file_id(meta) == file.id;
        file.len = len;
        file.modified = modified;
        if !same_file {
            notices.push(Notice::new(
                path,
                "replaced by another file of that name; read from its start",
            ));
            return self.restart(path, Followed::new(meta, Phase::Unknown), notices, visit);
        }
        match file.phase {
            Phase::Ignored => return file,
            Phase::Idle { end } => {
                if !changed {
                    return file;
                }
                if len < end {
                    notices.push(Notice::new(path, "truncated; read from its start"));
                    return self.restart(path, Followed::new(meta, Phase::Unknown), notices, visit);
                }
                return self.wake(path, file, end, notices, visit);
            }
            Phase::Trace { read: true } => return file,
            Phase::Trace { read: false } => {
                // IIS writes a trace whole when the request ends: read it once it holds still.
                if changed || len == 0 {
                    return file;
                }
                file.phase = Phase::Trace { read: true };
                match File::open(path).map(|f| freb::read_whole(f, false)) {
                    Ok(Ok(trace)) => visit(Seen::Trace(&trace, path)),
                    Ok(Err(e)) => notices.push(Notice::new(path, format!("skipped: {e}"))),
                    Err(e) => notices.push(Notice::unreadable(path, &e)),
                }
                return file;
            }
            Phase::Unknown | Phase::W3c(_) | Phase::HttpErr(_) => {}
        }
        if len < file.offset {
            notices.push(Notice::new(path, "truncated; read from its start"));
            return self.restart(path, Followed::new(meta, Phase::Unknown), notices, visit);
        }
        if !file.fingerprint.is_empty() && changed {
            match first_bytes(path, file.fingerprint.len()) {
                Ok(head) if head != file.fingerprint => {
                    notices.push(Notice::new(
                        path,
                        "rewritten from its start (a new header); read again from its start",
                    ));
                    return self.restart(path, Followed::new(meta, Phase::Unknown), notices, visit);
                }
                _ => {}
            }
        }
        if matches!(file.phase, Phase::Unknown) && (changed || file.offset == 0) {
            self.tell_kind(path, &mut file, notices);
        }
        if len > file.offset {
            self.read_lines(path, &mut file, notices, visit);
        }
        file
    }

    /// A file read again from its first byte.
    fn restart(
        &mut self,
        path: &Path,
        mut file: Followed,
        notices: &mut Vec<Notice>,
        visit: &mut dyn FnMut(Seen<'_>),
    ) -> Followed {
        self.tell_kind(path, &mut file, notices);
        if matches!(file.phase, Phase::Trace { .. }) {
            // Read at the next poll, once its size holds.
            return file;
        }
        if file.len > 0 {
            self.read_lines(path, &mut file, notices, visit);
        }
        file
    }

    /// Tells the kind of a file from its first bytes; a file too short to tell stays unknown.
    fn tell_kind(&mut self, path: &Path, file: &mut Followed, notices: &mut Vec<Notice>) {
        let head = match first_bytes(path, HEAD_LEN) {
            Ok(h) => h,
            Err(e) => {
                notices.push(Notice::unreadable(path, &e));
                return;
            }
        };
        // Only whole lines: a header cut mid-write reads as no log at all.
        let whole = match memrchr(b'\n', &head) {
            Some(i) => &head[..=i],
            None if head.len() >= HEAD_LEN => &head[..],
            None => &head[..0],
        };
        let kind = if head.starts_with(b"<") || head.starts_with(b"\xEF\xBB\xBF<") {
            sniff(&head)
        } else {
            sniff(whole)
        };
        file.phase = match kind {
            Ok(Kind::W3c) => Phase::W3c(Box::default()),
            Ok(Kind::Httperr) => Phase::HttpErr(httperr::Resume::default()),
            Ok(Kind::Freb) => Phase::Trace { read: false },
            Ok(other) => {
                notices.push(Notice::new(
                    path,
                    format!(
                        "not followed: read as {}, which watch does not follow",
                        other.name()
                    ),
                ));
                Phase::Ignored
            }
            // Still being written: told again when it grows.
            Err(_) if head.len() < HEAD_LEN => Phase::Unknown,
            Err(reason) => {
                notices.push(Notice::new(path, format!("not followed: {reason}")));
                Phase::Ignored
            }
        };
        if !matches!(file.phase, Phase::Unknown | Phase::Ignored) {
            file.fingerprint = head[..head.len().min(FINGERPRINT)].to_vec();
        }
    }

    /// An old file grew: its kind is told, and the header block in force at `end` is read
    /// (without its records), so the lines appended after it are read with their layout.
    fn wake(
        &mut self,
        path: &Path,
        mut file: Followed,
        end: u64,
        notices: &mut Vec<Notice>,
        visit: &mut dyn FnMut(Seen<'_>),
    ) -> Followed {
        file.phase = Phase::Unknown;
        self.tell_kind(path, &mut file, notices);
        match &mut file.phase {
            Phase::W3c(_) | Phase::HttpErr(_) => {}
            // A trace that changed after the start: read as a new one.
            Phase::Trace { .. } | Phase::Unknown | Phase::Ignored | Phase::Idle { .. } => {
                return file;
            }
        }
        match header_before(path, end) {
            Ok((start, header)) => {
                file.offset = start;
                match &mut file.phase {
                    Phase::W3c(resume) => {
                        w3c::read_more(&header, resume, false, 0, |_| {});
                    }
                    Phase::HttpErr(resume) => {
                        httperr::read_more(&header, resume, false, 0, |_| {});
                    }
                    _ => {}
                }
            }
            Err(e) => {
                notices.push(Notice::unreadable(path, &e));
                return file;
            }
        }
        // Lines are counted from where reading starts: the file's earlier lines were not read.
        self.read_lines(path, &mut file, notices, visit);
        file
    }

    /// Reads the whole lines from the file's offset to its end, and the records in them.
    fn read_lines(
        &mut self,
        path: &Path,
        file: &mut Followed,
        notices: &mut Vec<Notice>,
        visit: &mut dyn FnMut(Seen<'_>),
    ) {
        if !matches!(file.phase, Phase::W3c(_) | Phase::HttpErr(_)) {
            return;
        }
        let mut handle = match File::open(path) {
            Ok(h) => h,
            Err(e) => {
                notices.push(Notice::unreadable(path, &e));
                return;
            }
        };
        let mut stats = Stats::default();
        loop {
            let buf = &mut self.buf;
            buf.clear();
            let read = handle
                .seek(SeekFrom::Start(file.offset))
                .and_then(|_| (&mut handle).take(CHUNK as u64).read_to_end(buf));
            if let Err(e) = read {
                notices.push(Notice::unreadable(path, &e));
                break;
            }
            let got = buf.len();
            if file.skipping {
                // The rest of a line longer than the cap: dropped up to its end.
                match memchr(b'\n', buf) {
                    Some(i) => {
                        file.offset += i as u64 + 1;
                        file.lines += 1;
                        file.skipping = false;
                        continue;
                    }
                    None => {
                        file.offset += got as u64;
                        if got < CHUNK {
                            break;
                        }
                        continue;
                    }
                }
            }
            let whole = match memrchr(b'\n', buf) {
                Some(i) => i + 1,
                // The last line is cut mid-write: read again, whole, at a later poll.
                None if got < CHUNK => break,
                // One line longer than a chunk: read on to its end, up to the cap.
                None => match read_long_line(&mut handle, buf) {
                    LongLine::Ends(end) => end,
                    LongLine::Unfinished => break,
                    LongLine::TooLong => {
                        stats.malformed(file.lines + 1, super::lines::too_long);
                        file.offset += buf.len() as u64;
                        file.skipping = true;
                        continue;
                    }
                },
            };
            let at_start = file.offset == 0;
            let bytes = &buf[..whole];
            let part = match &mut file.phase {
                Phase::W3c(resume) => w3c::read_more(bytes, resume, at_start, file.lines, |r| {
                    visit(Seen::W3c(r));
                }),
                Phase::HttpErr(resume) => {
                    httperr::read_more(bytes, resume, at_start, file.lines, |r| {
                        visit(Seen::HttpErr(r));
                    })
                }
                _ => Stats::default(),
            };
            file.lines += part.lines;
            file.offset += whole as u64;
            stats.records += part.records;
            stats.malformed += part.malformed;
            for m in part.malformed_samples {
                if stats.malformed_samples.len() < MALFORMED_SAMPLES {
                    stats.malformed_samples.push(m);
                }
            }
            for note in part.notes {
                if !stats.notes.contains(&note) {
                    stats.notes.push(note);
                }
            }
            if got < CHUNK && whole == got {
                break;
            }
        }
        // Back to a chunk's size after a long line: the follower runs for days.
        if self.buf.capacity() > 2 * CHUNK {
            self.buf = Vec::new();
        }
        tell_stats(path, &stats, notices);
    }
}

/// How a line longer than a chunk ends.
enum LongLine {
    /// At this length of the buffer, past its `\n`.
    Ends(usize),
    /// The file ends first: the line is still being written.
    Unfinished,
    /// It passes [`MAX_LINE`]: skipped.
    TooLong,
}

/// Reads on past a chunk without a line end (the buffer holds it) until one is found.
fn read_long_line(handle: &mut File, buf: &mut Vec<u8>) -> LongLine {
    let mut piece = vec![0u8; CHUNK];
    while buf.len() <= MAX_LINE {
        let n = match handle.read(&mut piece) {
            Ok(0) | Err(_) => return LongLine::Unfinished,
            Ok(n) => n,
        };
        let from = buf.len();
        buf.extend_from_slice(&piece[..n]);
        if let Some(i) = memchr(b'\n', &buf[from..]) {
            return LongLine::Ends(from + i + 1);
        }
    }
    LongLine::TooLong
}

/// Tells the malformed lines and notes of what was just read.
fn tell_stats(path: &Path, stats: &Stats, notices: &mut Vec<Notice>) {
    if stats.malformed > 0 {
        let lines: Vec<String> = stats
            .malformed_samples
            .iter()
            .map(|m| format!("line {}: {}", m.line, m.reason))
            .collect();
        notices.push(Notice::new(
            path,
            format!(
                "{} malformed line(s) left out ({})",
                stats.malformed,
                lines.join("; ")
            ),
        ));
    }
    for note in &stats.notes {
        notices.push(Notice::new(path, format!("note: {note}")));
    }
}

/// Up to `n` first bytes of a file.
fn first_bytes(path: &Path, n: usize) -> io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(n.min(HEAD_LEN));
    File::open(path)?.take(n as u64).read_to_end(&mut head)?;
    Ok(head)
}

/// Where reading an old file starts (just past the last line end before `end`), and the
/// header block in force there: the run of `#` lines that ends with the last `#Fields:` line
/// before it, looked for in the last [`HEADER_BACK`] bytes and else at the file's start.
fn header_before(path: &Path, end: u64) -> io::Result<(u64, Vec<u8>)> {
    let mut f = File::open(path)?;
    let from = end.saturating_sub(HEADER_BACK);
    let mut tail = Vec::new();
    f.seek(SeekFrom::Start(from))?;
    (&mut f).take(end - from).read_to_end(&mut tail)?;
    let start = match memrchr(b'\n', &tail) {
        Some(i) => from + i as u64 + 1,
        None if from == 0 => 0,
        None => end,
    };
    let in_tail = last_header(&tail, from == 0);
    if let Some(block) = in_tail {
        return Ok((start, block.to_vec()));
    }
    let mut head = Vec::new();
    f.seek(SeekFrom::Start(0))?;
    (&mut f)
        .take(HEADER_BACK.min(from))
        .read_to_end(&mut head)?;
    Ok((start, last_header(&head, true).unwrap_or_default().to_vec()))
}

/// The run of `#` lines ending with the last `#Fields:` line in `text`, with its line end.
/// The first line of `text` counts only when `text` starts at a line start (`at_line`).
fn last_header(text: &[u8], at_line: bool) -> Option<&[u8]> {
    let is_fields = |line: &[u8]| line.len() >= 8 && line[..8].eq_ignore_ascii_case(b"#Fields:");
    // The lines of `text`, as (start, end) with the end past the `\n`; the first one only
    // when it starts at a line start.
    let mut lines = Vec::new();
    let mut at = 0;
    while at < text.len() {
        let end = memchr(b'\n', &text[at..]).map_or(text.len(), |i| at + i + 1);
        if at > 0 || at_line {
            lines.push((at, end));
        }
        at = end;
    }
    let last = lines
        .iter()
        .rposition(|&(s, e)| is_fields(&text[s..e]) && text[e - 1] == b'\n')?;
    let mut first = last;
    while first > 0 && text[lines[first - 1].0] == b'#' {
        first -= 1;
    }
    Some(&text[lines[first].0..lines[last].1])
}

#[cfg(test)]
mod tests;
