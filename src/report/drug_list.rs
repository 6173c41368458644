//! Report stage: the member's drug list as data, before any format. Drugs
//! are grouped by therapeutic class (nested classes become numbered
//! sub-sections), sorted by name within a class, with the status in force on
//! one date and the changes scheduled after it. Drugs not covered on that
//! date get their own section; an index of names closes the list.
//!
//! Rows are ingredients and products; a package is listed only when a rule
//! is written on it (a repackager NDC excluded, say), since otherwise its
//! product's row already says everything about it.

use super::status::{changes_after, eval_date, state_at, Change, Coverage, Mark, MarkKind};
use crate::ast::DrugKind;
use crate::compile::model::{ClassId, DrugId, Formulary, Relation};
use crate::words::{display_name, is_brand};
use chrono::NaiveDate;

/// At most this many covered alternatives are named for a drug not covered.
const MAX_ALTERNATIVES: usize = 3;

/// A drug list ready to render.
#[derive(Debug, Clone)]
pub struct DrugList<'f> {
    /// The formulary.
    pub formulary: &'f Formulary,
    /// The date whose status is shown; `None` when nothing is dated.
    pub as_of: Option<NaiveDate>,
    /// Tier legend.
    pub tiers: Vec<TierRow>,
    /// Top-level sections: one per top class, then one for drugs outside any class.
    pub sections: Vec<Section>,
    /// Drugs not covered on the date.
    pub not_covered: Vec<NotCovered>,
    /// Every listed name, alphabetical, with the sections it appears in.
    pub index: Vec<IndexEntry>,
}

/// One tier of the legend.
#[derive(Debug, Clone)]
pub struct TierRow {
    /// Number.
    pub number: u32,
    /// Label.
    pub label: String,
    /// Cost share in words: retail month, then mail and extended supply.
    pub cost: String,
    /// `preferred`, `specialty`.
    pub flags: Vec<&'static str>,
}

/// A class's section.
#[derive(Debug, Clone)]
pub struct Section {
    /// `2.1`.
    pub number: String,
    /// An HTML id / link target: `s2-1`.
    pub anchor: String,
    /// The class label.
    pub title: String,
    /// 1 for a top class.
    pub depth: usize,
    /// Covered drugs, alphabetical.
    pub rows: Vec<Row>,
    /// Members of this class not covered on the date (listed in their own section).
    pub not_covered: usize,
    /// Nested classes.
    pub children: Vec<Section>,
}

/// A covered drug.
#[derive(Debug, Clone)]
pub struct Row {
    /// The drug.
    pub drug: DrugId,
    /// Printed name (brands in capitals).
    pub name: String,
    /// A brand.
    pub brand: bool,
    /// Tier number.
    pub tier: u32,
    /// The tier is a specialty tier.
    pub specialty: bool,
    /// Edits in force.
    pub marks: Vec<Mark>,
    /// Changes after the date.
    pub changes: Vec<Change>,
}

/// A drug not covered on the date.
#[derive(Debug, Clone)]
pub struct NotCovered {
    /// The drug.
    pub drug: DrugId,
    /// Printed name.
    pub name: String,
    /// A brand.
    pub brand: bool,
    /// Its class label, if any.
    pub class: Option<String>,
    /// Why, in words.
    pub status: String,
    /// Covered alternatives, printed names.
    pub alternatives: Vec<String>,
    /// Changes after the date.
    pub changes: Vec<Change>,
}

/// A name in the index.
#[derive(Debug, Clone)]
pub struct IndexEntry {
    /// Printed name.
    pub name: String,
    /// A brand.
    pub brand: bool,
    /// Sections listing it: number and anchor.
    pub refs: Vec<(String, String)>,
}

/// Anchor of the "not covered" section.
pub const NOT_COVERED_ANCHOR: &str = "not-covered";

