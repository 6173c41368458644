//! Interchange with real formats, through the library and the CLI: drug
//! catalogs (RxNorm extracts), the CMS Part D formulary file, FHIR US Drug
//! Formulary bundles. Inputs are in tests/interop/ (real public samples and
//! small synthetic files named `synthetic-*`).

use crate::support::{rel, root, run};
use formulary::compile::model::{ClauseKind, CostShare, DrugId, Formulary, Limit};
use formulary::interop::catalog::Layout;
use formulary::interop::fhir::{self, ExportOptions};
use formulary::interop::{cms, Catalog};
use formulary::{check, Prescription};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::path::Path;

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).expect("fixture readable")
}

/// Compiles a formulary from disk (includes followed) and requires it clean:
/// no errors and no warnings.
fn compile_clean(path: &Path) -> Formulary {
    compile_with(path, false).formulary.expect("compiled")
}

/// Compiles a formulary from disk, with the catalogs it declares (their
/// folder, `tests/interop`, is the root) when `references` is set.
fn compile_with(path: &Path, references: bool) -> formulary::Compiled {
    let opts = formulary::LoadOptions {
        root: Some(root().join("tests/interop")),
        read_references: references,
        ..Default::default()
    };
    let parsed =
        formulary::load(path, &mut formulary::io::FsReader, &opts).expect("formulary readable");
    let compiled = formulary::compile(parsed);
    let shown: Vec<String> = compiled.diags.iter().map(|d| format!("{d:?}")).collect();
    assert!(compiled.diags.is_empty(), "{}: {shown:#?}", rel(path));
    compiled
}

fn compile_source(name: &str, source: &str) -> Formulary {
    let compiled = formulary::compile_str(name, source);
    let shown: Vec<String> = compiled.diags.iter().map(|d| format!("{d:?}")).collect();
    assert!(compiled.diags.is_empty(), "{name}: {shown:#?}\n{source}");
    compiled.formulary.expect("compiled")
}

/// Status, reject codes and tier of a check, in one line.
fn outcome(f: &Formulary, rx: Value) -> String {
    let rx = Prescription::from_str(&rx.to_string()).expect("prescription");
    let d = check(f, &rx);
    let codes: Vec<&str> = d.rejects.iter().map(|r| r.code.code()).collect();
    format!(
        "{} tier {} drug {} rejects [{}]",
        if d.is_paid() { "paid" } else { "rejected" },
        d.tier.map(|t| t.number.to_string()).unwrap_or("-".into()),
        d.drug.map(|x| x.name.to_string()).unwrap_or("-".into()),
        codes.join(" ")
    )
}

fn claim(date: &str, ndc: &str, qty: f64, days: u32) -> Value {
    json!({"date": date, "ndc": ndc, "quantity": qty, "days_supply": days,
           "patient": {"age": 78, "sex": "F"}})
}

// ---------------------------------------------------------------- catalogs

#[test]
fn catalog_layouts_are_detected_from_the_header() {
    let ndc = Catalog::parse(
        "dementia-ndc.csv",
        &read("tests/interop/rxnorm/dementia-ndc.csv"),
    )
    .expect("parses");
    assert_eq!(ndc.layout, Layout::Ndc);
    let products = Catalog::parse(
        "antihypertensives.csv",
        &read("tests/interop/rxnorm/antihypertensives.csv"),
    )
    .expect("parses");
    assert_eq!(products.layout, Layout::Product);
    // 2,665 rows, one per product and ingredient, over 1,959 products.
    assert_eq!((products.rows, products.products.len()), (2665, 1959));
    assert_eq!(products.skipped, 0);
    let combo = &products.products[&1000000];
    let names: Vec<&str> = combo.ingredients.iter().map(|i| i.name.as_str()).collect();
    assert_eq!(names, ["amlodipine", "hydrochlorothiazide", "olmesartan"]);
    insta::assert_snapshot!(format!(
        "rows {} products {} ndcs {} skipped {}\n{}",
        ndc.rows,
        ndc.products.len(),
        ndc.ndcs.len(),
        ndc.skipped,
        ndc.skipped_examples.join("\n")
    ));
}

