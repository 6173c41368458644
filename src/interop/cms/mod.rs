//! The CMS Part D basic drugs formulary file, turned into formulary source:
//! one [`Draft`] per FORMULARY_ID.
//!
//! The file is pipe-delimited with a header, `FORMULARY_ID|FORMULARY_VERSION|
//! CONTRACT_YEAR|RXCUI|NDC|TIER_LEVEL_VALUE|QUANTITY_LIMIT_YN|
//! QUANTITY_LIMIT_AMOUNT|QUANTITY_LIMIT_DAYS|PRIOR_AUTHORIZATION_YN|
//! STEP_THERAPY_YN`, newer years adding `SELECTED_DRUG_YN`; columns are
//! found by name. Empty fields may be a single space; amounts may be
//! fractional; ids are text and keep their leading zeros.
//!
//! Faults: a row with the wrong number of fields or a malformed value is an
//! error naming line and column (every one is reported, up to
//! [`MAX_REPORTED`](super::MAX_REPORTED)), and nothing is imported — a
//! formulary with a silently missing drug would reject that drug's claims.
//! Blank lines and rows repeating an earlier row exactly are skipped and
//! counted. Two rows for one RxCUI that disagree on tier or edits, and one
//! NDC under two RxCUIs, are errors naming both lines.

mod draft;

use super::plans::PlanInfo;
use super::source::{is_token, Draft};
use super::{Catalog, Faults, ImportError, RowError};
use crate::codes::{parse_rxcui, Ndc};
use rayon::prelude::*;
use rustc_hash::FxHashMap;

/// Options of an import.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options<'a> {
    /// Plan information, to name each formulary after its plans.
    pub plans: Option<&'a PlanInfo>,
    /// A catalog, for product names.
    pub catalog: Option<&'a Catalog>,
}

/// The result of an import.
#[derive(Debug, Clone)]
pub struct Import {
    /// One draft per formulary, sorted by FORMULARY_ID.
    pub formularies: Vec<Draft>,
    /// Data rows read.
    pub rows: usize,
    /// Blank lines skipped.
    pub blank: usize,
    /// Rows that repeat an earlier row exactly, skipped.
    pub duplicates: usize,
}

/// Name of the one prior authorization rule of an imported formulary.
pub const PA_RULE: &str = "cms-pa";
pub use super::STEP_LOOKBACK_DAYS;

const COLUMNS: [&str; 11] = [
    "FORMULARY_ID",
    "FORMULARY_VERSION",
    "CONTRACT_YEAR",
    "RXCUI",
    "NDC",
    "TIER_LEVEL_VALUE",
    "QUANTITY_LIMIT_YN",
    "QUANTITY_LIMIT_AMOUNT",
    "QUANTITY_LIMIT_DAYS",
    "PRIOR_AUTHORIZATION_YN",
    "STEP_THERAPY_YN",
];

/// One row's values.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Row {
    rxcui: u32,
    ndc: Option<Ndc>,
    tier: u32,
    limit: Option<(f64, u32)>,
    pa: bool,
    st: bool,
    selected: bool,
    line: u32,
}

impl Row {
    fn same_rules(&self, o: &Row) -> bool {
        (self.tier, self.limit, self.pa, self.st, self.selected)
            == (o.tier, o.limit, o.pa, o.st, o.selected)
    }
}

/// Rows of one formulary.
#[derive(Debug)]
struct Group {
    id: String,
    version: String,
    year: i32,
    line: u32,
    rows: Vec<Row>,
}

/// Parses a basic drugs formulary file and drafts one formulary per id.
/// `file` names it in messages and in the generated comments.
pub fn import(file: &str, bytes: &[u8], opts: Options<'_>) -> Result<Import, ImportError> {
    let basic = parse(file, bytes)?;
    let (rows, blank, duplicates) = (basic.rows, basic.blank, basic.duplicates);
    Ok(Import {
        formularies: basic.drafts(opts),
        rows,
        blank,
        duplicates,
    })
}

/// A basic drugs formulary file, read and checked: every row is valid and no
/// formulary lists one RxCUI or NDC twice in different ways. It no longer
/// borrows the file's bytes, so a caller may free them before drafting.
#[derive(Debug)]
pub struct Basic {
    file: String,
    groups: Vec<Group>,
    /// Data rows read.
    pub rows: usize,
    /// Blank lines skipped.
    pub blank: usize,
    /// Rows that repeat an earlier row exactly, skipped.
    pub duplicates: usize,
}

impl Basic {
    /// How many formularies the file holds.
    pub fn formularies(&self) -> usize {
        self.groups.len()
    }

    /// Drafts every formulary, sorted by id.
    pub fn drafts(self, opts: Options<'_>) -> Vec<Draft> {
        let file = self.file;
        self.groups
            .into_par_iter()
            .map(|g| draft::write(&file, &g, opts))
            .collect()
    }

