//! Every formulary shipped in formularies/ compiles without errors or
//! warnings, its test cases pass, and each case's decision is pinned by an
//! insta snapshot, so a rule change shows in the review's `.snap` diff.

use formulary::cases::{slug, snapshot, CaseFile};
use std::path::{Path, PathBuf};

fn load(path: &Path) -> formulary::Compiled {
    formulary::compile(parse(path))
}

/// Parses a shipped formulary with its price lists; `formularies/` is the
/// root, since a proposal shares files with the formulary it changes.
fn parse(path: &Path) -> formulary::Parsed {
    let opts = formulary::LoadOptions {
        root: Some(PathBuf::from("formularies")),
        ..Default::default()
    };
    formulary::load(path, &mut formulary::io::FsReader, &opts).expect("readable")
}

/// Main files: those that sit beside a `NAME.tests.yaml`.
fn shipped() -> Vec<(PathBuf, PathBuf)> {
    // Relative to the package root (the tests' working directory), so that
    // rule origins in the snapshots do not name this machine's paths.
    let root = PathBuf::from("formularies");
    let mut out = Vec::new();
    for dir in std::fs::read_dir(&root).expect("formularies/").flatten() {
        for f in std::fs::read_dir(dir.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            let name = f.file_name().to_string_lossy().into_owned();
            if let Some(stem) = name.strip_suffix(".tests.yaml") {
                out.push((dir.path().join(format!("{stem}.formulary")), f.path()));
            }
        }
    }
    out.sort();
    assert!(!out.is_empty(), "at least one shipped formulary with cases");
    out
}

#[test]
fn shipped_formularies_compile_cleanly() {
    for (main, _) in shipped() {
        let c = load(&main);
        let report = formulary::diagnostics::render_human(&c.diags, &c.sources, false, 100);
        assert!(c.diags.is_empty(), "{}:\n{report}", main.display());
    }
}

#[test]
fn shipped_cases_pass_and_decisions_are_pinned() {
    for (main, cases) in shipped() {
        let f = load(&main).formulary.expect("compiles");
        let file = CaseFile::parse(&std::fs::read_to_string(&cases).expect("cases"))
            .expect("case file parses");
        let stem = main
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("formulary")
            .to_string();
        let mut failures = Vec::new();
        for r in file.run(&f) {
            if !r.passed() {
                failures.push(format!("{}:\n  {}", r.name, r.failures.join("\n  ")));
            }
            if let Some(d) = &r.decision {
                insta::with_settings!({ snapshot_suffix => format!("{stem}-{}", slug(&r.name)), prepend_module_to_snapshot => false }, {
                    insta::assert_snapshot!("decision", snapshot(&r.name, d));
                });
            }
        }
        assert!(
            failures.is_empty(),
            "{} case(s) failed:\n{}",
            failures.len(),
            failures.join("\n")
        );
    }
}

/// Drops `span: Span { .. }` fields from a pretty `Debug` dump: offsets
/// change with every edit, the tree only when meaning does.
fn without_spans(debug: &str) -> String {
    let mut out = String::with_capacity(debug.len());
    let mut skipping = 0usize;
    for line in debug.lines() {
        let t = line.trim_start();
        if skipping > 0 {
            skipping += t.matches('{').count();
            skipping -= t.matches('}').count().min(skipping);
            continue;
        }
        if t.starts_with("span: Span {") || t == "Span {" {
            skipping = 1;
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// The syntax tree of every shipped file, without offsets,
/// and the compiled rule graph as Mermaid: a change in how a file parses or
/// what the compiler builds from it shows in review.
#[test]
fn shipped_syntax_trees_and_graphs_are_pinned() {
    for (main, _) in shipped() {
        let parsed = parse(&main);
        let stem = main
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("formulary")
            .to_string();
        for (id, tree) in &parsed.files {
            let name = parsed.sources.get(*id).name.to_string();
            let file = Path::new(&name)
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or("file")
                .to_string();
            insta::with_settings!({ snapshot_suffix => format!("{stem}-{file}"), prepend_module_to_snapshot => false }, {
                insta::assert_snapshot!("ast", without_spans(&format!("{tree:#?}")));
            });
        }
        let graph = crate::support::run(&["graph", main.to_str().expect("utf-8 path")], None);
        assert_eq!(graph.code, 0, "{}", graph.stderr);
        insta::with_settings!({ snapshot_suffix => stem.clone(), prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!("graph", graph.stdout);
        });
    }
}

/// A compiled formulary is shared by every thread of a batch.
#[test]
fn a_compiled_formulary_is_shared_between_threads() {
    fn shareable<T: Send + Sync>() {}
    shareable::<formulary::Formulary>();
    let f = load(Path::new("formularies/acme/acme.formulary"))
        .formulary
        .expect("compiles");
    let rx = formulary::Prescription::from_str(
        r#"{"date":"2026-03-02","rxcui":314076,"quantity":30,"days_supply":30,"patient":{"age":60,"sex":"F"}}"#,
    )
    .expect("valid");
    let paid: Vec<bool> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|_| s.spawn(|| formulary::check(&f, &rx).is_paid()))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("thread"))
            .collect()
    });
    assert_eq!(paid, [true; 4]);
}

