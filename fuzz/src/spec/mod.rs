//! Formulary source written from structured fuzz input.
//!
//! A [`Spec`] is what `arbitrary` builds from the fuzzer's bytes: tiers,
//! policies, nested classes and drugs with clauses, PA and step therapy
//! rules, a price list and prescriptions. [`Spec::source`] writes it as
//! formulary text that always parses, so the fuzzer spends its time in the
//! compiler and the checker rather than in syntax errors. Names and codes
//! are assigned by position and references pick among the names that exist,
//! so most inputs compile; a few reserved pick values name something missing
//! or of the wrong kind, so the compiler's error paths are reached too.
//!
//! `writer` writes the source; `claims` writes the price list and the
//! prescriptions checked against what compiled.

mod claims;
mod writer;

pub use claims::PRICE_HEADER;

use arbitrary::Arbitrary;
use chrono::{Days, NaiveDate};

/// Dates are offsets from this day, so they cluster around one plan year.
fn base() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 12, 1).expect("a valid date")
}

/// Offsets wrap at this many days (2025-12-01 to 2027-02-04).
const SPAN_DAYS: u16 = 430;

/// ICD-10 codes and patterns used by rules and claims; the last is malformed.
const ICDS: &[&str] = &[
    "E11.9", "E11.*", "E66.*", "I10", "T78.3", "F03.90", "I50.*", "E78.5", "11X",
];

/// Diagnoses on claims; the last is malformed.
const CLAIM_ICDS: &[&str] = &[
    "E11.9", "E66.01", "I10", "T78.3", "F03.90", "I50.9", "E78.5", "G30.9", "11X",
];

/// A date as an offset; the largest values write an impossible date.
#[derive(Arbitrary, Debug, Clone, Copy)]
pub struct Day(u16);

impl Day {
    /// The date, when it is a real one.
    pub fn date(self) -> Option<NaiveDate> {
        (self.0 < 65000).then(|| base() + Days::new(u64::from(self.0 % SPAN_DAYS)))
    }

    fn text(self) -> String {
        match self.date() {
            Some(d) => d.format("%Y-%m-%d").to_string(),
            None => "2026-02-30".to_string(),
        }
    }
}

/// A choice among existing names; values from 240 up pick a missing name.
#[derive(Arbitrary, Debug, Clone, Copy)]
pub struct Pick(u8);

impl Pick {
    fn of<'a>(self, pool: &'a [String]) -> &'a str {
        if self.0 >= 240 || pool.is_empty() {
            "missing-name"
        } else {
            &pool[usize::from(self.0) % pool.len()]
        }
    }

    fn index(self, len: usize) -> Option<usize> {
        (len > 0).then(|| usize::from(self.0) % len)
    }
}

/// The whole input.
#[derive(Arbitrary, Debug)]
pub struct Spec {
    header: Header,
    header_last: bool,
    /// The first tier is always written, so drugs have a tier to be on.
    first_tier: TierSpec,
    tiers: Vec<TierSpec>,
    refill: Option<u8>,
    transition: Option<(u8, u8)>,
    items: Vec<Item>,
    pas: Vec<PaSpec>,
    steps: Vec<StepSpec>,
    /// Price rows for the NDCs the source declares.
    pub prices: Vec<PriceSpec>,
    /// Prescriptions to check when the source compiles.
    pub prescriptions: Vec<RxSpec>,
    /// The date the reports are drawn for.
    pub as_of: Day,
}

#[derive(Arbitrary, Debug)]
struct Header {
    /// Zero bytes (what `arbitrary` reads once the input runs out) make a
    /// valid formulary, so flags that break one are the non-zero choice.
    omit: bool,
    id: bool,
    version: bool,
    effective: Option<Range>,
}

/// A date range: a first day and a length; the largest length inverts it.
#[derive(Arbitrary, Debug, Clone, Copy)]
struct Range(Day, u16);

impl Range {
    fn texts(self) -> (String, String) {
        let Range(from, len) = self;
        let to = match (from.date(), len) {
            (Some(d), u16::MAX) => d.pred_opt().map(|d| d.format("%Y-%m-%d").to_string()),
            (Some(d), len) => Some(
                (d + Days::new(u64::from(len % 500)))
                    .format("%Y-%m-%d")
                    .to_string(),
            ),
            (None, _) => None,
        };
        (from.text(), to.unwrap_or_else(|| "2026-13-01".to_string()))
    }
}

#[derive(Arbitrary, Debug)]
struct TierSpec {
    number: Option<u8>,
    share: Share,
    mail: Option<Share>,
    extended: Option<(u8, Share)>,
    preferred: bool,
    specialty: bool,
}

#[derive(Arbitrary, Debug)]
enum Share {
    Copay(u16),
    Coinsurance {
        percent: u8,
        min: Option<u16>,
        max: Option<u16>,
    },
}

#[derive(Arbitrary, Debug)]
enum Item {
    Class {
        label: bool,
        clauses: Vec<Clause>,
        items: Vec<Item>,
    },
    Drug(DrugSpec),
}

#[derive(Arbitrary, Debug)]
enum Kind {
    Ingredient,
    Product,
    Package,
}