#[test]
fn catalog_faults_name_file_line_and_column() {
    let bad = Catalog::parse(
        "bad-rxcui.csv",
        &read("tests/interop/catalog/bad-rxcui.csv"),
    )
    .expect_err("malformed codes are errors");
    insta::assert_snapshot!(bad.to_string());
    let skipped = Catalog::parse(
        "skipped-rows.csv",
        &read("tests/interop/catalog/skipped-rows.csv"),
    )
    .expect("incomplete rows are skipped");
    assert_eq!((skipped.rows, skipped.skipped), (4, 3));
    insta::assert_snapshot!(skipped.skipped_examples.join("\n"));
    let unknown = Catalog::parse(
        "unknown.csv",
        &read("tests/interop/catalog/unknown-layout.csv"),
    )
    .expect_err("unknown header");
    assert!(
        unknown.to_string().contains("neither catalog layout"),
        "{unknown}"
    );
}

#[test]
fn catalog_ndc_gets_the_ingredient_tier_and_edits() {
    let path = root().join("tests/interop/catalog/dementia.formulary");
    let f = compile_clean(&path);
    // Without its catalog, a package NDC the formulary does not list is unknown.
    let donepezil_10 = "00378-5145-05";
    assert_eq!(
        outcome(&f, claim("2026-03-02", donepezil_10, 30.0, 30)),
        "rejected tier - drug - rejects [MR]"
    );
    let compiled = compile_with(&path, true);
    let f = compiled.formulary.expect("compiled");
    insta::assert_json_snapshot!(compiled.attached[0]);
    let mut rx = claim("2026-03-02", donepezil_10, 60.0, 30);
    let cases = [
        // donepezil 10 mg: only in the catalog; the ingredient's tier, PA and limit.
        ("donepezil 10 mg, no diagnosis", rx.clone()),
        ("donepezil 10 mg, dementia diagnosis", {
            rx["diagnoses"] = json!(["G30.9"]);
            rx["quantity"] = json!(30);
            rx.clone()
        }),
        // galantamine 4 mg: product not listed, matched by ingredient RxCUI.
        (
            "galantamine 4 mg",
            claim("2026-03-02", "00378-2721-91", 60.0, 30),
        ),
        // donepezil 23 mg: the listed product's tier, the ingredient's edits.
        (
            "donepezil 23 mg, other package",
            claim("2026-03-02", "24979-0004-03", 30.0, 30),
        ),
        // The formulary's own package entry is never overridden.
        (
            "donepezil 23 mg, excluded package",
            claim("2026-03-02", "00378-1025-77", 30.0, 30),
        ),
        // A combination of two listed ingredients follows neither.
        (
            "donepezil / memantine combination",
            claim("2026-03-02", "33342-0313-07", 30.0, 30),
        ),
        // An ingredient not on the formulary.
        (
            "rivastigmine patch",
            claim("2026-03-02", "00378-9072-16", 30.0, 30),
        ),
    ];
    let lines: Vec<String> = cases
        .iter()
        .map(|(what, rx)| format!("{what}: {}", outcome(&f, rx.clone())))
        .collect();
    insta::assert_snapshot!(lines.join("\n"));
}

#[test]
fn catalog_products_match_ingredients_by_name() {
    let path = root().join("tests/interop/catalog/antihypertensives.formulary");
    let compiled = compile_with(&path, true);
    let f = compiled.formulary.expect("compiled");
    let report = &compiled.attached[0];
    assert!(report.combinations_left_out > 0, "{report:?}");
    // lisinopril 10 MG Oral Tablet [Zestril], by RxCUI: the ingredient's rules.
    let lisinopril = f.drug_by_name("lisinopril").unwrap();
    assert_eq!(f.drug_by_rxcui(104377), Some(lisinopril));
    // hydrochlorothiazide / lisinopril: two listed ingredients, left out.
    assert_eq!(f.drug_by_rxcui(1162124), None);
}

#[test]
fn declared_and_given_catalogs_are_attached_by_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let rx = dir.path().join("rx.json");
    let body = claim("2026-03-02", "00378-2721-91", 60.0, 30);
    std::fs::write(&rx, body.to_string()).unwrap();
    let rx = rx.display().to_string();
    // The formulary declares its catalog.
    let declared = run(
        &[
            "check",
            "tests/interop/catalog/dementia.formulary",
            &rx,
            "--root",
            "tests/interop",
        ],
        None,
    );
    assert_eq!(declared.code, 0, "{}", declared.snapshot());
    assert!(
        declared.stdout.contains("galantamine"),
        "{}",
        declared.stdout
    );
    // Given on the command line to a formulary that declares none.
    let plain = dir.path().join("plain.formulary");
    let text = read("tests/interop/catalog/dementia.formulary")
        .replace("catalog \"../rxnorm/dementia-ndc.csv\"", "");
    std::fs::write(&plain, text).unwrap();
    let plain = plain.display().to_string();
    let without = run(&["check", &plain, &rx], None);
    assert_eq!(without.code, 2, "{}", without.snapshot());
    let given = run(
        &[
            "check",
            &plain,
            &rx,
            "--catalog",
            "tests/interop/rxnorm/dementia-ndc.csv",
        ],
        None,
    );
    assert_eq!(given.code, 0, "{}", given.snapshot());
}

