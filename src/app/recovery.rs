//! Recovery files: the app autosaves an unsaved review (its decisions and settings) to a file in
//! its data folder, one per review, and offers it back at the next start after a crash. A panic
//! writes the latest state first (a hook that reads the snapshot the app keeps up to date).
//!
//! Folder: `<data dir>/recovery/`, where the data dir is `$ZONECHECK_DATA_DIR` when set, else
//! eframe's storage folder (Linux `~/.local/share/zonecheck`, Windows
//! `%APPDATA%\zonecheck\data`, macOS `~/Library/Application Support/zonecheck`). A file is
//! removed when its review is saved or its changes are discarded.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// The review as it stood, enough to restore it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    /// The review file the state belongs to (for an untitled review: where it would be saved).
    pub review_path: PathBuf,
    /// A new review that had no file yet.
    pub untitled: bool,
    /// Seconds since 1970 when the snapshot was taken.
    pub saved_at: u64,
    /// The review file text with the decisions in it.
    pub review_toml: String,
    /// The edited plan, when it had unsaved edits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan: Option<RecoveredPlan>,
}

/// An edited plan as autosaved: the zones layer it was loaded from, and the plan as GeoJSON in
/// the working CRS (`fix::plan_geojson`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecoveredPlan {
    pub zones_path: PathBuf,
    pub geojson: String,
    /// The working CRS's definition, the plan's coordinates' CRS (restored as `crs_of.zones`,
    /// so that a CRS without an EPSG code for the GeoJSON to name is not lost).
    #[serde(default)]
    pub crs: String,
    /// The original-zones layer when the fate of an original was edited: the file it was
    /// loaded from and the layer as GeoJSON in the same CRS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub originals: Option<RecoveredLayer>,
}

/// A layer as autosaved: the file it came from and its features as GeoJSON.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecoveredLayer {
    pub path: PathBuf,
    pub geojson: String,
}

/// Where the layers of a recovered plan came from (to save them beside those files again).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RecoveredOrigins {
    pub zones: Option<PathBuf>,
    pub originals: Option<PathBuf>,
}

/// A recovery file found at start-up.
#[derive(Clone, Debug, PartialEq)]
pub struct Found {
    pub file: PathBuf,
    pub snapshot: Snapshot,
}

/// The state the panic hook writes: the latest snapshot and the folder.
pub type Shared = Arc<Mutex<Option<(PathBuf, Snapshot)>>>;

/// The default data folder (see the module doc); `None` when there is no home folder.
pub fn default_dir() -> Option<PathBuf> {
    let base = match std::env::var_os("ZONECHECK_DATA_DIR").filter(|v| !v.is_empty()) {
        Some(d) => PathBuf::from(d),
        None => eframe::storage_dir("zonecheck")?,
    };
    Some(base.join("recovery"))
}

/// The recovery file of the review at `review_path` in `dir`.
pub fn file_for(dir: &Path, review_path: &Path) -> PathBuf {
    let digest = Sha256::digest(review_path.to_string_lossy().as_bytes());
    let hex: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
    dir.join(format!("review-{hex}.json"))
}

/// Seconds since 1970.
pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Writes `snapshot` to its recovery file in `dir` (atomically).
pub fn write(dir: &Path, snapshot: &Snapshot) -> Result<PathBuf, String> {
    std::fs::create_dir_all(dir)
        .map_err(|e| format!("cannot create the recovery folder ({e}): {}", dir.display()))?;
    let path = file_for(dir, &snapshot.review_path);
    let text = serde_json::to_string_pretty(snapshot).map_err(|e| e.to_string())?;
    crate::io::atomic::write_atomic(&path, text.as_bytes())
        .map_err(|e| format!("cannot write the recovery file ({e}): {}", path.display()))?;
    Ok(path)
}

/// Removes the recovery file of `review_path` (if there is one).
pub fn remove(dir: &Path, review_path: &Path) {
    let file = file_for(dir, review_path);
    let _ = std::fs::remove_file(file.with_extension("plan.geojson"));
    let _ = std::fs::remove_file(file);
}

/// Every readable recovery file in `dir`, newest first. Unreadable ones are left alone.
pub fn find(dir: &Path) -> Vec<Found> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut found: Vec<Found> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .filter_map(|file| {
            let text = std::fs::read_to_string(&file).ok()?;
            let snapshot = serde_json::from_str::<Snapshot>(&text).ok()?;
            Some(Found { file, snapshot })
        })
        .collect();
    found.sort_by_key(|f| std::cmp::Reverse(f.snapshot.saved_at));
    found
}

/// Installs a panic hook that writes the latest snapshot in `shared` before the default hook
/// reports the panic. Uses `try_lock`: a panic while the app holds the lock skips the write
/// rather than deadlocking (the autosave has written a recent state already).
pub fn install_panic_hook(shared: Shared) {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if let Ok(guard) = shared.try_lock() {
            if let Some((dir, snapshot)) = guard.as_ref() {
                match write(dir, snapshot) {
                    Ok(p) => eprintln!("zonecheck: unsaved review written to {}", p.display()),
                    Err(e) => eprintln!("zonecheck: {e}"),
                }
            }
        }
        previous(info);
    }));
}

