//! Crash recovery on the AWS backend against moto: a deploy, a rollback, a
//! domain removal and a domain addition stopped at each of their calls in
//! turn (the operation's future dropped there, as a killed process leaves
//! it), then `recover` from a fresh handle. What recover reports must be exactly what the crash left, the
//! invariants must hold after it, and the operation must then succeed.
//!
//! The embedded default walks every call of every flow with every fault
//! kind (`faults_local.rs`); here one project carries on from each
//! recovered state to the next crash, so the walk costs one operation per
//! position instead of a fresh setup. Each attempt opens a fresh handle (a
//! restarted process, nothing cached) and the walk ends when an operation
//! finishes before the armed position: all of its calls were walked.

use crate::aws_support;
use crate::common;

use std::future::Future;
use std::path::Path;
use std::sync::Arc;

use anchor_core::fault::{self, Fault, FaultPlan};
use anchor_core::model::CdnStatus;
use anchor_core::{Anchor, Error};
use aws_support::{moto, Moto};
use common::{
    check_invariants, copy_tree, eager_settings, fixture_source, make_variant, recover_checked,
};

const P: &str = "shop";

/// The plain handle and a fault plan for [`faulty`] handles.
async fn open(m: &Moto) -> (Anchor, Arc<FaultPlan>) {
    let options = m.options("anchor-recovery");
    let backend = anchor_core::aws::open_backend(&m.config, &options)
        .await
        .unwrap();
    let plain = Anchor::builder(backend).settings(eager_settings()).build();
    (plain, FaultPlan::new())
}

/// A new handle on the same backend behind `plan`, as a restarted process
/// opens it: nothing cached, so every operation makes all of its calls.
fn faulty(plain: &Anchor, plan: &Arc<FaultPlan>) -> Anchor {
    Anchor::builder(fault::wrap(plain.backend().clone(), plan))
        .settings(eager_settings())
        .build()
}

fn variant(tmp: &Path, tag: &str) -> std::path::PathBuf {
    let dir = tmp.join(tag);
    copy_tree(&fixture_source(), &dir);
    make_variant(&dir, tag);
    dir
}

/// Runs `op` with a crash armed at `position`; true if the crash was reached
/// (the operation was dropped there), false if it finished first.
async fn crash_at<T>(
    plan: &FaultPlan,
    position: usize,
    op: impl Future<Output = Result<T, Error>>,
) -> bool {
    plan.arm(position, Fault::Crash);
    let crashed = tokio::select! {
        _ = op => false,
        _ = plan.crashed() => true,
    };
    plan.reset();
    crashed
}

#[tokio::test]
async fn a_crash_at_any_call_of_deploy_or_rollback_is_recovered_on_moto() {
    let Some(m) = moto().await else { return };
    let tmp = tempfile::tempdir().unwrap();
    let (plain, plan) = open(&m).await;
    plain.create_project(P).await.unwrap();
    let v1 = plain
        .deployer(P, variant(tmp.path(), "v1"))
        .execute()
        .await
        .unwrap()
        .id;
    let v2 = plain
        .deployer(P, variant(tmp.path(), "v2"))
        .execute()
        .await
        .unwrap()
        .id;

    // Rollback: crash at call 0, 1, 2, ... until one finishes first.
    let mut rollback_positions = 0;
    for position in 0.. {
        let live = plain.active_deployment(P).await.unwrap().map(|d| d.id);
        let target = if live.as_ref() == Some(&v1) { &v2 } else { &v1 };
        let handle = faulty(&plain, &plan);
        let rollback = handle.rollback(P).to_deployment(target.as_str());
        if !crash_at(&plan, position, rollback.execute()).await {
            // It made fewer calls than `position`: every call was walked.
            check_invariants(&plain, P).await;
            break;
        }
        rollback_positions += 1;
        let at = format!("rollback crashed at call {position}");
        recover_checked(&plain, P, &at).await;
        check_invariants(&plain, P).await;
        let live = plain.active_deployment(P).await.unwrap().map(|d| d.id);
        if live.as_ref() != Some(target) {
            plain
                .rollback(P)
                .to_deployment(target.as_str())
                .execute()
                .await
                .unwrap_or_else(|e| panic!("{at}: re-running failed: {e}"));
        }
        check_invariants(&plain, P).await;
    }
    assert!(rollback_positions >= 5, "a rollback makes several calls");

    // Deploy: a new variant each time, so every deploy uploads and publishes.
    let mut deploy_positions = 0;
    for position in 0.. {
        let dir = variant(tmp.path(), &format!("d{position}"));
        let handle = faulty(&plain, &plan);
        let deployer = handle.deployer(P, &dir);
        if !crash_at(&plan, position, deployer.execute()).await {
            check_invariants(&plain, P).await;
            break;
        }
        deploy_positions += 1;
        let at = format!("deploy crashed at call {position}");
        recover_checked(&plain, P, &at).await;
        check_invariants(&plain, P).await;
        let again = plain
            .deployer(P, &dir)
            .execute()
            .await
            .unwrap_or_else(|e| panic!("{at}: re-running failed: {e}"));
        assert_eq!(
            plain.active_deployment(P).await.unwrap().map(|d| d.id),
            Some(again.id),
            "{at}"
        );
        check_invariants(&plain, P).await;
    }
    assert!(deploy_positions >= 10, "a deploy makes many calls");
    println!(
        "moto crash recovery: {rollback_positions} rollback positions, \
         {deploy_positions} deploy positions"
    );
}

