//! Report stage: the drug list as one self-contained HTML file. The style is
//! inline and nothing is fetched, so the file can be mailed, archived or
//! printed as it is. Print rules start each top class on a new page and
//! repeat table headers on every page; tables use real header cells so a
//! screen reader can name each column.

use super::drug_list::{DrugList, Row, Section, NOT_COVERED_ANCHOR};
use super::escape::html as esc;
use super::status::{Change, MarkKind};
use std::fmt::Write;

/// The style sheet, screen and print.
const CSS: &str = include_str!("drug_list.css");

/// Renders a drug list as a complete HTML document.
pub fn render(list: &DrugList) -> String {
    let f = list.formulary;
    let mut o = String::new();
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{} — drug list</title>\n<style>\n{CSS}</style>\n</head>\n<body>\n",
        esc(&f.name)
    );
    let _ = writeln!(
        o,
        "<header>\n<h1>{}</h1>\n<p class=\"meta\">{}</p>\n</header>",
        esc(&f.name),
        esc(&super::subtitle(list))
    );

    o.push_str("<nav aria-labelledby=\"contents-h\">\n<h2 id=\"contents-h\">Contents</h2>\n<ol>\n");
    for s in &list.sections {
        let _ = writeln!(
            o,
            "<li><a href=\"#{}\">{}</a></li>",
            s.anchor,
            esc(&s.title)
        );
    }
    if !list.not_covered.is_empty() {
        let _ = writeln!(
            o,
            "<li class=\"extra\"><a href=\"#{NOT_COVERED_ANCHOR}\">Drugs not covered</a></li>"
        );
    }
    o.push_str("<li class=\"extra\"><a href=\"#index\">Index</a></li>\n</ol>\n</nav>\n<main>\n");

    legend(&mut o, list);
    for s in &list.sections {
        section(&mut o, s);
    }
    not_covered(&mut o, list);
    index(&mut o, list);
    o.push_str("</main>\n</body>\n</html>\n");
    o
}

fn legend(o: &mut String, list: &DrugList) {
    o.push_str(
        "<section class=\"legend\" aria-labelledby=\"legend-h\">\n\
         <h2 id=\"legend-h\">How to read this list</h2>\n\
         <table class=\"tiers\">\n<caption>Tiers and what you pay</caption>\n\
         <thead><tr><th scope=\"col\">Tier</th><th scope=\"col\">Name</th>\
         <th scope=\"col\">Cost share (one month, retail)</th></tr></thead>\n<tbody>\n",
    );
    for t in &list.tiers {
        let flags = if t.flags.is_empty() {
            String::new()
        } else {
            format!(" <span class=\"flags\">({})</span>", t.flags.join(", "))
        };
        let _ = writeln!(
            o,
            "<tr><th scope=\"row\">{}</th><td>{}{flags}</td><td>{}</td></tr>",
            t.number,
            esc(&t.label),
            esc(&t.cost)
        );
    }
    o.push_str("</tbody>\n</table>\n<dl class=\"marks\">\n");
    for k in MarkKind::ALL {
        let _ = writeln!(
            o,
            "<dt><abbr title=\"{}\">{}</abbr></dt><dd>{}</dd>",
            k.name(),
            k.code(),
            k.meaning()
        );
    }
    let _ = writeln!(
        o,
        "<dt><abbr title=\"Specialty\">SP</abbr></dt><dd>{}</dd>",
        super::SPECIALTY_MEANING
    );
    let _ = writeln!(
        o,
        "</dl>\n<p class=\"note\">{}</p>\n</section>",
        esc(super::NAMES_NOTE)
    );
}

fn section(o: &mut String, s: &Section) {
    let level = (s.depth + 1).min(6);
    let class = if s.depth == 1 { "class top" } else { "class" };
    let _ = writeln!(
        o,
        "<section class=\"{class}\" id=\"{a}\" aria-labelledby=\"{a}-h\">\n\
         <h{level} id=\"{a}-h\"><span class=\"num\">{n}</span> {t}</h{level}>",
        a = s.anchor,
        n = s.number,
        t = esc(&s.title)
    );
    if !s.rows.is_empty() {
        let _ = writeln!(
            o,
            "<table class=\"drugs\">\n<caption class=\"sr-only\">{}</caption>\n\
             <colgroup><col class=\"c-name\"><col class=\"c-tier\"><col class=\"c-marks\"><col class=\"c-notes\"></colgroup>\n\
             <thead><tr><th scope=\"col\">Drug name</th><th scope=\"col\" class=\"tier\">Tier</th>\
             <th scope=\"col\">Requirements and limits</th><th scope=\"col\">Notes</th></tr></thead>\n<tbody>",
            esc(&s.title)
        );
        for r in &s.rows {
            row(o, r);
        }
        o.push_str("</tbody>\n</table>\n");
    } else if s.children.is_empty() {
        o.push_str("<p class=\"empty\">No covered drugs in this class.</p>\n");
    }
    if s.not_covered > 0 {
        let _ = writeln!(
            o,
            "<p class=\"see\">{} not covered: see <a href=\"#{NOT_COVERED_ANCHOR}\">Drugs not covered</a>.</p>",
            super::count_words(s.not_covered)
        );
    }
    for c in &s.children {
        section(o, c);
    }
    o.push_str("</section>\n");
}

