//! RxNorm import at full size: a generated release shaped like the monthly
//! full release (about 1 million RXNCONSO rows, 6 million RXNREL rows,
//! 3 million RXNSAT rows; 40,000 clinical drugs, 24,000 branded drugs, 2,000
//! packs and about 250,000 NDCs, among the rows of other sources and of
//! relationships the importer does not use), written to a temporary folder
//! and imported from disk into a drug knowledge file.
//!
//! `cargo bench --bench rxnorm` runs the benchmark. With
//! `RXNORM_BENCH_WRITE=DIR` set, the release is written to DIR instead, to
//! measure the command line end to end
//! (`/usr/bin/time -v formulary import rxnorm DIR --out drugs.tsv`).

use criterion::{criterion_group, Criterion, Throughput};
use formulary::rxnorm::{self, Release};
use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::Path;
use std::time::Duration;

/// Ingredients (IN); every third has a precise ingredient (PIN).
const INGREDIENTS: u32 = 12_000;
/// Clinical drugs (SCD); three in five have a branded drug (SBD).
const CLINICAL: u32 = 40_000;
/// Generic packs (GPCK), each with a branded pack (BPCK).
const PACKS: u32 = 1_000;
/// Dose forms (DF).
const FORMS: u32 = 100;
/// Rows of each file, as in a full release.
const CONSO_ROWS: u64 = 1_000_000;
const REL_ROWS: u64 = 6_000_000;
const SAT_ROWS: u64 = 3_000_000;

const IN0: u32 = 1_000_000;
const PIN0: u32 = 2_000_000;
const DF0: u32 = 3_000_000;
const SCD0: u32 = 4_000_000;
const SCDC0: u32 = 5_000_000;
const SBD0: u32 = 6_000_000;
const GPCK0: u32 = 7_000_000;
const BPCK0: u32 = 7_500_000;

/// A deterministic generator (64-bit LCG, high bits out).
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

/// Counts rows as they are written.
struct Out {
    w: BufWriter<File>,
    rows: u64,
}

impl Out {
    fn create(path: &Path) -> std::io::Result<Out> {
        Ok(Out {
            w: BufWriter::with_capacity(1 << 20, File::create(path)?),
            rows: 0,
        })
    }
    fn row(&mut self, args: std::fmt::Arguments<'_>) -> std::io::Result<()> {
        self.rows += 1;
        self.w.write_fmt(args)?;
        self.w.write_all(b"\n")
    }
}

/// The ingredients of clinical drug `s`: one for most, two or three for some.
fn ingredients_of(s: u32) -> Vec<u32> {
    let n = match s % 20 {
        0..=16 => 1,
        17 | 18 => 2,
        _ => 3,
    };
    (0..n).map(|j| (s * 7 + j * 1_301) % INGREDIENTS).collect()
}

fn conso(
    o: &mut Out,
    aui: &mut u64,
    rxcui: u32,
    sab: &str,
    tty: &str,
    s: &str,
) -> std::io::Result<()> {
    *aui += 1;
    o.row(format_args!(
        "{rxcui}|ENG||||||{aui}|||{rxcui}|{sab}|{tty}|{rxcui}|{s}||N|4096|"
    ))
}

fn write_conso(dir: &Path) -> std::io::Result<u64> {
    let mut o = Out::create(&dir.join("RXNCONSO.RRF"))?;
    let mut aui = 10_000_000u64;
    conso_ingredients(&mut o, &mut aui)?;
    conso_products(&mut o, &mut aui)?;
    conso_other_sources(&mut o, &mut aui)?;
    o.w.flush()?;
    Ok(o.rows)
}

/// Ingredients, precise ingredients and dose forms.
fn conso_ingredients(o: &mut Out, aui: &mut u64) -> std::io::Result<()> {
    for i in 0..INGREDIENTS {
        conso(o, aui, IN0 + i, "RXNORM", "IN", &format!("ingredient{i}"))?;
        if i % 3 == 0 {
            conso(
                o,
                aui,
                PIN0 + i,
                "RXNORM",
                "PIN",
                &format!("ingredient{i} hydrochloride"),
            )?;
        }
    }
    for d in 0..FORMS {
        conso(o, aui, DF0 + d, "RXNORM", "DF", &format!("Dose Form {d}"))?;
    }
    Ok(())
}