/// An RxCUI or NDC: mostly unique by position, sometimes shared, sometimes malformed.
#[derive(Arbitrary, Debug, Clone, Copy)]
struct Code(u8);

#[derive(Arbitrary, Debug)]
struct DrugSpec {
    kind: Kind,
    label: bool,
    /// Each drug is on a tier unless this is set, so that claims can pay.
    no_tier: bool,
    tier: Pick,
    rxcui: Code,
    /// Leaves the RxCUI off an ingredient or product, or puts one on a package.
    flip_rxcui: bool,
    ndcs: Vec<Code>,
    of: Vec<Pick>,
    brand_of: Option<Pick>,
    also_in: Vec<Pick>,
    alternatives: Vec<Pick>,
    clauses: Vec<Clause>,
}

#[derive(Arbitrary, Debug)]
enum Clause {
    Tier(Pick, Period),
    Excluded(Period),
    NonFormulary(Period),
    Pa(Pick, Period),
    Step(Pick, Period),
    Limit(Limit, Period),
    Age(Option<u8>, Option<u8>, Period),
    Sex(bool, Period),
}

#[derive(Arbitrary, Debug)]
enum Period {
    Always,
    From(Day),
    Until(Day),
    Both(Range),
}

#[derive(Arbitrary, Debug)]
enum Limit {
    Quantity {
        amount: u8,
        half: bool,
        days: u8,
        rolling: bool,
    },
    Daily(u8),
    Supply(u8),
    Fills {
        count: u8,
        days: u8,
    },
}

#[derive(Arbitrary, Debug)]
struct PaSpec {
    label: bool,
    approvals: Vec<Vec<Condition>>,
    criteria: bool,
    duration: Option<u16>,
    effective: Option<Range>,
}

#[derive(Arbitrary, Debug)]
enum Condition {
    Diagnosis(Vec<u8>),
    Age(Option<u8>, Option<u8>),
    Sex(bool),
}

#[derive(Arbitrary, Debug)]
struct StepSpec {
    label: bool,
    reqs: Vec<Req>,
    unless: Vec<u8>,
    new_starts: bool,
    effective: Option<Range>,
}

#[derive(Arbitrary, Debug)]
struct Req {
    count: u8,
    set: Vec<SetPick>,
    min_days: Option<u8>,
    within: u16,
}

#[derive(Arbitrary, Debug)]
enum SetPick {
    Class(Pick),
    Drug(Pick),
}

/// One row of the price list.
#[derive(Arbitrary, Debug)]
pub struct PriceSpec {
    ndc: Pick,
    per_unit_micros: u32,
    effective: Day,
    unit: u8,
}

/// A prescription, written as JSON for [`formulary::Prescription::from_str`].
#[derive(Arbitrary, Debug)]
pub struct RxSpec {
    drug: DrugCode,
    date: Day,
    quantity: Quantity,
    days_supply: u16,
    daw: u8,
    diagnoses: Vec<u8>,
    pharmacy: Option<u8>,
    birth: Birth,
    sex: u8,
    enrolled: Option<Day>,
    history: Vec<FillSpec>,
    prior_authorizations: Vec<PaOnFile>,
    ingredient_cost: Option<u32>,
    dispensing_fee: Option<u16>,
}

#[derive(Arbitrary, Debug)]
enum Birth {
    YearsAgo(u8),
    Age(u8),
    Both(u8, u8),
    Neither,
}

#[derive(Arbitrary, Debug)]
enum DrugCode {
    Rxcui(Pick),
    Ndc(Pick),
}

#[derive(Arbitrary, Debug)]
enum Quantity {
    Units(u16),
    Any(f64),
}

#[derive(Arbitrary, Debug)]
struct FillSpec {
    drug: DrugCode,
    days_ago: u16,
    days_supply: u16,
    quantity: u16,
}

#[derive(Arbitrary, Debug)]
struct PaOnFile {
    drug: Option<DrugCode>,
    rule: Option<Pick>,
    from: Day,
    to: Day,
    denied: bool,
}

/// The names and codes the source declares, for references and claims.
#[derive(Debug, Default)]
pub struct Names {
    ingredients: Vec<String>,
    products: Vec<String>,
    drugs: Vec<String>,
    classes: Vec<String>,
    pas: Vec<String>,
    steps: Vec<String>,
    tiers: Vec<u32>,
    /// RxCUIs written, in order.
    pub rxcuis: Vec<u32>,
    /// NDCs written (dashed), in order.
    pub ndcs: Vec<String>,
}

/// A count or a number of days: zero input gives 1, the largest gives 0
/// (which the compiler refuses).
fn positive(v: u8) -> u32 {
    if v == u8::MAX {
        0
    } else {
        u32::from(v) + 1
    }
}

/// A days supply of 1 to 365; the largest input gives 400 (which reading refuses).
fn days_supply(v: u16) -> u32 {
    if v == u16::MAX {
        400
    } else {
        1 + u32::from(v) % 365
    }
}

fn positive16(v: u16) -> u32 {
    if v == u16::MAX {
        0
    } else {
        u32::from(v) + 1
    }
}

/// A percent up to 100; the largest input gives 150 (which the compiler refuses).
fn percent(v: u8) -> u32 {
    if v == u8::MAX {
        150
    } else {
        u32::from(v) % 101
    }
}
