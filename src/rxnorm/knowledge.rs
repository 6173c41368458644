//! The drug knowledge file: what the compiler needs to know about each
//! RxNorm product (ingredients, brand/generic partner, dose form, strength,
//! packages), in a small, versioned, tab-separated text format (see
//! docs/formats.md). [`Knowledge`] is the one type the compiler consumes
//! from this folder; the importer ([`super::import`]) produces it.
//!
//! The file is line-oriented. Its first line is `formulary-drugs<TAB>1`
//! (the format and its version); lines starting with `#` are comments; every
//! other line is a record whose first field names its kind:
//!
//! ```text
//! ingredient  RXCUI  NAME
//! product     RXCUI  TTY  INGREDIENTS  DOSE_FORM  STRENGTH  GENERIC  NAME
//! ndc         NDC11  PRODUCT_RXCUI
//! ```
//!
//! `INGREDIENTS` are ingredient RxCUIs separated by single spaces, in
//! ascending order; `GENERIC` is, for a branded product (SBD, BPCK), the
//! RxCUI of the clinical product it is a tradename of, and empty otherwise.
//! Records are written ingredients first, then products, then NDCs, each
//! sorted by code, so the same knowledge always gives the same bytes.

use crate::codes::{parse_rxcui, Ndc};
use crate::interop::{Faults, ImportError, RowError};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// The first line of a knowledge file: the format's name and version.
pub const MAGIC: &str = "formulary-drugs\t1";

/// RxNorm's attribution, kept in every file written from its data.
pub const ATTRIBUTION: &str = "This product uses publicly available data from the U.S. National Library of Medicine (NLM), National Institutes of Health, Department of Health and Human Services; NLM is not responsible for the product and does not endorse or recommend this or any other product.";

/// What is known about drugs: ingredients, products and package NDCs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Knowledge {
    /// Ingredient (IN) names by RxCUI.
    pub ingredients: BTreeMap<u32, String>,
    /// Products (SCD, SBD, GPCK, BPCK) by RxCUI.
    pub products: BTreeMap<u32, Product>,
    /// Package NDCs and the RxCUI of their product.
    pub ndcs: BTreeMap<Ndc, u32>,
}

/// One product: a clinical or branded drug, or a pack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Product {
    /// RxNorm term type: SCD, SBD, GPCK or BPCK.
    pub tty: String,
    /// RxNorm name.
    pub name: String,
    /// Ingredient RxCUIs, ascending, without repeats.
    pub ingredients: Vec<u32>,
    /// Dose form name (e.g. `Oral Tablet`), empty when unknown.
    pub dose_form: String,
    /// Strength as RxNorm writes it (e.g. `2.5 MG`), empty when unknown.
    pub strength: String,
    /// For a branded product, the clinical product it is a tradename of.
    pub generic: Option<u32>,
}

impl Product {
    /// Whether this is a branded product (SBD or BPCK).
    pub fn is_brand(&self) -> bool {
        matches!(self.tty.as_str(), "SBD" | "BPCK")
    }
}

impl Knowledge {
    /// The product a package NDC belongs to.
    pub fn product_of_ndc(&self, ndc: &Ndc) -> Option<(u32, &Product)> {
        let rxcui = *self.ndcs.get(ndc)?;
        self.products.get(&rxcui).map(|p| (rxcui, p))
    }

    /// The ingredient names of a product, in RxCUI order.
    pub fn ingredient_names(&self, p: &Product) -> Vec<&str> {
        p.ingredients
            .iter()
            .filter_map(|i| self.ingredients.get(i).map(String::as_str))
            .collect()
    }

    /// The file's text (see the module documentation), deterministic.
    pub fn write(&self) -> String {
        let mut s = String::with_capacity(64 * (self.products.len() + self.ndcs.len()) + 512);
        s.push_str(MAGIC);
        s.push('\n');
        let _ = writeln!(s, "# {ATTRIBUTION}");
        s.push_str("# ingredient\tRXCUI\tNAME\n");
        s.push_str("# product\tRXCUI\tTTY\tINGREDIENTS\tDOSE_FORM\tSTRENGTH\tGENERIC\tNAME\n");
        s.push_str("# ndc\tNDC11\tPRODUCT_RXCUI\n");
        for (rxcui, name) in &self.ingredients {
            let _ = writeln!(s, "ingredient\t{rxcui}\t{}", clean(name));
        }
        for (rxcui, p) in &self.products {
            let ings: Vec<String> = p.ingredients.iter().map(u32::to_string).collect();
            let generic = p.generic.map(|g| g.to_string()).unwrap_or_default();
            let _ = writeln!(
                s,
                "product\t{rxcui}\t{}\t{}\t{}\t{}\t{generic}\t{}",
                clean(&p.tty),
                ings.join(" "),
                clean(&p.dose_form),
                clean(&p.strength),
                clean(&p.name)
            );
        }
        for (ndc, rxcui) in &self.ndcs {
            let _ = writeln!(s, "ndc\t{ndc}\t{rxcui}");
        }
        s
    }

