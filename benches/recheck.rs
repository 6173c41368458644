//! Re-check benchmarks: the synthetic 5,000-drug / 1,000-rule formulary split
//! into 20 files, compiled cold and re-checked after a one-line edit with the
//! per-file parse cache, next to the same formulary in one file.
//!
//! `cargo bench --bench recheck`. Machines here are small and noisy: read the
//! numbers as ratios within one run.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use formulary::compile::cache::ParseCache;
use formulary::compile::{LoadOptions, MemoryReader};
use formulary::synth::{self, Size};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

fn reader(files: &HashMap<PathBuf, String>) -> MemoryReader {
    let mut r = MemoryReader::new();
    for (p, t) in files {
        r.insert(p, t.as_bytes());
    }
    r
}

fn recheck(c: &mut Criterion) {
    let split = synth::formulary_split(Size::LARGE, 20);
    let files: HashMap<PathBuf, String> = split
        .iter()
        .map(|(n, t)| (PathBuf::from(n), t.clone()))
        .collect();
    let root = Path::new("main.formulary");
    let whole = synth::formulary(Size::LARGE);
    // The edit: a tier changed on one line in the middle of one part.
    let part = PathBuf::from("part-07.formulary");
    let original = files[&part].clone();
    let edited = original.replacen(" tier 1\n", " tier 2\n", 1);
    assert_ne!(original, edited, "the edit changes the part");

    let opts = LoadOptions::default();
    let mut mem = reader(&files);
    let mut g = c.benchmark_group("recheck");
    g.sample_size(20);
    g.bench_function("single file: parse + compile (cold)", |b| {
        b.iter(|| formulary::compile_str("big.formulary", black_box(&whole)))
    });
    g.bench_function("20 files: load + parse + compile (cold)", |b| {
        b.iter(|| {
            let parsed = formulary::load(root, &mut mem, &opts).expect("readable");
            formulary::compile(parsed)
        })
    });
    let mut cache = ParseCache::new();
    let first = formulary::compile(cache.load(root, &mut mem, &opts).expect("readable"));
    assert!(!first.has_errors(), "the split formulary compiles");
    let mut flip = false;
    g.bench_function("20 files: re-check after a one-line edit (cached)", |b| {
        b.iter(|| {
            flip = !flip;
            let text = if flip { &edited } else { &original };
            mem.insert(&part, text.as_bytes());
            let parsed = cache.load(root, &mut mem, &opts).expect("readable");
            assert_eq!(cache.last_load().parsed, 1);
            formulary::compile(parsed)
        })
    });
    g.bench_function("20 files: load with every tree cached (no compile)", |b| {
        b.iter(|| cache.load(root, &mut mem, &opts).expect("readable"))
    });
    g.finish();
}

criterion_group!(benches, recheck);
criterion_main!(benches);
