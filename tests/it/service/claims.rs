//! Claims through the service: checks, eligibility, history from the store,
//! duplicates, concurrency, reversals and prior authorizations.

use super::*;
use serde_json::{json, Value};

#[test]
fn check_answers_paid_and_rejected_without_recording() {
    let s = Service::start(None);
    let paid = s.check(&lisinopril("ACME0001", "2026-03-02", "1", 0, 30));
    assert_eq!(paid["status"], "paid");
    assert_eq!(paid["patient_pay"], 5.0);
    assert_eq!(paid["formulary"]["id"], "ACME-2026");
    assert_eq!(paid["formulary"]["version"], "2026.2");
    assert!(paid["formulary"]["hash"]
        .as_str()
        .unwrap()
        .starts_with("sha256:"));
    assert!(paid.get("claim_id").is_none());
    // A check records nothing: the same fill again is not too soon.
    let again = s.check(&lisinopril("ACME0001", "2026-03-03", "1", 0, 30));
    assert_eq!(again["status"], "paid");
    let azilsartan = json!({"member_id": "ACME0001", "date": "2026-03-02", "rxcui": 1091650,
                            "quantity": 30, "days_supply": 30});
    let rejected = s.check(&azilsartan);
    assert_eq!(rejected["status"], "rejected");
    assert_eq!(codes(&rejected), ["608"]);
    // The step needs an ACE inhibitor first: that is the first alternative.
    assert_eq!(rejected["alternatives"][0]["name"], "lisinopril-10");
    let (_, traced) = s.post("/v1/claims/check?trace=true", Some(PHARMACY), &azilsartan);
    assert!(!traced["decision"]["trace"].as_array().unwrap().is_empty());
    let m = s.get_json("/v1/members/ACME0001");
    assert_eq!(m["history"], json!([]));
    assert_eq!(m["claims"], json!([]));
}

#[test]
fn eligibility_comes_from_the_members_file() {
    let s = Service::start(None);
    let unknown = s.check(&lisinopril("NOBODY", "2026-03-02", "1", 0, 30));
    assert_eq!(codes(&unknown), ["52"]);
    // ACME0007's coverage ended on 2026-03-31; ACME0009's starts on 2026-07-01.
    let ended = s.check(&lisinopril("ACME0007", "2026-04-01", "1", 0, 30));
    assert_eq!(codes(&ended), ["69"]);
    let covered = s.check(&lisinopril("ACME0007", "2026-03-31", "1", 0, 30));
    assert_eq!(covered["status"], "paid");
    let early = s.check(&lisinopril("ACME0009", "2026-06-30", "1", 0, 30));
    assert_eq!(codes(&early), ["67"]);
    let m = s.get_json("/v1/members/ACME0002");
    assert_eq!(m["member"]["birth_date"], "1944-02-19");
    assert_eq!(m["member"]["plan"], "ACME-COMMERCIAL");
}

#[test]
fn stored_history_drives_step_therapy_and_refill_too_soon() {
    let s = Service::start(None);
    let first = s.submit(&lisinopril("ACME0001", "2026-01-02", "100", 0, 90));
    assert_eq!(first["status"], "paid");
    assert!(first["claim_id"].as_i64().unwrap() > 0);
    // The history is the store's: the request carries none.
    let soon = s.submit(&lisinopril("ACME0001", "2026-01-20", "100", 1, 90));
    assert_eq!(codes(&soon), ["79"]);
    let azilsartan = |rx: &str, date: &str| {
        json!({"member_id": "ACME0001", "date": date, "rx_number": rx, "rxcui": 1091650,
               "quantity": 30, "days_supply": 30})
    };
    // Step 1 (an ACE inhibitor) is met by the stored fill; step 2 (an ARB) is not.
    let step = s.submit(&azilsartan("101", "2026-03-02"));
    assert_eq!(codes(&step), ["608"]);
    assert!(step["rejects"][0]["message"]
        .as_str()
        .unwrap()
        .contains("step 2 of 2"));
    let losartan = json!({"member_id": "ACME0001", "date": "2026-03-03", "rx_number": "102",
                          "rxcui": 979492, "quantity": 30, "days_supply": 30});
    assert_eq!(s.submit(&losartan)["status"], "paid");
    assert_eq!(s.submit(&azilsartan("103", "2026-04-10"))["status"], "paid");
    // Another member's history is their own.
    let mut theirs = azilsartan("1", "2026-04-10");
    theirs["member_id"] = json!("ACME0002");
    assert_eq!(codes(&s.check(&theirs)), ["608"]);
    let m = s.get_json("/v1/members/ACME0001");
    assert_eq!(m["history"].as_array().unwrap().len(), 3);
    assert_eq!(m["claims"].as_array().unwrap().len(), 5);
}