    /// Drafts each formulary and hands it to `each`, in parallel and in no
    /// particular order, so that only a few drafts are held at once.
    pub fn draft_each(self, opts: Options<'_>, each: impl Fn(Draft) + Sync) {
        let file = self.file;
        self.groups
            .into_par_iter()
            .for_each(|g| each(draft::write(&file, &g, opts)));
    }
}

/// Reads and checks a basic drugs formulary file. `file` names it in
/// messages and in the generated comments.
pub fn parse(file: &str, bytes: &[u8]) -> Result<Basic, ImportError> {
    let at = |line: usize, column: Option<(usize, &str)>, message: String| RowError {
        file: file.to_string(),
        line: line as u64,
        column: column.map(|(i, h)| (i + 1, h.to_string())),
        message,
    };
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    // The line break that ends the last line does not start a blank one.
    let bytes = bytes.strip_suffix(b"\n").unwrap_or(bytes);
    let mut lines = bytes.split(|b| *b == b'\n').enumerate();
    let header: Vec<String> = match lines.next() {
        Some((_, h)) => String::from_utf8_lossy(h)
            .trim_end_matches('\r')
            .split('|')
            .map(|h| h.trim().to_ascii_uppercase())
            .collect(),
        None => Vec::new(),
    };
    let mut cols = [0usize; 11];
    for (i, name) in COLUMNS.iter().enumerate() {
        cols[i] = header.iter().position(|h| h == name).ok_or_else(|| {
            ImportError::one(at(
                1,
                None,
                format!(
                    "no {name} column; the header must name {}",
                    COLUMNS.join("|")
                ),
            ))
        })?;
    }
    let selected_col = header.iter().position(|h| h == "SELECTED_DRUG_YN");
    let mut groups: Vec<Group> = Vec::new();
    let mut by_id: FxHashMap<String, usize> = FxHashMap::default();
    let mut faults = Faults::default();
    let (mut rows, mut blank) = (0usize, 0usize);
    let mut fields: Vec<&str> = Vec::with_capacity(header.len());
    for (n, raw) in lines {
        let line_no = n + 1;
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        if raw.iter().all(u8::is_ascii_whitespace) {
            blank += 1;
            continue;
        }
        rows += 1;
        let Ok(text) = std::str::from_utf8(raw) else {
            faults.push(at(line_no, None, "not text (invalid UTF-8)".into()));
            continue;
        };
        fields.clear();
        fields.extend(text.split('|').map(str::trim));
        if fields.len() != header.len() {
            let msg = format!("{} fields; the header has {}", fields.len(), header.len());
            faults.push(at(line_no, None, msg));
            continue;
        }
        let mut bad = |i: usize, msg: String| {
            faults.push(at(line_no, Some((cols[i], COLUMNS[i])), msg));
        };
        let f = |i: usize| fields[cols[i]];
        let id = f(0);
        if !is_token(id) {
            bad(0, format!("formulary id `{id}` must be letters and digits"));
            continue;
        }
        let g = match by_id.get(id) {
            Some(&g) => g,
            None => {
                let version = f(1);
                let year = f(2);
                let Some(year_n) = year
                    .parse::<i32>()
                    .ok()
                    .filter(|y| year.len() == 4 && (1990..=2200).contains(y))
                else {
                    bad(2, format!("contract year `{year}` is not a year"));
                    continue;
                };
                if !is_token(version) {
                    bad(
                        1,
                        format!("formulary version `{version}` must be letters and digits"),
                    );
                    continue;
                }
                by_id.insert(id.to_string(), groups.len());
                groups.push(Group {
                    id: id.to_string(),
                    version: version.to_string(),
                    year: year_n,
                    line: line_no as u32,
                    rows: Vec::new(),
                });
                groups.len() - 1
            }
        };
        let group = &mut groups[g];
        if f(1) != group.version || f(2).parse::<i32>().ok() != Some(group.year) {
            let msg = format!(
                "formulary {id} is version {} of {} at line {}; this row says version {} of {}",
                group.version,
                group.year,
                group.line,
                f(1),
                f(2)
            );
            bad(1, msg);
            continue;
        }
        match parse_row(&f, selected_col.map(|c| fields[c])) {
            Ok(mut row) => {
                row.line = line_no as u32;
                group.rows.push(row);
            }
            Err((i, msg)) => match i {
                Some(i) => bad(i, msg),
                None => faults.push(at(
                    line_no,
                    selected_col.map(|c| (c, "SELECTED_DRUG_YN")),
                    msg,
                )),
            },
        }
    }
    if !faults.is_empty() {
        return Err(faults.into_error());
    }
    groups.sort_by(|a, b| a.id.cmp(&b.id));
    let checked: Vec<(Group, usize, Vec<RowError>)> =
        groups.into_par_iter().map(|g| merge(file, g)).collect();
    let mut basic = Basic {
        file: file.to_string(),
        groups: Vec::with_capacity(checked.len()),
        rows,
        blank,
        duplicates: 0,
    };
    for (g, dups, errs) in checked {
        basic.duplicates += dups;
        errs.into_iter().for_each(|e| faults.push(e));
        basic.groups.push(g);
    }
    faults.into_result(basic)
}

