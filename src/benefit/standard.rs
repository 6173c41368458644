//! The shipped standard benefits (`benefits/medicare-part-d.yaml`, embedded
//! in the binary), looked up by name. The parameters change every year and
//! live in that data file, not in code.

use super::{Design, Limit};
use crate::codes::Money;
use serde::Deserialize;
use std::collections::BTreeMap;

const PART_D: &str = include_str!("../../benefits/medicare-part-d.yaml");

/// The embedded data file could not be read: a defect of the build, which a
/// test guards against.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the shipped standard benefits do not read: {0}")]
pub struct StandardError(pub String);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Params {
    deductible: String,
    coinsurance: u32,
    out_of_pocket_threshold: String,
    insulin_month: String,
    vaccines_free: bool,
}

fn table() -> Result<BTreeMap<String, Params>, StandardError> {
    serde_yaml::from_str(PART_D).map_err(|e| StandardError(e.to_string()))
}

/// The names of the shipped standard benefits, in order.
pub fn standard_names() -> Result<Vec<String>, StandardError> {
    Ok(table()?.into_keys().collect())
}

/// The standard benefit called `name`, or `None` when there is none by that name.
pub fn standard(name: &str) -> Result<Option<Design>, StandardError> {
    let Some(p) = table()?.remove(name) else {
        return Ok(None);
    };
    let money = |field: &str, s: &str| {
        dollars(s).ok_or_else(|| StandardError(format!("{name}.{field}: `{s}` is not an amount")))
    };
    if p.coinsurance > 100 {
        return Err(StandardError(format!(
            "{name}.coinsurance: {} is more than 100%",
            p.coinsurance
        )));
    }
    Ok(Some(Design {
        standard: Some(name.to_string()),
        deductible: Some(Limit {
            individual: money("deductible", &p.deductible)?,
            family: None,
        }),
        out_of_pocket_max: Some(Limit {
            individual: money("out_of_pocket_threshold", &p.out_of_pocket_threshold)?,
            family: None,
        }),
        coinsurance_bp: Some(p.coinsurance * 100),
        insulin_month_cap: Some(money("insulin_month", &p.insulin_month)?),
        vaccines_free: p.vaccines_free,
        exempt_tiers: Vec::new(),
    }))
}

/// `"615.00"` to cents; at most two decimals, no sign.
fn dollars(s: &str) -> Option<Money> {
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    if whole.is_empty()
        || frac.len() > 2
        || !(whole.bytes().chain(frac.bytes())).all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let cents: i64 = format!("{frac:0<2}").parse().ok()?;
    whole
        .parse::<i64>()
        .ok()?
        .checked_mul(100)?
        .checked_add(cents)
        .map(Money)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn part_d_2025_and_2026_are_shipped_with_their_parameters() {
        assert_eq!(
            standard_names().unwrap(),
            ["medicare-part-d-2025", "medicare-part-d-2026"]
        );
        let d = standard("medicare-part-d-2026").unwrap().unwrap();
        assert_eq!(d.deductible.unwrap().individual, Money(61_500));
        assert_eq!(d.out_of_pocket_max.unwrap().individual, Money(210_000));
        assert_eq!(d.coinsurance_bp, Some(2_500));
        assert_eq!(d.insulin_month_cap, Some(Money(3_500)));
        assert!(d.vaccines_free);
        let d = standard("medicare-part-d-2025").unwrap().unwrap();
        assert_eq!(d.deductible.unwrap().individual, Money(59_000));
        assert_eq!(d.out_of_pocket_max.unwrap().individual, Money(200_000));
        assert_eq!(standard("medicare-part-d-2027").unwrap(), None);
    }

    #[test]
    fn amounts_read_exactly() {
        assert_eq!(dollars("615.00"), Some(Money(61_500)));
        assert_eq!(dollars("0.5"), Some(Money(50)));
        assert_eq!(dollars("35"), Some(Money(3_500)));
        assert_eq!(dollars("1.234"), None);
        assert_eq!(dollars("-1"), None);
        assert_eq!(dollars(".5"), None);
        assert_eq!(dollars("99999999999999999999"), None);
    }
}
