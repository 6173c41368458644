//! Domain values shared by the compiler and the checker: NDC, RxCUI, ICD-10
//! patterns, money and date periods. Parsing here is strict and total: every
//! function returns a value or a reason, never panics.

use chrono::NaiveDate;

/// A calendar date (dates of service, birth, fills): chrono's `NaiveDate`,
/// re-exported so callers need not depend on chrono themselves.
pub use chrono::NaiveDate as Date;
use std::fmt;

/// A National Drug Code in the normalised 11-digit 5-4-2 form. Stored as its
/// ASCII digits so leading zeros can never be lost.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Ndc([u8; 11]);

impl Ndc {
    /// Parses 11 digits, or a dashed 10-digit form (4-4-2, 5-3-2, 5-4-1) or
    /// the dashed 11-digit 5-4-2 form, padding the short segment with a zero.
    pub fn parse(s: &str) -> Result<Ndc, String> {
        let s = s.trim();
        if s.is_empty() {
            return Err("empty".into());
        }
        if let Some(bad) = s.chars().find(|c| !c.is_ascii_digit() && *c != '-') {
            return Err(format!("`{bad}` is not a digit"));
        }
        let parts: Vec<&str> = s.split('-').collect();
        let digits: String = match parts.as_slice() {
            [all] => {
                if all.len() != 11 {
                    return Err(format!(
                        "{} digits; an undashed NDC has 11 (write a 10-digit NDC with its dashes)",
                        all.len()
                    ));
                }
                all.to_string()
            }
            [a, b, c] => match (a.len(), b.len(), c.len()) {
                (5, 4, 2) => format!("{a}{b}{c}"),
                (4, 4, 2) => format!("0{a}{b}{c}"),
                (5, 3, 2) => format!("{a}0{b}{c}"),
                (5, 4, 1) => format!("{a}{b}0{c}"),
                (x, y, z) => {
                    return Err(format!(
                        "segments of {x}-{y}-{z} digits; expected 4-4-2, 5-3-2, 5-4-1 or 5-4-2"
                    ))
                }
            },
            _ => return Err("expected three dash-separated segments".into()),
        };
        let mut out = [0u8; 11];
        out.copy_from_slice(digits.as_bytes());
        Ok(Ndc(out))
    }

    /// The 11 digits.
    pub fn as_str(&self) -> &str {
        // Only ASCII digits are ever stored.
        std::str::from_utf8(&self.0).unwrap_or("00000000000")
    }

    /// The 5-4-2 dashed form.
    pub fn dashed(&self) -> String {
        let s = self.as_str();
        format!("{}-{}-{}", &s[..5], &s[5..9], &s[9..])
    }
}

impl fmt::Display for Ndc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Ndc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Ndc({})", self.as_str())
    }
}

impl serde::Serialize for Ndc {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// Parses an RxCUI: a positive integer of up to 8 digits, no leading zero.
pub fn parse_rxcui(s: &str) -> Result<u32, String> {
    let s = s.trim();
    if s.is_empty() || s.len() > 8 || !s.bytes().all(|b| b.is_ascii_digit()) || s.starts_with('0') {
        return Err("an RxCUI is a positive whole number of up to 8 digits".into());
    }
    s.parse().map_err(|_| "not a number".into())
}

/// An ICD-10-CM code or prefix pattern, normalised: upper case, no dot.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IcdPattern {
    /// Code without the dot, upper case.
    pub code: String,
    /// True for `E11.*` or `E11*`: any code that starts with `code`.
    pub prefix: bool,
    /// As written, for messages.
    pub written: String,
}

impl IcdPattern {
    /// Parses `E11.9`, `I10`, `E11.*`, `E11*`.
    pub fn parse(s: &str) -> Result<IcdPattern, String> {
        let written = s.to_string();
        let (body, prefix) = match s.strip_suffix('*') {
            Some(b) => (b.trim_end_matches('.'), true),
            None => (s, false),
        };
        let code = normalise_icd(body).ok_or_else(|| "not ICD-10".to_string())?;
        if !prefix && code.len() < 3 {
            return Err("a code has at least three characters".into());
        }
        Ok(IcdPattern {
            code,
            prefix,
            written,
        })
    }

    /// Does a normalised claim code match?
    pub fn matches(&self, code: &str) -> bool {
        if self.prefix {
            code.starts_with(&self.code)
        } else {
            code == self.code
        }
    }
}

/// Normalises an ICD-10-CM code as found on a claim: upper case, dot removed.
/// Returns None when it is not shaped like one (a letter, then a digit, then
/// up to five letters or digits, with at most one dot after the third character).
pub fn normalise_icd(s: &str) -> Option<String> {
    let s = s.trim();
    let dot = s.find('.');
    if let Some(d) = dot {
        if d != 3 || s[d + 1..].contains('.') {
            return None;
        }
    }
    let code: String = s
        .chars()
        .filter(|&c| c != '.')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let b = code.as_bytes();
    let ok = (1..=7).contains(&b.len())
        && b[0].is_ascii_uppercase()
        && b.get(1).is_none_or(|c| c.is_ascii_digit())
        && b.iter().all(|c| c.is_ascii_alphanumeric());
    ok.then_some(code)
}

