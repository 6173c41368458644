//! Refill too soon: the latest earlier fill of the same drug used up to the threshold.

use super::{Ctx, Eval};
use crate::check::decision::*;
use crate::check::reject::RejectCode;
use crate::compile::model::*;

impl<'f> Ctx<'f, '_> {
    /// Refill too soon: the latest earlier fill of the same drug must be used
    /// up to the threshold.
    pub fn refill(&self, id: DrugId, out: &mut Eval<'f>) {
        let Some(policy) = &self.f.refill else { return };
        let rule = RuleRef::new(
            "refill too soon",
            policy.text.as_str(),
            &policy.origin,
            None,
        );
        let Some(prev) = self.same_drug_fills(id).max_by_key(|h| h.date) else {
            self.pass(out, rule, "no earlier fill");
            return;
        };
        let needed = (prev.days as u64 * policy.bp as u64).div_ceil(10_000);
        let ok_from = prev.date + chrono::Days::new(needed);
        if self.rx.date < ok_from {
            let msg = format!(
                "refill too soon: last filled {} for {} days; refill allowed from {} ({}% used)",
                prev.date,
                prev.days,
                ok_from,
                format_bp(policy.bp)
            );
            self.fail(out, RejectCode::RefillTooSoon, rule, msg);
        } else {
            self.pass(out, rule, format!("refill allowed from {ok_from}"));
        }
    }
}
