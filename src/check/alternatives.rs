//! Alternatives: covered drugs to dispense instead, best first.
//!
//! Candidates were found at compile time by walking the rule graph (generic
//! of a brand, alternatives the author named, members of the same classes),
//! and, per step of step therapy, the drugs that satisfy it. Here each is
//! judged for this patient with the rules the claim was judged by: it must
//! be covered on the date and not blocked by its age or sex limit; one that
//! fails the very rule the claim failed (the same step unmet, the same PA
//! not on file) cannot help and is left out; one that would need another
//! PA or step is kept with what it needs, after every one that would pay
//! now. Its quantity limit is not applied: the requested quantity is for
//! another drug. On a 608 the drugs that satisfy the unmet step come first,
//! leaving out those the patient has already filled long enough to count.
//! A rejected claim is offered candidates that would pay or sit at a lower
//! tier. A paid claim is offered only the generic or another package when
//! cheaper, or a drug at a lower tier; never another strength of the same
//! ingredient, which is a different dose. A claim rejected only for
//! quantity or as a refill too soon gets none: the answer there is another
//! quantity or date, and switching drugs would be duplicate therapy. A
//! combination product is not offered for a single-ingredient drug, nor the
//! reverse, unless the author named it or it is all that satisfies the
//! step. One alternative is offered per ingredient (a branded combination
//! counts as its generic).

use super::cost;
use super::decision::*;
use super::eval::{Ctx, Eval};
use super::reject::RejectCode;
use crate::ast::DrugKind;
use crate::codes::Money;
use crate::compile::model::{DrugId, Relation, StepId};
use std::borrow::Cow;

/// At most this many alternatives are returned.
pub const MAX_ALTERNATIVES: usize = 5;

/// What the alternatives need to know of the requested fill.
pub(super) struct Requested<'a, 'f> {
    /// The claim pays.
    pub paid: bool,
    /// Its tier, if it has one.
    pub tier: Option<u32>,
    /// Its cost, if priced.
    pub cost: Option<&'a Cost>,
    /// The answer is another quantity or date, not another drug: a refill
    /// too soon, or a rejection only for quantity.
    pub other_quantity_or_date: bool,
    /// Its rejects: an alternative failing one of these rules cannot help.
    pub rejects: &'a [Reject<'f>],
    /// The step rule and the index of its step the claim was rejected for.
    pub unmet_step: Option<(StepId, usize)>,
}

impl<'a, 'f> Requested<'a, 'f> {
    /// The requested fill's outcome.
    pub fn new(
        tier: Option<u32>,
        cost: Option<&'a Cost>,
        rejects: &'a [Reject<'f>],
        unmet_step: Option<(StepId, usize)>,
    ) -> Self {
        let refill_too_soon = rejects.iter().any(|r| r.code == RejectCode::RefillTooSoon);
        let quantity_only = !rejects.is_empty()
            && rejects.iter().all(|r| {
                matches!(
                    r.code,
                    RejectCode::PlanLimitationsExceeded | RejectCode::RefillTooSoon
                )
            });
        let step_rejected = rejects
            .iter()
            .any(|r| r.code == RejectCode::StepTherapyRequired);
        Requested {
            paid: rejects.is_empty(),
            tier,
            cost,
            other_quantity_or_date: refill_too_soon || quantity_only,
            rejects,
            unmet_step: unmet_step.filter(|_| step_rejected),
        }
    }
}

/// An alternative found, with what ranks it.
struct Found<'f> {
    alt: Alternative<'f>,
    order: usize,
    therapy: DrugId,
    drug: DrugId,
}

