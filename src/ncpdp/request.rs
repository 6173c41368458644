//! The typed request: one [`ClaimRequest`] per transaction of a B1
//! (billing), B2 (reversal) or E1 (eligibility) transmission, or the
//! "missing/invalid" rejects ([`Rejects`]) naming each field that is absent
//! or malformed. Checks follow the JSON reader's ranges, so a request that
//! reads here also passes [`Prescription::validate`](crate::check::Prescription::validate).

use super::amount::{decode_amount, decode_date, decode_number, decode_quantity};
use super::frame::{Segment, Transmission};
use super::header::RequestHeader;
use crate::codes::{normalise_icd, Money, Ndc};
use chrono::NaiveDate;
use std::fmt;

/// The transactions this codec reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TransactionCode {
    /// B1: claim billing.
    Billing,
    /// B2: claim reversal.
    Reversal,
    /// E1: eligibility verification.
    Eligibility,
}

impl TransactionCode {
    /// The code on the wire.
    pub fn code(self) -> &'static str {
        match self {
            TransactionCode::Billing => "B1",
            TransactionCode::Reversal => "B2",
            TransactionCode::Eligibility => "E1",
        }
    }
}

/// Patient gender code 305-C5.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gender {
    /// 0: not specified.
    Unknown,
    /// 1: male.
    Male,
    /// 2: female.
    Female,
}

/// One missing or invalid field: the reject code, the field and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MiReject {
    /// NCPDP reject code (511-FB).
    pub code: &'static str,
    /// The field at fault (two-character id), or the segment for a missing one.
    pub field: Option<&'static str>,
    /// What is wrong, for logs and the pharmacist.
    pub message: String,
}

/// The rejects of one transaction, in the order found, one per code.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Rejects {
    /// The rejects.
    pub items: Vec<MiReject>,
}

impl Rejects {
    /// A single reject.
    pub fn one(
        code: &'static str,
        field: Option<&'static str>,
        message: impl Into<String>,
    ) -> Self {
        let mut r = Rejects::default();
        r.push(code, field, message);
        r
    }

    /// Adds a reject unless its code is already there.
    pub fn push(
        &mut self,
        code: &'static str,
        field: Option<&'static str>,
        message: impl Into<String>,
    ) {
        if !self.items.iter().any(|r| r.code == code) {
            self.items.push(MiReject {
                code,
                field,
                message: message.into(),
            });
        }
    }

    /// True when nothing was rejected.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The reject codes, in order.
    pub fn codes(&self) -> Vec<&'static str> {
        self.items.iter().map(|r| r.code).collect()
    }
}

impl fmt::Display for Rejects {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, r) in self.items.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{}", r.code)?;
            if let Some(id) = r.field {
                write!(f, " ({})", super::fields::designator(id))?;
            }
            write!(f, ": {}", r.message)?;
        }
        Ok(())
    }
}

impl std::error::Error for Rejects {}

/// One transaction of a request, every field checked.
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimRequest {
    /// The transmission header (BIN, PCN, pharmacy…), as read.
    pub header: RequestHeader,
    /// Position of the transaction in the transmission, from 0.
    pub index: usize,
    /// B1, B2 or E1.
    pub code: TransactionCode,
    /// 401-D1 date of service.
    pub date_of_service: NaiveDate,
    /// 302-C2 cardholder id.
    pub cardholder_id: String,
    /// 301-C1 group id.
    pub group_id: Option<String>,
    /// 303-C3 person code.
    pub person_code: Option<String>,
    /// 304-C4 date of birth (required on B1).
    pub birth_date: Option<NaiveDate>,
    /// 305-C5 gender code (required on B1).
    pub gender: Option<Gender>,
    /// 402-D2 prescription number (B1, B2).
    pub rx_number: Option<String>,
    /// 403-D3 fill number, 0 for the original fill (B1; B2 when given).
    pub fill_number: Option<u8>,
    /// 407-D7 product id; always an NDC (436-E1 = 03).
    pub ndc: Option<Ndc>,
    /// 442-E7 quantity dispensed in thousandths (B1).
    pub quantity_thousandths: Option<u64>,
    /// 405-D5 days supply (B1).
    pub days_supply: Option<u32>,
    /// 408-D8 DAW code; 0 when absent.
    pub daw: u8,
    /// 461-EU prior authorization type code.
    pub pa_type: Option<u8>,
    /// 462-EV prior authorization number submitted.
    pub pa_number: Option<String>,
    /// 409-D9 ingredient cost submitted.
    pub ingredient_cost: Option<Money>,
    /// 412-DC dispensing fee submitted.
    pub dispensing_fee: Option<Money>,
    /// 426-DQ usual and customary charge.
    pub usual_and_customary: Option<Money>,
    /// 424-DO diagnosis codes (ICD-10, normalised without the dot).
    pub diagnoses: Vec<String>,
}

