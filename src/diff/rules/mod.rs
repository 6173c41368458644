//! What changed in the rules between two compiled formularies: the header
//! and policies, tiers, prior authorization and step therapy rules, class
//! clauses, and every drug's resolved coverage and edits.
//!
//! Drugs are compared by name (a package's name is its NDC), and drugs left
//! unmatched on both sides by RxCUI, which reports a rename. Each drug is
//! compared as resolved through its product, ingredients and classes, so a
//! class-level change shows on every member (with the level it comes from)
//! and once at the class.

use crate::compile::model::*;
use std::collections::{BTreeMap, BTreeSet};

mod types;
mod wording;

pub use types::*;
use wording::*;

/// Compares two formularies.
pub fn diff_rules(old: &Formulary, new: &Formulary) -> RuleDiff {
    RuleDiff {
        old: version(old),
        new: version(new),
        formulary: header(old, new),
        tiers: tiers(old, new),
        rules: rules(old, new),
        classes: classes(old, new),
        drugs: drugs(old, new),
    }
}

fn version(f: &Formulary) -> Version {
    Version {
        id: f.id.clone(),
        version: f.version.clone(),
        hash: f.hash.clone(),
    }
}

/// Adds a `Changed` when the two texts differ; `None` means absent.
fn compare(out: &mut Vec<Change>, what: &str, old: Option<String>, new: Option<String>) {
    if old == new {
        return;
    }
    let kind = match (&old, &new) {
        (None, Some(_)) => ChangeKind::Added,
        (Some(_), None) => ChangeKind::Removed,
        _ => ChangeKind::Changed,
    };
    out.push(Change::new(kind, what, old, new));
}

fn header(o: &Formulary, n: &Formulary) -> Vec<Change> {
    let mut out = Vec::new();
    compare(&mut out, "name", Some(o.name.clone()), Some(n.name.clone()));
    compare(&mut out, "id", Some(o.id.clone()), Some(n.id.clone()));
    compare(
        &mut out,
        "version",
        Some(o.version.clone()),
        Some(n.version.clone()),
    );
    let eff = |f: &Formulary| Some(f.effective.to_string());
    compare(&mut out, "effective", eff(o), eff(n));
    let refill = |f: &Formulary| {
        f.refill
            .as_ref()
            .map(|r| format!("{}% used", format_bp(r.bp)))
    };
    compare(&mut out, "refill too soon", refill(o), refill(n));
    let transition = |f: &Formulary| {
        f.transition.as_ref().map(|t| {
            format!(
                "within {} days of enrollment, up to {} days supply",
                t.window_days, t.supply_days
            )
        })
    };
    compare(&mut out, "transition fill", transition(o), transition(n));
    let prices = |f: &Formulary| Some(f.price_files.join(", ")).filter(|s| !s.is_empty());
    compare(&mut out, "prices", prices(o), prices(n));
    out
}

fn tiers(o: &Formulary, n: &Formulary) -> Vec<Change> {
    let numbers: BTreeSet<u32> = o.tiers.iter().chain(&n.tiers).map(|t| t.number).collect();
    let mut out = Vec::new();
    for num in numbers {
        let text = |f: &Formulary| f.tier(num).map(tier_text);
        compare(&mut out, &format!("tier {num}"), text(o), text(n));
    }
    out
}

/// The names of `a`, then those of `b` not in `a`.
fn union<'a>(a: impl Iterator<Item = &'a str>, b: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut out: Vec<&str> = a.collect();
    let seen: BTreeSet<&str> = out.iter().copied().collect();
    out.extend(b.filter(|x| !seen.contains(x)));
    out
}

fn rules(o: &Formulary, n: &Formulary) -> Vec<Change> {
    let mut out = Vec::new();
    let pa = |f: &Formulary, name: &str| f.pas.iter().find(|p| p.name == name).map(pa_text);
    let names = union(
        n.pas.iter().map(|p| p.name.as_str()),
        o.pas.iter().map(|p| p.name.as_str()),
    );
    for name in names {
        let what = format!("prior authorization {name}");
        compare(&mut out, &what, pa(o, name), pa(n, name));
    }
    let st = |f: &Formulary, name: &str| f.steps.iter().find(|p| p.name == name).map(step_text);
    let names = union(
        n.steps.iter().map(|p| p.name.as_str()),
        o.steps.iter().map(|p| p.name.as_str()),
    );
    for name in names {
        let what = format!("step therapy {name}");
        compare(&mut out, &what, st(o, name), st(n, name));
    }
    out
}

