//! Review decisions per finding: the engine's [`crate::decisions`], re-exported for the app.

pub use crate::decisions::*;
