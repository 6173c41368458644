//! Report stage: every rule that applies to one drug, in words, and where it
//! is written. Levels are read as the checker reads them (package → product
//! → ingredients → classes, innermost first): the most specific status in
//! force wins, and every edit in force applies.

use super::status::{changes_after, state_at, Coverage};
use crate::ast::DrugKind;
use crate::compile::model::{ClauseKind, DrugId, Formulary, PaId, RuleClause, StepId};
use crate::words::{
    age_words, conditions_text, display_name, join_or, limit_sentence, limit_text, sex_words,
    step_sentence, Phrasing,
};
use chrono::NaiveDate;
use std::fmt::Write;

/// Looks a drug up by name, NDC, RxCUI or label (any case). The error says
/// what was not found and suggests the closest name.
pub fn find_drug(f: &Formulary, query: &str) -> Result<DrugId, String> {
    let q = query.trim();
    if let Some(d) = f.drug_by_name(q) {
        return Ok(d);
    }
    if q.contains('-') || q.len() == 11 {
        if let Some(d) = crate::codes::Ndc::parse(q)
            .ok()
            .and_then(|n| f.drug_by_ndc(&n))
        {
            return Ok(d);
        }
    }
    if let Some(d) = crate::codes::parse_rxcui(q)
        .ok()
        .and_then(|r| f.drug_by_rxcui(r))
    {
        return Ok(d);
    }
    let lower = q.to_lowercase();
    if let Some(i) = f
        .drugs
        .iter()
        .position(|d| d.name.to_lowercase() == lower || d.label.to_lowercase() == lower)
    {
        return Ok(DrugId(i as u32));
    }
    let hint = crate::diagnostics::did_you_mean(q, f.drugs.iter().map(|d| d.name.as_str()));
    let mut msg = format!(
        "no drug `{q}` in formulary {}: give a drug name, an NDC or an RxCUI",
        f.id
    );
    if !hint.is_empty() {
        msg.push_str("; ");
        msg.push_str(&hint);
    }
    Err(msg)
}

/// Explains what applies to drug `id` on `date` (any date when `None`:
/// nothing in the formulary is dated).
pub fn explain(f: &Formulary, id: DrugId, date: Option<NaiveDate>) -> String {
    let day = super::status::eval_date(date);
    let mut o = String::new();
    header(&mut o, f, id, date);
    let levels = levels(f, id);
    let winner = levels_section(&mut o, f, &levels, day);
    tier_section(&mut o, f, id, &levels, winner, date, day);
    let edits = &f.resolved(id).edits;
    let pas: Vec<(PaId, &RuleClause, &str)> = edits
        .iter()
        .filter_map(|e| match e.clause.kind {
            ClauseKind::Pa(p) => Some((p, &e.clause, f.level(e.level))),
            _ => None,
        })
        .collect();
    let steps: Vec<(StepId, &RuleClause, &str)> = edits
        .iter()
        .filter_map(|e| match e.clause.kind {
            ClauseKind::Step(s) => Some((s, &e.clause, f.level(e.level))),
            _ => None,
        })
        .collect();
    o.push_str("\nPrior authorization\n");
    if pas.is_empty() {
        o.push_str("  none\n");
    }
    for (p, clause, level) in pas {
        pa_words(&mut o, f, p, clause, level, day);
    }
    o.push_str("\nStep therapy\n");
    if steps.is_empty() {
        o.push_str("  none\n");
    }
    for (s, clause, level) in steps {
        step_words(&mut o, f, id, s, clause, level, day);
    }
    limits_section(&mut o, f, id, day);
    alternatives_section(&mut o, f, id, day);
    o
}

fn header(o: &mut String, f: &Formulary, id: DrugId, date: Option<NaiveDate>) {
    let d = f.drug(id);
    let _ = write!(o, "{} ({}", d.name, d.kind.as_str());
    if let Some(r) = d.rxcui {
        let _ = write!(o, ", RxCUI {r}");
    }
    if !d.ndcs.is_empty() {
        let ndcs: Vec<String> = d.ndcs.iter().map(|n| n.dashed()).collect();
        let _ = write!(o, ", NDC {}", ndcs.join(", "));
    }
    o.push_str(")\n");
    let _ = writeln!(o, "  printed as: {}", display_name(f, id));
    let _ = writeln!(o, "  defined at {}", d.origin);
    if let Some(g) = d.brand_of {
        let _ = writeln!(o, "  brand of {}", f.drug(g).name);
    }
    let r = f.resolved(id);
    if !r.classes.is_empty() {
        let cls: Vec<String> = r
            .classes
            .iter()
            .map(|c| format!("{} ({})", f.class(*c).name, f.class(*c).label))
            .collect();
        let _ = writeln!(o, "  classes: {}", cls.join(" < "));
    }
    let _ = write!(o, "  formulary {} version {}", f.id, f.version);
    if !f.effective.is_always() {
        let _ = write!(o, ", in effect {}", f.effective);
    }
    o.push('\n');
    match date {
        Some(d) => {
            let _ = writeln!(o, "  as of {d}");
        }
        None => o.push_str("  no rule is dated: everything written is in force\n"),
    }
}

