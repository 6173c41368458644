//! Documents and pictures through the command line: the drug list (Markdown
//! and HTML), the rule graph (Mermaid and DOT, whole and restricted) and
//! explanations, for the fixture formulary in `tests/report/`.

use crate::support::run;

const PLAN: &str = "tests/report/plan.formulary";

/// Runs the binary, asserting the exit code; returns stdout.
fn stdout_of(args: &[&str], code: i32) -> String {
    let r = run(args, None);
    assert_eq!(r.code, code, "{args:?}\n{}", r.snapshot());
    r.stdout
}

#[test]
fn markdown_drug_list() {
    let md = stdout_of(&["render", PLAN, "--format", "markdown"], 0);
    insta::assert_snapshot!(md);
}

#[test]
fn markdown_drug_list_after_the_mid_year_change() {
    let md = stdout_of(
        &[
            "render",
            PLAN,
            "--format",
            "markdown",
            "--as-of",
            "2026-07-15",
        ],
        0,
    );
    // liraglutide moves from tier 4 to tier 3 on 2026-07-01; valsartan's
    // quantity limit started on 2026-04-01.
    assert!(md.contains("| liraglutide | 3 | PA |  |"), "{md}");
    assert!(md.contains("| valsartan | 2 | QL (2 per day) |  |"), "{md}");
    insta::assert_snapshot!(md);
}

#[test]
fn html_drug_list() {
    let html = stdout_of(&["render", PLAN, "--format", "html"], 0);
    insta::assert_snapshot!(html);
}

#[test]
fn html_is_one_self_contained_accessible_file() {
    let html = stdout_of(&["render", PLAN, "--format", "html"], 0);
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
    for external in ["http://", "https://", "<link", "src=", "@import", "url("] {
        assert!(!html.contains(external), "external resource: {external}");
    }
    // Print rules: a page per top class, table headers repeated.
    assert!(html.contains("section.top { break-before: page;"));
    assert!(html.contains("thead { display: table-header-group; }"));
    // Every table has a header row and column headers.
    assert_eq!(
        html.matches("<table").count(),
        html.matches("<thead>").count()
    );
    assert!(html.contains("<th scope=\"col\">Drug name</th>"));
    // Formulary text is escaped: the class label has `<`, `>`, `&` and `'`.
    assert!(html.contains("Women&#39;s health &lt;hormones&gt;"));
    assert!(html.contains("Endocrine &amp; metabolic"));
    assert!(!html.contains("<hormones>"));
}

#[test]
fn render_writes_the_out_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("list.html");
    let out_s = out.to_string_lossy().to_string();
    let r = run(&["render", PLAN, "--format", "html", "--out", &out_s], None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.is_empty());
    let written = std::fs::read_to_string(&out).expect("written");
    assert!(written.contains("<h1>Sample Health Plan 2026</h1>"));
}

#[test]
fn render_without_classes_or_dates() {
    let md = stdout_of(
        &[
            "render",
            "tests/report/undated.formulary",
            "--format",
            "markdown",
        ],
        0,
    );
    assert!(!md.contains("as of"), "{md}");
    insta::assert_snapshot!(md);
}

#[test]
fn render_needs_a_date_when_rules_are_dated_but_the_formulary_is_not() {
    let file = "tests/report/dated-no-start.formulary";
    let r = run(&["render", file, "--format", "markdown"], None);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("give --as-of DATE"), "{}", r.stderr);
    let md = stdout_of(
        &[
            "render",
            file,
            "--format",
            "markdown",
            "--as-of",
            "2026-08-01",
        ],
        0,
    );
    assert!(md.contains("| lisinopril | 1 |  |  |"), "{md}");
    let bad = run(
        &["render", file, "--format", "html", "--as-of", "2026-13-01"],
        None,
    );
    assert_eq!(bad.code, 1, "a bad date is a usage error: {}", bad.stderr);
}

#[test]
fn graphs() {
    let cases: &[(&str, &[&str])] = &[
        ("mermaid_all", &[]),
        ("dot_all", &["--format", "dot"]),
        ("mermaid_class_arb", &["--class", "arb"]),
        ("dot_class_glp1", &["--format", "dot", "--class", "glp1"]),
        ("mermaid_drug_azilsartan", &["--drug", "azilsartan"]),
        (
            "dot_drug_cozaar_by_rxcui_depth_2",
            &["--format", "dot", "--drug", "979494", "--depth", "2"],
        ),
    ];
    for (name, extra) in cases {
        let mut args = vec!["graph", PLAN];
        args.extend_from_slice(extra);
        let out = stdout_of(&args, 0);
        insta::assert_snapshot!(*name, out);
    }
}

#[test]
fn graph_is_stable_and_restricted() {
    let a = stdout_of(&["graph", PLAN], 0);
    let b = stdout_of(&["graph", PLAN], 0);
    assert_eq!(a, b);
    let arb = stdout_of(&["graph", PLAN, "--class", "arb"], 0);
    assert!(!arb.contains("d_semaglutide"), "{arb}");
    // The ACE class its step points to is drawn, as one box.
    assert!(arb.contains("c_ace[[\"class ace: ACE inhibitors"), "{arb}");
    // Ids are sanitized: a package NDC and dashed names become identifiers.
    assert!(a.contains("d_00093736456[") && a.contains("d_losartan_50["));
}

#[test]
fn graph_unknown_class_or_drug_suggests_a_name() {
    let r = run(&["graph", PLAN, "--class", "arbs"], None);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("did you mean `arb`?"), "{}", r.stderr);
    let r = run(&["graph", PLAN, "--drug", "losartin"], None);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("did you mean `losartan`?"),
        "{}",
        r.stderr
    );
}

#[test]
fn explanations() {
    let cases: &[(&str, &[&str])] = &[
        ("explain_azilsartan", &["azilsartan"]),
        ("explain_cozaar_brand", &["cozaar-50"]),
        ("explain_losartan_50_by_ndc", &["68180-0376-09"]),
        ("explain_repackager_package", &["00093-7364-56"]),
        ("explain_liraglutide_before", &["liraglutide"]),
        (
            "explain_liraglutide_after",
            &["liraglutide", "--as-of", "2026-07-01"],
        ),
        ("explain_isotretinoin", &["isotretinoin"]),
    ];
    for (name, extra) in cases {
        let mut args = vec!["explain", PLAN];
        args.extend_from_slice(extra);
        let out = stdout_of(&args, 0);
        insta::assert_snapshot!(*name, out);
    }
}

#[test]
fn explain_finds_a_drug_by_rxcui_or_label() {
    let by_name = stdout_of(&["explain", PLAN, "semaglutide"], 0);
    let by_rxcui = stdout_of(&["explain", PLAN, "1991302"], 0);
    assert_eq!(by_name, by_rxcui);
    let by_label = stdout_of(&["explain", PLAN, "cozaar 50 mg oral tablet"], 0);
    assert!(by_label.starts_with("cozaar-50 (product"), "{by_label}");
}

#[test]
fn explain_unknown_drug_exits_1_with_a_suggestion() {
    let r = run(&["explain", PLAN, "semaglutid"], None);
    assert_eq!(r.code, 1);
    insta::assert_snapshot!(r.snapshot());
}

#[test]
fn invalid_formulary_exits_3() {
    for cmd in [
        vec!["render", "tests/cli/invalid.formulary", "--format", "html"],
        vec!["graph", "tests/cli/invalid.formulary"],
        vec!["explain", "tests/cli/invalid.formulary", "x"],
    ] {
        let r = run(&cmd, None);
        assert_eq!(r.code, 3, "{cmd:?}: {}", r.stderr);
    }
}
