//! Conditional batch commits and the version counter.
//!
//! Each write checks its condition and is applied before the next write is
//! checked, inside one IMMEDIATE transaction: a later write in the same batch
//! sees the earlier ones (two creates of one id in a batch fail), and any
//! failure returns before `commit`, so dropping the transaction rolls
//! everything back.

use rusqlite::{params, Connection, OptionalExtension, Transaction, TransactionBehavior};

use super::errors::{self, check, encode, to_sql};
use crate::error::{Error, ResourceKind, Result, Service};
use crate::model::{Deployment, Domain, DomainName, Project, ProjectName, RollbackEvent};
use crate::traits::{DomainWrite, Expect, WriteBatch};

const OP: &str = "Commit";

/// Applies `batch` all or nothing; see [`crate::traits::StateStore::commit`].
pub(super) fn commit(conn: &mut Connection, batch: &WriteBatch) -> Result<()> {
    let err = errors::sql(OP);
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(&err)?;
    if let Some((project, expect)) = &batch.project {
        put_project(&tx, project, *expect)?;
    }
    for (deployment, expect) in &batch.deployments {
        put_deployment(&tx, deployment, *expect)?;
    }
    for write in &batch.domains {
        match write {
            DomainWrite::Put(domain, expect) => put_domain(&tx, domain, *expect)?,
            DomainWrite::Delete {
                name,
                expected_revision,
            } => delete_domain(&tx, name, *expected_revision)?,
        }
    }
    if let Some(event) = &batch.rollback_event {
        append_rollback(&tx, event)?;
    }
    if let Some((project, sequence)) = &batch.retracted_rollback_event {
        retract_rollback(&tx, project, *sequence)?;
    }
    tx.commit().map_err(&err)
}

/// Removes a rollback event, which must exist.
fn retract_rollback(tx: &Transaction<'_>, project: &ProjectName, sequence: u64) -> Result<()> {
    let err = errors::sql("Commit");
    let seq = to_sql("rollback.sequence", sequence)?;
    let removed = tx
        .execute(
            "DELETE FROM rollbacks WHERE project = ?1 AND sequence = ?2",
            params![project.as_str(), seq],
        )
        .map_err(&err)?;
    if removed == 0 {
        return Err(Error::precondition(
            ResourceKind::Project,
            project.as_str(),
            format!("expected rollback event {sequence}, found none"),
        ));
    }
    Ok(())
}

/// Hands out the project's next version number.
///
/// The counter is a row of its own, not `MAX(version)` of the deployments,
/// so a number whose deployment was never recorded is still never reused.
pub(super) fn allocate_version(conn: &mut Connection, project: &ProjectName) -> Result<u64> {
    let err = errors::sql("AllocateVersion");
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(&err)?;
    let next: i64 = tx
        .query_row(
            "INSERT INTO version_counters (project, last) VALUES (?1, 1)
             ON CONFLICT (project) DO UPDATE SET last = last + 1
             RETURNING last",
            [project.as_str()],
            |row| row.get(0),
        )
        .map_err(&err)?;
    tx.commit().map_err(&err)?;
    // The counter starts at 1 and only grows, so it is positive.
    u64::try_from(next).map_err(|_| {
        Error::service(
            "local",
            Service::StateStore,
            "AllocateVersion",
            format!("version counter of {project} holds {next}, which is not a version"),
        )
    })
}

fn put_project(tx: &Transaction<'_>, project: &Project, expect: Expect) -> Result<()> {
    let err = errors::sql(OP);
    let name = project.name.as_str();
    let found: Option<i64> = tx
        .query_row(
            "SELECT revision FROM projects WHERE name = ?1",
            [name],
            |row| row.get(0),
        )
        .optional()
        .map_err(&err)?;
    check(ResourceKind::Project, name, expect, found)?;
    tx.execute(
        "INSERT INTO projects (name, revision, json) VALUES (?1, ?2, ?3)
         ON CONFLICT (name) DO UPDATE SET revision = excluded.revision, json = excluded.json",
        params![
            name,
            to_sql("project.revision", project.revision)?,
            encode(OP, project)?
        ],
    )
    .map_err(&err)?;
    Ok(())
}

