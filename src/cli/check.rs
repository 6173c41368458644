//! `formulary check FORMULARY PRESCRIPTION` and `--batch FILE.ndjson`.

use super::{load_formulary, read_input, Format, EXIT_ERROR, EXIT_OK, EXIT_REJECTED};
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
    let rx = match Prescription::from_str(&text) {
        Ok(rx) => rx,
        Err(e) => {
            eprintln!("error: invalid prescription {}: {e}", path.display());
            return EXIT_ERROR;
        }
    };
    let d = check(f, &rx);
    let out = match format {
        Format::Human => Ok(render_human(&d, trace)),
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

/// Lines are checked in chunks, each chunk in parallel, and written in input order.
const CHUNK: usize = 65_536;

fn run_batch(f: &Formulary, path: &Path) -> i32 {
    let reader: Box<dyn BufRead> = if path.as_os_str() == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        match std::fs::File::open(path) {
            Ok(file) => Box::new(std::io::BufReader::new(file)),
            Err(e) => {
                eprintln!("error: cannot read {}: {e}", path.display());
                return EXIT_ERROR;
            }
        }
    };
    let bar = if std::io::stderr().is_terminal() {
        let b = ProgressBar::new_spinner();
        b.set_style(
            ProgressStyle::with_template("{spinner} {human_pos} prescriptions checked ({per_sec})")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        b
    } else {
        ProgressBar::hidden()
    };
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut bad = 0usize;
    let mut lines = reader.lines().enumerate();
    loop {
        let mut chunk: Vec<(usize, String)> = Vec::with_capacity(CHUNK);
        for (n, line) in lines.by_ref() {
            match line {
                Ok(l) if l.trim().is_empty() => continue,
                Ok(l) => chunk.push((n + 1, l)),
                Err(e) => {
                    eprintln!("error: line {}: cannot read: {e}", n + 1);
                    bad += 1;
                    continue;
                }
            }
            if chunk.len() == CHUNK {
                break;
            }
        }
        if chunk.is_empty() {
            break;
        }
        let results: Vec<Result<String, String>> = chunk
            .par_iter()
            .progress_with(bar.clone())
            .map(|(n, line)| check_line(f, *n, line))
            .collect();
        for r in results {
            let line = match r {
                Ok(s) => s,
                Err(s) => {
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
    if bad > 0 {
        eprintln!("{bad} line(s) could not be checked");
        EXIT_ERROR
    } else {
        EXIT_OK
    }
}

/// One line: its decision as JSON, or an error object naming the line.
fn check_line(f: &Formulary, n: usize, line: &str) -> Result<String, String> {
    let error = |msg: String| {
        eprintln!("error: line {n}: {msg}");
        serde_json::json!({ "line": n, "error": msg }).to_string()
    };
    let rx = Prescription::from_str(line).map_err(|e| error(e.to_string()))?;
    serde_json::to_string(&check(f, &rx)).map_err(|e| error(e.to_string()))
}
