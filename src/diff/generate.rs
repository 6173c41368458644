//! Sample prescriptions for any compiled formulary, for trying a change on
//! realistic claims when real ones cannot be shared.
//!
//! Each claim names a real drug of the formulary (by a listed NDC, or by
//! RxCUI when it has none), with a 30- or 90-day supply and a plausible
//! quantity (sometimes over its quantity limit), a patient of a plausible
//! age and sex, diagnoses that meet the drug's prior authorization criteria
//! some of the time, fills of its step therapy prerequisites some of the
//! time, an earlier fill of the same drug (some too soon), prior
//! authorizations and enrollment dates now and then, and a submitted cost
//! most of the time.
//!
//! The generator is seeded and owns its random numbers (SplitMix64), so a
//! seed gives the same claims on every machine and every version of the
//! dependencies.

use crate::codes::{DateSpan, Ndc};
use crate::compile::model::*;
use chrono::{Days, NaiveDate};
use serde::Serialize;

/// A sample prescription, in the `check` input schema.
#[derive(Debug, Clone, Serialize)]
pub struct SampleClaim {
    date: NaiveDate,
    #[serde(skip_serializing_if = "Option::is_none")]
    ndc: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rxcui: Option<u32>,
    quantity: f64,
    days_supply: u32,
    #[serde(skip_serializing_if = "is_zero")]
    daw: u8,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    diagnoses: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pharmacy: Option<&'static str>,
    patient: SamplePatient,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    history: Vec<SampleFill>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    prior_authorizations: Vec<SamplePa>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ingredient_cost: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    dispensing_fee: Option<f64>,
}

fn is_zero(v: &u8) -> bool {
    *v == 0
}

#[derive(Debug, Clone, Serialize)]
struct SamplePatient {
    birth_date: NaiveDate,
    sex: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    enrolled: Option<NaiveDate>,
}

#[derive(Debug, Clone, Serialize)]
struct SampleFill {
    #[serde(skip_serializing_if = "Option::is_none")]
    ndc: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rxcui: Option<u32>,
    date: NaiveDate,
    days_supply: u32,
    quantity: f64,
}

#[derive(Debug, Clone, Serialize)]
struct SamplePa {
    number: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    ndc: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rxcui: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule: Option<String>,
    from: NaiveDate,
    to: NaiveDate,
    status: &'static str,
}

/// SplitMix64: small, fast and fully specified.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// 0..n (0 when n is 0).
    fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next() % n
        }
    }
    /// lo..=hi.
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi.saturating_sub(lo) + 1)
    }
    fn chance(&mut self, p: f64) -> bool {
        ((self.next() >> 11) as f64 / (1u64 << 53) as f64) < p
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> Option<&'a T> {
        xs.get(self.below(xs.len() as u64) as usize)
    }
}

/// Diagnoses common on pharmacy claims, for background.
const COMMON_DX: &[&str] = &[
    "I10", "E78.5", "E11.9", "J45.909", "F32.9", "M54.50", "K21.9", "E03.9", "G47.00", "N39.0",
];

/// An endless stream of sample claims for one formulary.
pub struct ClaimGenerator<'f> {
    f: &'f Formulary,
    rng: Rng,
    drugs: Vec<DrugId>,
    start: NaiveDate,
    days: u64,
    serial: u64,
}

impl<'f> ClaimGenerator<'f> {
    /// A generator for `f` from `seed`; the same seed gives the same claims.
    pub fn new(f: &'f Formulary, seed: u64) -> Self {
        let drugs = (0..f.drugs.len() as u32)
            .map(DrugId)
            .filter(|id| !codes(f, *id).is_empty())
            .collect();
        let (start, days) = period(f.effective);
        ClaimGenerator {
            f,
            rng: Rng(seed),
            drugs,
            start,
            days,
            serial: 0,
        }
    }

    fn day(&mut self) -> NaiveDate {
        self.start + Days::new(self.rng.below(self.days))
    }