/// Which edits are "the same edit" across versions: a rule by name, a limit
/// by its kind, age and sex.
fn edit_key(f: &Formulary, k: &ClauseKind) -> String {
    match k {
        ClauseKind::Pa(p) => format!("pa {}", f.pas[p.0 as usize].name),
        ClauseKind::Step(s) => format!("step {}", f.steps[s.0 as usize].name),
        ClauseKind::Limit(Limit::Quantity { .. }) => "quantity limit".into(),
        ClauseKind::Limit(Limit::Daily(_)) => "daily limit".into(),
        ClauseKind::Limit(Limit::Supply(_)) => "days supply limit".into(),
        ClauseKind::Limit(Limit::Fills { .. }) => "fill limit".into(),
        ClauseKind::Age { .. } => "age".into(),
        ClauseKind::Sex(_) => "sex".into(),
        _ => "coverage".into(),
    }
}

fn classes(o: &Formulary, n: &Formulary) -> Vec<ClassDiff> {
    let members =
        |f: &Formulary, c: ClassId| f.resolved.iter().filter(|r| r.classes.contains(&c)).count();
    let clauses = |f: &Formulary, c: &Class| -> BTreeSet<String> {
        c.clauses.iter().map(|cl| clause_text(f, cl)).collect()
    };
    let mut out = Vec::new();
    for (i, nc) in n.classes.iter().enumerate() {
        let mut changes = Vec::new();
        match o.class_by_name(&nc.name).map(|id| o.class(id)) {
            None => changes.push(Change::new(
                ChangeKind::Added,
                "class",
                None,
                Some(nc.label.clone()),
            )),
            Some(oc) => {
                let (a, b) = (clauses(o, oc), clauses(n, nc));
                for x in a.difference(&b) {
                    changes.push(Change::new(
                        ChangeKind::Removed,
                        x.clone(),
                        Some(x.clone()),
                        None,
                    ));
                }
                for x in b.difference(&a) {
                    changes.push(Change::new(
                        ChangeKind::Added,
                        x.clone(),
                        None,
                        Some(x.clone()),
                    ));
                }
                let parent = |f: &Formulary, c: &Class| c.parent.map(|p| f.class(p).name.clone());
                compare(&mut changes, "inside class", parent(o, oc), parent(n, nc));
                compare(
                    &mut changes,
                    "label",
                    Some(oc.label.clone()),
                    Some(nc.label.clone()),
                );
            }
        }
        if !changes.is_empty() {
            out.push(ClassDiff {
                name: nc.name.clone(),
                members: members(n, ClassId(i as u32)),
                changes,
            });
        }
    }
    for (i, oc) in o.classes.iter().enumerate() {
        if n.class_by_name(&oc.name).is_none() {
            out.push(ClassDiff {
                name: oc.name.clone(),
                members: members(o, ClassId(i as u32)),
                changes: vec![Change::new(
                    ChangeKind::Removed,
                    "class",
                    Some(oc.label.clone()),
                    None,
                )],
            });
        }
    }
    out
}

/// A drug's coverage as resolved: the status clauses that can decide it
/// (up to the first one always in force), with the level of the first.
fn coverage(f: &Formulary, r: &Resolved) -> (Vec<String>, Option<String>) {
    let mut out = Vec::new();
    for s in &r.status {
        out.push(clause_text(f, &s.clause));
        if s.clause.period.is_always() {
            break;
        }
    }
    if out.is_empty() {
        out.push("no tier".into());
    }
    (out, r.status.first().map(|s| f.level(s.level).to_string()))
}

/// A drug's edits, by key: each edit's text and level.
fn edits(f: &Formulary, r: &Resolved) -> BTreeMap<String, Vec<(String, String)>> {
    let mut out: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for e in &r.edits {
        out.entry(edit_key(f, &e.clause.kind))
            .or_default()
            .push((clause_text(f, &e.clause), f.level(e.level).to_string()));
    }
    for v in out.values_mut() {
        v.sort();
    }
    out
}

/// The level when it is inherited, not the drug's own.
fn inherited(d: &Drug, level: &str) -> Option<String> {
    (level != d.kind.as_str()).then(|| level.to_string())
}

fn class_of(f: &Formulary, d: &Drug) -> String {
    d.class
        .map(|c| f.class(c).name.clone())
        .unwrap_or_else(|| "(no class)".into())
}

