//! Fills through the benefit against hand computations, to the cent.

use super::*;
use crate::benefit::{standard, Accumulators, Delta, Design, Limit, Phase, Share};

fn part_d() -> Design {
    standard("medicare-part-d-2026").unwrap().unwrap()
}

fn commercial() -> Design {
    Design {
        deductible: Some(Limit {
            individual: Money(50_000),
            family: Some(Money(100_000)),
        }),
        out_of_pocket_max: Some(Limit {
            individual: Money(300_000),
            family: Some(Money(600_000)),
        }),
        exempt_tiers: vec![1],
        ..Design::default()
    }
}

fn fill(gross: i64, share: Share) -> Fill {
    Fill {
        gross: Money(gross),
        share,
        tier: Some(3),
        days_supply: 30,
        kind: Kind::Standard,
    }
}

fn acc(ded: i64, oop: i64) -> Accumulators {
    let t = Totals {
        deductible: Money(ded),
        out_of_pocket: Money(oop),
        gross: Money(oop),
    };
    Accumulators {
        plan_year: 2026,
        individual: t,
        family: t,
    }
}

fn parts(a: &Applied) -> Vec<(PartKind, i64, i64)> {
    a.parts
        .iter()
        .map(|p| (p.kind, p.gross.0, p.patient.0))
        .collect()
}

const COPAY_45: Share = Share::Copay(Money(4_500));

#[test]
fn part_d_fill_crossing_the_deductible() {
    // $800.00 from nothing: $615.00 deductible, then 25% of $185.00 = $46.25.
    let a = apply(&part_d(), &Accumulators::new(2026), &fill(80_000, COPAY_45)).unwrap();
    assert_eq!(
        parts(&a),
        [
            (PartKind::Deductible, 61_500, 61_500),
            (PartKind::CostShare, 18_500, 4_625)
        ]
    );
    assert_eq!((a.patient, a.plan), (Money(66_125), Money(13_875)));
    assert_eq!(
        (a.phase_before, a.phase),
        (Phase::Deductible, Phase::Initial)
    );
    assert_eq!(a.deductible_remaining, Some(Money(0)));
    // $2,100.00 − $661.25 = $1,438.75.
    assert_eq!(a.out_of_pocket_remaining, Some(Money(143_875)));
    assert_eq!(a.after.individual.gross, Money(80_000));
}

#[test]
fn part_d_fill_inside_the_deductible_pays_it_all() {
    let a = apply(&part_d(), &acc(10_000, 10_000), &fill(30_000, COPAY_45)).unwrap();
    assert_eq!(parts(&a), [(PartKind::Deductible, 30_000, 30_000)]);
    assert_eq!(a.deductible_remaining, Some(Money(21_500)));
    assert_eq!(a.phase, Phase::Deductible);
}

#[test]
fn part_d_fill_crossing_the_out_of_pocket_threshold() {
    // $100.00 left before $2,100: 25% of $1,000 would be $250, so the
    // first $400.00 is at 25% ($100.00) and the other $600.00 at $0.
    let a = apply(&part_d(), &acc(61_500, 200_000), &fill(100_000, COPAY_45)).unwrap();
    assert_eq!(
        parts(&a),
        [
            (PartKind::CostShare, 40_000, 10_000),
            (PartKind::AfterCap, 60_000, 0)
        ]
    );
    assert_eq!((a.patient, a.plan), (Money(10_000), Money(90_000)));
    assert_eq!(
        (a.phase_before, a.phase),
        (Phase::Initial, Phase::Catastrophic)
    );
    assert_eq!(a.out_of_pocket_remaining, Some(Money(0)));
    assert_eq!(a.after.individual.out_of_pocket, Money(210_000));
}

#[test]
fn part_d_catastrophic_phase_pays_nothing() {
    let a = apply(&part_d(), &acc(61_500, 210_000), &fill(55_555, COPAY_45)).unwrap();
    assert_eq!(parts(&a), [(PartKind::AfterCap, 55_555, 0)]);
    assert_eq!(a.phase_before, Phase::Catastrophic);
    assert_eq!(a.delta.out_of_pocket, Money(0));
    assert_eq!(a.delta.gross, Money(55_555));
}

