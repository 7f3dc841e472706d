//! Finishing the CDN side of a domain change that a concurrent refresh or
//! removal of the same domain got in between, so neither leaves the
//! distribution answering for a domain whose record says otherwise.

use super::attach::{detach, CertificateChoice};
use super::FlowContext;
use crate::error::{Error, Result};
use crate::model::{CdnStatus, DomainName, Project};

/// After a refresh attached `domain` but could not record it (a removal
/// or another change won the record's conditional write): takes the
/// domain off the distribution again, and off its certificate, unless the
/// record now says it is attached. Best effort; a failure is logged and
/// the next removal detaches it.
pub(super) async fn undo_attach(
    svc: &FlowContext,
    project: &Project,
    domain: &DomainName,
    certificate: &str,
) {
    match svc.backend.store.get_domain(domain).await {
        Ok(Some(d))
            if d.project == project.name && !d.removing && d.cdn_status == CdnStatus::Active => {}
        Ok(_) => {
            if let Err(e) = detach_again(svc, project, domain, certificate).await {
                tracing::warn!(domain = %domain, error = %e, "could not detach a domain whose refresh lost to a removal");
            }
        }
        Err(e) => {
            tracing::warn!(domain = %domain, error = %e, "could not re-read a domain whose refresh lost a race");
        }
    }
}

/// Deletes the removed domain's certificate. If the distribution uses it
/// again (a refresh that started before the removal attached the domain
/// after it was detached), detaches once more and retries, up to
/// `etag_retries` times.
pub(super) async fn delete_certificate(
    svc: &FlowContext,
    project: &Project,
    domain: &DomainName,
    certificate: &str,
) -> Result<()> {
    delete_certificate_in_use(svc, certificate, || {
        detach_again(svc, project, domain, certificate)
    })
    .await
}

/// Deletes `certificate`; while the CA refuses because something uses it
/// again (`InvalidState`), runs `take_off` to free it and retries, up to
/// `etag_retries` times. A certificate already gone is done.
pub(super) async fn delete_certificate_in_use<F, Fut>(
    svc: &FlowContext,
    certificate: &str,
    mut take_off: F,
) -> Result<()>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<()>>,
{
    let mut retries = 0;
    loop {
        match svc.backend.certificates.delete(certificate).await {
            Ok(()) | Err(Error::NotFound { .. }) => return Ok(()),
            Err(Error::InvalidState { .. }) if retries < svc.settings.etag_retries => {
                retries += 1;
                take_off().await?;
            }
            Err(e) => return Err(e),
        }
    }
}

/// Takes `domain` off the distribution and off `certificate`, choosing a
/// viewer certificate that covers the project's other domains.
async fn detach_again(
    svc: &FlowContext,
    project: &Project,
    domain: &DomainName,
    certificate: &str,
) -> Result<()> {
    let choice = CertificateChoice::new(svc, &project.name, None)
        .await?
        .without(domain);
    detach(
        svc,
        &project.infrastructure,
        domain,
        Some(certificate),
        &choice,
    )
    .await
}

/// After an add requested `certificate` but lost the record's conditional
/// write to a concurrent add of the same name: deletes the certificate if
/// no record can ever use it, that is, when the record now names another
/// certificate, is being removed, or is gone. Its idempotency token covers
/// the record's creation time, and a record never requests a second
/// certificate once it has one, so no later request can be handed this
/// deleted certificate back. Best effort; a failure is logged.
pub(super) async fn drop_unrecorded_certificate(
    svc: &FlowContext,
    domain: &DomainName,
    certificate: &str,
) {
    let unusable = match svc.backend.store.get_domain(domain).await {
        Ok(None) => true,
        Ok(Some(d)) => {
            d.removing
                || d.certificate_id
                    .as_deref()
                    .is_some_and(|c| c != certificate)
        }
        Err(e) => {
            tracing::warn!(domain = %domain, error = %e, "could not re-read a domain whose add lost a race");
            false
        }
    };
    if unusable {
        if let Err(e) = svc.backend.certificates.delete(certificate).await {
            tracing::warn!(domain = %domain, certificate, error = %e, "could not delete the certificate of an add that lost a race");
        }
    }
}
