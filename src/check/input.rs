//! The prescription a pharmacist submits, with the patient, their claim
//! history and prior authorizations on file. JSON or YAML, one schema.
//!
//! Reading is strict: an unknown field, a missing field or a malformed value
//! is an [`InputError`] naming the field (`history[2].date: expected
//! YYYY-MM-DD`), never a panic and never a silent default. The only defaults
//! are documented ones: `daw` 0, empty `diagnoses`, `history` and
//! `prior_authorizations`, accumulator amounts 0, and a history fill's
//! `applied_to_deductible` 0.

use crate::ast::Sex;
use crate::codes::{normalise_icd, parse_date, parse_rxcui, Money, Ndc};
use chrono::NaiveDate;
use serde::{Deserialize, Deserializer};
use std::fmt;

mod benefit;
pub use benefit::{AccumulatorsIn, FamilyIn, PaymentPlanIn};

/// A prescription to check.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Prescription {
    /// Date of service.
    #[serde(deserialize_with = "date")]
    pub date: NaiveDate,
    /// The drug by NDC (11 digits, dashes allowed).
    #[serde(default, deserialize_with = "opt_ndc")]
    pub ndc: Option<Ndc>,
    /// The drug by RxCUI.
    #[serde(default, deserialize_with = "opt_rxcui")]
    pub rxcui: Option<u32>,
    /// Quantity dispensed (NCPDP 442-E7).
    pub quantity: f64,
    /// Days supply (NCPDP 405-D5).
    pub days_supply: u32,
    /// Dispense-as-written code 0-9 (NCPDP 408-D8); 0 when absent.
    #[serde(default)]
    pub daw: u8,
    /// ICD-10 codes on the claim.
    #[serde(default, deserialize_with = "icds")]
    pub diagnoses: Vec<String>,
    /// Kind of pharmacy.
    #[serde(default)]
    pub pharmacy: Option<PharmacyKind>,
    /// The patient.
    pub patient: Patient,
    /// Earlier paid fills.
    #[serde(default)]
    pub history: Vec<Fill>,
    /// Prior authorizations on file.
    #[serde(default)]
    pub prior_authorizations: Vec<PaOnFile>,
    /// Submitted ingredient cost in dollars (NCPDP 409-D9).
    #[serde(default, deserialize_with = "opt_money")]
    pub ingredient_cost: Option<Money>,
    /// Submitted dispensing fee in dollars (NCPDP 412-DC).
    #[serde(default, deserialize_with = "opt_money")]
    pub dispensing_fee: Option<Money>,
    /// The member's benefit totals for the plan year before this fill, as
    /// the claims system keeps them. Without them, the history's patient
    /// pay is added up.
    #[serde(default)]
    pub accumulators: Option<AccumulatorsIn>,
    /// The member takes part in the Medicare Prescription Payment Plan.
    #[serde(default)]
    pub payment_plan: Option<PaymentPlanIn>,
}

/// The kind of pharmacy filling the prescription.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PharmacyKind {
    /// Retail.
    Retail,
    /// Mail order.
    Mail,
    /// Specialty.
    Specialty,
}

/// The patient.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Patient {
    /// Birth date; or give `age`.
    #[serde(default, deserialize_with = "opt_date")]
    pub birth_date: Option<NaiveDate>,
    /// Age in years at the date of service, when the birth date is not known.
    #[serde(default)]
    pub age: Option<u32>,
    /// `F`, `M`, or `U` for unknown.
    #[serde(deserialize_with = "sex")]
    pub sex: Option<Sex>,
    /// Enrollment date, for transition fills.
    #[serde(default, deserialize_with = "opt_date")]
    pub enrolled: Option<NaiveDate>,
}

