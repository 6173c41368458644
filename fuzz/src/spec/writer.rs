//! Writing a [`Spec`] as formulary source.

use super::*;
use std::fmt::Write;

impl Spec {
    /// The formulary source, and the names and codes it declares.
    pub fn source(&self) -> (String, Names) {
        let mut names = Names::default();
        self.declare(&self.items, &mut names, &mut Counters::default());
        names.pas = (0..self.pas.len()).map(|i| format!("pa{i}")).collect();
        names.steps = (0..self.steps.len()).map(|i| format!("st{i}")).collect();
        names.tiers = std::iter::once(&self.first_tier)
            .chain(&self.tiers)
            .enumerate()
            .map(|(i, t)| t.number.map_or(i as u32 + 1, |n| u32::from(n % 8)))
            .collect();
        let mut w = Writer {
            out: String::new(),
            names,
            counters: Counters::default(),
        };
        if !self.header_last {
            w.header(&self.header);
        }
        let tiers = std::iter::once(&self.first_tier).chain(&self.tiers);
        for (t, n) in tiers.zip(w.names.tiers.clone()) {
            w.tier(t, n);
        }
        if let Some(p) = self.refill.map(percent) {
            let _ = writeln!(w.out, "refill too soon before {p}% used");
        }
        if let Some((a, b)) = self.transition {
            let (a, b) = (positive(a), positive(b));
            let _ = writeln!(
                w.out,
                "transition fill within {a} days of enrollment up to {b} days supply"
            );
        }
        for item in &self.items {
            w.item(item, 0);
        }
        for (i, p) in self.pas.iter().enumerate() {
            w.pa(i, p);
        }
        for (i, s) in self.steps.iter().enumerate() {
            w.step(i, s);
        }
        if self.header_last {
            w.header(&self.header);
        }
        (w.out, w.names)
    }

    /// Assigns names in the order the writer meets the definitions.
    fn declare(&self, items: &[Item], names: &mut Names, c: &mut Counters) {
        for item in items {
            match item {
                Item::Class { items, .. } => {
                    names.classes.push(format!("c{}", c.class));
                    c.class += 1;
                    self.declare(items, names, c);
                }
                Item::Drug(d) => match d.kind {
                    Kind::Ingredient => {
                        let n = format!("i{}", c.drug);
                        names.ingredients.push(n.clone());
                        names.drugs.push(n);
                        c.drug += 1;
                    }
                    Kind::Product => {
                        let n = format!("p{}", c.drug);
                        names.products.push(n.clone());
                        names.drugs.push(n);
                        c.drug += 1;
                    }
                    Kind::Package => c.drug += 1,
                },
            }
        }
    }
}

#[derive(Debug, Default)]
struct Counters {
    class: usize,
    drug: usize,
}

struct Writer {
    out: String,
    names: Names,
    counters: Counters,
}

impl Writer {
    fn header(&mut self, h: &Header) {
        if h.omit {
            return;
        }
        self.out.push_str("formulary \"Fuzz plan\"");
        if h.id {
            self.out.push_str(" id FUZZ-1");
        }
        if h.version {
            self.out.push_str(" version 1.0");
        }
        if let Some(r) = h.effective {
            let (a, b) = r.texts();
            let _ = write!(self.out, " effective {a} to {b}");
        }
        self.out.push('\n');
    }

    fn tier(&mut self, t: &TierSpec, number: u32) {
        let _ = write!(
            self.out,
            "tier {number} \"Tier {number}\" {}",
            share(&t.share)
        );
        if let Some(m) = &t.mail {
            let _ = write!(self.out, ", {} for mail", share(m));
        }
        if let Some((days, s)) = &t.extended {
            let _ = write!(self.out, ", {} for {} days", share(s), positive(*days));
        }
        if t.preferred {
            self.out.push_str(", preferred");
        }
        if t.specialty {
            self.out.push_str(", specialty");
        }
        self.out.push('\n');
    }

    fn item(&mut self, item: &Item, depth: usize) {
        let indent = "  ".repeat(depth);
        match item {
            Item::Class {
                label,
                clauses,
                items,
            } => {
                let name = format!("c{}", self.counters.class);
                self.counters.class += 1;
                let _ = write!(self.out, "{indent}class {name}");
                if *label {
                    let _ = write!(self.out, " \"Class {name}\"");
                }
                for c in clauses {
                    self.clause(c);
                }
                self.out.push_str(" {\n");
                for i in items {
                    self.item(i, depth + 1);
                }
                let _ = writeln!(self.out, "{indent}}}");
            }
            Item::Drug(d) => {
                self.out.push_str(&indent);
                self.drug(d);
            }
        }
    }

