//! Commands: everything that changes the state, as serde data (`"op"` names the command).
//!
//! Records are named by human keys, as people write them in scenarios: actors (`"ceo"`),
//! divisions, CIs (`"svc-online-banking"`), parties (`"fastnet-isp"`), risks and changes
//! (`"isp-gap"`, `"chg-upgrade"`). Ids derive from keys (UUID v5), so the same key always names
//! the same record.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, Utc};
use itsm_change::{
    ApprovalRule, Category, Factor, FactorLevel, MajorCriteria, Nature, NotDoing, Objective,
    Outcome, StandardModel,
};
use itsm_cmdb::{AttrValue, CiKind, CiStatus, Criticality, RelationKind};
use itsm_core::{Calendar, Money, Role};
use itsm_risk::{MatrixDefinition, Pillar, RiskKind, RiskSource};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// An actor of the organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "an actor with `key`, `name` and optionally `roles` and `division`"
)]
pub struct ActorDef {
    /// Key.
    pub key: String,
    /// Display name.
    pub name: String,
    /// Roles.
    #[serde(default)]
    pub roles: BTreeSet<Role>,
    /// Division key.
    #[serde(default)]
    pub division: Option<String>,
}

/// A division of the organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a division with `key` and `name`")]
pub struct DivisionDef {
    /// Key.
    pub key: String,
    /// Display name.
    pub name: String,
}

/// The risk appetite, with divisions named by key: the risk register's own definition
/// ([`itsm_risk::RiskAppetite`]), so the engine and the register read one shape. Every division
/// key must name a division of the organisation.
pub type AppetiteDef = itsm_risk::RiskAppetite;

/// One scope rule of the change policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a scope rule with `controlled` and optionally `kind` and `attribute`"
)]
pub struct ScopeRuleDef {
    /// CI kind (`"hardware"`, `{"other": "peripheral"}`), any when absent; an unknown kind is
    /// refused with the valid ones listed.
    #[serde(default)]
    pub kind: Option<itsm_cmdb::CiKindName>,
    /// Attribute name and value the CI must have.
    #[serde(default)]
    pub attribute: Option<(String, AttrValue)>,
    /// Whether matching CIs are under change control.
    pub controlled: bool,
}

/// A freeze, with services named by key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a freeze with `name`, `start`, `end` and optionally `services`"
)]
pub struct BlackoutDef {
    /// Name.
    pub name: String,
    /// Start.
    pub start: DateTime<Utc>,
    /// End.
    pub end: DateTime<Utc>,
    /// Service keys (every service when empty).
    #[serde(default)]
    pub services: Vec<String>,
}

/// The change policy, with CIs named by key.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    deny_unknown_fields,
    default,
    expecting = "a change policy with any of `scope`, `include`, `exclude`, `models`, `major`, `approvals`, `allow_self_approval`, `blackouts`, `maintenance` and `objectives`"
)]
pub struct PolicyDef {
    /// Scope rules, first match wins.
    pub scope: Vec<ScopeRuleDef>,
    /// CI keys always under change control.
    pub include: Vec<String>,
    /// CI keys never under change control.
    pub exclude: Vec<String>,
    /// Standard change models.
    pub models: Vec<StandardModel>,
    /// Major-impact criteria.
    pub major: MajorCriteria,
    /// The approval matrix.
    pub approvals: Vec<ApprovalRule>,
    /// Allow requesters and implementers to approve their own changes (off by default).
    pub allow_self_approval: bool,
    /// Freezes.
    pub blackouts: Vec<BlackoutDef>,
    /// Maintenance windows by service key.
    pub maintenance: BTreeMap<String, Calendar>,
    /// Objectives.
    pub objectives: Vec<Objective>,
}

/// Who provides a CI, with parties named by key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    rename_all = "snake_case",
    expecting = "a provision: `internal`, or `{\"external_supplier\": \"party\"}`, `{\"internal_supplier\": \"party\"}` or `{\"customer_as_supplier\": \"party\"}`"
)]
pub enum ProvisionDef {
    /// The organisation.
    Internal,
    /// An external supplier.
    ExternalSupplier(String),
    /// An internal supplier.
    InternalSupplier(String),
    /// A customer acting as a supplier.
    CustomerAsSupplier(String),
}

