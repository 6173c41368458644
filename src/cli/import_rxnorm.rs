//! `formulary import rxnorm DIR`: an RxNorm release (RXNCONSO.RRF,
//! RXNREL.RRF, RXNSAT.RRF) into a drug knowledge file, streamed from disk
//! and written through a temporary file renamed into place, so a reader
//! never sees half a file.

use super::{EXIT_ERROR, EXIT_OK};
use crate::rxnorm::{self, Release};
use std::fs::File;
use std::io::{BufReader, Write};
use std::path::{Path, PathBuf};

/// Arguments of `import rxnorm`.
#[derive(Debug, clap::Args)]
pub struct RxnormArgs {
    /// The release folder holding RXNCONSO.RRF, RXNREL.RRF and RXNSAT.RRF
    /// (the full monthly release's `rrf/` folder, or the Current Prescribable
    /// Content subset's).
    dir: PathBuf,
    /// Write the drug knowledge file here; without it, it goes to stdout.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

pub(super) fn run(a: RxnormArgs) -> i32 {
    let open = |name: &str| -> Result<(BufReader<File>, String), i32> {
        let path = a.dir.join(name);
        match File::open(&path) {
            Ok(f) => Ok((
                BufReader::with_capacity(1 << 20, f),
                path.display().to_string(),
            )),
            Err(e) => {
                eprintln!("error: cannot read {}: {e}", path.display());
                Err(EXIT_ERROR)
            }
        }
    };
    let release = match (open("RXNCONSO.RRF"), open("RXNREL.RRF"), open("RXNSAT.RRF")) {
        (Ok(conso), Ok(rel), Ok(sat)) => Release { conso, rel, sat },
        _ => return EXIT_ERROR,
    };
    let (knowledge, stats) = match rxnorm::import(release) {
        Ok(k) => k,
        Err(e) => {
            eprintln!("error: the release was not imported; nothing was written\n{e}");
            return EXIT_ERROR;
        }
    };
    let text = knowledge.write();
    let written = match &a.out {
        None => std::io::stdout()
            .write_all(text.as_bytes())
            .map_err(|e| format!("cannot write to stdout: {e}")),
        Some(out) => write_atomically(out, text.as_bytes()),
    };
    if let Err(e) = written {
        eprintln!("error: {e}");
        return EXIT_ERROR;
    }
    eprintln!(
        "{}: {} products ({} without an ingredient), {} ingredients, {} NDCs; read {} concept, {} relationship and {} attribute rows; kept {} relationships; skipped {} suppressed rows; {} NDCs named by more than one product (lowest RxCUI kept)",
        a.dir.display(),
        stats.products,
        stats.products_without_ingredients,
        knowledge.ingredients.len(),
        stats.ndcs,
        stats.concept_rows,
        stats.relationship_rows,
        stats.attribute_rows,
        stats.relationships_kept,
        stats.suppressed_skipped,
        stats.ndc_conflicts
    );
    EXIT_OK
}

/// Writes `bytes` to a temporary file beside `out`, then renames it over
/// `out`: the file is either the old one or the whole new one.
fn write_atomically(out: &Path, bytes: &[u8]) -> Result<(), String> {
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "drugs".into());
    let tmp = out.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    let result = File::create(&tmp)
        .and_then(|mut f| f.write_all(bytes).and_then(|_| f.sync_all()))
        .and_then(|_| std::fs::rename(&tmp, out));
    result.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        format!("cannot write {}: {e}", out.display())
    })
}
