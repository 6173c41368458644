//! Report stage: what is in force for a drug on a date, and how that changes
//! later in the year. The same rules as the checker (the most specific status
//! in force wins; every edit in force applies; a PA or step rule also needs
//! its own period), read for a document instead of a claim.

use crate::codes::DateSpan;
use crate::compile::model::{ClauseKind, DrugId, Formulary};
use crate::words::{age_words, limit_text, sex_words};
use chrono::NaiveDate;

/// Coverage of a drug on a date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Coverage {
    /// Covered at this tier.
    Tier(u32),
    /// Excluded, with the reason.
    Excluded(String),
    /// Not on the formulary; covered only through an exception.
    NonFormulary,
    /// No status clause in force: the drug has no tier on that date.
    Unlisted,
}

impl std::fmt::Display for Coverage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Coverage::Tier(n) => write!(f, "tier {n}"),
            Coverage::Excluded(r) => write!(f, "excluded ({r})"),
            Coverage::NonFormulary => write!(f, "non-formulary"),
            Coverage::Unlisted => write!(f, "not listed"),
        }
    }
}

/// The kind of a utilization management mark, in the order a list prints them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MarkKind {
    /// Prior authorization.
    Pa,
    /// Step therapy.
    St,
    /// Quantity limit.
    Ql,
    /// Age limit.
    Age,
    /// Sex limit.
    Sex,
}

impl MarkKind {
    /// Every kind, in printing order.
    pub const ALL: [MarkKind; 5] = [
        MarkKind::Pa,
        MarkKind::St,
        MarkKind::Ql,
        MarkKind::Age,
        MarkKind::Sex,
    ];

    /// The abbreviation a printed list uses.
    pub fn code(self) -> &'static str {
        match self {
            MarkKind::Pa => "PA",
            MarkKind::St => "ST",
            MarkKind::Ql => "QL",
            MarkKind::Age => "AGE",
            MarkKind::Sex => "SEX",
        }
    }

    /// The mark's name, spelled out.
    pub fn name(self) -> &'static str {
        match self {
            MarkKind::Pa => "Prior authorization",
            MarkKind::St => "Step therapy",
            MarkKind::Ql => "Quantity limit",
            MarkKind::Age => "Age limit",
            MarkKind::Sex => "Sex limit",
        }
    }

    /// What the mark means, for a legend.
    pub fn meaning(self) -> &'static str {
        match self {
            MarkKind::Pa => {
                "Prior authorization: the plan must approve the drug before it is covered."
            }
            MarkKind::St => "Step therapy: another drug must be tried first.",
            MarkKind::Ql => "Quantity limit: the amount covered per fill or per period is limited.",
            MarkKind::Age => "Age limit: covered only for members of the ages shown.",
            MarkKind::Sex => "Sex limit: covered only for members of the sex shown.",
        }
    }
}

/// One mark with its detail, e.g. `QL` with `4 per 28 days`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Mark {
    /// Kind.
    pub kind: MarkKind,
    /// Detail shown in brackets; empty for PA and ST.
    pub detail: String,
}

impl std::fmt::Display for Mark {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.detail.is_empty() {
            write!(f, "{}", self.kind.code())
        } else {
            write!(f, "{} ({})", self.kind.code(), self.detail)
        }
    }
}

/// What applies to a drug on one date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DrugState {
    /// Coverage.
    pub coverage: Coverage,
    /// Edits in force, sorted, without duplicates.
    pub marks: Vec<Mark>,
}

/// A later change of a drug's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// First day of the new state.
    pub date: NaiveDate,
    /// The state from then on.
    pub state: DrugState,
    /// What changes, in words: `tier 3`, `adds QL (2 per day)`, `drops PA`.
    pub what: String,
}

