//! Report stage: a [`Diagram`] written as Mermaid (renders in code-review
//! pages) or Graphviz DOT (`dot -Tsvg`). The output is a pure function of
//! the diagram, which is sorted, so snapshots and diffs are stable.

use super::graph::{Cluster, Diagram, EdgeKind, Shape, ShapeStyle};
use std::fmt::Write;

/// Mermaid flowchart text.
pub fn mermaid(d: &Diagram) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "%% {}", d.title.replace(['\n', '\r'], " "));
    o.push_str("flowchart LR\n");
    for c in &d.clusters {
        mermaid_cluster(&mut o, c, 1);
    }
    for n in &d.nodes {
        mermaid_shape(&mut o, n, 1);
    }
    for e in &d.edges {
        let arrow = match e.kind {
            EdgeKind::Step => "==>",
            EdgeKind::Ingredient => "---",
            EdgeKind::BrandOf | EdgeKind::PackageOf => "-->",
            EdgeKind::Alternative | EdgeKind::AlsoIn => "-.->",
        };
        if e.label.is_empty() {
            let _ = writeln!(o, "  {} {arrow} {}", e.from, e.to);
        } else {
            let _ = writeln!(
                o,
                "  {} {arrow}|\"{}\"| {}",
                e.from,
                mermaid_text(&e.label),
                e.to
            );
        }
    }
    o.push_str(
        "  classDef brand font-weight:bold\n  \
         classDef notcovered stroke-dasharray:4 3,color:#777\n  \
         classDef cls fill:#eef3f8\n",
    );
    let mut styled: Vec<(&str, &str)> = Vec::new();
    collect_styles(&d.clusters, &d.nodes, &mut styled);
    for (class, ids) in [
        ("brand", ShapeStyle::Brand),
        ("notcovered", ShapeStyle::NotCovered),
        ("cls", ShapeStyle::Class),
    ]
    .iter()
    .map(|(n, s)| (*n, ids_with(&styled, *s)))
    {
        if !ids.is_empty() {
            let _ = writeln!(o, "  class {} {class}", ids.join(","));
        }
    }
    o
}

fn collect_styles<'a>(
    clusters: &'a [Cluster],
    nodes: &'a [Shape],
    out: &mut Vec<(&'a str, &'a str)>,
) {
    for n in nodes {
        out.push((n.id.as_str(), style_name(n.style)));
    }
    for c in clusters {
        collect_styles(&c.clusters, &c.nodes, out);
    }
}

fn style_name(s: ShapeStyle) -> &'static str {
    match s {
        ShapeStyle::Generic => "generic",
        ShapeStyle::Brand => "brand",
        ShapeStyle::NotCovered => "notcovered",
        ShapeStyle::Class => "cls",
    }
}

fn ids_with<'a>(styled: &[(&'a str, &'a str)], s: ShapeStyle) -> Vec<&'a str> {
    let name = style_name(s);
    let mut v: Vec<&str> = styled
        .iter()
        .filter(|(_, n)| *n == name)
        .map(|(id, _)| *id)
        .collect();
    v.sort_unstable();
    v
}

fn mermaid_cluster(o: &mut String, c: &Cluster, depth: usize) {
    let pad = "  ".repeat(depth);
    let _ = writeln!(o, "{pad}subgraph {}[\"{}\"]", c.id, mermaid_lines(&c.lines));
    for k in &c.clusters {
        mermaid_cluster(o, k, depth + 1);
    }
    for n in &c.nodes {
        mermaid_shape(o, n, depth + 1);
    }
    let _ = writeln!(o, "{pad}end");
}

fn mermaid_shape(o: &mut String, n: &Shape, depth: usize) {
    let pad = "  ".repeat(depth);
    let text = mermaid_lines(&n.lines);
    match n.style {
        ShapeStyle::Class => {
            let _ = writeln!(o, "{pad}{}[[\"{text}\"]]", n.id);
        }
        _ => {
            let _ = writeln!(o, "{pad}{}[\"{text}\"]", n.id);
        }
    }
}

fn mermaid_lines(lines: &[String]) -> String {
    lines
        .iter()
        .map(|l| mermaid_text(l))
        .collect::<Vec<_>>()
        .join("<br/>")
}

/// Mermaid quoted text: its entity codes for the characters that would end
/// the string or be read as markup.
fn mermaid_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '#' => out.push_str("#35;"),
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '&' => out.push_str("#amp;"),
            '\n' | '\r' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

