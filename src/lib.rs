//! `itsm`: facade over the engine's crates.
pub use itsm_core as core;