fn row(o: &mut String, r: &Row) {
    let mut marks: Vec<String> = r
        .marks
        .iter()
        .map(|m| {
            if m.detail.is_empty() {
                format!(
                    "<abbr class=\"mark\" title=\"{}\">{}</abbr>",
                    m.kind.name(),
                    m.kind.code()
                )
            } else {
                format!(
                    "<abbr class=\"mark\" title=\"{}\">{}</abbr> ({})",
                    m.kind.name(),
                    m.kind.code(),
                    esc(&m.detail)
                )
            }
        })
        .collect();
    if r.specialty {
        marks.push("<abbr class=\"mark\" title=\"Specialty\">SP</abbr>".to_string());
    }
    let marks = if marks.is_empty() {
        String::new()
    } else {
        format!(
            "<ul class=\"reqs\"><li>{}</li></ul>",
            marks.join("</li><li>")
        )
    };
    let _ = writeln!(
        o,
        "<tr><th scope=\"row\">{}</th><td class=\"tier\">{}</td><td>{marks}</td><td>{}</td></tr>",
        name(&r.name, r.brand),
        r.tier,
        changes(&r.changes)
    );
}

fn name(n: &str, brand: bool) -> String {
    if brand {
        format!("<span class=\"brand\">{}</span>", esc(n))
    } else {
        format!("<span class=\"generic\">{}</span>", esc(n))
    }
}

fn changes(c: &[Change]) -> String {
    c.iter()
        .map(|c| {
            format!(
                "<span class=\"change\">From <time datetime=\"{d}\">{d}</time>: {}</span>",
                esc(&c.what),
                d = c.date
            )
        })
        .collect::<Vec<_>>()
        .join("<br>")
}

fn not_covered(o: &mut String, list: &DrugList) {
    if list.not_covered.is_empty() {
        return;
    }
    let _ = writeln!(
        o,
        "<section class=\"top not-covered\" id=\"{NOT_COVERED_ANCHOR}\" aria-labelledby=\"{NOT_COVERED_ANCHOR}-h\">\n\
         <h2 id=\"{NOT_COVERED_ANCHOR}-h\">Drugs not covered</h2>\n\
         <table class=\"drugs\">\n<caption class=\"sr-only\">Drugs not covered</caption>\n\
         <thead><tr><th scope=\"col\">Drug name</th><th scope=\"col\">Class</th><th scope=\"col\">Status</th>\
         <th scope=\"col\">Covered alternatives</th><th scope=\"col\">Notes</th></tr></thead>\n<tbody>"
    );
    for n in &list.not_covered {
        let alts: Vec<String> = n.alternatives.iter().map(|a| esc(a)).collect();
        let _ = writeln!(
            o,
            "<tr><th scope=\"row\">{}</th><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            name(&n.name, n.brand),
            n.class.as_deref().map(esc).unwrap_or_default(),
            esc(&n.status),
            alts.join("<br>"),
            changes(&n.changes)
        );
    }
    o.push_str("</tbody>\n</table>\n</section>\n");
}

fn index(o: &mut String, list: &DrugList) {
    o.push_str(
        "<section class=\"top index\" id=\"index\" aria-labelledby=\"index-h\">\n\
         <h2 id=\"index-h\">Index</h2>\n<ul>\n",
    );
    for e in &list.index {
        let refs: Vec<String> = e
            .refs
            .iter()
            .map(|(n, a)| format!("<a href=\"#{a}\">{}</a>", esc(n)))
            .collect();
        let _ = writeln!(
            o,
            "<li>{} <span class=\"refs\">{}</span></li>",
            name(&e.name, e.brand),
            refs.join(", ")
        );
    }
    o.push_str("</ul>\n</section>\n");
}
