//! NCPDP D.0: golden transmissions (raw bytes in `tests/ncpdp/`, shown with
//! their separators, decoded and checked against Acme through the CLI),
//! byte-exact round trips, a "missing/invalid" reject for each field, and
//! property tests that encoding then parsing gives back what was encoded.

use formulary::codes::Money;
use formulary::ncpdp::{
    self, ClaimRequest, Field, PreferredProduct, Pricing, RequestHeader, Response, ResponseHeader,
    ResponseStatus, Segment, TransactionResponse, Transmission,
};
use proptest::prelude::*;
use std::path::{Path, PathBuf};

fn golden_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir("tests/ncpdp")
        .expect("tests/ncpdp/")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "dat"))
        .collect();
    files.sort();
    assert!(files.len() >= 10, "golden files are missing");
    files
}

fn acme() -> formulary::Formulary {
    let path = Path::new("formularies/acme/acme.formulary");
    let opts = formulary::LoadOptions::default();
    formulary::compile(
        formulary::load(path, &mut formulary::io::FsReader, &opts).expect("readable"),
    )
    .formulary
    .expect("Acme compiles")
}

/// Each golden file through `ncpdp decode` (its bytes with the separators
/// shown, then field by field) and `ncpdp check` against Acme.
#[test]
fn golden_transmissions_decode_and_check() {
    for path in golden_files() {
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("name")
            .to_string();
        let file = path.to_str().expect("utf-8 path");
        let decode = crate::support::run(&["ncpdp", "decode", file], None);
        let check = crate::support::run(
            &["ncpdp", "check", "formularies/acme/acme.formulary", file],
            None,
        );
        let shown = format!(
            "--- decode\n{}--- check\n{}",
            decode.snapshot(),
            check.snapshot()
        );
        insta::with_settings!({ snapshot_suffix => name.clone() }, {
            insta::assert_snapshot!("golden", shown);
        });
        let expected_paid = name == "b1-paid";
        assert_eq!(check.code == 0, expected_paid, "{name}: {}", check.stderr);
    }
}

/// Every transmission the parser accepts encodes back to the same bytes,
/// and every response the engine builds parses back to itself.
#[test]
fn golden_files_round_trip_byte_for_byte() {
    let f = acme();
    let mut accepted = 0;
    for path in golden_files() {
        let bytes = std::fs::read(&path).expect("readable");
        if let Ok(t) = Transmission::parse(&bytes) {
            accepted += 1;
            assert_eq!(t.encode(), bytes, "{}", path.display());
        }
        let response = ncpdp::check_transmission(&f, &bytes, |_| (Vec::new(), Vec::new()));
        let encoded = response.encode();
        assert_eq!(
            Response::parse(&encoded).as_ref(),
            Ok(&response),
            "{}",
            path.display()
        );
        assert_eq!(Response::parse(&encoded).expect("parses").encode(), encoded);
    }
    assert!(accepted >= 8, "only {accepted} golden files were accepted");
}

fn paid_b1() -> Transmission {
    let bytes = std::fs::read("tests/ncpdp/b1-paid.dat").expect("readable");
    Transmission::parse(&bytes).expect("the paid claim parses")
}

/// Sets (or with `None` removes) a field in the first segment with this id.
fn edit(t: &mut Transmission, segment: &str, field: &str, value: Option<&str>) {
    let seg = t
        .segments
        .iter_mut()
        .chain(t.transactions.iter_mut().flatten())
        .find(|s| s.id == segment)
        .expect("segment present");
    seg.fields.retain(|f| f.id != field);
    if let Some(v) = value {
        seg.push(field, v);
    }
}

/// The reject codes of the first transaction after a round trip through bytes.
fn codes_after(t: &Transmission) -> Vec<&'static str> {
    let again = Transmission::parse(&t.encode()).expect("still frames");
    match ClaimRequest::from_transmission(&again).remove(0) {
        Ok(_) => Vec::new(),
        Err(r) => r.codes(),
    }
}

