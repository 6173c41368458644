//! Declarations, values and references: syntax trees to typed model parts.
//!
//! First every name is declared (tiers, classes, drugs, rules), so references
//! may point forwards and across files. Then each entry is built: codes,
//! dates and numbers are checked (E01xx) and names resolved (E02xx). An
//! entry with an error is still built with what was valid, so later entries
//! are checked too.

use super::model::*;
use crate::ast::{self, Clause, DrugKind, Item};
use crate::codes::{parse_date, parse_rxcui, DateSpan, IcdPattern, Money, Ndc};
use crate::diagnostics::{did_you_mean, Diag, Error};
use crate::span::{FileId, Sources, Span, Spanned};
use rustc_hash::{FxHashMap, FxHashSet};

/// Everything built from the sources, before resolution and the graph.
pub(super) struct Built {
    pub name: String,
    pub id: String,
    pub version: String,
    pub effective: DateSpan,
    pub origin: Origin,
    pub tiers: Vec<Tier>,
    pub drugs: Vec<Drug>,
    pub classes: Vec<Class>,
    pub pas: Vec<PaRule>,
    pub steps: Vec<StepRule>,
    pub refill: Option<RefillPolicy>,
    pub transition: Option<TransitionPolicy>,
    pub price_files: Vec<String>,
    pub catalog_files: Vec<String>,
    pub by_ndc: FxHashMap<Ndc, DrugId>,
    pub by_rxcui: FxHashMap<u32, DrugId>,
    pub by_name: FxHashMap<String, DrugId>,
    pub class_by_name: FxHashMap<String, ClassId>,
}

struct Builder<'a> {
    sources: &'a Sources,
    diags: &'a mut Vec<Diag>,
    effective: DateSpan,
    tier_numbers: FxHashMap<u32, Span>,
    drug_ids: FxHashMap<String, (DrugId, DrugKind, Span)>,
    class_ids: FxHashMap<String, (ClassId, Span)>,
    pa_ids: FxHashMap<String, (PaId, Span)>,
    step_ids: FxHashMap<String, (StepId, Span)>,
    /// Comparisons left for "did you mean" help; see [`SUGGESTION_BUDGET`].
    suggestions_left: usize,
}

/// Name comparisons "did you mean" may make in one compile. Each suggestion
/// compares the unknown name with every candidate, so thousands of unknown
/// names among thousands of drugs took minutes; past the budget an unknown
/// name gets the generic help.
const SUGGESTION_BUDGET: usize = 1_000_000;

/// "Did you mean" help for `name`, if the budget still covers comparing it
/// with every candidate.
fn suggest<'n>(
    budget: &mut usize,
    name: &str,
    candidates: impl ExactSizeIterator<Item = &'n str>,
) -> String {
    let cost = candidates.len();
    if cost > *budget {
        return String::new();
    }
    *budget -= cost;
    did_you_mean(name, candidates)
}

