//! Lowering pest pairs into the syntax tree.
//!
//! The grammar fixes the shape of every pair, so the lowering walks children
//! in order. A pair of an unexpected kind is a grammar bug; it is skipped
//! rather than turned into a message without a span.

use super::grammar::Rule;
use crate::ast::*;
use crate::span::{FileId, Span, Spanned};
use pest::iterators::{Pair, Pairs};

pub(super) type P<'i> = Pair<'i, Rule>;

/// Keyword tokens carry no value; the lowering skips them, except those that
/// tell alternatives apart.
fn is_keyword(r: Rule) -> bool {
    matches!(
        r,
        Rule::kw_formulary
            | Rule::kw_id
            | Rule::kw_version
            | Rule::kw_effective
            | Rule::kw_include
            | Rule::kw_prices
            | Rule::kw_catalog
            | Rule::kw_tier
            | Rule::kw_copay
            | Rule::kw_coinsurance
            | Rule::kw_min
            | Rule::kw_max
            | Rule::kw_for
            | Rule::kw_mail
            | Rule::kw_days
            | Rule::kw_day
            | Rule::kw_preferred
            | Rule::kw_specialty
            | Rule::kw_refill
            | Rule::kw_too
            | Rule::kw_soon
            | Rule::kw_before
            | Rule::kw_used
            | Rule::kw_transition
            | Rule::kw_fill
            | Rule::kw_fills
            | Rule::kw_within
            | Rule::kw_enrollment
            | Rule::kw_up
            | Rule::kw_to
            | Rule::kw_supply
            | Rule::kw_class
            | Rule::kw_rxcui
            | Rule::kw_ndc
            | Rule::kw_brand
            | Rule::kw_of
            | Rule::kw_excluded
            | Rule::kw_non_formulary
            | Rule::kw_pa
            | Rule::kw_step
            | Rule::kw_limit
            | Rule::kw_per
            | Rule::kw_rolling
            | Rule::kw_age
            | Rule::kw_sex
            | Rule::kw_also
            | Rule::kw_in
            | Rule::kw_alternatives
            | Rule::kw_from
            | Rule::kw_until
            | Rule::kw_prior
            | Rule::kw_authorization
            | Rule::kw_approve
            | Rule::kw_when
            | Rule::kw_and
            | Rule::kw_diagnosis
            | Rule::kw_criteria
            | Rule::kw_duration
            | Rule::kw_therapy
            | Rule::kw_tried
            | Rule::kw_any
            | Rule::kw_unless
            | Rule::kw_new
            | Rule::kw_starts
            | Rule::kw_only
    ) || super::benefit::is_keyword(r)
}

/// The children of a pair that carry values.
pub(super) fn kids<'i>(p: P<'i>) -> impl Iterator<Item = P<'i>> {
    p.into_inner().filter(|c| !is_keyword(c.as_rule()))
}

pub(super) struct Ctx {
    file: FileId,
    offset: usize,
    /// Lines a rule block may hold once but held twice.
    repeated: std::cell::RefCell<Vec<crate::diagnostics::Diag>>,
}

impl Ctx {
    /// Records `clause` written again at `again` after `first`.
    pub(super) fn repeated(&self, clause: &'static str, first: Span, again: Span) {
        self.repeated
            .borrow_mut()
            .push(crate::diagnostics::Diag::at(
                again,
                crate::diagnostics::Error::RepeatedClause {
                    clause,
                    first: first.source_span(),
                    again: again.source_span(),
                },
            ));
    }
}

