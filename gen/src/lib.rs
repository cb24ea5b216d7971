//! zonecheck-gen: the deterministic data zonecheck is developed against, kept out of the product
//! library. [`synth`] builds the bundled sample review (`sample_maps/`) and the shape building
//! blocks; [`bench_data`] builds the benchmark reviews (benches/README.md). Both write their
//! shapefiles through zonecheck's own writer ([`zonecheck::io::shp_write::ShapefileWriter`]).
//!
//! The `zonecheck-gen` binary writes them: `zonecheck-gen sample DIR`,
//! `zonecheck-gen bench --scale SCALE DIR`.

pub mod bench_data;
pub mod synth;
