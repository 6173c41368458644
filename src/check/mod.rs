//! Stage 3: checking a prescription against a compiled formulary.
//!
//! [`check`] resolves the submitted drug, applies its coverage status and
//! every edit in force, refill too soon and the transition policy, prices
//! the fill and looks for cheaper or less restricted alternatives. The
//! result is a [`Decision`]; nothing here fails or panics on any input that
//! [`Prescription::from_str`] accepted.

mod alternatives;
mod benefit;
mod builder;
mod cost;
mod decision;
mod eval;
mod input;
pub mod lines;
mod reject;
mod render;

pub use builder::PrescriptionBuilder;
pub use decision::*;
pub use input::{
    AccumulatorsIn, FamilyIn, Fill, InputError, PaOnFile, PaStatus, Patient, PaymentPlanIn,
    PharmacyKind, Prescription, MAX_NESTING, MAX_PRESCRIPTION,
};
pub use reject::RejectCode;
pub use render::{relation_words, render_human};

use crate::compile::model::{DrugId, Formulary};
use eval::{Ctx, Eval, HistFill};
use std::borrow::Cow;

/// Checks one prescription.
pub fn check<'f>(f: &'f Formulary, rx: &Prescription) -> Decision<'f> {
    let drug = match (rx.ndc, rx.rxcui) {
        (Some(n), _) => f.drug_by_ndc(&n),
        (None, Some(r)) => f.drug_by_rxcui(r),
        _ => None,
    };
    let mut d = Decision {
        status: decision::Status::Rejected,
        date: rx.date,
        drug: drug.map(|id| drug_info(f, id)),
        submitted: Submitted {
            ndc: rx.ndc,
            rxcui: rx.rxcui,
        },
        tier: None,
        cost: None,
        benefit: None,
        rejects: Vec::new(),
        messages: Vec::new(),
        alternatives: Vec::new(),
        trace: Vec::new(),
        formulary: FormularyRef {
            id: &f.id,
            version: &f.version,
            hash: &f.hash,
        },
    };
    let formulary_rule = || RuleRef::new("formulary", f.id.as_str(), &f.origin, None);
    if !f.effective.contains(rx.date) {
        d.rejects.push(Reject {
            code: RejectCode::NotCovered,
            message: format!(
                "the date of service is outside this formulary's effective period ({})",
                f.effective
            ),
            rule: formulary_rule(),
        });
        return d;
    }
    let Some(id) = drug else {
        let code = match (rx.ndc, rx.rxcui) {
            (Some(n), _) => format!("NDC {}", n.dashed()),
            (_, Some(r)) => format!("RxCUI {r}"),
            _ => "the drug".to_string(),
        };
        d.rejects.push(Reject {
            code: RejectCode::NotOnFormulary,
            message: format!("{code} is not on this formulary"),
            rule: formulary_rule(),
        });
        return d;
    };

    let cx = context(f, rx);
    let mut e = Eval {
        trace: Vec::with_capacity(8),
        ..Eval::default()
    };
    cx.status(id, &mut e);
    if !e.excluded {
        cx.edits(id, &mut e);
        cx.refill(id, &mut e);
    }
    let mut tier = e.tier;
    if !e.rejects.is_empty() {
        tier = transition(&cx, id, &mut e).or(tier);
    }
    let Eval {
        rejects,
        mut messages,
        trace,
        unmet_step,
        ..
    } = e;
    d.rejects = rejects;
    d.trace = trace;
    if d.rejects.is_empty() {
        d.status = decision::Status::Paid;
    } else if let Some(p) = f
        .transition
        .as_ref()
        .filter(|_| part_d(f) && d.rejects.iter().any(|r| r.code.transition_may_override()))
    {
        messages.push(Message {
            code: Some("569"),
            text: "Medicare Part D: give the patient the notice of coverage rights and appeals"
                .to_string(),
            rule: RuleRef::new("transition fill", "notice", &p.origin, None),
        });
    }
    if let Some(t) = tier.and_then(|n| f.tier(n)) {
        d.tier = Some(TierInfo {
            number: t.number,
            label: &t.label,
        });
        let (total, basis) = cost::requested_total(f, id, rx);
        let mut c = cost::cost(t, rx.pharmacy, rx.days_supply, total, basis);
        d.benefit = benefit::apply(f, &f.benefit, id, t, rx, &mut c, &mut messages);
        d.cost = Some(c);
        if t.specialty && rx.pharmacy != Some(PharmacyKind::Specialty) {
            messages.push(Message {
                code: None,
                text: format!(
                    "tier {} is a specialty tier: dispense through a specialty pharmacy",
                    t.number
                ),
                rule: RuleRef::new("tier", format!("tier {}", t.number), &t.origin, None),
            });
        }
    }
    let brand = f.drug(id);
    if let Some(generic) = brand.brand_of.filter(|_| rx.daw == 2) {
        messages.push(Message {
            code: None,
            text: "patient requested the brand (DAW 2) although a generic equivalent exists"
                .to_string(),
            rule: RuleRef::new(
                "brand of",
                f.drug(generic).name.as_str(),
                &brand.origin,
                None,
            ),
        });
    }
    d.messages = messages;
    let requested = alternatives::Requested::new(
        d.tier.map(|t| t.number),
        d.cost.as_ref(),
        &d.rejects,
        unmet_step,
    );
    d.alternatives = alternatives::find(&cx, id, &requested);
    d
}

