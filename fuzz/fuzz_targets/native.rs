//! The IIS native-format reader on any bytes: no panic, records counted once.
#![no_main]

use iisdiag::input::native;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut seen = 0u64;
    let stats = native::read(data, |_| seen += 1).expect("reading from memory cannot fail");
    assert_eq!(stats.records, seen);
    let lines = data.split(|&b| b == b'\n').count() as u64;
    assert!(stats.records + stats.malformed <= lines);
});
