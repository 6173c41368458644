//! Parse + compile and check benchmarks.
//!
//! `cargo bench --bench engine`. Machines here are small and noisy: read the
//! numbers as ratios within one run.

use criterion::{black_box, criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use formulary::synth::{self, Size};
use formulary::{check, compile_str, Formulary, Prescription};
use rayon::prelude::*;

fn compiled(name: &str, text: &str) -> Formulary {
    let c = compile_str(name, text);
    assert!(!c.has_errors(), "{name} compiles");
    c.formulary.expect("compiled")
}

/// A shipped formulary (`formularies/MAIN`), with its declared price list
/// when `prices` is set.
fn shipped(main: &str, prices: bool) -> Formulary {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("formularies")
        .join(main);
    let opts = formulary::LoadOptions {
        read_references: prices,
        ..Default::default()
    };
    let parsed =
        formulary::load(&root, &mut formulary::io::FsReader, &opts).expect("shipped readable");
    let c = formulary::compile(parsed);
    assert!(!c.has_errors(), "{main} compiles");
    c.formulary.expect("compiled")
}

/// The shipped Acme formulary, with its declared price list when `prices` is set.
fn realistic_with(prices: bool) -> Formulary {
    shipped("acme/acme.formulary", prices)
}

fn realistic() -> Formulary {
    realistic_with(false)
}

fn metro() -> Formulary {
    shipped("metro/metro.formulary", false)
}

fn rx(text: &str) -> Prescription {
    Prescription::from_str(text).expect("valid prescription")
}

/// A history of `n` fills alternating between the given products, every 15
/// days back from the date of service.
fn history(rxcuis: &[u32], n: usize) -> String {
    let date = chrono::NaiveDate::from_ymd_opt(2026, 9, 1).expect("date");
    let fills: Vec<String> = (1..=n)
        .map(|i| {
            let d = date - chrono::Days::new(15 * i as u64);
            let rxcui = rxcuis[i % rxcuis.len()];
            format!(r#"{{"rxcui":{rxcui},"date":"{d}","days_supply":30,"quantity":30}}"#)
        })
        .collect();
    format!("[{}]", fills.join(","))
}

fn compile(c: &mut Criterion) {
    let big = synth::formulary(Size::LARGE);
    let mut g = c.benchmark_group("compile");
    g.sample_size(20);
    g.bench_function("synthetic 5000 drugs 1000 rules: parse + compile", |b| {
        b.iter(|| compile_str("big.formulary", black_box(&big)))
    });
    g.bench_function("synthetic 5000 drugs: parse only", |b| {
        b.iter(|| formulary::parse_str("big.formulary", black_box(&big)))
    });
    g.bench_function("acme (shipped): load + parse + compile", |b| {
        b.iter(realistic)
    });
    g.bench_function("metro (shipped): load + parse + compile", |b| b.iter(metro));
    g.finish();
}

fn check_single(c: &mut Criterion) {
    let f = realistic();
    let mut g = c.benchmark_group("check");
    // Realistic formulary.
    let simple = rx(
        r#"{"date":"2026-03-02","rxcui":314076,"quantity":30,"days_supply":30,"patient":{"birth_date":"1958-04-11","sex":"F"}}"#,
    );
    assert!(check(&f, &simple).is_paid(), "simple claim pays");
    g.bench_function("acme: simple paid claim", |b| {
        b.iter(|| check(&f, black_box(&simple)))
    });
    // The same claim against the larger shipped formulary.
    let m = metro();
    assert!(
        check(&m, &simple).is_paid(),
        "simple claim pays under Metro"
    );
    g.bench_function("metro: simple paid claim", |b| {
        b.iter(|| check(&m, black_box(&simple)))
    });
    // Edarbi: two-step therapy (an ACE inhibitor, then a generic ARB) met by
    // a 20-fill history of lisinopril and losartan.
    let step = rx(&format!(
        r#"{{"date":"2026-09-01","rxcui":1091650,"quantity":30,"days_supply":30,"patient":{{"birth_date":"1958-04-11","sex":"F"}},"history":{}}}"#,
        history(&[314076, 979492], 20)
    ));
    assert!(
        check(&f, &step)
            .trace
            .iter()
            .any(|t| t.rule.kind == "step therapy"),
        "step evaluated"
    );
    g.bench_function("acme: step therapy claim, 20-fill history", |b| {
        b.iter(|| check(&f, black_box(&step)))
    });
    // Diovan: a non-formulary brand, rejected, with its generic and same-class alternatives.
    let brand = rx(
        r#"{"date":"2026-03-02","rxcui":351761,"quantity":30,"days_supply":30,"patient":{"birth_date":"1958-04-11","sex":"F"}}"#,
    );
    let d = check(&f, &brand);
    assert!(
        !d.is_paid() && !d.alternatives.is_empty(),
        "rejected brand with alternatives"
    );
    g.bench_function("acme: rejected brand with alternatives", |b| {
        b.iter(|| check(&f, black_box(&brand)))
    });
    // Edarbi for a new patient: a 608 whose alternatives are the drugs that
    // satisfy the unmet step, each judged for the patient.
    let unmet = rx(
        r#"{"date":"2026-03-02","rxcui":1091650,"quantity":30,"days_supply":30,"patient":{"birth_date":"1958-04-11","sex":"F"}}"#,
    );
    let d = check(&f, &unmet);
    assert!(
        d.alternatives
            .first()
            .is_some_and(|a| a.relation == formulary::compile::model::Relation::SatisfiesStep),
        "608 with the step's drugs first"
    );
    g.bench_function("acme: 608 with the step's drugs as alternatives", |b| {
        b.iter(|| check(&f, black_box(&unmet)))
    });
    // Pricing: the same NDC claim with and without the sample NADAC list.
    let priced = realistic_with(true);
    let by_ndc = rx(
        r#"{"date":"2026-03-02","ndc":"00378-5145-05","quantity":30,"days_supply":30,"patient":{"birth_date":"1944-02-19","sex":"M"}}"#,
    );
    assert!(
        check(&priced, &by_ndc).cost.and_then(|c| c.total).is_some(),
        "priced"
    );
    g.bench_function("acme: NDC claim, no price list", |b| {
        b.iter(|| check(&f, black_box(&by_ndc)))
    });
    g.bench_function("acme: NDC claim, priced from NADAC list", |b| {
        b.iter(|| check(&priced, black_box(&by_ndc)))
    });
    g.finish();
}

fn check_synthetic(c: &mut Criterion) {
    let big = compiled("big.formulary", &synth::formulary(Size::LARGE));
    let mut g = c.benchmark_group("check");
    // Synthetic 5,000-drug formulary.
    let simple_big = rx(
        r#"{"date":"2026-03-02","rxcui":1000000,"quantity":30,"days_supply":30,"patient":{"age":50,"sex":"F"}}"#,
    );
    assert!(check(&big, &simple_big).is_paid());
    g.bench_function("synthetic 5000: simple paid claim", |b| {
        b.iter(|| check(&big, black_box(&simple_big)))
    });
    let step_big = rx(&format!(
        r#"{{"date":"2026-09-01","rxcui":1000022,"quantity":30,"days_supply":30,"patient":{{"age":50,"sex":"F"}},"history":{}}}"#,
        history(&[1000000], 20)
    ));
    g.bench_function("synthetic 5000: step therapy claim, 20-fill history", |b| {
        b.iter(|| check(&big, black_box(&step_big)))
    });
    g.finish();
}

fn batch(c: &mut Criterion) {
    let f = realistic();
    let rxs: Vec<Prescription> = (0..10_000)
        .map(|i| {
            let rxcui = [314076, 104377, 1091650, 979492][i % 4];
            rx(&format!(
                r#"{{"date":"2026-09-01","rxcui":{rxcui},"quantity":30,"days_supply":30,"patient":{{"age":{},"sex":"M"}},"history":{}}}"#,
                30 + i % 50,
                history(&[314076, 979492], i % 6)
            ))
        })
        .collect();
    let mut g = c.benchmark_group("batch");
    g.throughput(Throughput::Elements(rxs.len() as u64));
    g.sample_size(10);
    g.bench_function("10k checks, one core", |b| {
        b.iter_batched(
            || (),
            |_| rxs.iter().filter(|r| check(&f, r).is_paid()).count(),
            BatchSize::SmallInput,
        )
    });
    g.bench_function("10k checks, all cores (rayon)", |b| {
        b.iter_batched(
            || (),
            |_| rxs.par_iter().filter(|r| check(&f, r).is_paid()).count(),
            BatchSize::SmallInput,
        )
    });
    g.finish();
}

criterion_group!(benches, compile, check_single, check_synthetic, batch);
criterion_main!(benches);
