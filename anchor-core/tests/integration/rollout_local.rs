//! Gradual rollout on the embedded default (issue 17): stages on a fake
//! clock, a scripted gate, what the router's store holds after each
//! decision, the recorded events, and the refusals that change nothing.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::common;

use anchor_core::clock::ManualClock;
use anchor_core::model::{
    DeploymentStatus, RolloutEventKind, RolloutPlan, RolloutStage, RolloutState,
};
use anchor_core::router::{LivePointer, RouterKeys};
use anchor_core::traits::{GateCheck, GateVerdict, HealthGate};
use anchor_core::{Anchor, Error, Result};
use common::{build_copy, make_variant};

const P: &str = "canary";

/// A gate that answers from a script, and remembers what it was asked.
#[derive(Debug, Default)]
struct ScriptedGate {
    answers: Mutex<VecDeque<Result<GateVerdict>>>,
    asked: Mutex<Vec<GateCheck>>,
}

impl ScriptedGate {
    fn new(answers: Vec<Result<GateVerdict>>) -> Self {
        Self {
            answers: Mutex::new(answers.into()),
            asked: Mutex::default(),
        }
    }

    fn asked(&self) -> Vec<GateCheck> {
        self.asked.lock().unwrap().clone()
    }
}

#[async_trait::async_trait]
impl HealthGate for ScriptedGate {
    fn name(&self) -> &str {
        "scripted"
    }

    async fn check(&self, check: &GateCheck) -> Result<GateVerdict> {
        self.asked.lock().unwrap().push(check.clone());
        self.answers
            .lock()
            .unwrap()
            .pop_front()
            .expect("the gate was asked more often than scripted")
    }
}

/// 5 % for 10 min, 25 % for 30 min, then 100 %; shared with `aws_rollout`.
pub(crate) fn plan() -> RolloutPlan {
    RolloutPlan::new(vec![
        RolloutStage::new(5.0, Duration::from_secs(600)),
        RolloutStage::new(25.0, Duration::from_secs(1800)),
        RolloutStage::new(100.0, Duration::ZERO),
    ])
    .unwrap()
}

struct Env {
    _dir: tempfile::TempDir,
    _builds: tempfile::TempDir,
    anchor: Anchor,
    clock: Arc<ManualClock>,
    v2_build: std::path::PathBuf,
    v1: anchor_core::model::Deployment,
}

/// A project with v1 live, on a manual clock, and a v2 build beside it.
async fn setup() -> Env {
    let dir = tempfile::tempdir().unwrap();
    let builds = tempfile::tempdir().unwrap();
    let v1_build = build_copy(builds.path(), "v1");
    let v2_build = build_copy(builds.path(), "v2");
    make_variant(&v2_build, "two");
    let local = Anchor::local(dir.path()).await.unwrap();
    let clock = Arc::new(ManualClock::new(chrono::Utc::now()));
    let anchor = Anchor::builder(local.backend().clone())
        .clock(clock.clone())
        .build();
    anchor.create_project(P).await.unwrap();
    let v1 = anchor.deployer(P, &v1_build).execute().await.unwrap();
    Env {
        _dir: dir,
        _builds: builds,
        anchor,
        clock,
        v2_build,
        v1,
    }
}

impl Env {
    async fn pointer(&self) -> LivePointer {
        let project = self.anchor.project(P).await.unwrap();
        let store = project.infrastructure.router.unwrap().store;
        let keys = RouterKeys::new(&project.infrastructure.distribution_id).unwrap();
        let value = self.anchor.backend().kvs.get(&store, &keys.live()).await;
        LivePointer::parse(&value.unwrap().unwrap()).unwrap()
    }

    async fn window_end(&self, id: &anchor_core::model::DeploymentId) -> Option<i64> {
        let project = self.anchor.project(P).await.unwrap();
        let store = project.infrastructure.router.unwrap().store;
        let keys = RouterKeys::new(&project.infrastructure.distribution_id).unwrap();
        let key = keys.window_end(id);
        let value = self.anchor.backend().kvs.get(&store, &key).await;
        value.unwrap().map(|v| v.parse().unwrap())
    }

