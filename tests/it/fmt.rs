//! `formulary fmt`: the layout of fixture files (snapshots), `--check`, exit
//! codes, and the properties that formatting is idempotent and never
//! changes what a formulary means (over every shipped file and over
//! generated formularies).

mod source_gen;

use crate::support::{rel, root, run};
use formulary::fmt::{format_source, semantic_dump};
use proptest::prelude::*;
use std::path::{Path, PathBuf};

#[test]
fn fixtures_format_to_their_snapshots() {
    insta::glob!("../fmt", "*.formulary", |path| {
        let text = std::fs::read_to_string(path).expect("fixture readable");
        let r = run(&["fmt", "-"], Some(&text));
        insta::assert_snapshot!(r.snapshot());
        if r.code == 0 {
            let again = run(&["fmt", "-"], Some(&r.stdout));
            assert_eq!(again.stdout, r.stdout, "{} is not idempotent", rel(path));
        }
    });
}

#[test]
fn check_prints_a_diff_and_exits_2() {
    let r = run(&["fmt", "--check", "tests/fmt/messy.formulary"], None);
    assert_eq!(r.code, 2, "{}", r.stderr);
    insta::assert_snapshot!(r.stdout);
}

#[test]
fn check_passes_a_formatted_file_and_rewrite_is_in_place() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("messy.formulary");
    std::fs::copy(root().join("tests/fmt/messy.formulary"), &file).expect("copied");
    let path = file.to_str().expect("utf-8 path");

    let rewrite = run(&["fmt", path], None);
    assert_eq!(rewrite.code, 0, "{}", rewrite.stderr);
    assert!(rewrite.stderr.contains("formatted"), "{}", rewrite.stderr);
    let written = std::fs::read_to_string(&file).expect("readable");
    let expected = run(
        &["fmt", "-"],
        Some(&std::fs::read_to_string(root().join("tests/fmt/messy.formulary")).expect("fixture")),
    );
    assert_eq!(written, expected.stdout);

    let check = run(&["fmt", "--check", path], None);
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);
    assert_eq!(check.stdout, "");
    // A folder means every formulary file under it.
    let folder = run(
        &["fmt", "--check", dir.path().to_str().expect("utf-8")],
        None,
    );
    assert_eq!(folder.code, 0, "{}", folder.stdout);
}

#[test]
fn a_file_with_syntax_errors_exits_3_and_is_never_rewritten() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("broken.formulary");
    let text =
        std::fs::read_to_string(root().join("tests/fmt/syntax-error.formulary")).expect("fixture");
    std::fs::write(&file, &text).expect("written");
    let good = dir.path().join("good.formulary");
    std::fs::write(&good, "tier 1 \"G\"   copay $5\n").expect("written");

    let r = run(
        &[
            "fmt",
            file.to_str().expect("utf-8"),
            good.to_str().expect("utf-8"),
        ],
        None,
    );
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(r.stderr.contains("formulary::E00"), "{}", r.stderr);
    assert_eq!(std::fs::read_to_string(&file).expect("readable"), text);
    // The other file is still formatted.
    assert_eq!(
        std::fs::read_to_string(&good).expect("readable"),
        "tier 1 \"G\" copay $5\n"
    );
}

#[test]
fn missing_file_exits_1() {
    let r = run(&["fmt", "tests/fmt/does-not-exist.formulary"], None);
    assert_eq!(r.code, 1);
}

// ---------------------------------------------------------------- properties

/// Every `.formulary` file under a folder.
fn formulary_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            formulary_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "formulary") {
            out.push(p);
        }
    }
}

/// Compiles a formulary from disk, each file passed through `map` first.
fn compile_mapped(
    main: &Path,
    mut map: impl FnMut(&str) -> String,
) -> Option<formulary::Formulary> {
    struct Mapped<F>(F);
    impl<F: FnMut(&str) -> String> formulary::compile::SourceReader for Mapped<F> {
        fn read(&mut self, p: &Path, _limit: u64) -> std::io::Result<Vec<u8>> {
            Ok((self.0)(&std::fs::read_to_string(p)?).into_bytes())
        }
        fn canonical(&mut self, p: &Path) -> std::io::Result<std::path::PathBuf> {
            std::fs::canonicalize(p)
        }
    }
    let opts = formulary::LoadOptions {
        allow_outside_root: true,
        read_references: false,
        ..Default::default()
    };
    let parsed = formulary::compile::load(main, &mut Mapped(&mut map), &opts).ok()?;
    formulary::compile::compile(parsed).formulary
}

#[test]
fn shipped_formularies_mean_the_same_after_formatting() {
    let mut files = Vec::new();
    formulary_files(&root().join("formularies"), &mut files);
    formulary_files(&root().join("tests"), &mut files);
    let mut compared = 0;
    for main in &files {
        let Some(before) = compile_mapped(main, str::to_string) else {
            continue;
        };
        // A file the formatter refuses is reported and left alone (tested above).
        let text = std::fs::read_to_string(main).expect("readable");
        if let Err(formulary::fmt::FormatError::WouldDrop { .. }) = format_source(&text) {
            continue;
        }
        let after = compile_mapped(main, |t| {
            let once = format_source(t).unwrap_or_else(|e| panic!("{}: {e}", rel(main)));
            let twice = format_source(&once).unwrap_or_else(|e| panic!("{}: {e}", rel(main)));
            assert_eq!(once, twice, "{}: formatting is not idempotent", rel(main));
            once
        })
        .unwrap_or_else(|| panic!("{} no longer compiles once formatted", rel(main)));
        similar_asserts(&semantic_dump(&before), &semantic_dump(&after), main);
        compared += 1;
    }
    assert!(
        compared >= 3,
        "only {compared} shipped formularies compiled"
    );
}

