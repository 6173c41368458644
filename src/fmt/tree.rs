//! The layout tree: the syntax tree turned into lines and parts of lines in
//! canonical spelling and order, each part remembering where it was written
//! so that comments can be attached to it.

use super::comments::{blank_line_before, find_code_char, find_word, Comment};
use super::text;
use crate::ast::{self, Clause, DrugKind, Item};

/// A piece of output that comments can attach to.
#[derive(Debug)]
pub(super) struct Part {
    /// Index into the attachment table.
    pub id: usize,
    /// The text.
    pub text: String,
}

/// Which statements line up in columns with their neighbours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Align {
    /// Stands alone.
    None,
    /// A drug entry: kind, name, label, clauses.
    Drug,
    /// A tier: number, label, cost shares.
    Tier,
}

/// A statement that is one line unless it must wrap.
#[derive(Debug)]
pub(super) struct Leaf {
    /// Alignment group.
    pub align: Align,
    /// The head's columns (e.g. `ingredient`, name, label).
    pub cells: Vec<String>,
    /// The head, for comments.
    pub head: Part,
    /// The clauses after the head.
    pub clauses: Vec<Part>,
    /// Written between clauses on one line.
    pub sep: &'static str,
}

/// A statement of the layout.
#[derive(Debug)]
pub(super) enum Stmt {
    /// One logical line.
    Leaf(Leaf),
    /// A head line, `{`, items, `}`.
    Block(Block),
}

/// A class, prior authorization or step therapy block.
#[derive(Debug)]
pub(super) struct Block {
    /// The head (with its clauses for a class).
    pub head: Leaf,
    /// The `{`.
    pub open: Part,
    /// The members.
    pub items: Vec<Node>,
    /// The `}`.
    pub close: Part,
}

/// A statement with whether a blank line stood before it.
#[derive(Debug)]
pub(super) struct Node {
    /// The statement.
    pub stmt: Stmt,
    /// A blank line stood directly above its first line.
    pub blank_before: bool,
}

impl Node {
    /// The part that comments before the statement attach to.
    pub fn head(&self) -> &Part {
        match &self.stmt {
            Stmt::Leaf(l) => &l.head,
            Stmt::Block(b) => &b.head.head,
        }
    }
}

/// Comments attached to one part.
#[derive(Debug, Default, Clone)]
pub(super) struct Attached {
    /// Own-line comments written before it.
    pub leading: Vec<Comment>,
    /// Comments written at the end of its line.
    pub trailing: Vec<Comment>,
}

/// A whole file laid out, with its comments attached.
#[derive(Debug)]
pub(super) struct Layout {
    /// Top-level statements.
    pub items: Vec<Node>,
    /// The end of the file, holding comments after the last statement.
    pub end: Part,
    /// Comments by part id.
    pub attached: Vec<Attached>,
}

/// Builds the layout of a parsed file and attaches its comments.
pub(super) fn build(file: &ast::File, src: &str, comments: Vec<Comment>) -> Layout {
    let mut b = Builder {
        src,
        slots: Vec::new(),
        cursor: 0,
    };
    let items: Vec<Node> = file.items.iter().map(|i| b.node(i).0).collect();
    let end = b.part(String::new(), Some(src.len() as u32));
    let mut attached = vec![Attached::default(); b.slots.len()];
    // Slots in source order; for equal offsets, outer parts come first.
    let mut slots = b.slots;
    slots.retain(|s| s.0 != u32::MAX);
    slots.sort_by_key(|s| s.0);
    for c in comments {
        if c.own_line {
            // Before the first part that starts after it.
            let i = slots.partition_point(|s| s.0 < c.end);
            let id = slots.get(i).map(|s| s.1).unwrap_or(end.id);
            attached[id].leading.push(c);
        } else {
            // At the end of the last part that starts before it.
            let i = slots.partition_point(|s| s.0 < c.start);
            match i.checked_sub(1).and_then(|i| slots.get(i)) {
                Some(s) => attached[s.1].trailing.push(c),
                None => {
                    let id = slots.first().map(|s| s.1).unwrap_or(end.id);
                    attached[id].leading.push(c);
                }
            }
        }
    }
    // Only one comment fits at the end of a line. Several end up on one part
    // when a statement broken over lines had comments inside one clause;
    // they go above the part instead, in their order, which is also where
    // the next run puts them.
    for a in &mut attached {
        if a.trailing.len() > 1 {
            let moved = std::mem::take(&mut a.trailing);
            a.leading.extend(moved.into_iter().map(|mut c| {
                c.own_line = true;
                c.blank_before = false;
                c
            }));
        }
    }
    Layout {
        items,
        end,
        attached,
    }
}