fn put_deployment(tx: &Transaction<'_>, deployment: &Deployment, expect: Expect) -> Result<()> {
    let err = errors::sql(OP);
    let id = deployment.id.as_str();
    let project = deployment.project.as_str();
    let version = to_sql("deployment.version", deployment.version)?;
    let revision = to_sql("deployment.revision", deployment.revision)?;
    let by_id: Option<(String, i64, i64)> = tx
        .query_row(
            "SELECT project, version, revision FROM deployments WHERE id = ?1",
            [id],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )
        .optional()
        .map_err(&err)?;
    check(
        ResourceKind::Deployment,
        id,
        expect,
        by_id.as_ref().map(|row| row.2),
    )?;
    let json = encode(OP, deployment)?;
    match by_id {
        None => {
            // The id is new, but its (project, version) slot may be taken by
            // another deployment: two deploys that were handed one version.
            let holder: Option<String> = tx
                .query_row(
                    "SELECT id FROM deployments WHERE project = ?1 AND version = ?2",
                    params![project, version],
                    |row| row.get(0),
                )
                .optional()
                .map_err(&err)?;
            if let Some(holder) = holder {
                return Err(Error::precondition(
                    ResourceKind::Deployment,
                    id,
                    format!(
                        "expected no record, found version {version} of {project} \
                         recorded as deployment {holder}"
                    ),
                ));
            }
            tx.execute(
                "INSERT INTO deployments (project, version, id, revision, json)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![project, version, id, revision, json],
            )
            .map_err(&err)?;
        }
        Some((stored_project, stored_version, _)) => {
            // Keys are what listings and lookups go by; moving a deployment
            // to another slot would be a different deployment.
            if stored_project != project || stored_version != version {
                return Err(Error::precondition(
                    ResourceKind::Deployment,
                    id,
                    format!(
                        "stored as version {stored_version} of {stored_project}; \
                         a deployment's project and version cannot change"
                    ),
                ));
            }
            tx.execute(
                "UPDATE deployments SET revision = ?2, json = ?3 WHERE id = ?1",
                params![id, revision, json],
            )
            .map_err(&err)?;
        }
    }
    Ok(())
}

fn domain_revision(tx: &Transaction<'_>, name: &str) -> Result<Option<i64>> {
    tx.query_row(
        "SELECT revision FROM domains WHERE name = ?1",
        [name],
        |row| row.get(0),
    )
    .optional()
    .map_err(errors::sql(OP))
}

fn put_domain(tx: &Transaction<'_>, domain: &Domain, expect: Expect) -> Result<()> {
    let err = errors::sql(OP);
    let name = domain.name.as_str();
    let found = domain_revision(tx, name)?;
    check(ResourceKind::Domain, name, expect, found)?;
    let revision = to_sql("domain.revision", domain.revision)?;
    let json = encode(OP, domain)?;
    if found.is_none() {
        // `created_seq` orders a project's domains by insertion. It is
        // explicit rather than the rowid because VACUUM may renumber rowids.
        tx.execute(
            "INSERT INTO domains (name, project, revision, created_seq, json)
             VALUES (?1, ?2, ?3,
                     (SELECT COALESCE(MAX(created_seq), 0) + 1 FROM domains WHERE project = ?2),
                     ?4)",
            params![name, domain.project.as_str(), revision, json],
        )
    } else {
        tx.execute(
            "UPDATE domains SET project = ?2, revision = ?3, json = ?4 WHERE name = ?1",
            params![name, domain.project.as_str(), revision, json],
        )
    }
    .map_err(&err)?;
    Ok(())
}

fn delete_domain(tx: &Transaction<'_>, name: &DomainName, expected: u64) -> Result<()> {
    let found = domain_revision(tx, name.as_str())?;
    check(
        ResourceKind::Domain,
        name.as_str(),
        Expect::Revision(expected),
        found,
    )?;
    tx.execute("DELETE FROM domains WHERE name = ?1", [name.as_str()])
        .map_err(errors::sql(OP))?;
    Ok(())
}

fn append_rollback(tx: &Transaction<'_>, event: &RollbackEvent) -> Result<()> {
    let err = errors::sql(OP);
    let project = event.project.as_str();
    let sequence = to_sql("rollback.sequence", event.sequence)?;
    // serde_json writes a NaN as `null`, which would then fail to decode.
    if !event.duration_ms.is_finite() {
        return Err(Error::invalid_input(
            "rollback.duration_ms",
            format!("{} is not a finite number", event.duration_ms),
        ));
    }
    let taken = tx
        .query_row(
            "SELECT 1 FROM rollbacks WHERE project = ?1 AND sequence = ?2",
            params![project, sequence],
            |_| Ok(()),
        )
        .optional()
        .map_err(&err)?
        .is_some();
    if taken {
        // There is no resource kind for history entries; the project's
        // history is what was contended.
        return Err(Error::precondition(
            ResourceKind::Project,
            project,
            format!("expected no rollback event {sequence}, found one"),
        ));
    }
    tx.execute(
        "INSERT INTO rollbacks (project, sequence, json) VALUES (?1, ?2, ?3)",
        params![project, sequence, encode(OP, event)?],
    )
    .map_err(&err)?;
    Ok(())
}
