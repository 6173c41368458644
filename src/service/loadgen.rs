//! A load generator for a running service on loopback: generated members
//! (a members file to start the service with) and generated claims for
//! them, sent over keep-alive HTTP/1.1 connections, each waiting for its
//! answer before the next (a closed loop). Reports throughput and latency
//! percentiles, and can write the keys of every claim acknowledged as paid
//! so that [`verify`] can check the store after a crash.

use super::adjudicate::ClaimRequest;
use super::store::{self, ClaimKey, StoreError};
use crate::diff::ClaimGenerator;
use crate::Formulary;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A members file of `count` generated members, `LG000001`…, all covered
/// for the whole of 2025 to 2027.
pub fn members_csv(count: u32) -> String {
    let mut out = String::from(
        "member_id,first_name,last_name,birth_date,sex,plan,group,enrolled,terminated\n",
    );
    for i in 1..=count {
        let year = 1940 + (i * 7919) % 66;
        let month = 1 + (i * 31) % 12;
        let day = 1 + (i * 17) % 28;
        let sex = if i % 2 == 0 { "F" } else { "M" };
        out.push_str(&format!(
            "LG{i:06},Member,{i},{year}-{month:02}-{day:02},{sex},LOADGEN,LGGROUP,2025-01-01,\n"
        ));
    }
    out
}

/// What to send.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The service, e.g. `127.0.0.1:8080` (loopback only).
    pub addr: SocketAddr,
    /// A pharmacy's API key.
    pub key: String,
    /// `submit` (record) or `check` (check only).
    pub submit: bool,
    /// Members `LG000001`… to spread claims over.
    pub members: u32,
    /// Claims at most.
    pub requests: u64,
    /// Seconds at most.
    pub seconds: u64,
    /// Connections, each with one claim in flight.
    pub concurrency: usize,
    /// Seed of the claims; also makes the Rx numbers of one run unique.
    pub seed: u64,
}

/// A claim acknowledged as paid.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Acked {
    /// Rx number.
    pub rx_number: String,
    /// Fill number.
    pub fill_number: u32,
    /// Date of service.
    pub date: String,
}

/// What a run measured.
#[derive(Debug, Default, Serialize)]
pub struct Report {
    /// Claims answered.
    pub answered: u64,
    /// Of which paid.
    pub paid: u64,
    /// Rejected.
    pub rejected: u64,
    /// Duplicates.
    pub duplicate: u64,
    /// Answered with an HTTP error status.
    pub http_errors: u64,
    /// Not answered (connection refused or dropped).
    pub failed: u64,
    /// Seconds the run took.
    pub seconds: f64,
    /// Answers per second.
    pub per_second: f64,
    /// Median latency, milliseconds.
    pub p50_ms: f64,
    /// 99th percentile latency, milliseconds.
    pub p99_ms: f64,
    /// Slowest, milliseconds.
    pub max_ms: f64,
    /// Every claim acknowledged as paid (submit only).
    #[serde(skip)]
    pub acked: Vec<Acked>,
}

/// The claims of a run, made before it starts so that generating them is
/// not measured.
pub fn claims(f: &Formulary, plan: &Plan) -> Vec<Vec<u8>> {
    let mut out = Vec::with_capacity(plan.requests as usize);
    let base = (plan.seed % 10_000) * 100_000_000;
    for (i, c) in ClaimGenerator::new(f, plan.seed)
        .take(plan.requests as usize)
        .enumerate()
    {
        let v = serde_json::to_value(&c).unwrap_or_default();
        let get = |k: &str| v.get(k).cloned();
        let req = ClaimRequest {
            member_id: format!("LG{:06}", 1 + (i as u64 % u64::from(plan.members.max(1)))),
            date: get("date")
                .and_then(|d| d.as_str().map(String::from))
                .unwrap_or_default(),
            rx_number: Some(format!("{}", base + i as u64)),
            fill_number: 0,
            ndc: get("ndc").and_then(|d| d.as_str().map(String::from)),
            rxcui: get("rxcui")
                .and_then(|d| d.as_u64())
                .and_then(|r| u32::try_from(r).ok()),
            quantity: get("quantity").and_then(|q| q.as_f64()).unwrap_or(30.0),
            days_supply: get("days_supply")
                .and_then(|q| q.as_u64())
                .and_then(|d| u32::try_from(d).ok())
                .unwrap_or(30),
            daw: 0,
            diagnoses: get("diagnoses")
                .and_then(|d| serde_json::from_value(d).ok())
                .unwrap_or_default(),
            pharmacy_kind: None,
            ingredient_cost: get("ingredient_cost").and_then(|q| q.as_f64()),
            dispensing_fee: get("dispensing_fee").and_then(|q| q.as_f64()),
        };
        out.push(serde_json::to_vec(&req).unwrap_or_default());
    }
    out
}

