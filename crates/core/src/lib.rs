//! # itsm-core: the shared vocabulary of the engine
//!
//! Every other `itsm` crate speaks in the types defined here, so that a risk, a change and a
//! configuration item agree on what an id, a period of time, an amount of money or a level on a
//! scale is. Nothing here does I/O or reads a clock: time is always an argument.
//!
//! - [`Id`]: a typed UUID per kind of record (`Id<Ci>`, `Id<Actor>` ...). Ids are given by the
//!   caller or derived from a human key with [`Id::from_key`] (UUID v5 under a namespace fixed per
//!   kind), so the same key always yields the same id.
//! - [`Period`]: a half-open span of time `[start, end)` with overlap and intersection, always
//!   within the range of time the engine accepts.
//! - [`bounds`]: that range (years 1900 through 9999, UTC), the checks for instants and dates
//!   taken from callers, and the longest intervals the engine takes (review intervals, change
//!   windows).
//! - [`Calendar`]: agreed service hours (weekly windows in a fixed UTC offset, closed dates,
//!   or 24x7) and the hours of service within a period, on which availability targets
//!   (ISO/IEC 20000-1 8.3.3, 8.7.1) will be measured.
//! - [`Money`] and [`Currency`]: exact amounts, never `f64`; adding different currencies is an
//!   error; [`Money::allocate`] splits an amount by weights exactly to the minor unit, so the
//!   parts always sum to the whole (8.4.1 budgeting and accounting).
//! - [`Scale`]: validated ordinal levels (impact, likelihood, criticality ...) (6.1).
//! - [`Format`]: the version every external document carries (`"format": 1`).
//! - [`Actor`], [`Role`], [`Process`], [`Division`]: who acts, with which authority, in which
//!   part of the organisation (5.3 roles, responsibilities and authorities).
//!
//! ```
//! use itsm_core::{Currency, Money};
//! use rust_decimal::Decimal;
//!
//! let rent = Money::new(Decimal::new(10_000, 2), Currency::EUR)?; // 100.00 EUR
//! let parts = rent.allocate(&[Decimal::ONE, Decimal::ONE, Decimal::ONE])?;
//! assert_eq!(parts.iter().map(|m| m.amount()).sum::<Decimal>(), rent.amount());
//! assert_eq!(parts[0].to_string(), "33.34 EUR");
//! # Ok::<(), itsm_core::Error>(())
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod actor;
pub mod bounds;
mod calendar;
mod error;
mod format;
mod id;
mod money;
mod period;
mod scale;
pub mod text;

pub use actor::{Actor, Division, Process, Role};
pub use calendar::{Calendar, Opening, ServiceHours, ServiceWindow, Zone};
pub use error::Error;
pub use format::{FORMATS_READ, Format, reads as formats_read};
pub use id::{Entity, Id, entity};
pub use money::{Currency, Money};
pub use period::Period;
pub use scale::{Level, Scale};
pub use uuid::Uuid;
