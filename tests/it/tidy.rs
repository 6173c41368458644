//! Tidy: the architecture invariants that reading the source can check
//! (see ARCHITECTURE.md, each "Architecture invariant:" line), in the manner
//! of rust-analyzer's tidy test. A failure names the file and line to fix.

use crate::support::root;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Longest file, in lines.
const MAX_FILE_LINES: usize = 600;
/// Longest function, in lines from `fn` to its closing brace.
const MAX_FN_LINES: usize = 80;

/// Files allowed to be longer than [`MAX_FILE_LINES`], with the reason.
const LONG_FILES: &[(&str, &str)] = &[
    (
        "src/diagnostics/kinds.rs",
        "one enum with a variant per diagnostic code (message, labels, help): one enum is one file",
    ),
    (
        "tests/it/fmt/source_gen.rs",
        "test data: one generator strategy per statement kind of the language",
    ),
    (
        "tests/it/interop.rs",
        "one test per importer and exporter case, sharing fixtures; to be split by format",
    ),
    (
        "src/syntax/lower.rs",
        "one lowering function per grammar rule, in grammar order; to be split with the grammar",
    ),
];

/// Functions allowed to be longer than [`MAX_FN_LINES`]: the debt as it
/// stands, listed so that it can only shrink (an entry that is no longer
/// long fails the test and must be removed).
const LONG_FNS: &[&str] = &[
    "src/cases.rs::compare",
    "src/check/eval/limits.rs::limit_edit",
    "src/check/eval/step.rs::step_edit",
    "src/check/mod.rs::check",
    "src/check/mod.rs::transition",
    "src/check/render.rs::render_human",
    "src/compile/build/declare.rs::declare",
    "src/compile/build/drugs.rs::drug",
    "src/compile/build/mod.rs::build",
    "src/compile/build/rules.rs::rule_clauses",
    "src/compile/build/rules.rs::step",
    "src/compile/resolve.rs::candidates",
    "src/compile/resolve.rs::resolve",
    "src/compile/resolve.rs::resolve_drug",
    "src/diff/generate.rs::claim",
    "src/diff/report.rs::render_markdown",
    "src/fmt/print.rs::leaf",
    "src/interop/catalog.rs::parse",
    "src/interop/cms/draft.rs::write",
    "src/interop/cms/mod.rs::parse",
    "src/interop/fhir/export.rs::export",
    "src/interop/fhir/import.rs::draft",
    "src/interop/fhir/import.rs::item_draft",
    "src/report/graph.rs::edges",
    "src/syntax/errors.rs::readable_rule",
    "tests/it/fmt/source_gen.rs::render",
];

/// Where the library may touch the file system: the command line and the
/// file-system reader it passes to the loader (and, when added, a service).
/// Everything else takes text or a reader.
// The language server reads the files of the workspace an editor opens.
const FS_ALLOWED: &[&str] = &["src/cli/", "src/io/", "src/lsp/workspace.rs"];

struct Source {
    path: String,
    text: String,
}

impl Source {
    /// Lines that are code, numbered from 1: comments and doc lines left out.
    fn code_lines(&self) -> impl Iterator<Item = (usize, &str)> {
        self.text
            .lines()
            .enumerate()
            .map(|(i, l)| (i + 1, l))
            .filter(|(_, l)| !l.trim_start().starts_with("//"))
    }
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// Every Rust file of the crate, its tests, benchmarks, examples and fuzz targets.
fn sources() -> Vec<Source> {
    let root = root();
    let mut paths = Vec::new();
    for dir in ["src", "tests", "benches", "examples", "fuzz/fuzz_targets"] {
        rust_files(&root.join(dir), &mut paths);
    }
    paths.sort();
    paths
        .into_iter()
        .map(|p| Source {
            path: p
                .strip_prefix(&root)
                .unwrap_or(&p)
                .to_string_lossy()
                .replace('\\', "/"),
            text: std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display())),
        })
        .collect()
}

