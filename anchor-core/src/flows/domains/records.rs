//! Conditional writes of domain records, telling a lost reply from a lost race.

use super::Services;
use crate::error::{Error, ResourceKind, Result};
use crate::model::{Domain, DomainName, ProjectName};
use crate::traits::{DomainWrite, Expect, WriteBatch};

/// Reads a domain that must belong to `project`.
pub(crate) async fn own_domain(
    svc: &Services,
    project: &ProjectName,
    name: &DomainName,
) -> Result<Domain> {
    match svc.store.get_domain(name).await? {
        Some(d) if d.project == *project => Ok(d),
        Some(d) => Err(Error::DomainTaken {
            domain: d.name.to_string(),
            project: d.project.to_string(),
        }),
        None => Err(Error::not_found(ResourceKind::Domain, name.as_str())),
    }
}

/// Applies `change` and writes the record under its revision.
pub(crate) async fn save_domain(
    svc: &Services,
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
    if let Err(err) = svc.store.commit(batch).await {
        match svc.store.get_domain(&next.name).await {
            Ok(Some(stored)) if stored == next => {}
            _ => return Err(err),
        }
    }
    *d = next;
    Ok(())
}

/// Deletes the record if it is unchanged; a lost reply whose delete applied
/// counts as done.
pub(crate) async fn delete_record(svc: &Services, d: &Domain) -> Result<()> {
    let batch = WriteBatch {
        domains: vec![DomainWrite::Delete {
            name: d.name.clone(),
            expected_revision: d.revision,
        }],
        ..WriteBatch::default()
    };
    match svc.store.commit(batch).await {
        Ok(()) => Ok(()),
        Err(err) => match svc.store.get_domain(&d.name).await {
            Ok(None) => Ok(()),
            _ => Err(err),
        },
    }
}
