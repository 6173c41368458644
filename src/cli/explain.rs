//! `formulary explain FORMULARY DRUG [--as-of DATE]`: every rule that applies
//! to one drug, in words, with where it is written.

use super::render::{parse_date_arg, rules_as_of};
use super::{EXIT_ERROR, EXIT_OK};
use crate::report::explain;
use chrono::NaiveDate;
use std::path::PathBuf;

/// Arguments of `explain`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The formulary's main file.
    formulary: PathBuf,
    /// Where the formulary's files may be.
    #[command(flatten)]
    src: super::SourceArgs,
    /// The drug: its name in the formulary, an NDC, an RxCUI or its label.
    drug: String,
    /// Say what is in force on this date; default: the formulary's first day.
    #[arg(long, value_name = "DATE", value_parser = parse_date_arg)]
    as_of: Option<NaiveDate>,
}

pub(super) fn run(a: Args) -> i32 {
    let (f, as_of) = match rules_as_of(&a.formulary, &a.src, a.as_of) {
        Ok(r) => r,
        Err(code) => return code,
    };
    match explain::find_drug(&f, &a.drug) {
        Ok(id) => {
            print!("{}", explain::explain(&f, id, as_of));
            EXIT_OK
        }
        Err(e) => {
            eprintln!("error: {e}");
            EXIT_ERROR
        }
    }
}
