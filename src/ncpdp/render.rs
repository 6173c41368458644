//! Readable views: raw bytes with the separators spelled out, and a
//! transmission or response field by field with names and decoded values.

use super::amount::{decode_amount, decode_date, decode_quantity};
use super::fields::{designator, field, segment_name};
use super::frame::{Segment, Transmission};
use super::response::Response;
use super::{FS, GS, SS};
use std::fmt::Write;

/// The bytes as text: `<FS>`, `<SS>`, `<GS>` for the separators (a line
/// break before each segment and group), `<0xNN>` for any other byte that
/// is not printable ASCII.
pub fn raw(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() + 64);
    for &b in bytes {
        match b {
            FS => out.push_str("<FS>"),
            SS => out.push_str("\n<SS>"),
            GS => out.push_str("\n<GS>"),
            0x20..=0x7E => out.push(b as char),
            _ => {
                let _ = write!(out, "<0x{b:02X}>");
            }
        }
    }
    out.push('\n');
    out
}

/// What a value means, for the fields whose format is not plain text.
fn decoded(id: &str, value: &str) -> Option<String> {
    match id {
        "D9" | "DC" | "DQ" | "DU" | "F5" | "F6" | "F7" | "F9" | "FI" => {
            Some(decode_amount(value).map_or("not an amount".into(), |m| m.to_string()))
        }
        "E7" => Some(decode_quantity(value).map_or("not a quantity".into(), |q| {
            format!("{}.{:03}", q / 1000, q % 1000)
        })),
        "C4" => Some(decode_date(value).map_or("not a date".into(), |d| d.to_string())),
        "C5" => Some(match value {
            "0" => "not specified".into(),
            "1" => "male".into(),
            "2" => "female".into(),
            _ => "not a gender code".into(),
        }),
        "E1" | "AP" if value == "03" => Some("NDC".into()),
        _ => None,
    }
}

fn segment(out: &mut String, s: &Segment, indent: &str) {
    let name = segment_name(&s.id).unwrap_or("unknown segment");
    let _ = writeln!(out, "{indent}segment {} ({name})", s.id);
    for f in &s.fields {
        let name = field(&f.id).map_or("", |d| d.name);
        let _ = write!(
            out,
            "{indent}  {:<7} {:<40} `{}`",
            designator(&f.id),
            name,
            f.value
        );
        if let Some(d) = decoded(&f.id, &f.value) {
            let _ = write!(out, " = {d}");
        }
        out.push('\n');
    }
}

/// A request transmission, header then segments, one field a line.
pub fn transmission(t: &Transmission) -> String {
    let h = &t.header;
    let mut out = String::new();
    let rows = [
        ("101-A1", "BIN", h.bin.clone()),
        ("102-A2", "version", h.version.clone()),
        ("103-A3", "transaction code", h.transaction_code.clone()),
        ("104-A4", "processor control number", h.pcn.clone()),
        (
            "109-A9",
            "transaction count",
            h.transaction_count.to_string(),
        ),
        (
            "202-B2",
            "service provider id qualifier",
            h.service_provider_id_qualifier.clone(),
        ),
        (
            "201-B1",
            "service provider id",
            h.service_provider_id.clone(),
        ),
        ("401-D1", "date of service", h.date_of_service.clone()),
        (
            "110-AK",
            "software vendor/certification id",
            h.software_id.clone(),
        ),
    ];
    out.push_str("header\n");
    for (d, name, v) in rows {
        let _ = writeln!(out, "  {d:<7} {name:<40} `{v}`");
    }
    for s in &t.segments {
        segment(&mut out, s, "");
    }
    for (i, g) in t.transactions.iter().enumerate() {
        let _ = writeln!(out, "transaction {}", i + 1);
        for s in g {
            segment(&mut out, s, "  ");
        }
    }
    out
}

/// A response, header then each transaction's answer.
pub fn response(r: &Response) -> String {
    let h = &r.header;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "response {} {} to {} {} on {}: transmission {}",
        h.version,
        h.transaction_code,
        h.service_provider_id_qualifier,
        h.service_provider_id,
        h.date_of_service,
        if h.status == 'A' {
            "accepted"
        } else {
            "rejected"
        },
    );
    if let Some(m) = &r.message {
        let _ = writeln!(out, "  504-F4  message: {m}");
    }
    if let Some(g) = &r.group_id {
        let _ = writeln!(out, "  301-C1  group id: {g}");
    }
    if let Some(p) = &r.plan_id {
        let _ = writeln!(out, "  524-FO  plan id: {p}");
    }
    for (i, t) in r.transactions.iter().enumerate() {
        let _ = writeln!(
            out,
            "transaction {}: 112-AN {:?} ({})",
            i + 1,
            t.status,
            t.status.code()
        );
        if let Some(rx) = &t.rx_number {
            let _ = writeln!(out, "  402-D2  prescription number {rx}");
        }
        if let Some(a) = &t.authorization {
            let _ = writeln!(out, "  503-F3  authorization number {a}");
        }
        if !t.rejects.is_empty() {
            let _ = writeln!(out, "  510-FA  {} reject(s)", t.rejects.len());
        }
        for c in &t.rejects {
            let what = super::fields::reject_text(c).unwrap_or("");
            let _ = writeln!(out, "  511-FB  {c} {what}");
        }
        for m in &t.messages {
            let _ = writeln!(out, "  526-FQ  {m}");
        }
        if let Some(p) = &t.pricing {
            for (d, name, m) in [
                ("505-F5", "patient pay", p.patient_pay),
                ("506-F6", "ingredient cost paid", p.ingredient_cost_paid),
                ("507-F7", "dispensing fee paid", p.dispensing_fee_paid),
                ("509-F9", "total amount paid", p.total_paid),
            ] {
                if let Some(m) = m {
                    let _ = writeln!(out, "  {d}  {name} {m}");
                }
            }
        }
        if !t.preferred.is_empty() {
            let _ = writeln!(out, "  551-9F  {} preferred product(s)", t.preferred.len());
        }
        for p in &t.preferred {
            let ndc = p
                .ndc
                .as_deref()
                .map_or(String::new(), |n| format!("NDC {n} "));
            let _ = writeln!(out, "  553-AR  {ndc}{}", p.description);
        }
    }
    out
}
