//! The prescription's benefit fields: the member's accumulators, the
//! payment plan, and the amounts a history fill carries, with their checks.

use super::{money, InputError, Prescription};
use crate::codes::Money;
use serde::Deserialize;

/// Accumulated benefit totals, in dollars.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AccumulatorsIn {
    /// The plan (calendar) year they belong to; totals of another year count as zero.
    pub plan_year: i32,
    /// Patient pay applied to the deductible.
    #[serde(default, deserialize_with = "money")]
    pub deductible_met: Money,
    /// Out of pocket (Part D: true out-of-pocket, TrOOP).
    #[serde(default, deserialize_with = "money")]
    pub out_of_pocket: Money,
    /// Gross drug cost.
    #[serde(default, deserialize_with = "money")]
    pub gross_drug_cost: Money,
    /// The family's totals, the member's included.
    #[serde(default)]
    pub family: Option<FamilyIn>,
}

/// A family's accumulated totals, in dollars.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FamilyIn {
    /// Applied to the family deductible.
    #[serde(default, deserialize_with = "money")]
    pub deductible_met: Money,
    /// Out of pocket.
    #[serde(default, deserialize_with = "money")]
    pub out_of_pocket: Money,
    /// Gross drug cost.
    #[serde(default, deserialize_with = "money")]
    pub gross_drug_cost: Money,
}

/// Taking part in the Medicare Prescription Payment Plan.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct PaymentPlanIn {
    /// This is the month the member opted in (the first month's cap applies).
    #[serde(default)]
    pub first_month: bool,
    /// Out-of-pocket costs billed through the plan and not yet paid, in dollars.
    #[serde(default, deserialize_with = "money")]
    pub balance: Money,
}

/// Checks the benefit fields: amounts not negative, parts within wholes,
/// and the accumulators or the history's patient pay, not both.
pub(super) fn validate(rx: &Prescription) -> Result<(), InputError> {
    for (i, f) in rx.history.iter().enumerate() {
        let at = |field: &str| format!("history[{i}]{field}");
        check_fill_amounts(f, &at)?;
        if rx.accumulators.is_some() && f.patient_pay.is_some() {
            return Err(InputError::new(
                at(".patient_pay"),
                "give the accumulators or the history's patient pay, not both: each would count the fill",
            ));
        }
    }
    if let Some(a) = &rx.accumulators {
        check_accumulators(a)?;
    }
    if rx.payment_plan.is_some_and(|p| p.balance.0 < 0) {
        return Err(InputError::new(
            "payment_plan.balance",
            "must not be negative",
        ));
    }
    Ok(())
}

fn check_fill_amounts(f: &super::Fill, at: &dyn Fn(&str) -> String) -> Result<(), InputError> {
    for (field, m) in [
        (".patient_pay", f.patient_pay),
        (".applied_to_deductible", f.applied_to_deductible),
        (".total_cost", f.total_cost),
    ] {
        if m.is_some_and(|m| m.0 < 0) {
            return Err(InputError::new(at(field), "must not be negative"));
        }
    }
    if f.applied_to_deductible > f.patient_pay.or(Some(Money(0))) {
        return Err(InputError::new(
            at(".applied_to_deductible"),
            "is more than the fill's patient_pay",
        ));
    }
    if let (Some(p), Some(t)) = (f.patient_pay, f.total_cost) {
        if p > t {
            return Err(InputError::new(
                at(".patient_pay"),
                "is more than its total_cost",
            ));
        }
    }
    Ok(())
}

fn check_accumulators(a: &AccumulatorsIn) -> Result<(), InputError> {
    let mine = [
        ("deductible_met", a.deductible_met),
        ("out_of_pocket", a.out_of_pocket),
        ("gross_drug_cost", a.gross_drug_cost),
    ];
    for (field, m) in mine {
        if m.0 < 0 {
            return Err(InputError::new(
                format!("accumulators.{field}"),
                "must not be negative",
            ));
        }
    }
    if a.deductible_met > a.out_of_pocket {
        return Err(InputError::new(
            "accumulators.deductible_met",
            "is more than out_of_pocket, which includes it",
        ));
    }
    if let Some(f) = &a.family {
        let theirs = [f.deductible_met, f.out_of_pocket, f.gross_drug_cost];
        for ((field, m), fam) in mine.into_iter().zip(theirs) {
            if fam < m {
                return Err(InputError::new(
                    format!("accumulators.family.{field}"),
                    "is less than the member's own, which it includes",
                ));
            }
        }
    }
    Ok(())
}
