//! The benefit at check time: the member's accumulators from the
//! prescription, the fill through the plan's design, and what the decision
//! shows of it (the parts, the phase, what is left, the payment plan cap).

use super::cost::share_for;
use super::decision::{BenefitInfo, Cost, Message, RuleRef, ShareText};
use super::input::Prescription;
use crate::benefit::{self, Accumulators, Delta, Kind, PlanType, Share};
use crate::codes::Money;
use crate::compile::benefit::Benefit;
use crate::compile::model::{CostShare, DrugId, Formulary, Tier};
use chrono::Datelike;

/// The member's accumulators before this fill, for the plan year of the
/// date of service, and a note when the ones given belong to another year.
pub(super) fn accumulators(rx: &Prescription) -> (Accumulators, Option<String>) {
    let year = rx.date.year();
    if let Some(a) = &rx.accumulators {
        let fam = a.family.map(|f| benefit::Totals {
            deductible: f.deductible_met,
            out_of_pocket: f.out_of_pocket,
            gross: f.gross_drug_cost,
        });
        let mine = benefit::Totals {
            deductible: a.deductible_met,
            out_of_pocket: a.out_of_pocket,
            gross: a.gross_drug_cost,
        };
        let given = Accumulators {
            plan_year: a.plan_year,
            individual: mine,
            family: fam.unwrap_or(mine),
        };
        let note = (a.plan_year != year).then(|| {
            format!(
                "the accumulators given are for plan year {}; plan year {year} starts again at zero",
                a.plan_year
            )
        });
        return (given.for_year(year), note);
    }
    // Without accumulators, the paid fills of this plan year in the history
    // carry what the member paid.
    let mut acc = Accumulators::new(year);
    for h in rx.history.iter().filter(|h| h.date.year() == year) {
        let d = Delta {
            deductible: h.applied_to_deductible.unwrap_or_default(),
            out_of_pocket: h.patient_pay.unwrap_or_default(),
            gross: h.total_cost.unwrap_or_default(),
        };
        if acc.record(&d).is_err() {
            // Input amounts are bounded, so the sum of a year's fills fits;
            // should it not, the totals stay those of the fills before.
            break;
        }
    }
    (acc, None)
}

/// Runs the requested fill through the plan's benefit, replacing the tier's
/// patient and plan pay in `cost`. Returns `None` when the formulary has no
/// benefit design.
pub(super) fn apply<'f>(
    f: &'f Formulary,
    b: &'f Benefit,
    id: DrugId,
    tier: &Tier,
    rx: &Prescription,
    cost: &mut Cost,
    messages: &mut Vec<Message<'f>>,
) -> Option<BenefitInfo<'f>> {
    let design = b.design.as_ref()?;
    // A design always comes with the block it was written in.
    let origin = b.origin.as_ref().unwrap_or(&f.origin);
    let name = design.standard.as_deref().unwrap_or("plan");
    let mut say = |text: String| {
        messages.push(Message {
            code: None,
            text,
            rule: RuleRef::new("benefit", name, origin, None),
        })
    };
    let (kind, preventive) = b.kind(f, id, rx.age(), rx.patient.sex);
    let (acc, note) = accumulators(rx);
    if let Some(text) = note {
        say(text);
    }
    if let Some(bp) = design.coinsurance_bp {
        cost.share = ShareText(CostShare::Coinsurance {
            bp,
            min: None,
            max: None,
        });
    }
    let Some(total) = cost.total else {
        // The deductible and coinsurance need the cost; a $0 line does not.
        let free =
            matches!(kind, Kind::Preventive) || (kind == Kind::Vaccine && design.vaccines_free);
        cost.patient_pay = free.then_some(Money(0));
        return None;
    };
    let fill = benefit::Fill {
        gross: total,
        share: tier_share(tier, rx),
        tier: Some(tier.number),
        days_supply: rx.days_supply,
        kind,
    };
    let applied = match benefit::apply(design, &acc, &fill) {
        Ok(a) => a,
        Err(e) => {
            cost.patient_pay = None;
            cost.plan_pay = None;
            say(format!("patient pay unknown: {e}"));
            return None;
        }
    };
    cost.patient_pay = Some(applied.patient);
    cost.plan_pay = Some(applied.plan);
    let cap = payment_plan_cap(b, rx, &acc, applied.patient);
    if let Some(c) = cap {
        say(format!(
            "Medicare Prescription Payment Plan: the member pays at most {c} this month"
        ));
    } else if rx.payment_plan.is_some() && b.plan != PlanType::MedicarePartD {
        say(format!(
            "the Medicare Prescription Payment Plan is for Part D plans; this is a {} plan",
            b.plan
        ));
    }
    if let Some(p) = preventive {
        messages.push(Message {
            code: None,
            text: "preventive drug for this patient: $0, not subject to the deductible".into(),
            rule: RuleRef::new("preventive", "benefit", &p.origin, None),
        });
    }
    Some(info(b, design, applied, cap))
}

