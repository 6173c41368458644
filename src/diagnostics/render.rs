//! Rendering diagnostics: miette's graphical report for people, and a flat
//! JSON shape for editors and CI tools.

use super::Diag;
use crate::span::Sources;
use miette::Diagnostic;
use serde::Serialize;

/// Renders diagnostics as miette reports, one after another, with a summary line.
/// `colour` selects ANSI colours; `width` wraps text. Feature `pretty`.
#[cfg(feature = "pretty")]
pub fn render_human(diags: &[Diag], sources: &Sources, colour: bool, width: usize) -> String {
    use miette::{GraphicalReportHandler, GraphicalTheme};
    let theme = if colour {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(width);
    let mut out = String::new();
    for d in diags {
        let report =
            miette::Report::new(d.error.clone()).with_source_code(sources.get(d.file).named());
        // Writing into a String cannot fail; a failure would only lose this one report.
        let _ = handler.render_report(&mut out, report.as_ref());
        out.push('\n');
    }
    let errors = diags.iter().filter(|d| d.is_error()).count();
    let warnings = diags.len() - errors;
    out.push_str(&format!("{errors} error(s), {warnings} warning(s)\n"));
    out
}

/// A diagnostic as tools see it.
#[derive(Debug, Serialize)]
pub struct JsonDiagnostic {
    /// Stable code, e.g. `E0201`.
    pub code: String,
    /// `error` or `warning`.
    pub severity: &'static str,
    /// The message.
    pub message: String,
    /// File name as given.
    pub file: String,
    /// One-based line of the primary label.
    pub line: u32,
    /// One-based column of the primary label.
    pub column: u32,
    /// Every label with its byte range.
    pub labels: Vec<JsonLabel>,
    /// Help text, if any.
    pub help: Option<String>,
}

/// A labelled byte range.
#[derive(Debug, Serialize)]
pub struct JsonLabel {
    /// Byte offset.
    pub start: usize,
    /// Byte offset one past the end.
    pub end: usize,
    /// One-based line.
    pub line: u32,
    /// One-based column.
    pub column: u32,
    /// The label text.
    pub text: Option<String>,
}

/// Diagnostics as JSON values for tools.
pub fn render_json(diags: &[Diag], sources: &Sources) -> Vec<JsonDiagnostic> {
    diags
        .iter()
        .map(|d| {
            let file = sources.get(d.file);
            let labels: Vec<JsonLabel> = d
                .error
                .labels()
                .into_iter()
                .flatten()
                .map(|l| {
                    let (line, column) = file.line_col(l.offset() as u32);
                    JsonLabel {
                        start: l.offset(),
                        end: l.offset() + l.len(),
                        line,
                        column,
                        text: l.label().map(str::to_string),
                    }
                })
                .collect();
            let (line, column) = labels.first().map(|l| (l.line, l.column)).unwrap_or((1, 1));
            JsonDiagnostic {
                code: d.code(),
                severity: if d.is_error() { "error" } else { "warning" },
                message: d.error.to_string(),
                file: file.name.to_string(),
                line,
                column,
                labels,
                help: d
                    .error
                    .help()
                    .map(|h| h.to_string())
                    .filter(|h| !h.is_empty()),
            }
        })
        .collect()
}
