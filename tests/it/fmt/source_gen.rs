//! A proptest strategy for valid formulary source: the grammar's constructs
//! (tiers with variants, policies, nested classes, ingredients, products,
//! packages, every clause with and without periods, prior authorization and
//! step therapy blocks) written with messy spacing, optional commas, line
//! breaks, tabs, CRLF and comments between tokens.
//!
//! Names are made from indexes and references point only at things that
//! exist, so every generated formulary compiles: step therapy sets name
//! only "base" ingredients that have a tier and no edits, so no step can
//! be unsatisfiable or cyclic.

use proptest::prelude::*;

/// A generated formulary: its source text.
pub fn formulary() -> impl Strategy<Value = String> {
    (spec(), prop::collection::vec(any::<u8>(), 256)).prop_map(|(s, noise)| render(&s, noise))
}

#[derive(Debug, Clone)]
struct Spec {
    tiers: Vec<TierSpec>,
    refill: Option<u64>,
    transition: Option<(u64, u64)>,
    bases: usize,
    classes: Vec<ClassSpec>,
    top: Vec<DrugSpec>,
    pas: Vec<PaSpec>,
    steps: Vec<StepSpec>,
}

#[derive(Debug, Clone)]
struct TierSpec {
    share: ShareSpec,
    mail: Option<ShareSpec>,
    days90: Option<ShareSpec>,
    preferred: bool,
    specialty: bool,
}

#[derive(Debug, Clone)]
enum ShareSpec {
    Copay(u64),
    Coins(u64, Option<u64>, Option<u64>),
}

#[derive(Debug, Clone)]
struct ClassSpec {
    label: Option<usize>,
    clauses: Vec<ClauseSpec>,
    drugs: Vec<DrugSpec>,
    nested: Vec<DrugSpec>,
}

#[derive(Debug, Clone)]
struct DrugSpec {
    kind: u8,
    label: Option<usize>,
    rxcui: bool,
    ndcs: Vec<u8>,
    brand: bool,
    clauses: Vec<ClauseSpec>,
}

#[derive(Debug, Clone)]
enum ClauseSpec {
    Tier(u8, u8),
    Excluded(usize, u8),
    NonFormulary(u8),
    Pa(u8, u8),
    Step(u8, u8),
    Limit(u8, u8, u8),
    Age(Option<u8>, Option<u8>, u8),
    Sex(bool, u8),
    AlsoIn(u8),
    Alternatives(Vec<u8>),
}

#[derive(Debug, Clone)]
struct PaSpec {
    label: Option<usize>,
    approvals: Vec<Vec<u8>>,
    criteria: Vec<usize>,
    duration: Option<u64>,
    effective: bool,
}

#[derive(Debug, Clone)]
struct StepSpec {
    label: Option<usize>,
    steps: Vec<(u8, bool)>,
    unless: Vec<Vec<u8>>,
    new_starts: bool,
    effective: bool,
}

const LABELS: &[&str] = &[
    "Preferred generic",
    "lisinopril 10 MG Oral Tablet",
    "Brand \"X\" #1",
    "back\\slash",
    "A very long label for a product that makes the entry wrap over several lines",
    "Ozempic 0.25 MG/DOSE Pen Injector",
    "",
];
const ICDS: &[&str] = &["E11.*", "E66.9", "I10", "T78.3", "F32.A", "E78*", "Z79.4"];
const PERIODS: &[&str] = &[
    "",
    " from 2026-07-01",
    " until 2026-06-30",
    " from 2026-03-01 until 2026-09-30",
];

fn share() -> impl Strategy<Value = ShareSpec> {
    prop_oneof![
        (0u64..20_000).prop_map(ShareSpec::Copay),
        (
            0u64..=10_000,
            prop::option::of(0u64..5_000),
            prop::option::of(5_000u64..50_000)
        )
            .prop_map(|(p, a, b)| ShareSpec::Coins(p, a, b)),
    ]
}

fn tier() -> impl Strategy<Value = TierSpec> {
    (
        share(),
        prop::option::of(share()),
        prop::option::of(share()),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(share, mail, days90, preferred, specialty)| TierSpec {
            share,
            mail,
            days90,
            preferred,
            specialty,
        })
}

