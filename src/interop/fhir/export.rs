//! A compiled formulary as a FHIR US Drug Formulary bundle.
//!
//! Each drug's status and edits are taken as in force on one date (the
//! formulary's first effective day unless another is given), resolved
//! through the hierarchy: FHIR has no classes or ingredient levels, so every
//! drug entry carries the tier and edits that apply to it. Excluded and
//! non-formulary drugs are not formulary items and are left out.

use super::{
    benefit_type, cs, ext, fhir_id, limits, sd, tier_concept, ACT_CODE, NDC_SYSTEM, PLAN_TYPE,
    RETAIL_MONTH, RXNORM,
};
use crate::codes::DateSpan;
use crate::compile::model::{ClauseKind, Formulary, Limit, PaRule, StepRule};
use chrono::NaiveDate;
use serde_json::{json, Value};

/// Options of an export.
#[derive(Debug, Clone, Default)]
pub struct ExportOptions {
    /// Status and edits in force on this date; default the formulary's first
    /// effective day (or, without one, clauses that are always in force).
    pub date: Option<NaiveDate>,
}

/// The bundle.
pub fn export(f: &Formulary, opts: &ExportOptions) -> Value {
    let date = opts.date.or(f.effective.from);
    let in_force = |p: &DateSpan| match date {
        Some(d) => p.contains(d),
        None => p.is_always(),
    };
    // Resources say when they were last changed; a fixed time keeps the
    // export reproducible, so it is the start of the day the export describes.
    let updated = format!(
        "{}T00:00:00Z",
        date.map(|d| d.to_string())
            .unwrap_or_else(|| "1970-01-01".into())
    );
    let fid = fhir_id(&f.id);
    let formulary_id = format!("Formulary{fid}");
    let mut entries = vec![formulary_plan(f, &formulary_id, &updated)];
    if !f.tiers.is_empty() {
        entries.push(super::costs::payer_plan(f, &fid, &formulary_id, &updated));
    }
    let mut items = Vec::new();
    let mut drugs = Vec::new();
    for (i, d) in f.drugs.iter().enumerate() {
        let r = &f.resolved[i];
        let Some(status) = r.status.iter().find(|s| in_force(&s.clause.period)) else {
            continue;
        };
        let ClauseKind::Tier(n) = status.clause.kind else {
            continue;
        };
        let Some(tier) = f.tier(n) else { continue };
        let key = match (d.rxcui, d.ndcs.first()) {
            (Some(r), _) => r.to_string(),
            (None, Some(n)) => n.to_string(),
            (None, None) => fhir_id(&d.name),
        };
        let drug_id = format!("FormularyDrug-{key}");
        let mut codings = Vec::new();
        if let Some(rx) = d.rxcui {
            codings.push(json!({"system": RXNORM, "code": rx.to_string(), "display": d.label}));
        }
        for n in &d.ndcs {
            codings.push(json!({"system": NDC_SYSTEM, "code": n.dashed(), "display": d.label}));
        }
        drugs.push(json!({
            "resourceType": "MedicationKnowledge",
            "id": drug_id,
            "meta": {"lastUpdated": updated, "profile": [sd("usdf-FormularyDrug")]},
            "code": {"coding": codings, "text": d.label},
            "status": "active",
        }));
        let mut pa: Vec<&PaRule> = Vec::new();
        let mut steps: Vec<&StepRule> = Vec::new();
        let mut lims: Vec<Limit> = Vec::new();
        let mut notes: Vec<String> = Vec::new();
        for e in r.edits.iter().filter(|e| in_force(&e.clause.period)) {
            match &e.clause.kind {
                ClauseKind::Pa(p) => pa.push(&f.pas[p.0 as usize]),
                ClauseKind::Step(s) => steps.push(&f.steps[s.0 as usize]),
                ClauseKind::Limit(l) => lims.push(*l),
                ClauseKind::Age { min, max } => notes.push(format!(
                    "Age limit: covered for ages {}.",
                    crate::words::age_words(*min, *max)
                )),
                ClauseKind::Sex(s) => {
                    notes.push(format!("Sex limit: covered for sex {} only.", s.as_str()))
                }
                _ => {}
            }
        }
        let mut text: Vec<String> = pa.iter().map(|p| pa_text(p)).collect();
        text.extend(steps.iter().map(|s| step_text(s)));
        if !lims.is_empty() {
            text.push(format!("Quantity limit: {}.", limits::describe(&lims)));
        }
        text.extend(notes);
        let period = intersect(&status.clause.period, &f.effective);
        let mut extension = vec![
            json!({"url": sd(ext::FORMULARY_REFERENCE), "valueReference": {"reference": format!("InsurancePlan/{formulary_id}")}}),
            json!({"url": sd(ext::AVAILABILITY_STATUS), "valueCode": "active"}),
            json!({"url": sd(ext::PHARMACY_BENEFIT_TYPE), "valueCodeableConcept": {"coding": [benefit_type(RETAIL_MONTH)]}}),
            json!({"url": sd(ext::DRUG_TIER), "valueCodeableConcept": tier_concept(tier)}),
        ];
        if period.from.is_some() || period.until.is_some() {
            let mut p = serde_json::Map::new();
            if let Some(s) = period.from {
                p.insert("start".into(), json!(s.to_string()));
            }
            if let Some(e) = period.until {
                p.insert("end".into(), json!(e.to_string()));
            }
            extension.push(json!({"url": sd(ext::AVAILABILITY_PERIOD), "valuePeriod": p}));
        }
        extension.push(json!({"url": sd(ext::PA), "valueBoolean": !pa.is_empty()}));
        extension.push(json!({"url": sd(ext::STEP), "valueBoolean": !steps.is_empty()}));
        if !steps.is_empty() {
            let new_starts = steps.iter().all(|s| s.new_starts_only);
            extension.push(json!({"url": sd(ext::STEP_NEW_STARTS), "valueBoolean": new_starts}));
        }
        extension.push(json!({"url": sd(ext::QL), "valueBoolean": !lims.is_empty()}));
        if !lims.is_empty() {
            extension.push(ql_detail(&lims));
        }
        if !text.is_empty() {
            extension
                .push(json!({"url": sd(ext::COVERAGE_INFO), "valueMarkdown": text.join("\n")}));
        }
        items.push(json!({
            "resourceType": "Basic",
            "id": format!("FormularyItem-{fid}-{key}"),
            "meta": {"lastUpdated": updated, "profile": [sd("usdf-FormularyItem")]},
            "extension": extension,
            "code": {"coding": [{"system": cs("usdf-InsuranceItemTypeCS"), "code": "formulary-item", "display": "Formulary Item"}]},
            "subject": {"reference": format!("MedicationKnowledge/{drug_id}")},
        }));
    }
    entries.extend(items);
    entries.extend(drugs);
    json!({
        "resourceType": "Bundle",
        "id": format!("Formulary-{fid}"),
        "type": "collection",
        "timestamp": updated,
        "entry": entries.into_iter().map(|r| json!({"resource": r})).collect::<Vec<_>>(),
    })
}