#[test]
fn every_message_names_its_rule_including_a_brand_requested_dispense_as_written() {
    let f = load(Path::new("formularies/acme/acme.formulary"))
        .formulary
        .expect("compiles");
    // Zestril 10 mg, the brand of lisinopril-10, with DAW 2 (patient requests the brand).
    let rx = formulary::Prescription::from_str(
        r#"{"date":"2026-03-02","rxcui":104377,"quantity":30,"days_supply":30,"daw":2,"patient":{"age":60,"sex":"F"}}"#,
    )
    .expect("valid");
    let d = formulary::check(&f, &rx);
    let daw = d
        .messages
        .iter()
        .find(|m| m.text.contains("DAW 2"))
        .expect("a DAW message");
    assert_eq!(daw.rule.kind, "brand of");
    assert_eq!(daw.rule.name, "lisinopril-10");
    assert!(
        daw.rule.file.ends_with("cardiovascular.formulary"),
        "{}",
        daw.rule.file
    );
    assert_eq!(daw.rule.line, 19);
}

/// Metro, the larger shipped formulary, covers the areas of a commercial
/// drug list, and its cases exercise every reject code the engine emits,
/// paid claims and alternatives offered.
#[test]
fn metro_covers_a_commercial_list_and_every_edit() {
    let main = Path::new("formularies/metro/metro.formulary");
    assert!(
        shipped().iter().any(|(m, _)| m == main),
        "metro ships with its cases"
    );
    let f = load(main).formulary.expect("compiles");
    for class in [
        "ace",
        "arb",
        "ccb",
        "thiazide",
        "beta-blocker",
        "loop-diuretic",
        "anticoagulant",
        "antiplatelet",
        "statin",
        "biguanide",
        "glp1",
        "insulin",
        "saba",
        "ics",
        "ics-laba",
        "anaphylaxis",
        "contraceptive",
        "anti-infective",
        "nsaid",
        "opioid",
        "antidepressant",
        "thyroid",
        "bone",
        "ppi",
        "dementia",
        "immunology",
    ] {
        let id = f
            .class_by_name(class)
            .unwrap_or_else(|| panic!("class {class}"));
        let covered = (0..f.drugs.len() as u32)
            .filter(|&i| {
                let d = formulary::compile::model::DrugId(i);
                f.resolved(d).classes.contains(&id)
            })
            .count();
        assert!(covered > 0, "class {class} has no drugs");
    }
    let cases = CaseFile::parse(
        &std::fs::read_to_string("formularies/metro/metro.tests.yaml").expect("cases"),
    )
    .expect("case file parses");
    assert!(cases.cases.len() >= 60, "{} cases", cases.cases.len());
    let mut codes = std::collections::BTreeSet::new();
    let (mut paid, mut offered) = (0, 0);
    for r in cases.run(&f) {
        assert!(r.passed(), "{}: {:?}", r.name, r.failures);
        let d = r.decision.expect("decision");
        paid += usize::from(d.is_paid());
        offered += usize::from(!d.alternatives.is_empty());
        codes.extend(d.rejects.iter().map(|r| r.code.code()));
    }
    let want = ["3Y", "60", "608", "61", "70", "75", "76", "79", "MR"];
    assert_eq!(codes.into_iter().collect::<Vec<_>>(), want);
    assert!(
        paid >= 30 && offered >= 10,
        "{paid} paid, {offered} with alternatives"
    );
}

#[test]
fn a_prescription_built_in_code_means_what_the_same_json_means() {
    use formulary::{Date, PrescriptionBuilder, RejectCode};
    let f = load(Path::new("formularies/acme/acme.formulary"))
        .formulary
        .expect("compiles");
    let json = formulary::Prescription::from_str(
        r#"{"date":"2026-03-02","rxcui":1242404,"quantity":30,"days_supply":30,"diagnoses":["N40.1"],"patient":{"age":60,"sex":"M"}}"#,
    )
    .expect("valid");
    let date = Date::from_ymd_opt(2026, 3, 2).expect("date");
    let built = PrescriptionBuilder::new(date, 30.0, 30)
        .rxcui(1242404)
        .age(60)
        .sex(formulary::ast::Sex::Male)
        .diagnosis("N40.1")
        .build()
        .expect("valid");
    assert_eq!(built, json);
    // The BPH diagnosis approves the PA at the counter, whichever way the claim was made.
    let d = formulary::check(&f, &built);
    assert!(
        d.is_paid() && d.covered() && !d.needs_pa(),
        "{:?}",
        d.rejects
    );

    let without = PrescriptionBuilder::new(date, 30.0, 30)
        .rxcui(1242404)
        .age(60)
        .sex(formulary::ast::Sex::Male)
        .build()
        .expect("valid");
    let d = formulary::check(&f, &without);
    assert!(d.covered() && d.needs_pa() && !d.is_paid());
    assert_eq!(
        d.reject_codes().collect::<Vec<_>>(),
        [RejectCode::PriorAuthorizationRequired]
    );

    // The builder refuses what the reader refuses, naming the same field.
    let bad = PrescriptionBuilder::new(date, 30.0, 30)
        .rxcui(1)
        .age(60)
        .diagnosis("E11..9");
    assert_eq!(bad.build().expect_err("bad code").path, "diagnoses[0]");
    let none = PrescriptionBuilder::new(date, 30.0, 30).age(60).build();
    assert!(none.is_err(), "no drug");
    // A struct holding a code as written is refused, not silently unmatched.
    let mut raw = json.clone();
    raw.diagnoses = vec!["N40.1".into()];
    assert_eq!(
        raw.validate().expect_err("not normalised").path,
        "diagnoses[0]"
    );
}