fn clause() -> impl Strategy<Value = ClauseSpec> {
    let p = 0u8..4;
    prop_oneof![
        3 => (any::<u8>(), p.clone()).prop_map(|(t, p)| ClauseSpec::Tier(t, p)),
        1 => (0..LABELS.len(), p.clone()).prop_map(|(l, p)| ClauseSpec::Excluded(l, p)),
        1 => p.clone().prop_map(ClauseSpec::NonFormulary),
        2 => (any::<u8>(), p.clone()).prop_map(|(r, p)| ClauseSpec::Pa(r, p)),
        2 => (any::<u8>(), p.clone()).prop_map(|(r, p)| ClauseSpec::Step(r, p)),
        2 => (0u8..4, any::<u8>(), p.clone()).prop_map(|(k, v, p)| ClauseSpec::Limit(k, v, p)),
        1 => (prop::option::of(0u8..40), prop::option::of(40u8..100), p.clone())
            .prop_map(|(a, b, p)| ClauseSpec::Age(a, b, p)),
        1 => (any::<bool>(), p.clone()).prop_map(|(f, p)| ClauseSpec::Sex(f, p)),
        1 => any::<u8>().prop_map(ClauseSpec::AlsoIn),
        1 => prop::collection::vec(any::<u8>(), 1..3).prop_map(ClauseSpec::Alternatives),
    ]
}

fn drug() -> impl Strategy<Value = DrugSpec> {
    (
        0u8..3,
        prop::option::of(0..LABELS.len()),
        any::<bool>(),
        prop::collection::vec(any::<u8>(), 0..4),
        any::<bool>(),
        prop::collection::vec(clause(), 0..5),
    )
        .prop_map(|(kind, label, rxcui, ndcs, brand, clauses)| DrugSpec {
            kind,
            label,
            rxcui,
            ndcs,
            brand,
            clauses,
        })
}

fn class() -> impl Strategy<Value = ClassSpec> {
    (
        prop::option::of(0..LABELS.len()),
        prop::collection::vec(clause(), 0..2),
        prop::collection::vec(drug(), 1..6),
        prop::collection::vec(drug(), 0..3),
    )
        .prop_map(|(label, clauses, drugs, nested)| ClassSpec {
            label,
            clauses,
            drugs,
            nested,
        })
}

fn pa() -> impl Strategy<Value = PaSpec> {
    (
        prop::option::of(0..LABELS.len()),
        prop::collection::vec(prop::collection::vec(any::<u8>(), 1..4), 0..3),
        prop::collection::vec(0..LABELS.len(), 0..2),
        prop::option::of(1u64..400),
        any::<bool>(),
    )
        .prop_map(|(label, approvals, criteria, duration, effective)| PaSpec {
            label,
            approvals,
            criteria,
            duration,
            effective,
        })
}

fn step() -> impl Strategy<Value = StepSpec> {
    (
        prop::option::of(0..LABELS.len()),
        prop::collection::vec((any::<u8>(), any::<bool>()), 1..3),
        prop::collection::vec(prop::collection::vec(any::<u8>(), 1..3), 0..3),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(label, steps, unless, new_starts, effective)| StepSpec {
            label,
            steps,
            unless,
            new_starts,
            effective,
        })
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        prop::collection::vec(tier(), 1..5),
        prop::option::of(50u64..=100),
        prop::option::of((30u64..120, 7u64..35)),
        1usize..4,
        prop::collection::vec(class(), 0..3),
        prop::collection::vec(drug(), 0..4),
        prop::collection::vec(pa(), 1..3),
        prop::collection::vec(step(), 1..3),
    )
        .prop_map(
            |(tiers, refill, transition, bases, classes, top, pas, steps)| Spec {
                tiers,
                refill: refill.map(|r| r * 100),
                transition,
                bases,
                classes,
                top,
                pas,
                steps,
            },
        )
}

/// Writes tokens with separators taken from the noise.
struct Messy {
    out: String,
    noise: Vec<u8>,
    at: usize,
    comments: usize,
}

