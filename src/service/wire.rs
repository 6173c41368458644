//! NCPDP Telecommunication D.0 into the service: a transmission's B1, B2 and
//! E1 transactions answered from the claims store like their JSON
//! counterparts, as an HTTP body (`POST /ncpdp`) or over TCP, where each
//! transmission is framed by STX (0x02) and ETX (0x03) in both directions.

use super::adjudicate::{self, Answer, AnswerStatus, ClaimRequest};
use super::store::writer::{Op, Submitted};
use super::store::ClaimKey;
use super::State;
use crate::ncpdp::{self, PreferredProduct, Pricing, Response, ResponseStatus, Transmission};
use crate::ncpdp::{TransactionCode, TransactionResponse};
use std::sync::Arc;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::sync::oneshot;

/// Start of a framed transmission on TCP.
pub const STX: u8 = 0x02;
/// End of a framed transmission on TCP.
pub const ETX: u8 = 0x03;
/// Largest transmission read from TCP (a D.0 request is a few hundred bytes).
pub const MAX_FRAME: usize = 64 * 1024;

/// Answers a transmission from `pharmacy` (the API key's) with the bytes of
/// the D.0 response; a transmission that cannot be read is a rejected one.
pub async fn answer(state: &Arc<State>, pharmacy: &str, bytes: &[u8]) -> Vec<u8> {
    let t = match Transmission::parse(bytes) {
        Ok(t) => t,
        Err(e) => return Response::from_parse_error(&e).encode(),
    };
    let mut out = Vec::new();
    for r in ncpdp::ClaimRequest::from_transmission(&t) {
        out.push(match r {
            Err(rejects) => TransactionResponse::rejected(None, &rejects),
            Ok(req) => transaction(state, pharmacy, &req).await,
        });
    }
    Response::new(&t.header, out).encode()
}

async fn transaction(
    state: &Arc<State>,
    pharmacy: &str,
    req: &ncpdp::ClaimRequest,
) -> TransactionResponse {
    let rx = req.rx_number.as_deref();
    let store_down = || {
        let r = ncpdp::Rejects::one("85", None, "the claims store is unavailable; resubmit");
        TransactionResponse::rejected(rx, &r)
    };
    match req.code {
        TransactionCode::Billing => {
            let claim = json_claim(req);
            let Ok(key) = claim.key(pharmacy) else {
                let r = ncpdp::Rejects::one("M2", Some("D2"), "402-D2 is missing");
                return TransactionResponse::rejected(rx, &r);
            };
            let formulary = state.formulary();
            let (tx, reply) = oneshot::channel();
            let op = Op::Submit {
                req: claim,
                key,
                formulary,
                received_at: super::now(),
                reply: tx,
            };
            if state.ops.send(op).await.is_err() {
                return store_down();
            }
            match reply.await {
                Ok(Ok(Submitted::Answer(a))) => from_answer(state, rx, &a),
                Ok(Ok(Submitted::Invalid(e))) => {
                    let r = ncpdp::Rejects::one("M1", None, e.to_string());
                    TransactionResponse::rejected(rx, &r)
                }
                _ => store_down(),
            }
        }
        TransactionCode::Reversal => {
            let key = ClaimKey {
                pharmacy: pharmacy.to_string(),
                rx_number: req.rx_number.clone().unwrap_or_default(),
                fill_number: u32::from(req.fill_number.unwrap_or(0)),
                date: req.date_of_service,
            };
            let (tx, reply) = oneshot::channel();
            let op = Op::Reverse {
                key,
                at: super::now(),
                reply: tx,
            };
            if state.ops.send(op).await.is_err() {
                return store_down();
            }
            match reply.await {
                Ok(Ok(Some(_))) => TransactionResponse::approved(rx, Some("reversed")),
                Ok(Ok(None)) => TransactionResponse::rejected(
                    rx,
                    &ncpdp::Rejects::one("87", None, "no paid claim with this Rx, fill and date"),
                ),
                _ => store_down(),
            }
        }
        TransactionCode::Eligibility => {
            let m = super::api::member_state(state, &req.cardholder_id).await;
            match m {
                Err(_) => store_down(),
                Ok(m) => match adjudicate::eligibility(
                    m.as_deref(),
                    &req.cardholder_id,
                    req.date_of_service,
                ) {
                    None => TransactionResponse::approved(None, Some("member is covered")),
                    Some(a) => from_answer(state, None, &a),
                },
            }
        }
    }
}

