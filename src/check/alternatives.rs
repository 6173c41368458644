//! Alternatives: covered drugs to dispense instead, best first.
//!
//! Candidates were found at compile time by walking the rule graph (generic
//! of a brand, alternatives the author named, members of the same classes).
//! Here each is evaluated for this patient: it must be covered on the date
//! and not blocked by an age, sex or quantity edit; whether it would need PA
//! or step therapy is reported. A rejected claim is offered candidates that
//! would pay or sit at a lower tier; a paid claim only cheaper ones.

use super::cost;
use super::decision::*;
use super::eval::{Ctx, Eval};
use crate::codes::Money;
use crate::compile::model::{DrugId, Relation};

/// At most this many alternatives are returned.
pub const MAX_ALTERNATIVES: usize = 5;

pub(super) fn find<'f>(
    cx: &Ctx<'f, '_>,
    id: DrugId,
    requested: &Decision<'f>,
) -> Vec<Alternative<'f>> {
    let f = cx.f;
    let rx = cx.rx;
    let paid = requested.is_paid();
    let req_tier = requested.tier.map(|t| t.number);
    let req_cost = requested.cost.as_ref();
    let mut out: Vec<(Alternative<'f>, usize)> = Vec::new();
    for (order, cand) in f.resolved(id).candidates.iter().enumerate() {
        // Cheap pre-check without allocating: the tier in force.
        let Some(tier_n) = tier_in_force(cx, cand.drug) else {
            continue;
        };
        let Some(tier) = f.tier(tier_n) else { continue };
        let total = crate::prices::estimate(f, cand.drug, None, rx.date, rx.quantity)
            .map(|m| Money(m.0 + rx.dispensing_fee.unwrap_or_default().0));
        let basis = if total.is_some() {
            Basis::PriceList
        } else {
            Basis::Unknown
        };
        let c = cost::cost(tier, rx.pharmacy, rx.days_supply, total, basis);
        let cheaper = match (req_cost.and_then(|c| c.total), c.total) {
            (Some(a), Some(b)) => b < a,
            _ => req_tier.is_some_and(|t| tier_n < t),
        };
        if paid && !cheaper {
            continue;
        }
        let mut e = Eval::default();
        cx.edits(cand.drug, &mut e);
        // Blocked for this patient by something other than PA or step therapy.
        if e.rejects.iter().any(|r| r.code != "75" && r.code != "608") {
            continue;
        }
        let restricted = e.needs_pa || e.needs_step;
        if paid && restricted {
            continue;
        }
        if !paid && restricted && !cheaper {
            continue;
        }
        let d = f.drug(cand.drug);
        let saving = |a: Option<Money>, b: Option<Money>| match (a, b) {
            (Some(a), Some(b)) => Some(Money(a.0 - b.0)),
            _ => None,
        };
        out.push((
            Alternative {
                name: &d.name,
                label: &d.label,
                rxcui: d.rxcui,
                relation: cand.relation,
                tier: TierInfo {
                    number: tier.number,
                    label: &tier.label,
                },
                patient_saving: saving(req_cost.and_then(|c| c.patient_pay), c.patient_pay),
                plan_saving: saving(req_cost.and_then(|c| c.plan_pay), c.plan_pay),
                cost: c,
                needs_pa: e.needs_pa,
                needs_step: e.needs_step,
            },
            order,
        ));
    }
    // Generic equivalent first; then unrestricted before restricted; then by
    // total cost when known, tier, and the graph's order.
    out.sort_by(|(a, ao), (b, bo)| {
        let key = |x: &Alternative| {
            (
                x.relation != Relation::GenericEquivalent,
                x.needs_pa || x.needs_step,
            )
        };
        key(a)
            .cmp(&key(b))
            .then_with(|| match (a.cost.total, b.cost.total) {
                (Some(x), Some(y)) => x.cmp(&y),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => std::cmp::Ordering::Equal,
            })
            .then_with(|| a.tier.number.cmp(&b.tier.number))
            .then_with(|| ao.cmp(bo))
    });
    out.truncate(MAX_ALTERNATIVES);
    out.into_iter().map(|(a, _)| a).collect()
}

fn tier_in_force(cx: &Ctx, id: DrugId) -> Option<u32> {
    let s =
        cx.f.resolved(id)
            .status
            .iter()
            .find(|s| s.clause.period.contains(cx.rx.date))?;
    match s.clause.kind {
        crate::compile::model::ClauseKind::Tier(n) => Some(n),
        _ => None,
    }
}
