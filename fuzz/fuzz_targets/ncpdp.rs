//! Arbitrary bytes as an NCPDP D.0 transmission: parsing never panics; an
//! accepted transmission encodes back to exactly the bytes read; every
//! transaction reads to a request or to rejects; every B1 that maps to a
//! prescription gets a decision from Acme (with the usual invariants) and a
//! response that parses back to itself; a refused transmission still gets a
//! rejected response that parses back. The bytes are also read as a
//! response, which must not panic either.
#![no_main]

use formulary::ncpdp::{ClaimRequest, Response, Transmission, TransactionResponse};
use formulary::Formulary;
use formulary_fuzz::{acme, invariants};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn round_trips(r: &Response) {
    let bytes = r.encode();
    assert_eq!(Response::parse(&bytes).as_ref(), Ok(r), "a response parses back");
}

fuzz_target!(|data: &[u8]| {
    static ACME: OnceLock<Formulary> = OnceLock::new();
    let f = ACME.get_or_init(acme::formulary);
    if let Ok(r) = Response::parse(data) {
        round_trips(&r);
    }
    let t = match Transmission::parse(data) {
        Ok(t) => t,
        Err(e) => {
            assert!(e.offset <= data.len().max(formulary::ncpdp::MAX_TRANSMISSION_BYTES));
            round_trips(&Response::from_parse_error(&e));
            return;
        }
    };
    assert_eq!(t.encode(), data, "an accepted transmission encodes to its bytes");
    let mut answers = Vec::new();
    for r in ClaimRequest::from_transmission(&t) {
        let answer = match r {
            Err(rejects) => {
                assert!(!rejects.is_empty());
                TransactionResponse::rejected(None, &rejects)
            }
            Ok(req) => match req.to_prescription(Vec::new(), Vec::new()) {
                Err(rejects) => TransactionResponse::rejected(req.rx_number.as_deref(), &rejects),
                Ok(rx) => {
                    let d = formulary::check(f, &rx);
                    invariants::holds(&d);
                    TransactionResponse::from_decision(f, &req, &d)
                }
            },
        };
        answers.push(answer);
    }
    round_trips(&Response::new(&t.header, answers));
});