/// Builds the drug list of `f` as of `as_of`.
pub fn build(f: &Formulary, as_of: Option<NaiveDate>) -> DrugList<'_> {
    let date = eval_date(as_of);
    let tiers = f.tiers.iter().map(tier_row).collect();
    let mut b = Builder {
        f,
        date,
        not_covered: Vec::new(),
        index: Vec::new(),
    };
    let mut tops: Vec<ClassId> = (0..f.classes.len() as u32)
        .map(ClassId)
        .filter(|c| f.class(*c).parent.is_none())
        .collect();
    sort_classes(f, &mut tops);
    let mut sections: Vec<Section> = tops
        .iter()
        .enumerate()
        .map(|(i, c)| b.section(*c, (i + 1).to_string(), 1))
        .collect();
    let loose: Vec<DrugId> = listed(f)
        .filter(|d| f.drug(*d).class.is_none() && f.drug(*d).also_in.is_empty())
        .collect();
    if !loose.is_empty() {
        let number = (sections.len() + 1).to_string();
        let mut s = b.empty_section(number, "Other drugs".to_string(), 1);
        b.fill(&mut s, &loose);
        sections.push(s);
    }
    let Builder {
        mut not_covered,
        index,
        ..
    } = b;
    not_covered.sort_by(|a, b| {
        sort_key(&a.name)
            .cmp(&sort_key(&b.name))
            .then(a.drug.cmp(&b.drug))
    });
    not_covered.dedup_by_key(|n| n.drug);
    DrugList {
        formulary: f,
        as_of,
        tiers,
        sections,
        not_covered,
        index: merge_index(index),
    }
}

struct Builder<'f> {
    f: &'f Formulary,
    date: NaiveDate,
    not_covered: Vec<NotCovered>,
    index: Vec<IndexEntry>,
}

impl Builder<'_> {
    fn section(&mut self, c: ClassId, number: String, depth: usize) -> Section {
        let f = self.f;
        let class = f.class(c);
        let mut s = self.empty_section(number, class.label.clone(), depth);
        let members: Vec<DrugId> = class
            .members
            .iter()
            .copied()
            .filter(|d| is_listed(f, *d))
            .collect();
        self.fill(&mut s, &members);
        let mut kids = class.children.clone();
        sort_classes(f, &mut kids);
        s.children = kids
            .iter()
            .enumerate()
            .map(|(i, k)| self.section(*k, format!("{}.{}", s.number, i + 1), depth + 1))
            .collect();
        s
    }

    fn empty_section(&self, number: String, title: String, depth: usize) -> Section {
        Section {
            anchor: format!("s{}", number.replace('.', "-")),
            number,
            title,
            depth,
            rows: Vec::new(),
            not_covered: 0,
            children: Vec::new(),
        }
    }

    fn fill(&mut self, s: &mut Section, members: &[DrugId]) {
        let f = self.f;
        for &d in members {
            let state = state_at(f, d, self.date);
            let name = display_name(f, d);
            let brand = is_brand(f, d);
            let changes = changes_after(f, d, self.date);
            let tier = match state.coverage {
                Coverage::Tier(n) => n,
                other => {
                    s.not_covered += 1;
                    self.index.push(IndexEntry {
                        name: name.clone(),
                        brand,
                        refs: vec![("not covered".to_string(), NOT_COVERED_ANCHOR.to_string())],
                    });
                    self.not_covered.push(NotCovered {
                        drug: d,
                        class: f.drug(d).class.map(|c| f.class(c).label.clone()),
                        status: not_covered_words(&other),
                        alternatives: self.alternatives(d),
                        name,
                        brand,
                        changes,
                    });
                    continue;
                }
            };
            self.index.push(IndexEntry {
                name: name.clone(),
                brand,
                refs: vec![(s.number.clone(), s.anchor.clone())],
            });
            s.rows.push(Row {
                drug: d,
                name,
                brand,
                tier,
                specialty: f.tier(tier).is_some_and(|t| t.specialty),
                marks: state.marks,
                changes,
            });
        }
        s.rows.sort_by(|a, b| {
            sort_key(&a.name)
                .cmp(&sort_key(&b.name))
                .then(a.drug.cmp(&b.drug))
        });
    }

    /// Candidates the compiler found that are covered on the date, in its
    /// order (for a package, its own product first), one per ingredient as
    /// at the counter. One that needs prior authorization or step therapy
    /// says so (`(PA)`, `(ST)`) and comes after those that need neither.
    fn alternatives(&self, d: DrugId) -> Vec<String> {
        let f = self.f;
        let mut therapies = Vec::new();
        let mut out: Vec<(bool, String)> = f
            .resolved(d)
            .candidates
            .iter()
            .filter_map(|c| {
                let state = state_at(f, c.drug, self.date);
                if !matches!(state.coverage, Coverage::Tier(_)) {
                    return None;
                }
                let t = f.resolved(c.drug).therapy;
                if therapies.contains(&t) {
                    return None;
                }
                therapies.push(t);
                let needs: Vec<&str> = state
                    .marks
                    .iter()
                    .filter(|m| matches!(m.kind, MarkKind::Pa | MarkKind::St))
                    .map(|m| m.kind.code())
                    .collect();
                let mut name = display_name(f, c.drug);
                if c.relation == Relation::SameProduct {
                    name.push_str(" (another package)");
                }
                if !needs.is_empty() {
                    name.push_str(&format!(" ({})", needs.join(", ")));
                }
                Some((!needs.is_empty(), name))
            })
            .collect();
        out.sort_by_key(|(restricted, _)| *restricted);
        out.into_iter()
            .map(|(_, name)| name)
            .take(MAX_ALTERNATIVES)
            .collect()
    }
}

