//! Report stage: which drugs and classes a graph view shows, and the ids
//! they are drawn with.

use crate::ast::DrugKind;
use crate::compile::model::{ClassId, DrugId, Edge, Formulary, Node};
use petgraph::graph::NodeIndex;
use petgraph::visit::EdgeRef;
use petgraph::Direction;
use std::collections::{BTreeSet, HashSet, VecDeque};

/// What part of the rule graph to draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Everything.
    All,
    /// One class and its nested classes, with the prerequisites of their steps.
    Class(ClassId),
    /// The drugs and classes within `depth` relations of one drug.
    Drug {
        /// The drug.
        drug: DrugId,
        /// How many relations away.
        depth: u32,
    },
}

impl Scope {
    /// In words, for a title.
    pub fn describe(&self, f: &Formulary) -> String {
        match *self {
            Scope::All => "rule graph".to_string(),
            Scope::Class(c) => format!("class {}", f.class(c).name),
            Scope::Drug { drug, depth } => {
                format!("around {}, depth {depth}", f.drug(drug).name)
            }
        }
    }
}

/// Drawing ids: `d_` or `c_` and the name with every character other than
/// an ASCII letter, digit or `_` replaced by `_`, numbered on a clash. Ids
/// depend only on names, so a view and the whole graph agree.
pub(super) struct Ids {
    drugs: Vec<String>,
    classes: Vec<String>,
}

impl Ids {
    pub(super) fn new(f: &Formulary) -> Ids {
        let mut wanted: Vec<(String, bool, usize)> = Vec::new();
        for (i, d) in f.drugs.iter().enumerate() {
            wanted.push((format!("d_{}", sanitize(&d.name)), false, i));
        }
        for (i, c) in f.classes.iter().enumerate() {
            wanted.push((format!("c_{}", sanitize(&c.name)), true, i));
        }
        // Assign in a fixed order so the numbering of clashes is stable.
        let mut order: Vec<usize> = (0..wanted.len()).collect();
        order.sort_by(|a, b| {
            let (x, y) = (&wanted[*a], &wanted[*b]);
            (&x.0, x.1, x.2).cmp(&(&y.0, y.1, y.2))
        });
        let mut used: HashSet<String> = HashSet::new();
        let mut drugs = vec![String::new(); f.drugs.len()];
        let mut classes = vec![String::new(); f.classes.len()];
        for k in order {
            let (base, is_class, i) = &wanted[k];
            let mut id = base.clone();
            let mut n = 2;
            while !used.insert(id.clone()) {
                id = format!("{base}_{n}");
                n += 1;
            }
            if *is_class {
                classes[*i] = id;
            } else {
                drugs[*i] = id;
            }
        }
        Ids { drugs, classes }
    }

    pub(super) fn drug(&self, d: DrugId) -> &str {
        &self.drugs[d.0 as usize]
    }

    pub(super) fn class(&self, c: ClassId) -> &str {
        &self.classes[c.0 as usize]
    }
}

fn sanitize(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

/// A drug worth a box: ingredients and products, and packages with rules of their own.
fn listed(f: &Formulary, d: DrugId) -> bool {
    let drug = f.drug(d);
    drug.kind != DrugKind::Package || !drug.clauses.is_empty()
}

/// The drugs and classes a scope shows. Classes enclosing anything shown are
/// added, so every box sits in its frames.
pub(super) fn select(f: &Formulary, scope: &Scope) -> (BTreeSet<DrugId>, BTreeSet<ClassId>) {
    let all_drugs = (0..f.drugs.len() as u32).map(DrugId);
    let (drugs, mut classes): (BTreeSet<DrugId>, BTreeSet<ClassId>) = match *scope {
        Scope::All => (
            all_drugs.filter(|d| listed(f, *d)).collect(),
            (0..f.classes.len() as u32).map(ClassId).collect(),
        ),
        Scope::Class(c) => {
            let sub = subtree(f, c);
            let drugs: BTreeSet<DrugId> = all_drugs
                .filter(|d| listed(f, *d))
                .filter(|d| {
                    let drug = f.drug(*d);
                    drug.class
                        .iter()
                        .chain(drug.also_in.iter())
                        .any(|k| sub.contains(k))
                })
                .collect();
            let mut classes = sub;
            classes.extend(ancestors(f, c));
            let mut extra_d = Vec::new();
            let mut extra_c = Vec::new();
            let owners = drugs
                .iter()
                .map(|d| At::Drug(*d))
                .chain(classes.iter().map(|k| At::Class(*k)));
            for owner in owners {
                for item in step_prerequisites(f, owner) {
                    match item {
                        At::Drug(d) => extra_d.push(d),
                        At::Class(k) => extra_c.push(k),
                    }
                }
            }
            let mut drugs = drugs;
            drugs.extend(extra_d);
            classes.extend(extra_c);
            (drugs, classes)
        }
        Scope::Drug { drug, depth } => {
            let reached = within(f, At::Drug(drug), depth);
            let mut drugs = BTreeSet::from([drug]);
            let mut classes = BTreeSet::new();
            for n in reached {
                match n {
                    At::Drug(d) if listed(f, d) => {
                        drugs.insert(d);
                    }
                    At::Drug(_) => {}
                    At::Class(c) => {
                        classes.insert(c);
                    }
                }
            }
            (drugs, classes)
        }
    };
    let frames: Vec<ClassId> = drugs
        .iter()
        .filter_map(|d| f.drug(*d).class)
        .chain(classes.iter().copied())
        .collect();
    for c in frames {
        classes.insert(c);
        classes.extend(ancestors(f, c));
    }
    (drugs, classes)
}

/// A drug or class: a node of the neighbourhood search.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum At {
    Drug(DrugId),
    Class(ClassId),
}

