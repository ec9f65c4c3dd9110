//! The archive reader on any bytes: no panic, and no member gives more than the limits allow.
#![no_main]

use std::io::Cursor;
use std::path::Path;

use iisdiag::input::archive::{self, Format, Limits, RATIO_FLOOR};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some(format) = Format::sniff(data) else {
        return;
    };
    // Small caps keep each run fast; the ratio is the real one.
    let limits = Limits {
        max_ratio: 500,
        max_member_bytes: 4 * RATIO_FLOOR,
        max_archive_bytes: 8 * RATIO_FLOOR,
        ..Limits::default()
    };
    let mut total = 0u64;
    let _ = archive::for_each_member(
        Path::new("fuzz.zip"),
        Cursor::new(data),
        format,
        &limits,
        |m| {
            if let Ok(reader) = m.reader() {
                let mut buf = [0u8; 8192];
                let mut n = 0u64;
                loop {
                    match reader.read(&mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(k) => n += k as u64,
                    }
                    assert!(n <= limits.max_member_bytes, "a member passed its cap: {n}");
                }
                total += n;
                let _ = m.notes();
            }
        },
    );
    assert!(
        total <= limits.max_archive_bytes,
        "the archive passed its cap: {total}"
    );
});
