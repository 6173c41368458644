//! Re-checking a file of prescriptions under the old and the new version
//! and counting the decisions that changed.
//!
//! The file is read in chunks; each chunk is checked on every core while the
//! next one is read. Decisions borrow from their formulary and are reduced
//! at once to a small summary, so memory stays flat however long the file.

use crate::check::lines::{Line, Lines};
use crate::check::{check, Decision, Prescription, RejectCode};
use crate::codes::Money;
use crate::compile::model::Formulary;
use rayon::prelude::*;
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::BufRead;

/// How a decision changed. A claim can change in several ways at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ClaimChange {
    /// Paid before, rejected now.
    NewlyRejected,
    /// Rejected before, paid now.
    NewlyPaid,
    /// Filled at a higher tier.
    TierUp,
    /// Filled at a lower tier.
    TierDown,
    /// The patient pays more.
    PatientPayUp,
    /// The patient pays less.
    PatientPayDown,
    /// A reject code the claim did not get before (`75` PA, `608` step, `76` quantity, ...).
    NewReject(RejectCode),
    /// A reject code the claim no longer gets.
    RejectCleared(RejectCode),
}

impl ClaimChange {
    /// A stable name: `newly_rejected`, `new_reject_75`, ...
    pub fn key(&self) -> String {
        match self {
            ClaimChange::NewlyRejected => "newly_rejected".into(),
            ClaimChange::NewlyPaid => "newly_paid".into(),
            ClaimChange::TierUp => "tier_up".into(),
            ClaimChange::TierDown => "tier_down".into(),
            ClaimChange::PatientPayUp => "patient_pay_up".into(),
            ClaimChange::PatientPayDown => "patient_pay_down".into(),
            ClaimChange::NewReject(c) => format!("new_reject_{c}"),
            ClaimChange::RejectCleared(c) => format!("reject_cleared_{c}"),
        }
    }

    /// In words, for reports.
    pub fn describe(&self) -> String {
        match self {
            ClaimChange::NewlyRejected => "newly rejected".into(),
            ClaimChange::NewlyPaid => "newly paid".into(),
            ClaimChange::TierUp => "tier up".into(),
            ClaimChange::TierDown => "tier down".into(),
            ClaimChange::PatientPayUp => "patient pays more".into(),
            ClaimChange::PatientPayDown => "patient pays less".into(),
            ClaimChange::NewReject(c) => format!("new reject {c} ({})", c.words()),
            ClaimChange::RejectCleared(c) => format!("reject {c} cleared ({})", c.words()),
        }
    }
}

/// One claim whose decision changed.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Example {
    /// Line in the claims file (one-based).
    pub line: u64,
    /// The drug (its name in the new version, else the old, else the code).
    pub drug: String,
    /// The old decision in brief.
    pub old: Outcome,
    /// The new decision in brief.
    pub new: Outcome,
}

/// A line that is not a valid prescription.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct Unreadable {
    /// Line in the claims file (one-based).
    pub line: u64,
    /// What is wrong.
    pub error: String,
}

/// Claims of one kind of change.
#[derive(Debug, Clone, Default, Serialize)]
pub struct KindStats {
    /// How many claims.
    pub count: u64,
    /// The first few, by line.
    pub examples: Vec<Example>,
}

/// Total patient or plan pay over the claims that could be priced.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct CostTotals {
    /// Claims priced under both versions.
    pub priced: u64,
    /// Claims that could not be priced under one version or both (no cost basis).
    pub unpriced: u64,
    /// Total under the old version, in cents.
    pub old_cents: i64,
    /// Total under the new version, in cents.
    pub new_cents: i64,
}

impl CostTotals {
    /// New minus old.
    pub fn change(&self) -> Money {
        Money(self.new_cents - self.old_cents)
    }
    fn add(&mut self, old: Option<i64>, new: Option<i64>) {
        match (old, new) {
            (Some(a), Some(b)) => {
                self.priced += 1;
                self.old_cents += a;
                self.new_cents += b;
            }
            _ => self.unpriced += 1,
        }
    }
    fn merge(&mut self, o: &CostTotals) {
        self.priced += o.priced;
        self.unpriced += o.unpriced;
        self.old_cents += o.old_cents;
        self.new_cents += o.new_cents;
    }
}