/// A normalised ICD-10-CM code with its dot: `E1165` → `E11.65`.
pub fn display_icd(code: &str) -> String {
    match code.get(3..) {
        Some(rest) if !rest.is_empty() => format!("{}.{rest}", &code[..3]),
        _ => code.to_string(),
    }
}

/// An amount of money in cents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Money(pub i64);

impl Money {
    /// From cents.
    pub fn cents(c: i64) -> Money {
        Money(c)
    }
    /// From a dollar amount, rounded to the cent.
    pub fn from_dollars(d: f64) -> Money {
        Money((d * 100.0).round() as i64)
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let c = self.0.unsigned_abs();
        write!(f, "{sign}${}.{:02}", c / 100, c % 100)
    }
}

impl serde::Serialize for Money {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // Dollars as a decimal number with two places, e.g. 12.5 for $12.50.
        s.serialize_f64(self.0 as f64 / 100.0)
    }
}

/// A period of days, inclusive at both ends; either end may be open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct DateSpan {
    /// First day, if bounded.
    pub from: Option<NaiveDate>,
    /// Last day, if bounded.
    pub until: Option<NaiveDate>,
}

impl DateSpan {
    /// All time.
    pub const ALWAYS: DateSpan = DateSpan {
        from: None,
        until: None,
    };

    /// Is `d` in the period?
    #[inline]
    pub fn contains(&self, d: NaiveDate) -> bool {
        self.from.is_none_or(|f| d >= f) && self.until.is_none_or(|u| d <= u)
    }

    /// Do the two periods share a day?
    pub fn overlaps(&self, o: &DateSpan) -> bool {
        let start = match (self.from, o.from) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        let end = match (self.until, o.until) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        match (start, end) {
            (Some(s), Some(e)) => s <= e,
            _ => true,
        }
    }

    /// True when open at both ends.
    pub fn is_always(&self) -> bool {
        self.from.is_none() && self.until.is_none()
    }
}

impl fmt::Display for DateSpan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.from, self.until) {
            (Some(a), Some(b)) => write!(f, "{a} to {b}"),
            (Some(a), None) => write!(f, "from {a}"),
            (None, Some(b)) => write!(f, "until {b}"),
            (None, None) => write!(f, "always"),
        }
    }
}

/// Parses YYYY-MM-DD.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    // Exactly four, two and two ASCII digits: chrono alone also reads a
    // sign and short fields (`+2026-03-1`, `-001-01-01`).
    let b = s.as_bytes();
    let shape = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shape {
        return None;
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_exactly_yyyy_mm_dd() {
        assert!(parse_date("2026-03-01").is_some());
        for bad in [
            "+2026-03-1",
            "-001-01-01",
            "2026-3-01 ",
            "2026/03/01",
            "2026-02-30",
        ] {
            assert!(parse_date(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn ndc_forms_normalise_to_eleven_digits() {
        let cases = [
            ("00378102577", Ok("00378102577")),
            ("0378-1025-77", Ok("00378102577")),
            ("00378-1025-77", Ok("00378102577")),
            ("68180-513-01", Ok("68180051301")),
            ("68180-0513-1", Ok("68180051301")),
            ("0378102577", Err(())),
            ("003781025770", Err(())),
            ("0037-81025-77", Err(())),
            ("00378-1025-7a", Err(())),
        ];
        for (input, want) in cases {
            let got = Ndc::parse(input).map(|n| n.to_string()).map_err(|_| ());
            assert_eq!(got, want.map(str::to_string), "{input}");
        }
    }

    #[test]
    fn icd_patterns_match_prefixes_and_codes() {
        let p = IcdPattern::parse("E11.*").unwrap();
        assert!(p.matches(&normalise_icd("e11.9").unwrap()));
        assert!(p.matches("E1165"));
        assert!(!p.matches("E109"));
        let exact = IcdPattern::parse("I10").unwrap();
        assert!(exact.matches("I10"));
        assert!(!exact.matches("I101"));
        assert!(IcdPattern::parse("E1.1.9").is_err());
        assert!(IcdPattern::parse("11.9").is_err());
        assert!(normalise_icd("E11..9").is_none());
    }

    #[test]
    fn rxcui_rejects_leading_zero_and_long() {
        assert_eq!(parse_rxcui("29046"), Ok(29046));
        assert!(parse_rxcui("029046").is_err());
        assert!(parse_rxcui("123456789").is_err());
        assert!(parse_rxcui("12a").is_err());
    }

    #[test]
    fn spans_overlap_and_contain() {
        let d = |s| parse_date(s).unwrap();
        let h1 = DateSpan {
            from: None,
            until: Some(d("2026-06-30")),
        };
        let h2 = DateSpan {
            from: Some(d("2026-07-01")),
            until: None,
        };
        assert!(!h1.overlaps(&h2));
        assert!(h1.overlaps(&DateSpan::ALWAYS));
        assert!(h1.contains(d("2026-06-30")));
        assert!(!h1.contains(d("2026-07-01")));
        assert_eq!(Money(1250).to_string(), "$12.50");
        assert_eq!(Money(-5).to_string(), "-$0.05");
    }
}
