//! Name references (E02xx): tiers, drugs, classes and rules looked up among the declared names, and drug kinds checked.

use super::drugs::kind_phrase;
use super::{suggest, Builder, Decls};
use crate::ast::{Clause, DrugKind};
use crate::codes::Ndc;
use crate::compile::model::*;
use crate::diagnostics::Error;
use crate::span::Spanned;

impl Builder<'_> {
    pub(super) fn tier_ref(&mut self, n: &Spanned<u64>) -> u32 {
        let num = n.node.min(u32::MAX as u64) as u32;
        if !self.tier_numbers.contains_key(&num) {
            let mut known: Vec<u32> = self.tier_numbers.keys().copied().collect();
            known.sort_unstable();
            let list = known
                .iter()
                .map(u32::to_string)
                .collect::<Vec<_>>()
                .join(", ");
            self.err(
                n.span,
                Error::UnknownTier {
                    number: n.node,
                    at: n.span.source_span(),
                    help: if list.is_empty() {
                        "define it with `tier N \"Label\" copay $5`".to_string()
                    } else {
                        format!("the tiers defined are {list}")
                    },
                },
            );
        }
        num
    }

    pub(super) fn drug_ref(&mut self, n: &Spanned<String>) -> Option<(DrugId, DrugKind)> {
        let key = match Ndc::parse(&n.node) {
            Ok(ndc) if n.node.starts_with(|c: char| c.is_ascii_digit()) => ndc.to_string(),
            _ => n.node.clone(),
        };
        if let Some((id, kind, _)) = self.drug_ids.get(&key) {
            return Some((*id, *kind));
        }
        let mut help = suggest(
            &mut self.suggestions_left,
            &n.node,
            self.drug_ids.keys().map(String::as_str),
        );
        if help.is_empty() {
            help =
                "define it with `ingredient NAME rxcui N` or `product NAME rxcui N of INGREDIENT`"
                    .to_string();
        }
        self.err(
            n.span,
            Error::UnknownDrug {
                name: n.node.clone(),
                at: n.span.source_span(),
                help,
            },
        );
        None
    }

    pub(super) fn class_ref(&mut self, n: &Spanned<String>) -> Option<ClassId> {
        if let Some((id, _)) = self.class_ids.get(&n.node) {
            return Some(*id);
        }
        let mut help = suggest(
            &mut self.suggestions_left,
            &n.node,
            self.class_ids.keys().map(String::as_str),
        );
        if help.is_empty() {
            help = "define it with `class NAME \"Label\" { ... }`".to_string();
        }
        self.err(
            n.span,
            Error::UnknownClass {
                name: n.node.clone(),
                at: n.span.source_span(),
                help,
            },
        );
        None
    }

    pub(super) fn rule_ref<I>(
        &mut self,
        n: &Spanned<String>,
        kind: &'static str,
        keyword: &'static str,
        pa: bool,
    ) -> Option<I>
    where
        I: FromRule + Copy,
    {
        let found = if pa {
            self.pa_ids.get(&n.node).map(|(id, _)| I::from_index(id.0))
        } else {
            self.step_ids
                .get(&n.node)
                .map(|(id, _)| I::from_index(id.0))
        };
        if found.is_some() {
            return found;
        }
        let names: Vec<&str> = if pa {
            self.pa_ids.keys().map(String::as_str).collect()
        } else {
            self.step_ids.keys().map(String::as_str).collect()
        };
        let mut help = suggest(&mut self.suggestions_left, &n.node, names.into_iter());
        if help.is_empty() {
            help = format!("define it with `{keyword} {} {{ ... }}`", n.node);
        }
        self.err(
            n.span,
            Error::UnknownRule {
                kind,
                name: n.node.clone(),
                at: n.span.source_span(),
                help,
            },
        );
        None
    }

    /// Kinds of drug references: `of` on a product names ingredients, on a
    /// package a product; `brand of` names a product.
    pub(super) fn check_drug_kinds(&mut self, decl: &Decls, drugs: &mut [Drug]) {
        for (d, _) in &decl.drugs {
            for c in &d.clauses {
                let (names, expected, want, help): (&[Spanned<String>], &'static str, DrugKind, &'static str) = match (&c.node, d.kind) {
                    (Clause::Of(list), DrugKind::Product) => (list, "an ingredient", DrugKind::Ingredient, "a product is `of` its ingredients"),
                    (Clause::Of(list), DrugKind::Package) => (list, "a product", DrugKind::Product, "a package is `of` one product"),
                    (Clause::BrandOf(n), DrugKind::Product) => (std::slice::from_ref(n), "a product", DrugKind::Product, "`brand of` names the generic product with the same ingredient, strength and form"),
                    _ => continue,
                };
                for n in names {
                    if let Some((_, kind, _)) = self.drug_ids.get(&n.node).copied() {
                        if kind != want {
                            self.err(
                                n.span,
                                Error::WrongKind {
                                    name: n.node.clone(),
                                    found: kind_phrase(kind),
                                    expected,
                                    at: n.span.source_span(),
                                    help,
                                },
                            );
                        }
                    }
                }
            }
        }
        let _ = drugs;
    }
}

/// Ids from rule indexes, so `rule_ref` serves both kinds.
pub(super) trait FromRule {
    fn from_index(i: u32) -> Self;
}
impl FromRule for PaId {
    fn from_index(i: u32) -> Self {
        PaId(i)
    }
}
impl FromRule for StepId {
    fn from_index(i: u32) -> Self {
        StepId(i)
    }
}
