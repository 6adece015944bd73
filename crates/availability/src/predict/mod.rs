//! Predicted availability: the probability that a service is up, from the availability of the
//! components it needs, through the dependency structure (ISO/IEC 20000-1 8.7.1; TR 20000-17
//! 5.6 availability requirements).
//!
//! ## Model
//! A [`Structure`] holds components by the user's keys, each with an availability (a
//! probability, or MTBF / (MTBF + MTTR) in seconds) or none (always up: it fails only through
//! what it needs); `needs` pairs (dependent, dependency); and k-of-n redundancy groups
//! `{dependent, members, min_up}` whose members are needs of the dependent, a need in at most
//! one group of its dependent, exactly as `itsm_cmdb::RedundancyGroup`.
//! [`Structure::from_cmdb`] builds one from a service's dependency closure in the CMDB.
//! Component states are independent.
//!
//! ## What "up" means: the impact rules
//! For a given set of failed components, the down set is the one `Cmdb::impact_of` computes:
//! the least fixpoint of "a dependent is down when a dependency outside its groups is down, or
//! when one of its groups has fewer than `min_up` members up". Degraded counts as up. The
//! service is up when it is not in the down set. Cycles are therefore treated as the impact
//! rules treat them: a cycle that no failure feeds stays up (two services that call each other
//! and fail only through their own parts), and a failure that reaches a cycle takes down what
//! depends on it within the cycle.
//!
//! ## Exact computation
//! 1. **Units.** The service's closure is cut into strongly connected components. A component
//!    whose needs inside it are all outside groups is up or down as one: it is one unit, up
//!    when all its members are. One with a grouped need inside it is a *block*, whose members
//!    are worked out by the fixpoint itself, on fixed values of its inputs.
//! 2. **Series and parallel reduction.** A unit's value multiplies its members'
//!    availabilities, its needs and its groups (the probability that enough members are up,
//!    by the count distribution of independent members). A component that a chain of needs
//!    outside groups reaches from the service brings it down alone; conditioning on it only
//!    ever takes its "up" branch: it costs a factor, not a doubling.
//! 3. **Shared components.** Inputs multiply as independent only if they share nothing. A unit
//!    needed by two or more dependents whose state is still random is a *shared component*: its
//!    up state becomes a conditioned variable, so it is counted once. It is summed out at its
//!    *home*, the lowest unit that every path from the service to it passes through (its
//!    immediate dominator): above the home its influence passes only through the home's value.
//!    Each unit's value is a table over the conditioned variables it depends on; at a home the
//!    variables are summed out by variable elimination, smallest resulting table first, so the
//!    cost is 2 to the power of the largest number of variables in one table (the *width*),
//!    not of all shared components together.
//!
//! [`Prediction::shared`] counts the shared components after series and parallel reduction
//! (variables summed over both values) and [`Prediction::width`] the most of them in one table.
//! The computation is exact when the width is at most [`PredictOptions::exact_limit`] (default
//! **20**, at most 30) and all the tables together fit [`PredictOptions::cell_limit`] (default
//! 2^24 probabilities, 128 MiB, as much again for the importance pass; at most 2^28). The width
//! never exceeds the number of shared components, so a structure with at most 20 shared
//! components is computed exactly whenever its tables fit: always when at most 4 units depend
//! on all 20 at once (a table of 20 variables holds 2^20 probabilities), and the memory bound
//! keeps the rest from exhausting the machine. The domain portal of the testkit organisations
//! (10 802 components, 135 shared) has width 9 and needs 32 059 probabilities.
//!
//! ## Importance
//! The availability is a multilinear polynomial in the component availabilities, and the
//! computation above evaluates it; one reverse (adjoint) pass over the same schedule gives every
//! derivative. The derivative with respect to component i is its Birnbaum importance,
//! P(up | i up) - P(up | i down). [`Prediction::limiting`] lists the components that can fail
//! (availability below 1) whose importance is above [`IMPORTANCE_FLOOR`], most important
//! first, ties by key.
//!
//! ## Beyond the limits: Monte Carlo
//! Component states are drawn from ChaCha8 seeded with [`PredictOptions::seed`] (no entropy:
//! the same inputs and seed give the same answer, on every platform), [`PredictOptions::samples`]
//! samples, 256 per pass, each worked out by the same rules. The answer says `exact: false` and
//! gives the 95 % Wilson score interval. Importance is estimated from the same samples as
//! (up with i up) / (N p_i) - (up with i down) / (N (1 - p_i)): the difference of the
//! conditional means with the exact p_i, unbiased, but noisy for a component that is rarely
//! down in the samples; a component estimated at or below the floor is not listed, and one that
//! is never up (availability 0) is not estimated.
//!
//! ```
//! use itsm_availability::predict::{ComponentSpec, GroupSpec, PredictOptions, Structure, StructureSpec};
//! use rust_decimal::Decimal;
//!
//! // web needs a load balancer and 1 of 2 app servers; both app servers need one database.
//! let p = |x: &str| -> Decimal { x.parse().unwrap_or_default() };
//! let spec = StructureSpec {
//!     components: vec![
//!         ComponentSpec::always_up("web"),
//!         ComponentSpec::with_probability("lb", p("0.99")),
//!         ComponentSpec::with_probability("app-1", p("0.9")),
//!         ComponentSpec::with_probability("app-2", p("0.9")),
//!         ComponentSpec::with_mtbf("db", 999 * 3600, 3600),
//!     ],
//!     needs: [("web", "lb"), ("web", "app-1"), ("web", "app-2"), ("app-1", "db"), ("app-2", "db")]
//!         .map(|(a, b)| (a.to_owned(), b.to_owned()))
//!         .to_vec(),
//!     groups: vec![GroupSpec {
//!         dependent: "web".into(),
//!         members: vec!["app-1".into(), "app-2".into()],
//!         min_up: 1,
//!     }],
//! };
//! let prediction = Structure::new(spec)?.predict("web", &PredictOptions::new(1, 100_000))?;
//! assert!(prediction.exact);
//! // The database is counted once, not once per app server.
//! assert!((prediction.availability - 0.99 * 0.999 * 0.99).abs() < 1e-12);
//! assert_eq!(prediction.limiting[0].key, "lb");
//! # Ok::<(), itsm_availability::predict::PredictError>(())
//! ```

