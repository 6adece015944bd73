//! The `Sms` aggregate: the whole state, one entry point that changes it, and its log.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use itsm_change::{ChangeId, ChangePolicy, ChangeRegister};
use itsm_cmdb::{Baseline, Ci, Cmdb};
use itsm_core::{Actor, Division, Format, Id, Role};
use itsm_risk::{Escalation, Reference, RiskAppetite, RiskMatrix, RiskRegister};
use serde::{Deserialize, Serialize};

use crate::chain::{ChainKey, Digest};
use crate::{Command, EngineError};

/// Something an accepted command caused besides its own effect, for the embedding program to
/// act on (notify top management, show a new reference).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "effect",
    rename_all = "snake_case",
    expecting = "an effect: an object with `effect` and its fields"
)]
pub enum Effect {
    /// A risk was identified and given its reference.
    RiskIdentified {
        /// The scenario key.
        key: String,
        /// The register's reference.
        reference: Reference,
    },
    /// A change was raised and given its reference.
    ChangeRaised {
        /// The scenario key.
        key: String,
        /// `CHG-n`.
        reference: String,
    },
    /// Top management must be told (risk escalated, materialized, copied to corporate).
    Escalated(Escalation),
    /// A change assessment found a high risk and raised it into the register.
    RiskRaisedFromChange {
        /// The change key.
        change: String,
        /// The risk's reference.
        risk: Reference,
    },
    /// A successful change applied its configuration delta.
    ConfigurationApplied {
        /// The change key.
        change: String,
        /// How many CIs the delta touched (added, updated, retired, related or removed), each
        /// counted once, as [`itsm_cmdb::BatchOutcome`] reports them.
        touched: usize,
    },
    /// A continuity assessment or exercise showed a gap not raised before, and raised it into
    /// the continuity register.
    ContinuityRiskRaised {
        /// The assessment's or exercise's key.
        record: String,
        /// The risk's reference.
        risk: Reference,
    },
}

/// One accepted command, as the audit log records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "an event with `seq`, `at`, `actor`, `command`, `effects`, `prev` and `hash`"
)]
pub struct Event {
    /// Position in the log, from 1.
    pub seq: u64,
    /// When (given by the caller).
    pub at: DateTime<Utc>,
    /// Who (actor key).
    pub actor: String,
    /// The command.
    pub command: Command,
    /// What else it caused.
    pub effects: Vec<Effect>,
    /// The digest of the event before it ([`Digest::GENESIS`] for the first).
    pub prev: Digest,
    /// This event's digest (see [`crate::chain`](crate::Digest) for what it covers).
    pub hash: Digest,
}

/// The service management system: organisation, configuration, risks, changes, and the log of
/// every accepted command.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use itsm_engine::{ActorDef, Command, Sms};
/// use itsm_core::Role;
///
/// let mut sms = Sms::new();
/// let at = Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0).unwrap();
/// let ceo = ActorDef { key: "ceo".into(), name: "CEO".into(), roles: [Role::TopManagement].into(), division: None };
/// sms.apply("ceo", at, Command::DefineOrganisation { actors: vec![ceo], divisions: vec![], matrix: None, appetite: None, change_policy: None })?;
/// let replayed = Sms::replay(sms.log())?;
/// assert_eq!(replayed, sms);
/// # Ok::<(), itsm_engine::EngineError>(())
/// ```
///
/// A snapshot (`serde_json::to_string(&sms)`) is read back only when it is exactly what its
/// log produces (see [`Sms::from_snapshot`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Sms {
    /// The snapshot's format version (`"format": 1`), written first.
    pub(crate) format: Format,
    pub(crate) actors: BTreeMap<String, Actor>,
    pub(crate) divisions: BTreeMap<String, Division>,
    pub(crate) cmdb: Cmdb,
    pub(crate) risks: RiskRegister,
    pub(crate) risk_keys: BTreeMap<String, Reference>,
    pub(crate) changes: ChangeRegister,
    pub(crate) change_keys: BTreeMap<String, Id<ChangeId>>,
    pub(crate) baselines: BTreeMap<String, Baseline>,
    /// Availability targets, outages and the service outages kept from them.
    pub(crate) availability: itsm_availability::AvailabilityRegister,
    /// Business impact analyses, recovery details, assessments and exercises.
    pub(crate) continuity: crate::continuity::ContinuityRecords,
    /// The change policy as defined, CIs named by key (the register's copy holds ids).
    pub(crate) policy_def: crate::PolicyDef,
    pub(crate) log: Vec<Event>,
    /// The embedder's key for the log's MAC: never serialized.
    #[serde(skip_serializing)]
    pub(crate) key: Option<ChainKey>,
    /// Keys by id for answers, derived from the log (see `names.rs`): never serialized.
    #[serde(skip_serializing)]
    pub(crate) names: crate::names::Names,
}

