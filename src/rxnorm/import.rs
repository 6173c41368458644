//! The RxNorm importer: three streaming passes over RXNCONSO.RRF,
//! RXNREL.RRF and RXNSAT.RRF build a [`Knowledge`] for every SCD, SBD, GPCK
//! and BPCK.
//!
//! Memory stays bounded by what is kept, not by the input: the concept pass
//! keeps only RxNorm's own, unsuppressed atoms of the term types used here;
//! the relationship pass keeps only the few relationships between those
//! concepts that the knowledge needs, as pairs of numbers; the attribute
//! pass keeps only NDCs and strengths of kept products.
//!
//! RxNorm writes each relationship in both directions and reads a row from
//! right to left: `RXCUI2 RELA RXCUI1` (the relationship the second concept
//! has to the first). Both directions are accepted and give the same pair.

use super::knowledge::{Knowledge, Product};
use super::rrf::{RrfReader, CONSO_COLUMNS, REL_COLUMNS, SAT_COLUMNS};
use crate::codes::Ndc;
use crate::interop::{Faults, ImportError};
use rustc_hash::FxHashMap;
use std::collections::{BTreeMap, BTreeSet};
use std::io::BufRead;

/// The term types the importer keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tty {
    In,
    Pin,
    Min,
    Scdc,
    Scd,
    Sbd,
    Gpck,
    Bpck,
    Df,
}

impl Tty {
    fn parse(s: &str) -> Option<Tty> {
        Some(match s {
            "IN" => Tty::In,
            "PIN" => Tty::Pin,
            "MIN" => Tty::Min,
            "SCDC" => Tty::Scdc,
            "SCD" => Tty::Scd,
            "SBD" => Tty::Sbd,
            "GPCK" => Tty::Gpck,
            "BPCK" => Tty::Bpck,
            "DF" => Tty::Df,
            _ => return None,
        })
    }
    fn name(self) -> &'static str {
        match self {
            Tty::In => "IN",
            Tty::Pin => "PIN",
            Tty::Min => "MIN",
            Tty::Scdc => "SCDC",
            Tty::Scd => "SCD",
            Tty::Sbd => "SBD",
            Tty::Gpck => "GPCK",
            Tty::Bpck => "BPCK",
            Tty::Df => "DF",
        }
    }
    fn is_product(self) -> bool {
        matches!(self, Tty::Scd | Tty::Sbd | Tty::Gpck | Tty::Bpck)
    }
    fn is_ingredient(self) -> bool {
        matches!(self, Tty::In | Tty::Pin | Tty::Min)
    }
}

/// The relationships kept, each read as `subject RELA object`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rel {
    /// Drug or component has ingredient IN, PIN or MIN.
    Ingredient,
    /// SCD consists of SCDC.
    ConsistsOf,
    /// SBD is a tradename of SCD; BPCK of GPCK.
    TradenameOf,
    /// Product has dose form DF.
    DoseForm,
    /// Pack contains drug.
    Contains,
    /// PIN is a form of IN; MIN has part IN.
    Base,
}

/// `RELA` → (relationship, whether RXCUI1 is its subject). A row says
/// `RXCUI2 RELA RXCUI1`, so the inverse names have RXCUI1 as the subject.
fn rela(s: &str) -> Option<(Rel, bool)> {
    Some(match s {
        "has_ingredient" | "has_precise_ingredient" | "has_ingredients" => (Rel::Ingredient, false),
        "ingredient_of" | "precise_ingredient_of" | "ingredients_of" => (Rel::Ingredient, true),
        "consists_of" => (Rel::ConsistsOf, false),
        "constitutes" => (Rel::ConsistsOf, true),
        "tradename_of" => (Rel::TradenameOf, false),
        "has_tradename" => (Rel::TradenameOf, true),
        "has_dose_form" => (Rel::DoseForm, false),
        "dose_form_of" => (Rel::DoseForm, true),
        "contains" => (Rel::Contains, false),
        "contained_in" => (Rel::Contains, true),
        "form_of" | "has_part" => (Rel::Base, false),
        "has_form" | "part_of" => (Rel::Base, true),
        _ => return None,
    })
}

