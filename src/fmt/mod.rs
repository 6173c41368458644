//! A stage beside the pipeline: source text → syntax tree and comments →
//! the canonical layout. `formulary fmt` rewrites files with it.
//!
//! The layout rules:
//! - one statement per line; a drug entry (or any clause list) that would
//!   pass 100 columns wraps at clause boundaries, continuation lines
//!   indented 4 spaces more than the statement;
//! - 2 spaces of indentation per block level (class, prior authorization,
//!   step therapy); `{` ends the head line, `}` stands alone; an empty block
//!   is written `{}`;
//! - a run of consecutive drug entries (or tiers) with no blank line
//!   between them lines up: the kind keyword, the name, the label and the
//!   clause list each start at the same column;
//! - clauses of an entry in one order: identity (`rxcui`, `ndc`, `of`,
//!   `brand of`, `also in`), coverage (`tier`, `excluded`, `non-formulary`),
//!   edits (`pa`, `step`, `limit`, `age`, `sex`), `alternatives`; clauses of
//!   one kind keep their order, since the first coverage status in force
//!   wins; a period stays on its clause; clauses are separated by spaces,
//!   a tier's cost shares and flags by commas;
//! - inside a prior authorization: `approve when` lines, `criteria`,
//!   `duration`, `effective`; inside step therapy: the steps, `unless`,
//!   `new starts only`, `effective`; statements, steps, approvals and the
//!   drugs of a class keep the author's order;
//! - NDCs are written in the dashed 11-digit 5-4-2 form (`0378-1025-77`
//!   becomes `00378-1025-77`) and an `ndc` list is sorted; a code that is
//!   not a valid NDC is left as written for the compiler to report. Lists
//!   whose order carries meaning (`of`, `also in`, `alternatives`, step
//!   sets, diagnoses) keep the author's order;
//! - money is `$5` for whole dollars and `$12.50` otherwise; percents and
//!   quantities drop trailing zeros (`12.5%`, `2.4`); sex is `F` or `M`;
//!   `limit 1 fill per 30 days` but `limit 2 fills per 30 days`;
//! - comments stay where they were: an own-line comment before the line it
//!   preceded, a trailing comment at the end of the line its clause is on
//!   (two spaces before the `#`), and both move with their clause when
//!   clauses are reordered; where two trailing comments would share one
//!   line they go above it instead; single blank lines between statements
//!   are kept, several become one, none at the start or end of a block;
//! - lines end with `\n` (never `\r\n`), carry no trailing blanks, are
//!   indented with spaces only, and the file ends with one newline.
//!
//! Formatting never changes meaning: the result is parsed again and its
//! syntax tree must equal the original's in canonical order, and every
//! keyword must be written as many times as before. A file that fails
//! either check is left alone and reported.

mod benefit;
mod comments;
mod dump;
mod print;
mod text;
mod tree;

pub use dump::semantic_dump;

use crate::ast::{self, Clause, DrugKind, Item};
use crate::diagnostics::Diag;
use crate::span::{FileId, Span};

/// Widest line the layout aims for.
pub const MAX_WIDTH: usize = 100;
/// Indentation per block level.
pub const INDENT: usize = 2;
/// Extra indentation of a wrapped statement's continuation lines.
pub const CONTINUATION: usize = 4;

/// Why a file was not formatted.
#[derive(Debug)]
pub enum FormatError {
    /// The file does not parse; the diagnostics point into it (file id 0).
    Syntax(Vec<Diag>),
    /// The layout would drop a keyword: the syntax tree keeps only the last
    /// of some repeated lines, so the author must remove the repetition.
    WouldDrop {
        /// Each keyword whose count would change: times written, times kept.
        keywords: Vec<(&'static str, usize, usize)>,
    },
    /// The layout did not parse back to the same tree: a formatter bug.
    Changed(String),
}

impl std::fmt::Display for FormatError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FormatError::Syntax(d) => write!(f, "{} syntax error(s)", d.len()),
            FormatError::WouldDrop { keywords } => {
                let counts: Vec<String> = keywords
                    .iter()
                    .map(|(k, w, n)| format!("`{k}` {w} → {n}"))
                    .collect();
                write!(
                    f,
                    "formatting would drop text ({}): a block repeats a line that may be written once, and only the last one counts; remove the others",
                    counts.join(", ")
                )
            }
            FormatError::Changed(why) => {
                write!(
                    f,
                    "the formatted text would not mean the same ({why}); the file is left as it is"
                )
            }
        }
    }
}

impl std::error::Error for FormatError {}