impl Sms {
    /// Loads a snapshot written by `serde_json::to_string(&sms)`, checking it against its log
    /// under `key` (the key the engine that wrote it was made with, if any) and, when given,
    /// against the `head` digest the embedder kept or published when it wrote it. Plain
    /// `serde_json::from_str::<Sms>` does the same without a key or head.
    ///
    /// Without `head`, a snapshot cut back to an earlier point of its own history (its last
    /// events dropped and its state rebuilt from the rest) is a consistent, earlier snapshot,
    /// and loads: a chain, keyed or not, cannot tell that events are missing at its end. The
    /// kept head can.
    ///
    /// # Errors
    /// [`EngineError::Snapshot`] (not a snapshot: malformed JSON, or a log that cannot be
    /// read), [`EngineError::Chain`] (a broken chain, naming the event),
    /// [`EngineError::Replay`] (an event its command no longer produces, naming it),
    /// [`EngineError::SnapshotDiffers`] (a stored record that is not what the log produces,
    /// named by key), [`EngineError::SnapshotHead`] (another head than `head`).
    pub fn from_snapshot(
        json: &str,
        key: Option<&ChainKey>,
        head: Option<Digest>,
    ) -> Result<Self, EngineError> {
        let sms = Self::from_text(json, key)?;
        if let Some(kept) = head {
            if sms.head() != kept {
                return Err(EngineError::SnapshotHead {
                    events: sms.log.len(),
                    head: sms.head().to_string(),
                    kept: kept.to_string(),
                });
            }
        }
        Ok(sms)
    }
}

impl Default for Sms {
    fn default() -> Self {
        Self::new()
    }
}

/// The appetite of an engine nobody configured: accept up to Medium, escalate at High.
pub(crate) fn default_appetite() -> RiskAppetite {
    RiskAppetite {
        default_threshold: "Medium".into(),
        divisions: BTreeMap::new(),
        authority: Vec::new(),
        escalate_at: "High".into(),
        corporate_at: None,
    }
}