// ---------------------------------------------------------------- CMS

#[test]
fn cms_sample_imports_to_a_clean_formulary() {
    let r = run(
        &[
            "import",
            "cms",
            "tests/interop/cms/basic-drugs-formulary-sample-2021.txt",
        ],
        None,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    insta::assert_snapshot!(r.stdout);
    let again = run(
        &[
            "import",
            "cms",
            "tests/interop/cms/basic-drugs-formulary-sample-2021.txt",
        ],
        None,
    );
    assert_eq!(
        again.stdout, r.stdout,
        "importing twice gives the same bytes"
    );
    let f = compile_source("00021000.formulary", &r.stdout);
    assert_eq!(f.drugs.len(), 50);
    let cases = [
        // dulaglutide: QL 2 per 28 days, no PA.
        claim("2021-05-03", "00002-1433-80", 2.0, 28),
        claim("2021-05-03", "00002-1433-80", 4.0, 28),
        // 2.4 per 28 days, with PA: a fractional limit.
        claim("2021-05-03", "00002-8400-01", 2.4, 28),
        json!({"date": "2021-05-03", "rxcui": 1435117, "quantity": 2.4, "days_supply": 28,
               "patient": {"age": 70, "sex": "M"},
               "prior_authorizations": [{"number": "PA1", "rxcui": 1435117, "from": "2021-01-01", "to": "2021-12-31"}]}),
        // No edits at all.
        claim("2021-05-03", "00005-0100-05", 30.0, 30),
        // Outside the contract year.
        claim("2022-01-03", "00005-0100-05", 30.0, 30),
    ];
    let lines: Vec<String> = cases.into_iter().map(|c| outcome(&f, c)).collect();
    insta::assert_snapshot!(lines.join("\n"));
}

#[test]
fn cms_newer_layout_with_plans_writes_one_file_per_formulary() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().display().to_string();
    let args = [
        "import",
        "cms",
        "tests/interop/cms/synthetic-two-formularies-2025.txt",
        "--plans",
        "tests/interop/cms/synthetic-plan-info-2025.txt",
        "--catalog",
        "tests/interop/rxnorm/dementia-ndc.csv",
        "--out",
        &out,
    ];
    let r = run(&args, None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    insta::assert_snapshot!(r.stderr.replace(&out, "OUT"));
    let mut files: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let names: Vec<String> = files
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["00025118.formulary", "00025207.formulary"]);
    for p in &files {
        let text = std::fs::read_to_string(p).unwrap();
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        insta::assert_snapshot!(name.clone(), text);
        compile_clean(p);
    }
    // Step therapy without published prerequisites: new starts need an
    // exception, continuing patients and exceptions on file pass.
    let f = compile_clean(&files[0]);
    let new_start = claim("2025-04-01", "00002-1433-80", 2.0, 28);
    let mut continuing = new_start.clone();
    continuing["history"] =
        json!([{"ndc": "00002-1433-80", "date": "2025-03-04", "days_supply": 28, "quantity": 2}]);
    let mut exception = new_start.clone();
    exception["prior_authorizations"] =
        json!([{"number": "ST-9", "rule": "st-1551300", "from": "2025-01-01", "to": "2025-12-31"}]);
    let lines = [
        outcome(&f, new_start),
        outcome(&f, continuing),
        outcome(&f, exception),
        // A second NDC of the same RxCUI, merged into one product.
        outcome(&f, claim("2025-04-01", "24979-0004-03", 30.0, 30)),
    ];
    insta::assert_snapshot!(lines.join("\n"));
}

#[test]
fn cms_faults_are_reported_with_line_and_column() {
    for file in ["bad-rows.txt", "conflicting-rows.txt"] {
        let path = format!("tests/interop/cms/{file}");
        let r = run(&["import", "cms", &path], None);
        assert_eq!(r.code, 1);
        assert!(r.stdout.is_empty());
        insta::assert_snapshot!(file, r.stderr);
    }
    let two = run(
        &[
            "import",
            "cms",
            "tests/interop/cms/synthetic-two-formularies-2025.txt",
        ],
        None,
    );
    assert_eq!(two.code, 1, "two formularies need --out");
    assert!(two.stderr.contains("--out DIR"), "{}", two.stderr);
}

