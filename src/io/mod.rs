//! File system access outside the command line: the reader that loads a
//! formulary from disk ([`FsReader`]) and safe writing ([`write`]). With
//! `src/cli/` the only code that touches the file system.

pub mod write;

use crate::compile::SourceReader;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Reads regular files from the file system, never more than the limit
/// asked for; folders, devices and pipes are refused, so that a declared
/// `prices "/dev/zero"` cannot read without end.
#[derive(Debug, Clone, Copy, Default)]
pub struct FsReader;

impl SourceReader for FsReader {
    fn read(&mut self, path: &Path, limit: u64) -> std::io::Result<Vec<u8>> {
        let file = std::fs::File::open(path)?;
        let meta = file.metadata()?;
        if meta.is_dir() {
            return Err(std::io::Error::other("it is a folder"));
        }
        if !meta.is_file() {
            return Err(std::io::Error::other("it is not a regular file"));
        }
        let mut bytes = Vec::with_capacity(meta.len().min(limit.saturating_add(1)) as usize);
        file.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
        Ok(bytes)
    }

    fn canonical(&mut self, path: &Path) -> std::io::Result<PathBuf> {
        std::fs::canonicalize(path)
    }
}
