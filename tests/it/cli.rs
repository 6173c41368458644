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
    assert_eq!(usage.code, 1, "a usage error is bad input, not a rejection");
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

#[test]
fn check_human_output_and_exit_codes() {
    let rejected = run(
        &[
            "check",
            "tests/cli/valid.formulary",
            "tests/cli/zestril.yaml",
        ],
        None,
    );
    assert_eq!(rejected.code, 2);
    insta::assert_snapshot!(rejected.snapshot());
    let rx = r#"{"date":"2026-03-02","ndc":"68180051301","quantity":30,"days_supply":30,"patient":{"age":60,"sex":"M"}}"#;
    let paid = run(
        &[
            "check",
            "tests/cli/valid.formulary",
            "-",
            "--format",
            "json",
        ],
        Some(rx),
    );
    assert_eq!(paid.code, 0, "{}", paid.stderr);
    let v: serde_json::Value = serde_json::from_str(&paid.stdout).expect("json");
    assert_eq!(v["status"], "paid");
    assert_eq!(v["formulary"]["id"], "V-1");
    assert!(v["formulary"]["hash"]
        .as_str()
        .is_some_and(|h| h.starts_with("sha256:")));
}

#[test]
fn check_malformed_prescription_names_the_field() {
    let rx = r#"{"date":"2026-03-02","ndc":"68180051301","quantity":30,"days_supply":30,"patient":{"birth_date":"1960-13-01","sex":"M"}}"#;
    let r = run(&["check", "tests/cli/valid.formulary", "-"], Some(rx));
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("patient.birth_date: expected YYYY-MM-DD"),
        "{}",
        r.stderr
    );
}

#[test]
fn check_invalid_formulary_exits_3() {
    let r = run(
        &[
            "check",
            "tests/cli/invalid.formulary",
            "tests/cli/zestril.yaml",
        ],
        None,
    );
    assert_eq!(r.code, 3);
    assert!(r.stderr.contains("E0203"), "{}", r.stderr);
}

#[test]
fn batch_keeps_order_and_reports_bad_lines() {
    let r = run(
        &[
            "check",
            "tests/cli/valid.formulary",
            "--batch",
            "tests/cli/batch.ndjson",
        ],
        None,
    );
    assert_eq!(r.code, 1, "one line is malformed");
    let lines: Vec<serde_json::Value> = r
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[0]["status"], "paid");
    assert_eq!(lines[1]["status"], "rejected");
    assert_eq!(lines[2]["line"], 3);
    assert!(lines[2]["error"]
        .as_str()
        .unwrap_or_default()
        .starts_with("history[0].date"));
    assert_eq!(lines[3]["rejects"][0]["code"], "MR");
    assert!(r.stderr.contains("line 3:"), "{}", r.stderr);
}

#[test]
fn test_command_passes_and_fails() {
    let ok = run(&["test", "tests/cli/valid.formulary"], None);
    assert_eq!(ok.code, 0, "{}", ok.stdout);
    assert!(ok.stdout.ends_with("2 passed, 0 failed\n"), "{}", ok.stdout);
    let bad = run(
        &[
            "test",
            "tests/cli/valid.formulary",
            "--cases",
            "tests/cli/failing.tests.yaml",
        ],
        None,
    );
    assert_eq!(bad.code, 2);
    insta::assert_snapshot!(bad.stdout);
}

#[test]
fn test_snapshots_report_changed_decisions() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path().to_str().expect("utf-8 path");
    let first = run(
        &["test", "tests/cli/valid.formulary", "--snapshot", d],
        None,
    );
    assert_eq!(first.code, 0, "{}", first.stdout);
    assert!(first.stdout.contains("NEW "));
    let again = run(
        &["test", "tests/cli/valid.formulary", "--snapshot", d],
        None,
    );
    assert_eq!(again.code, 0);
    assert!(!again.stdout.contains("CHANGED"));
    // Edit a recorded decision: the next run reports it as changed, --accept restores it.
    let file = dir.path().join("generic-pays-at-tier-1.yaml");
    let text = std::fs::read_to_string(&file).expect("snapshot written");
    std::fs::write(&file, text.replace("status: paid", "status: rejected")).expect("write");
    let changed = run(
        &["test", "tests/cli/valid.formulary", "--snapshot", d],
        None,
    );
    assert_eq!(changed.code, 2);
    assert!(
        changed.stdout.contains("CHANGED  generic pays at tier 1"),
        "{}",
        changed.stdout
    );
    let accepted = run(
        &[
            "test",
            "tests/cli/valid.formulary",
            "--snapshot",
            d,
            "--accept",
        ],
        None,
    );
    assert_eq!(accepted.code, 0);
    assert!(std::fs::read_to_string(&file)
        .expect("read")
        .contains("status: paid"));
}

#[test]
fn shipped_proposal_diff_over_the_sample_claims() {
    let r = run(
        &[
            "diff",
            "formularies/acme/acme.formulary",
            "formularies/acme-proposal/acme.formulary",
            "--root",
            "formularies",
            "--claims",
            "formularies/claims/acme-claims.ndjson",
            "--format",
            "markdown",
        ],
        None,
    );
    assert_eq!(r.code, 2, "changes found: {}", r.stderr);
    insta::assert_snapshot!(r.stdout);
}

#[test]
fn a_closed_output_pipe_ends_quietly() {
    use std::io::Read;
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_formulary"))
        // 380 kB of JSON, far more than a pipe holds, written with `print!`.
        .args(["export", "fhir", "formularies/acme/acme.formulary"])
        .current_dir(crate::support::root())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs");
    let mut first = [0u8; 64];
    child
        .stdout
        .take()
        .expect("stdout")
        .read_exact(&mut first)
        .expect("some output");
    // Dropping the read end closes the pipe while the command is still writing.
    let out = child.wait_with_output().expect("finishes");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(141), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn usage_errors_exit_1_and_help_and_version_exit_0() {
    // 2 means "rejected" to a script; a bad argument must not look like one.
    for args in [
        &["check"][..],
        &["check", "--no-such-flag", "x.formulary", "-"],
        &["no-such-command"],
        &[],
    ] {
        let r = run(args, None);
        assert_eq!(r.code, 1, "{args:?}: {}", r.stderr);
        assert!(!r.stderr.is_empty(), "{args:?} says why");
    }
    for args in [&["--help"][..], &["check", "--help"], &["--version"]] {
        let r = run(args, None);
        assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
        assert!(!r.stdout.is_empty(), "{args:?} prints to stdout");
    }
}
