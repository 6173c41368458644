//! Test cases beside a formulary: a YAML file of prescriptions and their
//! expected outcomes, run against the compiled formulary.
//!
//! ```yaml
//! formulary: acme.formulary        # relative to the case file
//! cases:
//!   - name: generic lisinopril pays at tier 1
//!     prescription: { date: 2026-03-02, rxcui: 314076, quantity: 30, days_supply: 30,
//!                     patient: { birth_date: 1958-04-11, sex: F } }
//!     expect: { status: paid, tier: 1, rejects: [], patient_pay: 5.00, alternative: none }
//! ```
//! Every `expect` field is optional; `rejects` is compared as a set;
//! `alternatives` lists every alternative in order, an alternative that
//! would not pay now as `NAME (needs RULE, …)`.

use crate::check::{check, Decision, Prescription, Status};
use crate::codes::Money;
use crate::Formulary;
use serde::Deserialize;
use std::fmt::Write;

/// A case file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseFile {
    /// The formulary's main file, relative to the case file.
    pub formulary: Option<String>,
    /// The cases, in order.
    pub cases: Vec<Case>,
}

/// One case.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// What the case shows.
    pub name: String,
    /// The prescription, in the `check` input schema.
    pub prescription: serde_yaml::Value,
    /// The expected outcome.
    pub expect: Expect,
}

/// Expected outcome; absent fields are not compared.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// `paid` or `rejected`.
    pub status: Option<Status>,
    /// Tier number.
    pub tier: Option<u32>,
    /// NCPDP reject codes, as a set.
    pub rejects: Option<Vec<Code>>,
    /// Patient pay in dollars, or `unknown`.
    pub patient_pay: Option<Pay>,
    /// Name of the first alternative, or `none`.
    pub alternative: Option<String>,
    /// Every alternative in order, each its name, with ` (needs …)` after
    /// the name of one that would not pay now, naming what it needs
    /// (`cardura-xl-4 (needs prior authorization cardura-xl-bph)`).
    pub alternatives: Option<Vec<String>>,
    /// The benefit phase after the fill: `deductible`, `initial` or `catastrophic`.
    pub phase: Option<String>,
    /// Deductible left after the fill, in dollars.
    pub deductible_remaining: Option<f64>,
    /// Out of pocket left before the maximum after the fill, in dollars.
    pub out_of_pocket_remaining: Option<f64>,
    /// A message code that must be among the messages (e.g. 569), or `none`
    /// for a decision whose messages carry no code.
    pub message: Option<Code>,
}

/// A reject code written as text (`MR`) or a number (`75`).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Code {
    /// `75`
    Number(u32),
    /// `MR`
    Text(String),
}

impl Code {
    fn text(&self) -> String {
        match self {
            Code::Number(n) => n.to_string(),
            Code::Text(s) => s.clone(),
        }
    }
}

/// An expected patient pay.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Pay {
    /// Dollars.
    Amount(f64),
    /// `unknown`.
    Word(String),
}

/// The result of one case.
#[derive(Debug)]
pub struct CaseResult<'f> {
    /// The case name.
    pub name: String,
    /// The decision, when the prescription could be read.
    pub decision: Option<Decision<'f>>,
    /// What differed, each as a readable paragraph; empty when it passed.
    pub failures: Vec<String>,
}

impl CaseResult<'_> {
    /// True when nothing differed.
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}

impl CaseFile {
    /// Reads a case file.
    pub fn parse(text: &str) -> Result<CaseFile, String> {
        let de = serde_yaml::Deserializer::from_str(text);
        serde_path_to_error::deserialize(de).map_err(|e| format!("{}: {}", e.path(), e.inner()))
    }

    /// Runs every case.
    pub fn run<'f>(&self, f: &'f Formulary) -> Vec<CaseResult<'f>> {
        self.cases.iter().map(|c| run_case(f, c)).collect()
    }
}

fn run_case<'f>(f: &'f Formulary, case: &Case) -> CaseResult<'f> {
    let rx = serde_yaml::to_string(&case.prescription)
        .map_err(|e| e.to_string())
        .and_then(|text| Prescription::from_str(&text).map_err(|e| e.to_string()));
    let rx = match rx {
        Ok(rx) => rx,
        Err(e) => {
            return CaseResult {
                name: case.name.clone(),
                decision: None,
                failures: vec![format!("prescription: {e}")],
            }
        }
    };
    let d = check(f, &rx);
    let failures = compare(&case.expect, &d);
    CaseResult {
        name: case.name.clone(),
        decision: Some(d),
        failures,
    }
}

