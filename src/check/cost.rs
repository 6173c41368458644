//! Cost share: which of a tier's shares applies to a fill, and what the
//! patient and the plan pay. Amounts are never invented: without a cost
//! basis a coinsurance is reported as unknown, not zero.

use super::decision::{Basis, Cost};
use super::input::{PharmacyKind, Prescription};
use crate::codes::{Money, Ndc};
use crate::compile::model::{CostShare, DrugId, Formulary, Tier};
use chrono::NaiveDate;

/// A fill of more than this many days uses a tier's extended-supply share.
pub const MONTH_DAYS: u32 = 34;

/// The share that applies to a fill.
pub fn share_for(tier: &Tier, pharmacy: Option<PharmacyKind>, days_supply: u32) -> CostShare {
    if pharmacy == Some(PharmacyKind::Mail) {
        if let Some(m) = tier.mail {
            return m;
        }
    }
    if days_supply > MONTH_DAYS {
        if let Some((_, s)) = tier.extended {
            return s;
        }
    }
    tier.share
}

/// What the patient and the plan pay for a fill at `tier` whose total cost
/// is `total` (if known).
pub fn cost(
    tier: &Tier,
    pharmacy: Option<PharmacyKind>,
    days_supply: u32,
    total: Option<Money>,
    basis: Basis,
) -> Cost {
    let share = share_for(tier, pharmacy, days_supply);
    let patient = match share {
        CostShare::Copay(c) => Some(match total {
            Some(t) => c.min(t),
            None => c,
        }),
        CostShare::Coinsurance { bp, min, max } => total.map(|t| {
            // Round half up to the cent.
            let mut p = Money((t.0 * bp as i64 + 5_000) / 10_000);
            if let Some(lo) = min {
                p = p.max(lo);
            }
            if let Some(hi) = max {
                p = p.min(hi);
            }
            p.min(t)
        }),
    };
    Cost {
        share: super::decision::ShareText(share),
        patient_pay: patient,
        plan_pay: match (total, patient) {
            (Some(t), Some(p)) => Some(Money(t.0 - p.0)),
            _ => None,
        },
        total,
        basis: if total.is_some() {
            basis
        } else {
            Basis::Unknown
        },
    }
}

/// The total cost of the requested fill: the submitted ingredient cost plus
/// fee, else the price list, else unknown.
pub fn requested_total(f: &Formulary, id: DrugId, rx: &Prescription) -> (Option<Money>, Basis) {
    if let Some(ic) = rx.ingredient_cost {
        let fee = rx.dispensing_fee.unwrap_or_default();
        return (Some(Money(ic.0 + fee.0)), Basis::Submitted);
    }
    match estimate(f, id, rx.ndc, rx.date, rx.quantity) {
        Some(m) => (
            Some(Money(m.0 + rx.dispensing_fee.unwrap_or_default().0)),
            Basis::PriceList,
        ),
        None => (None, Basis::Unknown),
    }
}

/// The estimated ingredient cost of `quantity` units of a drug on `date`:
/// the submitted NDC's price if it has one, else the lowest price among the
/// drug's NDCs (its own, or its product's). None without a price list or price.
pub fn estimate(
    f: &Formulary,
    id: DrugId,
    ndc: Option<Ndc>,
    date: NaiveDate,
    quantity: f64,
) -> Option<Money> {
    let list = f.prices.as_ref()?;
    let unit_price = ndc.and_then(|n| list.price(&n, date)).or_else(|| {
        candidate_ndcs(f, id)
            .filter_map(|n| list.price(n, date))
            .min_by(|a, b| a.per_unit.total_cmp(&b.per_unit))
    })?;
    let cost = Money::from_dollars(unit_price.per_unit * quantity);
    // A huge quantity or price makes an amount no fill costs, and callers add
    // fees to it and take percentages of it: no credible estimate is none.
    (cost <= MAX_ESTIMATE).then_some(cost)
}

/// The largest estimate used: $10,000,000, the most a claim may submit as
/// its ingredient cost.
const MAX_ESTIMATE: Money = Money(1_000_000_000);

