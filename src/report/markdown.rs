//! Report stage: the drug list as Markdown (GitHub flavour: tables, and
//! `<a id>` anchors so the contents and the index link to sections).

use super::drug_list::{DrugList, Row, Section, NOT_COVERED_ANCHOR};
use super::escape::markdown as md;
use super::status::{Change, MarkKind};
use std::fmt::Write;

/// Renders a drug list as Markdown.
pub fn render(list: &DrugList) -> String {
    let f = list.formulary;
    let mut o = String::new();
    let _ = writeln!(o, "# {}\n", md(&f.name));
    let _ = writeln!(o, "{}\n", md(&super::subtitle(list)));

    o.push_str("## Contents\n\n");
    for s in &list.sections {
        let _ = writeln!(o, "- [{} {}](#{})", s.number, md(&s.title), s.anchor);
    }
    if !list.not_covered.is_empty() {
        let _ = writeln!(o, "- [Drugs not covered](#{NOT_COVERED_ANCHOR})");
    }
    o.push_str("- [Index](#index)\n\n");

    o.push_str("## How to read this list\n\n");
    o.push_str("| Tier | Name | Cost share (one month, retail) |\n|---|---|---|\n");
    for t in &list.tiers {
        let flags = if t.flags.is_empty() {
            String::new()
        } else {
            format!(" ({})", t.flags.join(", "))
        };
        let _ = writeln!(
            o,
            "| {} | {}{} | {} |",
            t.number,
            md(&t.label),
            flags,
            md(&t.cost)
        );
    }
    o.push_str("\n| Mark | Meaning |\n|---|---|\n");
    for k in MarkKind::ALL {
        let _ = writeln!(o, "| {} | {} |", k.code(), k.meaning());
    }
    let _ = writeln!(o, "| SP | {} |", super::SPECIALTY_MEANING);
    let _ = writeln!(o, "\n{}\n", super::NAMES_NOTE);

    for s in &list.sections {
        section(&mut o, s);
    }

    if !list.not_covered.is_empty() {
        let _ = writeln!(
            o,
            "<a id=\"{NOT_COVERED_ANCHOR}\"></a>\n\n## Drugs not covered\n"
        );
        o.push_str(
            "| Drug | Class | Status | Covered alternatives | Notes |\n|---|---|---|---|---|\n",
        );
        for n in &list.not_covered {
            let alts: Vec<String> = n.alternatives.iter().map(|a| md(a)).collect();
            let _ = writeln!(
                o,
                "| {} | {} | {} | {} | {} |",
                md(&n.name),
                n.class.as_deref().map(md).unwrap_or_default(),
                md(&n.status),
                alts.join("; "),
                changes(&n.changes)
            );
        }
        o.push('\n');
    }

    o.push_str("<a id=\"index\"></a>\n\n## Index\n\n");
    for e in &list.index {
        let refs: Vec<String> = e.refs.iter().map(|(n, a)| format!("[{n}](#{a})")).collect();
        let _ = writeln!(o, "- {}: {}", md(&e.name), refs.join(", "));
    }
    o
}

fn section(o: &mut String, s: &Section) {
    let hashes = "#".repeat((s.depth + 1).min(6));
    let _ = writeln!(
        o,
        "<a id=\"{}\"></a>\n\n{hashes} {} {}\n",
        s.anchor,
        s.number,
        md(&s.title)
    );
    if !s.rows.is_empty() {
        o.push_str("| Drug | Tier | Requirements and limits | Notes |\n|---|---|---|---|\n");
        for r in &s.rows {
            let _ = writeln!(
                o,
                "| {} | {} | {} | {} |",
                md(&r.name),
                r.tier,
                marks(r),
                changes(&r.changes)
            );
        }
        o.push('\n');
    } else if s.children.is_empty() {
        o.push_str("No covered drugs in this class.\n\n");
    }
    if s.not_covered > 0 {
        let _ = writeln!(
            o,
            "{} not covered: see [Drugs not covered](#{NOT_COVERED_ANCHOR}).\n",
            super::count_words(s.not_covered)
        );
    }
    for c in &s.children {
        section(o, c);
    }
}

fn marks(r: &Row) -> String {
    let mut v: Vec<String> = r.marks.iter().map(|m| md(&m.to_string())).collect();
    if r.specialty {
        v.push("SP".to_string());
    }
    v.join("; ")
}

fn changes(c: &[Change]) -> String {
    c.iter()
        .map(|c| format!("From {}: {}", c.date, md(&c.what)))
        .collect::<Vec<_>>()
        .join("; ")
}
