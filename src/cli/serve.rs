//! `formulary serve FORMULARY`: the adjudication service, and `formulary
//! loadgen`, which drives one.

use super::{SourceArgs, EXIT_ERROR, EXIT_OK};
use crate::compile::{self, RefKind};
use crate::service::{self, auth::Keys, members, Config, Loader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// Arguments of `serve`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The formulary's main file (read again on reload).
    formulary: PathBuf,
    /// Folder for the SQLite store and the generated API keys.
    #[arg(long, default_value = "formulary-data")]
    data: PathBuf,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// `postgres://…` to share a PostgreSQL store between instances
    /// (default: SQLite in `--data`).
    #[arg(long, value_name = "URL")]
    database: Option<String>,
    /// Members to load (CSV; see docs/service.md).
    #[arg(long, value_name = "FILE.csv")]
    members: Option<PathBuf>,
    /// API keys, one `KEY PHARMACY_ID [admin]` a line (default: DATA/api-keys,
    /// generated on first start).
    #[arg(long, value_name = "FILE")]
    api_keys: Option<PathBuf>,
    /// Also take NCPDP D.0 transmissions over TCP here (STX/ETX frames; the
    /// first line of a connection is the pharmacy's API key).
    #[arg(long, value_name = "ADDR")]
    ncpdp_listen: Option<SocketAddr>,
    /// Largest request body, in bytes.
    #[arg(long, default_value_t = 64 * 1024)]
    body_limit: usize,
    /// Longest time to answer a request, in milliseconds.
    #[arg(long, default_value_t = 10_000)]
    timeout_ms: u64,
    /// A NADAC-layout price list for costs (repeatable).
    #[arg(long, value_name = "FILE.csv")]
    prices: Vec<PathBuf>,
    #[command(flatten)]
    src: SourceArgs,
}

pub(super) fn run(a: Args) -> i32 {
    match start(a) {
        Ok(()) => EXIT_OK,
        Err(e) => {
            eprintln!("error: {e}");
            EXIT_ERROR
        }
    }
}

fn start(a: Args) -> Result<(), String> {
    init_logs();
    std::fs::create_dir_all(&a.data)
        .map_err(|e| format!("cannot create {}: {e}", a.data.display()))?;
    // One process owns a SQLite store (it caches members in memory).
    let lock_path = a.data.join("lock");
    let lock = std::fs::File::create(&lock_path)
        .map_err(|e| format!("cannot create {}: {e}", lock_path.display()))?;
    if a.database.is_none() && lock.try_lock().is_err() {
        return Err(format!(
            "another service is using {}; give each its own --data, or share a PostgreSQL --database",
            a.data.display()
        ));
    }
    let database = match a.database {
        Some(url) => url,
        None => format!("sqlite:{}", a.data.join("claims.sqlite").display()),
    };
    let keys = read_keys(a.api_keys.as_deref(), &a.data)?;
    let members = match &a.members {
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .map_err(|e| format!("cannot read {}: {e}", p.display()))?;
            members::parse(&p.display().to_string(), &text).map_err(|e| e.to_string())?
        }
        None => Vec::new(),
    };
    let config = Config {
        listen: a.listen,
        database,
        members,
        keys,
        loader: loader(a.formulary, a.src, a.prices),
        body_limit: a.body_limit,
        timeout: Duration::from_millis(a.timeout_ms),
        ncpdp_listen: a.ncpdp_listen,
    };
    let result = service::run(config).map_err(|e| e.to_string());
    drop(lock);
    result
}

fn init_logs() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("FORMULARY_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .json()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

fn read_keys(path: Option<&Path>, data: &Path) -> Result<Keys, String> {
    let path = match path {
        Some(p) => p.to_path_buf(),
        None => {
            let p = data.join("api-keys");
            if !p.exists() {
                let mut random = [0u8; 32];
                std::fs::File::open("/dev/urandom")
                    .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut random))
                    .map_err(|e| format!("cannot read random bytes for API keys: {e}"))?;
                write_private(&p, &Keys::generate(&random))
                    .map_err(|e| format!("cannot write {}: {e}", p.display()))?;
                eprintln!("API keys written to {}", p.display());
            }
            p
        }
    };
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    Keys::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
}

fn write_private(p: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(p)?;
    f.write_all(text.as_bytes())
}

fn loader(path: PathBuf, src: SourceArgs, prices: Vec<PathBuf>) -> Loader {
    Arc::new(move || {
        let extra = prices
            .iter()
            .map(|p| (RefKind::Prices, p.clone()))
            .collect();
        let opts = src.options(true, extra);
        let parsed = compile::load(&path, &mut crate::io::FsReader, &opts).map_err(|e| {
            service::LoadFailure {
                message: format!("cannot read {e}"),
                diagnostics: serde_json::Value::Array(Vec::new()),
                rendered: format!("error: cannot read {e}\n"),
            }
        })?;
        let c = compile::compile(parsed);
        match c.formulary {
            Some(f) if !c.has_errors() => Ok(f),
            _ => {
                let errors = c.diags.iter().filter(|d| d.is_error()).count();
                Err(service::LoadFailure {
                    message: format!("{} does not compile: {errors} error(s)", path.display()),
                    diagnostics: serde_json::to_value(crate::diagnostics::render_json(
                        &c.diags, &c.sources,
                    ))
                    .unwrap_or_default(),
                    rendered: crate::diagnostics::render_human(&c.diags, &c.sources, false, 100),
                })
            }
        }
    })
}
