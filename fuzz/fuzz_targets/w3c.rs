//! The W3C reader (and the sniffer that picks it) on any bytes: no panic, every record that
//! reaches the callback is counted, and no line is counted twice.
#![no_main]

use iisdiag::input::sniff::sniff;
use iisdiag::input::w3c::{self, Field};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = sniff(data);
    let mut seen = 0u64;
    let stats = w3c::read(data, |r| {
        seen += 1;
        let _ = (
            r.get(Field::UriStem),
            r.get_named("cs(User-Agent)"),
            r.triple,
        );
    })
    .expect("reading from memory cannot fail");
    assert_eq!(stats.records, seen);
    let lines = data.split(|&b| b == b'\n').count() as u64;
    assert!(stats.records + stats.malformed <= lines);
});