/// Components, clinical and branded drugs with synonyms, packs.
fn conso_products(o: &mut Out, aui: &mut u64) -> std::io::Result<()> {
    for s in 0..CLINICAL {
        let ings = ingredients_of(s);
        let mut parts = Vec::new();
        for (j, i) in ings.iter().enumerate() {
            let c = format!("ingredient{i} {} MG", 5 * (1 + s % 40));
            conso(o, aui, SCDC0 + s * 4 + j as u32, "RXNORM", "SCDC", &c)?;
            parts.push(c);
        }
        let name = format!("{} Dose Form {}", parts.join(" / "), s % FORMS);
        conso(o, aui, SCD0 + s, "RXNORM", "SCD", &name)?;
        conso(o, aui, SCD0 + s, "RXNORM", "PSN", &name)?;
        conso(o, aui, SCD0 + s, "RXNORM", "SY", &name.to_lowercase())?;
        if s % 5 < 3 {
            conso(
                o,
                aui,
                SBD0 + s,
                "RXNORM",
                "SBD",
                &format!("{name} [Brand{s}]"),
            )?;
            conso(o, aui, SBD0 + s, "RXNORM", "BN", &format!("Brand{s}"))?;
        }
    }
    for p in 0..PACKS {
        conso(
            o,
            aui,
            GPCK0 + p,
            "RXNORM",
            "GPCK",
            &format!("{{pack {p}}} Pack"),
        )?;
        conso(
            o,
            aui,
            BPCK0 + p,
            "RXNORM",
            "BPCK",
            &format!("{{pack {p}}} Pack [Brand pack {p}]"),
        )?;
    }
    Ok(())
}

fn conso_other_sources(o: &mut Out, aui: &mut u64) -> std::io::Result<()> {
    // Other sources' atoms for the same drugs, to the size of a full release.
    let sources = [
        "VANDF", "MTHSPL", "NDDF", "MMSL", "GS", "USP", "DRUGBANK", "ATC",
    ];
    let mut n = 0u32;
    while o.rows < CONSO_ROWS {
        let s = n % CLINICAL;
        let sab = sources[(n as usize) % sources.len()];
        conso(
            o,
            aui,
            SCD0 + s,
            sab,
            "CD",
            &format!("DRUG {s} {sab} NAME TABLET"),
        )?;
        n += 1;
    }
    Ok(())
}

fn rel(
    o: &mut Out,
    rui: &mut u64,
    subject: u32,
    rela: &str,
    object: u32,
    inverse: &str,
) -> std::io::Result<()> {
    *rui += 2;
    o.row(format_args!(
        "{object}||CUI|RO|{subject}||CUI|{rela}|{rui}||RXNORM|RXNORM|||N||"
    ))?;
    o.row(format_args!(
        "{subject}||CUI|RO|{object}||CUI|{inverse}|{}||RXNORM|RXNORM|||N||",
        *rui + 1
    ))
}

fn write_rel(dir: &Path) -> std::io::Result<u64> {
    let mut o = Out::create(&dir.join("RXNREL.RRF"))?;
    let mut rui = 100_000_000u64;
    rel_kept(&mut o, &mut rui)?;
    rel_unused(&mut o, &mut rui)?;
    o.w.flush()?;
    Ok(o.rows)
}

/// The relationships the importer keeps.
fn rel_kept(o: &mut Out, rui: &mut u64) -> std::io::Result<()> {
    for i in (0..INGREDIENTS).step_by(3) {
        rel(o, rui, PIN0 + i, "form_of", IN0 + i, "has_form")?;
    }
    for s in 0..CLINICAL {
        for (j, i) in ingredients_of(s).iter().enumerate() {
            let c = SCDC0 + s * 4 + j as u32;
            rel(o, rui, SCD0 + s, "consists_of", c, "constitutes")?;
            rel(o, rui, c, "has_ingredient", IN0 + i, "ingredient_of")?;
            if i % 3 == 0 {
                rel(
                    o,
                    rui,
                    c,
                    "has_precise_ingredient",
                    PIN0 + i,
                    "precise_ingredient_of",
                )?;
            }
        }
        rel(
            o,
            rui,
            SCD0 + s,
            "has_dose_form",
            DF0 + s % FORMS,
            "dose_form_of",
        )?;
        if s % 5 < 3 {
            rel(o, rui, SBD0 + s, "tradename_of", SCD0 + s, "has_tradename")?;
            rel(
                o,
                rui,
                SBD0 + s,
                "has_dose_form",
                DF0 + s % FORMS,
                "dose_form_of",
            )?;
        }
    }
    for p in 0..PACKS {
        for k in 0..2 {
            let s = (p * 37 + k * 11) % CLINICAL;
            rel(o, rui, GPCK0 + p, "contains", SCD0 + s, "contained_in")?;
        }
        rel(
            o,
            rui,
            BPCK0 + p,
            "tradename_of",
            GPCK0 + p,
            "has_tradename",
        )?;
    }
    Ok(())
}

