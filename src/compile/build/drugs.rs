//! Classes and drugs: identity clauses (rxcui, ndc, of, brand of), unique codes and the clauses each kind allows.

use super::Builder;
use crate::ast::{self, Clause, DrugKind};
use crate::codes::{parse_rxcui, Ndc};
use crate::compile::model::*;
use crate::diagnostics::Error;
use crate::span::{Span, Spanned};
use rustc_hash::FxHashMap;

impl Builder<'_> {
    pub(super) fn class(&mut self, c: &ast::ClassDef, parent: Option<ClassId>) -> Class {
        let clauses = self.rule_clauses(&c.name.node, &c.clauses, "a class");
        Class {
            name: c.name.node.clone(),
            label: c
                .label
                .as_ref()
                .map(|l| l.node.clone())
                .unwrap_or_else(|| c.name.node.clone()),
            parent,
            clauses,
            members: Vec::new(),
            children: Vec::new(),
            origin: self.origin(c.span),
            span: c.span,
        }
    }

    pub(super) fn drug(&mut self, d: &ast::DrugDef, class: Option<ClassId>) -> Drug {
        let clauses = self.rule_clauses(&d.name.node, &d.clauses, d.kind.as_str());
        let mut drug = Drug {
            kind: d.kind,
            name: if d.kind == DrugKind::Package {
                drug_key(d)
            } else {
                d.name.node.clone()
            },
            label: d
                .label
                .as_ref()
                .map(|l| l.node.clone())
                .unwrap_or_else(|| d.name.node.clone()),
            rxcui: None,
            ndcs: Vec::new(),
            ingredients: Vec::new(),
            product: None,
            brand_of: None,
            class,
            also_in: Vec::new(),
            alternatives: Vec::new(),
            clauses,
            origin: self.origin(d.span),
            span: d.name.span,
        };
        let mut seen: FxHashMap<&'static str, Span> = FxHashMap::default();
        for c in &d.clauses {
            let kw = identity_keyword(&c.node);
            if !kw.is_empty() {
                if let Some(first) = seen.get(kw) {
                    self.err(
                        c.span,
                        Error::RepeatedClause {
                            clause: kw,
                            first: first.source_span(),
                            again: c.span.source_span(),
                        },
                    );
                }
                seen.insert(kw, c.span);
            }
            match &c.node {
                Clause::Rxcui(r) => {
                    if d.kind == DrugKind::Package {
                        self.not_allowed(
                            c.span,
                            "rxcui",
                            "a package",
                            "a package is identified by its NDC; put the RxCUI on its product",
                        );
                    }
                    match parse_rxcui(&r.node) {
                        Ok(v) => drug.rxcui = Some(v),
                        Err(_) => self.err(
                            r.span,
                            Error::BadRxcui {
                                rxcui: r.node.clone(),
                                at: r.span.source_span(),
                            },
                        ),
                    }
                }
                Clause::Ndc(list) => {
                    if d.kind != DrugKind::Product {
                        self.not_allowed(
                            c.span,
                            "ndc",
                            kind_phrase(d.kind),
                            "list NDCs on a product, or write `package NDC of PRODUCT`",
                        );
                    }
                    for n in list {
                        if let Some(ndc) = self.ndc(n) {
                            drug.ndcs.push(ndc);
                        }
                    }
                }
                Clause::Of(list) => {
                    if d.kind == DrugKind::Ingredient {
                        self.not_allowed(
                            c.span,
                            "of",
                            "an ingredient",
                            "`of` gives a product's ingredients or a package's product",
                        );
                    }
                    for n in list {
                        if let Some((id, _)) = self.drug_ref(n) {
                            if d.kind == DrugKind::Package {
                                drug.product = Some(id);
                            } else {
                                drug.ingredients.push(id);
                            }
                        }
                    }
                }
                Clause::BrandOf(n) => {
                    if d.kind != DrugKind::Product {
                        self.not_allowed(
                            c.span,
                            "brand of",
                            kind_phrase(d.kind),
                            "`brand of` relates a branded product to its generic product",
                        );
                    }
                    drug.brand_of = self.drug_ref(n).map(|(id, _)| id);
                }
                Clause::AlsoIn(list) => {
                    for n in list {
                        if let Some(id) = self.class_ref(n) {
                            drug.also_in.push(id);
                        }
                    }
                }
                Clause::Alternatives(list) => {
                    for n in list {
                        if let Some((id, _)) = self.drug_ref(n) {
                            drug.alternatives.push(id);
                        }
                    }
                }
                _ => {}
            }
        }
        if d.kind == DrugKind::Package {
            if let Ok(ndc) = Ndc::parse(&d.name.node) {
                drug.ndcs.push(ndc);
            } else {
                self.ndc(&d.name);
            }
        }
        self.identity_present(d, &drug);
        drug
    }

    pub(super) fn not_allowed(
        &mut self,
        span: Span,
        clause: &'static str,
        on: &'static str,
        help: &'static str,
    ) {
        self.err(
            span,
            Error::ClauseNotAllowed {
                clause,
                on,
                at: span.source_span(),
                help,
            },
        );
    }

    pub(super) fn identity_present(&mut self, d: &ast::DrugDef, drug: &Drug) {
        let (missing, help) = match d.kind {
            DrugKind::Ingredient
                if drug.rxcui.is_none() && !has(d, |c| matches!(c, Clause::Rxcui(_))) =>
            {
                (
                    "rxcui",
                    "add the ingredient's RxCUI (term type IN), e.g. `rxcui 29046`",
                )
            }
            DrugKind::Product
                if drug.rxcui.is_none()
                    && drug.ndcs.is_empty()
                    && !has(d, |c| matches!(c, Clause::Rxcui(_) | Clause::Ndc(_))) =>
            {
                (
                    "rxcui or ndc",
                    "add the product's RxCUI (SCD or SBD) or its NDCs",
                )
            }
            DrugKind::Package if !has(d, |c| matches!(c, Clause::Of(_))) => (
                "product",
                "name the product it packages: `package 00378-1025-77 of lisinopril-10mg`",
            ),
            _ => return,
        };
        self.err(
            d.name.span,
            Error::Missing {
                what: d.kind.as_str(),
                name: d.name.node.clone(),
                missing,
                at: d.name.span.source_span(),
                help,
            },
        );
    }

    pub(super) fn ndc(&mut self, n: &Spanned<String>) -> Option<Ndc> {
        match Ndc::parse(&n.node) {
            Ok(ndc) => Some(ndc),
            Err(reason) => {
                self.err(
                    n.span,
                    Error::BadNdc {
                        ndc: n.node.clone(),
                        at: n.span.source_span(),
                        reason,
                    },
                );
                None
            }
        }
    }

    pub(super) fn ndcs_of(&self, d: &ast::DrugDef) -> Vec<(Ndc, Span)> {
        let mut out = Vec::new();
        if d.kind == DrugKind::Package {
            if let Ok(n) = Ndc::parse(&d.name.node) {
                out.push((n, d.name.span));
            }
        }
        for c in &d.clauses {
            if let Clause::Ndc(list) = &c.node {
                out.extend(
                    list.iter()
                        .filter_map(|n| Ndc::parse(&n.node).ok().map(|x| (x, n.span))),
                );
            }
        }
        out
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn unique_code<K: std::hash::Hash + Eq + Copy>(
        &mut self,
        code_kind: &'static str,
        code: String,
        span: Span,
        id: DrugId,
        drugs: &[Drug],
        index: &mut FxHashMap<K, DrugId>,
        spans: &mut FxHashMap<K, Span>,
        key: K,
    ) {
        match index.get(&key).copied() {
            Some(first) if first != id => {
                let first_span = spans[&key];
                let same = first_span.file == span.file;
                self.err(
                    span,
                    Error::DuplicateCode {
                        code_kind,
                        code,
                        first_name: drugs[first.0 as usize].name.clone(),
                        second_name: drugs[id.0 as usize].name.clone(),
                        first: same.then(|| first_span.source_span()),
                        again: span.source_span(),
                        help: if same {
                            "a code identifies one drug; remove it from one of them".to_string()
                        } else {
                            format!(
                                "first given at {}; a code identifies one drug",
                                self.sources.location(first_span)
                            )
                        },
                    },
                );
            }
            Some(_) => {}
            None => {
                index.insert(key, id);
                spans.insert(key, span);
            }
        }
    }
}

pub(super) fn has(d: &ast::DrugDef, f: impl Fn(&Clause) -> bool) -> bool {
    d.clauses.iter().any(|c| f(&c.node))
}

/// The name a drug is declared under: a package's NDC normalised.
pub(super) fn drug_key(d: &ast::DrugDef) -> String {
    if d.kind == DrugKind::Package {
        if let Ok(n) = Ndc::parse(&d.name.node) {
            return n.to_string();
        }
    }
    d.name.node.clone()
}

pub(super) fn kind_phrase(k: DrugKind) -> &'static str {
    match k {
        DrugKind::Ingredient => "an ingredient",
        DrugKind::Product => "a product",
        DrugKind::Package => "a package",
    }
}

pub(super) fn identity_keyword(c: &Clause) -> &'static str {
    match c {
        Clause::Rxcui(_) => "rxcui",
        Clause::Ndc(_) => "ndc",
        Clause::BrandOf(_) => "brand of",
        Clause::Of(_) => "of",
        Clause::AlsoIn(_) => "also in",
        Clause::Alternatives(_) => "alternatives",
        _ => "",
    }
}