fn drugs(o: &Formulary, n: &Formulary) -> Vec<DrugDiff> {
    // Pair by name, then the leftovers by RxCUI.
    let mut pairs: Vec<(Option<DrugId>, Option<DrugId>)> = Vec::new();
    let mut matched_old = vec![false; o.drugs.len()];
    let mut unmatched_new = Vec::new();
    for (i, d) in n.drugs.iter().enumerate() {
        match o.drug_by_name(&d.name) {
            Some(od) => {
                matched_old[od.0 as usize] = true;
                pairs.push((Some(od), Some(DrugId(i as u32))));
            }
            None => unmatched_new.push(DrugId(i as u32)),
        }
    }
    for nid in unmatched_new {
        let by_rx = n.drug(nid).rxcui.and_then(|rx| o.drug_by_rxcui(rx));
        match by_rx.filter(|od| !matched_old[od.0 as usize]) {
            Some(od) => {
                matched_old[od.0 as usize] = true;
                pairs.push((Some(od), Some(nid)));
            }
            None => pairs.push((None, Some(nid))),
        }
    }
    for (i, m) in matched_old.iter().enumerate() {
        if !m {
            pairs.push((Some(DrugId(i as u32)), None));
        }
    }
    let mut out: Vec<DrugDiff> = pairs.into_iter().filter_map(|p| drug(o, n, p)).collect();
    // Group by class in the new version's class order, drugs in source order within.
    let class_rank = |name: &str| {
        n.class_by_name(name)
            .map(|c| c.0 as usize)
            .or_else(|| {
                o.class_by_name(name)
                    .map(|c| n.classes.len() + c.0 as usize)
            })
            .unwrap_or(usize::MAX)
    };
    let position = |d: &DrugDiff| match d.status {
        DrugStatus::Removed => {
            n.drugs.len() + o.drug_by_name(&d.name).map(|x| x.0 as usize).unwrap_or(0)
        }
        _ => n.drug_by_name(&d.name).map(|x| x.0 as usize).unwrap_or(0),
    };
    out.sort_by_key(|d| (class_rank(&d.class), position(d)));
    out
}

fn drug(o: &Formulary, n: &Formulary, pair: (Option<DrugId>, Option<DrugId>)) -> Option<DrugDiff> {
    let listing = |f: &Formulary, id: DrugId, kind: ChangeKind| -> Vec<Change> {
        let d = f.drug(id);
        let r = f.resolved(id);
        let (cov, level) = coverage(f, r);
        let mut v = vec![Change {
            from: level.and_then(|l| inherited(d, &l)),
            ..Change::new(kind, "coverage", None, None)
        }];
        let text = Some(cov.join(", "));
        if kind == ChangeKind::Added {
            v[0].new = text;
        } else {
            v[0].old = text;
        }
        for (key, list) in edits(f, r) {
            for (t, level) in list {
                let mut c = Change::new(kind, key.clone(), None, None);
                if kind == ChangeKind::Added {
                    c.new = Some(t);
                } else {
                    c.old = Some(t);
                }
                c.from = inherited(d, &level);
                v.push(c);
            }
        }
        v
    };
    let head = |f: &Formulary, id: DrugId, status, changes| {
        let d = f.drug(id);
        DrugDiff {
            name: d.name.clone(),
            kind: d.kind.as_str(),
            label: d.label.clone(),
            class: class_of(f, d),
            status,
            renamed_from: None,
            changes,
        }
    };
    match pair {
        (None, Some(nid)) => Some(head(
            n,
            nid,
            DrugStatus::Added,
            listing(n, nid, ChangeKind::Added),
        )),
        (Some(oid), None) => Some(head(
            o,
            oid,
            DrugStatus::Removed,
            listing(o, oid, ChangeKind::Removed),
        )),
        (Some(oid), Some(nid)) => {
            let changes = drug_changes(o, oid, n, nid);
            if changes.is_empty() {
                return None;
            }
            let mut dd = head(n, nid, DrugStatus::Changed, changes);
            let old_name = &o.drug(oid).name;
            if *old_name != dd.name {
                dd.renamed_from = Some(old_name.clone());
            }
            Some(dd)
        }
        (None, None) => None,
    }
}