impl At {
    fn of(n: Node) -> Option<At> {
        match n {
            Node::Drug(d) => Some(At::Drug(d)),
            Node::Class(c) => Some(At::Class(c)),
            Node::Pa(_) | Node::Step(_) => None,
        }
    }

    fn node(self, f: &Formulary) -> NodeIndex {
        match self {
            At::Drug(d) => f.drug_nodes[d.0 as usize],
            At::Class(c) => f.class_nodes[c.0 as usize],
        }
    }
}

/// Drugs and classes named by the steps of the step rules `owner` requires.
fn step_prerequisites(f: &Formulary, owner: At) -> impl Iterator<Item = At> + '_ {
    let g = &f.graph;
    g.edges_directed(owner.node(f), Direction::Outgoing)
        .filter(|e| *e.weight() == Edge::RequiresStep)
        .flat_map(move |e| g.edges_directed(e.target(), Direction::Outgoing))
        .filter(|e| *e.weight() == Edge::Prerequisite)
        .filter_map(move |e| At::of(g[e.target()]))
}

/// Drugs and classes whose step rules name `item` as a prerequisite.
fn step_owners(f: &Formulary, item: At) -> impl Iterator<Item = At> + '_ {
    let g = &f.graph;
    g.edges_directed(item.node(f), Direction::Incoming)
        .filter(|e| *e.weight() == Edge::Prerequisite)
        .flat_map(move |e| g.edges_directed(e.source(), Direction::Incoming))
        .filter(|e| *e.weight() == Edge::RequiresStep)
        .filter_map(move |e| At::of(g[e.source()]))
}

/// Who is one relation away in the rule graph, both ways: a drug and its
/// classes, ingredients, product, brand or generic and alternatives; a class
/// and its parent; the owner of a step rule and each of its prerequisites
/// (the rule itself is passed through). PA rules relate no drugs.
fn neighbours(f: &Formulary, n: At) -> Vec<At> {
    let g = &f.graph;
    let idx = n.node(f);
    let direct = |e: &Edge| {
        !matches!(
            e,
            Edge::RequiresPa | Edge::RequiresStep | Edge::Prerequisite
        )
    };
    let mut out: Vec<At> = g
        .edges_directed(idx, Direction::Outgoing)
        .filter(|e| direct(e.weight()))
        .filter_map(|e| At::of(g[e.target()]))
        .chain(
            g.edges_directed(idx, Direction::Incoming)
                .filter(|e| direct(e.weight()))
                .filter_map(|e| At::of(g[e.source()])),
        )
        .chain(step_prerequisites(f, n))
        .chain(step_owners(f, n))
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// Everything within `depth` relations of `start`, breadth first.
fn within(f: &Formulary, start: At, depth: u32) -> BTreeSet<At> {
    let mut seen = BTreeSet::from([start]);
    let mut queue = VecDeque::from([(start, 0u32)]);
    while let Some((n, d)) = queue.pop_front() {
        if d == depth {
            continue;
        }
        for m in neighbours(f, n) {
            if seen.insert(m) {
                queue.push_back((m, d + 1));
            }
        }
    }
    seen
}

fn subtree(f: &Formulary, c: ClassId) -> BTreeSet<ClassId> {
    let mut out = BTreeSet::from([c]);
    let mut stack = vec![c];
    while let Some(k) = stack.pop() {
        for ch in &f.class(k).children {
            if out.insert(*ch) {
                stack.push(*ch);
            }
        }
    }
    out
}

fn ancestors(f: &Formulary, c: ClassId) -> Vec<ClassId> {
    let mut out = Vec::new();
    let mut p = f.class(c).parent;
    while let Some(k) = p {
        if out.contains(&k) {
            break;
        }
        out.push(k);
        p = f.class(k).parent;
    }
    out
}
