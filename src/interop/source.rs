//! Writing formulary source text from an importer's [`Draft`].
//!
//! Output is deterministic: the writer keeps the draft's order, and the
//! importers sort their drafts (drugs by RxCUI, NDCs by code), so importing
//! the same file twice gives the same bytes.

use crate::codes::Ndc;
use chrono::NaiveDate;
use std::fmt::Write;

/// A formulary to write as source.
#[derive(Debug, Clone, Default)]
pub struct Draft {
    /// Comment lines at the top of the file (without `#`).
    pub preamble: Vec<String>,
    /// Display name.
    pub name: String,
    /// Formulary id (letters, digits, `-`, `_`, `.`).
    pub id: String,
    /// Version (same characters as the id).
    pub version: String,
    /// Effective period.
    pub effective: Option<(NaiveDate, NaiveDate)>,
    /// Comment lines above the tiers.
    pub tier_comment: Vec<String>,
    /// Tiers, in order.
    pub tiers: Vec<DraftTier>,
    /// Prior authorization rules.
    pub pas: Vec<DraftPa>,
    /// Drugs, in order.
    pub drugs: Vec<DraftDrug>,
    /// Comment lines above the step therapy rules.
    pub step_comment: Vec<String>,
    /// Step therapy rules.
    pub steps: Vec<DraftStep>,
}

/// A tier.
#[derive(Debug, Clone, PartialEq)]
pub struct DraftTier {
    /// Number.
    pub number: u32,
    /// Label.
    pub label: String,
    /// The cost share and flags as source, e.g. `copay $0` or `coinsurance 25% max $250, specialty`.
    pub cost: String,
}

/// A prior authorization rule with no automatic approval.
#[derive(Debug, Clone, PartialEq)]
pub struct DraftPa {
    /// Comment lines above it.
    pub comment: Vec<String>,
    /// Name.
    pub name: String,
    /// Label.
    pub label: String,
    /// Criteria lines for reviewers.
    pub criteria: Vec<String>,
}

/// A step therapy rule met by earlier therapy with the drug itself.
#[derive(Debug, Clone, PartialEq)]
pub struct DraftStep {
    /// Name.
    pub name: String,
    /// Label.
    pub label: String,
    /// The drug (by name) whose own history satisfies the rule.
    pub drug: String,
    /// Lookback.
    pub within_days: u32,
    /// `new starts only`.
    pub new_starts_only: bool,
}

/// A product.
#[derive(Debug, Clone, PartialEq)]
pub struct DraftDrug {
    /// A comment on the line above.
    pub comment: Option<String>,
    /// Name (an identifier).
    pub name: String,
    /// Display label.
    pub label: Option<String>,
    /// RxCUI.
    pub rxcui: Option<u32>,
    /// NDCs, sorted.
    pub ndcs: Vec<Ndc>,
    /// Tier.
    pub tier: u32,
    /// Quantity limits as source after `limit`, e.g. `2.4 per 28 days`.
    pub limits: Vec<String>,
    /// PA rule name.
    pub pa: Option<String>,
    /// Step rule name.
    pub step: Option<String>,
}

impl Draft {
    /// The source text.
    pub fn write(&self) -> String {
        let mut s = String::with_capacity(128 + self.drugs.len() * 96);
        // Writing to a String cannot fail; the results are ignored for that reason.
        for line in &self.preamble {
            comment(&mut s, line);
        }
        let _ = write!(
            s,
            "formulary {} id {} version {}",
            quote(&self.name),
            self.id,
            self.version
        );
        if let Some((from, to)) = self.effective {
            let _ = write!(s, " effective {from} to {to}");
        }
        s.push_str("\n\n");
        for line in &self.tier_comment {
            comment(&mut s, line);
        }
        for t in &self.tiers {
            let _ = writeln!(s, "tier {} {} {}", t.number, quote(&t.label), t.cost);
        }
        for p in &self.pas {
            s.push('\n');
            for line in &p.comment {
                comment(&mut s, line);
            }
            let _ = writeln!(s, "prior authorization {} {} {{", p.name, quote(&p.label));
            for c in &p.criteria {
                let _ = writeln!(s, "  criteria {}", quote(c));
            }
            s.push_str("}\n");
        }
        if !self.drugs.is_empty() {
            s.push('\n');
        }
        for d in &self.drugs {
            write_drug(&mut s, d);
        }
        if !self.steps.is_empty() {
            s.push('\n');
            for line in &self.step_comment {
                comment(&mut s, line);
            }
        }
        for st in &self.steps {
            let _ = writeln!(
                s,
                "step therapy {} {} {{\n  tried any 1 of {} within {} days{}\n}}",
                st.name,
                quote(&st.label),
                st.drug,
                st.within_days,
                if st.new_starts_only {
                    "\n  new starts only"
                } else {
                    ""
                }
            );
        }
        s
    }
}

