//! The fixed-width transmission headers: 56 bytes on a D.0 request, 31 on a
//! response, no separators. Values are kept as written without their space
//! padding; their meaning (a BIN is six digits, a date is CCYYMMDD) is
//! checked by the typed request, which answers a bad value with that
//! field's reject rather than refusing the whole transmission.

use super::frame::ParseError;

/// The request header, in order on the wire.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RequestHeader {
    /// 101-A1 BIN number (6).
    pub bin: String,
    /// 102-A2 version/release (2), `D0`.
    pub version: String,
    /// 103-A3 transaction code (2): `B1`, `B2`, `E1`.
    pub transaction_code: String,
    /// 104-A4 processor control number (10).
    pub pcn: String,
    /// 109-A9 transaction count (1), 1 to 4.
    pub transaction_count: u8,
    /// 202-B2 service provider id qualifier (2).
    pub service_provider_id_qualifier: String,
    /// 201-B1 service provider id (15).
    pub service_provider_id: String,
    /// 401-D1 date of service (8), CCYYMMDD as written.
    pub date_of_service: String,
    /// 110-AK software vendor/certification id (10).
    pub software_id: String,
}

/// Widths of the request header fields, in wire order.
pub const REQUEST_WIDTHS: [usize; 9] = [6, 2, 2, 10, 1, 2, 15, 8, 10];
/// Length of the request header.
pub const REQUEST_LEN: usize = 56;
/// Widths of the response header fields, in wire order.
pub const RESPONSE_WIDTHS: [usize; 7] = [2, 2, 1, 1, 2, 15, 8];
/// Length of the response header.
pub const RESPONSE_LEN: usize = 31;

/// The response header, in order on the wire.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ResponseHeader {
    /// 102-A2 version/release (2).
    pub version: String,
    /// 103-A3 transaction code (2), echoed from the request.
    pub transaction_code: String,
    /// 109-A9 transaction count (1).
    pub transaction_count: u8,
    /// 501-F1 header response status (1): `A` accepted, `R` rejected.
    pub status: char,
    /// 202-B2 service provider id qualifier (2).
    pub service_provider_id_qualifier: String,
    /// 201-B1 service provider id (15).
    pub service_provider_id: String,
    /// 401-D1 date of service (8).
    pub date_of_service: String,
}

/// Splits `bytes[..len]` into fixed-width values without their trailing
/// spaces. The bytes must be printable ASCII.
fn columns<'a>(bytes: &'a [u8], widths: &[usize], what: &str) -> Result<Vec<&'a str>, ParseError> {
    let len: usize = widths.iter().sum();
    if bytes.len() < len {
        return Err(ParseError::new(
            bytes.len(),
            "PS",
            format!(
                "the {what} header is {len} bytes, the transmission has only {}",
                bytes.len()
            ),
        ));
    }
    if let Some(i) = bytes[..len].iter().position(|b| !(0x20..=0x7E).contains(b)) {
        return Err(ParseError::new(
            i,
            "PS",
            format!(
                "byte 0x{:02X} inside the fixed-width {what} header",
                bytes[i]
            ),
        ));
    }
    let mut out = Vec::with_capacity(widths.len());
    let mut at = 0;
    for w in widths {
        // Printable ASCII was checked above, so this is valid UTF-8.
        let s = std::str::from_utf8(&bytes[at..at + w]).unwrap_or_default();
        out.push(s.trim_end_matches(' '));
        at += w;
    }
    Ok(out)
}

fn count(value: &str, offset: usize) -> Result<u8, ParseError> {
    match value.parse::<u8>() {
        Ok(n) if (1..=super::MAX_TRANSACTIONS as u8).contains(&n) && value.len() == 1 => Ok(n),
        _ => Err(ParseError::new(
            offset,
            "A9",
            format!("transaction count 109-A9 must be 1 to 4, got `{value}`"),
        )),
    }
}

