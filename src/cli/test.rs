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
                eprintln!("error: {}: {e}", dir.display());
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

/// Compares or writes one file per case; returns how many changed.
fn snapshots(
    dir: &Path,
    results: &[crate::cases::CaseResult],
    accept: bool,
) -> std::io::Result<usize> {
    std::fs::create_dir_all(dir)?;
    let mut changed = 0;
    for r in results {
        let Some(d) = &r.decision else { continue };
        let path = dir.join(format!("{}.yaml", slug(&r.name)));
        let new = snapshot(&r.name, d);
        let old = std::fs::read_to_string(&path).ok();
        match old {
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
                    std::fs::write(&path, new)?;
                }
            }
            None => {
                println!("NEW      {} ({})", r.name, path.display());
                std::fs::write(&path, new)?;
            }
        }
    }
    if changed > 0 && accept {
        println!("{changed} snapshot(s) updated");
    } else if changed > 0 {
        println!("{changed} decision(s) changed; run again with --accept to record them");
    }
    Ok(changed)
}