fn similar_asserts(before: &str, after: &str, what: &Path) {
    if before != after {
        let diff = similar::TextDiff::from_lines(before, after)
            .unified_diff()
            .to_string();
        panic!("{}: meaning changed by formatting:\n{diff}", rel(what));
    }
}

fn compile_text(src: &str) -> Result<formulary::Formulary, String> {
    let c = formulary::compile_str("gen.formulary", src);
    match c.formulary {
        Some(f) if !c.has_errors() => Ok(f),
        _ => Err(formulary::diagnostics::render_human(
            &c.diags, &c.sources, false, 100,
        )),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn generated_formularies_keep_their_meaning(src in source_gen::formulary()) {
        let before = compile_text(&src).map_err(|d| TestCaseError::fail(format!("{d}\n{src}")))?;
        let once = format_source(&src).map_err(|e| TestCaseError::fail(format!("{e}\n{src}")))?;
        let after = compile_text(&once).map_err(|d| TestCaseError::fail(format!("{d}\n{once}")))?;
        prop_assert_eq!(semantic_dump(&before), semantic_dump(&after), "{}\n---\n{}", src, once);
        let twice = format_source(&once).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(&twice, &once, "not idempotent:\n{}", src);
        for line in once.lines() {
            prop_assert!(!line.ends_with(' '), "trailing blank: {:?}", line);
        }
    }
}

/// Token soup: mostly nonsense, sometimes valid statements.
fn soup() -> impl Strategy<Value = String> {
    let tokens = prop::sample::select(vec![
        "ingredient",
        "product",
        "package",
        "class",
        "x",
        "y-1",
        "rxcui",
        "12",
        "tier",
        "1",
        "{",
        "}",
        "\"l\"",
        "\"a#b\"",
        "# c\n",
        "\n",
        " ",
        ",",
        "pa",
        "p",
        "prior",
        "authorization",
        "approve",
        "when",
        "diagnosis",
        "E11.*",
        "step",
        "therapy",
        "tried",
        "any",
        "of",
        "within",
        "days",
        "unless",
        "from",
        "2026-01-01",
        "until",
        "é",
        "\t",
        "$5",
        "40%",
        "copay",
        "coinsurance",
        "ndc",
        "0378-1025-77",
        "limit",
        "per",
        "day",
        "age",
        "18..",
        "effective",
        "to",
        "criteria",
        "duration",
        "new",
        "starts",
        "only",
        "then",
    ]);
    prop::collection::vec(tokens, 0..60).prop_map(|t| t.join(" "))
}

/// Texts checked by [`any_text_is_formatted_or_refused_never_mangled`].
const SOUPS: u32 = 512;

#[test]
fn any_text_is_formatted_or_refused_never_mangled() {
    use formulary::fmt::FormatError;
    use proptest::test_runner::TestRunner;
    let config = ProptestConfig {
        cases: SOUPS,
        ..ProptestConfig::default()
    };
    let formatted = std::cell::Cell::new(0u32);
    // A generated formulary, with a token soup spliced in at some line half the time.
    let texts = (
        source_gen::formulary(),
        soup(),
        any::<prop::sample::Index>(),
        any::<bool>(),
    )
        .prop_map(|(valid, soup, at, splice)| {
            if !splice {
                return valid;
            }
            let mut lines: Vec<&str> = valid.lines().collect();
            lines.insert(at.index(lines.len() + 1), &soup);
            lines.join("\n")
        });
    let result = TestRunner::new(config).run(&texts, |src| {
        match format_source(&src) {
            Ok(once) => {
                formatted.set(formatted.get() + 1);
                let twice = format_source(&once).map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert_eq!(twice, once);
            }
            Err(FormatError::Changed(why)) => {
                prop_assert!(false, "formatter bug ({}) on:\n{}", why, src);
            }
            // A refusal must be for a reason: a real syntax error, or a
            // repeated keyword the tree would drop.
            Err(FormatError::Syntax(d)) => {
                prop_assert!(
                    d.iter().any(|d| d.is_error()),
                    "refused without an error:\n{}",
                    src
                );
            }
            Err(FormatError::WouldDrop { keywords }) => {
                prop_assert!(!keywords.is_empty(), "refused dropping nothing:\n{}", src);
            }
        }
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    // Half the texts are valid formularies, some with a soup line that still
    // parses; if (almost) none were formatted, the test would check nothing.
    assert!(
        formatted.get() >= SOUPS / 4,
        "only {} of {SOUPS} soups were formatted",
        formatted.get()
    );
}

#[test]
fn a_syntax_error_next_to_non_ascii_text_is_reported_not_a_crash() {
    let r = run(&["fmt", "-"], Some("tier 1 \"Générique\" copay\né\n"));
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(r.stderr.contains("syntax error"), "{}", r.stderr);
}
