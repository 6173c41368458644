//! Checks on the whole rule graph: step therapy that can never be met
//! (E0301 cycles, E0302 unsatisfiable steps) and the lints (W03xx).
//!
//! A drug is *reachable* when some patient could get it paid: it is covered
//! (has a tier) and each of its step rules has, in every step, enough
//! distinct reachable drugs. Reachability is a fixpoint from the drugs with
//! no step therapy. A step rule left unreachable either lists too few
//! covered drugs (E0302) or needs drugs that need it back (E0301).

use super::model::*;
use crate::diagnostics::{Diag, Error};
use petgraph::algo::tarjan_scc;
use petgraph::graphmap::DiGraphMap;
use rustc_hash::FxHashSet;

pub(super) fn check(f: &Formulary, diags: &mut Vec<Diag>) {
    let covered: Vec<bool> = f.resolved.iter().map(is_covered).collect();
    let reachable = reachable(f, &covered);
    step_problems(f, &covered, &reachable, diags);
    unused_rules(f, diags);
    no_tier(f, diags);
    no_preferred_option(f, diags);
    approvals_that_never_apply(f, diags);
}

/// Only the graph checks (E0301, E0302), for a formulary that had other
/// errors: the lints would mostly repeat them.
pub(super) fn graph(f: &Formulary, diags: &mut Vec<Diag>) {
    let covered: Vec<bool> = f.resolved.iter().map(is_covered).collect();
    let reachable = reachable(f, &covered);
    step_problems(f, &covered, &reachable, diags);
}

/// Covered at some time: the most specific status that is not limited to a
/// period decides, and any tier before it counts.
fn is_covered(r: &Resolved) -> bool {
    for s in &r.status {
        match s.clause.kind {
            ClauseKind::Tier(_) => return true,
            _ if s.clause.period.is_always() => return false,
            _ => {}
        }
    }
    false
}

fn step_rules(r: &Resolved) -> impl Iterator<Item = StepId> + '_ {
    r.edits.iter().filter_map(|e| match e.clause.kind {
        ClauseKind::Step(s) => Some(s),
        _ => None,
    })
}

/// Distinct therapies among the drugs of `set` that pass `ok`.
fn distinct_therapies(
    f: &Formulary,
    set: &FxHashSet<DrugId>,
    ok: impl Fn(DrugId) -> bool,
) -> usize {
    let mut t: FxHashSet<DrugId> = FxHashSet::default();
    for d in set {
        if ok(*d) {
            t.insert(f.resolved(*d).therapy);
        }
    }
    t.len()
}

fn reachable(f: &Formulary, covered: &[bool]) -> Vec<bool> {
    let mut reach: Vec<bool> = f
        .resolved
        .iter()
        .enumerate()
        .map(|(i, r)| covered[i] && step_rules(r).next().is_none())
        .collect();
    let mut rule_ok = continuation_rules(f, covered);
    loop {
        let mut changed = false;
        for (i, rule) in f.steps.iter().enumerate() {
            if !rule_ok[i] {
                let ok = rule.steps.iter().all(|s| {
                    distinct_therapies(f, &s.set, |d| reach[d.0 as usize]) >= s.count as usize
                });
                if ok {
                    rule_ok[i] = true;
                    changed = true;
                }
            }
        }
        for (i, r) in f.resolved.iter().enumerate() {
            if !reach[i] && covered[i] && step_rules(r).all(|s| rule_ok[s.0 as usize]) {
                reach[i] = true;
                changed = true;
            }
        }
        if !changed {
            return reach;
        }
    }
}

/// Rules that only the drugs they govern can satisfy ("tried any 1 of
/// itself"): a continuation rule, met by a patient already on the drug and
/// by nobody else, which is its intent (e.g. a step therapy requirement whose
/// prerequisites are not published, imported from a CMS formulary file).
/// A continuing patient can have the drug, so it counts as reachable rather
/// than as a rule that needs itself.
fn continuation_rules(f: &Formulary, covered: &[bool]) -> Vec<bool> {
    let mut governed: Vec<FxHashSet<DrugId>> = vec![FxHashSet::default(); f.steps.len()];
    for (i, r) in f.resolved.iter().enumerate() {
        if covered[i] {
            for s in step_rules(r) {
                governed[s.0 as usize].insert(DrugId(i as u32));
            }
        }
    }
    f.steps
        .iter()
        .zip(&governed)
        .map(|(rule, own)| {
            !rule.steps.is_empty()
                && rule
                    .steps
                    .iter()
                    .all(|s| !s.set.is_empty() && s.set.iter().all(|d| own.contains(d)))
        })
        .collect()
}

