//! Opening what was found, the same way for every command: a path is a plain file or an
//! archive (told by its first bytes, not its name), and each stream in it, the file itself or
//! each archive member, is handed to the caller with its name, the path its site and server
//! are read from, and its first bytes; or with the reason it could not be opened.
//!
//! `scan` and `freb` both read through here, so a zip of traces shows in `freb` as a zip of
//! logs does in `scan`. How a file is opened is the caller's (`scan` counts the bytes read
//! for its progress display), and so is which members are worth opening at all.
//!
//! A file on disk is also handed out as a [`ReadAt`]: a large log is read in parts at byte
//! positions of the one handle opened here, never by opening its path again, so a log replaced
//! or rotated while it is read is still read whole from the file that was opened.

use std::fs::{File, Metadata};
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use super::archive::{self, Format, Limits, Member};
use super::sniff::HEAD_LEN;

/// One thing [`each_stream`] found.
pub enum Item<'s, 'a> {
    /// A stream to read: what it is, and its bytes.
    Open(Stream<'s>, Body<'s, 'a>),
    /// A file or an archive (or one of its members) that could not be opened, and why.
    Failed { name: String, reason: String },
    /// An archive member left unopened: the caller's `wanted` refused its path.
    Unwanted,
}

/// What a stream is.
#[derive(Debug, Clone)]
pub struct Stream<'s> {
    /// What reports call it: the file's path, or `archive!member`.
    pub name: String,
    /// Where the stream would lie on disk (a member: inside a folder named for its archive);
    /// its site and server folders are read from this path.
    pub origin: PathBuf,
    /// The file, when the stream is one on disk and not an archive member (a large log on
    /// disk may be read in parts).
    pub disk: Option<&'s Path>,
    /// The first bytes ([`HEAD_LEN`] at most), to tell the stream's kind; [`Body::rest`]
    /// goes on after them.
    pub head: Vec<u8>,
}

/// A stream's bytes after its head, and what reading them taught.
pub struct Body<'s, 'a> {
    source: Source<'s, 'a>,
    empty: io::Empty,
}

enum Source<'s, 'a> {
    File(&'s mut dyn Disk),
    Member(&'s mut Member<'a>),
}

/// An open file read at byte positions, from several threads at once.
pub trait ReadAt: Sync {
    /// Reads into `buf` from byte `pos`; 0 at or past the end. The file's cursor is not used.
    fn read_at(&self, buf: &mut [u8], pos: u64) -> io::Result<usize>;
    /// The open file's metadata now (its length, its modification time).
    fn metadata(&self) -> io::Result<Metadata>;
}

impl ReadAt for File {
    fn read_at(&self, buf: &mut [u8], pos: u64) -> io::Result<usize> {
        #[cfg(unix)]
        {
            std::os::unix::fs::FileExt::read_at(self, buf, pos)
        }
        // `seek_read` moves the cursor too, but every read of a file read in parts is positional.
        #[cfg(windows)]
        {
            std::os::windows::fs::FileExt::seek_read(self, buf, pos)
        }
        #[cfg(not(any(unix, windows)))]
        {
            let _ = (buf, pos);
            Err(io::Error::new(
                io::ErrorKind::Unsupported,
                "positional reads are not supported on this platform",
            ))
        }
    }

    fn metadata(&self) -> io::Result<Metadata> {
        File::metadata(self)
    }
}

/// A file a stream is read from: as a stream, or at positions.
pub trait Disk: Read + ReadAt {}

impl<T: Read + ReadAt> Disk for T {}

impl Body<'_, '_> {
    /// The file itself, when the stream is a file on disk (not an archive member), to read at
    /// positions (the bytes before [`Body::rest`] included).
    pub fn at(&self) -> Option<&dyn ReadAt> {
        match &self.source {
            Source::File(file) => Some(&**file),
            Source::Member(_) => None,
        }
    }

    /// The bytes after [`Stream::head`].
    pub fn rest(&mut self) -> &mut dyn Read {
        match &mut self.source {
            Source::File(file) => *file,
            Source::Member(member) => match member.reader() {
                Ok(reader) => reader,
                // Not met: a member is handed out only once its head was read from it.
                Err(_) => &mut self.empty,
            },
        }
    }

