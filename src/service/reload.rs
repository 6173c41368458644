//! Formulary versions: reload on an admin request or SIGHUP. A version that
//! does not compile never replaces the one serving; the answer carries its
//! diagnostics. Each version that serves is recorded in the store.

use super::store::writer::Op;
use super::store::VersionRow;
use super::{now, Loaded, State};
use crate::Formulary;
use serde::Serialize;
use std::sync::{Arc, Weak};
use tokio::sync::oneshot;

/// The store's record of a version.
pub fn version_row(f: &Formulary, at: &str) -> VersionRow {
    VersionRow {
        id: f.id.clone(),
        version: f.version.clone(),
        hash: f.hash.clone(),
        first_loaded: at.to_string(),
    }
}

/// The formulary serving, as the API shows it.
#[derive(Debug, Clone, Serialize)]
pub struct Serving {
    /// Id.
    pub id: String,
    /// Version.
    pub version: String,
    /// Source hash.
    pub hash: String,
    /// When loaded.
    pub loaded_at: String,
}

impl Serving {
    /// What serves.
    pub fn of(l: &Loaded) -> Serving {
        Serving {
            id: l.formulary.id.clone(),
            version: l.formulary.version.clone(),
            hash: l.formulary.hash.clone(),
            loaded_at: l.loaded_at.clone(),
        }
    }
}

/// The answer to a reload.
#[derive(Debug, Serialize)]
pub struct ReloadAnswer {
    /// `reloaded`, `unchanged` or `failed`.
    pub status: &'static str,
    /// What serves after the reload.
    pub serving: Serving,
    /// Why the new version was refused (when failed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Its diagnostics (when failed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diagnostics: Option<serde_json::Value>,
}

/// Loads the formulary again and swaps it in if it compiles.
pub async fn reload(state: &Arc<State>) -> ReloadAnswer {
    let loader = state.loader.clone();
    let loaded = tokio::task::spawn_blocking(move || loader())
        .await
        .unwrap_or_else(|e| {
            Err(super::LoadFailure {
                message: format!("loading stopped: {e}"),
                diagnostics: serde_json::Value::Array(Vec::new()),
                rendered: String::new(),
            })
        });
    match loaded {
        Ok(f) => {
            let unchanged = state.formulary().formulary.hash == f.hash;
            let at = now();
            let (tx, rx) = oneshot::channel();
            let row = version_row(&f, &at);
            let recorded = match state.ops.send(Op::Version { row, reply: tx }).await {
                Ok(()) => rx.await.ok().and_then(Result::ok).is_some(),
                Err(_) => false,
            };
            if !recorded {
                state
                    .metrics
                    .reloads
                    .get_or_create(&super::metrics::ReloadLabel { result: "failed" })
                    .inc();
                return ReloadAnswer {
                    status: "failed",
                    serving: Serving::of(&state.formulary()),
                    message: Some("the store could not record the new version".into()),
                    diagnostics: None,
                };
            }
            if !unchanged {
                let new = Arc::new(Loaded {
                    formulary: f,
                    loaded_at: at,
                });
                match state.formulary.write() {
                    Ok(mut g) => *g = new,
                    Err(poisoned) => *poisoned.into_inner() = new,
                }
            }
            state
                .metrics
                .reloads
                .get_or_create(&super::metrics::ReloadLabel { result: "ok" })
                .inc();
            let serving = Serving::of(&state.formulary());
            tracing::info!(version = %serving.version, hash = %serving.hash, unchanged, "formulary reloaded");
            ReloadAnswer {
                status: if unchanged { "unchanged" } else { "reloaded" },
                serving,
                message: None,
                diagnostics: None,
            }
        }
        Err(e) => {
            state
                .metrics
                .reloads
                .get_or_create(&super::metrics::ReloadLabel { result: "failed" })
                .inc();
            tracing::warn!(reason = %e.message, "formulary reload refused; the previous version keeps serving");
            ReloadAnswer {
                status: "failed",
                serving: Serving::of(&state.formulary()),
                message: Some(e.message),
                diagnostics: Some(e.diagnostics),
            }
        }
    }
}

/// Reloads on every SIGHUP while the service runs.
pub async fn on_sighup(state: Weak<State>) {
    let Ok(mut hup) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()) else {
        tracing::warn!("cannot listen for SIGHUP; reload through the API only");
        return;
    };
    while hup.recv().await.is_some() {
        let Some(state) = state.upgrade() else {
            return;
        };
        reload(&state).await;
    }
}
