//! `formulary ncpdp decode FILE` and `formulary ncpdp check FORMULARY FILE`:
//! NCPDP D.0 transmissions from files, shown readably.

use super::{load_formulary, EXIT_ERROR, EXIT_OK, EXIT_REJECTED};
use crate::ncpdp::{self, render, ClaimRequest, Response, ResponseStatus, Transmission};
use std::io::Read;
use std::path::{Path, PathBuf};

/// Arguments of `ncpdp`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// What to do.
    #[command(subcommand)]
    command: Sub,
}

#[derive(Debug, clap::Subcommand)]
enum Sub {
    /// Print a D.0 transmission (request or response) field by field.
    Decode {
        /// The raw transmission; `-` reads standard input.
        file: PathBuf,
    },
    /// Check the B1 claims of a transmission against a formulary and print
    /// the D.0 response (no claim history: each claim is checked alone).
    Check {
        /// The formulary's main file.
        formulary: PathBuf,
        /// The raw request transmission; `-` reads standard input.
        file: PathBuf,
        /// Also write the raw response bytes to this file.
        #[arg(long, value_name = "FILE")]
        raw: Option<PathBuf>,
        /// A NADAC-layout price list for costs (repeatable).
        #[arg(long, value_name = "FILE.csv")]
        prices: Vec<PathBuf>,
        /// A drug catalog (CSV) (repeatable).
        #[arg(long, value_name = "FILE.csv")]
        catalog: Vec<PathBuf>,
        /// Where the formulary's files may be.
        #[command(flatten)]
        src: super::SourceArgs,
    },
}

pub(super) fn run(a: Args) -> i32 {
    match a.command {
        Sub::Decode { file } => decode(&file),
        Sub::Check {
            formulary,
            file,
            raw,
            prices,
            catalog,
            src,
        } => check(&formulary, &src, &file, raw.as_deref(), &prices, &catalog),
    }
}

/// Reads at most one byte more than a transmission may have, so that an
/// oversized file is refused by the parser without being read whole.
fn read_bytes(path: &Path) -> Result<Vec<u8>, i32> {
    let limit = ncpdp::MAX_TRANSMISSION_BYTES as u64 + 1;
    let mut buf = Vec::new();
    let result = if path == Path::new("-") {
        std::io::stdin().lock().take(limit).read_to_end(&mut buf)
    } else {
        std::fs::File::open(path).and_then(|f| f.take(limit).read_to_end(&mut buf))
    };
    match result {
        Ok(_) => Ok(buf),
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", path.display());
            Err(EXIT_ERROR)
        }
    }
}

fn decode(path: &Path) -> i32 {
    let bytes = match read_bytes(path) {
        Ok(b) => b,
        Err(code) => return code,
    };
    println!("{}", render::raw(&bytes));
    match Transmission::parse(&bytes) {
        Ok(t) => {
            print!("{}", render::transmission(&t));
            for (i, r) in ClaimRequest::from_transmission(&t).iter().enumerate() {
                match r {
                    Ok(req) => println!("transaction {}: {} reads cleanly", i + 1, req.code.code()),
                    Err(rejects) => println!("transaction {}: rejected: {rejects}", i + 1),
                }
            }
            EXIT_OK
        }
        Err(request_error) => match Response::parse(&bytes) {
            Ok(r) => {
                print!("{}", render::response(&r));
                EXIT_OK
            }
            Err(_) => {
                eprintln!("error: {}: {request_error}", path.display());
                EXIT_REJECTED
            }
        },
    }
}

fn check(
    formulary: &Path,
    src: &super::SourceArgs,
    path: &Path,
    raw: Option<&Path>,
    prices: &[PathBuf],
    catalogs: &[PathBuf],
) -> i32 {
    let f = match load_formulary(formulary, src, prices, catalogs) {
        Ok(f) => f,
        Err(code) => return code,
    };
    let bytes = match read_bytes(path) {
        Ok(b) => b,
        Err(code) => return code,
    };
    let response = ncpdp::check_transmission(&f, &bytes, |_| (Vec::new(), Vec::new()));
    let out = response.encode();
    print!("{}", render::response(&response));
    print!("\n{}", render::raw(&out));
    if let Some(p) = raw {
        if let Err(e) = std::fs::write(p, &out) {
            eprintln!("error: cannot write {}: {e}", p.display());
            return EXIT_ERROR;
        }
    }
    let all_paid = response.header.status == 'A'
        && response
            .transactions
            .iter()
            .all(|t| t.status == ResponseStatus::Paid);
    if all_paid {
        EXIT_OK
    } else {
        EXIT_REJECTED
    }
}