#[test]
fn the_paid_claim_reads_every_field() {
    let t = paid_b1();
    let req = ClaimRequest::from_transmission(&t)
        .remove(0)
        .expect("no rejects");
    assert_eq!(req.cardholder_id, "ACM100200300");
    assert_eq!(req.group_id.as_deref(), Some("ACMEGRP1"));
    assert_eq!(
        req.ndc.map(|n| n.to_string()).as_deref(),
        Some("00378514405")
    );
    assert_eq!(req.quantity_thousandths, Some(30_000));
    assert_eq!(req.days_supply, Some(30));
    assert_eq!(req.fill_number, Some(0));
    assert_eq!(req.rx_number.as_deref(), Some("000004567891"));
    assert_eq!(req.ingredient_cost, Some(Money(840)));
    assert_eq!(req.dispensing_fee, Some(Money(200)));
    assert_eq!(req.usual_and_customary, Some(Money(1500)));
    assert_eq!(req.diagnoses, ["G309"]);
    let rx = req
        .to_prescription(Vec::new(), Vec::new())
        .expect("a prescription");
    // The same prescription the JSON reader builds from the same facts.
    let json = formulary::Prescription::from_str(
        r#"{"date":"2026-03-02","ndc":"00378-5144-05","quantity":30,"days_supply":30,"daw":0,
            "diagnoses":["G30.9"],"ingredient_cost":8.40,"dispensing_fee":2.00,
            "patient":{"birth_date":"1950-04-12","sex":"F"}}"#,
    )
    .expect("valid JSON");
    assert_eq!(rx, json);
}

/// Each claim field, missing or malformed, gets its own M/I reject.
#[test]
fn each_bad_field_gets_its_reject() {
    let cases: &[(&str, &str, Option<&str>, &str)] = &[
        ("04", "C2", None, "07"),
        ("04", "C1", Some("G".repeat(16).leak()), "06"),
        ("04", "C3", Some("0001"), "08"),
        ("01", "C4", None, "09"),
        ("01", "C4", Some("19501301"), "09"),
        ("01", "C4", Some("20270101"), "09"),
        ("01", "C5", None, "10"),
        ("01", "C5", Some("F"), "10"),
        ("07", "EM", Some("2"), "EM"),
        ("07", "D2", None, "16"),
        ("07", "D2", Some("RX1234"), "16"),
        ("07", "E1", None, "E1"),
        ("07", "E1", Some("00"), "E1"),
        ("07", "D7", None, "21"),
        ("07", "D7", Some("0037851440"), "21"),
        ("07", "E7", None, "E7"),
        ("07", "E7", Some("0"), "E7"),
        ("07", "E7", Some("30.0"), "E7"),
        ("07", "D3", None, "17"),
        ("07", "D3", Some("100"), "17"),
        ("07", "D5", None, "19"),
        ("07", "D5", Some("0"), "19"),
        ("07", "D5", Some("366"), "19"),
        ("07", "D8", Some("X"), "22"),
        ("07", "EU", Some("A"), "EU"),
        ("07", "EV", Some("PA-1"), "EV"),
        ("11", "D9", Some("12Z"), "23"),
        ("11", "D9", Some("84}"), "23"),
        ("11", "DC", Some("2.00"), "DC"),
        ("11", "DQ", Some("x"), "DQ"),
        ("13", "DO", Some("123"), "39"),
        ("13", "WE", Some("01"), "WE"),
        ("13", "VE", Some("2"), "VE"),
    ];
    for &(segment, field, value, code) in cases {
        let mut t = paid_b1();
        edit(&mut t, segment, field, value);
        let codes = codes_after(&t);
        assert_eq!(codes, [code], "{segment} {field} = {value:?}");
    }
}

/// Bad header values and missing segments.
#[test]
fn header_values_and_segments_get_their_rejects() {
    type Change = fn(&mut RequestHeader);
    let header_cases: &[(Change, &str)] = &[
        (|h| h.bin = "61A011".into(), "01"),
        (|h| h.date_of_service = "20260230".into(), "15"),
        (|h| h.date_of_service = String::new(), "15"),
        (|h| h.service_provider_id = String::new(), "05"),
        (|h| h.service_provider_id_qualifier = "X".into(), "B2"),
        (|h| h.transaction_code = "B3".into(), "1S"),
        (|h| h.transaction_code = "#!".into(), "03"),
    ];
    for (change, code) in header_cases {
        let mut t = paid_b1();
        change(&mut t.header);
        assert_eq!(codes_after(&t), [*code], "{:?}", t.header);
    }
    for (segment, code) in [("04", "PJ"), ("01", "PK")] {
        let mut t = paid_b1();
        t.segments.retain(|s| s.id != segment);
        assert_eq!(codes_after(&t), [code]);
    }
    let mut t = paid_b1();
    t.transactions[0].retain(|s| s.id != "07");
    assert_eq!(codes_after(&t), ["PC"]);
}

