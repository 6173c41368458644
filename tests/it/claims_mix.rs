//! What share of a mix of real prescription claims resolves to a drug each
//! shipped formulary knows, with and without drug knowledge: the method
//! behind the figure in formularies/README.md, pinned as a snapshot. Also
//! that Metro's product codes agree with the same RxNorm extracts.
//!
//! The mix is built from the RxNorm extracts in `tests/interop/rxnorm/`:
//! - one claim by RxCUI for every dispensable product (term type SCD or SBD)
//!   of `antihypertensives.csv` (RxNorm drugs for high blood pressure);
//! - one claim by NDC for every package of `dementia-ndc.csv` (donepezil,
//!   galantamine, memantine, rivastigmine; SCD, SBD, GPCK and BPCK), rows
//!   without an NDC (`NA`) left out.
//!
//! Weighted, a generic claim (SCD, GPCK) counts 9 and a branded one (SBD,
//! BPCK) 1: about nine in ten US prescriptions are dispensed as generics.
//! Unweighted, every product and package counts once. The two sources are
//! reported apart: their sizes say nothing about how often each area is
//! dispensed. Each claim is a
//! 30-day fill on 2 March 2026 for a 70-year-old woman with no history.
//! "Resolves" means the engine found the drug (the decision names one,
//! whatever its coverage); "paid" that the claim was paid.

use formulary::compile::RefKind;
use formulary::{check, Formulary, Prescription};
use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::{Path, PathBuf};

const PRODUCTS: &str = "tests/interop/rxnorm/antihypertensives.csv";
const PACKAGES: &str = "tests/interop/rxnorm/dementia-ndc.csv";

/// One claim of the mix: the code it carries, its weight and its source.
struct Claim {
    json: String,
    weight: u64,
    source: &'static str,
}

fn weight(tty: &str) -> u64 {
    match tty {
        "SCD" | "GPCK" => 9,
        _ => 1,
    }
}

fn rows(path: &str) -> Vec<BTreeMap<String, String>> {
    let mut reader = csv::Reader::from_path(path).expect("extract readable");
    let headers = reader.headers().expect("header").clone();
    reader
        .records()
        .map(|r| {
            let r = r.expect("well-formed row");
            headers
                .iter()
                .zip(r.iter())
                .map(|(h, v)| (h.to_lowercase(), v.to_string()))
                .collect()
        })
        .collect()
}

fn rx(code: &str) -> String {
    format!(
        r#"{{"date":"2026-03-02",{code},"quantity":30,"days_supply":30,"patient":{{"age":70,"sex":"F"}}}}"#
    )
}