#[test]
fn cms_library_import_counts_skipped_rows() {
    let bytes =
        std::fs::read(root().join("tests/interop/cms/synthetic-two-formularies-2025.txt")).unwrap();
    let i = cms::import("x.txt", &bytes, cms::Options::default()).unwrap();
    assert_eq!((i.rows, i.duplicates, i.blank), (9, 1, 1));
    let ids: Vec<&str> = i.formularies.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(
        ids,
        ["00025118", "00025207"],
        "ids keep their leading zeros"
    );
}

// ---------------------------------------------------------------- FHIR

/// The guide's examples, as one bundle.
fn example_bundle() -> Value {
    let mut files: Vec<_> = std::fs::read_dir(root().join("tests/interop/fhir"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let entries: Vec<Value> = files
        .iter()
        .map(|p| json!({"resource": serde_json::from_str::<Value>(&std::fs::read_to_string(p).unwrap()).unwrap()}))
        .collect();
    json!({"resourceType": "Bundle", "type": "collection", "entry": entries})
}

fn resources<'a>(bundle: &'a Value, kind: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
    bundle["entry"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| &e["resource"])
        .filter(move |r| r["resourceType"] == kind)
}

/// Each extension URL with the name of its value (valueBoolean, ...), or
/// `extension` for a complex one with its parts' URLs.
fn extension_shapes(r: &Value) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for e in r["extension"].as_array().into_iter().flatten() {
        let url = e["url"].as_str().unwrap_or("").to_string();
        for (k, v) in e.as_object().unwrap() {
            if k.starts_with("value") {
                out.insert((url.clone(), k.clone()));
            } else if k == "extension" {
                for part in v.as_array().unwrap() {
                    let value = part
                        .as_object()
                        .unwrap()
                        .keys()
                        .find(|k| k.starts_with("value"))
                        .unwrap();
                    out.insert((
                        format!("{url}#{}", part["url"].as_str().unwrap()),
                        value.clone(),
                    ));
                }
            }
        }
    }
    out
}

#[test]
fn fhir_export_uses_the_guide_shapes() {
    let f = compile_clean(&root().join("tests/interop/fhir/roundtrip.formulary"));
    let bundle = fhir::export(&f, &ExportOptions::default());
    insta::assert_json_snapshot!(bundle);
    let examples = example_bundle();
    let known: BTreeSet<(String, String)> = resources(&examples, "Basic")
        .flat_map(extension_shapes)
        .collect();
    let detail = "http://hl7.org/fhir/us/davinci-drug-formulary/StructureDefinition/usdf-QuantityLimitDetail-extension";
    for item in resources(&bundle, "Basic") {
        for shape in extension_shapes(item) {
            // The detail's Description part is from a later edition of the guide than the examples.
            if shape.0 == format!("{detail}#Description") {
                assert_eq!(shape.1, "valueString");
                continue;
            }
            assert!(
                known.contains(&shape),
                "{shape:?} is not as in the examples"
            );
        }
    }
    let keys = |kind: &str, b: &Value| -> BTreeSet<String> {
        resources(b, kind)
            .flat_map(|r| r.as_object().unwrap().keys().cloned())
            .collect()
    };
    for kind in ["Basic", "MedicationKnowledge", "InsurancePlan"] {
        assert!(
            keys(kind, &bundle).is_subset(&keys(kind, &examples)),
            "{kind}"
        );
    }
    let drug_systems: BTreeSet<String> = resources(&bundle, "MedicationKnowledge")
        .flat_map(|m| {
            m["code"]["coding"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["system"].as_str().unwrap().to_string())
        })
        .collect();
    assert!(drug_systems.contains("http://www.nlm.nih.gov/research/umls/rxnorm"));
}

#[test]
fn fhir_guide_examples_import_to_a_clean_formulary() {
    let bundle = example_bundle().to_string();
    let drafts = fhir::import("examples.json", &bundle).expect("imports");
    assert_eq!(drafts.len(), 1, "the payer plan is not a formulary");
    let source = drafts[0].write();
    insta::assert_snapshot!(source);
    let f = compile_source("D1002.formulary", &source);
    // Percocet: PA, step therapy for everyone, rolling 60 per 30 days, 2 a day.
    let percocet = json!({"date": "2021-06-01", "rxcui": 1049640, "quantity": 90, "days_supply": 30,
                          "patient": {"age": 50, "sex": "M"}});
    insta::assert_snapshot!(outcome(&f, percocet));
}

