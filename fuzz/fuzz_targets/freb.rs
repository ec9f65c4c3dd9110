//! The FREB trace reader on any bytes, and the timeline drawn from what it returns: no panic.
#![no_main]

use iisdiag::input::freb;
use iisdiag::report::freb_timeline;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = freb::looks_like_freb(data);
    if let Ok(trace) = freb::read_trace(data, true) {
        let _ = trace.triple();
        let mut out = Vec::new();
        freb_timeline::write_timeline(&mut out, &trace, "fuzz.xml", data.len() % 2 == 0)
            .expect("writing to memory cannot fail");
    }
});
