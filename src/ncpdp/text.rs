//! Free text for the wire: D.0 text fields are printable ASCII, so engine
//! messages are folded to ASCII and wrapped to the field's width.

/// Printable ASCII for `s`: common typography is spelled out (`—` as `-`,
/// `≥` as `>=`), anything else unprintable becomes `?`.
pub fn ascii(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            ' '..='~' => out.push(c),
            '\u{2010}'..='\u{2015}' | '\u{2212}' => out.push('-'),
            '\u{2018}' | '\u{2019}' => out.push('\''),
            '\u{201C}' | '\u{201D}' => out.push('"'),
            '\u{2026}' => out.push_str("..."),
            '\u{2265}' => out.push_str(">="),
            '\u{2264}' => out.push_str("<="),
            '\u{00D7}' => out.push('x'),
            '\t' | '\n' | '\r' | '\u{00A0}' => out.push(' '),
            _ => out.push('?'),
        }
    }
    out
}

/// Splits ASCII text into lines of at most `width` characters, breaking
/// at spaces where it can and inside a word only when it is longer than a line.
pub fn wrap(s: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in s.split(' ').filter(|w| !w.is_empty()) {
        let mut word = word;
        while word.len() > width {
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            let (head, tail) = word.split_at(width);
            lines.push(head.to_string());
            word = tail;
        }
        if word.is_empty() {
            continue;
        }
        if !line.is_empty() && line.len() + 1 + word.len() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_at_spaces_and_splits_long_words() {
        let l = wrap(
            "prior authorization required: dementia drugs need a diagnosis",
            20,
        );
        assert!(l.iter().all(|x| x.len() <= 20), "{l:?}");
        assert_eq!(
            l.join(" "),
            "prior authorization required: dementia drugs need a diagnosis"
        );
        assert_eq!(wrap(&"x".repeat(45), 20).len(), 3);
        assert!(wrap("", 40).is_empty());
    }

    #[test]
    fn folds_to_printable_ascii() {
        assert_eq!(ascii("a — b ≥ 3…"), "a - b >= 3...");
        assert_eq!(ascii("é\u{1}"), "??");
    }
}
