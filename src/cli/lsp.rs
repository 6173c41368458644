//! `formulary lsp`: the language server, speaking the protocol on standard
//! input and output (an editor starts it; see docs/editor.md).

use super::{EXIT_ERROR, EXIT_OK};

/// Arguments of `lsp`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Accepted for editors that pass it; stdio is the only transport.
    #[arg(long)]
    stdio: bool,
}

pub(super) fn run(a: Args) -> i32 {
    let _ = a.stdio;
    match crate::lsp::run_stdio() {
        Ok(()) => EXIT_OK,
        Err(e) => {
            eprintln!("error: language server: {e}");
            EXIT_ERROR
        }
    }
}
