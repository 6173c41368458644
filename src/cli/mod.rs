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
mod import_rxnorm;
#[cfg(feature = "lsp")]
mod lsp;
mod ncpdp;
mod render;
mod test;
mod validate;

use crate::compile::{self, Compiled, LoadOptions, RefKind};
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
    /// Read NCPDP D.0 transmissions: decode one, or check its claims.
    Ncpdp(ncpdp::Args),
    /// Serve the Language Server Protocol on stdin/stdout, for editors.
    #[cfg(feature = "lsp")]
    Lsp(lsp::Args),
}

/// Reads the command line. `--help` and `--version` print and give
/// `Err(EXIT_OK)`; a usage error prints clap's message and gives
/// `Err(EXIT_ERROR)`: clap's own exit code, 2, would read as "rejected".
pub fn parse_args() -> Result<Cli, i32> {
    Cli::try_parse().map_err(|e| {
        let _ = e.print();
        if e.use_stderr() {
            EXIT_ERROR
        } else {
            EXIT_OK
        }
    })
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
        Command::Ncpdp(a) => ncpdp::run(a),
        #[cfg(feature = "lsp")]
        Command::Lsp(a) => lsp::run(a),
    }
}

/// Reads a prescription file, or standard input for `-`, never more than
/// one byte past the prescription size limit (the parser refuses that).
pub(crate) fn read_input(path: &Path) -> std::io::Result<String> {
    let limit = crate::check::MAX_PRESCRIPTION as u64 + 1;
    let mut bytes = Vec::new();
    if path == Path::new("-") {
        std::io::stdin().take(limit).read_to_end(&mut bytes)?;
    } else {
        std::fs::File::open(path)?
            .take(limit)
            .read_to_end(&mut bytes)?;
    }
    String::from_utf8(bytes).map_err(|e| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("not UTF-8 (byte {})", e.utf8_error().valid_up_to() + 1),
        )
    })
}

/// Where a formulary's files may be, for every command that loads one.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct SourceArgs {
    /// The folder every file the formulary reads must be inside; default:
    /// the main file's folder.
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// Read included and declared files wherever they are: absolute paths,
    /// paths climbing out with `..`, symbolic links leading out.
    #[arg(long)]
    pub allow_outside_root: bool,
}

impl SourceArgs {
    fn options(&self, read_references: bool, extra: Vec<(RefKind, PathBuf)>) -> LoadOptions {
        LoadOptions {
            root: self.root.clone(),
            allow_outside_root: self.allow_outside_root,
            read_references,
            extra,
            ..LoadOptions::default()
        }
    }
}

/// Loads and compiles a formulary from disk with the price lists and drug
/// catalogs it declares and those given (`--prices`, `--catalog`). On
/// failure prints why to stderr and returns the exit code.
pub(crate) fn load_formulary(
    path: &Path,
    src: &SourceArgs,
    prices: &[PathBuf],
    catalogs: &[PathBuf],
) -> Result<crate::Formulary, i32> {
    let mut extra: Vec<(RefKind, PathBuf)> = prices
        .iter()
        .map(|p| (RefKind::Prices, p.clone()))
        .collect();
    extra.extend(catalogs.iter().map(|p| (RefKind::Catalog, p.clone())));
    let compiled = compile_with(path, &src.options(true, extra))?;
    if compiled.has_errors() {
        eprint!("{}", render_diags(&compiled));
        return Err(EXIT_INVALID);
    }
    compiled.formulary.ok_or(EXIT_INVALID)
}

/// Reads and compiles a formulary with everything it declares; I/O failure
/// of the main file is exit 1.
pub(crate) fn compile_path(path: &Path, src: &SourceArgs) -> Result<Compiled, i32> {
    compile_with(path, &src.options(true, Vec::new()))
}

/// Reads and compiles a formulary's source only, without its reference
/// files (for documents about its rules).
pub(crate) fn compile_rules(path: &Path, src: &SourceArgs) -> Result<Compiled, i32> {
    compile_with(path, &src.options(false, Vec::new()))
}

fn compile_with(path: &Path, opts: &LoadOptions) -> Result<Compiled, i32> {
    match compile::load(path, &mut crate::io::FsReader, opts) {
        Ok(parsed) => Ok(compile::compile(parsed)),
        Err(e) => {
            eprintln!("error: cannot read {e}");
            Err(EXIT_ERROR)
        }
    }
}

/// Writes an output file (`--out`) through a fresh temporary renamed over
/// it; a file already there is replaced only with `force`.
pub(crate) fn write_output(path: &Path, bytes: &[u8], force: bool) -> Result<(), String> {
    if !force && std::fs::symlink_metadata(path).is_ok() {
        return Err(format!(
            "not overwriting {}, which exists; pass --force to replace it",
            path.display()
        ));
    }
    crate::io::write::write_file(path, bytes)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Diagnostics for a terminal (colour) or a pipe (plain).
pub(crate) fn render_diags(c: &Compiled) -> String {
    let colour = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    crate::diagnostics::render_human(&c.diags, &c.sources, colour, 100)
}