fn rel_unused(o: &mut Out, rui: &mut u64) -> std::io::Result<()> {
    // Relationships the importer reads past: RxNorm's other relationships
    // between kept concepts, and other sources' atom-level relationships.
    let unused = [
        "isa",
        "has_quantified_form",
        "reformulation_of",
        "has_doseformgroup",
    ];
    let mut n = 0u64;
    let mut rng = Lcg(0x5eed_0001);
    while o.rows < REL_ROWS {
        if n.is_multiple_of(2) {
            let a = SCD0 + rng.below(CLINICAL as u64) as u32;
            let b = SCD0 + rng.below(CLINICAL as u64) as u32;
            rel(o, rui, a, unused[(n / 2 % 4) as usize], b, "inverse_isa")?;
        } else {
            *rui += 1;
            o.row(format_args!(
                "|{}|AUI|RO||{}|AUI|has_ingredient|{rui}||MTHSPL|MTHSPL|||N||",
                20_000_000 + rng.below(5_000_000),
                20_000_000 + rng.below(5_000_000)
            ))?;
        }
        n += 1;
    }
    Ok(())
}

fn write_sat(dir: &Path) -> std::io::Result<u64> {
    let mut o = Out::create(&dir.join("RXNSAT.RRF"))?;
    let mut atui = 1_000_000u64;
    let mut ndc = 10_000_000_000u64;
    let mut sat = |o: &mut Out, rxcui: u32, atn: &str, sab: &str, atv: &str| {
        atui += 1;
        o.row(format_args!(
            "{rxcui}|||{atui}|AUI|{rxcui}|AT{atui}||{atn}|{sab}|{atv}|N|4096|"
        ))
    };
    for s in 0..CLINICAL {
        sat(
            &mut o,
            SCD0 + s,
            "RXN_AVAILABLE_STRENGTH",
            "RXNORM",
            &format!("{} MG", 5 * (1 + s % 40)),
        )?;
        for _ in 0..5 {
            ndc += 7;
            sat(&mut o, SCD0 + s, "NDC", "RXNORM", &format!("{ndc:011}"))?;
            sat(
                &mut o,
                SCD0 + s,
                "NDC",
                "MTHSPL",
                &format!("{}-{}", ndc / 1000, ndc % 1000),
            )?;
        }
        if s % 5 < 3 {
            for _ in 0..2 {
                ndc += 7;
                sat(&mut o, SBD0 + s, "NDC", "RXNORM", &format!("{ndc:011}"))?;
            }
        }
    }
    for p in 0..PACKS {
        ndc += 7;
        sat(&mut o, BPCK0 + p, "NDC", "RXNORM", &format!("{ndc:011}"))?;
    }
    let other = [
        "RXN_HUMAN_DRUG",
        "SPL_SET_ID",
        "DCSA",
        "RXN_BN_CARDINALITY",
        "RXTERM_FORM",
    ];
    let mut n = 0u32;
    while o.rows < SAT_ROWS {
        let atn = other[(n as usize) % other.len()];
        sat(&mut o, SCD0 + n % CLINICAL, atn, "RXNORM", "US")?;
        n += 1;
    }
    o.w.flush()?;
    Ok(o.rows)
}

fn write_release(dir: &Path) -> std::io::Result<u64> {
    Ok(write_conso(dir)? + write_rel(dir)? + write_sat(dir)?)
}

fn open(dir: &Path, name: &str) -> (BufReader<File>, String) {
    let f = File::open(dir.join(name)).expect("generated file readable");
    (BufReader::with_capacity(1 << 20, f), name.to_string())
}

fn benches(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temporary folder");
    let rows = write_release(dir.path()).expect("release written");
    let mut g = c.benchmark_group("rxnorm");
    g.sample_size(10).measurement_time(Duration::from_secs(30));
    g.throughput(Throughput::Elements(rows));
    g.bench_function(
        "import full-size release and write the knowledge file",
        |b| {
            b.iter(|| {
                let release = Release {
                    conso: open(dir.path(), "RXNCONSO.RRF"),
                    rel: open(dir.path(), "RXNREL.RRF"),
                    sat: open(dir.path(), "RXNSAT.RRF"),
                };
                let (k, stats) = rxnorm::import(release).expect("the generated release is valid");
                assert_eq!(
                    stats.products,
                    (CLINICAL + CLINICAL / 5 * 3 + 2 * PACKS) as usize
                );
                k.write().len()
            })
        },
    );
    g.finish();
}

criterion_group!(rxnorm_import, benches);

fn main() {
    if let Some(dir) = std::env::var_os("RXNORM_BENCH_WRITE") {
        let dir = Path::new(&dir);
        if let Err(e) = std::fs::create_dir_all(dir).and_then(|_| write_release(dir)) {
            eprintln!("cannot write the release to {}: {e}", dir.display());
            std::process::exit(1);
        }
        return;
    }
    rxnorm_import();
    criterion::Criterion::default()
        .configure_from_args()
        .final_summary();
}
