//! The formulary's values in words, shared by decisions, reports, diffs and
//! exports, so each says an age, a condition, a limit or a step the same way.

use crate::ast::{DrugKind, Sex};
use crate::compile::model::{Condition, DrugId, Formulary, Limit, Step};

/// A quantity limit as a printed list shows it: `4 per 28 days`.
pub fn limit_text(l: &Limit) -> String {
    match *l {
        Limit::Quantity { amount, days, .. } => format!("{} per {days} days", num(amount)),
        Limit::Daily(a) => format!("{} per day", num(a)),
        Limit::Supply(d) => format!("{d} days supply"),
        Limit::Fills { count, days } => format!(
            "{count} {} per {days} days",
            if count == 1 { "fill" } else { "fills" }
        ),
    }
}

/// A quantity limit in a sentence, for explanations.
pub fn limit_sentence(l: &Limit) -> String {
    match *l {
        Limit::Quantity {
            amount,
            days,
            rolling: true,
        } => format!(
            "at most {} in any {days} days, counting earlier fills in that window",
            units(amount)
        ),
        Limit::Quantity { amount, days, .. } => {
            format!(
                "at most {} per {days} days of supply, in proportion to each fill's days supply",
                units(amount)
            )
        }
        Limit::Daily(a) => format!("at most {} per day of supply", units(a)),
        Limit::Supply(d) => format!("at most {d} days supply per fill"),
        Limit::Fills { count, days } => format!(
            "at most {count} {} in any {days} days",
            if count == 1 { "fill" } else { "fills" }
        ),
    }
}

/// `1 unit`, `4 units`, `2.4 units`.
fn units(x: f64) -> String {
    if x == 1.0 {
        "1 unit".to_string()
    } else {
        format!("{} units", num(x))
    }
}

/// An age range in words: "18 to 64", "65 and over", "17 and under".
pub fn age_words(min: Option<u32>, max: Option<u32>) -> String {
    match (min, max) {
        (Some(a), Some(b)) => format!("{a} to {b}"),
        (Some(a), None) => format!("{a} and over"),
        (None, Some(b)) => format!("{b} and under"),
        (None, None) => "all".to_string(),
    }
}

/// An age range as the language writes it: `18..64`, `65..`, `..17`.
pub fn age_source(min: Option<u32>, max: Option<u32>) -> String {
    let n = |v: Option<u32>| v.map(|x| x.to_string()).unwrap_or_default();
    format!("{}..{}", n(min), n(max))
}

/// `female` or `male`.
pub fn sex_words(s: Sex) -> &'static str {
    match s {
        Sex::Female => "female",
        Sex::Male => "male",
    }
}

/// How a list of PA conditions is phrased.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phrasing {
    /// In a decision's message: `diagnosis E11.* or E10.* and sex F`.
    Decision,
    /// In a sentence of an explanation: `a diagnosis of E11.* or E10.* and sex female`.
    Sentence,
}

/// Conditions of one PA approval line, joined with "and".
pub fn conditions_text(conds: &[Condition], phrasing: Phrasing) -> String {
    conds
        .iter()
        .map(|c| match c {
            Condition::Diagnosis(p) => {
                let codes: Vec<&str> = p.iter().map(|x| x.written.as_str()).collect();
                let lead = match phrasing {
                    Phrasing::Decision => "diagnosis",
                    Phrasing::Sentence => "a diagnosis of",
                };
                format!("{lead} {}", codes.join(" or "))
            }
            Condition::Age { min, max } => format!("age {}", age_words(*min, *max)),
            Condition::Sex(s) => match phrasing {
                Phrasing::Decision => format!("sex {}", s.as_str()),
                Phrasing::Sentence => format!("sex {}", sex_words(*s)),
            },
        })
        .collect::<Vec<_>>()
        .join(" and ")
}

/// A step's requirement, short, for graph edges: `tried any 1 for 30 days within 180 days`.
pub fn step_short(step: &Step) -> String {
    let mut s = format!("tried any {}", step.count);
    if step.min_days > 1 {
        s.push_str(&format!(" for {} days", step.min_days));
    }
    s.push_str(&format!(" within {} days", step.within_days));
    s
}

/// A step in a sentence, naming its set with labels.
pub fn step_sentence(f: &Formulary, step: &Step) -> String {
    let set = step
        .items
        .iter()
        .map(|i| set_item_words(f, *i))
        .collect::<Vec<_>>();
    let mut s = format!(
        "paid claims for at least {} of {}",
        step.count,
        join_or(&set)
    );
    if step.min_days > 1 {
        s.push_str(&format!(
            ", for at least {} days of therapy each",
            step.min_days
        ));
    }
    s.push_str(&format!(", in the last {} days", step.within_days));
    s
}

