//! Conditional writes, atomic batches and read-your-writes.

use crate::error::ResourceKind;
use crate::traits::{DomainWrite, Expect, StateStore, WriteBatch};

use super::fixtures::*;

pub(super) async fn conditional_project_writes(store: &dyn StateStore) {
    let name = project_name("cond");
    let created = project(&name);
    let none = ok(store.get_project(&name).await, "get_project");
    assert_eq!(none, None, "a project never written must read as None");

    ok(
        store.commit(project_batch(&created, Expect::Absent)).await,
        "creating a project under Expect::Absent",
    );
    let read = ok(store.get_project(&name).await, "get_project");
    assert_eq!(
        read.as_ref(),
        Some(&created),
        "a created project must read back unchanged"
    );

    assert_precondition(
        store.commit(project_batch(&created, Expect::Absent)).await,
        ResourceKind::Project,
        name.as_str(),
        "Expect::Absent on an existing project must fail",
    );
    let mut jumped = created.clone();
    jumped.revision = 6;
    assert_precondition(
        store
            .commit(project_batch(&jumped, Expect::Revision(5)))
            .await,
        ResourceKind::Project,
        name.as_str(),
        "Expect::Revision with the wrong revision must fail",
    );
    let read = ok(store.get_project(&name).await, "get_project");
    assert_eq!(
        read.map(|p| p.revision),
        Some(1),
        "a failed update must not change the project"
    );

    let mut updated = created.clone();
    updated.revision = 2;
    updated.infrastructure.alias = "blue".into();
    ok(
        store
            .commit(project_batch(&updated, Expect::Revision(1)))
            .await,
        "updating a project under its current revision",
    );
    let read = ok(store.get_project(&name).await, "get_project");
    assert_eq!(
        read.as_ref(),
        Some(&updated),
        "an update must store the new record and revision"
    );
    assert_precondition(
        store
            .commit(project_batch(&updated, Expect::Revision(1)))
            .await,
        ResourceKind::Project,
        name.as_str(),
        "a second update expecting the old revision must fail",
    );

    let ghost = project_name("ghost");
    assert_precondition(
        store
            .commit(project_batch(&project(&ghost), Expect::Revision(1)))
            .await,
        ResourceKind::Project,
        ghost.as_str(),
        "Expect::Revision on a missing project must fail",
    );
    let read = ok(store.get_project(&ghost).await, "get_project");
    assert_eq!(
        read, None,
        "a failed conditional update must not create the project"
    );
}

pub(super) async fn conditional_deployment_writes(store: &dyn StateStore) {
    let name = project_name("depl");
    let first = deployment(&name, 1);
    let put = |d: &crate::model::Deployment, expect| WriteBatch {
        deployments: vec![(d.clone(), expect)],
        ..WriteBatch::default()
    };
    ok(
        store.commit(put(&first, Expect::Absent)).await,
        "creating a deployment",
    );
    let by_id = ok(
        store.get_deployment(&name, &first.id).await,
        "get_deployment",
    );
    assert_eq!(
        by_id.as_ref(),
        Some(&first),
        "a deployment must read back by id"
    );
    let by_version = ok(
        store.get_deployment_by_version(&name, 1).await,
        "by version",
    );
    assert_eq!(
        by_version.as_ref(),
        Some(&first),
        "a deployment must read back by version"
    );
    let missing = ok(
        store.get_deployment_by_version(&name, 99).await,
        "by version",
    );
    assert_eq!(missing, None, "an unused version must read as None");
    let other = project_name("other");
    let foreign = ok(
        store.get_deployment(&other, &first.id).await,
        "get_deployment",
    );
    assert_eq!(
        foreign, None,
        "get_deployment must not return another project's deployment"
    );

    assert_precondition(
        store.commit(put(&first, Expect::Absent)).await,
        ResourceKind::Deployment,
        first.id.as_str(),
        "Expect::Absent on an existing deployment id must fail",
    );
    let same_version = deployment(&name, 1);
    assert_precondition(
        store.commit(put(&same_version, Expect::Absent)).await,
        ResourceKind::Deployment,
        same_version.id.as_str(),
        "a second deployment with a used (project, version) must fail",
    );
    let still = ok(
        store.get_deployment_by_version(&name, 1).await,
        "by version",
    );
    assert_eq!(
        still.map(|d| d.id),
        Some(first.id.clone()),
        "version 1 must keep its deployment"
    );

    let mut live = first.clone();
    live.status = crate::model::DeploymentStatus::Live;
    live.revision = 2;
    ok(
        store.commit(put(&live, Expect::Revision(1))).await,
        "updating a deployment",
    );
    let read = ok(
        store.get_deployment(&name, &first.id).await,
        "get_deployment",
    );
    assert_eq!(
        read.as_ref(),
        Some(&live),
        "an update must store the new deployment record"
    );
    assert_precondition(
        store.commit(put(&live, Expect::Revision(1))).await,
        ResourceKind::Deployment,
        first.id.as_str(),
        "a stale deployment revision must fail",
    );
    let unknown = deployment(&name, 2);
    assert_precondition(
        store.commit(put(&unknown, Expect::Revision(1))).await,
        ResourceKind::Deployment,
        unknown.id.as_str(),
        "Expect::Revision on a missing deployment must fail",
    );
}

