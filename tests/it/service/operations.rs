//! Running the service: reloads, API keys, metrics, limits, restarts and
//! the OpenAPI document.

use super::*;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

#[test]
fn reload_swaps_a_good_version_and_refuses_a_broken_one() {
    let s = Service::start(None);
    let main = s.dir.join("acme/acme.formulary");
    let text = std::fs::read_to_string(&main).unwrap();
    let (status, r) = s.post("/v1/admin/reload", Some(ADMIN), &json!({}));
    assert_eq!((status, r["status"].as_str()), (200, Some("unchanged")));
    std::fs::write(&main, text.replace("version 2026.2", "version 2026.3")).unwrap();
    let (status, r) = s.post("/v1/admin/reload", Some(ADMIN), &json!({}));
    assert_eq!(
        (status, r["status"].as_str()),
        (200, Some("reloaded")),
        "{r}"
    );
    assert_eq!(r["serving"]["version"], "2026.3");
    let answer = s.check(&lisinopril("ACME0001", "2026-03-02", "1", 0, 30));
    assert_eq!(answer["formulary"]["version"], "2026.3");
    // A version that does not compile never serves; the answer says why.
    std::fs::write(
        &main,
        text.replace("version 2026.2", "version 2026.4") + "\ntier 9 \"Broken\" copay\n",
    )
    .unwrap();
    let (status, r) = s.post("/v1/admin/reload", Some(ADMIN), &json!({}));
    assert_eq!(status, 422, "{r}");
    assert_eq!(r["status"], "failed");
    assert_eq!(r["serving"]["version"], "2026.3");
    let diags = r["diagnostics"].as_array().unwrap();
    assert!(!diags.is_empty());
    assert!(diags[0]["code"].as_str().unwrap().starts_with('E'));
    assert_eq!(
        diags[0]["file"].as_str().unwrap(),
        main.display().to_string()
    );
    assert_eq!(
        s.check(&lisinopril("ACME0001", "2026-03-02", "1", 0, 30))["formulary"]["version"],
        "2026.3"
    );
    // SIGHUP reloads too.
    std::fs::write(&main, text.replace("version 2026.2", "version 2026.5")).unwrap();
    signal(&s.child, "HUP");
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let v = s.get_json("/v1/formulary");
        if v["serving"]["version"] == "2026.5" {
            let versions: Vec<_> = v["versions"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x["version"].as_str().unwrap().to_string())
                .collect();
            assert_eq!(versions, ["2026.2", "2026.3", "2026.5"]);
            break;
        }
        assert!(Instant::now() < deadline, "SIGHUP did not reload: {v}");
        std::thread::sleep(Duration::from_millis(50));
    }
    let (_, metrics) = s.get("/metrics", None);
    assert!(
        metrics.contains("formulary_reloads_total{result=\"ok\"} 3"),
        "{metrics}"
    );
    assert!(
        metrics.contains("formulary_reloads_total{result=\"failed\"} 1"),
        "{metrics}"
    );
}

#[test]
fn requests_without_a_known_key_are_refused() {
    let s = Service::start(None);
    let claim = lisinopril("ACME0001", "2026-03-02", "1", 0, 30);
    assert_eq!(s.post("/v1/claims", None, &claim).0, 401);
    assert_eq!(
        s.post("/v1/claims", Some("not-a-key-of-this-service"), &claim)
            .0,
        401
    );
    assert_eq!(s.post("/v1/claims/check", None, &claim).0, 401);
    assert_eq!(s.get("/v1/members/ACME0001", None).0, 401);
    assert_eq!(s.get("/v1/formulary", None).0, 401);
    assert_eq!(s.post("/v1/admin/reload", None, &json!({})).0, 401);
    assert_eq!(
        s.post("/v1/admin/reload", Some(PHARMACY), &json!({})).0,
        403
    );
    assert_eq!(s.get("/health", None).0, 200);
    assert_eq!(s.get("/ready", None).0, 200);
}