/// An earlier paid fill.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Fill {
    /// The drug by NDC.
    #[serde(default, deserialize_with = "opt_ndc")]
    pub ndc: Option<Ndc>,
    /// The drug by RxCUI.
    #[serde(default, deserialize_with = "opt_rxcui")]
    pub rxcui: Option<u32>,
    /// Fill date.
    #[serde(deserialize_with = "date")]
    pub date: NaiveDate,
    /// Days supply.
    pub days_supply: u32,
    /// Quantity.
    pub quantity: f64,
    /// What the patient paid in dollars (NCPDP 505-F5), for the accumulators.
    #[serde(default, deserialize_with = "opt_money")]
    pub patient_pay: Option<Money>,
    /// The part of the patient pay applied to the deductible (NCPDP 517-FH); 0 when absent.
    #[serde(default, deserialize_with = "opt_money")]
    pub applied_to_deductible: Option<Money>,
    /// The fill's gross drug cost in dollars.
    #[serde(default, deserialize_with = "opt_money")]
    pub total_cost: Option<Money>,
}

/// A prior authorization on file.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PaOnFile {
    /// Authorization number (NCPDP 462-EV).
    pub number: String,
    /// The drug it covers, by NDC.
    #[serde(default, deserialize_with = "opt_ndc")]
    pub ndc: Option<Ndc>,
    /// The drug it covers, by RxCUI.
    #[serde(default, deserialize_with = "opt_rxcui")]
    pub rxcui: Option<u32>,
    /// Or the rule it satisfies, by name: a PA rule, or a step therapy rule
    /// for which an exception was granted.
    #[serde(default)]
    pub rule: Option<String>,
    /// First day.
    #[serde(deserialize_with = "date")]
    pub from: NaiveDate,
    /// Last day.
    #[serde(deserialize_with = "date")]
    pub to: NaiveDate,
    /// `approved` (default) or `denied`.
    #[serde(default)]
    pub status: PaStatus,
}

/// Outcome of a prior authorization request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PaStatus {
    /// Approved.
    #[default]
    Approved,
    /// Denied.
    Denied,
}

/// A prescription that could not be read: the field and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {message}")]
pub struct InputError {
    /// Field path, e.g. `history[2].date`; `.` for the whole document.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl InputError {
    pub(super) fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        InputError {
            path: path.into(),
            message: message.into(),
        }
    }
}

impl Prescription {
    /// Reads a prescription from JSON or YAML, chosen by content: text
    /// starting with `{` is JSON.
    #[allow(clippy::should_implement_trait)]
    pub fn from_str(text: &str) -> Result<Prescription, InputError> {
        if text.len() > MAX_PRESCRIPTION {
            return Err(InputError::new(
                ".",
                format!(
                    "longer than the {} MiB limit for a prescription",
                    MAX_PRESCRIPTION >> 20
                ),
            ));
        }
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        if text.trim_start().starts_with('{') {
            return Prescription::from_json(text);
        }
        if flow_depth(text, false) > MAX_NESTING {
            return Err(InputError::new(
                ".",
                format!("nested more than {MAX_NESTING} deep"),
            ));
        }
        let de = serde_yaml::Deserializer::from_str(text);
        let rx: Prescription =
            serde_path_to_error::deserialize(de).map_err(|e| path_error(e.path(), e.inner()))?;
        rx.validate()?;
        Ok(rx)
    }

    /// Reads a JSON prescription (a `check --batch` line). Nesting deeper
    /// than [`MAX_NESTING`] is refused.
    pub fn from_json(text: &str) -> Result<Prescription, InputError> {
        if flow_depth(text, true) > MAX_NESTING {
            return Err(InputError::new(
                ".",
                format!("nested more than {MAX_NESTING} deep"),
            ));
        }
        // Plain serde is the fast path; only a text it refuses is read again
        // the careful way, for an error that names the field.
        if let Ok(rx) = serde_json::from_str::<Prescription>(text) {
            rx.validate()?;
            return Ok(rx);
        }
        let mut de = serde_json::Deserializer::from_str(text);
        let rx: Prescription = serde_path_to_error::deserialize(&mut de)
            .map_err(|e| path_error(e.path(), e.inner()))?;
        de.end().map_err(|e| {
            InputError::new(".", format!("trailing text after the prescription: {e}"))
        })?;
        rx.validate()?;
        Ok(rx)
    }

