//! The HTTP surface: the JSON API described by `/openapi.json`, health,
//! readiness and metrics. Bodies are read as bytes and parsed strictly so
//! that every error names its field.

use super::adjudicate::{self, AnswerStatus, ClaimRequest, RequestError};
use super::auth::Caller;
use super::reload::{self, Serving};
use super::store::writer::{Op, Submitted};
use super::store::{ClaimKey, MemberState, StoreError, StoredPa};
use super::State;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Query, State as Ext};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::oneshot;

/// The OpenAPI 3 document of this API.
pub const OPENAPI: &str = include_str!("openapi.json");

type Shared = Arc<State>;

/// Every route, with the body limit and the timeout.
pub fn router(state: Shared, body_limit: usize, timeout: Duration) -> Router {
    Router::new()
        .route("/health", get(|| async { "ok\n" }))
        .route("/ready", get(ready))
        .route("/metrics", get(metrics))
        .route("/openapi.json", get(openapi))
        .route("/v1/claims/check", post(check_claim))
        .route("/v1/claims", post(submit_claim))
        .route("/v1/claims/reverse", post(reverse_claim))
        .route("/v1/members/{id}", get(member))
        .route(
            "/v1/members/{id}/prior-authorizations",
            get(list_pas).post(enter_pa),
        )
        .route("/v1/formulary", get(formulary))
        .route("/v1/admin/reload", post(admin_reload))
        .route("/ncpdp", post(ncpdp))
        .fallback(|| async { error(StatusCode::NOT_FOUND, None, "no such endpoint") })
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            timeout,
        ))
        .with_state(state)
}

/// A JSON error: `{"error": {"field": …, "message": …}}`.
fn error(status: StatusCode, field: Option<&str>, message: &str) -> Response {
    let body = match field {
        Some(f) => json!({ "error": { "field": f, "message": message } }),
        None => json!({ "error": { "message": message } }),
    };
    (status, Json(body)).into_response()
}

fn invalid(e: &RequestError) -> Response {
    error(StatusCode::BAD_REQUEST, Some(&e.path), &e.message)
}

fn unavailable(e: &StoreError) -> Response {
    tracing::error!(error = %e, "store");
    error(
        StatusCode::SERVICE_UNAVAILABLE,
        None,
        "the claims store is unavailable; resubmit",
    )
}

fn auth(state: &State, headers: &HeaderMap) -> Option<Caller> {
    let value = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    state.keys.caller(value).cloned()
}

fn unauthorized() -> Response {
    let mut r = error(
        StatusCode::UNAUTHORIZED,
        None,
        "send a pharmacy's API key as `Authorization: Bearer KEY`",
    );
    r.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        header::HeaderValue::from_static("Bearer"),
    );
    r
}

async fn ask<T>(
    state: &State,
    op: impl FnOnce(oneshot::Sender<Result<T, StoreError>>) -> Op,
) -> Result<T, StoreError> {
    let (tx, rx) = oneshot::channel();
    state
        .ops
        .send(op(tx))
        .await
        .map_err(|_| StoreError::Closed)?;
    rx.await.map_err(|_| StoreError::Closed)?
}

async fn ready(Ext(state): Ext<Shared>) -> Response {
    if state.ready.load(Ordering::SeqCst) && !state.ops.is_closed() {
        (StatusCode::OK, "ready\n").into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "not ready\n").into_response()
    }
}

async fn metrics(Ext(state): Ext<Shared>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        state.metrics.render(),
    )
        .into_response()
}

async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI).into_response()
}

/// Query of `check`.
#[derive(Debug, Deserialize)]
struct CheckQuery {
    /// Include the full decision with its trace.
    #[serde(default)]
    trace: bool,
}

/// The member as adjudication sees it (the cache, or the store).
pub(super) async fn member_state(
    state: &State,
    id: &str,
) -> Result<Option<Arc<MemberState>>, StoreError> {
    match &state.cache {
        Some(c) => Ok(c
            .read()
            .map_err(|_| StoreError::Database("member cache poisoned".into()))?
            .get(id)
            .cloned()),
        None => Ok(ask(state, |reply| Op::Member {
            id: id.to_string(),
            reply,
        })
        .await?
        .map(Arc::new)),
    }
}

