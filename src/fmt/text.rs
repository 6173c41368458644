//! Canonical spelling of values and clauses: how the formatter writes money,
//! percents, numbers, NDCs, strings, periods and each clause, and the order
//! clauses take on an entry.

use crate::ast::*;
use crate::codes::Ndc;

/// Writes a string literal, escaping `"` and `\`.
pub(super) fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// Cents as money: whole dollars without cents (`$5`), otherwise two places (`$12.50`).
pub(super) fn money(cents: u64) -> String {
    if cents.is_multiple_of(100) {
        format!("${}", cents / 100)
    } else {
        format!("${}.{:02}", cents / 100, cents % 100)
    }
}

/// Basis points as a percent without trailing zeros: `40%`, `12.5%`, `12.25%`.
pub(super) fn percent(bp: u64) -> String {
    let whole = bp / 100;
    match bp % 100 {
        0 => format!("{whole}%"),
        f if f.is_multiple_of(10) => format!("{whole}.{}%", f / 10),
        f => format!("{whole}.{f:02}%"),
    }
}

/// A decimal quantity in its shortest form (`2.4`, `1`); the text as written
/// when it does not fit a float.
pub(super) fn number(v: &crate::span::Spanned<f64>, src: &str) -> String {
    if v.node.is_finite() {
        format!("{}", v.node)
    } else {
        written(v.span, src)
    }
}

/// The source text under a span.
pub(super) fn written(span: crate::span::Span, src: &str) -> String {
    src.get(span.start as usize..span.end as usize)
        .unwrap_or_default()
        .to_string()
}

/// An NDC in the dashed 5-4-2 form when it is a valid NDC; as written otherwise,
/// so that the compiler still reports it.
pub(super) fn ndc(s: &str) -> String {
    Ndc::parse(s)
        .map(|n| n.dashed())
        .unwrap_or_else(|_| s.to_string())
}

/// ` from DATE until DATE`, or nothing.
fn period(p: &Option<Period>) -> String {
    let Some(p) = p else { return String::new() };
    let mut out = String::new();
    if let Some(f) = &p.from {
        out.push_str(" from ");
        out.push_str(f);
    }
    if let Some(u) = &p.until {
        out.push_str(" until ");
        out.push_str(u);
    }
    out
}

/// `18..64`, `65..`, `..17`.
pub(super) fn age(r: &AgeRange) -> String {
    let n = |v: &Option<crate::span::Spanned<u64>>| v.as_ref().map(|x| x.to_string());
    format!(
        "{}..{}",
        n(&r.min).unwrap_or_default(),
        n(&r.max).unwrap_or_default()
    )
}

