//! The server's view of the files: open documents (their text as the editor
//! has it), the formularies they belong to, and each formulary's latest
//! check. A formulary is named by its main file; an included file belongs to
//! every loaded formulary that includes it. Each formulary keeps a
//! [`ParseCache`], so re-checking after an edit parses only the edited file.

use super::index::Index;
use crate::compile::cache::ParseCache;
use crate::compile::load::{LoadOptions, SourceReader};
use crate::compile::{self, normalise};
use crate::diagnostics::Diag;
use crate::span::{FileId, Sources};
use crate::Formulary;
use rustc_hash::FxHashMap;
use std::path::{Path, PathBuf};

/// An open document.
#[derive(Debug)]
pub struct Doc {
    /// The text as the editor has it.
    pub text: String,
}

/// The latest check of one formulary.
#[derive(Debug)]
pub struct Project {
    /// The main file.
    pub root: PathBuf,
    /// Each file's path, by file id (normalised).
    pub paths: Vec<PathBuf>,
    /// The files' text.
    pub sources: Sources,
    /// Names defined and referred to.
    pub index: Index,
    /// The formulary, when it compiled without errors.
    pub formulary: Option<Formulary>,
    /// Every error and warning, as `validate` reports them.
    pub diags: Vec<Diag>,
}

impl Project {
    /// The id of a file of this formulary.
    pub fn file_id(&self, path: &Path) -> Option<FileId> {
        self.paths
            .iter()
            .position(|p| p == path)
            .map(|i| FileId(i as u32))
    }

    /// The path of a file id.
    pub fn path(&self, id: FileId) -> &Path {
        &self.paths[id.0 as usize]
    }
}

/// Documents, formularies and caches.
#[derive(Debug, Default)]
pub struct Workspace {
    docs: FxHashMap<PathBuf, Doc>,
    /// Main files found in the workspace folders at start-up.
    known_roots: Vec<PathBuf>,
    projects: FxHashMap<PathBuf, Project>,
    caches: FxHashMap<PathBuf, ParseCache>,
}

/// Files a workspace scan reads at most, so that opening a home directory
/// does not read it all.
const SCAN_LIMIT: usize = 5_000;

impl Workspace {
    /// An empty workspace.
    pub fn new() -> Self {
        Self::default()
    }

