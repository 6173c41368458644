//! NCPDP reject codes (field 511-FB) a check can give, each with its code and short text as data.

use serde::Serialize;

/// Why a claim is rejected: one NCPDP D.0 reject code. Serialises as the
/// code itself (`"75"`, `"MR"`), as decisions always have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RejectCode {
    /// 70: product/service not covered (plan/benefit exclusion), also a date
    /// of service outside the formulary's effective period.
    NotCovered,
    /// MR: product not on formulary.
    NotOnFormulary,
    /// 75: prior authorization required.
    PriorAuthorizationRequired,
    /// 3Y: prior authorization denied.
    PriorAuthorizationDenied,
    /// 608: step therapy, alternate drug therapy required before the submitted product.
    StepTherapyRequired,
    /// 76: plan limitations exceeded (quantity, days supply, fills).
    PlanLimitationsExceeded,
    /// 60: product/service not covered for patient age.
    PatientAge,
    /// 61: product/service not covered for patient gender.
    PatientGender,
    /// 79: refill too soon.
    RefillTooSoon,
}

impl RejectCode {
    /// Every code a check gives.
    pub const ALL: [RejectCode; 9] = [
        RejectCode::NotCovered,
        RejectCode::NotOnFormulary,
        RejectCode::PriorAuthorizationRequired,
        RejectCode::PriorAuthorizationDenied,
        RejectCode::StepTherapyRequired,
        RejectCode::PlanLimitationsExceeded,
        RejectCode::PatientAge,
        RejectCode::PatientGender,
        RejectCode::RefillTooSoon,
    ];

    /// The NCPDP code as sent in 511-FB.
    pub const fn code(self) -> &'static str {
        match self {
            RejectCode::NotCovered => "70",
            RejectCode::NotOnFormulary => "MR",
            RejectCode::PriorAuthorizationRequired => "75",
            RejectCode::PriorAuthorizationDenied => "3Y",
            RejectCode::StepTherapyRequired => "608",
            RejectCode::PlanLimitationsExceeded => "76",
            RejectCode::PatientAge => "60",
            RejectCode::PatientGender => "61",
            RejectCode::RefillTooSoon => "79",
        }
    }

    /// The code's short text.
    pub const fn text(self) -> &'static str {
        match self {
            RejectCode::NotCovered => "product/service not covered (plan/benefit exclusion)",
            RejectCode::NotOnFormulary => "product not on formulary",
            RejectCode::PriorAuthorizationRequired => "prior authorization required",
            RejectCode::PriorAuthorizationDenied => "prior authorization denied",
            RejectCode::StepTherapyRequired => {
                "step therapy: alternate drug therapy required before the submitted product"
            }
            RejectCode::PlanLimitationsExceeded => "plan limitations exceeded",
            RejectCode::PatientAge => "product/service not covered for patient age",
            RejectCode::PatientGender => "product/service not covered for patient gender",
            RejectCode::RefillTooSoon => "refill too soon",
        }
    }

    /// The code in a few words, for summaries ("prior authorization").
    pub const fn words(self) -> &'static str {
        match self {
            RejectCode::NotCovered => "not covered",
            RejectCode::NotOnFormulary => "not on formulary",
            RejectCode::PriorAuthorizationRequired => "prior authorization",
            RejectCode::PriorAuthorizationDenied => "prior authorization denied",
            RejectCode::StepTherapyRequired => "step therapy",
            RejectCode::PlanLimitationsExceeded => "quantity limit",
            RejectCode::PatientAge => "age",
            RejectCode::PatientGender => "sex",
            RejectCode::RefillTooSoon => "refill too soon",
        }
    }

    /// The code sent as `code`, if it is one a check gives.
    pub fn from_code(code: &str) -> Option<RejectCode> {
        RejectCode::ALL.into_iter().find(|c| c.code() == code)
    }

    /// Whether a Part D transition fill may override it: not on formulary,
    /// prior authorization, step therapy and quantity limits.
    pub const fn transition_may_override(self) -> bool {
        matches!(
            self,
            RejectCode::NotOnFormulary
                | RejectCode::PriorAuthorizationRequired
                | RejectCode::StepTherapyRequired
                | RejectCode::PlanLimitationsExceeded
        )
    }

    /// The patient cannot have the drug at all (age or gender): an
    /// alternative with this reject is not offered.
    pub const fn blocks_patient(self) -> bool {
        matches!(self, RejectCode::PatientAge | RejectCode::PatientGender)
    }
}

/// Ordered by the code as written, so sorted lists read as they did when
/// codes were strings.
impl Ord for RejectCode {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.code().cmp(other.code())
    }
}

impl PartialOrd for RejectCode {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl std::fmt::Display for RejectCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.code())
    }
}

impl Serialize for RejectCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_reads_back_and_serialises_as_its_code() {
        for c in RejectCode::ALL {
            assert_eq!(RejectCode::from_code(c.code()), Some(c));
            assert_eq!(
                serde_json::to_string(&c).unwrap(),
                format!("\"{}\"", c.code())
            );
        }
        assert_eq!(RejectCode::from_code("88"), None);
        assert_eq!(format!("{:<3}|", RejectCode::PatientAge), "60 |");
        let codes: std::collections::BTreeSet<_> = RejectCode::ALL.map(|c| c.code()).into();
        assert_eq!(codes.len(), RejectCode::ALL.len());
    }
}
