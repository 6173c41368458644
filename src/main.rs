//! The `formulary` command: parses arguments, runs a subcommand and maps its
//! result to an exit code (see `formulary --help` and README.md).

#![forbid(unsafe_code)]

use clap::Parser;

fn main() {
    let cli = formulary::cli::Cli::parse();
    let code = formulary::cli::run(cli);
    std::process::exit(code);
}
