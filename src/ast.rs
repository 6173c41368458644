//! The syntax tree: what the author wrote, with a span on every node and no
//! meaning resolved. Codes (NDC, RxCUI, ICD-10) and dates stay as written;
//! the compiler checks them and reports bad ones with their spans.

use crate::span::{Span, Spanned};

/// One parsed file.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct File {
    /// Top-level statements in source order.
    pub items: Vec<Item>,
}

/// A top-level statement, or a member of a class block.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// `formulary "name" id ... version ... effective ...`
    Header(Header),
    /// `include "file"`
    Include(Spanned<String>),
    /// `prices "file.csv"`
    Prices(Spanned<String>),
    /// `catalog "file.csv"`
    Catalog(Spanned<String>),
    /// `tier N "label" ...`
    Tier(TierDef),
    /// `refill too soon before N% used`, in basis points.
    Refill(Spanned<u64>),
    /// `transition fill within N days of enrollment up to M days supply`
    Transition(Transition),
    /// `class name "label" ... { ... }`
    Class(ClassDef),
    /// `ingredient|product|package name ...`
    Drug(DrugDef),
    /// `prior authorization name { ... }`
    Pa(PaDef),
    /// `step therapy name { ... }`
    Step(StepDef),
    /// `benefit ["standard"] { ... }`
    Benefit(BenefitDef),
}

/// The formulary header.
#[derive(Debug, Clone, PartialEq)]
pub struct Header {
    /// Display name.
    pub name: Spanned<String>,
    /// Formulary id.
    pub id: Option<Spanned<String>>,
    /// Version.
    pub version: Option<Spanned<String>>,
    /// The plan year or other period the formulary is in force.
    pub effective: Option<DateRange>,
    /// `plan medicare-part-d`: the plan type as written.
    pub plan: Option<Spanned<String>>,
    /// The whole statement.
    pub span: Span,
}

/// `DATE to DATE`, as written.
#[derive(Debug, Clone, PartialEq)]
pub struct DateRange {
    /// First day.
    pub from: Spanned<String>,
    /// Last day, inclusive.
    pub to: Spanned<String>,
}

/// A cost-share tier.
#[derive(Debug, Clone, PartialEq)]
pub struct TierDef {
    /// Tier number.
    pub number: Spanned<u64>,
    /// Label shown to members and pharmacists.
    pub label: Spanned<String>,
    /// The standard (retail, one month) cost share.
    pub share: Spanned<CostShare>,
    /// Cost shares for mail order or extended supplies.
    pub variants: Vec<CostVariant>,
    /// Marked `preferred`.
    pub preferred: bool,
    /// Marked `specialty`.
    pub specialty: bool,
    /// The whole statement.
    pub span: Span,
}

/// What the patient pays at a tier.
#[derive(Debug, Clone, PartialEq)]
pub enum CostShare {
    /// A flat amount in cents.
    Copay(Spanned<u64>),
    /// A percent of the cost, in basis points, with optional bounds in cents.
    Coinsurance {
        /// Percent in basis points (40% = 4000).
        percent: Spanned<u64>,
        /// Minimum in cents.
        min: Option<Spanned<u64>>,
        /// Maximum in cents.
        max: Option<Spanned<u64>>,
    },
}

/// A cost share that applies to one kind of fill.
#[derive(Debug, Clone, PartialEq)]
pub struct CostVariant {
    /// The share.
    pub share: Spanned<CostShare>,
    /// Which fills it applies to.
    pub supply: Spanned<SupplyKind>,
}

/// The kind of fill a cost-share variant applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SupplyKind {
    /// Mail-order pharmacy.
    Mail,
    /// An extended supply, written with its nominal days (e.g. 90).
    Days(u64),
}

/// Part D style transition policy.
#[derive(Debug, Clone, PartialEq)]
pub struct Transition {
    /// Days after enrollment during which transition fills are allowed.
    pub window_days: Spanned<u64>,
    /// Maximum days supply of a transition fill.
    pub supply_days: Spanned<u64>,
    /// The statement.
    pub span: Span,
}

/// A therapeutic class.
#[derive(Debug, Clone, PartialEq)]
pub struct ClassDef {
    /// Name used in references.
    pub name: Spanned<String>,
    /// Display label.
    pub label: Option<Spanned<String>>,
    /// Rules that apply to every member.
    pub clauses: Vec<Spanned<Clause>>,
    /// Nested classes and drugs.
    pub items: Vec<Item>,
    /// The head of the block (`class name "label" clauses`).
    pub span: Span,
}

