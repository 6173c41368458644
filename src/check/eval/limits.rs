//! Patient and quantity limits: age, sex, quantity per period, daily quantity, days supply and fills.

use super::{Ctx, Eval};
use crate::check::decision::*;
use crate::check::reject::RejectCode;
use crate::compile::model::*;
use crate::words::age_words;

impl<'f> Ctx<'f, '_> {
    pub(super) fn age_edit(
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
            self.fail(out, RejectCode::PatientAge, rule, msg);
        }
    }

    pub(super) fn sex_edit(
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
                RejectCode::PatientGender,
                rule,
                format!(
                    "covered for sex {} only; the patient is {}",
                    s.as_str(),
                    p.as_str()
                ),
            ),
            None => self.fail(
                out,
                RejectCode::PatientGender,
                rule,
                format!(
                    "covered for sex {} only; the patient's sex is not given",
                    s.as_str()
                ),
            ),
        }
    }

    pub(super) fn limit_edit(
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
                    let left = round3(amount - earlier);
                    let now = if left > eps {
                        format!("at most {} would be paid now", num(left))
                    } else {
                        "no more would be paid until earlier fills leave the window".to_string()
                    };
                    format!(
                        "quantity {} plus {} already filled in the last {} days exceeds the limit of {} ({now})",
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
                        "{} per day exceeds the maximum of {} per day (at most {} for this days supply)",
                        num(round3(daily)),
                        num(max),
                        num(round3(max * rx.days_supply as f64))
                    )
                })
            }
            Limit::Supply(max) => (rx.days_supply > max).then(|| {
                format!(
                    "{} days supply exceeds the maximum of {} days per fill (a fill of at most {} days would be paid)",
                    rx.days_supply, max, max
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
            Some(msg) => self.fail(out, RejectCode::PlanLimitationsExceeded, rule, msg),
            None => self.pass(out, rule, "within limit"),
        }
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