async fn check_claim(
    Ext(state): Ext<Shared>,
    Query(q): Query<CheckQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let started = Instant::now();
    if auth(&state, &headers).is_none() {
        return unauthorized();
    }
    let req = match ClaimRequest::from_json(&body) {
        Ok(r) => r,
        Err(e) => {
            state.metrics.claim("check", "invalid", started);
            return invalid(&e);
        }
    };
    let date = match req.date() {
        Ok(d) => d,
        Err(e) => return invalid(&e),
    };
    let m = match member_state(&state, &req.member_id).await {
        Ok(m) => m,
        Err(e) => {
            state.metrics.claim("check", "error", started);
            return unavailable(&e);
        }
    };
    if let Some(a) = adjudicate::eligibility(m.as_deref(), &req.member_id, date) {
        state.metrics.claim("check", "rejected", started);
        return Json(a).into_response();
    }
    let Some(m) = m else {
        return error(StatusCode::BAD_REQUEST, Some("member_id"), "is not on file");
    };
    let rx = match req.to_prescription(&m) {
        Ok(rx) => rx,
        Err(e) => {
            state.metrics.claim("check", "invalid", started);
            return invalid(&e);
        }
    };
    let loaded = state.formulary();
    let d = crate::check::check(&loaded.formulary, &rx);
    let a = adjudicate::answer(&req.member_id, &d);
    let outcome = if d.is_paid() { "paid" } else { "rejected" };
    let body = if q.trace {
        let mut v = serde_json::to_value(&a).unwrap_or_default();
        if let Some(o) = v.as_object_mut() {
            o.insert(
                "decision".into(),
                serde_json::to_value(&d).unwrap_or_default(),
            );
        }
        v
    } else {
        serde_json::to_value(&a).unwrap_or_default()
    };
    state.metrics.claim("check", outcome, started);
    Json(body).into_response()
}

async fn submit_claim(Ext(state): Ext<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let started = Instant::now();
    let Some(caller) = auth(&state, &headers) else {
        return unauthorized();
    };
    let req = match ClaimRequest::from_json(&body) {
        Ok(r) => r,
        Err(e) => {
            state.metrics.claim("submit", "invalid", started);
            return invalid(&e);
        }
    };
    let key = match req.key(&caller.pharmacy) {
        Ok(k) => k,
        Err(e) => {
            state.metrics.claim("submit", "invalid", started);
            return invalid(&e);
        }
    };
    let formulary = state.formulary();
    let member = req.member_id.clone();
    let result = ask(&state, |reply| Op::Submit {
        req,
        key,
        formulary,
        received_at: super::now(),
        reply,
    })
    .await;
    match result {
        Ok(Submitted::Answer(a)) => {
            let outcome = match a.status {
                AnswerStatus::Paid => "paid",
                AnswerStatus::Rejected => "rejected",
                AnswerStatus::Duplicate => "duplicate",
            };
            tracing::debug!(claim = a.claim_id, member = %member, outcome, "claim");
            state.metrics.claim("submit", outcome, started);
            Json(a).into_response()
        }
        Ok(Submitted::Invalid(e)) => {
            state.metrics.claim("submit", "invalid", started);
            invalid(&e)
        }
        Err(e) => {
            state.metrics.claim("submit", "error", started);
            unavailable(&e)
        }
    }
}

/// The body of a reversal: which fill, from the caller's pharmacy.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ReverseRequest {
    rx_number: String,
    #[serde(default)]
    fill_number: u32,
    date: String,
}

fn parse_body<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, RequestError> {
    let mut de = serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(&mut de).map_err(|e| RequestError {
        path: e.path().to_string(),
        message: e.into_inner().to_string(),
    })
}

async fn reverse_claim(Ext(state): Ext<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let started = Instant::now();
    let Some(caller) = auth(&state, &headers) else {
        return unauthorized();
    };
    let r: ReverseRequest = match parse_body(&body) {
        Ok(r) => r,
        Err(e) => return invalid(&e),
    };
    let Some(date) = crate::codes::parse_date(&r.date) else {
        return error(StatusCode::BAD_REQUEST, Some("date"), "expected YYYY-MM-DD");
    };
    let key = ClaimKey {
        pharmacy: caller.pharmacy,
        rx_number: r.rx_number,
        fill_number: r.fill_number,
        date,
    };
    match ask(&state, |reply| Op::Reverse {
        key,
        at: super::now(),
        reply,
    })
    .await
    {
        Ok(Some(c)) => {
            tracing::debug!(claim = c.id, member = %c.member_id, "reversed");
            state.metrics.claim("reverse", "reversed", started);
            Json(json!({ "status": "reversed", "claim_id": c.id, "member_id": c.member_id }))
                .into_response()
        }
        Ok(None) => {
            state.metrics.claim("reverse", "not_found", started);
            (
                StatusCode::NOT_FOUND,
                Json(json!({ "status": "rejected", "rejects": [{ "code": "87",
                    "message": "no paid claim from this pharmacy with that Rx number, fill number and date" }] })),
            )
                .into_response()
        }
        Err(e) => {
            state.metrics.claim("reverse", "error", started);
            unavailable(&e)
        }
    }
}

/// A member as the API shows them.
#[derive(Serialize)]
struct MemberView<'a> {
    member: &'a super::store::Member,
    history: &'a [super::store::StoredFill],
    prior_authorizations: &'a [StoredPa],
    claims: Vec<super::store::StoredClaim>,
}