/// Whether a (subject, object) pair of these term types is one the
/// knowledge uses; any other pair of a kept relationship is ignored.
fn fits(rel: Rel, s: Tty, o: Tty) -> bool {
    use Tty::*;
    match rel {
        Rel::Ingredient => matches!(s, Scdc | Scd | Sbd) && o.is_ingredient(),
        Rel::ConsistsOf => s == Scd && o == Scdc,
        Rel::TradenameOf => (s == Sbd && o == Scd) || (s == Bpck && o == Gpck),
        Rel::DoseForm => s.is_product() && o == Df,
        Rel::Contains => matches!(s, Gpck | Bpck) && matches!(o, Scd | Sbd),
        Rel::Base => matches!(s, Pin | Min) && o == In,
    }
}

/// Counts of what an import read, kept and skipped.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ImportStats {
    /// Rows read from RXNCONSO.RRF.
    pub concept_rows: u64,
    /// Rows read from RXNREL.RRF.
    pub relationship_rows: u64,
    /// Relationships kept (distinct pairs).
    pub relationships_kept: u64,
    /// Rows read from RXNSAT.RRF.
    pub attribute_rows: u64,
    /// Suppressed or obsolete RxNorm rows skipped, over the three files.
    pub suppressed_skipped: u64,
    /// Products written.
    pub products: usize,
    /// Products with no ingredient found (written with none).
    pub products_without_ingredients: usize,
    /// NDCs written.
    pub ndcs: usize,
    /// NDCs given to more than one product (the lowest RxCUI is kept).
    pub ndc_conflicts: usize,
}

#[derive(Debug)]
struct Concept {
    tty: Tty,
    name: Box<str>,
}

/// The three release files, each a reader and the name used in messages.
pub struct Release<C, R, S> {
    /// RXNCONSO.RRF.
    pub conso: (C, String),
    /// RXNREL.RRF.
    pub rel: (R, String),
    /// RXNSAT.RRF.
    pub sat: (S, String),
}

/// Reads a release into a knowledge base. Every malformed row of each file
/// is reported (up to [`crate::interop::MAX_REPORTED`], the rest counted),
/// with file and line; nothing is produced when any row is malformed.
pub fn import<C: BufRead, R: BufRead, S: BufRead>(
    release: Release<C, R, S>,
) -> Result<(Knowledge, ImportStats), ImportError> {
    let mut stats = ImportStats::default();
    let mut faults = Faults::default();
    let concepts = read_concepts(release.conso, &mut stats, &mut faults);
    let rels = read_relationships(release.rel, &concepts, &mut stats, &mut faults);
    let sat = read_attributes(release.sat, &concepts, &mut stats, &mut faults);
    if !faults.is_empty() {
        return Err(faults.into_error());
    }
    let knowledge = assemble(&concepts, &rels, sat, &mut stats);
    Ok((knowledge, stats))
}

fn read_concepts<C: BufRead>(
    (input, file): (C, String),
    stats: &mut ImportStats,
    faults: &mut Faults,
) -> FxHashMap<u32, Concept> {
    let mut concepts: FxHashMap<u32, Concept> = FxHashMap::default();
    let mut r = RrfReader::new(input, &file, &CONSO_COLUMNS);
    loop {
        let row = match r.next_row() {
            Ok(Some(row)) => row,
            Ok(None) => break,
            Err(e) => {
                faults.push(e);
                continue;
            }
        };
        stats.concept_rows += 1;
        if row.get(11) != "RXNORM" {
            continue;
        }
        let Some(tty) = Tty::parse(row.get(12)) else {
            continue;
        };
        let rxcui = match row.rxcui(0) {
            Ok(c) => c,
            Err(e) => {
                faults.push(e);
                continue;
            }
        };
        if row.suppressed(16) {
            stats.suppressed_skipped += 1;
            continue;
        }
        concepts.entry(rxcui).or_insert_with(|| Concept {
            tty,
            name: row.get(14).into(),
        });
    }
    concepts
}

/// Kept relationships: (subject, object) pairs, sorted, without repeats.
type Pairs = FxHashMap<u32, Vec<u32>>;

struct Relationships {
    ingredient: Pairs,
    consists_of: Pairs,
    tradename_of: Pairs,
    dose_form: Pairs,
    contains: Pairs,
    base: Pairs,
}

