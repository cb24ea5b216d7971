//! Fuzzes the GeoJSON reader and geometry repair: the input is written to a `.geojson` file,
//! read with `read_geojson`, then `build_geometry` runs on every record.

#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::PathBuf;
use std::sync::OnceLock;
use zonecheck::io::geojson_in::read_geojson;
use zonecheck::spatial::repair::build_geometry;

/// The scratch file, in one folder per process, reused by every run.
fn scratch_file() -> &'static PathBuf {
    static FILE: OnceLock<PathBuf> = OnceLock::new();
    FILE.get_or_init(|| {
        let dir =
            std::env::temp_dir().join(format!("zonecheck-fuzz-geojson-{}", std::process::id()));
        if let Err(e) = std::fs::create_dir_all(&dir) {
            panic!("harness: cannot create {}: {e}", dir.display());
        }
        dir.join("layer.geojson")
    })
}

/// Treats panics that zonecheck itself catches (`spatial::guard`, around geo's validation and
/// repair) as handled, as the CLI does; libfuzzer-sys's hook would otherwise abort on them.
/// Any other panic still reaches libFuzzer's hook and is a crash.
fn respect_guarded_panics() {
    static ONCE: OnceLock<()> = OnceLock::new();
    ONCE.get_or_init(|| {
        let fuzzer_hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !zonecheck::spatial::guard::is_guarded() {
                fuzzer_hook(info);
            }
        }));
    });
}

fuzz_target!(|data: &[u8]| {
    respect_guarded_panics();
    let path = scratch_file();
    if let Err(e) = std::fs::write(path, data) {
        panic!("harness: cannot write {}: {e}", path.display());
    }
    if let Ok(layer) = read_geojson(path) {
        for record in &layer.records {
            let _ = build_geometry(&record.shape);
        }
    }
});
