//! `formulary export fhir FORMULARY [--out FILE]`: a compiled formulary in
//! another format.

use super::{load_formulary, EXIT_ERROR, EXIT_OK};
use crate::interop::fhir::{export, ExportOptions};
use std::path::PathBuf;

/// Arguments of `export`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The format to write.
    #[command(subcommand)]
    to: To,
}

#[derive(Debug, clap::Subcommand)]
enum To {
    /// A FHIR R4 US Drug Formulary bundle (JSON).
    Fhir(FhirArgs),
}

#[derive(Debug, clap::Args)]
struct FhirArgs {
    /// The formulary's main file.
    formulary: PathBuf,
    /// Where the formulary's files may be.
    #[command(flatten)]
    src: super::SourceArgs,
    /// Write the bundle here instead of to stdout.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Replace files that `--out` would overwrite.
    #[arg(long)]
    force: bool,
    /// Export the tiers and edits in force on this date (YYYY-MM-DD);
    /// default the formulary's first effective day.
    #[arg(long, value_name = "DATE", value_parser = parse_day)]
    date: Option<chrono::NaiveDate>,
}

fn parse_day(s: &str) -> Result<chrono::NaiveDate, String> {
    crate::codes::parse_date(s).ok_or_else(|| format!("`{s}` is not a YYYY-MM-DD date"))
}

pub(super) fn run(a: Args) -> i32 {
    let To::Fhir(a) = a.to;
    let f = match load_formulary(&a.formulary, &a.src, &[], &[]) {
        Ok(f) => f,
        Err(code) => return code,
    };
    let bundle = export(&f, &ExportOptions { date: a.date });
    let text = match serde_json::to_string_pretty(&bundle) {
        Ok(t) => t + "\n",
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_ERROR;
        }
    };
    match &a.out {
        Some(path) => match super::write_output(path, text.as_bytes(), a.force) {
            Ok(()) => EXIT_OK,
            Err(e) => {
                eprintln!("error: {e}");
                EXIT_ERROR
            }
        },
        None => {
            print!("{text}");
            EXIT_OK
        }
    }
}
