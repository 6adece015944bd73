//! Cross-crate integration tests: one test binary, one module per concern.
#![expect(
    clippy::unwrap_used,
    clippy::panic,
    reason = "integration test helpers: a panic is a failing test"
)]

mod fuzz;
mod impact_example;
mod organisation;
mod scenarios;
mod vocabulary;
