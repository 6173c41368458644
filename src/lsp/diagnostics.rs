//! Compiler diagnostics as LSP diagnostics: the same codes, messages and
//! help as `formulary validate`, ranges in UTF-16, secondary labels as
//! related information, and a "did you mean" suggestion carried in `data`
//! for the quick fix.

use super::position::LineIndex;
use super::workspace::Project;
use super::{uri_of, Uri};
use crate::diagnostics::Diag;
use crate::span::FileId;
use lsp_types::{
    Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString,
};
use miette::Diagnostic as _;
use std::collections::BTreeMap;

/// The `source` of every diagnostic this server publishes.
pub const SOURCE: &str = "formulary";

/// The diagnostics of each file of a formulary, every file present (an
/// empty list clears what an editor shows).
pub fn by_file(p: &Project) -> BTreeMap<FileId, Vec<Diagnostic>> {
    let mut out: BTreeMap<FileId, Vec<Diagnostic>> = p
        .paths
        .iter()
        .enumerate()
        .map(|(i, _)| (FileId(i as u32), Vec::new()))
        .collect();
    for d in &p.diags {
        if let Some(list) = out.get_mut(&d.file) {
            list.push(convert(p, d));
        }
    }
    out
}

fn convert(p: &Project, d: &Diag) -> Diagnostic {
    let file = p.sources.get(d.file);
    let index = LineIndex::new(&file.text);
    let labels: Vec<_> = d.error.labels().into_iter().flatten().collect();
    let range = labels
        .first()
        .map(|l| index.range_of(l.offset(), l.offset() + l.len()))
        .unwrap_or_default();
    let mut message = d.error.to_string();
    if let Some(text) = labels.first().and_then(|l| l.label()) {
        message.push_str(&format!(" ({text})"));
    }
    if let Some(help) = d.error.help().map(|h| h.to_string()) {
        if !help.is_empty() {
            message.push_str("\nhelp: ");
            message.push_str(&help);
        }
    }
    let uri: Option<Uri> = uri_of(p.path(d.file));
    let related: Vec<DiagnosticRelatedInformation> = match &uri {
        Some(uri) => labels
            .iter()
            .skip(1)
            .map(|l| DiagnosticRelatedInformation {
                location: Location::new(
                    uri.clone(),
                    index.range_of(l.offset(), l.offset() + l.len()),
                ),
                message: l.label().unwrap_or("here").to_string(),
            })
            .collect(),
        None => Vec::new(),
    };
    Diagnostic {
        range,
        severity: Some(if d.is_error() {
            DiagnosticSeverity::ERROR
        } else {
            DiagnosticSeverity::WARNING
        }),
        code: Some(NumberOrString::String(d.code())),
        source: Some(SOURCE.to_string()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        data: d
            .suggestion()
            .map(|(_, name)| serde_json::json!({ "replace_with": name })),
        ..Diagnostic::default()
    }
}
