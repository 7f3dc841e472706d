//! The [`Certificates`] suite.

use std::collections::BTreeMap;

use super::{expect_err, expect_ok, unique, IssueFn};
use crate::error::{Error, ResourceKind};
use crate::model::CertificateStatus;
use crate::traits::{CertificateRequest, Certificates, MANAGED_BY_TAG};

/// A request for names unique to this run, tagged as Anchor's.
pub(crate) fn request_for(names: &[String], token: &str) -> CertificateRequest {
    let mut tags = BTreeMap::new();
    tags.insert(MANAGED_BY_TAG.0.to_string(), MANAGED_BY_TAG.1.to_string());
    tags.insert("anchor-conformance".to_string(), token.to_string());
    CertificateRequest {
        domain: names[0].clone(),
        alternative_names: names[1..].to_vec(),
        idempotency_token: token.to_string(),
        tags,
    }
}

fn is_invalid(e: &Error, field: &str) -> bool {
    matches!(e, Error::InvalidInput { field: f, .. } if f == field)
}

/// Checks every guarantee of [`Certificates`]: idempotency tokens (the same
/// token and names give the same certificate, another token a new one),
/// invalid names and tokens refused, a new certificate pending with one
/// CNAME validation record per name, its names and tags reported, issuance
/// through `issue`, deletion, and `NotFound` once deleted. (That a
/// certificate in use cannot be deleted needs a distribution; the CDN suite
/// checks it.)
pub async fn certificates(ca: &dyn Certificates, issue: IssueFn<'_>) {
    let run = unique();
    let names = vec![
        format!("app-{run}.anchor-conformance.example.com"),
        format!("www-{run}.anchor-conformance.example.com"),
    ];
    let token = format!("c{}", &run[..20]);
    let request = request_for(&names, &token);

    // Invalid input is refused before anything is created.
    let mut bad_name = request.clone();
    bad_name.alternative_names.push("not a domain".into());
    expect_err(
        ca.request(&bad_name).await,
        "a request with an invalid name must fail with InvalidInput(domain)",
        |e| is_invalid(e, "domain"),
    );
    for bad in ["", "has space", &"x".repeat(33)] {
        let mut bad_token = request.clone();
        bad_token.idempotency_token = bad.to_string();
        expect_err(
            ca.request(&bad_token).await,
            &format!("idempotency token {bad:?} must fail with InvalidInput(idempotency_token)"),
            |e| is_invalid(e, "idempotency_token"),
        );
    }

    // The same token and names give the same certificate.
    let id = expect_ok(ca.request(&request).await, "request");
    let again = expect_ok(ca.request(&request).await, "repeated request");
    assert_eq!(
        again, id,
        "a repeated idempotency token must return the first certificate"
    );

    let described = expect_ok(ca.describe(&id).await, "describe");
    assert_eq!(described.id, id);
    assert_eq!(
        described.domain, names[0],
        "the primary name must be reported as the domain"
    );
    assert_eq!(
        described.names, names,
        "names must be every name, the primary first"
    );
    assert_eq!(
        described.status,
        CertificateStatus::PendingValidation,
        "a new certificate must await validation"
    );
    assert_eq!(described.failure_reason, None);
    assert_eq!(
        described.tags, request.tags,
        "tags must be stored and returned"
    );
    assert!(
        described.is_managed_by_anchor(),
        "the managed-by tag must be kept"
    );
    assert!(
        names.iter().all(|n| described.covers(n)),
        "the certificate must cover every requested name"
    );
    let records = &described.validation_records;
    assert!(
        records.is_empty() || records.len() == names.len(),
        "there must be one validation record per name once they exist, got {records:?}"
    );
    for (record, name) in records.iter().zip(&names) {
        assert_eq!(
            record.record_type, "CNAME",
            "validation records must be CNAMEs"
        );
        assert!(
            record.name.trim_end_matches('.').ends_with(name.as_str()),
            "validation record {} must be under {name}",
            record.name
        );
    }

    // Another token is another certificate.
    let other = expect_ok(
        ca.request(&request_for(&names, &format!("d{}", &run[..20])))
            .await,
        "request with another token",
    );
    assert_ne!(
        other, id,
        "a new idempotency token must give a new certificate"
    );

    // Issuance.
    issue(id.clone()).await;
    let issued = expect_ok(ca.describe(&id).await, "describe after issue");
    assert_eq!(
        issued.status,
        CertificateStatus::Issued,
        "an issued certificate must report Issued"
    );
    assert_eq!(issued.names, names, "issuance must not change the names");

    // Deletion.
    for gone in [&id, &other] {
        expect_ok(ca.delete(gone).await, "delete of an unused certificate");
        expect_err(
            ca.describe(gone).await,
            "a deleted certificate must be NotFound(Certificate)",
            |e| {
                matches!(
                    e,
                    Error::NotFound {
                        kind: ResourceKind::Certificate,
                        ..
                    }
                )
            },
        );
        expect_err(
            ca.delete(gone).await,
            "deleting a deleted certificate must be NotFound(Certificate)",
            |e| {
                matches!(
                    e,
                    Error::NotFound {
                        kind: ResourceKind::Certificate,
                        ..
                    }
                )
            },
        );
    }
}