/// What a drug gets at a date: tier, PA, step therapy (new starts only?) and limits.
fn summary(f: &Formulary, id: DrugId, date: chrono::NaiveDate) -> String {
    let r = f.resolved(id);
    let tier = r
        .status
        .iter()
        .find(|s| s.clause.period.contains(date))
        .map(|s| format!("{:?}", s.clause.kind));
    let mut pa = false;
    let mut step: Option<bool> = None;
    let mut limits: Vec<String> = Vec::new();
    for e in r.edits.iter().filter(|e| e.clause.period.contains(date)) {
        match &e.clause.kind {
            ClauseKind::Pa(_) => pa = true,
            ClauseKind::Step(s) => step = Some(f.steps[s.0 as usize].new_starts_only),
            ClauseKind::Limit(l) => limits.push(Limit::to_string(l)),
            _ => {}
        }
    }
    limits.sort();
    format!(
        "{} pa {pa} step {step:?} limits {limits:?}",
        tier.unwrap_or_default()
    )
}

#[test]
fn fhir_round_trip_keeps_tiers_and_edits_per_drug() {
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("acme.json");
    let bundle_s = bundle.display().to_string();
    let r = run(
        &[
            "export",
            "fhir",
            "tests/interop/fhir/roundtrip.formulary",
            "--out",
            &bundle_s,
        ],
        None,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let out = dir.path().join("imported");
    let out_s = out.display().to_string();
    let r = run(&["import", "fhir", &bundle_s, "--out", &out_s], None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let imported_path = out.join("ACME-2026.formulary");
    let imported = compile_clean(&imported_path);
    let source = std::fs::read_to_string(&imported_path).unwrap();
    insta::assert_snapshot!(source);
    let original = compile_clean(&root().join("tests/interop/fhir/roundtrip.formulary"));
    let date = original.effective.from.unwrap();
    let mut compared = 0;
    for (i, d) in original.drugs.iter().enumerate() {
        let id = DrugId(i as u32);
        let covered = matches!(
            original
                .resolved(id)
                .status
                .iter()
                .find(|s| s.clause.period.contains(date))
                .map(|s| &s.clause.kind),
            Some(ClauseKind::Tier(_))
        );
        let back = d
            .rxcui
            .and_then(|r| imported.drug_by_rxcui(r))
            .or_else(|| d.ndcs.first().and_then(|n| imported.drug_by_ndc(n)));
        match back {
            Some(b) => {
                assert!(covered, "{} is not covered but was exported", d.name);
                assert_eq!(
                    summary(&imported, b, date),
                    summary(&original, id, date),
                    "{}",
                    d.name
                );
                compared += 1;
            }
            None => assert!(!covered, "{} is covered but did not come back", d.name),
        }
    }
    assert_eq!(compared, 9);
    // Tiers keep their number, label and cost shares, but for a coinsurance
    // minimum or maximum, which a bundle has no place for.
    let plain = |c: CostShare| match c {
        CostShare::Coinsurance { bp, .. } => CostShare::Coinsurance {
            bp,
            min: None,
            max: None,
        },
        other => other,
    };
    for t in &original.tiers {
        let back = imported.tier(t.number).expect("tier came back");
        assert_eq!(back.label, t.label);
        assert_eq!(plain(back.share), plain(t.share), "tier {}", t.number);
        assert_eq!(back.mail.map(plain), t.mail.map(plain), "tier {}", t.number);
        assert_eq!(
            back.extended.map(|e| plain(e.1)),
            t.extended.map(|e| plain(e.1))
        );
    }
    // What FHIR has no structure for comes back as text.
    assert!(source.contains("# Age limit: covered for ages 18 and over."));
    assert!(source.contains("tried any 1 of class ace for 30 days within 180 days"));
}

#[test]
fn continuation_step_rules_compile_and_real_cycles_still_do_not() {
    let head = "formulary \"T\" id T version 1 effective 2025-01-01 to 2025-12-31\ntier 1 \"One\" copay $0\n";
    // A rule only the drug itself satisfies: how an ST flag without
    // published prerequisites is imported.
    let continuation = format!(
        "{head}product a rxcui 1 tier 1 step st-a\nstep therapy st-a {{\n  tried any 1 of a within 365 days\n  new starts only\n}}\n"
    );
    compile_source("continuation.formulary", &continuation);
    // Two drugs that each need the other first: still a cycle.
    let cycle = format!(
        "{head}product a rxcui 1 tier 1 step needs-b\nproduct b rxcui 2 tier 1 step needs-a\n\
         step therapy needs-b {{\n  tried any 1 of b within 365 days\n}}\n\
         step therapy needs-a {{\n  tried any 1 of a within 365 days\n}}\n"
    );
    let compiled = formulary::compile_str("cycle.formulary", &cycle);
    let codes: Vec<String> = compiled
        .diags
        .iter()
        .map(|d| format!("{d:?}"))
        .filter(|d| d.contains("StepCycle"))
        .collect();
    assert_eq!(codes.len(), 1, "{:#?}", compiled.diags);
}

#[test]
fn cms_import_reads_standard_input() {
    let text = read("tests/interop/cms/basic-drugs-formulary-sample-2021.txt");
    let piped = run(&["import", "cms", "-"], Some(&text));
    assert_eq!(piped.code, 0, "{}", piped.stderr);
    assert!(
        piped.stdout.contains("id 00021000 version 14"),
        "{}",
        piped.stdout
    );
}

mod never_panic {
    //! Importers take any bytes: a value or an error, never a panic.
    use formulary::interop::{cms, fhir, Catalog};
    use proptest::prelude::*;

    const HEADER: &str = "FORMULARY_ID|FORMULARY_VERSION|CONTRACT_YEAR|RXCUI|NDC|TIER_LEVEL_VALUE|QUANTITY_LIMIT_YN|QUANTITY_LIMIT_AMOUNT|QUANTITY_LIMIT_DAYS|PRIOR_AUTHORIZATION_YN|STEP_THERAPY_YN\n";

    proptest! {
        /// Plausible rows: whenever the import succeeds, every formulary
        /// compiles without a single diagnostic.
        #[test]
        fn cms_rows_import_to_clean_formularies(rows in proptest::collection::vec(
            ("0002100[0-2]", 1u32..12, 0u32..3, 1u32..7, prop_oneof![Just(" | "), Just("2.4|28"), Just("60|30"), Just("0.5|1")], "[YN]", "[YN]"),
            1..30,
        )) {
            // CMS gives one drug (RxCUI) one tier and one set of edits in a
            // formulary: a drug's later packages repeat its first row's terms.
            let mut terms = std::collections::HashMap::new();
            let text: String = rows
                .iter()
                .map(|(id, rx, pkg, tier, ql, pa, st)| {
                    let (tier, ql, pa, st) = *terms.entry((id.as_str(), *rx)).or_insert((tier, ql, pa, st));
                    let flag = if ql.starts_with(' ') { "N" } else { "Y" };
                    format!("{id}|3|2021|{}|00002{rx:04}{pkg:02}|{tier}|{flag}|{ql}|{pa}|{st}\n", 1000 + rx)
                })
                .collect();
            let text = format!("{HEADER}{text}");
            // Every row is well formed, so the import must succeed and write
            // at least one formulary; each must compile without a diagnostic.
            let i = cms::import("p.txt", text.as_bytes(), cms::Options::default())
                .map_err(|e| TestCaseError::fail(format!("{e:?}\n{text}")))?;
            prop_assert!(!i.formularies.is_empty(), "no formulary from\n{text}");
            for d in i.formularies {
                let source = d.write();
                let compiled = formulary::compile_str("p.formulary", &source);
                prop_assert!(compiled.diags.is_empty(), "{source}\n{:?}", compiled.diags);
            }
        }

        #[test]
        fn cms_rows(rows in proptest::collection::vec("[0-9A-Z .|YN-]{0,60}", 0..20)) {
            let text = format!("{HEADER}{}", rows.join("\n"));
            let _ = cms::import("p.txt", text.as_bytes(), cms::Options::default());
        }

        #[test]
        fn cms_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            let _ = cms::import("p.txt", &bytes, cms::Options::default());
        }

        #[test]
        fn catalog_text(text in "[0-9a-z,\"\n NA]{0,300}") {
            let text = format!("rxcui,ingredient_rxcui,ndc11,name,tty,ingredient_name\n{text}");
            let _ = Catalog::parse("p.csv", &text);
        }

        #[test]
        fn fhir_json(text in "[\\[\\]{}:,\"a-zA-Z0-9 ]{0,300}") {
            let _ = fhir::import("p.json", &text);
        }
    }
}
