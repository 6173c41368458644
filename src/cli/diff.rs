//! `formulary diff OLD NEW [--claims FILE.ndjson]`: what a new version of a
//! formulary changes, in its rules and for real prescriptions.
//!
//! Exit codes: 0 nothing changed; 2 a rule or a decision changed; 1 a file
//! could not be read or a claim line is not a valid prescription (the report
//! is still printed); 3 a formulary does not compile.

use super::{load_formulary, EXIT_ERROR, EXIT_OK, EXIT_REJECTED};
use crate::diff::{claims_impact, diff_rules, render_human, render_markdown, Impact};
use clap::ValueEnum;
use std::io::BufRead;
use std::path::PathBuf;

/// Output format of `diff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    /// Plain text.
    Human,
    /// Markdown tables, to paste into a pull request.
    Markdown,
    /// JSON, for tools.
    Json,
}

/// Arguments of `diff`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The old version's main file.
    old: PathBuf,
    /// The new version's main file.
    new: PathBuf,
    /// Where the formulary's files may be.
    #[command(flatten)]
    src: super::SourceArgs,
    /// Re-check these prescriptions (one JSON object per line, the `check`
    /// input) under both versions; `-` reads standard input.
    #[arg(long, value_name = "FILE.ndjson")]
    claims: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DiffFormat::Human)]
    format: DiffFormat,
    /// Examples to show of each kind of changed decision.
    #[arg(long, value_name = "N", default_value_t = 5)]
    examples: usize,
    /// A NADAC-layout price list for costs, used by both versions (repeatable).
    #[arg(long, value_name = "FILE.csv")]
    prices: Vec<PathBuf>,
}

pub(super) fn run(a: Args) -> i32 {
    let old = match load_formulary(&a.old, &a.src, &a.prices, &[]) {
        Ok(f) => f,
        Err(code) => return code,
    };
    let new = match load_formulary(&a.new, &a.src, &a.prices, &[]) {
        Ok(f) => f,
        Err(code) => return code,
    };
    let rules = diff_rules(&old, &new);
    let claims = match &a.claims {
        None => None,
        Some(path) => {
            let input: Box<dyn BufRead + Send> = if path.as_os_str() == "-" {
                Box::new(std::io::BufReader::new(std::io::stdin()))
            } else {
                match std::fs::File::open(path) {
                    Ok(f) => Box::new(std::io::BufReader::with_capacity(1 << 20, f)),
                    Err(e) => {
                        eprintln!("error: cannot read {}: {e}", path.display());
                        return EXIT_ERROR;
                    }
                }
            };
            match claims_impact(&old, &new, input, a.examples) {
                Ok(c) => Some(c),
                Err(e) => {
                    eprintln!("error: cannot read {}: {e}", path.display());
                    return EXIT_ERROR;
                }
            }
        }
    };
    let impact = Impact { rules, claims };
    let out = match a.format {
        DiffFormat::Human => render_human(&impact),
        DiffFormat::Markdown => render_markdown(&impact),
        DiffFormat::Json => match serde_json::to_string_pretty(&impact) {
            Ok(s) => s + "\n",
            Err(e) => {
                eprintln!("error: {e}");
                return EXIT_ERROR;
            }
        },
    };
    print!("{out}");
    if let Some(c) = impact.claims.as_ref().filter(|c| c.unreadable > 0) {
        eprintln!(
            "error: {} claim line(s) are not valid prescriptions (first at line {})",
            c.unreadable,
            c.unreadable_examples.first().map_or(0, |e| e.line)
        );
        return EXIT_ERROR;
    }
    if impact.has_changes() {
        EXIT_REJECTED
    } else {
        EXIT_OK
    }
}
