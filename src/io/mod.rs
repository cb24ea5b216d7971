//! Reading and writing files: shapefiles, GeoJSON, the review file, atomic writes.

pub mod atomic;
pub mod dbf;
pub mod geojson_in;
pub mod review;
pub mod shp;
pub mod shp_write;

use crate::model::{Lang, Text};
use std::path::{Path, PathBuf};

/// A file that could not be used: what is wrong, then the file (path last, as in every message).
/// `Display` is English; [`LoadError::in_lang`] gives the user's language.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}: {}", path.display())]
pub struct LoadError {
    pub message: Text,
    pub path: PathBuf,
}

impl LoadError {
    pub fn new(message: impl Into<Text>, path: impl AsRef<Path>) -> Self {
        LoadError {
            message: message.into(),
            path: path.as_ref().to_path_buf(),
        }
    }

    /// "what is wrong: file" in `lang`.
    pub fn in_lang(&self, lang: Lang) -> String {
        format!("{}: {}", self.message.get(lang), self.path.display())
    }

    /// Loading stopped because the user cancelled it (while at `path`).
    pub fn cancelled(path: impl AsRef<Path>) -> Self {
        LoadError::new(CANCELLED, path)
    }

    pub fn is_cancelled(&self) -> bool {
        self.message.en == CANCELLED
    }
}

const CANCELLED: &str = "loading cancelled";

/// Finds a sibling of `path` with extension `ext`, matching the extension case-insensitively
/// (`ZONES.SHP` finds `ZONES.DBF` and `ZONES.dbf`).
pub fn sibling_file(path: &Path, ext: &str) -> Option<PathBuf> {
    let exact = path.with_extension(ext);
    if exact.is_file() {
        return Some(exact);
    }
    let stem = path.file_stem()?;
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let entries = std::fs::read_dir(dir).ok()?;
    let mut found: Vec<PathBuf> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| {
            p.file_stem() == Some(stem)
                && p.extension()
                    .and_then(|e| e.to_str())
                    .is_some_and(|e| e.eq_ignore_ascii_case(ext))
                && p.is_file()
        })
        .collect();
    found.sort();
    found.into_iter().next()
}

/// SHA-256 of `bytes` as lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    use std::fmt::Write;
    let digest = Sha256::digest(bytes);
    let mut hex = String::with_capacity(64);
    for b in digest {
        let _ = write!(hex, "{b:02x}");
    }
    hex
}
