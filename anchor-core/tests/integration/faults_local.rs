//! Every external call of every flow, failed in turn: before it reaches the
//! backend (a service error, a timeout, throttling), after the backend
//! applied it (a lost reply), and by stopping the operation there (a crash,
//! followed by `recover`). After each, the
//! invariants hold, and running the operation again succeeds.

use crate::common;

use anchor_core::fault::Fault;
use std::time::Duration;

use anchor_core::model::{
    CdnStatus, DeploymentId, RetentionPolicy, RolloutPlan, RolloutStage, RolloutState,
};
use anchor_core::traits::{GateCheck, GateVerdict, HealthGate};
use anchor_core::{Error, PruneOptions};
use common::{
    check_invariants, eager_settings, env_with, make_variant, recover_checked, set_build_id, Env,
};

const P: &str = "shop";
/// v1's own build id in the prune walk: pruning v1 leaves its build unused,
/// so its ISR cache and tag rows go too, and those calls are walked.
const PRUNED_BUILD: &str = "build-v1";
/// A wildcard: its walk covers every call of a plain domain's, and the
/// preview suffix it adds to the router's store and takes away.
const DOMAIN: &str = "*.preview.example.com";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Deploy,
    Preview,
    Promote,
    Rollback,
    DomainAdd,
    DomainRefresh,
    DomainRemove,
    RolloutStart,
    RolloutCheck,
    RolloutAdvance,
    RolloutComplete,
    RolloutAbort,
    Prune,
}

impl Op {
    fn is_rollout(self) -> bool {
        matches!(
            self,
            Op::RolloutStart
                | Op::RolloutCheck
                | Op::RolloutAdvance
                | Op::RolloutComplete
                | Op::RolloutAbort
        )
    }
}

/// Three stages that each hold for no time, so a gate check is due at once.
fn rollout_plan() -> RolloutPlan {
    RolloutPlan::new(vec![
        RolloutStage::new(5.0, Duration::ZERO),
        RolloutStage::new(25.0, Duration::ZERO),
        RolloutStage::new(100.0, Duration::ZERO),
    ])
    .unwrap()
}

/// A gate that always finds the candidate healthy.
#[derive(Debug)]
struct Healthy;

#[async_trait::async_trait]
impl HealthGate for Healthy {
    fn name(&self) -> &str {
        "healthy"
    }
    async fn check(&self, _: &GateCheck) -> anchor_core::Result<GateVerdict> {
        Ok(GateVerdict::Healthy)
    }
}

/// What setup left for the operation to work on.
struct Ctx {
    v1: DeploymentId,
    preview: Option<DeploymentId>,
}

async fn validate_certificate(env: &Env) {
    let d = env
        .plain
        .domains(P)
        .list()
        .await
        .unwrap()
        .into_iter()
        .find(|d| d.name.as_str() == DOMAIN)
        .unwrap();
    let id = d.certificate_id.expect("certificate requested");
    env.plain
        .local_cloud()
        .unwrap()
        .certificates()
        .validate(&id)
        .await
        .unwrap();
}

