//! The same service on a shared PostgreSQL store, when
//! `FORMULARY_TEST_POSTGRES` names a server (`scripts/with-postgres.sh`).

use super::claims::concurrent_fills;
use super::*;
use serde_json::{json, Value};

/// A fresh PostgreSQL database on the server `FORMULARY_TEST_POSTGRES`
/// names, or `None` (the test then says it is skipped).
fn postgres_database(test: &str) -> Option<String> {
    let Ok(url) = std::env::var("FORMULARY_TEST_POSTGRES") else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must run the PostgreSQL tests: run them under scripts/with-postgres.sh"
        );
        println!("skipped {test}: set FORMULARY_TEST_POSTGRES=postgres://… to run it");
        return None;
    };
    let name = format!("formulary_test_{}_{}", test, std::process::id());
    let mut admin = ::postgres::Client::connect(&url, ::postgres::NoTls).unwrap();
    admin
        .batch_execute(&format!("DROP DATABASE IF EXISTS {name}"))
        .unwrap();
    admin
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .unwrap();
    let base = url.rsplit_once('/').map_or(url.as_str(), |(b, _)| b);
    Some(format!("{base}/{name}"))
}

#[test]
fn postgres_store_keeps_history_duplicates_and_reversals() {
    let Some(db) = postgres_database("history") else {
        return;
    };
    let s = Service::start(Some(&db));
    let first = s.submit(&lisinopril("ACME0001", "2026-01-02", "100", 0, 90));
    assert_eq!(first["status"], "paid");
    assert_eq!(
        s.submit(&lisinopril("ACME0001", "2026-01-02", "100", 0, 90))["status"],
        "duplicate"
    );
    assert_eq!(
        codes(&s.submit(&lisinopril("ACME0001", "2026-01-20", "100", 1, 90))),
        ["79"]
    );
    let (status, _) = s.post(
        "/v1/claims/reverse",
        Some(PHARMACY),
        &json!({"rx_number": "100", "date": "2026-01-02"}),
    );
    assert_eq!(status, 200);
    assert_eq!(
        s.submit(&lisinopril("ACME0001", "2026-01-21", "100", 1, 90))["status"],
        "paid"
    );
    let pa = json!({"number": "PA-1", "rxcui": 1665684, "from": "2026-01-15", "to": "2027-01-14"});
    assert_eq!(
        s.post(
            "/v1/members/ACME0004/prior-authorizations",
            Some(PHARMACY),
            &pa
        )
        .0,
        201
    );
    let m = s.get_json("/v1/members/ACME0001");
    assert_eq!(m["history"].as_array().unwrap().len(), 1);
    assert_eq!(
        m["claims"].as_array().unwrap().len(),
        3,
        "the duplicate is not recorded"
    );
    s.stop();
}

#[test]
fn postgres_serializes_one_members_claims_across_instances() {
    let Some(db) = postgres_database("instances") else {
        return;
    };
    let a = Service::start(Some(&db));
    let b = Service::start(Some(&db));
    let outcomes: Vec<Value> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..20)
            .map(|i| {
                let s = if i % 2 == 0 { &a } else { &b };
                scope.spawn(move || {
                    s.submit(&lisinopril(
                        "ACME0003",
                        "2026-05-04",
                        &format!("7{i:02}"),
                        0,
                        30,
                    ))
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let paid = outcomes.iter().filter(|o| o["status"] == "paid").count();
    let soon = outcomes.iter().filter(|o| codes(o) == ["79"]).count();
    assert_eq!((paid, soon), (1, 19), "{outcomes:?}");
    concurrent_fills(&a, "ACME0002");
}
