//! The plan type and the `benefit` block: the design (from a shipped
//! standard benefit and the block's lines) and the drugs it names.
//! Unknown plan types are E0112, a Part D standard on another plan E0113,
//! an unknown standard E0208; names are checked like any reference.

use super::{Builder, Decls};
use crate::ast::{self, Condition, SetItem};
use crate::benefit::{self, Design, Limit, PlanType};
use crate::compile::benefit::{Benefit, DrugSet, Preventive};
use crate::diagnostics::{did_you_mean, Error};
use crate::span::Spanned;

impl Builder<'_> {
    /// The formulary's plan type and benefit.
    pub(super) fn benefit(&mut self, decl: &Decls) -> Benefit {
        let plan = self.plan_type(decl);
        let mut out = Benefit {
            plan,
            ..Benefit::default()
        };
        let Some(def) = decl.benefits.first() else {
            return out;
        };
        out.origin = Some(self.origin(def.span));
        let mut design = match &def.standard {
            Some(name) => self.standard(name, plan).unwrap_or_default(),
            None => Design::default(),
        };
        if let Some(a) = &def.deductible {
            design.deductible = Some(self.amounts(a, "a family deductible"));
        }
        if let Some(a) = &def.out_of_pocket {
            design.out_of_pocket_max = Some(self.amounts(a, "a family out-of-pocket maximum"));
        }
        for t in &def.exempt_tiers {
            let n = self.tier_ref(t);
            design.exempt_tiers.push(n);
        }
        for l in &def.exempt {
            self.drug_set(&l.items, &mut out.exempt);
        }
        if let Some(i) = &def.insulin {
            self.drug_set(&i.drugs.items, &mut out.insulin);
            match &i.cap {
                Some(c) => design.insulin_month_cap = Some(self.money(c)),
                None if design.insulin_month_cap.is_none() => self.err(
                    i.drugs.span,
                    Error::Missing {
                        what: "benefit line",
                        name: "insulin".into(),
                        missing: "cap",
                        at: i.drugs.span.source_span(),
                        help: "write the cap (`cap $35 per month`), or use a standard benefit that sets one",
                    },
                ),
                None => {}
            }
        }
        for l in &def.vaccines {
            self.drug_set(&l.items, &mut out.vaccines);
            design.vaccines_free = true;
        }
        for p in &def.preventive {
            let line = self.preventive(p);
            out.preventive.push(line);
        }
        out.design = Some(design);
        out
    }

    fn plan_type(&mut self, decl: &Decls) -> PlanType {
        let Some(p) = decl.headers.first().and_then(|h| h.plan.as_ref()) else {
            return PlanType::default();
        };
        if let Some(t) = PlanType::parse(&p.node) {
            return t;
        }
        let names = PlanType::ALL.map(PlanType::as_str);
        let mut help = did_you_mean(&p.node, names);
        if help.is_empty() {
            help = format!("write one of {}", names.join(", "));
        }
        self.err(
            p.span,
            Error::UnknownPlanType {
                name: p.node.clone(),
                at: p.span.source_span(),
                help,
            },
        );
        PlanType::default()
    }

    fn standard(&mut self, name: &Spanned<String>, plan: PlanType) -> Option<Design> {
        let unknown = |b: &mut Self, help: String| {
            b.err(
                name.span,
                Error::UnknownStandardBenefit {
                    name: name.node.clone(),
                    at: name.span.source_span(),
                    help,
                },
            )
        };
        let design = match benefit::standard(&name.node) {
            Ok(Some(d)) => d,
            Ok(None) => {
                let names = benefit::standard_names().unwrap_or_default();
                let mut help = did_you_mean(&name.node, names.iter().map(String::as_str));
                if help.is_empty() {
                    help = format!("the shipped benefits are {}", names.join(", "));
                }
                unknown(self, help);
                return None;
            }
            Err(e) => {
                unknown(self, e.to_string());
                return None;
            }
        };
        if plan != PlanType::MedicarePartD {
            self.err(
                name.span,
                Error::PartDOnly {
                    what: format!("the standard benefit \"{}\"", name.node),
                    plan: plan.as_str(),
                    at: name.span.source_span(),
                    help: "end the header with `plan medicare-part-d`, or write the plan's own `deductible` and `out-of-pocket max`",
                },
            );
            return None;
        }
        Some(design)
    }

    fn amounts(&mut self, a: &ast::Amounts, family: &'static str) -> Limit {
        let individual = self.money(&a.individual);
        let fam = a.family.as_ref().map(|f| (self.money(f), f));
        if let Some((m, f)) = fam {
            if m < individual {
                self.out_of_range(
                    f.span,
                    family,
                    "at least the individual amount",
                    m.to_string(),
                    "the family amount is reached by all members together",
                );
            }
        }
        Limit {
            individual,
            family: fam.map(|(m, _)| m),
        }
    }

    fn drug_set(&mut self, items: &[SetItem], set: &mut DrugSet) {
        for item in items {
            match item {
                SetItem::Class(c) => {
                    if let Some(id) = self.class_ref(c) {
                        set.classes.insert(id);
                    }
                }
                SetItem::Drug(d) => {
                    if let Some((id, _)) = self.drug_ref(d) {
                        set.drugs.insert(id);
                    }
                }
            }
        }
    }

    fn preventive(&mut self, p: &ast::PreventiveDef) -> Preventive {
        let mut line = Preventive {
            set: DrugSet::default(),
            min_age: None,
            max_age: None,
            sex: None,
            origin: self.origin(p.drugs.span),
        };
        self.drug_set(&p.drugs.items, &mut line.set);
        for c in &p.conditions {
            match c {
                Condition::Age(r) => (line.min_age, line.max_age) = self.age_range(r),
                Condition::Sex(s) => line.sex = Some(s.node),
                Condition::Diagnosis(_) => {}
            }
        }
        line
    }
}