#[test]
fn metrics_count_claims_by_outcome() {
    let s = Service::start(None);
    s.submit(&lisinopril("ACME0005", "2026-02-02", "500", 0, 30));
    s.submit(&lisinopril("ACME0005", "2026-02-02", "500", 0, 30));
    s.submit(&lisinopril("ACME0005", "2026-02-03", "501", 0, 30));
    s.check(&lisinopril("ACME0005", "2026-02-03", "501", 0, 30));
    let (status, m) = s.get("/metrics", None);
    assert_eq!(status, 200);
    for line in [
        "formulary_claims_total{kind=\"submit\",outcome=\"paid\"} 1",
        "formulary_claims_total{kind=\"submit\",outcome=\"duplicate\"} 1",
        "formulary_claims_total{kind=\"submit\",outcome=\"rejected\"} 1",
        "formulary_claims_total{kind=\"check\",outcome=\"rejected\"} 1",
        "formulary_claim_duration_seconds_count{kind=\"submit\"} 3",
    ] {
        assert!(m.contains(line), "missing {line} in\n{m}");
    }
    assert!(m.contains("formulary_store_batch_operations_count"));
}

#[test]
fn malformed_and_oversized_requests_get_clear_errors() {
    let s = Service::start(None);
    let (status, v) = s.post_raw(
        "/v1/claims",
        Some(PHARMACY),
        b"{\"member_id\": \"ACME0001\", \"da".to_vec(),
    );
    assert_eq!(status, 400, "{v}");
    assert!(
        v["error"]["message"].as_str().unwrap().contains("EOF"),
        "{v}"
    );
    let mut bad = lisinopril("ACME0001", "2026-03-02", "1", 0, 30);
    bad["days_supply"] = json!(400);
    let (status, v) = s.post("/v1/claims", Some(PHARMACY), &bad);
    assert_eq!(
        (status, v["error"]["field"].as_str()),
        (400, Some("days_supply")),
        "{v}"
    );
    bad["colour"] = json!("blue");
    let (status, v) = s.post("/v1/claims", Some(PHARMACY), &bad);
    assert_eq!(status, 400);
    assert!(
        v["error"]["message"].as_str().unwrap().contains("colour"),
        "{v}"
    );
    let no_rx = json!({"member_id": "ACME0001", "date": "2026-03-02", "rxcui": 314076, "quantity": 30, "days_supply": 30});
    let (status, v) = s.post("/v1/claims", Some(PHARMACY), &no_rx);
    assert_eq!(
        (status, v["error"]["field"].as_str()),
        (400, Some("rx_number"))
    );
    assert_eq!(s.oversized("/v1/claims", 10 * 1024 * 1024), 413);
    assert_eq!(s.oversized("/v1/claims/check", 65 * 1024), 413);
    assert_eq!(
        s.submit(&lisinopril("ACME0001", "2026-03-02", "1", 0, 30))["status"],
        "paid"
    );
    let (status, v) = s.get("/v1/nothing", Some(PHARMACY));
    assert_eq!(status, 404, "{v}");
}

#[test]
fn the_store_survives_a_restart() {
    let tmp = workspace();
    let dir = tmp.path().to_path_buf();
    let s = Service::start_in(&dir, None, None);
    assert_eq!(
        s.submit(&lisinopril("ACME0010", "2026-02-02", "600", 0, 30))["status"],
        "paid"
    );
    s.stop();
    let s = Service::start_in(&dir, None, Some(tmp));
    let soon = s.submit(&lisinopril("ACME0010", "2026-02-10", "601", 0, 30));
    assert_eq!(
        codes(&soon),
        ["79"],
        "the fill before the restart is history"
    );
    assert_eq!(
        s.submit(&lisinopril("ACME0010", "2026-02-02", "600", 0, 30))["status"],
        "duplicate"
    );
}

#[test]
fn the_openapi_document_describes_every_route() {
    let s = Service::start(None);
    let (status, text) = s.get("/openapi.json", None);
    assert_eq!(status, 200);
    let doc: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(doc["openapi"], "3.0.3");
    let paths = doc["paths"].as_object().unwrap();
    for p in [
        "/health",
        "/ready",
        "/metrics",
        "/v1/claims/check",
        "/v1/claims",
        "/v1/claims/reverse",
        "/v1/members/{id}",
        "/v1/members/{id}/prior-authorizations",
        "/v1/formulary",
        "/v1/admin/reload",
    ] {
        assert!(paths.contains_key(p), "{p} is not described");
    }
    // Every reference points at a schema that exists.
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    for r in text.match_indices("#/components/schemas/") {
        let rest = &text[r.0 + r.1.len()..];
        let name = &rest[..rest.find('"').unwrap()];
        assert!(
            schemas.contains_key(name),
            "{name} is referenced but not defined"
        );
    }
}
