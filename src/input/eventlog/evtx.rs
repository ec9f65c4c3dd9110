//! Binary `.evtx` files, streamed: the 4 KiB file header, then 64 KiB chunks one after
//! another, so a file inside an archive (not seekable) is read like one on disk, and memory
//! stays at one batch of chunks whatever the file's size.
//!
//! Chunks stand alone (each holds its own string and template tables), so a batch of them is
//! rendered on all threads and its events handed out in chunk order. Each record is rendered
//! to XML by the `evtx` crate and read by the same walk as Event XML, so both forms make their
//! events in one place. A chunk that is damaged (bad magic, a checksum that does not match,
//! tables that do not parse) or a record that does not render is named in a note, and the
//! rest of the file is read. Every chunk with a chunk header is read, also those past the
//! count in the file header: Windows writes that header when it closes a log, so a log copied
//! while in use has newer chunks than its header counts.

use std::io::{self, Read};
use std::sync::Arc;

use evtx::err::{ChunkError, DeserializationError};
use evtx::{EvtxChunkData, ParserSettings};
use rayon::prelude::*;

use super::Event;
use super::xml::{Walk, read_record};
use crate::input::lines::Stats;

/// The first bytes of an `.evtx` file.
pub const MAGIC: &[u8; 8] = b"ElfFile\0";
/// Size of the file header, before the first chunk.
pub const FILE_HEADER_SIZE: usize = 4096;
/// Size of one chunk.
pub const CHUNK_SIZE: usize = 65536;
/// Chunks read before they are rendered together: 2 MiB, a few per thread.
const BATCH: usize = 32;
/// Problems named one by one in the notes; past it they are counted.
const MAX_NAMED: usize = 10;

/// What reading one chunk gave: its events in order, events whose XML could not be one, and
/// what went wrong with the chunk or its records.
#[derive(Default)]
struct ChunkRead {
    events: Vec<Event>,
    malformed: Vec<String>,
    problems: Vec<String>,
}

/// Reads an `.evtx` file from its first byte, calling `visit` for every event in file order.
///
/// A malformed event (one whose XML names no provider or a bad id or time) is counted with a
/// sample whose `line` is the event's number in the file. A file that is not `.evtx` or stops
/// inside its header is an error; everything after the header is read as far as it goes.
pub fn read_evtx<R: Read>(mut reader: R, mut visit: impl FnMut(Event)) -> io::Result<Stats> {
    let mut header = vec![0u8; FILE_HEADER_SIZE];
    let got = read_full(&mut reader, &mut header)?;
    if !header.starts_with(MAGIC) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "not an .evtx file (no ElfFile magic)",
        ));
    }
    if got < FILE_HEADER_SIZE {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("an .evtx file cut off inside its header ({got} of {FILE_HEADER_SIZE} bytes)"),
        ));
    }
    let counted = header
        .get(42..44)
        .map_or(0, |b| u16::from_le_bytes([b[0], b[1]]));
    let settings = Arc::new(ParserSettings::new().indent(false));
    let mut stats = Stats::default();
    let mut named = 0usize;
    let mut unnamed = 0u64;
    let mut note = |stats: &mut Stats, text: String| {
        if named < MAX_NAMED {
            named += 1;
            stats.notes.push(text);
        } else {
            unnamed += 1;
        }
    };
    let mut number = 0u64;
    let mut with_records = 0u64;
    let mut end = false;
    while !end {
        let mut batch = Vec::with_capacity(BATCH);
        while batch.len() < BATCH {
            let mut data = vec![0u8; CHUNK_SIZE];
            let got = read_full(&mut reader, &mut data)?;
            let at = chunk_offset(number);
            if got < CHUNK_SIZE {
                end = true;
                if got > 0 && data.iter().any(|&b| b != 0) {
                    note(
                        &mut stats,
                        format!(
                            "chunk {number} at byte {at:#X}: cut off ({got} of {CHUNK_SIZE} bytes); its records were not read"
                        ),
                    );
                }
                break;
            }
            // A log allocates its chunks before it fills them.
            if data.iter().any(|&b| b != 0) {
                batch.push((number, data));
            }
            number += 1;
        }
        let read: Vec<(u64, ChunkRead)> = batch
            .into_par_iter()
            .map(|(number, data)| (number, read_chunk(number, data, &settings)))
            .collect();
        for (number, chunk) in read {
            if !chunk.events.is_empty() || !chunk.malformed.is_empty() {
                with_records += 1;
            }
            for problem in chunk.problems {
                note(
                    &mut stats,
                    format!(
                        "chunk {number} at byte {:#X}: {problem}",
                        chunk_offset(number)
                    ),
                );
            }
            for reason in chunk.malformed {
                let line = stats.records + stats.malformed + 1;
                stats.malformed(line, || format!("event {line}, chunk {number}: {reason}"));
            }
            for event in chunk.events {
                stats.records += 1;
                visit(event);
            }
        }
    }
    if unnamed > 0 {
        stats.notes.push(format!(
            "{unnamed} more damaged chunks or records, not named"
        ));
    }
    if with_records > u64::from(counted) {
        stats.notes.push(format!(
            "the file header counts {counted} chunks, but {with_records} hold records (a log \
             copied while in use: Windows writes the header when it closes the log): all were read"
        ));
    }
    Ok(stats)
}

