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

/// An age range in words: "18 to 64", "65 and over", "17 and under".
pub fn age_words(min: Option<u32>, max: Option<u32>) -> String {
    match (min, max) {
        (Some(a), Some(b)) => format!("{a} to {b}"),
        (Some(a), None) => format!("{a} and over"),
        (None, Some(b)) => format!("{b} and under"),
        (None, None) => "all".to_string(),
    }
}

/// The conditions of one automatic-approval line, joined with "and".
pub fn conditions_text(conds: &[Condition]) -> String {
    conds
        .iter()
        .map(|c| match c {
            Condition::Diagnosis(p) => {
                let codes: Vec<&str> = p.iter().map(|x| x.written.as_str()).collect();
                format!("diagnosis {}", codes.join(" or "))
            }
            Condition::Age { min, max } => format!("age {}", age_words(*min, *max)),
            Condition::Sex(s) => format!("sex {}", s.as_str()),
        })
        .collect::<Vec<_>>()
        .join(" and ")
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