/// NDCs that can price a drug: its own, then its product's.
fn candidate_ndcs(f: &Formulary, id: DrugId) -> impl Iterator<Item = &Ndc> {
    let d = f.drug(id);
    let product = f
        .resolved(id)
        .product
        .filter(|p| *p != id)
        .map(|p| f.drug(p));
    d.ndcs
        .iter()
        .chain(product.into_iter().flat_map(|p| p.ndcs.iter()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compile::model::Origin;

    fn tier(share: CostShare) -> Tier {
        Tier {
            number: 1,
            label: "t".into(),
            share,
            mail: Some(CostShare::Copay(Money(1000))),
            extended: Some((90, CostShare::Copay(Money(1200)))),
            preferred: false,
            specialty: false,
            origin: Origin {
                file: "f".into(),
                line: 1,
            },
        }
    }

    #[test]
    fn copay_is_capped_at_cost() {
        let t = tier(CostShare::Copay(Money(500)));
        let c = cost(&t, None, 30, Some(Money(312)), Basis::Submitted);
        assert_eq!(
            (c.patient_pay, c.plan_pay),
            (Some(Money(312)), Some(Money(0)))
        );
        let c = cost(&t, None, 30, Some(Money(2000)), Basis::Submitted);
        assert_eq!(
            (c.patient_pay, c.plan_pay),
            (Some(Money(500)), Some(Money(1500)))
        );
        let c = cost(&t, None, 30, None, Basis::Submitted);
        assert_eq!(
            (c.patient_pay, c.plan_pay, c.basis),
            (Some(Money(500)), None, Basis::Unknown)
        );
    }

    #[test]
    fn coinsurance_respects_min_max_and_unknown() {
        let t = tier(CostShare::Coinsurance {
            bp: 4000,
            min: Some(Money(5000)),
            max: Some(Money(15000)),
        });
        let pay = |total| cost(&t, None, 30, Some(Money(total)), Basis::PriceList).patient_pay;
        assert_eq!(pay(10_000), Some(Money(5000))); // 40% = $40, raised to the $50 minimum
        assert_eq!(pay(20_000), Some(Money(8000)));
        assert_eq!(pay(100_000), Some(Money(15000))); // capped at the maximum
        assert_eq!(pay(3_000), Some(Money(3000))); // the minimum never exceeds the cost
        assert_eq!(cost(&t, None, 30, None, Basis::PriceList).patient_pay, None);
    }

    #[test]
    fn mail_and_extended_shares() {
        let t = tier(CostShare::Copay(Money(500)));
        assert_eq!(
            share_for(&t, Some(PharmacyKind::Mail), 90),
            CostShare::Copay(Money(1000))
        );
        assert_eq!(
            share_for(&t, Some(PharmacyKind::Retail), 90),
            CostShare::Copay(Money(1200))
        );
        assert_eq!(share_for(&t, None, 34), CostShare::Copay(Money(500)));
    }

    #[test]
    fn an_estimate_too_large_to_be_a_cost_is_no_estimate() {
        let source = "formulary \"T\" id T version 1 effective 2026-01-01 to 2026-12-31\n\
                      tier 1 \"Generic\" coinsurance 40% preferred\n\
                      product p rxcui 1 ndc 00378-1025-77 tier 1\n";
        let mut f = crate::compile_str("t.formulary", source).formulary.unwrap();
        let csv = "NDC,NADAC Per Unit,Effective Date,Pricing Unit\n00378102577,0.5,01/01/2026,EA\n";
        f.prices = Some(crate::prices::PriceList::parse("p.csv", csv).unwrap());
        let id = f.drug_by_rxcui(1).unwrap();
        let date = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        assert_eq!(estimate(&f, id, None, date, 30.0), Some(Money(1500)));
        assert_eq!(estimate(&f, id, None, date, 4e12), None);
        // Such a claim used to be paid with its cost unknown; its quantity
        // is now an input error naming the field.
        let e = crate::Prescription::from_str(
            r#"{"date": "2026-03-01", "rxcui": 1, "quantity": 3999999999990, "days_supply": 3,
                "patient": {"age": 70, "sex": "F"}}"#,
        )
        .unwrap_err();
        assert!(e.to_string().starts_with("quantity"), "{e}");
        // The largest quantity accepted prices without overflow.
        let rx = crate::Prescription::from_str(
            r#"{"date": "2026-03-01", "rxcui": 1, "quantity": 9999999.999, "days_supply": 3,
                "patient": {"age": 70, "sex": "F"}}"#,
        )
        .unwrap();
        let cost = crate::check(&f, &rx).cost.unwrap();
        assert_eq!(cost.total, Some(Money(500_000_000)));
    }
}