fn step_problems(f: &Formulary, covered: &[bool], reach: &[bool], diags: &mut Vec<Diag>) {
    // Rules actually used by a covered drug.
    let mut used: FxHashSet<StepId> = FxHashSet::default();
    for (i, r) in f.resolved.iter().enumerate() {
        if covered[i] {
            used.extend(step_rules(r));
        }
    }
    let mut blocked: DiGraphMap<u32, ()> = DiGraphMap::new();
    let mut ids: Vec<StepId> = used.into_iter().collect();
    ids.sort_unstable();
    for sid in ids {
        let rule = &f.steps[sid.0 as usize];
        for (n, step) in rule.steps.iter().enumerate() {
            let need = step.count as usize;
            if distinct_therapies(f, &step.set, |d| reach[d.0 as usize]) >= need {
                continue;
            }
            let available = distinct_therapies(f, &step.set, |d| covered[d.0 as usize]);
            if available < need {
                diags.push(Diag::at(
                    step.span,
                    Error::StepUnsatisfiable {
                        rule: rule.name.clone(),
                        step: n + 1,
                        reason: format!(
                            "it needs {need} distinct drug(s) but only {available} of the listed drugs are covered (the rest are excluded, non-formulary or have no tier)"
                        ),
                        at: step.span.source_span(),
                    },
                ));
                continue;
            }
            // Enough are covered, but they are gated: record which rules gate them.
            blocked.add_node(sid.0);
            for d in &step.set {
                if covered[d.0 as usize] && !reach[d.0 as usize] {
                    for other in step_rules(f.resolved(*d)) {
                        blocked.add_edge(sid.0, other.0, ());
                    }
                }
            }
        }
    }
    let mut reported: FxHashSet<u32> = FxHashSet::default();
    for scc in tarjan_scc(&blocked) {
        let cyclic = scc.len() > 1 || scc.first().is_some_and(|n| blocked.contains_edge(*n, *n));
        if !cyclic {
            continue;
        }
        let mut members = scc.clone();
        members.sort_unstable();
        let first = members[0];
        let path = cycle_path(&blocked, first, &members);
        let names: Vec<&str> = path
            .iter()
            .map(|i| f.steps[*i as usize].name.as_str())
            .collect();
        let rule = &f.steps[first as usize];
        reported.extend(members.iter().copied());
        diags.push(Diag::at(
            rule.span,
            Error::StepCycle {
                cycle: names.join(" → "),
                at: rule.span.source_span(),
            },
        ));
    }
    // Rules blocked only by a cycle elsewhere are reported through that cycle.
    let _ = reported;
}

/// A path from `start` back to itself inside the strongly connected `members`.
fn cycle_path(g: &DiGraphMap<u32, ()>, start: u32, members: &[u32]) -> Vec<u32> {
    // Breadth-first search for the shortest way back to start.
    let mut prev: rustc_hash::FxHashMap<u32, u32> = Default::default();
    let mut queue = std::collections::VecDeque::from([start]);
    while let Some(n) = queue.pop_front() {
        let mut next: Vec<u32> = g.neighbors(n).filter(|m| members.contains(m)).collect();
        next.sort_unstable();
        for m in next {
            if m == start {
                let mut path = vec![start];
                let mut cur = n;
                while cur != start {
                    path.push(cur);
                    cur = prev[&cur];
                }
                path.push(start);
                let inner = path.len() - 1;
                path[1..inner].reverse();
                return path;
            }
            if let std::collections::hash_map::Entry::Vacant(e) = prev.entry(m) {
                e.insert(n);
                queue.push_back(m);
            }
        }
    }
    vec![start, start]
}

fn unused_rules(f: &Formulary, diags: &mut Vec<Diag>) {
    let mut pa_used = vec![false; f.pas.len()];
    let mut step_used = vec![false; f.steps.len()];
    let clauses = f
        .drugs
        .iter()
        .flat_map(|d| &d.clauses)
        .chain(f.classes.iter().flat_map(|c| &c.clauses));
    for c in clauses {
        match c.kind {
            ClauseKind::Pa(p) => pa_used[p.0 as usize] = true,
            ClauseKind::Step(s) => step_used[s.0 as usize] = true,
            _ => {}
        }
    }
    for (i, p) in f.pas.iter().enumerate() {
        if !pa_used[i] {
            diags.push(Diag::at(
                p.span,
                Error::UnusedRule {
                    kind: "prior authorization",
                    keyword: "pa",
                    name: p.name.clone(),
                    at: p.span.source_span(),
                },
            ));
        }
    }
    for (i, s) in f.steps.iter().enumerate() {
        if !step_used[i] {
            diags.push(Diag::at(
                s.span,
                Error::UnusedRule {
                    kind: "step therapy",
                    keyword: "step",
                    name: s.name.clone(),
                    at: s.span.source_span(),
                },
            ));
        }
    }
}