    /// What the caller should know once the stream is read (an archive member whose
    /// compressed data ended early).
    pub fn notes(&self) -> Vec<String> {
        match &self.source {
            Source::File(_) => Vec::new(),
            Source::Member(member) => member.notes(),
        }
    }
}

/// Opens `path` with `open` and hands `visit` each stream in it: the file itself, or every
/// member of a gzip or zip archive whose path `wanted` accepts (members are read in archive
/// order, decompressed as they are read, within [`Limits::default`]). Whatever cannot be
/// opened reaches `visit` as [`Item::Failed`], and nothing stops the walk but the end.
pub fn each_stream<R, O, W, V>(path: &Path, open: O, mut wanted: W, mut visit: V)
where
    R: Read + Seek + ReadAt + Send,
    O: FnOnce(&Path) -> io::Result<R>,
    W: FnMut(&Path) -> bool,
    V: FnMut(Item<'_, '_>),
{
    let (mut file, head) = match open_head(path, open) {
        Ok(opened) => opened,
        Err(failed) => return visit(failed),
    };
    let Some(format) = Format::sniff(&head) else {
        let stream = disk_stream(path, head);
        return visit(Item::Open(stream, Body::of(Source::File(&mut file))));
    };
    let mut members = 0usize;
    let walked = archive::for_each_member(path, file, format, &Limits::default(), |member| {
        members += 1;
        visit(member_item(member, &mut wanted));
    });
    if let Some(failed) = archive_failed(path, format, walked.map(|()| members)) {
        visit(failed);
    }
}

/// [`each_stream`] with the members of a zip read at once on the rayon pool, each on its own
/// view of the one file opened: what `visit` returned for each stream, combined with `merge`
/// in archive order as the members are read.
pub fn par_each_stream<R, O, W, V, M, T>(
    path: &Path,
    open: O,
    wanted: W,
    visit: V,
    merge: M,
) -> Option<T>
where
    R: Read + Seek + ReadAt + Send,
    O: FnOnce(&Path) -> io::Result<R>,
    W: Fn(&Path) -> bool + Sync,
    V: Fn(Item<'_, '_>) -> T + Sync,
    M: Fn(T, T) -> T + Sync,
    T: Send,
{
    let (mut file, head) = match open_head(path, open) {
        Ok(opened) => opened,
        Err(failed) => return Some(visit(failed)),
    };
    let Some(format) = Format::sniff(&head) else {
        let stream = disk_stream(path, head);
        return Some(visit(Item::Open(stream, Body::of(Source::File(&mut file)))));
    };
    let walked = View::of(&file)
        .map_err(archive::ArchiveError::Io)
        .and_then(|view| {
            let limits = Limits::default();
            archive::par_each_member(
                path,
                view,
                format,
                &limits,
                |member| visit(member_item(member, &mut |origin| wanted(origin))),
                &merge,
            )
        });
    let (seen, walked) = match walked {
        Ok((seen, visited)) => (seen, Ok(visited)),
        Err(e) => (None, Err(e)),
    };
    let failed = archive_failed(path, format, walked).map(&visit);
    match (seen, failed) {
        (Some(seen), Some(failed)) => Some(merge(seen, failed)),
        (seen, failed) => seen.or(failed),
    }
}

/// `path` opened with `open`, and its first bytes; or the item saying why it could not be.
fn open_head<R: Read>(
    path: &Path,
    open: impl FnOnce(&Path) -> io::Result<R>,
) -> Result<(R, Vec<u8>), Item<'static, 'static>> {
    let opened = open(path).and_then(|mut file| {
        let head = read_head(&mut file)?;
        Ok((file, head))
    });
    opened.map_err(|e| Item::Failed {
        name: path.display().to_string(),
        reason: e.to_string(),
    })
}

/// The stream a file on disk (not an archive) is.
fn disk_stream(path: &Path, head: Vec<u8>) -> Stream<'_> {
    Stream {
        name: path.display().to_string(),
        origin: path.to_path_buf(),
        disk: Some(path),
        head,
    }
}

/// What an archive member is to the caller: unwanted, failed with its reason, or open.
fn member_item<'m, 'a>(
    member: &'m mut Member<'a>,
    wanted: &mut dyn FnMut(&Path) -> bool,
) -> Item<'m, 'a> {
    if !wanted(&member.origin) {
        return Item::Unwanted;
    }
    let (name, origin) = (member.name.clone(), member.origin.clone());
    let head = match member.reader().map(read_head) {
        Ok(Ok(head)) => head,
        Ok(Err(e)) => {
            let reason = e.to_string();
            return Item::Failed { name, reason };
        }
        Err(reason) => {
            let reason = reason.to_string();
            return Item::Failed { name, reason };
        }
    };
    let stream = Stream {
        name,
        origin,
        disk: None,
        head,
    };
    Item::Open(stream, Body::of(Source::Member(member)))
}

/// The archive as a whole as a failed item, after its members (how many were found): one
/// that could not be opened, or one with no files in it.
fn archive_failed(
    path: &Path,
    format: Format,
    walked: Result<usize, archive::ArchiveError>,
) -> Option<Item<'static, 'static>> {
    let name = path.display().to_string();
    match walked {
        Err(e) => Some(Item::Failed {
            name,
            reason: e.to_string(),
        }),
        Ok(0) => Some(Item::Failed {
            name,
            reason: format!("a {} archive with no files in it", format.name()),
        }),
        Ok(_) => None,
    }
}

