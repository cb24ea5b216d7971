//! Geometry services: building valid polygons from raw rings, spatial indexes, overlay helpers.

pub mod connect;
pub mod edit;
pub mod ellipsoid;
pub mod frame;
pub mod guard;
pub mod index;
pub mod overlay;
pub mod repair;
pub mod roi;
pub mod simplify;
pub mod sliver;
