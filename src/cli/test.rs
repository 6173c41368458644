//! `formulary test FORMULARY`: runs the case file beside the formulary.

use super::{load_formulary, EXIT_ERROR, EXIT_OK, EXIT_REJECTED};
use crate::cases::{slug, snapshot, CaseFile};
use std::path::{Path, PathBuf};

/// Arguments of `test`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The formulary's main file; its cases are read from `NAME.tests.yaml` beside it.
    formulary: PathBuf,
    /// Where the formulary's files may be.
    #[command(flatten)]
    src: super::SourceArgs,
    /// A case file to use instead.
    #[arg(long, value_name = "FILE.yaml")]
    cases: Option<PathBuf>,
    /// Write each decision to DIR/CASE.yaml and report the cases whose decision changed.
    #[arg(long, value_name = "DIR")]
    snapshot: Option<PathBuf>,
    /// With --snapshot: update the files of changed cases.
    #[arg(long, requires = "snapshot")]
    accept: bool,
    /// A NADAC-layout price list (repeatable).
    #[arg(long, value_name = "FILE.csv")]
    prices: Vec<PathBuf>,
    /// A drug catalog mapping package NDCs to products (repeatable).
    #[arg(long, value_name = "FILE.csv")]
    catalog: Vec<PathBuf>,
}

/// The case file that goes with a formulary: `acme.formulary` → `acme.tests.yaml`.
pub fn case_file_for(formulary: &Path) -> PathBuf {
    let stem = formulary
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("formulary");
    formulary.with_file_name(format!("{stem}.tests.yaml"))
}

pub(super) fn run(a: Args) -> i32 {
    let f = match load_formulary(&a.formulary, &a.src, &a.prices, &a.catalog) {
        Ok(f) => f,
        Err(code) => return code,
    };
    let case_path = a
        .cases
        .clone()
        .unwrap_or_else(|| case_file_for(&a.formulary));
    let text = match std::fs::read_to_string(&case_path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", case_path.display());
            return EXIT_ERROR;
        }
    };
    let cases = match CaseFile::parse(&text) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {}: {e}", case_path.display());
            return EXIT_ERROR;
        }
    };
    if let Err(e) = same_formulary(&case_path, cases.formulary.as_deref(), &a.formulary) {
        eprintln!("error: {}: {e}", case_path.display());
        return EXIT_ERROR;
    }
    let results = cases.run(&f);
    let mut failed = 0;
    for r in &results {
        if r.passed() {
            println!("PASS  {}", r.name);
        } else {
            failed += 1;
            println!("FAIL  {}", r.name);
            for line in &r.failures {
                println!("      {}", line.replace('\n', "\n      "));
            }
        }
    }
    let mut changed = 0;
    if let Some(dir) = &a.snapshot {
        match snapshots(dir, &results, a.accept) {
            Ok(n) => changed = n,
            Err(e) => {
                eprintln!("error: snapshots in {}: {e}", dir.display());
                return EXIT_ERROR;
            }
        }
    }
    println!("{} passed, {} failed", results.len() - failed, failed);
    if failed > 0 || (changed > 0 && !a.accept) {
        EXIT_REJECTED
    } else {
        EXIT_OK
    }
}

/// The case file's `formulary:` key, when given, must name the formulary
/// being tested (relative to the case file).
fn same_formulary(case_path: &Path, named: Option<&str>, tested: &Path) -> Result<(), String> {
    let Some(named) = named else { return Ok(()) };
    let dir = case_path.parent().unwrap_or(Path::new(""));
    let want = dir.join(named);
    let same = match (std::fs::canonicalize(&want), std::fs::canonicalize(tested)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    if same {
        Ok(())
    } else {
        Err(format!(
            "its cases are for `{}` (the `formulary:` key), not {}",
            want.display(),
            tested.display()
        ))
    }
}

/// Compares or writes one file per case (`DIR/SLUG.yaml`); returns how
/// many changed, counting snapshots no case has any more. New files, and
/// with `accept` changed ones, are written all or nothing; stale ones are
/// removed with `accept`.
fn snapshots(
    dir: &Path,
    results: &[crate::cases::CaseResult],
    accept: bool,
) -> Result<usize, String> {
    let named = snapshot_names(results)?;
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let mut changed = 0;
    let mut writes = Vec::new();
    for (file, r, d) in &named {
        let path = dir.join(file);
        let new = snapshot(&r.name, d);
        match std::fs::read_to_string(&path).ok() {
            Some(old) if old == new => {}
            Some(old) => {
                changed += 1;
                println!("CHANGED  {} ({})", r.name, path.display());
                let diff = similar::TextDiff::from_lines(&old, &new);
                print!(
                    "{}",
                    diff.unified_diff()
                        .context_radius(2)
                        .header("recorded", "now")
                );
                if accept {
                    writes.push((path, new.into_bytes()));
                }
            }
            None => {
                println!("NEW      {} ({})", r.name, path.display());
                writes.push((path, new.into_bytes()));
            }
        }
    }
    let stale = stale_snapshots(dir, &named)?;
    for p in &stale {
        changed += 1;
        println!("STALE    {} (no case has this name)", p.display());
    }
    crate::io::write::write_set(&writes).map_err(|e| format!("nothing written: {e}"))?;
    if accept {
        for p in &stale {
            std::fs::remove_file(p).map_err(|e| format!("cannot remove {}: {e}", p.display()))?;
        }
    }
    if changed > 0 && accept {
        println!("{changed} snapshot(s) updated");
    } else if changed > 0 {
        println!("{changed} snapshot(s) changed or stale; run again with --accept to record them");
    }
    Ok(changed)
}

type Named<'r, 'f> = Vec<(
    String,
    &'r crate::cases::CaseResult<'f>,
    &'r crate::Decision<'f>,
)>;

/// Each case's snapshot file name; two cases with one name, or a name
/// without letters or digits, are an error.
fn snapshot_names<'r, 'f>(
    results: &'r [crate::cases::CaseResult<'f>],
) -> Result<Named<'r, 'f>, String> {
    let mut seen: std::collections::HashMap<String, &str> = Default::default();
    let mut out = Vec::new();
    for r in results {
        let Some(d) = &r.decision else { continue };
        let s = slug(&r.name);
        if s.is_empty() {
            return Err(format!(
                "case `{}` has no letters or digits in its name, which names its snapshot file",
                r.name.escape_debug()
            ));
        }
        if let Some(first) = seen.insert(s.clone(), &r.name) {
            return Err(format!(
                "cases `{first}` and `{}` would share the snapshot file {s}.yaml; rename one",
                r.name
            ));
        }
        out.push((format!("{s}.yaml"), r, d));
    }
    Ok(out)
}

/// Snapshot files in `dir` that no case names.
fn stale_snapshots(dir: &Path, named: &Named) -> Result<Vec<PathBuf>, String> {
    let wanted: std::collections::HashSet<&str> =
        named.iter().map(|(f, _, _)| f.as_str()).collect();
    let entries = std::fs::read_dir(dir).map_err(|e| e.to_string())?;
    let mut stale: Vec<PathBuf> = entries
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| n.ends_with(".yaml") && !n.starts_with('.') && !wanted.contains(n.as_str()))
        .map(|n| dir.join(n))
        .collect();
    stale.sort();
    Ok(stale)
}
