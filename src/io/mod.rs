//! Reading and writing files: shapefiles, GeoJSON, GeoPackage, 国土TXT, GDAL sources (the
//! optional `gdal` feature), the review file, atomic writes.

pub mod atomic;
pub mod dbf;
pub mod digest;
pub mod gdal_in;
pub mod geojson_in;
pub mod gpkg;
pub mod gtxt;
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
    hex_of(&Sha256::digest(bytes))
}

/// Lower-case hex of a digest.
fn hex_of(digest: &[u8]) -> String {
    use std::fmt::Write;
    let mut hex = String::with_capacity(2 * digest.len());
    for b in digest {
        let _ = write!(hex, "{b:02x}");
    }
    hex
}

/// Why `path` cannot be read as a regular file, or `None` when it can: it does not exist, or it
/// is a directory, FIFO, socket or device. Only the metadata is looked at (no `open`), so a FIFO
/// is refused without blocking.
pub fn regular_file_problem(path: &Path) -> Option<Text> {
    match std::fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            Some(crate::messages::io::does_not_exist())
        }
        Err(e) => Some(crate::messages::io::cannot_read(&e.to_string())),
        Ok(m) if m.is_file() => None,
        Ok(m) if m.is_dir() => Some(crate::messages::io::is_a_directory()),
        Ok(_) => Some(crate::messages::io::not_a_regular_file()),
    }
}

/// A layer path split into its source and the layer or table named after `#`, for GeoPackages
/// (`plan.gpkg#zones`) and GDAL sources (`plan.gdb#zones`, `PG:dbname=x#zones`); any other path
/// as it is.
pub fn split_layer_source(path: &Path) -> (PathBuf, Option<String>) {
    if gdal_in::is_gdal_path(path) {
        return gdal_in::split_layer_path(path);
    }
    gpkg::split_layer_path(path)
}

/// Why the source of a layer path cannot be read, or `None`: a GDAL source as
/// [`gdal_in::source_problem`] says (a `.gdb` folder passes, a `PG:` string is not checked),
/// anything else (a GeoPackage without its `#table`) as [`regular_file_problem`].
pub fn layer_source_problem(path: &Path) -> Option<Text> {
    if gdal_in::is_gdal_path(path) {
        return gdal_in::source_problem(path);
    }
    let (file, _) = gpkg::split_layer_path(path);
    regular_file_problem(&file)
}

/// Reads the whole of a regular file; a missing path, a directory, FIFO or device is an error
/// naming `path` (checked on the metadata before opening, so a FIFO never blocks).
pub fn read_regular_file(path: &Path) -> Result<Vec<u8>, LoadError> {
    if let Some(problem) = regular_file_problem(path) {
        return Err(LoadError::new(problem, path));
    }
    std::fs::read(path)
        .map_err(|e| LoadError::new(crate::messages::io::cannot_read(&e.to_string()), path))
}

/// Files from this size on give their mapped pages back as they are read
/// ([`FileBytes::release`]): a province's farmland (280 MB of `.shp`, 100 MB of `.dbf`) would
/// otherwise be counted whole in the process's memory. A smaller file stays mapped: giving its
/// pages back costs a system call per step and the faults of the next read of them (a county's
/// 23 MB farmland read with every feature: 12–15 ms of its ~0.2 s) to save at most this much.
const RELEASE_FROM_BYTES: u64 = 64 << 20;

/// [`RELEASE_FROM_BYTES`], or 0 once a test asked for every mapped file to be released.
static RELEASE_FROM: std::sync::atomic::AtomicU64 =
    std::sync::atomic::AtomicU64::new(RELEASE_FROM_BYTES);

fn release_from_bytes() -> u64 {
    RELEASE_FROM.load(std::sync::atomic::Ordering::Relaxed)
}

/// Makes every mapped file, whatever its size, give its pages back as it is read, so that tests
/// with small files take the same path as a province's (the bytes read are the same either way).
#[cfg(test)]
pub(crate) fn release_every_mapped_file() {
    RELEASE_FROM.store(0, std::sync::atomic::Ordering::Relaxed);
}

