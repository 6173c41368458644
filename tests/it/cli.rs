//! The command line, end to end: exit codes and output.

use crate::support::run;

#[test]
fn validate_exit_codes() {
    let ok = run(&["validate", "tests/cli/valid.formulary"], None);
    assert_eq!(ok.code, 0, "{}", ok.stderr);
    let bad = run(&["validate", "tests/cli/invalid.formulary"], None);
    assert_eq!(bad.code, 3, "{}", bad.stderr);
    let missing = run(&["validate", "tests/cli/does-not-exist.formulary"], None);
    assert_eq!(missing.code, 1);
    let usage = run(&["validate"], None);
    assert_eq!(usage.code, 2, "clap reports usage errors with 2");
}

#[test]
fn validate_json_lists_codes_and_positions() {
    let r = run(
        &[
            "validate",
            "--format",
            "json",
            "tests/cli/invalid.formulary",
        ],
        None,
    );
    assert_eq!(r.code, 3);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    insta::assert_json_snapshot!(v);
}

#[test]
fn missing_include_is_reported_with_its_span() {
    let r = run(&["validate", "tests/cli/bad-include.formulary"], None);
    assert_eq!(r.code, 3);
    assert!(r.stderr.contains("formulary::E0002"), "{}", r.stderr);
    assert!(r.stderr.contains("included here"), "{}", r.stderr);
}
