//! The command examples in README.md and docs/*.md are run and compared,
//! so a change that alters an output fails until the docs are updated.
//!
//! An example is a fenced block (no language tag) whose first line is
//! `$ formulary ARGS…`; the rest of the block is what the command prints,
//! standard output then standard error, run from the repository root. In
//! the expected text a line `…` stands for any number of lines, and a line
//! ending in `…` for any line starting with what comes before it. Blocks
//! tagged `console` are illustrations with paths that are not in the
//! repository, and are not run.

use crate::support::root;

struct Example {
    file: String,
    line: usize,
    args: Vec<String>,
    expected: Vec<String>,
}

fn examples() -> Vec<Example> {
    let mut files = vec![root().join("README.md")];
    let mut docs: Vec<_> = std::fs::read_dir(root().join("docs"))
        .expect("docs/")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    docs.sort();
    files.extend(docs);
    let mut out = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(&path).expect("doc readable");
        let name = crate::support::rel(&path);
        let mut lines = text.lines().enumerate();
        while let Some((n, l)) = lines.next() {
            if l != "```" {
                // Skip tagged blocks whole, so their closing fence is not
                // taken for an opening one.
                if l.starts_with("```") {
                    for (_, l) in lines.by_ref() {
                        if l == "```" {
                            break;
                        }
                    }
                }
                continue;
            }
            let body: Vec<&str> = lines
                .by_ref()
                .map(|(_, l)| l)
                .take_while(|l| *l != "```")
                .collect();
            let Some(cmd) = body.first().and_then(|f| f.strip_prefix("$ formulary ")) else {
                continue;
            };
            out.push(Example {
                file: name.clone(),
                line: n + 2,
                args: cmd.split_whitespace().map(str::to_string).collect(),
                expected: body[1..].iter().map(|l| l.trim_end().to_string()).collect(),
            });
        }
    }
    out
}

/// Does `got` match `want`, with `…` lines and line ends as wildcards?
fn matches(want: &[String], got: &[&str]) -> bool {
    match want.split_first() {
        None => got.is_empty(),
        Some((w, rest)) if w.trim() == "…" => (0..=got.len()).any(|i| matches(rest, &got[i..])),
        Some((w, rest)) => match got.split_first() {
            None => false,
            Some((g, grest)) => {
                let ok = match w.strip_suffix('…') {
                    Some(prefix) => g.starts_with(prefix),
                    None => w == g,
                };
                ok && matches(rest, grest)
            }
        },
    }
}

#[test]
fn command_examples_in_the_docs_print_what_they_show() {
    let all = examples();
    assert!(all.len() >= 5, "examples found: {}", all.len());
    let mut failures = Vec::new();
    for ex in &all {
        let args: Vec<&str> = ex.args.iter().map(String::as_str).collect();
        let r = crate::support::run(&args, None);
        let text = format!("{}{}", r.stdout, r.stderr);
        let got: Vec<&str> = text.lines().map(str::trim_end).collect();
        if !matches(&ex.expected, &got) {
            failures.push(format!(
                "{}:{}: `formulary {}` printed:\n{}\n",
                ex.file,
                ex.line,
                ex.args.join(" "),
                got.join("\n")
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_wildcards_match_only_what_they_say() {
    let w = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert!(matches(&w(&["a", "…", "z"]), &["a", "b", "c", "z"]));
    assert!(matches(&w(&["a", "…", "z"]), &["a", "z"]));
    assert!(!matches(&w(&["a", "…", "z"]), &["a", "b"]));
    assert!(matches(&w(&["ab…"]), &["abc"]));
    assert!(!matches(&w(&["ab…"]), &["ac"]));
    assert!(!matches(&w(&["a"]), &["a", "b"]));
}