/// Input that cannot be framed is an error with its offset and reject,
/// never a panic; the error still makes a response.
#[test]
fn unreadable_transmissions_are_refused_with_a_reject() {
    let good = std::fs::read("tests/ncpdp/b1-paid.dat").expect("readable");
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (Vec::new(), "PS"),
        (good[..40].to_vec(), "PS"),
        (good[..56].to_vec(), "R8"),
        ([&good[..], b"\x1eXX"].concat(), "R8"),
        ([&good[..], b"\x1e\x1cAM7"].concat(), "AM"),
        ([&good[..], b"\x1e\x1cC2abc"].concat(), "AM"),
        ([&good[..], b"\x1c\xff"].concat(), "R8"),
        ([&good[..], b"\x1cA"].concat(), "R8"),
        ([&good[..], b"\x1d\x1d\x1d\x1d"].concat(), "A9"),
        ([&good[..], b"\x1e\x1cAM07"].concat(), "R8"),
        (vec![b'0'; 10 * 1024 * 1024], "R8"),
    ];
    for (bytes, code) in cases {
        let e = Transmission::parse(&bytes).expect_err("refused");
        assert_eq!(e.reject, code, "{e}");
        assert!(e.offset <= bytes.len(), "{e}");
        let r = Response::from_parse_error(&e);
        assert_eq!(r.header.status, 'R');
        assert_eq!(r.transactions[0].rejects, [code]);
        assert_eq!(Response::parse(&r.encode()).as_ref(), Ok(&r));
    }
}

#[test]
fn a_duplicate_repeats_the_paid_answer() {
    let f = acme();
    let t = paid_b1();
    let req = ClaimRequest::from_transmission(&t)
        .remove(0)
        .expect("reads");
    let rx = req.to_prescription(Vec::new(), Vec::new()).expect("rx");
    let paid = TransactionResponse::from_decision(&f, &req, &formulary::check(&f, &rx));
    assert_eq!(paid.status, ResponseStatus::Paid);
    let dup = Response::duplicate(&req, &paid);
    assert_eq!(dup.transactions[0].status, ResponseStatus::Duplicate);
    assert_eq!(dup.transactions[0].pricing, paid.pricing);
    let p = paid.pricing.expect("priced");
    // What the plan pays is what the pharmacy is owed less the patient's share.
    let owed = p.ingredient_cost_paid.expect("cost").0 + p.dispensing_fee_paid.expect("fee").0;
    assert_eq!(
        p.total_paid.expect("paid").0,
        owed - p.patient_pay.expect("pay").0
    );
    let e1 = Response::eligibility(&req, Some("ACMEGRP1"), Some("ACME-2026"));
    assert_eq!(Response::parse(&e1.encode()), Ok(e1));
}

// ---------------------------------------------------------------- properties

fn text(max: usize) -> impl Strategy<Value = String> {
    proptest::string::string_regex(&format!("[ -~]{{0,{max}}}")).expect("regex")
}

/// A header value of at most `width` characters with no trailing space
/// (the padding is not part of the value).
fn column(width: usize) -> impl Strategy<Value = String> {
    proptest::string::string_regex(&format!("([ -~]{{0,{}}}[!-~])?", width - 1)).expect("regex")
}

fn field() -> impl Strategy<Value = Field> {
    ("[A-Z0-9]{2}", text(30)).prop_map(|(id, value)| Field { id, value })
}

fn segments() -> impl Strategy<Value = Vec<Segment>> {
    proptest::collection::btree_map("[0-9]{2}", proptest::collection::vec(field(), 0..8), 0..4)
        .prop_map(|m| {
            m.into_iter()
                .map(|(id, fields)| Segment { id, fields })
                .collect()
        })
}

