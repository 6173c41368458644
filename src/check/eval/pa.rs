//! Prior authorization: an approval on file, or the rule's conditions and diagnoses met by the claim.

use super::{Ctx, Eval};
use crate::check::decision::*;
use crate::check::input::PaStatus;
use crate::check::reject::RejectCode;
use crate::codes::IcdPattern;
use crate::compile::model::*;
use crate::words::{age_words, conditions_text, Phrasing};
use std::borrow::Cow;

impl<'f> Ctx<'f, '_> {
    pub(super) fn pa_edit(
        &self,
        id: DrugId,
        pid: PaId,
        level: Option<&'f str>,
        out: &mut Eval<'f>,
    ) {
        let f = self.f;
        let rule = &f.pas[pid.0 as usize];
        let rref = || {
            RuleRef::new(
                "prior authorization",
                rule.name.as_str(),
                &rule.origin,
                level,
            )
        };
        let dos = self.rx.date;
        if !rule.period.contains(dos) {
            if out.quiet {
                return;
            }
            out.trace.push(TraceStep {
                rule: rref(),
                result: Outcome::NotInForce,
                detail: Cow::Owned(format!("rule in force {}", rule.period)),
            });
            return;
        }
        // A PA on file for this drug or rule, in date.
        for (i, pa) in self.rx.prior_authorizations.iter().enumerate() {
            let covers_rule = pa.rule.as_deref() == Some(rule.name.as_str());
            let covers_drug = self.pa_drugs[i].is_some_and(|d| self.same_therapy(d, id));
            if !(covers_rule || covers_drug) || !(pa.from <= dos && dos <= pa.to) {
                continue;
            }
            if pa.status == PaStatus::Denied {
                let msg = format!("prior authorization {} was denied", pa.number);
                self.fail(out, RejectCode::PriorAuthorizationDenied, rref(), msg);
                return;
            }
            let text = format!(
                "prior authorization {} on file ({} to {}) used",
                pa.number, pa.from, pa.to
            );
            self.pass_with_message(out, rref, text);
            return;
        }
        // Criteria decidable from the claim.
        for conds in &rule.approvals {
            if let Some(why) = self.all_hold(conds) {
                let text = format!("prior authorization approved automatically: {why}");
                self.pass_with_message(out, rref, text);
                return;
            }
        }
        out.needs_pa = true;
        let mut msg = format!("prior authorization required: {}", rule.label);
        if !rule.approvals.is_empty() {
            let auto: Vec<String> = rule
                .approvals
                .iter()
                .map(|c| conditions_text(c, Phrasing::Decision))
                .collect();
            msg.push_str(&format!(
                "; approved automatically when {}",
                auto.join(", or ")
            ));
        }
        if !rule.criteria.is_empty() {
            msg.push_str(&format!("; criteria: {}", rule.criteria.join(" ")));
        }
        self.fail(out, RejectCode::PriorAuthorizationRequired, rref(), msg);
    }

    /// If every condition holds, a description of why.
    pub(super) fn all_hold(&self, conds: &[Condition]) -> Option<String> {
        let mut why = Vec::new();
        for c in conds {
            match c {
                Condition::Diagnosis(pats) => {
                    let hit = self.diagnosis_match(pats)?;
                    why.push(hit);
                }
                Condition::Age { min, max } => {
                    if !(min.is_none_or(|m| self.age >= m) && max.is_none_or(|m| self.age <= m)) {
                        return None;
                    }
                    why.push(format!("age {} in {}", self.age, age_words(*min, *max)));
                }
                Condition::Sex(s) => {
                    if self.rx.patient.sex != Some(*s) {
                        return None;
                    }
                    why.push(format!("sex {}", s.as_str()));
                }
            }
        }
        Some(why.join(" and "))
    }

    pub(super) fn diagnosis_match(&self, pats: &[IcdPattern]) -> Option<String> {
        for d in &self.rx.diagnoses {
            if let Some(p) = pats.iter().find(|p| p.matches(d)) {
                return Some(format!(
                    "diagnosis {} matches {}",
                    crate::codes::display_icd(d),
                    p.written
                ));
            }
        }
        None
    }
}