/// The mix, in file order, each product or package once.
fn mix() -> Vec<Claim> {
    let mut out = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for r in rows(PRODUCTS) {
        let tty = r["tty"].as_str();
        if matches!(tty, "SCD" | "SBD") && seen.insert(r["rxcui"].clone()) {
            out.push(Claim {
                json: rx(&format!(r#""rxcui":{}"#, r["rxcui"])),
                weight: weight(tty),
                source: "antihypertensive products (RxCUI)",
            });
        }
    }
    for r in rows(PACKAGES) {
        // `NA`: a product RxNorm maps to no package; there is nothing to claim.
        let ndc = &r["ndc11"];
        let package = ndc.len() == 11 && ndc.bytes().all(|b| b.is_ascii_digit());
        if package && seen.insert(ndc.clone()) {
            out.push(Claim {
                json: rx(&format!(r#""ndc":"{}""#, r["ndc11"])),
                weight: weight(&r["tty"]),
                source: "dementia packages (NDC)",
            });
        }
    }
    out
}

/// A shipped formulary, with the two extracts as drug catalogs given beside
/// it (as `check --catalog` does) when `catalogs` is set.
fn load(main: &str, catalogs: bool) -> Formulary {
    let extra = match catalogs {
        true => [PRODUCTS, PACKAGES]
            .map(|p| (RefKind::Catalog, PathBuf::from(p)))
            .to_vec(),
        false => Vec::new(),
    };
    let opts = formulary::LoadOptions {
        root: Some(PathBuf::from("formularies")),
        extra,
        ..Default::default()
    };
    let parsed = formulary::load(Path::new(main), &mut formulary::io::FsReader, &opts);
    let compiled = formulary::compile(parsed.expect("readable"));
    assert!(compiled.diags.is_empty(), "{main}: {:?}", compiled.diags);
    compiled.formulary.expect("compiles")
}

#[derive(Default)]
struct Tally {
    claims: u64,
    resolved: u64,
    paid: u64,
    weight: u64,
    w_resolved: u64,
    w_paid: u64,
}

fn pct(n: u64, d: u64) -> String {
    if d == 0 {
        return "-".into();
    }
    format!("{:.1}%", n as f64 * 100.0 / d as f64)
}

fn tally(f: &Formulary, claims: &[Claim]) -> BTreeMap<&'static str, Tally> {
    let mut out: BTreeMap<&'static str, Tally> = BTreeMap::new();
    for c in claims {
        let d = check(f, &Prescription::from_str(&c.json).expect("valid claim"));
        let t = out.entry(c.source).or_default();
        t.claims += 1;
        t.weight += c.weight;
        if d.drug.is_some() {
            t.resolved += 1;
            t.w_resolved += c.weight;
        }
        if d.is_paid() {
            t.paid += 1;
            t.w_paid += c.weight;
        }
    }
    out
}

#[test]
fn share_of_real_claims_that_resolve_is_pinned() {
    let claims = mix();
    let mut report = String::new();
    let _ = writeln!(
        report,
        "{:<9} {:<18} {:<36} {:>6} {:>9} {:>8} {:>12} {:>10}",
        "formulary",
        "drug knowledge",
        "claims",
        "count",
        "resolved",
        "paid",
        "w. resolved",
        "w. paid"
    );
    for (name, main) in [
        ("acme", "formularies/acme/acme.formulary"),
        ("metro", "formularies/metro/metro.formulary"),
    ] {
        let alone = load(main, false);
        let known = load(main, true);
        let mut shares = Vec::new();
        for (label, f) in [("none", &alone), ("RxNorm catalogs", &known)] {
            for (source, t) in tally(f, &claims) {
                let _ = writeln!(
                    report,
                    "{:<9} {:<18} {:<36} {:>6} {:>9} {:>8} {:>12} {:>10}",
                    name,
                    label,
                    source,
                    t.claims,
                    pct(t.resolved, t.claims),
                    pct(t.paid, t.claims),
                    pct(t.w_resolved, t.weight),
                    pct(t.w_paid, t.weight)
                );
                shares.push((source, t.resolved));
            }
        }
        // Drug knowledge only ever adds codes: it never loses a claim.
        let (without, with) = shares.split_at(shares.len() / 2);
        for ((source, a), (_, b)) in without.iter().zip(with) {
            assert!(b >= a, "{name}, {source}: {a} resolved without, {b} with");
        }
    }
    insta::assert_snapshot!("claims_mix", report);
}

/// Metro product RxCUIs whose name and ingredients are not in the RxNorm
/// extracts shipped here: the inhalers, auto-injector, opioids, warfarin,
/// apixaban, amoxicillin and contraceptive packs (see formularies/README.md,
/// "Metro's codes"), and the Trulicity pens from the CMS file.
const METRO_OUTSIDE_EXTRACTS: [u32; 21] = [
    308192, 745752, 748879, 748962, 749762, 751905, 807283, 831533, 835603, 855332, 856987, 895994,
    895996, 896209, 1049221, 1049621, 1364445, 1551300, 1551306, 1860154, 1870230,
];

/// Every Metro product found in the extracts carries the extract's name and
/// exactly its ingredients, every NDC it lists maps to it, and the products
/// found in neither are the documented ones: a mistyped code fails here.
#[test]
fn metro_product_codes_match_the_rxnorm_extracts() {
    // RxCUI -> (name, ingredient names, declared ingredient count).
    let mut products: BTreeMap<u32, (String, Vec<String>, usize)> = BTreeMap::new();
    for r in rows(PRODUCTS) {
        let rxcui: u32 = r["rxcui"].parse().expect("RxCUI");
        let e = products.entry(rxcui).or_insert_with(|| {
            let n = r["n_drugs"].parse().expect("n_drugs");
            (r["str"].clone(), Vec::new(), n)
        });
        e.1.push(r["ingredient_name"].clone());
    }
    let mut ndcs: BTreeMap<String, u32> = BTreeMap::new();
    for r in rows(PACKAGES) {
        let rxcui: u32 = r["rxcui"].parse().expect("RxCUI");
        products
            .entry(rxcui)
            .or_insert_with(|| (r["name"].clone(), Vec::new(), 1))
            .1
            .push(r["ingredient_name"].clone());
        ndcs.insert(r["ndc11"].clone(), rxcui);
    }
    let f = load("formularies/metro/metro.formulary", false);
    let mut outside = Vec::new();
    for d in &f.drugs {
        let (formulary::ast::DrugKind::Product, Some(rxcui)) = (d.kind, d.rxcui) else {
            continue;
        };
        let Some((name, ingredients, n)) = products.get(&rxcui) else {
            outside.push(rxcui);
            continue;
        };
        assert_eq!(&d.label, name, "{} (RxCUI {rxcui})", d.name);
        // Ingredient names as the formulary writes them; the dementia
        // extract repeats each with its salt ("memantine hydrochloride").
        let mut want: Vec<String> = ingredients
            .iter()
            .filter(|i| !i.contains(' '))
            .cloned()
            .collect();
        want.sort();
        want.dedup();
        let mut got: Vec<String> = d
            .ingredients
            .iter()
            .map(|i| f.drug(*i).name.clone())
            .collect();
        got.sort();
        assert_eq!(got.len(), *n, "{}: ingredient count", d.name);
        assert_eq!(got, want, "{} (RxCUI {rxcui}): ingredients", d.name);
        for ndc in &d.ndcs {
            if let Some(owner) = ndcs.get(ndc.as_str()) {
                assert_eq!(*owner, rxcui, "{}: NDC {ndc}", d.name);
            } else {
                assert!(
                    METRO_OUTSIDE_EXTRACTS.contains(&rxcui),
                    "{}: NDC {ndc} is in no extract",
                    d.name
                );
            }
        }
    }
    outside.sort();
    assert_eq!(outside, METRO_OUTSIDE_EXTRACTS);
}