    /// Finds main files (files that start with a `formulary` header) under
    /// each folder, so that an included file opened on its own is checked
    /// as part of its formulary.
    pub fn scan(&mut self, folders: &[PathBuf]) {
        let mut stack: Vec<PathBuf> = folders.to_vec();
        let mut seen = 0usize;
        while let Some(dir) = stack.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries.flatten() {
                seen += 1;
                if seen > SCAN_LIMIT {
                    return;
                }
                let path = entry.path();
                let hidden = entry.file_name().to_string_lossy().starts_with('.');
                if path.is_dir() && !hidden && !path.ends_with("target") {
                    stack.push(path);
                } else if path.extension().is_some_and(|e| e == "formulary") {
                    if let Ok(text) = std::fs::read_to_string(&path) {
                        if has_header(&text) {
                            self.known_roots.push(normalise(&path));
                        }
                    }
                }
            }
        }
        self.known_roots.sort();
    }

    /// Records a document's text as the editor has it.
    pub fn open(&mut self, path: &Path, text: String) {
        self.docs.insert(doc_key(path), Doc { text });
    }

    /// Forgets an open document (the file on disk is read from now on).
    pub fn close(&mut self, path: &Path) {
        self.docs.remove(&doc_key(path));
    }

    /// The text of a file: the open document's, or the file's on disk.
    pub fn text(&self, path: &Path) -> std::io::Result<String> {
        match self.docs.get(&doc_key(path)) {
            Some(d) => Ok(d.text.clone()),
            None => std::fs::read_to_string(path),
        }
    }

    /// The main files of the formularies `path` belongs to: every loaded or
    /// known formulary that includes it, else the file itself.
    pub fn roots_of(&mut self, path: &Path) -> Vec<PathBuf> {
        let path = normalise(path);
        let including = |ws: &Workspace| -> Vec<PathBuf> {
            let mut v: Vec<PathBuf> = ws
                .projects
                .values()
                .filter(|p| p.paths.contains(&path))
                .map(|p| p.root.clone())
                .collect();
            v.sort();
            v
        };
        let found = including(self);
        if !found.is_empty() {
            return found;
        }
        let is_main = self.text(&path).map(|t| has_header(&t)).unwrap_or(false);
        if !is_main {
            let unloaded: Vec<PathBuf> = self
                .known_roots
                .iter()
                .filter(|r| !self.projects.contains_key(*r))
                .cloned()
                .collect();
            for root in unloaded {
                self.check(&root);
            }
            let found = including(self);
            if !found.is_empty() {
                return found;
            }
        }
        vec![path]
    }

    /// Loads and compiles the formulary whose main file is `root`, reusing
    /// the trees of unchanged files. Returns the paths of the files it had
    /// before that it no longer includes (their diagnostics must be cleared).
    pub fn check(&mut self, root: &Path) -> Vec<PathBuf> {
        let root = normalise(root);
        let mut reader = Overlay { docs: &self.docs };
        let cache = self.caches.entry(root.clone()).or_default();
        // The options `validate` uses: confined to the main file's folder.
        let parsed = cache.load(&root, &mut reader, &LoadOptions::default());
        let project = match parsed {
            Ok(parsed) => {
                let paths = parsed
                    .sources
                    .iter()
                    .map(|(_, f)| normalise(Path::new(&*f.name)))
                    .collect();
                let index = Index::build(&parsed.files);
                let compiled = compile::compile(parsed);
                Project {
                    root: root.clone(),
                    paths,
                    sources: compiled.sources,
                    index,
                    formulary: compiled.formulary,
                    diags: compiled.diags,
                }
            }
            Err(_) => Project {
                root: root.clone(),
                paths: Vec::new(),
                sources: Sources::new(),
                index: Index::default(),
                formulary: None,
                diags: Vec::new(),
            },
        };
        let dropped = match self.projects.get(&root) {
            Some(old) => old
                .paths
                .iter()
                .filter(|p| !project.paths.contains(p))
                .cloned()
                .collect(),
            None => Vec::new(),
        };
        self.projects.insert(root, project);
        dropped
    }

    /// The latest check of the formulary with this main file.
    pub fn project(&self, root: &Path) -> Option<&Project> {
        self.projects.get(&normalise(root))
    }

    /// The first loaded formulary that has `path` among its files, with the
    /// file's id in it.
    pub fn project_of(&self, path: &Path) -> Option<(&Project, FileId)> {
        let path = normalise(path);
        let mut found: Vec<&Project> = self
            .projects
            .values()
            .filter(|p| p.paths.contains(&path))
            .collect();
        found.sort_by(|a, b| a.root.cmp(&b.root));
        let p = found.into_iter().next()?;
        Some((p, p.file_id(&path)?))
    }

    /// Every loaded formulary that has `path` among its files.
    pub fn projects_of<'a>(&'a self, path: &'a Path) -> impl Iterator<Item = &'a Project> + 'a {
        self.projects
            .values()
            .filter(move |p| p.paths.iter().any(|q| q == path))
    }
}

/// Reads open documents as the editor has them, other files from disk.
struct Overlay<'d> {
    docs: &'d FxHashMap<PathBuf, Doc>,
}

impl SourceReader for Overlay<'_> {
    fn read(&mut self, path: &Path, limit: u64) -> std::io::Result<Vec<u8>> {
        match self.docs.get(&doc_key(path)) {
            Some(d) => Ok(d.text.as_bytes().to_vec()),
            None => crate::io::FsReader.read(path, limit),
        }
    }

    fn canonical(&mut self, path: &Path) -> std::io::Result<PathBuf> {
        match crate::io::FsReader.canonical(path) {
            // A new document not saved yet is where the editor says it is.
            Err(_) if self.docs.contains_key(&doc_key(path)) => Ok(normalise(path)),
            other => other,
        }
    }
}

/// Open documents are held by resolved path (the loader reads by resolved
/// path), or by the path as given for a file not on disk yet.
fn doc_key(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| normalise(path))
}

/// True when the first statement of `text` is a `formulary` header.
pub fn has_header(text: &str) -> bool {
    text.lines()
        .map(str::trim_start)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .is_some_and(|l| l.starts_with("formulary "))
}
