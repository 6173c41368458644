//! The Medicare Prescription Payment Plan: a member who opts in pays their
//! out-of-pocket costs in monthly amounts over the rest of the plan year.
//! The engine shows the month's cap as information; billing is the plan's.
//!
//! Rounding: each cap is rounded half up to the cent.

use crate::codes::Money;
use chrono::{Datelike, NaiveDate};

/// Months left in the (calendar) plan year, the month of `date` included:
/// 12 in January, 1 in December.
pub fn months_left(date: NaiveDate) -> u32 {
    13 - date.month()
}

/// The first month's cap: (out-of-pocket threshold − out of pocket so far)
/// ÷ months left. `None` when `months_left` is 0.
pub fn first_month_cap(threshold: Money, oop_so_far: Money, months_left: u32) -> Option<Money> {
    let left = threshold.0.saturating_sub(oop_so_far.0).max(0);
    spread(left, months_left)
}

/// A later month's cap: (balance carried + new costs) ÷ months left.
/// `None` when `months_left` is 0 or the sum does not fit.
pub fn later_month_cap(balance: Money, new_costs: Money, months_left: u32) -> Option<Money> {
    spread(balance.0.checked_add(new_costs.0)?.max(0), months_left)
}

fn spread(amount: i64, months: u32) -> Option<Money> {
    if months == 0 {
        return None;
    }
    let m = i64::from(months);
    Some(Money(amount / m + i64::from(amount % m * 2 >= m)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn months_left_counts_the_current_month() {
        assert_eq!(months_left(day("2026-01-15")), 12);
        assert_eq!(months_left(day("2026-03-31")), 10);
        assert_eq!(months_left(day("2026-12-01")), 1);
    }

    #[test]
    fn caps_match_hand_computations() {
        // Opting in during March with $400 paid: ($2,100 − $400) ÷ 10 = $170.00.
        assert_eq!(
            first_month_cap(Money(210_000), Money(40_000), 10),
            Some(Money(17_000))
        );
        // In July, $1,000 ÷ 6 = $166.666…, rounded to $166.67.
        assert_eq!(
            first_month_cap(Money(210_000), Money(110_000), 6),
            Some(Money(16_667))
        );
        // Threshold already met: nothing left to spread.
        assert_eq!(
            first_month_cap(Money(210_000), Money(250_000), 6),
            Some(Money(0))
        );
        // Later: $850 carried plus a $125.50 fill over 5 months = $195.10.
        assert_eq!(
            later_month_cap(Money(85_000), Money(12_550), 5),
            Some(Money(19_510))
        );
        // $100 over 3 months: $33.333…, rounded to $33.33; $0.05 over 2: $0.03.
        assert_eq!(
            later_month_cap(Money(10_000), Money(0), 3),
            Some(Money(3_333))
        );
        assert_eq!(later_month_cap(Money(5), Money(0), 2), Some(Money(3)));
        assert_eq!(later_month_cap(Money(5), Money(0), 0), None);
        assert_eq!(later_month_cap(Money(i64::MAX), Money(1), 2), None);
    }
}
