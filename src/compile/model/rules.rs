//! Prior authorization and step therapy rules, their conditions, and the refill and transition policies.

use super::*;

/// A prior authorization rule.
#[derive(Debug, Clone)]
pub struct PaRule {
    /// Name.
    pub name: String,
    /// Label.
    pub label: String,
    /// Sets of conditions; any one set, all of its conditions, approves.
    pub approvals: Vec<Vec<Condition>>,
    /// Criteria text for reviewers.
    pub criteria: Vec<String>,
    /// Approval duration.
    pub duration_days: Option<u32>,
    /// When in force.
    pub period: DateSpan,
    /// Where defined.
    pub origin: Origin,
    /// The head of the block.
    pub span: Span,
    /// Span of each approval line.
    pub approval_spans: Vec<Span>,
}

/// A condition decidable from the claim.
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    /// Any of these diagnoses on the claim.
    Diagnosis(Vec<IcdPattern>),
    /// Age in range.
    Age {
        /// Youngest.
        min: Option<u32>,
        /// Oldest.
        max: Option<u32>,
    },
    /// Sex.
    Sex(Sex),
}

/// A step therapy rule.
#[derive(Debug, Clone)]
pub struct StepRule {
    /// Name.
    pub name: String,
    /// Label.
    pub label: String,
    /// Steps in order.
    pub steps: Vec<Step>,
    /// Diagnosis exceptions.
    pub unless: Vec<IcdPattern>,
    /// New starts only.
    pub new_starts_only: bool,
    /// When in force.
    pub period: DateSpan,
    /// Where defined.
    pub origin: Origin,
    /// The head of the block.
    pub span: Span,
}

impl StepRule {
    /// How far back a `new starts only` rule looks for a claim of the same
    /// therapy that makes the patient a continuing one: the longest window
    /// of its steps, or a year for a rule without steps.
    pub fn new_starts_lookback_days(&self) -> u32 {
        self.steps
            .iter()
            .map(|s| s.within_days)
            .max()
            .unwrap_or(365)
    }
}

/// One step: tried any `count` of `set` for `min_days` within `within_days`.
#[derive(Debug, Clone)]
pub struct Step {
    /// Distinct drugs needed.
    pub count: u32,
    /// Minimum days of therapy each.
    pub min_days: u32,
    /// Lookback.
    pub within_days: u32,
    /// Names as written, for messages.
    pub set_names: Vec<String>,
    /// The drugs and classes as written, resolved.
    pub items: Vec<SetRef>,
    /// Every drug that counts (expanded through classes, ingredients and products).
    pub set: FxHashSet<DrugId>,
    /// What to offer when this step is unmet, found once at compile time:
    /// the set's products (an ingredient only when none of its
    /// single-ingredient products is in the set), a few per therapy, in
    /// source order, at most 32.
    pub candidates: Vec<DrugId>,
    /// Where written.
    pub origin: Origin,
    /// The step line.
    pub span: Span,
}

/// A member of a step's set, resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetRef {
    /// A drug and everything under it.
    Drug(DrugId),
    /// A class and everything in it.
    Class(ClassId),
}

/// Refill-too-soon threshold.
#[derive(Debug, Clone)]
pub struct RefillPolicy {
    /// Basis points of the previous supply that must be used.
    pub bp: u32,
    /// "80% used", for decisions.
    pub text: String,
    /// Where written.
    pub origin: Origin,
}

/// Transition fill policy.
#[derive(Debug, Clone)]
pub struct TransitionPolicy {
    /// Days after enrollment.
    pub window_days: u32,
    /// Max supply.
    pub supply_days: u32,
    /// Where written.
    pub origin: Origin,
}
