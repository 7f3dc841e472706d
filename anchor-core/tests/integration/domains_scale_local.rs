//! Custom domains at scale on the embedded default (issue 18): a project
//! with 1,000 domains, one pending forever and one failed, where every
//! other goes active and removing one touches no other's tenant or
//! certificate; and the quotas, which refuse with `QuotaExceeded` and
//! change nothing.

use std::collections::BTreeMap;

use anchor_core::model::{CdnStatus, CertificateStatus, Domain, DomainLimits, DomainMode};
use anchor_core::traits::{CertificateDescription, Tenant, Versioned};
use anchor_core::{Anchor, Error, FlowSettings, LocalOptions};

use crate::common::check_domains_served;

const P: &str = "shop";

fn name(i: usize) -> String {
    format!("d{i:04}.example.com")
}

async fn open(dir: &std::path::Path, limits: DomainLimits, mode: DomainMode) -> Anchor {
    let options = LocalOptions {
        settings: FlowSettings {
            domain_limits: limits,
            ..FlowSettings::default()
        },
        domain_mode: mode,
        ..LocalOptions::default()
    };
    let a = Anchor::local_with(dir, options).await.unwrap();
    a.create_project(P).await.unwrap();
    a
}

fn certificate(d: &Domain) -> &str {
    d.certificate_id.as_deref().unwrap()
}

/// Every domain's tenant (with its ETag) and certificate, by name.
async fn snapshot(
    a: &Anchor,
) -> BTreeMap<String, (Option<Versioned<Tenant>>, CertificateDescription)> {
    let mut all = BTreeMap::new();
    for d in a.domains(P).list().await.unwrap() {
        let tenant = match a.backend().cdn.get_tenant(&d.name.tenant_name()).await {
            Ok(t) => Some(t),
            Err(Error::NotFound { .. }) => None,
            Err(e) => panic!("{e}"),
        };
        let cert = a
            .backend()
            .certificates
            .describe(certificate(&d))
            .await
            .unwrap();
        all.insert(d.name.to_string(), (tenant, cert));
    }
    all
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_domains_where_a_pending_and_a_failed_one_block_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let a = open(dir.path(), DomainLimits::default(), DomainMode::Tenants).await;
    let ca = a.local_cloud().unwrap().certificates();
    let domains = a.domains(P);
    let (pending, failed) = (name(0), name(1));
    for i in 0..1000 {
        let d = domains.add(&name(i)).await.unwrap();
        assert_eq!(
            d.certificate_names,
            vec![name(i)],
            "a certificate of its own"
        );
        if d.name.as_str() == failed {
            ca.fail(certificate(&d), "the validation CNAME never resolved")
                .await
                .unwrap();
        } else if d.name.as_str() != pending {
            ca.validate(certificate(&d)).await.unwrap();
        }
    }
    for i in 0..1000 {
        let d = domains.refresh(&name(i)).await.unwrap();
        let want = match i {
            0 => (CertificateStatus::PendingValidation, CdnStatus::Pending),
            1 => (CertificateStatus::Failed, CdnStatus::Failed),
            _ => (CertificateStatus::Issued, CdnStatus::Active),
        };
        assert_eq!((d.certificate_status, d.cdn_status), want, "{}", d.name);
        assert_eq!(d.tenant_id.is_some(), i >= 2, "{}", d.name);
    }
    let listed = domains.list().await.unwrap();
    assert_eq!(listed.len(), 1000);
    let active = listed
        .iter()
        .filter(|d| d.cdn_status == CdnStatus::Active)
        .count();
    assert_eq!(active, 998, "every other domain went active");
    check_domains_served(&a, P).await;

    // One more domain after them: the pending and failed ones hold nothing up.
    let late = domains.add("late.example.com").await.unwrap();
    ca.validate(certificate(&late)).await.unwrap();
    let late = domains.refresh("late.example.com").await.unwrap();
    assert_eq!(late.cdn_status, CdnStatus::Active);

    // Removing any one (an active one, the pending one, the failed one)
    // leaves every other tenant and certificate exactly as it was: the same
    // tenant ETags, the same certificate descriptions.
    for removed in [name(500), pending.clone(), failed.clone()] {
        let mut before = snapshot(&a).await;
        let gone = before.remove(&removed).unwrap();
        domains.remove(&removed).await.unwrap();
        let after = snapshot(&a).await;
        assert_eq!(after, before, "removing {removed} changed another domain");
        if let Some(tenant) = gone.0 {
            let lookup = a.backend().cdn.get_tenant(&tenant.value.id).await;
            assert!(matches!(lookup, Err(Error::NotFound { .. })), "{lookup:?}");
        }
        let cert = a.backend().certificates.describe(&gone.1.id).await;
        assert!(matches!(cert, Err(Error::NotFound { .. })), "{cert:?}");
    }
    assert_eq!(domains.list().await.unwrap().len(), 998);
    check_domains_served(&a, P).await;
}

