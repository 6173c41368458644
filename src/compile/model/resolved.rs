//! What the compiler resolves per drug (status and edits by level, candidate alternatives) and the rule graph's node and edge types.

use super::*;

/// What applies to one drug, resolved through package → product →
/// ingredients → classes (innermost first).
#[derive(Debug, Clone, Default)]
pub struct Resolved {
    /// Status clauses, most specific first: the first in force wins.
    pub status: Vec<LeveledClause>,
    /// Edit clauses from every level (PA, step, limit, age, sex).
    pub edits: Vec<LeveledClause>,
    /// The "same drug" key, for step therapy counting, new starts only,
    /// refill too soon and rolling quantity limits: the single ingredient
    /// (every strength, form and brand of it); for a product of several
    /// ingredients the `combination` of exactly those, else the generic
    /// product (a brand counts as its generic). A product listed in the
    /// formulary and one resolved through a catalog or drug knowledge file
    /// get the same key.
    pub therapy: DrugId,
    /// The product (self for products, the product for packages).
    pub product: Option<DrugId>,
    /// Key for "the same drug" in refill-too-soon and quantity accumulation:
    /// the same as `therapy`, kept as its own field for the checks that name it.
    pub equivalent: DrugId,
    /// Ingredients, flattened.
    pub ingredients: Vec<DrugId>,
    /// Every class it belongs to, with ancestors, primary chain first.
    pub classes: Vec<ClassId>,
    /// Candidate alternatives in preference order.
    pub candidates: Vec<Candidate>,
}

/// Index of a level name in [`Formulary::level`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct LevelId(pub u32);

/// A clause and the level it came from.
#[derive(Debug, Clone)]
pub struct LeveledClause {
    /// The clause.
    pub clause: RuleClause,
    /// "product", "ingredient lisinopril", "class ace", ...: see [`Formulary::level`].
    pub level: LevelId,
}

/// Why a drug is offered as an alternative.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    /// Satisfies the step of step therapy the requested drug is rejected
    /// for: found at check time from the step's candidates, never a
    /// precomputed [`Candidate`] of a drug.
    SatisfiesStep,
    /// The generic of a requested brand.
    GenericEquivalent,
    /// The product of a requested package: the same drug in another package.
    SameProduct,
    /// Named by the author with `alternatives`.
    Preferred,
    /// Another product or form of the same ingredient.
    SameIngredient,
    /// Same therapeutic class.
    SameClass,
}

/// A candidate alternative.
#[derive(Debug, Clone, Copy)]
pub struct Candidate {
    /// The drug.
    pub drug: DrugId,
    /// Why.
    pub relation: Relation,
}

/// A node of the rule graph.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Node {
    /// A drug.
    Drug(DrugId),
    /// A class.
    Class(ClassId),
    /// A PA rule.
    Pa(PaId),
    /// A step rule.
    Step(StepId),
}

/// An edge of the rule graph.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edge {
    /// drug → class it belongs to.
    MemberOf,
    /// class → enclosing class.
    SubclassOf,
    /// product → ingredient.
    HasIngredient,
    /// package → product.
    PackageOf,
    /// brand product → generic product.
    BrandOf,
    /// drug or class → PA rule that applies.
    RequiresPa,
    /// drug or class → step rule that applies.
    RequiresStep,
    /// step rule → a drug or class that satisfies it.
    Prerequisite,
    /// drug → an alternative named by the author.
    Alternative,
}