    /// Reads a knowledge file; `file` names it in messages. Every malformed
    /// line is reported with its line and field; a product naming an
    /// ingredient, or an NDC naming a product, that the file does not define
    /// is an error too, so a reference can never silently dangle.
    pub fn parse(file: &str, text: &str) -> Result<Knowledge, ImportError> {
        let mut k = Knowledge::default();
        let mut found: Vec<RowError> = Vec::new();
        let mut lines = text.lines().enumerate();
        let first = lines.next().map(|(_, l)| l.trim_start_matches('\u{feff}'));
        if first.map(|l| l.trim_end_matches('\r')) != Some(MAGIC) {
            let at = RowError {
                file: file.into(),
                line: 1,
                column: None,
                message: format!(
                    "not a drug knowledge file: the first line must be `{}` (write one with `formulary import rxnorm`)",
                    MAGIC.replace('\t', "<TAB>")
                ),
            };
            return Err(ImportError::one(at));
        }
        let mut refs: Vec<(u64, Ref)> = Vec::new();
        for (i, line) in lines {
            let line_no = i as u64 + 1;
            let line = line.trim_end_matches('\r');
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let fields: Vec<&str> = line.split('\t').collect();
            if let Err(e) = k.add_record(&fields, line_no, &mut refs) {
                found.push(RowError {
                    file: file.into(),
                    line: line_no,
                    column: e.0.map(|c| (c + 1, FIELD_NAMES[c].to_string())),
                    message: e.1,
                });
            }
        }
        for (line, r) in refs {
            let missing = match r {
                Ref::Ingredient(i) if !k.ingredients.contains_key(&i) => {
                    Some(format!("ingredient {i} is not defined in the file"))
                }
                Ref::Product(p) if !k.products.contains_key(&p) => {
                    Some(format!("product {p} is not defined in the file"))
                }
                _ => None,
            };
            if let Some(message) = missing {
                found.push(RowError {
                    file: file.into(),
                    line,
                    column: None,
                    message,
                });
            }
        }
        // Dangling references are found last; report every fault in line order.
        found.sort_by_key(|e| e.line);
        let mut faults = Faults::default();
        for e in found {
            faults.push(e);
        }
        faults.into_result(k)
    }

    fn add_record(
        &mut self,
        f: &[&str],
        line: u64,
        refs: &mut Vec<(u64, Ref)>,
    ) -> Result<(), (Option<usize>, String)> {
        let want = match f[0] {
            "ingredient" => 3,
            "product" => 8,
            "ndc" => 3,
            other => {
                return Err((
                    Some(0),
                    format!("unknown record `{other}`; expected ingredient, product or ndc"),
                ))
            }
        };
        if f.len() != want {
            return Err((
                None,
                format!(
                    "a `{}` record has {want} tab-separated fields, this one has {}",
                    f[0],
                    f.len()
                ),
            ));
        }
        let code = |i: usize| parse_rxcui(f[i]).map_err(|e| (Some(i), format!("`{}`: {e}", f[i])));
        match f[0] {
            "ingredient" => {
                let rxcui = code(1)?;
                if self.ingredients.insert(rxcui, f[2].to_string()).is_some() {
                    return Err((Some(1), format!("ingredient {rxcui} is defined twice")));
                }
            }
            "product" => {
                let rxcui = code(1)?;
                let mut ingredients = Vec::new();
                for s in f[3].split(' ').filter(|s| !s.is_empty()) {
                    let i = parse_rxcui(s).map_err(|e| (Some(3), format!("`{s}`: {e}")))?;
                    refs.push((line, Ref::Ingredient(i)));
                    ingredients.push(i);
                }
                ingredients.sort_unstable();
                ingredients.dedup();
                let generic = if f[6].is_empty() {
                    None
                } else {
                    Some(code(6)?)
                };
                if let Some(g) = generic {
                    refs.push((line, Ref::Product(g)));
                }
                let p = Product {
                    tty: f[2].to_string(),
                    name: f[7].to_string(),
                    ingredients,
                    dose_form: f[4].to_string(),
                    strength: f[5].to_string(),
                    generic,
                };
                if self.products.insert(rxcui, p).is_some() {
                    return Err((Some(1), format!("product {rxcui} is defined twice")));
                }
            }
            _ => {
                let ndc =
                    Ndc::parse(f[1]).map_err(|e| (Some(1), format!("NDC `{}`: {e}", f[1])))?;
                let rxcui = code(2)?;
                refs.push((line, Ref::Product(rxcui)));
                if let Some(other) = self.ndcs.insert(ndc, rxcui) {
                    return Err((
                        Some(1),
                        format!("NDC {ndc} is listed twice (products {other} and {rxcui})"),
                    ));
                }
            }
        }
        Ok(())
    }
}

/// Field names for messages, by position (their meaning depends on the
/// record kind; the second field is always the record's code).
const FIELD_NAMES: [&str; 8] = [
    "kind",
    "code",
    "field 3",
    "ingredients",
    "dose form",
    "strength",
    "generic",
    "name",
];

/// A code a record refers to, checked once the whole file is read.
enum Ref {
    Ingredient(u32),
    Product(u32),
}

/// Text safe for one field: no tab or line break.
fn clean(s: &str) -> String {
    s.replace(['\t', '\n', '\r'], " ")
}
