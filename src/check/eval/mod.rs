//! Evaluating one drug's rules for one prescription: coverage status, then
//! every edit in force (age, sex, prior authorization, step therapy,
//! quantity limits), then refill too soon. Every edit is evaluated, so a
//! rejection lists all that failed, and each result is traced.

use super::decision::*;
use super::input::Prescription;
use super::reject::RejectCode;
use crate::compile::model::*;
use chrono::NaiveDate;
use std::borrow::Cow;

/// A history fill resolved against the formulary.
#[derive(Debug, Clone, Copy)]
pub(super) struct HistFill {
    pub drug: Option<DrugId>,
    pub date: NaiveDate,
    pub days: u32,
    pub qty: f64,
}

/// What a check needs besides the formulary: the prescription and what was
/// resolved from it once.
pub(super) struct Ctx<'f, 'r> {
    pub f: &'f Formulary,
    pub rx: &'r Prescription,
    pub age: u32,
    pub history: Vec<HistFill>,
    /// Drugs of the PAs on file, resolved.
    pub pa_drugs: Vec<Option<DrugId>>,
}

/// The outcome of evaluating one drug. A quiet evaluation (of candidate
/// alternatives) records reject codes and what is needed but formats no
/// message and traces nothing.
#[derive(Debug, Default)]
pub(super) struct Eval<'f> {
    pub quiet: bool,
    pub tier: Option<u32>,
    pub excluded: bool,
    pub rejects: Vec<Reject<'f>>,
    pub messages: Vec<Message<'f>>,
    pub trace: Vec<TraceStep<'f>>,
    pub needs_pa: bool,
    pub needs_step: bool,
    /// The step rule and the index of its first unmet step, when one failed.
    pub unmet_step: Option<(StepId, usize)>,
}

impl<'f> Ctx<'f, '_> {
    /// Every edit in force, each traced; failures become rejects.
    pub fn edits(&self, id: DrugId, out: &mut Eval<'f>) {
        let dos = self.rx.date;
        for e in &self.f.resolved(id).edits {
            let level = Some(self.f.level(e.level));
            if !e.clause.period.contains(dos) {
                if out.quiet {
                    continue;
                }
                out.trace.push(TraceStep {
                    rule: RuleRef::new(
                        edit_kind(&e.clause.kind),
                        e.clause.text.as_str(),
                        &e.clause.origin,
                        level,
                    ),
                    result: Outcome::NotInForce,
                    detail: Cow::Owned(format!("in force {}", e.clause.period)),
                });
                continue;
            }
            match &e.clause.kind {
                ClauseKind::Age { min, max } => self.age_edit(*min, *max, &e.clause, level, out),
                ClauseKind::Sex(s) => self.sex_edit(*s, &e.clause, level, out),
                ClauseKind::Pa(p) => self.pa_edit(id, *p, level, out),
                ClauseKind::Step(s) => self.step_edit(id, *s, level, out),
                ClauseKind::Limit(l) => self.limit_edit(id, l, &e.clause, level, out),
                _ => {}
            }
        }
    }

    pub(super) fn pass(
        &self,
        out: &mut Eval<'f>,
        rule: RuleRef<'f>,
        detail: impl Into<Cow<'f, str>>,
    ) {
        if out.quiet {
            return;
        }
        out.trace.push(TraceStep {
            rule,
            result: Outcome::Pass,
            detail: detail.into(),
        });
    }

    /// A rule passed for a reason the pharmacist should see (a PA on file,
    /// an automatic approval, an exception): a message and a trace entry.
    pub(super) fn pass_with_message(
        &self,
        out: &mut Eval<'f>,
        rule: impl Fn() -> RuleRef<'f>,
        text: String,
    ) {
        if !out.quiet {
            out.messages.push(Message {
                code: None,
                text: text.clone(),
                rule: rule(),
            });
        }
        self.pass(out, rule(), text);
    }

    pub(super) fn fail(
        &self,
        out: &mut Eval<'f>,
        code: RejectCode,
        rule: RuleRef<'f>,
        message: String,
    ) {
        if out.quiet {
            out.rejects.push(Reject {
                code,
                message: String::new(),
                rule,
            });
            return;
        }
        out.trace.push(TraceStep {
            rule: rule.clone(),
            result: Outcome::Fail,
            detail: Cow::Owned(format!("{code}: {message}")),
        });
        out.rejects.push(Reject {
            code,
            message,
            rule,
        });
    }

    /// Does a drug on file (a PA's or a history fill's) count as the requested drug?
    pub(super) fn same_therapy(&self, a: DrugId, b: DrugId) -> bool {
        let (ra, rb) = (self.f.resolved(a), self.f.resolved(b));
        a == b || ra.therapy == rb.therapy
    }

    /// Earlier fills of the same drug: the same product, or a brand and its generic.
    pub(super) fn same_drug_fills(&self, id: DrugId) -> impl Iterator<Item = &HistFill> {
        let key = self.f.resolved(id).equivalent;
        self.history
            .iter()
            .filter(move |h| h.drug.is_some_and(|d| self.f.resolved(d).equivalent == key))
    }
}

mod limits;
mod pa;
mod refill;
mod status;
mod step;

fn edit_kind(k: &ClauseKind) -> &'static str {
    match k {
        ClauseKind::Pa(_) => "prior authorization",
        ClauseKind::Step(_) => "step therapy",
        ClauseKind::Limit(_) => "quantity limit",
        ClauseKind::Age { .. } => "age limit",
        ClauseKind::Sex(_) => "sex limit",
        _ => "coverage",
    }
}
