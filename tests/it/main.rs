//! The one integration test binary. Each module is driven by files: case
//! files carry their input, and insta snapshots hold the expected output.

mod alternatives;
mod batch;
mod claims_mix;
mod cli;
mod diagnostics;
mod diff;
mod fmt;
mod formularies;
mod interop;
mod load;
mod ncpdp;
mod report;
mod rxnorm;
mod support;
mod tidy;
mod writes;