/// A level: its name as the compiler reports it and its own clauses.
struct Level<'f> {
    name: String,
    clauses: &'f [RuleClause],
}

fn levels(f: &Formulary, id: DrugId) -> Vec<Level<'_>> {
    let d = f.drug(id);
    let r = f.resolved(id);
    let mut out = vec![Level {
        name: format!("{} {}", d.kind.as_str(), d.name),
        clauses: &d.clauses,
    }];
    if d.kind == DrugKind::Package {
        if let Some(p) = d.product {
            out.push(Level {
                name: format!("product {}", f.drug(p).name),
                clauses: &f.drug(p).clauses,
            });
        }
    }
    if d.kind != DrugKind::Ingredient {
        for i in &r.ingredients {
            out.push(Level {
                name: format!("ingredient {}", f.drug(*i).name),
                clauses: &f.drug(*i).clauses,
            });
        }
    }
    for c in &r.classes {
        out.push(Level {
            name: format!("class {} ({})", f.class(*c).name, f.class(*c).label),
            clauses: &f.class(*c).clauses,
        });
    }
    out
}

/// Lists each level's clauses; returns the level and clause of the winning status.
fn levels_section(
    o: &mut String,
    f: &Formulary,
    levels: &[Level],
    day: NaiveDate,
) -> Option<(usize, usize)> {
    o.push_str("\nRules by level, most specific first\n");
    let mut winner: Option<(usize, usize)> = None;
    let mut seen_rules: Vec<&ClauseKind> = Vec::new();
    for (li, level) in levels.iter().enumerate() {
        let _ = writeln!(o, "  {}", level.name);
        if level.clauses.is_empty() {
            o.push_str("    nothing written here\n");
        }
        for (ci, c) in level.clauses.iter().enumerate() {
            let mut note = in_force_words(f, c, day);
            if c.kind.is_status() && note == "in force" {
                match winner {
                    None => {
                        winner = Some((li, ci));
                        note.push_str(", wins: the most specific status in force");
                    }
                    Some((wl, _)) => {
                        note.push_str(&format!(", overridden by {}", levels[wl].name));
                    }
                }
            }
            if matches!(c.kind, ClauseKind::Pa(_) | ClauseKind::Step(_)) {
                if seen_rules.contains(&&c.kind) {
                    note.push_str(", already applies from a more specific level");
                }
                seen_rules.push(&c.kind);
            }
            let _ = writeln!(
                o,
                "    {:<34} {:<40} {note}",
                clause_words(f, &c.kind),
                c.origin.to_string()
            );
        }
    }
    winner
}

fn in_force_words(f: &Formulary, c: &RuleClause, day: NaiveDate) -> String {
    if !c.period.contains(day) {
        return format!("not in force on {day} (in force {})", c.period);
    }
    let rule_period = match c.kind {
        ClauseKind::Pa(p) => Some(f.pas[p.0 as usize].period),
        ClauseKind::Step(s) => Some(f.steps[s.0 as usize].period),
        _ => None,
    };
    match rule_period {
        Some(p) if !p.contains(day) => {
            format!("not in force on {day} (the rule is in effect {})", p)
        }
        _ => "in force".to_string(),
    }
}

fn clause_words(f: &Formulary, k: &ClauseKind) -> String {
    match k {
        ClauseKind::Tier(n) => format!("tier {n}"),
        ClauseKind::Excluded(r) => format!("excluded \"{r}\""),
        ClauseKind::NonFormulary => "non-formulary".to_string(),
        ClauseKind::Pa(p) => format!("prior authorization {}", f.pas[p.0 as usize].name),
        ClauseKind::Step(s) => format!("step therapy {}", f.steps[s.0 as usize].name),
        ClauseKind::Limit(l) => format!("quantity limit {}", limit_text(l)),
        ClauseKind::Age { min, max } => format!("age {}", age_words(*min, *max)),
        ClauseKind::Sex(s) => format!("sex {} only", sex_words(*s)),
    }
}

fn tier_section(
    o: &mut String,
    f: &Formulary,
    id: DrugId,
    levels: &[Level],
    winner: Option<(usize, usize)>,
    date: Option<NaiveDate>,
    day: NaiveDate,
) {
    o.push_str("\nCoverage\n");
    let on = date.map(|d| format!(" on {d}")).unwrap_or_default();
    match winner {
        Some((li, ci)) => {
            let c = &levels[li].clauses[ci];
            let what = match &c.kind {
                ClauseKind::Tier(n) => match f.tier(*n) {
                    Some(t) => format!("tier {n} \"{}\" ({})", t.label, t.share),
                    None => format!("tier {n}"),
                },
                ClauseKind::Excluded(r) => {
                    format!("excluded, not covered at all: {r} (claims reject with 70)")
                }
                _ => "non-formulary: covered only through a formulary exception (claims reject with MR)"
                    .to_string(),
            };
            let _ = writeln!(
                o,
                "  {what}\n  because {} is the most specific level with a status in force{on} ({})",
                levels[li].name, c.origin
            );
        }
        None => {
            let _ = writeln!(
                o,
                "  no status in force{on}: the drug has no tier and claims reject with MR"
            );
        }
    }
    for ch in changes_after(f, id, day) {
        let _ = writeln!(o, "  scheduled: from {}, {}", ch.date, ch.what);
    }
}

