//! Typed values (E01xx): dates, periods, days, counts, ages, percentages, money, cost shares, tiers, ICD-10 patterns and limits.

use super::Builder;
use crate::ast;
use crate::codes::{parse_date, DateSpan, IcdPattern, Money};
use crate::compile::model::*;
use crate::diagnostics::Error;
use crate::span::{Span, Spanned};

impl Builder<'_> {
    pub(super) fn date(&mut self, s: &Spanned<String>) -> Option<chrono::NaiveDate> {
        let d = parse_date(&s.node);
        if d.is_none() {
            self.err(
                s.span,
                Error::BadDate {
                    date: s.node.clone(),
                    at: s.span.source_span(),
                },
            );
        }
        d
    }

    pub(super) fn date_range(&mut self, r: &ast::DateRange) -> DateSpan {
        let from = self.date(&r.from);
        let until = self.date(&r.to);
        let span = r.from.span.to(r.to.span);
        if let (Some(a), Some(b)) = (from, until) {
            if a > b {
                self.err(
                    span,
                    Error::InvertedRange {
                        what: "date range",
                        start: a.to_string(),
                        end: b.to_string(),
                        at: span.source_span(),
                    },
                );
            }
        }
        DateSpan { from, until }
    }

    /// A rule or clause period; warns when it never overlaps the formulary's.
    pub(super) fn period(&mut self, p: Option<&ast::Period>, what: &'static str) -> DateSpan {
        let Some(p) = p else { return DateSpan::ALWAYS };
        let from = p.from.as_ref().and_then(|d| self.date(d));
        let until = p.until.as_ref().and_then(|d| self.date(d));
        let span = DateSpan { from, until };
        if let (Some(a), Some(b)) = (from, until) {
            if a > b {
                self.err(
                    p.span,
                    Error::InvertedRange {
                        what: "date range",
                        start: a.to_string(),
                        end: b.to_string(),
                        at: p.span.source_span(),
                    },
                );
                return span;
            }
        }
        self.never_in_force(span, p.span, what);
        span
    }

    pub(super) fn never_in_force(&mut self, span: DateSpan, at: Span, what: &'static str) {
        if !self.effective.is_always() && !span.overlaps(&self.effective) {
            self.err(
                at,
                Error::NeverInForce {
                    what,
                    formulary_period: self.effective.to_string(),
                    at: at.source_span(),
                },
            );
        }
    }

    pub(super) fn out_of_range(
        &mut self,
        s: Span,
        what: &'static str,
        expected: &'static str,
        value: String,
        help: &'static str,
    ) {
        self.err(
            s,
            Error::OutOfRange {
                what,
                expected,
                value,
                at: s.source_span(),
                help,
            },
        );
    }

    /// A count of days: 1 to 3650.
    pub(super) fn days(&mut self, v: &Spanned<u64>, what: &'static str) -> u32 {
        if v.node == 0 || v.node > 3650 {
            self.out_of_range(
                v.span,
                what,
                "between 1 and 3650 days",
                v.node.to_string(),
                "a period of zero days can never be met",
            );
            return v.node.clamp(1, 3650) as u32;
        }
        v.node as u32
    }

    pub(super) fn count(&mut self, v: &Spanned<u64>, what: &'static str) -> u32 {
        if v.node == 0 || v.node > 1000 {
            self.out_of_range(
                v.span,
                what,
                "between 1 and 1000",
                v.node.to_string(),
                "use a positive count",
            );
            return v.node.clamp(1, 1000) as u32;
        }
        v.node as u32
    }

    pub(super) fn age(&mut self, v: &Option<Spanned<u64>>) -> Option<u32> {
        let v = v.as_ref()?;
        if v.node > 150 {
            self.out_of_range(
                v.span,
                "an age",
                "between 0 and 150 years",
                v.node.to_string(),
                "ages are in whole years",
            );
        }
        Some(v.node.min(150) as u32)
    }

    pub(super) fn age_range(&mut self, r: &ast::AgeRange) -> (Option<u32>, Option<u32>) {
        let min = self.age(&r.min);
        let max = self.age(&r.max);
        if let (Some(a), Some(b)) = (min, max) {
            if a > b {
                self.err(
                    r.span,
                    Error::InvertedRange {
                        what: "age range",
                        start: a.to_string(),
                        end: b.to_string(),
                        at: r.span.source_span(),
                    },
                );
            }
        }
        (min, max)
    }

    pub(super) fn percent(&mut self, v: &Spanned<u64>, _what: &'static str) -> u32 {
        if v.node > 10_000 {
            self.err(
                v.span,
                Error::PercentOver100 {
                    value: format!("{}%", format_bp(v.node.min(u32::MAX as u64) as u32)),
                    at: v.span.source_span(),
                },
            );
            return 10_000;
        }
        v.node as u32
    }

    pub(super) fn money(&mut self, v: &Spanned<u64>) -> Money {
        if v.node > 10_000_000 {
            self.out_of_range(
                v.span,
                "an amount",
                "at most $100000",
                format!("${}", v.node / 100),
                "amounts are per fill",
            );
        }
        Money(v.node.min(10_000_000) as i64)
    }

    pub(super) fn share(&mut self, s: &Spanned<ast::CostShare>) -> CostShare {
        match &s.node {
            ast::CostShare::Copay(m) => CostShare::Copay(self.money(m)),
            ast::CostShare::Coinsurance { percent, min, max } => {
                let bp = self.percent(percent, "coinsurance");
                let min_m = min.as_ref().map(|m| self.money(m));
                let max_m = max.as_ref().map(|m| self.money(m));
                if let (Some(a), Some(b), Some(ma), Some(mb)) = (min_m, max_m, min, max) {
                    if a > b {
                        self.err(
                            ma.span,
                            Error::MinAboveMax {
                                min: a.to_string(),
                                max: b.to_string(),
                                min_at: ma.span.source_span(),
                                max_at: mb.span.source_span(),
                            },
                        );
                    }
                }
                CostShare::Coinsurance {
                    bp,
                    min: min_m,
                    max: max_m,
                }
            }
        }
    }

    pub(super) fn tier(&mut self, t: &ast::TierDef) -> Tier {
        if t.number.node == 0 || t.number.node > 99 {
            self.out_of_range(
                t.number.span,
                "a tier number",
                "between 1 and 99",
                t.number.node.to_string(),
                "number tiers from 1",
            );
        }
        let mut tier = Tier {
            number: t.number.node.min(99) as u32,
            label: t.label.node.clone(),
            share: self.share(&t.share),
            mail: None,
            extended: None,
            preferred: t.preferred,
            specialty: t.specialty,
            origin: self.origin(t.span),
        };
        for v in &t.variants {
            let share = self.share(&v.share);
            match v.supply.node {
                ast::SupplyKind::Mail => tier.mail = Some(share),
                ast::SupplyKind::Days(d) => {
                    if !(35..=365).contains(&d) {
                        self.out_of_range(
                            v.supply.span,
                            "an extended supply",
                            "between 35 and 365 days",
                            d.to_string(),
                            "the standard share covers fills of up to 34 days",
                        );
                    }
                    tier.extended = Some((d as u32, share));
                }
            }
        }
        tier
    }

    pub(super) fn icds(&mut self, codes: &[Spanned<String>]) -> Vec<IcdPattern> {
        codes
            .iter()
            .filter_map(|c| match IcdPattern::parse(&c.node) {
                Ok(p) => Some(p),
                Err(_) => {
                    self.err(
                        c.span,
                        Error::BadIcd {
                            code: c.node.clone(),
                            at: c.span.source_span(),
                        },
                    );
                    None
                }
            })
            .collect()
    }

    pub(super) fn limit(&mut self, l: &ast::Limit) -> Limit {
        match l {
            ast::Limit::Quantity {
                amount,
                days,
                rolling,
            } => Limit::Quantity {
                amount: self.positive(amount, "a quantity"),
                days: self.days(days, "a limit period"),
                rolling: *rolling,
            },
            ast::Limit::Daily(a) => Limit::Daily(self.positive(a, "a daily quantity")),
            ast::Limit::Supply(d) => Limit::Supply(self.days(d, "a days supply")),
            ast::Limit::Fills { count, days } => Limit::Fills {
                count: self.count(count, "a number of fills"),
                days: self.days(days, "a limit period"),
            },
        }
    }

    pub(super) fn positive(&mut self, v: &Spanned<f64>, what: &'static str) -> f64 {
        if !(v.node > 0.0 && v.node < 1e9) {
            self.out_of_range(
                v.span,
                what,
                "positive",
                v.node.to_string(),
                "a zero limit would reject every claim; use `excluded` instead",
            );
            return 1.0;
        }
        v.node
    }
}