fn not_covered_words(c: &Coverage) -> String {
    match c {
        Coverage::Excluded(reason) => format!("Excluded: {reason}"),
        Coverage::NonFormulary => {
            "Non-formulary: covered only through a formulary exception".to_string()
        }
        Coverage::Unlisted => "Not on the list on this date".to_string(),
        Coverage::Tier(n) => format!("tier {n}"),
    }
}

/// Ingredients and products, and packages with rules of their own.
fn listed(f: &Formulary) -> impl Iterator<Item = DrugId> + '_ {
    (0..f.drugs.len() as u32)
        .map(DrugId)
        .filter(|d| is_listed(f, *d))
}

fn is_listed(f: &Formulary, d: DrugId) -> bool {
    let drug = f.drug(d);
    drug.kind != DrugKind::Package || !drug.clauses.is_empty()
}

fn sort_classes(f: &Formulary, v: &mut [ClassId]) {
    v.sort_by(|a, b| {
        sort_key(&f.class(*a).label)
            .cmp(&sort_key(&f.class(*b).label))
            .then(a.cmp(b))
    });
}

/// Case-insensitive order, as an index reads.
fn sort_key(s: &str) -> String {
    s.to_lowercase()
}

fn merge_index(mut v: Vec<IndexEntry>) -> Vec<IndexEntry> {
    v.sort_by(|a, b| {
        sort_key(&a.name)
            .cmp(&sort_key(&b.name))
            .then(a.name.cmp(&b.name))
    });
    let mut out: Vec<IndexEntry> = Vec::new();
    for e in v {
        match out.last_mut() {
            Some(last) if last.name == e.name => {
                for r in e.refs {
                    if !last.refs.contains(&r) {
                        last.refs.push(r);
                    }
                }
            }
            _ => out.push(e),
        }
    }
    out
}

fn tier_row(t: &crate::compile::model::Tier) -> TierRow {
    let mut cost = t.share.to_string();
    if let Some(m) = &t.mail {
        cost.push_str(&format!("; mail order {}", m));
    }
    if let Some((days, s)) = &t.extended {
        cost.push_str(&format!("; {days}-day supply {}", s));
    }
    let mut flags = Vec::new();
    if t.preferred {
        flags.push("preferred");
    }
    if t.specialty {
        flags.push("specialty");
    }
    TierRow {
        number: t.number,
        label: t.label.clone(),
        cost,
        flags,
    }
}
