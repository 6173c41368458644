//! Report stage: the rule graph as a picture, before any format. Classes
//! become nested clusters, drugs boxes with their tier and edits, and step
//! therapy rules arrows from each prerequisite to the drug or class that
//! requires it (the compiled graph points from the rule to its
//! prerequisites; a reader follows the patient's path, so the picture
//! reverses it). Brand, package, ingredient, alternative and `also in`
//! relations are drawn as lighter edges. [`diagram`](super::diagram) writes
//! the result as Mermaid or DOT.
//!
//! A view can be restricted to one class (with the prerequisites its steps
//! point to) or to one drug's neighbourhood, so pictures stay readable.

use super::status::{changes_after, state_at, Coverage, DrugState};
use crate::ast::DrugKind;
use crate::compile::model::{ClassId, ClauseKind, DrugId, Formulary, RuleClause, SetRef, StepId};
use crate::words::{is_brand, step_short};
use chrono::NaiveDate;
use std::collections::BTreeSet;

mod select;

pub use select::Scope;

/// A picture of (part of) the rule graph. Everything is sorted.
#[derive(Debug, Clone)]
pub struct Diagram {
    /// Title: the formulary and the view.
    pub title: String,
    /// Top-level clusters.
    pub clusters: Vec<Cluster>,
    /// Boxes outside any cluster.
    pub nodes: Vec<Shape>,
    /// Edges, sorted by endpoints and label.
    pub edges: Vec<Edge>,
}

/// A class drawn as a frame around its drugs.
#[derive(Debug, Clone)]
pub struct Cluster {
    /// Id, unique in the formulary.
    pub id: String,
    /// Label lines.
    pub lines: Vec<String>,
    /// Boxes inside.
    pub nodes: Vec<Shape>,
    /// Nested frames.
    pub clusters: Vec<Cluster>,
}

/// A drug, or a class with nothing drawn inside it.
#[derive(Debug, Clone)]
pub struct Shape {
    /// Id, unique in the formulary.
    pub id: String,
    /// Label lines.
    pub lines: Vec<String>,
    /// What it is, for styling.
    pub style: ShapeStyle,
}

/// How a box is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ShapeStyle {
    /// A generic drug or an ingredient.
    Generic,
    /// A brand.
    Brand,
    /// Excluded, non-formulary or without a tier on the date.
    NotCovered,
    /// A class shown as one box.
    Class,
}

/// A relation drawn as an arrow or line.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Edge {
    /// Source id.
    pub from: String,
    /// Target id.
    pub to: String,
    /// What it means.
    pub kind: EdgeKind,
    /// Text on the edge.
    pub label: String,
    /// The source is a cluster.
    pub from_cluster: bool,
    /// The target is a cluster.
    pub to_cluster: bool,
}

/// Kinds of edges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum EdgeKind {
    /// Prerequisite → the drug or class whose step rule needs it.
    Step,
    /// Brand product → its generic product.
    BrandOf,
    /// Package → its product.
    PackageOf,
    /// Product — its ingredient.
    Ingredient,
    /// Drug → an alternative named by the author.
    Alternative,
    /// Drug → a further class it is listed in.
    AlsoIn,
}

/// Builds the picture of `scope` with statuses as of `date`.
pub fn build(f: &Formulary, scope: &Scope, date: NaiveDate) -> Diagram {
    let ids = select::Ids::new(f);
    let (drugs, classes) = select::select(f, scope);
    let b = Layout {
        f,
        ids: &ids,
        drugs: &drugs,
        classes: &classes,
        date,
    };
    let mut tops: Vec<ClassId> = classes
        .iter()
        .copied()
        .filter(|c| f.class(*c).parent.is_none())
        .collect();
    sort_classes(f, &mut tops);
    let mut diagram = Diagram {
        title: format!("{} ({})", f.name, scope.describe(f)),
        clusters: Vec::new(),
        nodes: Vec::new(),
        edges: Vec::new(),
    };
    for c in tops {
        match b.cluster(c) {
            Ok(cl) => diagram.clusters.push(cl),
            Err(sh) => diagram.nodes.push(sh),
        }
    }
    // A class is a frame only when something is drawn inside it; edges need
    // to know which, since DOT joins a frame through an anchor node.
    let mut frames = BTreeSet::new();
    cluster_ids(&diagram.clusters, &mut frames);
    diagram.edges = b.edges(&frames);
    let mut loose: Vec<DrugId> = drugs
        .iter()
        .copied()
        .filter(|d| f.drug(*d).class.is_none_or(|c| !classes.contains(&c)))
        .collect();
    loose.sort_by(|a, b| f.drug(*a).name.cmp(&f.drug(*b).name));
    diagram
        .nodes
        .extend(loose.into_iter().map(|d| b.drug_shape(d)));
    diagram
}

