//! Quantity limits in our own syntax inside a FHIR text field: written by the
//! export as `2.4 per 28 days; 1 per day`, read back strictly by the import
//! (a piece that is not exactly one of the grammar's limit forms is refused,
//! so no text from elsewhere becomes source).

use crate::compile::model::Limit;

/// The limits as `; `-separated source text after `limit`.
pub(super) fn describe(limits: &[Limit]) -> String {
    limits
        .iter()
        .map(|l| l.to_string())
        .collect::<Vec<_>>()
        .join("; ")
}

/// Each piece of a description as source text after `limit`, or None when
/// any piece is not one of the limit forms.
pub(super) fn parse(text: &str) -> Option<Vec<String>> {
    text.split(';')
        .map(|piece| {
            let words: Vec<&str> = piece.split_whitespace().collect();
            let ok = match words.as_slice() {
                [n, "per", "day"] => number(n),
                [n, "per", d, "days"] => number(n) && whole(d),
                [n, "per", d, "days", "rolling"] => number(n) && whole(d),
                [d, "days", "supply"] => whole(d),
                [c, "fill" | "fills", "per", d, "days"] => whole(c) && whole(d),
                _ => false,
            };
            ok.then(|| words.join(" "))
        })
        .collect()
}

/// A positive whole number as the grammar writes it.
fn whole(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 9
        && s.bytes().all(|b| b.is_ascii_digit())
        && s.bytes().any(|b| b != b'0')
}

/// A positive decimal as the grammar writes it: digits, optionally `.` digits.
fn number(s: &str) -> bool {
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (s, None),
    };
    let digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    digits(int) && frac.is_none_or(digits) && s.bytes().any(|b| (b'1'..=b'9').contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_forms_round_trip_and_strangers_are_refused() {
        let limits = [
            Limit::Quantity {
                amount: 2.4,
                days: 28,
                rolling: false,
            },
            Limit::Quantity {
                amount: 60.0,
                days: 30,
                rolling: true,
            },
            Limit::Daily(1.0),
            Limit::Supply(30),
            Limit::Fills { count: 1, days: 30 },
        ];
        let text = describe(&limits);
        assert_eq!(
            text,
            "2.4 per 28 days; 60 per 30 days rolling; 1 per day; 30 days supply; 1 fill per 30 days"
        );
        assert_eq!(parse(&text).unwrap().len(), 5);
        assert_eq!(parse("Count 60 times, once per 30 days"), None);
        assert_eq!(parse("0 per day"), None);
        assert_eq!(parse("1e3 per day"), None);
    }
}
