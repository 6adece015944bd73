//! Errors of the availability crate's measurements.

use thiserror::Error;

/// Why a measurement was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum AvailabilityError {
    /// A percentage outside 0..=100.
    #[error("availability target `{value}` is out of range: a percentage from 0 to 100")]
    Percent {
        /// The value given.
        value: String,
    },
    /// An instant with a fraction of a second: durations are whole seconds.
    #[error("{field} `{at}` has a fraction of a second: availability is measured in whole seconds")]
    SubSecond {
        /// Which instant.
        field: &'static str,
        /// The instant given.
        at: String,
    },
    /// A period that cannot be measured.
    #[error("the period to measure is invalid: {reason}")]
    Period {
        /// Why.
        reason: &'static str,
    },
    /// Bounds the engine does not accept.
    #[error("{field} is invalid: {reason}")]
    Bounds {
        /// Which bounds.
        field: &'static str,
        /// Why.
        reason: String,
    },
    /// A figure that does not fit its type (not reachable within the engine's time range).
    #[error("an availability figure overflowed")]
    Overflow,
}
