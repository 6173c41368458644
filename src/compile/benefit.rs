//! The compiled benefit of a formulary: its plan type, its benefit design
//! and which drugs the design treats specially (deductible-exempt, insulin,
//! vaccines, preventive with their patient conditions).

use super::model::{ClassId, DrugId, Formulary, Origin};
use crate::ast::Sex;
use crate::benefit::{Design, Kind, PlanType};
use rustc_hash::FxHashSet;

/// Drugs and classes named on one line of a benefit block.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DrugSet {
    /// Drugs at any level; a drug counts when it, its product or one of its
    /// ingredients is here.
    pub drugs: FxHashSet<DrugId>,
    /// Classes; a drug counts when it is in one, at any depth.
    pub classes: FxHashSet<ClassId>,
}

impl DrugSet {
    /// True when the set holds drug `id` (its product, an ingredient or a class of it).
    pub fn contains(&self, f: &Formulary, id: DrugId) -> bool {
        let r = f.resolved(id);
        self.drugs.contains(&id)
            || r.product.is_some_and(|p| self.drugs.contains(&p))
            || r.ingredients.iter().any(|i| self.drugs.contains(i))
            || r.classes.iter().any(|c| self.classes.contains(c))
    }

    /// True when nothing is named.
    pub fn is_empty(&self) -> bool {
        self.drugs.is_empty() && self.classes.is_empty()
    }
}

/// Preventive drugs at $0 for the patients who meet the conditions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preventive {
    /// The drugs.
    pub set: DrugSet,
    /// Youngest age, inclusive.
    pub min_age: Option<u32>,
    /// Oldest age, inclusive.
    pub max_age: Option<u32>,
    /// Required sex.
    pub sex: Option<Sex>,
    /// Where written.
    pub origin: Origin,
}

impl Preventive {
    /// True when a patient of this age and sex meets the conditions.
    pub fn applies(&self, age: u32, sex: Option<Sex>) -> bool {
        self.min_age.is_none_or(|m| age >= m)
            && self.max_age.is_none_or(|m| age <= m)
            && self.sex.is_none_or(|s| sex == Some(s))
    }
}

/// A formulary's plan type and benefit.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Benefit {
    /// The plan type from the header (commercial when not written).
    pub plan: PlanType,
    /// The design; `None` when the formulary has no `benefit` block, in
    /// which case the patient pays the tier's share.
    pub design: Option<Design>,
    /// Drugs not subject to the deductible.
    pub exempt: DrugSet,
    /// Drugs under the insulin cap.
    pub insulin: DrugSet,
    /// Vaccines.
    pub vaccines: DrugSet,
    /// Preventive drugs.
    pub preventive: Vec<Preventive>,
    /// Where the `benefit` block was written.
    pub origin: Option<Origin>,
}

impl Benefit {
    /// How the design treats drug `id` for a patient of `age` and `sex`,
    /// and the preventive line that made it free, if one did.
    pub fn kind(
        &self,
        f: &Formulary,
        id: DrugId,
        age: u32,
        sex: Option<Sex>,
    ) -> (Kind, Option<&Preventive>) {
        if let Some(p) = self
            .preventive
            .iter()
            .find(|p| p.applies(age, sex) && p.set.contains(f, id))
        {
            return (Kind::Preventive, Some(p));
        }
        let kind = if self.vaccines.contains(f, id) {
            Kind::Vaccine
        } else if self.insulin.contains(f, id) {
            Kind::Insulin
        } else if self.exempt.contains(f, id) {
            Kind::DeductibleExempt
        } else {
            Kind::Standard
        };
        (kind, None)
    }
}
