//! A streaming reader of RxNorm's RRF files: one row per line, fields
//! separated by `|`, every row ending in a `|` (so a row of N columns has N+1
//! pieces, the last empty). Rows are read one at a time into a reused
//! buffer, so a file of any length is read in constant memory.

use crate::interop::RowError;
use std::io::BufRead;

/// The columns of RXNCONSO.RRF, in NLM's order.
pub const CONSO_COLUMNS: [&str; 18] = [
    "RXCUI", "LAT", "TS", "LUI", "STT", "SUI", "ISPREF", "RXAUI", "SAUI", "SCUI", "SDUI", "SAB",
    "TTY", "CODE", "STR", "SRL", "SUPPRESS", "CVF",
];
/// The columns of RXNREL.RRF, in NLM's order.
pub const REL_COLUMNS: [&str; 16] = [
    "RXCUI1", "RXAUI1", "STYPE1", "REL", "RXCUI2", "RXAUI2", "STYPE2", "RELA", "RUI", "SRUI",
    "SAB", "SL", "DIR", "RG", "SUPPRESS", "CVF",
];
/// The columns of RXNSAT.RRF, in NLM's order.
pub const SAT_COLUMNS: [&str; 13] = [
    "RXCUI", "LUI", "SUI", "RXAUI", "STYPE", "CODE", "ATUI", "SATUI", "ATN", "SAB", "ATV",
    "SUPPRESS", "CVF",
];

/// Reads the rows of one RRF file.
pub struct RrfReader<R> {
    input: R,
    file: String,
    columns: &'static [&'static str],
    line: u64,
    buf: Vec<u8>,
    failed: bool,
}

/// One row: its fields (without the trailing empty piece) and line number.
pub struct Row<'a> {
    fields: Vec<&'a str>,
    /// One-based line number.
    pub line: u64,
    file: &'a str,
    columns: &'static [&'static str],
}

impl<R: BufRead> RrfReader<R> {
    /// A reader of `input`, named `file` in messages, with the given layout.
    pub fn new(input: R, file: &str, columns: &'static [&'static str]) -> RrfReader<R> {
        RrfReader {
            input,
            file: file.to_string(),
            columns,
            line: 0,
            buf: Vec::new(),
            failed: false,
        }
    }

    /// The next row, `Ok(None)` at the end. A row with the wrong number of
    /// fields, without its trailing `|`, or that is not UTF-8 is an error
    /// naming the file and line; the reader can go on after it.
    pub fn next_row(&mut self) -> Result<Option<Row<'_>>, RowError> {
        loop {
            if self.failed {
                return Ok(None);
            }
            self.buf.clear();
            self.line += 1;
            match self.input.read_until(b'\n', &mut self.buf) {
                Ok(0) => return Ok(None),
                Ok(_) => {}
                Err(e) => {
                    // The input cannot be read further: report it once and end.
                    self.failed = true;
                    return Err(self.error(format!("cannot read the file: {e}")));
                }
            }
            let end = self.buf.iter().rposition(|b| !matches!(b, b'\n' | b'\r'));
            self.buf.truncate(end.map_or(0, |e| e + 1));
            if !self.buf.is_empty() {
                break;
            }
        }
        let Ok(text) = std::str::from_utf8(&self.buf) else {
            return Err(self.error("the row is not UTF-8 text".into()));
        };
        let n = self.columns.len();
        let Some(body) = text.strip_suffix('|') else {
            return Err(RowError {
                file: self.file.clone(),
                line: self.line,
                column: None,
                message: format!("the row does not end with `|` (RRF rows have {n} fields, each followed by `|`)"),
            });
        };
        let fields: Vec<&str> = body.split('|').collect();
        if fields.len() != n {
            return Err(RowError {
                file: self.file.clone(),
                line: self.line,
                column: None,
                message: format!(
                    "{} fields; a row of this file has {n} ({})",
                    fields.len(),
                    self.columns.join("|")
                ),
            });
        }
        Ok(Some(Row {
            fields,
            line: self.line,
            file: &self.file,
            columns: self.columns,
        }))
    }

    fn error(&self, message: String) -> RowError {
        RowError {
            file: self.file.clone(),
            line: self.line,
            column: None,
            message,
        }
    }
}

impl<'a> Row<'a> {
    /// The field in column `i` (zero-based, as in the `*_COLUMNS` tables).
    pub fn get(&self, i: usize) -> &'a str {
        self.fields.get(i).copied().unwrap_or("")
    }

    /// Column `i` as an RxCUI: an error naming the file, line and column
    /// when it is not a positive number.
    pub fn rxcui(&self, i: usize) -> Result<u32, RowError> {
        let s = self.get(i);
        match s.parse::<u32>() {
            Ok(n) if n > 0 && !s.starts_with('0') => Ok(n),
            _ => Err(self.fault(
                i,
                format!("`{s}` is not an RxCUI (a positive whole number)"),
            )),
        }
    }

    /// Whether the row is suppressed or obsolete (SUPPRESS is O, Y or E; N
    /// or empty is in use).
    pub fn suppressed(&self, i: usize) -> bool {
        !matches!(self.get(i), "" | "N")
    }

    /// A fault in column `i` of this row.
    pub fn fault(&self, i: usize, message: String) -> RowError {
        RowError {
            file: self.file.to_string(),
            line: self.line,
            column: Some((
                i + 1,
                self.columns.get(i).copied().unwrap_or("").to_string(),
            )),
            message,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(text: &str) -> Vec<Result<Vec<String>, String>> {
        let mut r = RrfReader::new(text.as_bytes(), "RXNSAT.RRF", &SAT_COLUMNS);
        let mut out = Vec::new();
        loop {
            match r.next_row() {
                Ok(None) => break,
                Ok(Some(row)) => out.push(Ok(row.fields.iter().map(|s| s.to_string()).collect())),
                Err(e) => out.push(Err(e.to_string())),
            }
        }
        out
    }

    #[test]
    fn splits_rows_with_the_trailing_bar() {
        let got = rows("1|||2|AUI|||||RXNORM|x|N||\r\n\n1|2|3|4|5|6|7|8|9|10|11|12|13\n1|2|\n");
        assert_eq!(got.len(), 3);
        let first = got[0].as_ref().map(|f| f.len());
        assert_eq!(first, Ok(13));
        assert_eq!(
            got[1],
            Err("RXNSAT.RRF:3: the row does not end with `|` (RRF rows have 13 fields, each followed by `|`)".into())
        );
        assert!(got[2]
            .as_ref()
            .is_err_and(|e| e.starts_with("RXNSAT.RRF:4: 2 fields; a row of this file has 13")));
    }
}
