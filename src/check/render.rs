//! A decision as a pharmacist reads it at the counter.

use super::decision::*;
use std::fmt::Write;

/// Renders a decision as plain text. `trace` adds the evaluated rules.
pub fn render_human(d: &Decision, trace: bool) -> String {
    let mut o = String::new();
    let status = if d.is_paid() { "PAID" } else { "REJECTED" };
    let drug = match &d.drug {
        Some(x) => {
            let rx = x.rxcui.map(|r| format!(", RxCUI {r}")).unwrap_or_default();
            let ndc = d
                .submitted
                .ndc
                .map(|n| format!(", NDC {}", n.dashed()))
                .unwrap_or_default();
            format!("{}{rx}{ndc}", x.label)
        }
        None => match (d.submitted.ndc, d.submitted.rxcui) {
            (Some(n), _) => format!("NDC {}", n.dashed()),
            (_, Some(r)) => format!("RxCUI {r}"),
            _ => "unknown drug".to_string(),
        },
    };
    let _ = writeln!(o, "{status}  {drug}");
    if let Some(x) = &d.drug {
        if !x.classes.is_empty() {
            let _ = writeln!(o, "  class: {}", x.classes.join(" < "));
        }
    }
    if let Some(t) = d.tier {
        let _ = write!(o, "  tier {} ({})", t.number, t.label);
        if let Some(c) = &d.cost {
            let _ = write!(o, ": {}", c.share);
            let pays = if d.is_paid() { "pays" } else { "would pay" };
            match c.patient_pay {
                Some(p) => {
                    let _ = write!(o, "; patient {pays} {p}");
                }
                None => {
                    let _ = write!(o, "; patient pay unknown (no cost basis)");
                }
            }
            if let Some(pp) = c.plan_pay {
                let _ = write!(o, ", plan {pays} {pp}");
            }
            if let Some(t) = c.total {
                let basis = match c.basis {
                    Basis::Submitted => "submitted",
                    Basis::PriceList => "price list",
                    Basis::Unknown => "unknown",
                };
                let _ = write!(o, " (cost {t}, {basis})");
            }
        }
        o.push('\n');
    }
    if let Some(b) = &d.benefit {
        benefit_lines(&mut o, b);
    }
    for r in &d.rejects {
        let _ = writeln!(o, "  ✗ {:<3} {}", r.code, r.message);
        let _ = writeln!(o, "        {}", rule_line(&r.rule));
    }
    for m in &d.messages {
        let code = m.code.map(|c| format!("[{c}] ")).unwrap_or_default();
        let _ = writeln!(o, "  • {code}{}", m.text);
        let _ = writeln!(o, "        {}", rule_line(&m.rule));
    }
    if !d.alternatives.is_empty() {
        let _ = writeln!(o, "  alternatives:");
        for (i, a) in d.alternatives.iter().enumerate() {
            let pay = a
                .cost
                .patient_pay
                .map(|p| format!("patient pays {p}"))
                .unwrap_or_else(|| a.cost.share.to_string());
            let now = if a.would_pay {
                "would pay now".to_string()
            } else {
                format!("needs {}", a.needs.join(", "))
            };
            let _ = writeln!(
                o,
                "    {}. {} — tier {}, {pay}; {}; {now}",
                i + 1,
                a.label,
                a.tier.number,
                a.reason
            );
        }
    }
    if trace {
        let _ = writeln!(o, "  trace:");
        for t in &d.trace {
            let res = match t.result {
                Outcome::Pass => "pass",
                Outcome::Fail => "FAIL",
                Outcome::NotInForce => "not in force",
                Outcome::Applied => "applied",
                Outcome::Overridden => "overridden",
            };
            let _ = writeln!(o, "    {res:<12} {} — {}", rule_line(&t.rule), t.detail);
        }
    }
    let _ = writeln!(
        o,
        "  formulary {} version {} ({})",
        d.formulary.id,
        d.formulary.version,
        short_hash(d.formulary.hash)
    );
    o
}

/// The parts of the patient pay, the phase and what is left.
fn benefit_lines(o: &mut String, b: &BenefitInfo) {
    use crate::benefit::PartKind;
    let parts: Vec<String> = b
        .parts
        .iter()
        .map(|p| {
            let what = match p.kind {
                PartKind::Deductible => "deductible",
                PartKind::CostShare => "cost share",
                PartKind::InsulinCap => "insulin cap",
                PartKind::AfterCap => "after the out-of-pocket maximum",
                PartKind::Vaccine => "vaccine",
                PartKind::Preventive => "preventive",
            };
            format!("{what} {} of {}", p.patient, p.gross)
        })
        .collect();
    let _ = writeln!(o, "  benefit ({}): {}", b.plan, parts.join(" + "));
    let phase = if b.phase == b.phase_before {
        b.phase.as_str().to_string()
    } else {
        format!("{} → {}", b.phase_before.as_str(), b.phase.as_str())
    };
    let _ = write!(o, "    phase {phase}");
    if let Some(m) = b.deductible_remaining {
        let _ = write!(o, "; deductible left {m}");
    }
    if let Some(m) = b.out_of_pocket_remaining {
        let _ = write!(o, "; out of pocket left {m}");
    }
    o.push('\n');
}

/// The relation of an alternative, in words.
pub fn relation_words(r: crate::compile::model::Relation) -> &'static str {
    use crate::compile::model::Relation;
    match r {
        Relation::SatisfiesStep => "satisfies the step therapy",
        Relation::GenericEquivalent => "generic equivalent",
        Relation::SameProduct => "same product, another package",
        Relation::Preferred => "preferred alternative",
        Relation::SameIngredient => "same ingredient, another product",
        Relation::SameClass => "same class",
    }
}

fn rule_line(r: &RuleRef) -> String {
    let level = r.level.map(|l| format!(" on {l}")).unwrap_or_default();
    format!("{} `{}`{level} at {}:{}", r.kind, r.name, r.file, r.line)
}

fn short_hash(h: &str) -> &str {
    h.get(..19).unwrap_or(h)
}
