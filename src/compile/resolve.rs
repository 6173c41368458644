//! Resolution: the rule graph and, per drug, what applies to it.
//!
//! The petgraph graph has drugs, classes and rules as nodes and membership,
//! ingredient, package, brand, rule and prerequisite edges. From it each drug
//! gets a [`Resolved`] record: its status clauses most specific first, its
//! edits from every level, its classes and its candidate alternatives, so
//! that checking a prescription is lookups, not graph walks.

use super::build::Built;
use super::model::*;
use crate::ast::DrugKind;
use crate::span::Sources;
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;
use petgraph::Direction;
use rustc_hash::{FxHashMap, FxHashSet};

/// At most this many candidate alternatives are kept per drug.
const MAX_CANDIDATES: usize = 24;

pub(super) fn resolve(b: Built, sources: Sources, hash: String) -> Formulary {
    let Built {
        name,
        id,
        version,
        effective,
        origin,
        tiers,
        mut drugs,
        mut classes,
        pas,
        mut steps,
        refill,
        transition,
        benefit,
        price_files,
        catalog_files,
        by_ndc,
        by_rxcui,
        by_name,
        class_by_name,
    } = b;

    // Class tree and membership.
    for i in 0..classes.len() {
        if let Some(p) = classes[i].parent {
            classes[p.0 as usize].children.push(ClassId(i as u32));
        }
    }
    for (i, d) in drugs.iter().enumerate() {
        for c in d.class.iter().chain(d.also_in.iter()) {
            classes[c.0 as usize].members.push(DrugId(i as u32));
        }
    }

    let (graph, drug_nodes, class_nodes) = build_graph(&drugs, &classes, &pas, &steps);

    // Products of each ingredient and packages of each product, for expanding sets.
    let mut children_of: Vec<Vec<DrugId>> = vec![Vec::new(); drugs.len()];
    for (i, d) in drugs.iter().enumerate() {
        for ing in &d.ingredients {
            children_of[ing.0 as usize].push(DrugId(i as u32));
        }
        if let Some(p) = d.product {
            children_of[p.0 as usize].push(DrugId(i as u32));
        }
    }
    // Many steps name the same class: expand each class once.
    let mut class_sets: rustc_hash::FxHashMap<ClassId, FxHashSet<DrugId>> = Default::default();
    for rule in &mut steps {
        for step in &mut rule.steps {
            let mut set = FxHashSet::default();
            for item in &step.items {
                match *item {
                    SetRef::Drug(d) => expand_drug(d, &children_of, &mut set),
                    SetRef::Class(c) => {
                        let expanded = class_sets.entry(c).or_insert_with(|| {
                            let mut s = FxHashSet::default();
                            expand_class(c, &classes, &children_of, &mut s);
                            s
                        });
                        set.extend(expanded.iter().copied());
                    }
                }
            }
            step.candidates = step_candidates(&set, &drugs, &children_of);
            step.set = set;
        }
    }

    let mut levels = Levels::default();
    let combos = combination_index(&drugs);
    let mut resolved: Vec<Resolved> = (0..drugs.len())
        .map(|i| resolve_drug(DrugId(i as u32), &drugs, &classes, &combos, &mut levels))
        .collect();
    // Each class's members, from its member-of edges, in source order.
    let class_members: Vec<Vec<DrugId>> = class_nodes
        .iter()
        .map(|n| {
            let mut v: Vec<DrugId> = graph
                .edges_directed(*n, Direction::Incoming)
                .filter(|e| *e.weight() == Edge::MemberOf)
                .filter_map(|e| match graph[e.source()] {
                    Node::Drug(d) => Some(d),
                    _ => None,
                })
                .collect();
            v.sort_unstable();
            v
        })
        .collect();
    for i in 0..drugs.len() {
        let c = candidates(
            DrugId(i as u32),
            &graph,
            &drug_nodes,
            &class_members,
            &drugs,
            &resolved,
        );
        resolved[i].candidates = c;
    }
    // Drugs own their clause lists through `resolved`; keep the per-drug
    // copies too, since explanations list a drug's own clauses.
    drugs.shrink_to_fit();

    Formulary {
        name,
        id,
        version,
        effective,
        hash,
        origin,
        sources,
        tiers,
        drugs,
        classes,
        pas,
        steps,
        refill,
        transition,
        benefit,
        graph,
        drug_nodes,
        class_nodes,
        resolved,
        levels: levels.names,
        price_files,
        catalog_files,
        prices: None,
        by_ndc,
        by_rxcui,
        by_name,
        class_by_name,
    }
}

