//! Loading: every file a formulary reads (its includes and the price
//! lists, catalogs and drug knowledge files it declares) through one reader
//! the caller supplies, confined to a root folder, each file read once and
//! bounded in size, with located diagnostics for every fault.
//!
//! - **Root.** By default the main file's folder. A path that is absolute,
//!   climbs out with `..`, or leads out through a symbolic link is `E0007`
//!   unless the caller sets [`LoadOptions::allow_outside_root`] (the command
//!   line's `--allow-outside-root`; the service and the editor never do).
//! - **Once.** Files are told apart by their resolved path
//!   ([`SourceReader::canonical`]). A file already read is not read again:
//!   a second `include` of it is a no-op, so a diamond of includes is
//!   fine; a file that includes one of the files including it is a cycle
//!   (`E0003`), also when the loop goes through a symbolic link.
//! - **Only source is shown.** An `include` must name a `.formulary` file
//!   (`E0008`); a message about a price list or catalog quotes at most a
//!   short prefix ([`reference::short`]).
//! - **Limits.** Each kind of file has a size limit ([`Limits`]); past it the
//!   file is `E0010` and is not read further.
//! - **Hash.** [`Parsed::hash`] covers content only; see [`hash`].

pub mod hash;
pub mod paths;
pub mod reference;

use super::Parsed;
use crate::ast;
use crate::diagnostics::{Diag, Error};
use crate::span::{FileId, SourceFile, Span, Spanned};
pub use paths::normalise;
pub use reference::{RefKind, Reference};
use rustc_hash::FxHashSet;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Reads the files a formulary names. The command line and the service use
/// [`crate::io::FsReader`]; tests and the editor use [`MemoryReader`] or
/// their own.
pub trait SourceReader {
    /// The file's bytes. It may stop after `limit + 1` bytes: the loader
    /// refuses any file longer than `limit`.
    fn read(&mut self, path: &Path, limit: u64) -> std::io::Result<Vec<u8>>;
    /// The path with `.`, `..` and every symbolic link resolved, used for
    /// confinement and to tell files apart.
    fn canonical(&mut self, path: &Path) -> std::io::Result<PathBuf>;
}

/// Files held in memory, by path (normalised lexically; no symbolic links).
#[derive(Debug, Clone, Default)]
pub struct MemoryReader {
    files: BTreeMap<PathBuf, Vec<u8>>,
}

impl MemoryReader {
    /// An empty set of files.
    pub fn new() -> Self {
        Self::default()
    }
    /// Adds (or replaces) a file.
    pub fn insert(&mut self, path: impl AsRef<Path>, bytes: impl Into<Vec<u8>>) {
        self.files.insert(normalise(path.as_ref()), bytes.into());
    }
}

impl SourceReader for MemoryReader {
    fn read(&mut self, path: &Path, _limit: u64) -> std::io::Result<Vec<u8>> {
        self.files.get(&normalise(path)).cloned().ok_or_else(|| {
            std::io::Error::new(
                std::io::ErrorKind::NotFound,
                format!("{} is not available from memory", path.display()),
            )
        })
    }
    fn canonical(&mut self, path: &Path) -> std::io::Result<PathBuf> {
        Ok(normalise(path))
    }
}

/// Size limits, in bytes, per kind of file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// One formulary source file.
    pub formulary: u64,
    /// One price list.
    pub prices: u64,
    /// One drug catalog.
    pub catalog: u64,
    /// One drug knowledge file.
    pub knowledge: u64,
}

/// One mebibyte.
const MIB: u64 = 1 << 20;

impl Limits {
    /// The defaults: 32 MiB per source file, 512 MiB per price list, catalog
    /// or drug knowledge file (the full NADAC history is about 100 MiB).
    pub const DEFAULT: Limits = Limits {
        formulary: 32 * MIB,
        prices: 512 * MIB,
        catalog: 512 * MIB,
        knowledge: 512 * MIB,
    };

    fn of(&self, kind: RefKind) -> u64 {
        match kind {
            RefKind::Prices => self.prices,
            RefKind::Catalog => self.catalog,
            RefKind::Knowledge => self.knowledge,
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits::DEFAULT
    }
}

/// A limit for people: "32 MiB", or bytes below one mebibyte.
pub fn readable_size(n: u64) -> String {
    if n >= MIB && n.is_multiple_of(MIB) {
        format!("{} MiB", n / MIB)
    } else {
        format!("{n} bytes")
    }
}

/// How to load.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    /// The folder files must stay in; `None` is the main file's folder.
    pub root: Option<PathBuf>,
    /// Reads files outside the root too (a command-line choice only).
    pub allow_outside_root: bool,
    /// Reads the reference files the source declares (`false` only parses).
    pub read_references: bool,
    /// Size limits.
    pub limits: Limits,
    /// Reference files given by the caller, beside those declared (the
    /// command line's `--prices` and `--catalog`). They are not confined.
    pub extra: Vec<(RefKind, PathBuf)>,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            root: None,
            allow_outside_root: false,
            read_references: true,
            limits: Limits::DEFAULT,
            extra: Vec::new(),
        }
    }
}

