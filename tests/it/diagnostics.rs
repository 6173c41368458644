//! One fixture per diagnostic code: `tests/diagnostics/CODE-what.formulary`.
//! Each is compiled; the rendered report (no colour) is snapshotted and must
//! contain the code the file is named after.

use formulary::diagnostics::render_human;

#[test]
fn each_fixture_reports_its_code() {
    insta::glob!("../diagnostics", "*.formulary", |path| {
        let text = std::fs::read_to_string(path).expect("fixture readable");
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        let code = name.split('-').next().unwrap_or_default();
        let compiled = formulary::compile_str(name, &text);
        let codes: Vec<String> = compiled.diags.iter().map(|d| d.code()).collect();
        assert!(
            codes.iter().any(|c| c == code),
            "{name}: expected {code}, got {codes:?}"
        );
        let report = render_human(&compiled.diags, &compiled.sources, false, 100);
        insta::assert_snapshot!(report);
    });
}

#[test]
fn all_errors_of_a_file_are_reported_in_one_run() {
    let text = "formulary \"X\" id X version 1 effective 2026-01-01 to 2026-12-31\n\
                tier 1 \"Generic\" copay $5\n\
                ingredient a rxcui 0123 tier 9\n\
                ingredient b rxcui 22 tier 1 pa nope\n\
                product c ndc 1234 of zz\n";
    let c = formulary::compile_str("x.formulary", text);
    let codes: Vec<String> = c.diags.iter().map(|d| d.code()).collect();
    assert_eq!(codes, ["E0102", "E0203", "E0204", "E0101", "E0201"]);
}

#[test]
fn several_syntax_errors_are_reported_in_one_run() {
    let text = "formulary \"X\" id X version 1\n\
                tier 1 Generic copay $5\n\
                tier 2 \"Brand\" copay 40\n\
                ingredient ok rxcui 22 tier 1\n\
                class c \"C\" {\n  ingredient d rxcui 23 tier\n}\n";
    let c = formulary::compile_str("x.formulary", text);
    let lines: Vec<u32> = c
        .diags
        .iter()
        .map(|d| {
            let j = formulary::diagnostics::render_json(std::slice::from_ref(d), &c.sources);
            j[0].line
        })
        .collect();
    assert_eq!(lines, [2, 3, 7]);
}

#[test]
fn graph_checks_run_beside_other_errors_without_cascades() {
    let fixture = |name: &str| {
        std::fs::read_to_string(crate::support::root().join("tests/diagnostics").join(name))
            .expect("fixture")
    };
    // A step cycle and, elsewhere, an unknown tier and a bad percent.
    let text = fixture("E0301-step-cycle.formulary")
        + "ingredient extra rxcui 99 tier 7\nrefill too soon before 150% used\n";
    let c = formulary::compile_str("x.formulary", &text);
    let mut codes: Vec<String> = c.diags.iter().map(|d| d.code()).collect();
    codes.sort();
    assert!(codes.contains(&"E0301".to_string()), "{codes:?}");
    assert!(codes.len() >= 3, "{codes:?}");
    // A step whose list names an unknown drug: the unknown name, not also
    // "can never be met".
    let text = fixture("E0302-step-never-met.formulary").replace(
        "tried any 2 of losartan, valsartan",
        "tried any 2 of losartan, valsrtan",
    );
    let c = formulary::compile_str("x.formulary", &text);
    let codes: Vec<String> = c.diags.iter().map(|d| d.code()).collect();
    assert!(!codes.contains(&"E0302".to_string()), "{codes:?}");
    assert!(!codes.is_empty());
}
