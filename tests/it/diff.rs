//! `formulary diff` and `formulary generate claims`: the rule diff and the
//! claims impact of the fixture change in `tests/diff/` (a tier move, a new
//! PA, a removed drug, a new step rule and a class-level limit) in every
//! format, exit codes, and the claims generator.

use crate::support::run;
use formulary::check::RejectCode;
use formulary::diff::{claims_impact, diff_rules, ChangeKind, ClaimChange, ClaimGenerator};
use formulary::{check, Formulary, Prescription};

const OLD: &str = "tests/diff/old.formulary";
const NEW: &str = "tests/diff/new.formulary";
const CLAIMS: &str = "tests/diff/claims.ndjson";

#[test]
fn rule_diff_in_each_format() {
    for format in ["human", "markdown", "json"] {
        let r = run(&["diff", OLD, NEW, "--format", format], None);
        assert_eq!(r.code, 2, "{}", r.stderr);
        insta::assert_snapshot!(format!("rules_{format}"), r.stdout);
    }
}

#[test]
fn claims_impact_in_each_format() {
    for format in ["human", "markdown", "json"] {
        let r = run(
            &[
                "diff",
                OLD,
                NEW,
                "--claims",
                CLAIMS,
                "--format",
                format,
                "--examples",
                "3",
            ],
            None,
        );
        assert_eq!(r.code, 2, "{}", r.stderr);
        insta::assert_snapshot!(format!("claims_{format}"), r.stdout);
    }
}

#[test]
fn no_change_exits_0() {
    let r = run(&["diff", OLD, OLD, "--claims", CLAIMS], None);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("No rule changed."), "{}", r.stdout);
    assert!(
        r.stdout.contains("12 re-checked, 0 changed"),
        "{}",
        r.stdout
    );
}

#[test]
fn unreadable_claim_lines_are_reported_and_exit_1() {
    let claims = std::fs::read_to_string(crate::support::root().join(CLAIMS)).expect("fixture");
    let input = format!("{claims}{{\"date\":\"2026-13-01\"}}\nnot json\n");
    let r = run(&["diff", OLD, NEW, "--claims", "-"], Some(&input));
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stdout.contains("2 unreadable"), "{}", r.stdout);
    assert!(
        r.stdout.contains("unreadable line 14: date"),
        "{}",
        r.stdout
    );
    assert!(r.stderr.contains("first at line 14"), "{}", r.stderr);
}

#[test]
fn an_invalid_formulary_exits_3() {
    let r = run(&["diff", OLD, "tests/fmt/syntax-error.formulary"], None);
    assert_eq!(r.code, 3);
}

fn compile(path: &str) -> Formulary {
    let opts = formulary::LoadOptions {
        root: Some(crate::support::root().join("formularies")),
        ..Default::default()
    };
    let parsed = formulary::load(
        &crate::support::root().join(path),
        &mut formulary::io::FsReader,
        &opts,
    )
    .expect("fixture readable");
    formulary::compile::compile(parsed)
        .formulary
        .expect("fixture compiles")
}

fn compile_str(text: &str) -> Formulary {
    let c = formulary::compile_str("mem.formulary", text);
    c.formulary.expect("compiles")
}

#[test]
fn a_class_change_shows_at_the_class_and_on_each_member() {
    let d = diff_rules(&compile(OLD), &compile(NEW));
    let glp1 = d
        .classes
        .iter()
        .find(|c| c.name == "glp1")
        .expect("class glp1");
    assert_eq!(glp1.members, 4);
    let members: Vec<&str> = d
        .drugs
        .iter()
        .filter(|x| {
            x.changes
                .iter()
                .any(|c| c.kind == ChangeKind::EditAdded && c.from.as_deref() == Some("class glp1"))
        })
        .map(|x| x.name.as_str())
        .collect();
    assert_eq!(
        members,
        ["semaglutide", "ozempic-05", "liraglutide", "victoza-18"]
    );
}

#[test]
fn a_renamed_drug_is_matched_by_rxcui() {
    let head = "formulary \"R\" id R version 1\ntier 1 \"G\" copay $5\ntier 2 \"B\" copay $9\n";
    let old = compile_str(&format!("{head}ingredient lisinopril rxcui 29046 tier 1\n"));
    let new = compile_str(&format!(
        "{head}ingredient lisinopril-generic rxcui 29046 tier 2\n"
    ));
    let d = diff_rules(&old, &new);
    assert_eq!(d.drugs.len(), 1, "{:?}", d.drugs);
    assert_eq!(d.drugs[0].renamed_from.as_deref(), Some("lisinopril"));
    assert_eq!(d.drugs[0].changes[0].kind, ChangeKind::TierUp);
}