fn set_item_words(f: &Formulary, item: crate::compile::model::SetRef) -> String {
    use crate::compile::model::SetRef;
    match item {
        SetRef::Drug(d) => {
            let drug = f.drug(d);
            if drug.label == drug.name {
                drug.name.clone()
            } else {
                format!("{} ({})", drug.name, drug.label)
            }
        }
        SetRef::Class(c) => {
            let class = f.class(c);
            format!("class {} ({})", class.name, class.label)
        }
    }
}

/// `a`, `a or b`, `a, b or c`.
pub fn join_or(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// A quantity without a needless `.0`.
pub fn num(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

/// Is this drug a brand? A product written `brand of` a generic is one; so is
/// a product labelled the RxNorm way for branded drugs, `... [Brand]`. A
/// package is a brand when its product is.
pub fn is_brand(f: &Formulary, id: DrugId) -> bool {
    let d = f.drug(id);
    match d.kind {
        DrugKind::Ingredient => false,
        DrugKind::Product => d.brand_of.is_some() || bracket_brand(&d.label).is_some(),
        DrugKind::Package => d.product.is_some_and(|p| is_brand(f, p)),
    }
}

/// The name as a printed drug list shows it: brands in CAPITALS, generics in
/// lower case. An RxNorm branded label `semaglutide 2 MG Pen [Ozempic]`
/// becomes `OZEMPIC (semaglutide 2 mg pen)`. A package shows its NDC.
pub fn display_name(f: &Formulary, id: DrugId) -> String {
    let d = f.drug(id);
    match d.kind {
        DrugKind::Package => {
            // A package's label defaults to its name, the NDC: no label then.
            let labelled = d.label != d.name && crate::codes::Ndc::parse(&d.label).is_err();
            let base = if labelled {
                case_label(&d.label, is_brand(f, id))
            } else if let Some(p) = d.product {
                display_name(f, p)
            } else {
                String::new()
            };
            let ndc = d
                .ndcs
                .first()
                .map(|n| n.dashed())
                .unwrap_or_else(|| d.name.clone());
            if base.is_empty() {
                format!("NDC {ndc}")
            } else {
                format!("{base} (NDC {ndc})")
            }
        }
        _ => case_label(&d.label, is_brand(f, id)),
    }
}

fn case_label(label: &str, brand: bool) -> String {
    if !brand {
        return label.to_lowercase();
    }
    match bracket_brand(label) {
        Some((rest, name)) if !rest.to_lowercase().starts_with(&name.to_lowercase()) => {
            format!("{} ({})", name.to_uppercase(), rest.to_lowercase())
        }
        Some((rest, _)) => rest.to_uppercase(),
        None => label.to_uppercase(),
    }
}

/// `("semaglutide 2 MG Pen", "Ozempic")` from `semaglutide 2 MG Pen [Ozempic]`.
fn bracket_brand(label: &str) -> Option<(&str, &str)> {
    let inner = label.trim_end().strip_suffix(']')?;
    let open = inner.rfind('[')?;
    let name = inner[open + 1..].trim();
    let rest = inner[..open].trim_end();
    (!name.is_empty() && !rest.is_empty()).then_some((rest, name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brand_labels_are_capitalised_and_generics_lowered() {
        assert_eq!(
            case_label("Cozaar 50 MG Oral Tablet", true),
            "COZAAR 50 MG ORAL TABLET"
        );
        assert_eq!(
            case_label("semaglutide 2 MG/1.5ML Pen Injector [Ozempic]", true),
            "OZEMPIC (semaglutide 2 mg/1.5ml pen injector)"
        );
        assert_eq!(
            case_label("Ozempic 2 MG Pen [Ozempic]", true),
            "OZEMPIC 2 MG PEN"
        );
        assert_eq!(
            case_label("losartan potassium 50 MG Oral Tablet", false),
            "losartan potassium 50 mg oral tablet"
        );
        assert_eq!(bracket_brand("x []"), None);
        assert_eq!(bracket_brand("[Brand]"), None);
    }

    #[test]
    fn numbers_and_lists_read_naturally() {
        assert_eq!(num(4.0), "4");
        assert_eq!(num(2.4), "2.4");
        let v = |xs: &[&str]| xs.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(join_or(&v(&["a"])), "a");
        assert_eq!(join_or(&v(&["a", "b", "c"])), "a, b or c");
        assert_eq!(age_words(Some(18), None), "18 and over");
    }
}
