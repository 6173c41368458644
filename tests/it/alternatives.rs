//! Alternatives judged for the patient: on a 608 the drugs that satisfy
//! the unmet step come first; one behind the same rule is left out; one
//! that needs another rule is shown with it, after every one that pays.

use formulary::check::Alternative;
use formulary::{check, compile_str, Formulary, Prescription};

const FORMULARY: &str = r#"formulary "Alternatives" id ALT version 1 effective 2026-01-01 to 2026-12-31
tier 1 "Preferred generic" copay $5 preferred
tier 2 "Generic" copay $15
tier 4 "Non-preferred" copay $60

class rasi "Renin-angiotensin blockers" {
  class ace "ACE inhibitors" tier 2 {
    ingredient acei-a "acei a" rxcui 101
    ingredient acei-b "acei b" rxcui 102 tier 1 pa acei-pa
    ingredient acei-c "acei c" rxcui 103 age 70..
    product acei-thiazide "acei a and a thiazide" rxcui 105 of acei-a, thiazide-a
  }
  class arb "ARBs" tier 2 {
    ingredient arb-a "arb a" rxcui 201
    ingredient arb-b "arb b" rxcui 202 tier 4 step arb-step
    ingredient arb-c "arb c" rxcui 203 tier 1 step arb-step
    ingredient arb-d "arb d" rxcui 204 tier 4 step two-aces
  }
  class thiazide "Thiazides" tier 1 {
    ingredient thiazide-a "thiazide a" rxcui 301
  }
}

prior authorization acei-pa "ACE inhibitor b" {
  criteria "Intolerance of acei a."
}

step therapy arb-step "ARBs after an ACE inhibitor" {
  tried any 1 of class ace within 365 days
}

step therapy two-aces "After two ACE inhibitors" {
  tried any 2 of class ace for 30 days within 365 days
}
"#;

fn formulary() -> Formulary {
    compile_str("alternatives.formulary", FORMULARY)
        .formulary
        .expect("the fixture compiles")
}

fn claim(rxcui: u32, history: &str) -> Prescription {
    let json = format!(
        r#"{{"date":"2026-03-02","rxcui":{rxcui},"quantity":30,"days_supply":30,
            "patient":{{"birth_date":"1958-04-11","sex":"F"}},"history":[{history}]}}"#
    );
    Prescription::from_str(&json).expect("a valid claim")
}

/// Each alternative as name, reason, and what it needs ("" when it pays).
fn listed(alts: &[Alternative]) -> Vec<(String, String, String)> {
    alts.iter()
        .map(|a| {
            assert_eq!(a.would_pay, a.needs.is_empty(), "{}", a.name);
            (a.name.to_string(), a.reason.to_string(), a.needs.join(", "))
        })
        .collect()
}

fn row(name: &str, reason: &str, needs: &str) -> (String, String, String) {
    (name.into(), reason.into(), needs.into())
}

#[test]
fn a_608_offers_what_satisfies_the_step_and_nothing_behind_the_same_step() {
    let f = formulary();
    let d = check(&f, &claim(202, ""));
    assert_eq!(d.rejects[0].code.to_string(), "608");
    // acei-b is tier 1 and cheaper, but needs a PA: it ranks after every
    // alternative that pays now. arb-c sits behind the same step and acei-c
    // is blocked by its age limit: neither is offered. The combination is
    // not offered while a single ingredient satisfies the step.
    assert_eq!(
        listed(&d.alternatives),
        vec![
            row("acei-a", "satisfies step 1 of arb-step", ""),
            row("arb-a", "same class: ARBs", ""),
            row(
                "acei-b",
                "satisfies step 1 of arb-step",
                "prior authorization acei-pa"
            ),
        ]
    );
}

#[test]
fn a_drug_that_already_counts_for_the_step_is_not_offered_for_it_again() {
    let f = formulary();
    let history = r#"{"rxcui":101,"date":"2026-01-01","days_supply":30,"quantity":30}"#;
    let d = check(&f, &claim(204, history));
    assert_eq!(d.rejects[0].code.to_string(), "608");
    // Thirty days of acei-a count once toward "any 2"; they also meet
    // arb-step, so the other ARBs pay now.
    assert_eq!(
        listed(&d.alternatives),
        vec![
            row("arb-c", "same class: ARBs", ""),
            row("arb-a", "same class: ARBs", ""),
            row("arb-b", "same class: ARBs", ""),
            row(
                "acei-b",
                "satisfies step 1 of two-aces",
                "prior authorization acei-pa"
            ),
        ]
    );
}

#[test]
fn a_paid_claim_is_not_offered_what_needs_a_rule() {
    let f = formulary();
    let d = check(&f, &claim(101, ""));
    assert!(d.is_paid());
    // acei-b is at a lower tier in the same class, but needs a PA: a paid
    // claim is offered nothing that needs a rule.
    assert_eq!(listed(&d.alternatives), vec![]);
}
