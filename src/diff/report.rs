//! Writing an [`Impact`] for a terminal (plain text) or for a pull request
//! (Markdown tables).

use super::claims::{ClaimsImpact, CostTotals};
use super::rules::{Change, ChangeKind, DrugDiff, DrugStatus};
use super::Impact;
use crate::codes::Money;
use std::fmt::Write as _;

/// The mark of a change: `+` added, `-` removed, `~` changed.
fn mark(k: ChangeKind) -> &'static str {
    match k {
        ChangeKind::Added | ChangeKind::EditAdded => "+",
        ChangeKind::Removed | ChangeKind::EditRemoved => "-",
        _ => "~",
    }
}

/// The kind of a change in words.
fn kind_words(k: ChangeKind) -> &'static str {
    match k {
        ChangeKind::Added | ChangeKind::EditAdded => "added",
        ChangeKind::Removed | ChangeKind::EditRemoved => "removed",
        ChangeKind::TierUp => "tier up",
        ChangeKind::TierDown => "tier down",
        ChangeKind::Coverage => "coverage",
        ChangeKind::EditChanged | ChangeKind::Changed | ChangeKind::Identity => "changed",
    }
}

/// `what: old → new (tier up) [from class arb]`, without repeating `what`.
fn change_text(c: &Change) -> String {
    let show = |v: &Option<String>| v.as_ref().filter(|v| **v != c.what).cloned();
    let mut s = c.what.clone();
    match (show(&c.old), show(&c.new)) {
        (Some(a), Some(b)) => {
            let _ = write!(s, ": {a} → {b}");
        }
        (Some(a), None) | (None, Some(a)) => {
            let _ = write!(s, ": {a}");
        }
        (None, None) => {}
    }
    if matches!(c.kind, ChangeKind::TierUp | ChangeKind::TierDown) {
        let _ = write!(s, " ({})", kind_words(c.kind));
    }
    if let Some(f) = &c.from {
        let _ = write!(s, " [from {f}]");
    }
    s
}

fn money_change(m: Money) -> String {
    if m.0 > 0 {
        format!("+{m}")
    } else {
        m.to_string()
    }
}

fn percent(part: u64, whole: u64) -> String {
    if whole == 0 {
        "0%".into()
    } else {
        format!("{:.1}%", part as f64 * 100.0 / whole as f64)
    }
}

fn drug_counts(drugs: &[DrugDiff]) -> String {
    let n = |s: DrugStatus| drugs.iter().filter(|d| d.status == s).count();
    format!(
        "{} changed, {} added, {} removed",
        n(DrugStatus::Changed),
        n(DrugStatus::Added),
        n(DrugStatus::Removed)
    )
}

fn drug_head(d: &DrugDiff) -> String {
    let m = match d.status {
        DrugStatus::Added => "+",
        DrugStatus::Removed => "-",
        DrugStatus::Changed => "~",
    };
    let mut s = format!("{m} {} ({})", d.name, d.kind);
    if d.label != d.name {
        let _ = write!(s, " \"{}\"", d.label);
    }
    if let Some(r) = &d.renamed_from {
        let _ = write!(s, ", renamed from {r}");
    }
    s
}

