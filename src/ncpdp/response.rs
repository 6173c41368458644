//! The response transmission: header, then per transaction its status
//! (112-AN), reject codes, messages, preferred products and pricing. Built
//! from a [`Decision`], a set of [`Rejects`], or the outcome of a reversal,
//! a duplicate or an eligibility check; encoded to bytes and parsed back.

use super::amount::{decode_amount, decode_number, encode_amount};
use super::frame::{check_size, encode_body, parse_body, ParseError, Segment};
use super::header::{RequestHeader, ResponseHeader, RESPONSE_LEN};
use super::request::{ClaimRequest, Rejects};
use super::text::{ascii, wrap};
use crate::check::Decision;
use crate::codes::Money;
use crate::Formulary;

/// Most reject codes in one response (510-FA).
pub const MAX_REJECTS: usize = 5;
/// Most message lines (526-FQ) in one response, each at most
/// [`MESSAGE_WIDTH`] characters.
pub const MAX_MESSAGE_LINES: usize = 9;
/// Width of a 526-FQ line.
pub const MESSAGE_WIDTH: usize = 40;
/// Most preferred products (551-9F).
pub const MAX_PREFERRED: usize = 5;

/// Transaction response status 112-AN.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseStatus {
    /// P: paid.
    Paid,
    /// D: duplicate of a paid claim.
    Duplicate,
    /// R: rejected.
    Rejected,
    /// A: approved (a reversal or an eligibility check).
    Approved,
    /// C: captured.
    Captured,
}

impl ResponseStatus {
    /// The letter on the wire.
    pub fn code(self) -> &'static str {
        match self {
            ResponseStatus::Paid => "P",
            ResponseStatus::Duplicate => "D",
            ResponseStatus::Rejected => "R",
            ResponseStatus::Approved => "A",
            ResponseStatus::Captured => "C",
        }
    }

    fn parse(s: &str) -> Option<ResponseStatus> {
        Some(match s {
            "P" => ResponseStatus::Paid,
            "D" => ResponseStatus::Duplicate,
            "R" => ResponseStatus::Rejected,
            "A" => ResponseStatus::Approved,
            "C" => ResponseStatus::Captured,
            _ => return None,
        })
    }
}

/// A product to dispense instead (552-AP, 553-AR, 556-AU).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreferredProduct {
    /// 552-AP qualifier (`03`, NDC) with 553-AR product id, when the
    /// formulary knows an NDC for it.
    pub ndc: Option<String>,
    /// 556-AU description, at most 40 characters.
    pub description: String,
}

/// Response pricing (segment 23). Present on a paid claim.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Pricing {
    /// 505-F5 patient pay amount.
    pub patient_pay: Option<Money>,
    /// 506-F6 ingredient cost paid.
    pub ingredient_cost_paid: Option<Money>,
    /// 507-F7 dispensing fee paid.
    pub dispensing_fee_paid: Option<Money>,
    /// 509-F9 total amount paid (by the plan).
    pub total_paid: Option<Money>,
}

/// The answer to one transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransactionResponse {
    /// 112-AN.
    pub status: ResponseStatus,
    /// 503-F3 authorization number (set by whoever records the claim).
    pub authorization: Option<String>,
    /// 511-FB reject codes, at most five; 510-FA is their count.
    pub rejects: Vec<String>,
    /// 526-FQ message lines, each at most 40 characters.
    pub messages: Vec<String>,
    /// 402-D2 prescription number, echoed.
    pub rx_number: Option<String>,
    /// 551-9F preferred products.
    pub preferred: Vec<PreferredProduct>,
    /// Segment 23, when the claim was priced.
    pub pricing: Option<Pricing>,
}

/// A response transmission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// The fixed-width header.
    pub header: ResponseHeader,
    /// 504-F4 message for the whole transmission (segment 20).
    pub message: Option<String>,
    /// 301-C1 group id (segment 25).
    pub group_id: Option<String>,
    /// 524-FO plan id (segment 25).
    pub plan_id: Option<String>,
    /// One answer per transaction, in order.
    pub transactions: Vec<TransactionResponse>,
}