/// Writes `value` left-aligned in `width` bytes: padded with spaces, cut
/// when longer, anything but printable ASCII written as `?`.
fn put(out: &mut Vec<u8>, value: &str, width: usize) {
    let mut n = 0;
    for b in value.bytes().take(width) {
        out.push(if (0x20..=0x7E).contains(&b) { b } else { b'?' });
        n += 1;
    }
    out.extend(std::iter::repeat_n(b' ', width - n));
}

impl RequestHeader {
    /// Reads the first 56 bytes. The version must be `D0`: any other
    /// version lays its header out differently, so nothing after it can be
    /// read (reject 1R, or 02 when blank).
    pub fn parse(bytes: &[u8]) -> Result<RequestHeader, ParseError> {
        let c = columns(bytes, &REQUEST_WIDTHS, "request")?;
        match c[1] {
            "D0" => {}
            "" => return Err(ParseError::new(6, "02", "version 102-A2 is blank")),
            v => {
                return Err(ParseError::new(
                    6,
                    "1R",
                    format!("version 102-A2 `{v}` is not supported; this codec reads D0"),
                ))
            }
        }
        Ok(RequestHeader {
            bin: c[0].to_string(),
            version: c[1].to_string(),
            transaction_code: c[2].to_string(),
            pcn: c[3].to_string(),
            transaction_count: count(c[4], 20)?,
            service_provider_id_qualifier: c[5].to_string(),
            service_provider_id: c[6].to_string(),
            date_of_service: c[7].to_string(),
            software_id: c[8].to_string(),
        })
    }

    /// Appends the 56 header bytes.
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        let count = self.transaction_count.to_string();
        let values = [
            self.bin.as_str(),
            &self.version,
            &self.transaction_code,
            &self.pcn,
            &count,
            &self.service_provider_id_qualifier,
            &self.service_provider_id,
            &self.date_of_service,
            &self.software_id,
        ];
        for (v, w) in values.iter().zip(REQUEST_WIDTHS) {
            put(out, v, w);
        }
    }
}

impl ResponseHeader {
    /// The response header answering a request header.
    pub fn answering(req: &RequestHeader, status: char, count: u8) -> ResponseHeader {
        ResponseHeader {
            version: "D0".to_string(),
            transaction_code: req.transaction_code.clone(),
            transaction_count: count,
            status,
            service_provider_id_qualifier: req.service_provider_id_qualifier.clone(),
            service_provider_id: req.service_provider_id.clone(),
            date_of_service: req.date_of_service.clone(),
        }
    }

    /// Reads the first 31 bytes.
    pub fn parse(bytes: &[u8]) -> Result<ResponseHeader, ParseError> {
        let c = columns(bytes, &RESPONSE_WIDTHS, "response")?;
        if c[0] != "D0" {
            return Err(ParseError::new(
                0,
                "1R",
                format!("response version `{}` is not D0", c[0]),
            ));
        }
        let status = match c[3] {
            "A" => 'A',
            "R" => 'R',
            s => {
                return Err(ParseError::new(
                    5,
                    "R8",
                    format!("header response status 501-F1 must be A or R, got `{s}`"),
                ))
            }
        };
        Ok(ResponseHeader {
            version: c[0].to_string(),
            transaction_code: c[1].to_string(),
            transaction_count: count(c[2], 4)?,
            status,
            service_provider_id_qualifier: c[4].to_string(),
            service_provider_id: c[5].to_string(),
            date_of_service: c[6].to_string(),
        })
    }

    /// Appends the 31 header bytes.
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        let count = self.transaction_count.to_string();
        let status = self.status.to_string();
        let values = [
            self.version.as_str(),
            &self.transaction_code,
            &count,
            &status,
            &self.service_provider_id_qualifier,
            &self.service_provider_id,
            &self.date_of_service,
        ];
        for (v, w) in values.iter().zip(RESPONSE_WIDTHS) {
            put(out, v, w);
        }
    }
}