impl Sms {
    /// An empty engine on the standard 5x5 matrix, with no actors and nothing under change
    /// control; `define_organisation` sets it up.
    #[must_use]
    #[expect(
        clippy::expect_used,
        reason = "the default appetite and policy are constants that fit the standard matrix (unit-tested)"
    )]
    pub fn new() -> Self {
        let matrix = RiskMatrix::standard_5x5();
        Self {
            format: Format::CURRENT,
            actors: BTreeMap::new(),
            divisions: BTreeMap::new(),
            cmdb: Cmdb::new(),
            risks: RiskRegister::new(matrix.clone(), default_appetite())
                .expect("default appetite fits"),
            risk_keys: BTreeMap::new(),
            changes: ChangeRegister::new(ChangePolicy::default(), matrix)
                .expect("default policy fits"),
            change_keys: BTreeMap::new(),
            baselines: BTreeMap::new(),
            availability: itsm_availability::AvailabilityRegister::new(),
            continuity: crate::continuity::ContinuityRecords::default(),
            policy_def: crate::PolicyDef::default(),
            log: Vec::new(),
            key: None,
            names: crate::names::Names::default(),
        }
    }

    /// An empty engine whose log is a MAC under `key` (see [`ChainKey`]): only someone with
    /// the key can produce a chain it accepts.
    #[must_use]
    pub fn with_key(key: ChainKey) -> Self {
        Self {
            key: Some(key),
            ..Self::new()
        }
    }

    /// The digest of the last logged event ([`Digest::GENESIS`] for an empty log): keep or
    /// publish it, and any later rewrite of the history shows as a different head.
    #[must_use]
    pub fn head(&self) -> Digest {
        self.log.last().map_or(Digest::GENESIS, |e| e.hash)
    }

    /// The configuration graph.
    #[must_use]
    pub const fn cmdb(&self) -> &Cmdb {
        &self.cmdb
    }

    /// The risk register.
    #[must_use]
    pub const fn risks(&self) -> &RiskRegister {
        &self.risks
    }

    /// The change register.
    #[must_use]
    pub const fn changes(&self) -> &ChangeRegister {
        &self.changes
    }

    /// The actor with this key.
    #[must_use]
    pub fn actor(&self, key: &str) -> Option<&Actor> {
        self.actors.get(key)
    }

    /// The reference of the risk with this key.
    #[must_use]
    pub fn risk_reference(&self, key: &str) -> Option<Reference> {
        self.risk_keys.get(key).copied()
    }

    /// The id of the change with this key.
    #[must_use]
    pub fn change_id(&self, key: &str) -> Option<Id<ChangeId>> {
        self.change_keys.get(key).copied()
    }

    /// The baseline with this name.
    #[must_use]
    pub fn baseline(&self, name: &str) -> Option<&Baseline> {
        self.baselines.get(name)
    }

    /// Every accepted command, in order.
    #[must_use]
    pub fn log(&self) -> &[Event] {
        &self.log
    }

    /// Rebuilds the state from a log (unkeyed): every event is applied again and must give the
    /// same record, digests included.
    ///
    /// # Errors
    /// [`EngineError::Replay`] naming the first event that is out of sequence, refused, or
    /// recorded otherwise than its command now produces.
    pub fn replay(events: &[Event]) -> Result<Self, EngineError> {
        Self::replay_keyed(events, None)
    }

    /// As [`Sms::replay`], for a log written under `key`.
    ///
    /// # Errors
    /// As [`Sms::replay`].
    pub fn replay_keyed(events: &[Event], key: Option<&ChainKey>) -> Result<Self, EngineError> {
        let mut sms = Self::new();
        sms.key = key.cloned();
        for (i, e) in events.iter().enumerate() {
            // Named by its place in the log, which is what a reader counts (the number it
            // carries may be anything).
            let seq = u64::try_from(i + 1).unwrap_or(u64::MAX);
            if e.seq != seq {
                return Err(EngineError::Replay {
                    seq,
                    reason: format!(
                        "the log holds event {} in its place: events were removed, inserted or reordered",
                        e.seq
                    ),
                });
            }
            let what = format!("`{}` by `{}`", e.command.op(), crate::excerpt(&e.actor));
            let got = sms
                .apply(&e.actor, e.at, e.command.clone())
                .map_err(|err| EngineError::Replay {
                    seq,
                    reason: format!("{what} is refused: {err}"),
                })?;
            if got.first() != Some(e) {
                return Err(EngineError::Replay {
                    seq,
                    reason: format!(
                        "{what} gives another record than the one logged (effects or digests differ)"
                    ),
                });
            }
        }
        Ok(sms)
    }

    pub(crate) fn actor_or_err(&self, key: &str) -> Result<&Actor, EngineError> {
        self.actors
            .get(key)
            .ok_or_else(|| EngineError::UnknownActor {
                key: crate::excerpt(key),
            })
    }

    pub(crate) fn division_id(&self, key: &str) -> Result<Id<Division>, EngineError> {
        self.divisions
            .get(key)
            .map(|d| d.id)
            .ok_or_else(|| EngineError::UnknownDivision {
                key: crate::excerpt(key),
            })
    }

    pub(crate) fn require(
        actor: &Actor,
        key: &str,
        roles: &[Role],
        action: &str,
    ) -> Result<(), EngineError> {
        if actor.has_role(Role::TopManagement) || roles.iter().any(|r| actor.has_role(*r)) {
            return Ok(());
        }
        let mut needs: Vec<String> = roles
            .iter()
            .map(|r| format!("`{}`", itsm_risk::role_words(r)))
            .collect();
        needs.push("`top_management`".into());
        Err(EngineError::NotAuthorized {
            actor: crate::excerpt(key),
            action: action.to_owned(),
            needs: format!("one of the roles {}", needs.join(", ")),
        })
    }

    /// Refuses a direct edit of a CI under change control.
    pub(crate) fn outside_change_control(
        &self,
        ci: &Ci,
        action: &'static str,
    ) -> Result<(), EngineError> {
        if let Some(rule) = self.changes.policy().scope.controlling_rule(ci) {
            return Err(EngineError::ChangeControlled {
                ci: ci.key.clone(),
                action,
                rule,
            });
        }
        Ok(())
    }
}
