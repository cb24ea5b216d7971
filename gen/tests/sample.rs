//! The committed sample review (`sample_maps/`) is exactly what `zonecheck-gen sample` writes,
//! byte for byte, so the sample can always be regenerated from the code.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

fn committed_sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("sample_maps")
}

fn file_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn generated_sample_is_the_committed_sample() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("new").join("sample");
    let run = Command::new(env!("CARGO_BIN_EXE_zonecheck-gen"))
        .arg("sample")
        .arg(&dir)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&run.stdout).trim(),
        format!("sample review written to {}", dir.display())
    );
    let written = file_names(&dir);
    // Eight shapefiles of five files each, the water GeoJSON and review.toml; the README is the
    // only committed file the generator does not write.
    assert_eq!(written.len(), 8 * 5 + 2, "{written:?}");
    let mut committed = file_names(&committed_sample());
    committed.retain(|n| n != "README.md");
    assert_eq!(written, committed);
    for name in &written {
        let new = std::fs::read(dir.join(name)).unwrap();
        let old = std::fs::read(committed_sample().join(name)).unwrap();
        assert!(
            new == old,
            "sample_maps/{name} is not what `zonecheck-gen sample` writes ({} bytes written, {} committed); regenerate it with `cargo run -p zonecheck-gen -- sample sample_maps`",
            new.len(),
            old.len()
        );
    }
}

#[test]
fn unknown_scale_is_refused_naming_it() {
    let out = tempfile::tempdir().unwrap();
    let run = Command::new(env!("CARGO_BIN_EXE_zonecheck-gen"))
        .args(["bench", "--scale", "city"])
        .arg(out.path().join("b"))
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains("unknown scale \"city\""), "{stderr}");
    assert!(!out.path().join("b").exists());
}
