//! Printing the layout tree: indentation, aligned columns, wrapping and
//! comments in their places.

use super::comments::Comment;
use super::tree::{Align, Attached, Layout, Leaf, Node, Part, Stmt};
use super::{CONTINUATION, INDENT, MAX_WIDTH};

/// Prints a laid-out file.
pub(super) fn print(layout: &Layout) -> String {
    let mut p = Printer {
        out: String::new(),
        attached: &layout.attached,
    };
    let mut first = p.items(&layout.items, 0, true);
    p.dangling(&layout.end, 0, &mut first);
    p.out
}

struct Printer<'a> {
    out: String,
    attached: &'a [Attached],
}

fn width(s: &str) -> usize {
    s.chars().count()
}

impl<'a> Printer<'a> {
    fn att(&self, p: &Part) -> &'a Attached {
        &self.attached[p.id]
    }

    fn line(&mut self, indent: usize, text: &str, comments: &[&Comment]) {
        let mut comments = comments.iter();
        let mut l = " ".repeat(indent);
        l.push_str(text.trim_end());
        if let Some(c) = comments.next() {
            if !text.is_empty() {
                l.push_str("  ");
            }
            l.push_str(&c.text);
        }
        self.out.push_str(l.trim_end());
        self.out.push('\n');
        // Two comments can only end up on one line when the source had one
        // inside a clause; keep the others on their own lines below.
        for c in comments {
            self.out.push_str(&" ".repeat(indent + CONTINUATION));
            self.out.push_str(&c.text);
            self.out.push('\n');
        }
    }

    fn blank(&mut self) {
        if !self.out.is_empty() && !self.out.ends_with("\n\n") {
            self.out.push('\n');
        }
    }

    /// Own-line comments before a part. `first` is true until something is
    /// printed in the current block, so blocks never start with a blank line.
    fn comments_before(&mut self, part: &Part, indent: usize, first: &mut bool) {
        for c in &self.att(part).leading {
            if c.blank_before && !*first {
                self.blank();
            }
            self.line(indent, "", &[c]);
            *first = false;
        }
    }

    /// Comments that belong to the end of a block or file.
    fn dangling(&mut self, end: &Part, indent: usize, first: &mut bool) {
        self.comments_before(end, indent, first);
    }

    /// The statements of a block (or the file). Returns whether nothing was printed.
    fn items(&mut self, items: &[Node], indent: usize, mut first: bool) -> bool {
        let widths = run_widths(items, self.attached);
        for (node, w) in items.iter().zip(&widths) {
            self.comments_before(node.head(), indent, &mut first);
            if node.blank_before && !first {
                self.blank();
            }
            match &node.stmt {
                Stmt::Leaf(l) => self.leaf(l, indent, w, None),
                Stmt::Block(b) => {
                    let open_att = self.att(&b.open);
                    let empty = b.items.is_empty()
                        && self.att(&b.close).leading.is_empty()
                        && open_att.trailing.is_empty()
                        && open_att.leading.is_empty();
                    if empty {
                        self.leaf(&b.head, indent, w, Some(("{}", vec![&b.open, &b.close])));
                    } else {
                        self.leaf(&b.head, indent, w, Some(("{", vec![&b.open])));
                        // Comments written on their own lines before the `{` go
                        // first inside the block, where the next run keeps them.
                        let mut inner_first = true;
                        self.comments_before(&b.open, indent + INDENT, &mut inner_first);
                        let mut inner_first = self.items(&b.items, indent + INDENT, inner_first);
                        self.dangling(&b.close, indent + INDENT, &mut inner_first);
                        let trailing: Vec<&Comment> = self.att(&b.close).trailing.iter().collect();
                        self.line(indent, "}", &trailing);
                    }
                }
            }
            first = false;
        }
        first
    }

    /// One statement: on one line when it fits and its comments allow,
    /// otherwise wrapped at clause boundaries with a continuation indent.
    /// `tail` is text that must end the last line (a block's `{`) and the
    /// parts whose trailing comments follow it.
    fn leaf(
        &mut self,
        l: &Leaf,
        indent: usize,
        widths: &[usize],
        tail: Option<(&str, Vec<&Part>)>,
    ) {
        let head = head_text(&l.cells, widths);
        let attached = self.attached;
        let att = |p: &Part| &attached[p.id];
        let head_trailing: Vec<&Comment> = att(&l.head).trailing.iter().collect();
        let tail_trailing: Vec<&Comment> = tail
            .as_ref()
            .map(|(_, parts)| parts.iter().flat_map(|p| att(p).trailing.iter()).collect())
            .unwrap_or_default();
        let clause_leading = l.clauses.iter().any(|c| !att(c).leading.is_empty());
        let trailing_count = head_trailing.len()
            + l.clauses
                .iter()
                .map(|c| att(c).trailing.len())
                .sum::<usize>()
            + tail_trailing.len();
        let mut one = head.clone();
        for (k, c) in l.clauses.iter().enumerate() {
            one.push_str(if k == 0 { " " } else { l.sep });
            one.push_str(&c.text);
        }
        if let Some((t, _)) = &tail {
            one.push(' ');
            one.push_str(t);
        }
        if !clause_leading && trailing_count <= 1 && indent + width(&one) <= MAX_WIDTH {
            let mut all: Vec<&Comment> = head_trailing;
            for c in &l.clauses {
                all.extend(att(c).trailing.iter());
            }
            all.extend(tail_trailing);
            self.line(indent, &one, &all);
            return;
        }
        // Wrapped: fill lines greedily; a comment ends its line.
        let cont = indent + CONTINUATION;
        let mut lines: Vec<(usize, String, Vec<&Comment>)> = Vec::new();
        let mut cur = (indent, head, head_trailing);
        let mut force = !cur.2.is_empty();
        for (k, c) in l.clauses.iter().enumerate() {
            let a = att(c);
            let sep = if k == 0 { " " } else { l.sep };
            let too_long = cur.0 + width(&cur.1) + width(sep) + width(&c.text) > MAX_WIDTH;
            if force || !a.leading.is_empty() || too_long {
                if k > 0 {
                    cur.1.push_str(l.sep.trim_end());
                }
                lines.push(cur);
                for lc in &a.leading {
                    lines.push((cont, String::new(), vec![lc]));
                }
                cur = (cont, c.text.clone(), Vec::new());
            } else {
                cur.1.push_str(sep);
                cur.1.push_str(&c.text);
            }
            cur.2.extend(a.trailing.iter());
            force = !a.trailing.is_empty();
        }
        let mut after: Vec<&Comment> = Vec::new();
        if let Some((t, _)) = &tail {
            cur.1.push(' ');
            cur.1.push_str(t);
            // One comment per line: a `{` comment that finds the line taken
            // goes first inside the block, where the next run leaves it.
            if cur.2.is_empty() {
                cur.2.extend(tail_trailing);
            } else {
                after = tail_trailing;
            }
        }
        lines.push(cur);
        // Inside the block it opens; after `{}`, below the statement.
        let after_indent = match tail {
            Some(("{", _)) => indent + INDENT,
            _ => indent,
        };
        for c in after {
            lines.push((after_indent, String::new(), vec![c]));
        }
        for (ind, text, comments) in lines {
            self.line(ind, &text, &comments);
        }
    }
}