#[test]
fn insulin_is_capped_per_month_and_outside_the_deductible() {
    let insulin = |gross, days| Fill {
        kind: Kind::Insulin,
        days_supply: days,
        ..fill(gross, COPAY_45)
    };
    // 25% of $450.00 is $112.50; the cap is $35.00, the deductible untouched.
    let a = apply(&part_d(), &Accumulators::new(2026), &insulin(45_000, 30)).unwrap();
    assert_eq!(parts(&a), [(PartKind::InsulinCap, 45_000, 3_500)]);
    assert_eq!(a.deductible_remaining, Some(Money(61_500)));
    assert_eq!(a.phase, Phase::Deductible);
    assert_eq!(a.delta.out_of_pocket, Money(3_500));
    // 90 days: cap $105.00; 25% of $300.00 = $75.00 is below it.
    let a = apply(&part_d(), &Accumulators::new(2026), &insulin(30_000, 90)).unwrap();
    assert_eq!(parts(&a), [(PartKind::CostShare, 30_000, 7_500)]);
    // 60 days of $1,200.00: 25% = $300.00, capped at 2 × $35.00.
    let a = apply(&part_d(), &Accumulators::new(2026), &insulin(120_000, 60)).unwrap();
    assert_eq!(a.patient, Money(7_000));
    assert_eq!(
        (months_supply(34), months_supply(35), months_supply(90)),
        (1, 2, 3)
    );
}

#[test]
fn vaccines_and_preventive_drugs_cost_nothing_and_leave_the_deductible() {
    let a = apply(
        &part_d(),
        &Accumulators::new(2026),
        &Fill {
            kind: Kind::Vaccine,
            ..fill(25_000, COPAY_45)
        },
    )
    .unwrap();
    assert_eq!(parts(&a), [(PartKind::Vaccine, 25_000, 0)]);
    assert_eq!(a.deductible_remaining, Some(Money(61_500)));
    assert_eq!(a.after.individual.gross, Money(25_000));
    let a = apply(
        &commercial(),
        &Accumulators::new(2026),
        &Fill {
            kind: Kind::Preventive,
            ..fill(2_000, COPAY_45)
        },
    )
    .unwrap();
    assert_eq!(parts(&a), [(PartKind::Preventive, 2_000, 0)]);
    // Without free vaccines a vaccine is an ordinary drug.
    let a = apply(
        &commercial(),
        &Accumulators::new(2026),
        &Fill {
            kind: Kind::Vaccine,
            ..fill(2_000, COPAY_45)
        },
    )
    .unwrap();
    assert_eq!(parts(&a), [(PartKind::Deductible, 2_000, 2_000)]);
}

#[test]
fn commercial_deductible_then_the_tier_copay() {
    // $150.00 of the $500.00 deductible left: $150.00, then the $45.00 copay.
    let a = apply(&commercial(), &acc(35_000, 35_000), &fill(30_000, COPAY_45)).unwrap();
    assert_eq!(
        parts(&a),
        [
            (PartKind::Deductible, 15_000, 15_000),
            (PartKind::CostShare, 15_000, 4_500)
        ]
    );
    assert_eq!(a.patient, Money(19_500));
    assert_eq!(
        a.out_of_pocket_remaining,
        Some(Money(300_000 - 35_000 - 19_500))
    );
}

#[test]
fn the_family_deductible_can_end_the_deductible_first() {
    // The member met $100.00 of $500.00, the family $900.00 of $1,000.00.
    let mut start = acc(10_000, 10_000);
    start.family.deductible = Money(90_000);
    start.family.out_of_pocket = Money(90_000);
    let a = apply(&commercial(), &start, &fill(30_000, COPAY_45)).unwrap();
    assert_eq!(
        parts(&a),
        [
            (PartKind::Deductible, 10_000, 10_000),
            (PartKind::CostShare, 20_000, 4_500)
        ]
    );
    assert_eq!(a.deductible_remaining, Some(Money(0)));
    assert_eq!(a.after.individual.deductible, Money(20_000));
    assert_eq!(a.after.family.deductible, Money(100_000));
}

