//! The CMS Part D plan information file: which plans (contract, plan and
//! segment) use which formulary, and their names.
//!
//! The file is pipe-delimited with a header and, as CMS publishes it,
//! Windows-1252 encoded (plan names carry `’`, `é`, ...). It is decoded as
//! UTF-8 when it is valid UTF-8 (a file someone re-saved) and as
//! Windows-1252 otherwise; pure ASCII reads the same either way. It has one
//! row per plan and county, so plans repeat; they are kept once each.

use super::{Faults, ImportError, RowError};
use std::collections::{BTreeMap, BTreeSet};

/// Plans by formulary id.
#[derive(Debug, Clone, Default)]
pub struct PlanInfo {
    by_formulary: BTreeMap<String, BTreeSet<Plan>>,
}

/// One plan.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Plan {
    /// Contract id, e.g. `S5601`.
    pub contract: String,
    /// Plan id, e.g. `002`.
    pub plan: String,
    /// Segment id, e.g. `000` (empty when the file has none).
    pub segment: String,
    /// Plan name.
    pub name: String,
}

impl Plan {
    /// `S5601-002-000`.
    pub fn code(&self) -> String {
        if self.segment.is_empty() {
            format!("{}-{}", self.contract, self.plan)
        } else {
            format!("{}-{}-{}", self.contract, self.plan, self.segment)
        }
    }
}

const REQUIRED: [&str; 4] = ["CONTRACT_ID", "PLAN_ID", "PLAN_NAME", "FORMULARY_ID"];

impl PlanInfo {
    /// Parses the file's bytes. `file` names it in messages.
    pub fn parse(file: &str, bytes: &[u8]) -> Result<PlanInfo, ImportError> {
        let text = decode(bytes);
        let at = |line: usize, column: Option<(usize, String)>, message: String| RowError {
            file: file.to_string(),
            line: line as u64,
            column,
            message,
        };
        let mut lines = text.lines().enumerate();
        let Some((_, head)) = lines.next() else {
            return Err(ImportError::one(at(1, None, "the file is empty".into())));
        };
        let header: Vec<String> = head
            .trim_start_matches('\u{feff}')
            .split('|')
            .map(|h| h.trim().to_ascii_uppercase())
            .collect();
        let col = |name: &str| header.iter().position(|h| h == name);
        let mut idx = [0usize; 4];
        for (i, name) in REQUIRED.iter().enumerate() {
            idx[i] = col(name).ok_or_else(|| {
                ImportError::one(at(
                    1,
                    None,
                    format!(
                        "no {name} column; a plan information file has {}",
                        REQUIRED.join(", ")
                    ),
                ))
            })?;
        }
        let segment = col("SEGMENT_ID");
        let mut info = PlanInfo::default();
        let mut faults = Faults::default();
        for (n, line) in lines {
            if line.trim().is_empty() {
                continue;
            }
            let fields: Vec<&str> = line.split('|').map(str::trim).collect();
            if fields.len() != header.len() {
                faults.push(at(
                    n + 1,
                    None,
                    format!("{} fields; the header has {}", fields.len(), header.len()),
                ));
                continue;
            }
            let get = |i: usize| fields[i].to_string();
            let id = get(idx[3]);
            if id.is_empty() {
                faults.push(at(
                    n + 1,
                    Some((idx[3] + 1, "FORMULARY_ID".into())),
                    "empty formulary id".into(),
                ));
                continue;
            }
            info.by_formulary.entry(id).or_default().insert(Plan {
                contract: get(idx[0]),
                plan: get(idx[1]),
                segment: segment.map(get).unwrap_or_default(),
                name: get(idx[2]),
            });
        }
        faults.into_result(info)
    }

    /// The plans that use a formulary. Ids are matched exactly, else without
    /// leading zeros (a spreadsheet may have dropped them from one file).
    pub fn plans(&self, formulary_id: &str) -> Option<&BTreeSet<Plan>> {
        self.by_formulary.get(formulary_id).or_else(|| {
            let want = formulary_id.trim_start_matches('0');
            self.by_formulary
                .iter()
                .find(|(k, _)| k.trim_start_matches('0') == want)
                .map(|(_, v)| v)
        })
    }
}

fn decode(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(s) => std::borrow::Cow::Borrowed(s),
        Err(_) => {
            encoding_rs::WINDOWS_1252
                .decode_without_bom_handling(bytes)
                .0
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_1252_names_decode() {
        let mut bytes = b"CONTRACT_ID|PLAN_ID|SEGMENT_ID|PLAN_NAME|FORMULARY_ID\r\n".to_vec();
        bytes.extend_from_slice(b"S0001|001|000|Caf\xe9 Rx \x93Plus\x94|00021000\r\n");
        let info = PlanInfo::parse("p.txt", &bytes).unwrap();
        let plans = info.plans("21000").unwrap();
        let p = plans.iter().next().unwrap();
        assert_eq!(p.name, "Café Rx “Plus”");
        assert_eq!(p.code(), "S0001-001-000");
    }
}