/// The head columns, each padded to its run's width; a column no member of
/// the run has is left out.
fn head_text(cells: &[String], widths: &[usize]) -> String {
    let mut s = String::new();
    for (i, cell) in cells.iter().enumerate() {
        let w = widths.get(i).copied().unwrap_or_else(|| width(cell));
        if w == 0 {
            continue;
        }
        if !s.is_empty() {
            s.push(' ');
        }
        s.push_str(cell);
        s.push_str(&" ".repeat(w.saturating_sub(width(cell))));
    }
    s
}

/// Column widths for each statement: consecutive drug entries (or tiers)
/// with no blank line between them form a run whose heads line up.
fn run_widths(items: &[Node], attached: &[Attached]) -> Vec<Vec<usize>> {
    let align = |n: &Node| match &n.stmt {
        Stmt::Leaf(l) => l.align,
        Stmt::Block(_) => Align::None,
    };
    let cells = |n: &Node| match &n.stmt {
        Stmt::Leaf(l) => l.cells.iter().map(|c| width(c)).collect::<Vec<_>>(),
        Stmt::Block(b) => b.head.cells.iter().map(|c| width(c)).collect(),
    };
    let breaks_run =
        |n: &Node| n.blank_before || attached[n.head().id].leading.iter().any(|c| c.blank_before);
    let mut out: Vec<Vec<usize>> = Vec::with_capacity(items.len());
    let mut i = 0;
    while i < items.len() {
        let kind = align(&items[i]);
        let mut j = i + 1;
        if kind != Align::None {
            while j < items.len() && align(&items[j]) == kind && !breaks_run(&items[j]) {
                j += 1;
            }
        }
        let mut w: Vec<usize> = Vec::new();
        for n in &items[i..j] {
            for (k, c) in cells(n).into_iter().enumerate() {
                if k >= w.len() {
                    w.push(0);
                }
                w[k] = w[k].max(c);
            }
        }
        for _ in i..j {
            out.push(w.clone());
        }
        i = j;
    }
    out
}
