//! Arbitrary bytes as formulary source, parsed and compiled without
//! rendering anything (the fast target; `parse_compile` also renders the
//! diagnostics): compiling never panics or hangs, a formulary comes back
//! exactly when there are no errors, and every label lies inside the text
//! on character boundaries. Bytes that are not UTF-8 or hold control
//! characters go through the loader too, as E0009.
#![no_main]

use formulary::compile::{load, LoadOptions, MemoryReader};
use libfuzzer_sys::fuzz_target;
use miette::Diagnostic;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let mut files = MemoryReader::new();
    files.insert("fuzz.formulary", data);
    let opts = LoadOptions {
        read_references: false,
        ..LoadOptions::default()
    };
    let Ok(parsed) = load(Path::new("fuzz.formulary"), &mut files, &opts) else {
        return;
    };
    let compiled = formulary::compile(parsed);
    assert_eq!(compiled.formulary.is_some(), !compiled.has_errors());
    for d in &compiled.diags {
        let text = &compiled.sources.get(d.file).text;
        for l in d.error.labels().into_iter().flatten() {
            let (start, end) = (l.offset(), l.offset() + l.len());
            assert!(end <= text.len(), "label {start}..{end} outside {} bytes", text.len());
            assert!(
                text.is_char_boundary(start) && text.is_char_boundary(end),
                "label {start}..{end} splits a character"
            );
        }
    }
});
