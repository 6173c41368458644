//! The shipped Acme formulary, compiled from sources built into the fuzz
//! binary (so that a target runs from any directory), with its sample prices.

use formulary::prices::PriceList;
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

/// Compiles Acme; panics (at start-up, not on fuzz input) if it does not compile.
pub fn formulary() -> Formulary {
    let mut read = |p: &Path| {
        FILES
            .iter()
            .find(|(name, _)| Path::new(name) == p)
            .map(|(_, text)| text.to_string())
            .ok_or_else(|| {
                std::io::Error::new(std::io::ErrorKind::NotFound, p.display().to_string())
            })
    };
    let parsed = formulary::load(Path::new("acme.formulary"), &mut read)
        .expect("acme.formulary is built in");
    let compiled = formulary::compile(parsed);
    assert!(
        !compiled.has_errors(),
        "the shipped Acme formulary must compile"
    );
    let mut f = compiled.formulary.expect("compiled without errors");
    assert_eq!(
        f.price_files,
        ["sample-nadac-prices.csv"],
        "Acme's price list changed"
    );
    f.prices =
        Some(PriceList::parse("sample-nadac-prices.csv", PRICES).expect("sample prices parse"));
    f
}
