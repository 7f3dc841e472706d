//! Local-only behaviours of the local CA and CDN: issuance on a clock,
//! explicit validation and failure, and the CloudFront rules the
//! conformance suite cannot reach with one distribution.

use std::collections::BTreeMap;
use std::sync::Arc;

use anchor_core::clock::ManualClock;
use anchor_core::local::{LocalCloud, LocalCloudOptions};
use anchor_core::model::{CertificateStatus, DnsRecord, DomainMode, ProjectName};
use anchor_core::traits::{
    Cdn, CertificateRequest, Certificates, DistributionConfig, ProvisionOptions, Provisioner,
};
use anchor_core::Error;
use chrono::{Duration, TimeZone, Utc};

fn open(
    dir: &tempfile::TempDir,
    auto_issue_after: Option<Duration>,
) -> (LocalCloud, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap(),
    ));
    // Standard distributions: these tests are about aliases
    // (local_tenants.rs has the multi-tenant ones).
    let options = LocalCloudOptions {
        auto_issue_after,
        domain_mode: DomainMode::Aliases,
        ..LocalCloudOptions::default()
    };
    let cloud = LocalCloud::open_with(dir.path(), clock.clone(), options).unwrap();
    (cloud, clock)
}

fn request(names: &[&str], token: &str) -> CertificateRequest {
    CertificateRequest {
        domain: names[0].to_string(),
        alternative_names: names[1..].iter().map(|n| n.to_string()).collect(),
        idempotency_token: token.to_string(),
        tags: BTreeMap::new(),
    }
}

fn field_of<T: std::fmt::Debug>(result: anchor_core::Result<T>) -> String {
    match result {
        Err(Error::InvalidInput { field, .. }) => field,
        other => panic!("expected InvalidInput, got {other:?}"),
    }
}

#[tokio::test]
async fn certificates_issue_once_the_delay_has_passed() {
    let dir = tempfile::tempdir().unwrap();
    let (cloud, clock) = open(&dir, Some(Duration::minutes(10)));
    let ca = cloud.certificates();
    let id = ca
        .request(&request(&["app.example.com"], "t1"))
        .await
        .unwrap();
    assert!(id.starts_with("arn:anchor:local:certificate/"), "{id}");
    clock.advance(Duration::minutes(9));
    assert_eq!(
        ca.describe(&id).await.unwrap().status,
        CertificateStatus::PendingValidation
    );
    clock.advance(Duration::minutes(1));
    assert_eq!(
        ca.describe(&id).await.unwrap().status,
        CertificateStatus::Issued
    );
}

#[tokio::test]
async fn without_a_delay_only_validate_issues() {
    let dir = tempfile::tempdir().unwrap();
    let (cloud, clock) = open(&dir, None);
    let ca = cloud.certificates();
    let id = ca
        .request(&request(&["app.example.com"], "t1"))
        .await
        .unwrap();
    clock.advance(Duration::days(30));
    assert_eq!(
        ca.describe(&id).await.unwrap().status,
        CertificateStatus::PendingValidation
    );
    ca.validate(&id).await.unwrap();
    ca.validate(&id).await.unwrap();
    assert_eq!(
        ca.describe(&id).await.unwrap().status,
        CertificateStatus::Issued
    );
    let err = ca.fail(&id, "too late").await.unwrap_err();
    assert!(matches!(err, Error::InvalidState { .. }), "{err:?}");

    let doomed = ca
        .request(&request(&["doomed.example.com"], "t2"))
        .await
        .unwrap();
    ca.fail(&doomed, "CAA record forbids the CA").await.unwrap();
    let failed = ca.describe(&doomed).await.unwrap();
    assert_eq!(failed.status, CertificateStatus::Failed);
    assert_eq!(
        failed.failure_reason.as_deref(),
        Some("CAA record forbids the CA")
    );
    assert!(matches!(
        ca.validate(&doomed).await,
        Err(Error::InvalidState { .. })
    ));
}

#[tokio::test]
async fn requests_are_normalised_and_idempotent_for_an_hour() {
    let dir = tempfile::tempdir().unwrap();
    let (cloud, clock) = open(&dir, None);
    let ca = cloud.certificates();
    let id = ca
        .request(&request(
            &["App.Example.COM.", "www.example.com", "app.example.com"],
            "tok_1",
        ))
        .await
        .unwrap();
    let cert = ca.describe(&id).await.unwrap();
    assert_eq!(
        cert.names,
        ["app.example.com", "www.example.com"],
        "normalised, primary first, no repeats"
    );
    assert_eq!(cert.validation_records.len(), 2);
    let record: &DnsRecord = &cert.validation_records[0];
    assert!(
        record.name.starts_with('_') && record.name.ends_with(".app.example.com."),
        "{record:?}"
    );
    assert_eq!(record.name.len(), "_.app.example.com.".len() + 32);
    assert!(
        record.value.ends_with(".acm-validations.anchor.local."),
        "{record:?}"
    );
    let other = ca
        .request(&request(&["app.example.com"], "tok_2"))
        .await
        .unwrap();
    assert_eq!(
        ca.describe(&other).await.unwrap().validation_records[0],
        *record,
        "deterministic records"
    );

    let same = request(&["app.example.com", "www.example.com"], "tok_1");
    assert_eq!(ca.request(&same).await.unwrap(), id, "same token and names");
    let fewer = request(&["app.example.com"], "tok_1");
    assert_ne!(
        ca.request(&fewer).await.unwrap(),
        id,
        "same token, other names"
    );
    clock.advance(Duration::minutes(61));
    assert_ne!(
        ca.request(&same).await.unwrap(),
        id,
        "ACM forgets a token after an hour"
    );

    assert_eq!(
        field_of(
            ca.request(&request(&["app.example.com"], "has-hyphen"))
                .await
        ),
        "idempotency_token"
    );
    // ACM takes one leading wildcard over a registrable name, not one
    // inside a name or over a public suffix.
    for bad in ["a.*.example.com", "*.co.uk"] {
        assert_eq!(
            field_of(ca.request(&request(&[bad], "t")).await),
            "domain",
            "{bad}"
        );
    }
    assert!(ca.request(&request(&["*.example.com"], "t")).await.is_ok());
}