fn list(items: &[crate::span::Spanned<String>]) -> String {
    items
        .iter()
        .map(|s| s.node.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// NDCs normalised and sorted: the order of a product's NDCs has no meaning.
/// Codes that are not valid NDCs keep their spelling and go last.
pub(super) fn ndc_list(items: &[crate::span::Spanned<String>]) -> Vec<String> {
    let mut v: Vec<(bool, String)> = items
        .iter()
        .map(|s| match Ndc::parse(&s.node) {
            Ok(n) => (false, n.dashed()),
            Err(_) => (true, s.node.clone()),
        })
        .collect();
    v.sort();
    v.into_iter().map(|(_, s)| s).collect()
}

/// A clause in its canonical spelling.
pub(super) fn clause(c: &Clause, src: &str) -> String {
    match c {
        Clause::Rxcui(r) => format!("rxcui {}", r.node),
        Clause::Ndc(list) => format!("ndc {}", ndc_list(list).join(", ")),
        Clause::BrandOf(n) => format!("brand of {}", n.node),
        Clause::Of(l) => format!("of {}", list(l)),
        Clause::Tier(n, p) => format!("tier {}{}", n.node, period(p)),
        Clause::Excluded(r, p) => format!("excluded {}{}", quote(r), period(p)),
        Clause::NonFormulary(p) => format!("non-formulary{}", period(p)),
        Clause::Pa(n, p) => format!("pa {}{}", n.node, period(p)),
        Clause::Step(n, p) => format!("step {}{}", n.node, period(p)),
        Clause::Limit(l, p) => format!("limit {}{}", limit(l, src), period(p)),
        Clause::Age(r, p) => format!("age {}{}", age(r), period(p)),
        Clause::Sex(s, p) => format!("sex {}{}", s.as_str(), period(p)),
        Clause::AlsoIn(l) => format!("also in {}", list(l)),
        Clause::Alternatives(l) => format!("alternatives {}", list(l)),
    }
}

fn limit(l: &Limit, src: &str) -> String {
    match l {
        Limit::Quantity {
            amount,
            days,
            rolling,
        } => format!(
            "{} per {} days{}",
            number(amount, src),
            days.node,
            if *rolling { " rolling" } else { "" }
        ),
        Limit::Daily(a) => format!("{} per day", number(a, src)),
        Limit::Supply(d) => format!("{} days supply", d.node),
        Limit::Fills { count, days } => format!(
            "{} {} per {} days",
            count.node,
            if count.node == 1 { "fill" } else { "fills" },
            days.node
        ),
    }
}

/// Where a clause goes on an entry: identity (rxcui, ndc, of, brand of,
/// also in), then coverage (tier, excluded, non-formulary), then edits (pa,
/// step, limit, age, sex), then alternatives. Clauses of one rank keep the
/// author's order, which matters for coverage: the first status in force wins.
pub(super) fn clause_rank(c: &Clause) -> u8 {
    match c {
        Clause::Rxcui(_) => 0,
        Clause::Ndc(_) => 1,
        Clause::Of(_) => 2,
        Clause::BrandOf(_) => 3,
        Clause::AlsoIn(_) => 4,
        Clause::Tier(..) | Clause::Excluded(..) | Clause::NonFormulary(_) => 5,
        Clause::Pa(..) => 6,
        Clause::Step(..) => 7,
        Clause::Limit(..) => 8,
        Clause::Age(..) => 9,
        Clause::Sex(..) => 10,
        Clause::Alternatives(_) => 11,
    }
}

/// A cost share: `copay $5`, `coinsurance 40% min $50 max $150`.
pub(super) fn cost_share(s: &CostShare) -> String {
    match s {
        CostShare::Copay(c) => format!("copay {}", money(c.node)),
        CostShare::Coinsurance {
            percent: p,
            min,
            max,
        } => {
            let mut out = format!("coinsurance {}", percent(p.node));
            if let Some(m) = min {
                out.push_str(&format!(" min {}", money(m.node)));
            }
            if let Some(m) = max {
                out.push_str(&format!(" max {}", money(m.node)));
            }
            out
        }
    }
}

/// A tier's cost-share variant: `copay $10 for mail`, `copay $12 for 90 days`.
pub(super) fn variant(v: &CostVariant) -> String {
    let supply = match v.supply.node {
        SupplyKind::Mail => "mail".to_string(),
        SupplyKind::Days(n) => format!("{n} days"),
    };
    format!("{} for {supply}", cost_share(&v.share))
}

/// One `approve when` line.
pub(super) fn approval(a: &Approval) -> String {
    let conds: Vec<String> = a
        .conditions
        .iter()
        .map(|c| match c {
            Condition::Diagnosis(codes) => format!("diagnosis {}", list(codes)),
            Condition::Age(r) => format!("age {}", age(r)),
            Condition::Sex(s) => format!("sex {}", s.as_str()),
        })
        .collect();
    format!("approve when {}", conds.join(" and "))
}

/// One step line: `[then] tried any N of SET [for D days] within L days`.
pub(super) fn step_req(r: &StepReq) -> String {
    let set: Vec<String> = r
        .set
        .iter()
        .map(|s| match s {
            SetItem::Class(c) => format!("class {}", c.node),
            SetItem::Drug(d) => d.node.clone(),
        })
        .collect();
    let mut out = String::new();
    if r.then {
        out.push_str("then ");
    }
    out.push_str(&format!("tried any {} of {}", r.count.node, set.join(", ")));
    if let Some(d) = &r.min_days {
        out.push_str(&format!(" for {} days", d.node));
    }
    out.push_str(&format!(" within {} days", r.within.node));
    out
}

/// `DATE to DATE`.
pub(super) fn date_range(r: &DateRange) -> String {
    format!("{} to {}", r.from.node, r.to.node)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_and_percent_spellings() {
        assert_eq!(money(500), "$5");
        assert_eq!(money(1250), "$12.50");
        assert_eq!(money(5), "$0.05");
        assert_eq!(percent(4000), "40%");
        assert_eq!(percent(1250), "12.5%");
        assert_eq!(percent(1225), "12.25%");
        assert_eq!(percent(5), "0.05%");
    }

    #[test]
    fn ndcs_become_dashed_eleven_digits() {
        assert_eq!(ndc("0378-1025-77"), "00378-1025-77");
        assert_eq!(ndc("68180051301"), "68180-0513-01");
        assert_eq!(ndc("12-34"), "12-34");
    }

    #[test]
    fn strings_are_escaped() {
        assert_eq!(quote(r#"a "b" \ c"#), r#""a \"b\" \\ c""#);
    }
}