impl Ctx {
    pub(super) fn span(&self, p: &P) -> Span {
        let s = p.as_span();
        Span::new(self.file, self.offset + s.start(), self.offset + s.end())
    }
    pub(super) fn text(&self, p: &P) -> Spanned<String> {
        Spanned::new(p.as_str().to_string(), self.span(p))
    }
    pub(super) fn string(&self, p: &P) -> Spanned<String> {
        // string = "\"" inner "\""; unescape \" and \\.
        let inner = p.as_str();
        let inner = &inner[1..inner.len().saturating_sub(1).max(1)];
        let mut out = String::with_capacity(inner.len());
        let mut chars = inner.chars();
        while let Some(c) = chars.next() {
            if c == '\\' {
                if let Some(n) = chars.next() {
                    out.push(n);
                }
            } else {
                out.push(c);
            }
        }
        Spanned::new(out, self.span(p))
    }
    pub(super) fn int(&self, p: &P) -> Spanned<u64> {
        Spanned::new(p.as_str().parse().unwrap_or(u64::MAX), self.span(p))
    }
    fn float(&self, p: &P) -> Spanned<f64> {
        Spanned::new(p.as_str().parse().unwrap_or(f64::MAX), self.span(p))
    }
    /// `$12.50` to cents.
    pub(super) fn money(&self, p: &P) -> Spanned<u64> {
        let s = p.as_str().trim_start_matches('$');
        Spanned::new(decimal_scaled(s, 2), self.span(p))
    }
    /// `12.5%` to basis points.
    fn percent(&self, p: &P) -> Spanned<u64> {
        let s = p.as_str().trim_end_matches('%');
        Spanned::new(decimal_scaled(s, 2), self.span(p))
    }
}

/// A decimal string times 10^places, rounded half up; saturates on overflow.
fn decimal_scaled(s: &str, places: u32) -> u64 {
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    let whole: u64 = whole.parse().unwrap_or(u64::MAX);
    let scale = 10u64.pow(places);
    let mut frac_digits: String = frac.chars().take(places as usize + 1).collect();
    while frac_digits.len() < places as usize + 1 {
        frac_digits.push('0');
    }
    let f: u64 = frac_digits.parse().unwrap_or(0);
    let rounded = (f + 5) / 10;
    whole.saturating_mul(scale).saturating_add(rounded)
}

/// Lowers the children of `file` or `recovery` into items.
/// Lowers the children of `file` or `recovery` into items; returns the
/// lines repeated in rule blocks (E0111), which the tree cannot hold twice.
pub(super) fn items(
    file: FileId,
    offset: usize,
    pairs: Pairs<Rule>,
    out: &mut Vec<Item>,
) -> Vec<crate::diagnostics::Diag> {
    let cx = Ctx {
        file,
        offset,
        repeated: Default::default(),
    };
    for p in pairs {
        if let Some(item) = item(&cx, p) {
            out.push(item);
        }
    }
    cx.repeated.into_inner()
}

fn item(cx: &Ctx, p: P) -> Option<Item> {
    Some(match p.as_rule() {
        Rule::header => Item::Header(header(cx, p)),
        Rule::include => Item::Include(cx.string(&kids(p).next()?)),
        Rule::price_list => Item::Prices(cx.string(&kids(p).next()?)),
        Rule::catalog => Item::Catalog(cx.string(&kids(p).next()?)),
        Rule::tier_def => Item::Tier(tier(cx, p)?),
        Rule::refill_policy => Item::Refill(cx.percent(&kids(p).next()?)),
        Rule::transition_policy => {
            let span = cx.span(&p);
            let mut it = kids(p);
            Item::Transition(Transition {
                window_days: cx.int(&it.next()?),
                supply_days: cx.int(&it.next()?),
                span,
            })
        }
        Rule::class_def => Item::Class(class(cx, p)?),
        Rule::drug_def => Item::Drug(drug(cx, p)?),
        Rule::pa_def => Item::Pa(pa(cx, p)?),
        Rule::step_def => Item::Step(step(cx, p)?),
        Rule::benefit_def => Item::Benefit(super::benefit::benefit(cx, p)),
        _ => return None,
    })
}

fn header(cx: &Ctx, p: P) -> Header {
    let span = cx.span(&p);
    let mut h = Header {
        name: Spanned::new(String::new(), span),
        id: None,
        version: None,
        effective: None,
        plan: None,
        span,
    };
    for c in kids(p) {
        match c.as_rule() {
            Rule::string => h.name = cx.string(&c),
            Rule::header_id => h.id = kids(c).next().map(|t| cx.text(&t)),
            Rule::header_version => h.version = kids(c).next().map(|t| cx.text(&t)),
            Rule::date_range => h.effective = date_range(cx, c),
            Rule::header_plan => h.plan = kids(c).next().map(|t| cx.text(&t)),
            _ => {}
        }
    }
    h
}