/// A file given by the caller that cannot be used: the main file or a
/// reference file passed with [`LoadOptions::extra`].
#[derive(Debug, thiserror::Error)]
#[error("{}: {message}", .path.display())]
pub struct LoadError {
    /// The file.
    pub path: PathBuf,
    /// Why.
    pub message: String,
}

/// Reads and parses `main`, every file it includes and every reference
/// file declared, through `reader`. `Err` only when the main file or a file
/// of [`LoadOptions::extra`] cannot be used; every fault of a file the
/// source names is a diagnostic in the result.
pub fn load(
    main: &Path,
    reader: &mut dyn SourceReader,
    opts: &LoadOptions,
) -> Result<Parsed, LoadError> {
    load_with(main, reader, opts, &mut Fresh)
}

/// Parses one source file's text as file `id`. [`load`] parses every file
/// afresh; [`super::cache::ParseCache`] reuses the trees of files whose text
/// has not changed.
pub(crate) trait ParseSource {
    /// The tree and syntax diagnostics of `text`, the file at resolved path
    /// `canon`, parsed as file `id`.
    fn parse(&mut self, canon: &Path, id: FileId, text: &Arc<str>) -> (ast::File, Vec<Diag>);
}

/// Parses every file afresh.
struct Fresh;

impl ParseSource for Fresh {
    fn parse(&mut self, _: &Path, id: FileId, text: &Arc<str>) -> (ast::File, Vec<Diag>) {
        crate::syntax::parse(id, text)
    }
}

/// [`load`] with the parser given.
pub(crate) fn load_with(
    main: &Path,
    reader: &mut dyn SourceReader,
    opts: &LoadOptions,
    parser: &mut dyn ParseSource,
) -> Result<Parsed, LoadError> {
    let fail = |path: &Path, message: String| LoadError {
        path: path.to_path_buf(),
        message,
    };
    let canon = reader
        .canonical(main)
        .map_err(|e| fail(main, e.to_string()))?;
    let base = canon.parent().map(Path::to_path_buf).unwrap_or_default();
    let root = match &opts.root {
        Some(r) => reader.canonical(r).map_err(|e| fail(r, e.to_string()))?,
        None => base.clone(),
    };
    let bytes = reader
        .read(&canon, opts.limits.formulary)
        .map_err(|e| fail(main, e.to_string()))?;
    if bytes.len() as u64 > opts.limits.formulary {
        let limit = readable_size(opts.limits.formulary);
        return Err(fail(
            main,
            format!("larger than the {limit} limit for a formulary file"),
        ));
    }
    let mut l = Loader {
        reader,
        parser,
        opts,
        root,
        root_shown: shown_root(main, opts),
        base,
        parsed: Parsed::default(),
        seen: FxHashSet::default(),
        stack: Vec::new(),
        hash: hash::ContentHash::default(),
    };
    l.source(main, canon, bytes);
    for (kind, path) in &opts.extra {
        l.extra(*kind, path)?;
    }
    l.parsed.hash = l.hash.finish();
    Ok(l.parsed)
}

struct Loader<'a> {
    reader: &'a mut dyn SourceReader,
    parser: &'a mut dyn ParseSource,
    opts: &'a LoadOptions,
    /// Resolved root folder.
    root: PathBuf,
    /// The root as the caller wrote it, for messages.
    root_shown: String,
    /// Resolved folder of the main file: hash paths are relative to it.
    base: PathBuf,
    parsed: Parsed,
    /// Resolved paths of every file read.
    seen: FxHashSet<PathBuf>,
    /// Resolved paths of the files being read, outermost first.
    stack: Vec<PathBuf>,
    hash: hash::ContentHash,
}

/// Why a path named by a statement cannot be read.
enum Located {
    Outside(String),
    Io(std::io::Error),
}