    fn rxcui(&mut self, code: Code, position: usize) -> String {
        match code.0 {
            0..=199 => {
                let r = 10_000 + position as u32;
                self.names.rxcuis.push(r);
                r.to_string()
            }
            200..=249 => {
                let r = 500 + u32::from(code.0 % 4);
                self.names.rxcuis.push(r);
                r.to_string()
            }
            _ => "0123".to_string(),
        }
    }

    fn ndc(&mut self, code: Code, position: usize, nth: usize) -> String {
        let ndc = match code.0 {
            0..=199 => format!("{:05}-{:04}-{:02}", 10_000 + position, nth % 10_000, 1),
            200..=249 => format!("99999-{:04}-01", code.0 % 4),
            _ => return "1234-5".to_string(),
        };
        self.names.ndcs.push(ndc.clone());
        ndc
    }

    fn drug(&mut self, d: &DrugSpec) {
        let position = self.counters.drug;
        self.counters.drug += 1;
        let (kw, name) = match d.kind {
            Kind::Ingredient => ("ingredient", format!("i{position}")),
            Kind::Product => ("product", format!("p{position}")),
            Kind::Package => ("package", self.ndc(Code(0), position, 9_999)),
        };
        let _ = write!(self.out, "{kw} {name}");
        if d.label {
            let _ = write!(self.out, " \"Drug {name}\"");
        }
        if d.flip_rxcui == matches!(d.kind, Kind::Package) {
            let r = self.rxcui(d.rxcui, position);
            let _ = write!(self.out, " rxcui {r}");
        }
        if !d.no_tier {
            self.clause(&Clause::Tier(d.tier, Period::Always));
        }
        if !d.ndcs.is_empty() {
            let list: Vec<String> = d
                .ndcs
                .iter()
                .enumerate()
                .map(|(i, c)| self.ndc(*c, position, i))
                .collect();
            let _ = write!(self.out, " ndc {}", list.join(", "));
        }
        // A package needs its product: name the first one when none is picked.
        let default_of = [Pick(0)];
        let of = match d.kind {
            Kind::Package if d.of.is_empty() => &default_of[..],
            _ => &d.of[..],
        };
        if !of.is_empty() {
            let pool = match d.kind {
                Kind::Package => &self.names.products,
                _ => &self.names.ingredients,
            };
            let list: Vec<&str> = of.iter().map(|p| p.of(pool)).collect();
            let _ = write!(self.out, " of {}", list.join(", "));
        }
        if let Some(p) = d.brand_of {
            let _ = write!(self.out, " brand of {}", p.of(&self.names.products));
        }
        if !d.also_in.is_empty() {
            let list: Vec<&str> = d
                .also_in
                .iter()
                .map(|p| p.of(&self.names.classes))
                .collect();
            let _ = write!(self.out, " also in {}", list.join(", "));
        }
        if !d.alternatives.is_empty() {
            let list: Vec<&str> = d
                .alternatives
                .iter()
                .map(|p| p.of(&self.names.drugs))
                .collect();
            let _ = write!(self.out, " alternatives {}", list.join(", "));
        }
        for c in &d.clauses {
            self.clause(c);
        }
        self.out.push('\n');
    }

    fn clause(&mut self, c: &Clause) {
        let n = &self.names;
        let (text, period) = match c {
            Clause::Tier(p, period) => {
                let number = p
                    .index(n.tiers.len())
                    .filter(|_| p.0 < 240)
                    .map_or(9, |i| n.tiers[i]);
                (format!("tier {number}"), period)
            }
            Clause::Excluded(period) => ("excluded \"plan exclusion\"".to_string(), period),
            Clause::NonFormulary(period) => ("non-formulary".to_string(), period),
            Clause::Pa(p, period) => (format!("pa {}", p.of(&n.pas)), period),
            Clause::Step(p, period) => (format!("step {}", p.of(&n.steps)), period),
            Clause::Limit(l, period) => (limit(l), period),
            Clause::Age(a, b, period) => (format!("age {}", age(*a, *b)), period),
            Clause::Sex(f, period) => (format!("sex {}", if *f { "F" } else { "M" }), period),
        };
        let _ = write!(self.out, " {text}{}", period_text(period));
    }