impl TransactionResponse {
    fn with_status(status: ResponseStatus, rx_number: Option<&str>) -> TransactionResponse {
        TransactionResponse {
            status,
            authorization: None,
            rejects: Vec::new(),
            messages: Vec::new(),
            rx_number: rx_number.map(str::to_string),
            preferred: Vec::new(),
            pricing: None,
        }
    }

    /// The answer for a checked claim: paid with its pricing, or rejected
    /// with its codes; messages from the rejects then the notes; preferred
    /// products from the alternatives, with an NDC when the formulary has one.
    pub fn from_decision(f: &Formulary, req: &ClaimRequest, d: &Decision) -> TransactionResponse {
        let paid = d.is_paid();
        let status = if paid {
            ResponseStatus::Paid
        } else {
            ResponseStatus::Rejected
        };
        let mut t = TransactionResponse::with_status(status, req.rx_number.as_deref());
        for r in &d.rejects {
            if t.rejects.len() < MAX_REJECTS && !t.rejects.iter().any(|c| c == r.code.code()) {
                t.rejects.push(r.code.to_string());
            }
        }
        let texts = d.rejects.iter().map(|r| r.message.as_str());
        t.messages = lines(texts.chain(d.messages.iter().map(|m| m.text.as_str())));
        t.preferred = d
            .alternatives
            .iter()
            .take(MAX_PREFERRED)
            .map(|a| PreferredProduct {
                ndc: f
                    .drug_by_name(a.name)
                    .and_then(|id| f.drug(id).ndcs.first())
                    .map(|n| n.as_str().to_string()),
                description: cut(&ascii(a.label), MESSAGE_WIDTH),
            })
            .collect();
        if paid {
            t.pricing = d.cost.as_ref().map(|c| pricing(c, req));
        }
        t
    }

    /// A transaction rejected with these codes and their messages.
    pub fn rejected(rx_number: Option<&str>, rejects: &Rejects) -> TransactionResponse {
        let mut t = TransactionResponse::with_status(ResponseStatus::Rejected, rx_number);
        t.rejects = rejects
            .items
            .iter()
            .take(MAX_REJECTS)
            .map(|r| r.code.to_string())
            .collect();
        let shown = rejects.items.iter().take(MAX_REJECTS);
        t.messages = lines(shown.map(|r| r.message.as_str()));
        t
    }

    /// A resubmission of a paid claim: the original answer, status D.
    pub fn duplicate(original: &TransactionResponse) -> TransactionResponse {
        TransactionResponse {
            status: ResponseStatus::Duplicate,
            ..original.clone()
        }
    }

    /// An approved reversal or eligibility check, with optional messages.
    pub fn approved(rx_number: Option<&str>, message: Option<&str>) -> TransactionResponse {
        let mut t = TransactionResponse::with_status(ResponseStatus::Approved, rx_number);
        t.messages = lines(message);
        t
    }
}

/// What the plan pays for a fill: the fee submitted, the rest as
/// ingredient cost, the patient's share; nothing that is not known.
fn pricing(c: &crate::check::Cost, req: &ClaimRequest) -> Pricing {
    let fee = c.total.map(|_| req.dispensing_fee.unwrap_or_default());
    Pricing {
        patient_pay: c.patient_pay,
        ingredient_cost_paid: c.total.zip(fee).map(|(t, f)| Money(t.0 - f.0)),
        dispensing_fee_paid: fee,
        total_paid: c.plan_pay,
    }
}

/// Messages as at most nine 40-character ASCII lines; the last line ends
/// in `...` when some text did not fit.
fn lines<'a>(texts: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut out = Vec::new();
    let mut more = false;
    for text in texts {
        for line in wrap(&ascii(text), MESSAGE_WIDTH) {
            if out.len() == MAX_MESSAGE_LINES {
                more = true;
                break;
            }
            out.push(line);
        }
    }
    if more {
        if let Some(last) = out.last_mut() {
            *last = format!("{}...", cut(last, MESSAGE_WIDTH - 3));
        }
    }
    out
}