impl Loader<'_> {
    /// Adds one source file and, depth first, what it includes and declares.
    fn source(&mut self, shown: &Path, canon: PathBuf, bytes: Vec<u8>) {
        self.seen.insert(canon.clone());
        self.hash
            .add(b"source", &paths::relative(&self.base, &canon), &bytes);
        let name = shown.display().to_string();
        let text = match decode(bytes) {
            Ok(text) => text,
            Err((what, valid, lossy)) => {
                let id = self.parsed.sources.add(SourceFile::new(name, lossy));
                let file = self.parsed.sources.get(id);
                let (line, col) = file.line_col(valid as u32);
                let end = file.text[valid..]
                    .chars()
                    .next()
                    .map_or(valid, |c| valid + c.len_utf8());
                let span = Span::new(id, valid, end);
                self.parsed.diags.push(Diag::at(
                    span,
                    Error::BadText {
                        what,
                        line: line as usize,
                        byte: col as usize,
                        at: span.source_span(),
                    },
                ));
                return;
            }
        };
        let id = self.parsed.sources.add(SourceFile::new(name, text));
        let text = self.parsed.sources.get(id).text.clone();
        let (tree, diags) = self.parser.parse(&canon, id, &text);
        self.parsed.diags.extend(diags);
        let includes: Vec<_> = tree
            .items
            .iter()
            .filter_map(|i| match i {
                ast::Item::Include(s) => Some(s.clone()),
                _ => None,
            })
            .collect();
        let refs: Vec<_> = tree
            .items
            .iter()
            .filter_map(reference::declared)
            .map(|(k, p)| (k, p.clone()))
            .collect();
        self.parsed.files.push((id, tree));
        self.stack.push(canon);
        for inc in &includes {
            self.include(shown, inc);
        }
        if self.opts.read_references {
            for (kind, path) in &refs {
                self.declared(kind.to_owned(), shown, path);
            }
        }
        self.stack.pop();
    }

    /// Resolves a path written in the file `from` and checks it stays inside the root.
    fn locate(&mut self, from: &Path, written: &str) -> (PathBuf, Result<PathBuf, Located>) {
        let shown = from.parent().unwrap_or(Path::new("")).join(written);
        if !self.opts.allow_outside_root && Path::new(written).has_root() {
            return (shown, Err(Located::Outside("the path is absolute".into())));
        }
        let canon = match self.reader.canonical(&shown) {
            Ok(c) => c,
            Err(e) => return (shown, Err(Located::Io(e))),
        };
        if !self.opts.allow_outside_root && !paths::inside(&self.root, &canon) {
            let dir = self.stack.last().and_then(|p| p.parent());
            let lexical = normalise(&dir.unwrap_or(Path::new("")).join(written));
            let why = if paths::inside(&self.root, &lexical) {
                "a symbolic link leads out of the folder"
            } else {
                "the path climbs out of the folder with `..`"
            };
            return (shown, Err(Located::Outside(why.into())));
        }
        (shown, Ok(canon))
    }

    fn outside(&self, shown: &Path, why: String, span: Span) -> Diag {
        Diag::at(
            span,
            Error::OutsideRoot {
                path: shown.display().to_string(),
                root: self.root_shown.clone(),
                why,
                at: span.source_span(),
            },
        )
    }

    fn include(&mut self, from: &Path, inc: &Spanned<String>) {
        let span = inc.span;
        let (shown, canon) = self.locate(from, &inc.node);
        let path = shown.display().to_string();
        let at = span.source_span();
        let canon = match canon {
            Ok(c) => c,
            Err(Located::Outside(why)) => return self.push(self.outside(&shown, why, span)),
            Err(Located::Io(e)) => {
                let reason = e.to_string();
                return self.push(Diag::at(
                    span,
                    Error::IncludeUnreadable { path, reason, at },
                ));
            }
        };
        if self.stack.contains(&canon) {
            return self.push(Diag::at(span, Error::IncludeCycle { path, at }));
        }
        if self.seen.contains(&canon) {
            return;
        }
        if Path::new(&inc.node).extension().and_then(|e| e.to_str()) != Some("formulary") {
            return self.push(Diag::at(span, Error::NotFormularySource { path, at }));
        }
        let limit = self.opts.limits.formulary;
        match self.reader.read(&canon, limit) {
            Ok(bytes) if bytes.len() as u64 > limit => {
                let what = "formulary file".to_string();
                let limit = readable_size(limit);
                self.push(Diag::at(
                    span,
                    Error::TooLarge {
                        path,
                        what,
                        limit,
                        at,
                    },
                ));
            }
            Ok(bytes) => self.source(&shown, canon, bytes),
            Err(e) => {
                let reason = e.to_string();
                self.push(Diag::at(
                    span,
                    Error::IncludeUnreadable { path, reason, at },
                ));
            }
        }
    }

    /// A reference file declared in the source.
    fn declared(&mut self, kind: RefKind, from: &Path, decl: &Spanned<String>) {
        let span = decl.span;
        let (shown, canon) = self.locate(from, &decl.node);
        let path = shown.display().to_string();
        let at = span.source_span();
        let what = kind.what().to_string();
        let unusable = |reason: String| Error::ReferenceUnusable {
            what: what.clone(),
            path: path.clone(),
            reason,
            at,
        };
        let canon = match canon {
            Ok(c) => c,
            Err(Located::Outside(why)) => return self.push(self.outside(&shown, why, span)),
            Err(Located::Io(e)) => return self.push(Diag::at(span, unusable(e.to_string()))),
        };
        if !self.seen.insert(canon.clone()) {
            return;
        }
        let limit = self.opts.limits.of(kind);
        let bytes = match self.reader.read(&canon, limit) {
            Ok(b) if b.len() as u64 > limit => {
                let limit = readable_size(limit);
                let what = what.clone();
                return self.push(Diag::at(
                    span,
                    Error::TooLarge {
                        path,
                        what,
                        limit,
                        at,
                    },
                ));
            }
            Ok(b) => b,
            Err(e) => return self.push(Diag::at(span, unusable(e.to_string()))),
        };
        let rel = paths::relative(&self.base, &canon);
        match self.reference(kind, &path, &rel, bytes) {
            Err(reason) => self.push(Diag::at(span, unusable(reason))),
            Ok(Some(empty)) => self.push(Diag::at(
                span,
                Error::NoUsableRows {
                    what,
                    path,
                    skipped: empty.skipped,
                    first: empty.first,
                    at,
                },
            )),
            Ok(None) => {}
        }
    }

    /// A reference file given by the caller.
    fn extra(&mut self, kind: RefKind, path: &Path) -> Result<(), LoadError> {
        let fail = |message: String| LoadError {
            path: path.to_path_buf(),
            message,
        };
        let canon = self
            .reader
            .canonical(path)
            .map_err(|e| fail(e.to_string()))?;
        if !self.seen.insert(canon.clone()) {
            return Ok(());
        }
        let limit = self.opts.limits.of(kind);
        let bytes = self
            .reader
            .read(&canon, limit)
            .map_err(|e| fail(e.to_string()))?;
        if bytes.len() as u64 > limit {
            let limit = readable_size(limit);
            return Err(fail(format!(
                "larger than the {limit} limit for a {}",
                kind.what()
            )));
        }
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        let rel = format!("(given)/{name}");
        match self.reference(kind, &path.display().to_string(), &rel, bytes) {
            Err(reason) => Err(fail(reason)),
            Ok(Some(empty)) => Err(fail(format!(
                "no usable rows ({} skipped; {})",
                empty.skipped, empty.first
            ))),
            Ok(None) => Ok(()),
        }
    }

    /// Hashes and parses a reference file's bytes.
    fn reference(
        &mut self,
        kind: RefKind,
        path: &str,
        rel: &str,
        bytes: Vec<u8>,
    ) -> Result<Option<reference::Empty>, String> {
        self.hash.add(kind.tag(), rel, &bytes);
        let text = decode(bytes).map_err(|(what, valid, lossy)| {
            let line = lossy.as_bytes()[..valid]
                .iter()
                .filter(|b| **b == b'\n')
                .count()
                + 1;
            format!("{what} at line {line}")
        })?;
        self.parsed.reference.add(kind, path, text)
    }

    fn push(&mut self, d: Diag) {
        self.parsed.diags.push(d);
    }
}

