//! Writing files so that nothing is lost: every file goes to a fresh
//! temporary file in the target's folder (created exclusively, with an
//! unpredictable name, so a planted file or symbolic link is never written
//! through), is flushed to disk, and is renamed over the target. A target
//! that is a symbolic link is not replaced: the file it points to is
//! written, and the link stays. A set of files is written all or nothing.

use std::io::Write;
use std::path::{Path, PathBuf};

/// The file a write to `target` replaces: `target` itself, or the file a
/// symbolic link at `target` points to (an error for a dangling link).
pub fn real_target(target: &Path) -> std::io::Result<PathBuf> {
    match std::fs::symlink_metadata(target) {
        Ok(m) if m.file_type().is_symlink() => std::fs::canonicalize(target).map_err(|e| {
            std::io::Error::new(
                e.kind(),
                format!(
                    "{} is a symbolic link to a file that cannot be reached ({e}); not writing through it",
                    target.display()
                ),
            )
        }),
        Ok(m) if m.is_dir() => Err(std::io::Error::other(format!(
            "{} is a folder",
            target.display()
        ))),
        _ => Ok(target.to_path_buf()),
    }
}

/// A file written to its temporary, ready to be renamed over its target.
struct Staged {
    tmp: tempfile::NamedTempFile,
    target: PathBuf,
}

fn stage(target: &Path, bytes: &[u8]) -> std::io::Result<Staged> {
    let target = real_target(target)?;
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".tmp")
        .tempfile_in(&dir)?;
    tmp.write_all(bytes)?;
    if let Ok(m) = std::fs::metadata(&target) {
        std::fs::set_permissions(tmp.path(), m.permissions())?;
    }
    tmp.as_file().sync_all()?;
    Ok(Staged { tmp, target })
}

/// Writes one file (see the module documentation).
pub fn write_file(target: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let s = stage(target, bytes)?;
    s.tmp.persist(&s.target).map_err(|e| e.error)?;
    Ok(())
}

/// Writes every file or none: all are written to temporaries first, and
/// only when every one is on disk are they renamed over their targets. On
/// an error (a full disk) the temporaries are removed and no target changes.
pub fn write_set(files: &[(PathBuf, Vec<u8>)]) -> std::io::Result<()> {
    let staged = files
        .iter()
        .map(|(p, b)| {
            stage(p, b).map_err(|e| std::io::Error::new(e.kind(), format!("{}: {e}", p.display())))
        })
        .collect::<std::io::Result<Vec<_>>>()?;
    for s in staged {
        s.tmp.persist(&s.target).map_err(|e| {
            std::io::Error::new(
                e.error.kind(),
                format!("{}: {}", s.target.display(), e.error),
            )
        })?;
    }
    Ok(())
}

/// The files of `paths` that exist, for refusing to overwrite them
/// without `--force`.
pub fn existing(paths: &[PathBuf]) -> Vec<PathBuf> {
    paths
        .iter()
        .filter(|p| std::fs::symlink_metadata(p).is_ok())
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_set_is_written_whole_and_leaves_no_temporaries() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.txt");
        std::fs::write(&a, "old").unwrap();
        let files = vec![
            (a.clone(), b"new a".to_vec()),
            (dir.path().join("b.txt"), b"b".to_vec()),
        ];
        write_set(&files).unwrap();
        assert_eq!(std::fs::read_to_string(&a).unwrap(), "new a");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(names.len(), 2, "{names:?}");
        // One target that cannot be written (a folder): nothing changes.
        let files = vec![
            (a.clone(), b"newer".to_vec()),
            (dir.path().to_path_buf(), b"x".to_vec()),
        ];
        assert!(write_set(&files).is_err());
        assert_eq!(std::fs::read_to_string(&a).unwrap(), "new a");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(names.len(), 2, "{names:?}");
    }
}
