//! Errors and warnings about a formulary's source, with stable codes, spans,
//! labels and help; and their rendering for people (miette) and tools (JSON).
//!
//! Codes: `E00xx` syntax and files, `E01xx` values, `E02xx` names,
//! `E03xx` the rule graph, `W00xx` file warnings, `W03xx` warnings. docs/diagnostics.md explains each.

mod kinds;
mod render;

pub use kinds::Error;
#[cfg(feature = "pretty")]
pub use render::render_human;
pub use render::{render_json, JsonDiagnostic};

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

    /// The name a "did you mean" help suggests in place of an unknown drug,
    /// class or rule, with the byte range of the name it would replace.
    pub fn suggestion(&self) -> Option<(std::ops::Range<usize>, &str)> {
        let (at, help) = match &self.error {
            Error::UnknownDrug { at, help, .. }
            | Error::UnknownClass { at, help, .. }
            | Error::UnknownRule { at, help, .. } => (at, help),
            _ => return None,
        };
        let name = suggested_name(help)?;
        Some((at.offset()..at.offset() + at.len(), name))
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
        Some((_, c)) => format!("{DID_YOU_MEAN}`{c}`?"),
        None => String::new(),
    }
}

const DID_YOU_MEAN: &str = "did you mean ";

/// The name in a help text written by [`did_you_mean`].
fn suggested_name(help: &str) -> Option<&str> {
    help.strip_prefix(DID_YOU_MEAN)?
        .strip_prefix('`')?
        .strip_suffix("`?")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_suggested_name_is_read_back_from_the_help() {
        let help = did_you_mean("ing1", ["ing0", "other"]);
        let diag = Diag::at(
            Span::new(FileId(0), 10, 14),
            Error::UnknownDrug {
                name: "ing1".into(),
                at: (10, 4).into(),
                help,
            },
        );
        assert_eq!(diag.suggestion(), Some((10..14, "ing0")));
        let none = Diag::at(
            Span::new(FileId(0), 10, 14),
            Error::UnknownClass {
                name: "zzz".into(),
                at: (10, 3).into(),
                help: did_you_mean("zzz", ["ing0"]),
            },
        );
        assert_eq!(none.suggestion(), None);
    }
}
