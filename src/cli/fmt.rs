//! `formulary fmt FILE... [--check]`: rewrites formulary files in the
//! canonical layout (see the `fmt` module for the rules).
//!
//! Exit codes: 0 all files formatted (or already were); 2 with `--check`
//! when a file is not formatted (a unified diff of each is printed);
//! 3 when a file does not parse or cannot be formatted without losing text
//! (it is never rewritten); 1 when a file cannot be read or written.

use super::{read_input, EXIT_ERROR, EXIT_INVALID, EXIT_OK, EXIT_REJECTED};
use crate::fmt::{format_source, FormatError};
use crate::span::{SourceFile, Sources};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

/// Arguments of `fmt`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Files to format; a folder means every `.formulary` file under it;
    /// `-` formats standard input to standard output.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Change nothing: print a diff of each file that is not formatted and
    /// exit with 2 if there is one.
    #[arg(long)]
    check: bool,
}

pub(super) fn run(a: Args) -> i32 {
    let mut outcome = Outcome::default();
    for path in &a.files {
        match expand(path) {
            Ok(files) => {
                for f in files {
                    one(&f, a.check, &mut outcome);
                }
            }
            Err(e) => {
                eprintln!("error: cannot read {}: {e}", path.display());
                outcome.io = true;
            }
        }
    }
    outcome.code()
}

/// What happened over all files; the exit code says the worst.
#[derive(Default)]
struct Outcome {
    invalid: bool,
    io: bool,
    unformatted: bool,
}

impl Outcome {
    fn code(&self) -> i32 {
        if self.invalid {
            EXIT_INVALID
        } else if self.io {
            EXIT_ERROR
        } else if self.unformatted {
            EXIT_REJECTED
        } else {
            EXIT_OK
        }
    }
}

/// A file, or the `.formulary` files under a folder in name order.
fn expand(path: &Path) -> std::io::Result<Vec<PathBuf>> {
    if !path.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut out = Vec::new();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(path)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    entries.sort();
    for p in entries {
        if p.is_dir() {
            out.extend(expand(&p)?);
        } else if p.extension().is_some_and(|e| e == "formulary") {
            out.push(p);
        }
    }
    Ok(out)
}

fn one(path: &Path, check: bool, outcome: &mut Outcome) {
    let name = path.display().to_string();
    let text = match read_input(path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: cannot read {name}: {e}");
            outcome.io = true;
            return;
        }
    };
    let formatted = match format_source(&text) {
        Ok(f) => f,
        Err(FormatError::Syntax(diags)) => {
            let mut sources = Sources::new();
            sources.add(SourceFile::new(name.as_str(), text.as_str()));
            let colour = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
            eprint!(
                "{}",
                crate::diagnostics::render_human(&diags, &sources, colour, 100)
            );
            eprintln!("{name}: not formatted: it has syntax errors");
            outcome.invalid = true;
            return;
        }
        Err(e @ FormatError::WouldDrop { .. }) => {
            eprintln!("error: {name}: not formatted: {e}");
            outcome.invalid = true;
            return;
        }
        Err(e) => {
            eprintln!("error: {name}: not formatted: {e}");
            outcome.io = true;
            return;
        }
    };
    let stdin = path == Path::new("-");
    if check {
        if formatted != text {
            outcome.unformatted = true;
            let diff = similar::TextDiff::from_lines(&text, &formatted);
            let shown = diff
                .unified_diff()
                .context_radius(2)
                .header(&name, &format!("{name} (formatted)"))
                .to_string();
            print!("{shown}");
        }
        return;
    }
    if stdin {
        print!("{formatted}");
        return;
    }
    if formatted == text {
        return;
    }
    // A fresh temporary renamed over the file; through a symbolic link the
    // file it points to is formatted and the link stays.
    match crate::io::write::write_file(path, formatted.as_bytes()) {
        Ok(()) => eprintln!("formatted {name}"),
        Err(e) => {
            eprintln!("error: cannot write {name}: {e}");
            outcome.io = true;
        }
    }
}
