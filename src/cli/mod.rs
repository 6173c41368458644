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
#[cfg(feature = "lsp")]
mod lsp;
mod render;
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
    /// Serve the Language Server Protocol on stdin/stdout, for editors.
    #[cfg(feature = "lsp")]
    Lsp(lsp::Args),
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
        #[cfg(feature = "lsp")]
        Command::Lsp(a) => lsp::run(a),
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
    let compiled = compile_path(path)?;
    if compiled.has_errors() {
        eprint!("{}", render_diags(&compiled));
        return Err(EXIT_INVALID);
    }
    let Some(mut f) = compiled.formulary else {
        return Err(EXIT_INVALID);
    };
    let mut files: Vec<PathBuf> = f.price_files.iter().map(PathBuf::from).collect();
    files.extend(prices.iter().cloned());
    for p in files {
        let text = std::fs::read_to_string(&p).map_err(|e| {
            eprintln!("error: cannot read price list {}: {e}", p.display());
            EXIT_ERROR
        })?;
        let list =
            crate::prices::PriceList::parse(&p.display().to_string(), &text).map_err(|e| {
                eprintln!("error: {e}");
                EXIT_ERROR
            })?;
        match f.prices.as_mut() {
            Some(existing) => existing.merge(list),
            None => f.prices = Some(list),
        }
    }
    let mut files: Vec<PathBuf> = f.catalog_files.iter().map(PathBuf::from).collect();
    files.extend(catalogs.iter().cloned());
    for p in files {
        let catalog = import::read_catalog(&p)?;
        f.attach_catalog(&catalog);
    }
    Ok(f)
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
