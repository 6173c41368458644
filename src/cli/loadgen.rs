//! `formulary loadgen`: generated members for a service, load against it on
//! loopback, and a check of its store after a crash.

use super::{load_formulary, EXIT_ERROR, EXIT_OK};
use crate::service::loadgen::{self, Acked, Plan};
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;

/// Arguments of `loadgen`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// What to do.
    #[command(subcommand)]
    what: What,
}

/// Loadgen subcommands.
#[derive(Debug, clap::Subcommand)]
enum What {
    /// Print a members file of generated members (LG000001…).
    Members {
        /// How many.
        #[arg(long, default_value_t = 1000)]
        count: u32,
    },
    /// Send generated claims to a running service and report throughput and latency.
    Run {
        /// The formulary the claims are generated for.
        formulary: PathBuf,
        #[command(flatten)]
        src: super::SourceArgs,
        /// The service (a loopback address).
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
        /// A pharmacy's API key.
        #[arg(long)]
        key: String,
        /// Check only instead of recording.
        #[arg(long)]
        check: bool,
        /// Members LG000001… to spread the claims over.
        #[arg(long, default_value_t = 1000)]
        members: u32,
        /// Claims at most.
        #[arg(long, default_value_t = 100_000)]
        requests: u64,
        /// Seconds at most.
        #[arg(long, default_value_t = 30)]
        seconds: u64,
        /// Connections, each with one claim in flight.
        #[arg(long, default_value_t = 64)]
        concurrency: usize,
        /// Seed; also makes the Rx numbers of a run unique.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Write the claims acknowledged as paid here (JSON lines).
        #[arg(long, value_name = "FILE")]
        acked: Option<PathBuf>,
    },
    /// Check that every claim acknowledged as paid is in the store exactly once.
    Verify {
        /// The store: `sqlite:PATH` or `postgres://…`.
        #[arg(long)]
        database: String,
        /// The pharmacy of the key the claims were sent with.
        #[arg(long)]
        pharmacy: String,
        /// The acknowledged claims written by `run --acked`.
        #[arg(long, value_name = "FILE")]
        acked: PathBuf,
    },
}

pub(super) fn run(a: Args) -> i32 {
    match a.what {
        What::Members { count } => {
            print!("{}", loadgen::members_csv(count));
            EXIT_OK
        }
        What::Run {
            formulary,
            src,
            addr,
            key,
            check,
            members,
            requests,
            seconds,
            concurrency,
            seed,
            acked,
        } => {
            if !addr.ip().is_loopback() {
                eprintln!("error: the load generator only drives a service on loopback");
                return EXIT_ERROR;
            }
            let f = match load_formulary(&formulary, &src, &[], &[]) {
                Ok(f) => f,
                Err(code) => return code,
            };
            let plan = Plan {
                addr,
                key,
                submit: !check,
                members,
                requests,
                seconds,
                concurrency,
                seed,
            };
            let bodies = loadgen::claims(&f, &plan);
            let runtime = match tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
            {
                Ok(r) => r,
                Err(e) => {
                    eprintln!("error: {e}");
                    return EXIT_ERROR;
                }
            };
            let report = runtime.block_on(loadgen::run(plan, bodies));
            if let Some(p) = acked {
                let mut text = String::new();
                for a in &report.acked {
                    text.push_str(&serde_json::to_string(a).unwrap_or_default());
                    text.push('\n');
                }
                if let Err(e) = std::fs::write(&p, text) {
                    eprintln!("error: cannot write {}: {e}", p.display());
                    return EXIT_ERROR;
                }
            }
            println!("{}", serde_json::to_string(&report).unwrap_or_default());
            EXIT_OK
        }
        What::Verify {
            database,
            pharmacy,
            acked,
        } => verify(&database, &pharmacy, &acked),
    }
}

fn verify(database: &str, pharmacy: &str, path: &std::path::Path) -> i32 {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", path.display());
            return EXIT_ERROR;
        }
    };
    let mut acked = Vec::new();
    for (i, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        match serde_json::from_str::<Acked>(line) {
            Ok(a) => acked.push(a),
            Err(e) => {
                eprintln!("error: {}:{}: {e}", path.display(), i + 1);
                return EXIT_ERROR;
            }
        }
    }
    match loadgen::verify(database, pharmacy, &acked) {
        Ok(v) => {
            let _ = writeln!(
                std::io::stdout(),
                "{}",
                serde_json::to_string(&v).unwrap_or_default()
            );
            if v.ok() {
                EXIT_OK
            } else {
                super::EXIT_REJECTED
            }
        }
        Err(e) => {
            eprintln!("error: {e}");
            EXIT_ERROR
        }
    }
}
