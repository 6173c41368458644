//! Declarations, values and references: syntax trees to typed model parts.
//!
//! First every name is declared (tiers, classes, drugs, rules), so references
//! may point forwards and across files. Then each entry is built: codes,
//! dates and numbers are checked (E01xx) and names resolved (E02xx). An
//! entry with an error is still built with what was valid, so later entries
//! are checked too.

use super::model::*;
use crate::ast::{self, Clause, DrugKind};
use crate::codes::{parse_rxcui, DateSpan, Ndc};
use crate::diagnostics::{did_you_mean, Diag, Error};
use crate::span::{FileId, Sources, Span, Spanned};
use rustc_hash::FxHashMap;

/// Everything built from the sources, before resolution and the graph.
pub(super) struct Built {
    pub name: String,
    pub id: String,
    pub version: String,
    pub effective: DateSpan,
    pub origin: Origin,
    pub tiers: Vec<Tier>,
    pub drugs: Vec<Drug>,
    pub classes: Vec<Class>,
    pub pas: Vec<PaRule>,
    pub steps: Vec<StepRule>,
    pub refill: Option<RefillPolicy>,
    pub transition: Option<TransitionPolicy>,
    pub benefit: crate::compile::benefit::Benefit,
    pub price_files: Vec<String>,
    pub catalog_files: Vec<String>,
    pub by_ndc: FxHashMap<Ndc, DrugId>,
    pub by_rxcui: FxHashMap<u32, DrugId>,
    pub by_name: FxHashMap<String, DrugId>,
    pub class_by_name: FxHashMap<String, ClassId>,
}

struct Builder<'a> {
    sources: &'a Sources,
    diags: &'a mut Vec<Diag>,
    effective: DateSpan,
    tier_numbers: FxHashMap<u32, Span>,
    drug_ids: FxHashMap<String, (DrugId, DrugKind, Span)>,
    class_ids: FxHashMap<String, (ClassId, Span)>,
    pa_ids: FxHashMap<String, (PaId, Span)>,
    step_ids: FxHashMap<String, (StepId, Span)>,
    /// Comparisons left for "did you mean" help; see [`SUGGESTION_BUDGET`].
    suggestions_left: usize,
}

/// Name comparisons "did you mean" may make in one compile. Each suggestion
/// compares the unknown name with every candidate, so thousands of unknown
/// names among thousands of drugs took minutes; past the budget an unknown
/// name gets the generic help.
const SUGGESTION_BUDGET: usize = 1_000_000;

/// "Did you mean" help for `name`, if the budget still covers comparing it
/// with every candidate.
fn suggest<'n>(
    budget: &mut usize,
    name: &str,
    candidates: impl ExactSizeIterator<Item = &'n str>,
) -> String {
    let cost = candidates.len();
    if cost > *budget {
        return String::new();
    }
    *budget -= cost;
    did_you_mean(name, candidates)
}

/// Builds the model parts. Returns None only when there is nothing to build
/// from (no files); errors are pushed to `diags`.
pub(super) fn build(
    files: &[(FileId, ast::File)],
    sources: &Sources,
    main: FileId,
    diags: &mut Vec<Diag>,
) -> Option<Built> {
    let mut b = Builder {
        sources,
        diags,
        effective: DateSpan::ALWAYS,
        tier_numbers: FxHashMap::default(),
        drug_ids: FxHashMap::default(),
        class_ids: FxHashMap::default(),
        pa_ids: FxHashMap::default(),
        step_ids: FxHashMap::default(),
        suggestions_left: SUGGESTION_BUDGET,
    };
    // Declarations, in source order, depth first.
    let mut decl = Decls::default();
    for (_, file) in files {
        b.declare(&file.items, None, &mut decl);
    }
    let (name, id, version, origin) = b.header(&decl, main);
    let tiers = decl.tiers.iter().map(|t| b.tier(t)).collect::<Vec<_>>();
    let mut tiers = tiers;
    tiers.sort_by_key(|t| t.number);

    let classes: Vec<Class> = decl
        .classes
        .iter()
        .map(|(c, parent)| b.class(c, *parent))
        .collect();
    let pas: Vec<PaRule> = decl.pas.iter().map(|p| b.pa(p)).collect();
    let mut drugs: Vec<Drug> = decl
        .drugs
        .iter()
        .map(|(d, class)| b.drug(d, *class))
        .collect();
    let steps: Vec<StepRule> = decl.steps.iter().map(|s| b.step(s)).collect();
    b.check_drug_kinds(&decl, &mut drugs);

    let mut by_ndc = FxHashMap::default();
    let mut by_rxcui = FxHashMap::default();
    let mut ndc_spans: FxHashMap<Ndc, Span> = FxHashMap::default();
    let mut rxcui_spans: FxHashMap<u32, Span> = FxHashMap::default();
    for (i, (d, _)) in decl.drugs.iter().enumerate() {
        let id = DrugId(i as u32);
        for (ndc, span) in b.ndcs_of(d) {
            b.unique_code(
                "NDC",
                ndc.to_string(),
                span,
                id,
                &drugs,
                &mut by_ndc,
                &mut ndc_spans,
                ndc,
            );
        }
        for c in &d.clauses {
            if let Clause::Rxcui(r) = &c.node {
                if let Ok(rx) = parse_rxcui(&r.node) {
                    b.unique_code(
                        "RxCUI",
                        rx.to_string(),
                        r.span,
                        id,
                        &drugs,
                        &mut by_rxcui,
                        &mut rxcui_spans,
                        rx,
                    );
                }
            }
        }
    }
    let refill = decl.refill.first().map(|r| {
        b.percent(r, "refill threshold");
        RefillPolicy {
            bp: r.node as u32,
            text: format!("{}% used", format_bp(r.node.min(10_000) as u32)),
            origin: b.origin(r.span),
        }
    });
    let transition = decl.transition.first().map(|t| TransitionPolicy {
        window_days: b.days(&t.window_days, "transition window"),
        supply_days: b.days(&t.supply_days, "transition supply"),
        origin: b.origin(t.span),
    });
    let benefit = b.benefit(&decl);
    let relative = |p: &&Spanned<String>| {
        let file = sources.get(p.span.file);
        let dir = std::path::Path::new(&*file.name)
            .parent()
            .unwrap_or(std::path::Path::new(""));
        super::normalise(&dir.join(&p.node)).display().to_string()
    };
    let price_files = decl.prices.iter().map(relative).collect();
    let catalog_files = decl.catalogs.iter().map(relative).collect();
    let by_name = b
        .drug_ids
        .iter()
        .map(|(k, (id, _, _))| (k.clone(), *id))
        .collect();
    let class_by_name = b
        .class_ids
        .iter()
        .map(|(k, (id, _))| (k.clone(), *id))
        .collect();
    Some(Built {
        name,
        id,
        version,
        effective: b.effective,
        origin,
        tiers,
        drugs,
        classes,
        pas,
        steps,
        refill,
        transition,
        benefit,
        price_files,
        catalog_files,
        by_ndc,
        by_rxcui,
        by_name,
        class_by_name,
    })
}