/// Reads fields of one segment, collecting rejects.
struct Reader<'a> {
    segment: Option<&'a Segment>,
    rejects: &'a mut Rejects,
}

impl Reader<'_> {
    /// A non-blank value, trimmed of padding.
    fn text(&self, id: &str) -> Option<&str> {
        let v = self.segment?.get(id)?.trim();
        (!v.is_empty()).then_some(v)
    }

    fn bad(&mut self, code: &'static str, id: &'static str, msg: impl Into<String>) {
        self.rejects.push(code, Some(id), msg);
    }

    /// A value that must be present.
    fn required(&mut self, code: &'static str, id: &'static str) -> Option<String> {
        let v = self.text(id).map(str::to_string);
        if v.is_none() {
            let name = super::fields::field(id).map_or("field", |d| d.name);
            self.bad(
                code,
                id,
                format!("{name} ({}) is missing", super::fields::designator(id)),
            );
        }
        v
    }

    /// An optional value checked by `parse`; `what` says what was expected.
    fn parsed<T>(
        &mut self,
        code: &'static str,
        id: &'static str,
        what: &str,
        parse: impl Fn(&str) -> Option<T>,
    ) -> Option<T> {
        // The value is not repeated in the message: it may identify the patient.
        let out = parse(self.text(id)?);
        if out.is_none() {
            let msg = format!("{} must be {what}", super::fields::designator(id));
            self.bad(code, id, msg);
        }
        out
    }

    /// A value that must be present and parse.
    fn needed<T>(
        &mut self,
        code: &'static str,
        id: &'static str,
        what: &str,
        parse: impl Fn(&str) -> Option<T>,
    ) -> Option<T> {
        if self.text(id).is_none() {
            self.required(code, id);
            return None;
        }
        self.parsed(code, id, what, parse)
    }

    fn amount(&mut self, code: &'static str, id: &'static str) -> Option<Money> {
        self.parsed(code, id, "a non-negative amount in signed overpunch", |s| {
            decode_amount(s).filter(|m| m.0 >= 0)
        })
    }
}

fn short_text(max: usize) -> impl Fn(&str) -> Option<String> {
    move |s: &str| (s.len() <= max).then(|| s.to_string())
}

fn digits(max: usize) -> impl Fn(&str) -> Option<String> {
    move |s: &str| decode_number(s, max).map(|_| s.to_string())
}

impl ClaimRequest {
    /// Reads every transaction of a transmission: one result per
    /// transaction (one for an E1 without transaction segments). A field
    /// shared by all transactions (patient, insurance, header) that is bad
    /// rejects each of them.
    pub fn from_transmission(t: &Transmission) -> Vec<Result<ClaimRequest, Rejects>> {
        let groups: Vec<&[Segment]> = if t.transactions.is_empty() {
            vec![&[]]
        } else {
            t.transactions.iter().map(Vec::as_slice).collect()
        };
        groups
            .into_iter()
            .enumerate()
            .map(|(i, g)| read_one(t, i, g))
            .collect()
    }
}

fn read_code(h: &RequestHeader, rejects: &mut Rejects) -> Option<TransactionCode> {
    match h.transaction_code.as_str() {
        "B1" => Some(TransactionCode::Billing),
        "B2" => Some(TransactionCode::Reversal),
        "E1" => Some(TransactionCode::Eligibility),
        c if c.len() == 2 && c.bytes().all(|b| b.is_ascii_alphanumeric()) => {
            rejects.push(
                "1S",
                None,
                format!("transaction code {c} is not supported (B1, B2, E1)"),
            );
            None
        }
        _ => {
            rejects.push("03", None, "transaction code 103-A3 is invalid");
            None
        }
    }
}

