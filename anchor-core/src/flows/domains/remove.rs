//! [`DomainManager::remove`]: taking a domain off the CDN, then its
//! certificate, then its record, in either domain mode; an interrupted
//! removal resumes when called again.

use super::attach::{detach, preflight_detach, CertificateChoice};
use super::preview_suffix::set_preview_suffix;
use super::records::own_domain;
use super::{cleanup, tenant, DomainManager};
use crate::error::{Error, Result};
use crate::flows::records::{delete_record, save_domain};
use crate::model::{Domain, DomainMode, Project};

impl DomainManager {
    /// Detaches the domain from the CDN (in tenant mode: disables and
    /// deletes its tenant, touching no other domain's), then deletes its
    /// certificate (only if it carries Anchor's managed-by tag), then the
    /// record. An
    /// interrupted removal resumes when called again. A certificate without
    /// the tag fails with `NotManaged` before anything changes. Losing a
    /// race with a concurrent change of the record or the distribution fails
    /// with `Conflict` and leaves the domain as it was (attached, and not
    /// marked as being removed).
    pub async fn remove(&self, name: &str) -> Result<()> {
        self.remove_once(name).await.map_err(|e| self.lost_race(e))
    }

    async fn remove_once(&self, name: &str) -> Result<()> {
        let (project, domain) = self.parse(name).await?;
        let svc = &self.svc;
        let mut record = own_domain(svc, &project.name, &domain).await?;
        let certificate = match &record.certificate_id {
            Some(id) => match svc.backend.certificates.describe(id).await {
                Ok(desc) if !desc.is_managed_by_anchor() => {
                    return Err(Error::NotManaged {
                        certificate: id.clone(),
                    })
                }
                Ok(_) => Some(id.clone()),
                Err(Error::NotFound { .. }) => None,
                Err(e) => return Err(e),
            },
            None => None,
        };
        if project.infrastructure.domains == DomainMode::Tenants {
            return self.remove_tenant(&project, record, certificate).await;
        }
        // Check that the remaining aliases stay covered before changing anything.
        let choice = CertificateChoice::new(svc, &project.name, None)
            .await?
            .without(&domain);
        preflight_detach(
            svc,
            &project.infrastructure,
            &domain,
            certificate.as_deref(),
            &choice,
        )
        .await?;
        let marked_here = !record.removing;
        if marked_here {
            save_domain(svc, &mut record, |d| d.removing = true).await?;
        }
        let detached = detach(
            svc,
            &project.infrastructure,
            &domain,
            certificate.as_deref(),
            &choice,
        )
        .await;
        if let Err(e) = detached {
            // A refusal means the distribution did not change (its update
            // is the last step of `detach`): take the mark back, so a lost
            // race leaves nothing half-done. After an unclear failure the
            // mark stays and the removal resumes when called again or on
            // recover(). Clearing it can itself lose a race with another
            // removal, which then owns the record.
            if marked_here && refused_unchanged(&e) {
                let _ = save_domain(svc, &mut record, |d| d.removing = false).await;
            }
            return Err(e);
        }
        set_preview_suffix(svc, &project.infrastructure, &domain, false).await?;
        if let Some(id) = certificate {
            cleanup::delete_certificate(svc, &project, &domain, &id).await?;
        }
        delete_record(svc, &record).await
    }

    /// [`Self::remove`] in tenant mode: mark, delete the tenant, take the
    /// wildcard's suffix away, delete the certificate, then the record.
    async fn remove_tenant(
        &self,
        project: &Project,
        mut record: Domain,
        certificate: Option<String>,
    ) -> Result<()> {
        let svc = &self.svc;
        if !record.removing {
            save_domain(svc, &mut record, |d| d.removing = true).await?;
        }
        tenant::detach(svc, &record.name).await?;
        set_preview_suffix(svc, &project.infrastructure, &record.name, false).await?;
        if let Some(id) = certificate {
            tenant::delete_certificate(svc, &record.name, &id).await?;
        }
        delete_record(svc, &record).await
    }
}

/// Whether `e` is a refusal that changed nothing: a lost If-Match or
/// conditional write, or a check that failed before the write.
fn refused_unchanged(e: &Error) -> bool {
    matches!(
        e,
        Error::PreconditionFailed { .. }
            | Error::Conflict { .. }
            | Error::InvalidState { .. }
            | Error::InvalidInput { .. }
    )
}
