//! The compiled formulary: resolved names, typed values, the rule graph and
//! the lookup indexes. Immutable once built; `Send + Sync`, so one compiled
//! formulary serves every thread of a batch.

use crate::ast::{DrugKind, Sex};
use crate::codes::{DateSpan, IcdPattern, Money, Ndc};
use crate::span::{Location, Sources, Span};
use petgraph::graph::{DiGraph, NodeIndex};
use rustc_hash::{FxHashMap, FxHashSet};
use std::sync::Arc;

/// Index of a drug (ingredient, product or package).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct DrugId(pub u32);
/// Index of a class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ClassId(pub u32);
/// Index of a prior authorization rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PaId(pub u32);
/// Index of a step therapy rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StepId(pub u32);

/// Where a rule is written, for decisions and explanations.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Origin {
    /// File name as given.
    pub file: Arc<str>,
    /// One-based line.
    pub line: u32,
}

impl From<Location> for Origin {
    fn from(l: Location) -> Self {
        Origin {
            file: l.file,
            line: l.line,
        }
    }
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// A compiled formulary.
#[derive(Debug)]
pub struct Formulary {
    /// Display name.
    pub name: String,
    /// Formulary id.
    pub id: String,
    /// Version.
    pub version: String,
    /// When it is in force.
    pub effective: DateSpan,
    /// `sha256:` of every source file's name and text, in read order.
    pub hash: String,
    /// The header's origin.
    pub origin: Origin,
    /// The source files.
    pub sources: Sources,
    /// Tiers, sorted by number.
    pub tiers: Vec<Tier>,
    /// Every drug.
    pub drugs: Vec<Drug>,
    /// Every class.
    pub classes: Vec<Class>,
    /// Prior authorization rules.
    pub pas: Vec<PaRule>,
    /// Step therapy rules.
    pub steps: Vec<StepRule>,
    /// Refill-too-soon threshold.
    pub refill: Option<RefillPolicy>,
    /// Transition fill policy.
    pub transition: Option<TransitionPolicy>,
    /// The plan type and benefit design.
    pub benefit: crate::compile::benefit::Benefit,
    /// The rule graph.
    pub graph: DiGraph<Node, Edge>,
    /// Graph node of each drug, by `DrugId`.
    pub drug_nodes: Vec<NodeIndex>,
    /// Graph node of each class, by `ClassId`.
    pub class_nodes: Vec<NodeIndex>,
    /// Per drug: what applies to it, resolved through the hierarchy.
    pub resolved: Vec<Resolved>,
    /// Level names ("ingredient lisinopril", "class ace"), by `LevelId`.
    pub levels: Vec<String>,
    /// Price list files declared in the source, as written (relative to the
    /// declaring file's folder, already joined).
    pub price_files: Vec<String>,
    /// Drug catalog files declared in the source, joined to the declaring file's folder.
    pub catalog_files: Vec<String>,
    /// Prices, when a price list was attached.
    pub prices: Option<crate::prices::PriceList>,
    pub(crate) by_ndc: FxHashMap<Ndc, DrugId>,
    pub(crate) by_rxcui: FxHashMap<u32, DrugId>,
    pub(crate) by_name: FxHashMap<String, DrugId>,
    pub(crate) class_by_name: FxHashMap<String, ClassId>,
}

impl Formulary {
    /// The drug an NDC names.
    #[inline]
    pub fn drug_by_ndc(&self, ndc: &Ndc) -> Option<DrugId> {
        self.by_ndc.get(ndc).copied()
    }
    /// The drug an RxCUI names.
    #[inline]
    pub fn drug_by_rxcui(&self, rxcui: u32) -> Option<DrugId> {
        self.by_rxcui.get(&rxcui).copied()
    }
    /// The drug with this name.
    pub fn drug_by_name(&self, name: &str) -> Option<DrugId> {
        self.by_name.get(name).copied()
    }
    /// The class with this name.
    pub fn class_by_name(&self, name: &str) -> Option<ClassId> {
        self.class_by_name.get(name).copied()
    }
    /// A drug.
    #[inline]
    pub fn drug(&self, id: DrugId) -> &Drug {
        &self.drugs[id.0 as usize]
    }
    /// A class.
    pub fn class(&self, id: ClassId) -> &Class {
        &self.classes[id.0 as usize]
    }
    /// A tier by number.
    pub fn tier(&self, number: u32) -> Option<&Tier> {
        self.tiers.iter().find(|t| t.number == number)
    }
    /// The name of a level a clause came from.
    #[inline]
    pub fn level(&self, id: LevelId) -> &str {
        self.levels
            .get(id.0 as usize)
            .map(String::as_str)
            .unwrap_or("")
    }
    /// Resolved rules of a drug.
    #[inline]
    pub fn resolved(&self, id: DrugId) -> &Resolved {
        &self.resolved[id.0 as usize]
    }
    /// Tiers a "preferred" alternative may have: those marked `preferred`, or
    /// the lowest-numbered tier when none is marked.
    pub fn preferred_tiers(&self) -> Vec<u32> {
        let marked: Vec<u32> = self
            .tiers
            .iter()
            .filter(|t| t.preferred)
            .map(|t| t.number)
            .collect();
        if marked.is_empty() {
            self.tiers
                .first()
                .map(|t| vec![t.number])
                .unwrap_or_default()
        } else {
            marked
        }
    }
}

/// A cost-share tier.
#[derive(Debug, Clone)]
pub struct Tier {
    /// Number.
    pub number: u32,
    /// Label.
    pub label: String,
    /// Retail, one month.
    pub share: CostShare,
    /// For mail order, if different.
    pub mail: Option<CostShare>,
    /// For an extended supply (more than 34 days), if different.
    pub extended: Option<(u32, CostShare)>,
    /// Preferred tier.
    pub preferred: bool,
    /// Specialty tier.
    pub specialty: bool,
    /// Where defined.
    pub origin: Origin,
}

/// What the patient pays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CostShare {
    /// Flat amount.
    Copay(Money),
    /// Percent (basis points) of the cost, bounded.
    Coinsurance {
        /// Basis points.
        bp: u32,
        /// Minimum.
        min: Option<Money>,
        /// Maximum.
        max: Option<Money>,
    },
}

