//! Alternatives: covered drugs to dispense instead, best first.
//!
//! Candidates were found at compile time by walking the rule graph (generic
//! of a brand, alternatives the author named, members of the same classes).
//! Here each is evaluated for this patient: it must be covered on the date
//! and not blocked by its age or sex limit; whether it would need PA or step
//! therapy is reported. Its quantity limit is not applied: the requested
//! quantity is for another drug. A rejected claim is offered candidates that
//! would pay or sit at a lower tier. A paid claim is offered only the generic
//! or another package when cheaper, or a drug at a lower tier; never another
//! strength of the same ingredient, which is a different dose. A claim
//! rejected only for quantity or as a refill too soon gets none: the answer
//! there is another quantity or date, and switching drugs would be duplicate
//! therapy. A combination product is not offered for a single-ingredient
//! drug, nor the reverse, unless the author named it. One alternative is
//! offered per ingredient.

use super::cost;
use super::decision::*;
use super::eval::{Ctx, Eval};
use super::reject::RejectCode;
use crate::ast::DrugKind;
use crate::codes::Money;
use crate::compile::model::{DrugId, Relation};

/// At most this many alternatives are returned.
pub const MAX_ALTERNATIVES: usize = 5;

/// What the alternatives need to know of the requested fill.
pub(super) struct Requested<'a> {
    /// The claim pays.
    pub paid: bool,
    /// Its tier, if it has one.
    pub tier: Option<u32>,
    /// Its cost, if priced.
    pub cost: Option<&'a Cost>,
    /// The answer is another quantity or date, not another drug: a refill
    /// too soon, or a rejection only for quantity.
    pub other_quantity_or_date: bool,
}

impl<'a> Requested<'a> {
    /// The requested fill's outcome.
    pub fn new(tier: Option<u32>, cost: Option<&'a Cost>, rejects: &[Reject<'_>]) -> Self {
        let refill_too_soon = rejects.iter().any(|r| r.code == RejectCode::RefillTooSoon);
        let quantity_only = !rejects.is_empty()
            && rejects.iter().all(|r| {
                matches!(
                    r.code,
                    RejectCode::PlanLimitationsExceeded | RejectCode::RefillTooSoon
                )
            });
        Requested {
            paid: rejects.is_empty(),
            tier,
            cost,
            other_quantity_or_date: refill_too_soon || quantity_only,
        }
    }
}

pub(super) fn find<'f>(
    cx: &Ctx<'f, '_>,
    id: DrugId,
    requested: &Requested,
) -> Vec<Alternative<'f>> {
    let f = cx.f;
    let rx = cx.rx;
    let paid = requested.paid;
    let req_tier = requested.tier;
    let req_cost = requested.cost;
    if requested.other_quantity_or_date {
        return Vec::new();
    }
    let req_ingredients = f.resolved(id).ingredients.len();
    let mut out: Vec<(Alternative<'f>, usize, DrugId)> = Vec::new();
    for (order, cand) in f.resolved(id).candidates.iter().enumerate() {
        // Only one alternative per ingredient is shown, products before
        // ingredients: a later product of an ingredient already offered in
        // the same relation, as a product, cannot change the answer.
        let therapy = f.resolved(cand.drug).therapy;
        let is_product = f.drug(cand.drug).kind != DrugKind::Ingredient;
        if out.iter().any(|(a, _, t)| {
            *t == therapy
                && a.relation == cand.relation
                && (a.kind != DrugKind::Ingredient || !is_product)
        }) {
            continue;
        }
        // Cheap pre-check without allocating: the tier in force.
        let Some(tier_n) = tier_in_force(cx, cand.drug) else {
            continue;
        };
        let Some(tier) = f.tier(tier_n) else { continue };
        let lower_tier = req_tier.is_some_and(|t| tier_n < t);
        // A paid claim is offered only lower tiers or a cheaper same drug:
        // skip the rest before pricing anything.
        if paid
            && !lower_tier
            && !matches!(
                cand.relation,
                Relation::GenericEquivalent | Relation::SameProduct
            )
        {
            continue;
        }
        let total = super::cost::estimate(f, cand.drug, None, rx.date, rx.quantity)
            .map(|m| Money(m.0 + rx.dispensing_fee.unwrap_or_default().0));
        let cheaper = match (req_cost.and_then(|c| c.total), total) {
            (Some(a), Some(b)) => b < a,
            _ => req_tier.is_some_and(|t| tier_n < t),
        };
        let same_drug = matches!(
            cand.relation,
            Relation::GenericEquivalent | Relation::SameProduct
        );
        if paid && !(lower_tier || (same_drug && cheaper)) {
            continue;
        }
        if paid && cand.relation == Relation::SameIngredient {
            continue;
        }
        let cand_ingredients = f.resolved(cand.drug).ingredients.len();
        if cand.relation == Relation::SameClass && cand_ingredients != req_ingredients {
            continue;
        }
        let mut e = Eval {
            quiet: true,
            ..Eval::default()
        };
        cx.edits(cand.drug, &mut e);
        // Blocked for this patient by its age or sex limit.
        if e.rejects.iter().any(|r| r.code.blocks_patient()) {
            continue;
        }
        let restricted = e.needs_pa || e.needs_step;
        if paid && restricted {
            continue;
        }
        if !paid && restricted && !cheaper {
            continue;
        }
        let basis = if total.is_some() {
            Basis::PriceList
        } else {
            Basis::Unknown
        };
        let c = cost::cost(tier, rx.pharmacy, rx.days_supply, total, basis);
        let d = f.drug(cand.drug);
        let saving = |a: Option<Money>, b: Option<Money>| match (a, b) {
            (Some(a), Some(b)) => Some(Money(a.0 - b.0)),
            _ => None,
        };
        out.push((
            Alternative {
                name: &d.name,
                label: &d.label,
                kind: d.kind,
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
            f.resolved(cand.drug).therapy,
        ));
    }
    // The generic of a brand first; then what can be dispensed without PA or
    // step therapy; then the author's preference, the same ingredient, the
    // same class; then total cost when known, tier, products before
    // ingredients, and the graph's order.
    out.sort_by(|(a, ao, _), (b, bo, _)| {
        let key = |x: &Alternative| {
            (
                x.relation != Relation::GenericEquivalent,
                x.needs_pa || x.needs_step,
                x.relation,
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
            .then_with(|| (a.kind == DrugKind::Ingredient).cmp(&(b.kind == DrugKind::Ingredient)))
            .then_with(|| ao.cmp(bo))
    });
    let mut therapies: Vec<DrugId> = Vec::new();
    out.retain(|(_, _, t)| {
        let first = !therapies.contains(t);
        therapies.push(*t);
        first
    });
    out.truncate(MAX_ALTERNATIVES);
    out.into_iter().map(|(a, _, _)| a).collect()
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