    fn pa(&mut self, i: usize, p: &PaSpec) {
        let _ = write!(self.out, "prior authorization pa{i}");
        if p.label {
            let _ = write!(self.out, " \"PA {i}\"");
        }
        self.out.push_str(" {\n");
        for conds in p.approvals.iter().filter(|c| !c.is_empty()) {
            let words: Vec<String> = conds
                .iter()
                .map(|c| match c {
                    Condition::Diagnosis(codes) => format!("diagnosis {}", icds(codes)),
                    Condition::Age(a, b) => format!("age {}", age(*a, *b)),
                    Condition::Sex(f) => format!("sex {}", if *f { "F" } else { "M" }),
                })
                .collect();
            let _ = writeln!(self.out, "  approve when {}", words.join(" and "));
        }
        if p.criteria {
            self.out.push_str("  criteria \"Documented need.\"\n");
        }
        if let Some(d) = p.duration {
            let _ = writeln!(self.out, "  duration {} days", positive16(d));
        }
        if let Some(r) = p.effective {
            let (a, b) = r.texts();
            let _ = writeln!(self.out, "  effective {a} to {b}");
        }
        self.out.push_str("}\n");
    }

    fn step(&mut self, i: usize, s: &StepSpec) {
        let _ = write!(self.out, "step therapy st{i}");
        if s.label {
            let _ = write!(self.out, " \"Step {i}\"");
        }
        self.out.push_str(" {\n");
        for (k, r) in s.reqs.iter().enumerate() {
            let set: Vec<String> = if r.set.is_empty() {
                vec![Pick(0).of(&self.names.drugs).to_string()]
            } else {
                r.set
                    .iter()
                    .map(|p| match p {
                        SetPick::Class(p) => format!("class {}", p.of(&self.names.classes)),
                        SetPick::Drug(p) => p.of(&self.names.drugs).to_string(),
                    })
                    .collect()
            };
            let then = if k > 0 { "then " } else { "" };
            let count = if r.count == u8::MAX {
                0
            } else {
                1 + r.count % 3
            };
            let _ = write!(self.out, "  {then}tried any {count} of {}", set.join(", "));
            if let Some(d) = r.min_days {
                let _ = write!(self.out, " for {} days", positive(d));
            }
            let _ = writeln!(self.out, " within {} days", positive16(r.within));
        }
        if !s.unless.is_empty() {
            let _ = writeln!(self.out, "  unless diagnosis {}", icds(&s.unless));
        }
        if s.new_starts {
            self.out.push_str("  new starts only\n");
        }
        if let Some(r) = s.effective {
            let (a, b) = r.texts();
            let _ = writeln!(self.out, "  effective {a} to {b}");
        }
        self.out.push_str("}\n");
    }
}

fn share(s: &Share) -> String {
    let money = |c: u16| format!("${}.{:02}", c / 100, c % 100);
    match s {
        Share::Copay(c) => format!("copay {}", money(*c)),
        Share::Coinsurance { percent, min, max } => {
            let mut t = format!("coinsurance {}%", self::percent(*percent));
            if let Some(m) = min {
                let _ = write!(t, " min {}", money(*m));
            }
            if let Some(m) = max {
                let _ = write!(t, " max {}", money(*m));
            }
            t
        }
    }
}

fn limit(l: &Limit) -> String {
    match l {
        Limit::Quantity {
            amount,
            half,
            days,
            rolling,
        } => format!(
            "limit {}{} per {} days{}",
            positive(*amount),
            if *half { ".5" } else { "" },
            positive(*days),
            if *rolling { " rolling" } else { "" }
        ),
        Limit::Daily(n) => format!("limit {} per day", positive(*n)),
        Limit::Supply(d) => format!("limit {} days supply", positive(*d)),
        Limit::Fills { count, days } => {
            format!(
                "limit {} fills per {} days",
                positive(*count),
                positive(*days)
            )
        }
    }
}

fn age(a: Option<u8>, b: Option<u8>) -> String {
    let n = |v: Option<u8>| v.map(|v| v.to_string()).unwrap_or_default();
    format!("{}..{}", n(a), n(b))
}

fn period_text(p: &Period) -> String {
    match p {
        Period::Always => String::new(),
        Period::From(a) => format!(" from {}", a.text()),
        Period::Until(b) => format!(" until {}", b.text()),
        Period::Both(r) => {
            let (a, b) = r.texts();
            format!(" from {a} until {b}")
        }
    }
}

fn icds(codes: &[u8]) -> String {
    let list: Vec<&str> = if codes.is_empty() {
        vec![ICDS[0]]
    } else {
        codes
            .iter()
            .map(|c| ICDS[usize::from(*c) % ICDS.len()])
            .collect()
    };
    list.join(", ")
}
