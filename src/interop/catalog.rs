//! Drug catalogs: CSV files that map package NDCs and product RxCUIs to
//! products and their ingredients, so that a formulary written at the
//! ingredient level also recognises every package on a claim.
//!
//! Two column layouts are read, told apart by their header (any column
//! order, any case; see docs/formats.md):
//!
//! - **NDC layout** `rxcui,ingredient_rxcui,ndc11,name,tty,ingredient_name`:
//!   one row per package NDC and ingredient. `NA` or an empty `ndc11` means
//!   the product has no NDC; the row still maps the product to its ingredient.
//! - **Product layout** `RXCUI,STR,TTY,...,ingredient_name,...`: one row per
//!   product and ingredient (a combination has one row per ingredient); no
//!   NDCs and no ingredient RxCUIs, so ingredients are matched by name.
//!
//! Faults: a row that the CSV reader cannot split, a row with the wrong
//! number of fields, or a malformed RxCUI or NDC is an error naming the file,
//! line and column — a code typo must not silently map a claim to the wrong
//! drug. A row with no product RxCUI or no ingredient at all is skipped and
//! counted, and so is a row that maps an NDC already mapped to another
//! product (the first mapping is kept).

use super::{Faults, ImportError, RowError};
use crate::ast::DrugKind;
use crate::codes::{parse_rxcui, Ndc};
use crate::compile::model::{DrugId, Formulary};
use std::collections::BTreeMap;

/// The column layout of a catalog file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Layout {
    /// `rxcui,ingredient_rxcui,ndc11,name,tty,ingredient_name`.
    Ndc,
    /// `RXCUI,STR,TTY,...,ingredient_name,...`.
    Product,
}

/// A parsed catalog.
#[derive(Debug, Clone)]
pub struct Catalog {
    /// File name, for messages.
    pub file: String,
    /// Which layout the header named.
    pub layout: Layout,
    /// Products by RxCUI.
    pub products: BTreeMap<u32, CatalogProduct>,
    /// Package NDCs and the RxCUI of their product.
    pub ndcs: BTreeMap<Ndc, u32>,
    /// Data rows read.
    pub rows: usize,
    /// Rows skipped (see the module documentation for which).
    pub skipped: usize,
    /// Why the first few rows were skipped, with their line numbers.
    pub skipped_examples: Vec<String>,
}

/// A product (or pack) of the catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogProduct {
    /// RxCUI.
    pub rxcui: u32,
    /// RxNorm name.
    pub name: String,
    /// RxNorm term type (SCD, SBD, GPCK, ...).
    pub tty: String,
    /// Ingredients, in file order, without repeats.
    pub ingredients: Vec<CatalogIngredient>,
}

/// An ingredient of a catalog product.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogIngredient {
    /// RxCUI, when the layout has one.
    pub rxcui: Option<u32>,
    /// Name.
    pub name: String,
}

/// A catalog that could not be read.
pub type CatalogError = ImportError;

/// What attaching a catalog did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct AttachReport {
    /// Catalog products whose rules were found (the product itself or its ingredient).
    pub products_matched: usize,
    /// Catalog products with no product or ingredient in the formulary.
    pub products_unmatched: usize,
    /// Combination products whose ingredients match more than one formulary
    /// drug: left out, since no one ingredient's rules apply to them.
    pub combinations_left_out: usize,
    /// RxCUIs newly recognised.
    pub rxcuis_added: usize,
    /// NDCs newly recognised.
    pub ndcs_added: usize,
    /// Codes the formulary (or an earlier catalog) already lists: kept as they were.
    pub codes_kept: usize,
}

const NDC_COLUMNS: [&str; 6] = [
    "rxcui",
    "ingredient_rxcui",
    "ndc11",
    "name",
    "tty",
    "ingredient_name",
];
const PRODUCT_COLUMNS: [&str; 4] = ["rxcui", "str", "tty", "ingredient_name"];
/// Skipped rows described in `skipped_examples`.
const EXAMPLES: usize = 5;

