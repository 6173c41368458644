//! The benefit end to end: a claims store's sequence of fills and a
//! reversal through `Accumulators::rollback`, the prescription's benefit
//! fields and their errors, and the standard benefit's vaccines.

use formulary::benefit::{Accumulators, Totals};
use formulary::codes::Money;
use formulary::{check, Prescription};
use std::path::Path;

fn part_d() -> formulary::Formulary {
    let parsed = formulary::load(
        Path::new("formularies/acme/acme-part-d.formulary"),
        &mut formulary::io::FsReader,
        &formulary::LoadOptions::default(),
    )
    .expect("readable");
    formulary::compile(parsed).formulary.expect("compiles")
}

/// A sitagliptin claim for `cost` dollars on `date`, with the accumulators
/// a claims store holds.
fn claim(date: &str, cost: &str, acc: &Accumulators) -> Prescription {
    let t = acc.individual;
    Prescription::from_str(&format!(
        r#"{{"date": "{date}", "rxcui": 593411, "quantity": 30, "days_supply": 30,
            "ingredient_cost": {cost}, "patient": {{"birth_date": "1955-06-02", "sex": "F"}},
            "accumulators": {{"plan_year": {}, "deductible_met": {}, "out_of_pocket": {},
                              "gross_drug_cost": {}}}}}"#,
        acc.plan_year,
        dollars(t.deductible),
        dollars(t.out_of_pocket),
        dollars(t.gross)
    ))
    .expect("valid claim")
}

fn dollars(m: Money) -> String {
    format!("{}.{:02}", m.0 / 100, m.0 % 100)
}

#[test]
fn a_reversal_rolls_the_store_back_and_the_next_claim_is_priced_from_there() {
    let f = part_d();
    let start = Accumulators::new(2026);
    // January: $500.00, all deductible.
    let a = check(&f, &claim("2026-01-10", "500.00", &start));
    let a = a.benefit.expect("benefit");
    assert_eq!(a.applied.out_of_pocket, Money(50_000));
    // February: $400.00 crosses the deductible: $115.00 + 25% of $285.00 = $186.25.
    let b = check(&f, &claim("2026-02-09", "400.00", &a.accumulators));
    assert_eq!(
        b.cost.as_ref().and_then(|c| c.patient_pay),
        Some(Money(18_625))
    );
    let b = b.benefit.expect("benefit");
    // January's claim is reversed: its amounts come off the store's totals.
    let mut store = b.accumulators;
    store.rollback(&a.applied).expect("rollback");
    assert_eq!(
        store.individual,
        Totals {
            deductible: Money(11_500),
            out_of_pocket: Money(18_625),
            gross: Money(40_000),
        }
    );
    // March: $600.00 with $500.00 of the deductible left: $500.00 + 25% of
    // $100.00 = $525.00. Without the reversal it would have been 25% of all.
    let c = check(&f, &claim("2026-03-09", "600.00", &store));
    assert_eq!(
        c.cost.as_ref().and_then(|c| c.patient_pay),
        Some(Money(52_500))
    );
    let not_reversed = check(&f, &claim("2026-03-09", "600.00", &b.accumulators));
    assert_eq!(
        not_reversed.cost.as_ref().and_then(|c| c.patient_pay),
        Some(Money(15_000))
    );
    // Rolling back more than the store holds changes nothing.
    let before = store;
    assert!(store.rollback(&b.applied).is_ok());
    assert!(store.rollback(&b.applied).is_err());
    assert_ne!(store, before);
}

