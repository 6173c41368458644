//! # formulary
//!
//! A pharmacy benefit formulary rules engine with its own language.
//!
//! The pipeline: source text → [`syntax`] (pest) → [`ast`] → [`compile`]
//! (names, values, the petgraph rule graph, checks) → [`Formulary`] →
//! [`check`] a prescription → [`Decision`].
//!
//! ```
//! let source = r#"
//! formulary "Example" id EX-1 version 1 effective 2026-01-01 to 2026-12-31
//! tier 1 "Generic" copay $5 preferred
//! class ace "ACE inhibitors" {
//!   ingredient lisinopril rxcui 29046 tier 1
//!   product lisinopril-10 "lisinopril 10 MG Oral Tablet" rxcui 314076 of lisinopril ndc 68180-0513-01
//! }
//! "#;
//! let compiled = formulary::compile_str("example.formulary", source);
//! assert!(!compiled.has_errors());
//! let f = compiled.formulary.unwrap();
//! let rx = formulary::Prescription::from_str(r#"{
//!   "date": "2026-03-02", "ndc": "68180-0513-01", "quantity": 30, "days_supply": 30,
//!   "patient": {"birth_date": "1960-05-01", "sex": "F"}
//! }"#).unwrap();
//! let decision = formulary::check(&f, &rx);
//! assert!(decision.is_paid());
//! assert_eq!(decision.tier.unwrap().number, 1);
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod ast;
pub mod benefit;
pub mod cases;
pub mod check;
#[cfg(feature = "cli")]
pub mod cli;
pub mod codes;
pub mod compile;
pub mod diagnostics;
#[cfg(feature = "cli")]
pub mod diff;
pub mod fmt;
pub mod interop;
pub mod io;
#[cfg(feature = "lsp")]
pub mod lsp;
pub mod ncpdp;
pub mod prices;
pub mod report;
pub mod rxnorm;
pub mod span;
pub mod syntax;
pub mod synth;
pub mod words;

pub use check::{check, Decision, Prescription, PrescriptionBuilder, RejectCode};
pub use codes::Date;
pub use compile::model::Formulary;
pub use compile::{compile, load, parse_str, Compiled, LoadOptions, Parsed};

/// Parses and compiles one in-memory file (no includes).
pub fn compile_str(name: &str, text: &str) -> Compiled {
    compile::compile(compile::parse_str(name, text))
}
