//! Document symbols: the outline of one file — its header, tiers, classes
//! (with their nested classes and drugs), and prior authorization and step
//! therapy rules.

use super::position::LineIndex;
use super::{path_of, Workspace};
use crate::ast::{DrugKind, Item};
use crate::span::Span;
use lsp_types::{DocumentSymbol, DocumentSymbolParams, DocumentSymbolResponse, SymbolKind};

/// The outline of a document.
pub fn outline(ws: &Workspace, p: DocumentSymbolParams) -> Option<DocumentSymbolResponse> {
    let path = path_of(&p.text_document.uri)?;
    let text = ws.text(&path).ok()?;
    // The file on its own: its outline does not depend on the formulary.
    let (tree, _) = crate::syntax::parse(crate::span::FileId(0), &text);
    let index = LineIndex::new(&text);
    Some(DocumentSymbolResponse::Nested(items(
        &index,
        &text,
        &tree.items,
    )))
}

fn items(index: &LineIndex, text: &str, items: &[Item]) -> Vec<DocumentSymbol> {
    items
        .iter()
        .filter_map(|i| item_symbol(index, text, i))
        .collect()
}

/// The outline entry of a header, tier, class or drug; the others are
/// [`block_symbol`]'s.
fn item_symbol(index: &LineIndex, text: &str, item: &Item) -> Option<DocumentSymbol> {
    let sym = match item {
        Item::Header(h) => symbol(
            index,
            h.name.node.clone(),
            Some("formulary".into()),
            SymbolKind::MODULE,
            h.span,
            h.name.span,
            None,
        ),
        Item::Tier(t) => symbol(
            index,
            format!("tier {}", t.number.node),
            Some(t.label.node.clone()),
            SymbolKind::ENUM_MEMBER,
            t.span,
            t.number.span,
            None,
        ),
        Item::Class(c) => {
            let children = self::items(index, text, &c.items);
            symbol(
                index,
                c.name.node.clone(),
                c.label.as_ref().map(|l| l.node.clone()),
                SymbolKind::CLASS,
                block(text, c.span),
                c.name.span,
                Some(children),
            )
        }
        Item::Drug(d) => symbol(
            index,
            d.name.node.clone(),
            Some(d.kind.as_str().into()),
            match d.kind {
                DrugKind::Ingredient => SymbolKind::CONSTANT,
                DrugKind::Product | DrugKind::Package => SymbolKind::VARIABLE,
            },
            d.span,
            d.name.span,
            None,
        ),
        other => return block_symbol(index, text, other),
    };
    Some(sym)
}

/// The outline entry of a rule or the benefit block.
fn block_symbol(index: &LineIndex, text: &str, item: &Item) -> Option<DocumentSymbol> {
    let sym = match item {
        Item::Pa(r) => symbol(
            index,
            r.name.node.clone(),
            Some("prior authorization".into()),
            SymbolKind::FUNCTION,
            block(text, r.span),
            r.name.span,
            None,
        ),
        Item::Step(r) => symbol(
            index,
            r.name.node.clone(),
            Some("step therapy".into()),
            SymbolKind::FUNCTION,
            block(text, r.span),
            r.name.span,
            None,
        ),
        Item::Benefit(b) => symbol(
            index,
            b.standard
                .as_ref()
                .map(|n| n.node.clone())
                .unwrap_or_else(|| "benefit".into()),
            Some("benefit".into()),
            SymbolKind::STRUCT,
            b.full,
            b.span,
            None,
        ),
        _ => return None,
    };
    Some(sym)
}

/// A block statement's span runs over its head; the outline wants it to
/// the closing brace.
fn block(text: &str, head: Span) -> Span {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut in_comment = false;
    for (i, b) in text.bytes().enumerate().skip(head.start as usize) {
        match b {
            b'\n' => {
                in_comment = false;
                in_string = false;
            }
            _ if in_comment => {}
            b'"' => in_string = !in_string,
            _ if in_string => {}
            b'#' => in_comment = true,
            b'{' => depth += 1,
            b'}' if depth == 1 => return Span::new(head.file, head.start as usize, i + 1),
            b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    head
}

/// A span without the white space and comments that end it.
fn trimmed(index: &LineIndex, span: Span) -> Span {
    let text = index.text();
    let inner = &text[span.start as usize..span.end as usize];
    let mut end = inner.trim_end().len();
    // A trailing comment line belongs to what follows.
    while let Some(nl) = inner[..end].rfind('\n') {
        if !inner[nl + 1..end].trim_start().starts_with('#') {
            break;
        }
        end = inner[..nl].trim_end().len();
    }
    Span::new(span.file, span.start as usize, span.start as usize + end)
}

#[allow(deprecated)] // `deprecated` is a required field of the type.
fn symbol(
    index: &LineIndex,
    name: String,
    detail: Option<String>,
    kind: SymbolKind,
    span: Span,
    name_span: Span,
    children: Option<Vec<DocumentSymbol>>,
) -> DocumentSymbol {
    DocumentSymbol {
        name,
        detail,
        kind,
        tags: None,
        deprecated: None,
        range: index.range(trimmed(index, span.to(name_span))),
        selection_range: index.range(name_span),
        children,
    }
}