async fn setup(op: Op) -> (Env, Ctx) {
    let env = env_with(eager_settings()).await;
    let a = &env.plain;
    a.create_project(P).await.unwrap();
    if op == Op::Prune {
        // No skew window keeps v1, so the policy can take it.
        let off = anchor_core::model::SkewPolicy::new(Duration::ZERO, 0).unwrap();
        a.set_skew_policy(P, off).await.unwrap();
    }
    let v1_dir = env.build("v1");
    if op == Op::Prune {
        set_build_id(&v1_dir, PRUNED_BUILD);
    }
    let v1 = a.deployer(P, &v1_dir).execute().await.unwrap().id;
    if op == Op::Prune {
        // A page v1's server regenerated at run time, in no manifest.
        let key = runtime_page(&env).await;
        let body = anchor_core::traits::ObjectBody::Bytes(b"{}".to_vec());
        a.backend()
            .objects
            .put(&key, body, &Default::default())
            .await
            .unwrap();
        let table =
            anchor_core::local::LocalRevalidation::tag_table(&a.project(P).await.unwrap().name);
        let layout = format!("{PRUNED_BUILD}/_N_T_/layout");
        let tags = a.local_cloud().unwrap().tag_table();
        assert!(!tags.by_tag(&table, &layout).await.unwrap().is_empty());
    }
    let v2_dir = env.build("v2");
    make_variant(&v2_dir, "two");
    let mut preview = None;
    match op {
        Op::Deploy | Op::Preview | Op::DomainAdd => {}
        op @ (Op::RolloutStart
        | Op::RolloutCheck
        | Op::RolloutAdvance
        | Op::RolloutComplete
        | Op::RolloutAbort) => {
            let id = a
                .deployer(P, &v2_dir)
                .promote(false)
                .execute()
                .await
                .unwrap()
                .id;
            if op != Op::RolloutStart {
                a.rollouts(P)
                    .start(id.as_str(), rollout_plan())
                    .await
                    .unwrap();
            }
            preview = Some(id);
        }
        Op::Promote => {
            preview = Some(
                a.deployer(P, &v2_dir)
                    .promote(false)
                    .execute()
                    .await
                    .unwrap()
                    .id,
            )
        }
        Op::Rollback => {
            a.deployer(P, &v2_dir).execute().await.unwrap();
        }
        Op::Prune => {
            // v3 live, v2 the rollback target: the policy takes v1 only.
            a.deployer(P, &v2_dir).execute().await.unwrap();
            let v3_dir = env.build("v3");
            make_variant(&v3_dir, "three");
            a.deployer(P, &v3_dir).execute().await.unwrap();
            let keep_one = RetentionPolicy::new(1, Duration::ZERO, false).unwrap();
            a.set_retention_policy(P, keep_one).await.unwrap();
        }
        Op::DomainRefresh | Op::DomainRemove => {
            a.domains(P).add(DOMAIN).await.unwrap();
            validate_certificate(&env).await;
            if op == Op::DomainRemove {
                assert_eq!(
                    a.domains(P).refresh(DOMAIN).await.unwrap().cdn_status,
                    CdnStatus::Active
                );
            }
        }
    }
    env.plan.reset();
    (env, Ctx { v1, preview })
}

async fn run(op: Op, env: &Env, ctx: &Ctx) -> Result<(), Error> {
    let a = &env.anchor;
    match op {
        Op::Deploy => a.deployer(P, env.build("v2")).execute().await.map(drop),
        Op::Preview => a
            .deployer(P, env.build("v2"))
            .promote(false)
            .execute()
            .await
            .map(drop),
        Op::Promote => a
            .promote(P, ctx.preview.as_ref().unwrap().as_str())
            .await
            .map(drop),
        Op::Rollback => a
            .rollback(P)
            .to_deployment(ctx.v1.as_str())
            .execute()
            .await
            .map(drop),
        Op::DomainAdd => a.domains(P).add(DOMAIN).await.map(drop),
        Op::DomainRefresh => a.domains(P).refresh(DOMAIN).await.map(drop),
        Op::DomainRemove => a.domains(P).remove(DOMAIN).await,
        Op::RolloutStart => a
            .rollouts(P)
            .start(ctx.preview.as_ref().unwrap().as_str(), rollout_plan())
            .await
            .map(drop),
        Op::RolloutCheck => a.rollouts(P).check(&Healthy).await.map(drop),
        Op::RolloutAdvance => a.rollouts(P).advance().await.map(drop),
        Op::RolloutComplete => a.rollouts(P).complete().await.map(drop),
        Op::RolloutAbort => a.rollouts(P).abort("walk").await.map(drop),
        Op::Prune => a.prune(P, PruneOptions::default()).await.map(drop),
    }
}

/// Whether a (possibly failed) run already reached the operation's goal, so
/// that a re-run is not expected (promoting twice is refused, rightly).
async fn goal_reached(op: Op, env: &Env, ctx: &Ctx) -> bool {
    let a = &env.plain;
    let active = a.active_deployment(P).await.unwrap().map(|d| d.id);
    match op {
        Op::Deploy | Op::Preview | Op::DomainAdd | Op::DomainRefresh => false,
        Op::Promote => active == ctx.preview,
        Op::Rollback => active.as_ref() == Some(&ctx.v1),
        Op::DomainRemove => a.domains(P).list().await.unwrap().is_empty(),
        Op::Prune => prune_finished(env, ctx).await,
        Op::RolloutStart
        | Op::RolloutCheck
        | Op::RolloutAdvance
        | Op::RolloutComplete
        | Op::RolloutAbort => rollout_goal_reached(op, env).await,
    }
}

