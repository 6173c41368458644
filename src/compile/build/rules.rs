//! Coverage and edit clauses, PA rules and step therapy rules.

use super::drugs::identity_keyword;
use super::Builder;
use crate::ast::{self, Clause};
use crate::codes::DateSpan;
use crate::compile::model::*;
use crate::diagnostics::Error;
use crate::span::{Span, Spanned};
use rustc_hash::FxHashSet;

impl Builder<'_> {
    /// Coverage and edit clauses shared by drugs and classes. Identity clauses
    /// are handled by the caller; `on` names the entry kind for messages.
    pub(super) fn rule_clauses(
        &mut self,
        name: &str,
        clauses: &[Spanned<Clause>],
        on: &'static str,
    ) -> Vec<RuleClause> {
        let mut out = Vec::new();
        let mut statuses: Vec<(String, DateSpan, Span)> = Vec::new();
        for c in clauses {
            let origin = self.origin(c.span);
            let (kind, period) = match &c.node {
                Clause::Tier(n, p) => (Some(ClauseKind::Tier(self.tier_ref(n))), p.as_ref()),
                Clause::Excluded(r, p) => (Some(ClauseKind::Excluded(r.node.clone())), p.as_ref()),
                Clause::NonFormulary(p) => (Some(ClauseKind::NonFormulary), p.as_ref()),
                Clause::Pa(n, p) => (
                    self.rule_ref::<PaId>(n, "prior authorization", "prior authorization", true)
                        .map(ClauseKind::Pa),
                    p.as_ref(),
                ),
                Clause::Step(n, p) => (
                    self.rule_ref::<StepId>(n, "step therapy", "step therapy", false)
                        .map(ClauseKind::Step),
                    p.as_ref(),
                ),
                Clause::Limit(l, p) => (Some(ClauseKind::Limit(self.limit(l))), p.as_ref()),
                Clause::Age(r, p) => {
                    let (min, max) = self.age_range(r);
                    (Some(ClauseKind::Age { min, max }), p.as_ref())
                }
                Clause::Sex(s, p) => (Some(ClauseKind::Sex(s.node)), p.as_ref()),
                Clause::Rxcui(_)
                | Clause::Ndc(_)
                | Clause::BrandOf(_)
                | Clause::Of(_)
                | Clause::AlsoIn(_)
                | Clause::Alternatives(_) => {
                    if on == "a class" {
                        let clause = identity_keyword(&c.node);
                        self.err(
                            c.span,
                            Error::ClauseNotAllowed {
                                clause,
                                on,
                                at: c.span.source_span(),
                                help: "classes carry coverage and edits; put codes and relations on the drugs inside",
                            },
                        );
                    }
                    continue;
                }
            };
            let period = self.period(period, "clause");
            let Some(kind) = kind else { continue };
            if kind.is_status() {
                let label = match &kind {
                    ClauseKind::Tier(n) => format!("tier {n}"),
                    ClauseKind::Excluded(_) => "excluded".to_string(),
                    _ => "non-formulary".to_string(),
                };
                if let Some((first_label, _, first_span)) =
                    statuses.iter().find(|(_, p, _)| p.overlaps(&period))
                {
                    self.err(
                        c.span,
                        Error::ConflictingTiers {
                            name: name.to_string(),
                            first_status: first_label.clone(),
                            second_status: label.clone(),
                            first: first_span.source_span(),
                            again: c.span.source_span(),
                        },
                    );
                }
                statuses.push((label, period, c.span));
            }
            let text = match (&kind, &c.node) {
                (ClauseKind::Pa(_), Clause::Pa(n, _))
                | (ClauseKind::Step(_), Clause::Step(n, _)) => n.node.clone(),
                _ => clause_text(&kind),
            };
            out.push(RuleClause {
                kind,
                text,
                period,
                origin,
            });
        }
        out
    }

    pub(super) fn pa(&mut self, p: &ast::PaDef) -> PaRule {
        let mut approvals = Vec::new();
        for a in &p.approve {
            let mut conds = Vec::new();
            for c in &a.conditions {
                conds.push(match c {
                    ast::Condition::Diagnosis(codes) => Condition::Diagnosis(self.icds(codes)),
                    ast::Condition::Age(r) => {
                        let (min, max) = self.age_range(r);
                        Condition::Age { min, max }
                    }
                    ast::Condition::Sex(s) => Condition::Sex(s.node),
                });
            }
            approvals.push(conds);
        }
        let period = match &p.effective {
            Some(r) => {
                let s = self.date_range(r);
                self.never_in_force(s, r.from.span.to(r.to.span), "rule");
                s
            }
            None => DateSpan::ALWAYS,
        };
        PaRule {
            name: p.name.node.clone(),
            label: p
                .label
                .as_ref()
                .map(|l| l.node.clone())
                .unwrap_or_else(|| p.name.node.clone()),
            approvals,
            criteria: p.criteria.iter().map(|c| c.node.clone()).collect(),
            duration_days: p
                .duration
                .as_ref()
                .map(|d| self.days(d, "an approval duration")),
            period,
            origin: self.origin(p.span),
            span: p.span,
            approval_spans: p.approve.iter().map(|a| a.span).collect(),
        }
    }

    pub(super) fn step(&mut self, s: &ast::StepDef) -> StepRule {
        let mut steps = Vec::new();
        for r in &s.steps {
            let mut items = Vec::new();
            let mut set_names = Vec::new();
            for it in &r.set {
                match it {
                    ast::SetItem::Class(n) => {
                        set_names.push(format!("class {}", n.node));
                        if let Some(id) = self.class_ref(n) {
                            items.push(SetRef::Class(id));
                        }
                    }
                    ast::SetItem::Drug(n) => {
                        set_names.push(n.node.clone());
                        if let Some((id, _)) = self.drug_ref(n) {
                            items.push(SetRef::Drug(id));
                        }
                    }
                }
            }
            steps.push(Step {
                count: self.count(&r.count, "a step count"),
                min_days: r
                    .min_days
                    .as_ref()
                    .map(|d| self.days(d, "days of therapy"))
                    .unwrap_or(1),
                within_days: self.days(&r.within, "a lookback window"),
                set_names,
                items,
                set: FxHashSet::default(),
                candidates: Vec::new(),
                origin: self.origin(r.span),
                span: r.span,
            });
        }
        if let Some(first) = s.steps.first() {
            if first.then {
                self.not_allowed(
                    first.span,
                    "then",
                    "the first step",
                    "start with `tried any N of ...`; later steps start with `then`",
                );
            }
        }
        if s.steps.is_empty() {
            self.err(
                s.name.span,
                Error::Missing {
                    what: "step therapy rule",
                    name: s.name.node.clone(),
                    missing: "steps",
                    at: s.name.span.source_span(),
                    help: "add `tried any 1 of DRUG, DRUG within 180 days`",
                },
            );
        }
        let period = match &s.effective {
            Some(r) => {
                let p = self.date_range(r);
                self.never_in_force(p, r.from.span.to(r.to.span), "rule");
                p
            }
            None => DateSpan::ALWAYS,
        };
        StepRule {
            name: s.name.node.clone(),
            label: s
                .label
                .as_ref()
                .map(|l| l.node.clone())
                .unwrap_or_else(|| s.name.node.clone()),
            steps,
            unless: self.icds(&s.unless),
            new_starts_only: s.new_starts_only.is_some(),
            period,
            origin: self.origin(s.span),
            span: s.span,
        }
    }
}

/// How decisions name a coverage or edit clause.
pub(super) fn clause_text(k: &ClauseKind) -> String {
    match k {
        ClauseKind::Tier(n) => format!("tier {n}"),
        ClauseKind::Excluded(_) => "excluded".to_string(),
        ClauseKind::NonFormulary => "non-formulary".to_string(),
        ClauseKind::Limit(l) => format!("limit {l}"),
        ClauseKind::Age { min, max } => format!("age {}", crate::words::age_source(*min, *max)),
        ClauseKind::Sex(s) => format!("sex {}", s.as_str()),
        ClauseKind::Pa(p) => format!("pa #{}", p.0),
        ClauseKind::Step(s) => format!("step #{}", s.0),
    }
}