/// The tier's share for this fill, as the benefit applies it.
fn tier_share(tier: &Tier, rx: &Prescription) -> Share {
    match share_for(tier, rx.pharmacy, rx.days_supply) {
        CostShare::Copay(c) => Share::Copay(c),
        CostShare::Coinsurance { bp, min, max } => Share::Coinsurance { bp, min, max },
    }
}

fn info<'f>(
    b: &Benefit,
    design: &'f crate::benefit::Design,
    applied: benefit::Applied,
    cap: Option<Money>,
) -> BenefitInfo<'f> {
    BenefitInfo {
        plan: b.plan,
        standard: design.standard.as_deref(),
        phase_before: applied.phase_before,
        phase: applied.phase,
        parts: applied.parts,
        deductible_remaining: applied.deductible_remaining,
        out_of_pocket_remaining: applied.out_of_pocket_remaining,
        applied: applied.delta,
        accumulators: applied.after,
        payment_plan_month_cap: cap,
    }
}

/// This month's Medicare Prescription Payment Plan cap, for a Part D member
/// who takes part: the first month spreads what is left before the
/// out-of-pocket threshold, later months the balance and this fill.
fn payment_plan_cap(
    b: &Benefit,
    rx: &Prescription,
    before: &Accumulators,
    patient: Money,
) -> Option<Money> {
    let pp = rx.payment_plan?;
    if b.plan != PlanType::MedicarePartD {
        return None;
    }
    let threshold = b.design.as_ref()?.out_of_pocket_max?.individual;
    let months = benefit::months_left(rx.date);
    if pp.first_month {
        benefit::first_month_cap(threshold, before.individual.out_of_pocket, months)
    } else {
        benefit::later_month_cap(pp.balance, patient, months)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::decision::Basis;

    const SOURCE: &str = "formulary \"T\" id T version 1 effective 2026-01-01 to 2026-12-31\n\
        tier 1 \"Generic\" copay $5 preferred\n\
        tier 3 \"Brand\" copay $45\n\
        ingredient metformin rxcui 6809 tier 1\n\
        ingredient sitagliptin rxcui 593411 tier 3\n\
        class insulin \"Insulins\" tier 3 { ingredient insulin-glargine rxcui 274783 }\n";

    fn rx(extra: &str) -> Prescription {
        Prescription::from_str(&format!(
            "{{\"date\": \"2026-03-09\", \"rxcui\": 593411, \"quantity\": 30, \"days_supply\": 30,\n\
             \"patient\": {{\"birth_date\": \"1955-06-02\", \"sex\": \"F\"}}{extra}}}"
        ))
        .unwrap()
    }

    /// The 2026 standard benefit with the formulary's only class as insulin.
    fn part_d() -> Benefit {
        let mut insulin = crate::compile::benefit::DrugSet::default();
        insulin.classes.insert(crate::compile::model::ClassId(0));
        Benefit {
            plan: PlanType::MedicarePartD,
            design: benefit::standard("medicare-part-d-2026").unwrap(),
            insulin,
            ..Benefit::default()
        }
    }

    fn run(rx: &Prescription, total: i64) -> (Cost, Option<BenefitInfo<'static>>, Vec<String>) {
        let f: &'static Formulary = Box::leak(Box::new(
            crate::compile_str("t.formulary", SOURCE).formulary.unwrap(),
        ));
        let b: &'static Benefit = Box::leak(Box::new(part_d()));
        let id = f.drug_by_rxcui(rx.rxcui.unwrap()).unwrap();
        let tier = f.tier(3).unwrap();
        let mut cost = super::super::cost::cost(
            tier,
            None,
            rx.days_supply,
            Some(Money(total)),
            Basis::Submitted,
        );
        let mut messages = Vec::new();
        let info = apply(f, b, id, tier, rx, &mut cost, &mut messages);
        (cost, info, messages.into_iter().map(|m| m.text).collect())
    }

    #[test]
    fn history_of_this_plan_year_adds_up_and_earlier_years_do_not() {
        let r = rx(r#", "history": [
            {"rxcui": 6809, "date": "2025-12-01", "days_supply": 30, "quantity": 60, "patient_pay": 590, "applied_to_deductible": 590},
            {"rxcui": 6809, "date": "2026-01-05", "days_supply": 30, "quantity": 60, "patient_pay": 300, "applied_to_deductible": 250, "total_cost": 320},
            {"rxcui": 6809, "date": "2026-02-05", "days_supply": 30, "quantity": 60, "patient_pay": 10.5}]"#);
        let (a, note) = accumulators(&r);
        assert_eq!(note, None);
        assert_eq!(a.plan_year, 2026);
        assert_eq!(a.individual.deductible, Money(25_000));
        assert_eq!(a.individual.out_of_pocket, Money(31_050));
        assert_eq!(a.individual.gross, Money(32_000));
        assert_eq!(a.family, a.individual);
    }

    #[test]
    fn accumulators_of_another_year_reset_with_a_note() {
        let r = rx(
            r#", "accumulators": {"plan_year": 2025, "deductible_met": 590, "out_of_pocket": 2000}"#,
        );
        let (a, note) = accumulators(&r);
        assert_eq!(a, Accumulators::new(2026));
        assert!(note.unwrap().contains("plan year 2025"));
    }

    #[test]
    fn a_part_d_fill_crossing_the_deductible_replaces_the_tier_share() {
        let r = rx(
            r#", "accumulators": {"plan_year": 2026, "deductible_met": 400, "out_of_pocket": 400}"#,
        );
        let (cost, info, _) = run(&r, 38_000);
        assert_eq!(cost.patient_pay, Some(Money(25_625)));
        assert_eq!(cost.plan_pay, Some(Money(12_375)));
        assert_eq!(cost.share.to_string(), "25% coinsurance");
        let info = info.unwrap();
        assert_eq!(info.deductible_remaining, Some(Money(0)));
        assert_eq!(info.out_of_pocket_remaining, Some(Money(144_375)));
        assert_eq!(info.applied.out_of_pocket, Money(25_625));
        assert_eq!(info.standard, Some("medicare-part-d-2026"));
    }

    #[test]
    fn insulin_is_capped_and_the_payment_plan_cap_is_shown() {
        let mut r = rx(r#", "payment_plan": {"first_month": true}"#);
        r.rxcui = Some(274783);
        let (cost, info, messages) = run(&r, 45_000);
        assert_eq!(cost.patient_pay, Some(Money(3_500)));
        // March, nothing paid yet: $2,100.00 ÷ 10 months.
        assert_eq!(info.unwrap().payment_plan_month_cap, Some(Money(21_000)));
        assert!(
            messages
                .iter()
                .any(|m| m.contains("at most $210.00 this month")),
            "{messages:?}"
        );
    }
}
