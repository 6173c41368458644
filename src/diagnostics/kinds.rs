//! Every diagnostic the compiler can report. Each variant has a stable code;
//! docs/diagnostics.md has an example and a fix for each.

use miette::SourceSpan;

/// A problem in a formulary's source.
#[derive(Debug, Clone, thiserror::Error, miette::Diagnostic)]
pub enum Error {
    /// E0001: the text does not follow the grammar.
    #[error("syntax error: expected {expected}")]
    #[diagnostic(code(formulary::E0001), help("{help}"))]
    Syntax {
        /// Readable list of what could come here.
        expected: String,
        /// Where parsing stopped.
        #[label("{found}")]
        at: SourceSpan,
        /// What was found instead.
        found: String,
        /// A hint.
        help: String,
    },

    /// E0002: an included file could not be read.
    #[error("cannot read included file `{path}`: {reason}")]
    #[diagnostic(
        code(formulary::E0002),
        help("include paths are relative to the file that includes them")
    )]
    IncludeUnreadable {
        /// The path as resolved.
        path: String,
        /// The I/O error.
        reason: String,
        /// The include statement.
        #[label("included here")]
        at: SourceSpan,
    },

    /// E0003: a file includes itself, directly or through others.
    #[error("include cycle: `{path}` is already being read")]
    #[diagnostic(
        code(formulary::E0003),
        help("remove one of the includes in the cycle")
    )]
    IncludeCycle {
        /// The file included again.
        path: String,
        /// The include statement.
        #[label("included again here")]
        at: SourceSpan,
    },

    /// E0004: the formulary has no `formulary` header.
    #[error("the formulary has no header")]
    #[diagnostic(
        code(formulary::E0004),
        help("start the main file with `formulary \"Name\" id ID version V effective 2026-01-01 to 2026-12-31`")
    )]
    MissingHeader {
        /// Start of the main file.
        #[label("header expected in this file")]
        at: SourceSpan,
    },

    /// E0005: blocks nested deeper than the parser accepts.
    #[error("blocks are nested more than {max} deep")]
    #[diagnostic(
        code(formulary::E0005),
        help(
            "therapeutic classes rarely nest more than three or four deep; check for unclosed `{{`"
        )
    )]
    TooDeep {
        /// The limit.
        max: usize,
        /// The first brace too deep.
        #[label("too deep")]
        at: SourceSpan,
    },

    /// E0006: parsing stopped after the most syntax errors it reports.
    #[error("stopped after {max} syntax errors; the rest of the file was not read")]
    #[diagnostic(
        code(formulary::E0006),
        help("fix the errors above and validate again to see any further ones")
    )]
    TooManySyntaxErrors {
        /// The limit.
        max: usize,
        /// Where parsing stopped.
        #[label("not read from here")]
        at: SourceSpan,
    },

    /// E0007: a file the formulary reads is outside its root folder.
    #[error("`{path}` is outside the formulary's folder `{root}`")]
    #[diagnostic(
        code(formulary::E0007),
        help("{why}. Every file a formulary reads must be inside its root folder, the main file's folder unless `--root DIR` names another: move the file in, or pass `--root DIR` or `--allow-outside-root` on the command line")
    )]
    OutsideRoot {
        /// The path as resolved.
        path: String,
        /// The root folder.
        root: String,
        /// Why it is outside: absolute, climbs out, or a symbolic link leads out.
        why: String,
        /// The statement that names it.
        #[label("read here")]
        at: SourceSpan,
    },

    /// E0008: an `include` names a file that is not formulary source.
    #[error("`{path}` is not a formulary file")]
    #[diagnostic(
        code(formulary::E0008),
        help("only `.formulary` files can be included; price lists and catalogs are declared with `prices` and `catalog`")
    )]
    NotFormularySource {
        /// The path as resolved.
        path: String,
        /// The include statement.
        #[label("included here")]
        at: SourceSpan,
    },

    /// E0009: a file that is not valid UTF-8 (or holds a character no source may hold).
    #[error("{what} at line {line}, byte {byte}")]
    #[diagnostic(
        code(formulary::E0009),
        help("formulary source is UTF-8 text without control characters other than tab and line breaks")
    )]
    BadText {
        /// What is wrong, e.g. "invalid UTF-8".
        what: String,
        /// One-based line.
        line: usize,
        /// One-based byte in the line.
        byte: usize,
        /// The place.
        #[label("here")]
        at: SourceSpan,
    },

    /// E0010: a file larger than the limit for its kind.
    #[error("`{path}` is larger than the {limit} limit for a {what}")]
    #[diagnostic(
        code(formulary::E0010),
        help("the limits are listed in docs/formats.md; split the file or check that it is the file you meant")
    )]
    TooLarge {
        /// The path as resolved.
        path: String,
        /// Kind of file.
        what: String,
        /// The limit, readable ("32 MiB").
        limit: String,
        /// The statement that names it.
        #[label("read here")]
        at: SourceSpan,
    },

    /// E0011: a price list, catalog or drug knowledge file that cannot be used.
    #[error("cannot use {what} `{path}`: {reason}")]
    #[diagnostic(
        code(formulary::E0011),
        help("paths are relative to the file that declares them; docs/formats.md describes each layout")
    )]
    ReferenceUnusable {
        /// Kind of file.
        what: String,
        /// The path as resolved.
        path: String,
        /// Why (never more than a short quote of the file).
        reason: String,
        /// The declaration.
        #[label("declared here")]
        at: SourceSpan,
    },

    /// W0001: a price list or catalog without one usable row.
    #[error("{what} `{path}` has no usable rows ({skipped} skipped)")]
    #[diagnostic(
        code(formulary::W0001),
        severity(Warning),
        help("{first}; claims are priced as if there were no price list")
    )]
    NoUsableRows {
        /// Kind of file.
        what: String,
        /// The path as resolved.
        path: String,
        /// Rows skipped.
        skipped: usize,
        /// Why the first row was skipped.
        first: String,
        /// The declaration.
        #[label("declared here")]
        at: SourceSpan,
    },

    /// E0101: an NDC that is not 11 digits or a dashed 10-digit form.
    #[error("malformed NDC `{ndc}`")]
    #[diagnostic(
        code(formulary::E0101),
        help("write 11 digits (00378102577) or a dashed 4-4-2, 5-3-2, 5-4-1 or 5-4-2 form (0378-1025-77)")
    )]
    BadNdc {
        /// As written.
        ndc: String,
        /// The NDC.
        #[label("{reason}")]
        at: SourceSpan,
        /// What is wrong with it.
        reason: String,
    },

    /// E0102: an RxCUI that is not a positive number of at most 8 digits.
    #[error("malformed RxCUI `{rxcui}`")]
    #[diagnostic(
        code(formulary::E0102),
        help("an RxCUI is a positive whole number of up to 8 digits without leading zeros, e.g. 29046")
    )]
    BadRxcui {
        /// As written.
        rxcui: String,
        /// The RxCUI.
        #[label("not an RxCUI")]
        at: SourceSpan,
    },

    /// E0103: a date that is not on the calendar.
    #[error("invalid date `{date}`")]
    #[diagnostic(
        code(formulary::E0103),
        help("write dates as YYYY-MM-DD, e.g. 2026-07-01")
    )]
    BadDate {
        /// As written.
        date: String,
        /// The date.
        #[label("no such day")]
        at: SourceSpan,
    },

    /// E0104: a range whose start is after its end.
    #[error("inverted {what}: {start} is after {end}")]
    #[diagnostic(code(formulary::E0104), help("swap the two ends"))]
    InvertedRange {
        /// "date range" or "age range".
        what: &'static str,
        /// Start as written.
        start: String,
        /// End as written.
        end: String,
        /// The range.
        #[label("this range is empty")]
        at: SourceSpan,
    },

    /// E0105: a number that must be positive or is out of range.
    #[error("{what} must be {expected}, not {value}")]
    #[diagnostic(code(formulary::E0105), help("{help}"))]
    OutOfRange {
        /// What the number is.
        what: &'static str,
        /// The allowed values.
        expected: &'static str,
        /// As written.
        value: String,
        /// The number.
        #[label("out of range")]
        at: SourceSpan,
        /// A hint.
        help: &'static str,
    },

    /// E0106: a coinsurance minimum above its maximum.
    #[error("coinsurance minimum {min} is above its maximum {max}")]
    #[diagnostic(
        code(formulary::E0106),
        help("the minimum must not exceed the maximum")
    )]
    MinAboveMax {
        /// Minimum as written.
        min: String,
        /// Maximum as written.
        max: String,
        /// The minimum.
        #[label("minimum")]
        min_at: SourceSpan,
        /// The maximum.
        #[label("maximum")]
        max_at: SourceSpan,
    },

    /// E0107: a percent over 100.
    #[error("percent {value} is over 100%")]
    #[diagnostic(
        code(formulary::E0107),
        help("a coinsurance or threshold is between 0% and 100%")
    )]
    PercentOver100 {
        /// As written.
        value: String,
        /// The percent.
        #[label("over 100%")]
        at: SourceSpan,
    },

    /// E0108: a diagnosis code or pattern that is not ICD-10-CM shaped.
    #[error("malformed ICD-10 code or pattern `{code}`")]
    #[diagnostic(
        code(formulary::E0108),
        help("write a code (E11.9), a category (I10) or a prefix pattern (E11.*)")
    )]
    BadIcd {
        /// As written.
        code: String,
        /// The code.
        #[label("not ICD-10")]
        at: SourceSpan,
    },

    /// E0109: a clause that has no meaning on this kind of entry.
    #[error("`{clause}` is not allowed on {on}")]
    #[diagnostic(code(formulary::E0109), help("{help}"))]
    ClauseNotAllowed {
        /// The clause keyword.
        clause: &'static str,
        /// The kind of entry.
        on: &'static str,
        /// The clause.
        #[label("not allowed here")]
        at: SourceSpan,
        /// What to do instead.
        help: &'static str,
    },

    /// E0110: an entry that lacks something it must have.
    #[error("{what} `{name}` has no {missing}")]
    #[diagnostic(code(formulary::E0110), help("{help}"))]
    Missing {
        /// The kind of entry.
        what: &'static str,
        /// Its name.
        name: String,
        /// What it lacks.
        missing: &'static str,
        /// The entry.
        #[label("defined here")]
        at: SourceSpan,
        /// What to add.
        help: &'static str,
    },

    /// E0111: the same clause twice on one entry.
    #[error("`{clause}` is given twice")]
    #[diagnostic(code(formulary::E0111), help("keep one"))]
    RepeatedClause {
        /// The clause keyword.
        clause: &'static str,
        /// First one.
        #[label("first here")]
        first: SourceSpan,
        /// Second one.
        #[label("again here")]
        again: SourceSpan,
    },

    /// E0112: a plan type the language does not know.
    #[error("unknown plan type `{name}`")]
    #[diagnostic(code(formulary::E0112), help("{help}"))]
    UnknownPlanType {
        /// As written.
        name: String,
        /// The plan type.
        #[label("not a plan type")]
        at: SourceSpan,
        /// The plan types, or the closest one.
        help: String,
    },

    /// E0113: a construct that only a Medicare Part D plan may use.
    #[error("{what} is only for Medicare Part D plans, and this is a {plan} plan")]
    #[diagnostic(code(formulary::E0113), help("{help}"))]
    PartDOnly {
        /// The construct.
        what: String,
        /// The plan type.
        plan: &'static str,
        /// The construct.
        #[label("Part D only")]
        at: SourceSpan,
        /// What to do instead.
        help: &'static str,
    },

    /// E0201: a drug name that is not defined.
    #[error("unknown drug `{name}`")]
    #[diagnostic(code(formulary::E0201), help("{help}"))]
    UnknownDrug {
        /// As written.
        name: String,
        /// The reference.
        #[label("not defined")]
        at: SourceSpan,
        /// "did you mean" or how to define it.
        help: String,
    },

    /// E0202: a class name that is not defined.
    #[error("unknown class `{name}`")]
    #[diagnostic(code(formulary::E0202), help("{help}"))]
    UnknownClass {
        /// As written.
        name: String,
        /// The reference.
        #[label("not defined")]
        at: SourceSpan,
        /// "did you mean" or how to define it.
        help: String,
    },

    /// E0203: a tier number with no `tier` definition.
    #[error("unknown tier {number}")]
    #[diagnostic(code(formulary::E0203), help("{help}"))]
    UnknownTier {
        /// The number.
        number: u64,
        /// The reference.
        #[label("no such tier")]
        at: SourceSpan,
        /// The tiers that exist.
        help: String,
    },

    /// E0204: a prior authorization or step therapy rule that is not defined.
    #[error("unknown {kind} rule `{name}`")]
    #[diagnostic(code(formulary::E0204), help("{help}"))]
    UnknownRule {
        /// "prior authorization" or "step therapy".
        kind: &'static str,
        /// As written.
        name: String,
        /// The reference.
        #[label("not defined")]
        at: SourceSpan,
        /// "did you mean" or how to define it.
        help: String,
    },

    /// E0205: a name defined twice.
    #[error("{what} `{name}` is defined twice")]
    #[diagnostic(code(formulary::E0205), help("{help}"))]
    Duplicate {
        /// The kind of thing.
        what: &'static str,
        /// The name.
        name: String,
        /// First definition, when in the same file.
        #[label("first defined here")]
        first: Option<SourceSpan>,
        /// Second definition.
        #[label("defined again here")]
        again: SourceSpan,
        /// Where the first one is, or how to fix.
        help: String,
    },

    /// E0206: one RxCUI or NDC given to two drugs.
    #[error("{code_kind} {code} is given to both `{first_name}` and `{second_name}`")]
    #[diagnostic(code(formulary::E0206), help("{help}"))]
    DuplicateCode {
        /// "RxCUI" or "NDC".
        code_kind: &'static str,
        /// The code.
        code: String,
        /// First drug.
        first_name: String,
        /// Second drug.
        second_name: String,
        /// First use, when in the same file.
        #[label("first given here")]
        first: Option<SourceSpan>,
        /// Second use.
        #[label("given again here")]
        again: SourceSpan,
        /// Where the first one is.
        help: String,
    },

    /// E0207: a reference to the wrong kind of drug.
    #[error("`{name}` is {found}, but {expected} is needed here")]
    #[diagnostic(code(formulary::E0207), help("{help}"))]
    WrongKind {
        /// The name.
        name: String,
        /// What it is ("an ingredient").
        found: &'static str,
        /// What is needed ("a product").
        expected: &'static str,
        /// The reference.
        #[label("{found}")]
        at: SourceSpan,
        /// How to fix.
        help: &'static str,
    },

    /// E0208: a standard benefit that is not shipped.
    #[error("unknown standard benefit \"{name}\"")]
    #[diagnostic(code(formulary::E0208), help("{help}"))]
    UnknownStandardBenefit {
        /// As written.
        name: String,
        /// The name.
        #[label("not a shipped benefit")]
        at: SourceSpan,
        /// The shipped benefits, or the closest one.
        help: String,
    },

    /// E0301: step therapy rules that require each other.
    #[error("step therapy cycle: {cycle}")]
    #[diagnostic(
        code(formulary::E0301),
        help("no drug in the cycle can ever be dispensed; give one of them a first-line option without step therapy")
    )]
    StepCycle {
        /// The cycle, `a -> b -> a`.
        cycle: String,
        /// The first rule in the cycle.
        #[label("this step needs a drug that itself needs this step")]
        at: SourceSpan,
    },

    /// E0302: a step whose prerequisites can never be met.
    #[error("step {step} of `{rule}` can never be met: {reason}")]
    #[diagnostic(
        code(formulary::E0302),
        help("cover enough of the listed drugs (a tier, not excluded or non-formulary), or lower the count")
    )]
    StepUnsatisfiable {
        /// Rule name.
        rule: String,
        /// Step number, one-based.
        step: usize,
        /// Why.
        reason: String,
        /// The step line.
        #[label("cannot be met")]
        at: SourceSpan,
    },

    /// E0303: two coverage statuses (tiers, exclusion) for one entry at the same time.
    #[error("`{name}` is given {first_status} and {second_status} at the same time")]
    #[diagnostic(
        code(formulary::E0303),
        help("give the tiers periods that do not overlap (`tier 3 until 2026-06-30, tier 1 from 2026-07-01`) or keep one")
    )]
    ConflictingTiers {
        /// Drug or class name.
        name: String,
        /// First status, e.g. "tier 2".
        first_status: String,
        /// Second status.
        second_status: String,
        /// First clause.
        #[label("{first_status}")]
        first: SourceSpan,
        /// Second clause.
        #[label("{second_status}")]
        again: SourceSpan,
    },

    /// W0301: a class where nothing is covered at a preferred tier without PA or step therapy.
    #[error("class `{name}` has no preferred option")]
    #[diagnostic(
        code(formulary::W0301),
        severity(Warning),
        help("members need a preferred tier ({tiers}) without prior authorization or step therapy; otherwise a pharmacist has nothing to switch to")
    )]
    NoPreferredOption {
        /// Class name.
        name: String,
        /// The preferred tiers.
        tiers: String,
        /// The class.
        #[label("no preferred, unrestricted member")]
        at: SourceSpan,
    },

    /// W0302: a drug with no tier and no exclusion at any level.
    #[error("{what} `{name}` has no tier")]
    #[diagnostic(
        code(formulary::W0302),
        severity(Warning),
        help("claims for it reject as not on formulary (MR); give it or its class a tier, or mark it `non-formulary` or `excluded`")
    )]
    NoTier {
        /// Kind of drug.
        what: &'static str,
        /// Name.
        name: String,
        /// The entry.
        #[label("no tier here or on its ingredient or class")]
        at: SourceSpan,
    },

    /// W0303: a rule that no drug or class uses.
    #[error("{kind} rule `{name}` applies to nothing")]
    #[diagnostic(
        code(formulary::W0303),
        severity(Warning),
        help("reference it from a drug or class (`{keyword} {name}`) or delete it")
    )]
    UnusedRule {
        /// "prior authorization" or "step therapy".
        kind: &'static str,
        /// The keyword to reference it.
        keyword: &'static str,
        /// Name.
        name: String,
        /// The rule.
        #[label("never referenced")]
        at: SourceSpan,
    },

    /// W0304: a period that never overlaps the formulary's effective dates.
    #[error(
        "this {what} is never in force: its period is outside the formulary's {formulary_period}"
    )]
    #[diagnostic(
        code(formulary::W0304),
        severity(Warning),
        help("check the dates; the clause or rule can never apply")
    )]
    NeverInForce {
        /// What carries the period.
        what: &'static str,
        /// The formulary's period.
        formulary_period: String,
        /// The period.
        #[label("never in force")]
        at: SourceSpan,
    },

    /// W0305: automatic approval criteria that can never hold for the drugs that use the rule.
    #[error("automatic approval of `{rule}` can never apply to `{drug}`: {reason}")]
    #[diagnostic(
        code(formulary::W0305),
        severity(Warning),
        help("the approval's conditions contradict the drug's own age or sex limit")
    )]
    ApprovalNeverApplies {
        /// PA rule.
        rule: String,
        /// Drug name.
        drug: String,
        /// Why.
        reason: String,
        /// The approval line.
        #[label("can never approve `{drug}`")]
        at: SourceSpan,
    },
}