fn read_header(h: &RequestHeader, rejects: &mut Rejects) -> Option<NaiveDate> {
    if h.bin.len() != 6 || !h.bin.bytes().all(|b| b.is_ascii_digit()) {
        rejects.push("01", None, "BIN 101-A1 must be six digits");
    }
    let q = &h.service_provider_id_qualifier;
    if q.len() != 2 || !q.bytes().all(|b| b.is_ascii_digit()) {
        rejects.push(
            "B2",
            None,
            "service provider id qualifier 202-B2 must be two digits",
        );
    }
    if h.service_provider_id.trim().is_empty() {
        rejects.push("05", None, "service provider id 201-B1 is blank");
    }
    let dos = decode_date(&h.date_of_service);
    if dos.is_none() {
        rejects.push("15", None, "date of service 401-D1 must be a CCYYMMDD date");
    }
    dos
}

fn read_one(t: &Transmission, index: usize, group: &[Segment]) -> Result<ClaimRequest, Rejects> {
    let mut rejects = Rejects::default();
    let code = read_code(&t.header, &mut rejects);
    let dos = read_header(&t.header, &mut rejects);
    let seg = |id: &str| group.iter().find(|s| s.id == id);
    let billing = code == Some(TransactionCode::Billing);

    let m = read_member(t, billing, dos, &mut rejects);

    let mut claim = ClaimFields::default();
    if matches!(
        code,
        Some(TransactionCode::Billing | TransactionCode::Reversal)
    ) {
        let c = seg("07");
        if c.is_none() {
            rejects.push("PC", None, "the claim segment (07) is missing");
        } else {
            claim = read_claim(c, billing, &mut rejects);
        }
    }
    if billing {
        let mut r = Reader {
            segment: seg("11"),
            rejects: &mut rejects,
        };
        claim.ingredient_cost = r.amount("23", "D9");
        claim.dispensing_fee = r.amount("DC", "DC");
        claim.usual_and_customary = r.amount("DQ", "DQ");
        claim.diagnoses = read_clinical(seg("13"), &mut rejects);
    }

    match (code, dos, m.cardholder) {
        (Some(code), Some(date_of_service), Some(cardholder_id)) if rejects.is_empty() => {
            Ok(ClaimRequest {
                header: t.header.clone(),
                index,
                code,
                date_of_service,
                cardholder_id,
                group_id: m.group_id,
                person_code: m.person_code,
                birth_date: m.birth_date,
                gender: m.gender,
                rx_number: claim.rx_number,
                fill_number: claim.fill_number,
                ndc: claim.ndc,
                quantity_thousandths: claim.quantity,
                days_supply: claim.days_supply,
                daw: claim.daw.unwrap_or(0),
                pa_type: claim.pa_type,
                pa_number: claim.pa_number,
                ingredient_cost: claim.ingredient_cost,
                dispensing_fee: claim.dispensing_fee,
                usual_and_customary: claim.usual_and_customary,
                diagnoses: claim.diagnoses,
            })
        }
        _ => Err(rejects),
    }
}

/// The member: insurance (04, always required) and patient (01, required
/// on a claim) segments.
struct Member {
    cardholder: Option<String>,
    group_id: Option<String>,
    person_code: Option<String>,
    birth_date: Option<NaiveDate>,
    gender: Option<Gender>,
}

fn read_member(
    t: &Transmission,
    billing: bool,
    dos: Option<NaiveDate>,
    rejects: &mut Rejects,
) -> Member {
    // Insurance (04): always required.
    let insurance = t.segment("04");
    if insurance.is_none() {
        rejects.push("PJ", None, "the insurance segment (04) is missing");
    }
    let mut r = Reader {
        segment: insurance,
        rejects,
    };
    let cardholder = if insurance.is_some() {
        r.needed("07", "C2", "at most 20 characters", short_text(20))
    } else {
        None
    };
    let group_id = r.parsed("06", "C1", "at most 15 characters", short_text(15));
    let person_code = r.parsed("08", "C3", "at most 3 characters", short_text(3));

    // Patient (01): required on a claim.
    let patient = t.segment("01");
    if patient.is_none() && billing {
        rejects.push("PK", None, "the patient segment (01) is missing");
    }
    let mut r = Reader {
        segment: patient,
        rejects,
    };
    let (birth_date, gender) = if patient.is_some() && billing {
        (
            r.needed("09", "C4", "a CCYYMMDD date", decode_date),
            r.needed("10", "C5", "0, 1 or 2", gender),
        )
    } else {
        (
            r.parsed("09", "C4", "a CCYYMMDD date", decode_date),
            r.parsed("10", "C5", "0, 1 or 2", gender),
        )
    };
    if let (Some(b), Some(d)) = (birth_date, dos) {
        if b > d {
            rejects.push(
                "09",
                Some("C4"),
                "date of birth 304-C4 is after the date of service",
            );
        }
    }
    Member {
        cardholder,
        group_id,
        person_code,
        birth_date,
        gender,
    }
}

