//! Loading: confinement to the root folder, each file read once, cycles
//! through symbolic links, size limits, reference files as diagnostics, and
//! a content hash that does not depend on where the files are.

use formulary::compile::{load, LoadOptions, MemoryReader, SourceReader};
use formulary::diagnostics::render_human;
use formulary::io::FsReader;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const HEADER: &str = "formulary \"T\" id T version 1 effective 2026-01-01 to 2026-12-31\n\
                      tier 1 \"Generic\" copay $5 preferred\n";
const PRICES: &str = "NDC,NADAC Per Unit,Effective Date,Pricing Unit\n";

/// Counts reads per path, around another reader.
struct Counting<R> {
    inner: R,
    reads: Vec<PathBuf>,
}

impl<R: SourceReader> SourceReader for Counting<R> {
    fn read(&mut self, path: &Path, limit: u64) -> std::io::Result<Vec<u8>> {
        self.reads.push(path.to_path_buf());
        self.inner.read(path, limit)
    }
    fn canonical(&mut self, path: &Path) -> std::io::Result<PathBuf> {
        self.inner.canonical(path)
    }
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(&p, text).unwrap();
    p
}

/// Compiles from disk; returns the codes and the rendered report.
fn compile_disk(main: &Path, opts: &LoadOptions) -> (Vec<String>, String, formulary::Compiled) {
    let parsed = load(main, &mut FsReader, opts).expect("main file readable");
    let c = formulary::compile(parsed);
    let codes = c.diags.iter().map(|d| d.code()).collect();
    let report = render_human(&c.diags, &c.sources, false, 100);
    (codes, report, c)
}

#[test]
fn paths_out_of_the_root_are_refused_with_a_span() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "secret.formulary",
        "tier 9 \"Outside\" copay $1\n",
    );
    write(dir.path(), "secret.csv", "csv-secret-line\n");
    let main = write(
        dir.path(),
        "root/main.formulary",
        &format!(
            "{HEADER}include \"../secret.formulary\"\ninclude \"/etc/passwd\"\nprices \"../secret.csv\"\ncatalog \"/etc/passwd\"\n"
        ),
    );
    let (codes, report, _) = compile_disk(&main, &LoadOptions::default());
    assert_eq!(codes, ["E0007", "E0007", "E0007", "E0007"], "{report}");
    assert!(!report.contains("root:x:0"), "{report}");
    assert!(report.contains("climbs out of the folder"), "{report}");
    assert!(report.contains("the path is absolute"), "{report}");
    assert!(report.contains("main.formulary:3:9"), "{report}");
    // Allowed explicitly, the files are read; of those that are not
    // formulary source nothing but the statement naming them is shown.
    let opts = LoadOptions {
        allow_outside_root: true,
        ..Default::default()
    };
    let (codes, report, c) = compile_disk(&main, &opts);
    assert_eq!(codes, ["E0008", "E0011", "E0011"], "{report}");
    assert!(!report.contains("root:x:0"), "{report}");
    assert!(!report.contains("csv-secret"), "{report}");
    assert_eq!(c.sources.iter().count(), 2);
}

#[cfg(unix)]
#[test]
fn a_symbolic_link_out_of_the_root_is_outside() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "outside.formulary",
        "tier 2 \"Brand\" copay $40\n",
    );
    let main = write(
        dir.path(),
        "root/main.formulary",
        &format!("{HEADER}include \"inside.formulary\"\n"),
    );
    std::os::unix::fs::symlink(
        dir.path().join("outside.formulary"),
        dir.path().join("root/inside.formulary"),
    )
    .unwrap();
    let (codes, report, _) = compile_disk(&main, &LoadOptions::default());
    assert_eq!(codes, ["E0007"], "{report}");
    assert!(report.contains("symbolic link leads out"), "{report}");
    // --root names a folder that holds both: allowed.
    let opts = LoadOptions {
        root: Some(dir.path().to_path_buf()),
        ..Default::default()
    };
    let (codes, report, _) = compile_disk(&main, &opts);
    assert!(codes.is_empty(), "{report}");
}

#[cfg(unix)]
#[test]
fn a_folder_symlink_loop_is_an_include_cycle_read_once() {
    let dir = tempfile::tempdir().unwrap();
    let main = write(
        dir.path(),
        "main.formulary",
        &format!("{HEADER}include \"sub/sub/main.formulary\"\ninclude \"sub/other.formulary\"\ninclude \"other.formulary\"\n"),
    );
    write(
        dir.path(),
        "other.formulary",
        "tier 2 \"Brand\" copay $40\n",
    );
    std::os::unix::fs::symlink(".", dir.path().join("sub")).unwrap();
    let mut reader = Counting {
        inner: FsReader,
        reads: Vec::new(),
    };
    let parsed = load(&main, &mut reader, &LoadOptions::default()).unwrap();
    let c = formulary::compile(parsed);
    let codes: Vec<String> = c.diags.iter().map(|d| d.code()).collect();
    assert_eq!(codes, ["E0003"], "{codes:?}");
    assert_eq!(reader.reads.len(), 2, "{:?}", reader.reads);
}