#[tokio::test]
async fn the_account_tenant_quota_refuses_the_next_attach_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let limits = DomainLimits {
        tenants_per_account: 2,
        ..DomainLimits::default()
    };
    let a = open(dir.path(), limits, DomainMode::Tenants).await;
    let ca = a.local_cloud().unwrap().certificates();
    for i in 0..3 {
        let d = a.domains(P).add(&name(i)).await.unwrap();
        ca.validate(certificate(&d)).await.unwrap();
    }
    for i in 0..2 {
        a.domains(P).refresh(&name(i)).await.unwrap();
    }
    let before = a.domains(P).list().await.unwrap();
    let err = a.domains(P).refresh(&name(2)).await.unwrap_err();
    let Error::QuotaExceeded {
        quota,
        limit,
        setting,
        reason,
    } = &err
    else {
        panic!("{err:?}");
    };
    assert_eq!(setting, "domain_limits.tenants_per_account");
    assert_eq!(quota, "Distribution tenants per account (CloudFront)");
    assert_eq!(*limit, 2);
    assert!(reason.contains("holds 2 distribution tenants"), "{reason}");
    assert_eq!(err.code(), "ANCHOR_QUOTA_EXCEEDED");
    let message = err.to_string();
    assert!(message.contains("Service Quotas"), "{message}");
    assert_eq!(
        a.domains(P).list().await.unwrap(),
        before,
        "nothing changed"
    );
    // Freeing a tenant makes room.
    a.domains(P).remove(&name(0)).await.unwrap();
    let d = a.domains(P).refresh(&name(2)).await.unwrap();
    assert_eq!(d.cdn_status, CdnStatus::Active);
    check_domains_served(&a, P).await;
}

#[tokio::test]
async fn alias_mode_refuses_the_domain_past_one_certificate_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let a = open(dir.path(), DomainLimits::default(), DomainMode::Aliases).await;
    for i in 0..10 {
        a.domains(P).add(&name(i)).await.unwrap();
    }
    let before = a.domains(P).list().await.unwrap();
    let err = a.domains(P).add(&name(10)).await.unwrap_err();
    assert!(
        matches!(&err, Error::QuotaExceeded { setting, limit: 10, .. }
            if setting == "domain_limits.names_per_certificate"),
        "{err:?}"
    );
    assert!(
        err.to_string().contains("Domain names per ACM certificate"),
        "{err}"
    );
    assert_eq!(
        a.domains(P).list().await.unwrap(),
        before,
        "nothing changed"
    );

    // Raised quotas: the distribution's 100 aliases bind next.
    let raised = DomainLimits {
        names_per_certificate: 100,
        aliases_per_distribution: 11,
        ..DomainLimits::default()
    };
    let b = Anchor::builder(a.backend().clone())
        .settings(FlowSettings {
            domain_limits: raised,
            ..FlowSettings::default()
        })
        .build();
    b.domains(P).add(&name(10)).await.unwrap();
    let err = b.domains(P).add(&name(11)).await.unwrap_err();
    assert!(
        matches!(&err, Error::QuotaExceeded { setting, limit: 11, .. }
            if setting == "domain_limits.aliases_per_distribution"),
        "{err:?}"
    );
}