/// Graphviz DOT text.
pub fn dot(d: &Diagram) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "digraph formulary {{");
    let _ = writeln!(
        o,
        "  graph [rankdir=LR, compound=true, fontname=\"Helvetica\", labelloc=t, label=\"{}\"];",
        dot_text(&d.title)
    );
    o.push_str("  node [shape=box, style=\"rounded\", fontname=\"Helvetica\", fontsize=10];\n");
    o.push_str("  edge [fontname=\"Helvetica\", fontsize=9];\n");
    // Clusters an edge starts or ends at get an invisible anchor node, since
    // DOT edges join nodes; `ltail`/`lhead` clip the edge at the frame.
    let mut anchors: Vec<&str> = d
        .edges
        .iter()
        .flat_map(|e| {
            let from = e.from_cluster.then_some(e.from.as_str());
            let to = e.to_cluster.then_some(e.to.as_str());
            from.into_iter().chain(to)
        })
        .collect();
    anchors.sort_unstable();
    anchors.dedup();
    let is_anchor = |id: &str| anchors.binary_search(&id).is_ok();
    for c in &d.clusters {
        dot_cluster(&mut o, c, 1, &is_anchor);
    }
    for n in &d.nodes {
        dot_shape(&mut o, n, 1);
    }
    for e in &d.edges {
        let mut attrs: Vec<String> = Vec::new();
        if !e.label.is_empty() {
            attrs.push(format!("label=\"{}\"", dot_text(&e.label)));
        }
        match e.kind {
            EdgeKind::Step => attrs.push("penwidth=2, color=\"#0b5394\"".to_string()),
            EdgeKind::Ingredient => attrs.push("dir=none, color=\"#999999\"".to_string()),
            EdgeKind::BrandOf | EdgeKind::PackageOf => attrs.push("style=dashed".to_string()),
            EdgeKind::Alternative | EdgeKind::AlsoIn => attrs.push("style=dotted".to_string()),
        }
        if e.from_cluster {
            attrs.push(format!("ltail=\"cluster_{}\"", e.from));
        }
        if e.to_cluster {
            attrs.push(format!("lhead=\"cluster_{}\"", e.to));
        }
        let _ = writeln!(
            o,
            "  \"{}\" -> \"{}\" [{}];",
            e.from,
            e.to,
            attrs.join(", ")
        );
    }
    o.push_str("}\n");
    o
}

fn dot_cluster(o: &mut String, c: &Cluster, depth: usize, is_anchor: &dyn Fn(&str) -> bool) {
    let pad = "  ".repeat(depth);
    let _ = writeln!(o, "{pad}subgraph \"cluster_{}\" {{", c.id);
    let _ = writeln!(
        o,
        "{pad}  label=\"{}\"; style=\"rounded,filled\"; fillcolor=\"#f3f6f9\"; color=\"#d0d7de\";",
        dot_lines(&c.lines)
    );
    if is_anchor(&c.id) {
        let _ = writeln!(
            o,
            "{pad}  \"{}\" [shape=point, style=invis, width=0.01, label=\"\"];",
            c.id
        );
    }
    for k in &c.clusters {
        dot_cluster(o, k, depth + 1, is_anchor);
    }
    for n in &c.nodes {
        dot_shape(o, n, depth + 1);
    }
    let _ = writeln!(o, "{pad}}}");
}

fn dot_shape(o: &mut String, n: &Shape, depth: usize) {
    let pad = "  ".repeat(depth);
    let style = match n.style {
        ShapeStyle::Generic => "",
        ShapeStyle::Brand => ", fontname=\"Helvetica-Bold\"",
        ShapeStyle::NotCovered => ", style=\"rounded,dashed\", fontcolor=\"#777777\"",
        ShapeStyle::Class => ", shape=folder, style=filled, fillcolor=\"#eef3f8\"",
    };
    let _ = writeln!(
        o,
        "{pad}\"{}\" [label=\"{}\"{style}];",
        n.id,
        dot_lines(&n.lines)
    );
}

fn dot_lines(lines: &[String]) -> String {
    lines
        .iter()
        .map(|l| dot_text(l))
        .collect::<Vec<_>>()
        .join("\\n")
}

/// DOT quoted text: backslash and quote escaped, so no formulary text is
/// read as a DOT escape sequence.
fn dot_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' | '\r' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn labels_cannot_break_out_of_their_quotes() {
        assert_eq!(
            super::mermaid_text(r#"a "b" <c> #1 & d"#),
            "a #quot;b#quot; #lt;c#gt; #35;1 #amp; d"
        );
        assert_eq!(super::dot_text(r#"a "b" \n"#), r#"a \"b\" \\n"#);
    }
}