fn context<'f, 'r>(f: &'f Formulary, rx: &'r Prescription) -> Ctx<'f, 'r> {
    let resolve = |ndc: Option<crate::codes::Ndc>, rxcui: Option<u32>| match (ndc, rxcui) {
        (Some(n), _) => f.drug_by_ndc(&n),
        (None, Some(r)) => f.drug_by_rxcui(r),
        _ => None,
    };
    Ctx {
        f,
        rx,
        age: rx.age(),
        history: rx
            .history
            .iter()
            .map(|h| HistFill {
                drug: resolve(h.ndc, h.rxcui),
                date: h.date,
                days: h.days_supply,
                qty: h.quantity,
            })
            .collect(),
        pa_drugs: rx
            .prior_authorizations
            .iter()
            .map(|p| resolve(p.ndc, p.rxcui))
            .collect(),
    }
}

fn drug_info(f: &Formulary, id: DrugId) -> DrugInfo<'_> {
    let d = f.drug(id);
    let r = f.resolved(id);
    let rxcui = d.rxcui.or_else(|| r.product.and_then(|p| f.drug(p).rxcui));
    let brand_of = r
        .product
        .and_then(|p| f.drug(p).brand_of)
        .map(|g| f.drug(g).name.as_str());
    DrugInfo {
        name: &d.name,
        label: &d.label,
        kind: d.kind,
        rxcui,
        ingredients: r
            .ingredients
            .iter()
            .map(|i| f.drug(*i).name.as_str())
            .collect(),
        classes: r
            .classes
            .iter()
            .map(|c| f.class(*c).name.as_str())
            .collect(),
        brand_of,
    }
}

/// True for a Medicare Part D plan, whose transition fills and the rejects
/// they could override carry notice 569.
fn part_d(f: &Formulary) -> bool {
    f.benefit.plan == crate::benefit::PlanType::MedicarePartD
}

/// Applies the transition policy. Returns the tier to charge when a fill of
/// a non-formulary drug is paid under it.
fn transition<'f>(cx: &Ctx<'f, '_>, id: DrugId, e: &mut Eval<'f>) -> Option<u32> {
    let f = cx.f;
    let policy = f.transition.as_ref()?;
    let enrolled = cx.rx.patient.enrolled?;
    let rule = || {
        RuleRef::new(
            "transition fill",
            format!("{} days after enrollment", policy.window_days),
            &policy.origin,
            None,
        )
    };
    let days_in = (cx.rx.date - enrolled).num_days();
    if e.excluded || days_in < 0 || days_in >= policy.window_days as i64 {
        return None;
    }
    if !e.rejects.iter().all(|r| r.code.transition_may_override()) {
        return None;
    }
    // The transition supply is one-time: earlier fills of the same
    // ingredient since enrollment used it up.
    let used: u32 = cx.therapy_fills_since(id, enrolled).map(|h| h.days).sum();
    let left = policy.supply_days.saturating_sub(used);
    if left == 0 {
        e.messages.push(Message {
            code: None,
            text: format!(
                "transition supply already used: {used} days filled since enrollment on {enrolled}"
            ),
            rule: rule(),
        });
        return None;
    }
    if cx.rx.days_supply > left {
        e.messages.push(Message {
            code: part_d(f).then_some("569"),
            text: format!(
                "a transition fill of up to {left} days supply would be paid (day {} of the {}-day transition period)",
                days_in + 1,
                policy.window_days
            ),
            rule: rule(),
        });
        return None;
    }
    let overridden: Vec<String> = e
        .rejects
        .iter()
        .map(|r| format!("{} {}", r.code, r.rule.kind))
        .collect();
    for r in e.rejects.drain(..) {
        e.trace.push(TraceStep {
            rule: r.rule,
            result: Outcome::Overridden,
            detail: Cow::Owned(format!("{} overridden by transition fill", r.code)),
        });
    }
    let notice = if part_d(f) {
        "; give the patient the transition notice"
    } else {
        ""
    };
    e.messages.push(Message {
        code: part_d(f).then_some("569"),
        text: format!(
            "transition fill: paid for day {} of the {}-day transition period, overriding {}{notice}",
            days_in + 1,
            policy.window_days,
            overridden.join(", ")
        ),
        rule: rule(),
    });
    e.trace.push(TraceStep {
        rule: rule(),
        result: Outcome::Pass,
        detail: Cow::Borrowed("transition fill granted"),
    });
    // A non-formulary drug has no tier: charge the highest non-specialty tier.
    e.tier.or_else(|| {
        f.tiers
            .iter()
            .rev()
            .find(|t| !t.specialty)
            .map(|t| t.number)
    })
}