    fn claim(&mut self) -> SampleClaim {
        self.serial += 1;
        let date = self.day();
        let drug = if self.rng.chance(0.03) {
            None
        } else {
            self.rng.pick(&self.drugs).copied()
        };
        let (ndc, rxcui) = match drug {
            Some(id) => self.code(id),
            // A drug the formulary does not list.
            None => (
                Some(format!(
                    "{:05}-{:04}-{:02}",
                    99000 + self.rng.below(999),
                    self.rng.below(9999),
                    self.rng.below(99)
                )),
                None,
            ),
        };
        let mut c = SampleClaim {
            date,
            ndc,
            rxcui,
            quantity: 30.0,
            days_supply: 30,
            daw: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 2]
                [self.rng.below(20) as usize],
            diagnoses: Vec::new(),
            pharmacy: None,
            patient: SamplePatient {
                birth_date: date,
                sex: ["F", "M"][self.rng.below(2) as usize],
                enrolled: None,
            },
            history: Vec::new(),
            prior_authorizations: Vec::new(),
            ingredient_cost: None,
            dispensing_fee: None,
        };
        if self.rng.chance(0.02) {
            c.patient.sex = "U";
        }
        let mut age = match self.rng.below(10) {
            0 => self.rng.range(1, 17),
            1..=6 => self.rng.range(18, 64),
            _ => self.rng.range(65, 95),
        };
        c.days_supply = match self.rng.below(20) {
            0..=12 => 30,
            13..=16 => 90,
            17 => 28,
            18 => 14,
            _ => 7,
        };
        let mut per_day = [1.0, 1.0, 1.0, 1.0, 2.0, 2.0, 0.5, 3.0][self.rng.below(8) as usize];
        for _ in 0..self.rng.below(3) {
            if let Some(dx) = self.rng.pick(COMMON_DX) {
                c.diagnoses.push(dx.to_string());
            }
        }
        if let Some(id) = drug {
            self.edits(id, &mut c, &mut age, &mut per_day);
            self.history(id, &mut c);
            c.ingredient_cost = self.cost(id, c.days_supply);
        }
        c.quantity = ((per_day * c.days_supply as f64) * 100.0).round().max(1.0) / 100.0;
        c.patient.birth_date = date
            .checked_sub_days(Days::new(age * 365 + age / 4 + self.rng.below(365)))
            .unwrap_or(date);
        c.pharmacy = match (c.days_supply, self.rng.below(20)) {
            (90, 0..=11) => Some("mail"),
            (_, 0..=15) => Some("retail"),
            (_, 16) => Some("specialty"),
            _ => None,
        };
        if c.ingredient_cost.is_some() && self.rng.chance(0.7) {
            c.dispensing_fee = Some(self.rng.range(50, 250) as f64 / 100.0);
        }
        if self.rng.chance(0.12) {
            c.patient.enrolled = date.checked_sub_days(Days::new(self.rng.below(150)));
        }
        c.diagnoses.sort();
        c.diagnoses.dedup();
        c
    }

    /// Submits a drug by NDC when it lists one (mostly), else by RxCUI.
    fn code(&mut self, id: DrugId) -> (Option<String>, Option<u32>) {
        let all = codes(self.f, id);
        let ndcs: Vec<&Code> = all.iter().filter(|c| matches!(c, Code::Ndc(_))).collect();
        let pick = if !ndcs.is_empty() && (self.rng.chance(0.85) || all.len() == ndcs.len()) {
            self.rng.pick(&ndcs).copied()
        } else {
            self.rng.pick(&all)
        };
        match pick {
            Some(Code::Ndc(n)) => (Some(n.dashed()), None),
            Some(Code::Rxcui(r)) => (None, Some(*r)),
            None => (None, None),
        }
    }

    /// Quantities near the drug's limits, and diagnoses, ages, sexes and
    /// prior authorizations that meet its PA criteria some of the time.
    fn edits(&mut self, id: DrugId, c: &mut SampleClaim, age: &mut u64, per_day: &mut f64) {
        let f = self.f;
        for e in &f.resolved(id).edits {
            match &e.clause.kind {
                ClauseKind::Limit(Limit::Daily(max)) => *per_day = self.near(*max, *per_day),
                ClauseKind::Limit(Limit::Quantity { amount, days, .. }) => {
                    *per_day = self.near(amount / (*days).max(1) as f64, *per_day)
                }
                ClauseKind::Limit(Limit::Supply(max)) if self.rng.chance(0.8) => {
                    c.days_supply = c.days_supply.min(*max).max(1)
                }
                ClauseKind::Pa(p) => {
                    let rule = &f.pas[p.0 as usize];
                    if self.rng.chance(0.55) {
                        if let Some(conds) = self.rng.pick(&rule.approvals) {
                            for cond in conds {
                                self.meet(cond, c, age);
                            }
                        }
                    }
                    self.pa_on_file(id, rule, c);
                }
                ClauseKind::Step(s) if self.rng.chance(0.08) => {
                    if let Some(u) = self.rng.pick(&f.steps[s.0 as usize].unless) {
                        c.diagnoses.push(icd_example(u, &mut self.rng));
                    }
                }
                ClauseKind::Age { min, max } if self.rng.chance(0.5) => {
                    let lo = min.unwrap_or(0) as u64;
                    *age = self
                        .rng
                        .range(lo, max.map(|m| m as u64).unwrap_or(lo + 40).max(lo));
                }
                _ => {}
            }
        }
    }

    /// Within a limit 80% of the time, over it otherwise.
    fn near(&mut self, limit: f64, wanted: f64) -> f64 {
        if self.rng.chance(0.8) {
            wanted.min(limit)
        } else {
            limit * 1.5
        }
    }

    fn meet(&mut self, cond: &Condition, c: &mut SampleClaim, age: &mut u64) {
        match cond {
            Condition::Diagnosis(pats) => {
                if let Some(p) = self.rng.pick(pats) {
                    c.diagnoses.push(icd_example(p, &mut self.rng));
                }
            }
            Condition::Age { min, max } => {
                let lo = min.unwrap_or(0) as u64;
                *age = self
                    .rng
                    .range(lo, max.map(|m| m as u64).unwrap_or(lo + 40).max(lo));
            }
            Condition::Sex(s) => c.patient.sex = s.as_str(),
        }
    }

    fn pa_on_file(&mut self, id: DrugId, rule: &PaRule, c: &mut SampleClaim) {
        let roll = self.rng.below(100);
        if roll >= 19 {
            return;
        }
        let (ndc, rxcui, by_rule) = if roll < 12 {
            (None, None, Some(rule.name.clone()))
        } else {
            let (n, r) = self.code(id);
            (n, r, None)
        };
        let from = c
            .date
            .checked_sub_days(Days::new(self.rng.range(1, 200)))
            .unwrap_or(c.date);
        c.prior_authorizations.push(SamplePa {
            number: format!("PA{:08}", self.serial),
            ndc,
            rxcui,
            rule: by_rule,
            from,
            to: from + Days::new(self.rng.range(90, 365)),
            status: if roll >= 16 { "denied" } else { "approved" },
        });
    }

    /// Step prerequisites (some of the time), an earlier fill of the same
    /// drug (some of the time, some too soon) and unrelated fills.
    fn history(&mut self, id: DrugId, c: &mut SampleClaim) {
        let f = self.f;
        for e in &f.resolved(id).edits {
            let ClauseKind::Step(s) = e.clause.kind else {
                continue;
            };
            if !self.rng.chance(0.55) {
                continue;
            }
            let rule = &f.steps[s.0 as usize];
            let n = rule.steps.len() as u64;
            for (k, step) in rule.steps.iter().enumerate() {
                let mut set: Vec<DrugId> = step
                    .set
                    .iter()
                    .copied()
                    .filter(|d| !codes(f, *d).is_empty())
                    .collect();
                set.sort_unstable();
                // Earlier steps earlier: later steps must come after them.
                let within = step.within_days as u64;
                let back = (within * (n - k as u64) / (n + 1)).max(1);
                for _ in 0..step.count {
                    let Some(&d) = self.rng.pick(&set) else { break };
                    let days = step.min_days.max(30);
                    let date = c
                        .date
                        .checked_sub_days(Days::new(self.rng.range(back / 2 + 1, back)))
                        .unwrap_or(c.date);
                    self.fill(d, date, days, c);
                }
            }
        }
        if self.rng.chance(0.25) {
            let date = c
                .date
                .checked_sub_days(Days::new(self.rng.range(5, 45)))
                .unwrap_or(c.date);
            self.fill(id, date, 30, c);
        }
        if self.rng.chance(0.3) {
            for _ in 0..self.rng.range(1, 3) {
                if let Some(&d) = self.rng.pick(&self.drugs) {
                    let date = c
                        .date
                        .checked_sub_days(Days::new(self.rng.range(1, 200)))
                        .unwrap_or(c.date);
                    self.fill(d, date, 30, c);
                }
            }
        }
        c.history.sort_by_key(|h| h.date);
    }

    fn fill(&mut self, id: DrugId, date: NaiveDate, days: u32, c: &mut SampleClaim) {
        let (ndc, rxcui) = self.code(id);
        c.history.push(SampleFill {
            ndc,
            rxcui,
            date,
            days_supply: days.min(365),
            quantity: days.min(365) as f64,
        });
    }

    /// A submitted ingredient cost that fits the drug's tier, 65% of the time.
    fn cost(&mut self, id: DrugId, days: u32) -> Option<f64> {
        if !self.rng.chance(0.65) {
            return None;
        }
        let tier = self
            .f
            .resolved(id)
            .status
            .iter()
            .find_map(|s| match s.clause.kind {
                ClauseKind::Tier(n) => Some(n),
                _ => None,
            });
        let specialty = tier
            .and_then(|n| self.f.tier(n))
            .is_some_and(|t| t.specialty);
        let cents = match tier {
            _ if specialty => self.rng.range(90_000, 900_000),
            Some(1 | 2) => self.rng.range(200, 4_000),
            Some(_) => self.rng.range(8_000, 70_000),
            None => self.rng.range(2_000, 50_000),
        };
        Some((cents * days as u64 / 30).max(1) as f64 / 100.0)
    }
}

