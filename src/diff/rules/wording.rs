//! How a rule diff words tiers, PA and step therapy rules and clauses, one line each.

use crate::compile::model::*;
use crate::words::age_source;

/// A tier in one line: its label, shares and flags.
pub(super) fn tier_text(t: &Tier) -> String {
    let mut s = format!("\"{}\" {}", t.label, t.share);
    if let Some(m) = t.mail {
        s.push_str(&format!(", mail {m}"));
    }
    if let Some((d, m)) = t.extended {
        s.push_str(&format!(", {d} days {m}"));
    }
    if t.preferred {
        s.push_str(", preferred");
    }
    if t.specialty {
        s.push_str(", specialty");
    }
    s
}

/// A prior authorization rule in one line.
pub(super) fn pa_text(p: &PaRule) -> String {
    let mut parts: Vec<String> = p
        .approvals
        .iter()
        .map(|a| {
            let c: Vec<String> = a.iter().map(condition_text).collect();
            format!("approve when {}", c.join(" and "))
        })
        .collect();
    if !p.criteria.is_empty() {
        parts.push(format!("criteria \"{}\"", p.criteria.join(" ")));
    }
    if let Some(d) = p.duration_days {
        parts.push(format!("duration {d} days"));
    }
    if !p.period.is_always() {
        parts.push(format!("in force {}", p.period));
    }
    if parts.is_empty() {
        parts.push("review by a pharmacist".into());
    }
    parts.join("; ")
}

pub(super) fn condition_text(c: &Condition) -> String {
    match c {
        Condition::Diagnosis(p) => {
            let codes: Vec<&str> = p.iter().map(|x| x.written.as_str()).collect();
            format!("diagnosis {}", codes.join(", "))
        }
        Condition::Age { min, max } => format!("age {}", age_source(*min, *max)),
        Condition::Sex(s) => format!("sex {}", s.as_str()),
    }
}

/// A step therapy rule in one line.
pub(super) fn step_text(s: &StepRule) -> String {
    let mut parts: Vec<String> = s
        .steps
        .iter()
        .enumerate()
        .map(|(i, st)| {
            format!(
                "{}tried any {} of {}{} within {} days",
                if i > 0 { "then " } else { "" },
                st.count,
                st.set_names.join(", "),
                if st.min_days > 1 {
                    format!(" for {} days", st.min_days)
                } else {
                    String::new()
                },
                st.within_days
            )
        })
        .collect();
    if !s.unless.is_empty() {
        let codes: Vec<&str> = s.unless.iter().map(|u| u.written.as_str()).collect();
        parts.push(format!("unless diagnosis {}", codes.join(", ")));
    }
    if s.new_starts_only {
        parts.push("new starts only".into());
    }
    if !s.period.is_always() {
        parts.push(format!("in force {}", s.period));
    }
    parts.join("; ")
}

/// A clause as text with its period, rule ids replaced by names.
pub(super) fn clause_text(f: &Formulary, c: &RuleClause) -> String {
    let what = match &c.kind {
        ClauseKind::Tier(n) => format!("tier {n}"),
        ClauseKind::Excluded(r) => format!("excluded ({r})"),
        ClauseKind::NonFormulary => "non-formulary".to_string(),
        ClauseKind::Pa(p) => format!("pa {}", f.pas[p.0 as usize].name),
        ClauseKind::Step(s) => format!("step {}", f.steps[s.0 as usize].name),
        ClauseKind::Limit(l) => format!("limit {l}"),
        ClauseKind::Age { min, max } => format!("age {}", age_source(*min, *max)),
        ClauseKind::Sex(s) => format!("sex {}", s.as_str()),
    };
    if c.period.is_always() {
        what
    } else {
        format!("{what} ({})", c.period)
    }
}