/// 30 levels, each file included twice by the one above: 2^30 paths, 31 files.
#[test]
fn exponential_includes_read_each_file_once() {
    let mut mem = MemoryReader::new();
    let levels = 30;
    mem.insert(
        "f0.formulary",
        format!("{HEADER}include \"f1.formulary\"\ninclude \"f1.formulary\"\n"),
    );
    for i in 1..levels {
        mem.insert(
            format!("f{i}.formulary"),
            format!(
                "include \"f{n}.formulary\"\ninclude \"f{n}.formulary\"\n",
                n = i + 1
            ),
        );
    }
    mem.insert(
        format!("f{levels}.formulary"),
        "tier 2 \"Brand\" copay $40\n",
    );
    let mut reader = Counting {
        inner: mem,
        reads: Vec::new(),
    };
    let t = Instant::now();
    let parsed = load(
        Path::new("f0.formulary"),
        &mut reader,
        &LoadOptions::default(),
    )
    .unwrap();
    let c = formulary::compile(parsed);
    assert!(t.elapsed() < Duration::from_secs(10), "{:?}", t.elapsed());
    assert_eq!(reader.reads.len(), levels + 1);
    assert!(c.diags.is_empty(), "{:?}", c.diags);
}

#[test]
fn a_diamond_include_is_fine() {
    let mut mem = MemoryReader::new();
    mem.insert(
        "m.formulary",
        format!("{HEADER}include \"a.formulary\"\ninclude \"b.formulary\"\n"),
    );
    mem.insert("a.formulary", "include \"shared.formulary\"\n");
    mem.insert("b.formulary", "include \"./shared.formulary\"\n");
    mem.insert("shared.formulary", "tier 2 \"Brand\" copay $40\n");
    let parsed = load(Path::new("m.formulary"), &mut mem, &LoadOptions::default()).unwrap();
    assert_eq!(parsed.files.len(), 4);
    let c = formulary::compile(parsed);
    assert!(c.diags.is_empty(), "{:?}", c.diags);
    assert_eq!(c.formulary.unwrap().tiers.len(), 2);
}

#[test]
fn size_limits_are_diagnostics() {
    let mut mem = MemoryReader::new();
    mem.insert(
        "m.formulary",
        format!("{HEADER}include \"big.formulary\"\nprices \"p.csv\"\n"),
    );
    mem.insert("big.formulary", "#".repeat(5000));
    mem.insert("p.csv", format!("{PRICES}{}", "x".repeat(5000)));
    let mut opts = LoadOptions::default();
    opts.limits.formulary = 4096;
    opts.limits.prices = 4096;
    let c = formulary::compile(load(Path::new("m.formulary"), &mut mem, &opts).unwrap());
    let codes: Vec<String> = c.diags.iter().map(|d| d.code()).collect();
    assert_eq!(codes, ["E0010", "E0010"]);
    let report = render_human(&c.diags, &c.sources, false, 100);
    assert!(
        report.contains("4096 bytes limit for a price list"),
        "{report}"
    );
    // The main file over its limit cannot be read at all.
    opts.limits.formulary = 10;
    let e = load(Path::new("m.formulary"), &mut mem, &opts).unwrap_err();
    assert!(e.to_string().contains("limit for a formulary file"), "{e}");
}

#[test]
fn reference_files_are_read_and_checked_at_load() {
    let mut mem = MemoryReader::new();
    mem.insert(
        "m.formulary",
        format!(
            "{HEADER}prices \"missing.csv\"\nprices \"junk.csv\"\nprices \"bad-rows.csv\"\nprices \"a.csv\"\nprices \"b.csv\"\n\
             product p rxcui 1 ndc 00378-1025-77 tier 1\nproduct q rxcui 2 ndc 00378-1025-78 tier 1\n"
        ),
    );
    mem.insert("junk.csv", "\u{1b}[2Jroot:x:0:0\n");
    mem.insert("bad-rows.csv", format!("{PRICES}123,1,01/01/2026,EA\n"));
    mem.insert("a.csv", format!("{PRICES}00378102577,0.5,01/01/2026,EA\n"));
    mem.insert("b.csv", format!("{PRICES}00378102578,2,01/01/2026,EA\n"));
    let c = formulary::compile(
        load(Path::new("m.formulary"), &mut mem, &LoadOptions::default()).unwrap(),
    );
    let codes: Vec<String> = c.diags.iter().map(|d| d.code()).collect();
    assert_eq!(codes, ["E0011", "E0011", "W0001"]);
    let report = render_human(&c.diags, &c.sources, false, 100);
    assert!(report.contains("missing.csv"), "{report}");
    assert!(!report.contains('\u{1b}'), "{report}");
    assert!(report.contains("line 2: NDC `123`"), "{report}");
    // Without the errors, both good lists are merged: each prices its NDC.
    mem.insert(
        "m.formulary",
        format!(
            "{HEADER}prices \"a.csv\"\nprices \"b.csv\"\n\
             product p rxcui 1 ndc 00378-1025-77 tier 1\nproduct q rxcui 2 ndc 00378-1025-78 tier 1\n"
        ),
    );
    let c = formulary::compile(
        load(Path::new("m.formulary"), &mut mem, &LoadOptions::default()).unwrap(),
    );
    let f = c.formulary.expect("compiles");
    let mut totals = Vec::new();
    for rxcui in [1, 2] {
        let rx = formulary::Prescription::from_str(&format!(
            r#"{{"date": "2026-03-01", "rxcui": {rxcui}, "quantity": 30, "days_supply": 30,
                "patient": {{"age": 70, "sex": "F"}}}}"#
        ))
        .unwrap();
        let cost = formulary::check(&f, &rx).cost.unwrap();
        totals.push(cost.total.expect("priced").0);
    }
    // $0.50 and $2 a unit, 30 units: the same fees on both.
    assert_eq!(totals[1] - totals[0], 4500, "{totals:?}");
}

