//! `formulary generate claims FORMULARY --count N --seed S`: sample
//! prescriptions for a formulary, one JSON object per line on stdout.

use super::{load_formulary, EXIT_ERROR, EXIT_OK};
use crate::diff::ClaimGenerator;
use std::io::{BufWriter, Write};
use std::path::PathBuf;

/// Arguments of `generate`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// What to generate.
    #[command(subcommand)]
    what: What,
}

/// Things `generate` makes.
#[derive(Debug, clap::Subcommand)]
enum What {
    /// Sample prescriptions that use the formulary's drugs and rules.
    Claims(ClaimsArgs),
}

/// Arguments of `generate claims`.
#[derive(Debug, clap::Args)]
struct ClaimsArgs {
    /// The formulary's main file.
    formulary: PathBuf,
    /// Where the formulary's files may be.
    #[command(flatten)]
    src: super::SourceArgs,
    /// How many prescriptions.
    #[arg(long, default_value_t = 1000)]
    count: u64,
    /// Seed: the same seed and formulary give the same prescriptions.
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

pub(super) fn run(a: Args) -> i32 {
    let What::Claims(a) = a.what;
    let f = match load_formulary(&a.formulary, &a.src, &[], &[]) {
        Ok(f) => f,
        Err(code) => return code,
    };
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    for claim in ClaimGenerator::new(&f, a.seed).take(a.count as usize) {
        let written = serde_json::to_writer(&mut out, &claim)
            .map_err(std::io::Error::from)
            .and_then(|()| out.write_all(b"\n"));
        if let Err(e) = written {
            eprintln!("error: cannot write: {e}");
            return EXIT_ERROR;
        }
    }
    if out.flush().is_err() {
        return EXIT_ERROR;
    }
    EXIT_OK
}
