//! The archive reader's tests: members, nesting, damage, limits and forged sizes.

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
        seen.push(read_whole(m));
    })?;
    Ok(seen)
}

/// A member's name, origin, and its bytes or the error text.
fn read_whole(m: &mut Member<'_>) -> (String, PathBuf, Result<Vec<u8>, String>) {
    let content = match m.reader() {
        Ok(r) => {
            let mut out = Vec::new();
            r.read_to_end(&mut out)
                .map(|_| out)
                .map_err(|e| e.to_string())
        }
        Err(reason) => Err(reason.to_string()),
    };
    (m.name.clone(), m.origin.clone(), content)
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

/// What reading every member at once gave, as [`members`] gives it one by one.
fn par_members(path: &str, bytes: &[u8], limits: &Limits) -> Result<Seen, ArchiveError> {
    let format = Format::sniff(bytes).expect("an archive");
    let visit = |m: &mut Member<'_>| vec![read_whole(m)];
    let concat = |mut a: Seen, b: Seen| {
        a.extend(b);
        a
    };
    let reader = Cursor::new(bytes);
    let (seen, visited) = par_each_member(Path::new(path), reader, format, limits, visit, concat)?;
    let seen = seen.unwrap_or_default();
    assert_eq!(seen.len(), visited, "every member visited is counted once");
    Ok(seen)
}

/// Runs `f` on a pool of `threads`, so members are read at once even on one core.
fn on_pool<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
        .install(f)
}

/// Log text of `lines` lines, different for each `seed`.
fn log_text(seed: usize, lines: usize) -> Vec<u8> {
    (0..lines)
        .flat_map(|i| format!("2026-11-18 10:00:00 /api/{seed}/{i} 500 0 0\n").into_bytes())
        .collect()
}

#[test]
fn members_read_at_once_give_what_they_give_one_by_one_in_archive_order() {
    let logs: Vec<Vec<u8>> = (0..40).map(|i| log_text(i, 500 + i * 37)).collect();
    let names: Vec<String> = (0..40).map(|i| format!("W3SVC1/u_ex{i:02}.log")).collect();
    let mut entries: Vec<(&str, &[u8])> = vec![("W3SVC1/", b"")];
    entries.extend(
        names
            .iter()
            .map(String::as_str)
            .zip(logs.iter().map(Vec::as_slice)),
    );
    let inner = gzip(&logs[3]);
    entries.push(("old/u_ex03.log.gz", &inner));
    let bytes = zip_of(&entries, false);
    let limits = Limits::default();
    let one_by_one = members("logs.zip", &bytes, &limits).unwrap();
    let at_once = on_pool(4, || par_members("logs.zip", &bytes, &limits)).unwrap();
    assert_eq!(at_once.len(), 41);
    assert_eq!(at_once, one_by_one);
    // The gzip inside the zip is read through.
    assert_eq!(at_once[40].2.as_deref(), Ok(&logs[3][..]));
}

#[test]
fn a_bomb_read_at_once_with_good_members_stops_alone() {
    let zeros = vec![0u8; 8 << 20];
    let good: Vec<Vec<u8>> = (0..6).map(|i| log_text(i, 20_000)).collect();
    let mut entries: Vec<(&str, &[u8])> = vec![("a.log", &good[0]), ("b.log", &good[1])];
    entries.push(("bomb.log", &zeros));
    let names = ["c.log", "d.log", "e.log", "f.log"];
    entries.extend(
        names
            .iter()
            .copied()
            .zip(good[2..].iter().map(Vec::as_slice)),
    );
    let bytes = zip_of(&entries, false);
    let seen = on_pool(3, || par_members("a.zip", &bytes, &Limits::default())).unwrap();
    assert_eq!(seen.len(), 7);
    let bomb = seen[2].2.as_ref().unwrap_err();
    assert!(
        bomb.contains("more than 500 times its compressed size"),
        "{bomb}"
    );
    let read: Vec<&[u8]> = [0, 1, 3, 4, 5, 6]
        .iter()
        .map(|&i| seen[i].2.as_deref().unwrap())
        .collect();
    let want: Vec<&[u8]> = good.iter().map(Vec::as_slice).collect();
    assert_eq!(read, want);
}

#[test]
fn the_archive_cap_holds_for_members_read_at_once() {
    let limits = Limits {
        max_archive_bytes: 5 << 20,
        ..Limits::default()
    };
    let part = noise(2 << 20);
    let entries: Vec<(&str, &[u8])> = ["1.log", "2.log", "3.log", "4.log"]
        .iter()
        .map(|n| (*n, &part[..]))
        .collect();
    let bytes = zip_of(&entries, true);
    for _ in 0..10 {
        let seen = on_pool(4, || par_members("a.zip", &bytes, &limits)).unwrap();
        let out: usize = seen.iter().map(|s| s.2.as_ref().map_or(0, Vec::len)).sum();
        let stopped: Vec<&String> = seen.iter().filter_map(|s| s.2.as_ref().err()).collect();
        // However the reads interleave, no more than the cap comes out, and what is cut off
        // says which limit cut it.
        assert!(out <= 5 << 20, "{out} bytes out");
        assert!(!stopped.is_empty());
        assert!(
            stopped
                .iter()
                .all(|e| e.contains("the limit for one archive")),
            "{stopped:?}"
        );
    }
}
