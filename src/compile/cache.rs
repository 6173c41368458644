//! A per-file parse cache, so that re-checking a formulary after an edit
//! re-parses only the files whose text changed.
//!
//! Each file's syntax tree is kept under its path with the exact text it was
//! parsed from and the [`FileId`] its spans carry. A later [`ParseCache::load`]
//! reuses the tree when both are the same (the text is compared in full, so a
//! stale tree can never be reused), and parses the file again otherwise.
//! Compiling is not cached: names and rules depend on every file.

use super::load::{load_with, LoadError, LoadOptions, ParseSource, SourceReader};
use super::Parsed;
use crate::ast;
use crate::diagnostics::Diag;
use crate::span::FileId;
use rustc_hash::{FxHashMap, FxHashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Syntax trees of the files read by earlier loads.
#[derive(Debug, Default)]
pub struct ParseCache {
    entries: FxHashMap<PathBuf, Entry>,
    last: LoadStats,
}

#[derive(Debug)]
struct Entry {
    text: Arc<str>,
    id: FileId,
    tree: ast::File,
    diags: Vec<Diag>,
}

/// How the last [`ParseCache::load`] got each file's tree.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LoadStats {
    /// Files parsed because they were new or their text changed.
    pub parsed: usize,
    /// Files whose cached tree was reused.
    pub reused: usize,
}

/// The parser a cached load uses: the cache, and what this load saw.
struct Cached<'c> {
    entries: &'c mut FxHashMap<PathBuf, Entry>,
    seen: FxHashSet<PathBuf>,
    stats: LoadStats,
}

impl ParseSource for Cached<'_> {
    fn parse(&mut self, canon: &Path, id: FileId, text: &Arc<str>) -> (ast::File, Vec<Diag>) {
        self.seen.insert(canon.to_path_buf());
        if let Some(e) = self.entries.get(canon) {
            if e.id == id && *e.text == **text {
                self.stats.reused += 1;
                return (e.tree.clone(), e.diags.clone());
            }
        }
        self.stats.parsed += 1;
        let (tree, diags) = crate::syntax::parse(id, text);
        let entry = Entry {
            text: text.clone(),
            id,
            tree: tree.clone(),
            diags: diags.clone(),
        };
        self.entries.insert(canon.to_path_buf(), entry);
        (tree, diags)
    }
}

impl ParseCache {
    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    /// Loads `main` like [`super::load()`], parsing only the files whose
    /// text or place in the load order changed since the last load. Files
    /// no longer read are dropped from the cache.
    pub fn load(
        &mut self,
        main: &Path,
        reader: &mut dyn SourceReader,
        opts: &LoadOptions,
    ) -> Result<Parsed, LoadError> {
        let mut parser = Cached {
            entries: &mut self.entries,
            seen: FxHashSet::default(),
            stats: LoadStats::default(),
        };
        let parsed = load_with(main, reader, opts, &mut parser);
        let Cached { seen, stats, .. } = parser;
        self.entries.retain(|p, _| seen.contains(p));
        self.last = stats;
        parsed
    }

    /// What the last load parsed and reused.
    pub fn last_load(&self) -> LoadStats {
        self.last
    }

    /// Number of files held.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when no file is held.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compile::load::MemoryReader;

    fn files(main: &str, part: &str) -> MemoryReader {
        let mut r = MemoryReader::new();
        r.insert("main.formulary", main.as_bytes());
        r.insert("part.formulary", part.as_bytes());
        r
    }

    const MAIN: &str = "formulary \"X\" id X-1 version 1 effective 2026-01-01 to 2026-12-31\ntier 1 \"G\" copay $5\ninclude \"part.formulary\"\n";

    fn opts() -> LoadOptions {
        LoadOptions::default()
    }

    #[test]
    fn only_the_changed_file_is_parsed_again_and_the_result_is_the_same() {
        let mut cache = ParseCache::new();
        let root = Path::new("main.formulary");
        let part = "ingredient a rxcui 1 tier 1\n";
        let first = cache.load(root, &mut files(MAIN, part), &opts()).unwrap();
        assert_eq!(
            cache.last_load(),
            LoadStats {
                parsed: 2,
                reused: 0
            }
        );
        let again = cache.load(root, &mut files(MAIN, part), &opts()).unwrap();
        assert_eq!(
            cache.last_load(),
            LoadStats {
                parsed: 0,
                reused: 2
            }
        );
        assert_eq!(first.files, again.files);

        let edited = "ingredient a rxcui 1 tier 1\ningredient b rxcui 2 tier 9\n";
        let cached = cache.load(root, &mut files(MAIN, edited), &opts()).unwrap();
        assert_eq!(
            cache.last_load(),
            LoadStats {
                parsed: 1,
                reused: 1
            }
        );
        let fresh = super::super::load(root, &mut files(MAIN, edited), &opts()).unwrap();
        assert_eq!(cached.files, fresh.files);
        let spans = |p: &Parsed| match &p.files[1].1.items[1] {
            ast::Item::Drug(d) => d.span,
            _ => unreachable!("the second item is a drug"),
        };
        assert_eq!(spans(&cached), spans(&fresh));
        let compiled = crate::compile::compile(cached);
        assert_eq!(compiled.diags.len(), 1, "{:?}", compiled.diags);
        assert_eq!(compiled.diags[0].code(), "E0203");
    }

    #[test]
    fn a_file_no_longer_included_is_dropped() {
        let mut cache = ParseCache::new();
        let root = Path::new("main.formulary");
        cache.load(root, &mut files(MAIN, ""), &opts()).unwrap();
        assert_eq!(cache.len(), 2);
        let alone = MAIN.replace("include \"part.formulary\"\n", "");
        cache.load(root, &mut files(&alone, ""), &opts()).unwrap();
        assert_eq!(cache.len(), 1);
    }
}
