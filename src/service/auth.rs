//! API keys: each pharmacy has its own key, sent as `Authorization: Bearer
//! KEY`; the pharmacy a claim comes from is the key's, never the body's. An
//! admin key may also reload the formulary.
//!
//! The keys file has one key per line: `KEY PHARMACY_ID [admin]`; `#` starts
//! a comment. Keys are kept only as SHA-256 digests.

use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// Who a key belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// Service provider (pharmacy) id, NCPDP 201-B1.
    pub pharmacy: String,
    /// May reload the formulary.
    pub admin: bool,
}

/// The keys.
#[derive(Debug, Default)]
pub struct Keys {
    by_digest: HashMap<[u8; 32], Caller>,
}

/// A keys file that cannot be read.
#[derive(Debug, thiserror::Error)]
#[error("API keys line {line}: {message}")]
pub struct KeysError {
    /// One-based line.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

fn digest(key: &str) -> [u8; 32] {
    Sha256::digest(key.as_bytes()).into()
}

impl Keys {
    /// Reads a keys file.
    pub fn parse(text: &str) -> Result<Keys, KeysError> {
        let mut keys = Keys::default();
        for (i, raw) in text.lines().enumerate() {
            let line = raw.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let err = |message: &str| KeysError {
                line: i + 1,
                message: message.to_string(),
            };
            let parts: Vec<&str> = line.split_whitespace().collect();
            let (key, pharmacy, admin) = match parts.as_slice() {
                [k, p] => (*k, *p, false),
                [k, p, "admin"] => (*k, *p, true),
                _ => return Err(err("expected `KEY PHARMACY_ID [admin]`")),
            };
            if key.len() < 16 {
                return Err(err("a key must be at least 16 characters"));
            }
            let caller = Caller {
                pharmacy: pharmacy.to_string(),
                admin,
            };
            if keys.by_digest.insert(digest(key), caller).is_some() {
                return Err(err("this key appears twice"));
            }
        }
        if keys.by_digest.is_empty() {
            return Err(KeysError {
                line: 0,
                message: "no keys".into(),
            });
        }
        Ok(keys)
    }

    /// The caller for an `Authorization` header value.
    pub fn caller(&self, header: Option<&str>) -> Option<&Caller> {
        let key = header?.strip_prefix("Bearer ")?.trim();
        self.by_digest.get(&digest(key))
    }

    /// A new keys file: an admin key and one pharmacy key, from `random` bytes.
    pub fn generate(random: &[u8; 32]) -> String {
        let hex: String = random.iter().map(|b| format!("{b:02x}")).collect();
        format!(
            "# API keys: KEY PHARMACY_ID [admin]. Generated on first start; edit freely.\n\
             {} ADMIN admin\n{} 1234567890\n",
            &hex[..32],
            &hex[32..]
        )
    }
}
