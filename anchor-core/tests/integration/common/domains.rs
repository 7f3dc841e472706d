//! The domain invariant every domain test checks after any operation,
//! failed or not, in either domain mode.

use anchor_core::model::{CdnStatus, CertificateStatus, DomainMode};
use anchor_core::{Anchor, Error};

/// Once every operation has finished: the domain records agree with the
/// CDN exactly. No removal is left half-done, and every active record has
/// an issued certificate. In alias mode the distribution's aliases are
/// exactly the active records, under an issued, Anchor-managed certificate
/// of the project's that covers each. In tenant mode each active record's
/// tenant exists, is enabled, serves that domain alone under the record's
/// own certificate, and is the record's `tenant_id`; a record that is not
/// active has no tenant.
pub async fn check_domains_served(a: &Anchor, project: &str) {
    check(a, project, true).await
}

/// After an operation that failed or crashed, before it is retried: what
/// the CDN serves is still backed by records. Every active record that is
/// not being removed is served as [`check_domains_served`] says; the CDN
/// may also serve a domain whose record is not active yet (an attach
/// whose record write failed) or is being removed, but in alias mode no
/// alias is without a record.
pub async fn check_domains_consistent(a: &Anchor, project: &str) {
    check(a, project, false).await
}

async fn check(a: &Anchor, project: &str, settled: bool) {
    let records = a.domains(project).list().await.unwrap();
    for d in &records {
        assert!(
            !settled || !d.removing,
            "{} left half-removed: {d:?}",
            d.name
        );
        if d.cdn_status == CdnStatus::Active {
            assert_eq!(d.certificate_status, CertificateStatus::Issued, "{d:?}");
        }
    }
    let p = a.project(project).await.unwrap();
    if p.infrastructure.domains == DomainMode::Tenants {
        for d in records.iter().filter(|d| settled || !d.removing) {
            let tenant = a.backend().cdn.get_tenant(&d.name.tenant_name()).await;
            if d.cdn_status != CdnStatus::Active && !settled {
                if let Ok(t) = tenant {
                    assert_eq!(t.value.domains, vec![d.name.to_string()]);
                }
                continue;
            }
            if d.cdn_status != CdnStatus::Active {
                assert!(
                    matches!(tenant, Err(Error::NotFound { .. })),
                    "{} is not active but has a tenant: {tenant:?}",
                    d.name
                );
                continue;
            }
            let tenant = tenant.unwrap().value;
            assert!(tenant.enabled, "{tenant:?}");
            assert_eq!(tenant.domains, vec![d.name.to_string()]);
            assert_eq!(tenant.certificate_id, d.certificate_id);
            assert_eq!(Some(&tenant.id), d.tenant_id.as_ref());
            assert_eq!(tenant.distribution_id, p.infrastructure.distribution_id);
        }
        return;
    }
    let cdn = a
        .backend()
        .cdn
        .get_config(&p.infrastructure.distribution_id)
        .await
        .unwrap()
        .value;
    let mut aliases = cdn.aliases.clone();
    aliases.sort();
    let mut active: Vec<String> = records
        .iter()
        .filter(|d| d.cdn_status == CdnStatus::Active)
        .map(|d| d.name.to_string())
        .collect();
    active.sort();
    if !settled {
        for alias in &aliases {
            assert!(
                records.iter().any(|d| d.name.as_str() == alias),
                "alias {alias} has no domain record"
            );
        }
        let removing: Vec<&str> = records
            .iter()
            .filter(|d| d.removing)
            .map(|d| d.name.as_str())
            .collect();
        for name in active.iter().filter(|n| !removing.contains(&n.as_str())) {
            assert!(aliases.contains(name), "{name} active but not attached");
        }
        aliases.retain(|a| active.contains(a));
        active.retain(|a| aliases.contains(a));
    }
    assert_eq!(aliases, active, "CDN aliases and active domain records");
    if aliases.is_empty() {
        return;
    }
    let cert = cdn.certificate_id.as_deref().expect("a viewer certificate");
    assert!(
        records
            .iter()
            .any(|d| d.certificate_id.as_deref() == Some(cert)),
        "the viewer certificate {cert} belongs to one of the project's domains"
    );
    let desc = a.backend().certificates.describe(cert).await.unwrap();
    assert_eq!(desc.status, CertificateStatus::Issued);
    assert!(desc.is_managed_by_anchor());
    for alias in &aliases {
        assert!(desc.covers(alias), "{cert} does not cover {alias}");
    }
}
