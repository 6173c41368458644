//! NCPDP Telecommunication D.0: the wire format pharmacies use for claims.
//!
//! Layers, each in its own file:
//! - [`frame`]: separators, segments and fields, the generic model every
//!   transaction shares ([`Transmission`], [`Segment`], [`Field`]);
//! - [`header`]: the fixed-width request and response headers;
//! - [`amount`]: signed overpunch amounts, implied-decimal quantities, dates;
//! - [`fields`]: the field and segment ids this codec reads and writes, with
//!   their names, and the "missing/invalid" reject code for each;
//! - [`request`]: the typed B1 / B2 / E1 request ([`ClaimRequest`]) and its
//!   M/I rejects ([`Rejects`]);
//! - [`mapping`]: a request as the engine's [`Prescription`](crate::check::Prescription);
//! - [`response`]: the typed response ([`Response`]) built from a
//!   [`Decision`](crate::check::Decision), with its encoding and parsing;
//! - [`render`]: a readable view of raw bytes and of a transmission.
//!
//! The codec depends on the core types and never the other way round.
//! Nothing here panics on any input: a transmission that cannot be framed is
//! a [`ParseError`] that names the byte offset and maps to a reject code, and
//! a field that is missing or malformed is a reject for that field.

pub mod adjudicate;
pub mod amount;
pub mod fields;
pub mod frame;
pub mod header;
pub mod mapping;
pub mod render;
pub mod request;
pub mod response;
mod text;

pub use adjudicate::check_transmission;
pub use frame::{Field, ParseError, Segment, Transmission};
pub use header::{RequestHeader, ResponseHeader};
pub use request::{ClaimRequest, Gender, MiReject, Rejects, TransactionCode};
pub use response::{PreferredProduct, Pricing, Response, ResponseStatus, TransactionResponse};

/// Field separator (FS, 0x1C): precedes every field.
pub const FS: u8 = 0x1C;
/// Group separator (GS, 0x1D): precedes every transaction.
pub const GS: u8 = 0x1D;
/// Segment separator (SS, 0x1E): precedes every segment.
pub const SS: u8 = 0x1E;

/// The largest transmission accepted, in bytes. A D.0 transmission of four
/// claims with every field this codec knows is well under 4 KiB; anything
/// larger is refused before it is read.
pub const MAX_TRANSMISSION_BYTES: usize = 16 * 1024;

/// The most transactions in one transmission (109-A9 is one digit, 1 to 4).
pub const MAX_TRANSACTIONS: usize = 4;
