//! Arbitrary bytes as an RxNorm release: the input is split into the three
//! RRF files (at the first two NUL bytes) and imported. Importing must never
//! panic; a release it accepts must write a knowledge file that reads back
//! to the same knowledge, whose every reference resolves.
#![no_main]

use formulary::rxnorm::{self, Knowledge, Release};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut parts = data.splitn(3, |b| *b == 0);
    let conso = parts.next().unwrap_or(&[]);
    let rel = parts.next().unwrap_or(&[]);
    let sat = parts.next().unwrap_or(&[]);
    let release = Release {
        conso: (conso, "RXNCONSO.RRF".to_string()),
        rel: (rel, "RXNREL.RRF".to_string()),
        sat: (sat, "RXNSAT.RRF".to_string()),
    };
    let Ok((knowledge, stats)) = rxnorm::import(release) else {
        return;
    };
    assert_eq!(stats.products, knowledge.products.len());
    for p in knowledge.products.values() {
        assert!(p.ingredients.windows(2).all(|w| w[0] < w[1]), "ingredients sorted, distinct");
        assert!(p.ingredients.iter().all(|i| knowledge.ingredients.contains_key(i)));
    }
    for rxcui in knowledge.ndcs.values() {
        assert!(knowledge.products.contains_key(rxcui));
    }
    let text = knowledge.write();
    let back = Knowledge::parse("drugs.tsv", &text).expect("a written knowledge file reads back");
    assert_eq!(back, knowledge);
});
