//! Stage 2: syntax trees to a checked, compiled formulary.
//!
//! [`load()`] reads the main file, its includes and the reference files they
//! declare through a reader the caller supplies (the CLI reads the file
//! system; tests read memory), confined to the formulary's folder, and
//! parses them all. [`compile`] then declares every name, builds typed values and
//! resolves references ([`build`]), resolves each drug's rules through the
//! hierarchy and builds the petgraph rule graph ([`resolve`]), and checks the
//! graph ([`checks`]). Each phase records every error and carries on with what
//! it could build. After syntax errors nothing is built (names defined on a
//! bad line would all be reported unknown); after errors in values or names
//! the graph checks (cycles, steps that can never be met) still run on what
//! resolved, except where an error lies inside the lines they point at.

pub mod benefit;
mod build;
pub mod cache;
mod checks;
pub mod load;
pub mod model;
mod resolve;

use crate::ast;
use crate::diagnostics::{self, Diag, Error};
use crate::interop::catalog::AttachReport;
use crate::span::{FileId, SourceFile, Sources, Span};
pub(crate) use load::paths::normalise;
pub use load::{load, LoadError, LoadOptions, MemoryReader, RefKind, Reference, SourceReader};
use std::path::Path;

/// Parsed sources of one formulary: every file read, its tree and the
/// diagnostics so far.
#[derive(Debug, Default)]
pub struct Parsed {
    /// The files' text.
    pub sources: Sources,
    /// Each file's tree, in read order (the main file first).
    pub files: Vec<(FileId, ast::File)>,
    /// Syntax, include and reference file errors.
    pub diags: Vec<Diag>,
    /// The reference files read (price lists, catalogs, drug knowledge).
    pub reference: Reference,
    /// The content hash of every file read (see [`load::hash`]).
    pub hash: String,
}

impl Parsed {
    /// True when any diagnostic so far is an error.
    pub fn has_errors(&self) -> bool {
        self.diags.iter().any(Diag::is_error)
    }
}

/// Parses a formulary held in memory under `name`: includes are not
/// available (`E0002`) and declared reference files are not read.
pub fn parse_str(name: &str, text: &str) -> Parsed {
    let mut reader = MemoryReader::new();
    reader.insert(name, text.as_bytes());
    let opts = LoadOptions {
        read_references: false,
        ..LoadOptions::default()
    };
    load(Path::new(name), &mut reader, &opts).unwrap_or_else(|e| {
        // Only a name that is no file path (empty) gets here.
        let mut parsed = Parsed::default();
        let id = parsed.sources.add(SourceFile::new(name, text));
        let span = file_start(id);
        parsed.diags.push(Diag::at(
            span,
            Error::IncludeUnreadable {
                path: name.to_string(),
                reason: e.message,
                at: span.source_span(),
            },
        ));
        parsed
    })
}

/// The result of compiling: the formulary when there were no errors, and
/// every diagnostic (errors and warnings), sorted by file and position.
#[derive(Debug)]
pub struct Compiled {
    /// The formulary, if it compiled without errors.
    pub formulary: Option<model::Formulary>,
    /// Errors and warnings.
    pub diags: Vec<Diag>,
    /// The sources, for rendering diagnostics.
    pub sources: Sources,
    /// What each catalog added to the formulary's codes, in load order.
    pub attached: Vec<AttachReport>,
}

impl Compiled {
    /// True when any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diags.iter().any(Diag::is_error)
    }
}

/// Compiles parsed sources. Never panics on any input.
pub fn compile(parsed: Parsed) -> Compiled {
    let Parsed {
        sources,
        files,
        mut diags,
        reference,
        hash,
    } = parsed;
    if diags.iter().any(Diag::is_error) {
        diagnostics::sort(&mut diags);
        return Compiled {
            formulary: None,
            diags,
            sources,
            attached: Vec::new(),
        };
    }
    let main = files.first().map(|(id, _)| *id).unwrap_or_default();
    let built = build::build(&files, &sources, main, &mut diags);
    let mut attached = Vec::new();
    let formulary = match built {
        Some(b) if !diags.iter().any(Diag::is_error) => {
            let mut f = resolve::resolve(b, sources.clone(), hash);
            // Reference data is part of building the formulary: once it is
            // returned nothing changes it.
            f.prices = reference.prices;
            attached = reference
                .catalogs
                .iter()
                .map(|c| f.attach_catalog(c))
                .collect();
            checks::check(&f, &mut diags);
            Some(f)
        }
        Some(b) => {
            // Values or names had errors: what did resolve still gets the
            // graph checks, so that a committee sees every error in one run.
            let f = resolve::resolve(b, sources.clone(), hash);
            let mut graph = Vec::new();
            checks::graph(&f, &mut graph);
            graph.retain(|d| !follows_from(d, &diags));
            diags.extend(graph);
            None
        }
        None => None,
    };
    diagnostics::sort(&mut diags);
    let ok = !diags.iter().any(Diag::is_error);
    Compiled {
        formulary: if ok { formulary } else { None },
        diags,
        sources,
        attached,
    }
}

/// True when a graph diagnostic may be a consequence of an earlier error:
/// an error inside the lines it points at (an unknown name in a step is
/// dropped, so the step could look impossible).
fn follows_from(d: &Diag, earlier: &[Diag]) -> bool {
    use miette::Diagnostic as _;
    let ranges: Vec<(usize, usize)> = d
        .error
        .labels()
        .into_iter()
        .flatten()
        .map(|l| (l.offset(), l.offset() + l.len()))
        .collect();
    earlier
        .iter()
        .filter(|e| e.is_error() && e.file == d.file)
        .any(|e| {
            e.error.labels().into_iter().flatten().any(|l| {
                ranges
                    .iter()
                    .any(|&(start, end)| l.offset() >= start && l.offset() <= end)
            })
        })
}

/// Span of the first byte of a file, for diagnostics about a whole file.
pub(crate) fn file_start(file: FileId) -> Span {
    Span::new(file, 0, 0)
}
