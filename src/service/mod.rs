//! The adjudication service (`formulary serve`): pharmacies send claims over
//! a JSON API, the service answers from the member's history that it keeps
//! in its claims store, and records each decision with the formulary
//! version that made it.
//!
//! [`store`] holds the database and the one writer (group commit);
//! [`adjudicate`] turns a request into an answer; [`api`] is the HTTP
//! surface; [`reload`] swaps formulary versions; [`auth`], [`metrics`] and
//! [`members`] are what their names say; [`loadgen`] drives a running
//! service. Nothing in the core depends on this module.

pub mod adjudicate;
pub mod api;
pub mod auth;
pub mod loadgen;

pub mod members;
pub mod metrics;
pub mod reload;
pub mod store;
pub mod wire;

use crate::Formulary;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;
use store::writer::{Cache, Op, Writer};
use tokio::sync::mpsc;

/// A formulary version serving, with when it was loaded.
#[derive(Debug)]
pub struct Loaded {
    /// The compiled formulary.
    pub formulary: Formulary,
    /// When it was loaded (RFC 3339).
    pub loaded_at: String,
}

/// Why a formulary version could not be loaded.
#[derive(Debug, Clone)]
pub struct LoadFailure {
    /// A one-line summary.
    pub message: String,
    /// The diagnostics, as `formulary validate --format json` gives them.
    pub diagnostics: serde_json::Value,
    /// The diagnostics for people.
    pub rendered: String,
}

/// Loads the formulary from its source (the CLI passes one that reads files).
pub type Loader = Arc<dyn Fn() -> Result<Formulary, LoadFailure> + Send + Sync>;

/// How to run the service.
pub struct Config {
    /// Address to listen on.
    pub listen: SocketAddr,
    /// The store: `sqlite:PATH` or `postgres://…`.
    pub database: String,
    /// Members to load into the store at start.
    pub members: Vec<store::Member>,
    /// API keys.
    pub keys: auth::Keys,
    /// Reads the formulary, at start and on reload.
    pub loader: Loader,
    /// Largest request body in bytes.
    pub body_limit: usize,
    /// Longest time to answer a request.
    pub timeout: Duration,
    /// Address for NCPDP D.0 over TCP (STX/ETX frames), if any.
    pub ncpdp_listen: Option<SocketAddr>,
}

/// What a service failed on before it could serve.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The formulary does not compile.
    #[error("the formulary does not load: {0}")]
    Formulary(String),
    /// The store cannot be opened.
    #[error(transparent)]
    Store(#[from] store::StoreError),
    /// Binding or serving failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// Everything the handlers share.
pub struct State {
    formulary: RwLock<Arc<Loaded>>,
    loader: Loader,
    ops: mpsc::Sender<Op>,
    cache: Option<Cache>,
    keys: auth::Keys,
    metrics: Arc<metrics::Metrics>,
    ready: AtomicBool,
}

impl State {
    /// The formulary version serving now.
    pub fn formulary(&self) -> Arc<Loaded> {
        match self.formulary.read() {
            Ok(f) => f.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }
}

/// Now, for the store (RFC 3339, UTC, milliseconds).
pub fn now() -> String {
    chrono::DateTime::<chrono::Utc>::from(std::time::SystemTime::now())
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Runs the service until SIGTERM or Ctrl-C; in-flight claims finish first.
pub fn run(config: Config) -> Result<(), ServiceError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(serve(config))
}

async fn serve(config: Config) -> Result<(), ServiceError> {
    let first = (config.loader)().map_err(|e| ServiceError::Formulary(e.rendered))?;
    let shared = store::is_shared(&config.database);
    let version = reload::version_row(&first, &now());
    let (db, cache) = open_store(config.database.clone(), config.members, version).await?;
    let metrics = Arc::new(metrics::Metrics::new());
    let (tx, rx) = mpsc::channel(8 * store::writer::MAX_BATCH);
    let m = metrics.clone();
    let writer = Writer::new(db, cache.clone()).on_batch(move |n| m.batch.observe(n as f64));
    let writer = std::thread::Builder::new()
        .name("store-writer".into())
        .spawn(move || writer.run(rx))?;
    let state = Arc::new(State {
        formulary: RwLock::new(Arc::new(Loaded {
            formulary: first,
            loaded_at: now(),
        })),
        loader: config.loader,
        ops: tx,
        cache,
        keys: config.keys,
        metrics,
        ready: AtomicBool::new(true),
    });
    let listener = tokio::net::TcpListener::bind(config.listen).await?;
    let addr = listener.local_addr()?;
    let f = state.formulary();
    tracing::info!(
        %addr,
        formulary = %f.formulary.id,
        version = %f.formulary.version,
        store = if shared { "postgres" } else { "sqlite" },
        "serving"
    );
    let mut ready_line = format!("listening on http://{addr}");
    if let Some(at) = config.ncpdp_listen {
        let tcp = tokio::net::TcpListener::bind(at).await?;
        ready_line.push_str(&format!(" ncpdp {}", tcp.local_addr()?));
        tokio::spawn(wire::serve_tcp(Arc::downgrade(&state), tcp));
    }
    // Tests and scripts read the ports from this one line.
    println!("{ready_line}");
    tokio::spawn(reload::on_sighup(Arc::downgrade(&state)));
    let app = api::router(state.clone(), config.body_limit, config.timeout);
    let stopping = state.clone();
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            shutdown_signal().await;
            stopping.ready.store(false, Ordering::SeqCst);
            tracing::info!("shutting down: finishing in-flight requests");
        })
        .await?;
    // Dropping the last sender lets the writer commit what it has and stop.
    drop(state);
    if writer.join().is_err() {
        tracing::error!("the store writer panicked");
    }
    tracing::info!("stopped");
    Ok(())
}

/// Opens and migrates the store, loads the members and records the first
/// version; with SQLite also fills the member cache.
async fn open_store(
    url: String,
    members: Vec<store::Member>,
    version: store::VersionRow,
) -> Result<(Box<dyn store::Backend>, Option<Cache>), ServiceError> {
    let shared = store::is_shared(&url);
    // The PostgreSQL client blocks: every call runs off the async threads.
    let (db, warm) = tokio::task::spawn_blocking(move || -> Result<_, store::StoreError> {
        let mut db = store::open(&url)?;
        db.begin()?;
        for m in &members {
            db.upsert_member(m)?;
        }
        db.record_version(&version)?;
        db.commit()?;
        let warm = if shared { None } else { Some(db.load_all()?) };
        Ok((db, warm))
    })
    .await
    .map_err(|e| std::io::Error::other(e.to_string()))??;
    let cache = warm.map(|all| {
        let map = all
            .into_iter()
            .map(|m| (m.member.id.clone(), Arc::new(m)))
            .collect();
        Arc::new(RwLock::new(map))
    });
    Ok((db, cache))
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
