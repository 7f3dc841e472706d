//! Looking up a domain record on behalf of its project.

use super::FlowContext;
use crate::error::{Error, ResourceKind, Result};
use crate::model::{Domain, DomainName, ProjectName};

/// Reads a domain that must belong to `project`.
pub(crate) async fn own_domain(
    svc: &FlowContext,
    project: &ProjectName,
    name: &DomainName,
) -> Result<Domain> {
    match svc.backend.store.get_domain(name).await? {
        Some(d) if d.project == *project => Ok(d),
        Some(d) => Err(Error::DomainTaken {
            domain: d.name.to_string(),
            project: d.project.to_string(),
        }),
        None => Err(Error::not_found(ResourceKind::Domain, name.as_str())),
    }
}
