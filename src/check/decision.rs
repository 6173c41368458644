//! The answer to a prescription: paid or rejected, with the reasons, the
//! rules behind them, the cost and what to dispense instead. A rejection is
//! a `Decision`, never an error.

use super::reject::RejectCode;
use crate::ast::DrugKind;
use crate::codes::{Money, Ndc};
use crate::compile::model::{Origin, Relation};
use chrono::NaiveDate;
use serde::Serialize;
use std::borrow::Cow;

/// A decision on one prescription. Borrows names from the formulary.
#[derive(Debug, Clone, Serialize)]
pub struct Decision<'f> {
    /// Paid or rejected.
    pub status: Status,
    /// Date of service.
    pub date: NaiveDate,
    /// The drug as resolved; absent when the code is not on the formulary.
    pub drug: Option<DrugInfo<'f>>,
    /// The code as submitted.
    pub submitted: Submitted,
    /// Tier of the fill.
    pub tier: Option<TierInfo<'f>>,
    /// What the patient and the plan pay.
    pub cost: Option<Cost>,
    /// How the plan's benefit divided the cost: the parts, the phase and
    /// the accumulators after this fill. Absent for a plan without a
    /// `benefit` block, or when the cost is not known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub benefit: Option<BenefitInfo<'f>>,
    /// Every failed edit.
    pub rejects: Vec<Reject<'f>>,
    /// Information that does not block the claim.
    pub messages: Vec<Message<'f>>,
    /// Covered drugs to dispense instead, best first.
    pub alternatives: Vec<Alternative<'f>>,
    /// Every rule evaluated, in order, with its result.
    pub trace: Vec<TraceStep<'f>>,
    /// The formulary that decided.
    pub formulary: FormularyRef<'f>,
}

impl Decision<'_> {
    /// True when paid.
    pub fn is_paid(&self) -> bool {
        self.status == Status::Paid
    }

    /// True when the formulary covers the drug for this fill: it has a tier
    /// on the date of service. A covered drug may still be rejected for
    /// prior authorization, step therapy or a limit.
    pub fn covered(&self) -> bool {
        self.tier.is_some()
    }

    /// True when a prior authorization is required (reject 75).
    pub fn needs_pa(&self) -> bool {
        self.has_reject(RejectCode::PriorAuthorizationRequired)
    }

    /// True when step therapy must be tried first (reject 608).
    pub fn needs_step(&self) -> bool {
        self.has_reject(RejectCode::StepTherapyRequired)
    }

    /// True when the claim carries this reject.
    pub fn has_reject(&self, code: RejectCode) -> bool {
        self.rejects.iter().any(|r| r.code == code)
    }

    /// The reject codes, in the order the edits were evaluated.
    pub fn reject_codes(&self) -> impl Iterator<Item = RejectCode> + '_ {
        self.rejects.iter().map(|r| r.code)
    }
}

/// Paid or rejected (NCPDP 112-AN P or R).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Paid.
    Paid,
    /// Rejected.
    Rejected,
}

/// The code on the claim.
#[derive(Debug, Clone, Serialize)]
pub struct Submitted {
    /// NDC, if given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ndc: Option<Ndc>,
    /// RxCUI, if given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rxcui: Option<u32>,
}

/// The drug as the formulary knows it.
#[derive(Debug, Clone, Serialize)]
pub struct DrugInfo<'f> {
    /// Name in the formulary.
    pub name: &'f str,
    /// Display label.
    pub label: &'f str,
    /// Level it was resolved at.
    pub kind: DrugKind,
    /// RxCUI of the drug (or its product).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rxcui: Option<u32>,
    /// Ingredient names.
    pub ingredients: Vec<&'f str>,
    /// Class names, innermost first.
    pub classes: Vec<&'f str>,
    /// Name of the generic product when this is a brand.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub brand_of: Option<&'f str>,
}

/// A tier.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct TierInfo<'f> {
    /// Number.
    pub number: u32,
    /// Label.
    pub label: &'f str,
}

/// The cost of a fill.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Cost {
    /// The cost share applied, shown in words ("$5.00 copay").
    pub share: ShareText,
    /// What the patient pays; absent when it depends on a cost that is not known.
    pub patient_pay: Option<Money>,
    /// What the plan pays; absent when the cost is not known.
    pub plan_pay: Option<Money>,
    /// Total cost of the fill, if known.
    pub total: Option<Money>,
    /// Where the total came from.
    pub basis: Basis,
}