fn read_relationships<R: BufRead>(
    (input, file): (R, String),
    concepts: &FxHashMap<u32, Concept>,
    stats: &mut ImportStats,
    faults: &mut Faults,
) -> Relationships {
    let mut pairs: Vec<Vec<(u32, u32)>> = vec![Vec::new(); 6];
    let mut r = RrfReader::new(input, &file, &REL_COLUMNS);
    loop {
        let row = match r.next_row() {
            Ok(Some(row)) => row,
            Ok(None) => break,
            Err(e) => {
                faults.push(e);
                continue;
            }
        };
        stats.relationship_rows += 1;
        if row.get(10) != "RXNORM" || row.get(2) != "CUI" || row.get(6) != "CUI" {
            continue;
        }
        let Some((rel, first_is_subject)) = rela(row.get(7)) else {
            continue;
        };
        let (a, b) = match (row.rxcui(0), row.rxcui(4)) {
            (Ok(a), Ok(b)) => (a, b),
            (Err(e), _) | (_, Err(e)) => {
                faults.push(e);
                continue;
            }
        };
        if row.suppressed(14) {
            stats.suppressed_skipped += 1;
            continue;
        }
        let (s, o) = if first_is_subject { (a, b) } else { (b, a) };
        let (Some(cs), Some(co)) = (concepts.get(&s), concepts.get(&o)) else {
            continue;
        };
        if fits(rel, cs.tty, co.tty) {
            pairs[rel as usize].push((s, o));
        }
    }
    let mut maps = pairs.into_iter().map(|mut v| {
        v.sort_unstable();
        v.dedup();
        stats.relationships_kept += v.len() as u64;
        let mut m: Pairs = FxHashMap::default();
        for (s, o) in v {
            m.entry(s).or_default().push(o);
        }
        m
    });
    let mut next = || maps.next().unwrap_or_default();
    Relationships {
        ingredient: next(),
        consists_of: next(),
        tradename_of: next(),
        dose_form: next(),
        contains: next(),
        base: next(),
    }
}

/// What the attribute pass keeps: NDCs and their products, and strengths.
struct Attributes {
    ndcs: BTreeMap<Ndc, u32>,
    strengths: FxHashMap<u32, String>,
}

fn read_attributes<S: BufRead>(
    (input, file): (S, String),
    concepts: &FxHashMap<u32, Concept>,
    stats: &mut ImportStats,
    faults: &mut Faults,
) -> Attributes {
    let mut out = Attributes {
        ndcs: BTreeMap::new(),
        strengths: FxHashMap::default(),
    };
    let mut r = RrfReader::new(input, &file, &SAT_COLUMNS);
    loop {
        let row = match r.next_row() {
            Ok(Some(row)) => row,
            Ok(None) => break,
            Err(e) => {
                faults.push(e);
                continue;
            }
        };
        stats.attribute_rows += 1;
        let atn = row.get(8);
        if row.get(9) != "RXNORM" || !matches!(atn, "NDC" | "RXN_AVAILABLE_STRENGTH") {
            continue;
        }
        let rxcui = match row.rxcui(0) {
            Ok(c) => c,
            Err(e) => {
                faults.push(e);
                continue;
            }
        };
        if row.suppressed(11) {
            stats.suppressed_skipped += 1;
            continue;
        }
        let atv = row.get(10);
        let ndc = if atn == "NDC" {
            // A malformed NDC is reported whichever concept it is on.
            if atv.len() != 11 {
                faults.push(row.fault(10, format!("NDC `{atv}`: RxNorm's NDCs have 11 digits")));
                continue;
            }
            match Ndc::parse(atv) {
                Ok(ndc) => Some(ndc),
                Err(e) => {
                    faults.push(row.fault(10, format!("NDC `{atv}`: {e}")));
                    continue;
                }
            }
        } else {
            None
        };
        if !concepts.get(&rxcui).is_some_and(|c| c.tty.is_product()) {
            continue;
        }
        match ndc {
            None => {
                out.strengths.insert(rxcui, atv.to_string());
            }
            Some(ndc) => {
                let e = out.ndcs.entry(ndc).or_insert(rxcui);
                if *e != rxcui {
                    stats.ndc_conflicts += 1;
                    *e = (*e).min(rxcui);
                }
            }
        }
    }
    out
}