#[test]
fn a_resubmitted_claim_is_a_duplicate_and_recorded_once() {
    let s = Service::start(None);
    let claim = lisinopril("ACME0002", "2026-02-02", "200", 0, 30);
    let first = s.submit(&claim);
    let second = s.submit(&claim);
    assert_eq!(first["status"], "paid");
    assert_eq!(second["status"], "duplicate");
    assert_eq!(second["claim_id"], first["claim_id"]);
    assert_eq!(second["patient_pay"], first["patient_pay"]);
    // Another pharmacy's Rx 200 is another prescription.
    let (_, other) = s.post("/v1/claims", Some(OTHER_PHARMACY), &claim);
    assert_eq!(codes(&other), ["79"]);
    let m = s.get_json("/v1/members/ACME0002");
    assert_eq!(m["history"].as_array().unwrap().len(), 1);
}

#[test]
fn concurrent_claims_of_one_member_are_serialized() {
    let s = Service::start(None);
    concurrent_fills(&s, "ACME0003");
}

/// Twenty fills of the same drug on the same day at once: exactly one pays,
/// every other one sees it and is too soon.
pub(super) fn concurrent_fills(s: &Service, member: &str) {
    let outcomes: Vec<Value> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..20)
            .map(|i| {
                scope.spawn(move || {
                    s.submit(&lisinopril(
                        member,
                        "2026-05-04",
                        &format!("3{i:02}"),
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
}

#[test]
fn a_reversal_removes_the_fill_from_the_history() {
    let s = Service::start(None);
    let first = s.submit(&lisinopril("ACME0004", "2026-02-02", "400", 0, 30));
    assert_eq!(first["status"], "paid");
    let reverse = json!({"rx_number": "400", "fill_number": 0, "date": "2026-02-02"});
    let (status, r) = s.post("/v1/claims/reverse", Some(PHARMACY), &reverse);
    assert_eq!(status, 200, "{r}");
    assert_eq!(r["claim_id"], first["claim_id"]);
    // Reversed twice: nothing left to reverse.
    let (status, again) = s.post("/v1/claims/reverse", Some(PHARMACY), &reverse);
    assert_eq!(status, 404);
    assert_eq!(codes(&again), ["87"]);
    // Only the pharmacy that billed it may reverse it.
    let second = s.submit(&lisinopril("ACME0004", "2026-02-05", "401", 0, 30));
    assert_eq!(
        second["status"], "paid",
        "the reversed fill no longer counts"
    );
    let mine = json!({"rx_number": "401", "date": "2026-02-05"});
    let (status, _) = s.post("/v1/claims/reverse", Some(OTHER_PHARMACY), &mine);
    assert_eq!(status, 404);
    let m = s.get_json("/v1/members/ACME0004");
    assert_eq!(m["history"].as_array().unwrap().len(), 1);
    let claims = m["claims"].as_array().unwrap();
    let reversed: Vec<_> = claims
        .iter()
        .filter(|c| !c["reversed_at"].is_null())
        .collect();
    assert_eq!(reversed.len(), 1, "the reversed row is kept for audit");
    // After a reversal the same fill may be billed again.
    // (Rx 401 was filled after that date of service, so it is not its history.)
    let rebilled = s.submit(&lisinopril("ACME0004", "2026-02-02", "400", 0, 30));
    assert_eq!(rebilled["status"], "paid", "{rebilled}");
    assert_ne!(rebilled["claim_id"], first["claim_id"]);
}

#[test]
fn a_prior_authorization_entered_is_used_by_later_claims() {
    let s = Service::start(None);
    let evolocumab = json!({"member_id": "ACME0004", "date": "2026-03-02", "rxcui": 1665684,
        "quantity": 2, "days_supply": 28, "pharmacy_kind": "specialty",
        "ingredient_cost": 610.40, "dispensing_fee": 2.00});
    assert_eq!(codes(&s.check(&evolocumab)), ["75"]);
    let pa = json!({"number": "PA-26-004417", "rxcui": 1665684, "from": "2026-01-15", "to": "2027-01-14"});
    let path = "/v1/members/ACME0004/prior-authorizations";
    let (status, v) = s.post(path, Some(PHARMACY), &pa);
    assert_eq!(status, 201, "{v}");
    let (status, _) = s.post(path, Some(PHARMACY), &pa);
    assert_eq!(status, 409, "the same number twice");
    let (status, v) = s.post(
        path,
        Some(PHARMACY),
        &json!({"number": "X", "from": "2026-01-01", "to": "2026-02-01"}),
    );
    assert_eq!((status, v["error"]["field"].as_str()), (400, Some(".")));
    let paid = s.check(&evolocumab);
    assert_eq!(paid["status"], "paid", "{paid}");
    assert_eq!(paid["patient_pay"], 153.1);
    let list = s.get_json(path);
    assert_eq!(list["prior_authorizations"][0]["number"], "PA-26-004417");
    let (status, _) = s.post(
        "/v1/members/NOBODY/prior-authorizations",
        Some(PHARMACY),
        &pa,
    );
    assert_eq!(status, 404);
}
