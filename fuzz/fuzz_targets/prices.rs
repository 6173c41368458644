//! Arbitrary bytes as a NADAC price list: reading must never panic, and a
//! list it accepts, attached to the shipped Acme formulary, must price
//! claims for Acme's drugs with decisions that hold together.
#![no_main]

use formulary::prices::PriceList;
use formulary::{Formulary, Prescription};
use formulary_fuzz::{acme, invariants};
use libfuzzer_sys::fuzz_target;
use std::sync::{Mutex, OnceLock};

/// Claims checked per input: one for each of the first drugs with an NDC.
const MAX_CLAIMS: usize = 8;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(list) = PriceList::parse("fuzz.csv", text) else {
        return;
    };
    assert!(list.ndcs() <= list.rows);
    assert!(list.skipped_examples.len() <= list.skipped.min(5));

    // One formulary for the whole run: swapping its price list is cheaper
    // than copying it for every input.
    static ACME: OnceLock<Mutex<Formulary>> = OnceLock::new();
    let mut f = ACME
        .get_or_init(|| Mutex::new(acme::formulary()))
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    f.prices = Some(list);
    let ndcs: Vec<String> = f
        .drugs
        .iter()
        .filter_map(|d| d.ndcs.first())
        .take(MAX_CLAIMS)
        .map(|n| n.dashed())
        .collect();
    for ndc in ndcs {
        let rx = format!(
            r#"{{"date": "2026-06-01", "ndc": "{ndc}", "quantity": 30, "days_supply": 30,
                "patient": {{"age": 50, "sex": "F"}}}}"#
        );
        let rx = Prescription::from_str(&rx).expect("a well-formed claim");
        invariants::decision(&f, &rx);
    }
});
