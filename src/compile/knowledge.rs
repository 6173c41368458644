//! Stage 2, after resolving: a drug knowledge file's codes made to resolve
//! to the formulary's rules, package → product → ingredients, and every
//! place where the knowledge file and the formulary disagree reported
//! (`W0306`). The one type this reads from `rxnorm` is [`Knowledge`].
//!
//! A product the formulary lists keeps its entry. Otherwise a product of one
//! ingredient resolves to that ingredient's entry; a product of several
//! resolves to the `combination` of exactly those ingredients, or to nothing
//! (reject MR): never to one of its ingredients. An NDC resolves to what its
//! product resolves to. Codes the formulary (or a catalog) already maps are
//! never overridden.

use super::model::{DrugId, Formulary};
use super::resolve::combination_index;
use crate::ast::DrugKind;
use crate::diagnostics::{Diag, Error};
use crate::rxnorm::Knowledge;
use std::collections::hash_map::Entry;

/// What attaching a drug knowledge file did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct KnowledgeReport {
    /// Products the formulary lists itself.
    pub products_listed: usize,
    /// Products resolved to an ingredient's entry.
    pub products_by_ingredient: usize,
    /// Products resolved to a `combination` entry.
    pub products_by_combination: usize,
    /// Products of several ingredients with no entry for that combination.
    pub combinations_left_out: usize,
    /// Products with no entry at any level.
    pub products_unmatched: usize,
    /// NDCs newly recognised.
    pub ndcs_added: usize,
}

/// Attaches `k` to `f`; disagreements are pushed to `diags` as warnings.
pub(super) fn attach(f: &mut Formulary, k: &Knowledge, diags: &mut Vec<Diag>) -> KnowledgeReport {
    let mut report = KnowledgeReport::default();
    let combos = combination_index(&f.drugs);
    for (&rxcui, p) in &k.products {
        if let Some(&listed) = f.by_rxcui.get(&rxcui) {
            report.products_listed += 1;
            check_listed_product(f, k, rxcui, listed, diags);
            continue;
        }
        let ings: Option<Vec<DrugId>> =
            p.ingredients.iter().map(|i| ingredient(f, k, *i)).collect();
        let target = match (p.ingredients.len(), ings) {
            (1, Some(one)) => {
                report.products_by_ingredient += 1;
                one.first().copied()
            }
            (n, Some(mut set)) if n > 1 => {
                set.sort_unstable_by_key(|d| d.0);
                set.dedup();
                let c = combos.get(&set).copied();
                match c {
                    Some(_) => report.products_by_combination += 1,
                    None => report.combinations_left_out += 1,
                }
                c
            }
            (n, None) if n > 1 => {
                report.combinations_left_out += 1;
                None
            }
            _ => None,
        };
        match target {
            Some(t) => {
                f.by_rxcui.insert(rxcui, t);
            }
            None => report.products_unmatched += 1,
        }
    }
    for (ndc, product) in &k.ndcs {
        let target = f.by_rxcui.get(product).copied();
        match f.by_ndc.entry(*ndc) {
            Entry::Occupied(e) => {
                let listed = *e.get();
                check_listed_ndc(f, k, *ndc, *product, listed, diags);
            }
            Entry::Vacant(v) => {
                if let Some(t) = target {
                    v.insert(t);
                    report.ndcs_added += 1;
                }
            }
        }
    }
    report
}

/// The formulary's ingredient entry for an IN of the knowledge file: by
/// RxCUI, else by name (lower case, spaces as `-`).
fn ingredient(f: &Formulary, k: &Knowledge, rxcui: u32) -> Option<DrugId> {
    let is_ingredient = |d: &DrugId| f.drug(*d).kind == DrugKind::Ingredient;
    f.by_rxcui
        .get(&rxcui)
        .copied()
        .filter(is_ingredient)
        .or_else(|| {
            let name = k
                .ingredients
                .get(&rxcui)?
                .trim()
                .to_lowercase()
                .replace(' ', "-");
            f.by_name.get(&name).copied().filter(is_ingredient)
        })
}

/// A product the formulary lists by RxCUI: its `of` ingredients must be the
/// knowledge file's (compared by RxCUI, where the formulary gives them).
fn check_listed_product(
    f: &Formulary,
    k: &Knowledge,
    rxcui: u32,
    listed: DrugId,
    diags: &mut Vec<Diag>,
) {
    let d = f.drug(listed);
    if d.kind != DrugKind::Product || d.ingredients.is_empty() {
        return;
    }
    let Some(p) = k.products.get(&rxcui) else {
        return;
    };
    let mut mine: Vec<u32> = match d
        .ingredients
        .iter()
        .map(|i| f.drug(*i).rxcui)
        .collect::<Option<Vec<u32>>>()
    {
        Some(v) => v,
        None => return,
    };
    mine.sort_unstable();
    mine.dedup();
    if mine != p.ingredients {
        let names = k.ingredient_names(p).join(", ");
        let written: Vec<&str> = d
            .ingredients
            .iter()
            .map(|i| f.drug(*i).name.as_str())
            .collect();
        diags.push(disagreement(
            f,
            listed,
            format!(
                "RxCUI {rxcui} is `{}` in the drug knowledge file, of {names}; the formulary lists `{}` of {}",
                p.name,
                d.name,
                written.join(", ")
            ),
        ));
    }
}

/// An NDC the formulary lists: its product must be the knowledge file's.
fn check_listed_ndc(
    f: &Formulary,
    k: &Knowledge,
    ndc: crate::codes::Ndc,
    product: u32,
    listed: DrugId,
    diags: &mut Vec<Diag>,
) {
    let d = f.drug(listed);
    if !d.ndcs.contains(&ndc) {
        // Mapped by a catalog, not written in the formulary.
        return;
    }
    let owner = match d.kind {
        DrugKind::Package => d.product,
        DrugKind::Product => Some(listed),
        _ => None,
    };
    let Some(owner_rxcui) = owner.and_then(|o| f.drug(o).rxcui) else {
        return;
    };
    if owner_rxcui == product {
        return;
    }
    let name = k
        .products
        .get(&product)
        .map(|p| p.name.as_str())
        .unwrap_or("?");
    diags.push(disagreement(
        f,
        listed,
        format!(
            "NDC {} belongs to RxCUI {product} (`{name}`) in the drug knowledge file; the formulary lists it under `{}` (RxCUI {owner_rxcui})",
            ndc.dashed(),
            f.drug(owner.unwrap_or(listed)).name
        ),
    ));
}

fn disagreement(f: &Formulary, at: DrugId, detail: String) -> Diag {
    let d = f.drug(at);
    Diag::at(
        d.span,
        Error::KnowledgeDisagrees {
            drug: d.name.clone(),
            detail,
            at: d.span.source_span(),
        },
    )
}