fn assemble(
    concepts: &FxHashMap<u32, Concept>,
    rels: &Relationships,
    attrs: Attributes,
    stats: &mut ImportStats,
) -> Knowledge {
    let mut k = Knowledge::default();
    let mut product_codes: Vec<u32> = concepts
        .iter()
        .filter(|(_, c)| c.tty.is_product())
        .map(|(r, _)| *r)
        .collect();
    product_codes.sort_unstable();
    let resolver = Resolver { concepts, rels };
    for rxcui in product_codes {
        let Some(c) = concepts.get(&rxcui) else {
            continue;
        };
        let ingredients: Vec<u32> = resolver
            .product_ingredients(rxcui, c.tty)
            .into_iter()
            .collect();
        if ingredients.is_empty() {
            stats.products_without_ingredients += 1;
        }
        for i in &ingredients {
            if let Some(ic) = concepts.get(i) {
                k.ingredients.insert(*i, ic.name.to_string());
            }
        }
        let generic = match c.tty {
            Tty::Sbd | Tty::Bpck => rels.first(&rels.tradename_of, rxcui),
            _ => None,
        };
        let dose_form = rels
            .first(&rels.dose_form, rxcui)
            .or_else(|| generic.and_then(|g| rels.first(&rels.dose_form, g)))
            .and_then(|d| concepts.get(&d))
            .map(|d| d.name.to_string())
            .unwrap_or_default();
        let strength = attrs
            .strengths
            .get(&rxcui)
            .or_else(|| generic.and_then(|g| attrs.strengths.get(&g)))
            .cloned()
            .unwrap_or_else(|| resolver.component_strength(generic.unwrap_or(rxcui)));
        k.products.insert(
            rxcui,
            Product {
                tty: c.tty.name().to_string(),
                name: c.name.to_string(),
                ingredients,
                dose_form,
                strength,
                generic,
            },
        );
    }
    k.ndcs = attrs.ndcs;
    stats.products = k.products.len();
    stats.ndcs = k.ndcs.len();
    k
}

impl Relationships {
    /// The lowest object of `subject` in `pairs`.
    fn first(&self, pairs: &Pairs, subject: u32) -> Option<u32> {
        pairs.get(&subject).and_then(|v| v.first().copied())
    }
}

struct Resolver<'a> {
    concepts: &'a FxHashMap<u32, Concept>,
    rels: &'a Relationships,
}

impl Resolver<'_> {
    /// A product's ingredients as IN RxCUIs: an SCD through its components
    /// (consists_of, then has_ingredient) and any ingredient it names
    /// directly; an SBD as its SCD, plus what it names directly; a pack as
    /// the union of the drugs it contains.
    fn product_ingredients(&self, rxcui: u32, tty: Tty) -> BTreeSet<u32> {
        let mut out = self.direct(rxcui);
        match tty {
            Tty::Scd => {
                for c in self.objects(&self.rels.consists_of, rxcui) {
                    out.extend(self.direct(*c));
                }
            }
            Tty::Sbd => {
                for g in self.objects(&self.rels.tradename_of, rxcui) {
                    out.extend(self.product_ingredients(*g, Tty::Scd));
                }
            }
            Tty::Gpck | Tty::Bpck => {
                for d in self.objects(&self.rels.contains, rxcui) {
                    let inner = self.concepts.get(d).map(|c| c.tty);
                    if let Some(t @ (Tty::Scd | Tty::Sbd)) = inner {
                        out.extend(self.product_ingredients(*d, t));
                    }
                }
            }
            _ => {}
        }
        out
    }

    /// The INs a concept names itself, with PIN and MIN mapped to IN.
    fn direct(&self, rxcui: u32) -> BTreeSet<u32> {
        let mut out = BTreeSet::new();
        for i in self.objects(&self.rels.ingredient, rxcui) {
            match self.concepts.get(i).map(|c| c.tty) {
                Some(Tty::In) => {
                    out.insert(*i);
                }
                Some(Tty::Pin | Tty::Min) => {
                    out.extend(self.objects(&self.rels.base, *i).iter().copied());
                }
                _ => {}
            }
        }
        out
    }

    /// An SCD's strength read from its components' names (`amlodipine 2.5
    /// MG` → `2.5 MG`), joined with ` / `, when RXNSAT gives none.
    fn component_strength(&self, rxcui: u32) -> String {
        let parts: Vec<&str> = self
            .objects(&self.rels.consists_of, rxcui)
            .iter()
            .filter_map(|c| self.concepts.get(c))
            .filter_map(|c| {
                let name = &*c.name;
                name.match_indices(' ')
                    .map(|(i, _)| i + 1)
                    .find(|&i| name[i..].starts_with(|ch: char| ch.is_ascii_digit()))
                    .map(|i| &name[i..])
            })
            .collect();
        parts.join(" / ")
    }

    fn objects<'p>(&self, pairs: &'p Pairs, subject: u32) -> &'p [u32] {
        pairs.get(&subject).map(Vec::as_slice).unwrap_or(&[])
    }
}
