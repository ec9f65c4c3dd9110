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

use flate2::read::MultiGzDecoder;

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

/// Running totals of one archive.
struct Totals {
    out: u64,
    archive_len: u64,
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
    totals: &'a mut Totals,
    hit: Option<LimitHit>,
    ended_early: Option<String>,
}

impl Body<'_> {
    fn check(&self) -> Option<LimitHit> {
        let l = self.limits;
        let t = &self.totals;
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
        if t.out > RATIO_FLOOR && t.out > l.max_ratio.saturating_mul(t.archive_len) {
            return Some(LimitHit::ArchiveRatio {
                ratio: l.max_ratio,
                archive: t.archive_len,
            });
        }
        if t.out > l.max_archive_bytes {
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
        self.totals.out = self.totals.out.saturating_add(n as u64);
        if let Some(mut hit) = self.check() {
            // The bytes that passed the limit are not handed out, so they do not count: a
            // bomb uses no more of the archive's budget than its own share, and the members
            // after it are still read.
            self.out -= n as u64;
            self.totals.out -= n as u64;
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
pub fn for_each_member<R, F>(
    path: &Path,
    mut reader: R,
    format: Format,
    limits: &Limits,
    mut visit: F,
) -> Result<(), ArchiveError>
where
    R: Read + Seek,
    F: FnMut(&mut Member<'_>),
{
    let archive_len = reader.seek(SeekFrom::End(0))?;
    reader.seek(SeekFrom::Start(0))?;
    let mut totals = Totals {
        out: 0,
        archive_len,
    };
    match format {
        Format::Gzip => {
            let body = gzip_body(
                reader,
                Compressed::Known(archive_len),
                limits,
                &mut totals,
                Format::Gzip,
            );
            visit(&mut Member {
                name: path.display().to_string(),
                origin: path.to_path_buf(),
                body,
            });
        }
        Format::Zip => {
            let counter = Rc::new(Cell::new(0));
            let reader = Counting {
                inner: reader,
                read: Rc::clone(&counter),
            };
            let mut zip = zip::ZipArchive::new(reader).map_err(ArchiveError::Zip)?;
            let folder = path.with_extension("");
            for index in 0..zip.len() {
                let raw_name = zip.name_for_index(index).unwrap_or_default().to_string();
                if raw_name.ends_with('/') || raw_name.ends_with('\\') {
                    continue;
                }
                let name = format!("{}!{}", path.display(), printable(&raw_name));
                let origin = inside(&folder, &raw_name);
                let body = match zip.by_index(index) {
                    Ok(entry) if entry.is_dir() || entry.is_symlink() => continue,
                    Ok(entry) => {
                        // The local header is read: what is read from here on is the data.
                        let compressed = Compressed::Read {
                            counter: Rc::clone(&counter),
                            start: counter.get(),
                        };
                        zip_body(entry, compressed, limits, &mut totals)
                    }
                    Err(e) => Err(member_problem(&e)),
                };
                visit(&mut Member { name, origin, body });
            }
        }
    }
    Ok(())
}

/// A gzip stream's decompressed body, refusing an archive inside it.
fn gzip_body<'a, R: Read + 'a>(
    reader: R,
    compressed: Compressed,
    limits: &'a Limits,
    totals: &'a mut Totals,
    outer: Format,
) -> Result<Body<'a>, String> {
    let mut decoder = MultiGzDecoder::new(reader);
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
    totals: &'a mut Totals,
) -> Result<Body<'a>, String> {
    let head = peek(&mut entry).map_err(|e| format!("cannot be decompressed ({e})"))?;
    match Format::sniff(&head) {
        Some(Format::Gzip) => gzip_body(
            Cursor::new(head).chain(entry),
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
mod tests {
    use std::io::Write;

    use flate2::write::GzEncoder;
    use zip::write::SimpleFileOptions;

    use super::*;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut enc = GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(data).unwrap();
        enc.finish().unwrap()
    }

    /// Bytes that do not compress (xorshift), so a stored or deflated member keeps its size.
    fn noise(len: usize) -> Vec<u8> {
        let mut x = 0x2545_F491_4F6C_DD1Du64;
        (0..len)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect()
    }

    /// A zip of `(name, data)`; a name ending in `/` is a folder. Deflated unless `stored`.
    fn zip_of(entries: &[(&str, &[u8])], stored: bool) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let method = if stored {
            zip::CompressionMethod::Stored
        } else {
            zip::CompressionMethod::Deflated
        };
        let opts = SimpleFileOptions::default().compression_method(method);
        for (name, data) in entries {
            if name.ends_with('/') {
                w.add_directory(*name, opts).unwrap();
            } else {
                w.start_file(*name, opts).unwrap();
                w.write_all(data).unwrap();
            }
        }
        w.finish().unwrap().into_inner()
    }

    /// What reading every member gave: name, origin, and the bytes or the error text.
    type Seen = Vec<(String, PathBuf, Result<Vec<u8>, String>)>;

    fn members(path: &str, bytes: &[u8], limits: &Limits) -> Result<Seen, ArchiveError> {
        let format = Format::sniff(bytes).expect("an archive");
        let mut seen = Vec::new();
        for_each_member(Path::new(path), Cursor::new(bytes), format, limits, |m| {
            let content = match m.reader() {
                Ok(r) => {
                    let mut out = Vec::new();
                    r.read_to_end(&mut out)
                        .map(|_| out)
                        .map_err(|e| e.to_string())
                }
                Err(reason) => Err(reason.to_string()),
            };
            seen.push((m.name.clone(), m.origin.clone(), content));
        })?;
        Ok(seen)
    }

    /// The limit a member's read stopped at.
    fn limit_hit(bytes: &[u8], limits: &Limits) -> Vec<Option<LimitHit>> {
        let format = Format::sniff(bytes).unwrap();
        let mut hits = Vec::new();
        for_each_member(Path::new("a"), Cursor::new(bytes), format, limits, |m| {
            let r = m.reader().unwrap();
            let err = io::copy(r, &mut io::sink()).err();
            hits.push(err.and_then(|e| {
                e.get_ref()
                    .and_then(|inner| inner.downcast_ref::<LimitHit>())
                    .cloned()
            }));
        })
        .unwrap();
        hits
    }

    #[test]
    fn formats_by_magic_bytes() {
        let cases: &[(&[u8], Option<Format>)] = &[
            (b"\x1F\x8B\x08\x00", Some(Format::Gzip)),
            (b"PK\x03\x04rest", Some(Format::Zip)),
            (b"PK\x05\x06", Some(Format::Zip)),
            (b"PK", None),
            (b"#Fields: date time\n", None),
            (b"", None),
        ];
        for (head, want) in cases {
            assert_eq!(Format::sniff(head), *want, "{head:?}");
        }
    }

    #[test]
    fn a_gzip_file_is_one_member_under_its_own_name() {
        let seen = members(
            "logs/W3SVC1/u_ex1.log.gz",
            &gzip(b"#Fields: x\n"),
            &Limits::default(),
        )
        .unwrap();
        assert_eq!(seen.len(), 1);
        assert_eq!(seen[0].0, "logs/W3SVC1/u_ex1.log.gz");
        assert_eq!(seen[0].1, Path::new("logs/W3SVC1/u_ex1.log.gz"));
        assert_eq!(seen[0].2.as_deref(), Ok(&b"#Fields: x\n"[..]));
    }

    #[test]
    fn concatenated_gzip_parts_read_as_one_file() {
        let mut bytes = gzip(b"first\n");
        bytes.extend(gzip(b"second\n"));
        let seen = members("a.gz", &bytes, &Limits::default()).unwrap();
        assert_eq!(seen[0].2.as_deref(), Ok(&b"first\nsecond\n"[..]));
    }

    #[test]
    fn zip_members_in_order_with_their_folders_as_origin() {
        let bytes = zip_of(
            &[
                ("inetpub/", b""),
                ("inetpub/logs/LogFiles/W3SVC1/u_ex1.log", b"one"),
                ("HTTPERR\\httperr1.log", b"two"),
                ("../../outside.log", b"three"),
            ],
            false,
        );
        let seen = members("copies/web01.zip", &bytes, &Limits::default()).unwrap();
        let names: Vec<&str> = seen.iter().map(|s| s.0.as_str()).collect();
        assert_eq!(
            names,
            [
                "copies/web01.zip!inetpub/logs/LogFiles/W3SVC1/u_ex1.log",
                "copies/web01.zip!HTTPERR\\httperr1.log",
                "copies/web01.zip!../../outside.log",
            ]
        );
        assert_eq!(
            seen[0].1,
            Path::new("copies/web01/inetpub/logs/LogFiles/W3SVC1/u_ex1.log")
        );
        assert_eq!(seen[1].1, Path::new("copies/web01/HTTPERR/httperr1.log"));
        // A name that climbs out of the archive stays inside it: origins are never outside.
        assert_eq!(seen[2].1, Path::new("copies/web01/outside.log"));
        assert_eq!(seen[2].2.as_deref(), Ok(&b"three"[..]));
    }

    #[test]
    fn names_with_control_characters_print_safely() {
        let bytes = zip_of(&[("evil\x1b[2J.log", b"x")], true);
        let seen = members("a.zip", &bytes, &Limits::default()).unwrap();
        assert_eq!(seen[0].0, "a.zip!evil?[2J.log");
    }

    #[test]
    fn gzip_inside_zip_is_read_deeper_is_refused() {
        let inner_zip = zip_of(&[("x.log", b"x")], false);
        let bytes = zip_of(
            &[
                ("old/u_ex1.log.gz", &gzip(b"inside\n")),
                ("inner.zip", &inner_zip),
                ("twice.gz", &gzip(&gzip(b"x"))),
            ],
            true,
        );
        let seen = members("a.zip", &bytes, &Limits::default()).unwrap();
        assert_eq!(seen[0].2.as_deref(), Ok(&b"inside\n"[..]));
        let refused = seen[1].2.as_ref().unwrap_err();
        assert!(
            refused.contains("a zip archive inside a zip archive"),
            "{refused}"
        );
        let refused = seen[2].2.as_ref().unwrap_err();
        assert!(refused.contains("a gzip archive inside a zip"), "{refused}");
        // A zip inside a gzip file.
        let seen = members("a.gz", &gzip(&inner_zip), &Limits::default()).unwrap();
        assert!(seen[0].2.as_ref().unwrap_err().contains("inside a gzip"));
    }

    #[test]
    fn a_gzip_bomb_stops_at_the_ratio() {
        let bomb = gzip(&vec![0u8; 8 << 20]);
        let limits = Limits::default();
        let hits = limit_hit(&bomb, &limits);
        match &hits[0] {
            Some(LimitHit::MemberRatio {
                ratio,
                out,
                compressed,
                ..
            }) => {
                assert_eq!((*ratio, *compressed), (500, bomb.len() as u64));
                // Stopped within one read of 500 times the compressed size, not at 8 MiB.
                assert!(*out <= 500 * compressed && *out + (64 << 10) > 500 * compressed);
            }
            other => panic!("{other:?}"),
        }
        let text = hits[0].as_ref().unwrap().to_string();
        assert!(
            text.contains("more than 500 times its compressed size"),
            "{text}"
        );
    }

    #[test]
    fn a_bomb_does_not_cost_the_members_after_it() {
        let zeros = vec![0u8; 8 << 20];
        let text: Vec<u8> = (0..20_000)
            .flat_map(|i| format!("2026-11-18 10:00:00 /api/{i} 500 0 0\n").into_bytes())
            .collect();
        let bytes = zip_of(&[("bomb.log", &zeros), ("real.log", &text)], false);
        let hits = limit_hit(&bytes, &Limits::default());
        assert!(
            matches!(hits[0], Some(LimitHit::MemberRatio { .. })),
            "{hits:?}"
        );
        assert_eq!(hits[1], None);
    }

    #[test]
    fn the_member_cap_stops_a_big_member() {
        let limits = Limits {
            max_member_bytes: 2 << 20,
            ..Limits::default()
        };
        let bytes = zip_of(&[("big.log", &noise(3 << 20)), ("small.log", b"ok")], true);
        assert_eq!(
            limit_hit(&bytes, &limits),
            [Some(LimitHit::MemberBytes { max: 2 << 20 }), None]
        );
    }

    #[test]
    fn the_archive_cap_stops_the_member_that_passes_it() {
        let limits = Limits {
            max_archive_bytes: 5 << 20,
            ..Limits::default()
        };
        let part = noise(2 << 20);
        let bytes = zip_of(
            &[("1.log", &part), ("2.log", &part), ("3.log", &part)],
            true,
        );
        assert_eq!(
            limit_hit(&bytes, &limits),
            [None, None, Some(LimitHit::ArchiveBytes { max: 5 << 20 })]
        );
    }

    /// A zip whose central directory lists `count` members that all point at the same stored
    /// bytes: an archive far smaller than what its members hold together.
    fn overlapping_zip(data: &[u8], count: usize) -> Vec<u8> {
        let mut crc = flate2::Crc::new();
        crc.update(data);
        let (crc, len) = (crc.sum(), u32::try_from(data.len()).unwrap());
        // Member names differ: the zip reader keeps one member per name (and does not hold
        // them against the local header's).
        let name = b"same.log";
        let mut out = Vec::new();
        out.extend(b"PK\x03\x04");
        out.extend([20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        out.extend(crc.to_le_bytes());
        out.extend(len.to_le_bytes());
        out.extend(len.to_le_bytes());
        out.extend((name.len() as u16).to_le_bytes());
        out.extend(0u16.to_le_bytes());
        out.extend(name);
        out.extend(data);
        let dir_start = out.len() as u32;
        for i in 0..count {
            let name = format!("same{}.log", i % 10);
            let name = name.as_bytes();
            out.extend(b"PK\x01\x02");
            out.extend([20, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
            out.extend(crc.to_le_bytes());
            out.extend(len.to_le_bytes());
            out.extend(len.to_le_bytes());
            out.extend((name.len() as u16).to_le_bytes());
            out.extend([0u8; 12]);
            out.extend(0u32.to_le_bytes());
            out.extend(name);
        }
        let dir_len = out.len() as u32 - dir_start;
        out.extend(b"PK\x05\x06");
        out.extend([0u8; 4]);
        out.extend((count as u16).to_le_bytes());
        out.extend((count as u16).to_le_bytes());
        out.extend(dir_len.to_le_bytes());
        out.extend(dir_start.to_le_bytes());
        out.extend(0u16.to_le_bytes());
        out
    }

    #[test]
    fn overlapping_members_hit_the_archive_ratio() {
        let limits = Limits {
            max_ratio: 4,
            ..Limits::default()
        };
        let bytes = overlapping_zip(&noise(3 << 19), 10);
        let hits = limit_hit(&bytes, &limits);
        assert_eq!(hits.len(), 10);
        // Each member alone is 1:1; together they pass 4 times the archive in the fifth.
        assert_eq!(hits[..4], [None, None, None, None]);
        assert!(
            matches!(hits[4], Some(LimitHit::ArchiveRatio { ratio: 4, .. })),
            "{hits:?}"
        );
    }

    /// Writes `size` over the compressed-size field of the first member, in its local header
    /// and in the central directory.
    fn forge_compressed_size(zip: &mut [u8], size: u32) {
        assert_eq!(&zip[..4], b"PK\x03\x04");
        zip[18..22].copy_from_slice(&size.to_le_bytes());
        let central = memchr::memmem::find(zip, b"PK\x01\x02").unwrap();
        zip[central + 20..central + 24].copy_from_slice(&size.to_le_bytes());
    }

    #[test]
    fn a_forged_compressed_size_does_not_lift_the_member_ratio() {
        // 8 MiB of zeros deflate to about 8 KiB; the incompressible member after it gives the
        // archive a budget (500 times 2 MiB) far above what the bomb holds.
        let mut bytes = zip_of(
            &[
                ("bomb.log", &vec![0u8; 8 << 20]),
                ("real.log", &noise(2 << 20)),
            ],
            false,
        );
        forge_compressed_size(&mut bytes, 0xFFFF_FFF0);
        let hits = limit_hit(&bytes, &Limits::default());
        match &hits[0] {
            Some(LimitHit::MemberRatio {
                ratio: 500,
                compressed,
                out,
                so_far: true,
            }) => {
                // Counted from the bytes read, not the 4 GiB declared.
                assert!(*compressed < 64 << 10, "{compressed}");
                assert!(*out <= 500 * compressed && *out < 8 << 20, "{out}");
            }
            other => panic!("the forged member was read past its ratio: {other:?}"),
        }
        let text = hits[0].as_ref().unwrap().to_string();
        assert!(text.contains("read so far"), "{text}");
        assert_eq!(hits[1], None);
    }

    #[test]
    fn an_honest_zip_member_reads_whole_under_the_counted_size() {
        let text: Vec<u8> = (0..60_000)
            .flat_map(|i| format!("2026-11-18 10:00:00 /api/{i} 500 0 0\n").into_bytes())
            .collect();
        let bytes = zip_of(&[("a.log", &text), ("b.log", &text)], false);
        let seen = members("a.zip", &bytes, &Limits::default()).unwrap();
        for (_, _, content) in &seen {
            assert_eq!(content.as_deref(), Ok(&text[..]));
        }
    }

    #[test]
    fn a_member_far_more_repetitive_than_logs_gets_a_note() {
        // Scaled down: the note from 1 MiB instead of 1 GiB. Empty lines at deflate's fastest
        // level come out about 229 times their compressed size, under the ratio limit.
        let limits = Limits {
            note_bytes: 1 << 20,
            ..Limits::default()
        };
        let mut bomb = b"#Fields: date time sc-status\n".to_vec();
        bomb.resize(8 << 20, b'\n');
        let mut enc = GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(&bomb).unwrap();
        let gz = enc.finish().unwrap();
        let log: Vec<u8> = (0..60_000)
            .flat_map(|i| format!("2026-11-18 10:00:00 /api/{i} 500 0 0\n").into_bytes())
            .collect();
        for (bytes, noted) in [(gz, true), (gzip(&log), false)] {
            let mut notes = Vec::new();
            let mut read = 0;
            for_each_member(
                Path::new("a.gz"),
                Cursor::new(&bytes),
                Format::Gzip,
                &limits,
                |m| {
                    read = io::copy(m.reader().unwrap(), &mut io::sink()).unwrap();
                    notes = m.notes();
                },
            )
            .unwrap();
            if noted {
                assert_eq!(read, 8 << 20, "read in full");
                assert_eq!(notes.len(), 1, "{notes:?}");
                assert!(
                    notes[0].starts_with("decompressed to 8 MiB, ")
                        && notes[0].contains("times its compressed size of")
                        && notes[0].contains("far more repetitive than IIS logs"),
                    "{notes:?}"
                );
            } else {
                assert_eq!(read, log.len() as u64);
                assert!(notes.is_empty(), "{notes:?}");
            }
        }
    }

    #[test]
    fn a_gzip_cut_short_gives_what_it_has_and_a_note() {
        let text: Vec<u8> = (0..2000)
            .flat_map(|i| format!("line {i} of a log that was being copied\n").into_bytes())
            .collect();
        let whole = gzip(&text);
        let cut = &whole[..whole.len() / 2];
        let mut got = Vec::new();
        let mut notes = Vec::new();
        for_each_member(
            Path::new("cut.gz"),
            Cursor::new(cut),
            Format::Gzip,
            &Limits::default(),
            |m| {
                m.reader().unwrap().read_to_end(&mut got).unwrap();
                notes = m.notes();
            },
        )
        .unwrap();
        assert!(!got.is_empty() && got.len() < text.len());
        assert!(text.starts_with(&got));
        assert!(notes[0].contains("ends early"), "{notes:?}");
    }

    #[test]
    fn a_zip_that_cannot_be_opened_is_an_archive_error() {
        let mut bytes = zip_of(&[("a.log", b"a")], false);
        let eocd = bytes.len() - 22;
        bytes.truncate(eocd);
        let err = members("a.zip", &bytes, &Limits::default()).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("a zip archive that cannot be read"),
            "{err}"
        );
    }

    #[test]
    fn sizes_read_like_people_write_them() {
        let cases = [
            (0, "0 B"),
            (1023, "1023 B"),
            (1024, "1 KiB"),
            (1536, "1.5 KiB"),
            (RATIO_FLOOR, "1 MiB"),
            (16 << 30, "16 GiB"),
            (128 << 30, "128 GiB"),
        ];
        for (n, want) in cases {
            assert_eq!(bytes(n), want, "{n}");
        }
    }
}
