//! The command line: subcommands, input and output formats. The only module
//! that reads or writes files.
//!
//! Exit codes: 0 valid / paid / all tests pass; 1 usage or I/O error or a
//! malformed prescription; 2 rejected / tests failed / changes found;
//! 3 formulary invalid.

mod check;
mod diff;
mod explain;
mod export;
mod fmt;
mod generate;
mod graph;
mod import;
#[cfg(feature = "service")]
mod loadgen;
mod render;
#[cfg(feature = "service")]
mod serve;
mod test;
mod validate;

use crate::compile::{self, Compiled};
use clap::{Parser, Subcommand, ValueEnum};
use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};

/// Exit code: success, or paid.
pub const EXIT_OK: i32 = 0;
/// Exit code: usage, I/O or input error.
pub const EXIT_ERROR: i32 = 1;
/// Exit code: rejected, tests failed, or differences found.
pub const EXIT_REJECTED: i32 = 2;
/// Exit code: the formulary does not compile.
pub const EXIT_INVALID: i32 = 3;

/// A pharmacy benefit formulary rules engine.
#[derive(Debug, Parser)]
#[command(name = "formulary", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// For people.
    Human,
    /// For tools.
    Json,
    /// YAML.
    Yaml,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check formulary files and print every error and warning.
    Validate(validate::Args),
    /// Check a prescription (or a batch) against a formulary.
    Check(check::Args),
    /// Run the test cases beside a formulary.
    Test(test::Args),
    /// Print the member's drug list (HTML or Markdown).
    Render(render::Args),
    /// Draw the rule graph (Mermaid or Graphviz DOT).
    Graph(graph::Args),
    /// Explain every rule that applies to one drug.
    Explain(explain::Args),
    /// Turn another format (CMS formulary file, FHIR bundle) into formulary source.
    Import(import::Args),
    /// Write a formulary in another format (FHIR bundle).
    Export(export::Args),
    /// Rewrite formulary files in the canonical layout (`--check` only reports).
    Fmt(fmt::Args),
    /// Show what a new version changes: rules, and decisions on prescriptions.
    Diff(diff::Args),
    /// Generate sample data (prescriptions) for a formulary.
    Generate(generate::Args),
    /// Run the adjudication service: claims over HTTP, history in a store.
    #[cfg(feature = "service")]
    Serve(serve::Args),
    /// Drive a running service with generated claims; check its store after a crash.
    #[cfg(feature = "service")]
    Loadgen(loadgen::Args),
}

/// Runs a command and returns the exit code.
pub fn run(cli: Cli) -> i32 {
    match cli.command {
        Command::Validate(a) => validate::run(a),
        Command::Check(a) => check::run(a),
        Command::Test(a) => test::run(a),
        Command::Render(a) => render::run(a),
        Command::Graph(a) => graph::run(a),
        Command::Explain(a) => explain::run(a),
        Command::Import(a) => import::run(a),
        Command::Export(a) => export::run(a),
        Command::Fmt(a) => fmt::run(a),
        Command::Diff(a) => diff::run(a),
        Command::Generate(a) => generate::run(a),
        #[cfg(feature = "service")]
        Command::Serve(a) => serve::run(a),
        #[cfg(feature = "service")]
        Command::Loadgen(a) => loadgen::run(a),
    }
}

/// Reads a file, or standard input for `-`.
pub(crate) fn read_input(path: &Path) -> std::io::Result<String> {
    if path == Path::new("-") {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s)?;
        Ok(s)
    } else {
        std::fs::read_to_string(path)
    }
}

/// Loads and compiles a formulary from disk, attaching the price lists it
/// declares and any given with `--prices`, then the drug catalogs it declares
/// and any given with `--catalog`. On failure prints why to stderr and
/// returns the exit code.
pub(crate) fn load_formulary(
    path: &Path,
    prices: &[PathBuf],
    catalogs: &[PathBuf],
) -> Result<crate::Formulary, i32> {
    match try_load_formulary(path, prices, catalogs) {
        Ok((f, notes)) => {
            for n in notes {
                eprintln!("{n}");
            }
            Ok(f)
        }
        Err(LoadFailure::Invalid(compiled)) => {
            eprint!("{}", render_diags(&compiled));
            Err(EXIT_INVALID)
        }
        Err(LoadFailure::Unreadable(message)) => {
            eprintln!("error: {message}");
            Err(EXIT_ERROR)
        }
    }
}

/// Why a formulary could not be loaded.
pub(crate) enum LoadFailure {
    /// A file could not be read (the message says which and why).
    Unreadable(String),
    /// It does not compile: the diagnostics.
    Invalid(Box<Compiled>),
}

/// [`load_formulary`] without printing: the formulary and notes about
/// skipped catalog rows, or why it failed.
pub(crate) fn try_load_formulary(
    path: &Path,
    prices: &[PathBuf],
    catalogs: &[PathBuf],
) -> Result<(crate::Formulary, Vec<String>), LoadFailure> {
    let mut read = |p: &Path| std::fs::read_to_string(p);
    let compiled =
        compile::compile(compile::load(path, &mut read).map_err(|e| {
            LoadFailure::Unreadable(format!("cannot read {}: {e}", path.display()))
        })?);
    if compiled.has_errors() || compiled.formulary.is_none() {
        return Err(LoadFailure::Invalid(Box::new(compiled)));
    }
    let Some(mut f) = compiled.formulary else {
        return Err(LoadFailure::Unreadable("no formulary".into()));
    };
    let mut files: Vec<PathBuf> = f.price_files.iter().map(PathBuf::from).collect();
    files.extend(prices.iter().cloned());
    for p in files {
        let text = std::fs::read_to_string(&p).map_err(|e| {
            LoadFailure::Unreadable(format!("cannot read price list {}: {e}", p.display()))
        })?;
        let list = crate::prices::PriceList::parse(&p.display().to_string(), &text)
            .map_err(|e| LoadFailure::Unreadable(e.to_string()))?;
        match f.prices.as_mut() {
            Some(existing) => existing.merge(list),
            None => f.prices = Some(list),
        }
    }
    let mut notes = Vec::new();
    let mut files: Vec<PathBuf> = f.catalog_files.iter().map(PathBuf::from).collect();
    files.extend(catalogs.iter().cloned());
    for p in files {
        let text = std::fs::read_to_string(&p).map_err(|e| {
            LoadFailure::Unreadable(format!("cannot read catalog {}: {e}", p.display()))
        })?;
        let c = crate::interop::Catalog::parse(&p.display().to_string(), &text)
            .map_err(|e| LoadFailure::Unreadable(e.to_string()))?;
        if c.skipped > 0 {
            notes.push(format!(
                "{}: skipped {} of {} rows ({})",
                p.display(),
                c.skipped,
                c.rows,
                c.skipped_examples.join("; ")
            ));
        }
        f.attach_catalog(&c);
    }
    Ok((f, notes))
}

/// Reads and compiles a formulary; I/O failure of the main file is exit 1.
pub(crate) fn compile_path(path: &Path) -> Result<Compiled, i32> {
    let mut read = |p: &Path| std::fs::read_to_string(p);
    match compile::load(path, &mut read) {
        Ok(parsed) => Ok(compile::compile(parsed)),
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", path.display());
            Err(EXIT_ERROR)
        }
    }
}

/// Diagnostics for a terminal (colour) or a pipe (plain).
pub(crate) fn render_diags(c: &Compiled) -> String {
    let colour = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    crate::diagnostics::render_human(&c.diags, &c.sources, colour, 100)
}
