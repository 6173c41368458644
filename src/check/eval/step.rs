//! Step therapy: each earlier step met by fills in the lookback, in order.

use super::{Ctx, Eval, HistFill};
use crate::check::decision::*;
use crate::check::input::PaStatus;
use crate::check::reject::RejectCode;
use crate::compile::model::*;
use chrono::NaiveDate;
use std::borrow::Cow;

impl<'f> Ctx<'f, '_> {
    pub(super) fn step_edit(
        &self,
        id: DrugId,
        sid: StepId,
        level: Option<&'f str>,
        out: &mut Eval<'f>,
    ) {
        let f = self.f;
        let rule = &f.steps[sid.0 as usize];
        let rref = || RuleRef::new("step therapy", rule.name.as_str(), &rule.origin, level);
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
        // An exception granted against this rule is recorded like a prior
        // authorization on file that names the rule.
        if let Some(pa) = self.rx.prior_authorizations.iter().find(|pa| {
            pa.rule.as_deref() == Some(rule.name.as_str())
                && pa.status == PaStatus::Approved
                && pa.from <= dos
                && dos <= pa.to
        }) {
            let text = format!(
                "step therapy exception {} on file ({} to {}) used",
                pa.number, pa.from, pa.to
            );
            self.pass_with_message(out, rref, text);
            return;
        }
        if let Some(why) = self.diagnosis_match(&rule.unless) {
            let text = format!("step therapy exception: {why}");
            self.pass_with_message(out, rref, text);
            return;
        }
        if rule.new_starts_only {
            let lookback = rule.new_starts_lookback_days();
            let since = dos - chrono::Days::new(lookback as u64);
            if let Some(h) = self
                .history
                .iter()
                .filter(|h| h.date >= since)
                .find(|h| h.drug.is_some_and(|d| self.same_therapy(d, id)))
            {
                let text = format!(
                    "continuing therapy: already filled on {} (new starts only)",
                    h.date
                );
                self.pass(out, rref(), text);
                return;
            }
        }
        let mut earliest: Option<NaiveDate> = None;
        for (n, step) in rule.steps.iter().enumerate() {
            match self.step_met(step, earliest) {
                Ok(start) => earliest = Some(start),
                Err(found) => {
                    out.needs_step = true;
                    out.unmet_step.get_or_insert((sid, n));
                    let which = if rule.steps.len() > 1 {
                        format!(" (step {} of {})", n + 1, rule.steps.len())
                    } else {
                        String::new()
                    };
                    let after = match (n, earliest) {
                        (0, _) | (_, None) => String::new(),
                        (_, Some(d)) => format!(", on or after {d}"),
                    };
                    let each = if step.min_days > 1 {
                        format!(" for at least {} days each", step.min_days)
                    } else {
                        String::new()
                    };
                    let msg = format!(
                        "step therapy{which}: needs paid claims for {} of {}{each} in the last {} days{after}; found {}",
                        step.count,
                        list_names(&step.set_names),
                        step.within_days,
                        found
                    );
                    self.fail(out, RejectCode::StepTherapyRequired, rref(), msg);
                    return;
                }
            }
        }
        self.pass(out, rref(), "step therapy met");
    }

    /// Whether a step is met: Ok with the date of the earliest counted fill,
    /// or Err with what was found.
    pub(super) fn step_met(
        &self,
        step: &Step,
        not_before: Option<NaiveDate>,
    ) -> Result<NaiveDate, String> {
        let dos = self.rx.date;
        let since = dos - chrono::Days::new(step.within_days as u64);
        // Days of therapy per distinct therapy, with the first fill date.
        let mut per: Vec<(DrugId, u32, NaiveDate)> = Vec::new();
        for h in &self.history {
            let Some(d) = h.drug else { continue };
            if h.date < since
                || h.date > dos
                || not_before.is_some_and(|nb| h.date < nb)
                || !step.set.contains(&d)
            {
                continue;
            }
            let t = self.f.resolved(d).therapy;
            match per.iter_mut().find(|(k, _, _)| *k == t) {
                Some(e) => {
                    e.1 += h.days;
                    e.2 = e.2.min(h.date);
                }
                None => per.push((t, h.days, h.date)),
            }
        }
        let mut met: Vec<&(DrugId, u32, NaiveDate)> =
            per.iter().filter(|p| p.1 >= step.min_days).collect();
        if met.len() >= step.count as usize {
            met.sort_by_key(|p| p.2);
            return Ok(met[0].2);
        }
        if per.is_empty() {
            return Err("none".to_string());
        }
        let found: Vec<String> = per
            .iter()
            .map(|(t, days, _)| format!("{} {} days", self.f.drug(*t).name, days))
            .collect();
        Err(found.join(", "))
    }

    /// The therapies of step `n` of a rule that already count for this
    /// patient: filled in the lookback, after the earlier steps were met,
    /// for at least the step's days. Offering one of them again cannot make
    /// a step of "any N" met.
    pub(in crate::check) fn step_counted(&self, rule: &StepRule, n: usize) -> Vec<DrugId> {
        let mut not_before = None;
        for earlier in rule.steps.iter().take(n) {
            match self.step_met(earlier, not_before) {
                Ok(start) => not_before = Some(start),
                Err(_) => return Vec::new(),
            }
        }
        let Some(step) = rule.steps.get(n) else {
            return Vec::new();
        };
        let dos = self.rx.date;
        let since = dos - chrono::Days::new(step.within_days as u64);
        let mut per: Vec<(DrugId, u32)> = Vec::new();
        for h in &self.history {
            let Some(d) = h.drug.filter(|d| step.set.contains(d)) else {
                continue;
            };
            if h.date < since || h.date > dos || not_before.is_some_and(|nb| h.date < nb) {
                continue;
            }
            let t = self.f.resolved(d).therapy;
            match per.iter_mut().find(|(k, _)| *k == t) {
                Some(e) => e.1 += h.days,
                None => per.push((t, h.days)),
            }
        }
        per.into_iter()
            .filter(|p| p.1 >= step.min_days)
            .map(|p| p.0)
            .collect()
    }

    /// Earlier fills of the same ingredient (therapy) on or after a date.
    pub fn therapy_fills_since(
        &self,
        id: DrugId,
        since: NaiveDate,
    ) -> impl Iterator<Item = &HistFill> {
        let key = self.f.resolved(id).therapy;
        self.history.iter().filter(move |h| {
            h.date >= since && h.drug.is_some_and(|d| self.f.resolved(d).therapy == key)
        })
    }
}

fn list_names(names: &[String]) -> String {
    match names {
        [one] => one.clone(),
        _ => names.join(", "),
    }
}
