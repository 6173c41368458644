//! Stage 2: syntax trees to a checked, compiled formulary.
//!
//! [`load`] reads the main file and its includes through a reader the caller
//! supplies (the CLI reads the file system; tests read memory) and parses
//! them all. [`compile`] then declares every name, builds typed values and
//! resolves references ([`build`]), resolves each drug's rules through the
//! hierarchy and builds the petgraph rule graph ([`resolve`]), and checks the
//! graph ([`checks`]). Each phase records every error and carries on with what
//! it could build; the next phase runs only when there are no errors.

mod build;
pub mod cache;
mod checks;
pub mod model;
mod resolve;

use crate::ast;
use crate::diagnostics::{self, Diag, Error};
use crate::span::{FileId, SourceFile, Sources, Span};
use std::path::{Path, PathBuf};

/// Parsed sources of one formulary: every file read, its tree and the
/// diagnostics so far.
#[derive(Debug, Default)]
pub struct Parsed {
    /// The files' text.
    pub sources: Sources,
    /// Each file's tree, in read order (the main file first).
    pub files: Vec<(FileId, ast::File)>,
    /// Syntax and include errors.
    pub diags: Vec<Diag>,
}

impl Parsed {
    /// True when any diagnostic so far is an error.
    pub fn has_errors(&self) -> bool {
        self.diags.iter().any(Diag::is_error)
    }
}

/// Reads a file's text; the CLI passes one that reads the file system.
pub type Reader<'a> = dyn FnMut(&Path) -> std::io::Result<String> + 'a;

/// Reads and parses `root` and every file it includes, depth first.
pub fn load(root: &Path, read: &mut Reader) -> std::io::Result<Parsed> {
    load_with(root, read, &mut parse_fresh)
}

/// [`load`] with the parser given.
pub(crate) fn load_with(
    root: &Path,
    read: &mut Reader,
    parse: &mut ParseFn,
) -> std::io::Result<Parsed> {
    let text = read(root)?;
    let mut parsed = Parsed::default();
    let mut stack = vec![normalise(root)];
    add_file(&mut parsed, root, text, read, parse, &mut stack);
    Ok(parsed)
}

/// Parses the text of `path` as file `id`, giving the source file and its
/// tree; [`cache::ParseCache`] passes one that reuses both for files whose
/// text has not changed.
pub(crate) type ParseFn<'a> =
    dyn FnMut(&Path, String, FileId) -> (SourceFile, ast::File, Vec<Diag>) + 'a;

fn parse_fresh(path: &Path, text: String, id: FileId) -> (SourceFile, ast::File, Vec<Diag>) {
    let (tree, diags) = crate::syntax::parse(id, &text);
    (
        SourceFile::new(path.display().to_string(), text),
        tree,
        diags,
    )
}

/// Parses a formulary held in memory under `name`; includes are not allowed.
pub fn parse_str(name: &str, text: &str) -> Parsed {
    let mut read = |p: &Path| -> std::io::Result<String> {
        Err(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            format!("{} is not available from memory", p.display()),
        ))
    };
    let mut parsed = Parsed::default();
    let mut stack = vec![PathBuf::from(name)];
    add_file(
        &mut parsed,
        Path::new(name),
        text.to_string(),
        &mut read,
        &mut parse_fresh,
        &mut stack,
    );
    parsed
}

pub(crate) fn normalise(p: &Path) -> PathBuf {
    // Lexical normalisation is enough to detect cycles among relative includes.
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            std::path::Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

fn add_file(
    parsed: &mut Parsed,
    path: &Path,
    text: String,
    read: &mut Reader,
    parse: &mut ParseFn,
    stack: &mut Vec<PathBuf>,
) {
    let next = FileId(parsed.sources.iter().count() as u32);
    let (source, tree, diags) = parse(path, text, next);
    let id = parsed.sources.add(source);
    parsed.diags.extend(diags);
    let includes: Vec<_> = tree
        .items
        .iter()
        .filter_map(|i| match i {
            ast::Item::Include(s) => Some(s.clone()),
            _ => None,
        })
        .collect();
    parsed.files.push((id, tree));
    let dir = path.parent().unwrap_or(Path::new(""));
    for inc in includes {
        let target = dir.join(&inc.node);
        let key = normalise(&target);
        if stack.contains(&key) {
            parsed.diags.push(Diag::at(
                inc.span,
                Error::IncludeCycle {
                    path: target.display().to_string(),
                    at: inc.span.source_span(),
                },
            ));
            continue;
        }
        match read(&target) {
            Ok(text) => {
                stack.push(key);
                add_file(parsed, &target, text, read, parse, stack);
                stack.pop();
            }
            Err(e) => parsed.diags.push(Diag::at(
                inc.span,
                Error::IncludeUnreadable {
                    path: target.display().to_string(),
                    reason: e.to_string(),
                    at: inc.span.source_span(),
                },
            )),
        }
    }
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
    } = parsed;
    if diags.iter().any(Diag::is_error) {
        diagnostics::sort(&mut diags);
        return Compiled {
            formulary: None,
            diags,
            sources,
        };
    }
    let main = files.first().map(|(id, _)| *id).unwrap_or_default();
    let built = build::build(&files, &sources, main, &mut diags);
    let formulary = match built {
        Some(b) if !diags.iter().any(Diag::is_error) => {
            let f = resolve::resolve(b, sources.clone());
            checks::check(&f, &mut diags);
            Some(f)
        }
        _ => None,
    };
    diagnostics::sort(&mut diags);
    let ok = !diags.iter().any(Diag::is_error);
    Compiled {
        formulary: if ok { formulary } else { None },
        diags,
        sources,
    }
}

/// Span of the first byte of a file, for diagnostics about a whole file.
pub(crate) fn file_start(file: FileId) -> Span {
    Span::new(file, 0, 0)
}