impl Messy {
    fn pick(&mut self) -> u8 {
        let b = self.noise[self.at % self.noise.len()];
        self.at += 1;
        b
    }

    /// Whitespace (sometimes a comment) between two tokens.
    fn sep(&mut self) {
        let s = match self.pick() % 24 {
            0 => "  ".to_string(),
            1 => "\n".to_string(),
            2 => "\n\t  ".to_string(),
            3 => {
                self.comments += 1;
                format!(" # note {}\n", self.comments)
            }
            4 => "\r\n   ".to_string(),
            5 => {
                self.comments += 1;
                format!("\n  # own line {}\n", self.comments)
            }
            _ => " ".to_string(),
        };
        self.out.push_str(&s);
    }

    /// Tokens separated by messy whitespace; a token of several words is
    /// split between its words (never inside a string).
    fn toks(&mut self, toks: &[&str]) {
        for t in toks.iter().flat_map(|t| words(t)) {
            if !self.out.is_empty() && !self.out.ends_with(['\n', ' ', '\t']) {
                self.sep();
            } else if !self.out.is_empty() && self.pick().is_multiple_of(5) {
                self.out.push(' ');
            }
            self.out.push_str(t);
        }
    }

    /// The end of a statement: a newline, sometimes a blank line or a comment.
    fn end(&mut self) {
        let s = match self.pick() % 10 {
            0 => "\n\n".to_string(),
            1 => {
                self.comments += 1;
                format!("   # after {}\n", self.comments)
            }
            2 => {
                self.comments += 1;
                format!("\n\n\n# section {}\n", self.comments)
            }
            _ => "\n".to_string(),
        };
        self.out.push_str(&s);
    }

    /// Before a clause: maybe a comma.
    fn clause_start(&mut self) {
        if self.pick().is_multiple_of(4) {
            self.out.push(',');
        }
    }
}

/// The words of a token, keeping quoted strings whole.
fn words(t: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut start, mut in_str, mut esc) = (None, false, false);
    for (i, c) in t.char_indices() {
        if in_str {
            match (esc, c) {
                (true, _) => esc = false,
                (false, '\\') => esc = true,
                (false, '"') => in_str = false,
                _ => {}
            }
            continue;
        }
        match c {
            ' ' => {
                if let Some(s) = start.take() {
                    out.push(&t[s..i]);
                }
            }
            _ => {
                if c == '"' {
                    in_str = true;
                }
                start.get_or_insert(i);
            }
        }
    }
    if let Some(s) = start {
        out.push(&t[s..]);
    }
    out
}

fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

fn money(c: u64) -> String {
    if c.is_multiple_of(100) {
        format!("${}", c / 100)
    } else {
        format!("${}.{:02}", c / 100, c % 100)
    }
}

fn share_text(s: &ShareSpec) -> String {
    match s {
        ShareSpec::Copay(c) => format!("copay {}", money(*c)),
        ShareSpec::Coins(p, min, max) => {
            let mut t = format!("coinsurance {}.{:02}%", p / 100, p % 100);
            if let Some(m) = min {
                t.push_str(&format!(" min {}", money(*m)));
            }
            if let Some(m) = max {
                t.push_str(&format!(" max {}", money(*m)));
            }
            t
        }
    }
}

/// Everything rendering needs to know to make valid references.
struct Names {
    tiers: usize,
    classes: Vec<String>,
    drugs: Vec<String>,
    ingredients: Vec<String>,
    products: Vec<String>,
    generics: Vec<String>,
    pas: usize,
    steps: usize,
    bases: usize,
    next: usize,
}

