//! Completion: the names that fit where the cursor is (rule names after
//! `pa` and `step`, tiers after `tier`, drugs after `of`, `brand of` and
//! `alternatives`, classes after `also in` and in step sets), products and
//! ingredients of the declared drug catalogs after `product` and
//! `ingredient`, and otherwise the keywords and every name in scope.

use super::index::Kind;
use super::workspace::Project;
use super::{locate, Workspace};
use crate::interop::catalog::Catalog;
use lsp_types::{
    CompletionItem, CompletionItemKind, CompletionParams, CompletionResponse, Documentation,
};
use std::path::Path;

pub use crate::syntax::KEYWORDS;

/// Catalog entries offered at most, so that a national catalog does not
/// flood the editor.
const MAX_CATALOG_ITEMS: usize = 200;

/// What fits at the cursor.
#[derive(Debug, PartialEq, Eq)]
enum Slot {
    Names(Kind),
    Catalog {
        ingredient: bool,
    },
    /// A new name is being written: nothing to offer.
    NewName,
    Anything,
}

/// The completion items at a position.
pub fn complete(ws: &Workspace, p: CompletionParams) -> Option<CompletionResponse> {
    let (project, file, offset) = locate(ws, &p.text_document_position)?;
    let text = &project.sources.get(file).text;
    let line_start = text[..offset].rfind('\n').map(|i| i + 1).unwrap_or(0);
    let before = &text[line_start..offset];
    let typed = before
        .rsplit(|c: char| c.is_whitespace() || c == ',')
        .next()
        .unwrap_or("");
    let words: Vec<&str> = before[..before.len() - typed.len()]
        .split_whitespace()
        .collect();
    let items = match slot(&words) {
        Slot::Names(kind) => names(project, kind),
        Slot::Catalog { ingredient } => {
            let dir = project.path(file).parent().unwrap_or(Path::new(""));
            catalog_items(ws, project, dir, ingredient, typed)
        }
        Slot::NewName => Vec::new(),
        Slot::Anything => {
            let mut v: Vec<CompletionItem> = KEYWORDS
                .iter()
                .map(|k| item(k, CompletionItemKind::KEYWORD, None))
                .collect();
            for kind in [Kind::Drug, Kind::Class, Kind::Pa, Kind::Step] {
                v.extend(names(project, kind));
            }
            v
        }
    };
    Some(CompletionResponse::Array(items))
}

/// Reads the words before the one being typed.
fn slot(words: &[&str]) -> Slot {
    // In a comma-separated list, the keyword before the list decides.
    let mut i = words.len();
    while i > 0 && words[i - 1].ends_with(',') {
        i -= 1;
    }
    let listed = i < words.len();
    let last = words.get(i.wrapping_sub(1)).copied();
    let at_start = i == 1;
    match (last, listed) {
        (Some("pa"), false) => Slot::Names(Kind::Pa),
        (Some("step"), false) if !at_start => Slot::Names(Kind::Step),
        (Some("tier"), false) if !at_start => Slot::Names(Kind::Tier),
        (Some("in"), _) => Slot::Names(Kind::Class),
        (Some("class"), false) if !at_start => Slot::Names(Kind::Class),
        (Some("of" | "alternatives"), _) => Slot::Names(Kind::Drug),
        (Some("ingredient"), false) if at_start => Slot::Catalog { ingredient: true },
        (Some("product"), false) if at_start => Slot::Catalog { ingredient: false },
        (Some("class" | "tier" | "package" | "authorization" | "therapy"), false) if at_start => {
            Slot::NewName
        }
        (Some("authorization" | "therapy"), false) => Slot::NewName,
        _ => Slot::Anything,
    }
}

fn names(project: &Project, kind: Kind) -> Vec<CompletionItem> {
    let item_kind = match kind {
        Kind::Drug => CompletionItemKind::VALUE,
        Kind::Class => CompletionItemKind::CLASS,
        Kind::Pa | Kind::Step => CompletionItemKind::FUNCTION,
        Kind::Tier => CompletionItemKind::ENUM_MEMBER,
    };
    project
        .index
        .names(kind)
        .into_iter()
        .map(|n| {
            let detail = match (kind, &project.formulary) {
                (Kind::Tier, Some(f)) => n
                    .parse()
                    .ok()
                    .and_then(|t| f.tier(t))
                    .map(|t| t.label.clone()),
                _ => Some(kind.words().to_string()),
            };
            item(n, item_kind, detail)
        })
        .collect()
}

