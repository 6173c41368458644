//! Evaluating one drug's rules for one prescription: coverage status, then
//! every edit in force (age, sex, prior authorization, step therapy,
//! quantity limits), then refill too soon. Every edit is evaluated, so a
//! rejection lists all that failed, and each result is traced.

use super::decision::*;
use super::input::{PaStatus, Prescription};
use crate::codes::IcdPattern;
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
}

impl<'f> Ctx<'f, '_> {
    /// Coverage status at the date of service: the most specific status clause in force.
    pub fn status(&self, id: DrugId, out: &mut Eval<'f>) {
        let f = self.f;
        let dos = self.rx.date;
        let r = f.resolved(id);
        let Some(s) = r.status.iter().find(|s| s.clause.period.contains(dos)) else {
            out.rejects.push(Reject {
                code: "MR",
                message: format!("{} has no tier on this formulary", f.drug(id).label),
                rule: RuleRef::new(
                    "formulary",
                    f.drug(id).name.as_str(),
                    &f.drug(id).origin,
                    None,
                ),
            });
            return;
        };
        let level = Some(f.level(s.level));
        match &s.clause.kind {
            ClauseKind::Tier(n) => {
                out.tier = Some(*n);
                out.trace.push(TraceStep {
                    rule: RuleRef::new("tier", s.clause.text.as_str(), &s.clause.origin, level),
                    result: Outcome::Applied,
                    detail: Cow::Borrowed("covered"),
                });
            }
            ClauseKind::Excluded(reason) => {
                out.excluded = true;
                out.rejects.push(Reject {
                    code: "70",
                    message: format!("not covered: {reason}"),
                    rule: RuleRef::new("exclusion", "excluded", &s.clause.origin, level),
                });
            }
            _ => {
                out.rejects.push(Reject {
                    code: "MR",
                    message: "not on formulary; covered only through a formulary exception"
                        .to_string(),
                    rule: RuleRef::new("non-formulary", "non-formulary", &s.clause.origin, level),
                });
            }
        }
    }

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

    fn pass(&self, out: &mut Eval<'f>, rule: RuleRef<'f>, detail: impl Into<Cow<'f, str>>) {
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
    fn pass_with_message(&self, out: &mut Eval<'f>, rule: impl Fn() -> RuleRef<'f>, text: String) {
        if !out.quiet {
            out.messages.push(Message {
                code: None,
                text: text.clone(),
                rule: Some(rule()),
            });
        }
        self.pass(out, rule(), text);
    }

    fn fail(&self, out: &mut Eval<'f>, code: &'static str, rule: RuleRef<'f>, message: String) {
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

    fn age_edit(
        &self,
        min: Option<u32>,
        max: Option<u32>,
        clause: &'f RuleClause,
        level: Option<&'f str>,
        out: &mut Eval<'f>,
    ) {
        let rule = RuleRef::new("age limit", clause.text.as_str(), &clause.origin, level);
        let ok = min.is_none_or(|m| self.age >= m) && max.is_none_or(|m| self.age <= m);
        if ok {
            self.pass(out, rule, "age in range");
        } else {
            let msg = format!(
                "covered for ages {}; the patient is {}",
                age_words(min, max),
                self.age
            );
            self.fail(out, "60", rule, msg);
        }
    }

    fn sex_edit(
        &self,
        s: crate::ast::Sex,
        clause: &'f RuleClause,
        level: Option<&'f str>,
        out: &mut Eval<'f>,
    ) {
        let rule = RuleRef::new("sex limit", clause.text.as_str(), &clause.origin, level);
        match self.rx.patient.sex {
            Some(p) if p == s => self.pass(out, rule, "sex matches"),
            Some(p) => self.fail(
                out,
                "61",
                rule,
                format!(
                    "covered for sex {} only; the patient is {}",
                    s.as_str(),
                    p.as_str()
                ),
            ),
            None => self.fail(
                out,
                "61",
                rule,
                format!(
                    "covered for sex {} only; the patient's sex is not given",
                    s.as_str()
                ),
            ),
        }
    }

    /// Does a drug on file (a PA's or a history fill's) count as the requested drug?
    fn same_therapy(&self, a: DrugId, b: DrugId) -> bool {
        let (ra, rb) = (self.f.resolved(a), self.f.resolved(b));
        a == b || ra.therapy == rb.therapy
    }

    fn pa_edit(&self, id: DrugId, pid: PaId, level: Option<&'f str>, out: &mut Eval<'f>) {
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
                self.fail(out, "3Y", rref(), msg);
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
            let auto: Vec<String> = rule.approvals.iter().map(|c| conditions_text(c)).collect();
            msg.push_str(&format!(
                "; approved automatically when {}",
                auto.join(", or ")
            ));
        }
        if !rule.criteria.is_empty() {
            msg.push_str(&format!("; criteria: {}", rule.criteria.join(" ")));
        }
        self.fail(out, "75", rref(), msg);
    }

    /// If every condition holds, a description of why.
    fn all_hold(&self, conds: &[Condition]) -> Option<String> {
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

    fn diagnosis_match(&self, pats: &[IcdPattern]) -> Option<String> {
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

    fn step_edit(&self, id: DrugId, sid: StepId, level: Option<&'f str>, out: &mut Eval<'f>) {
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
            let lookback = rule
                .steps
                .iter()
                .map(|s| s.within_days)
                .max()
                .unwrap_or(365);
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
                    self.fail(out, "608", rref(), msg);
                    return;
                }
            }
        }
        self.pass(out, rref(), "step therapy met");
    }

    /// Whether a step is met: Ok with the date of the earliest counted fill,
    /// or Err with what was found.
    fn step_met(&self, step: &Step, not_before: Option<NaiveDate>) -> Result<NaiveDate, String> {
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

    /// Earlier fills of the same drug: the same product, or a brand and its generic.
    fn same_drug_fills(&self, id: DrugId) -> impl Iterator<Item = &HistFill> {
        let key = self.f.resolved(id).equivalent;
        self.history
            .iter()
            .filter(move |h| h.drug.is_some_and(|d| self.f.resolved(d).equivalent == key))
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

    fn limit_edit(
        &self,
        id: DrugId,
        l: &Limit,
        clause: &'f RuleClause,
        level: Option<&'f str>,
        out: &mut Eval<'f>,
    ) {
        let rx = self.rx;
        let rule = RuleRef::new(
            "quantity limit",
            clause.text.as_str(),
            &clause.origin,
            level,
        );
        let eps = 1e-9;
        let failure = match *l {
            Limit::Quantity {
                amount,
                days,
                rolling: false,
            } => {
                let allowed = amount * rx.days_supply as f64 / days as f64;
                (rx.quantity > allowed + eps).then(|| {
                    format!(
                        "quantity {} for {} days exceeds the limit of {} per {} days (at most {} for this days supply)",
                        num(rx.quantity),
                        rx.days_supply,
                        num(amount),
                        days,
                        num(round3(allowed))
                    )
                })
            }
            Limit::Quantity {
                amount,
                days,
                rolling: true,
            } => {
                let since = rx.date - chrono::Days::new(days as u64 - 1);
                let earlier: f64 = self
                    .same_drug_fills(id)
                    .filter(|h| h.date >= since)
                    .map(|h| h.qty)
                    .sum();
                (earlier + rx.quantity > amount + eps).then(|| {
                    format!(
                        "quantity {} plus {} already filled in the last {} days exceeds the limit of {}",
                        num(rx.quantity),
                        num(earlier),
                        days,
                        num(amount)
                    )
                })
            }
            Limit::Daily(max) => {
                let daily = rx.quantity / rx.days_supply as f64;
                (daily > max + eps).then(|| {
                    format!(
                        "{} per day exceeds the maximum of {} per day",
                        num(round3(daily)),
                        num(max)
                    )
                })
            }
            Limit::Supply(max) => (rx.days_supply > max).then(|| {
                format!(
                    "{} days supply exceeds the maximum of {} days per fill",
                    rx.days_supply, max
                )
            }),
            Limit::Fills { count, days } => {
                let since = rx.date - chrono::Days::new(days as u64 - 1);
                let earlier = self.same_drug_fills(id).filter(|h| h.date >= since).count() as u32;
                (earlier + 1 > count).then(|| {
                    format!(
                        "{earlier} fill(s) in the last {days} days already; the limit is {count}"
                    )
                })
            }
        };
        match failure {
            Some(msg) => self.fail(out, "76", rule, msg),
            None => self.pass(out, rule, "within limit"),
        }
    }

    /// Refill too soon: the latest earlier fill of the same drug must be used
    /// up to the threshold.
    pub fn refill(&self, id: DrugId, out: &mut Eval<'f>) {
        let Some(policy) = &self.f.refill else { return };
        let rule = RuleRef::new(
            "refill too soon",
            policy.text.as_str(),
            &policy.origin,
            None,
        );
        let Some(prev) = self.same_drug_fills(id).max_by_key(|h| h.date) else {
            self.pass(out, rule, "no earlier fill");
            return;
        };
        let needed = (prev.days as u64 * policy.bp as u64).div_ceil(10_000);
        let ok_from = prev.date + chrono::Days::new(needed);
        if self.rx.date < ok_from {
            let msg = format!(
                "refill too soon: last filled {} for {} days; refill allowed from {} ({}% used)",
                prev.date,
                prev.days,
                ok_from,
                format_bp(policy.bp)
            );
            self.fail(out, "79", rule, msg);
        } else {
            self.pass(out, rule, format!("refill allowed from {ok_from}"));
        }
    }
}

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

fn list_names(names: &[String]) -> String {
    match names {
        [one] => one.clone(),
        _ => names.join(", "),
    }
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// A quantity without a needless `.0`.
fn num(x: f64) -> String {
    if x.fract() == 0.0 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}
