//! Arbitrary bytes as a prescription (JSON or YAML) checked against the
//! shipped Acme formulary with its sample prices: reading must never panic,
//! and every prescription it accepts must get a decision that serialises,
//! renders, and is paid exactly when nothing rejected it.
#![no_main]

use formulary::{Formulary, Prescription};
use formulary_fuzz::{acme, invariants};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(rx) = Prescription::from_str(text) else {
        return;
    };
    static ACME: OnceLock<Formulary> = OnceLock::new();
    let f = ACME.get_or_init(acme::formulary);
    invariants::decision(f, &rx);
});
