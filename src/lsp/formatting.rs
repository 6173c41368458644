//! Formatting through the formatter of `formulary fmt`: the whole document
//! in the canonical layout, or a refusal (with the formatter's reason) when
//! the file has syntax errors or would not mean the same.

use super::position::LineIndex;
use super::{path_of, Workspace};
use lsp_types::{DocumentFormattingParams, TextEdit};

/// The edits that format a document: none when it is already formatted.
pub fn format(ws: &Workspace, p: DocumentFormattingParams) -> Result<Vec<TextEdit>, String> {
    let path = path_of(&p.text_document.uri).ok_or("only file: documents can be formatted")?;
    let text = ws
        .text(&path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let formatted = crate::fmt::format_source(&text).map_err(|e| e.to_string())?;
    if formatted == text {
        return Ok(Vec::new());
    }
    let range = LineIndex::new(&text).full_range();
    Ok(vec![TextEdit::new(range, formatted)])
}
