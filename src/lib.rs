//! zonecheck: review merged development zones against protection layers.
//!
//! Layers, bottom up: `model` (types), `io` (files), `crs` (PROJ), `spatial` (repair, index),
//! `analysis` (the checks), `report` (outputs), `cli` (the command line).

pub mod analysis;
#[cfg(feature = "gui")]
pub mod app;
pub mod cli;
pub mod crs;
pub mod decisions;
pub mod fix;
pub mod fonts;
pub mod io;
pub mod load;
pub mod messages;
pub mod model;
pub mod platform;
pub mod progress;
pub mod report;
pub mod spatial;
#[cfg(test)]
mod test_rng;
