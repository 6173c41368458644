//! `formulary validate FILE...`: every error and warning of each formulary.

use super::{compile_path, render_diags, Format, EXIT_ERROR, EXIT_INVALID, EXIT_OK};
use std::path::PathBuf;

/// Arguments of `validate`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Main files of the formularies to check (includes are followed).
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Where the formulary's files may be.
    #[command(flatten)]
    src: super::SourceArgs,
    /// Output format of the diagnostics.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
}

pub(super) fn run(a: Args) -> i32 {
    let mut code = EXIT_OK;
    let mut all = Vec::new();
    for file in &a.files {
        let compiled = match compile_path(file, &a.src) {
            Ok(c) => c,
            Err(c) => {
                code = code.max(c);
                continue;
            }
        };
        if compiled.has_errors() {
            code = EXIT_INVALID;
        }
        match a.format {
            Format::Human => {
                eprint!("{}", render_diags(&compiled));
                if !compiled.has_errors() {
                    if let Some(f) = &compiled.formulary {
                        eprintln!(
                            "{}: {} \"{}\" version {} is valid: {} drugs, {} classes, {} tiers, {} PA and {} step therapy rules",
                            file.display(),
                            f.id,
                            f.name,
                            f.version,
                            f.drugs.len(),
                            f.classes.len(),
                            f.tiers.len(),
                            f.pas.len(),
                            f.steps.len()
                        );
                    }
                }
            }
            Format::Json | Format::Yaml => all.extend(crate::diagnostics::render_json(
                &compiled.diags,
                &compiled.sources,
            )),
        }
    }
    match a.format {
        Format::Json => match serde_json::to_string_pretty(&all) {
            Ok(s) => println!("{s}"),
            Err(e) => {
                eprintln!("error: {e}");
                return EXIT_ERROR;
            }
        },
        Format::Yaml => match serde_yaml::to_string(&all) {
            Ok(s) => print!("{s}"),
            Err(e) => {
                eprintln!("error: {e}");
                return EXIT_ERROR;
            }
        },
        Format::Human => {}
    }
    code
}