/// An impact and a likelihood by level name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a rating with `impact` and `likelihood`"
)]
pub struct ScoreDef {
    /// Impact level.
    pub impact: String,
    /// Likelihood level.
    pub likelihood: String,
}

/// Links of a risk, by key.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    deny_unknown_fields,
    default,
    expecting = "links with any of `cis`, `suppliers` and `changes`"
)]
pub struct LinksDef {
    /// CI keys.
    pub cis: Vec<String>,
    /// Supplier (party) keys.
    pub suppliers: Vec<String>,
    /// Change keys.
    pub changes: Vec<String>,
}

/// A risk treatment other than acceptance (see `accept_risk`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", from = "TreatmentRecord")]
pub enum TreatmentDef {
    /// Mitigate with actions.
    Mitigate,
    /// Transfer to a party.
    Transfer {
        /// Party key.
        to: String,
        /// How.
        arrangement: String,
    },
    /// Avoid.
    Avoid {
        /// How.
        how: String,
    },
}

/// A new CI, with records named by key: what `add_ci` takes, and what a change's delta adds
/// (one definition, turned into a CI by one function, so both accept and refuse the same).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a CI with `key`, `name`, `kind` and optionally `criticality`, `status`, `provision`, `owner` and `attributes`"
)]
pub struct CiDef {
    /// Key.
    pub key: String,
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: CiKind,
    /// Criticality (medium when absent).
    #[serde(default)]
    pub criticality: Option<Criticality>,
    /// Status (active when absent).
    #[serde(default)]
    pub status: Option<CiStatus>,
    /// Provision (internal when absent).
    #[serde(default)]
    pub provision: Option<ProvisionDef>,
    /// Owner (actor key).
    #[serde(default)]
    pub owner: Option<String>,
    /// Attributes.
    #[serde(default)]
    pub attributes: BTreeMap<String, AttrValue>,
}

impl CiDef {
    /// A definition with this key, name and kind, everything else as the defaults.
    #[must_use]
    pub fn new(key: impl Into<String>, name: impl Into<String>, kind: CiKind) -> Self {
        Self {
            key: key.into(),
            name: name.into(),
            kind,
            criticality: None,
            status: None,
            provision: None,
            owner: None,
            attributes: BTreeMap::new(),
        }
    }
}

/// How a [`TreatmentDef`] is read: each treatment's fields as a struct that says what it
/// expects (serde would name the Rust variant of a malformed one).
#[derive(Deserialize)]
#[serde(
    rename_all = "snake_case",
    expecting = "a treatment: `mitigate`, `{\"transfer\": {\"to\": \"party\", \"arrangement\": \"...\"}}` or `{\"avoid\": {\"how\": \"...\"}}`"
)]
enum TreatmentRecord {
    Mitigate,
    Transfer(TransferRecord),
    Avoid(AvoidRecord),
}

#[derive(Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a transfer with `to` (a party key) and `arrangement`"
)]
struct TransferRecord {
    to: String,
    arrangement: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "an avoidance with `how`")]
struct AvoidRecord {
    how: String,
}

impl From<TreatmentRecord> for TreatmentDef {
    fn from(r: TreatmentRecord) -> Self {
        match r {
            TreatmentRecord::Mitigate => Self::Mitigate,
            TreatmentRecord::Transfer(t) => Self::Transfer {
                to: t.to,
                arrangement: t.arrangement,
            },
            TreatmentRecord::Avoid(a) => Self::Avoid { how: a.how },
        }
    }
}