impl Iterator for ClaimGenerator<'_> {
    type Item = SampleClaim;
    fn next(&mut self) -> Option<SampleClaim> {
        Some(self.claim())
    }
}

/// A code a drug can be submitted under.
enum Code {
    Ndc(Ndc),
    Rxcui(u32),
}

fn codes(f: &Formulary, id: DrugId) -> Vec<Code> {
    let d = f.drug(id);
    let mut v: Vec<Code> = d.ndcs.iter().map(|n| Code::Ndc(*n)).collect();
    v.extend(d.rxcui.map(Code::Rxcui));
    // Keep only codes that lead back to this drug (a code listed twice is a compile error).
    v.retain(|c| match c {
        Code::Ndc(n) => f.drug_by_ndc(n) == Some(id),
        Code::Rxcui(r) => f.drug_by_rxcui(*r) == Some(id),
    });
    v
}

/// The days claims are dated in: the formulary's period, or a year.
fn period(p: DateSpan) -> (NaiveDate, u64) {
    let fallback = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default();
    let start = p
        .from
        .or_else(|| p.until.and_then(|u| u.checked_sub_days(Days::new(364))))
        .unwrap_or(fallback);
    let end = p.until.unwrap_or(start + Days::new(364));
    (start, ((end - start).num_days().max(0) + 1) as u64)
}

/// A claim diagnosis that a pattern matches: a prefix gets a digit or two.
fn icd_example(p: &crate::codes::IcdPattern, rng: &mut Rng) -> String {
    let mut code = p.code.clone();
    if p.prefix {
        while code.len() < 4 + rng.below(2) as usize {
            code.push(char::from(b'0' + rng.below(10) as u8));
        }
    }
    if code.len() > 3 {
        code.insert(3, '.');
    }
    code
}
