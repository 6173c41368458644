//! Turning pest's errors into ours: readable names for what was expected, a
//! span in the whole file, and a hint.

use super::grammar::Rule;
use crate::diagnostics::{Diag, Error};
use crate::span::{FileId, Span};

/// Converts a pest error from parsing `text[offset..]`. Returns the diagnostic
/// and the absolute byte offset of the error.
pub(super) fn convert(
    file: FileId,
    text: &str,
    offset: usize,
    err: &pest::error::Error<Rule>,
) -> (Diag, usize) {
    let pos = match err.location {
        pest::error::InputLocation::Pos(p) => p,
        pest::error::InputLocation::Span((s, _)) => s,
    };
    let at = (offset + pos).min(text.len());
    let mut expected: Vec<String> = match &err.variant {
        pest::error::ErrorVariant::ParsingError { positives, .. } => {
            positives.iter().map(|r| readable(*r)).collect()
        }
        pest::error::ErrorVariant::CustomError { .. } => vec!["a statement".to_string()],
    };
    expected.sort_unstable();
    expected.dedup();
    let expected_text = join_or(&expected);
    let word_end = text[at..]
        .find(|c: char| c.is_whitespace())
        .map(|p| at + p)
        .unwrap_or(text.len());
    let found_word = &text[at..word_end];
    let found = if found_word.is_empty() {
        "end of input".to_string()
    } else {
        format!("found `{}`", truncate(found_word, 30))
    };
    let help = hint(
        found_word,
        &expected.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    let span = Span::new(file, at, word_end.max(at));
    let diag = Diag::at(
        span,
        Error::Syntax {
            expected: expected_text,
            at: span.source_span(),
            found,
            help,
        },
    );
    (diag, at)
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let cut: String = s.chars().take(max).collect();
        format!("{cut}…")
    }
}

fn join_or(items: &[String]) -> String {
    match items {
        [] => "something else".to_string(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} or {}", init.join(", "), last),
    }
}

/// A hint for common slips.
fn hint(found: &str, expected: &[&str]) -> String {
    if found.starts_with('\'') {
        return "strings use double quotes: \"like this\"".to_string();
    }
    if expected.contains(&"`$` amount") && found.chars().next().is_some_and(|c| c.is_ascii_digit())
    {
        return format!("write money with a dollar sign: ${found}");
    }
    if found.chars().next().is_some_and(|c| c.is_ascii_digit()) && expected.contains(&"a name") {
        return "names start with a letter; a package is named by its NDC only after `package`"
            .to_string();
    }
    "see docs/language.md for the form of each statement".to_string()
}

/// The name a user would recognise for a grammar rule.
fn readable(rule: Rule) -> String {
    let name = format!("{rule:?}");
    if let Some(word) = name.strip_prefix("kw_") {
        return format!("`{}`", word.replace('_', "-"));
    }
    readable_rule(rule).to_string()
}

fn readable_rule(rule: Rule) -> &'static str {
    match rule {
        Rule::EOI => "end of file",
        Rule::header => "`formulary`",
        Rule::include => "`include`",
        Rule::price_list => "`prices`",
        Rule::catalog => "`catalog`",
        Rule::tier_def => "`tier`",
        Rule::refill_policy => "`refill too soon`",
        Rule::transition_policy => "`transition fill`",
        Rule::class_def => "`class`",
        Rule::drug_def => "a drug (`ingredient`, `product` or `package`)",
        Rule::drug_kind => "`ingredient`, `product` or `package`",
        Rule::pa_def => "`prior authorization`",
        Rule::step_def => "`step therapy`",
        Rule::ident | Rule::set_drug => "a name",
        Rule::set_class => "`class NAME`",
        Rule::token => "an id or version",
        Rule::string | Rule::string_inner => "a \"quoted string\"",
        Rule::integer | Rule::age_from | Rule::age_to => "a whole number",
        Rule::number => "a number",
        Rule::money => "`$` amount",
        Rule::percent => "a percent (`40%`)",
        Rule::date => "a date (YYYY-MM-DD)",
        Rule::date_range => "a date range (`2026-01-01 to 2026-12-31`)",
        Rule::ndc => "an NDC",
        Rule::icd => "an ICD-10 code",
        Rule::age_range => "an age range (`18..64`)",
        Rule::sex => "`F` or `M`",
        Rule::copay => "`copay`",
        Rule::coinsurance => "`coinsurance`",
        Rule::cost_variant => "a cost share `for mail` or `for 90 days`",
        Rule::supply_mail => "`mail`",
        Rule::supply_days => "a number of days",
        Rule::flag_preferred => "`preferred`",
        Rule::flag_specialty => "`specialty`",
        Rule::flag_rolling => "`rolling`",
        Rule::clauses => "a clause",
        Rule::c_rxcui => "`rxcui`",
        Rule::c_ndc => "`ndc`",
        Rule::c_brand_of => "`brand of`",
        Rule::c_of => "`of`",
        Rule::c_tier => "`tier`",
        Rule::c_excluded => "`excluded`",
        Rule::c_non_formulary => "`non-formulary`",
        Rule::c_pa => "`pa`",
        Rule::c_step => "`step`",
        Rule::c_limit => "`limit`",
        Rule::limit_quantity => "`N per D days`",
        Rule::limit_daily => "`N per day`",
        Rule::limit_supply => "`D days supply`",
        Rule::limit_fills => "`N fills per D days`",
        Rule::c_age => "`age`",
        Rule::c_sex => "`sex`",
        Rule::c_also_in => "`also in`",
        Rule::c_alternatives => "`alternatives`",
        Rule::period => "`from` or `until`",
        Rule::pa_approve => "`approve when`",
        Rule::cond_diagnosis => "`diagnosis`",
        Rule::cond_age => "`age`",
        Rule::cond_sex => "`sex`",
        Rule::pa_criteria => "`criteria`",
        Rule::pa_duration => "`duration`",
        Rule::rule_period => "`effective`",
        Rule::step_req => "`tried any N of`",
        Rule::step_set => "drugs or classes",
        Rule::step_unless => "`unless diagnosis`",
        Rule::step_new_starts => "`new starts only`",
        Rule::header_plan => "`plan`",
        Rule::benefit_def => "`benefit`",
        Rule::b_deductible => "`deductible`",
        Rule::b_out_of_pocket => "`out-of-pocket max`",
        Rule::family_amount => "a family amount (`$1000 family`)",
        Rule::b_exempt_tiers | Rule::b_exempt => "`exempt`",
        Rule::b_insulin => "`insulin`",
        Rule::b_vaccines => "`vaccines`",
        Rule::b_preventive => "`preventive`",
        Rule::WHITESPACE
        | Rule::file
        | Rule::recovery
        | Rule::keyword
        | Rule::class_item
        | Rule::pa_item
        | Rule::step_item
        | Rule::benefit_item
        | Rule::amounts
        | Rule::statement
        | Rule::tier_extra
        | Rule::cost_share
        | Rule::drug_name
        | Rule::clause
        | Rule::condition
        | Rule::set_item
        | Rule::ident_char => "a statement",
        _ => "a keyword",
    }
}
