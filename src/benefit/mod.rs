//! Benefit design (core, pure): plan types, accumulators per member and plan
//! year, benefit phases, and how one fill's cost divides between the patient
//! and the plan when it crosses the deductible or the out-of-pocket maximum.
//!
//! Nothing here reads files or knows the formulary: compile builds a
//! [`Design`], the checker passes the fill and the member's [`Accumulators`]
//! to [`apply`], and a claims store keeps the returned [`Delta`] so that a
//! reversal can [`Accumulators::rollback`] it. Money is integer cents with
//! checked arithmetic; an overflow is a [`BenefitError`], never a wrap.

mod payment_plan;
mod split;
mod standard;

pub use payment_plan::{first_month_cap, later_month_cap, months_left};
pub use split::{apply, months_supply, Applied, Fill, Kind, Part, PartKind};
pub use standard::{standard, standard_names, StandardError};

use crate::codes::Money;
use std::fmt;

/// The kind of plan, which decides the rules that apply only to some plans.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PlanType {
    /// An employer or individual plan (the default).
    #[default]
    Commercial,
    /// A Medicare Part D plan: transition fills carry the 569 notice and the
    /// standard benefit may be used.
    MedicarePartD,
    /// A Medicaid plan.
    Medicaid,
}

impl PlanType {
    /// Every plan type, in the spelling the language uses.
    pub const ALL: [PlanType; 3] = [
        PlanType::Commercial,
        PlanType::MedicarePartD,
        PlanType::Medicaid,
    ];

    /// The spelling in the language: `commercial`, `medicare-part-d`, `medicaid`.
    pub fn as_str(self) -> &'static str {
        match self {
            PlanType::Commercial => "commercial",
            PlanType::MedicarePartD => "medicare-part-d",
            PlanType::Medicaid => "medicaid",
        }
    }

    /// Reads the language spelling.
    pub fn parse(s: &str) -> Option<PlanType> {
        PlanType::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

impl fmt::Display for PlanType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An amount for the member alone and, optionally, for the whole family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// For one member.
    pub individual: Money,
    /// For the family together, if the plan has a family amount.
    pub family: Option<Money>,
}

/// A cost share as the benefit applies it (the formulary's tier share).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Share {
    /// A flat amount, never more than the cost it applies to.
    Copay(Money),
    /// A percent in basis points of the cost, within an optional minimum and maximum.
    Coinsurance {
        /// Basis points (2500 = 25%).
        bp: u32,
        /// Minimum.
        min: Option<Money>,
        /// Maximum.
        max: Option<Money>,
    },
}

/// A plan's benefit: deductible, out-of-pocket maximum and the special
/// cost shares. The default is no deductible and no maximum, under which
/// the patient pays the tier's share.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Design {
    /// The name of a shipped standard benefit this design came from.
    pub standard: Option<String>,
    /// Deductible, paid in full by the patient before cost shares apply.
    pub deductible: Option<Limit>,
    /// Out-of-pocket maximum (Part D: the true out-of-pocket threshold),
    /// after which the patient pays $0.
    pub out_of_pocket_max: Option<Limit>,
    /// A coinsurance (basis points) that replaces every tier's share after
    /// the deductible: the Part D defined standard benefit's 25%.
    pub coinsurance_bp: Option<u32>,
    /// Insulin: at most this for each month's supply, outside the deductible.
    pub insulin_month_cap: Option<Money>,
    /// Vaccines the plan lists cost the patient nothing, outside the deductible.
    pub vaccines_free: bool,
    /// Tiers whose drugs are not subject to the deductible.
    pub exempt_tiers: Vec<u32>,
}

/// What the member (and family) have accumulated in one plan year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct Totals {
    /// Patient pay applied to the deductible.
    pub deductible: Money,
    /// Out of pocket: everything the patient paid (Part D: TrOOP).
    pub out_of_pocket: Money,
    /// Gross drug cost of the paid fills.
    pub gross: Money,
}

/// A member's accumulators for a plan year. `family` includes the member's
/// own amounts; when the family's spending is not known it equals
/// `individual`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct Accumulators {
    /// The plan year (calendar year) these totals belong to.
    pub plan_year: i32,
    /// The member's own totals.
    pub individual: Totals,
    /// The family's totals, the member included.
    pub family: Totals,
}

/// What one fill added to the accumulators; a reversal subtracts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct Delta {
    /// Added to the deductible met.
    pub deductible: Money,
    /// Added to out of pocket.
    pub out_of_pocket: Money,
    /// Added to gross drug cost.
    pub gross: Money,
}

/// Arithmetic that would leave the range of money, or a rollback of more
/// than was accumulated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BenefitError {
    /// An amount too large to add.
    #[error("amounts too large to add up: {0}")]
    Overflow(&'static str),
    /// A reversal of more than the accumulators hold.
    #[error("cannot roll back {what} of {amount}: only {held} accumulated")]
    Rollback {
        /// Which total.
        what: &'static str,
        /// The amount to remove.
        amount: Money,
        /// What the accumulators held.
        held: Money,
    },
}

