//! Lowering a `benefit` block into [`BenefitDef`].

use super::grammar::Rule;
use super::lower::{condition, kids, step_set, Ctx, P};
use crate::ast::*;

/// Lowers `benefit_def`. A line the block may hold once (deductible,
/// out-of-pocket maximum, insulin) written twice is E0111.
pub(super) fn benefit(cx: &Ctx, p: P) -> BenefitDef {
    let full = cx.span(&p);
    let mut head_end = full.start + "benefit".len() as u32;
    let mut d = BenefitDef {
        full,
        ..BenefitDef::default()
    };
    for c in kids(p) {
        let span = cx.span(&c);
        match c.as_rule() {
            Rule::string => {
                head_end = span.end;
                d.standard = Some(cx.string(&c));
            }
            Rule::b_deductible => {
                let a = amounts(cx, c);
                match (&d.deductible, a) {
                    (Some(first), Some(_)) => cx.repeated("deductible", first.span, span),
                    (None, a) => d.deductible = a,
                    _ => {}
                }
            }
            Rule::b_out_of_pocket => {
                let a = amounts(cx, c);
                match (&d.out_of_pocket, a) {
                    (Some(first), Some(_)) => cx.repeated("out-of-pocket max", first.span, span),
                    (None, a) => d.out_of_pocket = a,
                    _ => {}
                }
            }
            Rule::b_exempt_tiers => d.exempt_tiers.extend(kids(c).map(|n| cx.int(&n))),
            Rule::b_exempt => d.exempt.push(list(cx, c)),
            Rule::b_vaccines => d.vaccines.push(list(cx, c)),
            Rule::b_insulin => {
                let mut it = kids(c);
                let drugs = it
                    .next()
                    .map(|s| BenefitList {
                        items: step_set(cx, s),
                        span,
                    })
                    .unwrap_or(BenefitList {
                        items: Vec::new(),
                        span,
                    });
                let cap = it.next().map(|m| cx.money(&m));
                match &d.insulin {
                    Some(first) => cx.repeated("insulin", first.drugs.span, span),
                    None => d.insulin = Some(InsulinDef { drugs, cap }),
                }
            }
            Rule::b_preventive => {
                let mut drugs = BenefitList {
                    items: Vec::new(),
                    span,
                };
                let mut conditions = Vec::new();
                for k in kids(c) {
                    if k.as_rule() == Rule::step_set {
                        drugs.items = step_set(cx, k);
                    } else if let Some(cond) = condition(cx, k) {
                        conditions.push(cond);
                    }
                }
                d.preventive.push(PreventiveDef { drugs, conditions });
            }
            _ => {}
        }
    }
    d.span = crate::span::Span {
        end: head_end,
        ..full
    };
    d
}

/// The keywords of the header's `plan` and of the `benefit` block.
pub(super) fn is_keyword(r: Rule) -> bool {
    matches!(
        r,
        Rule::kw_plan
            | Rule::kw_benefit
            | Rule::kw_deductible
            | Rule::kw_individual
            | Rule::kw_family
            | Rule::kw_out_of_pocket
            | Rule::kw_exempt
            | Rule::kw_insulin
            | Rule::kw_cap
            | Rule::kw_month
            | Rule::kw_vaccines
            | Rule::kw_preventive
    )
}

fn list(cx: &Ctx, p: P) -> BenefitList {
    let span = cx.span(&p);
    BenefitList {
        items: kids(p).next().map(|s| step_set(cx, s)).unwrap_or_default(),
        span,
    }
}

fn amounts(cx: &Ctx, p: P) -> Option<Amounts> {
    let span = cx.span(&p);
    let mut it = kids(p);
    let individual = cx.money(&it.next()?);
    let family = it.next().and_then(|f| kids(f).next()).map(|m| cx.money(&m));
    Some(Amounts {
        individual,
        family,
        span,
    })
}
