//! How far a scan has got, for a progress display to read: files and bytes, done and in
//! total. The readers only bump counters (atomics shared by the worker threads); drawing is
//! someone else's job (`cmd`), so the pipeline knows nothing of terminals.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Counters of one scan.
#[derive(Debug, Default)]
pub struct Progress {
    total_files: AtomicU64,
    total_bytes: AtomicU64,
    files_done: AtomicU64,
    bytes_done: AtomicU64,
}

/// The counters at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Snapshot {
    pub files_done: u64,
    pub total_files: u64,
    pub bytes_done: u64,
    pub total_bytes: u64,
}

impl Progress {
    /// Sets what the scan will read: the files and their sizes on disk.
    pub fn set_totals(&self, files: &[&PathBuf]) {
        let bytes = files
            .iter()
            .filter_map(|p| std::fs::metadata(p).ok())
            .map(|m| m.len())
            .sum();
        self.total_files
            .store(files.len() as u64, Ordering::Relaxed);
        self.total_bytes.store(bytes, Ordering::Relaxed);
    }

    pub fn file_done(&self) {
        self.files_done.fetch_add(1, Ordering::Relaxed);
    }

    fn add_bytes(&self, n: u64) {
        self.bytes_done.fetch_add(n, Ordering::Relaxed);
    }

    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            files_done: self.files_done.load(Ordering::Relaxed),
            total_files: self.total_files.load(Ordering::Relaxed),
            bytes_done: self.bytes_done.load(Ordering::Relaxed),
            total_bytes: self.total_bytes.load(Ordering::Relaxed),
        }
    }
}

/// An input file that counts the bytes read from it. When it is dropped, the part of the
/// file that was not read (a file left after its first bytes showed it is not a log) is
/// counted too, so the bytes done reach the total.
pub struct CountedFile<'a> {
    file: File,
    progress: Option<&'a Progress>,
    /// Size on disk (0 without progress), and bytes read so far.
    len: u64,
    read: u64,
}

impl<'a> CountedFile<'a> {
    pub fn open(path: &Path, progress: Option<&'a Progress>) -> io::Result<CountedFile<'a>> {
        let file = File::open(path)?;
        let len = match progress {
            Some(_) => file.metadata().map_or(0, |m| m.len()),
            None => 0,
        };
        Ok(CountedFile {
            file,
            progress,
            len,
            read: 0,
        })
    }
}

impl Read for CountedFile<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.file.read(buf)?;
        if let Some(p) = self.progress {
            // A file that grew while read (IIS still writing) never counts past its size.
            let counted = (n as u64).min(self.len.saturating_sub(self.read));
            self.read += n as u64;
            p.add_bytes(counted);
        }
        Ok(n)
    }
}

/// Zip archives are read by seeking to their directory and members. Bytes read after a seek
/// back count again, but never past the file's size.
impl Seek for CountedFile<'_> {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        self.file.seek(pos)
    }
}

impl Drop for CountedFile<'_> {
    fn drop(&mut self) {
        if let Some(p) = self.progress {
            p.add_bytes(self.len.saturating_sub(self.read));
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn bytes_read_and_left_add_up_to_the_file_size() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.log");
        let b = dir.path().join("b.log");
        std::fs::write(&a, [b'x'; 10_000]).unwrap();
        std::fs::write(&b, b"12345").unwrap();
        let progress = Progress::default();
        progress.set_totals(&[&a, &b]);
        assert_eq!(
            progress.snapshot(),
            Snapshot {
                files_done: 0,
                total_files: 2,
                bytes_done: 0,
                total_bytes: 10_005
            }
        );
        {
            // Read 100 bytes of a, then give up on it.
            let mut f = CountedFile::open(&a, Some(&progress)).unwrap();
            let mut buf = [0u8; 100];
            f.read_exact(&mut buf).unwrap();
            assert_eq!(progress.snapshot().bytes_done, 100);
        }
        progress.file_done();
        assert_eq!(progress.snapshot().bytes_done, 10_000);
        {
            let mut f = CountedFile::open(&b, Some(&progress)).unwrap();
            let mut all = Vec::new();
            f.read_to_end(&mut all).unwrap();
            assert_eq!(all, b"12345");
        }
        progress.file_done();
        let done = progress.snapshot();
        assert_eq!((done.files_done, done.bytes_done), (2, 10_005));
    }

    #[test]
    fn without_progress_it_is_a_plain_file() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.log");
        std::fs::write(&a, b"hello").unwrap();
        let mut f = CountedFile::open(&a, None).unwrap();
        let mut s = String::new();
        f.read_to_string(&mut s).unwrap();
        assert_eq!(s, "hello");
    }
}
