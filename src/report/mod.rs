//! Report stage: documents and pictures of a compiled [`Formulary`], for
//! members, committees and reviewers. Reads the compiled model only; writes
//! strings (the CLI writes files).
//!
//! - [`drug_list`] builds the member's printed drug list, rendered by
//!   [`markdown`] and [`html`];
//! - [`graph`] picks what of the rule graph to draw, [`diagram`] writes it
//!   as Mermaid or Graphviz DOT;
//! - [`explain`] says in words every rule that applies to one drug.
//!
//! ```
//! let compiled = formulary::compile_str("x.formulary", r#"
//! formulary "Example" id EX-1 version 1 effective 2026-01-01 to 2026-12-31
//! tier 1 "Generic" copay $5 preferred
//! class ace "ACE inhibitors" { ingredient lisinopril rxcui 29046 tier 1 limit 1 per day }
//! "#);
//! let f = compiled.formulary.unwrap();
//! let list = formulary::report::drug_list::build(&f, f.effective.from);
//! let md = formulary::report::markdown::render(&list);
//! assert!(md.contains("| lisinopril | 1 | QL (1 per day) |"));
//! ```

pub mod diagram;
pub mod drug_list;
pub mod escape;
pub mod explain;
pub mod graph;
pub mod html;
pub mod markdown;
pub mod status;
pub use crate::words;

use crate::Formulary;

/// Legend text of the specialty mark.
pub const SPECIALTY_MEANING: &str =
    "Specialty tier: may have to be filled at a specialty pharmacy.";

/// How names are printed, for the legend.
pub const NAMES_NOTE: &str =
    "Brand-name drugs are printed in CAPITALS; generic drugs in lower case.";

/// The line under a document's title: id, version, period and the date shown.
pub fn subtitle(list: &drug_list::DrugList) -> String {
    let f: &Formulary = list.formulary;
    let mut parts = Vec::new();
    if !f.id.is_empty() {
        parts.push(format!("Formulary {}", f.id));
    }
    if !f.version.is_empty() {
        parts.push(format!("version {}", f.version));
    }
    if !f.effective.is_always() {
        parts.push(format!("in effect {}", f.effective));
    }
    let mut s = parts.join(", ");
    if !s.is_empty() {
        s.push_str(". ");
    }
    if let Some(d) = list.as_of {
        s.push_str(&format!(
            "Coverage as of {d}; later changes are noted beside each drug."
        ));
    }
    s.trim_end().to_string()
}

/// `One drug`, `3 drugs`.
pub fn count_words(n: usize) -> String {
    if n == 1 {
        "One drug".to_string()
    } else {
        format!("{n} drugs")
    }
}