/// At most this many drugs of one therapy are kept as a step's candidates.
const STEP_CANDIDATES_PER_THERAPY: usize = 3;
/// At most this many candidates are kept per step, so that a 608 on a step
/// naming a large class evaluates a short list.
const MAX_STEP_CANDIDATES: usize = 32;

/// What to offer for an unmet step: the products in its set, and the
/// ingredients none of whose single-ingredient products is in it, a few per therapy (the
/// single ingredient, or the combination product), in source order.
fn step_candidates(
    set: &FxHashSet<DrugId>,
    drugs: &[Drug],
    children_of: &[Vec<DrugId>],
) -> Vec<DrugId> {
    let mut members: Vec<DrugId> = set
        .iter()
        .copied()
        .filter(|d| match drugs[d.0 as usize].kind {
            DrugKind::Package => false,
            DrugKind::Product => true,
            DrugKind::Ingredient => !children_of[d.0 as usize]
                .iter()
                .any(|c| set.contains(c) && drugs[c.0 as usize].ingredients == [*d]),
            // A combination entry is offered unless a product of it is.
            DrugKind::Combination => !children_of[d.0 as usize].iter().any(|c| set.contains(c)),
        })
        .collect();
    members.sort_unstable();
    let therapy = |d: DrugId| match drugs[d.0 as usize].ingredients.as_slice() {
        [one] => *one,
        _ => d,
    };
    let mut per: rustc_hash::FxHashMap<DrugId, usize> = Default::default();
    members.retain(|d| {
        let n = per.entry(therapy(*d)).or_default();
        *n += 1;
        *n <= STEP_CANDIDATES_PER_THERAPY
    });
    members.truncate(MAX_STEP_CANDIDATES);
    members
}

fn expand_drug(d: DrugId, children_of: &[Vec<DrugId>], set: &mut FxHashSet<DrugId>) {
    if set.insert(d) {
        for c in &children_of[d.0 as usize] {
            expand_drug(*c, children_of, set);
        }
    }
}

fn expand_class(
    c: ClassId,
    classes: &[Class],
    children_of: &[Vec<DrugId>],
    set: &mut FxHashSet<DrugId>,
) {
    let class = &classes[c.0 as usize];
    for m in &class.members {
        expand_drug(*m, children_of, set);
    }
    for ch in &class.children {
        expand_class(*ch, classes, children_of, set);
    }
}

type Graph = (DiGraph<Node, Edge>, Vec<NodeIndex>, Vec<NodeIndex>);

