//! The one integration test binary. Each module is driven by files: case
//! files carry their input, and insta snapshots hold the expected output.

mod cli;
mod diagnostics;
mod diff;
mod fmt;
mod formularies;
mod interop;
mod report;
#[cfg(feature = "service")]
mod service;
mod support;