    /// Checks what serde cannot: ranges, one drug code, consistent dates,
    /// and diagnoses in the normal form the reader and
    /// [`PrescriptionBuilder`](super::PrescriptionBuilder) give (`E119`): a
    /// code as written (`E11.9`) would never match a rule.
    pub fn validate(&self) -> Result<(), InputError> {
        one_code("", self.ndc.is_some(), self.rxcui.is_some())?;
        for (i, code) in self.diagnoses.iter().enumerate() {
            if normalise_icd(code).as_deref() != Some(code.as_str()) {
                return Err(InputError::new(
                    format!("diagnoses[{i}]"),
                    format!("`{code}` is not a normalised ICD-10 code; build the prescription with PrescriptionBuilder"),
                ));
            }
        }
        quantity("quantity", self.quantity)?;
        if self.days_supply == 0 || self.days_supply > 365 {
            return Err(InputError::new("days_supply", "must be between 1 and 365"));
        }
        if self.daw > 9 {
            return Err(InputError::new("daw", "a DAW code is 0 to 9"));
        }
        let p = &self.patient;
        match (p.birth_date, p.age) {
            (None, None) => return Err(InputError::new("patient", "give birth_date or age")),
            (Some(b), _) if b > self.date => {
                return Err(InputError::new(
                    "patient.birth_date",
                    "is after the date of service",
                ))
            }
            (_, Some(a)) if a > 150 => {
                return Err(InputError::new("patient.age", "must be at most 150"))
            }
            _ => {}
        }
        for (i, f) in self.history.iter().enumerate() {
            let at = |field: &str| format!("history[{i}]{field}");
            one_code(&at(""), f.ndc.is_some(), f.rxcui.is_some())?;
            if f.days_supply == 0 || f.days_supply > 365 {
                return Err(InputError::new(
                    at(".days_supply"),
                    "must be between 1 and 365",
                ));
            }
            quantity(&at(".quantity"), f.quantity)?;
            if f.date > self.date {
                return Err(InputError::new(at(".date"), "is after the date of service"));
            }
        }
        benefit::validate(self)?;
        for (i, pa) in self.prior_authorizations.iter().enumerate() {
            let at = |field: &str| format!("prior_authorizations[{i}]{field}");
            if pa.ndc.is_none() && pa.rxcui.is_none() && pa.rule.is_none() {
                return Err(InputError::new(
                    at(""),
                    "give the drug (ndc or rxcui) or the rule it covers",
                ));
            }
            if pa.from > pa.to {
                return Err(InputError::new(at(".to"), "is before `from`"));
            }
        }
        for (field, m) in [
            ("ingredient_cost", self.ingredient_cost),
            ("dispensing_fee", self.dispensing_fee),
        ] {
            if m.is_some_and(|m| m.0 < 0) {
                return Err(InputError::new(field, "must not be negative"));
            }
            if m.is_some_and(|m| m > MAX_AMOUNT) {
                return Err(InputError::new(
                    field,
                    format!("must be at most {MAX_AMOUNT}"),
                ));
            }
        }
        if let Some(e) = self.patient.enrolled.filter(|e| *e > self.date) {
            return Err(InputError::new(
                "patient.enrolled",
                format!("{e} is after the date of service"),
            ));
        }
        Ok(())
    }

