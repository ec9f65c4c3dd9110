//! How far a scan has got, for a progress display to read: files and bytes, done and in
//! total. The readers only bump counters (atomics shared by the worker threads); drawing is
//! someone else's job (`cmd`), so the pipeline knows nothing of terminals.
//!
//! A large log is read in parts at positions of its one handle, on all threads at once
//! ([`crate::input::split`]); those reads are counted as they happen too, or the bar would sit
//! at the first 16 KiB for the whole run.

use std::fs::{File, Metadata};
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::input::source::ReadAt;

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

/// An input file that counts the bytes read from it, as a stream or at positions. When it
/// is dropped, the part of the file that was not read (a file left after its first bytes
/// showed it is not a log) is counted too, so the bytes done reach the total.
pub struct CountedFile<'a> {
    file: File,
    progress: Option<&'a Progress>,
    /// Size on disk (0 without progress).
    len: u64,
    /// Bytes counted so far (parts read at once add to it from several threads).
    read: AtomicU64,
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
            read: AtomicU64::new(0),
        })
    }

    /// Counts `n` bytes read, never past the file's size: a file that grew while read (IIS
    /// still writing), a zip's directory read twice or a part read again stop at its size.
    fn count(&self, n: usize) {
        let Some(p) = self.progress else { return };
        let len = self.len;
        let before = self
            .read
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |r| {
                Some(r.saturating_add(n as u64).min(len))
            });
        if let Ok(before) = before {
            p.add_bytes((n as u64).min(len.saturating_sub(before)));
        }
    }
}

impl Read for CountedFile<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.file.read(buf)?;
        self.count(n);
        Ok(n)
    }
}

impl ReadAt for CountedFile<'_> {
    fn read_at(&self, buf: &mut [u8], pos: u64) -> io::Result<usize> {
        let n = ReadAt::read_at(&self.file, buf, pos)?;
        self.count(n);
        Ok(n)
    }

    fn metadata(&self) -> io::Result<Metadata> {
        self.file.metadata()
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
            p.add_bytes(self.len.saturating_sub(*self.read.get_mut()));
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

    /// What the bar shows once a 65 MiB log (read in parts on two threads) has been read,
    /// while its file is still open: every byte, not the 16 KiB its kind was told by.
    #[test]
    fn the_bar_counts_the_parts_of_a_large_log_as_they_are_read() {
        use crate::input::source::{self, Item};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("u_ex261118.log");
        let mut text = b"#Software: Microsoft Internet Information Services 10.0\r\n#Fields: date time cs-uri-stem sc-status sc-substatus sc-win32-status time-taken\r\n".to_vec();
        let line = b"2026-11-18 09:00:00 /api/orders/search 502 3 12002 30000\r\n";
        let lines = (65 << 20) / line.len() + 1;
        for _ in 0..lines {
            text.extend_from_slice(line);
        }
        std::fs::write(&path, &text).unwrap();
        let len = text.len() as u64;
        assert!(crate::input::split::worth_splitting(len));
        let progress = Progress::default();
        progress.set_totals(&[&path]);
        let opts = super::super::Options::default();
        let mut seen = None;
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap();
        pool.install(|| {
            source::each_stream(
                &path,
                |p| CountedFile::open(p, Some(&progress)),
                |_| true,
                |item| {
                    let Item::Open(stream, mut body) = item else {
                        panic!("the log opens");
                    };
                    let out = super::super::read_stream(
                        &stream.name,
                        &stream.origin,
                        stream.disk,
                        stream.head,
                        &mut body,
                        &opts,
                    );
                    seen = Some((
                        progress.snapshot().bytes_done,
                        out.collected.files[0].records,
                    ));
                },
            );
        });
        assert_eq!(seen, Some((len, lines as u64)), "of {len} bytes");
        assert_eq!(progress.snapshot().bytes_done, len, "never past the size");
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