/// The impact as plain text.
pub fn render_human(i: &Impact) -> String {
    let r = &i.rules;
    let mut o = String::new();
    let _ = writeln!(
        o,
        "Formulary {} {} → {} {}",
        r.old.id, r.old.version, r.new.id, r.new.version
    );
    if r.is_empty() {
        let _ = writeln!(o, "\nNo rule changed.");
    }
    for (title, list) in [
        ("Formulary", &r.formulary),
        ("Tiers", &r.tiers),
        ("Rules", &r.rules),
    ] {
        if !list.is_empty() {
            let _ = writeln!(o, "\n{title}");
            for c in list {
                let _ = writeln!(o, "  {} {}", mark(c.kind), change_text(c));
            }
        }
    }
    if !r.classes.is_empty() {
        let _ = writeln!(o, "\nClasses");
        for c in &r.classes {
            let drugs = if c.members == 1 { "drug" } else { "drugs" };
            let _ = writeln!(o, "  class {} ({} {drugs})", c.name, c.members);
            for ch in &c.changes {
                let _ = writeln!(o, "    {} {}", mark(ch.kind), change_text(ch));
            }
        }
    }
    if !r.drugs.is_empty() {
        let _ = writeln!(o, "\nDrugs: {}", drug_counts(&r.drugs));
        let mut class = None;
        for d in &r.drugs {
            if class != Some(&d.class) {
                let _ = writeln!(o, "  class {}", d.class);
                class = Some(&d.class);
            }
            let _ = writeln!(o, "    {}", drug_head(d));
            for c in &d.changes {
                let m = if d.status == DrugStatus::Changed {
                    mark(c.kind)
                } else {
                    " "
                };
                let _ = writeln!(o, "        {m} {}", change_text(c));
            }
        }
    }
    if let Some(c) = &i.claims {
        claims_human(c, &mut o);
    }
    o
}

fn totals_line(name: &str, t: &CostTotals) -> String {
    format!(
        "{name}: {} → {} ({}) over {} priced claims; {} could not be priced",
        Money(t.old_cents),
        Money(t.new_cents),
        money_change(t.change()),
        t.priced,
        t.unpriced
    )
}

fn claims_human(c: &ClaimsImpact, o: &mut String) {
    let _ = writeln!(
        o,
        "\nClaims: {} re-checked, {} changed ({}){}",
        c.claims,
        c.changed,
        percent(c.changed, c.claims),
        if c.unreadable > 0 {
            format!(", {} unreadable", c.unreadable)
        } else {
            String::new()
        }
    );
    for (k, s) in &c.kinds {
        let _ = writeln!(o, "  {:<44} {:>9}", k.describe(), s.count);
    }
    let _ = writeln!(o, "  {}", totals_line("Patient pay", &c.patient_pay));
    let _ = writeln!(o, "  {}", totals_line("Plan pay", &c.plan_pay));
    let _ = writeln!(
        o,
        "  (a rejected claim counts as paying nothing at the counter)"
    );
    if c.kinds.values().any(|s| !s.examples.is_empty()) {
        let _ = writeln!(o, "\nExamples");
        for (k, s) in &c.kinds {
            let _ = writeln!(o, "  {}", k.describe());
            for e in &s.examples {
                let _ = writeln!(o, "    line {}  {}: {} → {}", e.line, e.drug, e.old, e.new);
            }
        }
    }
    for u in &c.unreadable_examples {
        let _ = writeln!(o, "  unreadable line {}: {}", u.line, u.error);
    }
}

/// A table cell: `|` escaped, line breaks removed.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn opt(s: &Option<String>) -> String {
    s.as_deref().map(cell).unwrap_or_default()
}

fn table(o: &mut String, head: &[&str]) {
    let _ = writeln!(o, "| {} |", head.join(" | "));
    let _ = writeln!(o, "|{}", "---|".repeat(head.len()));
}

