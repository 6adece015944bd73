//! Cross-crate integration tests: one test binary, one module per concern.
#![expect(
    clippy::unwrap_used,
    clippy::panic,
    reason = "integration test helpers: a panic is a failing test"
)]

mod answers;
mod fuzz;
mod impact_example;
mod maps;
mod organisation;
mod readme;
mod scenarios;
mod vocabulary;