/// A recovered review, ready to load: the review (its decisions in it) from the snapshot text.
pub fn review_of(snapshot: &Snapshot) -> Result<crate::io::review::Review, String> {
    crate::io::review::Review::parse(&snapshot.review_toml, &snapshot.review_path)
        .map_err(|e| e.to_string())
}

/// A recovered review whose plan had unsaved edits: the plan is written to a GeoJSON file in
/// `dir` (beside the recovery file) and the review's zones layer points at it. Returns the
/// review and the zones layer the plan came from (where 保存 writes the edited plan).
pub fn review_with_plan(
    dir: &Path,
    snapshot: &Snapshot,
) -> Result<(crate::io::review::Review, RecoveredOrigins), String> {
    let mut review = review_of(snapshot)?;
    let Some(plan) = &snapshot.plan else {
        return Ok((review, RecoveredOrigins::default()));
    };
    let mut origins = RecoveredOrigins::default();
    if let Some(o) = &plan.originals {
        let file = file_for(dir, &snapshot.review_path).with_extension("originals.geojson");
        crate::io::atomic::write_atomic(&file, o.geojson.as_bytes()).map_err(|e| {
            format!(
                "cannot write the recovered originals ({e}): {}",
                file.display()
            )
        })?;
        review.file.layers.original = Some(file);
        if plan.crs.is_empty() {
            review.file.crs_of.remove("original");
        } else {
            review
                .file
                .crs_of
                .insert("original".into(), plan.crs.clone());
        }
        review.file.encoding_of.remove("original");
        origins.originals = Some(o.path.clone());
    }
    let file = file_for(dir, &snapshot.review_path).with_extension("plan.geojson");
    crate::io::atomic::write_atomic(&file, plan.geojson.as_bytes())
        .map_err(|e| format!("cannot write the recovered plan ({e}): {}", file.display()))?;
    review.file.layers.zones = file;
    if plan.crs.is_empty() {
        review.file.crs_of.remove("zones");
    } else {
        review.file.crs_of.insert("zones".into(), plan.crs.clone());
    }
    review.file.encoding_of.remove("zones");
    origins.zones = Some(plan.zones_path.clone());
    Ok((review, origins))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_snapshots_are_found_newest_first_and_removed_by_review() {
        let dir = tempfile::tempdir().unwrap();
        let a = Snapshot {
            review_path: PathBuf::from("/x/a/review.toml"),
            untitled: false,
            saved_at: 100,
            review_toml: "[layers]\nzones = \"z.shp\"\n".into(),
            plan: None,
        };
        let b = Snapshot {
            review_path: PathBuf::from("/x/b/review.toml"),
            saved_at: 200,
            ..a.clone()
        };
        write(dir.path(), &a).unwrap();
        write(dir.path(), &b).unwrap();
        // The same review again replaces its file.
        write(dir.path(), &a).unwrap();
        let found = find(dir.path());
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].snapshot, b);
        assert_eq!(found[1].snapshot, a);
        remove(dir.path(), &b.review_path);
        assert_eq!(find(dir.path()).len(), 1);
        let review = review_of(&a).unwrap();
        assert_eq!(review.file.layers.zones, PathBuf::from("z.shp"));
    }

    #[test]
    fn a_recovered_plan_with_edited_originals_points_both_layers_at_their_recovered_files() {
        let dir = tempfile::tempdir().unwrap();
        let snapshot = Snapshot {
            review_path: PathBuf::from("/x/a/review.toml"),
            untitled: false,
            saved_at: 100,
            review_toml: "[layers]\nzones = \"z.shp\"\noriginal = \"o.shp\"\n".into(),
            plan: Some(RecoveredPlan {
                zones_path: PathBuf::from("/x/a/z.shp"),
                geojson: "{\"type\":\"FeatureCollection\",\"features\":[]}".into(),
                crs: "EPSG:4549".into(),
                originals: Some(RecoveredLayer {
                    path: PathBuf::from("/x/a/o.shp"),
                    geojson: "{\"type\":\"FeatureCollection\",\"features\":[1]}".into(),
                }),
            }),
        };
        let (review, origins) = review_with_plan(dir.path(), &snapshot).unwrap();
        assert_eq!(origins.zones.as_deref(), Some(Path::new("/x/a/z.shp")));
        assert_eq!(origins.originals.as_deref(), Some(Path::new("/x/a/o.shp")));
        let original = review.file.layers.original.clone().unwrap();
        assert!(original.to_string_lossy().ends_with(".originals.geojson"));
        assert_eq!(
            std::fs::read_to_string(&original).unwrap(),
            "{\"type\":\"FeatureCollection\",\"features\":[1]}"
        );
        assert_eq!(
            review.file.crs_of.get("original").map(String::as_str),
            Some("EPSG:4549")
        );
        assert_ne!(review.file.layers.zones, original);
        // An older recovery file (no originals) still reads.
        let old: RecoveredPlan =
            serde_json::from_str("{\"zones_path\":\"/x/z.shp\",\"geojson\":\"{}\",\"crs\":\"\"}")
                .unwrap();
        assert!(old.originals.is_none());
    }
}