/// Changes of a drug present in both versions.
fn drug_changes(o: &Formulary, oid: DrugId, n: &Formulary, nid: DrugId) -> Vec<Change> {
    let (od, nd) = (o.drug(oid), n.drug(nid));
    let (or, nr) = (o.resolved(oid), n.resolved(nid));
    let mut out = Vec::new();

    let (oc, _) = coverage(o, or);
    let (nc, nlevel) = coverage(n, nr);
    if oc != nc {
        let single_tier = |c: &[String]| match c {
            [one] => one
                .strip_prefix("tier ")
                .and_then(|t| t.parse::<u32>().ok()),
            _ => None,
        };
        let kind = match (single_tier(&oc), single_tier(&nc)) {
            (Some(a), Some(b)) if b > a => ChangeKind::TierUp,
            (Some(a), Some(b)) if b < a => ChangeKind::TierDown,
            _ => ChangeKind::Coverage,
        };
        let mut c = Change::new(kind, "coverage", Some(oc.join(", ")), Some(nc.join(", ")));
        c.from = nlevel.and_then(|l| inherited(nd, &l));
        out.push(c);
    }

    let (oe, ne) = (edits(o, or), edits(n, nr));
    let keys: BTreeSet<&String> = oe.keys().chain(ne.keys()).collect();
    for key in keys {
        let texts = |m: &BTreeMap<String, Vec<(String, String)>>| {
            m.get(key).map(|v| {
                v.iter()
                    .map(|(t, _)| t.clone())
                    .collect::<Vec<_>>()
                    .join("; ")
            })
        };
        let level = |m: &BTreeMap<String, Vec<(String, String)>>, d: &Drug| {
            m.get(key)
                .and_then(|v| v.first())
                .and_then(|(_, l)| inherited(d, l))
        };
        let (a, b) = (texts(&oe), texts(&ne));
        let rule_changed = rule_definition_changed(o, n, key);
        let kind = match (&a, &b) {
            (None, Some(_)) => ChangeKind::EditAdded,
            (Some(_), None) => ChangeKind::EditRemoved,
            (Some(x), Some(y)) if x != y || rule_changed.is_some() => ChangeKind::EditChanged,
            _ => continue,
        };
        let mut c = match (kind, rule_changed) {
            // Same clause, different rule: show the rule's terms.
            (ChangeKind::EditChanged, Some((x, y))) if a == b => {
                Change::new(kind, key.clone(), Some(x), Some(y))
            }
            _ => Change::new(kind, key.clone(), a, b),
        };
        c.from = level(&ne, nd).or_else(|| level(&oe, od));
        out.push(c);
    }

    identity(o, od, n, nd, &mut out);
    out
}

/// The old and new terms of a PA or step rule named by an edit key, when they differ.
fn rule_definition_changed(o: &Formulary, n: &Formulary, key: &str) -> Option<(String, String)> {
    if let Some(name) = key.strip_prefix("pa ") {
        let t = |f: &Formulary| f.pas.iter().find(|p| p.name == name).map(pa_text);
        let (a, b) = (t(o)?, t(n)?);
        return (a != b).then_some((a, b));
    }
    if let Some(name) = key.strip_prefix("step ") {
        let t = |f: &Formulary| f.steps.iter().find(|p| p.name == name).map(step_text);
        let (a, b) = (t(o)?, t(n)?);
        return (a != b).then_some((a, b));
    }
    None
}

fn identity(o: &Formulary, od: &Drug, n: &Formulary, nd: &Drug, out: &mut Vec<Change>) {
    let mut push = |what: &str, a: Option<String>, b: Option<String>| {
        if a != b {
            out.push(Change::new(ChangeKind::Identity, what, a, b));
        }
    };
    let list = |v: Vec<String>| Some(v.join(", ")).filter(|s| !s.is_empty());
    let names =
        |f: &Formulary, ids: &[DrugId]| list(ids.iter().map(|i| f.drug(*i).name.clone()).collect());
    let classes = |f: &Formulary, ids: &[ClassId]| {
        list(ids.iter().map(|i| f.class(*i).name.clone()).collect())
    };
    let ndcs = |d: &Drug| {
        let mut v: Vec<String> = d.ndcs.iter().map(|x| x.dashed()).collect();
        v.sort();
        list(v)
    };
    push("label", Some(od.label.clone()), Some(nd.label.clone()));
    push(
        "rxcui",
        od.rxcui.map(|r| r.to_string()),
        nd.rxcui.map(|r| r.to_string()),
    );
    push("ndc", ndcs(od), ndcs(nd));
    push(
        "ingredients",
        names(o, &od.ingredients),
        names(n, &nd.ingredients),
    );
    push(
        "product",
        od.product.map(|p| o.drug(p).name.clone()),
        nd.product.map(|p| n.drug(p).name.clone()),
    );
    push(
        "brand of",
        od.brand_of.map(|p| o.drug(p).name.clone()),
        nd.brand_of.map(|p| n.drug(p).name.clone()),
    );
    push("class", Some(class_of(o, od)), Some(class_of(n, nd)));
    push("also in", classes(o, &od.also_in), classes(n, &nd.also_in));
    push(
        "alternatives",
        names(o, &od.alternatives),
        names(n, &nd.alternatives),
    );
}
