//! Compressed logs read in place: a gzip file, or every file of a zip (a zipped
//! `inetpub\logs` folder included), streamed member by member and never extracted to disk.
//!
//! Old logs are kept compressed, so an archive is told by its magic bytes like any other file,
//! and each member is handed to the caller as a reader that is sniffed and read exactly like a
//! file. Decompression is bounded against bombs: a member may not produce more than
//! [`Limits::max_ratio`] times its compressed size, nor an archive's members more than that
//! times the archive's size, and absolute caps bound each member and each archive. A limit hit
//! ends that member with an error naming the limit; the next member is still read.
//!
//! The members of a zip may be read at once ([`par_each_member`]), each on its own view of the
//! one open file; the archive's totals are then shared by them, so its limits hold for all
//! of them together.
//!
//! A zip member's compressed size is what its decompressor actually consumed, counted under
//! the zip reader, never the size its headers declare: a forged size field (4 GiB declared for
//! 1.5 MiB of data) would otherwise lift its ratio limit out of reach. Bytes produced are
//! counted as they come out, whatever the declared uncompressed size.
//!
//! A member under every limit can still take long: deflate at its fastest level makes 229
//! times from empty lines, so 45 MiB of gzip is 10 GiB to read (100 s). Such a member is read
//! in full, and once it passes [`Limits::note_bytes`] at more than [`Limits::note_ratio`] times
//! its compressed size it gets a note saying so: the time went there, and no log is that
//! repetitive.
//!
//! One level of compression is read: a `.gz` file, a zip, or a gzip file inside a zip (old
//! logs compressed one by one, then zipped together). An archive inside that (a zip in a zip,
//! a gzip in a gzip) is refused with a message: reading it would need its bytes held in memory
//! or written to disk, and it is the shape decompression bombs take.

use std::cell::Cell;
use std::fmt;
use std::io::{self, Cursor, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};

use flate2::read::MultiGzDecoder;
use rayon::prelude::*;

mod ahead;

/// Bounds on decompression; [`Limits::default`] holds the values iisdiag uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Most output per byte of compressed input, for a member and for a whole archive.
    pub max_ratio: u64,
    /// Most bytes one member may decompress to.
    pub max_member_bytes: u64,
    /// Most bytes all members of one archive may decompress to together.
    pub max_archive_bytes: u64,
    /// Output past which a member far more repetitive than logs gets a note.
    pub note_bytes: u64,
    /// The ratio of output to compressed size above which that note is given.
    pub note_ratio: u64,
}

/// The ratio is checked once this much was produced: a small file's ratio says nothing.
pub const RATIO_FLOOR: u64 = 1 << 20;

impl Default for Limits {
    /// Real IIS logs compress 14 to 34 times with gzip -9 (a day of nothing but health checks,
    /// 129 times; a flood of identical requests, 181 times; FREB traces up to 75 times);
    /// deflate cannot pass about 1032 times, which long runs of one byte (what bombs are made
    /// of) reach. 500 leaves real logs room and stops such data once it passes 500 times its
    /// compressed size. The caps are far above any real log; they bound the work. A member
    /// past 1 GiB at more than 100 times (three times what real logs reach) is noted.
    fn default() -> Limits {
        Limits {
            max_ratio: 500,
            max_member_bytes: 16 << 30,
            max_archive_bytes: 128 << 30,
            note_bytes: 1 << 30,
            note_ratio: 100,
        }
    }
}

/// The archive formats iisdiag reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Gzip,
    Zip,
}

const GZIP_MAGIC: &[u8] = b"\x1F\x8B";
/// A local file header, or the end of an empty archive.
const ZIP_MAGICS: [&[u8]; 2] = [b"PK\x03\x04", b"PK\x05\x06"];

impl Format {
    /// The archive format of a file from its first bytes, if it is one.
    pub fn sniff(head: &[u8]) -> Option<Format> {
        if head.starts_with(GZIP_MAGIC) {
            Some(Format::Gzip)
        } else if ZIP_MAGICS.iter().any(|m| head.starts_with(m)) {
            Some(Format::Zip)
        } else {
            None
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Format::Gzip => "gzip",
            Format::Zip => "zip",
        }
    }
}

/// Why an archive as a whole could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    #[error("reading the archive: {0}")]
    Io(#[from] io::Error),
    #[error("a zip archive that cannot be read ({0})")]
    Zip(zip::result::ZipError),
}

