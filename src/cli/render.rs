//! `formulary render FORMULARY --format html|markdown [--as-of DATE] [--out FILE]`:
//! the member's printed drug list.

use super::{compile_rules, render_diags, EXIT_ERROR, EXIT_INVALID, EXIT_OK};
use crate::report;
use crate::Formulary;
use chrono::NaiveDate;
use clap::ValueEnum;
use std::path::{Path, PathBuf};

/// Arguments of `render`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The formulary's main file.
    formulary: PathBuf,
    /// Where the formulary's files may be.
    #[command(flatten)]
    src: super::SourceArgs,
    /// Document format.
    #[arg(long, value_enum)]
    format: DocFormat,
    /// Show the coverage in force on this date (YYYY-MM-DD); default: the
    /// formulary's first day. Later changes are noted.
    #[arg(long, value_name = "DATE", value_parser = parse_date_arg)]
    as_of: Option<NaiveDate>,
    /// Write to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Replace files that `--out` would overwrite.
    #[arg(long)]
    force: bool,
}

/// Formats of the drug list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DocFormat {
    /// One self-contained HTML file (inline style, prints well).
    Html,
    /// GitHub-flavoured Markdown.
    Markdown,
}

pub(super) fn run(a: Args) -> i32 {
    let (f, as_of) = match rules_as_of(&a.formulary, &a.src, a.as_of) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let list = report::drug_list::build(&f, as_of);
    let text = match a.format {
        DocFormat::Html => report::html::render(&list),
        DocFormat::Markdown => report::markdown::render(&list),
    };
    match &a.out {
        Some(path) => write_file(path, &text, a.force),
        None => {
            print!("{text}");
            EXIT_OK
        }
    }
}

fn write_file(path: &Path, text: &str, force: bool) -> i32 {
    match super::write_output(path, text.as_bytes(), force) {
        Ok(()) => EXIT_OK,
        Err(e) => {
            eprintln!("error: {e}");
            EXIT_ERROR
        }
    }
}

/// Compiles a formulary for a document: errors stop with exit 3; warnings
/// are `validate`'s business; price lists are not needed and not read.
fn load_rules(path: &Path, src: &super::SourceArgs) -> Result<Formulary, i32> {
    let compiled = compile_rules(path, src)?;
    if compiled.has_errors() {
        eprint!("{}", render_diags(&compiled));
        return Err(EXIT_INVALID);
    }
    compiled.formulary.ok_or(EXIT_INVALID)
}

/// The preamble of `render`, `graph` and `explain`: the formulary compiled
/// for a document and the date to show it on.
pub(super) fn rules_as_of(
    path: &Path,
    src: &super::SourceArgs,
    given: Option<NaiveDate>,
) -> Result<(Formulary, Option<NaiveDate>), i32> {
    let f = load_rules(path, src)?;
    let as_of = as_of_or_default(&f, given)?;
    Ok((f, as_of))
}

/// The date given, or the formulary's default; exit 1 when it has none.
fn as_of_or_default(f: &Formulary, given: Option<NaiveDate>) -> Result<Option<NaiveDate>, i32> {
    match given {
        Some(d) => Ok(Some(d)),
        None => report::status::default_as_of(f).map_err(|e| {
            eprintln!("error: {e}");
            EXIT_ERROR
        }),
    }
}

/// Parses `--as-of`.
pub(super) fn parse_date_arg(s: &str) -> Result<NaiveDate, String> {
    crate::codes::parse_date(s).ok_or_else(|| format!("`{s}` is not a date like 2026-07-01"))
}
