//! [`DomainManager`]: custom domains with automatic TLS.
//!
//! In tenant mode ([`DomainMode::Tenants`], `docs/domains-at-scale.md`)
//! each domain gets a certificate for its name alone and, once it is
//! issued, a distribution tenant of its own (`tenant`): no domain's call
//! reads or writes another's, so a pending or failed name blocks nothing.
//!
//! In alias mode each domain gets its own DNS-validated certificate
//! covering it and the project's other domains at the time, so the newest
//! issued certificate always covers every domain added before it.
//! CloudFront takes one viewer certificate per distribution; attaching
//! picks the newest one that covers every alias, and removal switches to
//! one that covers the rest before the removed domain's certificate is
//! deleted.

mod apex;
mod attach;
mod cleanup;
mod preview_suffix;
mod records;
mod remove;
mod tenant;

use std::collections::BTreeMap;
use std::sync::Arc;

use sha2::{Digest, Sha256};

use self::attach::{attach, CertificateChoice};
use self::preview_suffix::set_preview_suffix;
use self::records::own_domain;
use super::records::save_domain;
use super::{lost_race, FlowContext};
use crate::error::{Error, ResourceKind, Result};
use crate::model::{
    CdnStatus, CertificateStatus, DnsRecord, Domain, DomainMode, DomainName, Project, ProjectName,
};
use crate::traits::{
    CertificateRequest, DomainWrite, Expect, WriteBatch, MANAGED_BY_TAG, PROJECT_TAG_KEY,
};

/// What [`DomainManager::resume_interrupted`] finished.
#[derive(Debug, Default)]
pub(crate) struct ResumedDomains {
    pub(crate) finished_removals: Vec<DomainName>,
    pub(crate) resumed_additions: Vec<DomainName>,
}

/// Adds, refreshes, removes and lists a project's custom domains. Build it
/// with [`crate::Anchor::domains`].
#[derive(Debug, Clone)]
pub struct DomainManager {
    svc: Arc<FlowContext>,
    project: String,
}

impl DomainManager {
    pub(crate) fn new(svc: Arc<FlowContext>, project: &str) -> Self {
        Self {
            svc,
            project: project.to_string(),
        }
    }

    /// Claims `name` for the project and requests its certificate. Returns
    /// the record with the DNS records the user must add: the validation
    /// CNAMEs and the routing CNAME. Adding a domain the project already has
    /// resumes where an earlier call stopped; a domain held by another
    /// project fails with `DomainTaken` and changes nothing. An apex
    /// (`example.com`, by the public suffix list) gets an `ALIAS` routing
    /// record, since DNS allows no CNAME there; a public suffix (`co.uk`)
    /// fails with `InvalidInput` naming `domain`. In alias mode a project
    /// already holding as many domains as one certificate or distribution
    /// takes ([`crate::model::DomainLimits`]) fails with `QuotaExceeded`
    /// and changes nothing. Losing a race with a concurrent add or remove
    /// of the same name fails with `Conflict`.
    pub async fn add(&self, name: &str) -> Result<Domain> {
        self.add_once(name).await.map_err(|e| self.lost_race(e))
    }

    async fn add_once(&self, name: &str) -> Result<Domain> {
        let (project, domain) = self.parse(name).await?;
        if domain.is_public_suffix() {
            return Err(apex::public_suffix_refused(&domain));
        }
        let svc = &self.svc;
        let mut record = match svc.backend.store.get_domain(&domain).await? {
            Some(d) => self.check_owner(d)?,
            None => {
                self.check_room(&project).await?;
                self.claim(&project, &domain).await?
            }
        };
        if record.removing {
            return Err(Error::invalid_state(
                ResourceKind::Domain,
                domain.as_str(),
                "removing",
                "its removal has started; call remove again to finish it, then add it",
            ));
        }
        if record.certificate_id.is_none() {
            self.request_certificate(&mut record).await?;
        }
        Ok(record)
    }

    /// Reads the certificate's status; once it is issued, attaches the
    /// domain to the CDN with If-Match (retrying on a stale ETag) and marks
    /// the CDN status active. A wildcard (`*.preview.example.com`) on a
    /// project with the router then makes its suffix a preview suffix, so
    /// `v<N>.preview.example.com` serves deployment N; removing it takes
    /// the suffix away before its certificate goes. A failed certificate marks both statuses
    /// failed with the CA's reason. Losing a race with a concurrent change
    /// of the record or the distribution fails with `Conflict`.
    pub async fn refresh(&self, name: &str) -> Result<Domain> {
        self.refresh_once(name).await.map_err(|e| self.lost_race(e))
    }

