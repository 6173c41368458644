//! The content hash of a formulary: what its decisions depend on, and
//! nothing about where it was read from.
//!
//! `sha256:` of, for every file read, in read order (the main file, its
//! includes depth first, the reference files each file declares after its
//! includes, then reference files given by the caller): the kind
//! (`source`, `prices`, `catalog`, `knowledge`), the path relative to the
//! main file's folder with `/` separators (`(given)/NAME` for files given on
//! the command line), and the bytes as read (before a byte order mark is
//! removed). Each part is preceded by its length as 8 little-endian bytes,
//! so that no two different sets of files hash alike. The same files give
//! the same hash from any working directory and any copy of the folder.

use sha2::{Digest, Sha256};

/// A hash being built.
#[derive(Default)]
pub(crate) struct ContentHash(Sha256);

impl ContentHash {
    /// Adds one file.
    pub(crate) fn add(&mut self, kind: &[u8], rel: &str, bytes: &[u8]) {
        for part in [kind, rel.as_bytes(), bytes] {
            self.0.update((part.len() as u64).to_le_bytes());
            self.0.update(part);
        }
    }

    /// `sha256:` and the hex digest.
    pub(crate) fn finish(self) -> String {
        let digest = self.0.finalize();
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        format!("sha256:{hex}")
    }
}
