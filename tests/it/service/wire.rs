//! NCPDP D.0 transmissions into the service, over HTTP and TCP: the golden
//! requests of `tests/ncpdp/` answered from the store.

use super::*;
use formulary::ncpdp::{Response, ResponseStatus};
use std::io::{Read, Write};

fn golden(name: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/ncpdp")
            .join(name),
    )
    .unwrap()
}

/// The cardholder of the golden transmissions, as a member of the plan.
fn with_golden_member() -> Service {
    with_golden_member_and(&[])
}

fn with_golden_member_and(extra: &[&str]) -> Service {
    let tmp = workspace();
    let members = tmp.path().join("acme/members.csv");
    let mut text = std::fs::read_to_string(&members).unwrap();
    text.push_str(
        "ACM100200300,Golden,Patient,1950-04-12,F,ACME-COMMERCIAL,ACMEGRP1,2024-01-01,\n",
    );
    std::fs::write(&members, text).unwrap();
    let dir = tmp.path().to_path_buf();
    Service::start_with(&dir, None, Some(tmp), extra)
}

fn post_ncpdp(s: &Service, body: &[u8]) -> Response {
    let mut resp = s
        .agent
        .post(format!("{}/ncpdp", s.base))
        .header("Authorization", format!("Bearer {PHARMACY}"))
        .send(body)
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let bytes = resp.body_mut().read_to_vec().unwrap();
    Response::parse(&bytes).unwrap()
}

#[test]
fn a_d0_billing_is_paid_then_a_duplicate_then_reversed() {
    let s = with_golden_member();
    let paid = post_ncpdp(&s, &golden("b1-paid.dat"));
    assert_eq!(
        paid.transactions[0].status,
        ResponseStatus::Paid,
        "{paid:?}"
    );
    assert!(paid.transactions[0].authorization.is_some());
    let again = post_ncpdp(&s, &golden("b1-paid.dat"));
    assert_eq!(again.transactions[0].status, ResponseStatus::Duplicate);
    let m = s.get_json("/v1/members/ACM100200300");
    assert_eq!(m["history"].as_array().unwrap().len(), 1);
    let reversed = post_ncpdp(&s, &golden("b2-reversal.dat"));
    assert_eq!(
        reversed.transactions[0].status,
        ResponseStatus::Approved,
        "{reversed:?}"
    );
    assert_eq!(
        s.get_json("/v1/members/ACM100200300")["history"],
        serde_json::json!([])
    );
}

#[test]
fn a_broken_transmission_is_rejected_and_the_service_keeps_serving() {
    let s = with_golden_member();
    for bad in ["bad-truncated.dat", "bad-separators.dat", "bad-fields.dat"] {
        let r = post_ncpdp(&s, &golden(bad));
        let rejected = r
            .transactions
            .iter()
            .all(|t| t.status == ResponseStatus::Rejected);
        assert!(rejected || r.header.status == 'R', "{bad}: {r:?}");
    }
    assert_eq!(
        post_ncpdp(&s, &golden("b1-paid.dat")).transactions[0].status,
        ResponseStatus::Paid
    );
}

#[test]
fn d0_over_tcp_in_stx_etx_frames() {
    let s = with_golden_member_and(&["--ncpdp-listen", "127.0.0.1:0"]);
    let addr = s
        .ncpdp
        .clone()
        .expect("the NCPDP address on the first line");
    let mut conn = std::net::TcpStream::connect(&addr).unwrap();
    conn.set_read_timeout(Some(std::time::Duration::from_secs(20)))
        .unwrap();
    conn.write_all(format!("{PHARMACY}\n").as_bytes()).unwrap();
    let mut answers = Vec::new();
    for name in ["b1-paid.dat", "b1-paid.dat"] {
        let mut frame = vec![0x02];
        frame.extend(golden(name));
        frame.push(0x03);
        conn.write_all(&frame).unwrap();
        let mut got = Vec::new();
        let mut byte = [0u8; 1];
        while got.last() != Some(&0x03) {
            conn.read_exact(&mut byte).unwrap();
            got.push(byte[0]);
        }
        assert_eq!(got[0], 0x02);
        answers.push(
            Response::parse(&got[1..got.len() - 1])
                .unwrap()
                .transactions[0]
                .status,
        );
    }
    assert_eq!(answers, [ResponseStatus::Paid, ResponseStatus::Duplicate]);
    let mut refused = std::net::TcpStream::connect(&addr).unwrap();
    refused.write_all(b"not-a-key\n").unwrap();
    let mut text = String::new();
    refused.read_to_string(&mut text).unwrap();
    assert!(text.starts_with("401"), "{text}");
}