fn write_drug(s: &mut String, d: &DraftDrug) {
    if let Some(c) = &d.comment {
        comment(s, c);
    }
    let _ = write!(s, "product {}", d.name);
    if let Some(l) = &d.label {
        let _ = write!(s, " {}", quote(l));
    }
    if let Some(r) = d.rxcui {
        let _ = write!(s, " rxcui {r}");
    }
    for (i, n) in d.ndcs.iter().enumerate() {
        s.push_str(if i == 0 { " ndc " } else { ", " });
        s.push_str(&n.dashed());
    }
    let _ = write!(s, " tier {}", d.tier);
    for l in &d.limits {
        let _ = write!(s, " limit {l}");
    }
    if let Some(p) = &d.pa {
        let _ = write!(s, " pa {p}");
    }
    if let Some(st) = &d.step {
        let _ = write!(s, " step {st}");
    }
    s.push('\n');
}

fn comment(s: &mut String, line: &str) {
    if line.is_empty() {
        s.push_str("#\n");
    } else {
        s.push_str("# ");
        // A comment runs to the end of the line: keep it on one.
        s.push_str(&line.replace(['\n', '\r'], " "));
        s.push('\n');
    }
}

/// A string literal: `"` and `\` escaped; line breaks, which a literal cannot
/// hold, become spaces.
pub fn quote(text: &str) -> String {
    let mut q = String::with_capacity(text.len() + 2);
    q.push('"');
    for c in text.chars() {
        match c {
            '"' => q.push_str("\\\""),
            '\\' => q.push_str("\\\\"),
            '\n' | '\r' => q.push(' '),
            c => q.push(c),
        }
    }
    q.push('"');
    q
}

/// A decimal quantity as the grammar writes it: digits, optionally a point
/// and digits, no exponent and no trailing zeros (`2.4`, `120`, `0.5`).
/// None for a value that is not positive and finite.
pub fn decimal(x: f64) -> Option<String> {
    if !(x.is_finite() && x > 0.0) {
        return None;
    }
    let s = format!("{x}");
    Some(s)
}

/// True when `s` can be written as an id or version token.
pub fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// Makes an identifier from free text: lower case, runs of other characters
/// as one `-`, starting with a letter (`prefix` is put first otherwise).
pub fn ident(text: &str, prefix: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    if !out.starts_with(|c: char| c.is_ascii_alphabetic()) {
        out = if out.is_empty() {
            prefix.to_string()
        } else {
            format!("{prefix}-{out}")
        };
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_and_numbers() {
        assert_eq!(quote(r#"a "b" \c"#), r#""a \"b\" \\c""#);
        assert_eq!(quote("two\nlines"), "\"two lines\"");
        assert_eq!(decimal(2.4).as_deref(), Some("2.4"));
        assert_eq!(decimal(120.0).as_deref(), Some("120"));
        assert_eq!(decimal(0.0), None);
        assert_eq!(decimal(f64::NAN), None);
        assert!(is_token("00021000") && !is_token("a b") && !is_token(""));
        assert_eq!(ident("Preferred Generic!", "tier"), "preferred-generic");
        assert_eq!(ident("2", "tier"), "tier-2");
    }
}
