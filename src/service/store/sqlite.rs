//! The SQLite backend: one file, WAL, `synchronous = FULL` so a committed
//! batch survives a crash or power loss before its claims are acknowledged.

use super::rows::{claim_row, fill_row, pa_row};
use super::{
    parse_sex, parse_stored_date, sex_code, sql, Backend, ClaimKey, KeyCount, Member, MemberState,
    NewClaim, StoreError, StoredClaim, StoredFill, StoredPa, VersionRow, MIGRATIONS,
};
use rusqlite::{params, Connection, OptionalExtension, Row};
use std::collections::HashMap;
use std::path::Path;

/// A SQLite store.
pub struct Sqlite {
    conn: Connection,
}

impl Sqlite {
    /// Opens (creating if needed) the database file and migrates it.
    pub fn open(path: &Path) -> Result<Sqlite, StoreError> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        let mut s = Sqlite { conn };
        s.migrate()?;
        Ok(s)
    }

    fn migrate(&mut self) -> Result<(), StoreError> {
        self.conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY)",
        )?;
        for (version, text, _) in MIGRATIONS {
            let done: Option<i64> = self
                .conn
                .query_row(
                    "SELECT version FROM schema_migrations WHERE version = $1",
                    params![version],
                    |r| r.get(0),
                )
                .optional()?;
            if done.is_none() {
                let tx = self.conn.transaction()?;
                tx.execute_batch(text)?;
                tx.execute(
                    "INSERT INTO schema_migrations (version) VALUES ($1)",
                    params![version],
                )?;
                tx.commit()?;
            }
        }
        Ok(())
    }

    fn fills_where(
        &self,
        filter: &str,
        arg: &[&dyn rusqlite::ToSql],
    ) -> Result<Vec<(String, StoredFill)>, StoreError> {
        let q = format!(
            "SELECT member_id, {} FROM claims WHERE status = 'paid' AND reversed_at IS NULL {filter} \
             ORDER BY date_of_service, id",
            sql::FILL_COLUMNS
        );
        let mut st = self.conn.prepare_cached(&q)?;
        let rows = st.query_map(arg, |r| Ok((r.get::<_, String>(0)?, fill_row(r, 1))))?;
        let mut out = Vec::new();
        for row in rows {
            let (m, f) = row?;
            out.push((m, f?));
        }
        Ok(out)
    }

    fn pas_where(
        &self,
        filter: &str,
        arg: &[&dyn rusqlite::ToSql],
    ) -> Result<Vec<(String, StoredPa)>, StoreError> {
        let q = format!(
            "SELECT member_id, {} FROM prior_authorizations {filter} ORDER BY id",
            sql::PA_COLUMNS
        );
        let mut st = self.conn.prepare_cached(&q)?;
        let rows = st.query_map(arg, |r| Ok((r.get::<_, String>(0)?, pa_row(r, 1))))?;
        let mut out = Vec::new();
        for row in rows {
            let (m, p) = row?;
            out.push((m, p?));
        }
        Ok(out)
    }
}

fn member_row(r: &Row) -> rusqlite::Result<Result<Member, StoreError>> {
    let birth: String = r.get(3)?;
    let sex: String = r.get(4)?;
    let enrolled: String = r.get(7)?;
    let terminated: Option<String> = r.get(8)?;
    let id: String = r.get(0)?;
    let first_name: String = r.get(1)?;
    let last_name: String = r.get(2)?;
    let plan: String = r.get(5)?;
    let group: String = r.get(6)?;
    Ok((|| {
        Ok(Member {
            id,
            first_name,
            last_name,
            birth_date: parse_stored_date("members", "birth_date", &birth)?,
            sex: parse_sex(&sex).map_err(|message| StoreError::Corrupt {
                table: "members",
                column: "sex",
                message,
            })?,
            plan,
            group,
            enrolled: parse_stored_date("members", "enrolled", &enrolled)?,
            terminated: terminated
                .map(|t| parse_stored_date("members", "terminated", &t))
                .transpose()?,
        })
    })())
}

