//! Throughput of the impact diff with claims: 100,000 sample prescriptions
//! re-checked under two versions of the test formulary, on one core and on
//! every core.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use formulary::diff::{claims_impact, ClaimGenerator};
use std::path::Path;

const CLAIMS: usize = 100_000;

fn load(path: &str) -> formulary::Formulary {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let parsed = formulary::compile::load(
        &root.join(path),
        &mut formulary::io::FsReader,
        &formulary::LoadOptions::default(),
    )
    .expect("fixture readable");
    formulary::compile::compile(parsed)
        .formulary
        .expect("fixture compiles")
}

fn bench(c: &mut Criterion) {
    let old = load("tests/diff/old.formulary");
    let new = load("tests/diff/new.formulary");
    let mut claims = Vec::new();
    for claim in ClaimGenerator::new(&old, 7).take(CLAIMS) {
        serde_json::to_writer(&mut claims, &claim).expect("serialisable");
        claims.push(b'\n');
    }
    let mut group = c.benchmark_group("diff_claims");
    group.throughput(Throughput::Elements(CLAIMS as u64));
    group.sample_size(10);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    for threads in [1, cores] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("thread pool");
        group.bench_function(format!("{threads}_threads"), |b| {
            b.iter(|| {
                pool.install(|| claims_impact(&old, &new, claims.as_slice(), 5))
                    .expect("in memory")
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
