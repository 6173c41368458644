//! Arbitrary bytes as formulary source: parsing, compiling and rendering the
//! diagnostics (human and JSON) must never panic or hang, and every label a
//! diagnostic carries must point inside the text, on character boundaries.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let compiled = formulary::compile_str("fuzz.formulary", text);
    // A formulary comes back exactly when there are no errors.
    assert_eq!(compiled.formulary.is_some(), !compiled.has_errors());

    let human = formulary::diagnostics::render_human(&compiled.diags, &compiled.sources, false, 80);
    assert!(human.ends_with("warning(s)\n"));
    let json = formulary::diagnostics::render_json(&compiled.diags, &compiled.sources);
    assert_eq!(json.len(), compiled.diags.len());
    for d in &json {
        for l in &d.labels {
            assert!(
                l.start <= l.end && l.end <= text.len(),
                "label {}..{} outside {} bytes",
                l.start,
                l.end,
                text.len()
            );
            assert!(
                text.is_char_boundary(l.start) && text.is_char_boundary(l.end),
                "label {}..{} splits a character",
                l.start,
                l.end
            );
            assert!(l.line >= 1 && l.column >= 1);
        }
    }
    serde_json::to_string(&json).expect("diagnostics serialise");
});