/// Formats one file's text. The result ends with a newline (or is empty).
pub fn format_source(text: &str) -> Result<String, FormatError> {
    let (tree, diags) = crate::syntax::parse(FileId(0), text);
    if diags.iter().any(Diag::is_error) {
        return Err(FormatError::Syntax(diags));
    }
    let found = comments::scan(text);
    let mut before: Vec<String> = found.iter().map(|c| c.text.clone()).collect();
    let layout = tree::build(&tree, text, found);
    let out = print::print(&layout);

    // The safety checks: same tree, same keywords, same comments.
    let (again, diags) = crate::syntax::parse(FileId(0), &out);
    if diags.iter().any(Diag::is_error) {
        return Err(FormatError::Changed("the result does not parse".into()));
    }
    if canonical(&tree) != canonical(&again) {
        return Err(FormatError::Changed("the syntax trees differ".into()));
    }
    let (kw_in, kw_out) = (
        comments::keyword_counts(text),
        comments::keyword_counts(&out),
    );
    let dropped: Vec<(&'static str, usize, usize)> = kw_in
        .iter()
        .map(|(k, n)| (*k, *n, kw_out.get(k).copied().unwrap_or(0)))
        .filter(|(_, n, m)| n != m)
        .collect();
    if !dropped.is_empty() {
        return Err(FormatError::WouldDrop { keywords: dropped });
    }
    if let Some((k, _)) = kw_out.iter().find(|(k, _)| !kw_in.contains_key(*k)) {
        return Err(FormatError::Changed(format!("`{k}` would be added")));
    }
    // Comments travel with their clauses, which may change order.
    let mut after: Vec<String> = comments::scan(&out).into_iter().map(|c| c.text).collect();
    before.sort();
    after.sort();
    if before != after {
        return Err(FormatError::Changed("a comment would be lost".into()));
    }
    Ok(out)
}

/// The syntax tree with the formatter's own choices applied (clauses in
/// canonical order, NDCs normalised) and every position cleared, so that two
/// trees that differ only in layout compare equal.
fn canonical(f: &ast::File) -> ast::File {
    let mut f = f.clone();
    for i in &mut f.items {
        canonical_item(i);
    }
    f
}

fn canonical_item(i: &mut Item) {
    let z = Span::default();
    match i {
        Item::Header(h) => h.span = z,
        Item::Tier(t) => t.span = z,
        Item::Transition(t) => t.span = z,
        Item::Class(c) => {
            c.span = z;
            canonical_clauses(&mut c.clauses);
            c.items.iter_mut().for_each(canonical_item);
        }
        Item::Drug(d) => {
            d.span = z;
            if d.kind == DrugKind::Package {
                d.name.node = text::ndc(&d.name.node);
            }
            canonical_clauses(&mut d.clauses);
        }
        Item::Pa(p) => {
            p.span = z;
            for a in &mut p.approve {
                a.span = z;
                for c in &mut a.conditions {
                    if let ast::Condition::Age(r) = c {
                        r.span = z;
                    }
                }
            }
        }
        Item::Step(s) => {
            s.span = z;
            s.new_starts_only = s.new_starts_only.map(|_| z);
            s.steps.iter_mut().for_each(|r| r.span = z);
        }
        Item::Benefit(b) => canonical_benefit(b),
        Item::Include(_) | Item::Prices(_) | Item::Catalog(_) | Item::Refill(_) => {}
    }
}

fn canonical_benefit(b: &mut ast::BenefitDef) {
    let z = Span::default();
    b.span = z;
    b.full = z;
    for a in [&mut b.deductible, &mut b.out_of_pocket]
        .into_iter()
        .flatten()
    {
        a.span = z;
    }
    // Every `exempt tier` line is one list in the tree, written as one line.
    for l in b.exempt.iter_mut().chain(b.vaccines.iter_mut()) {
        l.span = z;
    }
    if let Some(i) = &mut b.insulin {
        i.drugs.span = z;
    }
    for p in &mut b.preventive {
        p.drugs.span = z;
        for c in &mut p.conditions {
            if let ast::Condition::Age(r) = c {
                r.span = z;
            }
        }
    }
}

fn canonical_clauses(clauses: &mut [crate::span::Spanned<Clause>]) {
    let z = Span::default();
    clauses.sort_by_key(|c| text::clause_rank(&c.node));
    for c in clauses {
        match &mut c.node {
            Clause::Ndc(list) => {
                let sorted = text::ndc_list(list);
                for (slot, s) in list.iter_mut().zip(sorted) {
                    slot.node = s;
                }
            }
            Clause::Age(r, _) => r.span = z,
            _ => {}
        }
        if let Some(p) = period_mut(&mut c.node) {
            p.span = z;
        }
    }
}

fn period_mut(c: &mut Clause) -> Option<&mut ast::Period> {
    match c {
        Clause::Tier(_, p)
        | Clause::Excluded(_, p)
        | Clause::NonFormulary(p)
        | Clause::Pa(_, p)
        | Clause::Step(_, p)
        | Clause::Limit(_, p)
        | Clause::Age(_, p)
        | Clause::Sex(_, p) => p.as_mut(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt(s: &str) -> String {
        format_source(s).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn aligns_a_run_of_drugs_and_orders_clauses() {
        let src = "class ace \"ACE\" {\ningredient lisinopril tier 1 rxcui 29046\n  product lisinopril-10 \"lisinopril 10 MG\" ndc 68180051301 of lisinopril rxcui 314076\n}\n";
        let want = "class ace \"ACE\" {\n  ingredient lisinopril                       rxcui 29046 tier 1\n  product    lisinopril-10 \"lisinopril 10 MG\" rxcui 314076 ndc 68180-0513-01 of lisinopril\n}\n";
        assert_eq!(fmt(src), want);
        assert_eq!(fmt(want), want);
    }

    #[test]
    fn keeps_comments_in_place() {
        let src = "# head\n\n\n# about x\ningredient x rxcui 1 # one\n    tier 2 # two\nclass c { # open\n  # inner\n} # close\n# end\n";
        let out = fmt(src);
        assert_eq!(
            out,
            "# head\n\n# about x\ningredient x rxcui 1  # one\n    tier 2  # two\nclass c {  # open\n  # inner\n}  # close\n# end\n"
        );
        assert_eq!(fmt(&out), out);
    }

    #[test]
    fn refuses_to_drop_a_repeated_line() {
        // The parser reports the repeated line (E0111), so nothing is dropped.
        let src = "prior authorization p {\n  duration 30 days\n  duration 60 days\n}\n";
        let r = format_source(src);
        assert!(
            matches!(r, Err(FormatError::Syntax(ref d)) if d.iter().any(|d| d.code() == "E0111")),
            "{r:?}"
        );
    }

    #[test]
    fn syntax_errors_are_reported() {
        assert!(matches!(
            format_source("ingredient x tier\n"),
            Err(FormatError::Syntax(_))
        ));
    }
}