/// One edit of a change's configuration delta, with CIs named by key. The CI it adds and the
/// update it makes are the definitions `add_ci` and `update_ci` take ([`CiDef`],
/// [`CiUpdateDef`]), checked by the same code: a delta sets every field a direct edit can.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "edit",
    rename_all = "snake_case",
    deny_unknown_fields,
    expecting = "an edit of the delta: an object with `edit` (`add_ci`, `update_ci`, `retire_ci`, `relate` or `unrelate`) and its fields"
)]
pub enum DeltaDef {
    /// Add a CI.
    AddCi(CiDef),
    /// Update a CI.
    UpdateCi {
        /// The CI.
        ci: String,
        /// The changes.
        update: CiUpdateDef,
    },
    /// Retire a CI.
    RetireCi {
        /// The CI.
        ci: String,
    },
    /// Relate two CIs.
    Relate {
        /// Source key.
        from: String,
        /// Kind.
        kind: RelationKind,
        /// Target key.
        to: String,
    },
    /// Remove a relation.
    Unrelate {
        /// Source key.
        from: String,
        /// Kind.
        kind: RelationKind,
        /// Target key.
        to: String,
    },
}

/// Changes to a CI's fields, records named by key: what `update_ci` takes, and what a
/// change's delta updates.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    deny_unknown_fields,
    default,
    expecting = "an update with any of `name`, `status`, `criticality`, `set_attributes` and `remove_attributes`"
)]
pub struct CiUpdateDef {
    /// New name.
    pub name: Option<String>,
    /// New status.
    pub status: Option<CiStatus>,
    /// New criticality.
    pub criticality: Option<Criticality>,
    /// New provision.
    pub provision: Option<ProvisionDef>,
    /// New owner (actor key).
    pub owner: Option<String>,
    /// Attributes to set.
    pub set_attributes: BTreeMap<String, AttrValue>,
    /// Attributes to remove.
    pub remove_attributes: BTreeSet<String>,
}