/// The Formulary InsurancePlan, its tiers listed (without costs) in `plan`.
fn formulary_plan(f: &Formulary, id: &str, updated: &str) -> Value {
    let mut plan = json!({
        "resourceType": "InsurancePlan",
        "id": id,
        "meta": {"versionId": fhir_id(&f.version), "lastUpdated": updated, "profile": [sd("usdf-Formulary")]},
        "identifier": [{"value": f.id}],
        "status": "active",
        "type": [{"coding": [{"system": ACT_CODE, "code": "DRUGPOL"}]}],
        "name": f.name,
        "plan": [{
            "type": {"coding": [{"system": PLAN_TYPE, "code": "drug", "display": "Drug"}]},
            "specificCost": [{
                "category": {"coding": [benefit_type(RETAIL_MONTH)]},
                "benefit": f.tiers.iter().map(|t| json!({"type": tier_concept(t)})).collect::<Vec<_>>(),
            }],
        }],
    });
    if let (Some(s), Some(e)) = (f.effective.from, f.effective.until) {
        plan["period"] = json!({"start": s.to_string(), "end": e.to_string()});
    }
    plan
}

/// Quantity limit detail: the limits in our syntax as its description, and
/// the guide's structure where a limit fits it (a rolling limit of a whole
/// quantity, a maximum daily quantity).
fn ql_detail(lims: &[Limit]) -> Value {
    let mut parts = vec![json!({"url": "Description", "valueString": limits::describe(lims)})];
    for l in lims {
        match *l {
            Limit::Quantity {
                amount,
                days,
                rolling: true,
            } if amount.fract() == 0.0 && amount >= 1.0 => parts.push(json!({
                "url": "Rolling",
                "valueTiming": {"repeat": {"count": amount as u64, "period": days, "periodUnit": "d"}},
            })),
            Limit::Daily(max) => {
                parts.push(json!({"url": "MaximumDaily", "valueQuantity": {"value": max}}))
            }
            _ => {}
        }
    }
    json!({"extension": parts, "url": sd(ext::QL_DETAIL)})
}

fn pa_text(p: &PaRule) -> String {
    let mut s = format!("Prior authorization `{}` ({})", p.name, p.label);
    if !p.approvals.is_empty() {
        let auto: Vec<String> = p
            .approvals
            .iter()
            .map(|c| crate::words::conditions_text(c, crate::words::Phrasing::Decision))
            .collect();
        s.push_str(&format!(
            ": approved automatically when {}",
            auto.join(", or ")
        ));
    }
    if !p.criteria.is_empty() {
        s.push_str(&format!("; criteria: {}", p.criteria.join(" ")));
    }
    if let Some(d) = p.duration_days {
        s.push_str(&format!("; an approval lasts {d} days"));
    }
    if !s.ends_with('.') {
        s.push('.');
    }
    s
}

fn step_text(s: &StepRule) -> String {
    let steps: Vec<String> = s
        .steps
        .iter()
        .map(|st| {
            let mut t = format!("tried any {} of {}", st.count, st.set_names.join(", "));
            if st.min_days > 1 {
                t.push_str(&format!(" for {} days", st.min_days));
            }
            t.push_str(&format!(" within {} days", st.within_days));
            t
        })
        .collect();
    let mut text = format!(
        "Step therapy `{}` ({}): {}",
        s.name,
        s.label,
        steps.join(", then ")
    );
    if !s.unless.is_empty() {
        let codes: Vec<&str> = s.unless.iter().map(|p| p.written.as_str()).collect();
        text.push_str(&format!("; unless diagnosis {}", codes.join(", ")));
    }
    if s.new_starts_only {
        text.push_str("; new starts only");
    }
    text.push('.');
    text
}

fn intersect(a: &DateSpan, b: &DateSpan) -> DateSpan {
    let from = match (a.from, b.from) {
        (Some(x), Some(y)) => Some(x.max(y)),
        (x, y) => x.or(y),
    };
    let until = match (a.until, b.until) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, y) => x.or(y),
    };
    DateSpan { from, until }
}
