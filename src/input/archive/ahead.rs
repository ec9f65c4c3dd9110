//! Decompressing ahead of the reader: a gzip file is inflated on a thread of its own while
//! the caller parses what came before, so the two overlap on two cores instead of taking
//! turns on one.
//!
//! The thread fills buffers from a small pool and hands them over through a bounded channel,
//! so memory stays flat ([`BUFFERS`] x [`CHUNK`]) and decompression runs at most that far
//! ahead of what the caller has read: the bomb limits, checked on what the caller reads, stop
//! a bomb at most that many bytes late. Once the reader is dropped the thread ends at its next
//! hand-over.

use std::io::{self, Read};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::Scope;

/// Bytes handed over at a time: large enough that the hand-over costs nothing.
const CHUNK: usize = 256 << 10;
/// Buffers in the pool: one being filled, one being read, two waiting.
const BUFFERS: usize = 4;

/// The bytes `reader` produces, read on a thread of `scope` ahead of the caller.
pub struct Ahead {
    full: Receiver<io::Result<Vec<u8>>>,
    pool: SyncSender<Vec<u8>>,
    buf: Vec<u8>,
    pos: usize,
}

/// Starts reading `reader` on a thread of `scope`; the thread ends with the stream, with its
/// first error (handed over after the bytes before it), or once the [`Ahead`] is dropped.
pub fn spawn<'scope, R>(scope: &'scope Scope<'scope, '_>, reader: R) -> Ahead
where
    R: Read + Send + 'scope,
{
    let (full_tx, full) = sync_channel(BUFFERS);
    let (pool, pool_rx) = sync_channel(BUFFERS);
    for _ in 0..BUFFERS {
        // Cannot fail: the channel has room for the whole pool and its receiver is here.
        let _ = pool.send(vec![0; CHUNK]);
    }
    scope.spawn(move || fill(reader, &full_tx, &pool_rx));
    Ahead {
        full,
        pool,
        buf: Vec::new(),
        pos: 0,
    }
}

/// The thread's work: fills each buffer the pool gives back and hands it over.
fn fill<R: Read>(mut reader: R, full: &SyncSender<io::Result<Vec<u8>>>, pool: &Receiver<Vec<u8>>) {
    while let Ok(mut buf) = pool.recv() {
        buf.resize(CHUNK, 0);
        let (filled, error) = read_full(&mut reader, &mut buf);
        buf.truncate(filled);
        if filled > 0 && full.send(Ok(buf)).is_err() {
            return;
        }
        match error {
            Some(e) => {
                let _ = full.send(Err(e));
                return;
            }
            None if filled < CHUNK => return,
            None => {}
        }
    }
}

/// Reads into `buf` until it is full, the stream ends or an error comes: the bytes read, and
/// the error.
fn read_full<R: Read>(reader: &mut R, buf: &mut [u8]) -> (usize, Option<io::Error>) {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return (filled, Some(e)),
        }
    }
    (filled, None)
}

impl Read for Ahead {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.pos == self.buf.len() {
            let spent = std::mem::take(&mut self.buf);
            if spent.capacity() > 0 {
                // Fails only once the thread has ended, which then needs no buffers.
                let _ = self.pool.send(spent);
            }
            self.pos = 0;
            match self.full.recv() {
                Ok(Ok(buf)) => self.buf = buf,
                Ok(Err(e)) => return Err(e),
                // The thread ended: the stream is over.
                Err(_) => return Ok(0),
            }
        }
        let n = out.len().min(self.buf.len() - self.pos);
        out[..n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader giving `good` bytes, then an error.
    struct Failing {
        left: usize,
    }

    impl Read for Failing {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.left == 0 {
                return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "cut short"));
            }
            let n = buf.len().min(self.left);
            buf[..n].fill(b'x');
            self.left -= n;
            Ok(n)
        }
    }

    #[test]
    fn every_byte_comes_through_in_order() {
        let data: Vec<u8> = (0..3 * CHUNK + 17).map(|i| (i % 251) as u8).collect();
        let mut got = Vec::new();
        std::thread::scope(|s| {
            spawn(s, &data[..]).read_to_end(&mut got).unwrap();
        });
        assert_eq!(got, data);
    }

    #[test]
    fn the_bytes_before_an_error_come_first_then_the_error() {
        std::thread::scope(|s| {
            let mut ahead = spawn(s, Failing { left: CHUNK + 5 });
            let mut got = Vec::new();
            let e = ahead.read_to_end(&mut got).unwrap_err();
            assert_eq!(e.kind(), io::ErrorKind::UnexpectedEof);
            assert_eq!(got.len(), CHUNK + 5);
        });
    }

    #[test]
    fn dropping_the_reader_ends_the_thread() {
        // An endless stream: the scope would never end if the thread kept reading.
        std::thread::scope(|s| {
            let mut ahead = spawn(s, io::repeat(b'a'));
            let mut some = [0; 10];
            ahead.read_exact(&mut some).unwrap();
        });
    }
}
