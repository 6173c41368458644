//! Errors and warnings about a formulary's source, with stable codes, spans,
//! labels and help; and their rendering for people (miette) and tools (JSON).
//!
//! Codes: `E00xx` syntax and files, `E01xx` values, `E02xx` names,
//! `E03xx` the rule graph, `W00xx` file warnings, `W03xx` warnings. docs/diagnostics.md explains each.

mod kinds;
mod render;

pub use kinds::Error;
pub use render::{render_human, render_json, JsonDiagnostic};

use crate::span::{FileId, Span};
use miette::Diagnostic as _;

/// One diagnostic, in the file it belongs to.
#[derive(Debug, Clone)]
pub struct Diag {
    /// File whose text the labels point into.
    pub file: FileId,
    /// What is wrong.
    pub error: Error,
}

impl Diag {
    /// A diagnostic in the file of `span`.
    pub fn at(span: Span, error: Error) -> Self {
        Diag {
            file: span.file,
            error,
        }
    }

    /// True for errors, false for warnings.
    pub fn is_error(&self) -> bool {
        !matches!(self.error.severity(), Some(miette::Severity::Warning))
    }

    /// The stable code, e.g. `E0201`.
    pub fn code(&self) -> String {
        let full = self.error.code().map(|c| c.to_string()).unwrap_or_default();
        full.rsplit("::").next().unwrap_or_default().to_string()
    }

    /// First labelled byte offset, for sorting.
    fn offset(&self) -> usize {
        self.error
            .labels()
            .and_then(|mut l| l.next())
            .map(|l| l.offset())
            .unwrap_or(0)
    }
}

/// Sorts diagnostics by file and position so output is stable.
pub fn sort(diags: &mut [Diag]) {
    diags.sort_by_key(|d| (d.file, d.offset(), d.code()));
}

/// Suggests the closest of `candidates` to `name`, for "did you mean" help.
pub fn did_you_mean<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    let best = candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(name, c), c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)));
    match best {
        Some((_, c)) => format!("did you mean `{c}`?"),
        None => String::new(),
    }
}
