//! The result of comparing the rules of two formularies: changes, drugs, classes and versions.

use serde::Serialize;

/// The kind of a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// Present only in the new version.
    Added,
    /// Present only in the old version.
    Removed,
    /// Moved to a higher tier.
    TierUp,
    /// Moved to a lower tier.
    TierDown,
    /// Coverage status changed otherwise (excluded, non-formulary, periods).
    Coverage,
    /// An edit (PA, step, limit, age, sex) applies that did not.
    EditAdded,
    /// An edit no longer applies.
    EditRemoved,
    /// An edit applies with different terms.
    EditChanged,
    /// Identity or relations changed (codes, ingredients, class, alternatives).
    Identity,
    /// A definition changed (tier, rule, policy, header).
    Changed,
}

/// One change, with the value before and after as text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// What kind.
    pub kind: ChangeKind,
    /// What changed: `tier`, `pa glp1-t2d`, `limit`, `ndc`, `tier 3`, ...
    pub what: String,
    /// Before.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old: Option<String>,
    /// After.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new: Option<String>,
    /// The level the rule applies from when it is not the drug's own
    /// (`class arb`, `ingredient losartan`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
}

impl Change {
    pub(super) fn new(
        kind: ChangeKind,
        what: impl Into<String>,
        old: Option<String>,
        new: Option<String>,
    ) -> Self {
        Change {
            kind,
            what: what.into(),
            old,
            new,
            from: None,
        }
    }
}

/// Which version of a formulary.
#[derive(Debug, Clone, Serialize)]
pub struct Version {
    /// Formulary id.
    pub id: String,
    /// Version.
    pub version: String,
    /// Content hash of its sources.
    pub hash: String,
}

/// Whether a drug is new, gone or changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DrugStatus {
    /// Only in the new version.
    Added,
    /// Only in the old version.
    Removed,
    /// In both, with changes.
    Changed,
}

/// The changes of one drug.
#[derive(Debug, Clone, Serialize)]
pub struct DrugDiff {
    /// Name in the new version (the old one when removed).
    pub name: String,
    /// Ingredient, product or package.
    pub kind: &'static str,
    /// Display label.
    pub label: String,
    /// The class it is defined in, or `(no class)`.
    pub class: String,
    /// Added, removed or changed.
    pub status: DrugStatus,
    /// Its name in the old version when it was renamed (matched by RxCUI).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub renamed_from: Option<String>,
    /// What changed; for an added or removed drug, its coverage and edits.
    pub changes: Vec<Change>,
}

/// The changes of one class's own clauses.
#[derive(Debug, Clone, Serialize)]
pub struct ClassDiff {
    /// Class name.
    pub name: String,
    /// Drugs it applies to (in the new version, the old when removed).
    pub members: usize,
    /// What changed.
    pub changes: Vec<Change>,
}

/// Everything that changed in the rules.
#[derive(Debug, Clone, Serialize)]
pub struct RuleDiff {
    /// The old version.
    pub old: Version,
    /// The new version.
    pub new: Version,
    /// Header and policies (refill too soon, transition fill, price lists).
    pub formulary: Vec<Change>,
    /// Tier definitions.
    pub tiers: Vec<Change>,
    /// Prior authorization and step therapy rules.
    pub rules: Vec<Change>,
    /// Classes' own clauses.
    pub classes: Vec<ClassDiff>,
    /// Drugs, grouped by class in the new version's order.
    pub drugs: Vec<DrugDiff>,
}

impl RuleDiff {
    /// True when nothing changed.
    pub fn is_empty(&self) -> bool {
        self.formulary.is_empty()
            && self.tiers.is_empty()
            && self.rules.is_empty()
            && self.classes.is_empty()
            && self.drugs.is_empty()
    }
}