/// The phase of the benefit a member is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Before the deductible is met: the patient pays the full cost.
    Deductible,
    /// Cost shares apply (Part D: the initial coverage phase).
    Initial,
    /// The out-of-pocket maximum is met: the patient pays $0 (Part D: catastrophic).
    Catastrophic,
}

impl Phase {
    /// Lowercase words.
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Deductible => "deductible",
            Phase::Initial => "initial",
            Phase::Catastrophic => "catastrophic",
        }
    }
}

pub(crate) fn add(a: Money, b: Money, what: &'static str) -> Result<Money, BenefitError> {
    a.0.checked_add(b.0)
        .map(Money)
        .ok_or(BenefitError::Overflow(what))
}

impl Totals {
    fn add(&mut self, d: &Delta) -> Result<(), BenefitError> {
        self.deductible = add(self.deductible, d.deductible, "deductible")?;
        self.out_of_pocket = add(self.out_of_pocket, d.out_of_pocket, "out of pocket")?;
        self.gross = add(self.gross, d.gross, "gross drug cost")?;
        Ok(())
    }

    fn sub(&mut self, d: &Delta) -> Result<(), BenefitError> {
        fn take(held: &mut Money, amount: Money, what: &'static str) -> Result<(), BenefitError> {
            if amount > *held {
                return Err(BenefitError::Rollback {
                    what,
                    amount,
                    held: *held,
                });
            }
            held.0 -= amount.0;
            Ok(())
        }
        let mut t = *self;
        take(&mut t.deductible, d.deductible, "deductible")?;
        take(&mut t.out_of_pocket, d.out_of_pocket, "out of pocket")?;
        take(&mut t.gross, d.gross, "gross drug cost")?;
        *self = t;
        Ok(())
    }
}

impl Accumulators {
    /// Nothing accumulated yet in `plan_year`.
    pub fn new(plan_year: i32) -> Accumulators {
        Accumulators {
            plan_year,
            ..Accumulators::default()
        }
    }

    /// The accumulators to use for a fill in `plan_year`: these, or zero
    /// when they belong to another plan year (the plan-year reset).
    pub fn for_year(self, plan_year: i32) -> Accumulators {
        if self.plan_year == plan_year {
            self
        } else {
            Accumulators::new(plan_year)
        }
    }

    /// Adds a fill (or a history fill's known amounts) to the member and family.
    pub fn record(&mut self, d: &Delta) -> Result<(), BenefitError> {
        let mut next = *self;
        next.individual.add(d)?;
        next.family.add(d)?;
        *self = next;
        Ok(())
    }

    /// Removes a reversed fill's amounts. Leaves the totals unchanged and
    /// returns an error when they hold less than the fill added.
    pub fn rollback(&mut self, d: &Delta) -> Result<(), BenefitError> {
        let mut next = *self;
        next.individual.sub(d)?;
        next.family.sub(d)?;
        *self = next;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plan_types_read_their_own_spelling() {
        for p in PlanType::ALL {
            assert_eq!(PlanType::parse(p.as_str()), Some(p));
        }
        assert_eq!(PlanType::parse("part-d"), None);
        assert_eq!(PlanType::default(), PlanType::Commercial);
    }

    #[test]
    fn record_and_rollback_are_inverse_and_rollback_never_goes_negative() {
        let mut a = Accumulators::new(2026);
        let d = Delta {
            deductible: Money(61_500),
            out_of_pocket: Money(70_000),
            gross: Money(95_500),
        };
        a.record(&d).unwrap();
        assert_eq!(a.individual.out_of_pocket, Money(70_000));
        assert_eq!(a.family.gross, Money(95_500));
        let before = a;
        let too_much = Delta {
            gross: Money(95_501),
            ..d
        };
        assert!(matches!(
            a.rollback(&too_much),
            Err(BenefitError::Rollback {
                what: "gross drug cost",
                ..
            })
        ));
        assert_eq!(a, before, "a failed rollback changes nothing");
        a.rollback(&d).unwrap();
        assert_eq!(a, Accumulators::new(2026));
    }

    #[test]
    fn overflow_is_an_error() {
        let mut a = Accumulators::new(2026);
        a.individual.gross = Money(i64::MAX);
        let d = Delta {
            gross: Money(1),
            ..Delta::default()
        };
        assert_eq!(a.record(&d), Err(BenefitError::Overflow("gross drug cost")));
    }

    #[test]
    fn accumulators_of_another_plan_year_start_again_at_zero() {
        let mut a = Accumulators::new(2025);
        a.individual.out_of_pocket = Money(100);
        assert_eq!(a.for_year(2026), Accumulators::new(2026));
        assert_eq!(a.for_year(2025), a);
    }
}
