//! Arbitrary bytes as an outside format, chosen by the first byte: a CMS
//! Part D formulary file, a FHIR bundle, or a drug catalog. Importing must
//! never panic, and whatever source an importer writes must parse: a draft
//! that does not is the importer's bug, not the user's.
#![no_main]

use formulary::interop::{cms, fhir, Catalog};
use libfuzzer_sys::fuzz_target;

/// Drafts written and compiled per input, so that one input's work stays bounded.
const MAX_DRAFTS: usize = 4;

fn parses(source: &str) {
    let compiled = formulary::compile_str("draft.formulary", source);
    let syntax: Vec<String> = compiled
        .diags
        .iter()
        .map(|d| d.code())
        .filter(|c| c.starts_with("E000"))
        .collect();
    assert!(
        syntax.is_empty(),
        "an imported draft does not parse ({syntax:?}):\n{source}"
    );
}

fuzz_target!(|data: &[u8]| {
    let Some((&format, rest)) = data.split_first() else {
        return;
    };
    match format % 3 {
        0 => {
            let opts = cms::Options {
                plans: None,
                catalog: None,
            };
            if let Ok(import) = cms::import("fuzz.txt", rest, opts) {
                for draft in import.formularies.iter().take(MAX_DRAFTS) {
                    parses(&draft.write());
                }
            }
        }
        1 => {
            let Ok(text) = std::str::from_utf8(rest) else {
                return;
            };
            if let Ok(drafts) = fhir::import("fuzz.json", text) {
                for draft in drafts.iter().take(MAX_DRAFTS) {
                    parses(&draft.write());
                }
            }
        }
        _ => {
            let Ok(text) = std::str::from_utf8(rest) else {
                return;
            };
            let _ = Catalog::parse("fuzz.csv", text);
        }
    }
});
