//! A canonical text dump of what a compiled formulary means: the header,
//! tiers, policies, classes, every drug with its resolved coverage and
//! edits, and the rules. Source positions are left out, so two formularies
//! that differ only in layout dump alike; the formatter's tests compare
//! dumps before and after formatting.

use crate::codes::Ndc;
use crate::compile::model::*;
use std::fmt::Write as _;

/// The meaning of a compiled formulary as text, one fact per line.
///
/// Edits of one level are listed sorted: every edit in force is evaluated,
/// so their written order only orders the reject codes of a claim that
/// fails several of them.
pub fn semantic_dump(f: &Formulary) -> String {
    let mut s = String::new();
    // Writing to a String cannot fail.
    let _ = dump(f, &mut s);
    s
}

fn dump(f: &Formulary, s: &mut String) -> std::fmt::Result {
    writeln!(
        s,
        "formulary {:?} id {} version {} effective {}",
        f.name, f.id, f.version, f.effective
    )?;
    for t in &f.tiers {
        writeln!(
            s,
            "tier {} {:?} {} mail={:?} extended={:?} preferred={} specialty={}",
            t.number,
            t.label,
            t.share,
            t.mail.map(|m| m.to_string()),
            t.extended.map(|(d, m)| format!("{d} days {m}")),
            t.preferred,
            t.specialty
        )?;
    }
    if let Some(r) = &f.refill {
        writeln!(s, "refill {}", r.bp)?;
    }
    if let Some(t) = &f.transition {
        writeln!(s, "transition {} {}", t.window_days, t.supply_days)?;
    }
    benefit(f, s)?;
    writeln!(
        s,
        "prices {:?} catalogs {:?}",
        f.price_files, f.catalog_files
    )?;
    for c in &f.classes {
        writeln!(
            s,
            "class {} {:?} parent={:?}",
            c.name,
            c.label,
            c.parent.map(|p| &f.class(p).name)
        )?;
        for cl in &c.clauses {
            writeln!(s, "  {}", clause(f, cl))?;
        }
        writeln!(s, "  members {:?}", names(f, &c.members))?;
    }
    for (i, d) in f.drugs.iter().enumerate() {
        drug(f, DrugId(i as u32), d, s)?;
    }
    for p in &f.pas {
        writeln!(
            s,
            "pa {} {:?} approvals={:?} criteria={:?} duration={:?} period={}",
            p.name, p.label, p.approvals, p.criteria, p.duration_days, p.period
        )?;
    }
    for r in &f.steps {
        writeln!(
            s,
            "step {} {:?} unless={:?} new_starts_only={} period={}",
            r.name,
            r.label,
            r.unless.iter().map(|u| &u.written).collect::<Vec<_>>(),
            r.new_starts_only,
            r.period
        )?;
        for st in &r.steps {
            let mut set = names(f, &st.set.iter().copied().collect::<Vec<_>>());
            set.sort();
            writeln!(
                s,
                "  any {} of {:?} for {} within {} = {:?}",
                st.count, st.set_names, st.min_days, st.within_days, set
            )?;
        }
    }
    Ok(())
}

