//! The drug knowledge base from RxNorm, beside the pipeline: [`rrf`] reads
//! NLM's pipe-delimited release files a row at a time, [`import`] turns a
//! release into a [`Knowledge`] (for every SCD, SBD, GPCK and BPCK: its
//! ingredients, brand/generic partner, dose form, strength and NDCs), and
//! [`knowledge`] writes and reads the compact drug knowledge file.
//!
//! The compiler consumes only [`Knowledge`]; nothing in the core depends on
//! the importer or the RRF reader. Nothing here reads or writes files: the
//! CLI hands in readers and writes the result.

pub mod import;
pub mod knowledge;
pub mod rrf;

pub use import::{import, ImportStats, Release};
pub use knowledge::{Knowledge, Product};
