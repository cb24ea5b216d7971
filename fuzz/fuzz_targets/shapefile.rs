//! Fuzzes the shapefile reader and geometry repair: `read_shapefile` on a .shp/.shx/.dbf/.cpg
//! set cut from the input, then `build_geometry` on every record.
//!
//! Input layout (see `fuzz/make_seeds.py`): three little-endian u16 lengths — .shp, .shx, .dbf —
//! then the bytes of each file in that order; whatever follows is the .cpg. A length of 0xFFFF
//! means "no such file"; other lengths are clamped to the bytes left. An empty rest means no .cpg.

#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use zonecheck::io::shp::read_shapefile;
use zonecheck::spatial::repair::build_geometry;

const ABSENT: u16 = 0xFFFF;

/// One scratch folder per process, reused by every run.
fn scratch() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir =
            std::env::temp_dir().join(format!("zonecheck-fuzz-shapefile-{}", std::process::id()));
        if let Err(e) = std::fs::create_dir_all(&dir) {
            panic!("harness: cannot create {}: {e}", dir.display());
        }
        dir
    })
}

/// Writes `bytes` to `path`, or removes `path` when `bytes` is `None`.
fn put(path: &Path, bytes: Option<&[u8]>) {
    let result = match bytes {
        Some(b) => std::fs::write(path, b),
        None => match std::fs::remove_file(path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            other => other,
        },
    };
    if let Err(e) = result {
        panic!("harness: cannot write {}: {e}", path.display());
    }
}

/// Takes the next part of `rest` whose length is `len` (clamped), or `None` for [`ABSENT`].
fn take<'a>(rest: &mut &'a [u8], len: u16) -> Option<&'a [u8]> {
    if len == ABSENT {
        return None;
    }
    let n = usize::from(len).min(rest.len());
    let (part, tail) = rest.split_at(n);
    *rest = tail;
    Some(part)
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
    let Some((lens, mut rest)) = data.split_first_chunk::<6>() else {
        return;
    };
    let len = |i: usize| u16::from_le_bytes([lens[i], lens[i + 1]]);
    let shp = take(&mut rest, len(0)).unwrap_or_default();
    let shx = take(&mut rest, len(2));
    let dbf = take(&mut rest, len(4));
    let cpg = (!rest.is_empty()).then_some(rest);

    let dir = scratch();
    let shp_path = dir.join("layer.shp");
    put(&shp_path, Some(shp));
    put(&dir.join("layer.shx"), shx);
    put(&dir.join("layer.dbf"), dbf);
    put(&dir.join("layer.cpg"), cpg);

    if let Ok(layer) = read_shapefile(&shp_path) {
        for record in &layer.records {
            let _ = build_geometry(&record.shape);
        }
    }
});
