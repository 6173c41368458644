//! `formulary import cms FILE` and `formulary import fhir BUNDLE`: other
//! formats into formulary source, one file per formulary; `import rxnorm`
//! (in `import_rxnorm.rs`) writes a drug knowledge file instead.

use super::{EXIT_ERROR, EXIT_OK};
use crate::interop::plans::PlanInfo;
use crate::interop::source::Draft;
use crate::interop::{cms, fhir, Catalog};
use std::path::{Path, PathBuf};

/// Arguments of `import`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The format to read.
    #[command(subcommand)]
    from: From,
}

#[derive(Debug, clap::Subcommand)]
enum From {
    /// A CMS Part D basic drugs formulary file (pipe-delimited).
    Cms(CmsArgs),
    /// A FHIR US Drug Formulary bundle (JSON).
    Fhir(FhirArgs),
    /// An RxNorm release (RRF files) into a drug knowledge file.
    Rxnorm(super::import_rxnorm::RxnormArgs),
}

#[derive(Debug, clap::Args)]
struct CmsArgs {
    /// The basic drugs formulary file; `-` reads standard input.
    file: PathBuf,
    /// Write `DIR/<FORMULARY_ID>.formulary` for each formulary (needed when
    /// the file has more than one); without it, the one formulary goes to stdout.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Replace files in `--out` that are already there.
    #[arg(long)]
    force: bool,
    /// The CMS plan information file, to name each formulary after its plans.
    #[arg(long, value_name = "PLAN_INFO_FILE")]
    plans: Option<PathBuf>,
    /// A drug catalog (CSV), for product names.
    #[arg(long, value_name = "FILE.csv")]
    catalog: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
struct FhirArgs {
    /// The bundle; `-` reads standard input.
    bundle: PathBuf,
    /// Write `DIR/<id>.formulary` for each formulary in the bundle; without
    /// it, the one formulary goes to stdout.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Replace files in `--out` that are already there.
    #[arg(long)]
    force: bool,
}

pub(super) fn run(a: Args) -> i32 {
    match a.from {
        From::Cms(a) => run_cms(a),
        From::Fhir(a) => run_fhir(a),
        From::Rxnorm(a) => super::import_rxnorm::run(a),
    }
}

/// A file's bytes, or standard input's for `-`.
fn read(path: &Path) -> Result<Vec<u8>, i32> {
    let bytes = if path == Path::new("-") {
        let mut b = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut b).map(|_| b)
    } else {
        std::fs::read(path)
    };
    bytes.map_err(|e| {
        eprintln!("error: cannot read {}: {e}", path.display());
        EXIT_ERROR
    })
}

fn run_cms(a: CmsArgs) -> i32 {
    let plans = match &a.plans {
        Some(p) => match read(p).map(|b| PlanInfo::parse(&p.display().to_string(), &b)) {
            Ok(Ok(info)) => Some(info),
            Ok(Err(e)) => {
                eprintln!("error: {e}");
                return EXIT_ERROR;
            }
            Err(code) => return code,
        },
        None => None,
    };
    let catalog = match &a.catalog {
        Some(p) => match read_catalog(p) {
            Ok(c) => Some(c),
            Err(code) => return code,
        },
        None => None,
    };
    let bytes = match read(&a.file) {
        Ok(b) => b,
        Err(code) => return code,
    };
    let opts = cms::Options {
        plans: plans.as_ref(),
        catalog: catalog.as_ref(),
    };
    let basic = match cms::parse(&file_name(&a.file), &bytes) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_ERROR;
        }
    };
    // The rows are held apart from the file's text from here on.
    drop(bytes);
    let summary = format!(
        "{}: {} rows, {} formularies; skipped {} duplicate rows and {} blank lines",
        a.file.display(),
        basic.rows,
        basic.formularies(),
        basic.duplicates,
        basic.blank
    );
    let code = match &a.out {
        None => write_drafts(&basic.drafts(opts), None, false),
        Some(dir) => {
            if let Err(e) = std::fs::create_dir_all(dir) {
                eprintln!("error: cannot create {}: {e}", dir.display());
                return EXIT_ERROR;
            }
            // Each formulary is written as soon as it is drafted, so only a
            // few are held in memory at once.
            let failed = std::sync::Mutex::new(Vec::new());
            basic.draft_each(opts, |d| {
                if let Err(e) = write_one(dir, &d, a.force) {
                    failed.lock().unwrap_or_else(|p| p.into_inner()).push(e);
                }
            });
            report_failures(failed.into_inner().unwrap_or_else(|p| p.into_inner()))
        }
    };
    if code == EXIT_OK {
        eprintln!("{summary}");
    }
    code
}

fn run_fhir(a: FhirArgs) -> i32 {
    let text = match super::read_input(&a.bundle) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", a.bundle.display());
            return EXIT_ERROR;
        }
    };
    match fhir::import(&file_name(&a.bundle), &text) {
        Ok(drafts) => write_drafts(&drafts, a.out.as_deref(), a.force),
        Err(e) => {
            eprintln!("error: {e}");
            EXIT_ERROR
        }
    }
}

/// Reads and parses a catalog, reporting skipped rows on stderr.
pub(super) fn read_catalog(p: &Path) -> Result<Catalog, i32> {
    let text = std::fs::read_to_string(p).map_err(|e| {
        eprintln!("error: cannot read catalog {}: {e}", p.display());
        EXIT_ERROR
    })?;
    let c = Catalog::parse(&p.display().to_string(), &text).map_err(|e| {
        eprintln!("error: {e}");
        EXIT_ERROR
    })?;
    if c.skipped > 0 {
        eprintln!(
            "{}: skipped {} of {} rows ({})",
            p.display(),
            c.skipped,
            c.rows,
            c.skipped_examples.join("; ")
        );
    }
    Ok(c)
}

/// The file's name without its folder, so generated comments do not depend
/// on where the input was read from.
fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| p.display().to_string())
}

fn write_drafts(drafts: &[Draft], out: Option<&Path>, force: bool) -> i32 {
    let Some(dir) = out else {
        return match drafts {
            [one] => {
                print!("{}", one.write());
                EXIT_OK
            }
            _ => {
                eprintln!(
                    "error: the input holds {} formularies; give --out DIR to write one file each",
                    drafts.len()
                );
                EXIT_ERROR
            }
        };
    };
    if let Err(e) = std::fs::create_dir_all(dir) {
        eprintln!("error: cannot create {}: {e}", dir.display());
        return EXIT_ERROR;
    }
    let failed: Vec<String> = drafts
        .iter()
        .filter_map(|d| write_one(dir, d, force).err())
        .collect();
    report_failures(failed)
}

/// Writes `DIR/<id>.formulary`; one already there only with `force`.
fn write_one(dir: &Path, d: &Draft, force: bool) -> Result<(), String> {
    let plain = !d.id.is_empty()
        && !d.id.starts_with('.')
        && !d
            .id
            .chars()
            .any(|c| matches!(c, '/' | '\\') || c.is_control());
    if !plain {
        return Err(format!(
            "formulary id `{}` cannot be a file name",
            d.id.escape_default()
        ));
    }
    let path = dir.join(format!("{}.formulary", d.id));
    super::write_output(&path, d.write().as_bytes(), force)
}

fn report_failures(mut failed: Vec<String>) -> i32 {
    failed.sort();
    for f in &failed {
        eprintln!("error: {f}");
    }
    if failed.is_empty() {
        EXIT_OK
    } else {
        EXIT_ERROR
    }
}
