//! The D.0 segment and field ids this codec knows, with short names in our
//! own words, and the reject codes it answers with. Only names live here;
//! what a field means to a claim is in [`request`](super::request) and
//! [`response`](super::response). Another standard version (F6) adds its
//! rows here and its fields to the typed layers; framing does not change.

/// A known field: id, data dictionary number, short name.
#[derive(Debug, Clone, Copy)]
pub struct FieldDef {
    /// Two-character id.
    pub id: &'static str,
    /// Data dictionary number (`442` for 442-E7).
    pub number: u16,
    /// Short name.
    pub name: &'static str,
}

const fn f(id: &'static str, number: u16, name: &'static str) -> FieldDef {
    FieldDef { id, number, name }
}

/// Every field the codec reads or writes, request and response.
pub const FIELDS: &[FieldDef] = &[
    f("AM", 111, "segment identification"),
    // Insurance (04)
    f("C2", 302, "cardholder id"),
    f("C1", 301, "group id"),
    f("C3", 303, "person code"),
    f("C6", 306, "patient relationship code"),
    // Patient (01)
    f("CX", 331, "patient id qualifier"),
    f("CY", 332, "patient id"),
    f("C4", 304, "date of birth"),
    f("C5", 305, "patient gender code"),
    f("CA", 310, "patient first name"),
    f("CB", 311, "patient last name"),
    // Claim (07)
    f("EM", 455, "prescription/service reference number qualifier"),
    f("D2", 402, "prescription/service reference number"),
    f("E1", 436, "product/service id qualifier"),
    f("D7", 407, "product/service id"),
    f("E7", 442, "quantity dispensed"),
    f("D3", 403, "fill number"),
    f("D5", 405, "days supply"),
    f("D6", 406, "compound code"),
    f("D8", 408, "dispense as written (DAW) code"),
    f("DE", 414, "date prescription written"),
    f("EU", 461, "prior authorization type code"),
    f("EV", 462, "prior authorization number submitted"),
    // Pricing (11)
    f("D9", 409, "ingredient cost submitted"),
    f("DC", 412, "dispensing fee submitted"),
    f("DQ", 426, "usual and customary charge"),
    f("DU", 430, "gross amount due"),
    // Clinical (13)
    f("VE", 491, "diagnosis code count"),
    f("WE", 492, "diagnosis code qualifier"),
    f("DO", 424, "diagnosis code"),
    // Response message (20)
    f("F4", 504, "message"),
    // Response status (21)
    f("AN", 112, "transaction response status"),
    f("F3", 503, "authorization number"),
    f("FA", 510, "reject count"),
    f("FB", 511, "reject code"),
    f("4F", 546, "reject field occurrence indicator"),
    f("UF", 130, "additional message information count"),
    f("UH", 132, "additional message information qualifier"),
    f("FQ", 526, "additional message information"),
    f("UG", 131, "additional message information continuity"),
    // Response claim (22)
    f("9F", 551, "preferred product count"),
    f("AP", 552, "preferred product id qualifier"),
    f("AR", 553, "preferred product id"),
    f("AU", 556, "preferred product description"),
    // Response pricing (23)
    f("F5", 505, "patient pay amount"),
    f("F6", 506, "ingredient cost paid"),
    f("F7", 507, "dispensing fee paid"),
    f("F9", 509, "total amount paid"),
    f("FI", 518, "amount of copay"),
    // Response insurance (25)
    f("FO", 524, "plan id"),
];

/// The field with this id, if known.
pub fn field(id: &str) -> Option<&'static FieldDef> {
    FIELDS.iter().find(|d| d.id == id)
}

/// `442-E7` for `E7`, or the bare id when unknown.
pub fn designator(id: &str) -> String {
    match field(id) {
        Some(d) => format!("{}-{}", d.number, d.id),
        None => id.to_string(),
    }
}

/// Segment ids (111-AM) with short names, request and response.
pub const SEGMENTS: &[(&str, &str)] = &[
    ("01", "patient"),
    ("02", "pharmacy provider"),
    ("03", "prescriber"),
    ("04", "insurance"),
    ("05", "coordination of benefits"),
    ("07", "claim"),
    ("08", "DUR/PPS"),
    ("10", "compound"),
    ("11", "pricing"),
    ("12", "prior authorization"),
    ("13", "clinical"),
    ("20", "response message"),
    ("21", "response status"),
    ("22", "response claim"),
    ("23", "response pricing"),
    ("24", "response DUR/PPS"),
    ("25", "response insurance"),
    ("29", "response patient"),
];

/// The name of a segment id, if known.
pub fn segment_name(id: &str) -> Option<&'static str> {
    SEGMENTS.iter().find(|(s, _)| *s == id).map(|(_, n)| *n)
}

/// The reject codes a response may carry, each with a short description:
/// the engine's (from the decision) and the codec's own.
pub const REJECT_CODES: &[(&str, &str)] = &[
    ("70", "product/service not covered"),
    ("MR", "product not on formulary"),
    ("75", "prior authorization required"),
    ("3Y", "prior authorization denied"),
    ("608", "step therapy: another drug must be tried first"),
    ("76", "plan limitations exceeded"),
    ("60", "not covered for patient age"),
    ("61", "not covered for patient gender"),
    ("79", "refill too soon"),
    ("569", "Medicare: give the notice of coverage rights"),
    ("99", "host processing error"),
    ("01", "BIN missing or invalid"),
    ("02", "version missing or invalid"),
    ("03", "transaction code missing or invalid"),
    ("04", "processor control number missing or invalid"),
    ("05", "service provider id missing or invalid"),
    ("06", "group id missing or invalid"),
    ("07", "cardholder id missing or invalid"),
    ("08", "person code missing or invalid"),
    ("09", "date of birth missing or invalid"),
    ("10", "patient gender code missing or invalid"),
    ("15", "date of service missing or invalid"),
    ("16", "prescription number missing or invalid"),
    ("17", "fill number missing or invalid"),
    ("19", "days supply missing or invalid"),
    ("21", "product/service id missing or invalid"),
    ("22", "DAW code missing or invalid"),
    ("23", "ingredient cost submitted missing or invalid"),
    ("39", "diagnosis code missing or invalid"),
    ("1R", "version not supported"),
    ("1S", "transaction code not supported"),
    ("65", "patient not covered"),
    ("A9", "transaction count missing or invalid"),
    ("AK", "software vendor/certification id missing or invalid"),
    ("AM", "segment identification missing or invalid"),
    ("B2", "service provider id qualifier missing or invalid"),
    ("DC", "dispensing fee submitted missing or invalid"),
    ("DQ", "usual and customary charge missing or invalid"),
    ("E1", "product/service id qualifier missing or invalid"),
    ("E7", "quantity dispensed missing or invalid"),
    ("EM", "prescription reference qualifier missing or invalid"),
    ("EU", "prior authorization type code missing or invalid"),
    ("EV", "prior authorization number missing or invalid"),
    ("VE", "diagnosis code count missing or invalid"),
    ("WE", "diagnosis code qualifier missing or invalid"),
    ("PC", "claim segment missing or invalid"),
    ("PJ", "insurance segment missing or invalid"),
    ("PK", "patient segment missing or invalid"),
    ("PS", "transaction header missing or invalid"),
    ("R8", "syntax error"),
];

/// The short description of a reject code, if known.
pub fn reject_text(code: &str) -> Option<&'static str> {
    REJECT_CODES
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, t)| *t)
}