fn build_graph(drugs: &[Drug], classes: &[Class], pas: &[PaRule], steps: &[StepRule]) -> Graph {
    let mut g = DiGraph::new();
    let drug_nodes: Vec<NodeIndex> = (0..drugs.len())
        .map(|i| g.add_node(Node::Drug(DrugId(i as u32))))
        .collect();
    let class_nodes: Vec<NodeIndex> = (0..classes.len())
        .map(|i| g.add_node(Node::Class(ClassId(i as u32))))
        .collect();
    let pa_nodes: Vec<NodeIndex> = (0..pas.len())
        .map(|i| g.add_node(Node::Pa(PaId(i as u32))))
        .collect();
    let step_nodes: Vec<NodeIndex> = (0..steps.len())
        .map(|i| g.add_node(Node::Step(StepId(i as u32))))
        .collect();
    let rule_edges = |g: &mut DiGraph<Node, Edge>, from: NodeIndex, clauses: &[RuleClause]| {
        for c in clauses {
            match c.kind {
                ClauseKind::Pa(p) => {
                    g.update_edge(from, pa_nodes[p.0 as usize], Edge::RequiresPa);
                }
                ClauseKind::Step(s) => {
                    g.update_edge(from, step_nodes[s.0 as usize], Edge::RequiresStep);
                }
                _ => {}
            }
        }
    };
    for (i, c) in classes.iter().enumerate() {
        if let Some(p) = c.parent {
            g.add_edge(class_nodes[i], class_nodes[p.0 as usize], Edge::SubclassOf);
        }
        rule_edges(&mut g, class_nodes[i], &c.clauses);
    }
    for (i, d) in drugs.iter().enumerate() {
        let n = drug_nodes[i];
        for c in d.class.iter().chain(d.also_in.iter()) {
            g.update_edge(n, class_nodes[c.0 as usize], Edge::MemberOf);
        }
        for ing in &d.ingredients {
            g.update_edge(n, drug_nodes[ing.0 as usize], Edge::HasIngredient);
        }
        if let Some(p) = d.product {
            g.update_edge(n, drug_nodes[p.0 as usize], Edge::PackageOf);
        }
        if let Some(gen) = d.brand_of {
            g.update_edge(n, drug_nodes[gen.0 as usize], Edge::BrandOf);
        }
        for a in &d.alternatives {
            g.update_edge(n, drug_nodes[a.0 as usize], Edge::Alternative);
        }
        rule_edges(&mut g, n, &d.clauses);
    }
    for (i, s) in steps.iter().enumerate() {
        for step in &s.steps {
            for item in &step.items {
                let target = match *item {
                    SetRef::Drug(d) => drug_nodes[d.0 as usize],
                    SetRef::Class(c) => class_nodes[c.0 as usize],
                };
                g.update_edge(step_nodes[i], target, Edge::Prerequisite);
            }
        }
    }
    (g, drug_nodes, class_nodes)
}

/// What a level name is made from, so each name is formatted once.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Level {
    Own(DrugKind),
    Drug(DrugId),
    Class(ClassId),
}

/// Level names, interned: a formulary has a few hundred, shared by every clause.
#[derive(Default)]
struct Levels {
    names: Vec<String>,
    index: rustc_hash::FxHashMap<Level, LevelId>,
}

impl Levels {
    fn intern(&mut self, key: Level, name: impl FnOnce() -> String) -> LevelId {
        let names = &mut self.names;
        *self.index.entry(key).or_insert_with(|| {
            names.push(name());
            LevelId(names.len() as u32 - 1)
        })
    }
}

