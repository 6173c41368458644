//! Tier cost shares in a bundle: a payer `InsurancePlan` whose coverage
//! points at the formulary and whose `plan.specificCost` gives, per pharmacy
//! benefit type, each tier's copay or coinsurance (the shape of the guide's
//! payer plan example).
//!
//! Retail for a month is the tier's cost share, mail for a month its `for
//! mail` variant, retail for three months its `for 90 days` variant (an
//! extended supply from another number of days is written as three months).
//! The guide has no place for a coinsurance minimum or maximum, or for the
//! preferred and specialty flags: those are not carried.

use super::{
    benefit_type, cs, ext, sd, tier_concept, COST_TYPE_CS, MAIL_MONTH, PLAN_TYPE, RETAIL_3_MONTHS,
    RETAIL_MONTH, UCUM,
};
use crate::codes::Money;
use crate::compile::model::{format_bp, CostShare, Formulary};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// The payer plan with every tier's cost shares.
pub(super) fn payer_plan(f: &Formulary, fid: &str, formulary_id: &str, updated: &str) -> Value {
    let categories = [RETAIL_MONTH, MAIL_MONTH, RETAIL_3_MONTHS];
    let mut specific = Vec::new();
    for cat in categories {
        let benefits: Vec<Value> = f
            .tiers
            .iter()
            .filter_map(|t| {
                let share = match cat.0 {
                    "1-month-in-mail" => t.mail?,
                    "3-month-in-retail" => t.extended?.1,
                    _ => t.share,
                };
                Some(json!({"type": tier_concept(t), "cost": [cost(share)]}))
            })
            .collect();
        if !benefits.is_empty() {
            specific.push(json!({
                "category": {"coding": [benefit_type(cat)]},
                "benefit": benefits,
            }));
        }
    }
    let mut plan = json!({
        "resourceType": "InsurancePlan",
        "id": format!("PayerPlan-{fid}"),
        "meta": {"lastUpdated": updated, "profile": [sd("usdf-PayerInsurancePlan")]},
        "identifier": [{"value": f.id}],
        "status": "active",
        // The product type (Medicare Advantage, commercial, ...) is not in a
        // formulary: the concept says what the plan is, without a code.
        "type": [{"text": "Pharmacy benefit"}],
        "name": f.name,
        "coverage": [{
            "extension": [{"url": sd(ext::FORMULARY_REFERENCE), "valueReference": {"reference": format!("InsurancePlan/{formulary_id}")}}],
            "type": {"coding": [{"system": super::ACT_CODE, "code": "DRUGPOL"}]},
            "benefit": [{"type": {"coding": [{"system": PLAN_TYPE, "code": "drug", "display": "Drug"}]}}],
        }],
        "plan": [{
            "type": {"coding": [{"system": PLAN_TYPE, "code": "drug", "display": "Drug"}]},
            "specificCost": specific,
        }],
    });
    if let (Some(s), Some(e)) = (f.effective.from, f.effective.until) {
        plan["period"] = json!({"start": s.to_string(), "end": e.to_string()});
    }
    plan
}

fn cost(share: CostShare) -> Value {
    match share {
        CostShare::Copay(m) => json!({
            "type": {"coding": [{"system": cs(COST_TYPE_CS), "code": "copay", "display": "Copay"}]},
            "value": {"value": dollars(m), "unit": "$", "system": "urn:iso:std:iso:4217", "code": "USD"},
        }),
        CostShare::Coinsurance { bp, .. } => json!({
            "type": {"coding": [{"system": cs(COST_TYPE_CS), "code": "coinsurance", "display": "Coinsurance"}]},
            "value": {"value": percent(bp), "system": UCUM, "code": "%"},
        }),
    }
}

/// Whole dollars as an integer, else a decimal.
fn dollars(m: Money) -> Value {
    if m.0 % 100 == 0 {
        json!(m.0 / 100)
    } else {
        json!(m.0 as f64 / 100.0)
    }
}

fn percent(bp: u32) -> Value {
    if bp.is_multiple_of(100) {
        json!(bp / 100)
    } else {
        json!(bp as f64 / 100.0)
    }
}

/// Each tier code's cost share as source (`copay $5, copay $10 for mail`),
/// from the first payer plan (by id) that points at `formulary`. Also the
/// id of that plan.
pub(super) fn tier_costs<'b>(
    payer_plans: impl Iterator<Item = &'b Value>,
    formulary: &str,
) -> Option<(String, BTreeMap<String, String>)> {
    let url = sd(ext::FORMULARY_REFERENCE);
    let mut mine: Vec<&Value> = payer_plans
        .filter(|p| {
            p["coverage"].as_array().into_iter().flatten().any(|c| {
                c["extension"].as_array().into_iter().flatten().any(|e| {
                    e["url"] == url.as_str() && e["valueReference"]["reference"] == formulary
                })
            })
        })
        .collect();
    mine.sort_by_key(|p| p["id"].as_str().unwrap_or(""));
    let plan = mine.first()?;
    let mut by_code: BTreeMap<String, [Option<String>; 3]> = BTreeMap::new();
    for sc in plan["plan"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|p| p["specificCost"].as_array().into_iter().flatten())
    {
        let category = sc["category"]["coding"][0]["code"].as_str().unwrap_or("");
        let slot = match category {
            c if c == RETAIL_MONTH.0 => 0,
            c if c == MAIL_MONTH.0 => 1,
            c if c == RETAIL_3_MONTHS.0 => 2,
            _ => continue,
        };
        for b in sc["benefit"].as_array().into_iter().flatten() {
            let Some(code) = b["type"]["coding"][0]["code"].as_str() else {
                continue;
            };
            if let Some(share) = b["cost"]
                .as_array()
                .into_iter()
                .flatten()
                .find_map(share_source)
            {
                by_code.entry(code.to_string()).or_default()[slot].get_or_insert(share);
            }
        }
    }
    let costs = by_code
        .into_iter()
        .filter_map(|(code, [retail, mail, months])| {
            let mut s = retail?;
            if let Some(m) = mail {
                s.push_str(&format!(", {m} for mail"));
            }
            if let Some(m) = months {
                s.push_str(&format!(", {m} for 90 days"));
            }
            Some((code, s))
        })
        .collect();
    Some((plan["id"].as_str().unwrap_or("").to_string(), costs))
}

/// A cost as source, `copay $12.50` or `coinsurance 25%`, when it is one
/// the language can write.
fn share_source(c: &Value) -> Option<String> {
    let kind = c["type"]["coding"][0]["code"].as_str()?;
    let value = c["value"]["value"]
        .as_f64()
        .filter(|v| v.is_finite() && (0.0..=1_000_000.0).contains(v))?;
    match kind {
        "copay" => {
            let cents = (value * 100.0).round() as i64;
            Some(if cents % 100 == 0 {
                format!("copay ${}", cents / 100)
            } else {
                format!("copay ${}.{:02}", cents / 100, cents % 100)
            })
        }
        "coinsurance" if value <= 100.0 => {
            let bp = (value * 100.0).round() as u32;
            Some(format!("coinsurance {}%", format_bp(bp)))
        }
        _ => None,
    }
}
