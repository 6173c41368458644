//! What every decision must satisfy, whatever the formulary and claim.

use formulary::check::{Decision, Status};
use formulary::{Formulary, Prescription};

/// Checks `rx` against `f` and asserts that the decision holds together:
/// paid exactly when nothing rejected it, costs that add up and stay within
/// the total, and a decision that serialises and renders.
pub fn decision(f: &Formulary, rx: &Prescription) {
    holds(&formulary::check(f, rx));
}

/// Asserts that a decision holds together (see [`decision`]).
pub fn holds(d: &Decision) {
    assert_eq!(d.is_paid(), d.rejects.is_empty());
    assert_eq!(d.status == Status::Paid, d.rejects.is_empty());
    if let Some(c) = &d.cost {
        if let (Some(total), Some(patient), Some(plan)) = (c.total, c.patient_pay, c.plan_pay) {
            assert!(
                patient.0 >= 0 && patient.0 <= total.0,
                "patient pays {patient} of {total}"
            );
            assert_eq!(patient.0 + plan.0, total.0);
        }
    }
    serde_json::to_string(d).expect("a decision serialises");
    formulary::check::render_human(d, true);
}
