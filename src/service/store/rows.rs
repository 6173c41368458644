//! Stored rows read back into values, written once for both databases:
//! each backend gives its row type the few typed getters this needs.

use super::{parse_stored_date, parse_stored_ndc, stored_u32, ClaimKey, StoreError};
use super::{StoredClaim, StoredFill, StoredPa};
use crate::codes::Money;

/// Typed column access by position, as both drivers provide it.
pub(crate) trait Columns {
    /// A text column.
    fn text(&self, i: usize) -> Result<String, StoreError>;
    /// A nullable text column.
    fn opt_text(&self, i: usize) -> Result<Option<String>, StoreError>;
    /// An integer column.
    fn int(&self, i: usize) -> Result<i64, StoreError>;
    /// A nullable integer column.
    fn opt_int(&self, i: usize) -> Result<Option<i64>, StoreError>;
    /// A floating-point column.
    fn real(&self, i: usize) -> Result<f64, StoreError>;
}

impl Columns for rusqlite::Row<'_> {
    fn text(&self, i: usize) -> Result<String, StoreError> {
        Ok(self.get(i)?)
    }
    fn opt_text(&self, i: usize) -> Result<Option<String>, StoreError> {
        Ok(self.get(i)?)
    }
    fn int(&self, i: usize) -> Result<i64, StoreError> {
        Ok(self.get(i)?)
    }
    fn opt_int(&self, i: usize) -> Result<Option<i64>, StoreError> {
        Ok(self.get(i)?)
    }
    fn real(&self, i: usize) -> Result<f64, StoreError> {
        Ok(self.get(i)?)
    }
}

impl Columns for ::postgres::Row {
    fn text(&self, i: usize) -> Result<String, StoreError> {
        Ok(self.try_get(i)?)
    }
    fn opt_text(&self, i: usize) -> Result<Option<String>, StoreError> {
        Ok(self.try_get(i)?)
    }
    fn int(&self, i: usize) -> Result<i64, StoreError> {
        Ok(self.try_get(i)?)
    }
    fn opt_int(&self, i: usize) -> Result<Option<i64>, StoreError> {
        Ok(self.try_get(i)?)
    }
    fn real(&self, i: usize) -> Result<f64, StoreError> {
        Ok(self.try_get(i)?)
    }
}

/// A paid fill from the columns of `sql::FILL_COLUMNS` starting at `at`: claim id, NDC, RxCUI,
/// date of service, days supply, quantity, patient pay, plan pay.
pub(crate) fn fill_row(r: &impl Columns, at: usize) -> Result<StoredFill, StoreError> {
    Ok(StoredFill {
        claim_id: r.int(at)?,
        ndc: parse_stored_ndc("claims", r.opt_text(at + 1)?)?,
        rxcui: r
            .opt_int(at + 2)?
            .map(|v| stored_u32("claims", "rxcui", v))
            .transpose()?,
        date: parse_stored_date("claims", "date_of_service", &r.text(at + 3)?)?,
        days_supply: stored_u32("claims", "days_supply", r.int(at + 4)?)?,
        quantity: r.real(at + 5)?,
        patient_pay: r.opt_int(at + 6)?.map(Money),
        plan_pay: r.opt_int(at + 7)?.map(Money),
    })
}

/// A prior authorization on file from its columns starting at `at`: number,
/// NDC, RxCUI, rule, valid from, valid to, status.
pub(crate) fn pa_row(r: &impl Columns, at: usize) -> Result<StoredPa, StoreError> {
    const TABLE: &str = "prior_authorizations";
    Ok(StoredPa {
        number: r.text(at)?,
        ndc: parse_stored_ndc(TABLE, r.opt_text(at + 1)?)?,
        rxcui: r
            .opt_int(at + 2)?
            .map(|v| stored_u32(TABLE, "rxcui", v))
            .transpose()?,
        rule: r.opt_text(at + 3)?,
        from: parse_stored_date(TABLE, "valid_from", &r.text(at + 4)?)?,
        to: parse_stored_date(TABLE, "valid_to", &r.text(at + 5)?)?,
        approved: r.text(at + 6)? == "approved",
    })
}

/// A recorded claim from the columns of `sql::CLAIM_COLUMNS`.
pub(crate) fn claim_row(r: &impl Columns) -> Result<StoredClaim, StoreError> {
    Ok(StoredClaim {
        id: r.int(0)?,
        key: ClaimKey {
            pharmacy: r.text(1)?,
            rx_number: r.text(2)?,
            fill_number: stored_u32("claims", "fill_number", r.int(3)?)?,
            date: parse_stored_date("claims", "date_of_service", &r.text(4)?)?,
        },
        member_id: r.text(5)?,
        status: r.text(6)?,
        reject_codes: r.text(7)?,
        patient_pay: r.opt_int(8)?.map(Money),
        plan_pay: r.opt_int(9)?.map(Money),
        formulary_version: r.text(10)?,
        formulary_hash: r.text(11)?,
        response: r.text(12)?,
        reversed_at: r.opt_text(13)?,
    })
}