/// Declared entries in id order.
#[derive(Default)]
struct Decls<'t> {
    headers: Vec<&'t ast::Header>,
    tiers: Vec<&'t ast::TierDef>,
    classes: Vec<(&'t ast::ClassDef, Option<ClassId>)>,
    drugs: Vec<(&'t ast::DrugDef, Option<ClassId>)>,
    pas: Vec<&'t ast::PaDef>,
    steps: Vec<&'t ast::StepDef>,
    refill: Vec<&'t Spanned<u64>>,
    transition: Vec<&'t ast::Transition>,
    benefits: Vec<&'t ast::BenefitDef>,
    prices: Vec<&'t Spanned<String>>,
    catalogs: Vec<&'t Spanned<String>>,
}

impl Builder<'_> {
    pub(super) fn origin(&self, span: Span) -> Origin {
        self.sources.location(span).into()
    }

    pub(super) fn err(&mut self, span: Span, e: Error) {
        self.diags.push(Diag::at(span, e));
    }

    /// E0205 with two labels when both are in one file, else a pointer in the help.
    pub(super) fn duplicate(&mut self, what: &'static str, name: &str, first: Span, again: Span) {
        let same = first.file == again.file;
        let help = if same {
            format!("rename one of them or merge the two {what} definitions")
        } else {
            format!(
                "first defined at {}; rename one or merge them",
                self.sources.location(first)
            )
        };
        self.err(
            again,
            Error::Duplicate {
                what,
                name: name.to_string(),
                first: same.then(|| first.source_span()),
                again: again.source_span(),
                help,
            },
        );
    }
}

mod benefit;
mod declare;
mod drugs;
mod references;
mod rules;
mod values;

#[cfg(test)]
mod tests {
    use std::fmt::Write;
    use std::time::{Duration, Instant};

    #[test]
    fn many_unknown_names_among_many_drugs_compile_in_bounded_time() {
        // Every unknown name was compared with every drug name for its "did
        // you mean" help: 10,000 of them among 20,000 drugs took 38 s in a
        // release build. Suggestions now stop when their budget is spent.
        let n = 10_000;
        let mut text = String::from(
            "formulary \"Big\" id B version 1 effective 2026-01-01 to 2026-12-31\n\
             tier 1 \"Generic\" copay $5 preferred\n",
        );
        for i in 0..n {
            let _ = writeln!(
                text,
                "ingredient ing{i} rxcui {} tier 1\nproduct prod{i} rxcui {} of ingx{i} tier 1",
                100_000 + i,
                200_000 + i
            );
        }
        let started = Instant::now();
        let c = crate::compile_str("big.formulary", &text);
        let took = started.elapsed();
        let helps: Vec<String> = crate::diagnostics::render_json(&c.diags, &c.sources)
            .into_iter()
            .filter(|d| d.code == "E0201")
            .map(|d| d.help.unwrap_or_default())
            .collect();
        assert_eq!(helps.len(), n);
        assert_eq!(helps[0], "did you mean `ing0`?");
        assert!(
            helps[n - 1].starts_with("define it with"),
            "{}",
            helps[n - 1]
        );
        assert!(took < Duration::from_secs(30), "took {took:?}");
    }
}
