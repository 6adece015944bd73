//! The guards a change passes before it is scheduled, started or takes effect (ISO/IEC
//! 20000-1 8.5.1.3): no freeze that applies to it overlaps its window or holds the instant it
//! starts or completes (emergency changes excepted, and flagged), and its assessment still
//! matches the configuration, so what was approved is what the change affects.

use chrono::{DateTime, Utc};
use itsm_cmdb::Cmdb;
use itsm_core::{Id, Period};

use crate::{Change, ChangeError, ChangeRegister, assess};

impl ChangeRegister {
    /// The services a freeze is matched against: those the change's assessment found.
    pub(crate) fn services_of(c: &Change) -> Vec<Id<itsm_cmdb::Ci>> {
        c.assessment
            .iter()
            .flat_map(|a| a.impacted_services.iter().map(|s| s.service))
            .collect()
    }

    /// The first freeze that applies to `c` and overlaps `window`.
    pub(crate) fn freeze_over(&self, c: &Change, window: &Period) -> Option<&crate::Blackout> {
        let services = Self::services_of(c);
        self.policy().blackouts.iter().find(|b| {
            (b.services.is_empty() || services.iter().any(|s| b.services.contains(s)))
                && b.period.overlaps(window)
        })
    }

    /// The first freeze that applies to `c` and holds the instant `at`.
    pub(crate) fn freeze_at(&self, c: &Change, at: DateTime<Utc>) -> Option<&crate::Blackout> {
        let services = Self::services_of(c);
        self.policy().blackouts.iter().find(|b| {
            (b.services.is_empty() || services.iter().any(|s| b.services.contains(s)))
                && b.period.contains(at)
        })
    }

    /// Refuses to go on with a change whose assessment no longer matches the configuration:
    /// the graph changed since (another CI now depends on a target, a service became more
    /// critical ...), so what was approved is not what the change would affect.
    pub(crate) fn check_fresh(
        &self,
        idx: usize,
        c: &Change,
        cmdb: &Cmdb,
    ) -> Result<(), ChangeError> {
        let past = self.changes().get(..idx).unwrap_or_default();
        let now = assess(&c.request, cmdb, self.matrix(), self.policy(), past)?;
        let Some(then) = &c.assessment else {
            return Ok(());
        };
        let what = if now.impacted_services != then.impacted_services {
            "the services it affects"
        } else if now.rating != then.rating {
            "its risk rating"
        } else if now.approvals != then.approvals {
            "the approvals it needs"
        } else if now.major_impact != then.major_impact {
            "whether it is major-impact"
        } else if now.standard_model != then.standard_model {
            "whether its standard model applies"
        } else if now != *then {
            "its assessment"
        } else {
            return Ok(());
        };
        Err(ChangeError::StaleAssessment {
            change: c.reference(),
            what,
        })
    }

    pub(crate) fn when(window: &Period) -> String {
        format!(
            "{} to {}",
            window.start().format("%Y-%m-%d %H:%M"),
            window.end().format("%Y-%m-%d %H:%M")
        )
    }
}
