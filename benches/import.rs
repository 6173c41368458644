//! Import at national scale: a generated CMS basic drugs formulary file of
//! about 1.5 million rows over 400 formularies (the size of a real contract
//! year), imported into formulary source; and compiling the largest imported
//! formulary (5,000 drugs).
//!
//! `cargo bench --bench import` runs the benchmarks. With
//! `IMPORT_BENCH_WRITE=FILE` set, the generated file is written to FILE
//! instead, to time the command line end to end
//! (`/usr/bin/time -v formulary import cms FILE --out DIR`).

use criterion::{criterion_group, Criterion, Throughput};
use formulary::interop::cms;
use std::fmt::Write;
use std::time::Duration;

/// Formularies in the generated file.
const FORMULARIES: usize = 400;
/// Drugs of the largest formulary (the first).
const LARGEST: usize = 5_000;
/// Distinct products drugs are drawn from.
const POOL: u64 = 24_000;

/// A small deterministic generator (64-bit LCG, high bits out): the file is
/// the same on every run and machine.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// The generated file: one row per drug per formulary, the first formulary
/// with 5,000 drugs and the others 2,500 to 5,000 (3,750 on average).
fn generate() -> String {
    let mut rng = Lcg(0x5eed_2025);
    let mut out = String::with_capacity(80 * 1_600_000);
    out.push_str("FORMULARY_ID|FORMULARY_VERSION|CONTRACT_YEAR|RXCUI|NDC|TIER_LEVEL_VALUE|QUANTITY_LIMIT_YN|QUANTITY_LIMIT_AMOUNT|QUANTITY_LIMIT_DAYS|PRIOR_AUTHORIZATION_YN|STEP_THERAPY_YN|SELECTED_DRUG_YN\n");
    for f in 0..FORMULARIES {
        let drugs = if f == 0 {
            LARGEST
        } else {
            2_500 + rng.below(2_501) as usize
        };
        // Distinct products: a stride coprime with the pool from a random start.
        let start = rng.below(POOL);
        let stride = 7_919;
        let id = format!("{:08}", 25_000 + f * 7);
        let version = 1 + rng.below(20);
        for i in 0..drugs as u64 {
            let p = (start + i * stride) % POOL;
            let rxcui = 100_000 + p * 37;
            let ndc = format!(
                "{:05}{:04}{:02}",
                1 + p % 90_000,
                (p * 13) % 10_000,
                p % 100
            );
            let tier = 1 + rng.below(6);
            let ql = rng.below(4) == 0;
            let (amount, days) = if ql {
                match rng.below(4) {
                    0 => ("2.4".to_string(), 28),
                    1 => ((1 + rng.below(180)).to_string(), 30),
                    2 => ("0.5".to_string(), 1),
                    _ => ((4 * (1 + rng.below(4))).to_string(), 28),
                }
            } else {
                (" ".to_string(), 0)
            };
            let days = if ql { days.to_string() } else { " ".into() };
            let yn = |b: bool| if b { 'Y' } else { 'N' };
            let _ = writeln!(
                out,
                "{id}|{version}|2025|{rxcui}|{ndc}|{tier}|{}|{amount}|{days}|{}|{}|{}",
                yn(ql),
                yn(rng.below(7) == 0),
                yn(rng.below(12) == 0),
                yn(rng.below(100) == 0)
            );
        }
    }
    out
}

fn benches(c: &mut Criterion) {
    let file = generate();
    let rows = file.lines().count() as u64 - 1;
    let mut g = c.benchmark_group("cms");
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    g.throughput(Throughput::Elements(rows));
    g.bench_function("import national file and write sources", |b| {
        b.iter(|| {
            let i = cms::import("national.txt", file.as_bytes(), cms::Options::default())
                .expect("the generated file is valid");
            i.formularies.iter().map(|d| d.write().len()).sum::<usize>()
        })
    });
    g.finish();

    let imported = cms::import("national.txt", file.as_bytes(), cms::Options::default())
        .expect("the generated file is valid");
    let largest = imported
        .formularies
        .iter()
        .max_by_key(|d| d.drugs.len())
        .expect("formularies");
    assert_eq!(largest.drugs.len(), LARGEST);
    let source = largest.write();
    let mut g = c.benchmark_group("compile");
    g.throughput(Throughput::Elements(LARGEST as u64));
    g.bench_function("imported 5000-drug formulary", |b| {
        b.iter(|| {
            let compiled = formulary::compile_str("largest.formulary", &source);
            assert!(!compiled.has_errors());
            compiled.formulary.map(|f| f.drugs.len())
        })
    });
    g.finish();
}

criterion_group!(import, benches);

fn main() {
    if let Some(path) = std::env::var_os("IMPORT_BENCH_WRITE") {
        if let Err(e) = std::fs::write(&path, generate()) {
            eprintln!("cannot write {}: {e}", path.to_string_lossy());
            std::process::exit(1);
        }
        return;
    }
    import();
    criterion::Criterion::default()
        .configure_from_args()
        .final_summary();
}