#[test]
fn invalid_text_is_located_and_a_byte_order_mark_is_accepted() {
    let mut mem = MemoryReader::new();
    mem.insert("bom.formulary", format!("\u{feff}{HEADER}"));
    let c = formulary::compile(
        load(
            Path::new("bom.formulary"),
            &mut mem,
            &LoadOptions::default(),
        )
        .unwrap(),
    );
    assert!(c.diags.is_empty(), "{:?}", c.diags);
    let mut bytes = HEADER.as_bytes().to_vec();
    bytes.extend(b"tier 2 \"Br\xffnd\" copay $40\n");
    mem.insert("bad.formulary", bytes);
    let c = formulary::compile(
        load(
            Path::new("bad.formulary"),
            &mut mem,
            &LoadOptions::default(),
        )
        .unwrap(),
    );
    let report = render_human(&c.diags, &c.sources, false, 100);
    assert!(report.contains("E0009"), "{report}");
    assert!(
        report.contains("invalid UTF-8 at line 3, byte 11"),
        "{report}"
    );
}

/// The hash of a decision for the shipped Acme formulary, run from `cwd`.
fn hash_of(cwd: &Path, main: &str, extra: &[&str]) -> String {
    let rx = crate::support::root().join("formularies/acme/examples/lisinopril.json");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_formulary"))
        .arg("check")
        .arg(main)
        .arg(&rx)
        .args(["--format", "json"])
        .args(extra)
        .current_dir(cwd)
        .output()
        .expect("runs");
    let d: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&out.stderr)));
    d["formulary"]["hash"].as_str().expect("hash").to_string()
}

#[test]
fn the_hash_covers_content_not_location() {
    let root = crate::support::root();
    let acme = root.join("formularies/acme");
    let first = hash_of(&acme, "acme.formulary", &[]);
    assert_eq!(hash_of(&acme, "./acme.formulary", &[]), first);
    assert_eq!(
        hash_of(&root, "formularies/acme/acme.formulary", &[]),
        first
    );
    let abs = acme.join("acme.formulary").display().to_string();
    assert_eq!(hash_of(Path::new("/"), &abs, &[]), first);
    // A copy elsewhere hashes the same; a changed price does not.
    let copy = tempfile::tempdir().unwrap();
    for e in std::fs::read_dir(&acme).unwrap().flatten() {
        if e.path().is_file() {
            std::fs::copy(e.path(), copy.path().join(e.file_name())).unwrap();
        }
    }
    assert_eq!(hash_of(copy.path(), "acme.formulary", &[]), first);
    let prices = copy.path().join("sample-nadac-prices.csv");
    let text = std::fs::read_to_string(&prices).unwrap();
    let changed = text.replacen(",0.", ",1.", 1);
    assert_ne!(changed, text);
    std::fs::write(&prices, changed).unwrap();
    assert_ne!(hash_of(copy.path(), "acme.formulary", &[]), first);
    // A price list given on the command line counts too.
    let given = hash_of(
        &acme,
        "acme.formulary",
        &["--prices", prices.to_str().unwrap()],
    );
    assert_ne!(given, first);
}

#[test]
fn validate_opens_declared_reference_files() {
    let dir = tempfile::tempdir().unwrap();
    let main = write(
        dir.path(),
        "m.formulary",
        &format!("{HEADER}prices \"nowhere.csv\"\n"),
    );
    let r = crate::support::run(&["validate", main.to_str().unwrap()], None);
    assert_eq!(r.code, 3, "{}", r.snapshot());
    assert!(r.stderr.contains("E0011"), "{}", r.stderr);
    // A device is refused (absolute, then not a regular file) without reading it.
    write(
        dir.path(),
        "m.formulary",
        &format!("{HEADER}prices \"/dev/zero\"\n"),
    );
    let t = Instant::now();
    let r = crate::support::run(&["validate", main.to_str().unwrap()], None);
    assert!(r.stderr.contains("E0007"), "{}", r.stderr);
    let r = crate::support::run(
        &["validate", main.to_str().unwrap(), "--allow-outside-root"],
        None,
    );
    assert!(r.stderr.contains("not a regular file"), "{}", r.stderr);
    assert!(t.elapsed() < Duration::from_secs(10));
}
