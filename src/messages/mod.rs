//! The engine's language table: every warning, error and note a user reads, in Chinese and
//! English, as functions returning [`Text`](crate::model::Text). One submodule per area, so
//! that a message is found (and translated) in one place; the app's own strings live in
//! `app::i18n`.

pub mod cli;
pub mod decisions;
pub mod fields;
pub mod fix;
pub mod gpkg;
pub mod io;
pub mod load;
pub mod report;

pub use crate::model::Text;