/// The levels of a drug, most specific first: itself, its product, its
/// ingredients; then the classes of each, innermost first.
fn resolve_drug(
    id: DrugId,
    drugs: &[Drug],
    classes: &[Class],
    combos: &FxHashMap<Vec<DrugId>, DrugId>,
    levels_table: &mut Levels,
) -> Resolved {
    let d = &drugs[id.0 as usize];
    let mut levels: Vec<(DrugId, &'static str)> = vec![(id, "")];
    let product = match d.kind {
        DrugKind::Package => d.product,
        DrugKind::Product => Some(id),
        DrugKind::Ingredient | DrugKind::Combination => None,
    };
    if d.kind == DrugKind::Package {
        if let Some(p) = d.product {
            levels.push((p, "product"));
        }
    }
    let ingredients: Vec<DrugId> = match d.kind {
        DrugKind::Ingredient => vec![id],
        DrugKind::Combination => d.ingredients.clone(),
        _ => product
            .map(|p| drugs[p.0 as usize].ingredients.clone())
            .unwrap_or_default(),
    };
    // A product of one ingredient takes the ingredient's rules; a product of
    // several takes those of the combination of exactly its ingredients,
    // never those of one of them.
    let combination = match d.kind {
        DrugKind::Combination => Some(id),
        _ if ingredients.len() > 1 => combos.get(&sorted(&ingredients)).copied(),
        _ => None,
    };
    if matches!(d.kind, DrugKind::Product | DrugKind::Package) {
        match (ingredients.as_slice(), combination) {
            ([one], _) => levels.push((*one, "ingredient")),
            (_, Some(c)) => levels.push((c, "combination")),
            _ => {}
        }
    }

    // The "same drug" key (see `Resolved::therapy`): the ingredient, else the
    // combination, else the generic product.
    let generic = product.map(|p| drugs[p.0 as usize].brand_of.unwrap_or(p));
    let therapy = match ingredients.as_slice() {
        [one] => *one,
        _ => combination.or(generic).unwrap_or(id),
    };
    let mut out = Resolved {
        therapy,
        product,
        ingredients: ingredients.clone(),
        ..Resolved::default()
    };
    let mut seen_rules: FxHashSet<(u8, u32)> = FxHashSet::default();
    let mut push = |out: &mut Resolved, clauses: &[RuleClause], level: LevelId| {
        for c in clauses {
            let key = match c.kind {
                ClauseKind::Pa(p) => Some((0u8, p.0)),
                ClauseKind::Step(s) => Some((1u8, s.0)),
                _ => None,
            };
            if let Some(k) = key {
                if !seen_rules.insert(k) {
                    continue;
                }
            }
            let lc = LeveledClause {
                clause: c.clone(),
                level,
            };
            if c.kind.is_status() {
                out.status.push(lc);
            } else {
                out.edits.push(lc);
            }
        }
    };
    for (lid, role) in &levels {
        let ld = &drugs[lid.0 as usize];
        let level = if role.is_empty() {
            levels_table.intern(Level::Own(ld.kind), || ld.kind.as_str().to_string())
        } else {
            levels_table.intern(Level::Drug(*lid), || format!("{role} {}", ld.name))
        };
        push(&mut out, &ld.clauses, level);
    }
    // Classes: the primary chain of each level first, then `also in` chains.
    let mut class_order: Vec<ClassId> = Vec::new();
    for (lid, _) in &levels {
        let mut c = drugs[lid.0 as usize].class;
        while let Some(cid) = c {
            if !class_order.contains(&cid) {
                class_order.push(cid);
            }
            c = classes[cid.0 as usize].parent;
        }
    }
    for (lid, _) in &levels {
        for start in &drugs[lid.0 as usize].also_in {
            let mut c = Some(*start);
            while let Some(cid) = c {
                if !class_order.contains(&cid) {
                    class_order.push(cid);
                }
                c = classes[cid.0 as usize].parent;
            }
        }
    }
    for cid in &class_order {
        let c = &classes[cid.0 as usize];
        let level = levels_table.intern(Level::Class(*cid), || format!("class {}", c.name));
        push(&mut out, &c.clauses, level);
    }
    out.classes = class_order;
    out.equivalent = out.therapy;
    out
}

/// Each combination drug by its ingredients, sorted.
pub(crate) fn combination_index(drugs: &[Drug]) -> FxHashMap<Vec<DrugId>, DrugId> {
    drugs
        .iter()
        .enumerate()
        .filter(|(_, d)| d.kind == DrugKind::Combination)
        .map(|(i, d)| (sorted(&d.ingredients), DrugId(i as u32)))
        .collect()
}

fn sorted(ids: &[DrugId]) -> Vec<DrugId> {
    let mut v = ids.to_vec();
    v.sort_unstable_by_key(|d| d.0);
    v.dedup();
    v
}

/// Candidate alternatives, found by walking the graph from the drug: the
/// generic of a brand (brand-of edge), the product of a package
/// (package-of edge), alternatives the author named (in the order written),
/// other products of the same ingredients (has-ingredient edges), then
/// members of the same classes (member-of edges, innermost class first).
fn candidates(
    id: DrugId,
    g: &DiGraph<Node, Edge>,
    drug_nodes: &[NodeIndex],
    class_members: &[Vec<DrugId>],
    drugs: &[Drug],
    resolved: &[Resolved],
) -> Vec<Candidate> {
    let me = &resolved[id.0 as usize];
    let mut out: Vec<Candidate> = Vec::new();
    let mut seen: FxHashSet<DrugId> = FxHashSet::default();
    seen.insert(id);
    let mut add = |out: &mut Vec<Candidate>, drug: DrugId, relation: Relation| {
        if drugs[drug.0 as usize].kind != DrugKind::Package && seen.insert(drug) {
            out.push(Candidate { drug, relation });
        }
    };
    let node_drug = |n: NodeIndex| match g[n] {
        Node::Drug(d) => Some(d),
        _ => None,
    };
    // petgraph lists a node's edges newest first; sort to source order.
    let neighbours = |from: DrugId, edge: Edge, dir: Direction| {
        let mut v: Vec<DrugId> = g
            .edges_directed(drug_nodes[from.0 as usize], dir)
            .filter(|e| *e.weight() == edge)
            .filter_map(|e| {
                node_drug(if dir == Direction::Outgoing {
                    e.target()
                } else {
                    e.source()
                })
            })
            .collect();
        v.sort_unstable();
        v
    };
    let mut levels = vec![id];
    levels.extend(me.product.filter(|p| *p != id));
    for s in &levels {
        for gen in neighbours(*s, Edge::BrandOf, Direction::Outgoing) {
            add(&mut out, gen, Relation::GenericEquivalent);
        }
    }
    for p in neighbours(id, Edge::PackageOf, Direction::Outgoing) {
        add(&mut out, p, Relation::SameProduct);
    }
    levels.extend(me.ingredients.iter().copied());
    for s in &levels {
        // The author's order matters here, so read the drug's list, which
        // holds the same links as its Alternative edges.
        for a in &drugs[s.0 as usize].alternatives {
            add(&mut out, *a, Relation::Preferred);
        }
    }
    for ing in &me.ingredients {
        if drugs[ing.0 as usize].kind == DrugKind::Ingredient {
            add(&mut out, *ing, Relation::SameIngredient);
        }
        for sibling in neighbours(*ing, Edge::HasIngredient, Direction::Incoming) {
            add(&mut out, sibling, Relation::SameIngredient);
        }
    }
    for cid in &me.classes {
        if out.len() >= MAX_CANDIDATES {
            break;
        }
        for &m in &class_members[cid.0 as usize] {
            // Stop as soon as the list is full: walking all of a large class
            // for every member made resolving quadratic in the class size.
            if out.len() >= MAX_CANDIDATES {
                break;
            }
            let relation = if resolved[m.0 as usize].therapy == me.therapy {
                Relation::SameIngredient
            } else {
                Relation::SameClass
            };
            add(&mut out, m, relation);
        }
    }
    out.truncate(MAX_CANDIDATES);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fmt::Write;
    use std::time::{Duration, Instant};

    #[test]
    fn a_large_class_resolves_in_time_linear_in_its_size() {
        // Each member's search for alternatives used to walk the whole class:
        // a class of 20,000 drugs took 16 s to compile in a release build.
        let n = 20_000;
        let mut text = String::from(
            "formulary \"Big\" id B version 1 effective 2026-01-01 to 2026-12-31\n\
             tier 1 \"Generic\" copay $5 preferred\nclass big tier 1 {\n",
        );
        for i in 0..n {
            let _ = writeln!(text, "  ingredient d{i} rxcui {}", 100_000 + i);
        }
        text.push_str("}\n");
        let started = Instant::now();
        let f = crate::compile_str("big.formulary", &text)
            .formulary
            .expect("compiles");
        let took = started.elapsed();
        let first: Vec<u32> = f
            .resolved(DrugId(0))
            .candidates
            .iter()
            .map(|c| c.drug.0)
            .collect();
        assert_eq!(first, (1..=MAX_CANDIDATES as u32).collect::<Vec<_>>());
        assert!(took < Duration::from_secs(30), "took {took:?}");
    }
}
