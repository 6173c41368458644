//! A FHIR US Drug Formulary bundle read back as formulary source: one
//! [`Draft`] per Formulary `InsurancePlan` in the bundle.
//!
//! Each formulary item becomes a product named after its code (`rxcui-N`,
//! or `ndc-N` for a drug known only by NDC) with its tier and edits:
//! prior authorization becomes a PA rule per distinct criteria text (named
//! as in the text when it is ours), step therapy a rule met by earlier
//! therapy with the drug itself (FHIR carries no prerequisites), quantity
//! limits come from the detail's description when it is in our syntax, else
//! from the guide's Rolling, MaximumDaily and DaysSupply parts. What cannot
//! be enforced is kept as a comment on the drug. Tier numbers come from the
//! tier concept's text (`Tier 2`), else in order of first appearance.

use super::{ext, limits, sd, NDC_SYSTEM, RXNORM};
use crate::codes::{parse_date, parse_rxcui, Ndc};
use crate::interop::source::{ident, is_token, Draft, DraftDrug, DraftPa, DraftStep, DraftTier};
use crate::interop::{ImportError, RowError};
use serde_json::Value;
use std::collections::BTreeMap;

/// Reads a bundle. `file` names it in messages and comments.
pub fn import(file: &str, text: &str) -> Result<Vec<Draft>, ImportError> {
    let fail = |line: u64, message: String| {
        ImportError::one(RowError {
            file: file.to_string(),
            line,
            column: None,
            message,
        })
    };
    let bundle: Value =
        serde_json::from_str(text).map_err(|e| fail(e.line() as u64, e.to_string()))?;
    if bundle["resourceType"] != "Bundle" {
        return Err(fail(
            0,
            "not a FHIR Bundle (resourceType is not \"Bundle\")".into(),
        ));
    }
    let resources: Vec<(String, &Value)> = bundle["entry"]
        .as_array()
        .map(|a| {
            a.iter()
                .enumerate()
                .map(|(i, e)| (format!("entry[{i}].resource"), &e["resource"]))
                .collect()
        })
        .unwrap_or_default();
    let of_type = |t: &'static str| {
        resources
            .iter()
            .filter(move |(_, r)| r["resourceType"] == t)
    };
    let formularies: Vec<&(String, &Value)> = of_type("InsurancePlan")
        .filter(|(_, r)| is_formulary(r))
        .collect();
    let payers: Vec<&Value> = of_type("InsurancePlan")
        .filter(|(_, r)| !is_formulary(r))
        .map(|(_, r)| *r)
        .collect();
    if formularies.is_empty() {
        return Err(fail(
            0,
            "the bundle has no Formulary InsurancePlan (type DRUGPOL)".into(),
        ));
    }
    let drugs: BTreeMap<String, (&String, &Value)> = of_type("MedicationKnowledge")
        .filter_map(|(p, r)| {
            r["id"]
                .as_str()
                .map(|id| (format!("MedicationKnowledge/{id}"), (p, *r)))
        })
        .collect();
    let items: Vec<&(String, &Value)> = of_type("Basic").collect();
    let mut drafts = Vec::new();
    for (_, plan) in &formularies {
        let reference = format!("InsurancePlan/{}", plan["id"].as_str().unwrap_or(""));
        let mine: Vec<(&String, &Value)> = items
            .iter()
            .filter(|(_, it)| {
                extension(it, ext::FORMULARY_REFERENCE)
                    .and_then(|e| e["valueReference"]["reference"].as_str())
                    .map_or(formularies.len() == 1, |r| r == reference)
            })
            .map(|(p, it)| (p, *it))
            .collect();
        drafts.push(
            draft(file, plan, &mine, &drugs, &payers)
                .map_err(|(path, msg)| fail(0, format!("{path}: {msg}")))?,
        );
    }
    drafts.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(drafts)
}

type Fault = (String, String);

fn is_formulary(r: &Value) -> bool {
    let drugpol = r["type"]
        .as_array()
        .is_some_and(|ts| ts.iter().any(|t| codes(t).any(|(_, c)| c == "DRUGPOL")));
    let profiled = r["meta"]["profile"]
        .as_array()
        .is_some_and(|ps| ps.iter().any(|p| p.as_str() == Some(&sd("usdf-Formulary"))));
    drugpol || profiled
}

/// (system, code) of each coding of a CodeableConcept.
fn codes(concept: &Value) -> impl Iterator<Item = (&str, &str)> {
    concept["coding"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| Some((c["system"].as_str().unwrap_or(""), c["code"].as_str()?)))
}

