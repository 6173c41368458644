//! Writing: `fmt` through planted and real symbolic links, snapshot sets
//! with colliding, empty and stale names, and outputs that are not
//! overwritten without `--force`.

use crate::support::{root, run};
use std::path::Path;

const UNFORMATTED: &str = "formulary \"T\" id T version 1 effective 2026-01-01 to 2026-12-31\n\
                           tier 1   \"Generic\"    copay $5 preferred\n";

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[cfg(unix)]
#[test]
fn fmt_never_writes_through_a_planted_link() {
    let dir = tempfile::tempdir().unwrap();
    let victim = dir.path().join("victim.txt");
    std::fs::write(&victim, "keep me\n").unwrap();
    let main = dir.path().join("m3.formulary");
    std::fs::write(&main, UNFORMATTED).unwrap();
    // The temporary name the formatter used to use, planted in advance.
    std::os::unix::fs::symlink(&victim, dir.path().join("m3.formulary.fmt-tmp")).unwrap();
    let r = run(&["fmt", main.to_str().unwrap()], None);
    assert_eq!(r.code, 0, "{}", r.snapshot());
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me\n");
    let meta = std::fs::symlink_metadata(&main).unwrap();
    assert!(meta.file_type().is_file());
    let text = std::fs::read_to_string(&main).unwrap();
    assert_ne!(text, UNFORMATTED);
    assert!(text.contains("tier 1 \"Generic\""), "{text}");
    // No temporary is left behind.
    assert_eq!(
        names(dir.path()),
        ["m3.formulary", "m3.formulary.fmt-tmp", "victim.txt"]
    );
}

#[cfg(unix)]
#[test]
fn fmt_formats_the_file_a_link_points_to_and_keeps_the_link() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("real")).unwrap();
    let target = dir.path().join("real/t.formulary");
    std::fs::write(&target, UNFORMATTED).unwrap();
    let link = dir.path().join("t.formulary");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let r = run(&["fmt", link.to_str().unwrap()], None);
    assert_eq!(r.code, 0, "{}", r.snapshot());
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_ne!(std::fs::read_to_string(&target).unwrap(), UNFORMATTED);
    assert_eq!(names(&dir.path().join("real")), ["t.formulary"]);
}

/// A copy of tests/cli/valid.formulary with `cases` as its case file.
fn case_dir(cases: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(root().join("tests/cli/valid.formulary")).unwrap();
    std::fs::write(dir.path().join("valid.formulary"), text).unwrap();
    std::fs::write(dir.path().join("valid.tests.yaml"), cases).unwrap();
    dir
}

const CASE: &str = "prescription: { date: 2026-03-02, ndc: \"68180-0513-01\", quantity: 30, days_supply: 30, patient: { age: 60, sex: M } }\n    expect: { status: paid }\n";

fn test_run(dir: &Path, accept: bool) -> crate::support::Run {
    let main = dir.join("valid.formulary");
    let snaps = dir.join("snaps");
    let mut args = vec![
        "test",
        main.to_str().unwrap(),
        "--snapshot",
        snaps.to_str().unwrap(),
    ];
    if accept {
        args.push("--accept");
    }
    run(&args, None)
}

#[test]
fn colliding_and_empty_case_names_are_errors_and_nothing_is_written() {
    let dir = case_dir(&format!(
        "cases:\n  - name: Lisinopril pays\n    {CASE}  - name: lisinopril-pays\n    {CASE}"
    ));
    let r = test_run(dir.path(), true);
    assert_eq!(r.code, 1, "{}", r.snapshot());
    assert!(
        r.stderr.contains("`Lisinopril pays` and `lisinopril-pays`"),
        "{}",
        r.stderr
    );
    assert!(!dir.path().join("snaps/lisinopril-pays.yaml").exists());
    let dir = case_dir(&format!("cases:\n  - name: \"--\"\n    {CASE}"));
    let r = test_run(dir.path(), true);
    assert_eq!(r.code, 1, "{}", r.snapshot());
    assert!(r.stderr.contains("no letters or digits"), "{}", r.stderr);
}

#[test]
fn a_renamed_case_leaves_a_stale_snapshot_reported_then_removed() {
    let dir = case_dir(&format!("cases:\n  - name: old name\n    {CASE}"));
    assert_eq!(test_run(dir.path(), false).code, 0);
    std::fs::write(
        dir.path().join("valid.tests.yaml"),
        format!("cases:\n  - name: new name\n    {CASE}"),
    )
    .unwrap();
    let r = test_run(dir.path(), false);
    assert_eq!(r.code, 2, "{}", r.snapshot());
    assert!(r.stdout.contains("STALE"), "{}", r.stdout);
    assert_eq!(
        names(&dir.path().join("snaps")),
        ["new-name.yaml", "old-name.yaml"]
    );
    let r = test_run(dir.path(), true);
    assert_eq!(r.code, 0, "{}", r.snapshot());
    assert_eq!(names(&dir.path().join("snaps")), ["new-name.yaml"]);
}

#[test]
fn outputs_are_not_overwritten_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("list.md");
    std::fs::write(&out, "edited by hand\n").unwrap();
    let args = [
        "render",
        "tests/cli/valid.formulary",
        "--format",
        "markdown",
        "--out",
        out.to_str().unwrap(),
    ];
    let r = run(&args, None);
    assert_eq!(r.code, 1, "{}", r.snapshot());
    assert!(r.stderr.contains("--force"), "{}", r.stderr);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "edited by hand\n");
    let mut forced = args.to_vec();
    forced.push("--force");
    let r = run(&forced, None);
    assert_eq!(r.code, 0, "{}", r.snapshot());
    assert_ne!(std::fs::read_to_string(&out).unwrap(), "edited by hand\n");
    // An import into a folder: the second run refuses the file the first wrote.
    let bundle = dir.path().join("bundle.json");
    let export = run(&["export", "fhir", "tests/cli/valid.formulary"], None);
    assert_eq!(export.code, 0, "{}", export.snapshot());
    std::fs::write(&bundle, export.stdout).unwrap();
    let into = dir.path().join("imported");
    let import = |force: bool| {
        let mut a = vec![
            "import",
            "fhir",
            bundle.to_str().unwrap(),
            "--out",
            into.to_str().unwrap(),
        ];
        if force {
            a.push("--force");
        }
        run(&a, None)
    };
    assert_eq!(import(false).code, 0);
    let again = import(false);
    assert_eq!(again.code, 1, "{}", again.snapshot());
    assert!(again.stderr.contains("not overwriting"), "{}", again.stderr);
    assert_eq!(import(true).code, 0);
}
