//! Coverage status: the most specific status clause in force at the date of service.

use super::{Ctx, Eval};
use crate::check::decision::*;
use crate::check::reject::RejectCode;
use crate::compile::model::*;
use std::borrow::Cow;

impl<'f> Ctx<'f, '_> {
    /// Coverage status at the date of service: the most specific status clause in force.
    pub fn status(&self, id: DrugId, out: &mut Eval<'f>) {
        let f = self.f;
        let dos = self.rx.date;
        let r = f.resolved(id);
        let Some(s) = r.status.iter().find(|s| s.clause.period.contains(dos)) else {
            out.rejects.push(Reject {
                code: RejectCode::NotOnFormulary,
                message: format!("{} has no tier on this formulary", f.drug(id).label),
                rule: RuleRef::new(
                    "formulary",
                    f.drug(id).name.as_str(),
                    &f.drug(id).origin,
                    None,
                ),
            });
            return;
        };
        let level = Some(f.level(s.level));
        match &s.clause.kind {
            ClauseKind::Tier(n) => {
                out.tier = Some(*n);
                out.trace.push(TraceStep {
                    rule: RuleRef::new("tier", s.clause.text.as_str(), &s.clause.origin, level),
                    result: Outcome::Applied,
                    detail: Cow::Borrowed("covered"),
                });
            }
            ClauseKind::Excluded(reason) => {
                out.excluded = true;
                out.rejects.push(Reject {
                    code: RejectCode::NotCovered,
                    message: format!("not covered: {reason}"),
                    rule: RuleRef::new("exclusion", "excluded", &s.clause.origin, level),
                });
            }
            _ => {
                out.rejects.push(Reject {
                    code: RejectCode::NotOnFormulary,
                    message: "not on formulary; covered only through a formulary exception"
                        .to_string(),
                    rule: RuleRef::new("non-formulary", "non-formulary", &s.clause.origin, level),
                });
            }
        }
    }
}