/// Builds the model parts. Returns None only when there is nothing to build
/// from (no files); errors are pushed to `diags`.
pub(super) fn build(
    files: &[(FileId, ast::File)],
    sources: &Sources,
    main: FileId,
    diags: &mut Vec<Diag>,
) -> Option<Built> {
    let mut b = Builder {
        sources,
        diags,
        effective: DateSpan::ALWAYS,
        tier_numbers: FxHashMap::default(),
        drug_ids: FxHashMap::default(),
        class_ids: FxHashMap::default(),
        pa_ids: FxHashMap::default(),
        step_ids: FxHashMap::default(),
        suggestions_left: SUGGESTION_BUDGET,
    };
    // Declarations, in source order, depth first.
    let mut decl = Decls::default();
    for (_, file) in files {
        b.declare(&file.items, None, &mut decl);
    }
    let (name, id, version, origin) = b.header(&decl, main);
    let tiers = decl.tiers.iter().map(|t| b.tier(t)).collect::<Vec<_>>();
    let mut tiers = tiers;
    tiers.sort_by_key(|t| t.number);

    let classes: Vec<Class> = decl
        .classes
        .iter()
        .map(|(c, parent)| b.class(c, *parent))
        .collect();
    let pas: Vec<PaRule> = decl.pas.iter().map(|p| b.pa(p)).collect();
    let mut drugs: Vec<Drug> = decl
        .drugs
        .iter()
        .map(|(d, class)| b.drug(d, *class))
        .collect();
    let steps: Vec<StepRule> = decl.steps.iter().map(|s| b.step(s)).collect();
    b.check_drug_kinds(&decl, &mut drugs);

    let mut by_ndc = FxHashMap::default();
    let mut by_rxcui = FxHashMap::default();
    let mut ndc_spans: FxHashMap<Ndc, Span> = FxHashMap::default();
    let mut rxcui_spans: FxHashMap<u32, Span> = FxHashMap::default();
    for (i, (d, _)) in decl.drugs.iter().enumerate() {
        let id = DrugId(i as u32);
        for (ndc, span) in b.ndcs_of(d) {
            b.unique_code(
                "NDC",
                ndc.to_string(),
                span,
                id,
                &drugs,
                &mut by_ndc,
                &mut ndc_spans,
                ndc,
            );
        }
        for c in &d.clauses {
            if let Clause::Rxcui(r) = &c.node {
                if let Ok(rx) = parse_rxcui(&r.node) {
                    b.unique_code(
                        "RxCUI",
                        rx.to_string(),
                        r.span,
                        id,
                        &drugs,
                        &mut by_rxcui,
                        &mut rxcui_spans,
                        rx,
                    );
                }
            }
        }
    }
    let refill = decl.refill.first().map(|r| {
        b.percent(r, "refill threshold");
        RefillPolicy {
            bp: r.node as u32,
            text: format!("{}% used", format_bp(r.node.min(10_000) as u32)),
            origin: b.origin(r.span),
        }
    });
    let transition = decl.transition.first().map(|t| TransitionPolicy {
        window_days: b.days(&t.window_days, "transition window"),
        supply_days: b.days(&t.supply_days, "transition supply"),
        origin: b.origin(t.span),
    });
    let relative = |p: &&Spanned<String>| {
        let file = sources.get(p.span.file);
        let dir = std::path::Path::new(&*file.name)
            .parent()
            .unwrap_or(std::path::Path::new(""));
        super::normalise(&dir.join(&p.node)).display().to_string()
    };
    let price_files = decl.prices.iter().map(relative).collect();
    let catalog_files = decl.catalogs.iter().map(relative).collect();
    let by_name = b
        .drug_ids
        .iter()
        .map(|(k, (id, _, _))| (k.clone(), *id))
        .collect();
    let class_by_name = b
        .class_ids
        .iter()
        .map(|(k, (id, _))| (k.clone(), *id))
        .collect();
    Some(Built {
        name,
        id,
        version,
        effective: b.effective,
        origin,
        tiers,
        drugs,
        classes,
        pas,
        steps,
        refill,
        transition,
        price_files,
        catalog_files,
        by_ndc,
        by_rxcui,
        by_name,
        class_by_name,
    })
}