async fn member(Ext(state): Ext<Shared>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    if auth(&state, &headers).is_none() {
        return unauthorized();
    }
    let m = match member_state(&state, &id).await {
        Ok(Some(m)) => m,
        Ok(None) => return error(StatusCode::NOT_FOUND, Some("id"), "no member with this id"),
        Err(e) => return unavailable(&e),
    };
    let claims = match ask(&state, |reply| Op::Claims {
        id: id.clone(),
        limit: 100,
        reply,
    })
    .await
    {
        Ok(c) => c,
        Err(e) => return unavailable(&e),
    };
    Json(MemberView {
        member: &m.member,
        history: &m.fills,
        prior_authorizations: &m.pas,
        claims,
    })
    .into_response()
}

async fn list_pas(Ext(state): Ext<Shared>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    if auth(&state, &headers).is_none() {
        return unauthorized();
    }
    match member_state(&state, &id).await {
        Ok(Some(m)) => Json(json!({ "prior_authorizations": m.pas })).into_response(),
        Ok(None) => error(StatusCode::NOT_FOUND, Some("id"), "no member with this id"),
        Err(e) => unavailable(&e),
    }
}

/// A PA to enter.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PaRequest {
    number: String,
    #[serde(default)]
    ndc: Option<String>,
    #[serde(default)]
    rxcui: Option<u32>,
    #[serde(default)]
    rule: Option<String>,
    from: String,
    to: String,
    #[serde(default)]
    status: Option<String>,
}

fn to_pa(p: PaRequest) -> Result<StoredPa, RequestError> {
    let bad = |path: &str, message: &str| RequestError {
        path: path.into(),
        message: message.into(),
    };
    if p.number.is_empty() || p.number.len() > 20 {
        return Err(bad("number", "must be 1 to 20 characters"));
    }
    let ndc = p
        .ndc
        .as_deref()
        .map(|s| crate::codes::Ndc::parse(s).map_err(|e| bad("ndc", &e)))
        .transpose()?;
    if ndc.is_none() && p.rxcui.is_none() && p.rule.is_none() {
        return Err(bad(
            ".",
            "give the drug (ndc or rxcui) or the rule it covers",
        ));
    }
    let date =
        |f: &str, s: &str| crate::codes::parse_date(s).ok_or_else(|| bad(f, "expected YYYY-MM-DD"));
    let (from, to) = (date("from", &p.from)?, date("to", &p.to)?);
    if from > to {
        return Err(bad("to", "is before `from`"));
    }
    let approved = match p.status.as_deref() {
        None | Some("approved") => true,
        Some("denied") => false,
        Some(_) => return Err(bad("status", "expected approved or denied")),
    };
    Ok(StoredPa {
        number: p.number,
        ndc,
        rxcui: p.rxcui,
        rule: p.rule,
        from,
        to,
        approved,
    })
}

async fn enter_pa(
    Ext(state): Ext<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    if auth(&state, &headers).is_none() {
        return unauthorized();
    }
    let pa = match parse_body::<PaRequest>(&body).and_then(to_pa) {
        Ok(p) => p,
        Err(e) => return invalid(&e),
    };
    let shown = pa.clone();
    match ask(&state, |reply| Op::EnterPa {
        member: id,
        pa,
        at: super::now(),
        reply,
    })
    .await
    {
        Ok(Some(true)) => (
            StatusCode::CREATED,
            Json(json!({ "prior_authorization": shown })),
        )
            .into_response(),
        Ok(Some(false)) => error(
            StatusCode::CONFLICT,
            Some("number"),
            "this member already has a prior authorization with this number",
        ),
        Ok(None) => error(StatusCode::NOT_FOUND, Some("id"), "no member with this id"),
        Err(e) => unavailable(&e),
    }
}

async fn formulary(Ext(state): Ext<Shared>, headers: HeaderMap) -> Response {
    if auth(&state, &headers).is_none() {
        return unauthorized();
    }
    let serving = Serving::of(&state.formulary());
    let row = reload::version_row(&state.formulary().formulary, &serving.loaded_at);
    match ask(&state, |reply| Op::Version { row, reply }).await {
        Ok(v) => Json(json!({ "serving": serving, "versions": v })).into_response(),
        Err(e) => unavailable(&e),
    }
}

async fn admin_reload(Ext(state): Ext<Shared>, headers: HeaderMap) -> Response {
    match auth(&state, &headers) {
        Some(c) if c.admin => {}
        Some(_) => return error(StatusCode::FORBIDDEN, None, "reloading needs an admin key"),
        None => return unauthorized(),
    }
    let a = reload::reload(&state).await;
    let status = if a.status == "failed" {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    (status, Json(a)).into_response()
}

async fn ncpdp(Ext(state): Ext<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let Some(caller) = auth(&state, &headers) else {
        return unauthorized();
    };
    let started = Instant::now();
    let bytes = super::wire::answer(&state, &caller.pharmacy, &body).await;
    state.metrics.claim("ncpdp", "answered", started);
    ([(header::CONTENT_TYPE, "application/octet-stream")], bytes).into_response()
}
