//! The error type of `itsm-core`.

use rust_decimal::Decimal;

/// Why a value of this crate could not be built or combined.
///
/// Messages are lowercase and quote the offending value in backticks, so an embedding tool can
/// show them to a user as they are.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A document of a format version this build does not read.
    #[error("format {found} is not one this build reads (it reads {reads})")]
    UnknownFormat {
        /// The version found.
        found: String,
        /// The versions this build reads, in words.
        reads: String,
    },
    /// A document that carries no format version.
    #[error("the document carries no `format` (this build reads {reads})")]
    MissingFormat {
        /// The versions this build reads, in words.
        reads: String,
    },
    /// A string is not a valid id.
    #[error("`{value}` is not a valid {kind} id: {reason}")]
    InvalidId {
        /// The kind of record the id was meant for.
        kind: &'static str,
        /// The rejected text.
        value: String,
        /// Why it was rejected.
        reason: String,
    },
    /// A period whose end is before its start.
    #[error("period end `{end}` is before its start `{start}`")]
    PeriodEndsBeforeStart {
        /// The start that was given.
        start: String,
        /// The end that was given.
        end: String,
    },
    /// A service window that is empty or leaves the day.
    #[error(
        "service window on {day} from minute {start_minute} to minute {end_minute} is invalid: {reason}"
    )]
    InvalidWindow {
        /// The weekday of the window, or the date of an exceptional opening.
        day: String,
        /// Start, in minutes after local midnight.
        start_minute: u16,
        /// End, in minutes after local midnight.
        end_minute: u16,
        /// Why it was rejected.
        reason: &'static str,
    },
    /// Two service windows of the same day overlap.
    #[error(
        "service windows on {day} overlap: minutes {first_start}..{first_end} and {second_start}..{second_end}"
    )]
    OverlappingWindows {
        /// The weekday of the windows, or the date of exceptional openings.
        day: String,
        /// Start of the earlier window.
        first_start: u16,
        /// End of the earlier window.
        first_end: u16,
        /// Start of the later window.
        second_start: u16,
        /// End of the later window.
        second_end: u16,
    },
    /// A UTC offset outside +/- 24 hours.
    #[error("utc offset of `{seconds}` seconds is out of range (must be within +/- 86399)")]
    InvalidOffset {
        /// The rejected offset.
        seconds: i32,
    },
    /// A time zone name that is not in the IANA time zone database compiled into the engine.
    #[error(
        "unknown time zone `{name}`: expected an IANA name such as `Europe/London` or `America/New_York`"
    )]
    UnknownTimeZone {
        /// The rejected name.
        name: String,
    },
    /// A calendar that gives both a time zone and a UTC offset, or neither.
    #[error("a calendar needs exactly one of `time_zone` and `utc_offset_seconds`: {reason}")]
    CalendarZone {
        /// What was given.
        reason: &'static str,
    },
    /// A currency code that is not known.
    #[error("unknown currency `{code}`: expected an ISO 4217 code such as `EUR`")]
    UnknownCurrency {
        /// The rejected code.
        code: String,
    },
    /// An amount with more decimals than the currency's minor unit.
    #[error("amount `{amount}` has more decimals than {currency} allows ({minor_units})")]
    TooPrecise {
        /// The rejected amount.
        amount: Decimal,
        /// The currency code.
        currency: &'static str,
        /// How many decimals the currency has.
        minor_units: u32,
    },
    /// Arithmetic on amounts of different currencies.
    #[error("currency mismatch: `{left}` and `{right}` cannot be combined without a conversion")]
    CurrencyMismatch {
        /// The currency of the left operand.
        left: &'static str,
        /// The currency of the right operand.
        right: &'static str,
    },
    /// Arithmetic that left the representable range.
    #[error("arithmetic overflow in {operation}")]
    Overflow {
        /// What was being computed.
        operation: &'static str,
    },
    /// Allocation weights that cannot be used.
    #[error("invalid allocation weights: {reason}")]
    InvalidWeights {
        /// Why they were rejected.
        reason: String,
    },
    /// A scale that is empty, unordered or has duplicate names.
    #[error("invalid scale: {reason}")]
    InvalidScale {
        /// Why it was rejected.
        reason: String,
    },
    /// A scale with more levels than [`Scale::MAX_LEVELS`](crate::Scale::MAX_LEVELS).
    #[error("a scale has at most `{max}` levels; this one has `{count}`")]
    TooManyLevels {
        /// How many levels were given.
        count: usize,
        /// The most a scale may have.
        max: usize,
    },
    /// An instant or date outside the range the engine accepts (see [`crate::bounds`]).
    #[error(
        "`{field}` `{value}` is outside the range the engine accepts (`{earliest}` to `{latest}`)"
    )]
    OutOfRange {
        /// The field that held the value.
        field: &'static str,
        /// The rejected instant or date.
        value: String,
        /// The first instant or date accepted.
        earliest: String,
        /// The last instant or date accepted.
        latest: String,
    },
    /// A number of days outside the range a field accepts (see [`crate::bounds`]).
    #[error("`{field}` of `{value}` days is out of range: it must be from `{min}` to `{max}` days")]
    IntervalOutOfRange {
        /// The field that held the value.
        field: &'static str,
        /// The rejected number of days.
        value: u32,
        /// The fewest days accepted.
        min: u32,
        /// The most days accepted.
        max: u32,
    },
    /// A duration longer than a field accepts (see [`crate::bounds`]).
    #[error("`{field}` of `{value}` is longer than the engine accepts (at most `{max}`)")]
    TooLong {
        /// The field that held the duration.
        field: &'static str,
        /// The rejected duration.
        value: String,
        /// The longest accepted.
        max: String,
    },
    /// A text field that must not be empty.
    #[error("`{field}` must not be empty")]
    Empty {
        /// The field that was empty.
        field: &'static str,
    },
    /// A key, name or text that the engine does not store (see [`crate::text`]).
    #[error("{field} `{value}` is not accepted: {reason}")]
    InvalidText {
        /// The field.
        field: &'static str,
        /// The value, cut to 100 characters.
        value: String,
        /// Why.
        reason: String,
    },
}