impl Catalog {
    /// Parses a catalog. `file` names it in messages.
    pub fn parse(file: &str, text: &str) -> Result<Catalog, CatalogError> {
        let at = |line: u64, column: Option<(usize, &str)>, message: String| RowError {
            file: file.to_string(),
            line,
            column: column.map(|(n, h)| (n + 1, h.to_string())),
            message,
        };
        let mut rdr = csv::ReaderBuilder::new().from_reader(text.as_bytes());
        let header: Vec<String> = rdr
            .headers()
            .map_err(|e| ImportError::one(at(1, None, format!("cannot read the header: {e}"))))?
            .iter()
            .map(|h| h.trim().trim_start_matches('\u{feff}').to_ascii_lowercase())
            .collect();
        let find = |names: &[&str]| -> Option<Vec<usize>> {
            names
                .iter()
                .map(|n| header.iter().position(|h| h == n))
                .collect()
        };
        let (layout, cols) = match (find(&NDC_COLUMNS), find(&PRODUCT_COLUMNS)) {
            (Some(c), _) => (Layout::Ndc, c),
            (None, Some(c)) => (Layout::Product, c),
            (None, None) => {
                return Err(ImportError::one(at(
                    1,
                    None,
                    format!(
                        "the header names neither catalog layout: expected the columns {} or {}",
                        NDC_COLUMNS.join(","),
                        PRODUCT_COLUMNS.join(",")
                    ),
                )))
            }
        };
        let mut cat = Catalog {
            file: file.to_string(),
            layout,
            products: BTreeMap::new(),
            ndcs: BTreeMap::new(),
            rows: 0,
            skipped: 0,
            skipped_examples: Vec::new(),
        };
        let mut faults = Faults::default();
        let mut record = csv::StringRecord::new();
        loop {
            match rdr.read_record(&mut record) {
                Ok(false) => break,
                Ok(true) => {}
                Err(e) => {
                    let line = e.position().map(|p| p.line()).unwrap_or(0);
                    faults.push(at(line, None, format!("cannot read the row: {e}")));
                    // A structural fault leaves the reader where it cannot go on reliably.
                    if !matches!(e.kind(), csv::ErrorKind::UnequalLengths { .. }) {
                        break;
                    }
                    continue;
                }
            }
            let line = record.position().map(|p| p.line()).unwrap_or(0);
            cat.rows += 1;
            let field = |i: usize| record.get(cols[i]).unwrap_or("").trim();
            let col = |i: usize| Some((cols[i], header[cols[i]].as_str()));
            let row = match layout {
                Layout::Ndc => Row {
                    rxcui: field(0),
                    ingredient_rxcui: Some((field(1), col(1))),
                    ndc: Some((field(2), col(2))),
                    name: field(3),
                    tty: field(4),
                    ingredient: field(5),
                },
                Layout::Product => Row {
                    rxcui: field(0),
                    ingredient_rxcui: None,
                    ndc: None,
                    name: field(1),
                    tty: field(2),
                    ingredient: field(3),
                },
            };
            match cat.add_row(&row, col(0)) {
                Ok(None) => {}
                Ok(Some(why)) => {
                    cat.skipped += 1;
                    if cat.skipped_examples.len() < EXAMPLES {
                        cat.skipped_examples.push(format!("line {line}: {why}"));
                    }
                }
                Err((column, message)) => faults.push(at(line, column, message)),
            }
        }
        faults.into_result(cat)
    }