#[test]
fn an_exempt_tier_skips_the_deductible() {
    let f = Fill {
        tier: Some(1),
        ..fill(1_200, Share::Copay(Money(500)))
    };
    let a = apply(&commercial(), &Accumulators::new(2026), &f).unwrap();
    assert_eq!(parts(&a), [(PartKind::CostShare, 1_200, 500)]);
    assert_eq!(a.deductible_remaining, Some(Money(50_000)));
    let f = Fill {
        kind: Kind::DeductibleExempt,
        ..fill(1_200, Share::Copay(Money(500)))
    };
    assert_eq!(
        apply(&commercial(), &Accumulators::new(2026), &f)
            .unwrap()
            .patient,
        Money(500)
    );
}

#[test]
fn a_bounded_coinsurance_crossing_the_maximum() {
    // $50.00 left; 40% of $500.00 is $200.00, capped at $150.00 by the
    // tier maximum; the patient reaches the maximum after 50/150 of the
    // $500.00, $166.67, and the other $333.33 is after the cap.
    let share = Share::Coinsurance {
        bp: 4_000,
        min: Some(Money(5_000)),
        max: Some(Money(15_000)),
    };
    let a = apply(&commercial(), &acc(50_000, 295_000), &fill(50_000, share)).unwrap();
    assert_eq!(
        parts(&a),
        [
            (PartKind::CostShare, 16_667, 5_000),
            (PartKind::AfterCap, 33_333, 0)
        ]
    );
    assert_eq!(a.phase, Phase::Catastrophic);
}

#[test]
fn the_maximum_can_stop_a_fill_inside_the_deductible() {
    // Deductible $300.00 left but only $200.00 before the maximum.
    let design = Design {
        out_of_pocket_max: Some(Limit {
            individual: Money(100_000),
            family: None,
        }),
        ..commercial()
    };
    let a = apply(&design, &acc(20_000, 80_000), &fill(40_000, COPAY_45)).unwrap();
    assert_eq!(
        parts(&a),
        [
            (PartKind::Deductible, 20_000, 20_000),
            (PartKind::AfterCap, 20_000, 0)
        ]
    );
    assert_eq!(a.deductible_remaining, Some(Money(10_000)));
    assert_eq!(a.phase, Phase::Catastrophic);
}

#[test]
fn without_a_design_the_patient_pays_the_share() {
    let a = apply(
        &Design::default(),
        &Accumulators::new(2026),
        &fill(1_000, COPAY_45),
    )
    .unwrap();
    assert_eq!(parts(&a), [(PartKind::CostShare, 1_000, 1_000)]);
    assert_eq!(
        (a.deductible_remaining, a.out_of_pocket_remaining),
        (None, None)
    );
    assert_eq!(a.phase, Phase::Initial);
}

#[test]
fn reversal_rolls_a_fill_back() {
    let start = acc(30_000, 30_000);
    let a = apply(&part_d(), &start, &fill(80_000, COPAY_45)).unwrap();
    let mut after = a.after;
    after.rollback(&a.delta).unwrap();
    assert_eq!(after, start);
    // The same fill again costs what it cost the first time.
    assert_eq!(
        apply(&part_d(), &after, &fill(80_000, COPAY_45)).unwrap(),
        a
    );
}

#[test]
fn huge_amounts_are_an_error_not_a_wrap() {
    let r = apply(&part_d(), &acc(61_500, 10_000), &fill(i64::MAX, COPAY_45));
    assert!(matches!(r, Err(BenefitError::Overflow(_))), "{r:?}");
    let _ = Delta::default();
}
