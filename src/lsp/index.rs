//! Every name written in a formulary's syntax trees: where each drug, class,
//! rule and tier is defined and where each is referred to, and the include
//! statements. Built from the trees, so it works while the formulary has
//! errors; navigation, hover, rename and completion read it.

use crate::ast::{self, Clause, Item, SetItem};
use crate::span::{FileId, Span, Spanned};

/// What a name names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// An ingredient, product or package.
    Drug,
    /// A therapeutic class.
    Class,
    /// A prior authorization rule.
    Pa,
    /// A step therapy rule.
    Step,
    /// A tier, named by its number.
    Tier,
}

impl Kind {
    /// How the kind is said in messages.
    pub fn words(self) -> &'static str {
        match self {
            Kind::Drug => "drug",
            Kind::Class => "class",
            Kind::Pa => "prior authorization rule",
            Kind::Step => "step therapy rule",
            Kind::Tier => "tier",
        }
    }
}

/// One occurrence of a name.
#[derive(Debug, Clone)]
pub struct Symbol {
    /// What it names.
    pub kind: Kind,
    /// The name as the compiler matches it (a package NDC in 11 digits).
    pub key: String,
    /// Where it is written.
    pub span: Span,
    /// True for the definition, false for a reference.
    pub def: bool,
}

/// An `include "path"` statement.
#[derive(Debug, Clone)]
pub struct Include {
    /// The path string, quotes included.
    pub span: Span,
    /// The path as written.
    pub path: String,
}

/// The names of one formulary.
#[derive(Debug, Default)]
pub struct Index {
    /// Definitions and references, in source order per file.
    pub symbols: Vec<Symbol>,
    /// Include statements.
    pub includes: Vec<Include>,
}

impl Index {
    /// Indexes the trees of a formulary.
    pub fn build(files: &[(FileId, ast::File)]) -> Index {
        let mut ix = Index::default();
        for (_, f) in files {
            ix.items(&f.items);
        }
        ix
    }

    /// The symbol written at byte `offset` of `file`, if any.
    pub fn at(&self, file: FileId, offset: usize) -> Option<&Symbol> {
        let offset = offset as u32;
        self.symbols
            .iter()
            .find(|s| s.span.file == file && s.span.start <= offset && offset <= s.span.end)
    }

    /// The include statement at byte `offset` of `file`, if any.
    pub fn include_at(&self, file: FileId, offset: usize) -> Option<&Include> {
        let offset = offset as u32;
        self.includes
            .iter()
            .find(|i| i.span.file == file && i.span.start <= offset && offset <= i.span.end)
    }

    /// Every definition of a name (more than one is an E0205 error).
    pub fn defs<'a>(&'a self, kind: Kind, key: &'a str) -> impl Iterator<Item = &'a Symbol> {
        self.all(kind, key).filter(|s| s.def)
    }

    /// Every occurrence of a name, definitions and references.
    pub fn all<'a>(&'a self, kind: Kind, key: &'a str) -> impl Iterator<Item = &'a Symbol> {
        self.symbols
            .iter()
            .filter(move |s| s.kind == kind && s.key == key)
    }

    /// The defined names of one kind, each once, sorted.
    pub fn names(&self, kind: Kind) -> Vec<&str> {
        let mut v: Vec<&str> = self
            .symbols
            .iter()
            .filter(|s| s.def && s.kind == kind)
            .map(|s| s.key.as_str())
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    fn push(&mut self, kind: Kind, name: &Spanned<String>, def: bool) {
        self.symbols.push(Symbol {
            kind,
            key: key(kind, &name.node),
            span: name.span,
            def,
        });
    }

    fn items(&mut self, items: &[Item]) {
        for item in items {
            match item {
                Item::Include(p) => self.includes.push(Include {
                    span: p.span,
                    path: p.node.clone(),
                }),
                Item::Tier(t) => self.symbols.push(Symbol {
                    kind: Kind::Tier,
                    key: t.number.node.to_string(),
                    span: t.number.span,
                    def: true,
                }),
                Item::Class(c) => {
                    self.push(Kind::Class, &c.name, true);
                    self.clauses(&c.clauses);
                    self.items(&c.items);
                }
                Item::Drug(d) => {
                    self.push(Kind::Drug, &d.name, true);
                    self.clauses(&d.clauses);
                }
                Item::Pa(p) => self.push(Kind::Pa, &p.name, true),
                Item::Step(s) => {
                    self.push(Kind::Step, &s.name, true);
                    for req in &s.steps {
                        self.set(&req.set);
                    }
                }
                Item::Benefit(b) => self.benefit(b),
                Item::Header(_)
                | Item::Prices(_)
                | Item::Catalog(_)
                | Item::Refill(_)
                | Item::Transition(_) => {}
            }
        }
    }

    fn set(&mut self, items: &[SetItem]) {
        for item in items {
            match item {
                SetItem::Class(n) => self.push(Kind::Class, n, false),
                SetItem::Drug(n) => self.push(Kind::Drug, n, false),
            }
        }
    }

    fn benefit(&mut self, b: &ast::BenefitDef) {
        for t in &b.exempt_tiers {
            self.symbols.push(Symbol {
                kind: Kind::Tier,
                key: t.node.to_string(),
                span: t.span,
                def: false,
            });
        }
        let lists = b
            .exempt
            .iter()
            .chain(&b.vaccines)
            .chain(b.insulin.as_ref().map(|i| &i.drugs))
            .chain(b.preventive.iter().map(|p| &p.drugs));
        for list in lists {
            self.set(&list.items);
        }
    }

    fn clauses(&mut self, clauses: &[Spanned<Clause>]) {
        for c in clauses {
            match &c.node {
                Clause::BrandOf(n) => self.push(Kind::Drug, n, false),
                Clause::Of(ns) | Clause::Alternatives(ns) => {
                    for n in ns {
                        self.push(Kind::Drug, n, false);
                    }
                }
                Clause::AlsoIn(ns) => {
                    for n in ns {
                        self.push(Kind::Class, n, false);
                    }
                }
                Clause::Tier(n, _) => self.symbols.push(Symbol {
                    kind: Kind::Tier,
                    key: n.node.to_string(),
                    span: n.span,
                    def: false,
                }),
                Clause::Pa(n, _) => self.push(Kind::Pa, n, false),
                Clause::Step(n, _) => self.push(Kind::Step, n, false),
                Clause::Rxcui(_)
                | Clause::Ndc(_)
                | Clause::Excluded(..)
                | Clause::NonFormulary(_)
                | Clause::Limit(..)
                | Clause::Age(..)
                | Clause::Sex(..) => {}
            }
        }
    }
}

/// The name as the compiler matches it: a package written as a dashed NDC is
/// the same drug as its 11 digits.
fn key(kind: Kind, name: &str) -> String {
    if kind == Kind::Drug && name.starts_with(|c: char| c.is_ascii_digit()) {
        if let Ok(ndc) = crate::codes::Ndc::parse(name) {
            return ndc.to_string();
        }
    }
    name.to_string()
}
