//! Framing: the separators, segments and fields every D.0 transaction
//! shares, independent of what the fields mean.
//!
//! After the fixed-width header, each segment is `SS FS AM<id> (FS <field
//! id><value>)*`; transaction groups are introduced by `GS`. Segments before
//! the first `GS` belong to the whole transmission (patient, insurance);
//! each group after it is one transaction (claim, pricing, clinical…).
//! Parsing keeps every value as written, so encoding a parsed transmission
//! gives back exactly the bytes that were read.

use super::header::{RequestHeader, REQUEST_LEN};
use super::{FS, GS, MAX_TRANSACTIONS, MAX_TRANSMISSION_BYTES, SS};
use std::fmt;

/// One field: a two-character id (the second half of the data dictionary
/// number, `E7` for 442-E7) and its value as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// Two-character field id.
    pub id: String,
    /// Value, printable ASCII, as written (no padding removed).
    pub value: String,
}

/// One segment: its id from 111-AM (`07` claim) and its other fields in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    /// Segment id, the value of 111-AM.
    pub id: String,
    /// Fields after 111-AM, in wire order; ids may repeat.
    pub fields: Vec<Field>,
}

impl Segment {
    /// A segment with no fields yet.
    pub fn new(id: &str) -> Segment {
        Segment {
            id: id.to_string(),
            fields: Vec::new(),
        }
    }

    /// Appends a field.
    pub fn push(&mut self, id: &str, value: impl Into<String>) -> &mut Segment {
        self.fields.push(Field {
            id: id.to_string(),
            value: value.into(),
        });
        self
    }

    /// The first value of a field.
    pub fn get(&self, id: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|f| f.id == id)
            .map(|f| f.value.as_str())
    }

    /// Every value of a repeating field, in order.
    pub fn all<'a>(&'a self, id: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.fields
            .iter()
            .filter(move |f| f.id == id)
            .map(|f| f.value.as_str())
    }
}

/// The segments of a transmission after its header.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Body {
    /// Segments before the first group separator (patient, insurance).
    pub segments: Vec<Segment>,
    /// One list of segments per transaction.
    pub transactions: Vec<Vec<Segment>>,
}

/// A request transmission: header, transmission-level segments and up to
/// four transactions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transmission {
    /// The fixed-width header.
    pub header: RequestHeader,
    /// Segments for the whole transmission (patient 01, insurance 04).
    pub segments: Vec<Segment>,
    /// One list of segments per transaction (claim 07, pricing 11…).
    pub transactions: Vec<Vec<Segment>>,
}

/// A transmission that cannot be framed: where, what, and the reject to
/// answer it with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// Byte offset of the problem in the input.
    pub offset: usize,
    /// The segment being read, if any (111-AM value).
    pub segment: Option<String>,
    /// The field being read, if any (two-character id).
    pub field: Option<String>,
    /// What is wrong.
    pub message: String,
    /// NCPDP reject code (511-FB) to answer with.
    pub reject: &'static str,
    /// The header, when it could be read, so that a response can be sent.
    pub header: Option<Box<RequestHeader>>,
}

impl ParseError {
    /// An error at an offset.
    pub fn new(offset: usize, reject: &'static str, message: impl Into<String>) -> ParseError {
        ParseError {
            offset,
            segment: None,
            field: None,
            message: message.into(),
            reject,
            header: None,
        }
    }

    fn in_segment(mut self, segment: Option<&str>) -> ParseError {
        self.segment = segment.map(str::to_string);
        self
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "byte {}", self.offset)?;
        if let Some(s) = &self.segment {
            write!(f, ", segment {s}")?;
        }
        if let Some(id) = &self.field {
            write!(f, ", field {id}")?;
        }
        write!(f, ": {} (reject {})", self.message, self.reject)
    }
}

impl std::error::Error for ParseError {}

impl Transmission {
    /// Reads a request transmission. Refuses input over
    /// [`MAX_TRANSMISSION_BYTES`], a header that is not D.0, and any framing
    /// it cannot read unambiguously; the header is attached to the error
    /// whenever it was read.
    pub fn parse(bytes: &[u8]) -> Result<Transmission, ParseError> {
        check_size(bytes)?;
        let header = RequestHeader::parse(bytes)?;
        let attach = |mut e: ParseError| {
            e.header = Some(Box::new(header.clone()));
            e
        };
        let body = parse_body(bytes, REQUEST_LEN).map_err(attach)?;
        let groups = body.transactions.len();
        let count = header.transaction_count as usize;
        // An eligibility check may carry no transaction-level segments at all.
        if groups != count && !(groups == 0 && count == 1) {
            return Err(attach(ParseError::new(
                20,
                "A9",
                format!("109-A9 says {count} transactions, the transmission has {groups}"),
            )));
        }
        Ok(Transmission {
            header,
            segments: body.segments,
            transactions: body.transactions,
        })
    }

    /// The bytes of this transmission.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(256);
        self.header.encode_into(&mut out);
        encode_body(&self.segments, &self.transactions, &mut out);
        out
    }

    /// A transmission-level segment by id.
    pub fn segment(&self, id: &str) -> Option<&Segment> {
        self.segments.iter().find(|s| s.id == id)
    }
}

/// Refuses input over the size limit.
pub(crate) fn check_size(bytes: &[u8]) -> Result<(), ParseError> {
    if bytes.len() > MAX_TRANSMISSION_BYTES {
        return Err(ParseError::new(
            MAX_TRANSMISSION_BYTES,
            "R8",
            format!(
                "the transmission is {} bytes; at most {MAX_TRANSMISSION_BYTES} are accepted",
                bytes.len()
            ),
        ));
    }
    Ok(())
}

