//! One fill through the benefit: the deductible part, the cost-share part,
//! the part after the out-of-pocket maximum, and the accumulators after it.
//!
//! Rounding: a coinsurance is rounded half up to the cent; when a fill
//! crosses the out-of-pocket maximum, the gross cost counted before the
//! maximum is the fraction of the rest that the patient's share reaches
//! before it, also rounded half up (for a 25% coinsurance, four times what
//! the patient still had to pay).

use super::{add, Accumulators, BenefitError, Delta, Design, Limit, Phase, Share, Totals};
use crate::codes::Money;
use serde::Serialize;

/// How the benefit treats a drug.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Kind {
    /// Deductible, then the cost share.
    #[default]
    Standard,
    /// Not subject to the deductible (a drug the plan exempts).
    DeductibleExempt,
    /// Insulin: the plan's monthly cap, outside the deductible.
    Insulin,
    /// A vaccine: $0 where the plan makes vaccines free.
    Vaccine,
    /// A preventive drug for this patient: $0, outside the deductible.
    Preventive,
}

/// A fill as the benefit sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fill {
    /// Gross drug cost (ingredient cost and fee).
    pub gross: Money,
    /// The tier's share for this fill.
    pub share: Share,
    /// The tier, for deductible-exempt tiers.
    pub tier: Option<u32>,
    /// Days supply, for the insulin cap per month.
    pub days_supply: u32,
    /// How the plan treats the drug.
    pub kind: Kind,
}

/// A part of a fill's cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PartKind {
    /// Paid in full by the patient toward the deductible.
    Deductible,
    /// At the tier's share (or the standard coinsurance).
    CostShare,
    /// At the insulin cap, lower than the share would be.
    InsulinCap,
    /// After the out-of-pocket maximum: the patient pays $0.
    AfterCap,
    /// A vaccine at $0.
    Vaccine,
    /// A preventive drug at $0.
    Preventive,
}

/// One part of a fill: the gross cost it covers and what the patient pays of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Part {
    /// Which part.
    pub kind: PartKind,
    /// The gross cost in this part.
    pub gross: Money,
    /// What the patient pays of it.
    pub patient: Money,
}

/// A fill through the benefit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    /// The parts, in the order they apply; their gross costs add up to the fill's.
    pub parts: Vec<Part>,
    /// What the patient pays.
    pub patient: Money,
    /// What the plan pays.
    pub plan: Money,
    /// The phase before the fill.
    pub phase_before: Phase,
    /// The phase after it.
    pub phase: Phase,
    /// Deductible left after this fill (the lower of individual and family).
    pub deductible_remaining: Option<Money>,
    /// Out of pocket left before the maximum after this fill.
    pub out_of_pocket_remaining: Option<Money>,
    /// What this fill added; a reversal rolls it back.
    pub delta: Delta,
    /// The accumulators after this fill.
    pub after: Accumulators,
}

/// Months of supply for a per-month cap: a fill of up to 34 days is one
/// month, a longer one counts 30 days a month, rounded up (60 days: 2, 90: 3).
pub fn months_supply(days_supply: u32) -> u32 {
    if days_supply <= 34 {
        1
    } else {
        days_supply.div_ceil(30)
    }
}

/// Runs one fill through `design` from `acc`.
pub fn apply(design: &Design, acc: &Accumulators, fill: &Fill) -> Result<Applied, BenefitError> {
    let gross = Money(fill.gross.0.max(0));
    let (ded_left, oop_left) = lefts(design, acc);
    let mut w = Work {
        parts: Vec::with_capacity(3),
        rest: gross,
        oop: oop_left,
        ded_paid: Money(0),
        share_paid: Money(0),
    };
    if let Some(kind) = free_kind(design, fill.kind) {
        w.push(kind, gross, Money(0));
        w.rest = Money(0);
    }
    if !exempt(design, fill) {
        w.deductible(ded_left);
    }
    if w.rest.0 > 0 && w.oop != Some(Money(0)) {
        let (kind, due) = share_due(design, fill, w.rest)?;
        w.cost_share(kind, due);
    }
    w.push(PartKind::AfterCap, w.rest, Money(0));

    let patient = add(w.ded_paid, w.share_paid, "patient pay")?;
    let delta = Delta {
        deductible: w.ded_paid,
        out_of_pocket: patient,
        gross,
    };
    let mut after = *acc;
    after.record(&delta)?;
    let (ded_after, oop_after) = lefts(design, &after);
    Ok(Applied {
        parts: w.parts,
        patient,
        plan: Money(gross.0 - patient.0),
        phase_before: phase(design, ded_left, oop_left),
        phase: phase(design, ded_after, oop_after),
        deductible_remaining: ded_after,
        out_of_pocket_remaining: oop_after,
        delta,
        after,
    })
}

/// A fill being divided: the parts so far and what is left of the cost
/// and of the out-of-pocket maximum.
struct Work {
    parts: Vec<Part>,
    rest: Money,
    oop: Option<Money>,
    ded_paid: Money,
    share_paid: Money,
}