/// Where v1's server stored a page it regenerated (the prune walk).
async fn runtime_page(env: &Env) -> String {
    let project = env.plain.project(P).await.unwrap();
    let prefix = project.infrastructure.asset_prefix;
    format!("{prefix}/_cache/{PRUNED_BUILD}/regenerated.cache")
}

/// Whether v1's pruning finished: its record says so, and its own alias
/// and routing entry, its build's run-time ISR cache and tag rows are gone.
async fn prune_finished(env: &Env, ctx: &Ctx) -> bool {
    let a = &env.plain;
    let d = a.deployment(P, ctx.v1.as_str()).await.unwrap();
    let finished = d.pruned.as_ref().is_some_and(|p| p.finished_at.is_some());
    if !finished {
        return false;
    }
    let project = a.project(P).await.unwrap();
    let infra = &project.infrastructure;
    let alias = a
        .backend()
        .functions
        .get_alias(&infra.server_function, "v1")
        .await
        .unwrap();
    assert!(alias.is_none(), "v1 finished pruning but keeps its alias");
    let binding = infra.router.clone().unwrap();
    let keys = anchor_core::router::RouterKeys::new(&infra.distribution_id).unwrap();
    let entry = a
        .backend()
        .kvs
        .get(&binding.store, &keys.deployment(&ctx.v1))
        .await
        .unwrap();
    assert!(
        entry.is_none(),
        "v1 finished pruning but keeps its routing entry"
    );
    let page = runtime_page(env).await;
    assert!(
        a.backend().objects.head(&page).await.unwrap().is_none(),
        "v1 finished pruning but its build keeps its ISR cache"
    );
    let table = anchor_core::local::LocalRevalidation::tag_table(&project.name);
    let tags = a.local_cloud().unwrap().tag_table();
    let layout = format!("{PRUNED_BUILD}/_N_T_/layout");
    assert!(
        tags.by_tag(&table, &layout).await.unwrap().is_empty(),
        "v1 finished pruning but its build keeps its tag rows"
    );
    true
}

/// The rollout as the operation leaves it once done: started at stage 0,
/// moved to stage 1, completed, or aborted.
async fn rollout_goal_reached(op: Op, env: &Env) -> bool {
    let Some(r) = env.plain.rollouts(P).status().await.unwrap() else {
        return false;
    };
    match op {
        Op::RolloutStart => r.is_running() || r.state != RolloutState::Running,
        Op::RolloutCheck | Op::RolloutAdvance => r.stage >= 1 || !r.is_running(),
        Op::RolloutComplete => r.state == RolloutState::Completed,
        Op::RolloutAbort => r.state == RolloutState::Aborted,
        _ => false,
    }
}

/// Whether the router's store names the wildcard's suffix.
async fn has_preview_suffix(env: &Env) -> bool {
    let a = &env.plain;
    let project = a.project(P).await.unwrap();
    let binding = project.infrastructure.router.clone().unwrap();
    let keys =
        anchor_core::router::RouterKeys::new(&project.infrastructure.distribution_id).unwrap();
    let stored = a
        .backend()
        .kvs
        .get(&binding.store, &keys.preview_suffix())
        .await
        .unwrap();
    stored.is_some_and(|v| v.split(',').any(|s| s == "preview.example.com"))
}

async fn check_done(op: Op, env: &Env, ctx: &Ctx) {
    check_invariants(&env.plain, P).await;
    crate::common::check_domains_served(&env.plain, P).await;
    let a = &env.plain;
    let domains = a.domains(P).list().await.unwrap();
    assert!(
        domains.iter().all(|d| !d.removing),
        "a removal was left half-done"
    );
    match op {
        Op::DomainRefresh => {
            assert_eq!(domains[0].cdn_status, CdnStatus::Active);
            assert!(
                has_preview_suffix(env).await,
                "active without its preview suffix"
            );
        }
        Op::DomainAdd => assert!(domains[0].certificate_id.is_some()),
        Op::DomainRemove => {
            assert!(domains.is_empty());
            assert!(
                !has_preview_suffix(env).await,
                "removed but its suffix stays"
            );
        }
        op if op.is_rollout() => assert!(rollout_goal_reached(op, env).await, "{op:?} not done"),
        _ => assert!(goal_reached(op, env, ctx).await || matches!(op, Op::Deploy | Op::Preview)),
    }
}

