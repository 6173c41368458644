//! FHIR R4 bundles in the shape of the HL7 Da Vinci US Drug Formulary
//! implementation guide: [`export`] writes a compiled formulary as a bundle,
//! [`import`] reads such a bundle back as formulary source.
//!
//! A bundle holds the Formulary `InsurancePlan` (its tiers listed in `plan`),
//! a payer `InsurancePlan` with each tier's cost shares, one `Basic` formulary
//! item per drug (tier, prior authorization, step therapy and quantity limit
//! extensions) and one `MedicationKnowledge` per drug (RxNorm and NDC codes).
//! What the guide has no structure for — PA criteria, step therapy
//! prerequisites, age and sex limits, a quantity limit that is not rolling —
//! is written as text in the item's additional coverage information, and
//! limits also in our own syntax in the quantity limit detail's description,
//! which [`import`] reads back. docs/formats.md lists the mapping.

mod costs;
mod export;
mod import;
mod limits;

use crate::compile::model::Tier;
pub use export::{export, ExportOptions};
pub use import::import;
use serde_json::{json, Value};

/// Base of the guide's extension and profile URLs.
const USDF: &str = "http://hl7.org/fhir/us/davinci-drug-formulary";

/// A StructureDefinition URL of the guide.
fn sd(name: &str) -> String {
    format!("{USDF}/StructureDefinition/{name}")
}

/// A CodeSystem URL of the guide.
fn cs(name: &str) -> String {
    format!("{USDF}/CodeSystem/{name}")
}

const RXNORM: &str = "http://www.nlm.nih.gov/research/umls/rxnorm";
const NDC_SYSTEM: &str = "http://hl7.org/fhir/sid/ndc";
const UCUM: &str = "http://unitsofmeasure.org";
const ACT_CODE: &str = "http://terminology.hl7.org/CodeSystem/v3-ActCode";
const PLAN_TYPE: &str = "http://terminology.hl7.org/CodeSystem/insurance-plan-type";
const DRUG_TIER_CS: &str = "usdf-DrugTierCS-TEMPORARY-TRIAL-USE";
const BENEFIT_TYPE_CS: &str = "usdf-PharmacyBenefitTypeCS-TEMPORARY-TRIAL-USE";
const COST_TYPE_CS: &str = "usdf-BenefitCostTypeCS-TEMPORARY-TRIAL-USE";

/// Extension URLs, by the guide's names.
mod ext {
    pub const FORMULARY_REFERENCE: &str = "usdf-FormularyReference-extension";
    pub const AVAILABILITY_STATUS: &str = "usdf-AvailabilityStatus-extension";
    pub const AVAILABILITY_PERIOD: &str = "usdf-AvailabilityPeriod-extension";
    pub const PHARMACY_BENEFIT_TYPE: &str = "usdf-PharmacyBenefitType-extension";
    pub const DRUG_TIER: &str = "usdf-DrugTierID-extension";
    pub const PA: &str = "usdf-PriorAuthorization-extension";
    pub const PA_NEW_STARTS: &str = "usdf-PriorAuthorizationNewStartsOnly-extension";
    pub const STEP: &str = "usdf-StepTherapyLimit-extension";
    pub const STEP_NEW_STARTS: &str = "usdf-StepTherapyLimitNewStartsOnly-extension";
    pub const QL: &str = "usdf-QuantityLimit-extension";
    pub const QL_DETAIL: &str = "usdf-QuantityLimitDetail-extension";
    pub const COVERAGE_INFO: &str = "usdf-AdditionalCoverageInformation-extension";
}

/// Pharmacy benefit types: items and tiers are listed for the first; cost
/// shares are given for all three.
const RETAIL_MONTH: (&str, &str) = ("1-month-in-retail", "1 month in network retail");
const MAIL_MONTH: (&str, &str) = ("1-month-in-mail", "1 month in network mail order");
const RETAIL_3_MONTHS: (&str, &str) = ("3-month-in-retail", "3 month in network retail");

/// A tier as a drug tier concept: the guide's code system with a code made
/// from the label (the guide lets each plan name its own tiers; labels such
/// as "Preferred generic" give the guide's own codes), and the tier's number
/// as the concept's text, from which the import takes it back.
fn tier_concept(t: &Tier) -> Value {
    json!({
        "coding": [{"system": cs(DRUG_TIER_CS), "code": crate::interop::source::ident(&t.label, "tier"), "display": t.label}],
        "text": format!("Tier {}", t.number),
    })
}

/// A pharmacy benefit type as a coding of the guide's code system.
fn benefit_type((code, display): (&str, &str)) -> Value {
    json!({"system": cs(BENEFIT_TYPE_CS), "code": code, "display": display})
}

/// A FHIR id from free text: letters, digits, `-` and `.`, at most 64.
fn fhir_id(text: &str) -> String {
    let mut s: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                c
            } else {
                '-'
            }
        })
        .collect();
    s.truncate(64);
    s
}
