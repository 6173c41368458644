//! Stage 1: source text to syntax tree. The only module that sees pest.
//!
//! Parsing never gives up at the first error: after a syntax error it resumes
//! at the next line that starts a statement, so one run reports every syntax
//! error in the file. The tree it returns holds every statement that parsed.

mod benefit;
mod errors;
mod keywords;
mod lower;

use crate::ast;
use crate::diagnostics::Diag;
use crate::span::FileId;
use pest::Parser as _;

mod grammar {
    //! The pest parser generated from grammar/formulary.pest.
    #![allow(missing_docs)]
    #[derive(pest_derive::Parser)]
    #[grammar = "../grammar/formulary.pest"]
    pub(crate) struct Grammar;
}
use grammar::{Grammar, Rule};

pub use keywords::KEYWORDS;

/// Deepest nesting of `{ }` blocks accepted. The grammar recurses only
/// through blocks; refusing deeper input before pest sees it keeps parsing
/// within the stack on any input.
pub const MAX_NESTING: usize = 64;

/// Syntax errors reported from one file before parsing stops. pest scans the
/// rest of the file to describe each error, so without a limit a file with
/// an error on every line took time quadratic in its length.
pub const MAX_SYNTAX_ERRORS: usize = 50;

/// Parses one file. Returns the statements that parsed and every syntax
/// error, up to [`MAX_SYNTAX_ERRORS`].
pub fn parse(file: FileId, text: &str) -> (ast::File, Vec<Diag>) {
    if let Some(at) = too_deep(text) {
        let span = crate::span::Span::new(file, at, at + 1);
        let diag = Diag::at(
            span,
            crate::diagnostics::Error::TooDeep {
                max: MAX_NESTING,
                at: span.source_span(),
            },
        );
        return (ast::File::default(), vec![diag]);
    }
    let mut items = Vec::new();
    let mut diags = Vec::new();
    let mut offset = 0usize;
    let mut rule = Rule::file;
    // Each round parses from `offset` to the end; a failure moves `offset` to the
    // next statement start after the error. The loop ends because offset grows.
    while offset <= text.len() {
        let rest = &text[offset..];
        match Grammar::parse(rule, rest) {
            Ok(mut pairs) => {
                if let Some(top) = pairs.next() {
                    diags.extend(lower::items(file, offset, top.into_inner(), &mut items));
                }
                break;
            }
            Err(err) => {
                let (diag, at) = errors::convert(file, text, offset, &err);
                diags.push(diag);
                // Keep what parsed before the error: parse the prefix up to the
                // start of the failing statement.
                let stmt_start = statement_start_before(text, at).max(offset);
                if stmt_start > offset {
                    if let Ok(mut pairs) = Grammar::parse(Rule::recovery, &text[offset..stmt_start])
                    {
                        if let Some(top) = pairs.next() {
                            diags.extend(lower::items(file, offset, top.into_inner(), &mut items));
                        }
                    }
                }
                match next_statement_start(text, at.max(offset) + 1) {
                    Some(next) if diags.len() >= MAX_SYNTAX_ERRORS => {
                        let span = crate::span::Span::new(file, next, next);
                        diags.push(Diag::at(
                            span,
                            crate::diagnostics::Error::TooManySyntaxErrors {
                                max: MAX_SYNTAX_ERRORS,
                                at: span.source_span(),
                            },
                        ));
                        break;
                    }
                    Some(next) => {
                        offset = next;
                        rule = Rule::recovery;
                    }
                    None => break,
                }
            }
        }
    }
    (ast::File { items }, diags)
}

/// The offset of the first `{` nested deeper than [`MAX_NESTING`], outside
/// strings and comments.
fn too_deep(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut in_comment = false;
    let mut escaped = false;
    for (i, b) in text.bytes().enumerate() {
        if in_comment {
            in_comment = b != b'\n';
        } else if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' | b'\n' => in_string = false,
                _ => {}
            }
        } else {
            match b {
                b'#' => in_comment = true,
                b'"' => in_string = true,
                b'{' => {
                    depth += 1;
                    if depth > MAX_NESTING {
                        return Some(i);
                    }
                }
                b'}' => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
    }
    None
}

/// Keywords that start a statement at the start of a line.
const STATEMENT_KEYWORDS: &[&str] = &[
    "formulary ",
    "include ",
    "prices ",
    "catalog ",
    "drugs ",
    "combination ",
    "tier ",
    "refill ",
    "transition ",
    "class ",
    "ingredient ",
    "product ",
    "package ",
    "prior ",
    "step therapy ",
];

fn line_starts_statement(line: &str) -> bool {
    let t = line.trim_start();
    STATEMENT_KEYWORDS.iter().any(|k| t.starts_with(k))
}

/// Byte offset of the first line at or after `from` that starts a statement.
fn next_statement_start(text: &str, from: usize) -> Option<usize> {
    // `from` is one past an error's first byte, which may be inside a
    // multi-byte character: search bytes, and keep `pos` at a line start.
    let bytes = text.as_bytes();
    let mut pos = bytes[..from.min(bytes.len())]
        .iter()
        .rposition(|&b| b == b'\n')
        .map(|p| p + 1)
        .unwrap_or(0);
    // Skip the line that holds `from`.
    pos = bytes[pos..]
        .iter()
        .position(|&b| b == b'\n')
        .map(|p| pos + p + 1)?;
    while pos < text.len() {
        let end = text[pos..]
            .find('\n')
            .map(|p| pos + p)
            .unwrap_or(text.len());
        if line_starts_statement(&text[pos..end]) {
            return Some(pos);
        }
        pos = end + 1;
    }
    None
}

/// Byte offset of the start of the last statement line at or before `at`.
fn statement_start_before(text: &str, at: usize) -> usize {
    let mut end = at.min(text.len());
    loop {
        let start = text[..end].rfind('\n').map(|p| p + 1).unwrap_or(0);
        let line_end = text[start..]
            .find('\n')
            .map(|p| start + p)
            .unwrap_or(text.len());
        if line_starts_statement(&text[start..line_end]) || start == 0 {
            return start;
        }
        end = start - 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(text: &str) -> (usize, Vec<String>) {
        let (tree, diags) = parse(FileId(0), text);
        (tree.items.len(), diags.iter().map(Diag::code).collect())
    }

    #[test]
    fn parsing_stops_after_the_most_syntax_errors_it_reports() {
        let bad = "ingredient x rxcui 1 tier one\n";
        let text = bad.repeat(MAX_SYNTAX_ERRORS);
        let (_, all) = codes(&text);
        assert_eq!(all, vec!["E0001".to_string(); MAX_SYNTAX_ERRORS]);
        let (_, capped) = codes(&format!("{text}{bad}{bad}"));
        assert_eq!(capped.len(), MAX_SYNTAX_ERRORS + 1);
        assert_eq!(capped.last().map(String::as_str), Some("E0006"));
    }

    #[test]
    fn an_error_at_a_multi_byte_character_is_reported_not_a_panic() {
        assert_eq!(codes("\u{7b7}"), (0, vec!["E0001".to_string()]));
        // Recovery resumes at the next statement after the bad line.
        let text = "tier 3 \u{7b7}ranod \"x\" copay $45\ninclude \"a.formulary\"\n";
        assert_eq!(codes(text), (1, vec!["E0001".to_string()]));
    }
}