fn key_params(k: &ClaimKey) -> (String, String, i64, String) {
    (
        k.pharmacy.clone(),
        k.rx_number.clone(),
        i64::from(k.fill_number),
        k.date.to_string(),
    )
}

impl Backend for Sqlite {
    fn begin(&mut self) -> Result<(), StoreError> {
        Ok(self.conn.execute_batch("BEGIN IMMEDIATE")?)
    }
    fn commit(&mut self) -> Result<(), StoreError> {
        Ok(self.conn.execute_batch("COMMIT")?)
    }
    fn rollback(&mut self) {
        // Nothing more can be done if even the rollback fails; the
        // connection's next BEGIN reports the state.
        let _ = self.conn.execute_batch("ROLLBACK");
    }
    fn lock_members(&mut self, _ids: &[&str]) -> Result<(), StoreError> {
        // BEGIN IMMEDIATE already holds the database's one write lock.
        Ok(())
    }
    fn load_member(&mut self, id: &str) -> Result<Option<MemberState>, StoreError> {
        let q = format!("SELECT {} FROM members WHERE id = $1", sql::MEMBER_COLUMNS);
        let member = self
            .conn
            .prepare_cached(&q)?
            .query_row(params![id], member_row)
            .optional()?
            .transpose()?;
        let Some(member) = member else {
            return Ok(None);
        };
        let fills = self.fills_where("AND member_id = $1", &[&id])?;
        let pas = self.pas_where("WHERE member_id = $1", &[&id])?;
        Ok(Some(MemberState {
            member,
            fills: fills.into_iter().map(|(_, f)| f).collect(),
            pas: pas.into_iter().map(|(_, p)| p).collect(),
        }))
    }
    fn load_all(&mut self) -> Result<Vec<MemberState>, StoreError> {
        let q = format!("SELECT {} FROM members ORDER BY id", sql::MEMBER_COLUMNS);
        let mut members: Vec<MemberState> = Vec::new();
        {
            let mut st = self.conn.prepare(&q)?;
            for m in st.query_map([], member_row)? {
                members.push(MemberState {
                    member: m??,
                    fills: Vec::new(),
                    pas: Vec::new(),
                });
            }
        }
        let index: HashMap<String, usize> = members
            .iter()
            .enumerate()
            .map(|(i, m)| (m.member.id.clone(), i))
            .collect();
        for (m, f) in self.fills_where("", &[])? {
            if let Some(&i) = index.get(&m) {
                members[i].fills.push(f);
            }
        }
        for (m, p) in self.pas_where("", &[])? {
            if let Some(&i) = index.get(&m) {
                members[i].pas.push(p);
            }
        }
        Ok(members)
    }
    fn upsert_member(&mut self, m: &Member) -> Result<(), StoreError> {
        self.conn
            .prepare_cached(sql::UPSERT_MEMBER)?
            .execute(params![
                m.id,
                m.first_name,
                m.last_name,
                m.birth_date.to_string(),
                sex_code(m.sex),
                m.plan,
                m.group,
                m.enrolled.to_string(),
                m.terminated.map(|t| t.to_string()),
            ])?;
        Ok(())
    }
    fn insert_claim(&mut self, c: &NewClaim) -> Result<Option<i64>, StoreError> {
        let (ph, rx, fill, date) = key_params(&c.key);
        let id = self
            .conn
            .prepare_cached(sql::INSERT_CLAIM)?
            .query_row(
                params![
                    ph,
                    rx,
                    fill,
                    date,
                    c.member_id,
                    c.fill.ndc.map(|n| n.as_str().to_string()),
                    c.fill.rxcui.map(i64::from),
                    c.fill.quantity,
                    i64::from(c.fill.days_supply),
                    if c.paid { "paid" } else { "rejected" },
                    c.reject_codes,
                    c.fill.patient_pay.map(|m| m.0),
                    c.fill.plan_pay.map(|m| m.0),
                    c.total.map(|m| m.0),
                    c.formulary.0,
                    c.formulary.1,
                    c.formulary.2,
                    c.request,
                    c.response,
                    c.received_at,
                ],
                |r| r.get(0),
            )
            .optional()?;
        Ok(id)
    }
    fn find_paid(&mut self, key: &ClaimKey) -> Result<Option<StoredClaim>, StoreError> {
        let q = format!(
            "SELECT {} FROM claims WHERE {} AND status = 'paid' AND reversed_at IS NULL",
            sql::CLAIM_COLUMNS,
            sql::KEY_MATCH
        );
        let (ph, rx, fill, date) = key_params(key);
        let mut st = self.conn.prepare_cached(&q)?;
        let mut rows = st.query(params![ph, rx, fill, date])?;
        match rows.next()? {
            Some(r) => Ok(Some(claim_row(r)?)),
            None => Ok(None),
        }
    }
    fn reverse(&mut self, key: &ClaimKey, at: &str) -> Result<Option<StoredClaim>, StoreError> {
        let Some(mut c) = self.find_paid(key)? else {
            return Ok(None);
        };
        self.conn
            .prepare_cached("UPDATE claims SET reversed_at = $1 WHERE id = $2")?
            .execute(params![at, c.id])?;
        c.reversed_at = Some(at.to_string());
        Ok(Some(c))
    }
    fn insert_pa(&mut self, member: &str, pa: &StoredPa, at: &str) -> Result<bool, StoreError> {
        let n = self.conn.prepare_cached(sql::INSERT_PA)?.execute(params![
            member,
            pa.number,
            pa.ndc.map(|n| n.as_str().to_string()),
            pa.rxcui.map(i64::from),
            pa.rule,
            pa.from.to_string(),
            pa.to.to_string(),
            if pa.approved { "approved" } else { "denied" },
            at,
        ])?;
        Ok(n == 1)
    }
    fn record_version(&mut self, v: &VersionRow) -> Result<(), StoreError> {
        self.conn
            .prepare_cached(sql::INSERT_VERSION)?
            .execute(params![v.hash, v.id, v.version, v.first_loaded])?;
        Ok(())
    }
    fn versions(&mut self) -> Result<Vec<VersionRow>, StoreError> {
        let mut st = self.conn.prepare_cached(sql::VERSIONS)?;
        let rows = st.query_map([], |r| {
            Ok(VersionRow {
                id: r.get(0)?,
                version: r.get(1)?,
                hash: r.get(2)?,
                first_loaded: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
    fn claims_of(&mut self, member: &str, limit: u32) -> Result<Vec<StoredClaim>, StoreError> {
        let q = format!(
            "SELECT {} FROM claims WHERE member_id = $1 ORDER BY id DESC LIMIT $2",
            sql::CLAIM_COLUMNS
        );
        let mut st = self.conn.prepare_cached(&q)?;
        let mut rows = st.query(params![member, i64::from(limit)])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(claim_row(r)?);
        }
        Ok(out)
    }
    fn count_key(&mut self, key: &ClaimKey) -> Result<KeyCount, StoreError> {
        let q = format!(
            "SELECT response FROM claims WHERE {} AND status = 'paid' AND reversed_at IS NULL",
            sql::KEY_MATCH
        );
        let (ph, rx, fill, date) = key_params(key);
        let mut st = self.conn.prepare_cached(&q)?;
        let mut rows = st.query(params![ph, rx, fill, date])?;
        let mut count = KeyCount { paid: 0, broken: 0 };
        while let Some(r) = rows.next()? {
            count.paid += 1;
            let text: String = r.get(0)?;
            if serde_json::from_str::<serde_json::Value>(&text).is_err() {
                count.broken += 1;
            }
        }
        Ok(count)
    }
}
