//! Checking a whole transmission against a formulary, without a claims
//! store: every B1 transaction is checked with the history and approvals
//! the caller supplies. What a store adds (recording, duplicates,
//! reversals, eligibility from a member file) is the service's part.

use super::frame::Transmission;
use super::request::{ClaimRequest, Rejects, TransactionCode};
use super::response::{Response, TransactionResponse};
use crate::check::{check, Fill, PaOnFile};
use crate::Formulary;

/// The response to a request transmission: a parse error is a rejected
/// transmission; each B1 is checked with `on_file(request)`'s history and
/// prior authorizations; a B2 or E1 is rejected with 1S (not supported
/// without a claims store).
pub fn check_transmission(
    f: &Formulary,
    bytes: &[u8],
    on_file: impl Fn(&ClaimRequest) -> (Vec<Fill>, Vec<PaOnFile>),
) -> Response {
    let t = match Transmission::parse(bytes) {
        Ok(t) => t,
        Err(e) => return Response::from_parse_error(&e),
    };
    let answers = ClaimRequest::from_transmission(&t)
        .into_iter()
        .map(|r| match r {
            Err(rejects) => TransactionResponse::rejected(None, &rejects),
            Ok(req) => answer(f, &req, &on_file),
        })
        .collect();
    Response::new(&t.header, answers)
}

fn answer(
    f: &Formulary,
    req: &ClaimRequest,
    on_file: &impl Fn(&ClaimRequest) -> (Vec<Fill>, Vec<PaOnFile>),
) -> TransactionResponse {
    let rx_number = req.rx_number.as_deref();
    if req.code != TransactionCode::Billing {
        let msg = format!(
            "{} is answered by the claims service, which keeps the history",
            req.code.code()
        );
        return TransactionResponse::rejected(rx_number, &Rejects::one("1S", None, msg));
    }
    let (history, pas) = on_file(req);
    match req.to_prescription(history, pas) {
        Ok(rx) => TransactionResponse::from_decision(f, req, &check(f, &rx)),
        Err(rejects) => TransactionResponse::rejected(rx_number, &rejects),
    }
}
