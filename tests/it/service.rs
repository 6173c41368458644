//! The adjudication service end to end: the real binary on a free loopback
//! port, real HTTP requests, the real store (SQLite in a temporary folder,
//! and PostgreSQL when `FORMULARY_TEST_POSTGRES` names a server).

use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const ADMIN: &str = "admin-key-for-tests-0001";
const PHARMACY: &str = "pharmacy-key-for-tests-0001";
const OTHER_PHARMACY: &str = "pharmacy-key-for-tests-0002";

/// A running service and the folder it was started in.
struct Service {
    child: Child,
    base: String,
    dir: PathBuf,
    _tmp: Option<tempfile::TempDir>,
    agent: ureq::Agent,
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(20)))
        .build()
        .into()
}

/// A folder with a copy of the Acme formulary, its members and API keys.
fn workspace() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let acme = Path::new(env!("CARGO_MANIFEST_DIR")).join("formularies/acme");
    let dest = tmp.path().join("acme");
    std::fs::create_dir_all(&dest).unwrap();
    for e in std::fs::read_dir(&acme).unwrap() {
        let p = e.unwrap().path();
        if p.is_file() {
            std::fs::copy(&p, dest.join(p.file_name().unwrap())).unwrap();
        }
    }
    std::fs::write(
        tmp.path().join("keys"),
        format!("{ADMIN} ADMIN admin\n{PHARMACY} 1234567890\n{OTHER_PHARMACY} 2222222222\n"),
    )
    .unwrap();
    tmp
}

impl Service {
    fn start(database: Option<&str>) -> Service {
        let tmp = workspace();
        let dir = tmp.path().to_path_buf();
        Service::start_in(&dir, database, Some(tmp))
    }

    fn start_in(dir: &Path, database: Option<&str>, tmp: Option<tempfile::TempDir>) -> Service {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_formulary"));
        cmd.arg("serve")
            .arg(dir.join("acme/acme.formulary"))
            .arg("--data")
            .arg(dir.join("data"))
            .arg("--members")
            .arg(dir.join("acme/members.csv"))
            .arg("--api-keys")
            .arg(dir.join("keys"))
            .args(["--listen", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        if let Some(url) = database {
            cmd.args(["--database", url]);
        }
        let mut child = cmd.spawn().unwrap();
        let stdout = child.stdout.take().unwrap();
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).unwrap();
        let base = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("the service did not start: {line:?}"))
            .to_string();
        Service {
            child,
            base,
            dir: dir.to_path_buf(),
            _tmp: tmp,
            agent: agent(),
        }
    }

    fn post(&self, path: &str, key: Option<&str>, body: &Value) -> (u16, Value) {
        self.post_raw(path, key, body.to_string().into_bytes())
    }

    fn post_raw(&self, path: &str, key: Option<&str>, body: Vec<u8>) -> (u16, Value) {
        let mut req = self
            .agent
            .post(format!("{}{path}", self.base))
            .header("Content-Type", "application/json");
        if let Some(k) = key {
            req = req.header("Authorization", format!("Bearer {k}"));
        }
        let mut resp = req.send(&body[..]).unwrap();
        let status = resp.status().as_u16();
        let text = resp.body_mut().read_to_string().unwrap_or_default();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    fn get(&self, path: &str, key: Option<&str>) -> (u16, String) {
        let mut req = self.agent.get(format!("{}{path}", self.base));
        if let Some(k) = key {
            req = req.header("Authorization", format!("Bearer {k}"));
        }
        let mut resp = req.call().unwrap();
        let status = resp.status().as_u16();
        (status, resp.body_mut().read_to_string().unwrap_or_default())
    }

    fn get_json(&self, path: &str) -> Value {
        let (status, text) = self.get(path, Some(PHARMACY));
        assert_eq!(status, 200, "{path}: {text}");
        serde_json::from_str(&text).unwrap()
    }

    fn submit(&self, claim: &Value) -> Value {
        let (status, v) = self.post("/v1/claims", Some(PHARMACY), claim);
        assert_eq!(status, 200, "{v}");
        v
    }

    fn check(&self, claim: &Value) -> Value {
        let (status, v) = self.post("/v1/claims/check", Some(PHARMACY), claim);
        assert_eq!(status, 200, "{v}");
        v
    }

    /// Sends a body of `len` spaces over a raw connection (the service may
    /// answer and close before it has all been written) and returns the status.
    fn oversized(&self, path: &str, len: usize) -> u16 {
        use std::io::{Read, Write};
        let addr = self.base.trim_start_matches("http://");
        let mut conn = std::net::TcpStream::connect(addr).unwrap();
        conn.set_read_timeout(Some(Duration::from_secs(20)))
            .unwrap();
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {PHARMACY}\r\n\
             Connection: close\r\nContent-Type: application/json\r\nContent-Length: {len}\r\n\r\n"
        );
        conn.write_all(head.as_bytes()).unwrap();
        let chunk = vec![b' '; 64 * 1024];
        let mut sent = 0;
        while sent < len
            && conn
                .write_all(&chunk[..chunk.len().min(len - sent)])
                .is_ok()
        {
            sent += chunk.len();
        }
        let mut answer = Vec::new();
        let _ = conn.read_to_end(&mut answer);
        let text = String::from_utf8_lossy(&answer);
        text.split_whitespace()
            .nth(1)
            .and_then(|c| c.parse().ok())
            .unwrap_or(0)
    }

    /// Stops with SIGTERM and waits: in-flight claims finish, the store closes.
    fn stop(mut self) -> PathBuf {
        signal(&self.child, "TERM");
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                assert!(status.success(), "exit status {status}");
                return self.dir.clone();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("the service did not stop on SIGTERM");
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn signal(child: &Child, name: &str) {
    let ok = Command::new("kill")
        .arg(format!("-{name}"))
        .arg(child.id().to_string())
        .status()
        .unwrap()
        .success();
    assert!(ok, "kill -{name}");
}

fn lisinopril(member: &str, date: &str, rx: &str, fill: u32, days: u32) -> Value {
    json!({"member_id": member, "date": date, "rx_number": rx, "fill_number": fill,
           "rxcui": 314076, "quantity": days, "days_supply": days})
}

fn codes(v: &Value) -> Vec<String> {
    v["rejects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap().to_string())
        .collect()
}

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
    assert_eq!(rejected["alternatives"][0]["name"], "losartan-50");
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
fn concurrent_fills(s: &Service, member: &str) {
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
    let mut admin = postgres::Client::connect(&url, postgres::NoTls).unwrap();
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
    assert_eq!(m["claims"].as_array().unwrap().len(), 3, "the duplicate is not recorded");
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
