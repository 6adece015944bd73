//! `Sms::apply`: the checks every command gets (text, time order), the dispatch of each
//! command to its register's commands, and the log entry it makes.

use chrono::{DateTime, Utc};

use crate::input::check_strings;
use crate::sms::{Effect, Event, Sms};
use crate::{Command, EngineError};

impl Sms {
    /// Applies `command` for the actor with key `actor` at time `at`. Validates first: on
    /// `Err` nothing changed and nothing was logged. On success the command is logged and the
    /// returned event carries what it caused.
    ///
    /// # Errors
    /// [`EngineError`]: an unknown actor or record, missing authority, a direct edit of a CI
    /// under change control, or the register's own refusal.
    pub fn apply(
        &mut self,
        actor: &str,
        at: DateTime<Utc>,
        command: Command,
    ) -> Result<Vec<Event>, EngineError> {
        itsm_core::bounds::check_instant("at", at)?;
        check_strings(&command)?;
        if let Some(last) = self.log.last() {
            if at < last.at {
                return Err(EngineError::TimeWentBack {
                    at: at.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
                    last: last.at.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
                });
            }
        }
        let escalations_before = self.risks.all_escalations().len();
        let mut effects = self.dispatch(actor, at, &command)?;
        // Accepted: the keys it names are how answers name its records.
        self.names.parties_of(&command);
        if matches!(command, Command::DefineOrganisation { .. }) {
            self.names.organisation(
                self.actors.iter().map(|(k, a)| (k, a.id)),
                self.divisions.iter().map(|(k, d)| (k, d.id)),
            );
        }
        // CIs came or went: the policy's keys may now name other ids (a CI removed and added
        // again, a change's delta): the one resolver maps them again.
        if matches!(
            command,
            Command::AddCi { .. } | Command::RemoveCi { .. } | Command::CompleteChange { .. }
        ) {
            self.resolve_policy_again();
        }
        effects.extend(
            self.risks
                .all_escalations()
                .iter()
                .skip(escalations_before)
                .cloned()
                .map(Effect::Escalated),
        );
        let mut event = Event {
            seq: u64::try_from(self.log.len() + 1).unwrap_or(u64::MAX),
            at,
            actor: actor.to_owned(),
            command,
            effects,
            prev: self.head(),
            hash: crate::Digest::GENESIS,
        };
        event.hash = crate::chain::digest(&event, self.key.as_ref());
        self.log.push(event.clone());
        Ok(vec![event])
    }

    /// Routes `command` to its register's commands (`apply_configuration.rs`,
    /// `apply_risks.rs`, `apply_changes.rs`); each names every command of the others, so a new
    /// command does not compile until it is placed.
    fn dispatch(
        &mut self,
        key: &str,
        at: DateTime<Utc>,
        command: &Command,
    ) -> Result<Vec<Effect>, EngineError> {
        if let Command::DefineOrganisation { .. } = command {
            return self.define_organisation(key, command);
        }
        let actor = self.actor_or_err(key)?.clone();
        let mut effects = Vec::new();
        // Each register's function claims its own commands and names every other one, so
        // every command but `define_organisation` (above) is claimed by exactly one.
        let _claimed = self.configuration_command(&actor, key, at, command, &mut effects)?
            || self.risk_command(&actor, key, at, command, &mut effects)?
            || self.change_command(&actor, key, at, command, &mut effects)?
            || self.availability_command(&actor, key, at, command)?
            || self.continuity_command(&actor, key, at, command, &mut effects)?;
        Ok(effects)
    }
}
