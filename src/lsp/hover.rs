//! Hover: on a drug, what `formulary explain` says about it (status, tier,
//! every edit and where each is written); on a class, rule or tier, its
//! definition, where it is written and how often it is used; on an include,
//! the file it reads.

use super::index::{Kind, Symbol};
use super::position::LineIndex;
use super::workspace::Project;
use super::{locate, Workspace};
use crate::report::{explain, status};
use crate::span::Span;
use lsp_types::{Hover, HoverContents, HoverParams, MarkupContent, MarkupKind};
use std::fmt::Write;

/// Lines of a definition shown at most.
const MAX_LINES: usize = 12;

/// The hover at a position, if it is on a name or an include.
pub fn hover(ws: &Workspace, p: HoverParams) -> Option<Hover> {
    let (project, file, offset) = locate(ws, &p.text_document_position_params)?;
    let index = LineIndex::new(&project.sources.get(file).text);
    if let Some(sym) = project.index.at(file, offset) {
        return Some(markdown(describe(project, sym), index.range(sym.span)));
    }
    let inc = project.index.include_at(file, offset)?;
    let dir = project.path(file).parent()?;
    let target = crate::compile::normalise(&dir.join(&inc.path));
    let text = match project.file_id(&target) {
        Some(id) => {
            let n = project
                .index
                .symbols
                .iter()
                .filter(|s| s.def && s.span.file == id)
                .count();
            format!("includes `{}`: {n} definitions", target.display())
        }
        None => format!("includes `{}` (not read)", target.display()),
    };
    Some(markdown(text, index.range(inc.span)))
}

fn markdown(value: String, range: lsp_types::Range) -> Hover {
    Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value,
        }),
        range: Some(range),
    }
}

/// The hover text of a name.
pub fn describe(p: &Project, sym: &Symbol) -> String {
    let mut o = String::new();
    if sym.kind == Kind::Drug {
        if let Some(text) = explained(p, &sym.key) {
            let _ = write!(o, "```text\n{text}```\n");
            return o;
        }
    }
    let defs: Vec<&Symbol> = p.index.defs(sym.kind, &sym.key).collect();
    let uses = p.index.all(sym.kind, &sym.key).filter(|s| !s.def).count();
    let _ = writeln!(o, "**{} `{}`**\n", sym.kind.words(), sym.key);
    match defs.first() {
        Some(d) => {
            let _ = write!(o, "```formulary\n{}```\n", definition_text(p, d.span));
            let _ = writeln!(o, "defined at {}", p.sources.location(d.span));
        }
        None => {
            let _ = writeln!(o, "not defined");
        }
    }
    let _ = writeln!(o, "\nused {uses} time(s)");
    if sym.kind == Kind::Drug && p.formulary.is_none() {
        let _ = writeln!(
            o,
            "\nthe formulary has errors: fix them to see this drug's rules"
        );
    }
    o
}

/// `explain` for a drug of a formulary that compiled.
fn explained(p: &Project, name: &str) -> Option<String> {
    let f = p.formulary.as_ref()?;
    let id = f.drug_by_name(name)?;
    let as_of = status::default_as_of(f).ok().flatten();
    Some(explain::explain(f, id, as_of))
}

/// The source of a definition: its line, and for a block the lines up to
/// its closing brace, at most [`MAX_LINES`].
fn definition_text(p: &Project, span: Span) -> String {
    let text = &p.sources.get(span.file).text;
    let start = text[..span.start as usize]
        .rfind('\n')
        .map(|i| i + 1)
        .unwrap_or(0);
    let mut out = String::new();
    let mut depth = 0i32;
    for (n, line) in text[start..].lines().enumerate() {
        if n == MAX_LINES {
            out.push_str("  …\n");
            break;
        }
        out.push_str(line);
        out.push('\n');
        let code = line.split('#').next().unwrap_or("");
        depth += code.matches('{').count() as i32 - code.matches('}').count() as i32;
        // A class block holds its drugs: its head line says enough.
        if depth <= 0 || code.trim_start().starts_with("class ") {
            break;
        }
    }
    out
}
