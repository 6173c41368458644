//! Shared pieces of the fuzz targets: the shipped Acme formulary built in,
//! the structured formulary generator, and the invariants every decision
//! must hold.

pub mod acme;
pub mod invariants;
pub mod spec;