/// A command. See the module docs for how records are named.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "op",
    rename_all = "snake_case",
    deny_unknown_fields,
    expecting = "a command: an object with `op` and its fields"
)]
pub enum Command {
    /// Defines actors, divisions, the risk matrix and appetite, and the change policy. Allowed
    /// to bootstrap an empty engine (the acting actor must be one of the actors defined, with
    /// top management), and afterwards to top management while no risk or change exists.
    DefineOrganisation {
        /// Actors.
        actors: Vec<ActorDef>,
        /// Divisions.
        #[serde(default)]
        divisions: Vec<DivisionDef>,
        /// The risk matrix (standard 5x5 when absent).
        #[serde(default)]
        matrix: Option<Box<MatrixDefinition>>,
        /// The appetite (Medium threshold, escalate at High when absent).
        #[serde(default)]
        appetite: Option<Box<AppetiteDef>>,
        /// The change policy (nothing under change control when absent).
        #[serde(default)]
        change_policy: Option<Box<PolicyDef>>,
    },
    /// Adds a CI (refused for CIs under change control: add them through a change).
    AddCi(CiDef),
    /// Updates a CI outside change control.
    UpdateCi {
        /// The CI.
        ci: String,
        /// The changes.
        update: CiUpdateDef,
    },
    /// Retires a CI outside change control.
    RetireCi {
        /// The CI.
        ci: String,
    },
    /// Relates two CIs (both outside change control).
    Relate {
        /// Source key.
        from: String,
        /// Kind.
        kind: RelationKind,
        /// Target key.
        to: String,
    },
    /// Removes a relation (both ends outside change control).
    Unrelate {
        /// Source key.
        from: String,
        /// Kind.
        kind: RelationKind,
        /// Target key.
        to: String,
    },
    /// Defines a redundancy group.
    AddRedundancyGroup {
        /// Name.
        name: String,
        /// The dependent CI.
        dependent: String,
        /// Member CIs.
        members: Vec<String>,
        /// How many must be up.
        min_up: usize,
    },
    /// Removes a redundancy group (its members stay plain dependencies).
    RemoveRedundancyGroup {
        /// The group's name.
        name: String,
    },
    /// Removes a CI outside change control (cascading removes its relations and its membership
    /// of groups; without it, a CI others depend on is refused).
    RemoveCi {
        /// The CI.
        ci: String,
        /// Remove its relations too.
        #[serde(default)]
        cascade: bool,
    },
    /// Loads a whole configuration (from discovery or another CMDB) into an empty CMDB in one
    /// validated step; records keep their given ids.
    ImportConfiguration {
        /// The CIs, relations and redundancy groups.
        parts: Box<itsm_cmdb::CmdbParts>,
    },
    /// Takes a named baseline of the configuration.
    TakeBaseline {
        /// Name.
        name: String,
    },
    /// Identifies a risk.
    IdentifyRisk {
        /// Key the scenario uses for it (the register allocates the `R-n` reference).
        key: String,
        /// Title.
        title: String,
        /// Category.
        category: String,
        /// Owner (actor key).
        owner: String,
        /// Description.
        #[serde(default)]
        description: String,
        /// Threat or opportunity (threat when absent).
        #[serde(default)]
        kind: Option<RiskKind>,
        /// Information-security pillars; the risk goes to the information-security register
        /// when given.
        #[serde(default)]
        pillars: BTreeSet<Pillar>,
        /// `continuity`, `corporate` or a named register; the SMS register when absent.
        #[serde(default)]
        register: Option<String>,
        /// Division key.
        #[serde(default)]
        division: Option<String>,
        /// Links.
        #[serde(default)]
        links: LinksDef,
        /// Source (manual when absent).
        #[serde(default)]
        source: Option<RiskSource>,
        /// Inherent rating.
        #[serde(default)]
        inherent: Option<ScoreDef>,
        /// Target date for mitigation.
        #[serde(default)]
        target_date: Option<NaiveDate>,
        /// Days between reviews.
        #[serde(default)]
        review_interval_days: Option<u32>,
    },
    /// Changes a risk's descriptive fields.
    UpdateRisk {
        /// The risk.
        risk: String,
        /// New title.
        #[serde(default)]
        title: Option<String>,
        /// New description.
        #[serde(default)]
        description: Option<String>,
        /// New category.
        #[serde(default)]
        category: Option<String>,
        /// New owner (actor key).
        #[serde(default)]
        owner: Option<String>,
        /// New target date for mitigation.
        #[serde(default)]
        target_date: Option<NaiveDate>,
        /// New review interval in days.
        #[serde(default)]
        review_interval_days: Option<u32>,
    },
    /// (Re-)assesses a risk.
    AssessRisk {
        /// The risk.
        risk: String,
        /// Inherent rating.
        #[serde(default)]
        inherent: Option<ScoreDef>,
        /// Residual rating.
        #[serde(default)]
        residual: Option<ScoreDef>,
        /// Why, when the residual is worse.
        #[serde(default)]
        rationale: Option<String>,
    },
    /// Chooses a treatment.
    TreatRisk {
        /// The risk.
        risk: String,
        /// The treatment.
        treatment: TreatmentDef,
    },
    /// Adds a mitigation action.
    AddRiskAction {
        /// The risk.
        risk: String,
        /// What.
        description: String,
        /// Who (actor key).
        owner: String,
        /// By when.
        due: NaiveDate,
    },
    /// Completes a mitigation action.
    CompleteRiskAction {
        /// The risk.
        risk: String,
        /// Action number.
        number: u32,
    },
    /// Accepts a risk.
    AcceptRisk {
        /// The risk.
        risk: String,
        /// Until when.
        until: NaiveDate,
        /// Why.
        rationale: String,
    },
    /// Records that a risk happened.
    MaterializeRisk {
        /// The risk.
        risk: String,
        /// What happened.
        #[serde(default)]
        note: String,
    },
    /// Reviews a risk.
    ReviewRisk {
        /// The risk.
        risk: String,
        /// Notes.
        #[serde(default)]
        notes: String,
    },
    /// Closes a risk.
    CloseRisk {
        /// The risk.
        risk: String,
        /// Note.
        #[serde(default)]
        note: String,
    },
    /// Reopens a risk.
    ReopenRisk {
        /// The risk.
        risk: String,
        /// Why.
        reason: String,
    },
    /// Raises a change.
    RaiseChange {
        /// Key the scenario uses for it (the register allocates `CHG-n`).
        key: String,
        /// Title.
        title: String,
        /// Category (normal when absent).
        #[serde(default)]
        category: Option<Category>,
        /// Nature (modify when absent).
        #[serde(default)]
        nature: Option<Nature>,
        /// Target CI keys.
        targets: Vec<String>,
        /// Implementer (actor key).
        #[serde(default)]
        implementer: Option<String>,
        /// Configuration delta.
        #[serde(default)]
        delta: Vec<DeltaDef>,
        /// Estimated cost.
        #[serde(default)]
        estimated_cost: Option<Money>,
        /// Risk factors as the requester rates them.
        #[serde(default)]
        factors: BTreeMap<Factor, FactorLevel>,
        /// New technology.
        #[serde(default)]
        new_technology: bool,
        /// Effects on objective measures.
        #[serde(default)]
        objective_effects: BTreeMap<String, Decimal>,
        /// The risk of not making it.
        #[serde(default)]
        not_doing: Option<NotDoing>,
    },
    /// Submits a change.
    SubmitChange {
        /// The change.
        change: String,
    },
    /// Assesses a change; a high result raises a linked risk.
    AssessChange {
        /// The change.
        change: String,
    },
    /// Approves a change.
    ApproveChange {
        /// The change.
        change: String,
    },
    /// Rejects a change.
    RejectChange {
        /// The change.
        change: String,
        /// Why.
        reason: String,
    },
    /// Completes the next design and transition stage of a major-impact change.
    CompleteTransitionStage {
        /// The change.
        change: String,
    },
    /// Schedules a change.
    ScheduleChange {
        /// The change.
        change: String,
        /// Window start.
        start: DateTime<Utc>,
        /// Window end.
        end: DateTime<Utc>,
    },
    /// Starts a change.
    StartChange {
        /// The change.
        change: String,
    },
    /// Ends a change's implementation (a successful one applies its delta).
    CompleteChange {
        /// The change.
        change: String,
        /// How it ended.
        outcome: Outcome,
    },
    /// Reviews a change.
    ReviewChange {
        /// The change.
        change: String,
        /// Notes.
        notes: String,
    },
    /// Closes a change.
    CloseChange {
        /// The change.
        change: String,
    },
    /// Cancels a change.
    CancelChange {
        /// The change.
        change: String,
        /// Why.
        reason: String,
    },
    /// Sets a service's availability target and agreed service hours from now on. Earlier
    /// settings are kept: a period is measured against the strictest target in force within
    /// it, and each setting's hours over the part of the period it was in force.
    SetAvailabilityTarget {
        /// The service.
        service: String,
        /// The agreed service hours (a calendar: `time_zone` or `utc_offset_seconds`, `hours`,
        /// `closed_dates`, `openings`).
        hours: Calendar,
        /// The target, in percent (a decimal string, 0 to 100).
        target_percent: itsm_availability::Percent,
        /// How availability is measured against it, as agreed (every convention given).
        conventions: itsm_availability::Conventions,
    },
    /// Records an outage of a CI (or service) once it has started.
    RecordOutage(crate::availability::OutageDef),
    /// Ends an open outage once it is over.
    EndOutage {
        /// The outage's key.
        outage: String,
        /// When it ended (not after the time of the command).
        end: chrono::DateTime<chrono::Utc>,
    },
    /// Sets a service's business impact analysis (a later setting replaces it; the log keeps
    /// the history). Durations in seconds; levels of the risk matrix impact scale.
    SetBusinessImpact {
        /// The service.
        service: String,
        /// How the impact grows over an outage (increasing `after_s`, never falling).
        #[serde(default)]
        steps: Vec<crate::continuity::ImpactStepDef>,
        /// Maximum tolerable period of disruption, seconds (at least 1).
        mtpd_s: u64,
        /// Recovery time objective, seconds (at most `mtpd_s`).
        rto_s: u64,
        /// Recovery point objective, seconds.
        rpo_s: u64,
    },
    /// Sets a CI's recovery details (a later setting replaces them whole).
    SetRecovery {
        /// The CI.
        ci: String,
        /// Seconds its restoration takes once what it needs is up (0 when absent).
        #[serde(default)]
        duration_s: Option<u64>,
        /// The recovery team that restores it (a key; one CI at a time per team).
        #[serde(default)]
        team: Option<String>,
        /// Seconds between backups of its data (none: it holds no data of its own).
        #[serde(default)]
        backup_interval_s: Option<u64>,
    },
    /// Plans the recovery from a disaster with the analyses and recovery details in force,
    /// records it under `key`, and raises each gap as a continuity risk once.
    AssessContinuity {
        /// The assessment's key.
        key: String,
        /// `{"cis": [keys]}` or `{"facility": key}`.
        disaster: crate::continuity::DisasterDef,
    },
    /// Records a continuity exercise, compares its measured restore times with the business
    /// impact analyses, and raises each missed objective as a continuity risk once.
    RecordExercise {
        /// The exercise's key.
        key: String,
        /// Its name (a key).
        name: String,
        /// The day it took place.
        date: NaiveDate,
        /// The scenario exercised.
        scenario: crate::continuity::DisasterDef,
        /// Measured restore times.
        measured: Vec<crate::continuity::MeasuredDef>,
        /// Notes.
        #[serde(default)]
        notes: String,
    },
}