    async fn refresh_once(&self, name: &str) -> Result<Domain> {
        let (project, domain) = self.parse(name).await?;
        let svc = &self.svc;
        let mut record = own_domain(svc, &project.name, &domain).await?;
        if record.removing {
            return Err(Error::invalid_state(
                ResourceKind::Domain,
                domain.as_str(),
                "removing",
                "its removal has started",
            ));
        }
        let Some(cert_id) = record.certificate_id.clone() else {
            self.request_certificate(&mut record).await?;
            return Ok(record);
        };
        let desc = svc.backend.certificates.describe(&cert_id).await?;
        match desc.status {
            CertificateStatus::Issued => {
                let attaching = record.cdn_status != CdnStatus::Active;
                let tenants = project.infrastructure.domains == DomainMode::Tenants;
                let mut tenant_id = record.tenant_id.clone();
                if attaching && tenants {
                    tenant_id = Some(tenant::attach(svc, &project, &domain, &cert_id).await?);
                } else if attaching {
                    let choice = CertificateChoice::new(svc, &project.name, Some(&record)).await?;
                    attach(svc, &project.infrastructure, &domain, &choice).await?;
                }
                let now = svc.clock.now();
                let saved = save_domain(svc, &mut record, |d| {
                    d.certificate_status = CertificateStatus::Issued;
                    d.validation_records = desc.validation_records;
                    d.cdn_status = CdnStatus::Active;
                    d.failure_reason = None;
                    d.activated_at = d.activated_at.or(Some(now));
                    d.tenant_id = tenant_id;
                })
                .await;
                if let Err(err) = saved {
                    if attaching && tenants {
                        tenant::undo_attach(svc, &project, &domain).await;
                    } else if attaching {
                        cleanup::undo_attach(svc, &project, &domain, &cert_id).await;
                    }
                    return Err(err);
                }
                // A wildcard's previews: after the record says active, so
                // a failure here leaves an active domain whose next refresh
                // (or recover()) writes the suffix.
                set_preview_suffix(svc, &project.infrastructure, &domain, true).await?;
            }
            CertificateStatus::Failed => {
                let reason = desc
                    .failure_reason
                    .unwrap_or_else(|| "the certificate authority gave no reason".into());
                save_domain(svc, &mut record, |d| {
                    d.certificate_status = CertificateStatus::Failed;
                    d.cdn_status = CdnStatus::Failed;
                    d.failure_reason = Some(format!("certificate failed: {reason}"));
                })
                .await?;
            }
            CertificateStatus::PendingValidation | CertificateStatus::Requesting => {
                if record.validation_records != desc.validation_records
                    || record.certificate_status != CertificateStatus::PendingValidation
                {
                    save_domain(svc, &mut record, |d| {
                        d.certificate_status = CertificateStatus::PendingValidation;
                        d.validation_records = desc.validation_records;
                    })
                    .await?;
                }
            }
        }
        Ok(record)
    }

    /// In alias mode, fails with `QuotaExceeded` when the project already
    /// holds as many domains as one certificate names or one distribution
    /// takes; nothing in tenant mode, where the CDN counts the account's
    /// tenants itself.
    async fn check_room(&self, project: &Project) -> Result<()> {
        let limits = &self.svc.settings.domain_limits;
        let Some(ceiling) = limits.project_ceiling(project.infrastructure.domains) else {
            return Ok(());
        };
        let held = self
            .svc
            .backend
            .store
            .list_domains(&project.name)
            .await?
            .len();
        if held >= ceiling.limit as usize {
            return Err(ceiling.exceeded(format!(
                "project {} holds {held} domains as aliases of one distribution, \
                 under one certificate that names them all",
                project.name
            )));
        }
        Ok(())
    }

    /// Finishes the domain changes a crash left half-done, oldest domain
    /// first: a removal that started is completed as [`Self::remove`] does,
    /// a claimed domain without a recorded certificate gets it requested
    /// (the same idempotency token, so a certificate requested before the
    /// crash is found again, not duplicated), and an active wildcard gets
    /// its preview suffix if its attach stopped before writing it. Used by
    /// [`crate::Anchor::recover`].
    pub(crate) async fn resume_interrupted(&self) -> Result<ResumedDomains> {
        let mut resumed = ResumedDomains::default();
        for mut record in self.list().await? {
            if record.removing {
                self.remove(record.name.as_str()).await?;
                resumed.finished_removals.push(record.name);
            } else if record.certificate_id.is_none() {
                self.request_certificate(&mut record).await?;
                resumed.resumed_additions.push(record.name);
            } else if record.cdn_status == CdnStatus::Active && record.name.is_wildcard() {
                // An attach that stopped before its preview suffix.
                let project = self.svc.project(&record.project).await?;
                set_preview_suffix(&self.svc, &project.infrastructure, &record.name, true).await?;
            }
        }
        Ok(resumed)
    }

    /// The project's domains, oldest first.
    pub async fn list(&self) -> Result<Vec<Domain>> {
        let project = ProjectName::parse(&self.project)?;
        self.svc.project(&project).await?;
        self.svc.backend.store.list_domains(&project).await
    }

    /// The project, checked to be on this store (an `Anchor` opened on
    /// another one changes none of its domains), and the domain name.
    async fn parse(&self, name: &str) -> Result<(Project, DomainName)> {
        let project = ProjectName::parse(&self.project)?;
        let domain = DomainName::parse(name)?;
        let project = self.svc.project(&project).await?;
        super::location::ensure_same_store(&self.svc, &project)?;
        Ok((project, domain))
    }

