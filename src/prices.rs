//! Drug prices in the public NADAC layout (CMS National Average Drug
//! Acquisition Cost), used as the cost basis when a claim carries none.
//!
//! Both header spellings are read (`NADAC_Per_Unit` and `NADAC Per Unit`);
//! dates are MM/DD/YYYY; one NDC has many rows over time and the row in
//! effect at the date of service is used. CMS's placeholder rows ("TBD DO
//! NOT DELETE OR RELEASE") and rows without a usable price are skipped and
//! counted, not treated as prices.

use crate::codes::Ndc;
use chrono::NaiveDate;
use rustc_hash::FxHashMap;

/// One price row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Price {
    /// First day in effect.
    pub effective: NaiveDate,
    /// Dollars per pricing unit.
    pub per_unit: f64,
    /// Pricing unit.
    pub unit: Unit,
}

/// NADAC pricing unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Each (tablet, capsule, pen...).
    Ea,
    /// Millilitre.
    Ml,
    /// Gram.
    Gm,
}

/// Prices by NDC, each NDC's rows sorted by effective date.
#[derive(Debug, Clone, Default)]
pub struct PriceList {
    by_ndc: FxHashMap<Ndc, Vec<Price>>,
    /// Rows read as prices.
    pub rows: usize,
    /// Rows skipped: placeholders and rows without a usable price or NDC.
    pub skipped: usize,
    /// Why the first few rows were skipped, with their line numbers.
    pub skipped_examples: Vec<String>,
}

/// A price file that could not be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {message}")]
pub struct PriceError {
    /// File name.
    pub file: String,
    /// What is wrong.
    pub message: String,
}

const NEEDED: [&str; 4] = ["ndc", "nadac per unit", "effective date", "pricing unit"];

impl PriceList {
    /// Parses a NADAC CSV. `file` names it in errors.
    pub fn parse(file: &str, text: &str) -> Result<PriceList, PriceError> {
        let err = |message: String| PriceError {
            file: file.to_string(),
            message,
        };
        let mut rdr = csv::ReaderBuilder::new()
            .flexible(true)
            .from_reader(text.as_bytes());
        let headers = rdr
            .headers()
            .map_err(|e| err(format!("cannot read the header: {e}")))?
            .clone();
        let norm: Vec<String> = headers
            .iter()
            .map(|h| h.trim().to_ascii_lowercase().replace('_', " "))
            .collect();
        let col = |name: &str| norm.iter().position(|h| h == name);
        let mut idx = [0usize; 4];
        for (i, name) in NEEDED.iter().enumerate() {
            idx[i] = col(name).ok_or_else(|| {
                err(format!(
                    "no `{name}` column; a NADAC file has NDC, NADAC_Per_Unit (or NADAC Per Unit), Effective_Date and Pricing_Unit"
                ))
            })?;
        }
        let desc = col("ndc description");
        let mut list = PriceList::default();
        for (n, rec) in rdr.records().enumerate() {
            let line = n + 2;
            let rec = match rec {
                Ok(r) => r,
                Err(e) => {
                    list.skip(line, format!("unreadable row: {e}"));
                    continue;
                }
            };
            let field = |i: usize| rec.get(i).unwrap_or("").trim();
            if desc.is_some_and(|d| field(d).to_ascii_uppercase().contains("DO NOT DELETE")) {
                list.skip(line, "placeholder row".to_string());
                continue;
            }
            match parse_row(field(idx[0]), field(idx[1]), field(idx[2]), field(idx[3])) {
                Ok((ndc, price)) => {
                    list.by_ndc.entry(ndc).or_default().push(price);
                    list.rows += 1;
                }
                Err(why) => list.skip(line, why),
            }
        }
        for rows in list.by_ndc.values_mut() {
            rows.sort_by_key(|p| p.effective);
        }
        Ok(list)
    }

    fn skip(&mut self, line: usize, why: String) {
        self.skipped += 1;
        if self.skipped_examples.len() < 5 {
            self.skipped_examples.push(format!("line {line}: {why}"));
        }
    }

    /// The price of an NDC in effect on `date`: the latest row effective on or before it.
    pub fn price(&self, ndc: &Ndc, date: NaiveDate) -> Option<Price> {
        let rows = self.by_ndc.get(ndc)?;
        let i = rows.partition_point(|p| p.effective <= date);
        i.checked_sub(1).map(|i| rows[i])
    }