    /// Adds one row: Ok(None) when taken, Ok(Some(why)) when skipped, Err
    /// with the column at fault when malformed.
    fn add_row<'h>(
        &mut self,
        row: &Row<'_, 'h>,
        rxcui_col: Col<'h>,
    ) -> Result<Option<String>, (Col<'h>, String)> {
        if row.rxcui.is_empty() {
            return Ok(Some("no product RxCUI".into()));
        }
        let rxcui = parse_rxcui(row.rxcui)
            .map_err(|e| (rxcui_col, format!("RxCUI `{}`: {e}", row.rxcui)))?;
        let ingredient_rxcui = match row.ingredient_rxcui {
            Some((s, _)) if s.is_empty() || s.eq_ignore_ascii_case("na") => None,
            Some((s, c)) => {
                Some(parse_rxcui(s).map_err(|e| (c, format!("ingredient RxCUI `{s}`: {e}")))?)
            }
            None => None,
        };
        let ndc = match row.ndc {
            Some((s, _)) if s.is_empty() || s.eq_ignore_ascii_case("na") => None,
            Some((s, c)) => Some(Ndc::parse(s).map_err(|e| (c, format!("NDC `{s}`: {e}")))?),
            None => None,
        };
        if row.ingredient.is_empty() && ingredient_rxcui.is_none() {
            return Ok(Some(format!("product {rxcui} has no ingredient")));
        }
        if let Some(n) = ndc {
            if let Some(&other) = self.ndcs.get(&n) {
                if other != rxcui {
                    return Ok(Some(format!(
                        "NDC {} is already mapped to product {other}, not {rxcui}",
                        n.dashed()
                    )));
                }
            }
        }
        let product = self
            .products
            .entry(rxcui)
            .or_insert_with(|| CatalogProduct {
                rxcui,
                name: row.name.to_string(),
                tty: row.tty.to_string(),
                ingredients: Vec::new(),
            });
        let ing = CatalogIngredient {
            rxcui: ingredient_rxcui,
            name: row.ingredient.to_string(),
        };
        if !product.ingredients.contains(&ing) {
            product.ingredients.push(ing);
        }
        if let Some(n) = ndc {
            self.ndcs.insert(n, rxcui);
        }
        Ok(None)
    }

    /// The catalog's name for a product RxCUI.
    pub fn product_name(&self, rxcui: u32) -> Option<&str> {
        self.products.get(&rxcui).map(|p| p.name.as_str())
    }
}

type Col<'h> = Option<(usize, &'h str)>;

/// One row's fields, by meaning.
struct Row<'r, 'h> {
    rxcui: &'r str,
    ingredient_rxcui: Option<(&'r str, Col<'h>)>,
    ndc: Option<(&'r str, Col<'h>)>,
    name: &'r str,
    tty: &'r str,
    ingredient: &'r str,
}

impl Formulary {
    /// Makes the catalog's codes resolve to this formulary's rules: a package
    /// NDC or product RxCUI resolves to the formulary's entry for that product
    /// or, when the product is not listed, for its ingredient (matched by
    /// ingredient RxCUI, else by ingredient name equal to the drug's name).
    /// Codes the formulary lists itself are never overridden. Called by
    /// `compile` while building the formulary, never after.
    pub(crate) fn attach_catalog(&mut self, c: &Catalog) -> AttachReport {
        let mut report = AttachReport::default();
        for p in c.products.values() {
            let target = match self.by_rxcui.get(&p.rxcui) {
                Some(&d) => Some(d),
                None => match self.catalog_ingredients(p).as_slice() {
                    [one] => Some(*one),
                    [] => None,
                    _ => {
                        report.combinations_left_out += 1;
                        continue;
                    }
                },
            };
            let Some(target) = target else {
                report.products_unmatched += 1;
                continue;
            };
            report.products_matched += 1;
            match self.by_rxcui.entry(p.rxcui) {
                std::collections::hash_map::Entry::Occupied(_) => report.codes_kept += 1,
                std::collections::hash_map::Entry::Vacant(v) => {
                    v.insert(target);
                    report.rxcuis_added += 1;
                }
            }
        }
        for (ndc, rxcui) in &c.ndcs {
            // Only NDCs of products that were matched above resolve.
            let Some(&target) = self.by_rxcui.get(rxcui) else {
                continue;
            };
            match self.by_ndc.entry(*ndc) {
                std::collections::hash_map::Entry::Occupied(_) => report.codes_kept += 1,
                std::collections::hash_map::Entry::Vacant(v) => {
                    v.insert(target);
                    report.ndcs_added += 1;
                }
            }
        }
        report
    }

    /// The distinct formulary ingredients a catalog product's ingredients name.
    fn catalog_ingredients(&self, p: &CatalogProduct) -> Vec<DrugId> {
        let mut found: Vec<DrugId> = Vec::new();
        for ing in &p.ingredients {
            let by_code = ing
                .rxcui
                .and_then(|r| self.by_rxcui.get(&r).copied())
                .filter(|d| self.drug(*d).kind == DrugKind::Ingredient);
            let by_name = || {
                let ident = ing.name.trim().to_lowercase().replace(' ', "-");
                self.by_name
                    .get(&ident)
                    .copied()
                    .filter(|d| self.drug(*d).kind == DrugKind::Ingredient)
            };
            if let Some(d) = by_code.or_else(by_name) {
                if !found.contains(&d) {
                    found.push(d);
                }
            }
        }
        found
    }
}
