//! Conditional record writes that tell a lost reply from a lost race.
//!
//! A write whose reply is lost may still have applied. Each helper re-reads
//! the record after a failed write and treats it as done when the record is
//! exactly what was written, so retries never double-apply and failures are
//! never reported for writes that happened.

use super::Services;
use crate::error::Result;
use crate::model::{Deployment, Project, ProjectName};
use crate::traits::{Expect, WriteBatch};

/// Writes a project record conditionally, treating a lost reply whose write
/// did apply as success.
pub(crate) async fn commit_project(
    svc: &Services,
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
    svc: &Services,
    name: &ProjectName,
    batch: WriteBatch,
    applied: impl Fn(&Project) -> bool,
) -> Result<()> {
    match svc.store.commit(batch).await {
        Ok(()) => Ok(()),
        Err(err) => match svc.store.get_project(name).await {
            Ok(Some(p)) if applied(&p) => Ok(()),
            _ => Err(err),
        },
    }
}

/// Writes a deployment record conditionally, treating a lost reply whose
/// write did apply as success.
pub(crate) async fn commit_verified_deployment(
    svc: &Services,
    d: &Deployment,
    expect: Expect,
) -> Result<()> {
    let batch = WriteBatch {
        deployments: vec![(d.clone(), expect)],
        ..WriteBatch::default()
    };
    match svc.store.commit(batch).await {
        Ok(()) => Ok(()),
        Err(err) => match svc.store.get_deployment(&d.project, &d.id).await {
            Ok(Some(stored)) if stored == *d => Ok(()),
            _ => Err(err),
        },
    }
}