mod cmdb;
mod error;
mod exact;
mod model;
mod monte_carlo;
mod plan;

use serde::{Deserialize, Serialize};

pub use error::PredictError;
pub use model::{Availability, ComponentSpec, GroupSpec, Mtbf, Structure, StructureSpec};

use plan::Plan;

/// Importance below this is taken for zero: the rounding of the computation.
pub const IMPORTANCE_FLOOR: f64 = 1e-12;

/// How a prediction is computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PredictOptions {
    /// Seed of the Monte Carlo stream (used only beyond the exact limits).
    pub seed: u64,
    /// Monte Carlo samples (1 to [`PredictOptions::MAX_SAMPLES`]; used only beyond the exact
    /// limits).
    pub samples: u64,
    /// The most shared components conditioned on at once for the exact method (at most 30).
    pub exact_limit: usize,
    /// The most probabilities the exact method's tables may hold in all (at most
    /// [`PredictOptions::MAX_CELLS`]).
    pub cell_limit: usize,
}

impl PredictOptions {
    /// The default [`PredictOptions::exact_limit`].
    pub const EXACT_LIMIT: usize = 20;
    /// The default [`PredictOptions::cell_limit`]: 2^24 (128 MiB of tables, as much again for
    /// the importance pass).
    pub const CELL_LIMIT: usize = 1 << 24;

    /// The most samples an estimate may draw (10^12: counts stay exact in a float).
    pub const MAX_SAMPLES: u64 = 1_000_000_000_000;
    /// The largest [`PredictOptions::cell_limit`]: 2^28 (2 GiB of tables, as much again for
    /// the importance pass).
    pub const MAX_CELLS: usize = 1 << 28;

    /// `seed` and `samples` with the default limits.
    #[must_use]
    pub const fn new(seed: u64, samples: u64) -> Self {
        Self {
            seed,
            samples,
            exact_limit: Self::EXACT_LIMIT,
            cell_limit: Self::CELL_LIMIT,
        }
    }