    /// A conditional write of the record, or an If-Match update of the
    /// distribution, that another operation beat is reported as the
    /// `Conflict` every flow documents, not as the store's
    /// `PreconditionFailed`.
    fn lost_race(&self, e: Error) -> Error {
        match ProjectName::parse(&self.project) {
            Ok(project) => lost_race(&project, e),
            Err(_) => e,
        }
    }

    fn check_owner(&self, d: Domain) -> Result<Domain> {
        if d.project.as_str() != self.project {
            return Err(Error::DomainTaken {
                domain: d.name.to_string(),
                project: d.project.to_string(),
            });
        }
        Ok(d)
    }

    /// Creates the record, which claims the name across all projects.
    async fn claim(&self, project: &Project, domain: &DomainName) -> Result<Domain> {
        let svc = &self.svc;
        let now = svc.clock.now();
        let record = Domain {
            name: domain.clone(),
            project: project.name.clone(),
            certificate_id: None,
            certificate_status: CertificateStatus::Requesting,
            certificate_names: Vec::new(),
            validation_records: Vec::new(),
            routing_record: routing_record(domain, &project.infrastructure.distribution_domain),
            tenant_id: None,
            cdn_status: CdnStatus::Pending,
            failure_reason: None,
            removing: false,
            created_at: now,
            updated_at: now,
            activated_at: None,
            revision: 1,
        };
        let batch = WriteBatch {
            domains: vec![DomainWrite::Put(record.clone(), Expect::Absent)],
            ..WriteBatch::default()
        };
        match svc.backend.store.commit(batch).await {
            Ok(()) => Ok(record),
            // Lost the race, or the reply: whoever holds it now decides.
            Err(err) => match svc.backend.store.get_domain(domain).await? {
                Some(d) if d == record => Ok(d),
                Some(d) => self.check_owner(d),
                None => Err(err),
            },
        }
    }

    /// In alias mode, the project's other live domains, sorted: the names a
    /// new certificate covers besides `record`'s own.
    async fn other_names(&self, record: &Domain) -> Result<Vec<String>> {
        let mut others: Vec<String> = self
            .svc
            .backend
            .store
            .list_domains(&record.project)
            .await?
            .into_iter()
            .filter(|d| {
                d.name != record.name
                    && !d.removing
                    && d.certificate_status != CertificateStatus::Failed
            })
            .map(|d| d.name.to_string())
            .collect();
        others.sort();
        Ok(others)
    }

    /// Requests the certificate, idempotently: a retry after a lost reply
    /// sends the same token and gets the same certificate.
    async fn request_certificate(&self, record: &mut Domain) -> Result<()> {
        let svc = &self.svc;
        let mut names = vec![record.name.to_string()];
        let project = svc.project(&record.project).await?;
        if project.infrastructure.domains == DomainMode::Aliases {
            names.extend(self.other_names(record).await?);
        }
        let seed = format!(
            "anchor|{}|{}|{}",
            record.project,
            names.join(","),
            record.created_at.timestamp_nanos_opt().unwrap_or_default()
        );
        let digest = Sha256::digest(seed.as_bytes());
        let token: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
        let tags = BTreeMap::from([
            (MANAGED_BY_TAG.0.to_string(), MANAGED_BY_TAG.1.to_string()),
            (PROJECT_TAG_KEY.to_string(), record.project.to_string()),
            ("anchor:domain".to_string(), record.name.to_string()),
        ]);
        let request = CertificateRequest {
            domain: names[0].clone(),
            alternative_names: names[1..].to_vec(),
            idempotency_token: token,
            tags,
        };
        let id = svc.backend.certificates.request(&request).await?;
        let desc = svc.backend.certificates.describe(&id).await?;
        let saved = save_domain(svc, record, |d| {
            d.certificate_id = Some(id.clone());
            d.certificate_names = desc.names;
            d.validation_records = desc.validation_records;
            d.certificate_status = match desc.status {
                CertificateStatus::Requesting => CertificateStatus::PendingValidation,
                s => s,
            };
        })
        .await;
        if let Err(Error::PreconditionFailed { .. }) = &saved {
            // A concurrent add of the name won with its own certificate.
            cleanup::drop_unrecorded_certificate(svc, &record.name, &id).await;
        }
        saved
    }
}

/// The record that routes `domain` to the distribution at
/// `distribution_domain`: a CNAME, or at an apex, where DNS allows none,
/// an `ALIAS` (an A/AAAA alias or a flattened CNAME at the DNS provider).
fn routing_record(domain: &DomainName, distribution_domain: &str) -> DnsRecord {
    let (name, target) = (format!("{domain}."), format!("{distribution_domain}."));
    if domain.is_apex() {
        DnsRecord::alias(name, target)
    } else {
        DnsRecord::cname(name, target)
    }
}