fn pa_words(
    o: &mut String,
    f: &Formulary,
    p: PaId,
    clause: &RuleClause,
    level: &str,
    day: NaiveDate,
) {
    let rule = &f.pas[p.0 as usize];
    let _ = writeln!(
        o,
        "  {} \"{}\" ({}), required by {} ({}): {}",
        rule.name,
        rule.label,
        rule.origin,
        level_words(level),
        clause.origin,
        in_force_words(f, clause, day)
    );
    if rule.approvals.is_empty() {
        o.push_str("    nothing on a claim approves it automatically: a reviewer decides\n");
    } else {
        o.push_str("    approved automatically when the claim shows\n");
        for a in &rule.approvals {
            let _ = writeln!(o, "      - {}", conditions_text(a, Phrasing::Sentence));
        }
    }
    if !rule.criteria.is_empty() {
        o.push_str("    criteria a reviewer checks\n");
        for c in &rule.criteria {
            let _ = writeln!(o, "      - {c}");
        }
    }
    if let Some(d) = rule.duration_days {
        let _ = writeln!(o, "    an approval lasts {d} days");
    }
    if !rule.period.is_always() {
        let _ = writeln!(o, "    the rule is in effect {}", rule.period);
    }
}

fn step_words(
    o: &mut String,
    f: &Formulary,
    id: DrugId,
    s: StepId,
    clause: &RuleClause,
    level: &str,
    day: NaiveDate,
) {
    let rule = &f.steps[s.0 as usize];
    let _ = writeln!(
        o,
        "  {} \"{}\" ({}), required by {} ({}): {}",
        rule.name,
        rule.label,
        rule.origin,
        level_words(level),
        clause.origin,
        in_force_words(f, clause, day)
    );
    for (k, step) in rule.steps.iter().enumerate() {
        let after = if k == 0 {
            String::new()
        } else {
            " (on or after the claims that met the step before)".to_string()
        };
        let _ = writeln!(
            o,
            "    step {}{after}: {} ({})",
            k + 1,
            step_sentence(f, step),
            step.origin
        );
    }
    if !rule.unless.is_empty() {
        let codes: Vec<String> = rule.unless.iter().map(|p| p.written.clone()).collect();
        let _ = writeln!(
            o,
            "    not required when the claim shows a diagnosis of {}",
            join_or(&codes)
        );
    }
    if rule.new_starts_only {
        let lookback = rule.new_starts_lookback_days();
        let _ = writeln!(
            o,
            "    new starts only: a patient with a claim for {} in the last {lookback} days continues without the steps",
            f.drug(f.resolved(id).therapy).name
        );
    }
    if !rule.period.is_always() {
        let _ = writeln!(o, "    the rule is in effect {}", rule.period);
    }
}

fn limits_section(o: &mut String, f: &Formulary, id: DrugId, day: NaiveDate) {
    o.push_str("\nQuantity, age and sex limits\n");
    let mut any = false;
    for e in &f.resolved(id).edits {
        let text = match &e.clause.kind {
            ClauseKind::Limit(l) => format!("QL {}: {}", limit_text(l), limit_sentence(l)),
            ClauseKind::Age { min, max } => format!(
                "age {}: claims for other ages reject with 60",
                age_words(*min, *max)
            ),
            ClauseKind::Sex(s) => format!(
                "{} patients only: claims for others reject with 61",
                sex_words(*s)
            ),
            _ => continue,
        };
        any = true;
        let _ = writeln!(
            o,
            "  {text}\n    from {} ({}): {}",
            level_words(f.level(e.level)),
            e.clause.origin,
            in_force_words(f, &e.clause, day)
        );
    }
    if !any {
        o.push_str("  none\n");
    }
}

fn alternatives_section(o: &mut String, f: &Formulary, id: DrugId, day: NaiveDate) {
    o.push_str("\nAlternatives a pharmacist may be offered, in the order considered\n");
    let cands = &f.resolved(id).candidates;
    if cands.is_empty() {
        o.push_str("  none\n");
        return;
    }
    for (i, c) in cands.iter().enumerate() {
        let state = state_at(f, c.drug, day);
        let why = crate::check::relation_words(c.relation);
        let mut status = state.coverage.to_string();
        for m in &state.marks {
            status.push_str(&format!(", {m}"));
        }
        let covered = matches!(state.coverage, Coverage::Tier(_));
        let _ = writeln!(
            o,
            "  {}. {} ({why}): {status}{}",
            i + 1,
            f.drug(c.drug).name,
            if covered { "" } else { " (not offered)" }
        );
    }
    o.push_str("  a claim is offered those covered for the patient that would pay or cost less\n");
}

/// The compiler names a drug's own level by its kind alone ("product").
fn level_words(level: &str) -> String {
    if level.contains(' ') {
        level.to_string()
    } else {
        format!("the {level} itself")
    }
}
