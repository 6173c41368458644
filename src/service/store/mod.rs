//! The claims store: members, adjudicated claims (paid ones are the history),
//! prior authorizations on file and formulary versions, in SQLite (default)
//! or PostgreSQL behind one [`Backend`] trait.
//!
//! All writes go through one writer thread ([`writer`]) that batches many
//! operations into one transaction (group commit) and answers each only after
//! its batch has committed.

mod postgres;
mod rows;
mod sqlite;
pub mod writer;

pub use postgres::Postgres;
pub use sqlite::Sqlite;

use crate::ast::Sex;
use crate::check::{Fill, PaOnFile, PaStatus};
use crate::codes::{Money, Ndc};
use chrono::NaiveDate;
use serde::Serialize;

/// A store operation that failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database said no.
    #[error("database: {0}")]
    Database(String),
    /// A row that cannot be read back (a corrupt or foreign database).
    #[error("stored row {table}.{column}: {message}")]
    Corrupt {
        /// Table.
        table: &'static str,
        /// Column.
        column: &'static str,
        /// What is wrong.
        message: String,
    },
    /// The writer has stopped (shutdown).
    #[error("the store is shutting down")]
    Closed,
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Database(e.to_string())
    }
}

impl From<::postgres::Error> for StoreError {
    fn from(e: ::postgres::Error) -> Self {
        StoreError::Database(e.to_string())
    }
}

/// A member and their eligibility, as loaded from the members file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Member {
    /// Member (cardholder) id, NCPDP 302-C2.
    pub id: String,
    /// First name (never logged).
    pub first_name: String,
    /// Last name (never logged).
    pub last_name: String,
    /// Birth date.
    pub birth_date: NaiveDate,
    /// Sex; `None` when unknown.
    #[serde(serialize_with = "ser_sex")]
    pub sex: Option<Sex>,
    /// Benefit plan.
    pub plan: String,
    /// Group id, NCPDP 301-C1.
    pub group: String,
    /// First day of coverage.
    pub enrolled: NaiveDate,
    /// Last day of coverage, if it ends.
    pub terminated: Option<NaiveDate>,
}

fn ser_sex<S: serde::Serializer>(s: &Option<Sex>, ser: S) -> Result<S::Ok, S::Error> {
    ser.serialize_str(sex_code(*s))
}

/// `F`, `M` or `U`.
pub fn sex_code(s: Option<Sex>) -> &'static str {
    match s {
        Some(Sex::Female) => "F",
        Some(Sex::Male) => "M",
        None => "U",
    }
}

/// Reads `F`, `M` or `U`.
pub fn parse_sex(s: &str) -> Result<Option<Sex>, String> {
    match s {
        "F" => Ok(Some(Sex::Female)),
        "M" => Ok(Some(Sex::Male)),
        "U" => Ok(None),
        _ => Err(format!("expected F, M or U, got `{s}`")),
    }
}

/// A paid, unreversed fill: one entry of the member's history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredFill {
    /// Claim id.
    pub claim_id: i64,
    /// NDC dispensed.
    pub ndc: Option<Ndc>,
    /// RxCUI dispensed.
    pub rxcui: Option<u32>,
    /// Date of service.
    pub date: NaiveDate,
    /// Days supply.
    pub days_supply: u32,
    /// Quantity.
    pub quantity: f64,
    /// What the patient paid, when known.
    pub patient_pay: Option<Money>,
    /// What the plan paid, when known.
    pub plan_pay: Option<Money>,
}

impl StoredFill {
    /// The fill as the checker reads history.
    pub fn to_fill(&self) -> Fill {
        Fill {
            ndc: self.ndc,
            rxcui: self.rxcui,
            date: self.date,
            days_supply: self.days_supply,
            quantity: self.quantity,
            patient_pay: self.patient_pay,
            applied_to_deductible: None,
            total_cost: None,
        }
    }
}

/// A prior authorization on file for a member.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredPa {
    /// Authorization number.
    pub number: String,
    /// Drug by NDC.
    pub ndc: Option<Ndc>,
    /// Drug by RxCUI.
    pub rxcui: Option<u32>,
    /// Or the rule it satisfies.
    pub rule: Option<String>,
    /// First day.
    pub from: NaiveDate,
    /// Last day.
    pub to: NaiveDate,
    /// Approved (true) or denied.
    pub approved: bool,
}

impl StoredPa {
    /// The authorization as the checker reads it.
    pub fn to_pa(&self) -> PaOnFile {
        PaOnFile {
            number: self.number.clone(),
            ndc: self.ndc,
            rxcui: self.rxcui,
            rule: self.rule.clone(),
            from: self.from,
            to: self.to,
            status: if self.approved {
                PaStatus::Approved
            } else {
                PaStatus::Denied
            },
        }
    }
}