fn library() -> Vec<Source> {
    sources()
        .into_iter()
        .filter(|s| s.path.starts_with("src/"))
        .collect()
}

#[test]
fn only_syntax_imports_pest() {
    let mut bad = Vec::new();
    for s in library()
        .iter()
        .filter(|s| !s.path.starts_with("src/syntax/"))
    {
        for (n, line) in s.code_lines() {
            if line.contains("pest::") || line.contains("pest_derive") || line.contains("use pest")
            {
                bad.push(format!("{}:{n}: {}", s.path, line.trim()));
            }
        }
    }
    assert!(
        bad.is_empty(),
        "pest outside src/syntax/:\n{}",
        bad.join("\n")
    );
}

#[test]
fn only_the_command_line_touches_the_file_system() {
    const IO: [&str; 6] = [
        "std::fs",
        "fs::",
        "File::open",
        "File::create",
        "OpenOptions",
        "read_dir",
    ];
    let mut bad = Vec::new();
    for s in library() {
        if FS_ALLOWED.iter().any(|a| s.path.starts_with(a)) {
            continue;
        }
        for (n, line) in s.code_lines() {
            if IO.iter().any(|w| line.contains(w)) {
                bad.push(format!("{}:{n}: {}", s.path, line.trim()));
            }
        }
    }
    assert!(
        bad.is_empty(),
        "file system access outside {FS_ALLOWED:?}; take text or a reader instead:\n{}",
        bad.join("\n")
    );
}

#[test]
fn every_file_opens_with_a_module_doc_line() {
    let bad: Vec<String> = sources()
        .into_iter()
        .filter(|s| !s.text.starts_with("//!"))
        .map(|s| s.path)
        .collect();
    assert!(
        bad.is_empty(),
        "files without a `//!` first line:\n{}",
        bad.join("\n")
    );
}

#[test]
fn no_file_is_longer_than_the_limit() {
    let mut bad = Vec::new();
    let mut long = BTreeSet::new();
    for s in sources() {
        let lines = s.text.lines().count();
        if lines > MAX_FILE_LINES {
            long.insert(s.path.clone());
            if !LONG_FILES.iter().any(|(p, _)| *p == s.path) {
                bad.push(format!("{}: {lines} lines", s.path));
            }
        }
    }
    for (p, _) in LONG_FILES {
        assert!(
            long.contains(*p),
            "{p} is allowed to be long but is not: remove it from LONG_FILES"
        );
    }
    assert!(
        bad.is_empty(),
        "files over {MAX_FILE_LINES} lines (split them by responsibility):\n{}",
        bad.join("\n")
    );
}

/// Functions of a file with their length: from a line declaring `fn` to the
/// line holding only the closing brace at the same indentation (the layout
/// rustfmt gives every function body).
fn functions(s: &Source) -> Vec<(String, usize, usize)> {
    let lines: Vec<&str> = s.text.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let Some(name) = fn_name(line) else { continue };
        // A declaration, or a function whose body closes on its own line.
        if line.trim_end().ends_with(';') || line.trim_end().ends_with('}') {
            continue;
        }
        let indent = &line[..line.len() - line.trim_start().len()];
        let close = format!("{indent}}}");
        if let Some(end) = lines[i + 1..].iter().position(|l| *l == close) {
            out.push((name, i + 1, end + 2));
        }
    }
    out
}

/// The name declared by a line such as `    pub(crate) fn name<T>(`.
fn fn_name(line: &str) -> Option<String> {
    let mut rest = line.trim_start();
    if rest.starts_with("//") {
        return None;
    }
    for prefix in ["pub ", "const ", "async ", "unsafe ", "extern \"C\" "] {
        rest = rest.strip_prefix(prefix).unwrap_or(rest);
    }
    if let Some(r) = rest.strip_prefix("pub(") {
        rest = r.split_once(") ")?.1;
    }
    rest = rest.strip_prefix("const ").unwrap_or(rest);
    let name: String = rest
        .strip_prefix("fn ")?
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    (!name.is_empty()).then_some(name)
}

