//! The language's keywords, as the grammar spells them.

/// Every keyword of grammar/formulary.pest, for completion in editors and
/// the formatter's keyword count (a test keeps the two in step).
pub const KEYWORDS: &[&str] = &[
    "formulary",
    "id",
    "version",
    "effective",
    "include",
    "prices",
    "catalog",
    "tier",
    "copay",
    "coinsurance",
    "min",
    "max",
    "for",
    "mail",
    "days",
    "day",
    "preferred",
    "specialty",
    "refill",
    "too",
    "soon",
    "before",
    "used",
    "transition",
    "fill",
    "fills",
    "within",
    "enrollment",
    "up",
    "to",
    "supply",
    "class",
    "ingredient",
    "product",
    "package",
    "rxcui",
    "ndc",
    "brand",
    "of",
    "excluded",
    "non-formulary",
    "pa",
    "step",
    "limit",
    "per",
    "rolling",
    "age",
    "sex",
    "also",
    "in",
    "alternatives",
    "from",
    "until",
    "prior",
    "authorization",
    "approve",
    "when",
    "and",
    "diagnosis",
    "criteria",
    "duration",
    "therapy",
    "then",
    "tried",
    "any",
    "unless",
    "new",
    "starts",
    "only",
    "plan",
    "benefit",
    "deductible",
    "individual",
    "family",
    "out-of-pocket",
    "exempt",
    "insulin",
    "cap",
    "month",
    "vaccines",
    "preventive",
    "drugs",
    "combination",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_keyword_of_the_grammar_is_listed() {
        let grammar = include_str!("../../grammar/formulary.pest");
        let mut found = 0;
        for line in grammar.lines().filter(|l| l.starts_with("kw_")) {
            let word = line.split('"').nth(1).unwrap_or_default();
            assert!(KEYWORDS.contains(&word), "keyword `{word}` is not listed");
            found += 1;
        }
        assert_eq!(found, KEYWORDS.len());
    }
}
