//! NCPDP D.0 codec benchmarks: framing alone, and a whole B1 from bytes in
//! to response bytes out (parse, typed request, prescription, check against
//! Acme, response, encode), for the paid sample and the rejected one.
//!
//! `cargo bench --bench ncpdp`. Read the numbers as ratios within one run.

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use formulary::ncpdp::{self, Transmission};
use std::path::Path;

fn acme() -> formulary::Formulary {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("formularies/acme/acme.formulary");
    let opts = formulary::LoadOptions::default();
    let parsed =
        formulary::load(&root, &mut formulary::io::FsReader, &opts).expect("acme readable");
    let c = formulary::compile(parsed);
    assert!(!c.has_errors(), "acme compiles");
    c.formulary.expect("compiled")
}

fn sample(name: &str) -> Vec<u8> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("formularies/acme/examples/ncpdp")
        .join(name);
    std::fs::read(p).expect("sample transmission")
}

fn codec(c: &mut Criterion) {
    let f = acme();
    let paid = sample("b1-paid.dat");
    let rejected = sample("b1-rejected-alternatives.dat");
    let mut g = c.benchmark_group("ncpdp");
    g.throughput(Throughput::Elements(1));
    g.bench_function("parse + encode a B1", |b| {
        b.iter(|| {
            Transmission::parse(black_box(&paid))
                .expect("parses")
                .encode()
        })
    });
    g.bench_function("B1 bytes to response bytes, paid", |b| {
        b.iter(|| {
            ncpdp::check_transmission(&f, black_box(&paid), |_| (Vec::new(), Vec::new())).encode()
        })
    });
    g.bench_function(
        "B1 bytes to response bytes, rejected with alternatives",
        |b| {
            b.iter(|| {
                ncpdp::check_transmission(&f, black_box(&rejected), |_| (Vec::new(), Vec::new()))
                    .encode()
            })
        },
    );
    g.finish();
}

criterion_group!(benches, codec);
criterion_main!(benches);
