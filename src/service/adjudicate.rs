//! One claim from request to answer: read the JSON request strictly, check
//! the member's eligibility, build the prescription with the history and
//! prior authorizations from the store, check it, and shape the answer.

use super::store::{ClaimKey, MemberState, NewClaim, StoredFill};
use crate::check::{self, InputError, PharmacyKind, Prescription};
use crate::codes::{normalise_icd, parse_date, Money, Ndc};
use crate::Formulary;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A claim as a pharmacy sends it to the JSON API. The pharmacy is the one
/// the API key belongs to; the member's details come from the store.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ClaimRequest {
    /// Member (cardholder) id.
    pub member_id: String,
    /// Date of service, YYYY-MM-DD.
    pub date: String,
    /// Prescription number (402-D2); required to submit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rx_number: Option<String>,
    /// Fill number (403-D3), 0 for the original.
    #[serde(default)]
    pub fill_number: u32,
    /// The drug by NDC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ndc: Option<String>,
    /// The drug by RxCUI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rxcui: Option<u32>,
    /// Quantity dispensed.
    pub quantity: f64,
    /// Days supply.
    pub days_supply: u32,
    /// DAW code.
    #[serde(default)]
    pub daw: u8,
    /// ICD-10 codes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub diagnoses: Vec<String>,
    /// Retail, mail or specialty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pharmacy_kind: Option<PharmacyKind>,
    /// Submitted ingredient cost in dollars.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ingredient_cost: Option<f64>,
    /// Submitted dispensing fee in dollars.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dispensing_fee: Option<f64>,
}

/// A request that cannot be read: the field and what is wrong (HTTP 400).
pub type RequestError = InputError;

fn bad(path: &str, message: impl Into<String>) -> RequestError {
    InputError {
        path: path.to_string(),
        message: message.into(),
    }
}

impl ClaimRequest {
    /// Reads a request strictly, naming the field at fault.
    pub fn from_json(body: &[u8]) -> Result<ClaimRequest, RequestError> {
        let mut de = serde_json::Deserializer::from_slice(body);
        let r: ClaimRequest = serde_path_to_error::deserialize(&mut de).map_err(|e| {
            let path = e.path().to_string();
            bad(&path, e.into_inner().to_string())
        })?;
        de.end()
            .map_err(|e| bad(".", format!("trailing text after the claim: {e}")))?;
        if r.member_id.is_empty() || r.member_id.len() > 20 {
            return Err(bad("member_id", "must be 1 to 20 characters"));
        }
        if let Some(rx) = &r.rx_number {
            if rx.is_empty() || rx.len() > 12 || !rx.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad("rx_number", "must be 1 to 12 digits"));
            }
        }
        if r.fill_number > 99 {
            return Err(bad("fill_number", "must be 0 to 99"));
        }
        Ok(r)
    }

    /// The date of service.
    pub fn date(&self) -> Result<NaiveDate, RequestError> {
        parse_date(&self.date).ok_or_else(|| bad("date", "expected YYYY-MM-DD"))
    }

    /// The key that makes this claim unique, for a pharmacy.
    pub fn key(&self, pharmacy: &str) -> Result<ClaimKey, RequestError> {
        let rx = self
            .rx_number
            .clone()
            .ok_or_else(|| bad("rx_number", "is required to submit or reverse a claim"))?;
        Ok(ClaimKey {
            pharmacy: pharmacy.to_string(),
            rx_number: rx,
            fill_number: self.fill_number,
            date: self.date()?,
        })
    }

    /// The prescription to check: this claim, the member from the store,
    /// their paid fills up to the date of service and PAs on file.
    pub fn to_prescription(&self, m: &MemberState) -> Result<Prescription, RequestError> {
        let date = self.date()?;
        let ndc = self
            .ndc
            .as_deref()
            .map(|s| Ndc::parse(s).map_err(|e| bad("ndc", e)))
            .transpose()?;
        let mut diagnoses = Vec::with_capacity(self.diagnoses.len());
        for (i, d) in self.diagnoses.iter().enumerate() {
            let code = normalise_icd(d)
                .ok_or_else(|| bad(&format!("diagnoses[{i}]"), "expected an ICD-10 code"))?;
            diagnoses.push(code);
        }
        let money = |field: &str, v: Option<f64>| -> Result<Option<Money>, RequestError> {
            match v {
                Some(d) if !d.is_finite() || !(0.0..=10_000_000.0).contains(&d) => {
                    Err(bad(field, "expected an amount in dollars"))
                }
                Some(d) => Ok(Some(Money::from_dollars(d))),
                None => Ok(None),
            }
        };
        let rx = Prescription {
            date,
            ndc,
            rxcui: self.rxcui,
            quantity: self.quantity,
            days_supply: self.days_supply,
            daw: self.daw,
            diagnoses,
            pharmacy: self.pharmacy_kind,
            patient: check::Patient {
                birth_date: Some(m.member.birth_date),
                age: None,
                sex: m.member.sex,
                enrolled: Some(m.member.enrolled),
            },
            history: m
                .fills
                .iter()
                .filter(|f| f.date <= date)
                .map(StoredFill::to_fill)
                .collect(),
            prior_authorizations: m.pas.iter().map(|p| p.to_pa()).collect(),
            ingredient_cost: money("ingredient_cost", self.ingredient_cost)?,
            dispensing_fee: money("dispensing_fee", self.dispensing_fee)?,
            // Accumulators are summed from the stored fills' patient pay.
            accumulators: None,
            payment_plan: None,
        };
        rx.validate()?;
        Ok(rx)
    }
}

