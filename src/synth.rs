//! Synthetic formularies of any size, for benchmarks and property tests.
//!
//! The output is ordinary source text: classes of ingredients, each with
//! products (some branded, with `brand of`), tiers, prior authorization and
//! step therapy rules, quantity limits and a mid-year change. Codes are
//! made up but well formed; the same parameters give the same text.

use std::fmt::Write;

/// Size of a synthetic formulary.
#[derive(Debug, Clone, Copy)]
pub struct Size {
    /// Therapeutic classes.
    pub classes: usize,
    /// Ingredients per class.
    pub ingredients_per_class: usize,
    /// Products per ingredient.
    pub products_per_ingredient: usize,
    /// Prior authorization rules.
    pub pa_rules: usize,
    /// Step therapy rules.
    pub step_rules: usize,
}

impl Size {
    /// 5,000 drugs (1,000 ingredients with 4 products each) and 1,000 rules.
    pub const LARGE: Size = Size {
        classes: 100,
        ingredients_per_class: 10,
        products_per_ingredient: 4,
        pa_rules: 500,
        step_rules: 500,
    };

    /// Number of drug entries (ingredients and products).
    pub fn drugs(&self) -> usize {
        self.classes * self.ingredients_per_class * (1 + self.products_per_ingredient)
    }
}

/// Writes a synthetic formulary of the given size.
pub fn formulary(size: Size) -> String {
    let mut s = String::with_capacity(size.drugs() * 120);
    s.push_str("formulary \"Synthetic\" id SYN-1 version 1 effective 2026-01-01 to 2026-12-31\n");
    s.push_str("tier 1 \"Preferred generic\" copay $5, copay $10 for mail, copay $12 for 90 days, preferred\n");
    s.push_str("tier 2 \"Generic\" copay $15\n");
    s.push_str("tier 3 \"Preferred brand\" copay $45\n");
    s.push_str("tier 4 \"Non-preferred\" coinsurance 40% min $50 max $150\n");
    s.push_str("tier 5 \"Specialty\" coinsurance 25% max $250, specialty\n");
    s.push_str("refill too soon before 80% used\n");
    s.push_str("transition fill within 90 days of enrollment up to 30 days supply\n\n");
    let mut ing_no = 0usize;
    let mut pa_no = 0usize;
    let mut step_no = 0usize;
    for c in 0..size.classes {
        let _ = writeln!(s, "class c{c} \"Class {c}\" tier 2 {{");
        for i in 0..size.ingredients_per_class {
            let ing = format!("ing{ing_no}");
            // The first ingredient of a class is its preferred option.
            let tier = if i == 0 { " tier 1" } else { "" };
            let _ = writeln!(s, "  ingredient {ing} rxcui {}{tier}", 100_000 + ing_no);
            for p in 0..size.products_per_ingredient {
                let prod = format!("{ing}-p{p}");
                let rxcui = 1_000_000 + ing_no * 10 + p;
                let ndc = format!(
                    "{:05}-{:04}-{:02}",
                    10_000 + ing_no % 80_000,
                    p * 100 + ing_no % 100,
                    p
                );
                let mut line = format!("  product {prod} rxcui {rxcui} of {ing} ndc {ndc}");
                if p == size.products_per_ingredient - 1 && p > 0 {
                    let _ = write!(line, " brand of {ing}-p0 tier 3");
                }
                if i > 0 && p == 1 && pa_no < size.pa_rules {
                    let _ = write!(line, " pa pa{pa_no} limit 30 per 30 days");
                    pa_no += 1;
                } else if i > 1 && p == 2 && step_no < size.step_rules {
                    let _ = write!(line, " step st{step_no}");
                    step_no += 1;
                }
                if p == 0 && i == 2 {
                    line.push_str(" tier 3 until 2026-06-30, tier 2 from 2026-07-01");
                }
                let _ = writeln!(s, "{line}");
            }
            ing_no += 1;
        }
        s.push_str("}\n");
    }
    for n in 0..pa_no {
        let _ = writeln!(
            s,
            "prior authorization pa{n} \"Rule {n}\" {{\n  approve when diagnosis E{:02}.* and age 18..\n  criteria \"Documented diagnosis.\"\n  duration 365 days\n}}",
            10 + n % 80
        );
    }
    for n in 0..step_no {
        let class = n % size.classes.max(1);
        let _ = writeln!(
            s,
            "step therapy st{n} \"Step {n}\" {{\n  tried any 1 of class c{class} for 30 days within 180 days\n  unless diagnosis T78.3\n}}"
        );
    }
    // Rules that no drug reached stay unused; drop nothing so sizes stay predictable.
    s
}