/// The values of a row; Err with the index into [`COLUMNS`] at fault (None
/// for SELECTED_DRUG_YN).
fn parse_row<'a>(
    f: &impl Fn(usize) -> &'a str,
    selected: Option<&str>,
) -> Result<Row, (Option<usize>, String)> {
    let rxcui = parse_rxcui(f(3)).map_err(|e| (Some(3), format!("RxCUI `{}`: {e}", f(3))))?;
    let ndc = match f(4) {
        "" => None,
        s if s.len() == 11 => {
            Some(Ndc::parse(s).map_err(|e| (Some(4), format!("NDC `{s}`: {e}")))?)
        }
        s => return Err((Some(4), format!("NDC `{s}` is not 11 digits"))),
    };
    let tier = f(5)
        .parse::<u32>()
        .ok()
        .filter(|t| (1..=99).contains(t))
        .ok_or_else(|| {
            (
                Some(5),
                format!("tier `{}` is not a number from 1 to 99", f(5)),
            )
        })?;
    let yn = |i: usize| match f(i) {
        "Y" | "y" => Ok(true),
        "N" | "n" => Ok(false),
        s => Err((Some(i), format!("`{s}` is neither Y nor N"))),
    };
    let limit = if yn(6)? {
        let amount = f(7)
            .parse::<f64>()
            .ok()
            .filter(|a| {
                a.is_finite() && *a > 0.0 && f(7).bytes().all(|b| b.is_ascii_digit() || b == b'.')
            })
            .ok_or_else(|| {
                (
                    Some(7),
                    format!("quantity `{}` is not a positive amount", f(7)),
                )
            })?;
        let days = f(8)
            .parse::<u32>()
            .ok()
            .filter(|d| (1..=3660).contains(d))
            .ok_or_else(|| {
                (
                    Some(8),
                    format!("days `{}` is not a positive whole number", f(8)),
                )
            })?;
        Some((amount, days))
    } else {
        // With the flag N the amount and days carry nothing, whatever they hold.
        None
    };
    let selected = match selected {
        None | Some("") | Some("N") | Some("n") => false,
        Some("Y") | Some("y") => true,
        Some(s) => return Err((None, format!("`{s}` is neither Y nor N"))),
    };
    Ok(Row {
        rxcui,
        ndc,
        tier,
        limit,
        pa: yn(9)?,
        st: yn(10)?,
        selected,
        line: 0,
    })
}

/// Sorts a formulary's rows by RxCUI and NDC, drops exact repeats, and
/// finds conflicts: one RxCUI with other tier or edits, one NDC under two
/// RxCUIs. Returns the group, the repeats dropped and the conflicts.
fn merge(file: &str, mut g: Group) -> (Group, usize, Vec<RowError>) {
    g.rows.sort_by_key(|r| (r.rxcui, r.ndc, r.line));
    let mut errors = Vec::new();
    let conflict = |line: u32, msg: String| RowError {
        file: file.to_string(),
        line: line as u64,
        column: None,
        message: msg,
    };
    let mut ndc_owner: FxHashMap<Ndc, (u32, u32)> = FxHashMap::default();
    let mut first_of_drug = 0;
    let before = g.rows.len();
    let mut kept: Vec<Row> = Vec::with_capacity(before);
    for r in g.rows.drain(..) {
        if let Some(n) = r.ndc {
            match ndc_owner.get(&n) {
                Some(&(rx, line)) if rx != r.rxcui => {
                    errors.push(conflict(r.line, format!(
                        "NDC {} is listed for RxCUI {} here and for RxCUI {rx} at line {line} in formulary {}",
                        n.dashed(), r.rxcui, g.id
                    )));
                    continue;
                }
                _ => {
                    ndc_owner.entry(n).or_insert((r.rxcui, r.line));
                }
            }
        }
        match kept.get(first_of_drug) {
            Some(first) if first.rxcui == r.rxcui => {
                if !first.same_rules(&r) {
                    errors.push(conflict(
                        r.line,
                        format!(
                            "RxCUI {} in formulary {} has other tier or edits here than at line {}",
                            r.rxcui, g.id, first.line
                        ),
                    ));
                } else if kept.last().is_some_and(|l| l.ndc == r.ndc) {
                    // Sorted by NDC within the RxCUI: a repeat follows its twin.
                } else {
                    kept.push(r);
                }
            }
            _ => {
                first_of_drug = kept.len();
                kept.push(r);
            }
        }
    }
    let duplicates = before - kept.len() - errors.len();
    g.rows = kept;
    (g, duplicates, errors)
}