    /// Deploys v2 with the plan: the rollout's first stage starts.
    async fn deploy_v2(&self) -> anchor_core::model::Deployment {
        self.anchor
            .deployer(P, &self.v2_build)
            .rollout(plan())
            .execute()
            .await
            .unwrap()
    }

    fn minutes(&self, m: i64) {
        self.clock.advance(chrono::Duration::minutes(m));
    }

    async fn weight(&self) -> u32 {
        match self.pointer().await {
            LivePointer::Split(split) => split.weight,
            LivePointer::Single(_) => panic!("the pointer does not split"),
        }
    }
}

fn state_of(err: Error) -> String {
    match err {
        Error::InvalidState { state, .. } => state,
        other => panic!("expected InvalidState, got {other:?}"),
    }
}

#[tokio::test]
async fn a_gate_failing_at_the_second_stage_ends_on_the_old_deployment_with_its_reason() {
    let env = setup().await;
    let v2 = env.deploy_v2().await;
    assert_eq!(
        v2.status,
        DeploymentStatus::Ready,
        "a candidate is not live"
    );
    let rollouts = env.anchor.rollouts(P);
    let started = rollouts.status().await.unwrap().unwrap();
    assert_eq!((started.state, started.stage), (RolloutState::Running, 0));
    assert_eq!(env.weight().await, 500);

    let gate = ScriptedGate::new(vec![
        Ok(GateVerdict::Healthy),
        Ok(GateVerdict::unhealthy("error rate 12 % over 5 %")),
    ]);
    // Before the stage has held its 10 minutes the gate is not asked.
    env.minutes(9);
    assert_eq!(rollouts.check(&gate).await.unwrap().stage, 0);
    assert!(gate.asked().is_empty());
    env.minutes(1);
    let second = rollouts.check(&gate).await.unwrap();
    assert_eq!((second.state, second.stage), (RolloutState::Running, 1));
    assert_eq!(env.weight().await, 2500);
    assert_eq!(gate.asked()[0].percent, 5.0);
    assert_eq!(gate.asked()[0].candidate_version, v2.version);

    env.minutes(30);
    let aborted = rollouts.check(&gate).await.unwrap();
    assert_eq!(aborted.state, RolloutState::Aborted);
    // Every visitor is back on v1: the bare pointer, as before.
    assert_eq!(env.pointer().await, LivePointer::Single(env.v1.id.clone()));
    let active = env.anchor.active_deployment(P).await.unwrap().unwrap();
    assert_eq!(active.id, env.v1.id);
    assert_eq!(active.status, DeploymentStatus::Live);
    let v2_now = env.anchor.deployment(P, v2.id.as_str()).await.unwrap();
    assert_eq!(v2_now.status, DeploymentStatus::Ready);
    // Pages pinned to v2 end now: their next asset request reloads onto v1.
    let now = env.clock_now();
    assert_eq!(env.window_end(&v2.id).await, Some(now));

    // The record keeps each decision, with who took it and why.
    let recorded = rollouts.status().await.unwrap().unwrap();
    let kinds: Vec<_> = recorded.events.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [
            RolloutEventKind::Started,
            RolloutEventKind::Advanced,
            RolloutEventKind::Aborted
        ]
    );
    let abort = recorded.events.last().unwrap();
    assert_eq!(abort.decided_by, "scripted");
    assert_eq!(abort.reason.as_deref(), Some("error rate 12 % over 5 %"));
    assert_eq!(abort.stage, 1);
    // The history keeps it on the candidate's record, for after the next
    // rollout replaces the project's.
    let kept = env.anchor.deployment(P, v2.id.as_str()).await.unwrap();
    assert_eq!(kept.rollout.as_ref(), Some(&recorded));
    // An ended rollout is not checked again.
    let err = rollouts.check(&gate).await.unwrap_err();
    assert_eq!(state_of(err), "aborted");
    common::check_invariants(&env.anchor, P).await;
}

impl Env {
    fn clock_now(&self) -> i64 {
        use anchor_core::clock::Clock;
        self.clock.now().timestamp()
    }
}