/// The benefit's view of a fill.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct BenefitInfo<'f> {
    /// The plan type.
    pub plan: crate::benefit::PlanType,
    /// The shipped standard benefit the plan uses, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub standard: Option<&'f str>,
    /// The phase the member was in before this fill.
    pub phase_before: crate::benefit::Phase,
    /// The phase after it.
    pub phase: crate::benefit::Phase,
    /// The parts of the cost, in order; the patient pay is their sum.
    pub parts: Vec<crate::benefit::Part>,
    /// Deductible left after this fill, when the plan has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deductible_remaining: Option<Money>,
    /// Out of pocket left before the maximum after this fill, when the plan has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub out_of_pocket_remaining: Option<Money>,
    /// What this fill adds to the accumulators (what a reversal takes back).
    pub applied: crate::benefit::Delta,
    /// The accumulators after this fill.
    pub accumulators: crate::benefit::Accumulators,
    /// This month's cap under the Medicare Prescription Payment Plan, for a
    /// member who takes part.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payment_plan_month_cap: Option<Money>,
}

/// A cost share, written out only when shown or serialized, so that a
/// check formats nothing it does not print.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShareText(pub crate::compile::model::CostShare);

impl std::fmt::Display for ShareText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl Serialize for ShareText {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

/// The source of a fill's cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// Ingredient cost and fee submitted on the claim.
    Submitted,
    /// A price list.
    PriceList,
    /// No cost known.
    Unknown,
}

/// A rule, for pointing at it.
#[derive(Debug, Clone, Serialize)]
pub struct RuleRef<'f> {
    /// Kind of rule.
    pub kind: &'static str,
    /// Name or a short description.
    pub name: Cow<'f, str>,
    /// The level it applied from ("ingredient", "class arb"), if inherited.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<&'f str>,
    /// Where written.
    pub file: &'f str,
    /// Line.
    pub line: u32,
}

impl<'f> RuleRef<'f> {
    /// A reference to a rule at an origin.
    pub fn new(
        kind: &'static str,
        name: impl Into<Cow<'f, str>>,
        origin: &'f Origin,
        level: Option<&'f str>,
    ) -> Self {
        RuleRef {
            kind,
            name: name.into(),
            level,
            file: &origin.file,
            line: origin.line,
        }
    }
}

/// A failed edit.
#[derive(Debug, Clone, Serialize)]
pub struct Reject<'f> {
    /// NCPDP reject code (511-FB).
    pub code: RejectCode,
    /// What failed and what would satisfy it.
    pub message: String,
    /// The rule that failed.
    pub rule: RuleRef<'f>,
}

/// Information that does not block the claim.
#[derive(Debug, Clone, Serialize)]
pub struct Message<'f> {
    /// A code, when one applies (e.g. the CMS notice 569).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<&'static str>,
    /// The text.
    pub text: String,
    /// The rule behind it: every message names one.
    pub rule: RuleRef<'f>,
}

/// A drug to dispense instead.
#[derive(Debug, Clone, Serialize)]
pub struct Alternative<'f> {
    /// Name in the formulary.
    pub name: &'f str,
    /// Display label.
    pub label: &'f str,
    /// Level: ingredient or product.
    pub kind: DrugKind,
    /// RxCUI.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rxcui: Option<u32>,
    /// How it relates to the requested drug.
    pub relation: Relation,
    /// Why it is offered, in one line ("satisfies step 1 of edarbi-step").
    pub reason: Cow<'f, str>,
    /// It would be paid now for this patient: it needs no PA or step
    /// therapy that is not met (its quantity limit is not judged).
    pub would_pay: bool,
    /// What it would need first, each a rule ("prior authorization
    /// cardura-xl-bph", "step therapy edarbi-step"); empty when it would pay.
    pub needs: Vec<String>,
    /// Its tier.
    pub tier: TierInfo<'f>,
    /// Its cost for the same days supply.
    pub cost: Cost,
    /// Would need prior authorization for this patient.
    pub needs_pa: bool,
    /// Would need step therapy for this patient.
    pub needs_step: bool,
    /// Saving for the patient against the requested drug, when both are known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub patient_saving: Option<Money>,
    /// Saving for the plan against the requested drug, when both are known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plan_saving: Option<Money>,
}

/// One rule evaluated.
#[derive(Debug, Clone, Serialize)]
pub struct TraceStep<'f> {
    /// The rule.
    pub rule: RuleRef<'f>,
    /// Its result.
    pub result: Outcome,
    /// Detail.
    pub detail: Cow<'f, str>,
}

/// Result of a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Satisfied.
    Pass,
    /// Failed: a reject.
    Fail,
    /// Not in force on the date of service.
    NotInForce,
    /// Decided coverage (tier, exclusion).
    Applied,
    /// Overridden (transition fill).
    Overridden,
}

/// The formulary, for audit.
#[derive(Debug, Clone, Serialize)]
pub struct FormularyRef<'f> {
    /// Id.
    pub id: &'f str,
    /// Version.
    pub version: &'f str,
    /// Content hash of its sources.
    pub hash: &'f str,
}
