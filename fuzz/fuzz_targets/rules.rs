//! The rules-file loader on any text: no panic; an error names a line inside the text.
#![no_main]

use std::path::Path;

use iisdiag::kb::Kb;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Err(e) = Kb::builtin().with_rules_text(Path::new("rules.toml"), text) {
        // An error at the very end (an unclosed array) is on the line after the last `\n`.
        let last_line = text.matches('\n').count() + 1;
        assert!(e.line >= 1 && e.line <= last_line, "{e}");
    }
});
