//! Go to definition and find references, for drugs, classes, rules and
//! tiers across every file of the formulary; definition on an include path
//! opens the included file.

use super::index::Symbol;
use super::position::LineIndex;
use super::workspace::Project;
use super::{locate, uri_of, Workspace};
use crate::span::{FileId, Span};
use lsp_types::{GotoDefinitionParams, GotoDefinitionResponse, Location, Range, ReferenceParams};
use rustc_hash::FxHashMap;

/// Where the name at a position is defined, or the file an include reads.
pub fn definition(ws: &Workspace, p: GotoDefinitionParams) -> Option<GotoDefinitionResponse> {
    let (project, file, offset) = locate(ws, &p.text_document_position_params)?;
    if let Some(sym) = project.index.at(file, offset) {
        let locs: Vec<Location> = project
            .index
            .defs(sym.kind, &sym.key)
            .filter_map(|d| location(project, d.span))
            .collect();
        return (!locs.is_empty()).then_some(GotoDefinitionResponse::Array(locs));
    }
    let inc = project.index.include_at(file, offset)?;
    let target = crate::compile::normalise(&project.path(file).parent()?.join(&inc.path));
    let uri = uri_of(&target)?;
    Some(GotoDefinitionResponse::Scalar(Location::new(
        uri,
        Range::default(),
    )))
}

/// Every place the name at a position is written; the definition too when
/// the editor asks for it.
pub fn references(ws: &Workspace, p: ReferenceParams) -> Option<Vec<Location>> {
    let (project, file, offset) = locate(ws, &p.text_document_position)?;
    let sym = project.index.at(file, offset)?;
    let with_def = p.context.include_declaration;
    Some(occurrences(project, sym, with_def))
}

/// The locations of every occurrence of `sym`'s name, in source order.
pub fn occurrences(project: &Project, sym: &Symbol, with_def: bool) -> Vec<Location> {
    let mut at = Locator::new(project);
    project
        .index
        .all(sym.kind, &sym.key)
        .filter(|s| with_def || !s.def)
        .filter_map(|s| at.location(s.span))
        .collect()
}

/// The LSP location of a span.
pub fn location(project: &Project, span: Span) -> Option<Location> {
    Locator::new(project).location(span)
}

/// Spans to locations, indexing each file's lines once.
pub struct Locator<'p> {
    project: &'p Project,
    lines: FxHashMap<FileId, LineIndex<'p>>,
}

impl<'p> Locator<'p> {
    /// A locator for the files of `project`.
    pub fn new(project: &'p Project) -> Self {
        Locator {
            project,
            lines: FxHashMap::default(),
        }
    }

    /// The range of a span in its file.
    pub fn range(&mut self, span: Span) -> Range {
        let p = self.project;
        self.lines
            .entry(span.file)
            .or_insert_with(|| LineIndex::new(&p.sources.get(span.file).text))
            .range(span)
    }

    /// The location of a span.
    pub fn location(&mut self, span: Span) -> Option<Location> {
        let uri = uri_of(self.project.path(span.file))?;
        Some(Location::new(uri, self.range(span)))
    }
}