/// The state of a drug on `date`.
pub fn state_at(f: &Formulary, id: DrugId, date: NaiveDate) -> DrugState {
    let r = f.resolved(id);
    let coverage = match r
        .status
        .iter()
        .find(|s| s.clause.period.contains(date))
        .map(|s| &s.clause.kind)
    {
        Some(ClauseKind::Tier(n)) => Coverage::Tier(*n),
        Some(ClauseKind::Excluded(reason)) => Coverage::Excluded(reason.clone()),
        Some(_) => Coverage::NonFormulary,
        None => Coverage::Unlisted,
    };
    let mut marks: Vec<Mark> = r
        .edits
        .iter()
        .filter(|e| e.clause.period.contains(date))
        .filter_map(|e| mark(f, &e.clause.kind, date))
        .collect();
    marks.sort();
    marks.dedup();
    DrugState { coverage, marks }
}

fn mark(f: &Formulary, k: &ClauseKind, date: NaiveDate) -> Option<Mark> {
    let (kind, detail) = match k {
        ClauseKind::Pa(p) => {
            if !f.pas[p.0 as usize].period.contains(date) {
                return None;
            }
            (MarkKind::Pa, String::new())
        }
        ClauseKind::Step(s) => {
            if !f.steps[s.0 as usize].period.contains(date) {
                return None;
            }
            (MarkKind::St, String::new())
        }
        ClauseKind::Limit(l) => (MarkKind::Ql, limit_text(l)),
        ClauseKind::Age { min, max } => (MarkKind::Age, age_words(*min, *max)),
        ClauseKind::Sex(s) => (MarkKind::Sex, format!("{} only", sex_words(*s))),
        _ => return None,
    };
    Some(Mark { kind, detail })
}

/// Every change of the drug's state after `date` and within the formulary's
/// period, in date order.
pub fn changes_after(f: &Formulary, id: DrugId, date: NaiveDate) -> Vec<Change> {
    let r = f.resolved(id);
    let mut bounds: Vec<NaiveDate> = Vec::new();
    let mut add = |p: &DateSpan| {
        bounds.extend(p.from);
        bounds.extend(p.until.and_then(|u| u.succ_opt()));
    };
    for c in r.status.iter().chain(r.edits.iter()) {
        add(&c.clause.period);
        match c.clause.kind {
            ClauseKind::Pa(p) => add(&f.pas[p.0 as usize].period),
            ClauseKind::Step(s) => add(&f.steps[s.0 as usize].period),
            _ => {}
        }
    }
    bounds.retain(|b| *b > date && f.effective.until.is_none_or(|u| *b <= u));
    bounds.sort_unstable();
    bounds.dedup();
    let mut out = Vec::new();
    let mut prev = state_at(f, id, date);
    for b in bounds {
        let next = state_at(f, id, b);
        if next != prev {
            out.push(Change {
                date: b,
                what: describe(&prev, &next),
                state: next.clone(),
            });
            prev = next;
        }
    }
    out
}

fn describe(prev: &DrugState, next: &DrugState) -> String {
    let mut parts = Vec::new();
    if prev.coverage != next.coverage {
        parts.push(next.coverage.to_string());
    }
    for m in &next.marks {
        if !prev.marks.contains(m) {
            parts.push(format!("adds {m}"));
        }
    }
    for m in &prev.marks {
        if !next.marks.contains(m) {
            parts.push(format!("drops {m}"));
        }
    }
    parts.join(", ")
}

/// The date a document shows by default: the formulary's first day. Without
/// one, any date will do when nothing in the formulary is dated; otherwise
/// the caller must choose.
pub fn default_as_of(f: &Formulary) -> Result<Option<NaiveDate>, String> {
    if let Some(d) = f.effective.from {
        return Ok(Some(d));
    }
    let dated = f
        .drugs
        .iter()
        .flat_map(|d| d.clauses.iter())
        .chain(f.classes.iter().flat_map(|c| c.clauses.iter()))
        .any(|c| !c.period.is_always())
        || f.pas.iter().any(|p| !p.period.is_always())
        || f.steps.iter().any(|s| !s.period.is_always());
    if dated {
        Err(format!(
            "formulary {} has no effective start date and some of its rules are dated; give --as-of DATE",
            f.id
        ))
    } else {
        Ok(None)
    }
}

/// The date to evaluate on: the chosen one, or any date when nothing is dated.
pub fn eval_date(as_of: Option<NaiveDate>) -> NaiveDate {
    as_of.unwrap_or(NaiveDate::MIN)
}
