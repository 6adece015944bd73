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

use crate::{RiskError, RiskLevel, RiskMatrix};

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

/// How much risk the organisation accepts, who decides, and when to escalate: the definition,
/// with levels named as the matrix names them and divisions by key.
///
/// A [`crate::RiskRegister`] resolves it against its matrix once, when the register is built:
/// an unknown level name is refused there, and every decision compares ranked
/// [`RiskLevel`]s.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a risk appetite with `default_threshold`, `escalate_at` and optionally `divisions`, `authority` and `corporate_at`"
)]
pub struct RiskAppetite {
    /// The highest level acceptable within appetite where no division threshold applies.
    pub default_threshold: String,
    /// Per-division thresholds, by division key (`"retail": "Medium"`).
    #[serde(default)]
    pub divisions: BTreeMap<String, String>,
    /// The authority ladder (top management is implicitly unlimited).
    #[serde(default)]
    pub authority: Vec<Authority>,
    /// Risks at or above this level are escalated to top management when they arise or rise.
    pub escalate_at: String,
    /// Risks at or above this level are copied (linked) to the corporate register.
    #[serde(default)]
    pub corporate_at: Option<String>,
}

/// A [`RiskAppetite`] resolved against a matrix: every level ranked, divisions by id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Resolved {
    default_threshold: RiskLevel,
    divisions: BTreeMap<Id<Division>, (String, RiskLevel)>,
    authority: Vec<(Role, RiskLevel)>,
    pub(crate) escalate_at: RiskLevel,
    pub(crate) corporate_at: Option<RiskLevel>,
    top: RiskLevel,
}

impl RiskAppetite {
    /// Resolves every level name against `matrix` and checks the ladder for duplicate roles.
    ///
    /// # Errors
    /// [`RiskError::InvalidAppetite`] naming the field, or [`RiskError::DuplicateAuthority`].
    pub fn validate(&self, matrix: &RiskMatrix) -> Result<(), RiskError> {
        self.resolve(matrix).map(drop)
    }

    pub(crate) fn resolve(&self, matrix: &RiskMatrix) -> Result<Resolved, RiskError> {
        let level = |what: String, name: &str| {
            matrix.level(name).map_err(|_| RiskError::InvalidAppetite {
                reason: format!("{what} names `{name}`, which is not a level of the matrix"),
            })
        };
        let mut divisions = BTreeMap::new();
        for (key, name) in &self.divisions {
            itsm_core::text::check_key("division key", key).map_err(|e| {
                RiskError::InvalidAppetite {
                    reason: e.to_string(),
                }
            })?;
            let l = level(format!("the threshold of division `{key}`"), name)?;
            divisions.insert(Id::from_key(key), (key.clone(), l));
        }
        let mut authority = Vec::with_capacity(self.authority.len());
        for (i, a) in self.authority.iter().enumerate() {
            let l = level(
                format!("the authority of `{}`", role_words(&a.role)),
                &a.up_to,
            )?;
            if self.authority.iter().take(i).any(|b| b.role == a.role) {
                return Err(RiskError::DuplicateAuthority { role: a.role });
            }
            authority.push((a.role, l));
        }
        Ok(Resolved {
            default_threshold: level("the default threshold".into(), &self.default_threshold)?,
            divisions,
            authority,
            escalate_at: level("`escalate_at`".into(), &self.escalate_at)?,
            corporate_at: self
                .corporate_at
                .as_deref()
                .map(|c| level("`corporate_at`".into(), c))
                .transpose()?,
            top: matrix.top_level(),
        })
    }
}

impl Resolved {
    /// The threshold that applies to a division, and whose it is, in the user's words
    /// (`the appetite of division `retail``, `the default appetite`).
    pub(crate) fn threshold(&self, division: Option<Id<Division>>) -> (&RiskLevel, String) {
        match division.and_then(|d| self.divisions.get(&d)) {
            Some((key, t)) => (t, format!("the appetite of division `{key}`")),
            None => (&self.default_threshold, "the default appetite".to_owned()),
        }
    }

    /// The highest level `actor` may decide on (`None`: no authority at all; top management:
    /// the top of the matrix).
    pub(crate) fn reach(&self, actor: &Actor) -> Option<&RiskLevel> {
        if actor.has_role(Role::TopManagement) {
            return Some(&self.top);
        }
        self.authority
            .iter()
            .filter(|(role, _)| actor.has_role(*role))
            .map(|(_, l)| l)
            .max()
    }

    /// Describes the ladder for a level, for error messages: who may decide on it.
    pub(crate) fn who_may(&self, level: &RiskLevel) -> String {
        let mut roles: Vec<String> = self
            .authority
            .iter()
            .filter(|(_, up_to)| up_to >= level)
            .map(|(role, _)| format!("`{}`", role_words(role)))
            .collect();
        roles.push(format!("`{}`", role_words(&Role::TopManagement)));
        format!("the authority ladder lets {} do so", roles.join(", "))
    }
}
