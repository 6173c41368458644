//! Interchange with other formats, beside the pipeline: drug catalogs that
//! extend a compiled formulary's codes ([`catalog`]), the CMS Part D formulary
//! files turned into formulary source ([`cms`]), and FHIR US Drug Formulary
//! bundles written from and read back into formulary source ([`fhir`]).
//!
//! Importers do not build a [`Formulary`](crate::Formulary) directly: they
//! write source text in the language ([`source`]), so what they produce is
//! reviewed, versioned and compiled like a hand-written file. Nothing here
//! reads or writes files; the CLI hands in bytes and writes the results.

pub mod catalog;
#[cfg(feature = "cli")]
pub mod cms;
pub mod fhir;
#[cfg(feature = "cli")]
pub mod plans;
pub mod source;

/// Lookback of the step therapy rules an import writes for drugs flagged
/// with step therapy but no published prerequisites (CMS, FHIR).
pub const STEP_LOOKBACK_DAYS: u32 = 365;

pub use catalog::{AttachReport, Catalog, CatalogError};

/// A fault in an input file, located by line and, where one field is at
/// fault, by column (one-based field number and its header name).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}{}{}: {message}",
    if *line > 0 { format!(":{line}") } else { String::new() },
    column.as_ref().map(|(n, h)| format!(": column {n} ({h})")).unwrap_or_default())]
pub struct RowError {
    /// File name as given.
    pub file: String,
    /// One-based line; 0 when the fault has no line (the message then says where).
    pub line: u64,
    /// One-based field number and its header name.
    pub column: Option<(usize, String)>,
    /// What is wrong.
    pub message: String,
}

/// Every fault found in one input file, for an import that was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", render_errors(.errors, *.total))]
pub struct ImportError {
    /// The first faults found, in file order.
    pub errors: Vec<RowError>,
    /// How many faults there were in all (more than `errors` holds when many).
    pub total: usize,
}

/// At most this many faults are kept for the report; the rest are counted.
pub const MAX_REPORTED: usize = 50;

impl ImportError {
    /// A single fault.
    pub fn one(e: RowError) -> ImportError {
        ImportError {
            errors: vec![e],
            total: 1,
        }
    }
}

fn render_errors(errors: &[RowError], total: usize) -> String {
    let mut s: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
    if total > errors.len() {
        s.push(format!("... and {} more", total - errors.len()));
    }
    s.join("\n")
}

/// Collects row faults up to [`MAX_REPORTED`], counting the rest.
#[derive(Debug, Default)]
pub(crate) struct Faults {
    errors: Vec<RowError>,
    total: usize,
}

impl Faults {
    pub(crate) fn push(&mut self, e: RowError) {
        self.total += 1;
        if self.errors.len() < MAX_REPORTED {
            self.errors.push(e);
        }
    }
    pub(crate) fn is_empty(&self) -> bool {
        self.total == 0
    }
    pub(crate) fn into_result<T>(self, ok: T) -> Result<T, ImportError> {
        if self.total == 0 {
            Ok(ok)
        } else {
            Err(self.into_error())
        }
    }
    pub(crate) fn into_error(self) -> ImportError {
        ImportError {
            errors: self.errors,
            total: self.total,
        }
    }
}