fn cut(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

impl Response {
    /// An accepted transmission answering `req` with these transaction answers.
    pub fn new(req: &RequestHeader, transactions: Vec<TransactionResponse>) -> Response {
        Response {
            header: ResponseHeader::answering(req, 'A', transactions.len().clamp(1, 4) as u8),
            message: None,
            group_id: None,
            plan_id: None,
            transactions,
        }
    }

    /// The answer to a one-transaction claim checked by the engine.
    pub fn from_decision(f: &Formulary, req: &ClaimRequest, d: &Decision) -> Response {
        Response::new(
            &req.header,
            vec![TransactionResponse::from_decision(f, req, d)],
        )
    }

    /// The answer to a one-transaction request rejected for its fields.
    pub fn rejected(req: &RequestHeader, rx_number: Option<&str>, rejects: &Rejects) -> Response {
        Response::new(req, vec![TransactionResponse::rejected(rx_number, rejects)])
    }

    /// The answer to a resubmitted claim: the original answer, status D.
    pub fn duplicate(req: &ClaimRequest, original: &TransactionResponse) -> Response {
        Response::new(&req.header, vec![TransactionResponse::duplicate(original)])
    }

    /// The answer to an E1: approved, with the member's group and plan.
    pub fn eligibility(
        req: &ClaimRequest,
        group_id: Option<&str>,
        plan_id: Option<&str>,
    ) -> Response {
        let mut r = Response::new(&req.header, vec![TransactionResponse::approved(None, None)]);
        r.group_id = group_id.map(str::to_string);
        r.plan_id = plan_id.map(str::to_string);
        r
    }

    /// The answer to a transmission that could not be read: header status R
    /// and the reject. Without a readable header, the header is blank but
    /// for the version.
    pub fn from_parse_error(e: &ParseError) -> Response {
        let blank = RequestHeader::default();
        let req = e.header.as_deref().unwrap_or(&blank);
        let rejects = Rejects::one(e.reject, None, e.message.clone());
        let mut r = Response::rejected(req, None, &rejects);
        r.header.status = 'R';
        r
    }

    /// The bytes of this response.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(256);
        self.header.encode_into(&mut out);
        let mut top = Vec::new();
        if let Some(m) = &self.message {
            let mut s = Segment::new("20");
            s.push("F4", m.as_str());
            top.push(s);
        }
        if self.group_id.is_some() || self.plan_id.is_some() {
            let mut s = Segment::new("25");
            if let Some(g) = &self.group_id {
                s.push("C1", g.as_str());
            }
            if let Some(p) = &self.plan_id {
                s.push("FO", p.as_str());
            }
            top.push(s);
        }
        let groups: Vec<Vec<Segment>> = self.transactions.iter().map(segments).collect();
        encode_body(&top, &groups, &mut out);
        out
    }

    /// Reads a response transmission (for tests, tools and load generators).
    pub fn parse(bytes: &[u8]) -> Result<Response, ParseError> {
        check_size(bytes)?;
        let header = ResponseHeader::parse(bytes)?;
        let body = parse_body(bytes, RESPONSE_LEN)?;
        let find = |id: &str| body.segments.iter().find(|s| s.id == id);
        let owned = |s: Option<&Segment>, id: &str| s.and_then(|s| s.get(id)).map(str::to_string);
        let transactions = body
            .transactions
            .iter()
            .map(|g| read_transaction(g))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Response {
            header,
            message: owned(find("20"), "F4"),
            group_id: owned(find("25"), "C1"),
            plan_id: owned(find("25"), "FO"),
            transactions,
        })
    }
}

