//! The FREB trace reader on any bytes, and the timeline drawn from what it returns: no panic.
//! A trace read in memory (where plainly written events are cut by hand) reads as it does
//! streamed through quick-xml alone.
#![no_main]

use iisdiag::input::freb;
use iisdiag::report::freb as freb_report;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = freb::looks_like_freb(data);
    let keep = data.len() % 3 == 0;
    let streamed = freb::read_trace(data, keep);
    let in_memory = freb::read_trace_in(data, keep);
    assert_eq!(format!("{in_memory:?}"), format!("{streamed:?}"));
    if let Ok(trace) = streamed {
        let _ = trace.triple();
        let mut out = Vec::new();
        freb_report::write_timeline(&mut out, &trace, "fuzz.xml", data.len() % 2 == 0)
            .expect("writing to memory cannot fail");
    }
});