/// The bytes of a whole file: mapped into memory when the system allows, else read.
pub enum FileBytes {
    Mapped(memmap2::Mmap),
    Read(Vec<u8>),
}

impl FileBytes {
    /// Lets the system take the pages of `part` (a slice of these bytes, done with) out of the
    /// process's resident memory, when the file is mapped ([`crate::platform::release_mapped`])
    /// and large ([`release_from_bytes`]); `part` stays readable. Nothing happens for bytes read
    /// into memory, a smaller file, or a slice of something else.
    pub fn release(&self, part: &[u8]) {
        if let FileBytes::Mapped(map) = self {
            if (map.len() as u64) < release_from_bytes() {
                return;
            }
            let start = map.as_ptr() as usize;
            if let Some(offset) = (part.as_ptr() as usize).checked_sub(start) {
                crate::platform::release_mapped(map, offset, part.len());
            }
        }
    }

    /// SHA-256 of the bytes (as [`sha256_hex`]), releasing them behind the hash as it goes.
    pub fn sha256_hex_releasing(&self) -> String {
        use sha2::{Digest, Sha256};
        const STEP: usize = 4 << 20;
        let mut hasher = Sha256::new();
        for part in self.chunks(STEP) {
            hasher.update(part);
            self.release(part);
        }
        hex_of(&hasher.finalize())
    }
}

impl std::ops::Deref for FileBytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            FileBytes::Mapped(m) => m,
            FileBytes::Read(v) => v,
        }
    }
}

/// As [`read_regular_file`], mapping the file instead of copying it when it is large (the
/// parse reads the system's cached pages directly). A file changed by another program while
/// it is being read gives what `read` would give at that moment, except that a file cut short
/// under the mapping on Unix stops the process (the system's rule for mapped files); Windows
/// does not let other programs shorten a mapped file.
pub fn map_regular_file(path: &Path) -> Result<FileBytes, LoadError> {
    const MAP_FROM_BYTES: u64 = 1 << 20;
    if let Some(problem) = regular_file_problem(path) {
        return Err(LoadError::new(problem, path));
    }
    let cannot =
        |e: std::io::Error| LoadError::new(crate::messages::io::cannot_read(&e.to_string()), path);
    let file = std::fs::File::open(path).map_err(cannot)?;
    let len = file.metadata().map_err(cannot)?.len();
    if len >= MAP_FROM_BYTES {
        // SAFETY: the map is read-only and private to this process; see above for a file
        // shortened by another program while it is mapped.
        if let Ok(map) = unsafe { memmap2::Mmap::map(&file) } {
            crate::platform::prefetch_mapped(&map);
            return Ok(FileBytes::Mapped(map));
        }
    }
    let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
    std::io::Read::read_to_end(&mut &file, &mut bytes).map_err(cannot)?;
    Ok(FileBytes::Read(bytes))
}

/// Reads a regular file as UTF-8 text (see [`read_regular_file`]); errors say "cannot read
/// `what` (why)", naming `path`.
pub fn read_regular_text(path: &Path, what: &str) -> Result<String, LoadError> {
    let bytes = read_regular_file(path).map_err(|e| {
        LoadError::new(
            crate::messages::io::cannot_read_what(what, &e.message),
            path,
        )
    })?;
    String::from_utf8(bytes).map_err(|_| {
        LoadError::new(
            crate::messages::io::cannot_read_what(what, &crate::messages::io::not_utf8()),
            path,
        )
    })
}

/// One file read for a layer and its SHA-256, for the report's `inputs`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct FileHash {
    /// The file's name (no folder), e.g. `zones.dbf`.
    pub file: String,
    pub sha256: digest::Sha256Hex,
}

impl FileHash {
    pub fn of(path: &Path, bytes: &[u8]) -> FileHash {
        FileHash::named(path, digest::Sha256Hex::of(bytes))
    }

    /// The file at `path` with the hash `sha256` (lower-case hex, or being worked out).
    pub fn named(path: &Path, sha256: impl Into<digest::Sha256Hex>) -> FileHash {
        FileHash {
            file: path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| path.display().to_string()),
            sha256: sha256.into(),
        }
    }
}

