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

/// The formulary of [`formulary`] split into a main file and `parts`
/// included files, as `(name, text)` with the main file first. The main file
/// keeps the header, tiers and policies and includes each part; the classes
/// and rules are dealt out to the parts in order, in runs of about equal size.
pub fn formulary_split(size: Size, parts: usize) -> Vec<(String, String)> {
    let whole = formulary(size);
    let mut prelude = String::new();
    let mut statements: Vec<String> = Vec::new();
    for line in whole.lines() {
        let starts_block = line.starts_with("class ")
            || line.starts_with("prior authorization ")
            || line.starts_with("step therapy ");
        match statements.last_mut() {
            _ if starts_block => statements.push(format!("{line}\n")),
            Some(current) => {
                current.push_str(line);
                current.push('\n');
            }
            None => {
                prelude.push_str(line);
                prelude.push('\n');
            }
        }
    }
    // Deal statements out in runs of about equal size in bytes.
    let parts = parts.max(1);
    let total: usize = statements.iter().map(String::len).sum();
    let target = total.div_ceil(parts).max(1);
    let mut chunks: Vec<String> = vec![String::new()];
    for st in statements {
        let full = chunks.last().is_some_and(|c| c.len() >= target);
        if full && chunks.len() < parts {
            chunks.push(String::new());
        }
        if let Some(c) = chunks.last_mut() {
            c.push_str(&st);
        }
    }
    let mut files = vec![("main.formulary".to_string(), prelude)];
    for (n, chunk) in chunks.into_iter().enumerate() {
        let name = format!("part-{n:02}.formulary");
        let _ = writeln!(files[0].1, "include \"{name}\"");
        files.push((name, chunk));
    }
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_split_formulary_holds_the_same_statements_as_the_whole() {
        let size = Size {
            classes: 6,
            ingredients_per_class: 3,
            products_per_ingredient: 2,
            pa_rules: 3,
            step_rules: 3,
        };
        let files = formulary_split(size, 4);
        assert_eq!(files.len(), 5);
        let includes = files[0]
            .1
            .lines()
            .filter(|l| l.starts_with("include "))
            .count();
        assert_eq!(includes, 4);
        let mut joined: Vec<&str> = files
            .iter()
            .flat_map(|(_, t)| t.lines())
            .filter(|l| !l.starts_with("include "))
            .collect();
        let whole = formulary(size);
        let mut lines: Vec<&str> = whole.lines().collect();
        joined.sort_unstable();
        lines.sort_unstable();
        assert_eq!(joined, lines);
    }
}