pub(super) fn find<'f>(
    cx: &Ctx<'f, '_>,
    id: DrugId,
    requested: &Requested<'_, 'f>,
) -> Vec<Alternative<'f>> {
    let f = cx.f;
    if requested.other_quantity_or_date {
        return Vec::new();
    }
    let mut out: Vec<Found<'f>> = Vec::new();
    let req_ingredients = f.resolved(id).ingredients.len();
    if let Some((sid, n)) = requested.unmet_step {
        let rule = &f.steps[sid.0 as usize];
        let step = &rule.steps[n];
        let counted = cx.step_counted(rule, n);
        // Drugs of as many ingredients as the requested one; a combination
        // only when nothing else satisfies the step (and the reverse).
        for same_count in [true, false] {
            for (order, &cand) in step.candidates.iter().enumerate() {
                let count = f.resolved(cand).ingredients.len();
                if cand == id
                    || (count == req_ingredients) != same_count
                    || counted.contains(&f.resolved(cand).therapy)
                    || offered(cx, &out, cand, Relation::SatisfiesStep)
                {
                    continue;
                }
                if let Some(found) = judge(cx, cand, Relation::SatisfiesStep, order, requested) {
                    out.push(found);
                }
            }
            if !out.is_empty() {
                break;
            }
        }
    }
    for (order, cand) in f.resolved(id).candidates.iter().enumerate() {
        if offered(cx, &out, cand.drug, cand.relation) {
            continue;
        }
        let cand_ingredients = f.resolved(cand.drug).ingredients.len();
        if cand.relation == Relation::SameClass && cand_ingredients != req_ingredients {
            continue;
        }
        if requested.paid && cand.relation == Relation::SameIngredient {
            continue;
        }
        if let Some(found) = judge(cx, cand.drug, cand.relation, 1000 + order, requested) {
            out.push(found);
        }
    }
    rank(&mut out);
    let mut therapies: Vec<DrugId> = Vec::new();
    out.retain(|x| {
        let first = !therapies.contains(&x.therapy);
        therapies.push(x.therapy);
        first
    });
    out.truncate(MAX_ALTERNATIVES);
    out.into_iter()
        .map(|mut x| {
            x.alt.reason = reason(cx, id, x.drug, x.alt.relation, requested);
            x.alt
        })
        .collect()
}

/// Only one alternative is shown per ingredient, products before
/// ingredients: a later product of an ingredient already offered in the
/// same relation, as a product, cannot change the answer.
fn offered(cx: &Ctx, out: &[Found], drug: DrugId, relation: Relation) -> bool {
    let therapy = therapy(cx, drug);
    let is_product = cx.f.drug(drug).kind != DrugKind::Ingredient;
    out.iter().any(|x| {
        x.therapy == therapy
            && x.alt.relation == relation
            && (x.alt.kind != DrugKind::Ingredient || !is_product)
    })
}

/// What one alternative per ingredient counts: the therapy of the drug's
/// equivalent, so a branded combination counts as its generic.
fn therapy(cx: &Ctx, drug: DrugId) -> DrugId {
    let r = cx.f.resolved(drug);
    cx.f.resolved(r.equivalent).therapy
}

/// One candidate judged for this patient: `None` when it is not covered,
/// blocked for the patient, fails the rule the claim failed, or is not
/// worth offering against the requested fill.
fn judge<'f>(
    cx: &Ctx<'f, '_>,
    drug: DrugId,
    relation: Relation,
    order: usize,
    requested: &Requested<'_, 'f>,
) -> Option<Found<'f>> {
    let (f, rx) = (cx.f, cx.rx);
    let paid = requested.paid;
    let req_tier = requested.tier;
    let tier_n = tier_in_force(cx, drug)?;
    let tier = f.tier(tier_n)?;
    let lower_tier = req_tier.is_some_and(|t| tier_n < t);
    let same_drug = matches!(
        relation,
        Relation::GenericEquivalent | Relation::SameProduct
    );
    // A paid claim is offered only lower tiers or a cheaper same drug:
    // skip the rest before pricing anything.
    if paid && !lower_tier && !same_drug {
        return None;
    }
    let total = cost::estimate(f, drug, None, rx.date, rx.quantity)
        .map(|m| Money(m.0 + rx.dispensing_fee.unwrap_or_default().0));
    let req_total = requested.cost.and_then(|c| c.total);
    let cheaper = match (req_total, total) {
        (Some(a), Some(b)) => b < a,
        _ => lower_tier,
    };
    if paid && !(lower_tier || (same_drug && cheaper)) {
        return None;
    }
    let mut e = Eval {
        quiet: true,
        ..Eval::default()
    };
    cx.edits(drug, &mut e);
    // Blocked for this patient by its age or sex limit, or failing the very
    // rule the claim failed.
    let same_rule = |r: &Reject| {
        requested
            .rejects
            .iter()
            .any(|q| q.rule.kind == r.rule.kind && q.rule.name == r.rule.name)
    };
    if e.rejects
        .iter()
        .any(|r| r.code.blocks_patient() || (restricts(r.code) && same_rule(r)))
    {
        return None;
    }
    let restricted = e.needs_pa || e.needs_step;
    let satisfies_step = relation == Relation::SatisfiesStep;
    if restricted && (paid || (!cheaper && !satisfies_step)) {
        return None;
    }
    let alt = offer(cx, drug, relation, tier, total, &e, requested);
    Some(Found {
        alt,
        order,
        therapy: therapy(cx, drug),
        drug,
    })
}