    /// Checks what needs the formulary: every PA on file that names a rule
    /// names one of its PA or step therapy rules.
    pub fn validate_for(&self, f: &crate::Formulary) -> Result<(), InputError> {
        for (i, pa) in self.prior_authorizations.iter().enumerate() {
            let Some(rule) = &pa.rule else { continue };
            let known =
                f.pas.iter().any(|r| &r.name == rule) || f.steps.iter().any(|r| &r.name == rule);
            if !known {
                return Err(InputError::new(
                    format!("prior_authorizations[{i}].rule"),
                    format!(
                        "formulary {} has no prior authorization or step therapy rule `{}`",
                        f.id,
                        crate::compile::load::reference::short(rule)
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Age in whole years at the date of service. A patient born on
    /// 29 February is a year older on 1 March in years without one.
    pub fn age(&self) -> u32 {
        match self.patient.birth_date {
            Some(b) => self.date.years_since(b).unwrap_or(0),
            None => self.patient.age.unwrap_or(0),
        }
    }
}

/// The largest quantity: the NCPDP Quantity Dispensed field holds
/// 9,999,999.999. Larger values would overflow the cost arithmetic.
pub const MAX_QUANTITY: f64 = 9_999_999.999;

/// The largest submitted amount, $10,000,000.
pub const MAX_AMOUNT: Money = Money(1_000_000_000);

fn quantity(field: &str, q: f64) -> Result<(), InputError> {
    if !(q > 0.0 && q.is_finite()) {
        return Err(InputError::new(field, "must be a positive number"));
    }
    if q > MAX_QUANTITY {
        return Err(InputError::new(
            field,
            "must be at most 9999999.999 (the NCPDP quantity dispensed field)",
        ));
    }
    Ok(())
}

fn one_code(at: &str, ndc: bool, rxcui: bool) -> Result<(), InputError> {
    let path = |f: &str| {
        if at.is_empty() {
            f.to_string()
        } else {
            format!("{at}.{f}")
        }
    };
    match (ndc, rxcui) {
        (false, false) => Err(InputError::new(
            if at.is_empty() { "." } else { at },
            "give the drug as `ndc` or `rxcui`",
        )),
        (true, true) => Err(InputError::new(
            path("rxcui"),
            "give `ndc` or `rxcui`, not both",
        )),
        _ => Ok(()),
    }
}

fn path_error(path: &serde_path_to_error::Path, inner: &dyn fmt::Display) -> InputError {
    let p = path.to_string();
    let msg = inner.to_string();
    // serde_json and serde_yaml append " at line N column M"; keep it, it helps.
    InputError::new(if p.is_empty() { ".".to_string() } else { p }, msg)
}

// ---------------------------------------------------------------- field readers

/// A string or, in YAML, any scalar; numbers are refused where leading zeros matter.
#[derive(Deserialize)]
#[serde(untagged)]
enum Scalar {
    Text(String),
    Int(i64),
    Float(f64),
}

fn date<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
    let s = String::deserialize(d).map_err(|_| serde::de::Error::custom("expected YYYY-MM-DD"))?;
    parse_date(&s)
        .ok_or_else(|| serde::de::Error::custom(format!("expected YYYY-MM-DD, got `{s}`")))
}

fn opt_date<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
    date(d).map(Some)
}

fn opt_ndc<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Ndc>, D::Error> {
    match Scalar::deserialize(d)? {
        Scalar::Text(s) => Ndc::parse(&s)
            .map(Some)
            .map_err(|e| serde::de::Error::custom(format!("malformed NDC `{s}`: {e}"))),
        _ => Err(serde::de::Error::custom(
            "an NDC must be a quoted string, so that leading zeros are kept",
        )),
    }
}

fn opt_rxcui<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    let s = match Scalar::deserialize(d)? {
        Scalar::Text(s) => s,
        Scalar::Int(i) => i.to_string(),
        Scalar::Float(f) => f.to_string(),
    };
    parse_rxcui(&s)
        .map(Some)
        .map_err(|e| serde::de::Error::custom(format!("malformed RxCUI `{s}`: {e}")))
}

fn icds<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    let raw = Vec::<String>::deserialize(d)?;
    raw.iter()
        .map(|c| {
            normalise_icd(c)
                .ok_or_else(|| serde::de::Error::custom(format!("`{c}` is not an ICD-10 code")))
        })
        .collect()
}

fn sex<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Sex>, D::Error> {
    let s = String::deserialize(d)?;
    match s.to_ascii_uppercase().as_str() {
        "F" | "FEMALE" => Ok(Some(Sex::Female)),
        "M" | "MALE" => Ok(Some(Sex::Male)),
        "U" | "UNKNOWN" => Ok(None),
        _ => Err(serde::de::Error::custom(format!(
            "expected F, M or U, got `{s}`"
        ))),
    }
}

fn money<'de, D: Deserializer<'de>>(d: D) -> Result<Money, D::Error> {
    opt_money(d).map(Option::unwrap_or_default)
}

fn opt_money<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Money>, D::Error> {
    let v = f64::deserialize(d)?;
    if !v.is_finite() || v > 10_000_000.0 {
        return Err(serde::de::Error::custom("expected an amount in dollars"));
    }
    Ok(Some(Money::from_dollars(v)))
}

/// The largest prescription read, in bytes (a file or standard input).
pub const MAX_PRESCRIPTION: usize = 1 << 20;

/// The deepest nesting of `[ ]` and `{ }` read; a prescription needs 3.
pub const MAX_NESTING: usize = 32;

/// The deepest nesting of brackets and braces: a pass over the text that
/// costs nothing next to parsing, done first because a deeply nested YAML
/// document takes time quadratic in its depth. In JSON, brackets inside
/// strings do not count; in YAML every bracket counts (a quote may start a
/// string or sit inside a plain one, so only this count is never too low).
fn flow_depth(text: &str, json: bool) -> usize {
    let (mut depth, mut max) = (0usize, 0usize);
    let mut quote: Option<u8> = None;
    let mut escaped = false;
    for b in text.bytes() {
        match quote {
            Some(q) => {
                if escaped {
                    escaped = false;
                } else if b == b'\\' && q == b'"' {
                    escaped = true;
                } else if b == q {
                    quote = None;
                }
            }
            None => match b {
                b'"' if json => quote = Some(b),
                b'[' | b'{' => {
                    depth += 1;
                    max = max.max(depth);
                }
                b']' | b'}' => depth = depth.saturating_sub(1),
                _ => {}
            },
        }
    }
    max
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> String {
        Prescription::from_str(text).unwrap_err().to_string()
    }

    const OK: &str = r#"{"date":"2026-03-01","ndc":"00378-1025-77","quantity":30,"days_supply":30,
        "patient":{"birth_date":"1960-01-02","sex":"F"}}"#;

    #[test]
    fn reads_json_and_yaml_alike() {
        let j = Prescription::from_str(OK).unwrap();
        let y = Prescription::from_str(
            "date: 2026-03-01\nndc: '00378-1025-77'\nquantity: 30\ndays_supply: 30\npatient: {birth_date: 1960-01-02, sex: F}\n",
        )
        .unwrap();
        assert_eq!(j, y);
        assert_eq!(j.ndc.unwrap().to_string(), "00378102577");
        assert_eq!(j.age(), 66);
    }

    #[test]
    fn errors_name_the_field() {
        let bad_hist = OK.replace(
            r#""patient""#,
            r#""history":[{"ndc":"00378102577","date":"2026-01-01","days_supply":30,"quantity":30},
                          {"ndc":"00378102577","date":"2026-01-01","days_supply":30,"quantity":30},
                          {"ndc":"00378102577","date":"01/02/2026","days_supply":30,"quantity":30}],"patient""#,
        );
        assert!(
            err(&bad_hist).starts_with("history[2].date: expected YYYY-MM-DD"),
            "{}",
            err(&bad_hist)
        );
        assert!(err(&OK.replace("\"quantity\":30,", "")).contains("missing field `quantity`"));
        assert!(err(&OK.replace("00378-1025-77", "1234")).starts_with("ndc: malformed NDC"));
        assert!(err(&OK.replace("\"00378-1025-77\"", "378102577")).contains("quoted string"));
        assert!(err(&OK.replace("\"F\"", "\"X\"")).starts_with("patient.sex: expected F, M or U"));
        assert_eq!(
            err(&OK.replace("\"days_supply\":30", "\"days_supply\":0")),
            "days_supply: must be between 1 and 365"
        );
        assert!(err(&OK.replace("\"quantity\"", "\"qty\"")).contains("unknown field `qty`"));
    }

    #[test]
    fn yaml_keeps_ndc_leading_zeros_when_unquoted() {
        // serde_yaml hands an unquoted number-like scalar to a string field
        // as written, so the leading zeros survive.
        let rx = Prescription::from_str(
            "date: 2026-03-01\nndc: 00378102577\nquantity: 30\ndays_supply: 30\npatient: {age: 40, sex: M}\n",
        )
        .unwrap();
        assert_eq!(rx.ndc.unwrap().to_string(), "00378102577");
    }
}
