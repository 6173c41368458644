//! A billing request as the engine's [`Prescription`]: the same value the
//! JSON reader would build from the same facts, then the same
//! [`Prescription::validate`]. The member's history and prior
//! authorizations on file come from the caller (the claims store), not the
//! transmission; the enrollment date, when known, is set by the caller on
//! `patient.enrolled`.

use super::request::{ClaimRequest, Gender, Rejects, TransactionCode};
use crate::ast::Sex;
use crate::check::{Fill, InputError, PaOnFile, Patient, Prescription};

impl ClaimRequest {
    /// The prescription this B1 asks to pay. A B2 or E1 carries no
    /// prescription to check and is refused with 1S.
    pub fn to_prescription(
        &self,
        history: Vec<Fill>,
        pas: Vec<PaOnFile>,
    ) -> Result<Prescription, Rejects> {
        if self.code != TransactionCode::Billing {
            return Err(Rejects::one(
                "1S",
                None,
                format!(
                    "a {} transaction has no prescription to check",
                    self.code.code()
                ),
            ));
        }
        let missing =
            |code, id, what: &str| Rejects::one(code, Some(id), format!("{what} is missing"));
        let ndc = self.ndc.ok_or_else(|| missing("21", "D7", "407-D7"))?;
        let q = self
            .quantity_thousandths
            .ok_or_else(|| missing("E7", "E7", "442-E7"))?;
        let days = self
            .days_supply
            .ok_or_else(|| missing("19", "D5", "405-D5"))?;
        let birth = self
            .birth_date
            .ok_or_else(|| missing("09", "C4", "304-C4"))?;
        let gender = self.gender.ok_or_else(|| missing("10", "C5", "305-C5"))?;
        let rx = Prescription {
            date: self.date_of_service,
            ndc: Some(ndc),
            rxcui: None,
            quantity: q as f64 / 1000.0,
            days_supply: days,
            daw: self.daw,
            diagnoses: self.diagnoses.clone(),
            pharmacy: None,
            patient: Patient {
                birth_date: Some(birth),
                age: None,
                sex: match gender {
                    Gender::Male => Some(Sex::Male),
                    Gender::Female => Some(Sex::Female),
                    Gender::Unknown => None,
                },
                enrolled: None,
            },
            history,
            prior_authorizations: pas,
            ingredient_cost: self.ingredient_cost,
            dispensing_fee: self.dispensing_fee,
            // A claim does not carry the member's accumulators: the caller
            // that keeps them (the claims store) adds them.
            accumulators: None,
            payment_plan: None,
        };
        rx.validate().map_err(input_reject)?;
        Ok(rx)
    }
}

/// The reject for a prescription the JSON rules refuse. Claim fields get
/// their M/I code; history or approvals on file that do not validate are the
/// processor's fault (99, host processing error).
fn input_reject(e: InputError) -> Rejects {
    let (code, field) = match e.path.as_str() {
        "quantity" => ("E7", Some("E7")),
        "days_supply" => ("19", Some("D5")),
        "daw" => ("22", Some("D8")),
        "patient.birth_date" | "patient" => ("09", Some("C4")),
        "ingredient_cost" => ("23", Some("D9")),
        "dispensing_fee" => ("DC", Some("DC")),
        _ => ("99", None),
    };
    Rejects::one(code, field, e.to_string())
}
