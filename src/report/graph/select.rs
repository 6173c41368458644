//! Report stage: which drugs and classes a graph view shows, and the ids
//! they are drawn with.

use crate::ast::DrugKind;
use crate::compile::model::{ClassId, ClauseKind, DrugId, Formulary, RuleClause, SetRef};
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
                .map(|d| &f.drug(*d).clauses)
                .chain(classes.iter().map(|k| &f.class(*k).clauses));
            for clauses in owners {
                for item in prerequisites(f, clauses) {
                    match item {
                        SetRef::Drug(d) => extra_d.push(d),
                        SetRef::Class(k) => extra_c.push(k),
                    }
                }
            }
            let mut drugs = drugs;
            drugs.extend(extra_d);
            classes.extend(extra_c);
            (drugs, classes)
        }
        Scope::Drug { drug, depth } => {
            let reached = within(&Adjacency::new(f), At::Drug(drug), depth);
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

/// Drugs and classes named by the steps of the step rules in `clauses`.
fn prerequisites<'a>(
    f: &'a Formulary,
    clauses: &'a [RuleClause],
) -> impl Iterator<Item = SetRef> + 'a {
    clauses
        .iter()
        .filter_map(|c| match c.kind {
            ClauseKind::Step(s) => Some(&f.steps[s.0 as usize]),
            _ => None,
        })
        .flat_map(|rule| rule.steps.iter().flat_map(|s| s.items.iter().copied()))
}

/// A node of the neighbourhood search.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum At {
    Drug(DrugId),
    Class(ClassId),
}

impl From<SetRef> for At {
    fn from(r: SetRef) -> At {
        match r {
            SetRef::Drug(d) => At::Drug(d),
            SetRef::Class(c) => At::Class(c),
        }
    }
}

/// Who is one relation away from whom, both ways: a drug and its classes,
/// ingredients, product, brand or generic and alternatives; a class and its
/// parent; the owner of a step rule and each of its prerequisites.
struct Adjacency {
    drugs: Vec<Vec<At>>,
    classes: Vec<Vec<At>>,
}

impl Adjacency {
    fn new(f: &Formulary) -> Adjacency {
        let mut a = Adjacency {
            drugs: vec![Vec::new(); f.drugs.len()],
            classes: vec![Vec::new(); f.classes.len()],
        };
        for (i, drug) in f.drugs.iter().enumerate() {
            let me = At::Drug(DrugId(i as u32));
            let related = drug
                .class
                .iter()
                .chain(drug.also_in.iter())
                .map(|c| At::Class(*c))
                .chain(drug.ingredients.iter().map(|d| At::Drug(*d)))
                .chain(drug.product.map(At::Drug))
                .chain(drug.brand_of.map(At::Drug))
                .chain(drug.alternatives.iter().map(|d| At::Drug(*d)))
                .chain(prerequisites(f, &drug.clauses).map(At::from))
                .collect::<Vec<_>>();
            for r in related {
                a.link(me, r);
            }
        }
        for (i, class) in f.classes.iter().enumerate() {
            let me = At::Class(ClassId(i as u32));
            let related = class
                .parent
                .map(At::Class)
                .into_iter()
                .chain(prerequisites(f, &class.clauses).map(At::from))
                .collect::<Vec<_>>();
            for r in related {
                a.link(me, r);
            }
        }
        for v in a.drugs.iter_mut().chain(a.classes.iter_mut()) {
            v.sort_unstable();
            v.dedup();
        }
        a
    }

    fn link(&mut self, x: At, y: At) {
        self.at(x).push(y);
        self.at(y).push(x);
    }

    fn at(&mut self, n: At) -> &mut Vec<At> {
        match n {
            At::Drug(d) => &mut self.drugs[d.0 as usize],
            At::Class(c) => &mut self.classes[c.0 as usize],
        }
    }

    fn get(&self, n: At) -> &[At] {
        match n {
            At::Drug(d) => &self.drugs[d.0 as usize],
            At::Class(c) => &self.classes[c.0 as usize],
        }
    }
}

/// Everything within `depth` relations of `start`, breadth first.
fn within(adj: &Adjacency, start: At, depth: u32) -> BTreeSet<At> {
    let mut seen = BTreeSet::from([start]);
    let mut queue = VecDeque::from([(start, 0u32)]);
    while let Some((n, d)) = queue.pop_front() {
        if d == depth {
            continue;
        }
        for m in adj.get(n) {
            if seen.insert(*m) {
                queue.push_back((*m, d + 1));
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
