//! The one integration test binary. Each module is driven by files: case
//! files carry their input, and insta snapshots hold the expected output.

mod alternatives;
mod batch;
mod benefit;
mod claims_mix;
mod cli;
mod diagnostics;
mod diff;
mod docs;
mod fmt;
mod formularies;
mod interop;
mod load;
#[cfg(feature = "lsp")]
mod lsp;
mod ncpdp;
mod report;
mod rxnorm;
#[cfg(feature = "service")]
mod service;
mod support;
mod tidy;
mod values;
mod writes;