/// Everything adjudication needs about one member.
#[derive(Debug, Clone, PartialEq)]
pub struct MemberState {
    /// Eligibility.
    pub member: Member,
    /// Paid, unreversed fills, oldest first.
    pub fills: Vec<StoredFill>,
    /// Prior authorizations on file.
    pub pas: Vec<StoredPa>,
}

/// What makes a claim unique: a resubmission with the same key is a duplicate.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct ClaimKey {
    /// Service provider (pharmacy) id.
    pub pharmacy: String,
    /// Prescription number, NCPDP 402-D2.
    pub rx_number: String,
    /// Fill number, NCPDP 403-D3 (0 for the original).
    pub fill_number: u32,
    /// Date of service.
    pub date: NaiveDate,
}

/// A claim to record.
#[derive(Debug, Clone)]
pub struct NewClaim {
    /// Its key.
    pub key: ClaimKey,
    /// Member.
    pub member_id: String,
    /// The fill (drug, quantity, days supply, amounts).
    pub fill: StoredFill,
    /// Paid (`true`) or rejected.
    pub paid: bool,
    /// Reject codes, comma separated.
    pub reject_codes: String,
    /// Total cost in cents, when known.
    pub total: Option<Money>,
    /// Formulary id, version and source hash that decided.
    pub formulary: (String, String, String),
    /// The request as received (JSON), to replay the decision.
    pub request: String,
    /// The answer given (JSON).
    pub response: String,
    /// When it was received (RFC 3339).
    pub received_at: String,
}

/// A recorded claim as read back.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredClaim {
    /// Claim id.
    pub id: i64,
    /// Its key.
    pub key: ClaimKey,
    /// Member.
    pub member_id: String,
    /// `paid` or `rejected`.
    pub status: String,
    /// Reject codes, comma separated.
    pub reject_codes: String,
    /// Patient pay, when known.
    pub patient_pay: Option<Money>,
    /// Plan pay, when known.
    pub plan_pay: Option<Money>,
    /// Formulary version that decided.
    pub formulary_version: String,
    /// Formulary source hash that decided.
    pub formulary_hash: String,
    /// The answer given (JSON).
    #[serde(skip)]
    pub response: String,
    /// When reversed, if it was.
    pub reversed_at: Option<String>,
}

/// A formulary version that served.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VersionRow {
    /// Formulary id.
    pub id: String,
    /// Version.
    pub version: String,
    /// Source hash.
    pub hash: String,
    /// When first loaded.
    pub first_loaded: String,
}

/// What the fault checker finds for one acknowledged claim key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyCount {
    /// Rows with this key that are paid and not reversed.
    pub paid: u32,
    /// Rows with this key whose response does not parse as JSON.
    pub broken: u32,
}

/// One database behind the store. Statements run inside the transaction
/// opened by [`Backend::begin`] until [`Backend::commit`].
pub trait Backend: Send {
    /// Opens a write transaction.
    fn begin(&mut self) -> Result<(), StoreError>;
    /// Commits it durably.
    fn commit(&mut self) -> Result<(), StoreError>;
    /// Rolls it back.
    fn rollback(&mut self);
    /// Serializes this transaction with every other one touching these
    /// members (across processes where the database allows).
    fn lock_members(&mut self, ids: &[&str]) -> Result<(), StoreError>;
    /// A member with history and PAs.
    fn load_member(&mut self, id: &str) -> Result<Option<MemberState>, StoreError>;
    /// Every member with history and PAs (to warm a cache).
    fn load_all(&mut self) -> Result<Vec<MemberState>, StoreError>;
    /// Inserts or replaces a member's eligibility.
    fn upsert_member(&mut self, m: &Member) -> Result<(), StoreError>;
    /// Records a claim; `None` when a paid, unreversed claim with the same key exists.
    fn insert_claim(&mut self, c: &NewClaim) -> Result<Option<i64>, StoreError>;
    /// The paid, unreversed claim with this key.
    fn find_paid(&mut self, key: &ClaimKey) -> Result<Option<StoredClaim>, StoreError>;
    /// Marks the paid claim with this key reversed; returns it.
    fn reverse(&mut self, key: &ClaimKey, at: &str) -> Result<Option<StoredClaim>, StoreError>;
    /// Records a PA; `false` when the member already has one with that number.
    fn insert_pa(&mut self, member: &str, pa: &StoredPa, at: &str) -> Result<bool, StoreError>;
    /// Records a formulary version the first time it serves.
    fn record_version(&mut self, v: &VersionRow) -> Result<(), StoreError>;
    /// Every formulary version that served, oldest first.
    fn versions(&mut self) -> Result<Vec<VersionRow>, StoreError>;
    /// A member's claims, newest first, at most `limit`.
    fn claims_of(&mut self, member: &str, limit: u32) -> Result<Vec<StoredClaim>, StoreError>;
    /// For the fault checker: what is stored under a key.
    fn count_key(&mut self, key: &ClaimKey) -> Result<KeyCount, StoreError>;
}