struct Layout<'a> {
    f: &'a Formulary,
    ids: &'a select::Ids,
    drugs: &'a BTreeSet<DrugId>,
    classes: &'a BTreeSet<ClassId>,
    date: NaiveDate,
}

impl Layout<'_> {
    /// A class with something drawn inside is a cluster; otherwise a box.
    fn cluster(&self, c: ClassId) -> Result<Cluster, Shape> {
        let f = self.f;
        let mut members: Vec<DrugId> = self
            .drugs
            .iter()
            .copied()
            .filter(|d| f.drug(*d).class == Some(c))
            .collect();
        members.sort_by(|a, b| f.drug(*a).name.cmp(&f.drug(*b).name));
        let mut kids: Vec<ClassId> = f
            .class(c)
            .children
            .iter()
            .copied()
            .filter(|k| self.classes.contains(k))
            .collect();
        sort_classes(f, &mut kids);
        let class = f.class(c);
        let mut lines = vec![class.label.clone()];
        let own = self.own_summary(&class.clauses);
        if !own.is_empty() {
            lines.push(own);
        }
        if members.is_empty() && kids.is_empty() {
            lines[0] = format!("class {}: {}", class.name, class.label);
            return Err(Shape {
                id: self.ids.class(c).to_string(),
                lines,
                style: ShapeStyle::Class,
            });
        }
        let mut out = Cluster {
            id: self.ids.class(c).to_string(),
            lines,
            nodes: members.into_iter().map(|d| self.drug_shape(d)).collect(),
            clusters: Vec::new(),
        };
        for k in kids {
            match self.cluster(k) {
                Ok(cl) => out.clusters.push(cl),
                Err(sh) => out.nodes.push(sh),
            }
        }
        Ok(out)
    }

    fn drug_shape(&self, d: DrugId) -> Shape {
        let f = self.f;
        let state = state_at(f, d, self.date);
        let drug = f.drug(d);
        let name = match (drug.kind, drug.ndcs.first()) {
            (DrugKind::Package, Some(ndc)) => format!("NDC {}", ndc.dashed()),
            _ => drug.name.clone(),
        };
        let mut lines = vec![name, state_line(&state)];
        for c in changes_after(f, d, self.date) {
            lines.push(format!("from {}: {}", c.date, c.what));
        }
        let style = match state.coverage {
            Coverage::Tier(_) if is_brand(f, d) => ShapeStyle::Brand,
            Coverage::Tier(_) => ShapeStyle::Generic,
            _ => ShapeStyle::NotCovered,
        };
        Shape {
            id: self.ids.drug(d).to_string(),
            lines,
            style,
        }
    }

    /// A class's own tier and edits in force, for its cluster title.
    fn own_summary(&self, clauses: &[RuleClause]) -> String {
        let f = self.f;
        let mut parts: Vec<String> = Vec::new();
        for c in clauses.iter().filter(|c| c.period.contains(self.date)) {
            match &c.kind {
                ClauseKind::Tier(n) => parts.push(format!("tier {n}")),
                ClauseKind::Excluded(_) => parts.push("excluded".to_string()),
                ClauseKind::NonFormulary => parts.push("non-formulary".to_string()),
                ClauseKind::Pa(p) => parts.push(format!("PA {}", f.pas[p.0 as usize].name)),
                ClauseKind::Step(s) => parts.push(format!("ST {}", f.steps[s.0 as usize].name)),
                _ => {}
            }
        }
        parts.join(" · ")
    }

    fn edges(&self, frames: &BTreeSet<String>) -> Vec<Edge> {
        let f = self.f;
        let mut out: BTreeSet<Edge> = BTreeSet::new();
        let node = |r: SetRef| match r {
            SetRef::Drug(d) => (self.drugs.contains(&d), self.ids.drug(d).to_string(), false),
            SetRef::Class(c) => {
                let id = self.ids.class(c).to_string();
                let frame = frames.contains(&id);
                (self.classes.contains(&c), id, frame)
            }
        };
        let mut attached: Vec<(SetRef, StepId, &RuleClause)> = Vec::new();
        for (i, d) in f.drugs.iter().enumerate() {
            attached
                .extend(steps_of(&d.clauses).map(|(s, c)| (SetRef::Drug(DrugId(i as u32)), s, c)));
        }
        for (i, cl) in f.classes.iter().enumerate() {
            attached.extend(
                steps_of(&cl.clauses).map(|(s, c)| (SetRef::Class(ClassId(i as u32)), s, c)),
            );
        }
        for (target, sid, clause) in attached {
            let (shown, to, to_cluster) = node(target);
            if !shown {
                continue;
            }
            let rule = &f.steps[sid.0 as usize];
            for (k, step) in rule.steps.iter().enumerate() {
                let mut label = if rule.steps.len() > 1 {
                    format!("{} step {}: {}", rule.name, k + 1, step_short(step))
                } else {
                    format!("{}: {}", rule.name, step_short(step))
                };
                if !clause.period.is_always() {
                    label.push_str(&format!(" ({})", clause.period));
                }
                for item in &step.items {
                    let (shown, from, from_cluster) = node(*item);
                    if shown {
                        out.insert(Edge {
                            from,
                            to: to.clone(),
                            kind: EdgeKind::Step,
                            label: label.clone(),
                            from_cluster,
                            to_cluster,
                        });
                    }
                }
            }
        }
        for &d in self.drugs {
            let drug = f.drug(d);
            let mut rel = |to: SetRef, kind: EdgeKind, label: &str| {
                let (shown, to, to_cluster) = node(to);
                if shown {
                    out.insert(Edge {
                        from: self.ids.drug(d).to_string(),
                        to,
                        kind,
                        label: label.to_string(),
                        from_cluster: false,
                        to_cluster,
                    });
                }
            };
            if let Some(g) = drug.brand_of {
                rel(SetRef::Drug(g), EdgeKind::BrandOf, "brand of");
            }
            if drug.kind == DrugKind::Package {
                if let Some(p) = drug.product {
                    rel(SetRef::Drug(p), EdgeKind::PackageOf, "package of");
                }
            }
            for i in &drug.ingredients {
                rel(SetRef::Drug(*i), EdgeKind::Ingredient, "");
            }
            for a in &drug.alternatives {
                rel(SetRef::Drug(*a), EdgeKind::Alternative, "alternative");
            }
            for c in &drug.also_in {
                rel(SetRef::Class(*c), EdgeKind::AlsoIn, "also in");
            }
        }
        out.into_iter().collect()
    }
}

fn cluster_ids(clusters: &[Cluster], out: &mut BTreeSet<String>) {
    for c in clusters {
        out.insert(c.id.clone());
        cluster_ids(&c.clusters, out);
    }
}

fn steps_of(clauses: &[RuleClause]) -> impl Iterator<Item = (StepId, &RuleClause)> {
    clauses.iter().filter_map(|c| match c.kind {
        ClauseKind::Step(s) => Some((s, c)),
        _ => None,
    })
}

/// `tier 2 · PA · QL (4 per 28 days)`.
fn state_line(s: &DrugState) -> String {
    let mut parts = vec![match &s.coverage {
        Coverage::Tier(n) => format!("tier {n}"),
        Coverage::Excluded(_) => "excluded".to_string(),
        Coverage::NonFormulary => "non-formulary".to_string(),
        Coverage::Unlisted => "no tier".to_string(),
    }];
    parts.extend(s.marks.iter().map(|m| m.to_string()));
    parts.join(" · ")
}

fn sort_classes(f: &Formulary, v: &mut [ClassId]) {
    v.sort_by(|a, b| f.class(*a).name.cmp(&f.class(*b).name));
}