/// The segments of one transaction answer: status, claim, pricing.
fn segments(t: &TransactionResponse) -> Vec<Segment> {
    let mut status = Segment::new("21");
    status.push("AN", t.status.code());
    if let Some(a) = &t.authorization {
        status.push("F3", a.as_str());
    }
    if !t.rejects.is_empty() {
        status.push("FA", t.rejects.len().to_string());
        for r in &t.rejects {
            status.push("FB", r.as_str());
        }
    }
    if !t.messages.is_empty() {
        status.push("UF", t.messages.len().to_string());
        for (i, m) in t.messages.iter().enumerate() {
            status.push("UH", format!("{:02}", i + 1));
            status.push("FQ", m.as_str());
        }
    }
    let mut out = vec![status];
    if t.rx_number.is_some() || !t.preferred.is_empty() {
        let mut claim = Segment::new("22");
        if let Some(rx) = &t.rx_number {
            claim.push("EM", "1").push("D2", rx.as_str());
        }
        if !t.preferred.is_empty() {
            claim.push("9F", t.preferred.len().to_string());
            for p in &t.preferred {
                if let Some(ndc) = &p.ndc {
                    claim.push("AP", "03").push("AR", ndc.as_str());
                }
                claim.push("AU", p.description.as_str());
            }
        }
        out.push(claim);
    }
    if let Some(p) = &t.pricing {
        let mut s = Segment::new("23");
        for (id, m) in [
            ("F5", p.patient_pay),
            ("F6", p.ingredient_cost_paid),
            ("F7", p.dispensing_fee_paid),
            ("F9", p.total_paid),
        ] {
            if let Some(m) = m {
                s.push(id, encode_amount(m));
            }
        }
        out.push(s);
    }
    out
}

fn bad(id: &str, message: String) -> ParseError {
    let mut e = ParseError::new(0, "R8", message);
    e.field = Some(id.to_string());
    e
}

fn count_of(s: &Segment, id: &str, list: &str, n: usize) -> Result<(), ParseError> {
    match s.get(id) {
        None if n == 0 => Ok(()),
        Some(v) if decode_number(v, 2) == Some(n as u64) => Ok(()),
        v => Err(bad(
            id,
            format!("count {id} is {v:?} but there are {n} {list}"),
        )),
    }
}

fn read_transaction(group: &[Segment]) -> Result<TransactionResponse, ParseError> {
    let seg = |id: &str| group.iter().find(|s| s.id == id);
    let status_seg =
        seg("21").ok_or_else(|| bad("AN", "a transaction without a status segment (21)".into()))?;
    let an = status_seg.get("AN").unwrap_or_default();
    let status = ResponseStatus::parse(an)
        .ok_or_else(|| bad("AN", format!("112-AN `{an}` is not a status")))?;
    let rejects: Vec<String> = status_seg.all("FB").map(str::to_string).collect();
    count_of(status_seg, "FA", "reject codes", rejects.len())?;
    let messages: Vec<String> = status_seg.all("FQ").map(str::to_string).collect();
    count_of(status_seg, "UF", "messages", messages.len())?;
    let claim = seg("22");
    let mut preferred = Vec::new();
    if let Some(c) = claim {
        // Each product is an optional 552-AP/553-AR pair closed by 556-AU.
        let mut ndc: Option<String> = None;
        for f in &c.fields {
            match f.id.as_str() {
                "AR" if ndc.is_none() => ndc = Some(f.value.clone()),
                "AR" => return Err(bad("AR", "553-AR twice without a 556-AU between".into())),
                "AU" => preferred.push(PreferredProduct {
                    ndc: ndc.take(),
                    description: f.value.clone(),
                }),
                _ => {}
            }
        }
        if ndc.is_some() {
            return Err(bad("AR", "553-AR without its 556-AU description".into()));
        }
        count_of(c, "9F", "preferred products", preferred.len())?;
    }
    let pricing = match seg("23") {
        None => None,
        Some(p) => {
            let amount = |id: &str| -> Result<Option<Money>, ParseError> {
                p.get(id)
                    .map(|v| {
                        decode_amount(v)
                            .ok_or_else(|| bad(id, format!("{id} `{v}` is not an amount")))
                    })
                    .transpose()
            };
            Some(Pricing {
                patient_pay: amount("F5")?,
                ingredient_cost_paid: amount("F6")?,
                dispensing_fee_paid: amount("F7")?,
                total_paid: amount("F9")?,
            })
        }
    };
    Ok(TransactionResponse {
        status,
        authorization: status_seg.get("F3").map(str::to_string),
        rejects,
        messages,
        rx_number: claim.and_then(|c| c.get("D2")).map(str::to_string),
        preferred,
        pricing,
    })
}
