//! Attaching and detaching a domain on the distribution with If-Match, and
//! choosing the one viewer certificate that covers every alias.

use super::FlowContext;
use crate::error::{Error, ResourceKind, Result};
use crate::model::{CertificateStatus, Domain, DomainName, Infrastructure, ProjectName};
use crate::traits::{DistributionConfig, Versioned};

/// The project's issued certificates, newest domain first.
#[derive(Debug, Clone)]
pub(crate) struct CertificateChoice {
    candidates: Vec<(DomainName, String)>,
}

impl CertificateChoice {
    /// Collects the certificates of the project's domains that are issued,
    /// counting `refreshing` (whose issuance is not recorded yet) as issued.
    pub async fn new(
        svc: &FlowContext,
        project: &ProjectName,
        refreshing: Option<&Domain>,
    ) -> Result<Self> {
        let mut domains = svc.backend.store.list_domains(project).await?;
        domains.sort_by(|a, b| {
            b.created_at
                .cmp(&a.created_at)
                .then_with(|| b.name.cmp(&a.name))
        });
        let candidates = domains
            .into_iter()
            .filter(|d| !d.removing)
            .filter(|d| {
                d.certificate_status == CertificateStatus::Issued
                    || refreshing.is_some_and(|r| r.name == d.name)
            })
            .filter_map(|d| d.certificate_id.map(|c| (d.name, c)))
            .collect();
        Ok(Self { candidates })
    }

    /// The same choice without `name`'s certificate.
    pub fn without(mut self, name: &DomainName) -> Self {
        self.candidates.retain(|(n, _)| n != name);
        self
    }

    /// The newest issued certificate covering every alias; `None` for no
    /// aliases (the CDN's default certificate).
    async fn pick(&self, svc: &FlowContext, aliases: &[String]) -> Result<Option<String>> {
        if aliases.is_empty() {
            return Ok(None);
        }
        for (_, id) in &self.candidates {
            let desc = match svc.backend.certificates.describe(id).await {
                Ok(desc) => desc,
                Err(Error::NotFound { .. }) => continue,
                Err(e) => return Err(e),
            };
            if desc.status == CertificateStatus::Issued && aliases.iter().all(|a| desc.covers(a)) {
                return Ok(Some(id.clone()));
            }
        }
        Err(Error::invalid_state(
            ResourceKind::Domain,
            aliases.join(","),
            "uncovered",
            "no issued certificate of the project covers all of these names; refresh the newest domain first",
        ))
    }
}

/// Adds `domain` to the aliases, switching the viewer certificate to one
/// that covers them all. Retries with a fresh ETag when the If-Match is stale.
pub(crate) async fn attach(
    svc: &FlowContext,
    infra: &Infrastructure,
    domain: &DomainName,
    choice: &CertificateChoice,
) -> Result<()> {
    update_aliases(
        svc,
        infra,
        |cfg| {
            if cfg.aliases.iter().any(|a| a == domain.as_str()) {
                return None;
            }
            let mut aliases = cfg.aliases.clone();
            aliases.push(domain.to_string());
            aliases.sort();
            Some(aliases)
        },
        choice,
    )
    .await
}

/// Removes `domain` from the aliases, switching to a certificate that covers
/// the rest (or the default one when none remain). `certificate` is the
/// domain's own certificate: the distribution stops using it even when the
/// domain was never attached, since removing another domain may have made
/// it the viewer certificate (it covers the project's other names), and
/// the certificate is deleted next.
pub(crate) async fn detach(
    svc: &FlowContext,
    infra: &Infrastructure,
    domain: &DomainName,
    certificate: Option<&str>,
    choice: &CertificateChoice,
) -> Result<()> {
    update_aliases(svc, infra, |cfg| without(cfg, domain, certificate), choice).await
}

/// Fails, changing nothing, if detaching `domain` would leave aliases no
/// certificate covers.
pub(crate) async fn preflight_detach(
    svc: &FlowContext,
    infra: &Infrastructure,
    domain: &DomainName,
    certificate: Option<&str>,
    choice: &CertificateChoice,
) -> Result<()> {
    let cfg = svc.backend.cdn.get_config(&infra.distribution_id).await?;
    if let Some(aliases) = without(&cfg.value, domain, certificate) {
        choice.pick(svc, &aliases).await?;
    }
    Ok(())
}

/// The aliases without `domain`, if the distribution must change: it
/// answers for `domain` or uses `certificate`.
fn without(
    cfg: &DistributionConfig,
    domain: &DomainName,
    certificate: Option<&str>,
) -> Option<Vec<String>> {
    let attached = cfg.aliases.iter().any(|a| a == domain.as_str());
    let uses_certificate = certificate.is_some() && cfg.certificate_id.as_deref() == certificate;
    (attached || uses_certificate).then(|| {
        cfg.aliases
            .iter()
            .filter(|a| *a != domain.as_str())
            .cloned()
            .collect()
    })
}

async fn update_aliases(
    svc: &FlowContext,
    infra: &Infrastructure,
    desired: impl Fn(&DistributionConfig) -> Option<Vec<String>>,
    choice: &CertificateChoice,
) -> Result<()> {
    let mut last = None;
    for _ in 0..=svc.settings.etag_retries {
        let Versioned { value, etag } = svc.backend.cdn.get_config(&infra.distribution_id).await?;
        let Some(aliases) = desired(&value) else {
            return Ok(());
        };
        let certificate_id = choice.pick(svc, &aliases).await?;
        let next = DistributionConfig {
            aliases,
            certificate_id,
            ..value
        };
        match svc
            .backend
            .cdn
            .update_config(&infra.distribution_id, &next, &etag)
            .await
        {
            Ok(_) => return Ok(()),
            Err(e @ Error::PreconditionFailed { .. }) => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| {
        Error::conflict(
            ResourceKind::Distribution,
            &infra.distribution_id,
            "the ETag kept changing",
        )
    }))
}