struct Builder<'s> {
    src: &'s str,
    /// (source offset, part id); offset `u32::MAX` for parts with no position.
    slots: Vec<(u32, usize)>,
    /// End of the last statement built: where the next one's keyword is searched from.
    cursor: u32,
}

impl Builder<'_> {
    fn part(&mut self, text: String, anchor: Option<u32>) -> Part {
        let id = self.slots.len();
        self.slots.push((anchor.unwrap_or(u32::MAX), id));
        Part { id, text }
    }

    fn leaf(&mut self, cells: Vec<String>, anchor: u32) -> Leaf {
        Leaf {
            align: Align::None,
            cells,
            head: self.part(String::new(), Some(anchor)),
            clauses: Vec::new(),
            sep: " ",
        }
    }

    /// The layout node of an item, and the source offset where it ends.
    fn node(&mut self, item: &Item) -> (Node, u32) {
        let (stmt, start, end) = self.stmt(item);
        let blank_before = blank_line_before(self.src, start as usize);
        self.cursor = self.cursor.max(end);
        (Node { stmt, blank_before }, end)
    }

    /// Where the keyword `kw` that introduces a value at `value` was written:
    /// the syntax tree keeps the value's span only.
    fn kw_start(&self, from: u32, value: u32, kw: &str) -> u32 {
        find_word(self.src, from as usize, value as usize, kw)
            .map(|p| p as u32)
            .unwrap_or(value)
    }

    fn stmt(&mut self, item: &Item) -> (Stmt, u32, u32) {
        match item {
            Item::Header(h) => {
                let head = format!("formulary {}", text::quote(&h.name));
                let mut l = self.leaf(vec![head], h.span.start);
                let at = |b: &Self, kw, v: u32| Some(b.kw_start(h.span.start, v, kw));
                if let Some(id) = &h.id {
                    let a = at(self, "id", id.span.start);
                    l.clauses.push(self.part(format!("id {}", id.node), a));
                }
                if let Some(v) = &h.version {
                    let a = at(self, "version", v.span.start);
                    l.clauses.push(self.part(format!("version {}", v.node), a));
                }
                if let Some(r) = &h.effective {
                    let t = format!("effective {}", text::date_range(r));
                    let a = at(self, "effective", r.from.span.start);
                    l.clauses.push(self.part(t, a));
                }
                if let Some(p) = &h.plan {
                    let a = at(self, "plan", p.span.start);
                    l.clauses.push(self.part(format!("plan {}", p.node), a));
                }
                (Stmt::Leaf(l), h.span.start, h.span.end)
            }
            Item::Include(s) => {
                self.simple(format!("include {}", text::quote(s)), s.span, "include")
            }
            Item::Prices(s) => self.simple(format!("prices {}", text::quote(s)), s.span, "prices"),
            Item::Catalog(s) => {
                self.simple(format!("catalog {}", text::quote(s)), s.span, "catalog")
            }
            Item::Refill(p) => self.simple(
                format!("refill too soon before {} used", text::percent(p.node)),
                p.span,
                "refill",
            ),
            Item::Transition(t) => self.simple(
                format!(
                    "transition fill within {} days of enrollment up to {} days supply",
                    t.window_days.node, t.supply_days.node
                ),
                t.span,
                "transition",
            ),
            Item::Tier(t) => {
                let mut l = self.leaf(
                    vec![format!("tier {}", t.number.node), text::quote(&t.label)],
                    t.span.start,
                );
                l.align = Align::Tier;
                l.sep = ", ";
                let share = text::cost_share(&t.share);
                l.clauses.push(self.part(share, Some(t.share.span.start)));
                for v in &t.variants {
                    l.clauses
                        .push(self.part(text::variant(v), Some(v.share.span.start)));
                }
                if t.preferred {
                    l.clauses.push(self.part("preferred".into(), None));
                }
                if t.specialty {
                    l.clauses.push(self.part("specialty".into(), None));
                }
                (Stmt::Leaf(l), t.span.start, t.span.end)
            }
            Item::Drug(d) => {
                let l = self.drug(d);
                (Stmt::Leaf(l), d.span.start, d.span.end)
            }
            Item::Class(c) => self.class(c),
            Item::Pa(p) => self.pa(p),
            Item::Step(s) => self.step(s),
            Item::Benefit(b) => self.benefit(b),
        }
    }

    /// A one-line statement whose span may start after its keyword.
    fn simple(&mut self, line: String, span: crate::span::Span, kw: &str) -> (Stmt, u32, u32) {
        let start = self.kw_start(self.cursor, span.start, kw);
        (Stmt::Leaf(self.leaf(vec![line], start)), start, span.end)
    }

    fn clauses(&mut self, clauses: &[crate::span::Spanned<Clause>]) -> Vec<Part> {
        let mut sorted: Vec<&crate::span::Spanned<Clause>> = clauses.iter().collect();
        sorted.sort_by_key(|c| text::clause_rank(&c.node));
        sorted
            .into_iter()
            .map(|c| self.part(text::clause(&c.node, self.src), Some(c.span.start)))
            .collect()
    }

    fn drug(&mut self, d: &ast::DrugDef) -> Leaf {
        let name = if d.kind == DrugKind::Package {
            text::ndc(&d.name)
        } else {
            d.name.node.clone()
        };
        let label = d.label.as_ref().map(|l| text::quote(l)).unwrap_or_default();
        let mut l = self.leaf(vec![d.kind.as_str().to_string(), name, label], d.span.start);
        l.align = Align::Drug;
        l.clauses = self.clauses(&d.clauses);
        l
    }

    /// Opens a block after `head_end`: the `{` part.
    fn open(&mut self, head_end: u32) -> (Part, u32) {
        let at = find_code_char(self.src, head_end as usize, b'{')
            .map(|p| p as u32)
            .unwrap_or(head_end);
        (self.part("{".into(), Some(at)), at)
    }

    /// Closes a block whose last content ends at `last_end`: the `}` part.
    fn close(&mut self, last_end: u32) -> (Part, u32) {
        let at = find_code_char(self.src, last_end as usize, b'}')
            .map(|p| p as u32)
            .unwrap_or(last_end);
        (self.part("}".into(), Some(at)), at + 1)
    }

    fn class(&mut self, c: &ast::ClassDef) -> (Stmt, u32, u32) {
        let mut cells = vec![format!("class {}", c.name.node)];
        if let Some(l) = &c.label {
            cells.push(text::quote(l));
        }
        let mut head = self.leaf(cells, c.span.start);
        head.clauses = self.clauses(&c.clauses);
        let (open, open_at) = self.open(c.span.end);
        let mut last = open_at + 1;
        self.cursor = last;
        let mut items = Vec::new();
        for i in &c.items {
            let (n, end) = self.node(i);
            last = last.max(end);
            items.push(n);
        }
        let (close, end) = self.close(last);
        let block = Block {
            head,
            open,
            items,
            close,
        };
        (Stmt::Block(block), c.span.start, end)
    }

    fn rule_head(
        &mut self,
        kw: &str,
        name: &str,
        label: &Option<crate::span::Spanned<String>>,
        start: u32,
    ) -> Leaf {
        let mut line = format!("{kw} {name}");
        if let Some(l) = label {
            line.push(' ');
            line.push_str(&text::quote(l));
        }
        self.leaf(vec![line], start)
    }

    /// A block of rule lines, each (text, keyword, value start, end). The
    /// syntax tree keeps only the values' spans, so each line's start is
    /// found by its keyword, searching from the end of the line before.
    fn rule_block(
        &mut self,
        head: Leaf,
        head_end: u32,
        mut lines: Vec<(String, &'static str, u32, u32)>,
        start: u32,
    ) -> (Stmt, u32, u32) {
        let (open, open_at) = self.open(head_end);
        let mut last = open_at + 1;
        let mut starts: Vec<(usize, u32)> = Vec::new();
        let mut order: Vec<usize> = (0..lines.len()).collect();
        order.sort_by_key(|&i| lines[i].2);
        for i in order {
            let (_, kw, value, end) = lines[i];
            starts.push((i, self.kw_start(last, value, kw)));
            last = last.max(end);
        }
        starts.sort();
        let mut items = Vec::new();
        for (i, s) in starts {
            let t = std::mem::take(&mut lines[i].0);
            items.push(Node {
                stmt: Stmt::Leaf(self.leaf(vec![t], s)),
                blank_before: blank_line_before(self.src, s as usize),
            });
        }
        let (close, end) = self.close(last);
        let block = Block {
            head,
            open,
            items,
            close,
        };
        (Stmt::Block(block), start, end)
    }

    /// A benefit block, or its head alone when it has no lines.
    fn benefit(&mut self, b: &ast::BenefitDef) -> (Stmt, u32, u32) {
        let head = self.leaf(vec![super::benefit::head(b)], b.full.start);
        let lines = super::benefit::lines(b);
        if lines.is_empty() {
            return (Stmt::Leaf(head), b.full.start, b.full.end);
        }
        let (stmt, start, end) = self.rule_block(head, b.span.end, lines, b.full.start);
        (stmt, start, end.max(b.full.end))
    }

    /// Prior authorization: approvals and criteria in the author's order,
    /// then the duration and the effective period.
    fn pa(&mut self, p: &ast::PaDef) -> (Stmt, u32, u32) {
        let head = self.rule_head("prior authorization", &p.name, &p.label, p.span.start);
        let mut lines = Vec::new();
        for a in &p.approve {
            lines.push((text::approval(a), "approve", a.span.start, a.span.end));
        }
        for c in &p.criteria {
            let t = format!("criteria {}", text::quote(c));
            lines.push((t, "criteria", c.span.start, c.span.end));
        }
        if let Some(d) = &p.duration {
            let t = format!("duration {} days", d.node);
            lines.push((t, "duration", d.span.start, d.span.end));
        }
        if let Some(r) = &p.effective {
            let t = format!("effective {}", text::date_range(r));
            lines.push((t, "effective", r.from.span.start, r.to.span.end));
        }
        self.rule_block(head, p.span.end, lines, p.span.start)
    }

    /// Step therapy: the steps in order, the exceptions, `new starts only`
    /// and the effective period.
    fn step(&mut self, s: &ast::StepDef) -> (Stmt, u32, u32) {
        let head = self.rule_head("step therapy", &s.name, &s.label, s.span.start);
        let mut lines = Vec::new();
        for r in &s.steps {
            lines.push((text::step_req(r), "tried", r.span.start, r.span.end));
        }
        for group in self.unless_lines(&s.unless) {
            let (Some(first), Some(last)) = (group.first(), group.last()) else {
                continue;
            };
            let (first, last) = (first.span, last.span);
            let codes: Vec<&str> = group.iter().map(|c| c.node.as_str()).collect();
            let t = format!("unless diagnosis {}", codes.join(", "));
            lines.push((t, "unless", first.start, last.end));
        }
        if let Some(n) = s.new_starts_only {
            lines.push(("new starts only".into(), "new", n.start, n.end));
        }
        if let Some(r) = &s.effective {
            let t = format!("effective {}", text::date_range(r));
            lines.push((t, "effective", r.from.span.start, r.to.span.end));
        }
        self.rule_block(head, s.span.end, lines, s.span.start)
    }

    /// The syntax tree merges every `unless` line into one list; split it
    /// back into the lines written, so that each keeps its comments.
    fn unless_lines<'a>(
        &self,
        codes: &'a [crate::span::Spanned<String>],
    ) -> Vec<&'a [crate::span::Spanned<String>]> {
        let mut out = Vec::new();
        let mut start = 0;
        for i in 1..=codes.len() {
            let split = i == codes.len() || {
                let gap = self
                    .src
                    .get(codes[i - 1].span.end as usize..codes[i].span.start as usize)
                    .unwrap_or("");
                super::comments::keyword_counts(gap).contains_key("unless")
            };
            if split {
                out.push(&codes[start..i]);
                start = i;
            }
        }
        out
    }
}