impl std::fmt::Display for CostShare {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CostShare::Copay(m) => write!(f, "{m} copay"),
            CostShare::Coinsurance { bp, min, max } => {
                write!(f, "{}% coinsurance", format_bp(*bp))?;
                if let Some(m) = min {
                    write!(f, " min {m}")?;
                }
                if let Some(m) = max {
                    write!(f, " max {m}")?;
                }
                Ok(())
            }
        }
    }
}

/// Basis points as a percent without trailing zeros: 4000 → "40", 1250 → "12.5".
pub fn format_bp(bp: u32) -> String {
    if bp.is_multiple_of(100) {
        format!("{}", bp / 100)
    } else if bp.is_multiple_of(10) {
        format!("{}.{}", bp / 100, (bp % 100) / 10)
    } else {
        format!("{}.{:02}", bp / 100, bp % 100)
    }
}

/// An ingredient, product or package.
#[derive(Debug, Clone)]
pub struct Drug {
    /// Level.
    pub kind: DrugKind,
    /// Name in the source.
    pub name: String,
    /// Display label (the name when none is written).
    pub label: String,
    /// RxCUI.
    pub rxcui: Option<u32>,
    /// NDCs (a package's own NDC, or a product's listed NDCs).
    pub ndcs: Vec<Ndc>,
    /// Ingredients of a product.
    pub ingredients: Vec<DrugId>,
    /// Product of a package.
    pub product: Option<DrugId>,
    /// The generic product this branded product is the brand of.
    pub brand_of: Option<DrugId>,
    /// The class it is defined in.
    pub class: Option<ClassId>,
    /// Further classes (`also in`).
    pub also_in: Vec<ClassId>,
    /// Alternatives named by the author, in order.
    pub alternatives: Vec<DrugId>,
    /// Its own clauses.
    pub clauses: Vec<RuleClause>,
    /// Where defined.
    pub origin: Origin,
    /// The entry's span.
    pub span: Span,
}

/// A class.
#[derive(Debug, Clone)]
pub struct Class {
    /// Name.
    pub name: String,
    /// Label.
    pub label: String,
    /// Enclosing class.
    pub parent: Option<ClassId>,
    /// Its clauses, applying to all members.
    pub clauses: Vec<RuleClause>,
    /// Drugs defined in it or listed with `also in` (not nested classes).
    pub members: Vec<DrugId>,
    /// Nested classes.
    pub children: Vec<ClassId>,
    /// Where defined.
    pub origin: Origin,
    /// The head of the block.
    pub span: Span,
}

/// A clause with its period and origin.
#[derive(Debug, Clone)]
pub struct RuleClause {
    /// What it says.
    pub kind: ClauseKind,
    /// How decisions name it ("tier 2", "limit 4 per 28 days", the rule's
    /// name), made once here so that a check formats nothing for it.
    pub text: String,
    /// When in force.
    pub period: DateSpan,
    /// Where written.
    pub origin: Origin,
}

/// Coverage or an edit.
#[derive(Debug, Clone, PartialEq)]
pub enum ClauseKind {
    /// Covered at this tier number.
    Tier(u32),
    /// Excluded, with the reason.
    Excluded(String),
    /// Not on formulary.
    NonFormulary,
    /// Prior authorization.
    Pa(PaId),
    /// Step therapy.
    Step(StepId),
    /// Quantity limit.
    Limit(Limit),
    /// Age limit, inclusive years.
    Age {
        /// Youngest.
        min: Option<u32>,
        /// Oldest.
        max: Option<u32>,
    },
    /// Sex limit.
    Sex(Sex),
}

impl ClauseKind {
    /// Tier, excluded or non-formulary: a coverage status, where the most specific wins.
    pub fn is_status(&self) -> bool {
        matches!(
            self,
            ClauseKind::Tier(_) | ClauseKind::Excluded(_) | ClauseKind::NonFormulary
        )
    }
}

/// A quantity limit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Limit {
    /// Quantity per days; rolling adds earlier fills in the window.
    Quantity {
        /// Amount.
        amount: f64,
        /// Days.
        days: u32,
        /// Accumulate.
        rolling: bool,
    },
    /// Maximum quantity per day.
    Daily(f64),
    /// Maximum days supply per fill.
    Supply(u32),
    /// Fills per days.
    Fills {
        /// Count.
        count: u32,
        /// Days.
        days: u32,
    },
}

impl std::fmt::Display for Limit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Limit::Quantity {
                amount,
                days,
                rolling,
            } => {
                write!(
                    f,
                    "{amount} per {days} days{}",
                    if *rolling { " rolling" } else { "" }
                )
            }
            Limit::Daily(a) => write!(f, "{a} per day"),
            Limit::Supply(d) => write!(f, "{d} days supply"),
            Limit::Fills { count, days } => {
                write!(
                    f,
                    "{count} {} per {days} days",
                    if *count == 1 { "fill" } else { "fills" }
                )
            }
        }
    }
}

mod resolved;
mod rules;

pub use resolved::*;
pub use rules::*;