/// The alternative as offered: its cost for this fill and what it needs.
fn offer<'f>(
    cx: &Ctx<'f, '_>,
    drug: DrugId,
    relation: Relation,
    tier: &'f crate::compile::model::Tier,
    total: Option<Money>,
    e: &Eval,
    requested: &Requested,
) -> Alternative<'f> {
    let rx = cx.rx;
    let needs: Vec<String> = e
        .rejects
        .iter()
        .filter(|r| restricts(r.code))
        .map(|r| format!("{} {}", r.rule.kind, r.rule.name))
        .collect();
    let basis = if total.is_some() {
        Basis::PriceList
    } else {
        Basis::Unknown
    };
    let c = cost::cost(tier, rx.pharmacy, rx.days_supply, total, basis);
    let d = cx.f.drug(drug);
    let saving = |a: Option<Money>, b: Option<Money>| match (a, b) {
        (Some(a), Some(b)) => Some(Money(a.0 - b.0)),
        _ => None,
    };
    let req_cost = requested.cost;
    Alternative {
        name: &d.name,
        label: &d.label,
        kind: d.kind,
        rxcui: d.rxcui,
        relation,
        reason: Cow::Borrowed(""),
        would_pay: needs.is_empty(),
        needs,
        tier: TierInfo {
            number: tier.number,
            label: &tier.label,
        },
        patient_saving: saving(req_cost.and_then(|c| c.patient_pay), c.patient_pay),
        plan_saving: saving(req_cost.and_then(|c| c.plan_pay), c.plan_pay),
        cost: c,
        needs_pa: e.needs_pa,
        needs_step: e.needs_step,
    }
}

/// A reject an alternative would get that the prescriber or the plan must
/// act on: PA, step therapy, a denied PA. Its quantity limit is not one
/// (the quantity is the requested drug's), nor age and sex (they block).
fn restricts(code: RejectCode) -> bool {
    matches!(
        code,
        RejectCode::PriorAuthorizationRequired
            | RejectCode::PriorAuthorizationDenied
            | RejectCode::StepTherapyRequired
    )
}

/// What would pay now first; then, on a 608, what satisfies the unmet
/// step; the generic of a brand; the author's preference, the same
/// ingredient, the same class; then total cost when known, tier, products
/// before ingredients, and the graph's order.
fn rank(out: &mut [Found]) {
    out.sort_by(|a, b| {
        let key = |x: &Alternative| {
            (
                !x.would_pay,
                x.relation != Relation::SatisfiesStep,
                x.relation != Relation::GenericEquivalent,
                x.relation,
            )
        };
        key(&a.alt)
            .cmp(&key(&b.alt))
            .then_with(|| match (a.alt.cost.total, b.alt.cost.total) {
                (Some(x), Some(y)) => x.cmp(&y),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => std::cmp::Ordering::Equal,
            })
            .then_with(|| a.alt.tier.number.cmp(&b.alt.tier.number))
            .then_with(|| {
                (a.alt.kind == DrugKind::Ingredient).cmp(&(b.alt.kind == DrugKind::Ingredient))
            })
            .then_with(|| a.order.cmp(&b.order))
    });
}

/// Why an alternative is offered, in one line.
fn reason<'f>(
    cx: &Ctx<'f, '_>,
    id: DrugId,
    drug: DrugId,
    relation: Relation,
    requested: &Requested,
) -> Cow<'f, str> {
    let f = cx.f;
    match relation {
        Relation::SatisfiesStep => match requested.unmet_step {
            Some((sid, n)) => Cow::Owned(format!(
                "satisfies step {} of {}",
                n + 1,
                f.steps[sid.0 as usize].name
            )),
            None => Cow::Borrowed("satisfies the step therapy"),
        },
        Relation::GenericEquivalent => {
            Cow::Owned(format!("generic equivalent of {}", f.drug(id).label))
        }
        Relation::SameProduct => Cow::Borrowed("the same product in another package"),
        Relation::Preferred => Cow::Borrowed("the formulary's preferred alternative"),
        Relation::SameIngredient => Cow::Borrowed("same ingredient, another product"),
        Relation::SameClass => {
            let theirs = &f.resolved(drug).classes;
            match f.resolved(id).classes.iter().find(|c| theirs.contains(c)) {
                Some(c) => Cow::Owned(format!("same class: {}", f.class(*c).label)),
                None => Cow::Borrowed("same class"),
            }
        }
    }
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