/// The impact of a change on a file of claims.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ClaimsImpact {
    /// Claims read (non-blank lines).
    pub claims: u64,
    /// Lines that are not a valid prescription.
    pub unreadable: u64,
    /// The first few unreadable lines.
    pub unreadable_examples: Vec<Unreadable>,
    /// Claims whose decision changed in any way counted here.
    pub changed: u64,
    /// Per kind of change.
    #[serde(serialize_with = "by_key")]
    pub kinds: BTreeMap<ClaimChange, KindStats>,
    /// Patient pay over all claims (a rejected claim costs nothing at the counter).
    pub patient_pay: CostTotals,
    /// Plan pay over all claims (a rejected claim costs nothing at the counter).
    pub plan_pay: CostTotals,
    /// Examples kept per kind.
    #[serde(skip)]
    pub max_examples: usize,
}

fn by_key<S: serde::Serializer>(
    m: &BTreeMap<ClaimChange, KindStats>,
    s: S,
) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut map = s.serialize_map(Some(m.len()))?;
    for (k, v) in m {
        map.serialize_entry(&k.key(), v)?;
    }
    map.end()
}

impl ClaimsImpact {
    fn new(max_examples: usize) -> Self {
        ClaimsImpact {
            max_examples,
            ..Default::default()
        }
    }

    /// Adds the results of a later part of the file.
    fn merge(&mut self, later: ClaimsImpact) {
        self.claims += later.claims;
        self.unreadable += later.unreadable;
        self.changed += later.changed;
        self.unreadable_examples.extend(later.unreadable_examples);
        self.unreadable_examples.sort();
        self.unreadable_examples.truncate(self.max_examples);
        for (k, v) in later.kinds {
            let e = self.kinds.entry(k).or_default();
            e.count += v.count;
            e.examples.extend(v.examples);
            e.examples.sort_by_key(|x| x.line);
            e.examples.truncate(self.max_examples);
        }
        self.patient_pay.merge(&later.patient_pay);
        self.plan_pay.merge(&later.plan_pay);
    }

    /// Counts a line that is not a prescription, keeping the first few.
    fn unreadable_line(&mut self, line: u64, error: String) {
        self.unreadable += 1;
        if self.unreadable_examples.len() < self.max_examples {
            self.unreadable_examples.push(Unreadable {
                line,
                error: crate::compile::load::reference::short(&error),
            });
        }
    }

    fn add_line(&mut self, old: &Formulary, new: &Formulary, line: u64, text: &str) {
        self.claims += 1;
        let rx = match Prescription::from_json(text) {
            Ok(rx) => rx,
            Err(e) => return self.unreadable_line(line, e.to_string()),
        };
        let (a, b) = (check(old, &rx), check(new, &rx));
        let (sa, sb) = (Outcome::of(&a), Outcome::of(&b));
        self.patient_pay.add(sa.patient_cents, sb.patient_cents);
        self.plan_pay.add(sa.plan_cents, sb.plan_cents);
        let kinds = changes(&sa, &sb);
        if kinds.is_empty() {
            return;
        }
        self.changed += 1;
        let drug = b
            .drug
            .as_ref()
            .or(a.drug.as_ref())
            .map(|d| d.name.to_string())
            .unwrap_or_else(|| submitted(&rx));
        for k in kinds {
            let stats = self.kinds.entry(k).or_default();
            stats.count += 1;
            if stats.examples.len() < self.max_examples {
                stats.examples.push(Example {
                    line,
                    drug: drug.clone(),
                    old: sa.clone(),
                    new: sb.clone(),
                });
            }
        }
    }
}

fn submitted(rx: &Prescription) -> String {
    match (rx.ndc, rx.rxcui) {
        (Some(n), _) => format!("NDC {}", n.dashed()),
        (_, Some(r)) => format!("RxCUI {r}"),
        _ => "unknown drug".into(),
    }
}

/// What matters of a decision for the comparison.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Outcome {
    /// Paid or rejected.
    pub paid: bool,
    /// Tier of the fill.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tier: Option<u32>,
    /// Patient pay in cents; 0 when rejected, absent when it could not be priced.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub patient_cents: Option<i64>,
    /// Plan pay in cents; 0 when rejected, absent when it could not be priced.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plan_cents: Option<i64>,
    /// Reject codes, sorted.
    pub rejects: Vec<RejectCode>,
}