/// The level a drug entry is written at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DrugKind {
    /// All strengths and forms of an ingredient.
    Ingredient,
    /// One clinical or branded drug (SCD/SBD).
    Product,
    /// One package (NDC).
    Package,
}

impl DrugKind {
    /// The keyword.
    pub fn as_str(self) -> &'static str {
        match self {
            DrugKind::Ingredient => "ingredient",
            DrugKind::Product => "product",
            DrugKind::Package => "package",
        }
    }
}

/// An ingredient, product or package entry.
#[derive(Debug, Clone, PartialEq)]
pub struct DrugDef {
    /// The level.
    pub kind: DrugKind,
    /// Name (a package's name is its NDC).
    pub name: Spanned<String>,
    /// Display label.
    pub label: Option<Spanned<String>>,
    /// Identity and coverage clauses.
    pub clauses: Vec<Spanned<Clause>>,
    /// The whole entry.
    pub span: Span,
}

/// One clause of a drug or class entry.
#[derive(Debug, Clone, PartialEq)]
pub enum Clause {
    /// `rxcui N`
    Rxcui(Spanned<String>),
    /// `ndc A, B`
    Ndc(Vec<Spanned<String>>),
    /// `brand of generic-product`
    BrandOf(Spanned<String>),
    /// `of a, b`: ingredients of a product, or product of a package.
    Of(Vec<Spanned<String>>),
    /// `tier N`
    Tier(Spanned<u64>, Option<Period>),
    /// `excluded "reason"`
    Excluded(Spanned<String>, Option<Period>),
    /// `non-formulary`
    NonFormulary(Option<Period>),
    /// `pa rule`
    Pa(Spanned<String>, Option<Period>),
    /// `step rule`
    Step(Spanned<String>, Option<Period>),
    /// `limit ...`
    Limit(Limit, Option<Period>),
    /// `age A..B`
    Age(AgeRange, Option<Period>),
    /// `sex F`
    Sex(Spanned<Sex>, Option<Period>),
    /// `also in class, class`
    AlsoIn(Vec<Spanned<String>>),
    /// `alternatives drug, drug`
    Alternatives(Vec<Spanned<String>>),
}

/// `from DATE until DATE`; either end may be open.
#[derive(Debug, Clone, PartialEq)]
pub struct Period {
    /// First day in force.
    pub from: Option<Spanned<String>>,
    /// Last day in force.
    pub until: Option<Spanned<String>>,
    /// The whole period.
    pub span: Span,
}

/// A quantity limit.
#[derive(Debug, Clone, PartialEq)]
pub enum Limit {
    /// `limit 4 per 28 days [rolling]`
    Quantity {
        /// Quantity allowed.
        amount: Spanned<f64>,
        /// Per this many days.
        days: Spanned<u64>,
        /// Add earlier fills in the window.
        rolling: bool,
    },
    /// `limit 2 per day`
    Daily(Spanned<f64>),
    /// `limit 30 days supply`
    Supply(Spanned<u64>),
    /// `limit 1 fill per 30 days`
    Fills {
        /// Fills allowed.
        count: Spanned<u64>,
        /// Per this many days.
        days: Spanned<u64>,
    },
}

/// An inclusive range of ages in years; either end may be open.
#[derive(Debug, Clone, PartialEq)]
pub struct AgeRange {
    /// Youngest age allowed.
    pub min: Option<Spanned<u64>>,
    /// Oldest age allowed.
    pub max: Option<Spanned<u64>>,
    /// The range as written.
    pub span: Span,
}

/// Sex at birth as carried on a claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Sex {
    /// F
    #[serde(rename = "F", alias = "female", alias = "f")]
    Female,
    /// M
    #[serde(rename = "M", alias = "male", alias = "m")]
    Male,
}

impl Sex {
    /// `F` or `M`.
    pub fn as_str(self) -> &'static str {
        match self {
            Sex::Female => "F",
            Sex::Male => "M",
        }
    }
}

