//! Canonical lines of a `benefit` block: one line per construct, in the
//! order the language reference lists them, each with the keyword and the
//! source range the layout uses to attach comments.

use super::text;
use crate::ast::{Amounts, BenefitDef, BenefitList, Condition, SetItem};

/// A line: text, its keyword, where its value starts and where it ends.
pub(super) type Line = (String, &'static str, u32, u32);

/// The head: `benefit` or `benefit "name"`.
pub(super) fn head(b: &BenefitDef) -> String {
    match &b.standard {
        Some(s) => format!("benefit {}", text::quote(s)),
        None => "benefit".to_string(),
    }
}

/// The block's lines.
pub(super) fn lines(b: &BenefitDef) -> Vec<Line> {
    let mut out = Vec::new();
    if let Some(a) = &b.deductible {
        out.push(amounts("deductible", a));
    }
    if let Some(a) = &b.out_of_pocket {
        let (t, _, s, e) = amounts("out-of-pocket max", a);
        out.push((t, "out-of-pocket", s, e));
    }
    if let (Some(first), Some(last)) = (b.exempt_tiers.first(), b.exempt_tiers.last()) {
        let tiers: Vec<String> = b.exempt_tiers.iter().map(|t| t.node.to_string()).collect();
        let t = format!("exempt tier {}", tiers.join(", "));
        out.push((t, "exempt", first.span.start, last.span.end));
    }
    for l in &b.exempt {
        out.push(list("exempt", l, String::new()));
    }
    if let Some(i) = &b.insulin {
        let cap = i
            .cap
            .as_ref()
            .map(|c| format!(" cap {} per month", text::money(c.node)))
            .unwrap_or_default();
        out.push(list("insulin", &i.drugs, cap));
    }
    for l in &b.vaccines {
        out.push(list("vaccines", l, String::new()));
    }
    for p in &b.preventive {
        let mut conds = String::new();
        for c in &p.conditions {
            match c {
                Condition::Sex(s) => conds.push_str(&format!(" sex {}", s.as_str())),
                Condition::Age(r) => conds.push_str(&format!(" age {}", text::age(r))),
                Condition::Diagnosis(_) => {}
            }
        }
        out.push(list("preventive", &p.drugs, conds));
    }
    out
}

fn amounts(kw: &'static str, a: &Amounts) -> Line {
    let mut t = format!("{kw} {}", text::money(a.individual.node));
    if let Some(f) = &a.family {
        t.push_str(&format!(" individual {} family", text::money(f.node)));
    }
    (t, kw, a.span.start, a.span.end)
}

fn list(kw: &'static str, l: &BenefitList, tail: String) -> Line {
    let items: Vec<String> = l
        .items
        .iter()
        .map(|s| match s {
            SetItem::Class(c) => format!("class {}", c.node),
            SetItem::Drug(d) => d.node.clone(),
        })
        .collect();
    (
        format!("{kw} {}{tail}", items.join(", ")),
        kw,
        l.span.start,
        l.span.end,
    )
}
