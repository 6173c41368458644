//! Rename a class, rule or drug everywhere it is written, across every file
//! of the formulary. The new name must be a name the grammar accepts, not a
//! keyword, and not already defined for the same kind of thing.

use super::completion::KEYWORDS;
use super::index::{Kind, Symbol};
use super::navigation::Locator;
use super::{locate, uri_of, Workspace};
use lsp_types::{PrepareRenameResponse, RenameParams, TextDocumentPositionParams, TextEdit};
use lsp_types::{Uri, WorkspaceEdit};
use std::collections::HashMap;

/// The range of the name that would be renamed, or why it cannot be.
pub fn prepare(
    ws: &Workspace,
    p: TextDocumentPositionParams,
) -> Result<Option<PrepareRenameResponse>, String> {
    let Some((project, file, offset)) = locate(ws, &p) else {
        return Ok(None);
    };
    let Some(sym) = project.index.at(file, offset) else {
        return Ok(None);
    };
    renamable(sym)?;
    let range = Locator::new(project).range(sym.span);
    Ok(Some(PrepareRenameResponse::Range(range)))
}

/// The edits that rename the name at a position.
#[allow(clippy::mutable_key_type)] // lsp-types keys edits by `Uri`, which caches its parts.
pub fn rename(ws: &Workspace, p: RenameParams) -> Result<Option<WorkspaceEdit>, String> {
    let Some((project, file, offset)) = locate(ws, &p.text_document_position) else {
        return Ok(None);
    };
    let Some(sym) = project.index.at(file, offset) else {
        return Ok(None);
    };
    renamable(sym)?;
    let new = p.new_name.trim();
    check_name(new)?;
    if new == sym.key {
        return Ok(None);
    }
    if project.index.defs(sym.kind, new).next().is_some() {
        return Err(format!("a {} `{new}` is already defined", sym.kind.words()));
    }
    let mut at = Locator::new(project);
    let mut changes: HashMap<Uri, Vec<TextEdit>> = HashMap::new();
    for occ in project.index.all(sym.kind, &sym.key) {
        let Some(uri) = uri_of(project.path(occ.span.file)) else {
            continue;
        };
        let range = at.range(occ.span);
        changes
            .entry(uri)
            .or_default()
            .push(TextEdit::new(range, new.to_string()));
    }
    Ok(Some(WorkspaceEdit {
        changes: Some(changes),
        ..WorkspaceEdit::default()
    }))
}

fn renamable(sym: &Symbol) -> Result<(), String> {
    match sym.kind {
        Kind::Tier => Err("tiers are named by their number; renumber them by hand".into()),
        Kind::Drug if sym.key.starts_with(|c: char| c.is_ascii_digit()) => {
            Err("a package is named by its NDC, which cannot be renamed".into())
        }
        _ => Ok(()),
    }
}

/// A name as the grammar reads one: a letter, then letters, digits, `-`
/// and `_`; not a keyword.
fn check_name(name: &str) -> Result<(), String> {
    let mut chars = name.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    let rest_ok = chars.all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !first_ok || !rest_ok {
        return Err(format!(
            "`{name}` is not a name: start with a letter, then letters, digits, `-` or `_`"
        ));
    }
    if KEYWORDS.contains(&name) {
        return Err(format!("`{name}` is a keyword"));
    }
    Ok(())
}