/// Adds `name` and waits until ACM (moto, after `MOTO_ACM_VALIDATION_WAIT`
/// seconds) has issued it and it is attached.
async fn add_and_attach(plain: &Anchor, name: &str) {
    let domains = plain.domains(P);
    domains.add(name).await.unwrap();
    for _ in 0..120 {
        if domains.refresh(name).await.unwrap().cdn_status == CdnStatus::Active {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    panic!("{name} was never attached");
}

/// After recover, no domain change is half-done and the distribution's
/// aliases are exactly the attached domains.
async fn check_domains(plain: &Anchor, at: &str) {
    let project = plain.project(P).await.unwrap();
    let domains = plain.domains(P).list().await.unwrap();
    assert!(
        domains
            .iter()
            .all(|d| !d.removing && d.certificate_id.is_some()),
        "{at}: a domain change is half-done: {domains:?}"
    );
    let config = plain
        .backend()
        .cdn
        .get_config(&project.infrastructure.distribution_id)
        .await
        .unwrap()
        .value;
    for alias in &config.aliases {
        assert!(
            domains.iter().any(|d| d.name.as_str() == alias),
            "{at}: alias {alias} has no domain record"
        );
    }
    for d in domains.iter().filter(|d| d.cdn_status == CdnStatus::Active) {
        assert!(
            config.aliases.iter().any(|a| a == d.name.as_str()),
            "{at}: {} is active but not attached",
            d.name
        );
    }
}

#[tokio::test]
async fn a_crash_at_any_call_of_domain_add_or_remove_is_recovered_on_moto() {
    let Some(m) = moto().await else { return };
    let tmp = tempfile::tempdir().unwrap();
    let (plain, plan) = open(&m).await;
    plain.create_project(P).await.unwrap();
    plain
        .deployer(P, variant(tmp.path(), "v1"))
        .execute()
        .await
        .unwrap();

    // Remove: attach the domain, crash the removal at call 0, 1, 2, ...
    let name = "www.example.com";
    let mut remove_positions = 0;
    let mut removals_finished = 0;
    for position in 0.. {
        if plain.domains(P).list().await.unwrap().is_empty() {
            add_and_attach(&plain, name).await;
        }
        let handle = faulty(&plain, &plan);
        let domains = handle.domains(P);
        if !crash_at(&plan, position, domains.remove(name)).await {
            check_domains(&plain, "remove finished").await;
            break;
        }
        remove_positions += 1;
        let at = format!("domain remove crashed at call {position}");
        let report = recover_checked(&plain, P, &at).await;
        removals_finished += report.finished_domain_removals.len();
        check_domains(&plain, &at).await;
        check_invariants(&plain, P).await;
    }
    assert!(remove_positions >= 3, "a removal makes several calls");
    assert!(removals_finished > 0, "no crash left a removal for recover");

    // Add: crash the addition at call 0, 1, 2, ...; recover requests the
    // certificate a claimed domain lacks; then the domain is removed again.
    let mut add_positions = 0;
    let mut additions_resumed = 0;
    for position in 0.. {
        let handle = faulty(&plain, &plan);
        let domains = handle.domains(P);
        if !crash_at(&plan, position, domains.add(name)).await {
            check_domains(&plain, "add finished").await;
            break;
        }
        add_positions += 1;
        let at = format!("domain add crashed at call {position}");
        let report = recover_checked(&plain, P, &at).await;
        additions_resumed += report.resumed_domain_additions.len();
        check_domains(&plain, &at).await;
        if !plain.domains(P).list().await.unwrap().is_empty() {
            plain
                .domains(P)
                .remove(name)
                .await
                .unwrap_or_else(|e| panic!("{at}: removing afterwards failed: {e}"));
        }
    }
    assert!(add_positions >= 2, "an addition makes several calls");
    assert!(
        additions_resumed > 0,
        "no crash left an addition for recover"
    );
    println!(
        "moto crash recovery: {remove_positions} domain remove positions \
         ({removals_finished} removals finished by recover), {add_positions} domain add \
         positions ({additions_resumed} additions resumed)"
    );
}
