//! Values in prescriptions and case files: out-of-range amounts, dates
//! that are not exactly YYYY-MM-DD, enrolment after the date of service,
//! a PA naming no rule, and a case file for another formulary.

use crate::support::run;

/// A prescription for tests/cli/valid.formulary with `patch` merged in.
fn rx(patch: serde_json::Value) -> String {
    let mut v = serde_json::json!({
        "date": "2026-03-02", "ndc": "68180-0513-01", "quantity": 30, "days_supply": 30,
        "patient": {"age": 60, "sex": "M"}
    });
    if let (Some(m), Some(p)) = (v.as_object_mut(), patch.as_object()) {
        for (k, x) in p {
            m.insert(k.clone(), x.clone());
        }
    }
    v.to_string()
}

fn check(text: &str) -> crate::support::Run {
    run(&["check", "tests/cli/valid.formulary", "-"], Some(text))
}

#[test]
fn out_of_range_values_are_input_errors_naming_the_field() {
    let cases = [
        (serde_json::json!({"quantity": 1e12}), "quantity"),
        (
            serde_json::json!({"ingredient_cost": 1e15}),
            "ingredient_cost",
        ),
        (serde_json::json!({"date": "+2026-03-1"}), "date"),
        (serde_json::json!({"date": "-001-01-01"}), "date"),
        (
            serde_json::json!({"patient": {"age": 60, "sex": "M", "enrolled": "2026-04-01"}}),
            "patient.enrolled",
        ),
        (
            serde_json::json!({"prior_authorizations": [{"number": "1", "rule": "no-such-rule",
                "from": "2026-01-01", "to": "2026-12-31"}]}),
            "prior_authorizations[0].rule",
        ),
        (
            serde_json::json!({"history": [{"ndc": "68180-0513-01", "date": "2026-01-01",
                "days_supply": 30, "quantity": 1e300}]}),
            "history[0].quantity",
        ),
    ];
    for (patch, field) in cases {
        let r = check(&rx(patch.clone()));
        assert_eq!(r.code, 1, "{patch}: {}", r.snapshot());
        assert!(r.stderr.contains(field), "{patch}: {}", r.stderr);
    }
    // The same prescription within range pays.
    assert_eq!(check(&rx(serde_json::json!({}))).code, 0);
}

#[test]
fn a_case_file_for_another_formulary_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let root = crate::support::root();
    let cases = std::fs::read_to_string(root.join("tests/cli/valid.tests.yaml")).unwrap();
    let main = dir.path().join("valid.formulary");
    std::fs::copy(root.join("tests/cli/valid.formulary"), &main).unwrap();
    let other = dir.path().join("other.tests.yaml");
    std::fs::write(
        &other,
        cases.replace("formulary: valid.formulary", "formulary: other.formulary"),
    )
    .unwrap();
    let r = run(
        &[
            "test",
            main.to_str().unwrap(),
            "--cases",
            other.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(r.code, 1, "{}", r.snapshot());
    assert!(r.stderr.contains("`formulary:` key"), "{}", r.stderr);
    std::fs::write(&other, cases).unwrap();
    let r = run(
        &[
            "test",
            main.to_str().unwrap(),
            "--cases",
            other.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(r.code, 0, "{}", r.snapshot());
}

#[test]
fn control_characters_from_a_prescription_are_escaped_in_human_output() {
    let text = rx(
        serde_json::json!({"rxcui": 104377, "ndc": null, "prior_authorizations": [{
        "number": "A\u{1b}[2J\u{1b}]0;PWNED\u{7}", "rule": "brand-necessity",
        "from": "2026-01-01", "to": "2026-12-31"}]}),
    );
    let text = text.replace(",\"ndc\":null", "");
    let r = check(&text);
    assert_eq!(r.code, 0, "{}", r.snapshot());
    assert!(!r.stdout.contains('\u{1b}') && !r.stdout.contains('\u{7}'));
    assert!(r.stdout.contains("A\\u{1b}[2J"), "{}", r.stdout);
}