/// The JSON claim for a B1: the same facts, the member by cardholder id.
fn json_claim(req: &ncpdp::ClaimRequest) -> ClaimRequest {
    ClaimRequest {
        member_id: req.cardholder_id.clone(),
        date: req.date_of_service.to_string(),
        rx_number: req.rx_number.clone(),
        fill_number: u32::from(req.fill_number.unwrap_or(0)),
        ndc: req.ndc.map(|n| n.as_str().to_string()),
        rxcui: None,
        quantity: req.quantity_thousandths.unwrap_or(0) as f64 / 1000.0,
        days_supply: req.days_supply.unwrap_or(0),
        daw: req.daw,
        diagnoses: req.diagnoses.clone(),
        pharmacy_kind: None,
        ingredient_cost: req.ingredient_cost.map(|m| m.0 as f64 / 100.0),
        dispensing_fee: req.dispensing_fee.map(|m| m.0 as f64 / 100.0),
    }
}

fn money(d: Option<f64>) -> Option<crate::codes::Money> {
    d.map(crate::codes::Money::from_dollars)
}

/// The D.0 answer for a service answer.
fn from_answer(state: &State, rx: Option<&str>, a: &Answer) -> TransactionResponse {
    let f = state.formulary();
    let f = &f.formulary;
    let status = match a.status {
        AnswerStatus::Paid => ResponseStatus::Paid,
        AnswerStatus::Rejected => ResponseStatus::Rejected,
        AnswerStatus::Duplicate => ResponseStatus::Duplicate,
    };
    let mut messages: Vec<String> = Vec::new();
    for text in a
        .rejects
        .iter()
        .map(|r| r.message.as_str())
        .chain(a.messages.iter().map(String::as_str))
    {
        let ascii: String = text
            .chars()
            .map(|c| {
                if c.is_ascii() && !c.is_ascii_control() {
                    c
                } else {
                    '?'
                }
            })
            .collect();
        let chars: Vec<char> = ascii.chars().collect();
        for chunk in chars.chunks(ncpdp::response::MESSAGE_WIDTH) {
            if messages.len() < 9 {
                messages.push(chunk.iter().collect());
            }
        }
    }
    TransactionResponse {
        status,
        authorization: a.claim_id.map(|id| id.to_string()),
        rejects: a.rejects.iter().take(5).map(|r| r.code.clone()).collect(),
        messages,
        rx_number: rx.map(str::to_string),
        preferred: a
            .alternatives
            .iter()
            .take(ncpdp::response::MAX_PREFERRED)
            .map(|alt| PreferredProduct {
                ndc: f
                    .drug_by_name(&alt.name)
                    .and_then(|id| f.drug(id).ndcs.first())
                    .map(|n| n.as_str().to_string()),
                description: alt
                    .label
                    .chars()
                    .filter(char::is_ascii)
                    .take(ncpdp::response::MESSAGE_WIDTH)
                    .collect(),
            })
            .collect(),
        pricing: (status != ResponseStatus::Rejected).then(|| Pricing {
            patient_pay: money(a.patient_pay),
            ingredient_cost_paid: None,
            dispensing_fee_paid: None,
            total_paid: money(a.plan_pay),
        }),
    }
}

/// Serves D.0 over TCP: each connection sends its pharmacy's API key as the
/// first line, then STX-transmission-ETX frames, each answered in a frame.
pub async fn serve_tcp(state: std::sync::Weak<State>, listener: tokio::net::TcpListener) {
    loop {
        let Ok((conn, _)) = listener.accept().await else {
            continue;
        };
        let Some(state) = state.upgrade() else { return };
        tokio::spawn(async move {
            let _ = connection(state, conn).await;
        });
    }
}

async fn connection(state: Arc<State>, conn: tokio::net::TcpStream) -> std::io::Result<()> {
    let (read, mut write) = conn.into_split();
    let mut read = BufReader::new(read);
    let mut line = Vec::new();
    (&mut read).take(256).read_until(b'\n', &mut line).await?;
    let key = String::from_utf8_lossy(&line).trim().to_string();
    let Some(caller) = state.keys.caller(Some(&format!("Bearer {key}"))).cloned() else {
        write.write_all(b"401 unknown API key\n").await?;
        return Ok(());
    };
    loop {
        let mut frame = Vec::new();
        let n = (&mut read)
            .take(MAX_FRAME as u64 + 1)
            .read_until(ETX, &mut frame)
            .await?;
        if n == 0 {
            return Ok(());
        }
        if frame.len() > MAX_FRAME || frame.last() != Some(&ETX) {
            return Ok(());
        }
        frame.pop();
        let start = frame.iter().position(|&b| b == STX).map_or(0, |i| i + 1);
        let response = answer(&state, &caller.pharmacy, &frame[start..]).await;
        let mut out = Vec::with_capacity(response.len() + 2);
        out.push(STX);
        out.extend_from_slice(&response);
        out.push(ETX);
        write.write_all(&out).await?;
    }
}