/// A limit hit while decompressing: the member's output stops there.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LimitHit {
    #[error(
        "decompression stopped after {}: more than {ratio} times its compressed size of {}{} \
         (the limit against decompression bombs)",
        bytes(*out), bytes(*compressed), if *so_far { " read so far" } else { "" }
    )]
    MemberRatio {
        ratio: u64,
        compressed: u64,
        out: u64,
        /// `compressed` counts the compressed bytes read up to the stop, not the whole member.
        so_far: bool,
    },
    #[error("decompression stopped at {}, the limit for one file in an archive", bytes(*max))]
    MemberBytes { max: u64 },
    #[error(
        "decompression stopped: the archive's files passed {ratio} times the archive's own size \
         of {} together (the limit against decompression bombs)",
        bytes(*archive)
    )]
    ArchiveRatio { ratio: u64, archive: u64 },
    #[error(
        "decompression stopped: the archive's files passed {} together, the limit for one archive",
        bytes(*max)
    )]
    ArchiveBytes { max: u64 },
}

/// One file of an archive, as the caller reads it.
pub struct Member<'a> {
    /// `logs.zip!W3SVC1/u_ex261118.log`; a gzip file's own path.
    pub name: String,
    /// Where the file would lie if the archive were extracted beside it (`logs.zip` as a
    /// folder `logs`): site and server folders are read from this path like from a real one.
    pub origin: PathBuf,
    body: Result<Body<'a>, String>,
}

impl Member<'_> {
    /// The member's decompressed bytes, or why they cannot be read (an encrypted member, an
    /// unsupported method, an archive nested too deep). Reading fails with a [`LimitHit`] once
    /// a limit is passed.
    pub fn reader(&mut self) -> Result<&mut dyn Read, &str> {
        match &mut self.body {
            Ok(body) => Ok(body),
            Err(reason) => Err(reason),
        }
    }

    /// What the caller should know after reading: the compressed data ended early; the
    /// member was far more repetitive than logs are, which is where the time went.
    pub fn notes(&self) -> Vec<String> {
        let Ok(body) = &self.body else {
            return Vec::new();
        };
        let mut notes = Vec::new();
        if let Some(e) = &body.ended_early {
            notes.push(format!(
                "the compressed data ends early (a copy cut short?): read up to there, {} ({e})",
                bytes(body.out)
            ));
        }
        let (l, compressed) = (body.limits, body.compressed.bytes());
        if body.hit.is_none()
            && body.out > l.note_bytes
            && body.out > l.note_ratio.saturating_mul(compressed)
        {
            notes.push(format!(
                "decompressed to {}, {} times its compressed size of {}: far more repetitive \
                 than IIS logs (14 to 34 times), which is why it took long; the same line over \
                 and over, or a decompression bomb under the limit of {} times",
                bytes(body.out),
                body.out / compressed.max(1),
                bytes(compressed),
                l.max_ratio
            ));
        }
        notes
    }
}

/// Running totals of one archive, shared by its members when they are read at once.
struct Totals {
    out: AtomicU64,
    archive_len: u64,
}

impl Totals {
    fn new(archive_len: u64) -> Totals {
        Totals {
            out: AtomicU64::new(0),
            archive_len,
        }
    }
}

/// How big a member is compressed.
enum Compressed {
    /// A gzip file's own length: the file system's word, not the data's.
    Known(u64),
    /// A zip member: the bytes read from the archive since the member's data began, counted
    /// under the zip reader (its headers may lie).
    Read { counter: Rc<Cell<u64>>, start: u64 },
}

impl Compressed {
    fn bytes(&self) -> u64 {
        match self {
            Compressed::Known(n) => *n,
            Compressed::Read { counter, start } => counter.get().saturating_sub(*start),
        }
    }
}

/// A reader that counts what is read through it.
struct Counting<R> {
    inner: R,
    read: Rc<Cell<u64>>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.set(self.read.get().saturating_add(n as u64));
        Ok(n)
    }
}

impl<R: Seek> Seek for Counting<R> {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        self.inner.seek(pos)
    }
}

/// A member's decompressed stream, counted against the limits.
struct Body<'a> {
    inner: Box<dyn Read + 'a>,
    compressed: Compressed,
    out: u64,
    limits: &'a Limits,
    totals: &'a Totals,
    hit: Option<LimitHit>,
    ended_early: Option<String>,
}