/// Grows `extent` to take in the finite ones of `coords` (the box of a layer or a feature as it
/// is read).
pub(crate) fn extend_extent<'a>(
    extent: &mut Option<geo::Rect<f64>>,
    coords: impl Iterator<Item = &'a geo::Coord<f64>>,
) {
    for c in coords.filter(|c| c.x.is_finite() && c.y.is_finite()) {
        crate::spatial::overlay::grow_box(extent, geo::Rect::new(*c, *c));
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn a_file_past_the_release_size_reads_the_same_after_its_pages_are_given_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("大图斑.shp");
        let len = RELEASE_FROM_BYTES + (1 << 20);
        let marks: Vec<u64> = vec![0, 4096, 1 << 20, RELEASE_FROM_BYTES - 3, len - 8];
        {
            use std::io::{Seek, SeekFrom, Write};
            let mut f = std::fs::File::create(&path).unwrap();
            f.set_len(len).unwrap();
            for (i, &at) in marks.iter().enumerate() {
                f.seek(SeekFrom::Start(at)).unwrap();
                f.write_all(&(0xA5A5_0000_0000_0000u64 + i as u64).to_le_bytes())
                    .unwrap();
            }
        }
        let bytes = map_regular_file(&path).unwrap();
        let read_marks = |b: &FileBytes| -> Vec<u64> {
            marks
                .iter()
                .map(|&at| {
                    let at = at as usize;
                    u64::from_le_bytes(b[at..at + 8].try_into().unwrap())
                })
                .collect()
        };
        let before = read_marks(&bytes);
        assert_eq!(before[4], 0xA5A5_0000_0000_0004);
        let hash = bytes.sha256_hex_releasing();
        bytes.release(&bytes[..]);
        assert_eq!(read_marks(&bytes), before);
        assert_eq!(hash, sha256_hex(&std::fs::read(&path).unwrap()));
    }

    #[test]
    fn large_files_are_mapped_small_ones_read_and_both_give_the_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let big: Vec<u8> = (0..(3u32 << 19)).flat_map(|i| i.to_le_bytes()).collect();
        let big_path = dir.path().join("大文件.shp");
        std::fs::write(&big_path, &big).unwrap();
        let small_path = dir.path().join("small.dbf");
        std::fs::write(&small_path, b"abc").unwrap();
        let mapped = map_regular_file(&big_path).unwrap();
        assert!(matches!(mapped, FileBytes::Mapped(_)));
        assert_eq!(&mapped[..], &big[..]);
        let read = map_regular_file(&small_path).unwrap();
        assert!(matches!(read, FileBytes::Read(_)));
        assert_eq!(&read[..], b"abc");
        // Not a regular file, or missing: the same errors as reading.
        assert!(map_regular_file(dir.path()).is_err());
        assert!(map_regular_file(&dir.path().join("nope.shp")).is_err());
    }

    #[test]
    fn directories_and_missing_files_are_told_apart() {
        let dir = tempfile::tempdir().unwrap();
        let err = read_regular_file(dir.path()).unwrap_err();
        assert!(err.message.en.contains("is a directory"), "{err}");
        let err = read_regular_file(&dir.path().join("nope.shp")).unwrap_err();
        assert!(err.message.en.contains("does not exist"), "{err}");
        assert!(err.message.zh.contains("不存在"), "{err:?}");
        let file = dir.path().join("a.txt");
        std::fs::write(&file, b"abc").unwrap();
        assert_eq!(read_regular_file(&file).unwrap(), b"abc");
    }

    /// A FIFO is refused from its metadata: opening it for reading would block forever.
    #[cfg(unix)]
    #[test]
    fn a_fifo_is_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("zones.shp");
        let status = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(status.success());
        let err = read_regular_file(&fifo).unwrap_err();
        assert!(err.message.en.contains("not a regular file"), "{err}");
        let err = read_regular_file(Path::new("/dev/null")).unwrap_err();
        assert!(err.message.en.contains("not a regular file"), "{err}");
    }
}
