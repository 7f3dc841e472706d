//! [`Certificates`] on ACM (us-east-1, where CloudFront reads certificates):
//! DNS-validated requests, descriptions with their validation CNAMEs, and
//! deletion of Anchor's own certificates only.

use std::collections::BTreeMap;
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_acm::types::{Tag, ValidationMethod};
use aws_sdk_acm::Client;

mod checks;

use super::errors::service_error;
use crate::error::{Error, ResourceKind, Result, Service};
use crate::traits::{CertificateDescription, CertificateRequest, Certificates, MANAGED_BY_TAG};
use checks::{names_in, status_of, validation_records};

/// [`Certificates`] backed by ACM.
///
/// Guarantees, beyond the trait's: names are normalised with
/// [`crate::model::DomainName::parse`] and idempotency tokens checked
/// against ACM's rule (1 to 32 of `[A-Za-z0-9_]`) before any call; the names are reported
/// primary first, then the alternatives, and the validation records in
/// the same order, all of them or none while ACM is still producing them;
/// `delete` refuses (`Error::NotManaged`) a certificate without
/// [`MANAGED_BY_TAG`] before anything is deleted.
#[derive(Debug, Clone)]
pub struct AcmCertificates {
    client: Client,
    records_wait: Duration,
}

/// How often `request` looks for the validation records ACM is preparing.
const RECORDS_POLL: Duration = Duration::from_millis(500);

impl AcmCertificates {
    /// Wraps an ACM client, which must be in us-east-1 for CloudFront to use
    /// its certificates ([`crate::aws::AwsClients`] pins it there).
    pub fn new(client: Client) -> Self {
        Self {
            client,
            records_wait: Duration::from_secs(15),
        }
    }

    /// How long `request` waits for ACM to produce the validation CNAMEs
    /// (it usually takes a few seconds), so the caller can hand them to the
    /// user at once; 15 s by default. Past it, `request` returns anyway and
    /// a later describe (the domain's refresh) picks the records up.
    pub fn with_records_wait(mut self, wait: Duration) -> Self {
        self.records_wait = wait;
        self
    }

    /// Polls until every name of the certificate has its validation record,
    /// or the wait is over; never fails the request over it.
    async fn await_validation_records(&self, id: &str) {
        let deadline = tokio::time::Instant::now() + self.records_wait;
        loop {
            match self.describe(id).await {
                Ok(d) if d.validation_records.len() >= d.names.len() => return,
                Ok(d) if d.status != crate::model::CertificateStatus::PendingValidation => return,
                Err(_) => return,
                Ok(_) => {}
            }
            if tokio::time::Instant::now() + RECORDS_POLL > deadline {
                return;
            }
            tokio::time::sleep(RECORDS_POLL).await;
        }
    }

    /// The wrapped client.
    pub fn client(&self) -> &Client {
        &self.client
    }

    async fn tags(&self, id: &str) -> Result<BTreeMap<String, String>> {
        let out = self
            .client
            .list_tags_for_certificate()
            .certificate_arn(id)
            .send()
            .await
            .map_err(|err| match err.as_service_error() {
                Some(e) if e.is_resource_not_found_exception() || e.is_invalid_arn_exception() => {
                    not_found(id)
                }
                _ => service_error(Service::Certificates, "ListTagsForCertificate", id, err),
            })?;
        Ok(out
            .tags()
            .iter()
            .map(|t| {
                (
                    t.key().to_string(),
                    t.value().unwrap_or_default().to_string(),
                )
            })
            .collect())
    }
}

fn not_found(id: &str) -> Error {
    Error::not_found(ResourceKind::Certificate, id)
}

#[async_trait]
impl Certificates for AcmCertificates {
    async fn request(&self, request: &CertificateRequest) -> Result<String> {
        let names = request.names()?;
        request.check_token()?;
        let mut tags = Vec::with_capacity(request.tags.len());
        for (key, value) in &request.tags {
            tags.push(Tag::builder().key(key).value(value).build().map_err(|e| {
                Error::service(
                    "aws",
                    Service::Certificates,
                    "RequestCertificate",
                    e.to_string(),
                )
            })?);
        }
        let alternatives = names[1..].to_vec();
        let out = self
            .client
            .request_certificate()
            .domain_name(&names[0])
            .set_subject_alternative_names((!alternatives.is_empty()).then_some(alternatives))
            .validation_method(ValidationMethod::Dns)
            .idempotency_token(&request.idempotency_token)
            .set_tags((!tags.is_empty()).then_some(tags))
            .send()
            .await
            .map_err(|err| match err.as_service_error() {
                Some(e) if e.is_invalid_domain_validation_options_exception() => {
                    Error::invalid_input("domain", e.to_string())
                }
                Some(e) if e.is_invalid_tag_exception() || e.is_too_many_tags_exception() => {
                    Error::invalid_input("tags", e.to_string())
                }
                _ => service_error(Service::Certificates, "RequestCertificate", &names[0], err),
            })?;
        let id = out.certificate_arn().map(str::to_string).ok_or_else(|| {
            Error::service(
                "aws",
                Service::Certificates,
                "RequestCertificate",
                "no certificate ARN in the reply",
            )
        })?;
        self.await_validation_records(&id).await;
        Ok(id)
    }

    async fn describe(&self, id: &str) -> Result<CertificateDescription> {
        let out = self
            .client
            .describe_certificate()
            .certificate_arn(id)
            .send()
            .await
            .map_err(|err| match err.as_service_error() {
                Some(e) if e.is_resource_not_found_exception() || e.is_invalid_arn_exception() => {
                    not_found(id)
                }
                _ => service_error(Service::Certificates, "DescribeCertificate", id, err),
            })?;
        let detail = out.certificate().ok_or_else(|| not_found(id))?;
        let names = names_in(detail);
        let (status, failure_reason) = status_of(detail);
        Ok(CertificateDescription {
            id: detail.certificate_arn().unwrap_or(id).to_string(),
            domain: names.first().cloned().unwrap_or_default(),
            validation_records: validation_records(detail, &names),
            names,
            status,
            failure_reason,
            tags: self.tags(id).await?,
        })
    }

    async fn delete(&self, id: &str) -> Result<()> {
        let tags = self.tags(id).await?;
        if tags.get(MANAGED_BY_TAG.0).map(String::as_str) != Some(MANAGED_BY_TAG.1) {
            return Err(Error::NotManaged {
                certificate: id.to_string(),
            });
        }
        self.client
            .delete_certificate()
            .certificate_arn(id)
            .send()
            .await
            .map_err(|err| match err.as_service_error() {
                Some(e) if e.is_resource_not_found_exception() => not_found(id),
                Some(e) if e.is_resource_in_use_exception() => Error::invalid_state(
                    ResourceKind::Certificate,
                    id,
                    "in_use",
                    "a CloudFront distribution (or another service) uses it",
                ),
                _ => service_error(Service::Certificates, "DeleteCertificate", id, err),
            })?;
        Ok(())
    }
}