fn drug(f: &Formulary, id: DrugId, d: &Drug, s: &mut String) -> std::fmt::Result {
    let mut ndcs: Vec<String> = d.ndcs.iter().map(|n| n.to_string()).collect();
    ndcs.sort();
    // A package without a label shows its NDC as written; compare the code.
    let label = match Ndc::parse(&d.label) {
        Ok(n) if d.kind == crate::ast::DrugKind::Package => n.to_string(),
        _ => d.label.clone(),
    };
    writeln!(
        s,
        "drug {} {} {:?} rxcui={:?} ndcs={:?} ingredients={:?} product={:?} brand_of={:?} class={:?} also_in={:?} alternatives={:?}",
        d.kind.as_str(),
        d.name,
        label,
        d.rxcui,
        ndcs,
        names(f, &d.ingredients),
        d.product.map(|p| &f.drug(p).name),
        d.brand_of.map(|p| &f.drug(p).name),
        d.class.map(|c| &f.class(c).name),
        d.also_in.iter().map(|c| &f.class(*c).name).collect::<Vec<_>>(),
        names(f, &d.alternatives),
    )?;
    let r = f.resolved(id);
    for st in &r.status {
        writeln!(
            s,
            "  status {} [{}]",
            clause(f, &st.clause),
            f.level(st.level)
        )?;
    }
    let mut edits: Vec<(String, String)> = r
        .edits
        .iter()
        .map(|e| (f.level(e.level).to_string(), clause(f, &e.clause)))
        .collect();
    // Keep levels in order, sort within a level.
    let mut start = 0;
    while start < edits.len() {
        let level = edits[start].0.clone();
        let end = edits[start..]
            .iter()
            .position(|e| e.0 != level)
            .map(|p| start + p)
            .unwrap_or(edits.len());
        edits[start..end].sort();
        start = end;
    }
    for (level, e) in &edits {
        writeln!(s, "  edit {e} [{level}]")?;
    }
    writeln!(
        s,
        "  therapy={} product={:?} classes={:?}",
        f.drug(r.therapy).name,
        r.product.map(|p| &f.drug(p).name),
        r.classes
            .iter()
            .map(|c| &f.class(*c).name)
            .collect::<Vec<_>>()
    )?;
    let cands: Vec<String> = r
        .candidates
        .iter()
        .map(|c| format!("{}:{:?}", f.drug(c.drug).name, c.relation))
        .collect();
    writeln!(s, "  candidates {cands:?}")
}

fn names<'f>(f: &'f Formulary, ids: &[DrugId]) -> Vec<&'f str> {
    ids.iter().map(|i| f.drug(*i).name.as_str()).collect()
}

/// A clause without its origin, rule ids replaced by names.
fn clause(f: &Formulary, c: &RuleClause) -> String {
    let what = match &c.kind {
        ClauseKind::Tier(n) => format!("tier {n}"),
        ClauseKind::Excluded(r) => format!("excluded {r:?}"),
        ClauseKind::NonFormulary => "non-formulary".to_string(),
        ClauseKind::Pa(p) => format!("pa {}", f.pas[p.0 as usize].name),
        ClauseKind::Step(p) => format!("step {}", f.steps[p.0 as usize].name),
        ClauseKind::Limit(l) => format!("limit {l:?}"),
        ClauseKind::Age { min, max } => format!("age {min:?}..{max:?}"),
        ClauseKind::Sex(x) => format!("sex {}", x.as_str()),
    };
    format!("{what} ({})", c.period)
}

/// The plan type, the design and the drugs it names, by name.
fn benefit(f: &Formulary, s: &mut String) -> std::fmt::Result {
    let b = &f.benefit;
    writeln!(s, "plan {}", b.plan)?;
    let Some(d) = &b.design else {
        return Ok(());
    };
    writeln!(s, "benefit {d:?}")?;
    let set = |set: &crate::compile::benefit::DrugSet| {
        let mut drugs: Vec<&str> = set.drugs.iter().map(|i| f.drug(*i).name.as_str()).collect();
        let mut classes: Vec<&str> = set
            .classes
            .iter()
            .map(|c| f.class(*c).name.as_str())
            .collect();
        drugs.sort_unstable();
        classes.sort_unstable();
        format!("drugs={drugs:?} classes={classes:?}")
    };
    writeln!(s, "  exempt {}", set(&b.exempt))?;
    writeln!(s, "  insulin {}", set(&b.insulin))?;
    writeln!(s, "  vaccines {}", set(&b.vaccines))?;
    for p in &b.preventive {
        writeln!(
            s,
            "  preventive {} age={:?}..{:?} sex={:?}",
            set(&p.set),
            p.min_age,
            p.max_age,
            p.sex
        )?;
    }
    Ok(())
}
