//! Drafting one CMS formulary's source from its checked rows: the header
//! (named after its plans), tiers with a placeholder cost share, the PA rule,
//! one product per RxCUI, and a continuation step rule per ST-flagged drug,
//! each choice explained in a generated comment.

use super::{Group, Options, Row, PA_RULE, STEP_LOOKBACK_DAYS};
use crate::codes::Ndc;
use crate::interop::source::{decimal, Draft, DraftDrug, DraftPa, DraftStep, DraftTier};
use chrono::NaiveDate;

/// The draft of one formulary. `file` names the input in the comments.
pub(super) fn write(file: &str, g: &Group, opts: Options<'_>) -> Draft {
    // Rows are merged and sorted: consecutive rows of one RxCUI differ only by NDC.
    let mut drugs: Vec<(Row, Vec<Ndc>)> = Vec::new();
    for r in &g.rows {
        match drugs.last_mut() {
            Some((first, ndcs)) if first.rxcui == r.rxcui => ndcs.extend(r.ndc),
            _ => drugs.push((*r, r.ndc.into_iter().collect())),
        }
    }
    let plans = opts.plans.and_then(|p| p.plans(&g.id));
    let name = match plans.map(|p| p.iter().collect::<Vec<_>>()).as_deref() {
        Some([one]) => format!("{} ({})", one.name, one.code()),
        Some([first, rest @ ..]) => format!(
            "{} ({}) and {} more plan{}",
            first.name,
            first.code(),
            rest.len(),
            if rest.len() == 1 { "" } else { "s" }
        ),
        _ => format!("CMS Part D formulary {}", g.id),
    };
    let mut preamble = vec![
        format!("Imported from the CMS Part D basic drugs formulary file {file}:"),
        format!(
            "formulary {}, version {}, contract year {}, {} drugs.",
            g.id,
            g.version,
            g.year,
            drugs.len()
        ),
    ];
    if let Some(plans) = plans {
        preamble.push("Plans that use it:".into());
        preamble.extend(plans.iter().map(|p| format!("  {} {}", p.code(), p.name)));
    }
    let mut tiers: Vec<u32> = drugs.iter().map(|(r, _)| r.tier).collect();
    tiers.sort_unstable();
    tiers.dedup();
    let any_pa = drugs.iter().any(|(r, _)| r.pa);
    let mut out = Draft {
        preamble,
        name,
        id: g.id.clone(),
        version: g.version.clone(),
        effective: NaiveDate::from_ymd_opt(g.year, 1, 1).zip(NaiveDate::from_ymd_opt(g.year, 12, 31)),
        tier_comment: vec![
            "The basic drugs file gives each drug's tier but no cost share (that is in".into(),
            "the beneficiary cost file, per plan). Every tier here is `copay $0`, a".into(),
            "plan-neutral placeholder: decisions show tiers and edits, not what a".into(),
            "patient of a given plan pays. Set each tier's cost share before pricing.".into(),
        ],
        tiers: tiers
            .iter()
            .map(|t| DraftTier {
                number: *t,
                label: format!("Tier {t}"),
                cost: "copay $0".into(),
            })
            .collect(),
        pas: Vec::new(),
        drugs: Vec::with_capacity(drugs.len()),
        step_comment: vec![
            "STEP_THERAPY_YN says a drug has step therapy but CMS does not publish which".into(),
            "drugs must come first. Each flagged drug gets a rule met only by earlier".into(),
            format!("therapy with the drug itself within {STEP_LOOKBACK_DAYS} days: a patient already on it"),
            "continues (new starts only); a new start is rejected with 608 until the plan".into(),
            "grants an exception, entered as a prior authorization on file naming the rule.".into(),
            "Replace a rule with the plan's real prerequisites when they are known.".into(),
        ],
        steps: Vec::new(),
    };
    if any_pa {
        out.pas.push(DraftPa {
            comment: vec![
                "PRIOR_AUTHORIZATION_YN = Y: the plan's criteria are not in the CMS file, so".into(),
                "nothing is approved automatically; a prior authorization on file for the".into(),
                "drug (or naming this rule) satisfies it.".into(),
            ],
            name: PA_RULE.into(),
            label: "Prior authorization required by the plan".into(),
            criteria: vec![
                "The plan's prior authorization criteria for this drug (not published in the CMS formulary file).".into(),
            ],
        });
    }
    for (r, ndcs) in &drugs {
        let name = format!("rxcui-{}", r.rxcui);
        let step = r.st.then(|| format!("st-{}", r.rxcui));
        if let Some(s) = &step {
            out.steps.push(DraftStep {
                name: s.clone(),
                label: format!("Step therapy for {name} (prerequisites not published)"),
                drug: name.clone(),
                within_days: STEP_LOOKBACK_DAYS,
                new_starts_only: true,
            });
        }
        let mut ndcs = ndcs.clone();
        ndcs.sort_unstable();
        out.drugs.push(DraftDrug {
            comment: r.selected.then(|| {
                "SELECTED_DRUG_YN = Y: a selected drug of the Part D Senior Savings Model"
                    .to_string()
            }),
            label: opts
                .catalog
                .and_then(|c| c.product_name(r.rxcui))
                .map(str::to_string),
            name,
            rxcui: Some(r.rxcui),
            ndcs,
            tier: r.tier,
            limits: r
                .limit
                .and_then(|(a, d)| decimal(a).map(|a| format!("{a} per {d} days")))
                .into_iter()
                .collect(),
            pa: r.pa.then(|| PA_RULE.to_string()),
            step,
        });
    }
    out
}
