//! The price list and the prescriptions of a [`Spec`], for the names and
//! codes its source declares.

use super::*;
use serde_json::{json, Map, Value};

impl PriceSpec {
    /// The CSV row, in the NADAC layout of [`PRICE_HEADER`].
    pub fn row(&self, names: &Names) -> Option<String> {
        let ndc = names.ndcs.get(self.ndc.index(names.ndcs.len())?)?;
        let date = self.effective.date()?.format("%m/%d/%Y");
        let unit = ["EA", "ML", "GM", "KG"][usize::from(self.unit % 4)];
        let price = f64::from(self.per_unit_micros) / 1e6;
        Some(format!("X,{},{price},{date},{unit}", ndc.replace('-', "")))
    }
}

/// The header line of the price list the rows make.
pub const PRICE_HEADER: &str = "NDC Description,NDC,NADAC_Per_Unit,Effective_Date,Pricing_Unit";

impl DrugCode {
    fn insert(&self, names: &Names, m: &mut Map<String, Value>) {
        match self {
            DrugCode::Rxcui(p) => {
                let r = p.index(names.rxcuis.len()).map_or(1, |i| names.rxcuis[i]);
                m.insert("rxcui".into(), json!(r));
            }
            DrugCode::Ndc(p) => {
                let n = p
                    .index(names.ndcs.len())
                    .map_or("00000-0000-00", |i| &names.ndcs[i]);
                m.insert("ndc".into(), json!(n));
            }
        }
    }
}

impl RxSpec {
    /// The prescription as JSON text.
    pub fn json(&self, names: &Names) -> String {
        let date = self.date.date().unwrap_or_else(base);
        let day = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
        let mut m = Map::new();
        m.insert("date".into(), json!(day(date)));
        self.drug.insert(names, &mut m);
        let quantity = match self.quantity {
            Quantity::Units(u) => json!(positive16(u)),
            Quantity::Any(f) => json!(f),
        };
        m.insert("quantity".into(), quantity);
        m.insert("days_supply".into(), json!(days_supply(self.days_supply)));
        m.insert("daw".into(), json!(self.daw % 11));
        let dx: Vec<&str> = self
            .diagnoses
            .iter()
            .map(|c| CLAIM_ICDS[usize::from(*c) % CLAIM_ICDS.len()])
            .collect();
        m.insert("diagnoses".into(), json!(dx));
        if let Some(p) = self.pharmacy {
            m.insert(
                "pharmacy".into(),
                json!(["retail", "mail", "specialty"][usize::from(p % 3)]),
            );
        }
        let mut patient = Map::new();
        let (years, age) = match self.birth {
            Birth::YearsAgo(y) => (Some(y), None),
            Birth::Age(a) => (None, Some(a)),
            Birth::Both(y, a) => (Some(y), Some(a)),
            Birth::Neither => (None, None),
        };
        if let Some(y) = years {
            let born = date
                .checked_sub_days(Days::new(u64::from(y) * 365 + 17))
                .unwrap_or(date);
            patient.insert("birth_date".into(), json!(day(born)));
        }
        if let Some(a) = age {
            patient.insert("age".into(), json!(a));
        }
        patient.insert(
            "sex".into(),
            json!(["F", "M", "U"][usize::from(self.sex % 3)]),
        );
        if let Some(e) = self.enrolled.and_then(Day::date) {
            patient.insert("enrolled".into(), json!(day(e)));
        }
        m.insert("patient".into(), Value::Object(patient));
        let history: Vec<Value> = self
            .history
            .iter()
            .map(|h| {
                let mut f = Map::new();
                h.drug.insert(names, &mut f);
                let d = date
                    .checked_sub_days(Days::new(u64::from(h.days_ago % 800)))
                    .unwrap_or(date);
                f.insert("date".into(), json!(day(d)));
                f.insert("days_supply".into(), json!(days_supply(h.days_supply)));
                f.insert("quantity".into(), json!(positive16(h.quantity)));
                Value::Object(f)
            })
            .collect();
        m.insert("history".into(), json!(history));
        let pas: Vec<Value> = self
            .prior_authorizations
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let mut o = Map::new();
                o.insert("number".into(), json!(format!("PA{i}")));
                if let Some(d) = &p.drug {
                    d.insert(names, &mut o);
                }
                if let Some(r) = p.rule {
                    let rules: Vec<String> =
                        names.pas.iter().chain(&names.steps).cloned().collect();
                    o.insert("rule".into(), json!(r.of(&rules)));
                }
                o.insert("from".into(), json!(p.from.text()));
                o.insert("to".into(), json!(p.to.text()));
                o.insert(
                    "status".into(),
                    json!(if p.denied { "denied" } else { "approved" }),
                );
                Value::Object(o)
            })
            .collect();
        m.insert("prior_authorizations".into(), json!(pas));
        if let Some(c) = self.ingredient_cost {
            m.insert("ingredient_cost".into(), json!(f64::from(c) / 100.0));
        }
        if let Some(c) = self.dispensing_fee {
            m.insert("dispensing_fee".into(), json!(f64::from(c) / 100.0));
        }
        Value::Object(m).to_string()
    }
}