/// Paid, rejected or a duplicate of a paid claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AnswerStatus {
    /// Paid (112-AN P).
    Paid,
    /// Rejected (R).
    Rejected,
    /// Duplicate of a paid claim (D): the original answer, nothing recorded.
    Duplicate,
}

/// A reject on the answer.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct AnswerReject {
    /// NCPDP reject code.
    pub code: String,
    /// What failed and what would satisfy it.
    pub message: String,
}

/// An alternative on the answer.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct AnswerAlternative {
    /// Name in the formulary.
    pub name: String,
    /// Label.
    pub label: String,
    /// RxCUI.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rxcui: Option<u32>,
    /// Tier.
    pub tier: u32,
    /// Patient pay in dollars, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub patient_pay: Option<f64>,
    /// Needs PA or step therapy for this patient.
    pub restricted: bool,
}

/// The formulary that decided.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct AnswerFormulary {
    /// Id.
    pub id: String,
    /// Version.
    pub version: String,
    /// Source hash.
    pub hash: String,
}

/// The answer to a claim, as stored and as sent.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Answer {
    /// Paid, rejected or duplicate.
    pub status: AnswerStatus,
    /// The recorded claim, when recorded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub claim_id: Option<i64>,
    /// Member.
    pub member_id: String,
    /// Tier of the fill.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tier: Option<u32>,
    /// Rejects.
    pub rejects: Vec<AnswerReject>,
    /// Messages to the pharmacist.
    pub messages: Vec<String>,
    /// Patient pay in dollars, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub patient_pay: Option<f64>,
    /// Plan pay in dollars, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plan_pay: Option<f64>,
    /// Alternatives, best first.
    pub alternatives: Vec<AnswerAlternative>,
    /// The formulary that decided (absent for an eligibility reject).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub formulary: Option<AnswerFormulary>,
}

fn dollars(m: Option<Money>) -> Option<f64> {
    m.map(|m| m.0 as f64 / 100.0)
}

