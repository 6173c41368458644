//! `formulary graph FORMULARY [--format mermaid|dot] [--class NAME] [--drug NAME] [--depth N]`:
//! the rule graph as a picture.

use super::render::{parse_date_arg, rules_as_of};
use super::{EXIT_ERROR, EXIT_OK};
use crate::report::{self, graph::Scope};
use chrono::NaiveDate;
use clap::ValueEnum;
use std::path::PathBuf;

/// Arguments of `graph`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The formulary's main file.
    formulary: PathBuf,
    /// Where the formulary's files may be.
    #[command(flatten)]
    src: super::SourceArgs,
    /// Picture format.
    #[arg(long, value_enum, default_value_t = GraphFormat::Mermaid)]
    format: GraphFormat,
    /// Only this class, its nested classes and the prerequisites of their steps.
    #[arg(long, value_name = "NAME", conflicts_with = "drug")]
    class: Option<String>,
    /// Only this drug (name, NDC or RxCUI) and what is within `--depth` relations of it.
    #[arg(long, value_name = "NAME")]
    drug: Option<String>,
    /// How many relations from `--drug` to draw.
    #[arg(long, default_value_t = 1, requires = "drug")]
    depth: u32,
    /// Show tiers and edits in force on this date; default: the formulary's first day.
    #[arg(long, value_name = "DATE", value_parser = parse_date_arg)]
    as_of: Option<NaiveDate>,
}

/// Picture formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    /// Mermaid flowchart (renders in Markdown on code-review sites).
    Mermaid,
    /// Graphviz DOT (`dot -Tsvg`).
    Dot,
}

pub(super) fn run(a: Args) -> i32 {
    let (f, as_of) = match rules_as_of(&a.formulary, &a.src, a.as_of) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let scope = if let Some(name) = &a.class {
        match f.class_by_name(name) {
            Some(c) => Scope::Class(c),
            None => {
                let hint = crate::diagnostics::did_you_mean(
                    name,
                    f.classes.iter().map(|c| c.name.as_str()),
                );
                eprintln!(
                    "error: no class `{name}` in formulary {}{}",
                    f.id,
                    suffix(&hint)
                );
                return EXIT_ERROR;
            }
        }
    } else if let Some(name) = &a.drug {
        match report::explain::find_drug(&f, name) {
            Ok(d) => Scope::Drug {
                drug: d,
                depth: a.depth,
            },
            Err(e) => {
                eprintln!("error: {e}");
                return EXIT_ERROR;
            }
        }
    } else {
        Scope::All
    };
    let diagram = report::graph::build(&f, &scope, report::status::eval_date(as_of));
    let text = match a.format {
        GraphFormat::Mermaid => report::diagram::mermaid(&diagram),
        GraphFormat::Dot => report::diagram::dot(&diagram),
    };
    print!("{text}");
    EXIT_OK
}

fn suffix(hint: &str) -> String {
    if hint.is_empty() {
        String::new()
    } else {
        format!("; {hint}")
    }
}