fn generated(f: &Formulary, n: usize, seed: u64) -> String {
    let mut out = String::new();
    for c in ClaimGenerator::new(f, seed).take(n) {
        out.push_str(&serde_json::to_string(&c).expect("serialisable"));
        out.push('\n');
    }
    out
}

#[test]
fn counts_agree_with_a_plain_recount_and_do_not_depend_on_threads() {
    let (old, new) = (compile(OLD), compile(NEW));
    let claims = generated(&old, 5_000, 11);
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("pool")
        .install(|| claims_impact(&old, &new, claims.as_bytes(), 4))
        .expect("in memory");
    let many = claims_impact(&old, &new, claims.as_bytes(), 4).expect("in memory");
    assert_eq!(
        serde_json::to_value(&one).expect("json"),
        serde_json::to_value(&many).expect("json")
    );
    // Recount two kinds one claim at a time.
    let (mut rejected, mut new_pa) = (0u64, 0u64);
    for line in claims.lines() {
        let rx = Prescription::from_str(line).expect("generated claims are valid");
        let (a, b) = (check(&old, &rx), check(&new, &rx));
        rejected += u64::from(a.is_paid() && !b.is_paid());
        let has75 = |d: &formulary::Decision| {
            d.rejects
                .iter()
                .any(|r| r.code == RejectCode::PriorAuthorizationRequired)
        };
        new_pa += u64::from(!has75(&a) && has75(&b));
    }
    let count = |k: ClaimChange| many.kinds.get(&k).map_or(0, |s| s.count);
    assert_eq!(count(ClaimChange::NewlyRejected), rejected);
    assert_eq!(
        count(ClaimChange::NewReject(
            RejectCode::PriorAuthorizationRequired
        )),
        new_pa
    );
    assert!(rejected > 0 && new_pa > 0);
    assert_eq!(many.claims, 5_000);
    // Examples are the first lines of each kind.
    for s in many.kinds.values() {
        assert!(s.examples.windows(2).all(|w| w[0].line < w[1].line));
    }
}

#[test]
fn generated_claims_are_valid_varied_and_repeatable() {
    let a = run(
        &["generate", "claims", NEW, "--count", "400", "--seed", "3"],
        None,
    );
    assert_eq!(a.code, 0, "{}", a.stderr);
    let b = run(
        &["generate", "claims", NEW, "--count", "400", "--seed", "3"],
        None,
    );
    assert_eq!(a.stdout, b.stdout, "the same seed gives the same claims");
    let c = run(
        &["generate", "claims", NEW, "--count", "400", "--seed", "4"],
        None,
    );
    assert_ne!(a.stdout, c.stdout);

    let f = compile(NEW);
    let rxs: Vec<Prescription> = a
        .stdout
        .lines()
        .map(|l| Prescription::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert_eq!(rxs.len(), 400);
    let share = |p: &dyn Fn(&Prescription) -> bool| rxs.iter().filter(|r| p(r)).count();
    assert!(share(&|r| r.rxcui.is_some()) > 10, "some by RxCUI");
    assert!(share(&|r| r.days_supply == 90) > 20, "some 90-day fills");
    assert!(share(&|r| !r.history.is_empty()) > 40, "some with history");
    assert!(
        share(&|r| !r.prior_authorizations.is_empty()) > 2,
        "some PAs on file"
    );
    assert!(
        share(&|r| r.patient.enrolled.is_some()) > 10,
        "some enrollment dates"
    );
    assert!(
        share(&|r| r.ingredient_cost.is_some()) > 150,
        "mostly priced"
    );
    let decisions: Vec<formulary::Decision> = rxs.iter().map(|r| check(&f, r)).collect();
    let codes = |code: &str| {
        decisions
            .iter()
            .filter(|d| d.rejects.iter().any(|r| r.code.code() == code))
            .count()
    };
    assert!(decisions.iter().filter(|d| d.is_paid()).count() > 100);
    for code in ["75", "608", "76", "79", "MR"] {
        assert!(codes(code) > 0, "no claim rejected with {code}");
    }
    // Step therapy and PA are met some of the time, not never.
    let met = |kind: &str| {
        decisions
            .iter()
            .filter(|d| {
                d.trace
                    .iter()
                    .any(|t| t.rule.kind == kind && t.result == formulary::check::Outcome::Pass)
            })
            .count()
    };
    assert!(met("step therapy") > 0 && met("prior authorization") > 0);
}
