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

/// The resolution fixture, compiled with the knowledge file it declares.
fn plan() -> formulary::Compiled {
    let opts = formulary::LoadOptions::default();
    let path = root().join("tests/rxnorm/plan.formulary");
    let parsed = formulary::load(&path, &mut formulary::io::FsReader, &opts).expect("readable");
    formulary::compile(parsed)
}

/// A claim for a code (an 11-digit NDC or an RxCUI) with optional history.
fn claim(code: &str, date: &str, history: &[(&str, &str, u32)]) -> formulary::Prescription {
    let key = |c: &str| if c.len() == 11 { "ndc" } else { "rxcui" };
    let code_json = |c: &str| {
        if c.len() == 11 {
            format!("\"{c}\"")
        } else {
            c.to_string()
        }
    };
    let hist: Vec<String> = history
        .iter()
        .map(|(c, d, days)| {
            format!(
                r#"{{"{}": {}, "date": "{d}", "days_supply": {days}, "quantity": {days}}}"#,
                key(c),
                code_json(c)
            )
        })
        .collect();
    let text = format!(
        r#"{{"date": "{date}", "{}": {}, "quantity": 30, "days_supply": 30,
            "patient": {{"age": 70, "sex": "F"}}, "history": [{}]}}"#,
        key(code),
        code_json(code),
        hist.join(", ")
    );
    formulary::Prescription::from_str(&text).expect("a well-formed claim")
}

/// `paid tier N drug NAME` or `rejected [codes] drug NAME`.
fn outcome(f: &formulary::Formulary, rx: &formulary::Prescription) -> String {
    let d = formulary::check(f, rx);
    let v = serde_json::to_value(&d).expect("decision serialises");
    let drug = v["drug"]["name"].as_str().unwrap_or("-").to_string();
    if d.is_paid() {
        format!("paid tier {} drug {drug}", v["tier"]["number"])
    } else {
        let codes: Vec<String> = v["rejects"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|r| r["code"].as_str().unwrap_or("?").to_string())
                    .collect()
            })
            .unwrap_or_default();
        format!("rejected {codes:?} drug {drug}")
    }
}

#[test]
fn the_shipped_knowledge_fixture_is_the_import_of_the_release() {
    let on_disk =
        std::fs::read_to_string(root().join("tests/rxnorm/drugs.tsv")).expect("drugs.tsv");
    assert_eq!(on_disk, fixture().write());
}

#[test]
fn each_resolution_rule_on_real_codes() {
    let compiled = plan();
    assert!(compiled.diags.is_empty(), "{:?}", compiled.diags);
    let f = compiled.formulary.expect("compiles");
    let d = "2026-03-02";
    let cases: &[(&str, &str)] = &[
        // Single ingredient: an unlisted product of a covered ingredient.
        ("amlodipine 2.5 MG, by RxCUI", "308136"),
        (
            "metformin ER 500 MG (precise ingredient), by RxCUI",
            "860975",
        ),
        ("simvastatin 20 MG, by RxCUI", "198211"),
        // Brand / generic: a brand of a covered ingredient takes its rules.
        ("Cozaar 25 MG, by RxCUI", "979487"),
        ("Aricept 5 MG, by NDC", "62856024530"),
        // Combination: only its own `combination` entry, never an ingredient's.
        ("Entresto, by RxCUI", "1656354"),
        ("sacubitril / valsartan generic, by RxCUI", "1656349"),
        ("Namzaric 28 MG, by NDC", "00456122811"),
        ("Namzaric titration pack (BPCK), by NDC", "00456122929"),
        (
            "Lotrel (no amlodipine / benazepril entry), by RxCUI",
            "898344",
        ),
        // Package-level rule: one package of a product excluded, the others not.
        ("donepezil 10 MG, repackaged NDC", "00378514593"),
        ("donepezil 10 MG, manufacturer's NDC", "00378514505"),
        // Suppressed: the suppressed NDC row and the obsolete product.
        ("donepezil 23 MG, suppressed NDC", "24979000403"),
        ("Aricept 23 MG (obsolete), by RxCUI", "1100187"),
        // Unknown codes.
        ("unknown RxCUI", "999999"),
        ("unknown NDC", "00000000000"),
    ];
    let lines: Vec<String> = cases
        .iter()
        .map(|(what, code)| format!("{what}: {}", outcome(&f, &claim(code, d, &[]))))
        .collect();
    insta::assert_snapshot!("rxnorm-resolution", lines.join("\n"));
    let report = &compiled.knowledge;
    insta::assert_json_snapshot!("rxnorm-resolution-report", report);
}

#[test]
fn refill_too_soon_counts_the_same_drug_however_it_resolved() {
    let f = plan().formulary.expect("compiles");
    // Ten days into a 30-day fill, a new strength of the same ingredient.
    let cases: &[(&str, &str, &str)] = &[
        (
            "simvastatin 10 → 20 MG, both through the knowledge file",
            "314231",
            "198211",
        ),
        ("lisinopril 10 → 20 MG, both listed", "314076", "314077"),
        (
            "amlodipine 5 (listed) → 2.5 MG (knowledge file)",
            "197361",
            "308136",
        ),
    ];
    let lines: Vec<String> = cases
        .iter()
        .map(|(what, before, now)| {
            let early = outcome(&f, &claim(now, "2026-03-11", &[(before, "2026-03-01", 30)]));
            let due = outcome(&f, &claim(now, "2026-03-27", &[(before, "2026-03-01", 30)]));
            format!("{what}: day 10 {early}; day 26 {due}")
        })
        .collect();
    insta::assert_snapshot!("rxnorm-refill", lines.join("\n"));
}

#[test]
fn cli_drugs_flag_resolves_codes_the_formulary_does_not_declare() {
    // The same plan without its `drugs` statement, beside the knowledge file.
    let dir = tempfile::tempdir().expect("tempdir");
    let text = std::fs::read_to_string(root().join("tests/rxnorm/plan.formulary")).expect("plan");
    let bare = text.replace("drugs \"drugs.tsv\"\n", "");
    assert_ne!(bare, text);
    let plan = dir.path().join("plan.formulary");
    std::fs::write(&plan, bare).expect("written");
    let rx = dir.path().join("rx.json");
    std::fs::write(
        &rx,
        r#"{"date": "2026-03-02", "rxcui": 1656354, "quantity": 60, "days_supply": 30,
            "patient": {"age": 70, "sex": "F"}}"#,
    )
    .expect("written");
    let (plan, rx) = (plan.display().to_string(), rx.display().to_string());
    let drugs = root().join("tests/rxnorm/drugs.tsv").display().to_string();
    let without = run(&["check", &plan, &rx], None);
    assert_eq!(without.code, 2, "{}", without.stdout);
    assert!(without.stdout.contains("MR"), "{}", without.stdout);
    let with = run(
        &[
            "check",
            &plan,
            &rx,
            "--drugs",
            &drugs,
            "--allow-outside-root",
        ],
        None,
    );
    assert_eq!(with.code, 0, "{}{}", with.stdout, with.stderr);
    assert!(
        with.stdout.contains("PAID  sacubitril / valsartan"),
        "{}",
        with.stdout
    );
    assert!(with.stdout.contains("tier 2"), "{}", with.stdout);
    // validate reads it too: a file that is not a knowledge file is refused.
    let bad = run(
        &["validate", &plan, "--drugs", &rx, "--allow-outside-root"],
        None,
    );
    assert_ne!(bad.code, 0, "{}", bad.stderr);
    assert!(
        bad.stderr.contains("not a drug knowledge file"),
        "{}{}",
        bad.stdout,
        bad.stderr
    );
}