/// Reads segments and transaction groups from `start` to the end.
pub(crate) fn parse_body(bytes: &[u8], start: usize) -> Result<Body, ParseError> {
    let mut body = Body::default();
    let mut p = start;
    if p >= bytes.len() {
        return Err(ParseError::new(p, "R8", "no segments after the header"));
    }
    while p < bytes.len() {
        match bytes[p] {
            GS => {
                if body.transactions.len() == MAX_TRANSACTIONS {
                    return Err(ParseError::new(
                        p,
                        "A9",
                        format!("more than {MAX_TRANSACTIONS} transactions"),
                    ));
                }
                body.transactions.push(Vec::new());
                p += 1;
            }
            SS => {
                let end = bytes[p + 1..]
                    .iter()
                    .position(|&b| b == SS || b == GS)
                    .map_or(bytes.len(), |i| p + 1 + i);
                let segment = parse_segment(bytes, p + 1, end)?;
                let list = match body.transactions.last_mut() {
                    Some(t) => t,
                    None => &mut body.segments,
                };
                if list.iter().any(|s| s.id == segment.id) {
                    return Err(ParseError::new(
                        p,
                        "R8",
                        format!("segment {} appears twice in one group", segment.id),
                    )
                    .in_segment(Some(&segment.id)));
                }
                list.push(segment);
                p = end;
            }
            b => {
                return Err(ParseError::new(
                    p,
                    "R8",
                    format!(
                        "expected a segment or group separator, found {}",
                        show_byte(b)
                    ),
                ))
            }
        }
    }
    Ok(body)
}

/// Reads `bytes[start..end]`, which must be `FS AM<id> (FS <field>)*`.
fn parse_segment(bytes: &[u8], start: usize, end: usize) -> Result<Segment, ParseError> {
    if start >= end || bytes[start] != FS {
        return Err(ParseError::new(
            start,
            "R8",
            "a segment must start with a field separator",
        ));
    }
    let mut segment: Option<Segment> = None;
    let mut p = start;
    while p < end {
        // bytes[p] is FS.
        let from = p + 1;
        let to = bytes[from..end]
            .iter()
            .position(|&b| b == FS)
            .map_or(end, |i| from + i);
        let raw = &bytes[from..to];
        let id_of = |s: &Option<Segment>| s.as_ref().map(|s| s.id.clone());
        let field = parse_field(raw, from).map_err(|e| e.in_segment(id_of(&segment).as_deref()))?;
        match &mut segment {
            None if field.id == "AM" => {
                if field.value.len() != 2 || !field.value.bytes().all(|b| b.is_ascii_digit()) {
                    let mut e = ParseError::new(
                        from + 2,
                        "AM",
                        format!(
                            "segment id 111-AM must be two digits, got `{}`",
                            field.value
                        ),
                    );
                    e.field = Some("AM".into());
                    return Err(e);
                }
                segment = Some(Segment::new(&field.value));
            }
            None => {
                let mut e = ParseError::new(
                    from,
                    "AM",
                    format!("a segment must begin with 111-AM, found field {}", field.id),
                );
                e.field = Some(field.id);
                return Err(e);
            }
            Some(s) => s.fields.push(field),
        }
        p = to;
    }
    segment.ok_or_else(|| ParseError::new(start, "AM", "empty segment"))
}

/// Reads one field's bytes (between separators): id then value.
fn parse_field(raw: &[u8], offset: usize) -> Result<Field, ParseError> {
    if raw.len() < 2 || !raw[..2].iter().all(|b| b.is_ascii_alphanumeric()) {
        return Err(ParseError::new(
            offset,
            "R8",
            "a field must start with a two-character id (letters and digits)",
        ));
    }
    if let Some(i) = raw.iter().position(|b| !(0x20..=0x7E).contains(b)) {
        let mut e = ParseError::new(
            offset + i,
            "R8",
            format!("{} inside a field value", show_byte(raw[i])),
        );
        e.field = Some(String::from_utf8_lossy(&raw[..2]).into_owned());
        return Err(e);
    }
    // Printable ASCII throughout, so valid UTF-8.
    let text = std::str::from_utf8(raw).unwrap_or_default();
    Ok(Field {
        id: text[..2].to_string(),
        value: text[2..].to_string(),
    })
}

fn show_byte(b: u8) -> String {
    match b {
        FS => "a field separator".to_string(),
        0x20..=0x7E => format!("`{}`", b as char),
        _ => format!("byte 0x{b:02X}"),
    }
}

/// Appends segments and transaction groups.
pub(crate) fn encode_body(segments: &[Segment], transactions: &[Vec<Segment>], out: &mut Vec<u8>) {
    for s in segments {
        encode_segment(s, out);
    }
    for t in transactions {
        out.push(GS);
        for s in t {
            encode_segment(s, out);
        }
    }
}

fn encode_segment(s: &Segment, out: &mut Vec<u8>) {
    out.push(SS);
    out.push(FS);
    out.extend_from_slice(b"AM");
    put_text(&s.id, out);
    for f in &s.fields {
        out.push(FS);
        put_text(&f.id, out);
        put_text(&f.value, out);
    }
}

/// Writes text that cannot break the framing: anything but printable ASCII
/// becomes `?`. Values read by [`Transmission::parse`] are unchanged.
fn put_text(text: &str, out: &mut Vec<u8>) {
    out.extend(
        text.bytes()
            .map(|b| if (0x20..=0x7E).contains(&b) { b } else { b'?' }),
    );
}
