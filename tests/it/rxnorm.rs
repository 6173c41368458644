//! The RxNorm importer on RRF fixtures in NLM's layout (tests/rxnorm/): what
//! each product resolves to, suppressed rows, packs, PIN/MIN, malformed
//! rows, the knowledge file's round trip and its refusals.

use crate::support::{root, run};
use formulary::codes::Ndc;
use formulary::rxnorm::{self, Knowledge, Release};
use std::io::BufReader;
use std::path::Path;

fn release(
    dir: &str,
) -> Release<BufReader<std::fs::File>, BufReader<std::fs::File>, BufReader<std::fs::File>> {
    let open = |name: &str| {
        let path = root().join(dir).join(name);
        let f = std::fs::File::open(&path).expect("fixture readable");
        (BufReader::new(f), format!("{dir}/{name}"))
    };
    Release {
        conso: open("RXNCONSO.RRF"),
        rel: open("RXNREL.RRF"),
        sat: open("RXNSAT.RRF"),
    }
}

fn fixture() -> Knowledge {
    rxnorm::import(release("tests/rxnorm/release"))
        .expect("the fixture imports")
        .0
}

/// One product as `TTY [ingredient names] form | strength | generic`.
fn describe(k: &Knowledge, rxcui: u32) -> String {
    let Some(p) = k.products.get(&rxcui) else {
        return "absent".into();
    };
    format!(
        "{} {:?} {} | {} | {}",
        p.tty,
        k.ingredient_names(p),
        p.dose_form,
        p.strength,
        p.generic
            .map(|g| g.to_string())
            .unwrap_or_else(|| "-".into())
    )
}

#[test]
fn products_resolve_to_their_ingredients_partner_form_and_strength() {
    let k = fixture();
    let cases: &[(u32, &str)] = &[
        // Single ingredient through its component.
        (308136, r#"SCD ["amlodipine"] Oral Tablet | 2.5 MG | -"#),
        // Strength read from the component's name when RXNSAT has none.
        (198211, r#"SCD ["simvastatin"] Oral Tablet | 20 MG | -"#),
        // The component names only the precise ingredient (PIN → IN).
        (
            860975,
            r#"SCD ["metformin"] Extended Release Oral Tablet | 500 MG | -"#,
        ),
        // A brand takes its generic's ingredients and names it.
        (979487, r#"SBD ["losartan"] Oral Tablet | 25 MG | 979485"#),
        // Combinations: both ingredients, also through the MIN.
        (
            1656354,
            r#"SBD ["valsartan", "sacubitril"] Oral Tablet | 49 MG / 51 MG | 1656349"#,
        ),
        (
            898344,
            r#"SBD ["amlodipine", "benazepril"] Oral Capsule | 10 MG / 20 MG | 898342"#,
        ),
        // Packs: the union of what they contain; a branded pack names its generic pack.
        (1858970, r#"GPCK ["memantine", "donepezil"] Pack |  | -"#),
        (
            1858971,
            r#"BPCK ["memantine", "donepezil"] Pack |  | 1858970"#,
        ),
        // The obsolete Aricept 23 MG (suppressed atom) is not kept.
        (1100187, "absent"),
        // Atoms of other sources and non-product term types are not products.
        (17767, "absent"),
    ];
    for (rxcui, want) in cases {
        assert_eq!(describe(&k, *rxcui), *want, "RxCUI {rxcui}");
    }
}

#[test]
fn ndcs_come_from_rxnorm_rows_only_and_skip_suppressed_ones() {
    let k = fixture();
    let ndc = |s: &str| Ndc::parse(s).expect("ndc");
    let of = |s: &str| k.product_of_ndc(&ndc(s)).map(|(r, _)| r);
    assert_eq!(of("00378514405"), Some(997229));
    assert_eq!(of("62856024530"), Some(997230));
    assert_eq!(of("00456122929"), Some(1858971));
    // Suppressed NDC row of donepezil 23 MG.
    assert_eq!(of("24979000403"), None);
    // NDC of the obsolete Aricept 23 MG.
    assert_eq!(of("62856024730"), None);
    // The MTHSPL row's NDC is the same package written in another form: not a second entry.
    assert_eq!(k.ndcs.len(), 18);
}

#[test]
fn the_knowledge_file_round_trips_and_is_deterministic() {
    let k = fixture();
    let text = k.write();
    assert_eq!(Knowledge::parse("drugs.tsv", &text), Ok(k.clone()));
    assert_eq!(fixture().write(), text);
    insta::assert_snapshot!("rxnorm-knowledge-file", text);
}

#[test]
fn malformed_rows_are_reported_with_file_line_and_column() {
    let err = rxnorm::import(release("tests/rxnorm/malformed")).expect_err("malformed rows");
    insta::assert_snapshot!("rxnorm-malformed", err.to_string());
}

#[test]
fn a_knowledge_file_with_faults_is_refused_line_by_line() {
    let text = "formulary-drugs\t1\n\
                ingredient\t17767\tamlodipine\n\
                product\t308136\tSCD\t17767 99\tOral Tablet\t2.5 MG\t\tamlodipine 2.5 MG Oral Tablet\n\
                product\t308136\tSCD\t17767\tOral Tablet\n\
                ndc\t0037851440\t308136\n\
                ndc\t00378514405\t197361\n\
                drug\t1\n";
    let err = Knowledge::parse("drugs.tsv", text).expect_err("faults");
    insta::assert_snapshot!("rxnorm-knowledge-faults", err.to_string());
    let not = Knowledge::parse("drugs.tsv", "rxcui,name\n1,x\n").expect_err("not a knowledge file");
    assert!(
        not.to_string()
            .starts_with("drugs.tsv:1: not a drug knowledge file"),
        "{not}"
    );
}

#[test]
fn cli_import_writes_the_file_whole_or_not_at_all() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("drugs.tsv");
    let out_s = out.display().to_string();
    let ok = run(
        &["import", "rxnorm", "tests/rxnorm/release", "--out", &out_s],
        None,
    );
    assert_eq!(ok.code, 0, "{}", ok.stderr);
    assert!(
        ok.stderr
            .contains("22 products (0 without an ingredient), 10 ingredients, 18 NDCs"),
        "{}",
        ok.stderr
    );
    let written = std::fs::read_to_string(&out).expect("written");
    assert_eq!(written, fixture().write());
    // A malformed release leaves the previous file as it was, and no temporary file behind.
    let bad = run(
        &[
            "import",
            "rxnorm",
            "tests/rxnorm/malformed",
            "--out",
            &out_s,
        ],
        None,
    );
    assert_eq!(bad.code, 1);
    assert!(
        bad.stderr.contains("RXNSAT.RRF:6: column 11 (ATV)"),
        "{}",
        bad.stderr
    );
    assert_eq!(std::fs::read_to_string(&out).expect("kept"), written);
    let entries = std::fs::read_dir(dir.path()).expect("dir").count();
    assert_eq!(entries, 1);
    let missing = run(&["import", "rxnorm", "tests/rxnorm/nowhere"], None);
    assert_eq!(missing.code, 1);
    assert!(
        missing
            .stderr
            .contains("cannot read tests/rxnorm/nowhere/RXNCONSO.RRF"),
        "{}",
        missing.stderr
    );
    assert!(Path::new(&out_s).exists());
}
