//! A stage after compiling: the impact of a new version of a formulary.
//! [`diff_rules`] compares two compiled formularies rule by rule;
//! [`claims_impact`] re-checks real or sample prescriptions under both and
//! counts the decisions that changed; [`render_human`] and
//! [`render_markdown`] write the result for a terminal or a pull request
//! (the JSON form is [`Impact`] serialised). [`ClaimGenerator`] writes
//! sample prescriptions for any formulary.

mod claims;
mod generate;
mod report;
mod rules;

pub use claims::{
    claims_impact, ClaimChange, ClaimsImpact, CostTotals, Example, KindStats, Outcome, Unreadable,
};
pub use generate::ClaimGenerator;
pub use report::{render_human, render_markdown};
pub use rules::{
    diff_rules, Change, ChangeKind, ClassDiff, DrugDiff, DrugStatus, RuleDiff, Version,
};

/// The impact of a change: the rule differences and, when prescriptions
/// were given, how their decisions changed.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Impact {
    /// What changed in the rules.
    pub rules: RuleDiff,
    /// What changed for the prescriptions, when a claims file was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub claims: Option<ClaimsImpact>,
}

impl Impact {
    /// True when a rule or a decision changed.
    pub fn has_changes(&self) -> bool {
        !self.rules.is_empty() || self.claims.as_ref().is_some_and(|c| c.changed > 0)
    }
}
