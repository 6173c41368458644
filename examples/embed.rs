//! Embedding the engine: compile a formulary from text once, then check
//! prescriptions built in code. Uses only the core, so it builds with
//! `default-features = false`:
//! `cargo run --example embed --no-default-features`.

use formulary::{check, compile_str, Date, PrescriptionBuilder, RejectCode};

const SOURCE: &str = r#"
formulary "Embedded" id EMB-1 version 1 effective 2026-01-01 to 2026-12-31
tier 1 "Generic" copay $5 preferred
tier 3 "Non-preferred brand" copay $60

prior authorization glp1-t2d "GLP-1 for type 2 diabetes" {
  approve when diagnosis E11.*
  criteria "Type 2 diabetes with an A1c above goal on metformin."
}

ingredient metformin "metformin" rxcui 6809 tier 1
ingredient semaglutide "semaglutide" rxcui 1991302 tier 3 pa glp1-t2d
"#;

fn main() {
    let compiled = compile_str("embedded.formulary", SOURCE);
    let Some(f) = compiled
        .formulary
        .filter(|_| !compiled.diags.iter().any(|d| d.is_error()))
    else {
        for d in &compiled.diags {
            eprintln!("{}", d.error);
        }
        std::process::exit(3);
    };
    let Some(date) = Date::from_ymd_opt(2026, 3, 2) else {
        return;
    };
    let claims = [
        ("metformin", 6809, None),
        ("semaglutide, type 2 diabetes", 1991302, Some("E11.9")),
        ("semaglutide, no diagnosis", 1991302, None),
    ];
    for (what, rxcui, diagnosis) in claims {
        let mut rx = PrescriptionBuilder::new(date, 30.0, 30)
            .rxcui(rxcui)
            .age(58);
        if let Some(code) = diagnosis {
            rx = rx.diagnosis(code);
        }
        let rx = match rx.build() {
            Ok(rx) => rx,
            Err(e) => {
                eprintln!("{what}: {e}");
                continue;
            }
        };
        let d = check(&f, &rx);
        let answer = if d.is_paid() {
            "paid".to_string()
        } else if d.needs_pa() {
            format!(
                "needs prior authorization ({})",
                RejectCode::PriorAuthorizationRequired.text()
            )
        } else {
            let codes: Vec<String> = d.reject_codes().map(|c| c.to_string()).collect();
            format!("rejected {}", codes.join(", "))
        };
        let tier = d.tier.map(|t| t.number.to_string()).unwrap_or("-".into());
        println!("{what}: {answer}, tier {tier}");
    }
}