/// Runs the plan and reports.
pub async fn run(plan: Plan, bodies: Vec<Vec<u8>>) -> Report {
    let bodies: Arc<Vec<Bytes>> = Arc::new(bodies.into_iter().map(Bytes::from).collect());
    let next = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs(plan.seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..plan.concurrency.max(1) {
        tasks.push(tokio::spawn(worker(
            plan.clone(),
            bodies.clone(),
            next.clone(),
            deadline,
        )));
    }
    let mut report = Report::default();
    let mut latencies = Vec::new();
    for t in tasks {
        if let Ok(part) = t.await {
            report.answered += part.report.answered;
            report.paid += part.report.paid;
            report.rejected += part.report.rejected;
            report.duplicate += part.report.duplicate;
            report.http_errors += part.report.http_errors;
            report.failed += part.report.failed;
            report.acked.extend(part.report.acked);
            latencies.extend(part.latencies);
        }
    }
    report.seconds = started.elapsed().as_secs_f64();
    report.per_second = report.answered as f64 / report.seconds.max(1e-9);
    latencies.sort_unstable();
    let pct = |p: f64| -> f64 {
        if latencies.is_empty() {
            return 0.0;
        }
        let i = ((latencies.len() as f64 - 1.0) * p).round() as usize;
        latencies[i.min(latencies.len() - 1)] as f64 / 1000.0
    };
    report.p50_ms = pct(0.50);
    report.p99_ms = pct(0.99);
    report.max_ms = pct(1.0);
    report
}

struct Part {
    report: Report,
    latencies: Vec<u64>,
}

type Sender = hyper::client::conn::http1::SendRequest<Full<Bytes>>;

async fn connect(addr: SocketAddr) -> Option<Sender> {
    let stream = tokio::net::TcpStream::connect(addr).await.ok()?;
    let _ = stream.set_nodelay(true);
    let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .ok()?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    Some(sender)
}

async fn worker(
    plan: Plan,
    bodies: Arc<Vec<Bytes>>,
    next: Arc<AtomicU64>,
    deadline: Instant,
) -> Part {
    let mut part = Part {
        report: Report::default(),
        latencies: Vec::new(),
    };
    let path = if plan.submit {
        "/v1/claims"
    } else {
        "/v1/claims/check"
    };
    let auth = format!("Bearer {}", plan.key);
    let mut sender: Option<Sender> = None;
    loop {
        let i = next.fetch_add(1, Ordering::Relaxed);
        let Some(body) = bodies.get(i as usize) else {
            break;
        };
        if Instant::now() >= deadline {
            break;
        }
        if sender.as_ref().is_none_or(|s| s.is_closed()) {
            sender = connect(plan.addr).await;
        }
        let Some(s) = sender.as_mut() else {
            part.report.failed += 1;
            tokio::time::sleep(Duration::from_millis(20)).await;
            continue;
        };
        let req = hyper::Request::post(path)
            .header(hyper::header::HOST, plan.addr.to_string())
            .header(hyper::header::AUTHORIZATION, &auth)
            .header(hyper::header::CONTENT_TYPE, "application/json")
            .body(Full::new(body.clone()));
        let Ok(req) = req else {
            part.report.failed += 1;
            continue;
        };
        let t = Instant::now();
        let answer = match s.send_request(req).await {
            Ok(resp) => {
                let status = resp.status();
                match resp.into_body().collect().await {
                    Ok(b) => Some((status, b.to_bytes())),
                    Err(_) => None,
                }
            }
            Err(_) => None,
        };
        let Some((status, bytes)) = answer else {
            part.report.failed += 1;
            sender = None;
            continue;
        };
        part.latencies.push(t.elapsed().as_micros() as u64);
        part.report.answered += 1;
        if !status.is_success() {
            part.report.http_errors += 1;
            continue;
        }
        tally(&mut part.report, plan.submit, body, &bytes);
    }
    part
}

/// Counts one answer; a paid submission is remembered as acknowledged.
fn tally(report: &mut Report, submit: bool, body: &[u8], answer: &[u8]) {
    let v: serde_json::Value = serde_json::from_slice(answer).unwrap_or_default();
    match v.get("status").and_then(|s| s.as_str()) {
        Some("paid") => {
            report.paid += 1;
            if submit {
                if let Ok(req) = serde_json::from_slice::<ClaimRequest>(body) {
                    report.acked.push(Acked {
                        rx_number: req.rx_number.unwrap_or_default(),
                        fill_number: req.fill_number,
                        date: req.date,
                    });
                }
            }
        }
        Some("rejected") => report.rejected += 1,
        Some("duplicate") => report.duplicate += 1,
        _ => report.http_errors += 1,
    }
}

/// What [`verify`] found.
#[derive(Debug, Default, Serialize)]
pub struct Verified {
    /// Claims acknowledged as paid.
    pub acknowledged: usize,
    /// Present exactly once, readable.
    pub once: usize,
    /// Not in the store.
    pub missing: usize,
    /// Present more than once.
    pub twice: usize,
    /// Present but not readable.
    pub broken: usize,
}

impl Verified {
    /// True when every acknowledged claim is there exactly once and readable.
    pub fn ok(&self) -> bool {
        self.once == self.acknowledged
    }
}

/// Checks the store (not the service) for each acknowledged claim.
pub fn verify(database: &str, pharmacy: &str, acked: &[Acked]) -> Result<Verified, StoreError> {
    let mut db = store::open(database)?;
    let mut v = Verified {
        acknowledged: acked.len(),
        ..Verified::default()
    };
    for a in acked {
        let date = store::parse_stored_date("acknowledged", "date", &a.date)?;
        let key = ClaimKey {
            pharmacy: pharmacy.to_string(),
            rx_number: a.rx_number.clone(),
            fill_number: a.fill_number,
            date,
        };
        let c = db.count_key(&key)?;
        match (c.paid, c.broken) {
            (0, _) => v.missing += 1,
            (_, b) if b > 0 => v.broken += 1,
            (1, _) => v.once += 1,
            _ => v.twice += 1,
        }
    }
    Ok(v)
}