async fn walk(op: Op) -> usize {
    let (env, ctx) = setup(op).await;
    run(op, &env, &ctx).await.unwrap();
    let positions = env.plan.calls();
    assert!(positions > 0);
    let log = env.plan.log();
    // Domain changes a crash left half-done that recover then finished.
    let mut domains_recovered = 0;
    // Rollout decisions a crash left unwritten that recover then wrote.
    let mut rollouts_repaired = 0;
    // Prunings a crash left halfway that recover then finished.
    let mut prunes_finished = 0;
    for (position, called) in log.iter().enumerate() {
        for fault in Fault::ALL {
            let (env, ctx) = setup(op).await;
            env.plan.arm(position, fault);
            let first = tokio::select! {
                result = run(op, &env, &ctx) => result,
                // The operation is dropped mid-call, as a killed process stops.
                _ = env.plan.crashed() => Err(Error::invalid_input("crash", "the process stopped")),
            };
            env.plan.reset();
            let at = format!("{op:?} call {position} ({called}) {fault:?}");
            if fault == Fault::Crash {
                // What the crash left: recover must resolve exactly that.
                let report = recover_checked(&env.plain, P, &at).await;
                domains_recovered +=
                    report.finished_domain_removals.len() + report.resumed_domain_additions.len();
                rollouts_repaired += usize::from(report.rollout_repaired);
                prunes_finished += report.finished_prunes.len();
            }
            check_invariants(&env.plain, P).await;
            crate::common::check_domains_consistent(&env.plain, P).await;
            if first.is_err() && !goal_reached(op, &env, &ctx).await {
                if let Err(e) = run(op, &env, &ctx).await {
                    panic!("{at}: re-running failed: {e}");
                }
            }
            check_done(op, &env, &ctx).await;
        }
    }
    if matches!(op, Op::DomainAdd | Op::DomainRemove) {
        assert!(
            domains_recovered > 0,
            "no crash left a {op:?} half-done for recover to finish"
        );
    }
    if op == Op::Prune {
        assert!(
            prunes_finished > 0,
            "no crash left a pruning halfway for recover to finish"
        );
    }
    if op.is_rollout() {
        assert!(
            rollouts_repaired > 0,
            "no crash left a {op:?} decision for recover to finish"
        );
    }
    println!(
        "{op:?}: {positions} call positions x {} fault kinds; recover finished {domains_recovered} domain changes, {rollouts_repaired} rollout decisions and {prunes_finished} prunings",
        Fault::ALL.len()
    );
    positions
}

#[tokio::test]
async fn rollout_start_survives_a_fault_at_every_call() {
    walk(Op::RolloutStart).await;
}

#[tokio::test]
async fn rollout_check_survives_a_fault_at_every_call() {
    walk(Op::RolloutCheck).await;
}

#[tokio::test]
async fn rollout_advance_survives_a_fault_at_every_call() {
    walk(Op::RolloutAdvance).await;
}

#[tokio::test]
async fn rollout_complete_survives_a_fault_at_every_call() {
    walk(Op::RolloutComplete).await;
}

#[tokio::test]
async fn rollout_abort_survives_a_fault_at_every_call() {
    walk(Op::RolloutAbort).await;
}

#[tokio::test]
async fn deploy_survives_a_fault_at_every_call() {
    walk(Op::Deploy).await;
}

#[tokio::test]
async fn preview_survives_a_fault_at_every_call() {
    walk(Op::Preview).await;
}

#[tokio::test]
async fn promote_survives_a_fault_at_every_call() {
    walk(Op::Promote).await;
}

#[tokio::test]
async fn rollback_survives_a_fault_at_every_call() {
    walk(Op::Rollback).await;
}

#[tokio::test]
async fn domain_add_survives_a_fault_at_every_call() {
    walk(Op::DomainAdd).await;
}

#[tokio::test]
async fn domain_refresh_survives_a_fault_at_every_call() {
    walk(Op::DomainRefresh).await;
}

#[tokio::test]
async fn domain_remove_survives_a_fault_at_every_call() {
    walk(Op::DomainRemove).await;
}

#[tokio::test]
async fn prune_survives_a_fault_at_every_call() {
    walk(Op::Prune).await;
}
