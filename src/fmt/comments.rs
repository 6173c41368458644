//! The source text beside the syntax tree: comments, blank lines and the
//! braces of blocks. The grammar drops comments, so the formatter finds them
//! again here with a small scanner that knows strings (a `#` inside quotes is
//! text, not a comment).

use std::collections::BTreeMap;

/// A `#` comment as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Comment {
    /// Byte offset of the `#`.
    pub start: u32,
    /// Byte offset just past its last character.
    pub end: u32,
    /// The text from `#` to the end of the line, trailing blanks removed.
    pub text: String,
    /// Nothing but blanks before it on its line.
    pub own_line: bool,
    /// The line above it is blank.
    pub blank_before: bool,
}

/// What the scanner is inside of.
#[derive(Clone, Copy, PartialEq)]
enum State {
    Code,
    Str,
    Comment,
}

/// Every comment of a source text, in order.
pub(super) fn scan(text: &str) -> Vec<Comment> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut state = State::Code;
    let mut start = 0usize;
    let mut i = 0usize;
    while i < bytes.len() {
        let b = bytes[i];
        match state {
            State::Code => match b {
                b'"' => state = State::Str,
                b'#' => {
                    state = State::Comment;
                    start = i;
                }
                _ => {}
            },
            // A string cannot span lines; an unterminated one ends at the newline.
            State::Str => match b {
                b'\\' => i += 1,
                b'"' | b'\n' => state = State::Code,
                _ => {}
            },
            State::Comment => {
                if b == b'\n' {
                    out.push(comment(text, start, i));
                    state = State::Code;
                }
            }
        }
        i += 1;
    }
    if state == State::Comment {
        out.push(comment(text, start, text.len()));
    }
    out
}

fn comment(text: &str, start: usize, end: usize) -> Comment {
    let line_start = text[..start].rfind('\n').map(|p| p + 1).unwrap_or(0);
    let body = text[start..end].trim_end();
    Comment {
        start: start as u32,
        end: (start + body.len()) as u32,
        text: body.to_string(),
        own_line: text[line_start..start].trim().is_empty(),
        blank_before: blank_line_before(text, start),
    }
}

/// Is the line above the one holding `offset` blank (and not the start of the file)?
pub(super) fn blank_line_before(text: &str, offset: usize) -> bool {
    let offset = offset.min(text.len());
    let Some(nl) = text[..offset].rfind('\n') else {
        return false;
    };
    let prev_start = text[..nl].rfind('\n').map(|p| p + 1).unwrap_or(0);
    text[prev_start..nl].trim().is_empty()
}

/// The first `ch` at or after `from` that is code, not inside a string or a
/// comment. `from` must be at a token boundary.
pub(super) fn find_code_char(text: &str, from: usize, ch: u8) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut state = State::Code;
    let mut i = from;
    while i < bytes.len() {
        let b = bytes[i];
        match state {
            State::Code if b == ch => return Some(i),
            State::Code if b == b'"' => state = State::Str,
            State::Code if b == b'#' => state = State::Comment,
            State::Str if b == b'\\' => i += 1,
            State::Str if b == b'"' || b == b'\n' => state = State::Code,
            State::Comment if b == b'\n' => state = State::Code,
            _ => {}
        }
        i += 1;
    }
    None
}

/// The last place in `from..to` where `word` is written as a whole word of
/// code (not in a string or comment). `from` must be at a token boundary.
pub(super) fn find_word(text: &str, from: usize, to: usize, word: &str) -> Option<usize> {
    let to = to.min(text.len());
    let mut found = None;
    each_word(text.get(from..to)?, |start, w| {
        if w == word {
            found = Some(from + start);
        }
    });
    found
}

/// Calls `f` with the offset and text of each word of code: a run of
/// letters, digits, `-` and `_` outside strings and comments.
fn each_word(text: &str, mut f: impl FnMut(usize, &str)) {
    let bytes = text.as_bytes();
    let word_char = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'_';
    let mut state = State::Code;
    let mut i = 0usize;
    while i < bytes.len() {
        let b = bytes[i];
        match state {
            State::Code if word_char(b) => {
                let start = i;
                while i < bytes.len() && word_char(bytes[i]) {
                    i += 1;
                }
                f(start, &text[start..i]);
                continue;
            }
            State::Code if b == b'"' => state = State::Str,
            State::Code if b == b'#' => state = State::Comment,
            State::Str if b == b'\\' => i += 1,
            State::Str if b == b'"' || b == b'\n' => state = State::Code,
            State::Comment if b == b'\n' => state = State::Code,
            _ => {}
        }
        i += 1;
    }
}

/// Keywords the layout must neither add nor remove: every keyword but
/// `fill` and `fills`, of which the layout writes whichever agrees with the
/// count.
fn counted(word: &str) -> Option<&'static str> {
    crate::syntax::KEYWORDS
        .iter()
        .find(|k| **k == word && !matches!(word, "fill" | "fills"))
        .copied()
}

/// How many times each keyword is written outside strings and comments.
/// Formatting keeps these counts; a difference means a clause would be lost
/// (the syntax tree keeps only the last of some repeated lines).
pub(super) fn keyword_counts(text: &str) -> BTreeMap<&'static str, usize> {
    let mut counts = BTreeMap::new();
    each_word(text, |_, word| {
        if let Some(k) = counted(word) {
            *counts.entry(k).or_insert(0) += 1;
        }
    });
    counts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_comments_but_not_hashes_in_strings() {
        let text = "tier 1 \"A # not\" copay $5 # trailing\n\n  # own line\nclass x \"q\\\"#\" {}";
        let c = scan(text);
        assert_eq!(c.len(), 2, "{c:?}");
        assert_eq!(c[0].text, "# trailing");
        assert!(!c[0].own_line);
        assert_eq!(c[1].text, "# own line");
        assert!(c[1].own_line && c[1].blank_before);
    }

    #[test]
    fn finds_braces_outside_strings_and_comments() {
        let text = "class x \"{\" # {\n {";
        assert_eq!(find_code_char(text, 0, b'{'), Some(text.len() - 1));
    }

    #[test]
    fn counts_keywords_as_whole_words() {
        let c = keyword_counts("step therapy step-1 { tried any 1 of a within 9 days } # tier");
        assert_eq!(c.get("step"), Some(&1));
        assert_eq!(c.get("tier"), None);
        assert_eq!(c.get("days"), Some(&1));
    }
}
