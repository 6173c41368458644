//! Formulary source built from structured input (see `src/spec.rs`), so that
//! most inputs parse and many compile: the compiler must never panic or hang,
//! and a formulary that compiles must draw every report (drug list, rule
//! graph, explanations, FHIR export) and check the generated prescriptions
//! with decisions that hold together.
#![no_main]

use formulary::compile::model::{ClassId, DrugId};
use formulary::prices::PriceList;
use formulary::report::{self, graph::Scope};
use formulary::Prescription;
use formulary_fuzz::{invariants, spec};
use libfuzzer_sys::fuzz_target;

/// Work per input stays bounded: only so many prescriptions and reports.
const MAX_PRESCRIPTIONS: usize = 4;
const MAX_EXPLAINED: usize = 3;

fuzz_target!(|s: spec::Spec| {
    let (source, names) = s.source();
    let compiled = formulary::compile_str("structured.formulary", &source);
    assert_eq!(compiled.formulary.is_some(), !compiled.has_errors());
    let json = formulary::diagnostics::render_json(&compiled.diags, &compiled.sources);
    let show = std::env::var_os("FORMULARY_FUZZ_SHOW").is_some();
    if show {
        // To see what an input becomes: run the target on it with this set.
        let codes: Vec<String> = compiled.diags.iter().map(|d| d.code()).collect();
        eprintln!("{source}--- {codes:?}");
    }
    if compiled.diags.iter().any(|d| d.code() == "E0001") {
        // The writer only writes what the grammar accepts.
        panic!(
            "generated source does not parse:\n{source}\n{}",
            serde_json::to_string_pretty(&json).unwrap_or_default()
        );
    }
    formulary::diagnostics::render_human(&compiled.diags, &compiled.sources, false, 80);
    let Some(mut f) = compiled.formulary else {
        return;
    };

    let rows: Vec<String> = s.prices.iter().filter_map(|p| p.row(&names)).collect();
    if !rows.is_empty() {
        let csv = format!("{}\n{}\n", spec::PRICE_HEADER, rows.join("\n"));
        f.prices =
            Some(PriceList::parse("prices.csv", &csv).expect("the price header is complete"));
    }

    let as_of = s.as_of.date();
    let list = report::drug_list::build(&f, as_of);
    report::markdown::render(&list);
    report::html::render(&list);
    let date = report::status::eval_date(as_of);
    let all = report::graph::build(&f, &Scope::All, date);
    report::diagram::mermaid(&all);
    report::diagram::dot(&all);
    for i in 0..f.drugs.len().min(MAX_EXPLAINED) {
        let id = DrugId(i as u32);
        report::explain::explain(&f, id, as_of);
        let near = report::graph::build(&f, &Scope::Drug { drug: id, depth: 2 }, date);
        report::diagram::dot(&near);
    }
    for i in 0..f.classes.len().min(MAX_EXPLAINED) {
        let g = report::graph::build(&f, &Scope::Class(ClassId(i as u32)), date);
        report::diagram::mermaid(&g);
    }
    let opts = formulary::interop::fhir::ExportOptions { date: as_of };
    serde_json::to_string(&formulary::interop::fhir::export(&f, &opts))
        .expect("a bundle serialises");

    for rx in s.prescriptions.iter().take(MAX_PRESCRIPTIONS) {
        let text = rx.json(&names);
        let read = Prescription::from_str(&text);
        if show {
            eprintln!(
                "rx {text}\n=> {:?}",
                read.as_ref().map(|rx| formulary::check(&f, rx)
                    .rejects
                    .iter()
                    .map(|r| r.code)
                    .collect::<Vec<_>>())
            );
        }
        if let Ok(rx) = read {
            invariants::decision(&f, &rx);
        }
    }
});