pub(super) async fn batches_are_all_or_nothing(store: &dyn StateStore) {
    let name = project_name("atomic");
    let created = project(&name);
    let good = deployment(&name, 1);
    let bad = deployment(&name, 2);
    let batch = WriteBatch {
        project: Some((created.clone(), Expect::Absent)),
        deployments: vec![
            (good.clone(), Expect::Absent),
            (bad.clone(), Expect::Revision(3)),
        ],
        ..WriteBatch::default()
    };
    assert_precondition(
        store.commit(batch).await,
        ResourceKind::Deployment,
        bad.id.as_str(),
        "a batch must fail naming the record whose condition failed",
    );
    let read = ok(store.get_project(&name).await, "get_project");
    assert_eq!(
        read, None,
        "a failed batch must not apply its project write"
    );
    let read = ok(
        store.get_deployment(&name, &good.id).await,
        "get_deployment",
    );
    assert_eq!(
        read, None,
        "a failed batch must not apply writes before the failing one"
    );

    // The second domain write fails: the first must not be applied.
    ok(
        store.commit(project_batch(&created, Expect::Absent)).await,
        "create project",
    );
    let held = domain_name("held");
    ok(
        store
            .commit(WriteBatch {
                domains: vec![DomainWrite::Put(domain(&held, &name), Expect::Absent)],
                ..WriteBatch::default()
            })
            .await,
        "claiming a domain",
    );
    let fresh = domain_name("fresh");
    let batch = WriteBatch {
        domains: vec![
            DomainWrite::Put(domain(&fresh, &name), Expect::Absent),
            DomainWrite::Put(domain(&held, &name), Expect::Absent),
        ],
        ..WriteBatch::default()
    };
    assert_precondition(
        store.commit(batch).await,
        ResourceKind::Domain,
        held.as_str(),
        "claiming a held domain must fail",
    );
    let read = ok(store.get_domain(&fresh).await, "get_domain");
    assert_eq!(
        read, None,
        "a failed batch must not apply its first domain write"
    );

    // A duplicate rollback event fails the batch, project update included.
    let first = rollback(&name, 1, &good);
    ok(
        store
            .commit(WriteBatch {
                rollback_event: Some(first.clone()),
                ..WriteBatch::default()
            })
            .await,
        "appending rollback 1",
    );
    let batch = WriteBatch {
        project: Some((activated(&created, &good), Expect::Revision(1))),
        rollback_event: Some(first),
        ..WriteBatch::default()
    };
    assert_any_precondition(
        store.commit(batch).await,
        "appending an existing rollback sequence must fail",
    );
    // A failed delete fails the batch too.
    let batch = WriteBatch {
        project: Some((activated(&created, &good), Expect::Revision(1))),
        domains: vec![DomainWrite::Delete {
            name: held.clone(),
            expected_revision: 9,
        }],
        ..WriteBatch::default()
    };
    assert_precondition(
        store.commit(batch).await,
        ResourceKind::Domain,
        held.as_str(),
        "deleting a domain under a wrong revision must fail",
    );
    let read = ok(store.get_project(&name).await, "get_project");
    assert_eq!(
        read.map(|p| p.revision),
        Some(1),
        "a failed batch must not apply its project update"
    );

    // Retracting a missing event fails the batch; an existing one goes.
    let batch = WriteBatch {
        project: Some((activated(&created, &good), Expect::Revision(1))),
        retracted_rollback_event: Some((name.clone(), 7)),
        ..WriteBatch::default()
    };
    assert_any_precondition(
        store.commit(batch).await,
        "retracting a rollback event that does not exist must fail",
    );
    ok(
        store
            .commit(WriteBatch {
                retracted_rollback_event: Some((name.clone(), 1)),
                ..WriteBatch::default()
            })
            .await,
        "retracting rollback 1",
    );
    let events = ok(
        store
            .list_rollbacks(&name, &crate::model::PageRequest::first(10))
            .await,
        "list_rollbacks",
    );
    assert!(
        events.items.iter().all(|e| e.sequence != 1),
        "a retracted rollback event must be gone"
    );
}

pub(super) async fn read_your_writes(store: &dyn StateStore) {
    let name = project_name("ryw");
    let mut current = project(&name);
    ok(
        store.commit(project_batch(&current, Expect::Absent)).await,
        "create project",
    );
    for version in 1..=5 {
        let next = deployment(&name, version);
        let updated = activated(&current, &next);
        let batch = WriteBatch {
            project: Some((updated.clone(), Expect::Revision(current.revision))),
            deployments: vec![(next.clone(), Expect::Absent)],
            ..WriteBatch::default()
        };
        ok(store.commit(batch).await, "activating a deployment");
        let read = ok(store.get_project(&name).await, "get_project");
        assert_eq!(
            read.and_then(|p| p.active_deployment),
            Some(next.id.clone()),
            "right after commit the project must show the new active deployment"
        );
        let read = ok(
            store.get_deployment(&name, &next.id).await,
            "get_deployment",
        );
        assert!(
            read.is_some(),
            "right after commit the deployment must be readable"
        );
        current = updated;
    }
}
