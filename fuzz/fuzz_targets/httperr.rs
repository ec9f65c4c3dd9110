//! The HTTP.sys error log reader on any bytes: no panic, records counted once.
#![no_main]

use iisdiag::input::httperr;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = httperr::looks_like_httperr(data);
    let mut seen = 0u64;
    let stats =
        httperr::read_httperr(data, |_| seen += 1).expect("reading from memory cannot fail");
    assert_eq!(stats.records, seen);
    let lines = data.split(|&b| b == b'\n').count() as u64;
    assert!(stats.records + stats.malformed <= lines);
});