fn gender(s: &str) -> Option<Gender> {
    match s {
        "0" => Some(Gender::Unknown),
        "1" => Some(Gender::Male),
        "2" => Some(Gender::Female),
        _ => None,
    }
}

#[derive(Default)]
struct ClaimFields {
    rx_number: Option<String>,
    fill_number: Option<u8>,
    ndc: Option<Ndc>,
    quantity: Option<u64>,
    days_supply: Option<u32>,
    daw: Option<u8>,
    pa_type: Option<u8>,
    pa_number: Option<String>,
    ingredient_cost: Option<Money>,
    dispensing_fee: Option<Money>,
    usual_and_customary: Option<Money>,
    diagnoses: Vec<String>,
}

/// The claim segment (07). `billing` makes quantity, days supply and fill
/// number required.
fn read_claim(c: Option<&Segment>, billing: bool, rejects: &mut Rejects) -> ClaimFields {
    let mut r = Reader {
        segment: c,
        rejects,
    };
    let mut out = ClaimFields::default();
    r.needed("EM", "EM", "1 (prescription)", |s| (s == "1").then_some(()));
    out.rx_number = r.needed("16", "D2", "up to 12 digits", digits(12));
    match r.text("E1") {
        None => {
            r.required("E1", "E1");
        }
        Some("03") => {}
        Some(_) => r.bad("E1", "E1", "436-E1 must be 03: only NDCs are accepted"),
    }
    out.ndc = r.needed("21", "D7", "an 11-digit NDC", |s| {
        (s.len() == 11).then(|| Ndc::parse(s).ok()).flatten()
    });
    let fill = |s: &str| decode_number(s, 2).map(|n| n as u8);
    out.fill_number = if billing {
        r.needed("17", "D3", "0 to 99", fill)
    } else {
        r.parsed("17", "D3", "0 to 99", fill)
    };
    if billing {
        out.quantity = r.needed(
            "E7",
            "E7",
            "a positive quantity with three implied decimals",
            |s| decode_quantity(s).filter(|&q| q > 0),
        );
        out.days_supply = r.needed("19", "D5", "1 to 365", |s| {
            decode_number(s, 3)
                .map(|n| n as u32)
                .filter(|n| (1..=365).contains(n))
        });
        out.daw = r.parsed("22", "D8", "0 to 9", |s| {
            decode_number(s, 1).map(|n| n as u8)
        });
        out.pa_type = r.parsed("EU", "EU", "a one-digit type code", |s| {
            decode_number(s, 1).map(|n| n as u8)
        });
        out.pa_number = r.parsed("EV", "EV", "up to 11 digits", digits(11));
    }
    out
}

/// The clinical segment (13): 491-VE count, then 492-WE qualifier and
/// 424-DO code pairs. Only ICD-10 (qualifier 02) is read.
fn read_clinical(c: Option<&Segment>, rejects: &mut Rejects) -> Vec<String> {
    let Some(seg) = c else { return Vec::new() };
    let mut r = Reader {
        segment: Some(seg),
        rejects,
    };
    let codes: Vec<&str> = seg.all("DO").map(str::trim).collect();
    let count = r.parsed("VE", "VE", "1 to 5", |s| {
        decode_number(s, 1).filter(|n| (1..=5).contains(n))
    });
    if count.is_some_and(|n| n as usize != codes.len()) {
        r.bad(
            "VE",
            "VE",
            format!("491-VE does not match the {} diagnosis codes", codes.len()),
        );
    }
    if let Some(q) = seg.all("WE").map(str::trim).find(|q| *q != "02") {
        let msg = format!("492-WE {q} is not accepted; diagnoses must be ICD-10 (02)");
        r.bad("WE", "WE", msg);
    }
    let mut out = Vec::new();
    for code in codes {
        match normalise_icd(code) {
            Some(c) => out.push(c),
            None => r.bad("39", "DO", "424-DO must be an ICD-10 code"),
        }
    }
    out
}
