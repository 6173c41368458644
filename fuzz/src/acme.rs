//! The shipped Acme formulary, compiled from sources built into the fuzz
//! binary (so that a target runs from any directory), with its sample prices.

use formulary::compile::MemoryReader;
use formulary::Formulary;
use std::path::Path;

/// Main file and includes, by the names the main file uses.
const FILES: &[(&str, &str)] = &[
    (
        "acme.formulary",
        include_str!("../../formularies/acme/acme.formulary"),
    ),
    (
        "cardiovascular.formulary",
        include_str!("../../formularies/acme/cardiovascular.formulary"),
    ),
    (
        "diabetes.formulary",
        include_str!("../../formularies/acme/diabetes.formulary"),
    ),
    (
        "lipids.formulary",
        include_str!("../../formularies/acme/lipids.formulary"),
    ),
    (
        "dementia.formulary",
        include_str!("../../formularies/acme/dementia.formulary"),
    ),
];

const PRICES: &str = include_str!("../../formularies/acme/sample-nadac-prices.csv");

/// Compiles Acme with its price list; panics (at start-up, not on fuzz
/// input) if it does not compile.
pub fn formulary() -> Formulary {
    let mut files = MemoryReader::new();
    for (name, text) in FILES {
        files.insert(name, *text);
    }
    files.insert("sample-nadac-prices.csv", PRICES);
    let parsed = formulary::load(
        Path::new("acme.formulary"),
        &mut files,
        &formulary::LoadOptions::default(),
    )
    .expect("acme.formulary is built in");
    let compiled = formulary::compile(parsed);
    assert!(
        compiled.diags.is_empty(),
        "the shipped Acme formulary must compile cleanly with its price list"
    );
    let f = compiled.formulary.expect("compiled without errors");
    assert!(f.prices.is_some(), "Acme's price list changed");
    f
}