/// A prior authorization rule.
#[derive(Debug, Clone, PartialEq)]
pub struct PaDef {
    /// Name used in references.
    pub name: Spanned<String>,
    /// Display label.
    pub label: Option<Spanned<String>>,
    /// Sets of conditions any one of which approves automatically.
    pub approve: Vec<Approval>,
    /// Criteria text for a human reviewer.
    pub criteria: Vec<Spanned<String>>,
    /// Approval duration in days.
    pub duration: Option<Spanned<u64>>,
    /// When the rule is in force.
    pub effective: Option<DateRange>,
    /// The head of the block.
    pub span: Span,
}

/// `approve when A and B`: all conditions must hold.
#[derive(Debug, Clone, PartialEq)]
pub struct Approval {
    /// Conditions, all required.
    pub conditions: Vec<Condition>,
    /// The line.
    pub span: Span,
}

/// A condition decidable from claim data.
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    /// Any of these ICD-10 codes or prefixes is on the claim.
    Diagnosis(Vec<Spanned<String>>),
    /// The patient's age is in range.
    Age(AgeRange),
    /// The patient's sex.
    Sex(Spanned<Sex>),
}

/// A step therapy rule.
#[derive(Debug, Clone, PartialEq)]
pub struct StepDef {
    /// Name used in references.
    pub name: Spanned<String>,
    /// Display label.
    pub label: Option<Spanned<String>>,
    /// Steps in order.
    pub steps: Vec<StepReq>,
    /// Diagnosis exceptions.
    pub unless: Vec<Spanned<String>>,
    /// `new starts only`
    pub new_starts_only: Option<Span>,
    /// When the rule is in force.
    pub effective: Option<DateRange>,
    /// The head of the block.
    pub span: Span,
}

/// `[then] tried any N of SET [for D days] within L days`
#[derive(Debug, Clone, PartialEq)]
pub struct StepReq {
    /// Written with `then`.
    pub then: bool,
    /// How many distinct drugs.
    pub count: Spanned<u64>,
    /// The drugs and classes that count.
    pub set: Vec<SetItem>,
    /// Minimum days of therapy for each.
    pub min_days: Option<Spanned<u64>>,
    /// Lookback window in days.
    pub within: Spanned<u64>,
    /// The line.
    pub span: Span,
}

/// A member of a step's drug set.
#[derive(Debug, Clone, PartialEq)]
pub enum SetItem {
    /// `class name`
    Class(Spanned<String>),
    /// a drug name
    Drug(Spanned<String>),
}

/// The plan's benefit design.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BenefitDef {
    /// The shipped standard benefit it starts from, by name.
    pub standard: Option<Spanned<String>>,
    /// `deductible $X [individual] [$Y family]`, in cents.
    pub deductible: Option<Amounts>,
    /// `out-of-pocket max $X [individual] [$Y family]`, in cents.
    pub out_of_pocket: Option<Amounts>,
    /// `exempt tier N, M`
    pub exempt_tiers: Vec<Spanned<u64>>,
    /// `exempt DRUGS`
    pub exempt: Vec<BenefitList>,
    /// `insulin DRUGS [cap $X per month]`
    pub insulin: Option<InsulinDef>,
    /// `vaccines DRUGS`
    pub vaccines: Vec<BenefitList>,
    /// `preventive DRUGS [sex S] [age A..B]`
    pub preventive: Vec<PreventiveDef>,
    /// The head: `benefit` and the name.
    pub span: Span,
    /// The whole statement, block included.
    pub full: Span,
}

/// An individual amount and an optional family amount, in cents.
#[derive(Debug, Clone, PartialEq)]
pub struct Amounts {
    /// For one member.
    pub individual: Spanned<u64>,
    /// For the family.
    pub family: Option<Spanned<u64>>,
    /// The line.
    pub span: Span,
}

/// Drugs and classes on one line of a benefit block.
#[derive(Debug, Clone, PartialEq)]
pub struct BenefitList {
    /// The drugs and classes.
    pub items: Vec<SetItem>,
    /// The line.
    pub span: Span,
}

/// `insulin DRUGS [cap $X per month]`
#[derive(Debug, Clone, PartialEq)]
pub struct InsulinDef {
    /// The insulin drugs.
    pub drugs: BenefitList,
    /// The cap per month's supply, in cents.
    pub cap: Option<Spanned<u64>>,
}

/// `preventive DRUGS [sex S] [age A..B]`
#[derive(Debug, Clone, PartialEq)]
pub struct PreventiveDef {
    /// The drugs.
    pub drugs: BenefitList,
    /// Conditions the patient must meet (age, sex).
    pub conditions: Vec<Condition>,
}
