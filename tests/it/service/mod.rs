//! The adjudication service end to end: the real binary on a free loopback
//! port, real HTTP requests, the real store (SQLite in a temporary folder,
//! and PostgreSQL when `FORMULARY_TEST_POSTGRES` names a server).

use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

mod claims;
mod operations;
mod postgres;
mod wire;

const ADMIN: &str = "admin-key-for-tests-0001";
const PHARMACY: &str = "pharmacy-key-for-tests-0001";
const OTHER_PHARMACY: &str = "pharmacy-key-for-tests-0002";

/// A running service and the folder it was started in.
struct Service {
    child: Child,
    base: String,
    ncpdp: Option<String>,
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
        Service::start_with(dir, database, tmp, &[])
    }

    fn start_with(
        dir: &Path,
        database: Option<&str>,
        tmp: Option<tempfile::TempDir>,
        extra: &[&str],
    ) -> Service {
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
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        if let Some(url) = database {
            cmd.args(["--database", url]);
        }
        let mut child = cmd.spawn().unwrap();
        let stdout = child.stdout.take().unwrap();
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).unwrap();
        let mut words = line.split_whitespace();
        assert_eq!(
            words.next(),
            Some("listening"),
            "the service did not start: {line:?}"
        );
        let base = words.nth(1).unwrap_or_default().to_string();
        let ncpdp = match (words.next(), words.next()) {
            (Some("ncpdp"), Some(a)) => Some(a.to_string()),
            _ => None,
        };
        Service {
            child,
            base,
            ncpdp,
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