impl Body<'_> {
    /// The limit passed, if any, with `total` bytes out of the whole archive.
    fn check(&self, total: u64) -> Option<LimitHit> {
        let l = self.limits;
        let t = self.totals;
        let compressed = self.compressed.bytes();
        if self.out > RATIO_FLOOR && self.out > l.max_ratio.saturating_mul(compressed) {
            return Some(LimitHit::MemberRatio {
                ratio: l.max_ratio,
                compressed,
                out: self.out,
                so_far: matches!(self.compressed, Compressed::Read { .. }),
            });
        }
        if self.out > l.max_member_bytes {
            return Some(LimitHit::MemberBytes {
                max: l.max_member_bytes,
            });
        }
        if total > RATIO_FLOOR && total > l.max_ratio.saturating_mul(t.archive_len) {
            return Some(LimitHit::ArchiveRatio {
                ratio: l.max_ratio,
                archive: t.archive_len,
            });
        }
        if total > l.max_archive_bytes {
            return Some(LimitHit::ArchiveBytes {
                max: l.max_archive_bytes,
            });
        }
        None
    }
}

impl Read for Body<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if let Some(hit) = &self.hit {
            return Err(io::Error::other(hit.clone()));
        }
        if self.ended_early.is_some() {
            return Ok(0);
        }
        let n = match self.inner.read(buf) {
            Ok(n) => n,
            // A compressed stream that stops mid-way: what came before it is good data, as
            // with a plain log cut off mid-write.
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
                self.ended_early = Some(e.to_string());
                return Ok(0);
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => return Err(e),
            Err(e) => {
                return Err(io::Error::new(
                    e.kind(),
                    format!("damaged or unreadable in the archive ({e})"),
                ));
            }
        };
        self.out = self.out.saturating_add(n as u64);
        let total = self
            .totals
            .out
            .fetch_add(n as u64, Ordering::Relaxed)
            .saturating_add(n as u64);
        if let Some(mut hit) = self.check(total) {
            // The bytes that passed the limit are not handed out, so they do not count: a
            // bomb uses no more of the archive's budget than its own share, and the members
            // after it are still read. Members read at once that pass an archive limit
            // together all stop, though one alone might have fit: the limit holds either way.
            self.out -= n as u64;
            self.totals.out.fetch_sub(n as u64, Ordering::Relaxed);
            if let LimitHit::MemberRatio { out, .. } = &mut hit {
                *out = self.out;
            }
            self.hit = Some(hit.clone());
            return Err(io::Error::other(hit));
        }
        Ok(n)
    }
}