fn date_range(cx: &Ctx, p: P) -> Option<DateRange> {
    let mut it = kids(p);
    Some(DateRange {
        from: cx.text(&it.next()?),
        to: cx.text(&it.next()?),
    })
}

fn cost_share(cx: &Ctx, p: P) -> Option<Spanned<CostShare>> {
    let span = cx.span(&p);
    let share = match p.as_rule() {
        Rule::copay => CostShare::Copay(cx.money(&kids(p).next()?)),
        Rule::coinsurance => {
            let mut it = kids(p);
            let percent = cx.percent(&it.next()?);
            let mut min = None;
            let mut max = None;
            for c in it {
                let rule = c.as_rule();
                let amount = kids(c).next().map(|m| cx.money(&m));
                if rule == Rule::coins_min {
                    min = amount;
                } else {
                    max = amount;
                }
            }
            CostShare::Coinsurance { percent, min, max }
        }
        _ => return None,
    };
    Some(Spanned::new(share, span))
}

fn tier(cx: &Ctx, p: P) -> Option<TierDef> {
    let span = cx.span(&p);
    let mut it = kids(p);
    let number = cx.int(&it.next()?);
    let label = cx.string(&it.next()?);
    let share = cost_share(cx, it.next()?)?;
    let mut t = TierDef {
        number,
        label,
        share,
        variants: Vec::new(),
        preferred: false,
        specialty: false,
        span,
    };
    for c in it {
        match c.as_rule() {
            Rule::flag_preferred => t.preferred = true,
            Rule::flag_specialty => t.specialty = true,
            Rule::cost_variant => {
                let mut v = kids(c);
                let share = cost_share(cx, v.next()?)?;
                let s = v.next()?;
                let supply = match s.as_rule() {
                    Rule::supply_mail => Spanned::new(SupplyKind::Mail, cx.span(&s)),
                    _ => {
                        let n = kids(s.clone()).next().map(|n| cx.int(&n).node).unwrap_or(0);
                        Spanned::new(SupplyKind::Days(n), cx.span(&s))
                    }
                };
                t.variants.push(CostVariant { share, supply });
            }
            _ => {}
        }
    }
    Some(t)
}

fn class(cx: &Ctx, p: P) -> Option<ClassDef> {
    let head_start = cx.span(&p);
    let mut it = kids(p);
    let name = cx.text(&it.next()?);
    let mut c = ClassDef {
        name,
        label: None,
        clauses: Vec::new(),
        items: Vec::new(),
        span: head_start,
    };
    for child in it {
        match child.as_rule() {
            Rule::string => c.label = Some(cx.string(&child)),
            Rule::clauses => {
                let end = cx.span(&child).end;
                c.span.end = end.max(c.name.span.end);
                c.clauses = clauses(cx, child);
            }
            _ => {
                if let Some(i) = item(cx, child) {
                    c.items.push(i);
                }
            }
        }
    }
    if c.clauses.is_empty() {
        c.span.end = c
            .label
            .as_ref()
            .map(|l| l.span.end)
            .unwrap_or(c.name.span.end);
    }
    Some(c)
}

fn drug(cx: &Ctx, p: P) -> Option<DrugDef> {
    let span = cx.span(&p);
    let mut it = kids(p);
    let kind = match kids(it.next()?).next()?.as_rule() {
        Rule::kw_ingredient => DrugKind::Ingredient,
        Rule::kw_product => DrugKind::Product,
        _ => DrugKind::Package,
    };
    let name = cx.text(&it.next()?);
    let mut d = DrugDef {
        kind,
        name,
        label: None,
        clauses: Vec::new(),
        span,
    };
    for c in it {
        match c.as_rule() {
            Rule::string => d.label = Some(cx.string(&c)),
            Rule::clauses => d.clauses = clauses(cx, c),
            _ => {}
        }
    }
    Some(d)
}

fn clauses(cx: &Ctx, p: P) -> Vec<Spanned<Clause>> {
    kids(p).filter_map(|c| clause(cx, c)).collect()
}

