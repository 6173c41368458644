//! `check --batch` and `diff --claims` on hostile input: a folder, blank,
//! non-UTF-8, huge and nested lines; each run bounded in time.

use crate::support::root;
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const RX: &str = r#"{"date":"2026-03-02","ndc":"68180-0513-01","quantity":30,"days_supply":30,"patient":{"age":60,"sex":"M"}}"#;

/// Runs the binary with `stdin` and kills it after 60 s: returns (exit
/// code, stdout, stderr).
fn run_bounded(args: &[&str], stdin: &[u8]) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_formulary"))
        .args(args)
        .current_dir(root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs");
    let mut input = child.stdin.take().expect("stdin");
    let bytes = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&bytes);
    });
    let start = Instant::now();
    let (tx, rx) = std::sync::mpsc::channel();
    let id = child.id();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    let out = match rx.recv_timeout(Duration::from_secs(60)) {
        Ok(out) => out.expect("output"),
        Err(_) => {
            let _ = Command::new("kill").arg("-9").arg(id.to_string()).status();
            panic!("{args:?} did not finish in {:?}", start.elapsed());
        }
    };
    let _ = writer.join();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_folder_as_batch_input_ends_with_one_message() {
    let (code, stdout, stderr) = run_bounded(
        &["check", "tests/cli/valid.formulary", "--batch", "tests"],
        b"",
    );
    assert_eq!(code, 1);
    assert!(stdout.is_empty(), "{stdout}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("cannot read"), "{stderr}");
}

#[test]
fn batch_lines_are_numbered_and_bad_ones_do_not_stop_the_rest() {
    let mut input = Vec::new();
    input.extend(format!("{RX}\n\n   \n").bytes());
    input.extend(b"{\"date\": \"2026-03-02\xff\"}\n");
    input.extend(format!("junk{}\n", "\u{1b}[2J".repeat(400_000)).bytes());
    input.extend(b"date: 2026-03-02\n");
    input.extend(format!("{}{}\n", "[".repeat(100_000), "]".repeat(100_000)).bytes());
    input.extend(format!("{RX}\n").bytes());
    let (code, stdout, stderr) = run_bounded(
        &["check", "tests/cli/valid.formulary", "--batch", "-"],
        &input,
    );
    assert_eq!(code, 1, "{stderr}");
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    let numbers: Vec<u64> = lines.iter().map(|l| l["line"].as_u64().unwrap()).collect();
    assert_eq!(numbers, [1, 4, 5, 6, 7, 8]);
    assert_eq!(lines[0]["status"], "paid");
    assert_eq!(lines[5]["status"], "paid");
    assert!(lines[1]["error"].as_str().unwrap().contains("not UTF-8"));
    assert!(lines[2]["error"].as_str().unwrap().contains("limit"));
    // YAML is for single files only; nesting is refused before parsing.
    assert!(lines[3]["error"].is_string(), "{}", lines[3]);
    assert!(lines[4]["error"].is_string(), "{}", lines[4]);
    assert!(stdout.len() < 10_000, "{} bytes of output", stdout.len());
    assert!(stderr.len() < 10_000, "{} bytes of errors", stderr.len());
    assert!(!stderr.contains('\u{1b}'));
    assert!(stderr.contains("skipped 2 blank line(s)"), "{stderr}");
}

#[test]
fn a_deeply_nested_yaml_prescription_is_refused_quickly() {
    let text = format!("history: {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
    let t = Instant::now();
    let (code, _, stderr) = run_bounded(
        &["check", "tests/cli/valid.formulary", "-"],
        text.as_bytes(),
    );
    assert_eq!(code, 1);
    assert!(stderr.contains("nested more than 32 deep"), "{stderr}");
    assert!(t.elapsed() < Duration::from_secs(20));
}

#[test]
fn diff_claims_reports_a_non_utf8_line_and_carries_on() {
    let mut input = format!("{RX}\n").into_bytes();
    input.extend(b"\xff\xfe\n");
    input.extend(format!("{RX}\n").bytes());
    let (code, stdout, stderr) = run_bounded(
        &[
            "diff",
            "tests/cli/valid.formulary",
            "tests/cli/valid.formulary",
            "--claims",
            "-",
            "--format",
            "json",
        ],
        &input,
    );
    assert_eq!(code, 1, "{stderr}");
    let v: serde_json::Value = serde_json::from_str(&stdout).expect("json report");
    assert_eq!(v["claims"]["claims"], 3, "{v}");
    assert_eq!(v["claims"]["unreadable"], 1);
    assert_eq!(v["claims"]["unreadable_examples"][0]["line"], 2);
    assert!(stderr.contains("first at line 2"), "{stderr}");
}
