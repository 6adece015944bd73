//! Continuity findings: an objective that a recovery plan or an exercise shows is not met.
//!
//! A finding is typed (service, objective, required, achieved, the CIs involved) so the engine
//! can raise it as a continuity risk linked to the service and the CIs, and recognise it again
//! on a re-run; [`ContinuityFinding::describe`] words it with the CIs' keys.

use chrono::NaiveDate;
use itsm_cmdb::{Ci, Cmdb};
use itsm_core::Id;
use serde::{Deserialize, Serialize};

use super::error::key_of;

/// The objective a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Objective {
    /// Recovery time objective: the service is restored too late.
    Rto,
    /// Recovery point objective: a CI's backups are further apart than the data the service
    /// may lose.
    Rpo,
    /// Maximum tolerable period of disruption: the service is restored after the disruption
    /// became intolerable.
    Mtpd,
}

impl Objective {
    /// Its name in words (`"recovery time objective"`).
    #[must_use]
    pub const fn words(self) -> &'static str {
        match self {
            Self::Rto => "recovery time objective",
            Self::Rpo => "recovery point objective",
            Self::Mtpd => "maximum tolerable period of disruption",
        }
    }
}

/// What showed the gap.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum FindingBasis {
    /// A recovery plan computed for a disaster scenario.
    RecoveryPlan,
    /// A continuity exercise.
    Exercise {
        /// The exercise's name.
        name: String,
        /// The day it took place.
        date: NaiveDate,
    },
}

/// An objective shown not to be met.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContinuityFinding {
    /// What showed it.
    pub basis: FindingBasis,
    /// The service whose objective is missed (for an RPO gap, the service that sets the RPO).
    pub service: Id<Ci>,
    /// Which objective.
    pub objective: Objective,
    /// The objective, seconds.
    pub required_s: u64,
    /// What the plan or exercise achieved, seconds: the restore time, or the backup interval.
    pub achieved_s: u64,
    /// The CIs involved: for a late restore in a plan, its critical path from the service
    /// down (each CI waited for the next); for an RPO gap, the CI whose backups are too far
    /// apart; empty for an exercise's measurement.
    pub cis: Vec<Id<Ci>>,
}

impl ContinuityFinding {
    /// The finding in words, CIs by key:
    /// ``"`svc-pay` is restored after 6 h (21600 s) in the recovery plan, past its recovery
    /// time objective of 4 h (14400 s); critical path: `svc-pay`, `app-pay`, `host-1`"``.
    #[must_use]
    pub fn describe(&self, cmdb: &Cmdb) -> String {
        let service = key_of(cmdb, self.service);
        let required = duration_words(self.required_s);
        let achieved = duration_words(self.achieved_s);
        let what = self.objective.words();
        let keys = || {
            self.cis
                .iter()
                .map(|c| format!("`{}`", key_of(cmdb, *c)))
                .collect::<Vec<_>>()
                .join(", ")
        };
        match (&self.basis, self.objective) {
            (_, Objective::Rpo) => format!(
                "{} is backed up every {achieved}, more than the {what} of {required} set by `{service}`: data written since the last backup can be lost",
                if self.cis.is_empty() {
                    "a configuration item".to_owned()
                } else {
                    keys()
                }
            ),
            (FindingBasis::RecoveryPlan, _) => {
                let mut s = format!(
                    "`{service}` is restored after {achieved} in the recovery plan, past its {what} of {required}"
                );
                if !self.cis.is_empty() {
                    s.push_str("; critical path: ");
                    s.push_str(&keys());
                }
                s
            }
            (FindingBasis::Exercise { name, date }, _) => format!(
                "exercise `{name}` of {date} restored `{service}` after {achieved}, past its {what} of {required}"
            ),
        }
    }
}

/// Seconds in words: `6 h (21600 s)`, `1 h 30 min (5400 s)`, `45 s`.
#[must_use]
pub(crate) fn duration_words(s: u64) -> String {
    if s < 60 {
        return format!("{s} s");
    }
    let parts = [
        (s / 86_400, "d"),
        (s % 86_400 / 3600, "h"),
        (s % 3600 / 60, "min"),
        (s % 60, "s"),
    ];
    let words: Vec<String> = parts
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, u)| format!("{n} {u}"))
        .collect();
    format!("{} ({s} s)", words.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_people_write_them() {
        assert_eq!(duration_words(0), "0 s");
        assert_eq!(duration_words(45), "45 s");
        assert_eq!(duration_words(21_600), "6 h (21600 s)");
        assert_eq!(duration_words(5_400), "1 h 30 min (5400 s)");
        assert_eq!(duration_words(90_061), "1 d 1 h 1 min 1 s (90061 s)");
    }
}