/// Declared entries in id order.
#[derive(Default)]
struct Decls<'t> {
    headers: Vec<&'t ast::Header>,
    tiers: Vec<&'t ast::TierDef>,
    classes: Vec<(&'t ast::ClassDef, Option<ClassId>)>,
    drugs: Vec<(&'t ast::DrugDef, Option<ClassId>)>,
    pas: Vec<&'t ast::PaDef>,
    steps: Vec<&'t ast::StepDef>,
    refill: Vec<&'t Spanned<u64>>,
    transition: Vec<&'t ast::Transition>,
    prices: Vec<&'t Spanned<String>>,
    catalogs: Vec<&'t Spanned<String>>,
}

impl<'a> Builder<'a> {
    fn origin(&self, span: Span) -> Origin {
        self.sources.location(span).into()
    }

    fn err(&mut self, span: Span, e: Error) {
        self.diags.push(Diag::at(span, e));
    }

    /// E0205 with two labels when both are in one file, else a pointer in the help.
    fn duplicate(&mut self, what: &'static str, name: &str, first: Span, again: Span) {
        let same = first.file == again.file;
        let help = if same {
            format!("rename one of them or merge the two {what} definitions")
        } else {
            format!(
                "first defined at {}; rename one or merge them",
                self.sources.location(first)
            )
        };
        self.err(
            again,
            Error::Duplicate {
                what,
                name: name.to_string(),
                first: same.then(|| first.source_span()),
                again: again.source_span(),
                help,
            },
        );
    }

    fn declare<'t>(&mut self, items: &'t [Item], class: Option<ClassId>, decl: &mut Decls<'t>) {
        for item in items {
            match item {
                Item::Header(h) => {
                    if let Some(first) = decl.headers.first() {
                        self.duplicate("formulary header", &h.name.node, first.span, h.span);
                    } else {
                        decl.headers.push(h);
                    }
                }
                Item::Include(_) => {}
                Item::Prices(p) => decl.prices.push(p),
                Item::Catalog(c) => decl.catalogs.push(c),
                Item::Tier(t) => {
                    let n = t.number.node.min(u32::MAX as u64) as u32;
                    if let Some(first) = self.tier_numbers.get(&n).copied() {
                        self.duplicate("tier", &n.to_string(), first, t.number.span);
                    } else {
                        self.tier_numbers.insert(n, t.number.span);
                        decl.tiers.push(t);
                    }
                }
                Item::Refill(r) => {
                    if let Some(first) = decl.refill.first() {
                        self.duplicate("refill policy", "refill too soon", first.span, r.span);
                    } else {
                        decl.refill.push(r);
                    }
                }
                Item::Transition(t) => {
                    if let Some(first) = decl.transition.first() {
                        self.duplicate("transition policy", "transition fill", first.span, t.span);
                    } else {
                        decl.transition.push(t);
                    }
                }
                Item::Class(c) => {
                    let id = ClassId(decl.classes.len() as u32);
                    match self.class_ids.get(&c.name.node).copied() {
                        Some((_, first)) => {
                            self.duplicate("class", &c.name.node, first, c.name.span)
                        }
                        None => {
                            self.class_ids
                                .insert(c.name.node.clone(), (id, c.name.span));
                            decl.classes.push((c, class));
                            self.declare(&c.items, Some(id), decl);
                        }
                    }
                }
                Item::Drug(d) => {
                    let id = DrugId(decl.drugs.len() as u32);
                    // A package is named by its NDC; normalise so that two
                    // spellings of one NDC are one name.
                    let key = drug_key(d);
                    match self.drug_ids.get(&key).copied() {
                        Some((_, _, first)) => {
                            self.duplicate("drug", &d.name.node, first, d.name.span)
                        }
                        None => {
                            self.drug_ids.insert(key, (id, d.kind, d.name.span));
                            decl.drugs.push((d, class));
                        }
                    }
                }
                Item::Pa(p) => {
                    let id = PaId(decl.pas.len() as u32);
                    match self.pa_ids.get(&p.name.node).copied() {
                        Some((_, first)) => self.duplicate(
                            "prior authorization rule",
                            &p.name.node,
                            first,
                            p.name.span,
                        ),
                        None => {
                            self.pa_ids.insert(p.name.node.clone(), (id, p.name.span));
                            decl.pas.push(p);
                        }
                    }
                }
                Item::Step(s) => {
                    let id = StepId(decl.steps.len() as u32);
                    match self.step_ids.get(&s.name.node).copied() {
                        Some((_, first)) => {
                            self.duplicate("step therapy rule", &s.name.node, first, s.name.span)
                        }
                        None => {
                            self.step_ids.insert(s.name.node.clone(), (id, s.name.span));
                            decl.steps.push(s);
                        }
                    }
                }
            }
        }
    }

    fn header(&mut self, decl: &Decls, main: FileId) -> (String, String, String, Origin) {
        let Some(h) = decl.headers.first() else {
            let at = super::file_start(main);
            self.err(
                at,
                Error::MissingHeader {
                    at: at.source_span(),
                },
            );
            return (String::new(), String::new(), String::new(), self.origin(at));
        };
        if let Some(r) = &h.effective {
            self.effective = self.date_range(r);
        }
        (
            h.name.node.clone(),
            h.id.as_ref().map(|s| s.node.clone()).unwrap_or_default(),
            h.version
                .as_ref()
                .map(|s| s.node.clone())
                .unwrap_or_default(),
            self.origin(h.span),
        )
    }

    // ------------------------------------------------------------ values

    fn date(&mut self, s: &Spanned<String>) -> Option<chrono::NaiveDate> {
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

    fn date_range(&mut self, r: &ast::DateRange) -> DateSpan {
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
    fn period(&mut self, p: Option<&ast::Period>, what: &'static str) -> DateSpan {
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

    fn never_in_force(&mut self, span: DateSpan, at: Span, what: &'static str) {
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

    fn out_of_range(
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
    fn days(&mut self, v: &Spanned<u64>, what: &'static str) -> u32 {
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

    fn count(&mut self, v: &Spanned<u64>, what: &'static str) -> u32 {
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

    fn age(&mut self, v: &Option<Spanned<u64>>) -> Option<u32> {
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

    fn age_range(&mut self, r: &ast::AgeRange) -> (Option<u32>, Option<u32>) {
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

    fn percent(&mut self, v: &Spanned<u64>, _what: &'static str) -> u32 {
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

    fn money(&mut self, v: &Spanned<u64>) -> Money {
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

    fn share(&mut self, s: &Spanned<ast::CostShare>) -> CostShare {
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

    fn tier(&mut self, t: &ast::TierDef) -> Tier {
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

    fn icds(&mut self, codes: &[Spanned<String>]) -> Vec<IcdPattern> {
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

    // ------------------------------------------------------------ names

    fn tier_ref(&mut self, n: &Spanned<u64>) -> u32 {
        let num = n.node.min(u32::MAX as u64) as u32;
        if !self.tier_numbers.contains_key(&num) {
            let mut known: Vec<u32> = self.tier_numbers.keys().copied().collect();
            known.sort_unstable();
            let list = known
                .iter()
                .map(u32::to_string)
                .collect::<Vec<_>>()
                .join(", ");
            self.err(
                n.span,
                Error::UnknownTier {
                    number: n.node,
                    at: n.span.source_span(),
                    help: if list.is_empty() {
                        "define it with `tier N \"Label\" copay $5`".to_string()
                    } else {
                        format!("the tiers defined are {list}")
                    },
                },
            );
        }
        num
    }

    fn drug_ref(&mut self, n: &Spanned<String>) -> Option<(DrugId, DrugKind)> {
        let key = match Ndc::parse(&n.node) {
            Ok(ndc) if n.node.starts_with(|c: char| c.is_ascii_digit()) => ndc.to_string(),
            _ => n.node.clone(),
        };
        if let Some((id, kind, _)) = self.drug_ids.get(&key) {
            return Some((*id, *kind));
        }
        let mut help = suggest(
            &mut self.suggestions_left,
            &n.node,
            self.drug_ids.keys().map(String::as_str),
        );
        if help.is_empty() {
            help =
                "define it with `ingredient NAME rxcui N` or `product NAME rxcui N of INGREDIENT`"
                    .to_string();
        }
        self.err(
            n.span,
            Error::UnknownDrug {
                name: n.node.clone(),
                at: n.span.source_span(),
                help,
            },
        );
        None
    }

    fn class_ref(&mut self, n: &Spanned<String>) -> Option<ClassId> {
        if let Some((id, _)) = self.class_ids.get(&n.node) {
            return Some(*id);
        }
        let mut help = suggest(
            &mut self.suggestions_left,
            &n.node,
            self.class_ids.keys().map(String::as_str),
        );
        if help.is_empty() {
            help = "define it with `class NAME \"Label\" { ... }`".to_string();
        }
        self.err(
            n.span,
            Error::UnknownClass {
                name: n.node.clone(),
                at: n.span.source_span(),
                help,
            },
        );
        None
    }

    fn rule_ref<I>(
        &mut self,
        n: &Spanned<String>,
        kind: &'static str,
        keyword: &'static str,
        pa: bool,
    ) -> Option<I>
    where
        I: FromRule + Copy,
    {
        let found = if pa {
            self.pa_ids.get(&n.node).map(|(id, _)| I::from_index(id.0))
        } else {
            self.step_ids
                .get(&n.node)
                .map(|(id, _)| I::from_index(id.0))
        };
        if found.is_some() {
            return found;
        }
        let names: Vec<&str> = if pa {
            self.pa_ids.keys().map(String::as_str).collect()
        } else {
            self.step_ids.keys().map(String::as_str).collect()
        };
        let mut help = suggest(&mut self.suggestions_left, &n.node, names.into_iter());
        if help.is_empty() {
            help = format!("define it with `{keyword} {} {{ ... }}`", n.node);
        }
        self.err(
            n.span,
            Error::UnknownRule {
                kind,
                name: n.node.clone(),
                at: n.span.source_span(),
                help,
            },
        );
        None
    }

    // ------------------------------------------------------------ entries

    /// Coverage and edit clauses shared by drugs and classes. Identity clauses
    /// are handled by the caller; `on` names the entry kind for messages.
    fn rule_clauses(
        &mut self,
        name: &str,
        clauses: &[Spanned<Clause>],
        on: &'static str,
    ) -> Vec<RuleClause> {
        let mut out = Vec::new();
        let mut statuses: Vec<(String, DateSpan, Span)> = Vec::new();
        for c in clauses {
            let origin = self.origin(c.span);
            let (kind, period) = match &c.node {
                Clause::Tier(n, p) => (Some(ClauseKind::Tier(self.tier_ref(n))), p.as_ref()),
                Clause::Excluded(r, p) => (Some(ClauseKind::Excluded(r.node.clone())), p.as_ref()),
                Clause::NonFormulary(p) => (Some(ClauseKind::NonFormulary), p.as_ref()),
                Clause::Pa(n, p) => (
                    self.rule_ref::<PaId>(n, "prior authorization", "prior authorization", true)
                        .map(ClauseKind::Pa),
                    p.as_ref(),
                ),
                Clause::Step(n, p) => (
                    self.rule_ref::<StepId>(n, "step therapy", "step therapy", false)
                        .map(ClauseKind::Step),
                    p.as_ref(),
                ),
                Clause::Limit(l, p) => (Some(ClauseKind::Limit(self.limit(l))), p.as_ref()),
                Clause::Age(r, p) => {
                    let (min, max) = self.age_range(r);
                    (Some(ClauseKind::Age { min, max }), p.as_ref())
                }
                Clause::Sex(s, p) => (Some(ClauseKind::Sex(s.node)), p.as_ref()),
                Clause::Rxcui(_)
                | Clause::Ndc(_)
                | Clause::BrandOf(_)
                | Clause::Of(_)
                | Clause::AlsoIn(_)
                | Clause::Alternatives(_) => {
                    if on == "a class" {
                        let clause = identity_keyword(&c.node);
                        self.err(
                            c.span,
                            Error::ClauseNotAllowed {
                                clause,
                                on,
                                at: c.span.source_span(),
                                help: "classes carry coverage and edits; put codes and relations on the drugs inside",
                            },
                        );
                    }
                    continue;
                }
            };
            let period = self.period(period, "clause");
            let Some(kind) = kind else { continue };
            if kind.is_status() {
                let label = match &kind {
                    ClauseKind::Tier(n) => format!("tier {n}"),
                    ClauseKind::Excluded(_) => "excluded".to_string(),
                    _ => "non-formulary".to_string(),
                };
                if let Some((first_label, _, first_span)) =
                    statuses.iter().find(|(_, p, _)| p.overlaps(&period))
                {
                    self.err(
                        c.span,
                        Error::ConflictingTiers {
                            name: name.to_string(),
                            first_status: first_label.clone(),
                            second_status: label.clone(),
                            first: first_span.source_span(),
                            again: c.span.source_span(),
                        },
                    );
                }
                statuses.push((label, period, c.span));
            }
            let text = match (&kind, &c.node) {
                (ClauseKind::Pa(_), Clause::Pa(n, _))
                | (ClauseKind::Step(_), Clause::Step(n, _)) => n.node.clone(),
                _ => clause_text(&kind),
            };
            out.push(RuleClause {
                kind,
                text,
                period,
                origin,
            });
        }
        out
    }

    fn limit(&mut self, l: &ast::Limit) -> Limit {
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

    fn positive(&mut self, v: &Spanned<f64>, what: &'static str) -> f64 {
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

    fn class(&mut self, c: &ast::ClassDef, parent: Option<ClassId>) -> Class {
        let clauses = self.rule_clauses(&c.name.node, &c.clauses, "a class");
        Class {
            name: c.name.node.clone(),
            label: c
                .label
                .as_ref()
                .map(|l| l.node.clone())
                .unwrap_or_else(|| c.name.node.clone()),
            parent,
            clauses,
            members: Vec::new(),
            children: Vec::new(),
            origin: self.origin(c.span),
            span: c.span,
        }
    }

    fn drug(&mut self, d: &ast::DrugDef, class: Option<ClassId>) -> Drug {
        let clauses = self.rule_clauses(&d.name.node, &d.clauses, d.kind.as_str());
        let mut drug = Drug {
            kind: d.kind,
            name: if d.kind == DrugKind::Package {
                drug_key(d)
            } else {
                d.name.node.clone()
            },
            label: d
                .label
                .as_ref()
                .map(|l| l.node.clone())
                .unwrap_or_else(|| d.name.node.clone()),
            rxcui: None,
            ndcs: Vec::new(),
            ingredients: Vec::new(),
            product: None,
            brand_of: None,
            class,
            also_in: Vec::new(),
            alternatives: Vec::new(),
            clauses,
            origin: self.origin(d.span),
            span: d.name.span,
        };
        let mut seen: FxHashMap<&'static str, Span> = FxHashMap::default();
        for c in &d.clauses {
            let kw = identity_keyword(&c.node);
            if !kw.is_empty() {
                if let Some(first) = seen.get(kw) {
                    self.err(
                        c.span,
                        Error::RepeatedClause {
                            clause: kw,
                            first: first.source_span(),
                            again: c.span.source_span(),
                        },
                    );
                }
                seen.insert(kw, c.span);
            }
            match &c.node {
                Clause::Rxcui(r) => {
                    if d.kind == DrugKind::Package {
                        self.not_allowed(
                            c.span,
                            "rxcui",
                            "a package",
                            "a package is identified by its NDC; put the RxCUI on its product",
                        );
                    }
                    match parse_rxcui(&r.node) {
                        Ok(v) => drug.rxcui = Some(v),
                        Err(_) => self.err(
                            r.span,
                            Error::BadRxcui {
                                rxcui: r.node.clone(),
                                at: r.span.source_span(),
                            },
                        ),
                    }
                }
                Clause::Ndc(list) => {
                    if d.kind != DrugKind::Product {
                        self.not_allowed(
                            c.span,
                            "ndc",
                            kind_phrase(d.kind),
                            "list NDCs on a product, or write `package NDC of PRODUCT`",
                        );
                    }
                    for n in list {
                        if let Some(ndc) = self.ndc(n) {
                            drug.ndcs.push(ndc);
                        }
                    }
                }
                Clause::Of(list) => {
                    if d.kind == DrugKind::Ingredient {
                        self.not_allowed(
                            c.span,
                            "of",
                            "an ingredient",
                            "`of` gives a product's ingredients or a package's product",
                        );
                    }
                    for n in list {
                        if let Some((id, _)) = self.drug_ref(n) {
                            if d.kind == DrugKind::Package {
                                drug.product = Some(id);
                            } else {
                                drug.ingredients.push(id);
                            }
                        }
                    }
                }
                Clause::BrandOf(n) => {
                    if d.kind != DrugKind::Product {
                        self.not_allowed(
                            c.span,
                            "brand of",
                            kind_phrase(d.kind),
                            "`brand of` relates a branded product to its generic product",
                        );
                    }
                    drug.brand_of = self.drug_ref(n).map(|(id, _)| id);
                }
                Clause::AlsoIn(list) => {
                    for n in list {
                        if let Some(id) = self.class_ref(n) {
                            drug.also_in.push(id);
                        }
                    }
                }
                Clause::Alternatives(list) => {
                    for n in list {
                        if let Some((id, _)) = self.drug_ref(n) {
                            drug.alternatives.push(id);
                        }
                    }
                }
                _ => {}
            }
        }
        if d.kind == DrugKind::Package {
            if let Ok(ndc) = Ndc::parse(&d.name.node) {
                drug.ndcs.push(ndc);
            } else {
                self.ndc(&d.name);
            }
        }
        self.identity_present(d, &drug);
        drug
    }

    fn not_allowed(
        &mut self,
        span: Span,
        clause: &'static str,
        on: &'static str,
        help: &'static str,
    ) {
        self.err(
            span,
            Error::ClauseNotAllowed {
                clause,
                on,
                at: span.source_span(),
                help,
            },
        );
    }

    fn identity_present(&mut self, d: &ast::DrugDef, drug: &Drug) {
        let (missing, help) = match d.kind {
            DrugKind::Ingredient
                if drug.rxcui.is_none() && !has(d, |c| matches!(c, Clause::Rxcui(_))) =>
            {
                (
                    "rxcui",
                    "add the ingredient's RxCUI (term type IN), e.g. `rxcui 29046`",
                )
            }
            DrugKind::Product
                if drug.rxcui.is_none()
                    && drug.ndcs.is_empty()
                    && !has(d, |c| matches!(c, Clause::Rxcui(_) | Clause::Ndc(_))) =>
            {
                (
                    "rxcui or ndc",
                    "add the product's RxCUI (SCD or SBD) or its NDCs",
                )
            }
            DrugKind::Package if !has(d, |c| matches!(c, Clause::Of(_))) => (
                "product",
                "name the product it packages: `package 00378-1025-77 of lisinopril-10mg`",
            ),
            _ => return,
        };
        self.err(
            d.name.span,
            Error::Missing {
                what: d.kind.as_str(),
                name: d.name.node.clone(),
                missing,
                at: d.name.span.source_span(),
                help,
            },
        );
    }

    fn ndc(&mut self, n: &Spanned<String>) -> Option<Ndc> {
        match Ndc::parse(&n.node) {
            Ok(ndc) => Some(ndc),
            Err(reason) => {
                self.err(
                    n.span,
                    Error::BadNdc {
                        ndc: n.node.clone(),
                        at: n.span.source_span(),
                        reason,
                    },
                );
                None
            }
        }
    }

    fn ndcs_of(&self, d: &ast::DrugDef) -> Vec<(Ndc, Span)> {
        let mut out = Vec::new();
        if d.kind == DrugKind::Package {
            if let Ok(n) = Ndc::parse(&d.name.node) {
                out.push((n, d.name.span));
            }
        }
        for c in &d.clauses {
            if let Clause::Ndc(list) = &c.node {
                out.extend(
                    list.iter()
                        .filter_map(|n| Ndc::parse(&n.node).ok().map(|x| (x, n.span))),
                );
            }
        }
        out
    }

    #[allow(clippy::too_many_arguments)]
    fn unique_code<K: std::hash::Hash + Eq + Copy>(
        &mut self,
        code_kind: &'static str,
        code: String,
        span: Span,
        id: DrugId,
        drugs: &[Drug],
        index: &mut FxHashMap<K, DrugId>,
        spans: &mut FxHashMap<K, Span>,
        key: K,
    ) {
        match index.get(&key).copied() {
            Some(first) if first != id => {
                let first_span = spans[&key];
                let same = first_span.file == span.file;
                self.err(
                    span,
                    Error::DuplicateCode {
                        code_kind,
                        code,
                        first_name: drugs[first.0 as usize].name.clone(),
                        second_name: drugs[id.0 as usize].name.clone(),
                        first: same.then(|| first_span.source_span()),
                        again: span.source_span(),
                        help: if same {
                            "a code identifies one drug; remove it from one of them".to_string()
                        } else {
                            format!(
                                "first given at {}; a code identifies one drug",
                                self.sources.location(first_span)
                            )
                        },
                    },
                );
            }
            Some(_) => {}
            None => {
                index.insert(key, id);
                spans.insert(key, span);
            }
        }
    }

    /// Kinds of drug references: `of` on a product names ingredients, on a
    /// package a product; `brand of` names a product.
    fn check_drug_kinds(&mut self, decl: &Decls, drugs: &mut [Drug]) {
        for (d, _) in &decl.drugs {
            for c in &d.clauses {
                let (names, expected, want, help): (&[Spanned<String>], &'static str, DrugKind, &'static str) = match (&c.node, d.kind) {
                    (Clause::Of(list), DrugKind::Product) => (list, "an ingredient", DrugKind::Ingredient, "a product is `of` its ingredients"),
                    (Clause::Of(list), DrugKind::Package) => (list, "a product", DrugKind::Product, "a package is `of` one product"),
                    (Clause::BrandOf(n), DrugKind::Product) => (std::slice::from_ref(n), "a product", DrugKind::Product, "`brand of` names the generic product with the same ingredient, strength and form"),
                    _ => continue,
                };
                for n in names {
                    if let Some((_, kind, _)) = self.drug_ids.get(&n.node).copied() {
                        if kind != want {
                            self.err(
                                n.span,
                                Error::WrongKind {
                                    name: n.node.clone(),
                                    found: kind_phrase(kind),
                                    expected,
                                    at: n.span.source_span(),
                                    help,
                                },
                            );
                        }
                    }
                }
            }
        }
        let _ = drugs;
    }

    fn pa(&mut self, p: &ast::PaDef) -> PaRule {
        let mut approvals = Vec::new();
        for a in &p.approve {
            let mut conds = Vec::new();
            for c in &a.conditions {
                conds.push(match c {
                    ast::Condition::Diagnosis(codes) => Condition::Diagnosis(self.icds(codes)),
                    ast::Condition::Age(r) => {
                        let (min, max) = self.age_range(r);
                        Condition::Age { min, max }
                    }
                    ast::Condition::Sex(s) => Condition::Sex(s.node),
                });
            }
            approvals.push(conds);
        }
        let period = match &p.effective {
            Some(r) => {
                let s = self.date_range(r);
                self.never_in_force(s, r.from.span.to(r.to.span), "rule");
                s
            }
            None => DateSpan::ALWAYS,
        };
        PaRule {
            name: p.name.node.clone(),
            label: p
                .label
                .as_ref()
                .map(|l| l.node.clone())
                .unwrap_or_else(|| p.name.node.clone()),
            approvals,
            criteria: p.criteria.iter().map(|c| c.node.clone()).collect(),
            duration_days: p
                .duration
                .as_ref()
                .map(|d| self.days(d, "an approval duration")),
            period,
            origin: self.origin(p.span),
            span: p.span,
            approval_spans: p.approve.iter().map(|a| a.span).collect(),
        }
    }

    fn step(&mut self, s: &ast::StepDef) -> StepRule {
        let mut steps = Vec::new();
        for r in &s.steps {
            let mut items = Vec::new();
            let mut set_names = Vec::new();
            for it in &r.set {
                match it {
                    ast::SetItem::Class(n) => {
                        set_names.push(format!("class {}", n.node));
                        if let Some(id) = self.class_ref(n) {
                            items.push(SetRef::Class(id));
                        }
                    }
                    ast::SetItem::Drug(n) => {
                        set_names.push(n.node.clone());
                        if let Some((id, _)) = self.drug_ref(n) {
                            items.push(SetRef::Drug(id));
                        }
                    }
                }
            }
            steps.push(Step {
                count: self.count(&r.count, "a step count"),
                min_days: r
                    .min_days
                    .as_ref()
                    .map(|d| self.days(d, "days of therapy"))
                    .unwrap_or(1),
                within_days: self.days(&r.within, "a lookback window"),
                set_names,
                items,
                set: FxHashSet::default(),
                origin: self.origin(r.span),
                span: r.span,
            });
        }
        if let Some(first) = s.steps.first() {
            if first.then {
                self.not_allowed(
                    first.span,
                    "then",
                    "the first step",
                    "start with `tried any N of ...`; later steps start with `then`",
                );
            }
        }
        if s.steps.is_empty() {
            self.err(
                s.name.span,
                Error::Missing {
                    what: "step therapy rule",
                    name: s.name.node.clone(),
                    missing: "steps",
                    at: s.name.span.source_span(),
                    help: "add `tried any 1 of DRUG, DRUG within 180 days`",
                },
            );
        }
        let period = match &s.effective {
            Some(r) => {
                let p = self.date_range(r);
                self.never_in_force(p, r.from.span.to(r.to.span), "rule");
                p
            }
            None => DateSpan::ALWAYS,
        };
        StepRule {
            name: s.name.node.clone(),
            label: s
                .label
                .as_ref()
                .map(|l| l.node.clone())
                .unwrap_or_else(|| s.name.node.clone()),
            steps,
            unless: self.icds(&s.unless),
            new_starts_only: s.new_starts_only.is_some(),
            period,
            origin: self.origin(s.span),
            span: s.span,
        }
    }
}

/// How decisions name a coverage or edit clause.
fn clause_text(k: &ClauseKind) -> String {
    match k {
        ClauseKind::Tier(n) => format!("tier {n}"),
        ClauseKind::Excluded(_) => "excluded".to_string(),
        ClauseKind::NonFormulary => "non-formulary".to_string(),
        ClauseKind::Limit(l) => format!("limit {l}"),
        ClauseKind::Age { min, max } => format!(
            "age {}..{}",
            min.map(|m| m.to_string()).unwrap_or_default(),
            max.map(|m| m.to_string()).unwrap_or_default()
        ),
        ClauseKind::Sex(s) => format!("sex {}", s.as_str()),
        ClauseKind::Pa(p) => format!("pa #{}", p.0),
        ClauseKind::Step(s) => format!("step #{}", s.0),
    }
}

/// Ids from rule indexes, so `rule_ref` serves both kinds.
trait FromRule {
    fn from_index(i: u32) -> Self;
}
impl FromRule for PaId {
    fn from_index(i: u32) -> Self {
        PaId(i)
    }
}
impl FromRule for StepId {
    fn from_index(i: u32) -> Self {
        StepId(i)
    }
}

fn has(d: &ast::DrugDef, f: impl Fn(&Clause) -> bool) -> bool {
    d.clauses.iter().any(|c| f(&c.node))
}

/// The name a drug is declared under: a package's NDC normalised.
fn drug_key(d: &ast::DrugDef) -> String {
    if d.kind == DrugKind::Package {
        if let Ok(n) = Ndc::parse(&d.name.node) {
            return n.to_string();
        }
    }
    d.name.node.clone()
}

fn kind_phrase(k: DrugKind) -> &'static str {
    match k {
        DrugKind::Ingredient => "an ingredient",
        DrugKind::Product => "a product",
        DrugKind::Package => "a package",
    }
}

fn identity_keyword(c: &Clause) -> &'static str {
    match c {
        Clause::Rxcui(_) => "rxcui",
        Clause::Ndc(_) => "ndc",
        Clause::BrandOf(_) => "brand of",
        Clause::Of(_) => "of",
        Clause::AlsoIn(_) => "also in",
        Clause::Alternatives(_) => "alternatives",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use std::fmt::Write;
    use std::time::{Duration, Instant};

    #[test]
    fn many_unknown_names_among_many_drugs_compile_in_bounded_time() {
        // Every unknown name was compared with every drug name for its "did
        // you mean" help: 10,000 of them among 20,000 drugs took 38 s in a
        // release build. Suggestions now stop when their budget is spent.
        let n = 10_000;
        let mut text = String::from(
            "formulary \"Big\" id B version 1 effective 2026-01-01 to 2026-12-31\n\
             tier 1 \"Generic\" copay $5 preferred\n",
        );
        for i in 0..n {
            let _ = writeln!(
                text,
                "ingredient ing{i} rxcui {} tier 1\nproduct prod{i} rxcui {} of ingx{i} tier 1",
                100_000 + i,
                200_000 + i
            );
        }
        let started = Instant::now();
        let c = crate::compile_str("big.formulary", &text);
        let took = started.elapsed();
        let helps: Vec<String> = crate::diagnostics::render_json(&c.diags, &c.sources)
            .into_iter()
            .filter(|d| d.code == "E0201")
            .map(|d| d.help.unwrap_or_default())
            .collect();
        assert_eq!(helps.len(), n);
        assert_eq!(helps[0], "did you mean `ing0`?");
        assert!(
            helps[n - 1].starts_with("define it with"),
            "{}",
            helps[n - 1]
        );
        assert!(took < Duration::from_secs(30), "took {took:?}");
    }
}