fn extension<'v>(r: &'v Value, name: &str) -> Option<&'v Value> {
    let url = sd(name);
    r["extension"]
        .as_array()?
        .iter()
        .find(|e| e["url"] == url.as_str())
}

fn flag(r: &Value, name: &str) -> Option<bool> {
    extension(r, name).and_then(|e| e["valueBoolean"].as_bool())
}

/// A tier as found: its number if the text gives one, its code and label.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct TierKey {
    number: Option<u32>,
    code: String,
    label: String,
}

fn tier_key(concept: &Value) -> Option<TierKey> {
    let (_, code) = codes(concept).next()?;
    let label = concept["coding"][0]["display"]
        .as_str()
        .unwrap_or(code)
        .to_string();
    let number = concept["text"]
        .as_str()
        .and_then(|t| t.strip_prefix("Tier ").or_else(|| t.strip_prefix("tier ")))
        .and_then(|n| n.trim().parse::<u32>().ok())
        .filter(|n| *n > 0);
    Some(TierKey {
        number,
        code: code.to_string(),
        label,
    })
}

fn draft(
    file: &str,
    plan: &Value,
    items: &[(&String, &Value)],
    drugs: &BTreeMap<String, (&String, &Value)>,
    payers: &[&Value],
) -> Result<Draft, Fault> {
    let plan_id = plan["id"].as_str().unwrap_or("formulary");
    let costs =
        super::costs::tier_costs(payers.iter().copied(), &format!("InsurancePlan/{plan_id}"));
    let id = plan["identifier"][0]["value"]
        .as_str()
        .filter(|s| is_token(s))
        .unwrap_or(plan_id);
    let id = if is_token(id) {
        id.to_string()
    } else {
        ident(id, "formulary")
    };
    let version = plan["meta"]["versionId"]
        .as_str()
        .filter(|v| is_token(v))
        .unwrap_or("1");
    let period = |k: &str| plan["period"][k].as_str().and_then(parse_date);
    // Tiers: those the plan lists, then those items use, numbered.
    let mut keys: Vec<TierKey> = Vec::new();
    let listed = plan["plan"][0]["specificCost"][0]["benefit"]
        .as_array()
        .into_iter()
        .flatten();
    for t in listed.filter_map(|b| tier_key(&b["type"])) {
        if !keys.iter().any(|k| k.code == t.code) {
            keys.push(t);
        }
    }
    let mut out = Draft {
        preamble: vec![
            format!("Imported from the FHIR US Drug Formulary bundle {file}, formulary {plan_id}."),
            "Drugs are listed flat, each with the tier and edits the bundle gives it.".into(),
        ],
        name: plan["name"].as_str().unwrap_or(&id).to_string(),
        id,
        version: version.to_string(),
        effective: period("start").zip(period("end")).filter(|(a, b)| a <= b),
        tier_comment: match &costs {
            Some((payer, _)) => vec![
                format!("Cost shares are those the bundle's payer plan {payer} gives each tier;"),
                "a coinsurance minimum or maximum and the preferred and specialty flags are".into(),
                "not in a bundle. A tier without a cost there is `copay $0`, a placeholder.".into(),
            ],
            None => vec![
                "The bundle gives no cost share per tier: every tier is `copay $0`, a".into(),
                "placeholder to replace with the plan's cost shares before pricing.".into(),
            ],
        },
        step_comment: vec![
            "FHIR says only that a drug has step therapy, not what must come first: each".into(),
            "rule here is met by earlier therapy with the drug itself, or by an exception".into(),
            "on file naming the rule. Its label keeps the bundle's text.".into(),
        ],
        ..Draft::default()
    };
    let mut pa_by_text: BTreeMap<String, String> = BTreeMap::new();
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    let mut rows: Vec<(DraftDrug, Option<DraftStep>, String)> = Vec::new();
    for (path, item) in items {
        let (drug, step, tier) = item_draft(path, item, drugs, &mut pa_by_text)?;
        if let Some(other) = names.insert(drug.name.clone(), path.to_string()) {
            let msg = format!(
                "a second formulary item for {} (the first is {other})",
                drug.name
            );
            return Err((path.to_string(), msg));
        }
        if !keys.iter().any(|k| k.code == tier.code) {
            keys.push(tier.clone());
        }
        rows.push((drug, step, tier.code));
    }
    let numbers = number_tiers(&keys);
    out.tiers = keys
        .iter()
        .map(|k| DraftTier {
            number: numbers[&k.code],
            label: k.label.clone(),
            cost: costs
                .as_ref()
                .and_then(|(_, c)| c.get(&k.code).cloned())
                .unwrap_or_else(|| "copay $0".into()),
        })
        .collect();
    out.tiers.sort_by_key(|t| t.number);
    rows.sort_by(|a, b| (a.0.rxcui, &a.0.ndcs).cmp(&(b.0.rxcui, &b.0.ndcs)));
    for (mut drug, step, code) in rows {
        drug.tier = numbers[&code];
        out.drugs.push(drug);
        out.steps.extend(step);
    }
    let mut used: Vec<String> = Vec::new();
    let mut pas: Vec<(String, String)> = pa_by_text.into_iter().map(|(t, n)| (n, t)).collect();
    pas.sort_by_key(|(n, _)| n[3..].parse::<usize>().unwrap_or(0));
    let mut renames: BTreeMap<String, String> = BTreeMap::new();
    for (n, text) in pas {
        // Our own export names the rule: keep that name when it is free.
        let named = text
            .strip_prefix("Prior authorization `")
            .and_then(|r| r.split_once('`'))
            .map(|(name, _)| name.to_string())
            .filter(|name| ident(name, "pa") == *name && !used.contains(name));
        let label = named
            .as_ref()
            .and_then(|_| text.split_once("` ("))
            .and_then(|(_, rest)| parenthesised(rest))
            .unwrap_or("Prior authorization required")
            .to_string();
        let name = named.unwrap_or_else(|| n.clone());
        used.push(name.clone());
        renames.insert(n, name.clone());
        out.pas.push(DraftPa {
            comment: Vec::new(),
            name,
            label,
            criteria: vec![text],
        });
    }
    if let Some(first) = out.pas.first_mut() {
        first.comment = vec![
            "Each rule's criteria are the bundle's text; nothing is approved automatically.".into(),
        ];
    }
    for d in &mut out.drugs {
        if let Some(p) = d.pa.as_mut() {
            if let Some(n) = renames.get(p) {
                *p = n.clone();
            }
        }
    }
    Ok(out)
}