impl Command {
    /// The command's `op` name.
    #[must_use]
    pub fn op(&self) -> &'static str {
        match self {
            Self::DefineOrganisation { .. } => "define_organisation",
            Self::AddCi { .. } => "add_ci",
            Self::UpdateCi { .. } => "update_ci",
            Self::RetireCi { .. } => "retire_ci",
            Self::Relate { .. } => "relate",
            Self::Unrelate { .. } => "unrelate",
            Self::AddRedundancyGroup { .. } => "add_redundancy_group",
            Self::RemoveRedundancyGroup { .. } => "remove_redundancy_group",
            Self::RemoveCi { .. } => "remove_ci",
            Self::ImportConfiguration { .. } => "import_configuration",
            Self::TakeBaseline { .. } => "take_baseline",
            Self::IdentifyRisk { .. } => "identify_risk",
            Self::UpdateRisk { .. } => "update_risk",
            Self::AssessRisk { .. } => "assess_risk",
            Self::TreatRisk { .. } => "treat_risk",
            Self::AddRiskAction { .. } => "add_risk_action",
            Self::CompleteRiskAction { .. } => "complete_risk_action",
            Self::AcceptRisk { .. } => "accept_risk",
            Self::MaterializeRisk { .. } => "materialize_risk",
            Self::ReviewRisk { .. } => "review_risk",
            Self::CloseRisk { .. } => "close_risk",
            Self::ReopenRisk { .. } => "reopen_risk",
            Self::RaiseChange { .. } => "raise_change",
            Self::SubmitChange { .. } => "submit_change",
            Self::AssessChange { .. } => "assess_change",
            Self::ApproveChange { .. } => "approve_change",
            Self::RejectChange { .. } => "reject_change",
            Self::CompleteTransitionStage { .. } => "complete_transition_stage",
            Self::ScheduleChange { .. } => "schedule_change",
            Self::StartChange { .. } => "start_change",
            Self::CompleteChange { .. } => "complete_change",
            Self::ReviewChange { .. } => "review_change",
            Self::CloseChange { .. } => "close_change",
            Self::CancelChange { .. } => "cancel_change",
            Self::SetAvailabilityTarget { .. } => "set_availability_target",
            Self::RecordOutage { .. } => "record_outage",
            Self::EndOutage { .. } => "end_outage",
            Self::SetBusinessImpact { .. } => "set_business_impact",
            Self::SetRecovery { .. } => "set_recovery",
            Self::AssessContinuity { .. } => "assess_continuity",
            Self::RecordExercise { .. } => "record_exercise",
        }
    }
}