fn names(cx: &Ctx, p: P) -> Vec<Spanned<String>> {
    kids(p).map(|c| cx.text(&c)).collect()
}

/// Splits a clause's children into its value pairs and its optional trailing period.
fn with_period<'i>(cx: &Ctx, p: P<'i>) -> (Vec<P<'i>>, Option<Period>) {
    let mut values = Vec::new();
    let mut period = None;
    for c in kids(p) {
        if c.as_rule() == Rule::period {
            period = Some(period_of(cx, c));
        } else {
            values.push(c);
        }
    }
    (values, period)
}

fn period_of(cx: &Ctx, p: P) -> Period {
    let span = cx.span(&p);
    let mut from = None;
    let mut until = None;
    for d in kids(p) {
        let rule = d.as_rule();
        let date = kids(d).next().map(|x| cx.text(&x));
        if rule == Rule::period_from {
            from = date;
        } else {
            until = date;
        }
    }
    Period { from, until, span }
}

fn clause(cx: &Ctx, p: P) -> Option<Spanned<Clause>> {
    let span = cx.span(&p);
    let rule = p.as_rule();
    let c = match rule {
        Rule::c_rxcui => Clause::Rxcui(cx.text(&kids(p).next()?)),
        Rule::c_ndc => Clause::Ndc(names(cx, p)),
        Rule::c_brand_of => Clause::BrandOf(cx.text(&kids(p).next()?)),
        Rule::c_of => Clause::Of(names(cx, p)),
        Rule::c_also_in => Clause::AlsoIn(names(cx, p)),
        Rule::c_alternatives => Clause::Alternatives(names(cx, p)),
        _ => {
            let (values, period) = with_period(cx, p);
            let first = values.into_iter().next();
            match rule {
                Rule::c_tier => Clause::Tier(cx.int(&first?), period),
                Rule::c_excluded => Clause::Excluded(cx.string(&first?), period),
                Rule::c_non_formulary => Clause::NonFormulary(period),
                Rule::c_pa => Clause::Pa(cx.text(&first?), period),
                Rule::c_step => Clause::Step(cx.text(&first?), period),
                Rule::c_limit => Clause::Limit(limit(cx, first?)?, period),
                Rule::c_age => Clause::Age(age_range(cx, first?), period),
                Rule::c_sex => Clause::Sex(sex(cx, &first?), period),
                _ => return None,
            }
        }
    };
    Some(Spanned::new(c, span))
}

fn limit(cx: &Ctx, p: P) -> Option<Limit> {
    let rule = p.as_rule();
    let mut it = kids(p);
    Some(match rule {
        Rule::limit_quantity => Limit::Quantity {
            amount: cx.float(&it.next()?),
            days: cx.int(&it.next()?),
            rolling: it.next().is_some(),
        },
        Rule::limit_daily => Limit::Daily(cx.float(&it.next()?)),
        Rule::limit_supply => Limit::Supply(cx.int(&it.next()?)),
        Rule::limit_fills => Limit::Fills {
            count: cx.int(&it.next()?),
            days: cx.int(&it.next()?),
        },
        _ => return None,
    })
}

fn age_range(cx: &Ctx, p: P) -> AgeRange {
    let span = cx.span(&p);
    let mut r = AgeRange {
        min: None,
        max: None,
        span,
    };
    for c in kids(p) {
        match c.as_rule() {
            Rule::age_from => r.min = Some(cx.int(&c)),
            Rule::age_to => r.max = Some(cx.int(&c)),
            _ => {}
        }
    }
    r
}

fn sex(cx: &Ctx, p: &P) -> Spanned<Sex> {
    let s = match p.as_str().to_ascii_lowercase().as_str() {
        "f" | "female" => Sex::Female,
        _ => Sex::Male,
    };
    Spanned::new(s, cx.span(p))
}