#[tokio::test]
async fn a_healthy_rollout_completes_as_a_promotion_and_records_every_stage() {
    let env = setup().await;
    let v2 = env.deploy_v2().await;
    let rollouts = env.anchor.rollouts(P);
    let events = Arc::new(Mutex::new(Vec::new()));
    let seen = events.clone();
    let rollouts = rollouts.on_progress(move |e| seen.lock().unwrap().push((e.done, e.total)));
    let gate = ScriptedGate::new(vec![Ok(GateVerdict::Healthy), Ok(GateVerdict::Healthy)]);
    env.minutes(10);
    rollouts.check(&gate).await.unwrap();
    env.minutes(30);
    let done = rollouts.check(&gate).await.unwrap();
    assert_eq!(done.state, RolloutState::Completed);
    assert_eq!(*events.lock().unwrap(), [(1, 3), (3, 3)]);

    assert_eq!(env.pointer().await, LivePointer::Single(v2.id.clone()));
    let active = env.anchor.active_deployment(P).await.unwrap().unwrap();
    assert_eq!(
        (active.id.clone(), active.status),
        (v2.id.clone(), DeploymentStatus::Live)
    );
    let v1 = env.anchor.deployment(P, env.v1.id.as_str()).await.unwrap();
    assert_eq!(v1.status, DeploymentStatus::Superseded);
    // v1's pages keep their window, as after any promotion.
    assert!(env.window_end(&env.v1.id).await.unwrap() > env.clock_now());
    let kinds: Vec<_> = done.events.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [
            RolloutEventKind::Started,
            RolloutEventKind::Advanced,
            RolloutEventKind::Completed
        ]
    );
    let kept = env.anchor.deployment(P, v2.id.as_str()).await.unwrap();
    assert_eq!(kept.rollout.as_ref(), Some(&done));
    // The completion is an ordinary switch: rolling back still works.
    let back = env.anchor.rollback(P).execute().await.unwrap();
    assert_eq!(back.to.id, env.v1.id);
    common::check_invariants(&env.anchor, P).await;
}

#[tokio::test]
async fn manual_advance_complete_and_abort_skip_the_gate_and_say_so() {
    let env = setup().await;
    let v2 = env.deploy_v2().await;
    let rollouts = env.anchor.rollouts(P);
    let advanced = rollouts.advance().await.unwrap();
    assert_eq!(advanced.stage, 1);
    assert_eq!(advanced.events[1].decided_by, "manual");
    assert_eq!(env.weight().await, 2500);
    let aborted = rollouts.abort("customer reports").await.unwrap();
    assert_eq!(aborted.state, RolloutState::Aborted);
    assert_eq!(
        aborted.events.last().unwrap().reason.as_deref(),
        Some("customer reports")
    );
    // Aborting again finishes nothing more and changes nothing.
    assert_eq!(rollouts.abort("again").await.unwrap(), aborted);

    // The aborted candidate can be rolled out again, and completed by hand.
    let again = rollouts.start(v2.id.as_str(), plan()).await.unwrap();
    assert_eq!((again.state, again.stage), (RolloutState::Running, 0));
    assert_ne!(again.salt, aborted.salt, "each rollout splits afresh");
    let done = rollouts.complete().await.unwrap();
    assert_eq!(done.state, RolloutState::Completed);
    assert_eq!(env.pointer().await, LivePointer::Single(v2.id.clone()));
    let err = rollouts.complete().await.unwrap_err();
    assert_eq!(state_of(err), "completed");
    common::check_invariants(&env.anchor, P).await;
}