async fn two_distributions(cloud: &LocalCloud) -> (String, String) {
    let mut ids = Vec::new();
    for name in ["one", "two"] {
        let project = ProjectName::parse(name).unwrap();
        let infra = cloud
            .provisioner()
            .provision(&project, &ProvisionOptions::default())
            .await
            .unwrap();
        ids.push(infra.distribution_id);
    }
    (ids.remove(0), ids.remove(0))
}

async fn config(cdn: &impl Cdn, id: &str) -> anchor_core::traits::Versioned<DistributionConfig> {
    cdn.get_config(id).await.unwrap()
}

#[tokio::test]
async fn an_alias_belongs_to_one_distribution() {
    let dir = tempfile::tempdir().unwrap();
    let (cloud, _clock) = open(&dir, Some(Duration::zero()));
    let (cdn, ca) = (cloud.cdn(), cloud.certificates());
    let (one, two) = two_distributions(&cloud).await;
    let cert = ca
        .request(&request(&["shop.example.com"], "shop"))
        .await
        .unwrap();
    let attach = DistributionConfig {
        domain_name: String::new(),
        aliases: vec!["shop.example.com".into()],
        certificate_id: Some(cert.clone()),
        tenant_only: false,
    };
    let first = config(&cdn, &one).await;
    cdn.update_config(&one, &attach, &first.etag).await.unwrap();
    let second = config(&cdn, &two).await;
    let err = cdn
        .update_config(&two, &attach, &second.etag)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Conflict { reason, .. } if reason.contains("CNAMEAlreadyExists")),
        "{err:?}"
    );
    assert_eq!(
        config(&cdn, &two).await,
        second,
        "a refused update changes nothing"
    );
    assert_eq!(
        config(&cdn, &one).await.value.domain_name,
        "local-one.cdn.anchor.localhost"
    );

    let current = config(&cdn, &one).await.etag;
    for aliases in [
        vec!["Shop.example.com"],
        vec!["shop.example.com", "shop.example.com"],
    ] {
        let bad = DistributionConfig {
            aliases: aliases.iter().map(|a| a.to_string()).collect(),
            ..attach.clone()
        };
        assert_eq!(
            field_of(cdn.update_config(&one, &bad, &current).await),
            "aliases",
            "{aliases:?}"
        );
    }
    let ghost = DistributionConfig {
        certificate_id: Some("arn:anchor:local:certificate/none".into()),
        aliases: vec![],
        ..attach.clone()
    };
    assert_eq!(
        field_of(cdn.update_config(&one, &ghost, &current).await),
        "certificate_id"
    );
    let err = ca.delete(&cert).await.unwrap_err();
    assert!(
        matches!(&err, Error::InvalidState { state, .. } if state == "in_use"),
        "{err:?}"
    );
}

#[tokio::test]
async fn invalidations_accept_the_documented_maximum() {
    let dir = tempfile::tempdir().unwrap();
    let (cloud, _clock) = open(&dir, None);
    let (one, two) = two_distributions(&cloud).await;
    let cdn = cloud.cdn();
    let paths: Vec<String> = (0..3000).map(|i| format!("/p{i}")).collect();
    let id = cdn.invalidate(&one, &paths, "ref").await.unwrap();
    assert!(id.starts_with('I'), "{id}");
    let other = cdn.invalidate(&two, &paths[..1], "ref").await.unwrap();
    assert_ne!(
        other, id,
        "caller references are scoped to their distribution"
    );
    let missing = cdn
        .invalidate("local-none", &paths[..1], "ref")
        .await
        .unwrap_err();
    assert!(matches!(missing, Error::NotFound { .. }), "{missing:?}");
    assert_eq!(
        field_of(cdn.invalidate(&one, &paths[..1], "").await),
        "caller_reference"
    );
}

#[tokio::test]
async fn a_pending_certificate_cannot_be_attached_even_without_aliases() {
    let dir = tempfile::tempdir().unwrap();
    let (cloud, _clock) = open(&dir, None);
    let (one, _) = two_distributions(&cloud).await;
    let cdn = cloud.cdn();
    let cert = cloud
        .certificates()
        .request(&request(&["pending.example.com"], "p"))
        .await
        .unwrap();
    let current = config(&cdn, &one).await;
    let pending = DistributionConfig {
        certificate_id: Some(cert),
        ..current.value.clone()
    };
    let refused = cdn.update_config(&one, &pending, &current.etag).await;
    assert_eq!(field_of(refused), "certificate_id");
}
