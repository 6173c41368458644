//! Building a prescription in code: the same normalisation and validation
//! as reading one from JSON or YAML, so the two cannot mean different things.

use super::input::{Fill, InputError, PaOnFile, Patient, PharmacyKind, Prescription};
use crate::ast::Sex;
use crate::codes::{normalise_icd, Money, Ndc};
use chrono::NaiveDate;

/// Builds a [`Prescription`]. [`PrescriptionBuilder::build`] normalises the
/// diagnoses and validates exactly as [`Prescription::from_str`] does.
///
/// ```
/// use formulary::check::{Prescription, PrescriptionBuilder};
/// use formulary::codes::Date;
///
/// let date = Date::from_ymd_opt(2026, 3, 2).unwrap();
/// let rx: Prescription = PrescriptionBuilder::new(date, 30.0, 30)
///     .rxcui(314076)
///     .age(60)
///     .diagnosis("E11.9")
///     .build()
///     .expect("valid");
/// assert_eq!(rx.diagnoses, ["E119"]);
/// ```
#[derive(Debug, Clone)]
pub struct PrescriptionBuilder {
    rx: Prescription,
    diagnoses: Vec<String>,
}

impl PrescriptionBuilder {
    /// A prescription filled on `date` for `quantity` units and `days_supply`
    /// days; the drug and the patient's age or birth date are still to give.
    pub fn new(date: NaiveDate, quantity: f64, days_supply: u32) -> Self {
        PrescriptionBuilder {
            rx: Prescription {
                date,
                ndc: None,
                rxcui: None,
                quantity,
                days_supply,
                daw: 0,
                diagnoses: Vec::new(),
                pharmacy: None,
                patient: Patient {
                    birth_date: None,
                    age: None,
                    sex: None,
                    enrolled: None,
                },
                history: Vec::new(),
                prior_authorizations: Vec::new(),
                ingredient_cost: None,
                dispensing_fee: None,
                accumulators: None,
                payment_plan: None,
            },
            diagnoses: Vec::new(),
        }
    }

    /// The drug by NDC.
    pub fn ndc(mut self, ndc: Ndc) -> Self {
        self.rx.ndc = Some(ndc);
        self
    }

    /// The drug by RxCUI.
    pub fn rxcui(mut self, rxcui: u32) -> Self {
        self.rx.rxcui = Some(rxcui);
        self
    }

    /// The patient's age in years.
    pub fn age(mut self, years: u32) -> Self {
        self.rx.patient.age = Some(years);
        self
    }

    /// The patient's birth date.
    pub fn birth_date(mut self, date: NaiveDate) -> Self {
        self.rx.patient.birth_date = Some(date);
        self
    }

    /// The patient's sex.
    pub fn sex(mut self, sex: Sex) -> Self {
        self.rx.patient.sex = Some(sex);
        self
    }

    /// The date the patient enrolled in the plan (for transition fills).
    pub fn enrolled(mut self, date: NaiveDate) -> Self {
        self.rx.patient.enrolled = Some(date);
        self
    }

    /// An ICD-10 code on the claim, as written ("E11.9" or "E119").
    pub fn diagnosis(mut self, code: impl Into<String>) -> Self {
        self.diagnoses.push(code.into());
        self
    }

    /// The dispense-as-written code, 0 to 9.
    pub fn daw(mut self, code: u8) -> Self {
        self.rx.daw = code;
        self
    }

    /// The kind of pharmacy.
    pub fn pharmacy(mut self, kind: PharmacyKind) -> Self {
        self.rx.pharmacy = Some(kind);
        self
    }

    /// An earlier paid fill.
    pub fn fill(mut self, fill: Fill) -> Self {
        self.rx.history.push(fill);
        self
    }

    /// A prior authorization on file.
    pub fn prior_authorization(mut self, pa: PaOnFile) -> Self {
        self.rx.prior_authorizations.push(pa);
        self
    }

    /// The submitted ingredient cost and dispensing fee.
    pub fn submitted_cost(mut self, ingredient_cost: Money, dispensing_fee: Money) -> Self {
        self.rx.ingredient_cost = Some(ingredient_cost);
        self.rx.dispensing_fee = Some(dispensing_fee);
        self
    }

    /// The prescription, normalised and validated as a prescription read
    /// from text is; an error names the field as the reader would.
    pub fn build(self) -> Result<Prescription, InputError> {
        let mut rx = self.rx;
        for (i, code) in self.diagnoses.iter().enumerate() {
            let Some(c) = normalise_icd(code) else {
                return Err(InputError::new(
                    format!("diagnoses[{i}]"),
                    format!("`{code}` is not an ICD-10 code"),
                ));
            };
            rx.diagnoses.push(c);
        }
        rx.validate()?;
        Ok(rx)
    }
}