impl Outcome {
    fn of(d: &Decision) -> Outcome {
        let paid = d.is_paid();
        let cost = d.cost.as_ref();
        let pay = |m: Option<Money>| if paid { m.map(|m| m.0) } else { Some(0) };
        let mut codes: Vec<RejectCode> = d.rejects.iter().map(|r| r.code).collect();
        codes.sort_unstable();
        codes.dedup();
        Outcome {
            paid,
            tier: d.tier.map(|t| t.number),
            patient_cents: pay(cost.and_then(|c| c.patient_pay)),
            plan_cents: pay(cost.and_then(|c| c.plan_pay)),
            rejects: codes,
        }
    }
}

impl std::fmt::Display for Outcome {
    /// `paid tier 2, patient $10.00` or `rejected 75, 608`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.paid {
            write!(f, "paid")?;
            if let Some(t) = self.tier {
                write!(f, " tier {t}")?;
            }
            match self.patient_cents {
                Some(c) => write!(f, ", patient {}", Money(c)),
                None => write!(f, ", patient pay unknown"),
            }
        } else {
            write!(f, "rejected")?;
            for (i, c) in self.rejects.iter().enumerate() {
                write!(f, "{}{c}", if i == 0 { " " } else { ", " })?;
            }
            Ok(())
        }
    }
}

fn changes(a: &Outcome, b: &Outcome) -> Vec<ClaimChange> {
    let mut out = Vec::new();
    match (a.paid, b.paid) {
        (true, false) => out.push(ClaimChange::NewlyRejected),
        (false, true) => out.push(ClaimChange::NewlyPaid),
        _ => {}
    }
    if a.paid && b.paid {
        if let (Some(x), Some(y)) = (a.tier, b.tier) {
            if y > x {
                out.push(ClaimChange::TierUp);
            } else if y < x {
                out.push(ClaimChange::TierDown);
            }
        }
        if let (Some(x), Some(y)) = (a.patient_cents, b.patient_cents) {
            if y > x {
                out.push(ClaimChange::PatientPayUp);
            } else if y < x {
                out.push(ClaimChange::PatientPayDown);
            }
        }
    }
    for c in &b.rejects {
        if !a.rejects.contains(c) {
            out.push(ClaimChange::NewReject(*c));
        }
    }
    for c in &a.rejects {
        if !b.rejects.contains(c) {
            out.push(ClaimChange::RejectCleared(*c));
        }
    }
    out
}

/// Re-checks every prescription (one JSON object per line) under both
/// versions and counts the changed decisions, keeping the first
/// `examples` of each kind. Fails only when the input cannot be read.
pub fn claims_impact<R: BufRead + Send>(
    old: &Formulary,
    new: &Formulary,
    input: R,
    examples: usize,
) -> std::io::Result<ClaimsImpact> {
    let mut lines = Lines::new(input);
    let mut read_chunk = move || lines.chunk();
    let mut total = ClaimsImpact::new(examples);
    let mut chunk = read_chunk()?;
    while !chunk.is_empty() {
        // Check this chunk on all cores while the next one is read.
        let (part, next) = rayon::join(|| check_chunk(old, new, &chunk, examples), &mut read_chunk);
        total.merge(part);
        chunk = next?;
    }
    Ok(total)
}

fn check_chunk(
    old: &Formulary,
    new: &Formulary,
    chunk: &[(u64, Line)],
    examples: usize,
) -> ClaimsImpact {
    chunk
        .par_iter()
        .with_min_len(256)
        .fold(
            || ClaimsImpact::new(examples),
            |mut acc, (n, line)| {
                match line {
                    Line::Text(text) => acc.add_line(old, new, *n, text),
                    Line::Bad(why) => {
                        acc.claims += 1;
                        acc.unreadable_line(*n, why.clone());
                    }
                    Line::Blank => {}
                }
                acc
            },
        )
        .reduce(
            || ClaimsImpact::new(examples),
            |mut a, b| {
                a.merge(b);
                a
            },
        )
}
