//! Conditional record writes that tell a lost reply from a lost race.
//!
//! A write whose reply is lost may still have applied. Each helper re-reads
//! the record after a failed write and treats it as done when the record is
//! exactly what was written, so retries never double-apply and failures are
//! never reported for writes that happened.

use super::FlowContext;
use crate::error::Result;
use crate::model::{Deployment, Domain, Project, ProjectName};
use crate::traits::{DomainWrite, Expect, WriteBatch};

/// Writes a project record conditionally, treating a lost reply whose write
/// did apply as success.
pub(crate) async fn commit_project(
    svc: &FlowContext,
    next: &Project,
    expected_revision: u64,
) -> Result<()> {
    let batch = WriteBatch {
        project: Some((next.clone(), Expect::Revision(expected_revision))),
        ..WriteBatch::default()
    };
    commit_verified(svc, &next.name, batch, |p| p == next).await
}

/// Commits `batch`; if the call fails but a re-read shows the project as
/// `applied` expects, the write happened and only the reply was lost.
pub(crate) async fn commit_verified(
    svc: &FlowContext,
    name: &ProjectName,
    batch: WriteBatch,
    applied: impl Fn(&Project) -> bool,
) -> Result<()> {
    match svc.backend.store.commit(batch).await {
        Ok(()) => Ok(()),
        Err(err) => match svc.backend.store.get_project(name).await {
            Ok(Some(p)) if applied(&p) => Ok(()),
            _ => Err(err),
        },
    }
}

/// Writes a deployment record conditionally, treating a lost reply whose
/// write did apply as success.
pub(crate) async fn commit_verified_deployment(
    svc: &FlowContext,
    d: &Deployment,
    expect: Expect,
) -> Result<()> {
    let batch = WriteBatch {
        deployments: vec![(d.clone(), expect)],
        ..WriteBatch::default()
    };
    match svc.backend.store.commit(batch).await {
        Ok(()) => Ok(()),
        Err(err) => match svc.backend.store.get_deployment(&d.project, &d.id).await {
            Ok(Some(stored)) if stored == *d => Ok(()),
            _ => Err(err),
        },
    }
}

/// Applies `change` to the deployment and writes it under its revision.
pub(crate) async fn save_deployment(
    svc: &FlowContext,
    d: &mut Deployment,
    change: impl FnOnce(&mut Deployment),
) -> Result<()> {
    let mut next = d.clone();
    change(&mut next);
    next.revision = d.revision + 1;
    next.updated_at = svc.clock.now();
    commit_verified_deployment(svc, &next, Expect::Revision(d.revision)).await?;
    *d = next;
    Ok(())
}

/// Applies `change` to the domain and writes it under its revision.
pub(crate) async fn save_domain(
    svc: &FlowContext,
    d: &mut Domain,
    change: impl FnOnce(&mut Domain),
) -> Result<()> {
    let mut next = d.clone();
    change(&mut next);
    next.revision = d.revision + 1;
    next.updated_at = svc.clock.now();
    let batch = WriteBatch {
        domains: vec![DomainWrite::Put(next.clone(), Expect::Revision(d.revision))],
        ..WriteBatch::default()
    };
    if let Err(err) = svc.backend.store.commit(batch).await {
        match svc.backend.store.get_domain(&next.name).await {
            Ok(Some(stored)) if stored == next => {}
            _ => return Err(err),
        }
    }
    *d = next;
    Ok(())
}

/// Deletes the record if it is unchanged; a lost reply whose delete applied
/// counts as done.
pub(crate) async fn delete_record(svc: &FlowContext, d: &Domain) -> Result<()> {
    let batch = WriteBatch {
        domains: vec![DomainWrite::Delete {
            name: d.name.clone(),
            expected_revision: d.revision,
        }],
        ..WriteBatch::default()
    };
    match svc.backend.store.commit(batch).await {
        Ok(()) => Ok(()),
        Err(err) => match svc.backend.store.get_domain(&d.name).await {
            Ok(None) => Ok(()),
            _ => Err(err),
        },
    }
}
