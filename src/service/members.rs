//! The members file: one member per line of CSV with a header,
//! `member_id,first_name,last_name,birth_date,sex,plan,group,enrolled,terminated`
//! (`terminated` may be empty). Errors name the line and the column.

use super::store::{parse_sex, Member};
use crate::codes::parse_date;

/// The columns, in order.
pub const COLUMNS: [&str; 9] = [
    "member_id",
    "first_name",
    "last_name",
    "birth_date",
    "sex",
    "plan",
    "group",
    "enrolled",
    "terminated",
];

/// A members file that cannot be read.
#[derive(Debug, thiserror::Error)]
#[error("{file}:{line}: {column}: {message}")]
pub struct MembersError {
    /// File name.
    pub file: String,
    /// One-based line.
    pub line: u64,
    /// Column name, or `header`.
    pub column: String,
    /// What is wrong.
    pub message: String,
}

/// Reads a members file.
pub fn parse(file: &str, text: &str) -> Result<Vec<Member>, MembersError> {
    let err = |line: u64, column: &str, message: String| MembersError {
        file: file.to_string(),
        line,
        column: column.to_string(),
        message,
    };
    let mut rdr = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let header = rdr
        .headers()
        .map_err(|e| err(1, "header", e.to_string()))?
        .clone();
    if header.iter().collect::<Vec<_>>() != COLUMNS {
        return Err(err(
            1,
            "header",
            format!("expected `{}`", COLUMNS.join(",")),
        ));
    }
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            err(line, "row", e.to_string())
        })?;
        let line = rec.position().map_or(0, |p| p.line());
        let get = |i: usize| rec.get(i).unwrap_or("");
        let text_field = |i: usize, max: usize| -> Result<String, MembersError> {
            let v = get(i);
            if v.is_empty() || v.len() > max {
                return Err(err(
                    line,
                    COLUMNS[i],
                    format!("must be 1 to {max} characters"),
                ));
            }
            Ok(v.to_string())
        };
        let date = |i: usize| {
            parse_date(get(i)).ok_or_else(|| {
                err(
                    line,
                    COLUMNS[i],
                    format!("expected YYYY-MM-DD, got `{}`", get(i)),
                )
            })
        };
        let id = text_field(0, 20)?;
        if !seen.insert(id.clone()) {
            return Err(err(line, "member_id", format!("`{id}` appears twice")));
        }
        let terminated = match get(8) {
            "" => None,
            _ => Some(date(8)?),
        };
        let m = Member {
            id,
            first_name: text_field(1, 60)?,
            last_name: text_field(2, 60)?,
            birth_date: date(3)?,
            sex: parse_sex(get(4)).map_err(|m| err(line, "sex", m))?,
            plan: text_field(5, 40)?,
            group: text_field(6, 15)?,
            enrolled: date(7)?,
            terminated,
        };
        if m.terminated.is_some_and(|t| t < m.enrolled) {
            return Err(err(line, "terminated", "is before `enrolled`".into()));
        }
        out.push(m);
    }
    Ok(out)
}
