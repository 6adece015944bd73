//! The version of the engine's external formats.
//!
//! What leaves or enters the engine as a document (a scenario document, a snapshot, a command
//! or query of the JSON surface, and every answer) carries `"format": 1`, so that a reader knows
//! which shape it holds and a later build can read older documents or refuse them by name. A
//! document of a version this build does not read is refused, naming the versions it reads. This
//! supports ISO/IEC 20000-1 7.5 (documented information kept usable and controlled over time).

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The versions of the external formats this build reads, oldest first; the last is the one
/// it writes.
pub const FORMATS_READ: [u32; 1] = [1];

/// The `"format"` field of an external document: serializes as the version this build writes
/// and reads only a version in [`FORMATS_READ`].
///
/// ```
/// use itsm_core::Format;
///
/// assert_eq!(serde_json::to_string(&Format::CURRENT).unwrap(), "1");
/// assert_eq!(serde_json::from_str::<Format>("1").unwrap(), Format::CURRENT);
/// let err = serde_json::from_str::<Format>("2").unwrap_err().to_string();
/// assert!(err.starts_with("format 2 is not one this build reads (it reads format 1)"), "{err}");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Format(u32);

impl Format {
    /// The version this build writes.
    pub const CURRENT: Self = Self(1);

    /// The version number.
    #[must_use]
    pub const fn version(self) -> u32 {
        self.0
    }

    /// The version `n`, if this build reads it.
    ///
    /// # Errors
    /// [`crate::Error::UnknownFormat`] naming the versions this build reads.
    pub fn read(n: u64) -> Result<Self, crate::Error> {
        u32::try_from(n)
            .ok()
            .filter(|v| FORMATS_READ.contains(v))
            .map(Self)
            .ok_or_else(|| crate::Error::UnknownFormat {
                found: n.to_string(),
                reads: reads(),
            })
    }

    /// Reads the `format` of a document seen as JSON text rather than through serde: `found`
    /// is the value as written (`None`: absent), `number` the same as a whole number if it is
    /// one.
    ///
    /// # Errors
    /// [`crate::Error::MissingFormat`] when absent, [`crate::Error::UnknownFormat`] when not a
    /// whole number or not read here.
    pub fn check(found: Option<String>, number: Option<u64>) -> Result<Self, crate::Error> {
        match (found, number) {
            (_, Some(n)) => Self::read(n),
            (Some(found), None) => Err(crate::Error::UnknownFormat {
                found,
                reads: reads(),
            }),
            (None, None) => Err(crate::Error::MissingFormat { reads: reads() }),
        }
    }

    /// The refusal of a document that carries no format.
    #[must_use]
    pub fn missing() -> crate::Error {
        crate::Error::MissingFormat { reads: reads() }
    }
}

impl Default for Format {
    fn default() -> Self {
        Self::CURRENT
    }
}

/// The versions this build reads, in words (`format 1`, `formats 1, 2`).
#[must_use]
pub fn reads() -> String {
    let list: Vec<String> = FORMATS_READ.iter().map(ToString::to_string).collect();
    if list.len() == 1 {
        format!("format {}", list.join(", "))
    } else {
        format!("formats {}", list.join(", "))
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl Serialize for Format {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u32(self.0)
    }
}

impl<'de> Deserialize<'de> for Format {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Format;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "a format version ({})", reads())
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Format, E> {
                Format::read(v).map_err(E::custom)
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Format, E> {
                match u64::try_from(v) {
                    Ok(v) => self.visit_u64(v),
                    Err(_) => Err(E::custom(crate::Error::UnknownFormat {
                        found: v.to_string(),
                        reads: reads(),
                    })),
                }
            }
        }
        deserializer.deserialize_u64(Visitor)
    }
}