fn no_tier(f: &Formulary, diags: &mut Vec<Diag>) {
    for (i, d) in f.drugs.iter().enumerate() {
        let r = &f.resolved[i];
        // A package or product inherits; only report drugs with nothing at any level.
        if r.status.is_empty() {
            diags.push(Diag::at(
                d.span,
                Error::NoTier {
                    what: d.kind.as_str(),
                    name: d.name.clone(),
                    at: d.span.source_span(),
                },
            ));
        }
    }
}

/// W0301: a class whose members offer nothing preferred and unrestricted.
/// A subclass is fine when an enclosing class has such an option (a PCSK9
/// subclass under lipids with preferred statins), so only classes with no
/// option in themselves or any ancestor are reported.
fn no_preferred_option(f: &Formulary, diags: &mut Vec<Diag>) {
    let preferred = f.preferred_tiers();
    let tiers_text = preferred
        .iter()
        .map(|t| format!("tier {t}"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut has_option = vec![false; f.classes.len()];
    let mut non_empty = vec![false; f.classes.len()];
    for (ci, slot) in has_option.iter_mut().enumerate() {
        let mut all = FxHashSet::default();
        collect_members(f, ClassId(ci as u32), &mut all);
        non_empty[ci] = !all.is_empty();
        *slot = all.iter().any(|d| {
            let r = f.resolved(*d);
            let first = r.status.iter().find(|s| s.clause.period.is_always() || matches!(s.clause.kind, ClauseKind::Tier(_)));
            let preferred_tier = matches!(first.map(|s| &s.clause.kind), Some(ClauseKind::Tier(t)) if preferred.contains(t));
            let unrestricted = !r
                .edits
                .iter()
                .any(|e| matches!(e.clause.kind, ClauseKind::Pa(_) | ClauseKind::Step(_)));
            preferred_tier && unrestricted
        });
    }
    for (ci, c) in f.classes.iter().enumerate() {
        let mut chain = Some(ClassId(ci as u32));
        let mut covered = false;
        while let Some(id) = chain {
            covered |= has_option[id.0 as usize];
            chain = f.class(id).parent;
        }
        if non_empty[ci] && !covered {
            diags.push(Diag::at(
                c.span,
                Error::NoPreferredOption {
                    name: c.name.clone(),
                    tiers: tiers_text.clone(),
                    at: c.span.source_span(),
                },
            ));
        }
    }
}

fn collect_members(f: &Formulary, c: ClassId, out: &mut FxHashSet<DrugId>) {
    let class = f.class(c);
    out.extend(class.members.iter().copied());
    for ch in &class.children {
        collect_members(f, *ch, out);
    }
}

fn approvals_that_never_apply(f: &Formulary, diags: &mut Vec<Diag>) {
    let mut seen: FxHashSet<(u32, usize)> = FxHashSet::default();
    for (i, r) in f.resolved.iter().enumerate() {
        let mut age: (Option<u32>, Option<u32>) = (None, None);
        let mut sex = None;
        for e in &r.edits {
            match e.clause.kind {
                ClauseKind::Age { min, max } => age = (min, max),
                ClauseKind::Sex(s) => sex = Some(s),
                _ => {}
            }
        }
        for e in &r.edits {
            let ClauseKind::Pa(pid) = e.clause.kind else {
                continue;
            };
            let rule = &f.pas[pid.0 as usize];
            for (ai, conds) in rule.approvals.iter().enumerate() {
                let reason = conds.iter().find_map(|c| match *c {
                    Condition::Age { min, max } => {
                        let lo = min.unwrap_or(0).max(age.0.unwrap_or(0));
                        let hi = max.unwrap_or(u32::MAX).min(age.1.unwrap_or(u32::MAX));
                        (lo > hi).then(|| {
                            "its age range and the drug's age limit do not overlap".to_string()
                        })
                    }
                    Condition::Sex(s) => (sex.is_some_and(|d| d != s)).then(|| {
                        format!(
                            "it requires sex {} but the drug is limited to the other",
                            s.as_str()
                        )
                    }),
                    Condition::Diagnosis(_) => None,
                });
                if let Some(reason) = reason {
                    if seen.insert((pid.0, ai)) {
                        let at = rule.approval_spans[ai];
                        diags.push(Diag::at(
                            at,
                            Error::ApprovalNeverApplies {
                                rule: rule.name.clone(),
                                drug: f.drugs[i].name.clone(),
                                reason,
                                at: at.source_span(),
                            },
                        ));
                    }
                }
            }
        }
    }
}