    fn check(&self) -> Result<(), PredictError> {
        if self.samples == 0 || self.samples > Self::MAX_SAMPLES {
            return Err(PredictError::InvalidOption {
                field: "samples",
                reason: format!(
                    "`{}` is not between 1 and {} samples",
                    self.samples,
                    Self::MAX_SAMPLES
                ),
            });
        }
        if self.cell_limit > Self::MAX_CELLS {
            return Err(PredictError::InvalidOption {
                field: "cell_limit",
                reason: format!(
                    "`{}` is above {}, the most probabilities the exact method's tables may hold",
                    self.cell_limit,
                    Self::MAX_CELLS
                ),
            });
        }
        if self.exact_limit > 30 {
            return Err(PredictError::InvalidOption {
                field: "exact_limit",
                reason: format!(
                    "`{}` is above 30, the most variables one table of the exact method is built over",
                    self.exact_limit
                ),
            });
        }
        Ok(())
    }
}

/// A 95 % confidence interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Interval {
    /// Lower bound.
    pub low: f64,
    /// Upper bound.
    pub high: f64,
}

/// A component and how much the service's availability depends on it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Importance {
    /// The component's key.
    pub key: String,
    /// Birnbaum importance: P(service up | component up) - P(service up | component down).
    pub birnbaum: f64,
}

/// A predicted availability.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Prediction {
    /// The service's key.
    pub service: String,
    /// P(service up), component states independent.
    pub availability: f64,
    /// True when computed exactly; false for the Monte Carlo estimate.
    pub exact: bool,
    /// The estimate's 95 % interval (Wilson); `None` when exact.
    pub interval: Option<Interval>,
    /// Monte Carlo samples drawn (0 when exact).
    pub samples: u64,
    /// Shared components after series and parallel reduction: those conditioned on both ways.
    pub shared: usize,
    /// The most of them conditioned on at once in one table (0 for an estimate).
    pub width: usize,
    /// The components that can fail and limit the availability: non-zero Birnbaum importance
    /// (above [`IMPORTANCE_FLOOR`]), most important first, ties by key.
    pub limiting: Vec<Importance>,
}

impl Structure {
    /// The predicted availability of the component `service`: exact within the options'
    /// limits, else the Monte Carlo estimate (see the module docs). Same inputs, same answer.
    ///
    /// # Errors
    /// [`PredictError::UnknownComponent`] (field `service`), [`PredictError::InvalidOption`]
    /// (`samples` of 0 or above [`PredictOptions::MAX_SAMPLES`], `exact_limit` above 30,
    /// `cell_limit` above [`PredictOptions::MAX_CELLS`]).
    pub fn predict(
        &self,
        service: &str,
        options: &PredictOptions,
    ) -> Result<Prediction, PredictError> {
        options.check()?;
        let root =
            self.index
                .get(service)
                .copied()
                .ok_or_else(|| PredictError::UnknownComponent {
                    key: service.to_owned(),
                    field: "service",
                })?;
        let plan = Plan::new(self, root, options.exact_limit, options.cell_limit)?;
        let schedule = exact::Schedule::new(&plan, options.exact_limit, options.cell_limit)?;
        let width = schedule.as_ref().map_or(0, |s| s.width);
        let (availability, importance, interval, samples) = if let Some(schedule) = &schedule {
            let e = exact::run(&plan, schedule)?;
            (e.availability, e.importance, None, 0)
        } else {
            let m = monte_carlo::run(&plan, options.seed, options.samples);
            (
                m.availability,
                m.importance,
                Some(Interval {
                    low: m.low,
                    high: m.high,
                }),
                options.samples,
            )
        };
        let mut limiting: Vec<Importance> = plan
            .comps
            .iter()
            .zip(&importance)
            .zip(&plan.prob)
            .filter(|((_, i), p)| **p < 1.0 && **i > IMPORTANCE_FLOOR)
            .map(|((c, i), _)| Importance {
                key: self.key(*c).to_owned(),
                birnbaum: *i,
            })
            .collect();
        limiting.sort_by(|a, b| {
            b.birnbaum
                .total_cmp(&a.birnbaum)
                .then_with(|| a.key.cmp(&b.key))
        });
        Ok(Prediction {
            service: service.to_owned(),
            availability: availability.clamp(0.0, 1.0),
            exact: schedule.is_some(),
            interval,
            samples,
            shared: plan.shared,
            width,
            limiting,
        })
    }
}

#[cfg(test)]
mod tests;