/// The text before the `)` that closes an already opened `(`.
fn parenthesised(rest: &str) -> Option<&str> {
    let mut depth = 1;
    for (i, c) in rest.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return Some(&rest[..i]);
                }
            }
            _ => {}
        }
    }
    None
}

/// One formulary item: its drug, its step rule if any, and its tier.
fn item_draft(
    path: &str,
    item: &Value,
    drugs: &BTreeMap<String, (&String, &Value)>,
    pa_by_text: &mut BTreeMap<String, String>,
) -> Result<(DraftDrug, Option<DraftStep>, TierKey), Fault> {
    let fault = |m: String| (path.to_string(), m);
    let subject = item["subject"]["reference"]
        .as_str()
        .ok_or_else(|| fault("no subject".into()))?;
    let (dpath, drug) = drugs
        .get(subject)
        .ok_or_else(|| fault(format!("subject {subject} is not in the bundle")))?;
    let dfault = |m: String| (dpath.to_string(), m);
    let mut rxcui = None;
    let mut ndcs = Vec::new();
    for (system, code) in codes(&drug["code"]) {
        if system == RXNORM && rxcui.is_none() {
            rxcui = Some(parse_rxcui(code).map_err(|e| dfault(format!("RxCUI `{code}`: {e}")))?);
        } else if system == NDC_SYSTEM {
            ndcs.push(Ndc::parse(code).map_err(|e| dfault(format!("NDC `{code}`: {e}")))?);
        }
    }
    ndcs.sort_unstable();
    ndcs.dedup();
    let name = match (rxcui, ndcs.first()) {
        (Some(r), _) => format!("rxcui-{r}"),
        (None, Some(n)) => format!("ndc-{n}"),
        (None, None) => return Err(dfault("no RxNorm or NDC code".into())),
    };
    let tier = extension(item, ext::DRUG_TIER)
        .and_then(|e| tier_key(&e["valueCodeableConcept"]))
        .ok_or_else(|| fault("no drug tier".into()))?;
    let info = extension(item, ext::COVERAGE_INFO)
        .and_then(|e| e["valueMarkdown"].as_str())
        .unwrap_or("");
    let lines: Vec<&str> = info
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let starts = |l: &str, p: &str| l.to_ascii_lowercase().starts_with(p);
    let mut notes: Vec<String> = lines
        .iter()
        .filter(|l| {
            !starts(l, "prior authorization")
                && !starts(l, "step therapy")
                && !starts(l, "quantity limit")
        })
        .map(|l| l.to_string())
        .collect();
    let pa = if flag(item, ext::PA) == Some(true) {
        let text: Vec<&str> = lines
            .iter()
            .copied()
            .filter(|l| starts(l, "prior authorization"))
            .collect();
        let text = if text.is_empty() {
            "Prior authorization required (the bundle gives no criteria).".to_string()
        } else {
            text.join(" ")
        };
        if flag(item, ext::PA_NEW_STARTS) == Some(true) {
            notes.push("The bundle limits prior authorization to new starts; here it applies to every fill.".into());
        }
        let n = pa_by_text.len() + 1;
        Some(
            pa_by_text
                .entry(text)
                .or_insert_with(|| format!("pa-{n}"))
                .clone(),
        )
    } else {
        None
    };
    let step = (flag(item, ext::STEP) == Some(true)).then(|| DraftStep {
        name: format!("st-{name}"),
        label: lines
            .iter()
            .find(|l| starts(l, "step therapy"))
            .map(|l| l.to_string())
            .unwrap_or_else(|| {
                format!("Step therapy for {name} (prerequisites not given in the bundle)")
            }),
        drug: name.clone(),
        within_days: crate::interop::STEP_LOOKBACK_DAYS,
        new_starts_only: flag(item, ext::STEP_NEW_STARTS).unwrap_or(true),
    });
    let lims = if flag(item, ext::QL) == Some(true) {
        let found = extension(item, ext::QL_DETAIL)
            .map(quantity_limits)
            .unwrap_or_default();
        if found.is_empty() {
            notes.push(
                "The bundle flags a quantity limit without its amount; none is enforced.".into(),
            );
        }
        found
    } else {
        Vec::new()
    };
    let label = drug["code"]["text"]
        .as_str()
        .or_else(|| drug["code"]["coding"][0]["display"].as_str())
        .filter(|l| !l.is_empty() && *l != name)
        .map(str::to_string);
    let d = DraftDrug {
        comment: (!notes.is_empty()).then(|| notes.join(" ")),
        name: name.clone(),
        label,
        rxcui,
        ndcs,
        tier: 0,
        limits: lims,
        pa,
        step: step.as_ref().map(|s| s.name.clone()),
    };
    Ok((d, step, tier))
}