#[tokio::test]
async fn while_a_rollout_runs_other_switches_are_refused_and_change_nothing() {
    let env = setup().await;
    let v2 = env.deploy_v2().await;
    let before = env.anchor.project(P).await.unwrap();
    let history = |a: &Anchor| {
        let a = a.clone();
        async move { a.history(P, &Default::default()).await.unwrap().items.len() }
    };
    let deployments = history(&env.anchor).await;

    // A second rollout.
    let err = env
        .deployer_v2()
        .rollout(plan())
        .execute()
        .await
        .unwrap_err();
    assert_eq!(state_of(err), "rolling_out");
    let err = env
        .anchor
        .rollouts(P)
        .start(v2.id.as_str(), plan())
        .await
        .unwrap_err();
    assert_eq!(state_of(err), "rolling_out");
    // A deploy that would promote, and a rollback.
    let err = env.deployer_v2().execute().await.unwrap_err();
    assert_eq!(state_of(err), "rolling_out");
    let err = env.anchor.rollback(P).execute().await.unwrap_err();
    assert!(
        matches!(&err, Error::InvalidState { .. }),
        "a rollback during a rollout: {err:?}"
    );
    // A rollout of a preview is refused by name.
    let err = env
        .deployer_v2()
        .promote(false)
        .rollout(plan())
        .execute()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidInput { field, .. } if field == "rollout"),
        "{err:?}"
    );
    // A blank abort reason.
    let err = env.anchor.rollouts(P).abort(" ").await.unwrap_err();
    assert!(
        matches!(&err, Error::InvalidInput { field, .. } if field == "reason"),
        "{err:?}"
    );
    assert_eq!(env.anchor.project(P).await.unwrap(), before);
    assert_eq!(history(&env.anchor).await, deployments);
    // A preview deploy is still fine while the rollout runs.
    env.deployer_v2().promote(false).execute().await.unwrap();
}

#[tokio::test]
async fn a_rollout_of_a_deployment_the_project_lacks_or_of_the_live_one_is_refused() {
    let env = setup().await;
    let rollouts = env.anchor.rollouts(P);
    let err = rollouts
        .start(
            &anchor_core::model::DeploymentId::generate().to_string(),
            plan(),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
    let err = rollouts
        .start(env.v1.id.as_str(), plan())
        .await
        .unwrap_err();
    assert_eq!(state_of(err), "live");
    let err = rollouts.advance().await.unwrap_err();
    assert_eq!(state_of(err), "without_rollout");
    assert_eq!(rollouts.status().await.unwrap(), None);
}

#[tokio::test]
async fn a_gate_that_cannot_decide_changes_nothing_and_is_asked_again() {
    let env = setup().await;
    env.deploy_v2().await;
    let rollouts = env.anchor.rollouts(P);
    let gate = ScriptedGate::new(vec![
        Err(Error::invalid_input("gate", "metrics unavailable")),
        Ok(GateVerdict::Healthy),
    ]);
    env.minutes(10);
    let before = env.anchor.project(P).await.unwrap();
    rollouts.check(&gate).await.unwrap_err();
    assert_eq!(env.anchor.project(P).await.unwrap(), before);
    assert_eq!(env.weight().await, 500);
    assert_eq!(rollouts.check(&gate).await.unwrap().stage, 1);
}

#[tokio::test]
async fn recover_writes_the_pointer_a_decision_committed_but_never_wrote() {
    let env = setup().await;
    env.deploy_v2().await;
    env.anchor.rollouts(P).advance().await.unwrap();
    // A crash between the commit and the write: the store still holds the
    // pointer from before the rollout.
    let project = env.anchor.project(P).await.unwrap();
    let store = project.infrastructure.router.clone().unwrap().store;
    let keys = RouterKeys::new(&project.infrastructure.distribution_id).unwrap();
    let kvs = &env.anchor.backend().kvs;
    let etag = kvs.describe(&store).await.unwrap().etag;
    let update = anchor_core::traits::KvsUpdate {
        puts: vec![(keys.live(), env.v1.id.to_string())],
        deletes: Vec::new(),
    };
    kvs.update(&store, &update, &etag).await.unwrap();

    let report = env.anchor.recover(P).await.unwrap();
    assert!(report.rollout_repaired);
    assert_eq!(env.weight().await, 2500);
    let again = env.anchor.recover(P).await.unwrap();
    assert!(!again.rollout_repaired, "a second recover changes nothing");
}

impl Env {
    fn deployer_v2(&self) -> anchor_core::flows::Deployer {
        self.anchor.deployer(P, &self.v2_build)
    }
}
