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
    /// An outage key recorded twice.
    #[error("outage `{key}` is already recorded")]
    DuplicateOutage {
        /// The key.
        key: String,
    },
    /// An outage key not recorded.
    #[error("no outage `{key}` is recorded")]
    UnknownOutage {
        /// The key.
        key: String,
    },
    /// An outage that has already ended.
    #[error("outage `{key}` already ended at {end}")]
    OutageEnded {
        /// The key.
        key: String,
        /// Its end.
        end: String,
    },
    /// A start or end after the time of recording: outages are recorded as they happen.
    #[error(
        "outage `{key}` {field} {value} is after the time of recording {at}: record an outage once it has started and end it once it is over"
    )]
    OutageInFuture {
        /// The key.
        key: String,
        /// `start` or `end`.
        field: &'static str,
        /// The instant given.
        value: String,
        /// The time of recording.
        at: String,
    },
    /// An end before the start.
    #[error("outage `{key}` ends at {end}, before it starts at {start}")]
    OutageBackwards {
        /// The key.
        key: String,
        /// Its start.
        start: String,
        /// The end given.
        end: String,
    },
    /// A target set before the service's last setting.
    #[error("a target set at {at} would precede the service's last setting at {last}")]
    TargetOrder {
        /// The time given.
        at: String,
        /// The last setting.
        last: String,
    },
    /// The configuration graph refused a query (an outage of a CI it no longer holds).
    #[error("the configuration refused the outage derivation: {reason}")]
    Cmdb {
        /// Why.
        reason: String,
    },
    /// A figure that does not fit its type (not reachable within the engine's time range).
    #[error("an availability figure overflowed")]
    Overflow,
}