fn render(s: &Spec, noise: Vec<u8>) -> String {
    let mut w = Messy {
        out: String::new(),
        noise,
        at: 0,
        comments: 0,
    };
    let mut n = Names {
        tiers: s.tiers.len(),
        classes: Vec::new(),
        drugs: Vec::new(),
        ingredients: Vec::new(),
        products: Vec::new(),
        generics: Vec::new(),
        pas: s.pas.len(),
        steps: s.steps.len(),
        bases: s.bases,
        next: 0,
    };
    // Class names first, so `also in` can point forward.
    let mut k = 0;
    for c in &s.classes {
        n.classes.push(format!("cls{k}"));
        k += 1;
        if !c.nested.is_empty() {
            n.classes.push(format!("cls{k}"));
            k += 1;
        }
    }
    w.toks(&[
        "formulary",
        "\"Generated\"",
        "id",
        "GEN-1",
        "version",
        "1.0",
        "effective",
        "2026-01-01",
        "to",
        "2026-12-31",
    ]);
    w.end();
    for (i, t) in s.tiers.iter().enumerate() {
        let num = (i + 1).to_string();
        let mut toks = vec!["tier".to_string(), num, quote(LABELS[i % LABELS.len()])];
        toks.push(share_text(&t.share));
        if let Some(m) = &t.mail {
            toks.push(format!(", {} for mail", share_text(m)));
        }
        if let Some(m) = &t.days90 {
            toks.push(format!(", {} for 90 days", share_text(m)));
        }
        if t.preferred {
            toks.push(", preferred".into());
        }
        if t.specialty {
            toks.push("specialty".into());
        }
        let refs: Vec<&str> = toks.iter().map(String::as_str).collect();
        w.toks(&refs);
        w.end();
    }
    if let Some(r) = s.refill {
        w.toks(&["refill too soon before", &format!("{}%", r / 100), "used"]);
        w.end();
    }
    if let Some((a, b)) = s.transition {
        let (a, b) = (a.to_string(), b.to_string());
        w.toks(&[
            "transition",
            "fill within",
            &a,
            "days of enrollment up to",
            &b,
            "days supply",
        ]);
        w.end();
    }
    for b in 0..s.bases {
        let name = format!("base{b}");
        let rx = (900 + b).to_string();
        w.toks(&["ingredient", &name, "rxcui", &rx, "tier", "1"]);
        w.end();
        n.ingredients.push(name.clone());
        n.drugs.push(name);
    }
    let mut k = 0;
    for c in &s.classes {
        let name = n.classes[k].clone();
        k += 1;
        class_open(&mut w, &mut n, &name, c.label, &c.clauses);
        for d in &c.drugs {
            drug_line(&mut w, &mut n, d);
        }
        if !c.nested.is_empty() {
            let inner = n.classes[k].clone();
            k += 1;
            class_open(&mut w, &mut n, &inner, None, &[]);
            for d in &c.nested {
                drug_line(&mut w, &mut n, d);
            }
            w.toks(&["}"]);
            w.end();
        }
        w.toks(&["}"]);
        w.end();
    }
    for d in &s.top {
        drug_line(&mut w, &mut n, d);
    }
    for (i, p) in s.pas.iter().enumerate() {
        rule_open(&mut w, "prior authorization", &format!("pa{i}"), p.label);
        for a in &p.approvals {
            let mut conds = Vec::new();
            for (j, c) in a.iter().enumerate() {
                conds.push(match c % 3 {
                    0 => format!(
                        "diagnosis {}",
                        (0..=(c / 3) % 2)
                            .map(|x| ICDS[(*c as usize + x as usize + j) % ICDS.len()])
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    1 => format!("age {}..", c % 70),
                    _ => format!(
                        "sex {}",
                        ["F", "male", "M", "female"][(*c as usize / 3) % 4]
                    ),
                });
            }
            w.toks(&["approve when", &conds.join(" and ")]);
            w.end();
        }
        for c in &p.criteria {
            w.toks(&["criteria", &quote(LABELS[*c])]);
            w.end();
        }
        if let Some(d) = p.duration {
            w.toks(&["duration", &d.to_string(), "days"]);
            w.end();
        }
        if p.effective {
            w.toks(&["effective 2026-01-01 to 2026-12-31"]);
            w.end();
        }
        w.toks(&["}"]);
        w.end();
    }
    for (i, st) in s.steps.iter().enumerate() {
        rule_open(&mut w, "step therapy", &format!("st{i}"), st.label);
        for (j, (pick, days)) in st.steps.iter().enumerate() {
            let a = format!("base{}", *pick as usize % n.bases);
            let b = format!("base{}", (*pick as usize + 1) % n.bases);
            let set = if a == b { a } else { format!("{a}, {b}") };
            let then = if j > 0 { "then tried" } else { "tried" };
            let min = if *days { " for 30 days" } else { "" };
            w.toks(&[then, "any 1 of", &set, &format!("{min} within 180 days")]);
            w.end();
        }
        for u in &st.unless {
            let codes: Vec<&str> = u.iter().map(|c| ICDS[*c as usize % ICDS.len()]).collect();
            w.toks(&["unless diagnosis", &codes.join(", ")]);
            w.end();
        }
        if st.new_starts {
            w.toks(&["new starts only"]);
            w.end();
        }
        if st.effective {
            w.toks(&["effective 2026-02-01 to 2026-12-31"]);
            w.end();
        }
        w.toks(&["}"]);
        w.end();
    }
    w.out
}

fn label_tok(l: Option<usize>) -> Option<String> {
    l.map(|l| quote(LABELS[l]))
}

fn class_open(
    w: &mut Messy,
    n: &mut Names,
    name: &str,
    label: Option<usize>,
    clauses: &[ClauseSpec],
) {
    let mut toks = vec!["class".to_string(), name.to_string()];
    toks.extend(label_tok(label));
    let refs: Vec<&str> = toks.iter().map(String::as_str).collect();
    w.toks(&refs);
    for c in allowed(clauses) {
        // A class takes coverage and edits; identity clauses belong to drugs.
        if !matches!(c, ClauseSpec::AlsoIn(_) | ClauseSpec::Alternatives(_)) {
            clause_text(w, n, c);
        }
    }
    w.toks(&["{"]);
    w.end();
}

fn rule_open(w: &mut Messy, kw: &str, name: &str, label: Option<usize>) {
    let mut toks = vec![kw.to_string(), name.to_string()];
    toks.extend(label_tok(label));
    toks.push("{".into());
    let refs: Vec<&str> = toks.iter().map(String::as_str).collect();
    w.toks(&refs);
    w.end();
}

fn ndc_text(i: usize, style: u8) -> String {
    let (a, b, c) = (100 + i / 100, i % 100, style % 7 + 1);
    match style % 3 {
        0 => format!("{a:05}-{b:04}-{c:02}"),
        1 => format!("{a:05}{b:04}{c:02}"),
        _ => format!("{a:04}-{b:04}-{c:02}"),
    }
}

fn drug_line(w: &mut Messy, n: &mut Names, d: &DrugSpec) {
    let i = n.next;
    n.next += 1;
    // A package needs a product and a product an ingredient to point at.
    let kind = match d.kind {
        2 if !n.products.is_empty() => 2,
        1 | 2 if !n.ingredients.is_empty() => 1,
        _ => 0,
    };
    let mut toks: Vec<String> = Vec::new();
    let name = match kind {
        0 => format!("ing{i}"),
        1 => format!("prod{i}"),
        _ => ndc_text(i, d.ndcs.first().copied().unwrap_or(0)),
    };
    toks.push(["ingredient", "product", "package"][kind].into());
    toks.push(name.clone());
    toks.extend(label_tok(d.label));
    let refs: Vec<&str> = toks.iter().map(String::as_str).collect();
    w.toks(&refs);
    let mut identity: Vec<String> = Vec::new();
    match kind {
        0 => identity.push(format!("rxcui {}", 2000 + i)),
        1 => {
            if d.rxcui || d.ndcs.is_empty() {
                identity.push(format!("rxcui {}", 2000 + i));
            }
            if !d.ndcs.is_empty() {
                let codes: Vec<String> = d
                    .ndcs
                    .iter()
                    .enumerate()
                    .map(|(j, s)| ndc_text(10_000 + i * 10 + j, *s))
                    .collect();
                identity.push(format!("ndc {}", codes.join(", ")));
            }
            let ing = &n.ingredients[i % n.ingredients.len()];
            identity.push(format!("of {ing}"));
            if d.brand {
                if let Some(g) = n.generics.get(i % n.generics.len().max(1)) {
                    identity.push(format!("brand of {g}"));
                }
            }
        }
        _ => identity.push(format!("of {}", n.products[i % n.products.len()])),
    }
    // Identity clauses go in among the others, in no particular order.
    let mut rest = allowed(&d.clauses);
    let mut at = 0;
    for id in identity {
        let cut = (at + d.ndcs.len()).min(rest.len());
        for c in &rest[at..cut] {
            clause_text(w, n, c);
        }
        at = cut;
        w.clause_start();
        w.toks(&[&id]);
    }
    for c in rest.drain(at..) {
        clause_text(w, n, c);
    }
    w.end();
    match kind {
        0 => n.ingredients.push(name.clone()),
        1 => {
            n.products.push(name.clone());
            if !d.brand {
                n.generics.push(name.clone());
            }
        }
        _ => {}
    }
    if kind != 2 {
        n.drugs.push(name);
    }
}

/// The clauses an entry may have together: `also in` and `alternatives`
/// once each, and coverage statuses only with periods that do not overlap.
fn allowed(clauses: &[ClauseSpec]) -> Vec<&ClauseSpec> {
    let (mut also, mut alts) = (false, false);
    let mut periods: Vec<usize> = Vec::new();
    clauses
        .iter()
        .filter(|c| match c {
            ClauseSpec::AlsoIn(_) => !std::mem::replace(&mut also, true),
            ClauseSpec::Alternatives(_) => !std::mem::replace(&mut alts, true),
            ClauseSpec::Tier(_, p) | ClauseSpec::Excluded(_, p) | ClauseSpec::NonFormulary(p) => {
                let p = *p as usize % PERIODS.len();
                // Only "until 06-30" (2) and "from 07-01" (1) are disjoint.
                let ok = periods
                    .iter()
                    .all(|q| (p == 1 && *q == 2) || (p == 2 && *q == 1));
                if ok {
                    periods.push(p);
                }
                ok
            }
            _ => true,
        })
        .collect()
}

fn clause_text(w: &mut Messy, n: &Names, c: &ClauseSpec) {
    let per = |p: &u8| PERIODS[*p as usize % PERIODS.len()];
    let t = match c {
        ClauseSpec::Tier(t, p) => format!("tier {}{}", *t as usize % n.tiers + 1, per(p)),
        ClauseSpec::Excluded(l, p) => format!("excluded {}{}", quote(LABELS[*l]), per(p)),
        ClauseSpec::NonFormulary(p) => format!("non-formulary{}", per(p)),
        ClauseSpec::Pa(r, p) => format!("pa pa{}{}", *r as usize % n.pas, per(p)),
        ClauseSpec::Step(r, p) => format!("step st{}{}", *r as usize % n.steps, per(p)),
        ClauseSpec::Limit(k, v, p) => {
            let what = match k {
                0 => format!(
                    "{}.{} per {} days{}",
                    v % 9 + 1,
                    v % 10,
                    [28, 30, 90][*v as usize % 3],
                    if v % 2 == 0 { " rolling" } else { "" }
                ),
                1 => format!("{} per day", v % 4 + 1),
                2 => format!("{} days supply", [30, 34, 90][*v as usize % 3]),
                _ => format!(
                    "{} {} per 30 days",
                    v % 3 + 1,
                    ["fill", "fills"][*v as usize % 2]
                ),
            };
            format!("limit {what}{}", per(p))
        }
        ClauseSpec::Age(a, b, p) => format!(
            "age {}..{}{}",
            a.map(|x| x.to_string()).unwrap_or_default(),
            b.map(|x| x.to_string()).unwrap_or_default(),
            per(p)
        ),
        ClauseSpec::Sex(f, p) => format!("sex {}{}", if *f { "female" } else { "M" }, per(p)),
        ClauseSpec::AlsoIn(k) => match n.classes.get(*k as usize % n.classes.len().max(1)) {
            Some(c) => format!("also in {c}"),
            None => return,
        },
        ClauseSpec::Alternatives(list) => {
            let names: Vec<&str> = list
                .iter()
                .map(|k| n.drugs[*k as usize % n.drugs.len()].as_str())
                .collect();
            format!("alternatives {}", names.join(", "))
        }
    };
    w.clause_start();
    w.toks(&[&t]);
}