/// A view of an open file with a position of its own, read at positions: each clone reads
/// the same file independently, so an archive's members can be read at once.
#[derive(Clone, Copy)]
struct View<'f> {
    file: &'f dyn ReadAt,
    pos: u64,
    len: u64,
}

impl<'f> View<'f> {
    fn of(file: &'f dyn ReadAt) -> io::Result<View<'f>> {
        let len = file.metadata()?.len();
        Ok(View { file, pos: 0, len })
    }
}

impl Read for View<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.file.read_at(buf, self.pos)?;
        self.pos = self.pos.saturating_add(n as u64);
        Ok(n)
    }
}

impl Seek for View<'_> {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        let to = match pos {
            SeekFrom::Start(n) => Some(n),
            SeekFrom::End(d) => self.len.checked_add_signed(d),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
        };
        self.pos = to.ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                "a seek before the file's start",
            )
        })?;
        Ok(self.pos)
    }
}

impl<'s, 'a> Body<'s, 'a> {
    fn of(source: Source<'s, 'a>) -> Body<'s, 'a> {
        Body {
            source,
            empty: io::empty(),
        }
    }
}

/// The first bytes of a stream, for `sniff`.
fn read_head(reader: &mut dyn Read) -> io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(HEAD_LEN);
    reader.take(HEAD_LEN as u64).read_to_end(&mut head)?;
    Ok(head)
}

#[cfg(test)]
mod tests {
    use std::fs::File;

    use super::*;

    /// What `each_stream` reported, as text: `open NAME ORIGIN HEAD+REST NOTES`,
    /// `failed NAME: REASON`, `unwanted`.
    fn walk(path: &Path, wanted: impl FnMut(&Path) -> bool) -> Vec<String> {
        let mut seen = Vec::new();
        each_stream(
            path,
            |p| File::open(p),
            wanted,
            |item| match item {
                Item::Open(stream, mut body) => {
                    let mut rest = Vec::new();
                    let read = body.rest().read_to_end(&mut rest);
                    seen.push(format!(
                        "open {} {} {}+{} {:?} {}",
                        stream.name,
                        stream.origin.display(),
                        stream.head.len(),
                        rest.len(),
                        body.notes(),
                        read.is_ok(),
                    ));
                }
                Item::Failed { name, reason } => seen.push(format!("failed {name}: {reason}")),
                Item::Unwanted => seen.push("unwanted".into()),
            },
        );
        seen
    }

    fn testdata(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("testdata")
            .join(name)
    }

    #[test]
    fn a_plain_file_is_one_stream_named_by_its_path() {
        let path = testdata("httperr/httperr1.log");
        let len = std::fs::metadata(&path).unwrap().len() as usize;
        let seen = walk(&path, |_| unreachable!("a plain file is not asked about"));
        let head = len.min(HEAD_LEN);
        let want = format!(
            "open {} {} {head}+{} [] true",
            path.display(),
            path.display(),
            len - head
        );
        assert_eq!(seen, [want]);
    }

    #[test]
    fn every_member_of_a_zip_is_a_stream_of_its_own() {
        let path = testdata("archives/farm/web01.zip");
        let seen = walk(&path, |_| true);
        assert!(seen.len() > 2, "{seen:?}");
        let prefix = format!("open {}!", path.display());
        assert!(seen.iter().all(|s| s.starts_with(&prefix)), "{seen:?}");
        // Origins lie in a folder named for the archive.
        let folder = path.with_extension("");
        assert!(
            seen.iter()
                .all(|s| s.contains(&format!(" {}", folder.display()))),
            "{seen:?}"
        );
    }

    #[test]
    fn members_the_caller_does_not_want_are_left_unopened() {
        let path = testdata("archives/farm/web01.zip");
        let all = walk(&path, |_| true).len();
        let seen = walk(&path, |_| false);
        assert_eq!(seen, vec!["unwanted".to_string(); all]);
    }

    #[test]
    fn what_cannot_be_opened_is_named_with_the_reason() {
        let missing = Path::new("/no/such/iisdiag/file.log");
        let seen = walk(missing, |_| true);
        assert_eq!(seen.len(), 1);
        assert!(
            seen[0].starts_with("failed /no/such/iisdiag/file.log: "),
            "{seen:?}"
        );

        let empty = testdata("archives/broken/empty.zip");
        let want = format!(
            "failed {}: a zip archive with no files in it",
            empty.display()
        );
        assert_eq!(walk(&empty, |_| true), [want]);

        let broken = testdata("archives/broken/not-a-zip.zip");
        let seen = walk(&broken, |_| true);
        assert_eq!(seen.len(), 1);
        assert!(
            seen[0].contains("a zip archive that cannot be read"),
            "{seen:?}"
        );
    }
}