/// The impact as Markdown, to paste into a pull request.
pub fn render_markdown(i: &Impact) -> String {
    let r = &i.rules;
    let mut o = String::new();
    let _ = writeln!(
        o,
        "### Formulary impact: {} {} → {} {}\n",
        cell(&r.old.id),
        cell(&r.old.version),
        cell(&r.new.id),
        cell(&r.new.version)
    );
    if r.is_empty() {
        let _ = writeln!(o, "No rule changed.\n");
    }
    let defs: Vec<&Change> = r.formulary.iter().chain(&r.tiers).chain(&r.rules).collect();
    if !defs.is_empty() {
        let _ = writeln!(o, "**Definitions**\n");
        table(&mut o, &["", "What", "Old", "New"]);
        for c in defs {
            let _ = writeln!(
                o,
                "| {} | {} | {} | {} |",
                mark(c.kind),
                cell(&c.what),
                opt(&c.old),
                opt(&c.new)
            );
        }
        o.push('\n');
    }
    if !r.classes.is_empty() {
        let _ = writeln!(o, "**Classes**\n");
        table(&mut o, &["Class", "Drugs", "", "Change"]);
        for c in &r.classes {
            for ch in &c.changes {
                let _ = writeln!(
                    o,
                    "| {} | {} | {} | {} |",
                    cell(&c.name),
                    c.members,
                    mark(ch.kind),
                    cell(&change_text(ch))
                );
            }
        }
        o.push('\n');
    }
    if !r.drugs.is_empty() {
        let _ = writeln!(o, "**Drugs** ({})\n", drug_counts(&r.drugs));
        table(
            &mut o,
            &["Class", "Drug", "Change", "What", "Old", "New", "From"],
        );
        for d in &r.drugs {
            let status = match d.status {
                DrugStatus::Added => Some("added"),
                DrugStatus::Removed => Some("removed"),
                DrugStatus::Changed => None,
            };
            let name = match &d.renamed_from {
                Some(old) => format!("{} (was {old})", d.name),
                None => d.name.clone(),
            };
            for c in &d.changes {
                // A value that only repeats the first column is left out.
                let show = |v: &Option<String>| opt(&v.clone().filter(|v| *v != c.what));
                let _ = writeln!(
                    o,
                    "| {} | {} | {} | {} | {} | {} | {} |",
                    cell(&d.class),
                    cell(&name),
                    status.unwrap_or(kind_words(c.kind)),
                    cell(&c.what),
                    show(&c.old),
                    show(&c.new),
                    opt(&c.from)
                );
            }
        }
        o.push('\n');
    }
    if let Some(c) = &i.claims {
        claims_markdown(c, &mut o);
    }
    o
}

fn claims_markdown(c: &ClaimsImpact, o: &mut String) {
    let _ = writeln!(
        o,
        "**Claims**: {} re-checked, {} changed ({}){}\n",
        c.claims,
        c.changed,
        percent(c.changed, c.claims),
        if c.unreadable > 0 {
            format!(", {} unreadable", c.unreadable)
        } else {
            String::new()
        }
    );
    if !c.kinds.is_empty() {
        table(o, &["Change", "Claims", "Share"]);
        for (k, s) in &c.kinds {
            let _ = writeln!(
                o,
                "| {} | {} | {} |",
                k.describe(),
                s.count,
                percent(s.count, c.claims)
            );
        }
        o.push('\n');
    }
    table(o, &["Cost", "Old", "New", "Change", "Priced", "Unpriced"]);
    for (name, t) in [("Patient pay", &c.patient_pay), ("Plan pay", &c.plan_pay)] {
        let _ = writeln!(
            o,
            "| {name} | {} | {} | {} | {} | {} |",
            Money(t.old_cents),
            Money(t.new_cents),
            money_change(t.change()),
            t.priced,
            t.unpriced
        );
    }
    let _ = writeln!(
        o,
        "\nA rejected claim counts as paying nothing at the counter.\n"
    );
    if c.kinds.values().any(|s| !s.examples.is_empty()) {
        let _ = writeln!(o, "<details><summary>Examples</summary>\n");
        table(o, &["Change", "Line", "Drug", "Old", "New"]);
        for (k, s) in &c.kinds {
            for e in &s.examples {
                let _ = writeln!(
                    o,
                    "| {} | {} | {} | {} | {} |",
                    k.describe(),
                    e.line,
                    cell(&e.drug),
                    cell(&e.old.to_string()),
                    cell(&e.new.to_string())
                );
            }
        }
        let _ = writeln!(o, "\n</details>");
    }
    if !c.unreadable_examples.is_empty() {
        let _ = writeln!(o, "\n**Unreadable lines**\n");
        for u in &c.unreadable_examples {
            let _ = writeln!(o, "- line {}: {}", u.line, cell(&u.error));
        }
    }
}