/// Compares a decision with the expectation; each difference says which
/// field, what was expected, what came, and the rule that decided.
pub fn compare(e: &Expect, d: &Decision) -> Vec<String> {
    let mut out = Vec::new();
    let reasons = || {
        let mut s = String::new();
        for r in &d.rejects {
            let _ = write!(
                s,
                "\n    {} {} — {} `{}` at {}:{}",
                r.code, r.message, r.rule.kind, r.rule.name, r.rule.file, r.rule.line
            );
        }
        s
    };
    let tier_rule = || {
        d.trace
            .iter()
            .find(|t| t.rule.kind == "tier")
            .map(|t| {
                let level = t.rule.level.map(|l| format!(" on {l}")).unwrap_or_default();
                format!(
                    " (decided by `{}`{level} at {}:{})",
                    t.rule.name, t.rule.file, t.rule.line
                )
            })
            .unwrap_or_default()
    };
    if let Some(s) = e.status {
        if s != d.status {
            out.push(format!(
                "status: expected {}, got {}{}",
                status(s),
                status(d.status),
                reasons()
            ));
        }
    }
    if let Some(t) = e.tier {
        let got = d.tier.map(|t| t.number);
        if got != Some(t) {
            let got = got
                .map(|g| g.to_string())
                .unwrap_or_else(|| "no tier".into());
            out.push(format!("tier: expected {t}, got {got}{}", tier_rule()));
        }
    }
    if let Some(codes) = &e.rejects {
        let mut want: Vec<String> = codes.iter().map(Code::text).collect();
        let mut got: Vec<String> = d.rejects.iter().map(|r| r.code.to_string()).collect();
        want.sort();
        got.sort();
        if want != got {
            out.push(format!(
                "rejects: expected [{}], got [{}]{}",
                want.join(", "),
                got.join(", "),
                reasons()
            ));
        }
    }
    if let Some(p) = &e.patient_pay {
        let got = d.cost.as_ref().and_then(|c| c.patient_pay);
        let ok = match (p, got) {
            (Pay::Amount(a), Some(g)) => Money::from_dollars(*a) == g,
            (Pay::Word(w), None) => w == "unknown",
            _ => false,
        };
        if !ok {
            let want = match p {
                Pay::Amount(a) => Money::from_dollars(*a).to_string(),
                Pay::Word(w) => w.clone(),
            };
            let got = got
                .map(|g| g.to_string())
                .unwrap_or_else(|| "unknown".into());
            let share = d
                .cost
                .as_ref()
                .map(|c| format!(" ({})", c.share))
                .unwrap_or_default();
            out.push(format!(
                "patient_pay: expected {want}, got {got}{share}{}",
                tier_rule()
            ));
        }
    }
    benefit_expectations(e, d, &mut out);
    if let Some(a) = &e.alternative {
        let got = d.alternatives.first().map(|x| x.name).unwrap_or("none");
        if got != a {
            let all: Vec<&str> = d.alternatives.iter().map(|x| x.name).collect();
            out.push(format!(
                "alternative: expected {a}, got {got} (all: [{}])",
                all.join(", ")
            ));
        }
    }
    if let Some(want) = &e.alternatives {
        let got: Vec<String> = d.alternatives.iter().map(alternative_text).collect();
        if *want != got {
            out.push(format!(
                "alternatives: expected [{}], got [{}]",
                want.join(", "),
                got.join(", ")
            ));
        }
    }
    out
}

/// An alternative as a case names it: its name, and what it needs when it
/// would not pay now.
fn alternative_text(a: &crate::check::Alternative) -> String {
    if a.would_pay {
        a.name.to_string()
    } else {
        format!("{} (needs {})", a.name, a.needs.join(", "))
    }
}

/// The benefit's phase, what is left, and message codes.
fn benefit_expectations(e: &Expect, d: &Decision, out: &mut Vec<String>) {
    let b = d.benefit.as_ref();
    if let Some(p) = &e.phase {
        let got = b.map(|b| b.phase.as_str()).unwrap_or("no benefit");
        if got != p {
            out.push(format!("phase: expected {p}, got {got}"));
        }
    }
    let amounts = [
        (
            "deductible_remaining",
            e.deductible_remaining,
            b.and_then(|b| b.deductible_remaining),
        ),
        (
            "out_of_pocket_remaining",
            e.out_of_pocket_remaining,
            b.and_then(|b| b.out_of_pocket_remaining),
        ),
    ];
    for (field, want, got) in amounts {
        if let Some(w) = want {
            let w = Money::from_dollars(w);
            if got != Some(w) {
                let got = got.map(|g| g.to_string()).unwrap_or_else(|| "none".into());
                out.push(format!("{field}: expected {w}, got {got}"));
            }
        }
    }
    if let Some(c) = &e.message {
        let want = c.text();
        let codes: Vec<&str> = d.messages.iter().filter_map(|m| m.code).collect();
        let ok = if want == "none" {
            codes.is_empty()
        } else {
            codes.contains(&want.as_str())
        };
        if !ok {
            out.push(format!(
                "message: expected {want}, got [{}]",
                codes.join(", ")
            ));
        }
    }
}

fn status(s: Status) -> &'static str {
    match s {
        Status::Paid => "paid",
        Status::Rejected => "rejected",
    }
}

/// A decision as a stable snapshot: YAML without the formulary's hash and
/// version, so that only changes of outcome show in a review.
pub fn snapshot(case: &str, d: &Decision) -> String {
    let mut v = serde_yaml::to_value(d).unwrap_or(serde_yaml::Value::Null);
    if let serde_yaml::Value::Mapping(m) = &mut v {
        m.remove("formulary");
    }
    let body = serde_yaml::to_string(&v).unwrap_or_default();
    format!("# {case}\n{body}")
}

/// A file name for a case: lower case, words joined by `-`.
pub fn slug(name: &str) -> String {
    let mut s = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            s.push(c.to_ascii_lowercase());
        } else if !s.ends_with('-') && !s.is_empty() {
            s.push('-');
        }
    }
    s.trim_end_matches('-').to_string()
}
