//! A gradual rollout's plan: the shares of visitors a new deployment gets,
//! stage by stage, and how long each stage holds before the next.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The whole of the visitors, in the router's unit: a share is a number of
/// basis points (hundredths of a percent) out of this.
pub const WEIGHT_SCALE: u32 = 10_000;

/// One stage of a rollout: `percent` of the visitors get the new
/// deployment for at least `hold_seconds`, then the health gate decides.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RolloutStage {
    /// The share of visitors, in percent, within (0, 100], with at most two
    /// decimals (the router splits in basis points).
    pub percent: f64,
    /// How long, in seconds, the stage runs before the gate is asked to
    /// advance it. Ignored for the last stage, which ends the rollout.
    pub hold_seconds: u64,
}

impl RolloutStage {
    /// A stage of `percent` held for `hold` (whole seconds).
    pub fn new(percent: f64, hold: Duration) -> Self {
        Self {
            percent,
            hold_seconds: hold.as_secs(),
        }
    }

    /// How long the stage holds.
    pub fn hold(&self) -> Duration {
        Duration::from_secs(self.hold_seconds)
    }

    /// The stage's share in basis points, out of [`WEIGHT_SCALE`].
    pub fn weight(&self) -> u32 {
        // Validated to be within (0, 100] with two decimals, so the product
        // is an integer within 1..=10,000 and the cast is exact.
        (self.percent * 100.0).round() as u32
    }
}

/// A validated rollout plan: stages whose shares only grow, ending at 100 %.
///
/// Growing shares with one hash per rollout mean a visitor who got the new
/// deployment keeps it at every later stage: nobody flips back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "Vec<RolloutStage>", into = "Vec<RolloutStage>")]
pub struct RolloutPlan {
    stages: Vec<RolloutStage>,
}

impl RolloutPlan {
    /// Validates `stages`. Fails with [`Error::InvalidInput`] naming
    /// `rollout.stages` when there are none or more than 20, or
    /// `rollout.stages[i].percent` when a share is outside (0, 100], not a
    /// whole number of basis points, not above the stage before it, or
    /// (for the last stage) not 100.
    pub fn new(stages: Vec<RolloutStage>) -> Result<Self> {
        const MAX_STAGES: usize = 20;
        if stages.is_empty() || stages.len() > MAX_STAGES {
            return Err(Error::invalid_input(
                "rollout.stages",
                format!("a plan has 1 to {MAX_STAGES} stages, not {}", stages.len()),
            ));
        }
        let mut previous = 0;
        for (i, stage) in stages.iter().enumerate() {
            let field = format!("rollout.stages[{i}].percent");
            let p = stage.percent;
            if !p.is_finite() || p <= 0.0 || p > 100.0 {
                return Err(Error::invalid_input(
                    &field,
                    format!("{p} is not within (0, 100]"),
                ));
            }
            let basis_points = p * 100.0;
            if (basis_points - basis_points.round()).abs() > 1e-6 {
                return Err(Error::invalid_input(
                    &field,
                    format!("{p} has more than two decimals; the router splits in 0.01 % steps"),
                ));
            }
            let weight = stage.weight();
            if weight <= previous {
                return Err(Error::invalid_input(
                    &field,
                    format!(
                        "{p} is not above the stage before it ({}): shares only grow, so no \
                         visitor goes back to the old deployment",
                        f64::from(previous) / 100.0
                    ),
                ));
            }
            previous = weight;
        }
        if previous != WEIGHT_SCALE {
            return Err(Error::invalid_input(
                format!("rollout.stages[{}].percent", stages.len() - 1),
                "the last stage must be 100: a plan ends with every visitor on the new deployment",
            ));
        }
        Ok(Self { stages })
    }

    /// The stages, in order; the last is 100 %.
    pub fn stages(&self) -> &[RolloutStage] {
        &self.stages
    }
}

// Validated: every percentage is finite, so equality is total.
impl Eq for RolloutPlan {}

impl TryFrom<Vec<RolloutStage>> for RolloutPlan {
    type Error = Error;
    fn try_from(stages: Vec<RolloutStage>) -> Result<Self> {
        Self::new(stages)
    }
}

impl From<RolloutPlan> for Vec<RolloutStage> {
    fn from(plan: RolloutPlan) -> Self {
        plan.stages
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn minutes(m: u64) -> Duration {
        Duration::from_secs(m * 60)
    }

    fn field_of(result: Result<RolloutPlan>) -> String {
        match result {
            Err(Error::InvalidInput { field, .. }) => field,
            other => panic!("expected InvalidInput, got {other:?}"),
        }
    }

    #[test]
    fn a_plan_that_grows_to_100_is_accepted_in_basis_points() {
        let plan = RolloutPlan::new(vec![
            RolloutStage::new(5.0, minutes(10)),
            RolloutStage::new(25.5, minutes(30)),
            RolloutStage::new(100.0, Duration::ZERO),
        ])
        .unwrap();
        let weights: Vec<u32> = plan.stages().iter().map(RolloutStage::weight).collect();
        assert_eq!(weights, [500, 2550, 10_000]);
    }

    #[test]
    fn each_bad_plan_names_the_stage_and_field() {
        let at = |percents: &[f64]| {
            field_of(RolloutPlan::new(
                percents
                    .iter()
                    .map(|p| RolloutStage::new(*p, minutes(1)))
                    .collect(),
            ))
        };
        assert_eq!(at(&[]), "rollout.stages");
        assert_eq!(at(&[0.0, 100.0]), "rollout.stages[0].percent");
        assert_eq!(at(&[-5.0, 100.0]), "rollout.stages[0].percent");
        assert_eq!(at(&[5.0, 100.5]), "rollout.stages[1].percent");
        assert_eq!(at(&[f64::NAN, 100.0]), "rollout.stages[0].percent");
        assert_eq!(at(&[5.0, 50.0]), "rollout.stages[1].percent");
        assert_eq!(at(&[50.0, 25.0, 100.0]), "rollout.stages[1].percent");
        assert_eq!(at(&[25.0, 25.0, 100.0]), "rollout.stages[1].percent");
        assert_eq!(at(&[0.125, 100.0]), "rollout.stages[0].percent");
        assert_eq!(at(&[1.0; 21]), "rollout.stages");
    }

    #[test]
    fn a_stored_plan_is_validated_when_read() {
        let json = r#"[{"percent": 50, "hold_seconds": 60}, {"percent": 40, "hold_seconds": 0}]"#;
        let err = serde_json::from_str::<RolloutPlan>(json).unwrap_err();
        assert!(
            err.to_string().contains("rollout.stages[1].percent"),
            "{err}"
        );
        let ok: RolloutPlan = serde_json::from_str(
            r#"[{"percent": 10, "hold_seconds": 600}, {"percent": 100, "hold_seconds": 0}]"#,
        )
        .unwrap();
        assert_eq!(ok.stages()[0].hold(), minutes(10));
    }
}
