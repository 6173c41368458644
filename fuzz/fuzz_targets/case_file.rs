//! Arbitrary bytes as a test-case file (`formulary test`): reading must never
//! panic, and the cases it accepts run against the shipped Acme formulary
//! with decisions that hold together and snapshots that render.
#![no_main]

use formulary::cases::{slug, snapshot, CaseFile};
use formulary::Formulary;
use formulary_fuzz::{acme, invariants};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

/// Cases run per input, so that one input's work stays bounded.
const MAX_CASES: usize = 8;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(mut file) = CaseFile::parse(text) else {
        return;
    };
    static ACME: OnceLock<Formulary> = OnceLock::new();
    let f = ACME.get_or_init(acme::formulary);
    file.cases.truncate(MAX_CASES);
    for result in file.run(f) {
        slug(&result.name);
        if let Some(d) = &result.decision {
            invariants::holds(d);
            snapshot(&result.name, d);
        } else {
            // A case without a decision failed to read its prescription.
            assert!(!result.passed());
        }
    }
});
