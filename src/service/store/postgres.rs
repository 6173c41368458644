//! The PostgreSQL backend, for several service instances sharing one store.
//! Claims of one member are serialized across instances by a transaction
//! advisory lock per member, taken in a fixed order so batches never deadlock.

use super::rows::{claim_row, fill_row, pa_row};
use super::{
    parse_sex, parse_stored_date, sex_code, sql, Backend, ClaimKey, KeyCount, Member, MemberState,
    NewClaim, StoreError, StoredClaim, StoredFill, StoredPa, VersionRow, MIGRATIONS,
};
use postgres::{Client, NoTls, Row};
use std::collections::HashMap;

/// A PostgreSQL store.
pub struct Postgres {
    client: Client,
}

/// Key of the session lock held while migrating, so instances starting
/// together migrate once.
const MIGRATION_LOCK: i64 = 0x666f_726d_756c;

impl Postgres {
    /// Connects and migrates.
    pub fn connect(url: &str) -> Result<Postgres, StoreError> {
        let client = Client::connect(url, NoTls)?;
        let mut p = Postgres { client };
        p.migrate()?;
        Ok(p)
    }

    fn migrate(&mut self) -> Result<(), StoreError> {
        let c = &mut self.client;
        c.execute("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK])?;
        let result = (|| -> Result<(), StoreError> {
            c.batch_execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY)",
            )?;
            for (version, _, text) in MIGRATIONS {
                let done = c.query_opt(
                    "SELECT version FROM schema_migrations WHERE version = $1",
                    &[version],
                )?;
                if done.is_none() {
                    let mut tx = c.transaction()?;
                    tx.batch_execute(text)?;
                    tx.execute(
                        "INSERT INTO schema_migrations (version) VALUES ($1)",
                        &[version],
                    )?;
                    tx.commit()?;
                }
            }
            Ok(())
        })();
        c.execute("SELECT pg_advisory_unlock($1)", &[&MIGRATION_LOCK])?;
        result
    }

    fn fills_where(
        &mut self,
        filter: &str,
        arg: &[&(dyn postgres::types::ToSql + Sync)],
    ) -> Result<Vec<(String, StoredFill)>, StoreError> {
        let q = format!(
            "SELECT member_id, {} FROM claims WHERE status = 'paid' AND reversed_at IS NULL {filter} \
             ORDER BY date_of_service, id",
            sql::FILL_COLUMNS
        );
        self.client
            .query(&q, arg)?
            .iter()
            .map(|r| Ok((r.try_get(0)?, fill_row(r, 1)?)))
            .collect()
    }

    fn pas_where(
        &mut self,
        filter: &str,
        arg: &[&(dyn postgres::types::ToSql + Sync)],
    ) -> Result<Vec<(String, StoredPa)>, StoreError> {
        let q = format!(
            "SELECT member_id, {} FROM prior_authorizations {filter} ORDER BY id",
            sql::PA_COLUMNS
        );
        self.client
            .query(&q, arg)?
            .iter()
            .map(|r| Ok((r.try_get(0)?, pa_row(r, 1)?)))
            .collect()
    }
}

fn member_row(r: &Row) -> Result<Member, StoreError> {
    let birth: String = r.try_get(3)?;
    let sex: String = r.try_get(4)?;
    let enrolled: String = r.try_get(7)?;
    let terminated: Option<String> = r.try_get(8)?;
    Ok(Member {
        id: r.try_get(0)?,
        first_name: r.try_get(1)?,
        last_name: r.try_get(2)?,
        birth_date: parse_stored_date("members", "birth_date", &birth)?,
        sex: parse_sex(&sex).map_err(|message| StoreError::Corrupt {
            table: "members",
            column: "sex",
            message,
        })?,
        plan: r.try_get(5)?,
        group: r.try_get(6)?,
        enrolled: parse_stored_date("members", "enrolled", &enrolled)?,
        terminated: terminated
            .map(|t| parse_stored_date("members", "terminated", &t))
            .transpose()?,
    })
}