/// Calls `visit` for every file in the archive at `path` (read from `reader`), in archive
/// order; folders and symbolic links are passed over. A problem with one member reaches
/// `visit` through [`Member::reader`]; an archive that cannot be opened at all is the error.
/// A gzip file is decompressed on a thread of its own while `visit` reads it.
pub fn for_each_member<R, F>(
    path: &Path,
    mut reader: R,
    format: Format,
    limits: &Limits,
    mut visit: F,
) -> Result<(), ArchiveError>
where
    R: Read + Seek + Send,
    F: FnMut(&mut Member<'_>),
{
    let archive_len = reader.seek(SeekFrom::End(0))?;
    reader.seek(SeekFrom::Start(0))?;
    let totals = Totals::new(archive_len);
    match format {
        Format::Gzip => std::thread::scope(|scope| {
            let body = gzip_body(
                ahead::spawn(scope, MultiGzDecoder::new(reader)),
                Compressed::Known(archive_len),
                limits,
                &totals,
                Format::Gzip,
            );
            visit(&mut Member {
                name: path.display().to_string(),
                origin: path.to_path_buf(),
                body,
            });
        }),
        Format::Zip => {
            let (mut zip, counter) = open_zip(reader).map_err(ArchiveError::Zip)?;
            let folder = path.with_extension("");
            for index in 0..zip.len() {
                let at = At {
                    path,
                    folder: &folder,
                    index,
                };
                if let Some(mut member) = zip_member(&mut zip, &counter, at, limits, &totals) {
                    visit(&mut member);
                }
            }
        }
    }
    Ok(())
}

/// [`for_each_member`] with the members of a zip read at once on the rayon pool, each on its
/// own clone of `reader` (a view of the one open file with a position of its own): what
/// `visit` returned for the members, combined with `merge` in archive order as they are
/// read (so memory holds a few members' results, not every one's), and how many members were
/// visited. The members share the archive's limits; each one's own limits, errors and notes
/// are as when read one by one.
pub fn par_each_member<R, F, M, T>(
    path: &Path,
    mut reader: R,
    format: Format,
    limits: &Limits,
    visit: F,
    merge: M,
) -> Result<(Option<T>, usize), ArchiveError>
where
    R: Read + Seek + Clone + Send + Sync,
    F: Fn(&mut Member<'_>) -> T + Sync,
    M: Fn(T, T) -> T + Sync,
    T: Send,
{
    if format == Format::Gzip {
        let mut out = None;
        let mut visited = 0;
        for_each_member(path, reader, format, limits, |member| {
            let seen = visit(member);
            visited += 1;
            out = Some(match out.take() {
                Some(before) => merge(before, seen),
                None => seen,
            });
        })?;
        return Ok((out, visited));
    }
    let archive_len = reader.seek(SeekFrom::End(0))?;
    reader.seek(SeekFrom::Start(0))?;
    let totals = Totals::new(archive_len);
    // Opened once here for the member names and to say when the archive cannot be read; each
    // task then opens its own view (the directory is read again: a few KiB).
    let names: Vec<String> = {
        let (zip, _) = open_zip(reader.clone()).map_err(ArchiveError::Zip)?;
        (0..zip.len())
            .map(|i| zip.name_for_index(i).unwrap_or_default().to_string())
            .collect()
    };
    let folder = path.with_extension("");
    let seen = (0..names.len())
        .into_par_iter()
        .map_init(
            || open_zip(reader.clone()),
            |zip, index| {
                let at = At {
                    path,
                    folder: &folder,
                    index,
                };
                match zip {
                    Ok((zip, counter)) => {
                        let mut member = zip_member(zip, counter, at, limits, &totals)?;
                        Some((visit(&mut member), 1))
                    }
                    // The file read differently the second time (changed while read?).
                    Err(e) => {
                        let raw_name = &names[index];
                        if is_folder(raw_name) {
                            return None;
                        }
                        let (name, origin) = at.names(raw_name);
                        let body = Err(format!("cannot be read ({e})"));
                        Some((visit(&mut Member { name, origin, body }), 1))
                    }
                }
            },
        )
        .flatten()
        .reduce_with(|(a, n), (b, m)| (merge(a, b), n + m));
    Ok(match seen {
        Some((out, visited)) => (Some(out), visited),
        None => (None, 0),
    })
}

/// A zip archive read through a counter of the bytes read from it.
type Zip<R> = zip::ZipArchive<Counting<R>>;

/// The zip in `reader`, and the counter of what is read from it.
fn open_zip<R: Read + Seek>(reader: R) -> zip::result::ZipResult<(Zip<R>, Rc<Cell<u64>>)> {
    let counter = Rc::new(Cell::new(0));
    let reader = Counting {
        inner: reader,
        read: Rc::clone(&counter),
    };
    Ok((zip::ZipArchive::new(reader)?, counter))
}

/// Which member of which archive.
#[derive(Clone, Copy)]
struct At<'p> {
    path: &'p Path,
    /// Where the archive would be extracted.
    folder: &'p Path,
    index: usize,
}

impl At<'_> {
    /// The member's name in reports and the path it would have extracted.
    fn names(&self, raw_name: &str) -> (String, PathBuf) {
        let name = format!("{}!{}", self.path.display(), printable(raw_name));
        (name, inside(self.folder, raw_name))
    }
}

fn is_folder(raw_name: &str) -> bool {
    raw_name.ends_with('/') || raw_name.ends_with('\\')
}

/// The member at `at` of `zip`, ready to read; none for a folder or a symbolic link.
fn zip_member<'a, R: Read + Seek>(
    zip: &'a mut Zip<R>,
    counter: &Rc<Cell<u64>>,
    at: At<'_>,
    limits: &'a Limits,
    totals: &'a Totals,
) -> Option<Member<'a>> {
    let raw_name = zip.name_for_index(at.index).unwrap_or_default().to_string();
    if is_folder(&raw_name) {
        return None;
    }
    let (name, origin) = at.names(&raw_name);
    let body = match zip.by_index(at.index) {
        Ok(entry) if entry.is_dir() || entry.is_symlink() => return None,
        Ok(entry) => {
            // The local header is read: what is read from here on is the data.
            let compressed = Compressed::Read {
                counter: Rc::clone(counter),
                start: counter.get(),
            };
            zip_body(entry, compressed, limits, totals)
        }
        Err(e) => Err(member_problem(&e)),
    };
    Some(Member { name, origin, body })
}