/// Where chunk `number` starts in the file.
fn chunk_offset(number: u64) -> u64 {
    FILE_HEADER_SIZE as u64 + number * CHUNK_SIZE as u64
}

/// Renders one chunk's records and reads each into an [`Event`].
fn read_chunk(number: u64, data: Vec<u8>, settings: &Arc<ParserSettings>) -> ChunkRead {
    let mut out = ChunkRead::default();
    let mut chunk_data = match EvtxChunkData::new(data, true) {
        Ok(c) => c,
        Err(e) => {
            out.problems.push(format!(
                "damaged ({}); its records were not read",
                why_damaged(&e)
            ));
            return out;
        }
    };
    chunk_data.number = Some(number);
    let mut chunk = match chunk_data.parse(Arc::clone(settings)) {
        Ok(c) => c,
        Err(e) => {
            out.problems.push(format!(
                "damaged ({}); its records were not read",
                why_damaged(&e)
            ));
            return out;
        }
    };
    let mut walk = Walk::new();
    let mut buf = Vec::with_capacity(4096);
    for record in chunk.iter() {
        let rendered = match record.and_then(|r| r.into_xml_bytes()) {
            Ok(r) => r,
            Err(e) => {
                out.problems
                    .push(format!("a record could not be read ({e}); left out"));
                continue;
            }
        };
        match read_record(&rendered.data, &mut walk, &mut buf) {
            Ok(event) => out.events.push(event),
            Err(why) => out
                .malformed
                .push(format!("record {}: {why}", rendered.event_record_id)),
        }
    }
    out
}

/// A chunk's damage in a few words.
fn why_damaged(e: &ChunkError) -> String {
    match e {
        ChunkError::FailedToParseChunkHeader(DeserializationError::InvalidEvtxChunkMagic {
            ..
        }) => "bad magic".into(),
        ChunkError::InvalidChunkHeaderChecksum { .. } => "bad header checksum".into(),
        ChunkError::InvalidChunkChecksum { .. } => "bad checksum".into(),
        ChunkError::InvalidFreeSpaceOffset { offset } => {
            format!("its records end at {offset}, outside the chunk")
        }
        other => other.to_string(),
    }
}

/// Fills `buf` unless the input ends first; how many bytes it holds.
fn read_full<R: Read>(reader: &mut R, buf: &mut [u8]) -> io::Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        let Some(rest) = buf.get_mut(got..) else {
            break;
        };
        match reader.read(rest) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(got)
}
