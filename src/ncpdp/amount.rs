//! Numbers on the wire: signed overpunch amounts (dollars with two implied
//! decimals, the sign folded into the last character), quantities with three
//! implied decimals, whole numbers and CCYYMMDD dates.
//!
//! Overpunch: the last digit of a positive amount is written `{` for 0 and
//! `A`–`I` for 1–9; of a negative amount `}` for 0 and `J`–`R` for 1–9.
//! `1234` cents is `123D`, minus the same is `123M`. A plain last digit is
//! read as positive, as many senders write it.

use crate::codes::Money;
use chrono::NaiveDate;

const POSITIVE: &[u8; 10] = b"{ABCDEFGHI";
const NEGATIVE: &[u8; 10] = b"}JKLMNOPQR";

/// Most digits in a D.0 dollar amount (s9(6)v99).
pub const AMOUNT_DIGITS: usize = 8;
/// Most digits in a quantity (9(7)v999).
pub const QUANTITY_DIGITS: usize = 10;

/// Reads a signed overpunch amount. `None` when it is not one.
pub fn decode_amount(s: &str) -> Option<Money> {
    let b = s.as_bytes();
    let (&last, head) = b.split_last()?;
    if b.len() > AMOUNT_DIGITS || !head.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let (digit, negative) = if last.is_ascii_digit() {
        (last - b'0', false)
    } else if let Some(i) = POSITIVE.iter().position(|&c| c == last) {
        (i as u8, false)
    } else {
        (NEGATIVE.iter().position(|&c| c == last)? as u8, true)
    };
    let mut cents: i64 = 0;
    for &d in head {
        cents = cents * 10 + i64::from(d - b'0');
    }
    cents = cents * 10 + i64::from(digit);
    Some(Money(if negative { -cents } else { cents }))
}

/// Writes an amount in signed overpunch, at least three characters (`00{`
/// is zero), so that the dollars and cents stay readable.
pub fn encode_amount(m: Money) -> String {
    let digits = format!("{:03}", m.0.unsigned_abs());
    let (head, last) = digits.split_at(digits.len() - 1);
    let d = usize::from(last.as_bytes()[0] - b'0');
    let table = if m.0 < 0 { NEGATIVE } else { POSITIVE };
    format!("{head}{}", table[d] as char)
}

/// Reads a quantity with three implied decimals (`30000` is 30.000) as
/// thousandths. `None` when it is not all digits or too long.
pub fn decode_quantity(s: &str) -> Option<u64> {
    if s.is_empty() || s.len() > QUANTITY_DIGITS || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Writes thousandths with three implied decimals.
pub fn encode_quantity(thousandths: u64) -> String {
    thousandths.to_string()
}

/// Reads an unsigned whole number of at most `max_digits` digits.
pub fn decode_number(s: &str, max_digits: usize) -> Option<u64> {
    if s.is_empty() || s.len() > max_digits || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Reads a CCYYMMDD date.
pub fn decode_date(s: &str) -> Option<NaiveDate> {
    if s.len() != 8 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    NaiveDate::parse_from_str(s, "%Y%m%d").ok()
}

/// Writes a CCYYMMDD date.
pub fn encode_date(d: NaiveDate) -> String {
    d.format("%Y%m%d").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overpunch_reads_and_writes_every_last_digit() {
        for cents in [0i64, 1, 9, 10, 1234, 99_999_999, -1, -10, -1234, -5] {
            let s = encode_amount(Money(cents));
            assert_eq!(decode_amount(&s), Some(Money(cents)), "{cents} as {s}");
        }
        assert_eq!(encode_amount(Money(1234)), "123D");
        assert_eq!(encode_amount(Money(-1234)), "123M");
        assert_eq!(encode_amount(Money(0)), "00{");
        assert_eq!(encode_amount(Money(-500)), "50}");
        assert_eq!(decode_amount("1234"), Some(Money(1234)));
        assert_eq!(decode_amount("12R"), Some(Money(-129)));
        for bad in ["", "12X", "1-2", "A{", "123456789{"] {
            assert_eq!(decode_amount(bad), None, "{bad}");
        }
    }

    #[test]
    fn quantities_have_three_implied_decimals() {
        assert_eq!(decode_quantity("30000"), Some(30_000));
        assert_eq!(decode_quantity("30.0"), None);
        assert_eq!(decode_quantity("12345678901"), None);
        assert_eq!(encode_quantity(1500), "1500");
    }

    #[test]
    fn dates_are_ccyymmdd() {
        let d = decode_date("20260301").unwrap();
        assert_eq!(encode_date(d), "20260301");
        assert_eq!(decode_date("20260230"), None);
        assert_eq!(decode_date("2026-03-01"), None);
    }
}