/// A gzip stream's body from its `decoder`, refusing an archive inside it.
fn gzip_body<'a, D: Read + 'a>(
    mut decoder: D,
    compressed: Compressed,
    limits: &'a Limits,
    totals: &'a Totals,
    outer: Format,
) -> Result<Body<'a>, String> {
    let head = match peek(&mut decoder) {
        Ok(head) => head,
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Vec::new(),
        Err(e) => return Err(format!("corrupt gzip data ({e})")),
    };
    if let Some(inner) = Format::sniff(&head) {
        return Err(nested(outer, inner));
    }
    Ok(Body {
        inner: Box::new(Cursor::new(head).chain(decoder)),
        compressed,
        out: 0,
        limits,
        totals,
        hit: None,
        ended_early: None,
    })
}

/// A zip member's body: its bytes, or a gzip file inside it decompressed on the fly.
fn zip_body<'a, R: Read + 'a>(
    mut entry: zip::read::ZipFile<'a, R>,
    compressed: Compressed,
    limits: &'a Limits,
    totals: &'a Totals,
) -> Result<Body<'a>, String> {
    let head = peek(&mut entry).map_err(|e| format!("cannot be decompressed ({e})"))?;
    match Format::sniff(&head) {
        Some(Format::Gzip) => gzip_body(
            MultiGzDecoder::new(Cursor::new(head).chain(entry)),
            compressed,
            limits,
            totals,
            Format::Zip,
        ),
        Some(inner) => Err(nested(Format::Zip, inner)),
        None => Ok(Body {
            inner: Box::new(Cursor::new(head).chain(entry)),
            compressed,
            out: 0,
            limits,
            totals,
            hit: None,
            ended_early: None,
        }),
    }
}

/// The first bytes of a stream, enough for a magic number.
fn peek(reader: &mut dyn Read) -> io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(4);
    reader.take(4).read_to_end(&mut head)?;
    Ok(head)
}

fn nested(outer: Format, inner: Format) -> String {
    format!(
        "a {} archive inside a {} archive is not read (iisdiag reads one level: a .gz, a .zip, \
         or .gz files in a .zip); extract the outer archive first",
        inner.name(),
        outer.name()
    )
}

/// Why a zip member cannot be read, in the words a user acts on.
fn member_problem(e: &zip::result::ZipError) -> String {
    use zip::result::ZipError;
    match e {
        ZipError::UnsupportedArchive(m) if *m == ZipError::PASSWORD_REQUIRED => {
            "encrypted; iisdiag does not read password-protected archives".into()
        }
        ZipError::UnsupportedArchive(m) => format!(
            "cannot be read: {m} (iisdiag reads zip members that are stored, deflated or \
             deflate64-compressed)"
        ),
        other => format!("cannot be read ({other})"),
    }
}

/// `folder` joined with the parts of a member name (either slash), never leaving `folder`.
fn inside(folder: &Path, member: &str) -> PathBuf {
    let mut out = folder.to_path_buf();
    for part in member.split(['/', '\\']) {
        if !part.is_empty() && part != "." && part != ".." && !part.contains(':') {
            out.push(part);
        }
    }
    out
}

/// A member name safe to print: control characters (a terminal's escape sequences) become `?`.
fn printable(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

/// A byte count as people read it: `512 B`, `1.0 MiB`, `16 GiB`.
pub fn bytes(n: u64) -> String {
    struct Size(u64);
    impl fmt::Display for Size {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
            if self.0 < 1024 {
                return write!(f, "{} B", self.0);
            }
            let mut value = self.0 as f64 / 1024.0;
            let mut unit = 0;
            while value >= 1024.0 && unit + 1 < UNITS.len() {
                value /= 1024.0;
                unit += 1;
            }
            if value.fract() == 0.0 {
                write!(f, "{value:.0} {}", UNITS[unit])
            } else {
                write!(f, "{value:.1} {}", UNITS[unit])
            }
        }
    }
    Size(n).to_string()
}

#[cfg(test)]
mod tests;