/// Limits from a quantity limit detail: its description when it is in our
/// syntax, else the guide's structured parts.
fn quantity_limits(detail: &Value) -> Vec<String> {
    let parts = detail["extension"].as_array().cloned().unwrap_or_default();
    let part = |url: &str| parts.iter().find(|p| p["url"] == url);
    if let Some(found) = part("Description")
        .and_then(|d| d["valueString"].as_str())
        .and_then(limits::parse)
    {
        return found;
    }
    let mut out = Vec::new();
    let whole = |v: &Value| v.as_u64().filter(|n| *n > 0 && *n < 1_000_000_000);
    if let Some(r) = part("Rolling").map(|p| &p["valueTiming"]["repeat"]) {
        if let (Some(c), Some(p)) = (whole(&r["count"]), whole(&r["period"])) {
            out.push(format!("{c} per {p} days rolling"));
        }
    }
    if let Some(v) = part("MaximumDaily").and_then(|p| p["valueQuantity"]["value"].as_f64()) {
        if let Some(v) = crate::interop::source::decimal(v) {
            out.push(format!("{v} per day"));
        }
    }
    if let Some(r) = part("DaysSupply").map(|p| &p["valueTiming"]["repeat"]) {
        if let (Some(c), Some(p)) = (whole(&r["count"]), whole(&r["period"])) {
            out.push(format!(
                "{c} {} per {p} days",
                if c == 1 { "fill" } else { "fills" }
            ));
        }
    }
    out
}

/// Numbers for tier codes: the number a tier's text gives, else the lowest
/// number not yet taken, in order of first appearance.
fn number_tiers(keys: &[TierKey]) -> BTreeMap<String, u32> {
    let mut out: BTreeMap<String, u32> = BTreeMap::new();
    let mut taken: Vec<u32> = Vec::new();
    for k in keys {
        if let Some(n) = k.number.filter(|n| !taken.contains(n)) {
            taken.push(n);
            out.insert(k.code.clone(), n);
        }
    }
    for k in keys {
        if !out.contains_key(&k.code) {
            let n = (1..).find(|n| !taken.contains(n)).unwrap_or(1);
            taken.push(n);
            out.insert(k.code.clone(), n);
        }
    }
    out
}