    /// Adds another list's rows (a later file's rows join an NDC's history).
    pub fn merge(&mut self, other: PriceList) {
        for (ndc, rows) in other.by_ndc {
            let e = self.by_ndc.entry(ndc).or_default();
            e.extend(rows);
            e.sort_by_key(|p| p.effective);
        }
        self.rows += other.rows;
        self.skipped += other.skipped;
        self.skipped_examples.extend(other.skipped_examples);
    }

    /// Number of NDCs priced.
    pub fn ndcs(&self) -> usize {
        self.by_ndc.len()
    }
}

fn parse_row(ndc: &str, price: &str, date: &str, unit: &str) -> Result<(Ndc, Price), String> {
    let ndc = Ndc::parse(ndc).map_err(|e| format!("NDC `{ndc}`: {e}"))?;
    let per_unit: f64 = price
        .parse()
        .map_err(|_| format!("price `{price}` is not a number"))?;
    if !(per_unit.is_finite() && per_unit >= 0.0) {
        return Err(format!("price `{price}` is not a price"));
    }
    let effective = NaiveDate::parse_from_str(date, "%m/%d/%Y")
        .map_err(|_| format!("date `{date}` is not MM/DD/YYYY"))?;
    let unit = match unit.to_ascii_uppercase().as_str() {
        "EA" => Unit::Ea,
        "ML" => Unit::Ml,
        "GM" => Unit::Gm,
        other => return Err(format!("pricing unit `{other}` is not EA, ML or GM")),
    };
    Ok((
        ndc,
        Price {
            effective,
            per_unit,
            unit,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_both_header_spellings_and_skips_placeholders() {
        let old = "NDC Description,NDC,NADAC_Per_Unit,Effective_Date,Pricing_Unit,Pharmacy_Type_Indicator,OTC,Explanation_Code,Classification_for_Rate_Setting,Corresponding_Generic_Drug_NADAC_Per_Unit,Corresponding_Generic_Drug_Effective_Date,As of Date\n\
LISINOPRIL 10 MG TABLET,68180051301,0.02112,01/15/2026,EA,C/I,N,1,G,,,02/04/2026\n\
LISINOPRIL 10 MG TABLET,68180051301,0.01990,07/01/2026,EA,C/I,N,1,G,,,07/08/2026\n\
TBD DO NOT DELETE OR RELEASE,99999999999,0,01/01/2026,EA,C/I,N,1,G,,,01/01/2026\n";
        let new = old
            .replace("NADAC_Per_Unit", "NADAC Per Unit")
            .replace("Effective_Date", "Effective Date")
            .replace("Pricing_Unit", "Pricing Unit");
        for text in [old.to_string(), new] {
            let l = PriceList::parse("p.csv", &text).unwrap();
            assert_eq!((l.rows, l.skipped), (2, 1));
            let ndc = Ndc::parse("68180051301").unwrap();
            let d = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
            assert_eq!(l.price(&ndc, d("2026-03-01")).unwrap().per_unit, 0.02112);
            assert_eq!(l.price(&ndc, d("2026-07-01")).unwrap().per_unit, 0.01990);
            assert!(l.price(&ndc, d("2026-01-14")).is_none());
        }
    }

    #[test]
    fn a_file_without_price_columns_is_an_error() {
        let e = PriceList::parse("p.csv", "a,b\n1,2\n").unwrap_err();
        assert!(e.to_string().contains("no `ndc` column"), "{e}");
    }

    #[test]
    fn bad_rows_are_counted_with_their_lines() {
        let l = PriceList::parse(
            "p.csv",
            "NDC,NADAC Per Unit,Effective Date,Pricing Unit\n123,1,01/01/2026,EA\n00378102577,x,01/01/2026,EA\n00378102577,1.5,2026-01-01,EA\n00378102577,1.5,01/01/2026,KG\n",
        )
        .unwrap();
        assert_eq!((l.rows, l.skipped), (0, 4));
        assert!(
            l.skipped_examples[0].starts_with("line 2: NDC `123`"),
            "{:?}",
            l.skipped_examples
        );
    }
}