impl Backend for Postgres {
    fn begin(&mut self) -> Result<(), StoreError> {
        Ok(self.client.batch_execute("BEGIN")?)
    }
    fn commit(&mut self) -> Result<(), StoreError> {
        Ok(self.client.batch_execute("COMMIT")?)
    }
    fn rollback(&mut self) {
        // A failed rollback leaves the connection broken; the next BEGIN says so.
        let _ = self.client.batch_execute("ROLLBACK");
    }
    fn lock_members(&mut self, ids: &[&str]) -> Result<(), StoreError> {
        let mut ids = ids.to_vec();
        ids.sort_unstable();
        ids.dedup();
        for id in ids {
            self.client.execute(
                "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
                &[&id],
            )?;
        }
        Ok(())
    }
    fn load_member(&mut self, id: &str) -> Result<Option<MemberState>, StoreError> {
        let q = format!("SELECT {} FROM members WHERE id = $1", sql::MEMBER_COLUMNS);
        let Some(row) = self.client.query_opt(&q, &[&id])? else {
            return Ok(None);
        };
        let member = member_row(&row)?;
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
        let mut members = Vec::new();
        for r in self.client.query(&q, &[])? {
            members.push(MemberState {
                member: member_row(&r)?,
                fills: Vec::new(),
                pas: Vec::new(),
            });
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
        let birth = m.birth_date.to_string();
        let enrolled = m.enrolled.to_string();
        let terminated = m.terminated.map(|t| t.to_string());
        self.client.execute(
            sql::UPSERT_MEMBER,
            &[
                &m.id,
                &m.first_name,
                &m.last_name,
                &birth,
                &sex_code(m.sex),
                &m.plan,
                &m.group,
                &enrolled,
                &terminated,
            ],
        )?;
        Ok(())
    }
    fn insert_claim(&mut self, c: &NewClaim) -> Result<Option<i64>, StoreError> {
        let fill = i64::from(c.key.fill_number);
        let date = c.key.date.to_string();
        let ndc = c.fill.ndc.map(|n| n.as_str().to_string());
        let rxcui = c.fill.rxcui.map(i64::from);
        let days = i64::from(c.fill.days_supply);
        let status = if c.paid { "paid" } else { "rejected" };
        let (pp, plan, total) = (
            c.fill.patient_pay.map(|m| m.0),
            c.fill.plan_pay.map(|m| m.0),
            c.total.map(|m| m.0),
        );
        let row = self.client.query_opt(
            sql::INSERT_CLAIM,
            &[
                &c.key.pharmacy,
                &c.key.rx_number,
                &fill,
                &date,
                &c.member_id,
                &ndc,
                &rxcui,
                &c.fill.quantity,
                &days,
                &status,
                &c.reject_codes,
                &pp,
                &plan,
                &total,
                &c.formulary.0,
                &c.formulary.1,
                &c.formulary.2,
                &c.request,
                &c.response,
                &c.received_at,
            ],
        )?;
        Ok(match row {
            Some(r) => Some(r.try_get(0)?),
            None => None,
        })
    }
    fn find_paid(&mut self, key: &ClaimKey) -> Result<Option<StoredClaim>, StoreError> {
        let q = format!(
            "SELECT {} FROM claims WHERE {} AND status = 'paid' AND reversed_at IS NULL",
            sql::CLAIM_COLUMNS,
            sql::KEY_MATCH
        );
        let fill = i64::from(key.fill_number);
        let date = key.date.to_string();
        let row = self
            .client
            .query_opt(&q, &[&key.pharmacy, &key.rx_number, &fill, &date])?;
        row.map(|r| claim_row(&r)).transpose()
    }
    fn reverse(&mut self, key: &ClaimKey, at: &str) -> Result<Option<StoredClaim>, StoreError> {
        let Some(mut c) = self.find_paid(key)? else {
            return Ok(None);
        };
        self.client.execute(
            "UPDATE claims SET reversed_at = $1 WHERE id = $2",
            &[&at, &c.id],
        )?;
        c.reversed_at = Some(at.to_string());
        Ok(Some(c))
    }
    fn insert_pa(&mut self, member: &str, pa: &StoredPa, at: &str) -> Result<bool, StoreError> {
        let ndc = pa.ndc.map(|n| n.as_str().to_string());
        let rxcui = pa.rxcui.map(i64::from);
        let (from, to) = (pa.from.to_string(), pa.to.to_string());
        let status = if pa.approved { "approved" } else { "denied" };
        let n = self.client.execute(
            sql::INSERT_PA,
            &[
                &member, &pa.number, &ndc, &rxcui, &pa.rule, &from, &to, &status, &at,
            ],
        )?;
        Ok(n == 1)
    }
    fn record_version(&mut self, v: &VersionRow) -> Result<(), StoreError> {
        self.client.execute(
            sql::INSERT_VERSION,
            &[&v.hash, &v.id, &v.version, &v.first_loaded],
        )?;
        Ok(())
    }
    fn versions(&mut self) -> Result<Vec<VersionRow>, StoreError> {
        self.client
            .query(sql::VERSIONS, &[])?
            .iter()
            .map(|r| {
                Ok(VersionRow {
                    id: r.try_get(0)?,
                    version: r.try_get(1)?,
                    hash: r.try_get(2)?,
                    first_loaded: r.try_get(3)?,
                })
            })
            .collect()
    }
    fn claims_of(&mut self, member: &str, limit: u32) -> Result<Vec<StoredClaim>, StoreError> {
        let q = format!(
            "SELECT {} FROM claims WHERE member_id = $1 ORDER BY id DESC LIMIT $2",
            sql::CLAIM_COLUMNS
        );
        let limit = i64::from(limit);
        self.client
            .query(&q, &[&member, &limit])?
            .iter()
            .map(claim_row)
            .collect()
    }
    fn count_key(&mut self, key: &ClaimKey) -> Result<KeyCount, StoreError> {
        let q = format!(
            "SELECT response FROM claims WHERE {} AND status = 'paid' AND reversed_at IS NULL",
            sql::KEY_MATCH
        );
        let fill = i64::from(key.fill_number);
        let date = key.date.to_string();
        let mut count = KeyCount { paid: 0, broken: 0 };
        for r in self
            .client
            .query(&q, &[&key.pharmacy, &key.rx_number, &fill, &date])?
        {
            count.paid += 1;
            let text: String = r.try_get(0)?;
            if serde_json::from_str::<serde_json::Value>(&text).is_err() {
                count.broken += 1;
            }
        }
        Ok(count)
    }
}