fn item(label: &str, kind: CompletionItemKind, detail: Option<String>) -> CompletionItem {
    CompletionItem {
        label: label.to_string(),
        kind: Some(kind),
        detail,
        ..CompletionItem::default()
    }
}

/// Products (or ingredients) of the catalogs the formulary declares whose
/// name starts with what is typed, each completing to a name, its RxNorm
/// label and RxCUI.
fn catalog_items(
    ws: &Workspace,
    project: &Project,
    dir: &Path,
    ingredient: bool,
    typed: &str,
) -> Vec<CompletionItem> {
    let Some(f) = &project.formulary else {
        return Vec::new();
    };
    let typed = typed.to_lowercase();
    let mut out = Vec::new();
    for file in &f.catalog_files {
        let path = dir.join(file);
        let Ok(text) = ws.text(&path) else { continue };
        let Ok(catalog) = Catalog::parse(&path.display().to_string(), &text) else {
            continue;
        };
        let entries: Vec<(String, Option<u32>)> = if ingredient {
            let mut v: Vec<(String, Option<u32>)> = catalog
                .products
                .values()
                .flat_map(|p| p.ingredients.iter().map(|i| (i.name.clone(), i.rxcui)))
                .collect();
            v.sort();
            v.dedup();
            v
        } else {
            catalog
                .products
                .values()
                .map(|p| (p.name.clone(), Some(p.rxcui)))
                .collect()
        };
        for (name, rxcui) in entries {
            let ident = identifier(&name);
            let usable = ident.starts_with(|c: char| c.is_ascii_alphabetic())
                && !KEYWORDS.contains(&ident.as_str());
            if !usable || !ident.starts_with(&typed) || f.drug_by_name(&ident).is_some() {
                continue;
            }
            let insert = match rxcui {
                Some(r) => format!("{ident} \"{name}\" rxcui {r}"),
                None => format!("{ident} \"{name}\""),
            };
            out.push(CompletionItem {
                label: ident,
                kind: Some(CompletionItemKind::VALUE),
                detail: Some(name),
                documentation: Some(Documentation::String(format!("from catalog {file}"))),
                insert_text: Some(insert),
                ..CompletionItem::default()
            });
            if out.len() == MAX_CATALOG_ITEMS {
                return out;
            }
        }
    }
    out
}

/// A drug name made from an RxNorm name: lower case, words joined by `-`.
fn identifier(name: &str) -> String {
    let mut out = String::new();
    for word in name
        .split(|c: char| !c.is_ascii_alphanumeric() && c != '.')
        .filter(|w| !w.is_empty())
    {
        if !out.is_empty() {
            out.push('-');
        }
        out.push_str(&word.to_ascii_lowercase().replace('.', "_"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_words_before_the_cursor_choose_what_fits() {
        let s = |line: &str| slot(&line.split_whitespace().collect::<Vec<_>>());
        assert_eq!(s("  product x rxcui 1 pa"), Slot::Names(Kind::Pa));
        assert_eq!(s("  product x rxcui 1 step"), Slot::Names(Kind::Step));
        assert_eq!(s("  ingredient x tier"), Slot::Names(Kind::Tier));
        assert_eq!(s("  product x of a,"), Slot::Names(Kind::Drug));
        assert_eq!(s("  product x also in c1, c2,"), Slot::Names(Kind::Class));
        assert_eq!(s("  tried any 1 of class"), Slot::Names(Kind::Class));
        assert_eq!(s("  product"), Slot::Catalog { ingredient: false });
        assert_eq!(s("class"), Slot::NewName);
        assert_eq!(s("step therapy"), Slot::NewName);
        assert_eq!(s("  product x"), Slot::Anything);
        assert_eq!(
            identifier("lisinopril 10 MG Oral Tablet"),
            "lisinopril-10-mg-oral-tablet"
        );
    }
}
