//! Path arithmetic for loading: lexical normalisation, paths relative to a
//! folder, and whether a resolved path stays inside the root.

use std::path::{Component, Path, PathBuf};

/// Removes `.` and folds `name/..` without touching the file system; a `..`
/// that climbs above the start is kept.
pub fn normalise(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::ParentDir => {
                let last_is_name =
                    matches!(out.components().next_back(), Some(Component::Normal(_)));
                if last_is_name {
                    out.pop();
                } else if !out.has_root() {
                    out.push("..");
                }
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// True when `path` (resolved) is `root` or below it.
pub fn inside(root: &Path, path: &Path) -> bool {
    !path.components().any(|c| c == Component::ParentDir)
        && path.has_root() == root.has_root()
        && path.starts_with(root)
}

/// `path` relative to the folder `base`, both resolved, with `/` separators
/// (`../x` when it is beside the folder).
pub fn relative(base: &Path, path: &Path) -> String {
    let b: Vec<Component> = base.components().collect();
    let p: Vec<Component> = path.components().collect();
    let common = b.iter().zip(&p).take_while(|(x, y)| x == y).count();
    let mut parts: Vec<String> = vec!["..".to_string(); b.len() - common];
    parts.extend(
        p[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_and_relates() {
        assert_eq!(normalise(Path::new("a/./b/../c")), PathBuf::from("a/c"));
        assert_eq!(normalise(Path::new("a/../../c")), PathBuf::from("../c"));
        assert_eq!(normalise(Path::new("/../etc")), PathBuf::from("/etc"));
        assert!(inside(Path::new("/r"), Path::new("/r/a/b")));
        assert!(!inside(Path::new("/r"), Path::new("/rx/a")));
        assert!(!inside(Path::new(""), Path::new("../a")));
        assert!(!inside(Path::new(""), Path::new("/etc/passwd")));
        assert_eq!(relative(Path::new("/r/a"), Path::new("/r/a/x/y")), "x/y");
        assert_eq!(relative(Path::new("/r/a"), Path::new("/r/b/y")), "../b/y");
    }
}