/// An eligibility reject for a member not found or not covered on the date.
pub fn eligibility(m: Option<&MemberState>, member_id: &str, date: NaiveDate) -> Option<Answer> {
    let (code, message) = match m {
        None => ("52", "the member id is not on file".to_string()),
        Some(m) if date < m.member.enrolled => {
            ("67", format!("coverage starts on {}", m.member.enrolled))
        }
        Some(m) if m.member.terminated.is_some_and(|t| date > t) => (
            "69",
            format!(
                "coverage ended on {}",
                m.member.terminated.unwrap_or(m.member.enrolled)
            ),
        ),
        Some(_) => return None,
    };
    Some(Answer {
        status: AnswerStatus::Rejected,
        claim_id: None,
        member_id: member_id.to_string(),
        tier: None,
        rejects: vec![AnswerReject {
            code: code.to_string(),
            message,
        }],
        messages: Vec::new(),
        patient_pay: None,
        plan_pay: None,
        alternatives: Vec::new(),
        formulary: None,
    })
}

/// The answer for a decision.
pub fn answer(member_id: &str, d: &check::Decision) -> Answer {
    Answer {
        status: if d.is_paid() {
            AnswerStatus::Paid
        } else {
            AnswerStatus::Rejected
        },
        claim_id: None,
        member_id: member_id.to_string(),
        tier: d.tier.map(|t| t.number),
        rejects: d
            .rejects
            .iter()
            .map(|r| AnswerReject {
                code: r.code.to_string(),
                message: r.message.clone(),
            })
            .collect(),
        messages: d.messages.iter().map(|m| m.text.clone()).collect(),
        patient_pay: dollars(d.cost.as_ref().and_then(|c| c.patient_pay)),
        plan_pay: dollars(d.cost.as_ref().and_then(|c| c.plan_pay)),
        alternatives: d
            .alternatives
            .iter()
            .map(|a| AnswerAlternative {
                name: a.name.to_string(),
                label: a.label.to_string(),
                rxcui: a.rxcui,
                tier: a.tier.number,
                patient_pay: dollars(a.cost.patient_pay),
                restricted: a.needs_pa || a.needs_step,
            })
            .collect(),
        formulary: Some(AnswerFormulary {
            id: d.formulary.id.to_string(),
            version: d.formulary.version.to_string(),
            hash: d.formulary.hash.to_string(),
        }),
    }
}

/// What the writer records for one submitted claim, and the fill it adds to
/// the member's history when paid.
pub struct Recorded {
    /// The row.
    pub claim: NewClaim,
    /// The answer (its `claim_id` is set once the row is inserted).
    pub answer: Answer,
}

/// Adjudicates a claim to record: eligibility, then the formulary.
pub fn adjudicate(
    f: &Formulary,
    m: Option<&MemberState>,
    req: &ClaimRequest,
    key: ClaimKey,
    received_at: &str,
) -> Result<Recorded, RequestError> {
    let date = key.date;
    let (answer, fill, total) = match eligibility(m, &req.member_id, date) {
        Some(a) => (a, None, None),
        None => {
            let Some(m) = m else {
                return Err(bad("member_id", "is not on file"));
            };
            let rx = req.to_prescription(m)?;
            let d = check::check(f, &rx);
            (
                answer(&req.member_id, &d),
                Some(d.cost.clone()),
                d.cost.and_then(|c| c.total),
            )
        }
    };
    let cost = fill.flatten();
    let ndc = req.ndc.as_deref().and_then(|s| Ndc::parse(s).ok());
    let claim = NewClaim {
        member_id: req.member_id.clone(),
        fill: StoredFill {
            claim_id: 0,
            ndc,
            rxcui: req.rxcui,
            date,
            days_supply: req.days_supply,
            quantity: req.quantity,
            patient_pay: cost.as_ref().and_then(|c| c.patient_pay),
            plan_pay: cost.as_ref().and_then(|c| c.plan_pay),
        },
        paid: answer.status == AnswerStatus::Paid,
        reject_codes: answer
            .rejects
            .iter()
            .map(|r| r.code.as_str())
            .collect::<Vec<_>>()
            .join(","),
        total,
        formulary: (f.id.clone(), f.version.clone(), f.hash.clone()),
        request: serde_json::to_string(req).unwrap_or_default(),
        response: String::new(),
        received_at: received_at.to_string(),
        key,
    };
    Ok(Recorded { claim, answer })
}