impl Work {
    fn push(&mut self, kind: PartKind, gross: Money, patient: Money) {
        if gross.0 > 0 || patient.0 > 0 {
            self.parts.push(Part {
                kind,
                gross,
                patient,
            });
        }
    }

    /// The deductible part. The deductible counts toward the out-of-pocket
    /// maximum, so it stops there too.
    fn deductible(&mut self, left: Option<Money>) {
        let Some(d) = left else {
            return;
        };
        let paid = self.rest.min(d).min(self.oop.unwrap_or(self.rest));
        self.push(PartKind::Deductible, paid, paid);
        self.ded_paid = paid;
        self.rest.0 -= paid.0;
        self.oop = self.oop.map(|o| Money(o.0 - paid.0));
    }

    /// The cost-share part of the rest, `due` from the patient, cut at the
    /// out-of-pocket maximum.
    fn cost_share(&mut self, kind: PartKind, due: Money) {
        match self.oop {
            Some(o) if due > o => {
                // The share reaches the maximum part way through the rest.
                let before = Money(div_round(self.rest.0 as i128 * o.0 as i128, due.0 as i128));
                let before = before.min(self.rest);
                self.push(kind, before, o);
                self.share_paid = o;
                self.rest.0 -= before.0;
            }
            _ => {
                self.push(kind, self.rest, due);
                self.share_paid = due;
                self.rest = Money(0);
            }
        }
    }
}

/// What is left of the deductible and of the out-of-pocket maximum.
fn lefts(design: &Design, acc: &Accumulators) -> (Option<Money>, Option<Money>) {
    let (i, f) = (&acc.individual, &acc.family);
    (
        remaining(design.deductible, i, f, |t| t.deductible),
        remaining(design.out_of_pocket_max, i, f, |t| t.out_of_pocket),
    )
}

fn free_kind(design: &Design, kind: Kind) -> Option<PartKind> {
    match kind {
        Kind::Vaccine if design.vaccines_free => Some(PartKind::Vaccine),
        Kind::Preventive => Some(PartKind::Preventive),
        _ => None,
    }
}

/// Not subject to the deductible: an exempt drug or tier, or insulin under a cap.
fn exempt(design: &Design, fill: &Fill) -> bool {
    match fill.kind {
        Kind::DeductibleExempt => true,
        Kind::Insulin if design.insulin_month_cap.is_some() => true,
        _ => fill.tier.is_some_and(|t| design.exempt_tiers.contains(&t)),
    }
}

/// The share due on `rest` (the standard coinsurance or the tier's), and
/// the insulin cap when it is lower.
fn share_due(design: &Design, fill: &Fill, rest: Money) -> Result<(PartKind, Money), BenefitError> {
    let share = match design.coinsurance_bp {
        Some(bp) => Share::Coinsurance {
            bp,
            min: None,
            max: None,
        },
        None => fill.share,
    };
    let due = share_of(share, rest);
    let cap = match (fill.kind, design.insulin_month_cap) {
        (Kind::Insulin, Some(c)) => c,
        _ => return Ok((PartKind::CostShare, due)),
    };
    let cap = cap
        .0
        .checked_mul(i64::from(months_supply(fill.days_supply)))
        .map(Money)
        .ok_or(BenefitError::Overflow("insulin cap"))?;
    Ok(if cap < due {
        (PartKind::InsulinCap, cap)
    } else {
        (PartKind::CostShare, due)
    })
}

/// What the share comes to on `amount`, never more than `amount`.
fn share_of(share: Share, amount: Money) -> Money {
    match share {
        Share::Copay(c) => c.min(amount),
        Share::Coinsurance { bp, min, max } => {
            let mut p = Money(div_round(amount.0 as i128 * i128::from(bp), 10_000));
            if let Some(lo) = min {
                p = p.max(lo);
            }
            if let Some(hi) = max {
                p = p.min(hi);
            }
            p.min(amount)
        }
    }
}

/// `n / d` rounded half up, for non-negative `n` and positive `d`; the
/// callers' quotients are at most an `i64` amount.
fn div_round(n: i128, d: i128) -> i64 {
    let q = (n + d / 2) / d;
    i64::try_from(q).unwrap_or(i64::MAX)
}

/// What is left of a limit: the lower of the member's and the family's.
fn remaining(
    limit: Option<Limit>,
    ind: &Totals,
    fam: &Totals,
    get: impl Fn(&Totals) -> Money,
) -> Option<Money> {
    let l = limit?;
    let mine = l.individual.0.saturating_sub(get(ind).0).max(0);
    let family = l
        .family
        .map(|f| f.0.saturating_sub(get(fam).0).max(0))
        .unwrap_or(i64::MAX);
    Some(Money(mine.min(family)))
}

fn phase(design: &Design, ded_left: Option<Money>, oop_left: Option<Money>) -> Phase {
    if oop_left == Some(Money(0)) {
        Phase::Catastrophic
    } else if design.deductible.is_some() && ded_left.is_some_and(|d| d.0 > 0) {
        Phase::Deductible
    } else {
        Phase::Initial
    }
}

#[cfg(test)]
#[path = "split_tests.rs"]
mod tests;
