//! `formulary check FORMULARY PRESCRIPTION` and `--batch FILE.ndjson`.

use super::{load_formulary, read_input, Format, EXIT_ERROR, EXIT_OK, EXIT_REJECTED};
use crate::check::lines::{Line, Lines};
use crate::check::{check, render_human, Prescription};
use crate::Formulary;
use indicatif::{ParallelProgressIterator, ProgressBar, ProgressStyle};
use rayon::prelude::*;
use std::io::{BufRead, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};

/// Arguments of `check`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The formulary's main file.
    formulary: PathBuf,
    /// Where the formulary's files may be.
    #[command(flatten)]
    src: super::SourceArgs,
    /// The prescription, JSON or YAML; `-` reads standard input.
    #[arg(required_unless_present = "batch", conflicts_with = "batch")]
    prescription: Option<PathBuf>,
    /// Check one JSON prescription per line; writes one JSON decision per line, in order.
    #[arg(long, value_name = "FILE.ndjson")]
    batch: Option<PathBuf>,
    /// Output format (batch output is always one JSON object per line).
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Show every rule evaluated (human format).
    #[arg(long)]
    trace: bool,
    /// A NADAC-layout price list for costs (repeatable).
    #[arg(long, value_name = "FILE.csv")]
    prices: Vec<PathBuf>,
    /// A drug catalog (CSV) whose NDCs and RxCUIs resolve to the formulary's
    /// products and ingredients (repeatable).
    #[arg(long, value_name = "FILE.csv")]
    catalog: Vec<PathBuf>,
}

pub(super) fn run(a: Args) -> i32 {
    let f = match load_formulary(&a.formulary, &a.src, &a.prices, &a.catalog) {
        Ok(f) => f,
        Err(code) => return code,
    };
    match (&a.batch, &a.prescription) {
        (Some(batch), _) => run_batch(&f, batch),
        (None, Some(p)) => run_one(&f, p, a.format, a.trace),
        (None, None) => EXIT_ERROR,
    }
}

fn run_one(f: &Formulary, path: &Path, format: Format, trace: bool) -> i32 {
    let text = match read_input(path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", path.display());
            return EXIT_ERROR;
        }
    };
    let rx = match Prescription::from_str(&text).and_then(|rx| rx.validate_for(f).map(|()| rx)) {
        Ok(rx) => rx,
        Err(e) => {
            eprintln!("error: invalid prescription {}: {e}", path.display());
            return EXIT_ERROR;
        }
    };
    let d = check(f, &rx);
    let out = match format {
        // A prescription's own text (a PA number) may hold control characters.
        Format::Human => Ok(escape_controls(&render_human(&d, trace))),
        Format::Json => serde_json::to_string_pretty(&d)
            .map(|s| s + "\n")
            .map_err(|e| e.to_string()),
        Format::Yaml => serde_yaml::to_string(&d).map_err(|e| e.to_string()),
    };
    match out {
        Ok(s) => print!("{s}"),
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_ERROR;
        }
    }
    if d.is_paid() {
        EXIT_OK
    } else {
        EXIT_REJECTED
    }
}

/// Standard input for `-`, else the file, buffered.
fn open_batch(path: &Path) -> Result<Box<dyn BufRead>, i32> {
    if path.as_os_str() == "-" {
        return Ok(Box::new(std::io::stdin().lock()));
    }
    match std::fs::File::open(path) {
        Ok(file) => Ok(Box::new(std::io::BufReader::with_capacity(1 << 16, file))),
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", path.display());
            Err(EXIT_ERROR)
        }
    }
}

/// A spinner on a terminal, nothing otherwise.
fn progress_bar() -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let b = ProgressBar::new_spinner();
    b.set_style(
        ProgressStyle::with_template("{spinner} {human_pos} prescriptions checked ({per_sec})")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    b
}

/// Lines are read in chunks bounded by bytes and lines
/// ([`crate::check::lines`]), each chunk checked in parallel and written in
/// input order.
fn run_batch(f: &Formulary, path: &Path) -> i32 {
    let reader = match open_batch(path) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let bar = progress_bar();
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let (mut bad, mut blank) = (0u64, 0u64);
    let mut lines = Lines::new(reader);
    let mut code = EXIT_OK;
    loop {
        let chunk = match lines.chunk() {
            Ok(c) if c.is_empty() => break,
            Ok(c) => c,
            Err(e) => {
                bar.finish_and_clear();
                eprintln!(
                    "error: {}: cannot read after line {}: {e}",
                    path.display(),
                    lines.count()
                );
                code = EXIT_ERROR;
                break;
            }
        };
        let results: Vec<Option<Result<String, String>>> = chunk
            .par_iter()
            .progress_with(bar.clone())
            .map(|(n, line)| match line {
                Line::Blank => None,
                Line::Text(t) => Some(check_line(f, *n, t)),
                Line::Bad(why) => Some(Err(error_line(*n, why))),
            })
            .collect();
        for r in results {
            let line = match r {
                None => {
                    blank += 1;
                    continue;
                }
                Some(Ok(s)) => s,
                Some(Err(s)) => {
                    bad += 1;
                    s
                }
            };
            if writeln!(out, "{line}").is_err() {
                return EXIT_ERROR;
            }
        }
    }
    bar.finish_and_clear();
    if out.flush().is_err() {
        return EXIT_ERROR;
    }
    if blank > 0 {
        eprintln!("skipped {blank} blank line(s)");
    }
    if bad > 0 {
        eprintln!("{bad} line(s) could not be checked");
        code = EXIT_ERROR;
    }
    code
}

/// `text` with control characters other than line breaks shown as `\u{1b}`.
fn escape_controls(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() && c != '\n' {
                c.escape_unicode().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// An error object naming the line, also said on stderr.
fn error_line(n: u64, msg: &str) -> String {
    let msg = crate::compile::load::reference::short(msg);
    eprintln!("error: line {n}: {msg}");
    serde_json::json!({ "line": n, "error": msg }).to_string()
}

/// One line: its decision as JSON, with the line number first, or an error
/// object naming the line. Batch lines are JSON only.
fn check_line(f: &Formulary, n: u64, line: &str) -> Result<String, String> {
    let rx = Prescription::from_json(line)
        .and_then(|rx| rx.validate_for(f).map(|()| rx))
        .map_err(|e| error_line(n, &e.to_string()))?;
    let d = serde_json::to_string(&check(f, &rx)).map_err(|e| error_line(n, &e.to_string()))?;
    match d.strip_prefix('{') {
        Some(rest) if rest != "}" => Ok(format!("{{\"line\":{n},{rest}")),
        _ => Ok(format!("{{\"line\":{n}}}")),
    }
}