#[test]
fn benefit_fields_are_checked_and_errors_name_them() {
    let base = r#""date": "2026-03-09", "rxcui": 593411, "quantity": 30, "days_supply": 30,
        "patient": {"birth_date": "1955-06-02", "sex": "F"}"#;
    let err = |extra: &str| {
        Prescription::from_str(&format!("{{{base}, {extra}}}"))
            .expect_err("invalid")
            .to_string()
    };
    assert_eq!(
        err(r#""accumulators": {"plan_year": 2026, "out_of_pocket": 10},
               "history": [{"rxcui": 593411, "date": "2026-01-01", "days_supply": 30, "quantity": 30, "patient_pay": 5}]"#),
        "history[0].patient_pay: give the accumulators or the history's patient pay, not both: each would count the fill"
    );
    assert_eq!(
        err(
            r#""history": [{"rxcui": 593411, "date": "2026-01-01", "days_supply": 30, "quantity": 30, "patient_pay": 5, "applied_to_deductible": 6}]"#
        ),
        "history[0].applied_to_deductible: is more than the fill's patient_pay"
    );
    assert_eq!(
        err(r#""accumulators": {"plan_year": 2026, "deductible_met": 20, "out_of_pocket": 10}"#),
        "accumulators.deductible_met: is more than out_of_pocket, which includes it"
    );
    assert_eq!(
        err(
            r#""accumulators": {"plan_year": 2026, "out_of_pocket": 10, "family": {"out_of_pocket": 5}}"#
        ),
        "accumulators.family.out_of_pocket: is less than the member's own, which it includes"
    );
    assert!(err(r#""payment_plan": {"balance": -1}"#).starts_with("payment_plan.balance"));
    assert!(err(r#""accumulators": {"plan_year": 2026, "troop": 1}"#).contains("troop"));
}

#[test]
fn standard_vaccines_are_free_and_a_commercial_plan_has_no_payment_plan() {
    let source = |plan: &str, benefit: &str| {
        format!(
            "formulary \"V\" id V version 1 effective 2026-01-01 to 2026-12-31 plan {plan}\n\
             tier 1 \"Generic\" copay $5 preferred\n\
             tier 3 \"Brand\" copay $45\n\
             class vaccine \"Vaccines\" tier 3 {{ ingredient zoster-vaccine rxcui 1000001 }}\n\
             ingredient metformin rxcui 6809 tier 1\n\
             benefit {benefit}\n"
        )
    };
    let rx = |rxcui: u32| {
        Prescription::from_str(&format!(
            r#"{{"date": "2026-03-09", "rxcui": {rxcui}, "quantity": 1, "days_supply": 1,
                "ingredient_cost": 200, "patient": {{"age": 70, "sex": "M"}},
                "payment_plan": {{"first_month": true}}}}"#
        ))
        .expect("valid")
    };
    let c = formulary::compile_str(
        "v.formulary",
        &source(
            "medicare-part-d",
            "\"medicare-part-d-2026\" { vaccines class vaccine }",
        ),
    );
    let f = c.formulary.expect("compiles");
    let d = check(&f, &rx(1000001));
    assert_eq!(d.cost.as_ref().and_then(|c| c.patient_pay), Some(Money(0)));
    let b = d.benefit.expect("benefit");
    assert_eq!(b.deductible_remaining, Some(Money(61_500)));
    // The first month of the payment plan in March: $2,100.00 ÷ 10.
    assert_eq!(b.payment_plan_month_cap, Some(Money(21_000)));
    // A commercial plan's own deductible; the payment plan is Part D's.
    let c = formulary::compile_str(
        "v.formulary",
        &source("commercial", "{ deductible $100 vaccines class vaccine }"),
    );
    let f = c.formulary.expect("compiles");
    // $200.00 of metformin: the $100.00 deductible, then the $5.00 copay.
    let d = check(&f, &rx(6809));
    assert_eq!(
        d.cost.as_ref().and_then(|c| c.patient_pay),
        Some(Money(10_500))
    );
    assert_eq!(
        d.benefit.as_ref().and_then(|b| b.payment_plan_month_cap),
        None
    );
    assert!(d.messages.iter().any(|m| m
        .text
        .contains("Prescription Payment Plan is for Part D plans")));
}