fn pa(cx: &Ctx, p: P) -> Option<PaDef> {
    let span = cx.span(&p);
    let mut it = kids(p);
    let name = cx.text(&it.next()?);
    let mut d = PaDef {
        span: Span {
            end: name.span.end,
            ..span
        },
        name,
        label: None,
        approve: Vec::new(),
        criteria: Vec::new(),
        duration: None,
        effective: None,
    };
    for c in it {
        match c.as_rule() {
            Rule::string => {
                d.span.end = cx.span(&c).end;
                d.label = Some(cx.string(&c));
            }
            Rule::pa_approve => {
                let aspan = cx.span(&c);
                let conditions = kids(c).filter_map(|k| condition(cx, k)).collect();
                d.approve.push(Approval {
                    conditions,
                    span: aspan,
                });
            }
            Rule::pa_criteria => d.criteria.push(cx.string(&kids(c).next()?)),
            Rule::pa_duration => {
                let span = cx.span(&c);
                match &d.duration {
                    Some(first) => cx.repeated("duration", first.span, span),
                    None => d.duration = Some(cx.int(&kids(c).next()?)),
                }
            }
            Rule::rule_period => {
                let span = cx.span(&c);
                match &d.effective {
                    Some(first) => {
                        cx.repeated("effective", first.from.span.to(first.to.span), span)
                    }
                    None => d.effective = date_range(cx, kids(c).next()?),
                }
            }
            _ => {}
        }
    }
    Some(d)
}

pub(super) fn condition(cx: &Ctx, p: P) -> Option<Condition> {
    Some(match p.as_rule() {
        Rule::cond_diagnosis => Condition::Diagnosis(names(cx, p)),
        Rule::cond_age => Condition::Age(age_range(cx, kids(p).next()?)),
        Rule::cond_sex => Condition::Sex(sex(cx, &kids(p).next()?)),
        _ => return None,
    })
}

fn step(cx: &Ctx, p: P) -> Option<StepDef> {
    let span = cx.span(&p);
    let mut it = kids(p);
    let name = cx.text(&it.next()?);
    let mut d = StepDef {
        span: Span {
            end: name.span.end,
            ..span
        },
        name,
        label: None,
        steps: Vec::new(),
        unless: Vec::new(),
        new_starts_only: None,
        effective: None,
    };
    for c in it {
        match c.as_rule() {
            Rule::string => {
                d.span.end = cx.span(&c).end;
                d.label = Some(cx.string(&c));
            }
            Rule::step_req => d.steps.push(step_req(cx, c)?),
            Rule::step_unless => d.unless.extend(names(cx, c)),
            Rule::step_new_starts => {
                let span = cx.span(&c);
                match d.new_starts_only {
                    Some(first) => cx.repeated("new starts only", first, span),
                    None => d.new_starts_only = Some(span),
                }
            }
            Rule::rule_period => {
                let span = cx.span(&c);
                match &d.effective {
                    Some(first) => {
                        cx.repeated("effective", first.from.span.to(first.to.span), span)
                    }
                    None => d.effective = date_range(cx, kids(c).next()?),
                }
            }
            _ => {}
        }
    }
    Some(d)
}

fn step_req(cx: &Ctx, p: P) -> Option<StepReq> {
    let span = cx.span(&p);
    let mut then = false;
    let mut ints = Vec::new();
    let mut set = Vec::new();
    for c in kids(p) {
        match c.as_rule() {
            Rule::kw_then => then = true,
            Rule::integer => ints.push(c),
            Rule::step_set => set = step_set(cx, c),
            _ => {}
        }
    }
    // Integers in order: count, [min days], within.
    let (count, min_days, within) = match ints.as_slice() {
        [count, within] => (cx.int(count), None, cx.int(within)),
        [count, min, within] => (cx.int(count), Some(cx.int(min)), cx.int(within)),
        _ => return None,
    };
    Some(StepReq {
        then,
        count,
        set,
        min_days,
        within,
        span,
    })
}

/// The drugs and classes of a `step_set`.
pub(super) fn step_set(cx: &Ctx, p: P) -> Vec<SetItem> {
    let mut set = Vec::new();
    for s in kids(p) {
        let rule = s.as_rule();
        let Some(n) = kids(s).next().map(|n| cx.text(&n)) else {
            continue;
        };
        set.push(if rule == Rule::set_class {
            SetItem::Class(n)
        } else {
            SetItem::Drug(n)
        });
    }
    set
}
