//! Declarations: every name (tiers, classes, drugs, rules) in source order, depth first, and the header.

use super::drugs::drug_key;
use super::{Builder, Decls};
use crate::ast::Item;
use crate::compile::model::*;
use crate::diagnostics::Error;
use crate::span::FileId;

impl Builder<'_> {
    pub(super) fn declare<'t>(
        &mut self,
        items: &'t [Item],
        class: Option<ClassId>,
        decl: &mut Decls<'t>,
    ) {
        for item in items {
            match item {
                Item::Header(h) => {
                    if let Some(first) = decl.headers.first() {
                        self.duplicate("formulary header", &h.name.node, first.span, h.span);
                    } else {
                        decl.headers.push(h);
                    }
                }
                Item::Include(_) => {}
                Item::Prices(p) => decl.prices.push(p),
                Item::Catalog(c) => decl.catalogs.push(c),
                Item::Tier(t) => {
                    let n = t.number.node.min(u32::MAX as u64) as u32;
                    if let Some(first) = self.tier_numbers.get(&n).copied() {
                        self.duplicate("tier", &n.to_string(), first, t.number.span);
                    } else {
                        self.tier_numbers.insert(n, t.number.span);
                        decl.tiers.push(t);
                    }
                }
                Item::Refill(r) => {
                    if let Some(first) = decl.refill.first() {
                        self.duplicate("refill policy", "refill too soon", first.span, r.span);
                    } else {
                        decl.refill.push(r);
                    }
                }
                Item::Benefit(bd) => {
                    if let Some(first) = decl.benefits.first() {
                        self.duplicate("benefit", "benefit", first.span, bd.span);
                    } else {
                        decl.benefits.push(bd);
                    }
                }
                Item::Transition(t) => {
                    if let Some(first) = decl.transition.first() {
                        self.duplicate("transition policy", "transition fill", first.span, t.span);
                    } else {
                        decl.transition.push(t);
                    }
                }
                Item::Class(c) => {
                    let id = ClassId(decl.classes.len() as u32);
                    match self.class_ids.get(&c.name.node).copied() {
                        Some((_, first)) => {
                            self.duplicate("class", &c.name.node, first, c.name.span)
                        }
                        None => {
                            self.class_ids
                                .insert(c.name.node.clone(), (id, c.name.span));
                            decl.classes.push((c, class));
                            self.declare(&c.items, Some(id), decl);
                        }
                    }
                }
                Item::Drug(d) => {
                    let id = DrugId(decl.drugs.len() as u32);
                    // A package is named by its NDC; normalise so that two
                    // spellings of one NDC are one name.
                    let key = drug_key(d);
                    match self.drug_ids.get(&key).copied() {
                        Some((_, _, first)) => {
                            self.duplicate("drug", &d.name.node, first, d.name.span)
                        }
                        None => {
                            self.drug_ids.insert(key, (id, d.kind, d.name.span));
                            decl.drugs.push((d, class));
                        }
                    }
                }
                Item::Pa(p) => {
                    let id = PaId(decl.pas.len() as u32);
                    match self.pa_ids.get(&p.name.node).copied() {
                        Some((_, first)) => self.duplicate(
                            "prior authorization rule",
                            &p.name.node,
                            first,
                            p.name.span,
                        ),
                        None => {
                            self.pa_ids.insert(p.name.node.clone(), (id, p.name.span));
                            decl.pas.push(p);
                        }
                    }
                }
                Item::Step(s) => {
                    let id = StepId(decl.steps.len() as u32);
                    match self.step_ids.get(&s.name.node).copied() {
                        Some((_, first)) => {
                            self.duplicate("step therapy rule", &s.name.node, first, s.name.span)
                        }
                        None => {
                            self.step_ids.insert(s.name.node.clone(), (id, s.name.span));
                            decl.steps.push(s);
                        }
                    }
                }
            }
        }
    }

    pub(super) fn header(
        &mut self,
        decl: &Decls,
        main: FileId,
    ) -> (String, String, String, Origin) {
        let Some(h) = decl.headers.first() else {
            let at = crate::compile::file_start(main);
            self.err(
                at,
                Error::MissingHeader {
                    at: at.source_span(),
                },
            );
            return (String::new(), String::new(), String::new(), self.origin(at));
        };
        if let Some(r) = &h.effective {
            self.effective = self.date_range(r);
        }
        (
            h.name.node.clone(),
            h.id.as_ref().map(|s| s.node.clone()).unwrap_or_default(),
            h.version
                .as_ref()
                .map(|s| s.node.clone())
                .unwrap_or_default(),
            self.origin(h.span),
        )
    }
}