/// Opens the store named by a URL: `postgres://…` or `sqlite:PATH`.
pub fn open(url: &str) -> Result<Box<dyn Backend>, StoreError> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Box::new(Postgres::connect(url)?))
    } else {
        let path = url.strip_prefix("sqlite:").unwrap_or(url);
        Ok(Box::new(Sqlite::open(std::path::Path::new(path))?))
    }
}

/// True when the URL names PostgreSQL (shared by several instances: no cache).
pub fn is_shared(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

pub(crate) fn parse_stored_date(
    table: &'static str,
    column: &'static str,
    s: &str,
) -> Result<NaiveDate, StoreError> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|e| StoreError::Corrupt {
        table,
        column,
        message: format!("`{s}`: {e}"),
    })
}

pub(crate) fn parse_stored_ndc(
    table: &'static str,
    s: Option<String>,
) -> Result<Option<Ndc>, StoreError> {
    s.map(|s| {
        Ndc::parse(&s).map_err(|message| StoreError::Corrupt {
            table,
            column: "ndc",
            message,
        })
    })
    .transpose()
}

pub(crate) fn stored_u32(
    table: &'static str,
    column: &'static str,
    v: i64,
) -> Result<u32, StoreError> {
    u32::try_from(v).map_err(|_| StoreError::Corrupt {
        table,
        column,
        message: format!("{v} is out of range"),
    })
}

/// SQL shared by both databases (`$n` placeholders work in each, in order).
pub(crate) mod sql {
    pub const MEMBER_COLUMNS: &str =
        "id, first_name, last_name, birth_date, sex, plan, group_id, enrolled, terminated";
    pub const UPSERT_MEMBER: &str = "INSERT INTO members (id, first_name, last_name, birth_date, sex, plan, group_id, enrolled, terminated) \
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO UPDATE SET \
        first_name = excluded.first_name, last_name = excluded.last_name, birth_date = excluded.birth_date, \
        sex = excluded.sex, plan = excluded.plan, group_id = excluded.group_id, enrolled = excluded.enrolled, \
        terminated = excluded.terminated";
    pub const FILL_COLUMNS: &str =
        "id, ndc, rxcui, date_of_service, days_supply, quantity, patient_pay_cents, plan_pay_cents";
    pub const PA_COLUMNS: &str = "number, ndc, rxcui, rule, valid_from, valid_to, status";
    pub const INSERT_CLAIM: &str = "INSERT INTO claims (pharmacy, rx_number, fill_number, date_of_service, member_id, ndc, rxcui, \
        quantity, days_supply, status, reject_codes, patient_pay_cents, plan_pay_cents, total_cents, \
        formulary_id, formulary_version, formulary_hash, request, response, received_at) \
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20) \
        ON CONFLICT (pharmacy, rx_number, fill_number, date_of_service) WHERE status = 'paid' AND reversed_at IS NULL \
        DO NOTHING RETURNING id";
    pub const CLAIM_COLUMNS: &str = "id, pharmacy, rx_number, fill_number, date_of_service, member_id, status, reject_codes, \
        patient_pay_cents, plan_pay_cents, formulary_version, formulary_hash, response, reversed_at";
    pub const KEY_MATCH: &str =
        "pharmacy = $1 AND rx_number = $2 AND fill_number = $3 AND date_of_service = $4";
    pub const INSERT_PA: &str = "INSERT INTO prior_authorizations (member_id, number, ndc, rxcui, rule, valid_from, valid_to, status, entered_at) \
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (member_id, number) DO NOTHING";
    pub const INSERT_VERSION: &str =
        "INSERT INTO formulary_versions (hash, id, version, first_loaded) VALUES ($1, $2, $3, $4) \
        ON CONFLICT (hash) DO NOTHING";
    pub const VERSIONS: &str =
        "SELECT id, version, hash, first_loaded FROM formulary_versions ORDER BY first_loaded, hash";
}

/// The migrations, in order: (version, SQLite text, PostgreSQL text).
pub(crate) const MIGRATIONS: &[(i64, &str, &str)] = &[(
    1,
    include_str!("../../../migrations/sqlite/0001_claims_store.sql"),
    include_str!("../../../migrations/postgres/0001_claims_store.sql"),
)];
