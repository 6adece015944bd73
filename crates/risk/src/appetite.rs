//! Risk appetite and the authority ladder.
//!
//! ISO/IEC 20000-1 6.1 leaves the organisation to decide which risks it accepts and who
//! decides; 5.3 asks that authorities be assigned. A [`RiskAppetite`] holds both: an acceptance
//! threshold per division (divisions may differ), the ladder of which role may decide on risks
//! up to which level, and when to tell top management or copy a risk to the corporate register.
//! Top management may decide on anything, including risks above appetite; nobody else may
//! accept above appetite.

use std::collections::BTreeMap;

use itsm_core::{Actor, Division, Id, Role};
use serde::{Deserialize, Serialize};

use crate::{RiskError, RiskMatrix};

/// A role as people write it in commands and documents (`risk_owner`,
/// `process_owner: change_management`), for messages: never Rust's name for it.
#[must_use]
pub fn role_words(role: &Role) -> String {
    itsm_core::text::as_written(role)
}

/// Whether `actor` may own risks: a risk owner, a risk manager or top management. A risk is
/// never handed to (or identified for) anyone else, so ownership never comes without a role.
#[must_use]
pub fn may_own_risks(actor: &Actor) -> bool {
    [Role::RiskOwner, Role::RiskManager, Role::TopManagement]
        .into_iter()
        .any(|r| actor.has_role(r))
}

/// One rung of the authority ladder.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a rung of the authority ladder with `role` and `up_to`"
)]
pub struct Authority {
    /// The role.
    pub role: Role,
    /// The highest risk level the role may accept, close or re-score.
    pub up_to: String,
}

/// How much risk the organisation accepts, who decides, and when to escalate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RiskAppetite {
    /// The highest level acceptable within appetite where no division threshold applies.
    pub default_threshold: String,
    /// Per-division thresholds.
    #[serde(default)]
    pub divisions: BTreeMap<Id<Division>, String>,
    /// The authority ladder (top management is implicitly unlimited).
    #[serde(default)]
    pub authority: Vec<Authority>,
    /// Risks at or above this level are escalated to top management when they arise or rise.
    pub escalate_at: String,
    /// Risks at or above this level are copied (linked) to the corporate register.
    #[serde(default)]
    pub corporate_at: Option<String>,
}

impl RiskAppetite {
    /// Checks every level name against `matrix` and the ladder for duplicate roles.
    ///
    /// # Errors
    /// [`RiskError::InvalidAppetite`] naming the field, or [`RiskError::DuplicateAuthority`].
    pub fn validate(&self, matrix: &RiskMatrix) -> Result<(), RiskError> {
        let check = |what: String, level: &str| {
            matrix
                .level_rank(level)
                .map(drop)
                .ok_or_else(|| RiskError::InvalidAppetite {
                    reason: format!("{what} names `{level}`, which is not a level of the matrix"),
                })
        };
        check("the default threshold".into(), &self.default_threshold)?;
        for (d, level) in &self.divisions {
            check(format!("the threshold of division `{d}`"), level)?;
        }
        check("`escalate_at`".into(), &self.escalate_at)?;
        if let Some(c) = &self.corporate_at {
            check("`corporate_at`".into(), c)?;
        }
        for (i, a) in self.authority.iter().enumerate() {
            check(
                format!("the authority of `{}`", role_words(&a.role)),
                &a.up_to,
            )?;
            if self.authority.iter().take(i).any(|b| b.role == a.role) {
                return Err(RiskError::DuplicateAuthority { role: a.role });
            }
        }
        Ok(())
    }

    /// The threshold that applies to a division, and whose it is.
    #[must_use]
    pub fn threshold(&self, division: Option<Id<Division>>) -> (&str, String) {
        match division.and_then(|d| self.divisions.get(&d).map(|t| (d, t))) {
            Some((d, t)) => (t, format!("division `{d}`")),
            None => (&self.default_threshold, "the default appetite".to_owned()),
        }
    }

    /// The highest level `actor` may decide on (`None`: no authority at all; top management:
    /// the top of the matrix).
    #[must_use]
    pub fn reach(&self, actor: &Actor, matrix: &RiskMatrix) -> Option<usize> {
        if actor.has_role(Role::TopManagement) {
            return Some(matrix.levels().len().saturating_sub(1));
        }
        self.authority
            .iter()
            .filter(|a| actor.has_role(a.role))
            .filter_map(|a| matrix.level_rank(&a.up_to))
            .max()
    }

    /// Describes the ladder for a level, for error messages: who may decide on it.
    #[must_use]
    pub fn who_may(&self, level_rank: usize, matrix: &RiskMatrix) -> String {
        let mut roles: Vec<String> = self
            .authority
            .iter()
            .filter(|a| matrix.level_rank(&a.up_to).is_some_and(|r| r >= level_rank))
            .map(|a| format!("`{}`", role_words(&a.role)))
            .collect();
        roles.push(format!("`{}`", role_words(&Role::TopManagement)));
        format!("the authority ladder lets {} do so", roles.join(", "))
    }
}
