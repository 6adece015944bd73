//! The one place a CI key becomes a CI id.
//!
//! CIs added through the engine take the id their key derives to (UUID v5); imported CIs keep
//! the ids they came with. So a key is looked up in the CMDB's key index first, and only a key
//! the CMDB does not hold falls back to the id a CI added with that key will get (policies name
//! CIs that may not exist yet). A command that acts on an existing CI goes through
//! [`existing_ci`], which never lets a key reach a CI with another key: the confusion an
//! imported id equal to another key's derived id would cause is refused, naming both keys.

use itsm_cmdb::{Ci, Cmdb, CmdbError};
use itsm_core::Id;

use crate::EngineError;

/// The id `key` names: the CI with that key, else the id a CI added with that key will get.
pub(crate) fn ci_id(cmdb: &Cmdb, key: &str) -> Id<Ci> {
    cmdb.ci_by_key(key)
        .map_or_else(|| Id::from_key(key), |c| c.id)
}

/// The existing CI with this key.
///
/// # Errors
/// [`EngineError::KeyCollision`] when no CI has the key but its derived id belongs to a CI
/// with another key; [`EngineError::Cmdb`] (unknown key) otherwise.
pub(crate) fn existing_ci<'a>(cmdb: &'a Cmdb, key: &str) -> Result<&'a Ci, EngineError> {
    if let Some(c) = cmdb.ci_by_key(key) {
        return Ok(c);
    }
    if let Some(holder) = cmdb.ci(Id::from_key(key)) {
        return Err(EngineError::KeyCollision {
            key: crate::excerpt(key),
            holder: holder.key.clone(),
        });
    }
    Err(CmdbError::UnknownKey {
        key: crate::excerpt(key),
    }
    .into())
}

/// Refuses a key that names no CI while the id it derives to is held by a CI with another key.
///
/// # Errors
/// [`EngineError::KeyCollision`].
pub(crate) fn existing_or_free(cmdb: &Cmdb, key: &str) -> Result<(), EngineError> {
    match existing_ci(cmdb, key) {
        Err(e @ EngineError::KeyCollision { .. }) => Err(e),
        _ => Ok(()),
    }
}