/// The root folder as the caller wrote it (`.` for the current folder).
fn shown_root(main: &Path, opts: &LoadOptions) -> String {
    let root = match &opts.root {
        Some(r) => r.clone(),
        None => main.parent().map(Path::to_path_buf).unwrap_or_default(),
    };
    match root.display().to_string() {
        s if s.is_empty() => ".".to_string(),
        s => s,
    }
}

/// Text without a leading byte order mark, or (what is wrong, the offset of
/// the first bad byte, the text with bad bytes replaced). Control
/// characters other than tab and line breaks are refused too (they could
/// rewrite the terminal of whoever reads a diagnostic); in the text kept for
/// showing they become `?`, byte for byte.
fn decode(mut bytes: Vec<u8>) -> Result<String, (String, usize, String)> {
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
        ("invalid UTF-8".to_string(), valid, visible(&lossy))
    })?;
    match text.char_indices().find(|(_, c)| is_refused(*c)) {
        None => Ok(text),
        Some((at, c)) => Err((
            format!("control character {}", c.escape_unicode()),
            at,
            visible(&text),
        )),
    }
}

fn is_refused(c: char) -> bool {
    c.is_control() && !matches!(c, '\n' | '\r' | '\t')
}

/// `text` with each refused character replaced by as many `?` as its bytes.
fn visible(text: &str) -> String {
    text.chars()
        .map(|c| {
            if is_refused(c) {
                "?".repeat(c.len_utf8())
            } else {
                c.to_string()
            }
        })
        .collect()
}
