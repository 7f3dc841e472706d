//! The ACM backend against moto: the certificates conformance suite, and
//! Anchor's refusal to delete a certificate it does not manage.
//!
//! moto gaps (AWS is stricter or richer; the suite is not weakened for them):
//! - moto issues every DNS-validated certificate by itself after
//!   `MOTO_ACM_VALIDATION_WAIT` seconds, with no DNS records created; `issue`
//!   below just waits for that (run moto with a short wait, such as 2 s).
//! - moto keeps a certificate's alternative names in a set, so with more
//!   than two names their order is arbitrary; the suite uses two.
//! - moto returns a repeated idempotency token's certificate only if the
//!   tags are equal too (ACM ignores the tags); the suite repeats both.

use crate::aws_support;

use std::collections::BTreeMap;

use anchor_core::aws::AcmCertificates;
use anchor_core::conformance;
use anchor_core::traits::Certificates;
use anchor_core::Error;
use anchor_testing::certificates::acm_issuer;

#[tokio::test]
async fn acm_passes_the_certificates_suite() {
    let Some(m) = aws_support::moto().await else {
        return;
    };
    let acm = AcmCertificates::new(m.clients.acm.clone());
    conformance::certificates::certificates(&acm, &acm_issuer(&acm)).await;
}

#[tokio::test]
async fn a_foreign_certificate_is_never_deleted() {
    let Some(m) = aws_support::moto().await else {
        return;
    };
    let foreign = m
        .clients
        .acm
        .request_certificate()
        .domain_name("foreign.anchor-test.example.com")
        .validation_method(aws_sdk_acm::types::ValidationMethod::Dns)
        .send()
        .await
        .expect("request through the SDK")
        .certificate_arn
        .expect("an ARN");
    let acm = AcmCertificates::new(m.clients.acm.clone());
    let described = acm.describe(&foreign).await.expect("describe");
    assert_eq!(described.tags, BTreeMap::new());
    assert!(!described.is_managed_by_anchor());
    match acm.delete(&foreign).await {
        Err(Error::NotManaged { certificate }) => assert_eq!(certificate, foreign),
        other => panic!("deleting a foreign certificate must fail with NotManaged, got {other:?}"),
    }
    let still = acm.describe(&foreign).await.expect("still there");
    assert_eq!(still.id, foreign);
}

#[tokio::test]
async fn a_missing_certificate_is_not_found() {
    let Some(m) = aws_support::moto().await else {
        return;
    };
    let acm = AcmCertificates::new(m.clients.acm.clone());
    let missing = format!(
        "arn:aws:acm:us-east-1:{}:certificate/00000000-0000-0000-0000-000000000000",
        aws_support::ACCOUNT
    );
    for result in [
        acm.describe(&missing).await.map(|_| ()),
        acm.delete(&missing).await,
    ] {
        assert!(
            matches!(result, Err(Error::NotFound { .. })),
            "a missing certificate must be NotFound, got {result:?}"
        );
    }
}
