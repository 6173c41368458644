//! Code actions: for an unknown drug, class or rule whose diagnostic says
//! "did you mean `x`?", a quick fix that writes `x` in its place. The
//! suggestion comes from the latest check of the formulary (the same one
//! the published diagnostic carries in `data`).

use super::diagnostics::SOURCE;
use super::navigation::Locator;
use super::{path_of, uri_of, Workspace};
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams, Diagnostic, Range, TextEdit,
    WorkspaceEdit,
};
use std::collections::HashMap;

/// The quick fixes for the diagnostics in a range.
pub fn quick_fixes(ws: &Workspace, p: CodeActionParams) -> Option<Vec<CodeActionOrCommand>> {
    let path = path_of(&p.text_document.uri)?;
    let (project, file) = ws.project_of(&path)?;
    let uri = uri_of(project.path(file))?;
    let mut at = Locator::new(project);
    let mut out = Vec::new();
    for d in project.diags.iter().filter(|d| d.file == file) {
        let Some((bytes, name)) = d.suggestion() else {
            continue;
        };
        let span = crate::span::Span::new(file, bytes.start, bytes.end);
        let range = at.range(span);
        if !overlaps(range, p.range) {
            continue;
        }
        let code = d.code();
        let shown: Option<Diagnostic> = p
            .context
            .diagnostics
            .iter()
            .find(|c| {
                c.range == range
                    && c.source.as_deref() == Some(SOURCE)
                    && c.code == Some(lsp_types::NumberOrString::String(code.clone()))
            })
            .cloned();
        let edit = TextEdit::new(range, name.to_string());
        out.push(CodeActionOrCommand::CodeAction(CodeAction {
            title: format!("Change to `{name}`"),
            kind: Some(CodeActionKind::QUICKFIX),
            diagnostics: shown.map(|d| vec![d]),
            edit: Some(WorkspaceEdit {
                changes: Some(HashMap::from([(uri.clone(), vec![edit])])),
                ..WorkspaceEdit::default()
            }),
            is_preferred: Some(true),
            ..CodeAction::default()
        }));
    }
    Some(out)
}

/// True when two ranges share a position (touching counts, so that a cursor
/// at either end of a name finds it).
fn overlaps(a: Range, b: Range) -> bool {
    a.start <= b.end && b.start <= a.end
}