fn transmission() -> impl Strategy<Value = Transmission> {
    let header = (
        (column(6), column(2), column(10)),
        (column(2), column(15), column(8), column(10)),
    );
    let body = (segments(), proptest::collection::vec(segments(), 0..=4))
        // A transmission has at least one segment or transaction after its header.
        .prop_filter("empty body", |(s, t)| !(s.is_empty() && t.is_empty()));
    (header, body).prop_map(
        |(((bin, code, pcn), (q, id, dos, sw)), (segments, transactions))| Transmission {
            header: RequestHeader {
                bin,
                version: "D0".into(),
                transaction_code: code,
                pcn,
                transaction_count: transactions.len().max(1) as u8,
                service_provider_id_qualifier: q,
                service_provider_id: id,
                date_of_service: dos,
                software_id: sw,
            },
            segments,
            transactions,
        },
    )
}

fn money() -> impl Strategy<Value = Option<Money>> {
    proptest::option::of((-99_999_999i64..=99_999_999).prop_map(Money))
}

fn transaction_response() -> impl Strategy<Value = TransactionResponse> {
    let status = prop_oneof![
        Just(ResponseStatus::Paid),
        Just(ResponseStatus::Duplicate),
        Just(ResponseStatus::Rejected),
        Just(ResponseStatus::Approved),
        Just(ResponseStatus::Captured),
    ];
    let product = (proptest::option::of("[0-9]{11}"), text(40))
        .prop_map(|(ndc, description)| PreferredProduct { ndc, description });
    let pricing = proptest::option::of((money(), money(), money(), money()).prop_map(
        |(a, b, c, d)| Pricing {
            patient_pay: a,
            ingredient_cost_paid: b,
            dispensing_fee_paid: c,
            total_paid: d,
        },
    ));
    (
        status,
        proptest::option::of("[0-9]{1,20}"),
        proptest::collection::vec("[0-9A-Z]{2,3}", 0..=5),
        proptest::collection::vec(text(40), 0..=9),
        (
            proptest::option::of("[0-9]{1,12}"),
            proptest::collection::vec(product, 0..=5),
        ),
        pricing,
    )
        .prop_map(
            |(status, authorization, rejects, messages, (rx_number, preferred), pricing)| {
                TransactionResponse {
                    status,
                    authorization,
                    rejects,
                    messages,
                    rx_number,
                    preferred,
                    pricing,
                }
            },
        )
}

fn response() -> impl Strategy<Value = Response> {
    (
        (
            column(2),
            prop_oneof![Just('A'), Just('R')],
            column(2),
            column(15),
            column(8),
        ),
        (
            proptest::option::of(text(40)),
            proptest::option::of(text(15)),
            proptest::option::of(text(8)),
        ),
        proptest::collection::vec(transaction_response(), 1..=4),
    )
        .prop_map(
            |((code, status, q, id, dos), (message, group_id, plan_id), transactions)| Response {
                header: ResponseHeader {
                    version: "D0".into(),
                    transaction_code: code,
                    transaction_count: transactions.len() as u8,
                    status,
                    service_provider_id_qualifier: q,
                    service_provider_id: id,
                    date_of_service: dos,
                },
                message,
                group_id,
                plan_id,
                transactions,
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn transmissions_round_trip(t in transmission()) {
        let bytes = t.encode();
        let back = Transmission::parse(&bytes);
        prop_assert_eq!(back.as_ref(), Ok(&t));
        prop_assert_eq!(back.map(|b| b.encode()), Ok(bytes));
    }

    #[test]
    fn responses_round_trip(r in response()) {
        let bytes = r.encode();
        prop_assert_eq!(Response::parse(&bytes), Ok(r));
    }

    #[test]
    fn any_bytes_after_a_header_parse_or_fail_cleanly(
        tail in proptest::collection::vec(prop_oneof![Just(0x1Cu8), Just(0x1D), Just(0x1E), 0x20u8..0x7F, any::<u8>()], 0..200),
    ) {
        let good = std::fs::read("tests/ncpdp/b1-paid.dat").expect("readable");
        let bytes = [&good[..56], &tail[..]].concat();
        match Transmission::parse(&bytes) {
            Ok(t) => {
                prop_assert_eq!(t.encode(), bytes);
                let _ = ClaimRequest::from_transmission(&t);
            }
            Err(e) => prop_assert!(e.offset <= bytes.len()),
        }
    }
}
