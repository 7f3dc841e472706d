//! A gradual rollout as recorded: where it stands and every decision it
//! took. The project record holds its current (or last) rollout, so each
//! decision is one conditional commit of that record.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{DeploymentId, RolloutPlan, RolloutStage, WEIGHT_SCALE};

/// Where a rollout stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RolloutState {
    /// The router splits visitors between the baseline and the candidate.
    Running,
    /// Every visitor gets the candidate, which is now the live deployment.
    Completed,
    /// Every visitor is back on the baseline; see the last event's reason.
    Aborted,
}

impl RolloutState {
    /// The lowercase name used in records and messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Running => "running",
            Self::Completed => "completed",
            Self::Aborted => "aborted",
        }
    }
}

/// What a rollout decision did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RolloutEventKind {
    /// The rollout began at its first stage.
    Started,
    /// It moved to the next stage.
    Advanced,
    /// It reached 100 %: the candidate went live.
    Completed,
    /// It went back to 100 % of the baseline.
    Aborted,
}

/// One decision of a rollout, kept in its record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RolloutEvent {
    /// What the decision did.
    pub kind: RolloutEventKind,
    /// The stage the rollout is at after it (an index into the plan).
    pub stage: u32,
    /// That stage's share of visitors on the candidate, in percent; `0`
    /// after an abort.
    pub percent: f64,
    /// Who decided: `manual` for a call of `advance`, `complete` or
    /// `abort`, `start` for the start, else the name of the health gate.
    pub decided_by: String,
    /// Why: a failing gate's reason, the caller's reason for an abort.
    pub reason: Option<String>,
    /// When the decision was committed.
    pub at: DateTime<Utc>,
}

// Percentages come from a validated plan (finite), or are 0: never NaN.
impl Eq for RolloutEvent {}

/// A gradual rollout of `candidate` over `baseline`, the deployment that
/// was live when it started and stays the project's active deployment
/// until the rollout completes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rollout {
    /// The deployment being rolled out.
    pub candidate: DeploymentId,
    /// Its version number.
    pub candidate_version: u64,
    /// The deployment every other visitor keeps.
    pub baseline: DeploymentId,
    /// Its version number.
    pub baseline_version: u64,
    /// The stages.
    pub plan: RolloutPlan,
    /// The stage it is at: an index into `plan`.
    pub stage: u32,
    /// When that stage began; the gate is asked once its hold has passed.
    pub stage_started_at: DateTime<Utc>,
    /// When the rollout began.
    pub started_at: DateTime<Utc>,
    /// Where it stands.
    pub state: RolloutState,
    /// Chosen once per rollout (ASCII letters and digits): the router
    /// hashes it with each visitor's cookie, so a visitor's side of the
    /// split never changes within the rollout.
    pub salt: String,
    /// Every decision, oldest first: the start, each stage, and the
    /// completion or abort with its reason.
    pub events: Vec<RolloutEvent>,
}

impl Rollout {
    /// Whether the router still splits visitors for it.
    pub fn is_running(&self) -> bool {
        self.state == RolloutState::Running
    }

    /// The stage it is at. The index is kept within the plan by every
    /// decision; a record whose index is past the plan reads as its last
    /// stage.
    pub fn current_stage(&self) -> &RolloutStage {
        let stages = self.plan.stages();
        let i = usize::try_from(self.stage).unwrap_or(usize::MAX);
        &stages[i.min(stages.len() - 1)]
    }

    /// Whether the current stage is the plan's last (100 %).
    pub fn at_last_stage(&self) -> bool {
        usize::try_from(self.stage).map_or(true, |i| i + 1 >= self.plan.stages().len())
    }

    /// The candidate's share now, in basis points out of [`WEIGHT_SCALE`]:
    /// the current stage's while running, all after completion, none after
    /// an abort.
    pub fn weight(&self) -> u32 {
        match self.state {
            RolloutState::Running => self.current_stage().weight(),
            RolloutState::Completed => WEIGHT_SCALE,
            RolloutState::Aborted => 0,
        }
    }

    /// When the current stage's hold ends and the gate is next asked.
    pub fn next_check_at(&self) -> DateTime<Utc> {
        let hold = chrono::Duration::seconds(
            i64::try_from(self.current_stage().hold_seconds).unwrap_or(i64::MAX / 1000),
        );
        self.stage_started_at
            .checked_add_signed(hold)
            .unwrap_or(DateTime::<Utc>::MAX_UTC)
    }

    /// The newest decision.
    pub fn last_event(&self) -> Option<&RolloutEvent> {
        self.events.last()
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    pub(crate) fn sample(state: RolloutState, stage: u32) -> Rollout {
        let plan = RolloutPlan::new(vec![
            RolloutStage::new(5.0, Duration::from_secs(600)),
            RolloutStage::new(25.0, Duration::from_secs(1800)),
            RolloutStage::new(100.0, Duration::ZERO),
        ])
        .unwrap();
        let at = DateTime::<Utc>::from_timestamp(1_700_000_000, 0).unwrap();
        Rollout {
            candidate: DeploymentId::generate(),
            candidate_version: 2,
            baseline: DeploymentId::generate(),
            baseline_version: 1,
            plan,
            stage,
            stage_started_at: at,
            started_at: at,
            state,
            salt: "s1".into(),
            events: Vec::new(),
        }
    }

    #[test]
    fn the_weight_follows_the_state_and_stage() {
        assert_eq!(sample(RolloutState::Running, 0).weight(), 500);
        assert_eq!(sample(RolloutState::Running, 1).weight(), 2500);
        assert_eq!(sample(RolloutState::Completed, 1).weight(), WEIGHT_SCALE);
        assert_eq!(sample(RolloutState::Aborted, 1).weight(), 0);
        assert!(!sample(RolloutState::Running, 1).at_last_stage());
        assert!(sample(RolloutState::Running, 2).at_last_stage());
        // A stage index past the plan reads as the last stage.
        assert_eq!(sample(RolloutState::Running, 9).weight(), WEIGHT_SCALE);
    }

    #[test]
    fn the_next_check_is_the_stage_start_plus_its_hold() {
        let r = sample(RolloutState::Running, 1);
        assert_eq!(
            r.next_check_at() - r.stage_started_at,
            chrono::Duration::minutes(30)
        );
    }
}