#[test]
fn no_function_is_longer_than_the_limit() {
    let mut bad = Vec::new();
    let mut long = BTreeSet::new();
    for s in sources() {
        for (name, line, len) in functions(&s) {
            if len <= MAX_FN_LINES {
                continue;
            }
            let key = format!("{}::{name}", s.path);
            if !LONG_FNS.contains(&key.as_str()) {
                bad.push(format!("{}:{line}: fn {name} has {len} lines", s.path));
            }
            long.insert(key);
        }
    }
    for key in LONG_FNS {
        assert!(
            long.contains(*key),
            "{key} is no longer long: remove it from LONG_FNS"
        );
    }
    assert!(
        bad.is_empty(),
        "functions over {MAX_FN_LINES} lines (split them):\n{}",
        bad.join("\n")
    );
}

#[test]
fn the_function_scanner_finds_functions_and_their_length() {
    let s = Source {
        path: "x.rs".into(),
        text: "fn a() {\n    1;\n}\n    pub(crate) fn b<T>(x: T)\n    where T: Copy,\n    {\n    }\nfn c();\n".into(),
    };
    let found: Vec<(String, usize, usize)> = functions(&s);
    assert_eq!(found, [("a".into(), 1, 3), ("b".into(), 4, 4)]);
}

/// Codes declared by the diagnostics (`code(formulary::E0101)`).
fn declared_codes() -> BTreeSet<String> {
    let mut codes = BTreeSet::new();
    for s in library()
        .iter()
        .filter(|s| s.path.starts_with("src/diagnostics/"))
    {
        for (_, line) in s.code_lines() {
            let mut rest = line;
            while let Some(at) = rest.find("code(formulary::") {
                rest = &rest[at + "code(formulary::".len()..];
                let code: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric())
                    .collect();
                codes.insert(code);
            }
        }
    }
    codes
}

/// Codes with a section in docs/diagnostics.md (`## E0101 malformed NDC`).
fn documented_codes() -> BTreeSet<String> {
    let docs =
        std::fs::read_to_string(root().join("docs/diagnostics.md")).expect("docs/diagnostics.md");
    docs.lines()
        .filter_map(|l| l.strip_prefix("## "))
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_string)
        .collect()
}

#[test]
fn every_diagnostic_code_is_documented_and_every_documented_code_exists() {
    let declared = declared_codes();
    let documented = documented_codes();
    assert!(
        declared.len() >= 30,
        "found only {} codes: is the scan broken?",
        declared.len()
    );
    let undocumented: Vec<&String> = declared.difference(&documented).collect();
    let unknown: Vec<&String> = documented.difference(&declared).collect();
    assert!(
        undocumented.is_empty(),
        "codes without a section in docs/diagnostics.md: {undocumented:?}"
    );
    assert!(
        unknown.is_empty(),
        "docs/diagnostics.md documents codes that do not exist: {unknown:?}"
    );
}

#[test]
fn every_diagnostic_code_has_a_fixture() {
    // These need files beside the formulary (or bytes that are not text);
    // tests/it/load.rs and the CLI tests cover each.
    const WITHOUT_FIXTURE: [&str; 7] = [
        "E0002", "E0007", "E0008", "E0009", "E0010", "E0011", "W0001",
    ];
    let fixtures: Vec<String> = std::fs::read_dir(root().join("tests/diagnostics"))
        .expect("fixtures folder")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .collect();
    let missing: Vec<String> = declared_codes()
        .into_iter()
        .filter(|c| !WITHOUT_FIXTURE.contains(&c.as_str()))
        .filter(|c| !fixtures.iter().any(|f| f.starts_with(&format!("{c}-"))))
        .collect();
    assert!(
        missing.is_empty(),
        "codes without tests/diagnostics/CODE-what.formulary: {missing:?}"
    );
}
